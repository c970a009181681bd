// SPDX-License-Identifier: GPL-2.0
/*
 * SMAF buffers: dma-buf export, device attachments and the deferred
 * allocation that happens on a buffer's first use.
 */
#define pr_fmt(fmt) "smaf: " fmt

#include <linux/dma-buf.h>
#include <linux/dma-mapping.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/iommu.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include "smaf-internal.h"

/* Protects smaf_buffers; taken before any buffer's lock. */
static DEFINE_MUTEX(smaf_buffers_lock);
/* Every live buffer, for the debugfs view. */
static LIST_HEAD(smaf_buffers);

static void smaf_device_constraints(struct device *dev,
				    struct smaf_dev_constraints *d)
{
	struct iommu_domain *domain = iommu_get_domain_for_dev(dev);

	d->dma_limit = dma_get_mask(dev);
	if (dev->bus_dma_limit)
		d->dma_limit = min(d->dma_limit, dev->bus_dma_limit);
	d->translated = domain && (domain->type & __IOMMU_DOMAIN_PAGING);
	d->max_segment = dma_get_max_seg_size(dev);
	d->seg_boundary = dma_get_seg_boundary(dev);
}

static void smaf_buffer_constraints(struct smaf_buffer *buf, bool cpu,
				    struct smaf_constraints *c)
{
	struct smaf_dev_constraints d;
	struct smaf_attachment *a;

	smaf_constraints_init(c);
	list_for_each_entry(a, &buf->attachments, node) {
		smaf_device_constraints(a->dev, &d);
		smaf_constraints_add_device(c, &d);
	}
	c->cpu = cpu || !c->ndevs;
}

/**
 * smaf_buffer_populate() - allocate the backing memory on first use
 * @buf: the buffer
 * @cpu: the CPU is the user asking
 *
 * Picks the allocator named at create time, or the best one for the devices
 * attached now, and allocates the whole buffer once.  Later calls return at
 * once.
 *
 * Context: process context, may sleep; @buf->lock held.
 * Return: 0, -ENODEV if no allocator serves the attached devices (or the
 * named one does not), or the allocator's error (-ENOMEM, -EINTR).
 */
int smaf_buffer_populate(struct smaf_buffer *buf, bool cpu)
{
	struct smaf_allocator *alloc;
	struct smaf_constraints c;
	int ret;

	lockdep_assert_held(&buf->lock);
	if (buf->allocator)
		return 0;

	smaf_buffer_constraints(buf, cpu, &c);
	if (buf->named) {
		alloc = buf->named;
		if (!alloc->ops->match(alloc, &c) || !try_module_get(alloc->owner))
			alloc = NULL;
	} else {
		alloc = smaf_allocator_select(&c);
	}
	if (!alloc) {
		ret = -ENODEV;
		pr_warn_ratelimited("no allocator for a %zu byte buffer (%u devices, limit %#llx)\n",
				    buf->size, c.ndevs, c.phys_limit);
		goto out;
	}

	ret = alloc->ops->allocate(alloc, &buf->sgt, buf->size);
	if (ret) {
		atomic_long_inc(&alloc->stats.failures);
		smaf_allocator_put(alloc);
		goto out;
	}
	atomic_long_inc(&alloc->stats.allocations);
	atomic_long_inc(&alloc->stats.buffers);
	atomic_long_add(buf->size, &alloc->stats.bytes);
	buf->allocator = alloc;
out:
	buf->last_error = ret;
	return ret;
}

/**
 * smaf_attach() - a device attaches to the buffer
 * @dmabuf: the SMAF dma-buf
 * @attachment: the new attachment
 *
 * Context: process context; takes the buffer lock.
 * Return: 0 or -ENOMEM.
 */
static int smaf_attach(struct dma_buf *dmabuf,
		       struct dma_buf_attachment *attachment)
{
	struct smaf_buffer *buf = dmabuf->priv;
	struct smaf_attachment *a;

	a = kzalloc(sizeof(*a), GFP_KERNEL);
	if (!a)
		return -ENOMEM;
	a->dev = attachment->dev;
	INIT_LIST_HEAD(&a->node);
	attachment->priv = a;

	mutex_lock(&buf->lock);
	list_add(&a->node, &buf->attachments);
	mutex_unlock(&buf->lock);
	return 0;
}

/**
 * smaf_detach() - a device detaches
 * @dmabuf: the SMAF dma-buf
 * @attachment: the attachment, already unmapped by its importer
 *
 * Context: process context; takes the buffer lock.
 */
static void smaf_detach(struct dma_buf *dmabuf,
			struct dma_buf_attachment *attachment)
{
	struct smaf_buffer *buf = dmabuf->priv;
	struct smaf_attachment *a = attachment->priv;

	mutex_lock(&buf->lock);
	list_del(&a->node);
	mutex_unlock(&buf->lock);
	WARN_ON(a->mapped);
	kfree(a);
}

static int smaf_copy_table(struct sg_table *dst, const struct sg_table *src)
{
	struct scatterlist *s, *d;
	unsigned int i;
	int ret;

	ret = sg_alloc_table(dst, src->orig_nents, GFP_KERNEL);
	if (ret)
		return ret;
	d = dst->sgl;
	for_each_sgtable_sg(src, s, i) {
		sg_set_page(d, sg_page(s), s->length, s->offset);
		d = sg_next(d);
	}
	return 0;
}

/**
 * smaf_map_dma_buf() - map the buffer for the attachment's device
 * @attachment: the attachment
 * @dir: DMA direction
 *
 * The first map of any attachment allocates the buffer, with the
 * constraints of every device attached at that moment.
 *
 * Context: process context; on kernels with dynamic dma-buf locking the
 * reservation lock is held.  Takes the buffer lock.
 * Return: the mapped table, or ERR_PTR(-EBUSY) if already mapped,
 * ERR_PTR(-ENODEV/-ENOMEM/-EINTR) if allocation or mapping fails.
 */
static struct sg_table *smaf_map_dma_buf(struct dma_buf_attachment *attachment,
					 enum dma_data_direction dir)
{
	struct smaf_buffer *buf = attachment->dmabuf->priv;
	struct smaf_attachment *a = attachment->priv;
	int ret;

	mutex_lock(&buf->lock);
	if (a->mapped) {
		ret = -EBUSY;
		goto unlock;
	}
	ret = smaf_buffer_populate(buf, false);
	if (ret)
		goto unlock;
	ret = smaf_copy_table(&a->sgt, &buf->sgt);
	if (ret)
		goto unlock;
	ret = dma_map_sgtable(a->dev, &a->sgt, dir, 0);
	if (ret)
		goto free_table;
	a->dir = dir;
	a->mapped = true;
	mutex_unlock(&buf->lock);
	return &a->sgt;

free_table:
	sg_free_table(&a->sgt);
unlock:
	mutex_unlock(&buf->lock);
	return ERR_PTR(ret);
}

/**
 * smaf_unmap_dma_buf() - undo smaf_map_dma_buf()
 * @attachment: the attachment
 * @sgt: the table returned by the map
 * @dir: DMA direction
 *
 * Context: process context; reservation lock held on kernels with dynamic
 * dma-buf locking.  Takes the buffer lock.
 */
static void smaf_unmap_dma_buf(struct dma_buf_attachment *attachment,
			       struct sg_table *sgt,
			       enum dma_data_direction dir)
{
	struct smaf_buffer *buf = attachment->dmabuf->priv;
	struct smaf_attachment *a = attachment->priv;

	mutex_lock(&buf->lock);
	if (!WARN_ON(!a->mapped || sgt != &a->sgt)) {
		dma_unmap_sgtable(a->dev, &a->sgt, dir, 0);
		sg_free_table(&a->sgt);
		a->mapped = false;
	}
	mutex_unlock(&buf->lock);
}

/**
 * smaf_release() - the last reference to the dma-buf is gone
 * @dmabuf: the SMAF dma-buf
 *
 * Gives the memory back to its allocator and forgets the buffer.
 *
 * Context: process context; takes the buffer list lock.
 */
static void smaf_release(struct dma_buf *dmabuf)
{
	struct smaf_buffer *buf = dmabuf->priv;
	struct smaf_allocator *alloc = buf->allocator;

	mutex_lock(&smaf_buffers_lock);
	list_del(&buf->node);
	mutex_unlock(&smaf_buffers_lock);

	if (alloc) {
		alloc->ops->free(alloc, &buf->sgt);
		atomic_long_dec(&alloc->stats.buffers);
		atomic_long_sub(buf->size, &alloc->stats.bytes);
		smaf_allocator_put(alloc);
	}
	smaf_allocator_put(buf->named);
	WARN_ON(!list_empty(&buf->attachments));
	mutex_destroy(&buf->lock);
	kfree(buf);
}

const struct dma_buf_ops smaf_dma_buf_ops = {
	.attach = smaf_attach,
	.detach = smaf_detach,
	.map_dma_buf = smaf_map_dma_buf,
	.unmap_dma_buf = smaf_unmap_dma_buf,
	.begin_cpu_access = smaf_cpu_begin_access,
	.end_cpu_access = smaf_cpu_end_access,
	.mmap = smaf_cpu_mmap,
	.vmap = smaf_cpu_vmap,
	.vunmap = smaf_cpu_vunmap,
	.release = smaf_release,
};

/**
 * smaf_buffer_create() - export a new, not yet allocated buffer
 * @size: bytes, a non-zero multiple of PAGE_SIZE
 * @named: allocator to use (reference passed to the buffer), or NULL
 * @flags: O_RDWR and/or O_CLOEXEC for the dma-buf file
 *
 * Context: process context.
 * Return: the dma-buf, or an ERR_PTR.  On error the reference on @named is
 * dropped.
 */
struct dma_buf *smaf_buffer_create(size_t size, struct smaf_allocator *named,
				   int flags)
{
	DEFINE_DMA_BUF_EXPORT_INFO(exp_info);
	struct smaf_buffer *buf;
	struct dma_buf *dmabuf;

	buf = kzalloc(sizeof(*buf), GFP_KERNEL);
	if (!buf) {
		dmabuf = ERR_PTR(-ENOMEM);
		goto put_named;
	}
	mutex_init(&buf->lock);
	INIT_LIST_HEAD(&buf->attachments);
	INIT_LIST_HEAD(&buf->node);
	buf->size = size;

	exp_info.exp_name = "smaf";
	exp_info.owner = THIS_MODULE;
	exp_info.ops = &smaf_dma_buf_ops;
	exp_info.size = size;
	exp_info.flags = flags;
	exp_info.priv = buf;
	dmabuf = dma_buf_export(&exp_info);
	if (IS_ERR(dmabuf))
		goto free_buf;

	/* From here on smaf_release() owns @buf and @named. */
	buf->dmabuf = dmabuf;
	buf->named = named;
	mutex_lock(&smaf_buffers_lock);
	list_add_tail(&buf->node, &smaf_buffers);
	mutex_unlock(&smaf_buffers_lock);
	return dmabuf;

free_buf:
	mutex_destroy(&buf->lock);
	kfree(buf);
put_named:
	smaf_allocator_put(named);
	return dmabuf;
}

/**
 * smaf_buffer_from_fd() - the SMAF buffer behind a dma-buf fd
 * @fd: file descriptor
 *
 * Context: process context.
 * Return: the buffer with a reference on its dma-buf (drop it with
 * dma_buf_put(buf->dmabuf)), ERR_PTR(-EBADF) if @fd is not open, or
 * ERR_PTR(-EINVAL) if it is not a SMAF dma-buf.
 */
struct smaf_buffer *smaf_buffer_from_fd(int fd)
{
	struct dma_buf *dmabuf;

	dmabuf = dma_buf_get(fd);
	if (IS_ERR(dmabuf))
		return ERR_CAST(dmabuf);
	if (dmabuf->ops != &smaf_dma_buf_ops) {
		dma_buf_put(dmabuf);
		return ERR_PTR(-EINVAL);
	}
	return dmabuf->priv;
}

/**
 * smaf_buffer_show_all() - print every live buffer
 * @s: debugfs file
 *
 * One line per buffer: inode number of its dma-buf file (st_ino of the fd),
 * size, allocated or not, allocator, attachments, secure flag, last error.
 *
 * Context: process context; takes the buffer list lock and each buffer's lock.
 */
void smaf_buffer_show_all(struct seq_file *s)
{
	struct smaf_attachment *a;
	struct smaf_buffer *buf;
	unsigned int natt;

	mutex_lock(&smaf_buffers_lock);
	list_for_each_entry(buf, &smaf_buffers, node) {
		mutex_lock(&buf->lock);
		natt = 0;
		list_for_each_entry(a, &buf->attachments, node)
			natt++;
		seq_printf(s, "ino=%lu size=%zu allocated=%d allocator=%s named=%s attachments=%u secure=%d error=%d\n",
			   file_inode(buf->dmabuf->file)->i_ino, buf->size,
			   !!buf->allocator,
			   buf->allocator ? buf->allocator->name : "-",
			   buf->named ? buf->named->name : "-", natt,
			   buf->secure, buf->last_error);
		mutex_unlock(&buf->lock);
	}
	mutex_unlock(&smaf_buffers_lock);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * SMAF buffers as dma-bufs: export, the dma_buf_ops callbacks of device
 * access and release, and the debugfs view of live buffers.  CPU access
 * is smaf-cpu.c's, the memory smaf-memory.c's.
 */
#define pr_fmt(fmt) "smaf: " fmt

#include <linux/dma-buf.h>
#include <linux/dma-mapping.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/sched/mm.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/smaf.h>

#include "smaf-internal.h"

/* Protects smaf_buffers; taken before any buffer's lock. */
static DEFINE_MUTEX(smaf_buffers_lock);
/* Every live buffer, for the debugfs view. */
static LIST_HEAD(smaf_buffers);

/*
 * Makes @buf's memory reachable by @dev needing @d: checks that it is (or
 * that some allocator could allocate it so, and reserves the creator's
 * limits there), or moves it.  @buf->lock held.
 */
static int smaf_buffer_make_reachable(struct smaf_buffer *buf,
				      struct device *dev,
				      const struct smaf_dev_constraints *d)
{
	int ret;

	if (!buf->allocator) {
		ret = smaf_memory_can_serve(buf, d);
		return ret ? ret : smaf_memory_reserve(buf, d);
	}
	if (smaf_memory_serves(buf, d))
		return 0;
	return smaf_migrate(buf, dev, d);
}

/**
 * smaf_attach() - a device attaches to the buffer
 * @dmabuf: the SMAF dma-buf
 * @attachment: the new attachment
 *
 * A device that cannot use the buffer is refused now rather than at its
 * first map.  If the buffer is allocated where the device cannot reach it,
 * SMAF moves it to memory every user reaches (smaf_migrate()), unless
 * something pins the memory.  If it is not allocated yet, some allocator
 * (the named one, if any) must serve every user including this device.
 *
 * Context: process context; takes the buffer lock (killable).
 * Return: 0, -ENOMEM, -EINTR, -EXDEV (the memory is pinned, migration is
 * off, the secure module refuses the new memory, or the named allocator
 * does not suit the device), -ENODEV (no allocator serves all users with
 * it), -EDQUOT or -ENOSPC (the creator's limits refuse the allocator the
 * device makes the buffer's first use expect), or the error of the
 * allocation a migration needed.
 */
static int smaf_attach(struct dma_buf *dmabuf,
		       struct dma_buf_attachment *attachment)
{
	struct smaf_buffer *buf = dmabuf->priv;
	struct smaf_attachment *a;
	int ret;

	a = kzalloc(sizeof(*a), GFP_KERNEL);
	if (!a)
		return -ENOMEM;
	a->dev = attachment->dev;
	smaf_device_constraints(a->dev, &a->need);

	ret = mutex_lock_killable(&buf->lock);
	if (ret)
		goto free_attachment;
	ret = smaf_buffer_make_reachable(buf, a->dev, &a->need);
	if (!ret)
		list_add(&a->node, &buf->attachments);
	mutex_unlock(&buf->lock);

	if (ret) {
		dev_warn_ratelimited(a->dev, "smaf: cannot share a %zu byte buffer %s: error %d\n",
				     buf->size, buf->allocator ?
				     "allocated where this device cannot use it" :
				     "with this device's constraints", ret);
		goto free_attachment;
	}
	attachment->priv = a;
	return 0;

free_attachment:
	kfree(a);
	return ret;
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

/**
 * smaf_map_dma_buf() - map the buffer for the attachment's device
 * @attachment: the attachment
 * @dir: DMA direction
 *
 * The first map of any attachment allocates the buffer, with the
 * constraints of every device attached at that moment.
 *
 * Context: process context; on kernels with dynamic dma-buf locking the
 * reservation lock is held.  Takes the buffer lock (killable).
 * Return: the mapped table, or ERR_PTR(-EBUSY) if already mapped, -EINTR,
 * the allocation error of a first use, the secure module's refusal
 * (-EACCES) or error, or the mapping error.
 */
static struct sg_table *smaf_map_dma_buf(struct dma_buf_attachment *attachment,
					 enum dma_data_direction dir)
{
	struct smaf_buffer *buf = attachment->dmabuf->priv;
	struct smaf_attachment *a = attachment->priv;
	int ret;

	ret = mutex_lock_killable(&buf->lock);
	if (ret)
		return ERR_PTR(ret);
	if (a->mapped) {
		ret = -EBUSY;
		goto unlock;
	}
	ret = smaf_memory_populate(buf, false);
	if (ret)
		goto unlock;
	ret = smaf_secure_map(buf, a, dir);
	if (ret)
		goto unlock;
	ret = smaf_map_attachment(buf, a, dir);
	if (ret)
		smaf_secure_unmap(buf, a, dir);
unlock:
	mutex_unlock(&buf->lock);
	return ret ? ERR_PTR(ret) : smaf_attachment_table(a);
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
	if (!WARN_ON(!a->mapped || sgt != smaf_attachment_table(a))) {
		smaf_unmap_attachment(a);
		smaf_secure_unmap(buf, a, a->dir);
	}
	mutex_unlock(&buf->lock);
}

/**
 * smaf_release() - the last reference to the dma-buf is gone
 * @dmabuf: the SMAF dma-buf
 *
 * Ends the CPU accesses never ended, ends a secure buffer's context
 * (scrubbing its memory, or quarantining it if that fails), gives the
 * memory back to its allocator and forgets the buffer.
 *
 * Context: process context; takes the buffer list lock, then the buffer
 * lock to scrub a secure buffer.
 */
static void smaf_release(struct dma_buf *dmabuf)
{
	struct smaf_buffer *buf = dmabuf->priv;
	struct smaf_allocator *alloc = buf->allocator;
	bool scrubbed;

	mutex_lock(&smaf_buffers_lock);
	list_del(&buf->node);
	mutex_unlock(&smaf_buffers_lock);

	smaf_secure_access_release(buf);
	scrubbed = smaf_secure_release(buf);
	if (alloc && scrubbed)
		smaf_memory_free(buf, alloc, &buf->sgt);
	else if (alloc)
		smaf_secure_quarantine(buf, alloc, &buf->sgt);
	smaf_memory_unreserve(buf);
	smaf_limits_destroy(buf);
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
 * @info: what the buffer is; its attributes are set before the buffer is
 *	  listed or exported
 *
 * The calling task is the creator: its user and memory cgroup are charged.
 * Its limits are reserved now on the allocator a first use by the CPU is
 * expected to get (smaf_memory_reserve()).
 *
 * Context: process context.
 * Return: the dma-buf, or ERR_PTR(-EDQUOT) if the caller has too many live
 * buffers or would exceed its limit, ERR_PTR(-ENOSPC) if a global limit or
 * the reserve refuses it, ERR_PTR(-ENOMEM).  On error the reference on
 * @info->named is dropped.
 */
struct dma_buf *smaf_buffer_create(const struct smaf_buffer_info *info)
{
	DEFINE_DMA_BUF_EXPORT_INFO(exp_info);
	struct smaf_buffer *buf;
	struct dma_buf *dmabuf;
	int ret;

	buf = kzalloc(sizeof(*buf), GFP_KERNEL);
	if (!buf) {
		dmabuf = ERR_PTR(-ENOMEM);
		goto put_named;
	}
	mutex_init(&buf->lock);
	INIT_LIST_HEAD(&buf->attachments);
	smaf_secure_init_state(buf);
	INIT_LIST_HEAD(&buf->node);
	buf->size = info->size;
	buf->hint_contig = info->hints & SMAF_HINT_CONTIGUOUS;
	buf->hint_dma32 = info->hints & SMAF_HINT_DMA32;
	buf->align = info->align;
	buf->uncached = info->uncached;
	buf->named = info->named;
	ret = smaf_limits_create(buf, info->privileged);
	if (ret) {
		dmabuf = ERR_PTR(ret);
		goto free_buf;
	}
	ret = smaf_memory_reserve(buf, NULL);
	if (ret) {
		dmabuf = ERR_PTR(ret);
		goto destroy_limits;
	}

	exp_info.exp_name = "smaf";
	exp_info.owner = THIS_MODULE;
	exp_info.ops = &smaf_dma_buf_ops;
	exp_info.size = info->size;
	exp_info.flags = info->flags;
	exp_info.priv = buf;
	dmabuf = dma_buf_export(&exp_info);
	if (IS_ERR(dmabuf))
		goto unreserve;

	/* From here on smaf_release() owns @buf, @named and the accounting. */
	buf->dmabuf = dmabuf;
	buf->ino = file_inode(dmabuf->file)->i_ino;
	buf->cpu_mapping = dmabuf->file->f_mapping;
	mutex_lock(&smaf_buffers_lock);
	list_add_tail(&buf->node, &smaf_buffers);
	mutex_unlock(&smaf_buffers_lock);
	return dmabuf;

unreserve:
	smaf_memory_unreserve(buf);
destroy_limits:
	smaf_limits_destroy(buf);
free_buf:
	mutex_destroy(&buf->lock);
	kfree(buf);
put_named:
	smaf_allocator_put(info->named);
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

/* SMAF_REASON_* as the debugfs view names them. */
static const char *const smaf_buffer_reasons[] = {
	[SMAF_REASON_NONE] = "-",
	[SMAF_REASON_NAMED] = "named",
	[SMAF_REASON_BEST_MATCH] = "best-match",
	[SMAF_REASON_FALLBACK] = "fallback",
};

/**
 * smaf_buffer_query() - what SMAF_IOC_QUERY_BUFFER tells of a buffer
 * @buf: the buffer, whose fd the caller holds
 * @q: the query, version and fd checked; its out fields are filled
 *
 * Context: process context; takes the buffer lock (killable).
 * Return: 0, or -EINTR.
 */
int smaf_buffer_query(struct smaf_buffer *buf, struct smaf_buffer_query *q)
{
	struct smaf_attachment *a;
	int ret;

	ret = mutex_lock_killable(&buf->lock);
	if (ret)
		return ret;
	q->length = buf->size;
	q->state = (buf->allocator ? SMAF_STATE_ALLOCATED : 0) |
		   (smaf_secure_on(buf) ? SMAF_STATE_SECURE : 0) |
		   (buf->uncached ? SMAF_STATE_UNCACHED : 0) |
		   (buf->allocator && buf->layout.contig ? SMAF_STATE_CONTIGUOUS : 0) |
		   (buf->dmabuf->file->f_mode & FMODE_WRITE ? SMAF_STATE_WRITABLE : 0);
	q->reason = buf->allocator ? buf->reason : SMAF_REASON_NONE;
	if (buf->allocator)
		strscpy(q->allocator, buf->allocator->name, sizeof(q->allocator));
	q->chunks = buf->allocator ? buf->sgt.orig_nents : 0;
	q->last_error = -buf->last_error;
	q->migrations = buf->migrations;
	q->refusals = buf->refusals;
	q->devices = 0;
	list_for_each_entry(a, &buf->attachments, node)
		q->devices++;
	mutex_unlock(&buf->lock);
	return 0;
}

static void smaf_buffer_show(struct seq_file *s, struct smaf_buffer *buf)
{
	struct smaf_constraints live, *c = &buf->used;
	struct smaf_attachment *a;
	unsigned int natt = 0;

	list_for_each_entry(a, &buf->attachments, node)
		natt++;
	if (!buf->allocator) {
		smaf_memory_constraints(buf, NULL, false, &live);
		c = &live;
	}
	seq_printf(s, "ino=%lu size=%zu allocated=%d allocator=%s named=%s attachments=%u secure=%d error=%d",
		   buf->ino, buf->size,
		   !!buf->allocator,
		   buf->allocator ? buf->allocator->name : "-",
		   buf->named ? buf->named->name : "-", natt, smaf_secure_on(buf),
		   buf->last_error);
	seq_printf(s, " devices=%u limit=%#llx need_contig=%d align=%#llx why=%s uncached=%d",
		   c->ndevs, c->phys_limit, c->contig, c->align,
		   smaf_buffer_reasons[buf->allocator ? buf->reason : SMAF_REASON_NONE],
		   buf->uncached);
	if (buf->allocator)
		seq_printf(s, " phys=%#llx-%#llx contig=%d segments=%u cpu_uncached=%d",
			   buf->layout.phys_start, buf->layout.phys_end,
			   buf->layout.contig, buf->sgt.orig_nents,
			   smaf_uncached(buf));
	seq_printf(s, " migrations=%u refused=%s syncs=%u reserved=%s", buf->migrations,
		   buf->refused[0] ? buf->refused : "-", smaf_secure_accesses(buf),
		   buf->reserved ? buf->reserved->name : "-");
	seq_puts(s, "\n");
}

/**
 * smaf_buffer_show_all() - print every live buffer
 * @s: debugfs file
 *
 * One line per buffer: inode number of its dma-buf file (st_ino of the fd),
 * size, allocation state and allocator, attachments, secure flag, last
 * error, the merged constraints (those the memory was allocated for, or of
 * the current users), how the allocator was chosen, where the memory is,
 * its moves and the allocator its creator's limits are reserved on.
 * A buffer busy (being allocated, for instance) is shown as "ino=N busy=1":
 * the view never waits for a buffer while holding the list.
 *
 * Context: process context; takes the buffer list lock (killable) and
 * tries each buffer's lock.
 */
void smaf_buffer_show_all(struct seq_file *s)
{
	struct smaf_buffer *buf;

	if (mutex_lock_killable(&smaf_buffers_lock))
		return;
	list_for_each_entry(buf, &smaf_buffers, node) {
		if (!mutex_trylock(&buf->lock)) {
			seq_printf(s, "ino=%lu busy=1\n", buf->ino);
			continue;
		}
		smaf_buffer_show(s, buf);
		mutex_unlock(&buf->lock);
	}
	mutex_unlock(&smaf_buffers_lock);
}

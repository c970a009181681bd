// SPDX-License-Identifier: GPL-2.0
/*
 * SMAF secure buffers: the secure module registry, per-buffer contexts, and
 * the grants asked for every device and CPU use of a secure buffer.
 */
#define pr_fmt(fmt) "smaf: " fmt

#include <linux/err.h>
#include <linux/export.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/scatterlist.h>
#include <linux/seq_file.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include "smaf-internal.h"
#include "smaf-secure.h"

/*
 * Protects smaf_secure_mod and smaf_quarantine; held while the secure heap
 * nodes follow smaf_secure_mod (it nests smaf_heap_lock, then misc_mtx).
 */
static DEFINE_MUTEX(smaf_secure_lock);
static struct smaf_secure *smaf_secure_mod;
/* Live contexts, for the debugfs view. */
static atomic_t smaf_secure_contexts = ATOMIC_INIT(0);

/**
 * struct smaf_quarantined - secure memory that could not be scrubbed
 * @sgt:	the memory, never given back to its allocator
 * @size:	bytes
 * @node:	entry in smaf_quarantine
 */
struct smaf_quarantined {
	struct sg_table sgt;
	size_t size;
	struct list_head node;
};

static LIST_HEAD(smaf_quarantine);
static u64 smaf_quarantine_bytes;

/**
 * smaf_register_secure() - make a secure module SMAF's one secure module
 * @sec: the module's description, ops and owner filled in
 *
 * Also adds the nodes of the secure heap aliases (/dev/dma_heap/protected,*).
 *
 * Context: process context; takes the secure registry lock.
 * Return: 0, -EINVAL if an op is missing, -EBUSY if a secure module is
 * already registered.
 */
int smaf_register_secure(struct smaf_secure *sec)
{
	int ret = 0;

	if (!sec || !sec->name || !sec->ops || !sec->ops->create_ctx ||
	    !sec->ops->destroy_ctx || !sec->ops->grant_access ||
	    !sec->ops->revoke_access)
		return -EINVAL;
	mutex_lock(&smaf_secure_lock);
	if (smaf_secure_mod) {
		ret = -EBUSY;
	} else {
		smaf_secure_mod = sec;
		smaf_heap_secure_nodes(true);
	}
	mutex_unlock(&smaf_secure_lock);
	if (!ret)
		pr_info("secure module '%s' registered\n", sec->name);
	return ret;
}
EXPORT_SYMBOL_GPL(smaf_register_secure);

/**
 * smaf_unregister_secure() - withdraw the secure module
 * @sec: the registered module
 *
 * Contexts hold a reference on @sec's owner, so this runs only when no
 * secure buffer is left.  Also removes the secure heap aliases' nodes.
 *
 * Context: process context; takes the secure registry lock.
 */
void smaf_unregister_secure(struct smaf_secure *sec)
{
	mutex_lock(&smaf_secure_lock);
	if (!WARN_ON(smaf_secure_mod != sec)) {
		smaf_heap_secure_nodes(false);
		smaf_secure_mod = NULL;
	}
	mutex_unlock(&smaf_secure_lock);
}
EXPORT_SYMBOL_GPL(smaf_unregister_secure);

static struct smaf_secure *smaf_secure_get(void)
{
	struct smaf_secure *sec;

	mutex_lock(&smaf_secure_lock);
	sec = smaf_secure_mod;
	if (sec && !try_module_get(sec->owner))
		sec = NULL;
	mutex_unlock(&smaf_secure_lock);
	return sec;
}

/**
 * smaf_secure_set() - make a buffer secure
 * @buf: the buffer
 *
 * One-way: nothing clears the flag.
 *
 * Context: process context; @buf->lock held.
 * Return: 0; -EALREADY if the buffer is already secure; -EBUSY if it is
 * already allocated or mapped by the CPU; -EOPNOTSUPP if no secure module is
 * registered; or the secure module's error creating the context.
 */
int smaf_secure_set(struct smaf_buffer *buf)
{
	struct smaf_secure *sec;
	void *ctx;

	lockdep_assert_held(&buf->lock);
	if (buf->secure)
		return -EALREADY;
	if (buf->allocator || buf->vmas)
		return -EBUSY;

	sec = smaf_secure_get();
	if (!sec)
		return -EOPNOTSUPP;
	ctx = sec->ops->create_ctx(sec, buf->size);
	if (IS_ERR_OR_NULL(ctx)) {
		module_put(sec->owner);
		return ctx ? PTR_ERR(ctx) : -ENOMEM;
	}
	atomic_inc(&smaf_secure_contexts);
	buf->sec = sec;
	buf->sec_ctx = ctx;
	buf->secure = true;
	return 0;
}

/* Revokes the first @n ranges of @sgt (memory of @buf) from @dev. */
static void smaf_secure_revoke_ranges(struct smaf_buffer *buf,
				      struct sg_table *sgt, struct device *dev,
				      unsigned int n, enum dma_data_direction dir)
{
	struct scatterlist *sg;
	unsigned int i;

	for_each_sgtable_sg(sgt, sg, i) {
		if (i == n)
			break;
		buf->sec->ops->revoke_access(buf->sec, buf->sec_ctx, dev,
					     sg_phys(sg), sg->length, dir);
	}
}

/* Grants every range of @sgt (memory of @buf) to @dev, or none. */
static int smaf_secure_grant_ranges(struct smaf_buffer *buf,
				    struct sg_table *sgt, struct device *dev,
				    enum dma_data_direction dir)
{
	struct scatterlist *sg;
	unsigned int i;
	int ret;

	for_each_sgtable_sg(sgt, sg, i) {
		ret = buf->sec->ops->grant_access(buf->sec, buf->sec_ctx, dev,
						  sg_phys(sg), sg->length, dir);
		if (ret) {
			smaf_secure_revoke_ranges(buf, sgt, dev, i, dir);
			/* -EACCES, or why it could not decide (-ENOMEM...). */
			return ret;
		}
	}
	return 0;
}

/* The direction a CPU use is granted: read-write, or read only. */
static enum dma_data_direction smaf_secure_cpu_dir(bool write)
{
	return write ? DMA_BIDIRECTIONAL : DMA_TO_DEVICE;
}

/**
 * smaf_secure_map() - ask access for a device mapping a secure buffer
 * @buf: the buffer, allocated
 * @a: the attachment about to be mapped
 * @dir: the mapping's direction
 *
 * Context: process context; @buf->lock held.
 * Return: 0 (also for a buffer that is not secure), -EACCES, or the secure
 * module's error.
 */
int smaf_secure_map(struct smaf_buffer *buf, struct smaf_attachment *a,
		    enum dma_data_direction dir)
{
	lockdep_assert_held(&buf->lock);
	if (!buf->secure)
		return 0;
	return smaf_secure_grant_ranges(buf, &buf->sgt, a->dev, dir);
}

/**
 * smaf_secure_unmap() - give back what smaf_secure_map() got
 * @buf: the buffer
 * @a: the attachment being unmapped
 * @dir: the direction smaf_secure_map() was called with
 *
 * Context: process context; @buf->lock held.
 */
void smaf_secure_unmap(struct smaf_buffer *buf, struct smaf_attachment *a,
		       enum dma_data_direction dir)
{
	lockdep_assert_held(&buf->lock);
	if (buf->secure)
		smaf_secure_revoke_ranges(buf, &buf->sgt, a->dev, UINT_MAX, dir);
}

/**
 * smaf_secure_cpu_grant() - ask access for one CPU use
 * @buf: the buffer, allocated
 * @write: the CPU may write
 *
 * Every CPU use (a mapping, a vmap, a process's begun CPU access) asks for
 * its own grant, in the context of the task that makes the use, so that the
 * secure module can decide on who asks; it gives it back with
 * smaf_secure_cpu_revoke() when the use ends.
 *
 * Context: process context; @buf->lock held.
 * Return: 0 (also for a buffer that is not secure), -EACCES, or the secure
 * module's error.
 */
int smaf_secure_cpu_grant(struct smaf_buffer *buf, bool write)
{
	int ret;

	lockdep_assert_held(&buf->lock);
	if (!buf->secure)
		return 0;
	ret = smaf_secure_grant_ranges(buf, &buf->sgt, NULL,
				       smaf_secure_cpu_dir(write));
	if (!ret)
		buf->cpu_grants[write]++;
	return ret;
}

/**
 * smaf_secure_cpu_revoke() - one CPU use ended
 * @buf: the buffer
 * @write: what smaf_secure_cpu_grant() was called with
 *
 * Context: process context; @buf->lock held.
 */
void smaf_secure_cpu_revoke(struct smaf_buffer *buf, bool write)
{
	lockdep_assert_held(&buf->lock);
	if (!buf->secure)
		return;
	smaf_secure_revoke_ranges(buf, &buf->sgt, NULL, UINT_MAX,
				  smaf_secure_cpu_dir(write));
	buf->cpu_grants[write]--;
}

/* Zeroes @n pages through a temporary kernel mapping, which also works for
 * memory outside the kernel's linear map (carveouts).
 */
static int smaf_secure_zero_pages(struct smaf_buffer *buf,
				  struct page **pages, unsigned int n)
{
	void *vaddr = vmap(pages, n, VM_MAP,
			   smaf_uncached_prot(buf, PAGE_KERNEL));

	if (!vaddr)
		return -ENOMEM;
	memset(vaddr, 0, (size_t)n * PAGE_SIZE);
	vunmap(vaddr);
	return 0;
}

/* The CPU zeroes @sgt, with a write grant like any other CPU use. */
static int smaf_secure_cpu_scrub(struct smaf_buffer *buf, struct sg_table *sgt)
{
	struct sg_page_iter piter;
	struct page *pages[64];
	unsigned int n = 0;
	int ret;

	ret = smaf_secure_grant_ranges(buf, sgt, NULL, DMA_FROM_DEVICE);
	if (ret)
		return ret;
	for_each_sgtable_page(sgt, &piter, 0) {
		pages[n++] = sg_page_iter_page(&piter);
		if (n < ARRAY_SIZE(pages))
			continue;
		ret = smaf_secure_zero_pages(buf, pages, n);
		if (ret)
			break;
		n = 0;
		cond_resched();
	}
	if (!ret && n)
		ret = smaf_secure_zero_pages(buf, pages, n);
	smaf_secure_revoke_ranges(buf, sgt, NULL, UINT_MAX, DMA_FROM_DEVICE);
	return ret;
}

/* The secure module zeroes @sgt itself, range by range. */
static int smaf_secure_module_scrub(struct smaf_buffer *buf,
				    struct sg_table *sgt)
{
	struct scatterlist *sg;
	unsigned int i;
	int ret;

	for_each_sgtable_sg(sgt, sg, i) {
		ret = buf->sec->ops->scrub(buf->sec, buf->sec_ctx, sg_phys(sg),
					   sg->length);
		if (ret)
			return ret;
	}
	return 0;
}

/* Zeroes @sgt, memory of @buf, by the secure module or the granted CPU. */
static int smaf_secure_scrub(struct smaf_buffer *buf, struct sg_table *sgt)
{
	int ret;

	if (buf->sec->ops->scrub)
		ret = smaf_secure_module_scrub(buf, sgt);
	else
		ret = smaf_secure_cpu_scrub(buf, sgt);
	if (ret)
		pr_err("cannot scrub %zu bytes of secure memory (error %d): they are quarantined\n",
		       buf->size, ret);
	return ret;
}

/**
 * smaf_secure_move_grant() - ask for the memory a secure buffer moves to
 * @buf: the buffer, about to move from @from to @to
 * @from: its memory
 * @to: the new memory, not used yet
 *
 * Asks the secure module to grant @to to every CPU use that holds a grant
 * on @from (mappings and begun CPU accesses; device mappings and vmaps pin
 * a buffer, which then does not move), and to grant the copy: CPU reads of
 * @from, CPU writes of @to.  Asked in the context of the task whose device
 * attaches.  All or nothing.  Does nothing for a buffer that is not secure.
 *
 * Context: process context; @buf->lock held.
 * Return: 0, -EACCES, or the secure module's error.
 */
int smaf_secure_move_grant(struct smaf_buffer *buf, struct sg_table *from,
			   struct sg_table *to)
{
	unsigned int granted[2] = { 0, 0 }, w, i;
	int ret;

	lockdep_assert_held(&buf->lock);
	if (!buf->secure)
		return 0;
	for (w = 0; w < 2; w++)
		for (; granted[w] < buf->cpu_grants[w]; granted[w]++) {
			ret = smaf_secure_grant_ranges(buf, to, NULL,
						       smaf_secure_cpu_dir(w));
			if (ret)
				goto revoke_uses;
		}
	ret = smaf_secure_grant_ranges(buf, from, NULL, DMA_TO_DEVICE);
	if (ret)
		goto revoke_uses;
	ret = smaf_secure_grant_ranges(buf, to, NULL, DMA_FROM_DEVICE);
	if (ret)
		goto revoke_read;
	return 0;

revoke_read:
	smaf_secure_revoke_ranges(buf, from, NULL, UINT_MAX, DMA_TO_DEVICE);
revoke_uses:
	for (w = 0; w < 2; w++)
		for (i = 0; i < granted[w]; i++)
			smaf_secure_revoke_ranges(buf, to, NULL, UINT_MAX,
						  smaf_secure_cpu_dir(w));
	return ret;
}

/**
 * smaf_secure_move_end() - end a move that smaf_secure_move_grant() allowed
 * @buf: the buffer
 * @from: the memory it moved from
 * @to: the memory it moved to
 * @left: @from if the move went through, @to if it failed: the memory the
 *	  buffer leaves
 *
 * Revokes the copy's grants and the CPU uses' grants on @left, and scrubs
 * @left (a secret may be there).  Does nothing for a buffer that is not
 * secure.
 *
 * Context: process context; @buf->lock held.
 * Return: true if @left may be freed; false if it could not be scrubbed:
 * the caller must keep it out of circulation (smaf_secure_quarantine()).
 */
bool smaf_secure_move_end(struct smaf_buffer *buf, struct sg_table *from,
			  struct sg_table *to, struct sg_table *left)
{
	unsigned int w, i;

	lockdep_assert_held(&buf->lock);
	if (!buf->secure)
		return true;
	smaf_secure_revoke_ranges(buf, to, NULL, UINT_MAX, DMA_FROM_DEVICE);
	smaf_secure_revoke_ranges(buf, from, NULL, UINT_MAX, DMA_TO_DEVICE);
	for (w = 0; w < 2; w++)
		for (i = 0; i < buf->cpu_grants[w]; i++)
			smaf_secure_revoke_ranges(buf, left, NULL, UINT_MAX,
						  smaf_secure_cpu_dir(w));
	return !smaf_secure_scrub(buf, left);
}

/**
 * smaf_secure_release() - end of a buffer's life: scrub, destroy
 * @buf: the buffer, no longer attached, mapped or CPU-accessed; its memory
 *	 still allocated if it ever was
 *
 * Zeroes the memory so that no secret goes back to the system: the secure
 * module does it if it has a scrub op, else the CPU does, granted write
 * access for it.  Then destroys the context.
 *
 * Context: process context; the buffer is unreachable.
 * Return: true if the memory may be freed; false if it could not be
 * scrubbed (refused, or no kernel mapping): the caller must then hand it to
 * smaf_secure_quarantine() instead of freeing it.
 */
bool smaf_secure_release(struct smaf_buffer *buf)
{
	int ret = 0;

	if (!buf->secure)
		return true;
	if (buf->allocator) {
		mutex_lock(&buf->lock);
		ret = smaf_secure_scrub(buf, &buf->sgt);
		mutex_unlock(&buf->lock);
	}
	buf->sec->ops->destroy_ctx(buf->sec, buf->sec_ctx);
	atomic_dec(&smaf_secure_contexts);
	module_put(buf->sec->owner);
	return !ret;
}

/**
 * smaf_secure_quarantine() - keep unscrubbed memory out of circulation
 * @sgt: memory of a secure buffer that could not be scrubbed
 * @size: its size in bytes
 *
 * Takes over @sgt: the memory is never given back to its allocator (not
 * even when SMAF unloads), and is counted in debugfs.
 *
 * Context: process context; takes the secure registry lock.
 */
void smaf_secure_quarantine(struct sg_table *sgt, size_t size)
{
	struct smaf_quarantined *q = kzalloc(sizeof(*q), GFP_KERNEL | __GFP_NOFAIL);

	q->sgt = *sgt;
	q->size = size;
	memset(sgt, 0, sizeof(*sgt));
	mutex_lock(&smaf_secure_lock);
	list_add(&q->node, &smaf_quarantine);
	smaf_quarantine_bytes += q->size;
	mutex_unlock(&smaf_secure_lock);
}

/**
 * smaf_secure_exit() - forget the quarantine at unload
 *
 * The quarantined memory itself stays allocated for good.
 *
 * Context: module exit.
 */
void smaf_secure_exit(void)
{
	struct smaf_quarantined *q, *tmp;

	list_for_each_entry_safe(q, tmp, &smaf_quarantine, node) {
		pr_warn("%zu bytes of unscrubbed secure memory stay allocated\n",
			q->size);
		sg_free_table(&q->sgt);
		list_del(&q->node);
		kfree(q);
	}
}

/**
 * smaf_secure_show() - print the secure module and its live contexts
 * @s: debugfs file
 *
 * Context: process context; takes the secure registry lock.
 */
void smaf_secure_show(struct seq_file *s)
{
	mutex_lock(&smaf_secure_lock);
	seq_printf(s, "module=%s contexts=%d quarantined_bytes=%llu\n",
		   smaf_secure_mod ? smaf_secure_mod->name : "-",
		   atomic_read(&smaf_secure_contexts), smaf_quarantine_bytes);
	mutex_unlock(&smaf_secure_lock);
}

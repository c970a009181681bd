// SPDX-License-Identifier: GPL-2.0
/*
 * SMAF secure buffers: the secure module registry, per-buffer contexts, and
 * the grants asked for every device and CPU use of a secure buffer.
 */
#define pr_fmt(fmt) "smaf: " fmt

#include <linux/dma-buf.h>
#include <linux/err.h>
#include <linux/export.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/notifier.h>
#include <linux/scatterlist.h>
#include <linux/sched/signal.h>
#include <linux/seq_file.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include "smaf-internal.h"
#include <linux/smaf/secure.h>

/**
 * struct smaf_secure - a secure module, as SMAF keeps it
 * @name:	copied from its info
 * @ops:	its operations
 * @owner:	its module
 * @priv:	its own data
 *
 * Made by smaf_secure_add() and freed by smaf_secure_remove(); read-only
 * in between.
 */
struct smaf_secure {
	char name[SMAF_SECURE_NAME_LEN];
	const struct smaf_secure_ops *ops;
	struct module *owner;
	void *priv;
};

/*
 * Protects smaf_secure_mod, smaf_secure_watchers, smaf_quarantine,
 * smaf_quarantine_bytes and smaf_secure_bytes; held while the watchers
 * follow smaf_secure_mod (the heap nodes: it nests smaf_heap_lock, then
 * misc_mtx).  Taken inside a buffer's lock.
 */
static DEFINE_MUTEX(smaf_secure_lock);
static struct smaf_secure *smaf_secure_mod;
static RAW_NOTIFIER_HEAD(smaf_secure_watchers);
/* Live contexts, for the debugfs view. */
static atomic_t smaf_secure_contexts = ATOMIC_INIT(0);

/**
 * struct smaf_quarantined - secure memory that could not be scrubbed
 * @alloc:	its allocator (a reference: the memory is still its)
 * @user:	the buffer's creator, still charged for it
 * @uncached:	the buffer was uncached (its memory is write-combined)
 * @sgt:	the memory, not given back to @alloc until it is scrubbed
 * @size:	bytes
 * @node:	entry in smaf_quarantine
 */
struct smaf_quarantined {
	struct smaf_allocator *alloc;
	struct smaf_user *user;
	bool uncached;
	struct sg_table sgt;
	size_t size;
	struct list_head node;
};

static LIST_HEAD(smaf_quarantine);
static u64 smaf_quarantine_bytes;

/*
 * Bytes that may yet be quarantined: the size of every live secure buffer,
 * and, while one moves, of the memory it leaves.  With the quarantine they
 * never exceed smaf_params.quarantine_max, so neither can the quarantine:
 * memory that may never come back is bounded.
 */
static u64 smaf_secure_bytes;

/* Counts @size secure bytes, if the bound allows: 0, or -ENOSPC. */
static int smaf_secure_bytes_take(size_t size)
{
	int ret = 0;

	mutex_lock(&smaf_secure_lock);
	if (smaf_secure_bytes + smaf_quarantine_bytes + size >
	    READ_ONCE(smaf_params.quarantine_max))
		ret = -ENOSPC;
	else
		smaf_secure_bytes += size;
	mutex_unlock(&smaf_secure_lock);
	return ret;
}

/* @size secure bytes were scrubbed, or never allocated. */
static void smaf_secure_bytes_give(size_t size)
{
	mutex_lock(&smaf_secure_lock);
	smaf_secure_bytes -= size;
	mutex_unlock(&smaf_secure_lock);
}

static void smaf_secure_quarantine_retry(struct smaf_secure *sec);

/**
 * smaf_secure_watch() - follow the secure module's arrival and departure
 * @nb: called with %SMAF_SECURE_ARRIVED when a secure module registers
 *	(at once if one is registered) and %SMAF_SECURE_LEFT when it goes,
 *	under the secure registry lock; its return value is ignored
 *
 * Context: process context; takes the secure registry lock.
 */
void smaf_secure_watch(struct notifier_block *nb)
{
	mutex_lock(&smaf_secure_lock);
	raw_notifier_chain_register(&smaf_secure_watchers, nb);
	if (smaf_secure_mod)
		nb->notifier_call(nb, SMAF_SECURE_ARRIVED, NULL);
	mutex_unlock(&smaf_secure_lock);
}

/**
 * smaf_secure_unwatch() - stop following the secure module
 * @nb: a notifier block given to smaf_secure_watch()
 *
 * Context: process context; takes the secure registry lock.
 */
void smaf_secure_unwatch(struct notifier_block *nb)
{
	mutex_lock(&smaf_secure_lock);
	raw_notifier_chain_unregister(&smaf_secure_watchers, nb);
	mutex_unlock(&smaf_secure_lock);
}

/**
 * smaf_secure_add() - make a secure module SMAF's one secure module
 * @info: the module's name, ops, owner and data
 *
 * Tells the watchers (the secure heap aliases' nodes appear), and tries to
 * scrub the quarantined memory with the new module: what it
 * scrubs goes back to its allocator.
 *
 * Context: process context; takes the secure registry lock.
 * Return: the handle, or ERR_PTR(-EINVAL) if the name is bad or an op other
 * than @scrub is missing, ERR_PTR(-EBUSY) if a secure module is already
 * registered, ERR_PTR(-ENOMEM).
 */
struct smaf_secure *smaf_secure_add(const struct smaf_secure_info *info)
{
	struct smaf_secure *sec;
	int ret = 0;

	if (!info || !info->name || !info->name[0] ||
	    strlen(info->name) >= SMAF_SECURE_NAME_LEN || !info->ops ||
	    !info->ops->create_ctx || !info->ops->destroy_ctx ||
	    !info->ops->grant_access || !info->ops->revoke_access)
		return ERR_PTR(-EINVAL);
	sec = kzalloc(sizeof(*sec), GFP_KERNEL);
	if (!sec)
		return ERR_PTR(-ENOMEM);
	strscpy(sec->name, info->name, sizeof(sec->name));
	sec->ops = info->ops;
	sec->owner = info->owner;
	sec->priv = info->priv;

	mutex_lock(&smaf_secure_lock);
	if (smaf_secure_mod) {
		ret = -EBUSY;
	} else {
		smaf_secure_mod = sec;
		raw_notifier_call_chain(&smaf_secure_watchers,
					SMAF_SECURE_ARRIVED, NULL);
	}
	mutex_unlock(&smaf_secure_lock);
	if (ret) {
		kfree(sec);
		return ERR_PTR(ret);
	}
	pr_info("secure module '%s' registered\n", sec->name);
	smaf_secure_quarantine_retry(sec);
	return sec;
}
EXPORT_SYMBOL_GPL(smaf_secure_add);

/**
 * smaf_secure_retry_quarantine() - the secure module can scrub again
 * @sec: the registered module's handle
 *
 * For a module whose secure world went away and came back (memory released
 * meanwhile could not be scrubbed): SMAF tries to scrub its quarantine
 * with it now, as when a module registers, and gives back what it scrubs.
 *
 * Context: process context, not from an op; takes the secure registry
 * lock.
 */
void smaf_secure_retry_quarantine(struct smaf_secure *sec)
{
	bool registered;

	mutex_lock(&smaf_secure_lock);
	registered = smaf_secure_mod == sec;
	mutex_unlock(&smaf_secure_lock);
	if (!WARN_ON(!registered))
		smaf_secure_quarantine_retry(sec);
}
EXPORT_SYMBOL_GPL(smaf_secure_retry_quarantine);

/**
 * smaf_secure_remove() - withdraw the secure module
 * @sec: the handle smaf_secure_add() returned; freed
 *
 * Contexts hold a reference on the module's owner, so this runs only when
 * no secure buffer is left.  Tells the watchers first.
 *
 * Context: process context; takes the secure registry lock.
 */
void smaf_secure_remove(struct smaf_secure *sec)
{
	mutex_lock(&smaf_secure_lock);
	if (!WARN_ON(smaf_secure_mod != sec)) {
		raw_notifier_call_chain(&smaf_secure_watchers,
					SMAF_SECURE_LEFT, NULL);
		smaf_secure_mod = NULL;
	}
	mutex_unlock(&smaf_secure_lock);
	kfree(sec);
}
EXPORT_SYMBOL_GPL(smaf_secure_remove);

/**
 * smaf_secure_priv() - the secure module's own data
 * @sec: its handle
 *
 * Context: any.
 * Return: the @priv of its info.
 */
void *smaf_secure_priv(const struct smaf_secure *sec)
{
	return sec->priv;
}
EXPORT_SYMBOL_GPL(smaf_secure_priv);

/* The ranges of @buf's memory, in order, for smaf_secure_use(). */
static struct smaf_secure_range *smaf_secure_ranges(struct smaf_buffer *buf,
						    unsigned int *n)
{
	struct smaf_secure_range *r;
	struct scatterlist *sg;
	unsigned int i;

	r = kmalloc_array(buf->sgt.orig_nents, sizeof(*r), GFP_KERNEL);
	if (!r)
		return NULL;
	for_each_sgtable_sg(&buf->sgt, sg, i) {
		r[i].addr = smaf_chunk_phys(sg);
		r[i].size = sg->length;
	}
	*n = buf->sgt.orig_nents;
	return r;
}

/**
 * smaf_secure_use() - let the secure world itself use a buffer's memory
 * @sec: the secure module's handle
 * @dmabuf: a SMAF buffer made secure while @sec was registered; the
 *	caller holds a reference on it
 * @use: called with the buffer's context and the ranges of its memory, in
 *	order; its result is returned
 * @arg: passed to @use
 *
 * For what the secure world does to a secure buffer on a client's behalf
 * (decrypt content into it, hash it): the buffer is allocated first if it
 * has no memory yet (for the devices attached, but not the CPU), and
 * @use runs under the buffer's lock, so the memory neither moves nor is
 * freed meanwhile.  Nothing is granted: the secure world needs no grant.
 *
 * Context: process context, may sleep; takes the buffer's lock (killable).
 * @use must not call back into SMAF.
 * Return: @use's result; -EINVAL if @dmabuf is not a SMAF buffer, -EPERM if
 * it is not secure or its context is not @sec's, -EINTR, -ENOMEM, or the
 * error of the allocation.
 */
int smaf_secure_use(struct smaf_secure *sec, struct dma_buf *dmabuf,
		    smaf_secure_use_fn use, void *arg)
{
	struct smaf_secure_range *ranges;
	struct smaf_buffer *buf;
	unsigned int n;
	int ret;

	if (dmabuf->ops != &smaf_dma_buf_ops)
		return -EINVAL;
	buf = dmabuf->priv;
	ret = mutex_lock_killable(&buf->lock);
	if (ret)
		return ret;
	if (!buf->sec.on || buf->sec.mod != sec) {
		ret = -EPERM;
		goto unlock;
	}
	ret = smaf_memory_populate_secure(buf);
	if (ret)
		goto unlock;
	ranges = smaf_secure_ranges(buf, &n);
	if (!ranges) {
		ret = -ENOMEM;
		goto unlock;
	}
	ret = use(sec, buf->sec.ctx, ranges, n, arg);
	kfree(ranges);
unlock:
	mutex_unlock(&buf->lock);
	return ret;
}
EXPORT_SYMBOL_GPL(smaf_secure_use);

static int smaf_secure_ask_scrub(struct smaf_buffer *buf, struct sg_table *sgt);

/**
 * smaf_secure_on() - is @buf secure?
 * @buf: the buffer
 *
 * Context: any; the answer, once true, never changes.
 * Return: true once smaf_secure_set() made it secure.
 */
bool smaf_secure_on(const struct smaf_buffer *buf)
{
	return READ_ONCE(buf->sec.on);
}

/**
 * smaf_secure_init_state() - a new buffer's secure state: not secure
 * @buf: the buffer, not published yet
 *
 * Context: any.
 */
void smaf_secure_init_state(struct smaf_buffer *buf)
{
	INIT_LIST_HEAD(&buf->sec.syncs);
}

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
 * One-way: nothing clears the flag.  Refused once the live secure
 * buffers and the quarantine, with this buffer, would exceed the
 * quarantine_max parameter: the most that can ever be quarantined.
 *
 * Context: process context; @buf->lock held; takes the secure registry lock.
 * Return: 0; -EALREADY if the buffer is already secure; -EBUSY if it is
 * already allocated or mapped by the CPU; -ENOSPC if the bound would be
 * exceeded; -EOPNOTSUPP if no secure module is registered; or the secure
 * module's error creating the context.
 */
int smaf_secure_set(struct smaf_buffer *buf)
{
	struct smaf_secure *sec;
	void *ctx;
	int ret;

	lockdep_assert_held(&buf->lock);
	if (buf->sec.on)
		return -EALREADY;
	if (buf->allocator || buf->vmas)
		return -EBUSY;
	sec = smaf_secure_get();
	if (!sec)
		return -EOPNOTSUPP;
	ret = smaf_secure_bytes_take(buf->size);
	if (ret)
		goto put_module;
	ctx = sec->ops->create_ctx(sec, buf->size);
	if (IS_ERR_OR_NULL(ctx)) {
		ret = ctx ? PTR_ERR(ctx) : -ENOMEM;
		goto give_bytes;
	}
	atomic_inc(&smaf_secure_contexts);
	buf->sec.mod = sec;
	buf->sec.ctx = ctx;
	WRITE_ONCE(buf->sec.on, true);
	/* Memory the CPU cannot zero only if the module zeroes it. */
	buf->pageless_ok = sec->ops->scrub;
	if (!sec->ops->scrub)
		buf->accept = smaf_secure_ask_scrub;
	return 0;

give_bytes:
	smaf_secure_bytes_give(buf->size);
put_module:
	module_put(sec->owner);
	return ret;
}

/* Revokes the first @n ranges of @sgt (memory of context @ctx) from @dev. */
static void smaf_secure_revoke(struct smaf_secure *sec, void *ctx,
			       struct sg_table *sgt, struct device *dev,
			       unsigned int n, enum dma_data_direction dir)
{
	struct scatterlist *sg;
	unsigned int i;

	for_each_sgtable_sg(sgt, sg, i) {
		if (i == n)
			break;
		sec->ops->revoke_access(sec, ctx, dev, smaf_chunk_phys(sg), sg->length, dir);
	}
}

/* Grants every range of @sgt (memory of context @ctx) to @dev, or none. */
static int smaf_secure_grant(struct smaf_secure *sec, void *ctx,
			     struct sg_table *sgt, struct device *dev,
			     enum dma_data_direction dir)
{
	struct scatterlist *sg;
	unsigned int i;
	int ret;

	for_each_sgtable_sg(sgt, sg, i) {
		ret = sec->ops->grant_access(sec, ctx, dev, smaf_chunk_phys(sg),
					     sg->length, dir);
		if (ret) {
			smaf_secure_revoke(sec, ctx, sgt, dev, i, dir);
			/* -EACCES, or why it could not decide (-ENOMEM...). */
			return ret;
		}
	}
	return 0;
}

/* Revokes the first @n ranges of @sgt, memory of @buf, from @dev. */
static void smaf_secure_revoke_ranges(struct smaf_buffer *buf,
				      struct sg_table *sgt, struct device *dev,
				      unsigned int n, enum dma_data_direction dir)
{
	smaf_secure_revoke(buf->sec.mod, buf->sec.ctx, sgt, dev, n, dir);
}

/* Grants every range of @sgt, memory of @buf, to @dev, or none. */
static int smaf_secure_grant_ranges(struct smaf_buffer *buf,
				    struct sg_table *sgt, struct device *dev,
				    enum dma_data_direction dir)
{
	return smaf_secure_grant(buf->sec.mod, buf->sec.ctx, sgt, dev, dir);
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
	if (!buf->sec.on)
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
	if (buf->sec.on)
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
	if (!buf->sec.on)
		return 0;
	ret = smaf_secure_grant_ranges(buf, &buf->sgt, NULL,
				       smaf_secure_cpu_dir(write));
	if (!ret)
		buf->sec.cpu_grants[write]++;
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
	if (!buf->sec.on)
		return;
	smaf_secure_revoke_ranges(buf, &buf->sgt, NULL, UINT_MAX,
				  smaf_secure_cpu_dir(write));
	buf->sec.cpu_grants[write]--;
}

/*
 * Zeroes @n pages through a temporary kernel mapping of protection @prot,
 * which also works for memory outside the kernel's linear map (carveouts).
 */
static int smaf_secure_zero_pages(struct page **pages, unsigned int n,
				  pgprot_t prot)
{
	void *vaddr = vmap(pages, n, VM_MAP, prot);

	if (!vaddr)
		return -ENOMEM;
	memset(vaddr, 0, (size_t)n * PAGE_SIZE);
	vunmap(vaddr);
	return 0;
}

/* The CPU zeroes @sgt, with a write grant like any other CPU use. */
static int smaf_secure_cpu_scrub(struct smaf_secure *sec, void *ctx,
				 struct sg_table *sgt, pgprot_t prot)
{
	struct sg_page_iter piter;
	struct page *pages[64];
	unsigned int n = 0;
	int ret;

	/* Memory without pages: only a module that scrubs can zero it. */
	if (!sg_page(sgt->sgl))
		return -EOPNOTSUPP;
	ret = smaf_secure_grant(sec, ctx, sgt, NULL, DMA_FROM_DEVICE);
	if (ret)
		return ret;
	for_each_sgtable_page(sgt, &piter, 0) {
		pages[n++] = sg_page_iter_page(&piter);
		if (n < ARRAY_SIZE(pages))
			continue;
		ret = smaf_secure_zero_pages(pages, n, prot);
		if (ret)
			break;
		n = 0;
		cond_resched();
	}
	if (!ret && n)
		ret = smaf_secure_zero_pages(pages, n, prot);
	smaf_secure_revoke(sec, ctx, sgt, NULL, UINT_MAX, DMA_FROM_DEVICE);
	return ret;
}

/* The secure module zeroes @sgt itself, range by range. */
static int smaf_secure_module_scrub(struct smaf_secure *sec, void *ctx,
				    struct sg_table *sgt)
{
	struct scatterlist *sg;
	unsigned int i;
	int ret;

	for_each_sgtable_sg(sgt, sg, i) {
		ret = sec->ops->scrub(sec, ctx, smaf_chunk_phys(sg), sg->length);
		if (ret)
			return ret;
	}
	return 0;
}

/*
 * Zeroes @sgt, memory of context @ctx, by the secure module or by the
 * granted CPU through a kernel mapping of protection @prot.
 */
static int smaf_secure_scrub(struct smaf_secure *sec, void *ctx,
			     struct sg_table *sgt, pgprot_t prot)
{
	if (sec->ops->scrub)
		return smaf_secure_module_scrub(sec, ctx, sgt);
	return smaf_secure_cpu_scrub(sec, ctx, sgt, prot);
}

/* Zeroes @sgt, memory of @buf; says so when it cannot. */
static int smaf_secure_scrub_buffer(struct smaf_buffer *buf,
				    struct sg_table *sgt)
{
	int ret = smaf_secure_scrub(buf->sec.mod, buf->sec.ctx, sgt,
				    smaf_uncached_prot(buf, PAGE_KERNEL));

	if (ret)
		pr_err("cannot scrub %zu bytes of secure memory (error %d): they are quarantined\n",
		       buf->size, ret);
	return ret;
}

/*
 * The memory check of a secure buffer whose module has no scrub op
 * (&smaf_buffer.accept): the CPU must be granted the write that zeroing
 * needs at release.  Asked now (and given back) for @sgt, memory just
 * allocated and not used yet, so that memory whose module would refuse it
 * then, and which would be quarantined for good, is not handed out in the
 * first place.  Returns 0, -EACCES if the module refuses the CPU that
 * write, or the module's error.  @buf->lock held.
 */
static int smaf_secure_ask_scrub(struct smaf_buffer *buf, struct sg_table *sgt)
{
	int ret;

	lockdep_assert_held(&buf->lock);
	ret = smaf_secure_grant_ranges(buf, sgt, NULL, DMA_FROM_DEVICE);
	if (ret)
		return ret;
	smaf_secure_revoke_ranges(buf, sgt, NULL, UINT_MAX, DMA_FROM_DEVICE);
	return 0;
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
 * Return: 0, -EACCES, -ENOSPC (the memory left could be quarantined beyond
 * the quarantine_max parameter), -EINTR, or the secure module's error.
 */
int smaf_secure_move_grant(struct smaf_buffer *buf, struct sg_table *from,
			   struct sg_table *to)
{
	unsigned int granted[2] = { 0, 0 }, w, i;
	int ret;

	lockdep_assert_held(&buf->lock);
	if (!buf->sec.on)
		return 0;
	/* The memory left may be quarantined: it counts from now on. */
	ret = smaf_secure_bytes_take(buf->size);
	if (ret)
		return ret;
	for (w = 0; w < 2; w++)
		for (; granted[w] < buf->sec.cpu_grants[w]; granted[w]++) {
			/* One per CPU use: a holder may have made many. */
			cond_resched();
			ret = fatal_signal_pending(current) ? -EINTR :
			      smaf_secure_grant_ranges(buf, to, NULL,
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
		for (i = 0; i < granted[w]; i++) {
			cond_resched();
			smaf_secure_revoke_ranges(buf, to, NULL, UINT_MAX,
						  smaf_secure_cpu_dir(w));
		}
	smaf_secure_bytes_give(buf->size);
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
	if (!buf->sec.on)
		return true;
	smaf_secure_revoke_ranges(buf, to, NULL, UINT_MAX, DMA_FROM_DEVICE);
	smaf_secure_revoke_ranges(buf, from, NULL, UINT_MAX, DMA_TO_DEVICE);
	for (w = 0; w < 2; w++)
		for (i = 0; i < buf->sec.cpu_grants[w]; i++) {
			cond_resched();
			smaf_secure_revoke_ranges(buf, left, NULL, UINT_MAX,
						  smaf_secure_cpu_dir(w));
		}
	if (smaf_secure_scrub_buffer(buf, left))
		return false;
	smaf_secure_bytes_give(buf->size);
	return true;
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

	if (!buf->sec.on)
		return true;
	if (buf->allocator) {
		mutex_lock(&buf->lock);
		ret = smaf_secure_scrub_buffer(buf, &buf->sgt);
		mutex_unlock(&buf->lock);
	}
	buf->sec.mod->ops->destroy_ctx(buf->sec.mod, buf->sec.ctx);
	atomic_dec(&smaf_secure_contexts);
	module_put(buf->sec.mod->owner);
	/* Memory not scrubbed moves to the quarantine and stays counted. */
	if (!ret)
		smaf_secure_bytes_give(buf->size);
	return !ret;
}

/**
 * smaf_secure_quarantine() - keep unscrubbed memory out of circulation
 * @buf: the secure buffer the memory was
 * @alloc: the allocator of @sgt; the quarantine takes over the caller's
 *	   reference
 * @sgt: the memory, which could not be scrubbed
 *
 * Takes over @sgt: the memory is not given back to @alloc until a secure
 * module registered later scrubs it (smaf_secure_quarantine_retry()).
 * Until then it stays charged to @buf's creator and to @alloc's global
 * limit (the caller does not uncharge it), and SMAF cannot be unloaded: the
 * quarantine holds a reference on this module and on @alloc's owner.
 * Counted in debugfs.
 *
 * Context: process context; takes the secure registry lock.
 */
void smaf_secure_quarantine(struct smaf_buffer *buf, struct smaf_allocator *alloc,
			    struct sg_table *sgt)
{
	struct smaf_quarantined *q = kzalloc(sizeof(*q), GFP_KERNEL | __GFP_NOFAIL);

	smaf_memory_orphan(alloc);
	__module_get(THIS_MODULE);
	q->alloc = alloc;
	q->user = buf->user;
	q->uncached = buf->uncached;
	q->sgt = *sgt;
	q->size = buf->size;
	memset(sgt, 0, sizeof(*sgt));
	mutex_lock(&smaf_secure_lock);
	list_add(&q->node, &smaf_quarantine);
	smaf_secure_bytes -= q->size;
	smaf_quarantine_bytes += q->size;
	mutex_unlock(&smaf_secure_lock);
}

/* Scrubs @q in a context of its own; on success frees and uncharges it. */
static bool smaf_secure_quarantine_scrub(struct smaf_secure *sec,
					 struct smaf_quarantined *q)
{
	pgprot_t prot = PAGE_KERNEL;
	void *ctx;
	int ret;

	ctx = sec->ops->create_ctx(sec, q->size);
	if (IS_ERR_OR_NULL(ctx))
		return false;
	if (q->uncached || q->alloc->cpu_uncached)
		prot = pgprot_writecombine(prot);
	ret = smaf_secure_scrub(sec, ctx, &q->sgt, prot);
	sec->ops->destroy_ctx(sec, ctx);
	if (ret)
		return false;
	smaf_memory_free_orphan(q->alloc, &q->sgt, q->user, q->size, q->uncached);
	return true;
}

/*
 * Gives the quarantined memory that @sec, just registered, scrubs back to
 * its allocators; the rest stays quarantined.  Process context.
 */
static void smaf_secure_quarantine_retry(struct smaf_secure *sec)
{
	struct smaf_quarantined *q, *tmp;
	unsigned int freed = 0;
	size_t bytes = 0;
	LIST_HEAD(todo);

	if (!try_module_get(sec->owner))
		return;
	mutex_lock(&smaf_secure_lock);
	list_splice_init(&smaf_quarantine, &todo);
	mutex_unlock(&smaf_secure_lock);
	list_for_each_entry_safe(q, tmp, &todo, node) {
		if (!smaf_secure_quarantine_scrub(sec, q))
			continue;
		list_del(&q->node);
		bytes += q->size;
		freed++;
		kfree(q);
	}
	mutex_lock(&smaf_secure_lock);
	list_splice(&todo, &smaf_quarantine);
	smaf_quarantine_bytes -= bytes;
	mutex_unlock(&smaf_secure_lock);
	module_put(sec->owner);
	if (freed)
		pr_info("'%s' scrubbed %zu quarantined bytes: back in circulation\n",
			sec->name, bytes);
	/* Each entry held a reference on this module. */
	while (freed--)
		module_put(THIS_MODULE);
}

/**
 * smaf_secure_exit() - check that nothing is quarantined at unload
 *
 * The quarantine pins the module, so it is empty here.
 *
 * Context: module exit.
 */
void smaf_secure_exit(void)
{
	WARN_ON(!list_empty(&smaf_quarantine));
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

// SPDX-License-Identifier: GPL-2.0
/*
 * SMAF memory: a buffer's memory is chosen, charged, allocated and freed
 * here, for the merged constraints of its users.  The exporter
 * (exporter/), migration and the secure code call in; of the exporter's
 * state this reads only the attached devices' needs (their &struct
 * smaf_attachment), and of the secure state nothing: a secure buffer sets
 * what the memory layer asks (&smaf_buffer.pageless_ok, .accept).
 */
#define pr_fmt(fmt) "smaf: " fmt

#include <linux/atomic.h>
#include <linux/err.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/printk.h>
#include <linux/sched/mm.h>
#include <linux/scatterlist.h>

#include "smaf-internal.h"

/**
 * smaf_memory_constraints() - what the users of a buffer need, merged
 * @buf: the buffer
 * @extra: a device about to attach, or NULL
 * @cpu: the CPU is a user
 * @c: filled with the merged constraints of the attached devices, @extra,
 *     the create-time hints and the CPU (also when no device is a user)
 *
 * Context: @buf->lock held.
 */
void smaf_memory_constraints(struct smaf_buffer *buf,
			     const struct smaf_dev_constraints *extra,
			     bool cpu, struct smaf_constraints *c)
{
	struct smaf_attachment *a;

	smaf_constraints_init(c, buf->size);
	list_for_each_entry(a, &buf->attachments, node)
		smaf_constraints_add_device(c, &a->need);
	if (extra)
		smaf_constraints_add_device(c, extra);
	smaf_constraints_add_hints(c, buf->hint_contig, buf->hint_dma32,
				   buf->align);
	c->cpu = cpu || !c->ndevs;
}

static void smaf_memory_layout(struct smaf_buffer *buf)
{
	struct smaf_layout *l = &buf->layout;
	struct scatterlist *sg;
	u64 next = 0;
	unsigned int i;

	l->phys_start = ~(u64)0;
	l->phys_end = 0;
	l->contig = true;
	for_each_sgtable_sg(&buf->sgt, sg, i) {
		if (i && smaf_chunk_phys(sg) != next)
			l->contig = false;
		next = smaf_chunk_phys(sg) + sg->length;
		l->phys_start = min_t(u64, l->phys_start, smaf_chunk_phys(sg));
		l->phys_end = max_t(u64, l->phys_end, next - 1);
	}
}

/*
 * May @buf take memory of @alloc, for users @c?  Memory without struct
 * pages only for a buffer that allows it (@pageless_ok), that the CPU does
 * not use and that is not write-combined.
 */
static bool smaf_memory_may_use(struct smaf_buffer *buf,
				const struct smaf_allocator *alloc,
				const struct smaf_constraints *c)
{
	return !alloc->no_pages ||
	       (buf->pageless_ok && !c->cpu && !buf->uncached);
}

/* Charges, allocates from @alloc and accounts it.  @buf->lock held. */
static int smaf_memory_alloc_from(struct smaf_buffer *buf,
				  struct smaf_allocator *alloc,
				  const struct smaf_constraints *c)
{
	struct mem_cgroup *old_memcg;
	bool reserved;
	int ret;

	/* A write-combined mapping needs memory the kernel maps directly. */
	if (buf->uncached && alloc->no_direct_map)
		return -ENODEV;
	/* The reservation made at create or attach is this charge. */
	reserved = alloc == buf->reserved;
	if (!reserved) {
		ret = smaf_limits_charge(buf, alloc, true);
		if (ret)
			return ret;
	}
	if (alloc->costly) {
		ret = smaf_limits_costly_begin(buf);
		if (ret)
			goto uncharge;
	}
	/* Memory cgroups charge the creator, like the per-user limits. */
	old_memcg = set_active_memcg(buf->memcg);
	ret = alloc->ops->allocate(alloc, &buf->sgt, c);
	set_active_memcg(old_memcg);
	if (alloc->costly)
		smaf_limits_costly_end(buf, ret);
	if (ret) {
		atomic_long_inc(&alloc->stats.failures);
		goto uncharge;
	}
	smaf_memory_layout(buf);
	if (!smaf_layout_serves(&buf->layout, c)) {
		/* An allocator that breaks its match() promise is a bug. */
		pr_err("allocator '%s' returned memory %#llx-%#llx (contig %d) that does not suit limit %#llx contig %d\n",
		       alloc->name, buf->layout.phys_start, buf->layout.phys_end,
		       buf->layout.contig, c->phys_limit, c->contig);
		alloc->ops->free(alloc, &buf->sgt);
		atomic_long_inc(&alloc->stats.failures);
		ret = -EIO;
		goto uncharge;
	}
	if (buf->uncached) {
		ret = smaf_uncached_prepare(buf);
		if (ret)
			goto free_memory;
	}
	/* The buffer's own check (a secure buffer's: can it be scrubbed?). */
	ret = buf->accept ? buf->accept(buf, &buf->sgt) : 0;
	if (ret)
		goto restore_cached;
	atomic_long_inc(&alloc->stats.allocations);
	atomic_long_inc(&alloc->stats.buffers);
	atomic_long_add(buf->size, &alloc->stats.bytes);
	/* The memory holds the charge now; a reservation elsewhere goes. */
	if (reserved) {
		smaf_allocator_put(buf->reserved);
		buf->reserved = NULL;
	} else {
		smaf_memory_unreserve(buf);
	}
	return 0;

restore_cached:
	if (buf->uncached)
		smaf_uncached_release(&buf->sgt);
free_memory:
	alloc->ops->free(alloc, &buf->sgt);
	atomic_long_inc(&alloc->stats.failures);
uncharge:
	/* A reservation stays for the next attempt. */
	if (!reserved)
		smaf_limits_uncharge(buf, alloc);
	return ret;
}

/*
 * Moves @buf's reservation to @alloc: 0, or the limit's refusal, counted
 * only if @last (the caller passes over the others).
 */
static int smaf_memory_reserve_on(struct smaf_buffer *buf,
				  struct smaf_allocator *alloc, bool last)
{
	int ret;

	if (alloc == buf->reserved)
		return 0;
	if (!smaf_allocator_get(alloc))
		return -ENOSPC;	/* leaving: as if full */
	ret = smaf_limits_charge(buf, alloc, last);
	if (ret) {
		smaf_allocator_put(alloc);
		return ret;
	}
	smaf_memory_unreserve(buf);
	buf->reserved = alloc;
	return 0;
}

/*
 * Reserves on the allocator smaf_memory_allocate() would use for @c: the
 * named one, or the first in its order whose limits take the buffer (a
 * global limit or the reserve passes to the next, the creator's own limit
 * stops).  Returns 0, -ENODEV if no allocator serves @c, or the first
 * refusal, counted once (on the last allocator that refused): a refusal
 * passed over is not one.  @buf->lock held, or @buf not published yet.
 */
static int smaf_memory_reserve_for(struct smaf_buffer *buf,
				   const struct smaf_constraints *c)
{
	struct smaf_allocator *alloc, *prev, *refuser = NULL;
	unsigned int pass;
	int ret = -ENODEV, err;

	if (buf->named)
		return buf->named->ops->match(buf->named, c) &&
		       smaf_memory_may_use(buf, buf->named, c) ?
		       smaf_memory_reserve_on(buf, buf->named, true) : -ENODEV;
	/* Memory the CPU caches first for a cached buffer, as chosen. */
	for (pass = 0; pass < (buf->uncached ? 1 : 2); pass++) {
		prev = NULL;
		while ((alloc = smaf_allocator_next(prev, c))) {
			smaf_allocator_put(prev);
			prev = alloc;
			if (buf->uncached ? alloc->no_direct_map :
			    alloc->cpu_uncached != pass)
				continue;
			if (!smaf_memory_may_use(buf, alloc, c))
				continue;
			err = smaf_memory_reserve_on(buf, alloc, false);
			if (!err) {
				smaf_allocator_put(alloc);
				smaf_allocator_put(refuser);
				return 0;
			}
			if (ret == -ENODEV)
				ret = err;
			smaf_allocator_put(refuser);
			refuser = smaf_allocator_get(alloc) ? alloc : NULL;
			/* The creator's own limit: try no other. */
			if (err != -ENOSPC) {
				smaf_allocator_put(alloc);
				goto refused;
			}
		}
		smaf_allocator_put(prev);
	}
refused:
	if (refuser) {
		smaf_limits_count_refusal(buf, refuser);
		smaf_allocator_put(refuser);
	}
	return ret;
}

/**
 * smaf_memory_reserve() - hold the creator's limits for a first use
 * @buf: the buffer, not allocated yet
 * @extra: a device about to attach, or NULL
 *
 * Charges the buffer's size to the creator's limits on the allocator its
 * first use is expected to get with the attached devices, @extra and the
 * CPU (or without the CPU, if no allocator serves them all with it), the
 * way smaf_memory_allocate() chooses: a limit then refuses the create or
 * the attach, syscalls that can say so, not a first use inside an
 * importer's vmap().  A reservation on another allocator moves there;
 * none is made, and the old one kept, if no allocator serves the users
 * (their first use fails with ENODEV).  The first use takes the
 * reservation over, or moves it where memory is found.
 *
 * Context: process context; @buf->lock held, or @buf not published yet.
 * Return: 0, -EDQUOT (the creator's limit) or -ENOSPC (a global limit or
 * the reserve): the reservation is then as it was.
 */
int smaf_memory_reserve(struct smaf_buffer *buf,
			const struct smaf_dev_constraints *extra)
{
	struct smaf_constraints c;
	int ret;

	if (buf->allocator)
		return 0;
	smaf_memory_constraints(buf, extra, true, &c);
	ret = smaf_memory_reserve_for(buf, &c);
	if (ret == -ENODEV) {
		smaf_memory_constraints(buf, extra, false, &c);
		ret = smaf_memory_reserve_for(buf, &c);
	}
	return ret == -ENODEV ? 0 : ret;
}

/**
 * smaf_memory_unreserve() - give back what smaf_memory_reserve() holds
 * @buf: the buffer
 *
 * Context: process context; @buf->lock held, or @buf unreachable.
 */
void smaf_memory_unreserve(struct smaf_buffer *buf)
{
	if (!buf->reserved)
		return;
	smaf_limits_uncharge(buf, buf->reserved);
	smaf_allocator_put(buf->reserved);
	buf->reserved = NULL;
}

/**
 * smaf_memory_free() - give memory of @buf back to its allocator
 * @buf: the buffer
 * @alloc: the allocator of @sgt (its reference is dropped)
 * @sgt: the memory, allocated by smaf_memory_allocate()
 *
 * Undoes what smaf_memory_alloc_from() did: the uncached memory type, the
 * memory itself, the statistics and the creator's charge.
 *
 * Context: process context; @buf->lock held, or @buf unreachable.
 */
void smaf_memory_free(struct smaf_buffer *buf, struct smaf_allocator *alloc,
		      struct sg_table *sgt)
{
	smaf_memory_orphan(alloc);
	smaf_memory_free_orphan(alloc, sgt, buf->user, buf->size, buf->uncached);
}

/**
 * smaf_memory_orphan() - memory leaves its buffer but stays allocated
 * @alloc: the allocator of the memory
 *
 * For memory that must stay out of circulation (the secure quarantine): it
 * stays charged to the creator and counted in @alloc's bytes, and the
 * caller keeps the reference on @alloc, until smaf_memory_free_orphan().
 *
 * Context: any.
 */
void smaf_memory_orphan(struct smaf_allocator *alloc)
{
	atomic_long_dec(&alloc->stats.buffers);
}

/**
 * smaf_memory_free_orphan() - give memory no buffer holds back
 * @alloc: the allocator of @sgt (its reference is dropped)
 * @sgt: the memory
 * @user: the user charged for it
 * @size: its size
 * @uncached: its buffer was uncached (the memory is write-combined)
 *
 * Context: process context.
 */
void smaf_memory_free_orphan(struct smaf_allocator *alloc, struct sg_table *sgt,
			     struct smaf_user *user, size_t size, bool uncached)
{
	if (uncached)
		smaf_uncached_release(sgt);
	alloc->ops->free(alloc, sgt);
	atomic_long_sub(size, &alloc->stats.bytes);
	smaf_limits_uncharge_user(user, alloc, size);
	smaf_allocator_put(alloc);
}

/**
 * struct smaf_choice - where a ranked choice stands
 * @ret:	the first refusal or failure, -ENODEV while no allocator served
 * @fell_back:	an allocator that serves failed or refused
 * @memcg_only:	one charging memory cgroups ran out: only such ones now
 * @stop:	the creator's own limit or a fatal signal: try no other
 */
struct smaf_choice {
	int ret;
	bool fell_back;
	bool memcg_only;
	bool stop;
};

/*
 * Tries, best ranked first, the allocators that serve @c and whose memory
 * the CPU maps write-combined or not as @cpu_uncached says (any, for an
 * uncached buffer).  Returns the one that allocated, with its reference,
 * or NULL.  @buf->lock held.
 */
static struct smaf_allocator *smaf_memory_try_ranked(struct smaf_buffer *buf,
						     const struct smaf_constraints *c,
						     bool cpu_uncached,
						     struct smaf_choice *ch)
{
	struct smaf_allocator *alloc, *prev = NULL;
	int err;

	while ((alloc = smaf_allocator_next(prev, c))) {
		smaf_allocator_put(prev);
		prev = alloc;
		if (ch->memcg_only && !alloc->memcg)
			continue;
		if (!buf->uncached && alloc->cpu_uncached != cpu_uncached)
			continue;
		if (!smaf_memory_may_use(buf, alloc, c))
			continue;
		err = smaf_memory_alloc_from(buf, alloc, c);
		if (err == -ENOMEM && alloc->memcg)
			ch->memcg_only = true;
		/* Report the first refusal, not the last allocator's. */
		if (!err || ch->ret == -ENODEV)
			ch->ret = err;
		if (!err)
			return alloc;
		if (err == -EINTR || err == -EDQUOT) {
			ch->stop = true;
			break;
		}
		ch->fell_back = true;
	}
	smaf_allocator_put(prev);
	return NULL;
}

/**
 * smaf_memory_allocate() - allocate a buffer's memory for constraints @c
 * @buf: the buffer, without memory (@buf->allocator NULL)
 * @c: the merged constraints of its users
 *
 * Uses the allocator named at create time, or tries the allocators that
 * serve @c, best ranked first, falling back to the next one when an
 * allocator runs out of memory or its global limit (not when the
 * creator's own limit) is reached.  For a buffer that is not uncached,
 * the allocators whose memory the CPU must map write-combined come after
 * every other that serves @c: a cached buffer gets memory the CPU caches
 * whenever some allocator has it.  After an allocator charged to memory
 * cgroups runs out, only allocators charged the same way are tried: the
 * cgroup's limit may be what ran out.  On success @buf->sgt, ->allocator
 * (a reference), ->layout, ->used and ->reason describe the new memory, which
 * is charged to the creator.
 *
 * Context: process context, may sleep; @buf->lock held.
 * Return: 0; -EXDEV if the named allocator cannot serve the users; -ENODEV
 * if no allocator can; -EDQUOT if the creator reached its limit; -ENOSPC if
 * a global limit or the reserve refused it; -ENOMEM if every allocator that
 * could is out of memory; -EAGAIN if the creator's recent contiguous
 * allocations failed and it must wait before trying again; -EINTR on a
 * fatal signal.
 */
int smaf_memory_allocate(struct smaf_buffer *buf, const struct smaf_constraints *c)
{
	struct smaf_choice ch = { .ret = -ENODEV };
	struct smaf_allocator *alloc;
	int ret;

	lockdep_assert_held(&buf->lock);
	if (buf->named) {
		alloc = buf->named;
		ret = -EXDEV;
		if (alloc->ops->match(alloc, c) && smaf_memory_may_use(buf, alloc, c) &&
		    smaf_allocator_get(alloc)) {
			ret = smaf_memory_alloc_from(buf, alloc, c);
			if (!ret)
				buf->reason = SMAF_REASON_NAMED;
			else
				smaf_allocator_put(alloc);
		}
		goto out;
	}

	alloc = smaf_memory_try_ranked(buf, c, false, &ch);
	if (!alloc && !ch.stop && !buf->uncached)
		alloc = smaf_memory_try_ranked(buf, c, true, &ch);
	ret = ch.ret;
	if (!ret)
		buf->reason = ch.fell_back ? SMAF_REASON_FALLBACK : SMAF_REASON_BEST_MATCH;
out:
	if (!ret) {
		buf->allocator = alloc;
		buf->used = *c;
	} else if (ret != -EINTR) {
		pr_warn_ratelimited("cannot allocate %zu bytes (%s) for %u devices%s: limit %#llx contig %d align %#llx: error %d\n",
				    buf->size, buf->named ? buf->named->name : "any allocator",
				    c->ndevs, c->cpu ? " and the CPU" : "", c->phys_limit,
				    c->contig, c->align, ret);
	}
	buf->last_error = ret;
	return ret;
}

/**
 * smaf_memory_populate() - allocate the backing memory on first use
 * @buf: the buffer
 * @cpu: the CPU is the user asking
 *
 * Allocates for the merged constraints of every attached device, the
 * create-time hints and, if @cpu, the CPU (see smaf_memory_allocate()).
 * Runs once: later calls return at once.
 *
 * Context: process context, may sleep; @buf->lock held.
 * Return: 0, or an error of smaf_memory_allocate().
 */
int smaf_memory_populate(struct smaf_buffer *buf, bool cpu)
{
	struct smaf_constraints c;

	lockdep_assert_held(&buf->lock);
	if (buf->allocator)
		return 0;
	smaf_memory_constraints(buf, NULL, cpu, &c);
	return smaf_memory_allocate(buf, &c);
}

/**
 * smaf_memory_populate_secure() - allocate for the secure world's own use
 * @buf: the buffer, secure
 *
 * As smaf_memory_populate(), but the user asking is the secure world:
 * without devices attached, the CPU is not assumed (the memory may be
 * memory the CPU cannot reach).
 *
 * Context: process context, may sleep; @buf->lock held.
 * Return: 0, or an error of smaf_memory_allocate().
 */
int smaf_memory_populate_secure(struct smaf_buffer *buf)
{
	struct smaf_constraints c;

	lockdep_assert_held(&buf->lock);
	if (buf->allocator)
		return 0;
	smaf_memory_constraints(buf, NULL, false, &c);
	c.cpu = false;
	return smaf_memory_allocate(buf, &c);
}

/**
 * smaf_memory_serves() - does @buf's memory serve a device needing @d?
 * @buf: the buffer, allocated
 * @d: what the device needs
 *
 * Only @d is checked: the other users already use the memory.
 *
 * Context: @buf->lock held.
 * Return: true if the device reaches the memory as it is.
 */
bool smaf_memory_serves(struct smaf_buffer *buf,
			const struct smaf_dev_constraints *d)
{
	struct smaf_constraints c;

	lockdep_assert_held(&buf->lock);
	smaf_constraints_init(&c, buf->size);
	smaf_constraints_add_device(&c, d);
	return smaf_layout_serves(&buf->layout, &c);
}

/**
 * smaf_memory_can_serve() - could memory for @buf serve a device needing @d?
 * @buf: the buffer, not allocated yet
 * @d: what a device about to attach needs
 *
 * Asks the named allocator, or the registry, whether some allocator serves
 * every attached device and @d.  Allocates nothing.
 *
 * Context: @buf->lock held; reads the registry under RCU.
 * Return: 0 if one does; -EXDEV if the named allocator does not; -ENODEV
 * if no allocator does.
 */
int smaf_memory_can_serve(struct smaf_buffer *buf,
			  const struct smaf_dev_constraints *d)
{
	struct smaf_allocator *alloc, *prev = NULL;
	struct smaf_constraints c;

	lockdep_assert_held(&buf->lock);
	smaf_memory_constraints(buf, d, false, &c);
	if (buf->named)
		return buf->named->ops->match(buf->named, &c) &&
		       smaf_memory_may_use(buf, buf->named, &c) ? 0 : -EXDEV;
	while ((alloc = smaf_allocator_next(prev, &c))) {
		smaf_allocator_put(prev);
		prev = alloc;
		if (smaf_memory_may_use(buf, alloc, &c))
			break;
	}
	smaf_allocator_put(prev);
	return alloc ? 0 : -ENODEV;
}

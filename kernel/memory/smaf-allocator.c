// SPDX-License-Identifier: GPL-2.0
/*
 * SMAF allocator registry: allocators sorted by decreasing ranking, each
 * with an accounting id.  The only list of allocators: the limits find
 * theirs here.
 */
#define pr_fmt(fmt) "smaf: " fmt

#include <linux/bitops.h>
#include <linux/cred.h>
#include <linux/err.h>
#include <linux/export.h>
#include <linux/module.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/sizes.h>
#include <linux/rculist.h>
#include <linux/seq_file.h>
#include <linux/string.h>
#include <linux/smaf.h>

#include "smaf-internal.h"

/*
 * Protects smaf_allocators, every allocator's node and smaf_allocator_ids
 * against each other's changes.  Taken before the limits lock.  The ranked
 * walk of a first use (smaf_allocator_next()) reads the list under RCU
 * instead: a removed allocator is freed after a grace period.
 */
static DEFINE_MUTEX(smaf_allocators_lock);
/* Added allocators, highest ranking first. */
static LIST_HEAD(smaf_allocators);
/* The accounting ids in use (bit N: an allocator has id N). */
static unsigned long smaf_allocator_ids;

static struct smaf_allocator *smaf_allocator_find(const char *name)
{
	struct smaf_allocator *alloc;

	list_for_each_entry(alloc, &smaf_allocators, node)
		if (!strcmp(alloc->name, name))
			return alloc;
	return NULL;
}

/**
 * smaf_allocator_default_limit() - an allocator's limits from its capacity
 * @l: out
 * @capacity: bytes it can ever provide (0: a share of RAM)
 * @scarce: keep a reserve for privileged callers
 *
 * Defaults: unprivileged users may each take a quarter of the capacity
 * (a quarter of RAM when unbounded); all users together half of RAM for
 * an unbounded allocator, the whole capacity for a scarce one, which keeps
 * a quarter of it (at most 64 MiB) for privileged callers.
 *
 * Context: any.
 */
void smaf_allocator_default_limit(struct smaf_limit *l, u64 capacity, bool scarce)
{
	u64 ram = (u64)totalram_pages() << PAGE_SHIFT;

	if (!capacity)
		capacity = ram;
	l->user_max = capacity / 4;
	l->global_max = scarce ? capacity : ram / 2;
	l->reserve = scarce ? min_t(u64, capacity / 4, SZ_64M) : 0;
}

/**
 * smaf_allocator_add() - make an allocator available to SMAF
 * @info: what the allocator says of itself; SMAF copies it
 *
 * The allocator is inserted after every allocator of equal or higher
 * ranking, with default limits from its capacity and scarcity (tunable
 * through the "limits" parameter).  Buffers start using it at their next
 * first use.
 *
 * Context: process context; takes the registry lock.
 * Return: the allocator's handle, or ERR_PTR(-EINVAL) if a field is missing
 * or the name empty or too long, -EEXIST if an allocator of that name is
 * already added, -ENOSPC if SMAF_MAX_ALLOCATORS are, -ENOMEM.
 */
struct smaf_allocator *smaf_allocator_add(const struct smaf_allocator_info *info)
{
	struct smaf_allocator *alloc, *pos;
	unsigned int id;
	int ret = 0;

	if (!info || !info->name || !info->name[0] ||
	    strlen(info->name) >= SMAF_NAME_LEN || !info->ops ||
	    !info->ops->match || !info->ops->allocate || !info->ops->free)
		return ERR_PTR(-EINVAL);
	alloc = kzalloc(sizeof(*alloc), GFP_KERNEL);
	if (!alloc)
		return ERR_PTR(-ENOMEM);
	strscpy(alloc->name, info->name, sizeof(alloc->name));
	alloc->ranking = info->ranking;
	alloc->ops = info->ops;
	alloc->owner = info->owner;
	alloc->priv = info->priv;
	alloc->memcg = info->memcg;
	alloc->costly = info->costly;
	alloc->no_direct_map = info->no_direct_map;
	alloc->cpu_uncached = info->cpu_uncached;
	alloc->no_pages = info->no_pages;
	smaf_allocator_default_limit(&alloc->limit, info->capacity, info->scarce);

	mutex_lock(&smaf_allocators_lock);
	id = find_first_zero_bit(&smaf_allocator_ids, SMAF_MAX_ALLOCATORS);
	if (smaf_allocator_find(alloc->name))
		ret = -EEXIST;
	else if (id >= SMAF_MAX_ALLOCATORS)
		ret = -ENOSPC;
	if (ret)
		goto unlock;
	__set_bit(id, &smaf_allocator_ids);
	alloc->id = id;
	list_for_each_entry(pos, &smaf_allocators, node)
		if (pos->ranking < alloc->ranking)
			break;
	list_add_tail_rcu(&alloc->node, &pos->node);
	pr_info("allocator '%s' added, ranking %d\n", alloc->name,
		alloc->ranking);
unlock:
	mutex_unlock(&smaf_allocators_lock);
	if (ret) {
		kfree(alloc);
		return ERR_PTR(ret);
	}
	return alloc;
}
EXPORT_SYMBOL_GPL(smaf_allocator_add);

/**
 * smaf_allocator_remove() - withdraw an allocator and free its handle
 * @alloc: an added allocator
 *
 * Call it from the owner module's exit only.  Buffers backed by @alloc,
 * memory in quarantine and a first use choosing it hold a reference on the
 * owner, so the exit runs only once none is left, and no first use can take
 * a new one (try_module_get() fails on a module going away); a ranked walk
 * still looking at @alloc is waited for.  Called earlier, while the owner
 * is live, a first use may have just chosen @alloc and the handle is freed
 * under it.  A module whose init fails after adding its allocator removes
 * it too: add it last, so that nothing fails after.
 *
 * Context: process context, may sleep (an RCU grace period); takes the
 * registry lock, then the limits lock.
 */
void smaf_allocator_remove(struct smaf_allocator *alloc)
{
	mutex_lock(&smaf_allocators_lock);
	list_del_rcu(&alloc->node);
	__clear_bit(alloc->id, &smaf_allocator_ids);
	mutex_unlock(&smaf_allocators_lock);
	/* A ranked walk may still be looking at it. */
	synchronize_rcu();
	/* Nothing is allocated, quarantined or charged on it. */
	WARN_ON(atomic_long_read(&alloc->stats.buffers) ||
		atomic_long_read(&alloc->stats.bytes));
	kfree(alloc);
}
EXPORT_SYMBOL_GPL(smaf_allocator_remove);

/**
 * smaf_allocator_priv() - the allocator's own data
 * @alloc: an added allocator
 *
 * Context: any.
 * Return: the @priv of its struct smaf_allocator_info.
 */
void *smaf_allocator_priv(const struct smaf_allocator *alloc)
{
	return alloc->priv;
}
EXPORT_SYMBOL_GPL(smaf_allocator_priv);

/**
 * smaf_allocator_for_each() - call @fn for every allocator, by ranking
 * @fn: called with the registry lock held; may take the limits lock; a
 *	non-zero return stops the walk
 * @arg: passed to @fn
 *
 * Context: process context; takes the registry lock.
 * Return: 0, or the first non-zero return of @fn.
 */
int smaf_allocator_for_each(int (*fn)(struct smaf_allocator *alloc, void *arg),
			    void *arg)
{
	struct smaf_allocator *alloc;
	int ret = 0;

	mutex_lock(&smaf_allocators_lock);
	list_for_each_entry(alloc, &smaf_allocators, node) {
		ret = fn(alloc, arg);
		if (ret)
			break;
	}
	mutex_unlock(&smaf_allocators_lock);
	return ret;
}

/**
 * smaf_allocator_get() - pin an allocator's owner
 * @alloc: an added allocator, kept in the registry by the caller (its lock,
 *	   RCU, or a reference already held)
 *
 * SMAF's own allocators take no reference: they leave only when SMAF
 * unloads, which every buffer and every open SMAF node (/dev/smaf, the
 * heap aliases) prevents.
 *
 * Context: any.
 * Return: true if pinned (drop it with smaf_allocator_put()); false if the
 * owner is unloading.
 */
bool smaf_allocator_get(struct smaf_allocator *alloc)
{
	return alloc->owner == THIS_MODULE || try_module_get(alloc->owner);
}

/**
 * smaf_allocator_get_by_name() - look an allocator up and pin it
 * @name: NUL-terminated name
 *
 * Context: process context; takes the registry lock.
 * Return: the allocator with a reference on its owner, or NULL.
 */
struct smaf_allocator *smaf_allocator_get_by_name(const char *name)
{
	struct smaf_allocator *alloc;

	mutex_lock(&smaf_allocators_lock);
	alloc = smaf_allocator_find(name);
	if (alloc && !smaf_allocator_get(alloc))
		alloc = NULL;
	mutex_unlock(&smaf_allocators_lock);
	return alloc;
}

/**
 * smaf_allocator_next() - the next allocator, by ranking, that serves @c
 * @prev: the allocator returned by the previous call (its reference is
 *	  kept by the caller), or NULL to start with the best ranked
 * @c: merged constraints of the buffer's users
 *
 * Lets the caller allocate without holding the registry lock, and fall back
 * to the next allocator when one runs out of memory.  @prev stays in the
 * registry while the caller holds its reference (its owner cannot unload).
 *
 * Context: process context; reads the registry under RCU (no lock: a first
 * use does not wait for another), so match() is called in an RCU read-side
 * critical section.
 * Return: the allocator with a reference on its owner, or NULL if no further
 * allocator accepts @c.
 */
struct smaf_allocator *smaf_allocator_next(struct smaf_allocator *prev,
					   const struct smaf_constraints *c)
{
	struct smaf_allocator *alloc;

	rcu_read_lock();
	alloc = prev ? list_next_or_null_rcu(&smaf_allocators, &prev->node,
					     struct smaf_allocator, node) :
		list_first_or_null_rcu(&smaf_allocators, struct smaf_allocator, node);
	while (alloc && !(alloc->ops->match(alloc, c) && smaf_allocator_get(alloc)))
		alloc = list_next_or_null_rcu(&smaf_allocators, &alloc->node,
					      struct smaf_allocator, node);
	rcu_read_unlock();
	return alloc;
}

/**
 * smaf_allocator_put() - drop a reference taken by get(), get_by_name(), next()
 * @alloc: the allocator, or NULL
 *
 * Context: any.
 */
void smaf_allocator_put(struct smaf_allocator *alloc)
{
	if (alloc && alloc->owner != THIS_MODULE)
		module_put(alloc->owner);
}

/**
 * smaf_allocator_describe() - the allocator at @index, for userspace
 * @index: position in ranking order
 * @name: out, SMAF_NAME_LEN bytes, NUL-padded
 * @ranking: out
 * @count: out, number of registered allocators
 *
 * Context: process context; takes the registry lock.
 * Return: 0, or -ERANGE if @index >= *@count.
 */
int smaf_allocator_describe(unsigned int index, char *name, int *ranking,
			    unsigned int *count)
{
	struct smaf_allocator *alloc;
	unsigned int i = 0;
	int ret = -ERANGE;

	mutex_lock(&smaf_allocators_lock);
	list_for_each_entry(alloc, &smaf_allocators, node) {
		if (i++ == index) {
			strscpy_pad(name, alloc->name, SMAF_NAME_LEN);
			*ranking = alloc->ranking;
			ret = 0;
		}
	}
	*count = i;
	mutex_unlock(&smaf_allocators_lock);
	return ret;
}

/**
 * smaf_allocator_usage() - an allocator's name, ranking and usage
 * @alloc: an added allocator
 * @q: out: @name, @ranking and the statistics
 *
 * Context: process context; registry lock held (smaf_allocator_for_each()).
 */
void smaf_allocator_usage(const struct smaf_allocator *alloc,
			  struct smaf_allocator_query *q)
{
	lockdep_assert_held(&smaf_allocators_lock);
	strscpy_pad(q->name, alloc->name, sizeof(q->name));
	q->ranking = alloc->ranking;
	q->buffers = atomic_long_read(&alloc->stats.buffers);
	q->bytes = atomic_long_read(&alloc->stats.bytes);
	q->allocations = atomic_long_read(&alloc->stats.allocations);
	q->failures = atomic_long_read(&alloc->stats.failures);
	q->refusals = atomic_long_read(&alloc->stats.refusals);
}

/**
 * smaf_allocator_show_all() - print every allocator and its usage
 * @s: debugfs file
 *
 * Context: process context; takes the registry lock.
 */
void smaf_allocator_show_all(struct seq_file *s)
{
	struct smaf_allocator *a;

	mutex_lock(&smaf_allocators_lock);
	list_for_each_entry(a, &smaf_allocators, node)
		seq_printf(s, "name=%s ranking=%d buffers=%ld bytes=%ld allocations=%ld failures=%ld refusals=%ld\n",
			   a->name, a->ranking,
			   atomic_long_read(&a->stats.buffers),
			   atomic_long_read(&a->stats.bytes),
			   atomic_long_read(&a->stats.allocations),
			   atomic_long_read(&a->stats.failures),
			   atomic_long_read(&a->stats.refusals));
	mutex_unlock(&smaf_allocators_lock);
}

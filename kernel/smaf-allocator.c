// SPDX-License-Identifier: GPL-2.0
/*
 * SMAF allocator registry: allocators sorted by decreasing ranking.
 */
#define pr_fmt(fmt) "smaf: " fmt

#include <linux/export.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>
#include <linux/string.h>
#include <linux/smaf.h>

#include "smaf-internal.h"

/* Protects smaf_allocators and every allocator's node. */
static DEFINE_MUTEX(smaf_allocators_lock);
/* Registered allocators, highest ranking first. */
static LIST_HEAD(smaf_allocators);

static struct smaf_allocator *smaf_allocator_find(const char *name)
{
	struct smaf_allocator *alloc;

	list_for_each_entry(alloc, &smaf_allocators, node)
		if (!strcmp(alloc->name, name))
			return alloc;
	return NULL;
}

/**
 * smaf_register_allocator() - make an allocator available to SMAF
 * @alloc: the allocator; name, ranking, ops and owner filled in
 *
 * The allocator is inserted after every allocator of equal or higher ranking.
 *
 * Context: process context; takes the registry lock.
 * Return: 0, -EINVAL if a field is missing or the name too long, -EEXIST if
 * an allocator of that name is already registered, -ENOSPC if
 * SMAF_MAX_ALLOCATORS are.
 */
int smaf_register_allocator(struct smaf_allocator *alloc)
{
	struct smaf_allocator *pos;
	int ret = 0;

	if (!alloc->name || !alloc->ops || !alloc->ops->match ||
	    !alloc->ops->allocate || !alloc->ops->free ||
	    !alloc->name[0] || strlen(alloc->name) >= SMAF_NAME_LEN)
		return -EINVAL;

	atomic_long_set(&alloc->stats.buffers, 0);
	atomic_long_set(&alloc->stats.bytes, 0);
	atomic_long_set(&alloc->stats.allocations, 0);
	atomic_long_set(&alloc->stats.failures, 0);
	atomic_long_set(&alloc->stats.refusals, 0);

	mutex_lock(&smaf_allocators_lock);
	if (smaf_allocator_find(alloc->name)) {
		ret = -EEXIST;
		goto unlock;
	}
	ret = smaf_limits_register(alloc);
	if (ret)
		goto unlock;
	list_for_each_entry(pos, &smaf_allocators, node)
		if (pos->ranking < alloc->ranking)
			break;
	list_add_tail(&alloc->node, &pos->node);
	pr_info("allocator '%s' registered, ranking %d\n", alloc->name,
		alloc->ranking);
unlock:
	mutex_unlock(&smaf_allocators_lock);
	return ret;
}
EXPORT_SYMBOL_GPL(smaf_register_allocator);

/**
 * smaf_unregister_allocator() - withdraw an allocator
 * @alloc: a registered allocator
 *
 * Buffers backed by @alloc hold a reference on its owner module, so this runs
 * only once none is left.
 *
 * Context: process context; takes the registry lock.
 */
void smaf_unregister_allocator(struct smaf_allocator *alloc)
{
	mutex_lock(&smaf_allocators_lock);
	list_del(&alloc->node);
	smaf_limits_unregister(alloc);
	mutex_unlock(&smaf_allocators_lock);
	WARN_ON(atomic_long_read(&alloc->stats.buffers));
}
EXPORT_SYMBOL_GPL(smaf_unregister_allocator);

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
	if (alloc && !try_module_get(alloc->owner))
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
 * Context: process context; takes the registry lock.
 * Return: the allocator with a reference on its owner, or NULL if no further
 * allocator accepts @c.
 */
struct smaf_allocator *smaf_allocator_next(struct smaf_allocator *prev,
					   const struct smaf_constraints *c)
{
	struct smaf_allocator *alloc, *found = NULL;

	mutex_lock(&smaf_allocators_lock);
	alloc = prev ? list_next_entry(prev, node) :
		list_first_entry(&smaf_allocators, struct smaf_allocator, node);
	list_for_each_entry_from(alloc, &smaf_allocators, node) {
		if (alloc->ops->match(alloc, c) && try_module_get(alloc->owner)) {
			found = alloc;
			break;
		}
	}
	mutex_unlock(&smaf_allocators_lock);
	return found;
}

/**
 * smaf_allocator_put() - drop the reference taken by get_by_name()/next()
 * @alloc: the allocator, or NULL
 *
 * Context: any.
 */
void smaf_allocator_put(struct smaf_allocator *alloc)
{
	if (alloc)
		module_put(alloc->owner);
}

/**
 * smaf_allocator_info() - describe the allocator at @index
 * @index: position in ranking order
 * @name: out, SMAF_NAME_LEN bytes, NUL-padded
 * @ranking: out
 * @count: out, number of registered allocators
 *
 * Context: process context; takes the registry lock.
 * Return: 0, or -ERANGE if @index >= *@count.
 */
int smaf_allocator_info(unsigned int index, char *name, int *ranking,
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

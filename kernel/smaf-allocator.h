/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SMAF allocator interface: how a memory allocator plugs into SMAF.
 *
 * An allocator has a name (unique, shown to userspace), a ranking (higher is
 * preferred) and ops.  When a buffer is first used, SMAF merges the
 * constraints of the devices attached at that moment and asks each allocator,
 * by decreasing ranking, whether it can serve them (match()); the first that
 * says yes allocates the whole buffer, and if it runs out of memory the next
 * that says yes is tried (after a memory-cgroup charging allocator fails for
 * the cgroup's limit, only others that charge the cgroup).  An allocator
 * named at create time is used if its match() accepts, and the use fails
 * otherwise.
 */
#ifndef _SMAF_ALLOCATOR_H
#define _SMAF_ALLOCATOR_H

#include <linux/atomic.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/scatterlist.h>

#include "smaf-constraints.h"

struct smaf_allocator;

/**
 * struct smaf_allocator_ops - what an allocator implements
 * @match:	can this allocator give memory that satisfies @c?  Must not
 *		sleep for long or call back into SMAF: called with the
 *		buffer lock held, and in the ranked choice with the registry
 *		lock too.
 * @allocate:	allocate @c->size bytes (a multiple of PAGE_SIZE), zeroed,
 *		satisfying @c (which match() accepted), and describe them in
 *		@sgt (one entry per chunk, each backed by struct pages).  May
 *		sleep; must return -EINTR promptly when
 *		fatal_signal_pending().  On error nothing is left allocated
 *		and @sgt is untouched.  SMAF checks the result against @c.
 * @free:	give back what @allocate put in @sgt and free the table.
 */
struct smaf_allocator_ops {
	bool (*match)(struct smaf_allocator *alloc,
		      const struct smaf_constraints *c);
	int (*allocate)(struct smaf_allocator *alloc, struct sg_table *sgt,
			const struct smaf_constraints *c);
	void (*free)(struct smaf_allocator *alloc, struct sg_table *sgt);
};

/* Allocators that can be registered at once. */
#define SMAF_MAX_ALLOCATORS 8

/**
 * struct smaf_allocator_stats - usage counters, kept by the SMAF core
 * @buffers:	buffers currently backed by this allocator
 * @bytes:	bytes currently allocated
 * @allocations: allocations made since the allocator was registered
 * @failures:	allocations that failed
 * @refusals:	allocations refused by a limit
 */
struct smaf_allocator_stats {
	atomic_long_t buffers;
	atomic_long_t bytes;
	atomic_long_t allocations;
	atomic_long_t failures;
	atomic_long_t refusals;
};

/**
 * struct smaf_limit - how much of an allocator's memory users may take
 * @user_max:	bytes each unprivileged user may hold
 * @global_max:	bytes all users together may hold
 * @reserve:	part of @global_max only privileged callers may use
 *
 * U64_MAX means no limit.  Set with smaf_limits_default() (or by hand)
 * before registering: all zero, every unprivileged charge fails with
 * -EDQUOT.  Tunable through the "limits" module parameter.
 */
struct smaf_limit {
	u64 user_max;
	u64 global_max;
	u64 reserve;
};

/**
 * struct smaf_allocator - a registered allocator
 * @name:	unique name, shorter than SMAF_NAME_LEN
 * @ranking:	higher is tried first
 * @ops:	the allocator's operations
 * @owner:	module providing @ops (THIS_MODULE)
 * @memcg:	its memory is charged to the memory cgroup of the task that
 *		causes the allocation (__GFP_ACCOUNT); after such an allocator
 *		runs out, SMAF falls back only to others like it, so that a
 *		cgroup's limit is not escaped
 * @costly:	an allocation may take long and disturb others (page
 *		migration): a user's failed attempts are rate-limited
 * @no_direct_map: its memory is not in the kernel's direct map: its pages
 *		must never be kmap()ed, so importers get DMA addresses only
 * @cpu_uncached: the CPU must never cache its memory (all CPU mappings
 *		write-combined, no CPU cache maintenance): memory outside the
 *		direct map, on architectures where DMA to a non-coherent
 *		device needs cache maintenance, which the DMA API does
 *		through the direct map
 * @limit:	usage limits (protected by the SMAF limits lock)
 * @id:		index for per-user accounting, owned by the SMAF core
 * @node:	entry in the registry, owned by the SMAF core
 * @stats:	usage counters, owned by the SMAF core
 */
struct smaf_allocator {
	const char *name;
	int ranking;
	const struct smaf_allocator_ops *ops;
	struct module *owner;
	bool memcg;
	bool costly;
	bool no_direct_map;
	bool cpu_uncached;
	struct smaf_limit limit;
	unsigned int id;
	struct list_head node;
	struct smaf_allocator_stats stats;
};

int smaf_register_allocator(struct smaf_allocator *alloc);
void smaf_unregister_allocator(struct smaf_allocator *alloc);
void smaf_limits_default(struct smaf_allocator *alloc, u64 capacity,
			 bool scarce);

#endif /* _SMAF_ALLOCATOR_H */

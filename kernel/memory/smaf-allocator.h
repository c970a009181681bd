/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SMAF's side of an allocator: what the core keeps for each one added with
 * smaf_allocator_add() (the interface is <linux/smaf/allocator.h>).
 */
#ifndef _SMAF_ALLOCATOR_H
#define _SMAF_ALLOCATOR_H

#include <linux/atomic.h>
#include <linux/list.h>
#include <linux/smaf.h>
#include <linux/smaf/allocator.h>

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
 * U64_MAX means no limit.  Set from the allocator's capacity when it is
 * added (smaf_allocator_default_limit()); tunable through the "limits" module
 * parameter.
 */
struct smaf_limit {
	u64 user_max;
	u64 global_max;
	u64 reserve;
};

/**
 * struct smaf_allocator - an added allocator, owned by the SMAF core
 * @name:	copied from the info
 * @ranking:	from the info
 * @ops:	from the info
 * @owner:	from the info
 * @priv:	from the info
 * @memcg:	from the info: after such an allocator runs out, SMAF falls
 *		back only to others like it, so that a cgroup's limit is not
 *		escaped
 * @costly:	from the info
 * @no_direct_map: from the info
 * @cpu_uncached: from the info
 * @no_pages:	from the info
 * @limit:	usage limits (protected by the SMAF limits lock)
 * @id:		index for per-user accounting
 * @node:	entry in the registry (protected by the registry lock)
 * @stats:	usage counters
 */
struct smaf_allocator {
	char name[SMAF_NAME_LEN];
	int ranking;
	const struct smaf_allocator_ops *ops;
	struct module *owner;
	void *priv;
	bool memcg;
	bool costly;
	bool no_direct_map;
	bool cpu_uncached;
	bool no_pages;
	struct smaf_limit limit;
	unsigned int id;
	struct list_head node;
	struct smaf_allocator_stats stats;
};

void smaf_allocator_default_limit(struct smaf_limit *l, u64 capacity,
				  bool scarce);

#endif /* _SMAF_ALLOCATOR_H */

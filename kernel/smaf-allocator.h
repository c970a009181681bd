/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SMAF allocator interface: how a memory allocator plugs into SMAF.
 *
 * An allocator has a name (unique, shown to userspace), a ranking (higher is
 * preferred) and ops.  When a buffer is first used, SMAF merges the
 * constraints of the devices attached at that moment and asks each allocator,
 * by decreasing ranking, whether it can serve them (match()); the first that
 * says yes allocates the whole buffer.  An allocator named at create time is
 * used if its match() accepts, and the use fails otherwise.
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
 *		sleep for long; called with the buffer lock held.
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

/**
 * struct smaf_allocator_stats - usage counters, kept by the SMAF core
 * @buffers:	buffers currently backed by this allocator
 * @bytes:	bytes currently allocated
 * @allocations: allocations made since the allocator was registered
 * @failures:	allocations that failed
 */
struct smaf_allocator_stats {
	atomic_long_t buffers;
	atomic_long_t bytes;
	atomic_long_t allocations;
	atomic_long_t failures;
};

/**
 * struct smaf_allocator - a registered allocator
 * @name:	unique name, shorter than SMAF_NAME_LEN
 * @ranking:	higher is tried first
 * @ops:	the allocator's operations
 * @owner:	module providing @ops (THIS_MODULE)
 * @node:	entry in the registry, owned by the SMAF core
 * @stats:	usage counters, owned by the SMAF core
 */
struct smaf_allocator {
	const char *name;
	int ranking;
	const struct smaf_allocator_ops *ops;
	struct module *owner;
	struct list_head node;
	struct smaf_allocator_stats stats;
};

int smaf_register_allocator(struct smaf_allocator *alloc);
void smaf_unregister_allocator(struct smaf_allocator *alloc);

#endif /* _SMAF_ALLOCATOR_H */

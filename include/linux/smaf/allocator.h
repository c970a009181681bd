/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SMAF allocator interface: how a memory allocator plugs into SMAF, built
 * in or from a module of its own (built against smaf-dkms's headers and
 * SMAF's Module.symvers, see docs/extending.md).
 *
 * An allocator describes itself in a struct smaf_allocator_info and gets an
 * opaque handle back; the SMAF core keeps everything else (its accounting
 * id, usage counters and limits).  When a buffer is first used, SMAF merges
 * the constraints of the devices attached at that moment and asks each
 * allocator, by decreasing ranking, whether it can serve them (match());
 * the first that says yes allocates the whole buffer, and if it runs out of
 * memory the next that says yes is tried (after an allocator that charges
 * memory cgroups fails, only others that do).  An allocator named at create
 * time is used if its match() accepts, and the use fails otherwise.
 *
 * SMAF's own rankings, for placing another allocator among them: system 40
 * (scattered pages anywhere), dma32 30, carveout 20, contig 10.
 */
#ifndef _LINUX_SMAF_ALLOCATOR_H
#define _LINUX_SMAF_ALLOCATOR_H

#include <linux/module.h>
#include <linux/scatterlist.h>
#include <linux/types.h>
#include <linux/smaf/constraints.h>

struct smaf_allocator;

/**
 * struct smaf_allocator_ops - what an allocator implements
 * @match:	can this allocator give memory that satisfies @c?  Must not
 *		sleep or call back into SMAF: called with a buffer's lock
 *		held, and in the ranked choice inside an RCU read-side
 *		critical section.
 * @allocate:	allocate @c->size bytes (a multiple of PAGE_SIZE), zeroed,
 *		satisfying @c (which match() accepted), and describe them in
 *		@sgt (one entry per chunk, each backed by struct pages unless
 *		the allocator declares @no_pages, see the info).  May
 *		sleep; must return -EINTR promptly when
 *		fatal_signal_pending().  On error nothing is left allocated
 *		and @sgt is untouched; -ENOMEM lets SMAF try the next
 *		allocator.  SMAF checks the result against @c.  Called with
 *		the buffer's lock held.
 * @free:	give back what @allocate put in @sgt and free the table.
 *		May sleep; called with no SMAF lock held or with the
 *		buffer's lock.
 */
struct smaf_allocator_ops {
	bool (*match)(struct smaf_allocator *alloc,
		      const struct smaf_constraints *c);
	int (*allocate)(struct smaf_allocator *alloc, struct sg_table *sgt,
			const struct smaf_constraints *c);
	void (*free)(struct smaf_allocator *alloc, struct sg_table *sgt);
};

/**
 * struct smaf_allocator_info - what an allocator says of itself
 * @name:	unique, shown to userspace and named by it at create time:
 *		non-empty, shorter than SMAF_NAME_LEN (copied)
 * @ranking:	higher is tried first
 * @ops:	its operations, all three
 * @owner:	the module providing @ops (THIS_MODULE): pinned while a
 *		buffer uses the allocator
 * @priv:	the allocator's own data, for smaf_allocator_priv()
 * @capacity:	bytes it can ever provide, 0 for a share of RAM; the core
 *		sets the default limits from it
 * @scarce:	its memory is scarce: all users together may take all of
 *		@capacity, and a reserve (a quarter, at most 64 MiB) is
 *		kept for privileged callers; otherwise they may take half
 *		of RAM.  Each unprivileged user may take a quarter of
 *		@capacity either way.
 * @memcg:	its memory is charged to the memory cgroup of the buffer's
 *		creator (__GFP_ACCOUNT)
 * @costly:	an allocation may take long and disturb others (page
 *		migration): a user's failed attempts are rate-limited
 * @no_direct_map: its memory is not in the kernel's direct map: its pages
 *		are never kmap()ed, so importers get DMA addresses only
 * @cpu_uncached: the CPU must never cache its memory (all CPU mappings
 *		write-combined, no CPU cache maintenance)
 * @no_pages:	its memory has no struct page (memory the normal world's
 *		kernel cannot address, such as a TEE's protected region):
 *		@allocate gives each chunk's physical address in the entry's
 *		DMA address and its size in length and DMA length
 *		(sg_dma_address(), sg_dma_len()), with no page.  SMAF uses it
 *		only for secure buffers whose secure module scrubs, that the
 *		CPU does not use and that are not write-combined; the CPU never
 *		maps it, devices get it through dma_map_resource(), and it
 *		never moves.
 */
struct smaf_allocator_info {
	const char *name;
	int ranking;
	const struct smaf_allocator_ops *ops;
	struct module *owner;
	void *priv;
	u64 capacity;
	bool scarce;
	bool memcg;
	bool costly;
	bool no_direct_map;
	bool cpu_uncached;
	bool no_pages;
};

struct smaf_allocator *smaf_allocator_add(const struct smaf_allocator_info *info);
void smaf_allocator_remove(struct smaf_allocator *alloc);
void *smaf_allocator_priv(const struct smaf_allocator *alloc);

#endif /* _LINUX_SMAF_ALLOCATOR_H */

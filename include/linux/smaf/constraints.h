/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SMAF constraints: what the users sharing a buffer need from its memory,
 * merged by the SMAF core and given to an allocator's match() and
 * allocate().  Fixed-size integers only, so that SMAF's own logic builds in
 * userspace for its unit tests.
 */
#ifndef _LINUX_SMAF_CONSTRAINTS_H
#define _LINUX_SMAF_CONSTRAINTS_H

/* Userspace builds provide u32, u64 and bool (tests/unit/kernel-types.h). */
#ifdef __KERNEL__
#include <linux/types.h>
#endif

/**
 * struct smaf_constraints - merged constraints of a buffer's users
 * @phys_limit:		highest physical address every user can reach
 *			(devices behind a translating IOMMU reach everything)
 * @max_segment:	largest DMA segment every device accepts
 * @seg_boundary:	segments must not cross a multiple of
 *			(@seg_boundary + 1); neither is read by an
 *			allocator: each device's mapping splits the memory
 *			to its own limits (smaf-map.c)
 * @align:		required alignment of the physical start, 0 for none
 * @size:		size of the buffer in bytes
 * @ndevs:		number of devices merged in
 * @contig:		some user needs physically contiguous memory
 * @cpu:		the CPU is a user (it is the first user, or maps it);
 *			kept across a late attach and logged, not read by
 *			an allocator
 */
struct smaf_constraints {
	u64 phys_limit;
	u32 max_segment;
	u64 seg_boundary;
	u64 align;
	u64 size;
	u32 ndevs;
	bool contig;
	bool cpu;
};

/**
 * smaf_constraints_reach() - can every user reach memory up to @phys_end?
 * @c: merged constraints
 * @phys_end: highest physical address (inclusive) the memory may use
 *
 * Context: any.
 * Return: true if @phys_end is within every user's reach.
 */
static inline bool smaf_constraints_reach(const struct smaf_constraints *c,
					  u64 phys_end)
{
	return phys_end <= c->phys_limit;
}

#endif /* _LINUX_SMAF_CONSTRAINTS_H */

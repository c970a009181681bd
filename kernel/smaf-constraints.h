/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SMAF device constraints: what the devices sharing a buffer need from its
 * memory.  Pure logic, no kernel dependency beyond fixed-size integers, so the
 * same file builds in userspace for native unit tests.
 */
#ifndef _SMAF_CONSTRAINTS_H
#define _SMAF_CONSTRAINTS_H

/* Userspace builds provide u32, u64 and bool (tests/unit/kernel-types.h). */
#ifdef __KERNEL__
#include <linux/types.h>
#endif

/**
 * struct smaf_constraints - merged constraints of a buffer's users
 * @phys_limit:		highest physical address every device can reach
 *			(devices behind a translating IOMMU reach everything)
 * @max_segment:	largest DMA segment every device accepts
 * @seg_boundary:	segments must not cross a multiple of
 *			(@seg_boundary + 1)
 * @ndevs:		number of devices merged in
 * @cpu:		the CPU is a user (it is the first user, or maps it)
 */
struct smaf_constraints {
	u64 phys_limit;
	u32 max_segment;
	u64 seg_boundary;
	u32 ndevs;
	bool cpu;
};

/**
 * struct smaf_dev_constraints - what one device tells about itself
 * @dma_limit:		highest bus address it can generate (mask and bus limit)
 * @translated:		its DMA goes through a translating IOMMU
 * @max_segment:	its maximum segment size
 * @seg_boundary:	its segment boundary mask
 */
struct smaf_dev_constraints {
	u64 dma_limit;
	bool translated;
	u32 max_segment;
	u64 seg_boundary;
};

void smaf_constraints_init(struct smaf_constraints *c);
void smaf_constraints_add_device(struct smaf_constraints *c,
				 const struct smaf_dev_constraints *d);
bool smaf_constraints_reach(const struct smaf_constraints *c, u64 phys_end);

#endif /* _SMAF_CONSTRAINTS_H */

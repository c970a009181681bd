/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SMAF device constraints: what one device needs, how the core merges them
 * (struct smaf_constraints is public, <linux/smaf/constraints.h>), and
 * where a buffer's memory ended up.  Pure logic, no kernel dependency
 * beyond fixed-size integers, so the same file builds in userspace for
 * native unit tests.
 */
#ifndef _SMAF_CONSTRAINTS_H
#define _SMAF_CONSTRAINTS_H

#include <linux/smaf/constraints.h>

/**
 * struct smaf_dev_constraints - what one device needs
 * @dma_limit:		highest bus address it can generate (mask and bus limit)
 * @phys_limit:		highest physical address it reaches without an IOMMU
 *			(@dma_limit translated through its DMA offsets)
 * @translated:		its DMA goes through a translating IOMMU
 * @contig:		it needs physically contiguous memory (from the policy;
 *			never set for a translated device)
 * @max_segment:	its maximum segment size
 * @seg_boundary:	its segment boundary mask
 */
struct smaf_dev_constraints {
	u64 dma_limit;
	u64 phys_limit;
	bool translated;
	bool contig;
	u32 max_segment;
	u64 seg_boundary;
};

/**
 * struct smaf_layout - where a buffer's memory ended up
 * @phys_start:	lowest physical address
 * @phys_end:	highest physical address (inclusive)
 * @contig:	the memory is one physically contiguous range
 */
struct smaf_layout {
	u64 phys_start;
	u64 phys_end;
	bool contig;
};

void smaf_constraints_init(struct smaf_constraints *c, u64 size);
void smaf_constraints_add_device(struct smaf_constraints *c,
				 const struct smaf_dev_constraints *d);
void smaf_constraints_add_hints(struct smaf_constraints *c, bool contig,
				bool dma32, u64 align);
bool smaf_layout_serves(const struct smaf_layout *l,
			const struct smaf_constraints *c);

#endif /* _SMAF_CONSTRAINTS_H */

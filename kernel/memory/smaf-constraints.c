// SPDX-License-Identifier: GPL-2.0
/*
 * SMAF constraint merging.  Builds both in the module and in userspace
 * (tests/unit), so it must not use anything but plain C.
 */
#include "smaf-constraints.h"

#define SMAF_4GIB_LIMIT 0xffffffffULL

/**
 * smaf_constraints_init() - start with no constraint at all
 * @c: constraints to initialise
 * @size: size of the buffer
 *
 * Context: any.
 */
void smaf_constraints_init(struct smaf_constraints *c, u64 size)
{
	c->phys_limit = ~(u64)0;
	c->max_segment = ~(u32)0;
	c->seg_boundary = ~(u64)0;
	c->align = 0;
	c->size = size;
	c->ndevs = 0;
	c->contig = false;
	c->cpu = false;
}

/**
 * smaf_constraints_add_device() - merge one device into @c
 * @c: merged constraints so far
 * @d: the device's own constraints
 *
 * The result is the tightest of both: lowest reachable address, contiguity
 * if either needs it, smallest segment, strictest boundary.  A device behind
 * a translating IOMMU limits neither where the pages may be nor their
 * contiguity.
 *
 * Context: any.
 */
void smaf_constraints_add_device(struct smaf_constraints *c,
				 const struct smaf_dev_constraints *d)
{
	if (!d->translated) {
		if (d->phys_limit < c->phys_limit)
			c->phys_limit = d->phys_limit;
		if (d->contig)
			c->contig = true;
	}
	if (d->max_segment && d->max_segment < c->max_segment)
		c->max_segment = d->max_segment;
	if (d->seg_boundary < c->seg_boundary)
		c->seg_boundary = d->seg_boundary;
	c->ndevs++;
}

/**
 * smaf_constraints_add_hints() - merge what userspace asked at create time
 * @c: merged constraints so far
 * @contig: physically contiguous memory is needed
 * @dma32: memory must be below 4 GiB
 * @align: alignment of the physical start, 0 for none
 *
 * Context: any.
 */
void smaf_constraints_add_hints(struct smaf_constraints *c, bool contig,
				bool dma32, u64 align)
{
	if (contig)
		c->contig = true;
	if (dma32 && c->phys_limit > SMAF_4GIB_LIMIT)
		c->phys_limit = SMAF_4GIB_LIMIT;
	if (align > c->align)
		c->align = align;
}

/**
 * smaf_layout_serves() - does memory laid out as @l satisfy @c?
 * @l: where the memory is
 * @c: merged constraints of the users
 *
 * Context: any.
 * Return: true if every user can use the memory as it is.
 */
bool smaf_layout_serves(const struct smaf_layout *l,
			const struct smaf_constraints *c)
{
	if (!smaf_constraints_reach(c, l->phys_end))
		return false;
	if (c->contig && !l->contig)
		return false;
	if (c->align > 1 && (l->phys_start & (c->align - 1)))
		return false;
	return true;
}

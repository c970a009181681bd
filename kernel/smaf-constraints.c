// SPDX-License-Identifier: GPL-2.0
/*
 * SMAF constraint merging.  Builds both in the module and in userspace
 * (tests/unit), so it must not use anything but plain C.
 */
#include "smaf-constraints.h"

/**
 * smaf_constraints_init() - start with no constraint at all
 * @c: constraints to initialise
 *
 * Context: any.
 */
void smaf_constraints_init(struct smaf_constraints *c)
{
	c->phys_limit = ~(u64)0;
	c->max_segment = ~(u32)0;
	c->seg_boundary = ~(u64)0;
	c->ndevs = 0;
	c->cpu = false;
}

/**
 * smaf_constraints_add_device() - merge one device into @c
 * @c: merged constraints so far
 * @d: the device's own constraints
 *
 * The result is the tightest of both: lowest reachable address, smallest
 * segment, strictest boundary.  A device behind a translating IOMMU does not
 * limit where the pages may be.
 *
 * Context: any.
 */
void smaf_constraints_add_device(struct smaf_constraints *c,
				 const struct smaf_dev_constraints *d)
{
	if (!d->translated && d->dma_limit < c->phys_limit)
		c->phys_limit = d->dma_limit;
	if (d->max_segment && d->max_segment < c->max_segment)
		c->max_segment = d->max_segment;
	if (d->seg_boundary < c->seg_boundary)
		c->seg_boundary = d->seg_boundary;
	c->ndevs++;
}

/**
 * smaf_constraints_reach() - can every device reach memory up to @phys_end?
 * @c: merged constraints
 * @phys_end: highest physical address (inclusive) the memory may use
 *
 * Context: any.
 * Return: true if @phys_end is within every device's reach.
 */
bool smaf_constraints_reach(const struct smaf_constraints *c, u64 phys_end)
{
	return phys_end <= c->phys_limit;
}

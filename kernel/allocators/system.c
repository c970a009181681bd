// SPDX-License-Identifier: GPL-2.0
/*
 * SMAF "system" allocator: zeroed pages from anywhere in RAM, for users that
 * can all reach any page and need no physical contiguity.
 */
#define pr_fmt(fmt) "smaf: " fmt

#include "smaf-internal.h"
#include "allocators.h"

/**
 * smaf_system_match() - can every user take scattered pages from anywhere?
 * @alloc: the system allocator
 * @c: merged constraints
 *
 * Context: any.
 * Return: true if no user needs contiguity or alignment and every user
 * reaches all of RAM (directly or through an IOMMU).
 */
static bool smaf_system_match(struct smaf_allocator *alloc,
			      const struct smaf_constraints *c)
{
	return !c->contig && c->align <= PAGE_SIZE &&
	       smaf_constraints_reach(c, smaf_ram_end());
}

/**
 * smaf_system_allocate() - allocate zeroed pages from anywhere
 * @alloc: the system allocator
 * @sgt: out
 * @c: constraints match() accepted
 *
 * Context: process context, may sleep.
 * Return: 0, -ENOMEM or -EINTR.
 */
static int smaf_system_allocate(struct smaf_allocator *alloc,
				struct sg_table *sgt,
				const struct smaf_constraints *c)
{
	return smaf_pages_alloc(sgt, c->size, 0);
}

/**
 * smaf_system_free() - give the pages back
 * @alloc: the system allocator
 * @sgt: what smaf_system_allocate() filled
 *
 * Context: process context.
 */
static void smaf_system_free(struct smaf_allocator *alloc, struct sg_table *sgt)
{
	smaf_pages_free(sgt);
}

static const struct smaf_allocator_ops smaf_system_ops = {
	.match = smaf_system_match,
	.allocate = smaf_system_allocate,
	.free = smaf_system_free,
};

static const struct smaf_allocator_info smaf_system_info = {
	.name = "system",
	.ranking = SMAF_RANK_SYSTEM,
	.ops = &smaf_system_ops,
	.owner = THIS_MODULE,
	.memcg = true,
};

static struct smaf_allocator *smaf_system;

int smaf_system_init(void)
{
	smaf_system = smaf_allocator_add(&smaf_system_info);
	return PTR_ERR_OR_ZERO(smaf_system);
}

void smaf_system_exit(void)
{
	smaf_allocator_remove(smaf_system);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * SMAF "dma32" allocator: zeroed pages below 4 GiB (ZONE_DMA32), for
 * scatter-gather devices limited to 32-bit addresses.
 */
#define pr_fmt(fmt) "smaf: " fmt

#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/sizes.h>

#include "smaf-internal.h"
#include "allocators.h"

#define SMAF_DMA32_END 0xffffffffULL

/**
 * smaf_dma32_match() - do scattered pages below 4 GiB serve every user?
 * @alloc: the dma32 allocator
 * @c: merged constraints
 *
 * Context: any.
 * Return: true if no user needs contiguity or alignment and every user
 * reaches the whole 32-bit range.
 */
static bool smaf_dma32_match(struct smaf_allocator *alloc,
			     const struct smaf_constraints *c)
{
	return !c->contig && c->align <= PAGE_SIZE &&
	       smaf_constraints_reach(c, min(SMAF_DMA32_END, smaf_ram_end()));
}

/**
 * smaf_dma32_allocate() - allocate zeroed pages below 4 GiB
 * @alloc: the dma32 allocator
 * @sgt: out
 * @c: constraints match() accepted
 *
 * Context: process context, may sleep.
 * Return: 0, -ENOMEM or -EINTR.
 */
static int smaf_dma32_allocate(struct smaf_allocator *alloc,
			       struct sg_table *sgt,
			       const struct smaf_constraints *c)
{
	return smaf_pages_alloc(sgt, c->size, GFP_DMA32);
}

/**
 * smaf_dma32_free() - give the pages back
 * @alloc: the dma32 allocator
 * @sgt: what smaf_dma32_allocate() filled
 *
 * Context: process context.
 */
static void smaf_dma32_free(struct smaf_allocator *alloc, struct sg_table *sgt)
{
	smaf_pages_free(sgt);
}

static const struct smaf_allocator_ops smaf_dma32_ops = {
	.match = smaf_dma32_match,
	.allocate = smaf_dma32_allocate,
	.free = smaf_dma32_free,
};

static struct smaf_allocator *smaf_dma32;

int smaf_dma32_init(void)
{
	struct smaf_allocator_info info = {
		.name = "dma32",
		.ranking = SMAF_RANK_DMA32,
		.ops = &smaf_dma32_ops,
		.owner = THIS_MODULE,
		.capacity = min_t(u64, (u64)totalram_pages() << PAGE_SHIFT,
				  SZ_4G),
		.scarce = true,
		.memcg = true,
	};

	smaf_dma32 = smaf_allocator_add(&info);
	return PTR_ERR_OR_ZERO(smaf_dma32);
}

void smaf_dma32_exit(void)
{
	smaf_allocator_remove(smaf_dma32);
}

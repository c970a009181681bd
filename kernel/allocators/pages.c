// SPDX-License-Identifier: GPL-2.0
/*
 * Zeroed page chunks from the buddy allocator, largest orders first so that
 * devices and the IOMMU see few, large segments.  Shared by the "system"
 * and "dma32" allocators, which differ only in the zone they ask for.
 * 1 MiB blocks come from the pre-zeroed pool (pool.c) when it can serve the
 * caller, and freed ones are offered back to it.
 */
#define pr_fmt(fmt) "smaf: " fmt

#include <linux/gfp.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/sched/signal.h>
#include <linux/scatterlist.h>

#include "smaf-internal.h"
#include "allocators.h"

/*
 * Charged to the active memory cgroup: the buffer's creator's, which the
 * memory layer makes active around the allocation, whoever causes it.
 * High orders are opportunistic: no reclaim, no warning, no retry.  Order 0
 * reclaims but may fail, quietly: a user's buffer must not invoke the OOM
 * killer (global or its cgroup's) against other processes, and its failure
 * is reported to the user, not logged with a stack.
 */
#define SMAF_HIGH_ORDER_GFP \
	(((GFP_HIGHUSER | __GFP_ZERO | __GFP_NOWARN | __GFP_NORETRY) & \
	  ~__GFP_RECLAIM) | __GFP_COMP | __GFP_ACCOUNT)
#define SMAF_LOW_ORDER_GFP \
	(GFP_HIGHUSER | __GFP_ZERO | __GFP_RETRY_MAYFAIL | __GFP_NOWARN | \
	 __GFP_ACCOUNT)

/* 1 MiB (the pool's blocks), 64 KiB, 4 KiB with 4 KiB pages. */
static const unsigned int smaf_pages_orders[] = { SMAF_POOL_ORDER, 4, 0 };

static struct page *smaf_pages_chunk(size_t remaining, unsigned int max_order,
				     gfp_t zone)
{
	unsigned int i, order;
	struct page *page;
	gfp_t gfp;

	for (i = 0; i < ARRAY_SIZE(smaf_pages_orders); i++) {
		order = smaf_pages_orders[i];
		if (remaining < (PAGE_SIZE << order) || order > max_order)
			continue;
		if (order == SMAF_POOL_ORDER && !zone) {
			page = smaf_pool_take();
			if (page)
				return page;
		}
		gfp = order ? SMAF_HIGH_ORDER_GFP : SMAF_LOW_ORDER_GFP;
		/* A zone modifier excludes highmem (DMA32 | HIGHMEM is invalid). */
		if (zone)
			gfp = (gfp & ~__GFP_HIGHMEM) | zone;
		page = alloc_pages(gfp, order);
		if (page)
			return page;
	}
	return NULL;
}

static void smaf_pages_free_list(struct list_head *pages)
{
	struct page *page, *tmp;

	list_for_each_entry_safe(page, tmp, pages, lru) {
		list_del(&page->lru);
		if (!smaf_pool_give(page))
			__free_pages(page, compound_order(page));
	}
}

/**
 * smaf_pages_alloc() - allocate zeroed chunks, largest orders first
 * @sgt: out, one entry per chunk
 * @size: bytes, a multiple of PAGE_SIZE
 * @zone: extra GFP zone modifier (0 or GFP_DMA32)
 *
 * Context: process context, may sleep; stops at a fatal signal.
 * Return: 0, -ENOMEM, or -EINTR if a fatal signal is pending.
 */
int smaf_pages_alloc(struct sg_table *sgt, size_t size, gfp_t zone)
{
	unsigned int max_order = smaf_pages_orders[0];
	unsigned int nents = 0;
	struct scatterlist *sg;
	size_t remaining = size;
	struct page *page, *tmp;
	LIST_HEAD(pages);
	int ret;

	while (remaining) {
		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			goto free_pages;
		}
		page = smaf_pages_chunk(remaining, max_order, zone);
		if (!page) {
			ret = -ENOMEM;
			goto free_pages;
		}
		/* Once an order fails, do not retry it for this buffer. */
		max_order = compound_order(page);
		list_add_tail(&page->lru, &pages);
		remaining -= page_size(page);
		nents++;
	}

	ret = sg_alloc_table(sgt, nents, GFP_KERNEL);
	if (ret)
		goto free_pages;

	sg = sgt->sgl;
	list_for_each_entry_safe(page, tmp, &pages, lru) {
		list_del(&page->lru);
		sg_set_page(sg, page, page_size(page), 0);
		sg = sg_next(sg);
	}
	return 0;

free_pages:
	smaf_pages_free_list(&pages);
	return ret;
}

/**
 * smaf_pages_free() - give back what smaf_pages_alloc() allocated
 * @sgt: the table it filled; freed too
 *
 * Context: process context.
 */
void smaf_pages_free(struct sg_table *sgt)
{
	struct scatterlist *sg;
	unsigned int i;

	for_each_sgtable_sg(sgt, sg, i)
		if (!smaf_pool_give(sg_page(sg)))
			__free_pages(sg_page(sg), get_order(sg->length));
	sg_free_table(sgt);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * SMAF "system" allocator: zeroed pages from anywhere in RAM, largest orders
 * first so that devices and the IOMMU see few, large segments.
 */
#define pr_fmt(fmt) "smaf: " fmt

#include <linux/dma-mapping.h>
#include <linux/gfp.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/sched/signal.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>

#include "smaf-internal.h"

/* High orders are opportunistic: no reclaim, no warning, no retry. */
#define SMAF_HIGH_ORDER_GFP \
	(((GFP_HIGHUSER | __GFP_ZERO | __GFP_NOWARN | __GFP_NORETRY) & \
	  ~__GFP_RECLAIM) | __GFP_COMP)
#define SMAF_LOW_ORDER_GFP (GFP_HIGHUSER | __GFP_ZERO)

/* 1 MiB, 64 KiB, 4 KiB with 4 KiB pages. */
static const unsigned int smaf_system_orders[] = { 8, 4, 0 };

static struct page *smaf_system_alloc_chunk(size_t remaining,
					    unsigned int max_order)
{
	unsigned int i, order;
	struct page *page;

	for (i = 0; i < ARRAY_SIZE(smaf_system_orders); i++) {
		order = smaf_system_orders[i];
		if (remaining < (PAGE_SIZE << order) || order > max_order)
			continue;
		page = alloc_pages(order ? SMAF_HIGH_ORDER_GFP :
				   SMAF_LOW_ORDER_GFP, order);
		if (page)
			return page;
	}
	return NULL;
}

static void smaf_system_free_pages(struct list_head *pages)
{
	struct page *page, *tmp;

	list_for_each_entry_safe(page, tmp, pages, lru) {
		list_del(&page->lru);
		__free_pages(page, compound_order(page));
	}
}

/**
 * smaf_system_allocate() - allocate zeroed pages, largest orders first
 * @alloc: the system allocator
 * @sgt: out, one entry per chunk
 * @size: bytes, a multiple of PAGE_SIZE
 *
 * Context: process context, may sleep; stops at a fatal signal.
 * Return: 0, -ENOMEM, or -EINTR if a fatal signal is pending.
 */
static int smaf_system_allocate(struct smaf_allocator *alloc,
				struct sg_table *sgt, size_t size)
{
	unsigned int max_order = smaf_system_orders[0];
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
		page = smaf_system_alloc_chunk(remaining, max_order);
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
	smaf_system_free_pages(&pages);
	return ret;
}

/**
 * smaf_system_free() - give the pages back
 * @alloc: the system allocator
 * @sgt: what smaf_system_allocate() filled
 *
 * Context: process context.
 */
static void smaf_system_free(struct smaf_allocator *alloc,
			     struct sg_table *sgt)
{
	struct scatterlist *sg;
	unsigned int i;

	for_each_sgtable_sg(sgt, sg, i)
		__free_pages(sg_page(sg), get_order(sg->length));
	sg_free_table(sgt);
}

/**
 * smaf_system_match() - can every user reach any page of RAM?
 * @alloc: the system allocator
 * @c: merged constraints
 *
 * Pages come from anywhere, so every device must be able to address all of
 * RAM (or sit behind a translating IOMMU).
 *
 * Context: any.
 * Return: true if the system allocator serves @c.
 */
static bool smaf_system_match(struct smaf_allocator *alloc,
			      const struct smaf_constraints *c)
{
	return smaf_constraints_reach(c, smaf_ram_end());
}

static const struct smaf_allocator_ops smaf_system_ops = {
	.match = smaf_system_match,
	.allocate = smaf_system_allocate,
	.free = smaf_system_free,
};

static struct smaf_allocator smaf_system_allocator = {
	.name = "system",
	.ranking = 0,
	.ops = &smaf_system_ops,
	.owner = THIS_MODULE,
};

int smaf_system_init(void)
{
	return smaf_register_allocator(&smaf_system_allocator);
}

void smaf_system_exit(void)
{
	smaf_unregister_allocator(&smaf_system_allocator);
}

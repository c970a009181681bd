// SPDX-License-Identifier: GPL-2.0
/*
 * SMAF "contig" allocator: one physically contiguous, zeroed range below
 * the users' addressing limit.
 *
 * It tries, in order: a high-order page allocation for small buffers; the
 * CMA area through the DMA API, where the kernel has CMA (the debug kernel,
 * arm64), but never more than half of it (see smaf_contig_cma_max); then
 * alloc_contig_range() on a range it picks below the limit, which migrates
 * movable pages out of the way (Debian's amd64 kernels have no CMA, and
 * CMA pageblocks are not taken this way).  Wherever the memory comes from,
 * it is checked against the limit
 * by its physical address: a CMA area placed above 4 GiB does not serve a
 * 32-bit device.  Limits that result: at most SMAF_CONTIG_MAX per buffer,
 * and without CMA a large buffer succeeds only where a free-or-movable range
 * that big exists below the limit (unmovable kernel allocations fragment low
 * memory over time).
 */
#define pr_fmt(fmt) "smaf: " fmt

#include <linux/atomic.h>
#include <linux/dma-mapping.h>
#include <linux/gfp.h>
#include <linux/memory_hotplug.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/nodemask.h>
#include <linux/pageblock-flags.h>
#include <linux/highmem.h>
#include <linux/sched/signal.h>
#include <linux/scatterlist.h>
#include <linux/sizes.h>

#include "smaf-compat.h"
#include "smaf-internal.h"
#include "allocators.h"

#define SMAF_CONTIG_MAX		SZ_1G
/* Ranges tried with alloc_contig_range() before giving up. */
#define SMAF_CONTIG_TRIES	32

/*
 * SMAF's share of the CMA area.  Display, codec and camera drivers allocate
 * from CMA at any time (a mode set, a stream start) and often have no other
 * contiguous memory; SMAF has alloc_contig_range().  So SMAF takes at most
 * half of the CMA memory the kernel has, whoever its callers are, and past
 * that claims ranges outside the area: SMAF's users, privileged or not,
 * cannot use up the area between them.
 *
 * @smaf_contig_cma_max is set once at init: half of the pages all zones
 * count as CMA.  That includes per-device areas (reserved-memory regions
 * with "reusable"), which SMAF's device never allocates from, so on a
 * board with such areas the default area keeps less than half free (none
 * if the per-device areas are larger than it).
 * @smaf_contig_cma_used counts the pages of every range contig holds from
 * the DMA API; when the area cannot serve a buffer the page allocator can
 * (up to the largest buddy order), the DMA API hands out ordinary pages,
 * which count too (a bound that errs toward leaving CMA free).  Reserved
 * before the attempt and given back after a failure, so concurrent
 * allocations never take more than the bound together.
 */
static long smaf_contig_cma_max;
static atomic_long_t smaf_contig_cma_used;

/* Half of the CMA pages of every zone of every online node. */
static long smaf_contig_cma_share(void)
{
	unsigned long pages = 0;
	int nid, i;

	for_each_online_node(nid)
		for (i = 0; i < MAX_NR_ZONES; i++)
			pages += zone_cma_pages(&NODE_DATA(nid)->node_zones[i]);
	return pages / 2;
}

/*
 * Is @page in use and on no LRU list: kernel memory, or a range SMAF or a
 * driver holds, which alloc_contig_range() cannot move?  Read without a
 * lock, so only a hint to skip it: alloc_contig_range() has the last word.
 */
static bool smaf_contig_unmovable(struct page *page)
{
	return PageReserved(page) || (page_count(page) && !PageLRU(page));
}

/* Does [pfn, pfn + n) hold online pages of one zone that look movable or
 * free?  Returns the first pfn that breaks it, or pfn + n.
 */
static unsigned long smaf_contig_check(unsigned long pfn, unsigned long n)
{
	struct page *first = pfn_to_online_page(pfn), *page;
	unsigned long i;

	if (!first || smaf_contig_unmovable(first))
		return pfn;
	for (i = 1; i < n; i++) {
		page = pfn_to_online_page(pfn + i);
		if (!page || smaf_contig_unmovable(page) ||
		    page_zone(page) != page_zone(first))
			return pfn + i;
	}
	return pfn + n;
}

static int smaf_contig_zero(struct page *page, unsigned long n)
{
	unsigned long i;

	for (i = 0; i < n; i++) {
		clear_highpage(page + i);
		if (!(i & 255)) {
			if (fatal_signal_pending(current))
				return -EINTR;
			cond_resched();
		}
	}
	return 0;
}

static struct page *smaf_contig_block(unsigned int order, u64 limit, gfp_t zone)
{
	gfp_t gfp = GFP_KERNEL | __GFP_ZERO | __GFP_NOWARN | __GFP_NORETRY | zone;
	struct page *page = alloc_pages(gfp, order);

	if (page && page_to_phys(page) + (PAGE_SIZE << order) - 1 > limit) {
		__free_pages(page, order);
		page = NULL;
	}
	return page;
}

/*
 * Small and naturally aligned: one buddy block, the tail beyond @n freed.
 * For users that do not reach all of RAM, from ZONE_DMA32, then ZONE_DMA
 * (devices with fewer address bits, like a 28-bit one); a block beyond
 * @limit is given back.
 */
static struct page *smaf_contig_buddy(unsigned long n, u64 limit, u64 align)
{
	unsigned int order = get_order(n << PAGE_SHIFT);
	struct page *page;
	unsigned long i;

	if (order > pageblock_order || align > (PAGE_SIZE << order))
		return NULL;
	page = smaf_contig_block(order, limit,
				 limit < smaf_ram_end() ? GFP_DMA32 : 0);
	if (!page && IS_ENABLED(CONFIG_ZONE_DMA) && limit < smaf_ram_end())
		page = smaf_contig_block(order, limit, GFP_DMA);
	if (!page)
		return NULL;
	split_page(page, order);
	for (i = n; i < (1UL << order); i++)
		__free_page(page + i);
	return page;
}

/*
 * From the CMA area, through SMAF's own device, whose DMA mask (64 bits, set
 * at init) lets the DMA API take any CMA memory: the range is checked
 * against the users' limit here, by physical address, and given back if it
 * does not fit: the device's mask is never narrowed for an attempt, so no
 * lock is needed around one.
 * SMAF's device never does DMA; DMA_TO_DEVICE keeps DMA-API debugging from
 * tracking the memory as written by it, which the importers' own mappings
 * would then overlap.  Within SMAF's share of the area only.
 */
static struct page *smaf_contig_cma(size_t size, u64 limit, u64 align,
				    dma_addr_t *dma)
{
	struct device *dev = smaf_dma_device();
	long n = size >> PAGE_SHIFT;
	struct page *page;

	if (!IS_ENABLED(CONFIG_DMA_CMA))
		return NULL;
	if (atomic_long_add_return(n, &smaf_contig_cma_used) > smaf_contig_cma_max)
		goto unreserve;
	/* NORETRY: the page allocator's fallback must not OOM-kill. */
	page = dma_alloc_pages(dev, size, dma, DMA_TO_DEVICE,
			       GFP_KERNEL | __GFP_NOWARN | __GFP_NORETRY);
	if (!page || dma_mapping_error(dev, *dma))
		goto unreserve;
	if (page_to_phys(page) + size - 1 > limit ||
	    (align && (page_to_phys(page) & (align - 1))))
		goto free_pages;
	return page;

free_pages:
	dma_free_pages(dev, size, page, *dma, DMA_TO_DEVICE);
unreserve:
	atomic_long_sub(n, &smaf_contig_cma_used);
	return NULL;
}

/* Gives back a range smaf_contig_cma() took, and its share. */
static void smaf_contig_cma_free(size_t size, struct page *page, dma_addr_t dma)
{
	dma_free_pages(smaf_dma_device(), size, page, dma, DMA_TO_DEVICE);
	atomic_long_sub(size >> PAGE_SHIFT, &smaf_contig_cma_used);
}

/* Any size: claim a range below @limit with alloc_contig_range(). */
static struct page *smaf_contig_range(unsigned long n, u64 limit, u64 align,
				      int *err)
{
	unsigned long step = max_t(unsigned long, align >> PAGE_SHIFT, 1);
	unsigned long last = PHYS_PFN(min(limit, smaf_ram_end()) + 1);
	unsigned long slide = min(n, pageblock_nr_pages);
	unsigned long pfn, bad;
	int tries = 0;

	*err = -ENOMEM;
	if (last < n)
		return NULL;
	/* Top down, to leave the lowest memory to the most limited devices. */
	pfn = ALIGN_DOWN(last - n, step);
	for (;;) {
		if (fatal_signal_pending(current)) {
			*err = -EINTR;
			return NULL;
		}
		bad = smaf_contig_check(pfn, n);
		if (bad == pfn + n) {
			if (!smaf_alloc_contig_range(pfn, pfn + n,
						     GFP_KERNEL | __GFP_NOWARN))
				return pfn_to_page(pfn);
			if (++tries == SMAF_CONTIG_TRIES)
				return NULL;
			/*
			 * Busy somewhere: slide down, one step further after
			 * each failure.  A CMA area is busy as a whole (this
			 * does not take CMA pageblocks) and may be larger than
			 * the tries times a pageblock; the tries reach
			 * tries * (tries + 1) / 2 steps down.
			 */
			bad = pfn + n > slide * tries ? pfn + n - slide * tries : 0;
		}
		/* The next range ends at or below the page that broke this one. */
		if (bad < n)
			return NULL;
		pfn = ALIGN_DOWN(bad - n, step);
		cond_resched();
	}
}

/**
 * smaf_contig_match() - can one contiguous range serve every user?
 * @alloc: the contig allocator
 * @c: merged constraints
 *
 * Context: any.
 * Return: true for buffers up to SMAF_CONTIG_MAX whose users reach at least
 * the first 16 MiB.
 */
static bool smaf_contig_match(struct smaf_allocator *alloc,
			      const struct smaf_constraints *c)
{
	return c->size <= SMAF_CONTIG_MAX && c->phys_limit >= SZ_16M - 1;
}

/**
 * smaf_contig_allocate() - allocate one zeroed contiguous range
 * @alloc: the contig allocator
 * @sgt: out, one entry
 * @c: constraints match() accepted
 *
 * Context: process context, may sleep (migrates pages).
 * Return: 0, -ENOMEM or -EINTR.
 */
static int smaf_contig_allocate(struct smaf_allocator *alloc,
				struct sg_table *sgt,
				const struct smaf_constraints *c)
{
	unsigned long n = c->size >> PAGE_SHIFT;
	dma_addr_t dma = DMA_MAPPING_ERROR;
	struct page *page;
	bool cma = false;
	int ret;

	page = smaf_contig_buddy(n, c->phys_limit, c->align);
	if (!page) {
		page = smaf_contig_cma(c->size, c->phys_limit, c->align, &dma);
		cma = page;
	}
	if (!page) {
		page = smaf_contig_range(n, c->phys_limit, c->align, &ret);
		if (!page)
			return ret;
		ret = smaf_contig_zero(page, n);
		if (ret)
			goto free_range;
	}
	ret = sg_alloc_table(sgt, 1, GFP_KERNEL);
	if (ret)
		goto free_range;
	sg_set_page(sgt->sgl, page, c->size, 0);
	/*
	 * Remember CMA memory and its handle: it goes back through the DMA
	 * API.  Nothing else writes the DMA fields of an allocator's table.
	 */
	sg_dma_address(sgt->sgl) = cma ? dma : 0;
	return 0;

free_range:
	if (cma)
		smaf_contig_cma_free(c->size, page, dma);
	else
		free_contig_range(page_to_pfn(page), n);
	return ret;
}

/**
 * smaf_contig_free() - give the range back
 * @alloc: the contig allocator
 * @sgt: what smaf_contig_allocate() filled
 *
 * Context: process context.
 */
static void smaf_contig_free(struct smaf_allocator *alloc, struct sg_table *sgt)
{
	struct page *page = sg_page(sgt->sgl);

	if (sg_dma_address(sgt->sgl))
		smaf_contig_cma_free(sgt->sgl->length, page,
				     sg_dma_address(sgt->sgl));
	else
		free_contig_range(page_to_pfn(page),
				  sgt->sgl->length >> PAGE_SHIFT);
	sg_free_table(sgt);
}

static const struct smaf_allocator_ops smaf_contig_ops = {
	.match = smaf_contig_match,
	.allocate = smaf_contig_allocate,
	.free = smaf_contig_free,
};

static struct smaf_allocator *smaf_contig;

int smaf_contig_init(void)
{
	struct smaf_allocator_info info = {
		.name = "contig",
		.ranking = SMAF_RANK_CONTIG,
		.ops = &smaf_contig_ops,
		.owner = THIS_MODULE,
		/* Scarce: count a quarter of RAM as its capacity. */
		.capacity = ((u64)totalram_pages() << PAGE_SHIFT) / 4,
		.scarce = true,
		.costly = true,
	};

	smaf_contig_cma_max = smaf_contig_cma_share();
	if (IS_ENABLED(CONFIG_DMA_CMA) && smaf_contig_cma_max)
		pr_info("contig: takes at most %ld MiB of the CMA area\n",
			smaf_contig_cma_max >> (20 - PAGE_SHIFT));
	smaf_contig = smaf_allocator_add(&info);
	return PTR_ERR_OR_ZERO(smaf_contig);
}

void smaf_contig_exit(void)
{
	smaf_allocator_remove(smaf_contig);
}

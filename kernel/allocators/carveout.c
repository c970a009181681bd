// SPDX-License-Identifier: GPL-2.0
/*
 * SMAF "carveout" allocator: a physically contiguous region reserved at boot
 * (for example with memmap=64M$0x20000000 on x86) and handed to SMAF with
 * the module parameter carveout=SIZE@BASE, managed with genalloc.  The
 * classic "memory reserved for the camera": contiguous, at a known address,
 * never used by anyone else.  Without the parameter the allocator is not
 * registered.
 *
 * The region must not be System RAM and must have struct pages (pfn_valid),
 * which holds for memmap= reservations inside RAM sections.  Not being
 * System RAM, it is not in the kernel's direct map: SMAF reaches it through
 * its own memremap() and importers get DMA addresses only.  Where DMA needs
 * CPU cache maintenance, which the DMA API does through the direct map, the
 * CPU maps it write-combined only and never caches it.
 */
#define pr_fmt(fmt) "smaf: " fmt

#include <linux/genalloc.h>
#include <linux/io.h>
#include <linux/ioport.h>
#include <linux/mm.h>
#include <linux/sched/signal.h>
#include <linux/scatterlist.h>
#include <linux/sizes.h>
#include <linux/string.h>

#include "smaf-internal.h"
#include "allocators.h"

/* Set at init, read-only afterwards. */
static struct gen_pool *smaf_carveout_pool;
static phys_addr_t smaf_carveout_base;
static size_t smaf_carveout_size;
static void *smaf_carveout_vaddr;

/**
 * smaf_carveout_match() - does the region serve every user?
 * @alloc: the carveout allocator
 * @c: merged constraints
 *
 * Context: any.
 * Return: true if every user reaches the whole region and the buffer fits
 * in it.
 */
static bool smaf_carveout_match(struct smaf_allocator *alloc,
				const struct smaf_constraints *c)
{
	return c->size <= smaf_carveout_size &&
	       smaf_constraints_reach(c, smaf_carveout_base +
				      smaf_carveout_size - 1);
}

/* Table entries hold at most this much (their length is 32-bit). */
#define SMAF_CARVEOUT_SEG	SZ_1G

static int smaf_carveout_zero(void *vaddr, size_t size)
{
	size_t off, len;

	for (off = 0; off < size; off += len) {
		len = min_t(size_t, size - off, SZ_1M);
		memset(vaddr + off, 0, len);
		if (fatal_signal_pending(current))
			return -EINTR;
		cond_resched();
	}
	return 0;
}

/**
 * smaf_carveout_allocate() - take a zeroed range from the region
 * @alloc: the carveout allocator
 * @sgt: out, one entry per SMAF_CARVEOUT_SEG bytes of one contiguous range
 * @c: constraints match() accepted
 *
 * Context: process context, may sleep.
 * Return: 0, -ENOMEM when the region has no free range that big, -EINTR.
 */
static int smaf_carveout_allocate(struct smaf_allocator *alloc,
				  struct sg_table *sgt,
				  const struct smaf_constraints *c)
{
	struct genpool_data_align align = {
		.align = max_t(u64, c->align, PAGE_SIZE),
	};
	struct scatterlist *sg;
	unsigned long addr;
	u64 off, len;
	int ret;

	addr = gen_pool_alloc_algo(smaf_carveout_pool, c->size,
				   gen_pool_first_fit_align, &align);
	if (!addr)
		return -ENOMEM;
	ret = smaf_carveout_zero(smaf_carveout_vaddr + (addr - smaf_carveout_base),
				 c->size);
	if (ret)
		goto free_range;
	ret = sg_alloc_table(sgt, DIV_ROUND_UP_ULL(c->size, SMAF_CARVEOUT_SEG),
			     GFP_KERNEL);
	if (ret)
		goto free_range;
	for (off = 0, sg = sgt->sgl; off < c->size; off += len, sg = sg_next(sg)) {
		len = min_t(u64, c->size - off, SMAF_CARVEOUT_SEG);
		sg_set_page(sg, pfn_to_page(PHYS_PFN(addr + off)), len, 0);
	}
	return 0;

free_range:
	gen_pool_free(smaf_carveout_pool, addr, c->size);
	return ret;
}

/**
 * smaf_carveout_free() - give the range back to the region
 * @alloc: the carveout allocator
 * @sgt: what smaf_carveout_allocate() filled
 *
 * Context: process context.
 */
static void smaf_carveout_free(struct smaf_allocator *alloc,
			       struct sg_table *sgt)
{
	struct scatterlist *sg;
	unsigned int i;
	u64 size = 0;

	for_each_sgtable_sg(sgt, sg, i)
		size += sg->length;
	gen_pool_free(smaf_carveout_pool, sg_phys(sgt->sgl), size);
	sg_free_table(sgt);
}

static const struct smaf_allocator_ops smaf_carveout_ops = {
	.match = smaf_carveout_match,
	.allocate = smaf_carveout_allocate,
	.free = smaf_carveout_free,
};

/*
 * Where DMA needs cache maintenance (arm64...), the DMA API does it through
 * the direct map, which does not hold the carveout: the CPU must never
 * cache it.  x86 DMA is coherent.
 */
#define SMAF_CARVEOUT_UNCACHED IS_ENABLED(CONFIG_ARCH_HAS_SYNC_DMA_FOR_DEVICE)

static struct smaf_allocator *smaf_carveout;

static int smaf_carveout_parse(void)
{
	char *p = smaf_params.carveout;
	unsigned long pfn;

	smaf_carveout_size = memparse(p, &p);
	if (*p != '@')
		return -EINVAL;
	smaf_carveout_base = memparse(p + 1, &p);
	if (*p || !smaf_carveout_size ||
	    !PAGE_ALIGNED(smaf_carveout_base) || !PAGE_ALIGNED(smaf_carveout_size) ||
	    smaf_carveout_base + smaf_carveout_size < smaf_carveout_base)
		return -EINVAL;
	if (region_intersects(smaf_carveout_base, smaf_carveout_size,
			      IORESOURCE_SYSTEM_RAM, IORES_DESC_NONE) != REGION_DISJOINT) {
		pr_err("carveout %s overlaps System RAM: reserve it at boot (memmap=)\n",
		       smaf_params.carveout);
		return -EINVAL;
	}
	for (pfn = PHYS_PFN(smaf_carveout_base);
	     pfn < PHYS_PFN(smaf_carveout_base + smaf_carveout_size); pfn++) {
		if (!pfn_valid(pfn)) {
			pr_err("carveout %s has no struct pages at pfn %#lx\n",
			       smaf_params.carveout, pfn);
			return -EINVAL;
		}
	}
	return 0;
}

/**
 * smaf_carveout_init() - set the region up if the parameter names one
 *
 * Context: module init.
 * Return: 0 (also when no carveout is configured) or a negative errno.
 */
int smaf_carveout_init(void)
{
	struct smaf_allocator_info info = {
		.name = "carveout",
		.ranking = SMAF_RANK_CARVEOUT,
		.ops = &smaf_carveout_ops,
		.owner = THIS_MODULE,
		.scarce = true,
		.no_direct_map = true,
		.cpu_uncached = SMAF_CARVEOUT_UNCACHED,
	};
	int ret;

	if (!smaf_params.carveout || !*smaf_params.carveout)
		return 0;
	ret = smaf_carveout_parse();
	if (ret) {
		pr_err("invalid carveout=%s: want SIZE@BASE, page aligned\n",
		       smaf_params.carveout);
		return ret;
	}

	smaf_carveout_vaddr = memremap(smaf_carveout_base, smaf_carveout_size,
				       SMAF_CARVEOUT_UNCACHED ?
				       MEMREMAP_WC : MEMREMAP_WB);
	if (!smaf_carveout_vaddr)
		return -ENOMEM;
	smaf_carveout_pool = gen_pool_create(PAGE_SHIFT, -1);
	if (!smaf_carveout_pool) {
		ret = -ENOMEM;
		goto unmap;
	}
	ret = gen_pool_add(smaf_carveout_pool, smaf_carveout_base,
			   smaf_carveout_size, -1);
	if (ret)
		goto destroy_pool;
	info.capacity = smaf_carveout_size;
	smaf_carveout = smaf_allocator_add(&info);
	ret = PTR_ERR_OR_ZERO(smaf_carveout);
	if (ret)
		goto destroy_pool;
	pr_info("carveout: %zu MiB at %pa\n", smaf_carveout_size >> 20,
		&smaf_carveout_base);
	return 0;

destroy_pool:
	gen_pool_destroy(smaf_carveout_pool);
	smaf_carveout_pool = NULL;
unmap:
	memunmap(smaf_carveout_vaddr);
	return ret;
}

/**
 * smaf_carveout_exit() - tear the region down
 *
 * Context: module exit; every buffer is gone.
 */
void smaf_carveout_exit(void)
{
	if (!smaf_carveout_pool)
		return;
	smaf_allocator_remove(smaf_carveout);
	gen_pool_destroy(smaf_carveout_pool);
	memunmap(smaf_carveout_vaddr);
}

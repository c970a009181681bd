// SPDX-License-Identifier: GPL-2.0
/*
 * SMAF per-device DMA mapping: a copy of the buffer's table cut to the
 * device's segment limits, mapped for that device, and checked so that a
 * bounce buffer or a split range is caught instead of silently used.
 */
#define pr_fmt(fmt) "smaf: " fmt

#include <linux/device.h>
#include <linux/dma-direct.h>
#include <linux/dma-mapping.h>
#include <linux/scatterlist.h>

#include "smaf-internal.h"

/* Length of the next piece at @phys of at most @len bytes for a device. */
static unsigned int smaf_piece(u64 phys, unsigned int len,
			       const struct smaf_dev_constraints *d)
{
	unsigned int max = max_t(unsigned int, d->max_segment & PAGE_MASK,
				 PAGE_SIZE);
	u64 to_boundary;

	if (len > max)
		len = max;
	if (d->seg_boundary != ~(u64)0) {
		to_boundary = (d->seg_boundary | phys) - phys + 1;
		if (to_boundary < len)
			len = max_t(u64, to_boundary, PAGE_SIZE);
	}
	return len;
}

/* Copies @src into @dst, cutting entries to the device's segment limits. */
static int smaf_copy_table(struct sg_table *dst, const struct sg_table *src,
			   const struct smaf_dev_constraints *d)
{
	unsigned int i, off, len, n = 0;
	struct scatterlist *s, *out;
	int ret;

	for_each_sgtable_sg(src, s, i)
		for (off = 0; off < s->length; off += len, n++)
			len = smaf_piece(sg_phys(s) + off, s->length - off, d);

	ret = sg_alloc_table(dst, n, GFP_KERNEL);
	if (ret)
		return ret;
	out = dst->sgl;
	for_each_sgtable_sg(src, s, i) {
		for (off = 0; off < s->length; off += len) {
			len = smaf_piece(sg_phys(s) + off, s->length - off, d);
			sg_set_page(out, pfn_to_page(page_to_pfn(sg_page(s)) +
						     (off >> PAGE_SHIFT)), len, 0);
			out = sg_next(out);
		}
	}
	return 0;
}

/*
 * Every mapped segment must be reachable by the device, the segments
 * DMA-contiguous if it needs that, and, without an IOMMU, at the bus address
 * of the memory itself (anything else is a bounce buffer).
 */
static int smaf_check_mapping(struct smaf_attachment *a)
{
	const struct smaf_dev_constraints *d = &a->need;
	bool direct = !d->translated;
	struct scatterlist *sg, *mem = a->sgt.sgl;
	dma_addr_t next = 0;
	unsigned int i;

	for_each_sgtable_dma_sg(&a->sgt, sg, i) {
		if (sg_dma_address(sg) + sg_dma_len(sg) - 1 > d->dma_limit)
			goto bad;
		if (d->contig && i && sg_dma_address(sg) != next)
			goto bad;
		next = sg_dma_address(sg) + sg_dma_len(sg);
	}
	if (direct && a->sgt.nents == a->sgt.orig_nents) {
		for_each_sgtable_dma_sg(&a->sgt, sg, i) {
			if (sg_dma_address(sg) != phys_to_dma(a->dev, sg_phys(mem)))
				goto bad;
			mem = sg_next(mem);
		}
	}
	return 0;
bad:
	dev_err_ratelimited(a->dev, "smaf: mapping bounced or split: segment %u at %pad (limit %#llx, contig %d)\n",
			    i, &sg_dma_address(sg), d->dma_limit, d->contig);
	return -EIO;
}

/*
 * Memory outside the kernel's direct map has struct pages, but an importer
 * that kmap()s or page_address()es one of them faults: give the importer
 * the DMA segments alone, as the dma-buf rules say importers must use them.
 */
static int smaf_make_dma_only(struct smaf_attachment *a)
{
	struct scatterlist *sg, *out;
	unsigned int i;
	int ret;

	ret = sg_alloc_table(&a->dma_only, a->sgt.nents, GFP_KERNEL);
	if (ret)
		return ret;
	out = a->dma_only.sgl;
	for_each_sgtable_dma_sg(&a->sgt, sg, i) {
		out->length = sg_dma_len(sg);
		sg_dma_address(out) = sg_dma_address(sg);
		sg_dma_len(out) = sg_dma_len(sg);
		out = sg_next(out);
	}
	return 0;
}

/* Unmaps the first @n chunks of a table smaf_map_pageless() mapped. */
static void smaf_unmap_pageless(struct smaf_attachment *a, unsigned int n)
{
	struct scatterlist *sg;
	unsigned int i;

	for_each_sgtable_dma_sg(&a->sgt, sg, i) {
		if (i == n)
			break;
		dma_unmap_resource(a->dev, sg_dma_address(sg), sg_dma_len(sg),
				   a->dir, DMA_ATTR_SKIP_CPU_SYNC);
	}
}

/*
 * Memory without struct pages (no CPU ever touches it, so no cache
 * maintenance): each chunk is mapped as a resource, and the device must
 * reach every segment (contiguous if it needs that).
 */
static int smaf_map_pageless(struct smaf_buffer *buf, struct smaf_attachment *a)
{
	const struct smaf_dev_constraints *d = &a->need;
	struct scatterlist *s, *out;
	dma_addr_t addr, next = 0;
	unsigned int i;
	int ret;

	ret = sg_alloc_table(&a->sgt, buf->sgt.orig_nents, GFP_KERNEL);
	if (ret)
		return ret;
	out = a->sgt.sgl;
	for_each_sgtable_sg(&buf->sgt, s, i) {
		addr = dma_map_resource(a->dev, smaf_chunk_phys(s), s->length,
					a->dir, DMA_ATTR_SKIP_CPU_SYNC);
		ret = dma_mapping_error(a->dev, addr);
		if (!ret && (addr + s->length - 1 > d->dma_limit ||
			     (d->contig && i && addr != next))) {
			dma_unmap_resource(a->dev, addr, s->length, a->dir,
					   DMA_ATTR_SKIP_CPU_SYNC);
			ret = -EIO;
		}
		if (ret)
			goto unmap;
		out->length = s->length;
		sg_dma_address(out) = addr;
		sg_dma_len(out) = s->length;
		next = addr + s->length;
		out = sg_next(out);
	}
	a->sgt.nents = a->sgt.orig_nents;
	return 0;

unmap:
	smaf_unmap_pageless(a, i);
	sg_free_table(&a->sgt);
	return ret;
}

/**
 * smaf_attachment_table() - the table an importer gets
 * @a: a mapped attachment
 *
 * Context: the buffer lock held.
 * Return: the DMA-mapped table, without pages for memory that is not in
 * the kernel's direct map.
 */
struct sg_table *smaf_attachment_table(struct smaf_attachment *a)
{
	return a->dma_only.sgl ? &a->dma_only : &a->sgt;
}

/**
 * smaf_map_attachment() - DMA-map an allocated buffer for one device
 * @buf: the buffer, allocated
 * @a: the attachment
 * @dir: DMA direction
 *
 * Every mapping does the cache maintenance its device needs (a
 * non-coherent device must see the zeroing and the CPU's writes).  While
 * another device has the buffer mapped, the mapping itself is made with
 * DMA_ATTR_SKIP_CPU_SYNC, which tells DMA-API debugging that two devices
 * mapping one buffer is sharing, not a driver bug, and the maintenance is
 * done by an explicit sync for the device right after.  Memory without
 * struct pages is mapped chunk by chunk as a resource, with no cache
 * maintenance (no CPU touches it).
 *
 * Context: process context; @buf->lock held.
 * Return: 0, -ENOMEM, the DMA mapping error, or -EIO if the mapping is not
 * usable as is (bounced, split, or beyond the device's reach).
 */
int smaf_map_attachment(struct smaf_buffer *buf, struct smaf_attachment *a,
			enum dma_data_direction dir)
{
	struct smaf_attachment *other;
	int ret;

	lockdep_assert_held(&buf->lock);
	a->attrs = 0;
	list_for_each_entry(other, &buf->attachments, node)
		if (other->mapped)
			a->attrs = DMA_ATTR_SKIP_CPU_SYNC;
	/* The CPU never caches an uncached buffer: nothing to maintain. */
	if (smaf_uncached(buf))
		a->attrs = DMA_ATTR_SKIP_CPU_SYNC;
	a->pageless = buf->allocator->no_pages;
	if (a->pageless) {
		a->dir = dir;
		ret = smaf_map_pageless(buf, a);
		if (ret)
			return ret;
		a->uncached = false;
		a->mapped = true;
		return 0;
	}
	ret = smaf_copy_table(&a->sgt, &buf->sgt, &a->need);
	if (ret)
		return ret;
	ret = dma_map_sgtable(a->dev, &a->sgt, dir, a->attrs);
	if (ret)
		goto free_table;
	ret = smaf_check_mapping(a);
	if (ret)
		goto unmap;
	if (buf->allocator->no_direct_map) {
		ret = smaf_make_dma_only(a);
		if (ret)
			goto unmap;
	}
	if (a->attrs & DMA_ATTR_SKIP_CPU_SYNC && !smaf_uncached(buf))
		dma_sync_sgtable_for_device(a->dev, &a->sgt, dir);
	a->dir = dir;
	a->uncached = smaf_uncached(buf);
	a->mapped = true;
	return 0;

unmap:
	dma_unmap_sgtable(a->dev, &a->sgt, dir, a->attrs);
free_table:
	sg_free_table(&a->sgt);
	return ret;
}

/**
 * smaf_unmap_attachment() - undo smaf_map_attachment()
 * @a: a mapped attachment
 *
 * Syncs for the CPU first, as a plain unmap would: what the device wrote
 * must be visible to the CPU, which no later begin_cpu_access will sync for
 * this device.
 *
 * Context: process context; the buffer lock held.
 */
void smaf_unmap_attachment(struct smaf_attachment *a)
{
	if (a->pageless) {
		smaf_unmap_pageless(a, UINT_MAX);
		sg_free_table(&a->sgt);
		a->mapped = false;
		return;
	}
	if (a->attrs & DMA_ATTR_SKIP_CPU_SYNC && !a->uncached)
		dma_sync_sgtable_for_cpu(a->dev, &a->sgt, a->dir);
	dma_unmap_sgtable(a->dev, &a->sgt, a->dir, a->attrs);
	sg_free_table(&a->sgt);
	if (a->dma_only.sgl) {
		sg_free_table(&a->dma_only);
		a->dma_only.sgl = NULL;
	}
	a->mapped = false;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * SMAF "uncached" buffers: every CPU mapping is write-combined, so the CPU
 * never holds the buffer's data in its caches and a non-coherent device
 * needs no cache maintenance.  The trade-off: CPU reads are uncached and
 * slow, CPU writes are fast only when sequential.  Good for buffers the CPU
 * fills once or never reads (display, encoder input); bad for buffers the
 * CPU reads back.
 *
 * The kernel's own mapping of the memory must agree: on x86 its direct map
 * is switched to write-combining for as long as the buffer holds the
 * memory (PAT forbids mixed types and would quietly make the user mapping
 * cacheable otherwise); elsewhere the zeroing is written back from the
 * caches once, at allocation.
 */
#define pr_fmt(fmt) "smaf: " fmt

#include <linux/dma-mapping.h>
#include <linux/mm.h>
#include <linux/scatterlist.h>
#ifdef CONFIG_X86
#include <asm/set_memory.h>
#endif

#include "smaf-internal.h"

/**
 * smaf_uncached() - must the CPU never cache @buf?
 * @buf: the buffer
 *
 * True for a buffer created uncached, and for one whose allocator says its
 * memory may not be cached (a carveout outside the direct map, where the
 * cache maintenance a non-coherent device needs cannot be done).
 *
 * Context: @buf->lock held, or @buf not yet published.
 * Return: true if every CPU mapping is write-combined and no CPU cache
 * maintenance is done.
 */
bool smaf_uncached(const struct smaf_buffer *buf)
{
	return buf->uncached || (buf->allocator && buf->allocator->cpu_uncached);
}

/**
 * smaf_uncached_prot() - the protection for a mapping of @buf
 * @buf: the buffer
 * @prot: the protection a cacheable mapping would have
 *
 * Context: as smaf_uncached().
 * Return: @prot, write-combined if smaf_uncached().
 */
pgprot_t smaf_uncached_prot(const struct smaf_buffer *buf, pgprot_t prot)
{
	return smaf_uncached(buf) ? pgprot_writecombine(prot) : prot;
}

#ifdef CONFIG_X86
static void smaf_uncached_restore(struct sg_table *sgt, unsigned int n)
{
	struct scatterlist *sg;
	unsigned int i;

	for_each_sgtable_sg(sgt, sg, i) {
		if (i == n)
			break;
		set_memory_wb((unsigned long)page_address(sg_page(sg)),
			      sg->length >> PAGE_SHIFT);
	}
}

/**
 * smaf_uncached_prepare() - make freshly allocated memory write-combined
 * @buf: an uncached buffer whose memory was just allocated (and zeroed)
 *
 * Context: process context, may sleep; @buf->lock held.
 * Return: 0 or the error of changing the memory type (-ENOMEM, -EBUSY).
 */
int smaf_uncached_prepare(struct smaf_buffer *buf)
{
	struct scatterlist *sg;
	unsigned int i;
	int ret;

	for_each_sgtable_sg(&buf->sgt, sg, i) {
		ret = set_memory_wc((unsigned long)page_address(sg_page(sg)),
				    sg->length >> PAGE_SHIFT);
		if (ret) {
			smaf_uncached_restore(&buf->sgt, i);
			return ret;
		}
	}
	return 0;
}

/**
 * smaf_uncached_flush() - write CPU writes back past the caches
 * @buf: an uncached buffer the kernel just wrote through the direct map
 *
 * Nothing to do here: the direct map itself is write-combined.
 *
 * Context: process context; @buf->lock held.
 * Return: 0.
 */
int smaf_uncached_flush(struct smaf_buffer *buf)
{
	return 0;
}

/**
 * smaf_uncached_release() - give the memory its normal type back
 * @sgt: the memory of an uncached buffer, about to be freed
 *
 * Context: process context.
 */
void smaf_uncached_release(struct sg_table *sgt)
{
	smaf_uncached_restore(sgt, UINT_MAX);
}
#else
int smaf_uncached_flush(struct smaf_buffer *buf)
{
	struct scatterlist *sg, *copy;
	struct sg_table sgt;
	unsigned int i;
	int ret;

	/*
	 * Write the zeroing back and drop the lines, as for a device, through
	 * a copy of the table: the DMA fields of @buf->sgt are its
	 * allocator's.
	 */
	ret = sg_alloc_table(&sgt, buf->sgt.orig_nents, GFP_KERNEL);
	if (ret)
		return ret;
	copy = sgt.sgl;
	for_each_sgtable_sg(&buf->sgt, sg, i) {
		sg_set_page(copy, sg_page(sg), sg->length, sg->offset);
		copy = sg_next(copy);
	}
	ret = dma_map_sgtable(smaf_dma_device(), &sgt, DMA_BIDIRECTIONAL, 0);
	if (!ret)
		dma_unmap_sgtable(smaf_dma_device(), &sgt, DMA_BIDIRECTIONAL, 0);
	sg_free_table(&sgt);
	return ret;
}

int smaf_uncached_prepare(struct smaf_buffer *buf)
{
	return smaf_uncached_flush(buf);
}

void smaf_uncached_release(struct sg_table *sgt)
{
}
#endif

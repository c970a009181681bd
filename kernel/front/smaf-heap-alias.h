/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SMAF DMA-BUF heap aliases: which /dev/dma_heap/<name> nodes SMAF offers
 * besides /dev/dma_heap/smaf, and what a buffer allocated from each is.
 * Pure logic, also built in userspace (unit tests, smafctl).
 *
 * Syntax: a list (smaf-param-list.h, commas do not separate: names may
 * contain them, as "linux,cma" does) of aliases;
 *   NAME=ATTR,ATTR,...   ATTR one of contig, dma32, uncached, secure
 *   NAME=                a plain SMAF buffer
 * NAME is 1 to 31 characters out of [A-Za-z0-9,._-], starting with a letter
 * or digit; "smaf" is taken by the node that is always there.  As in the
 * kernel's heap names, "protected," starts the name of a heap of protected
 * memory and of no other: an alias is secure if and only if its name starts
 * with it.
 */
#ifndef _SMAF_HEAP_ALIAS_H
#define _SMAF_HEAP_ALIAS_H

#ifdef __KERNEL__
#include <linux/bits.h>
#include <linux/types.h>
#else
#include <stddef.h>
#define BIT(n)	(1UL << (n))
#endif

#define SMAF_HEAP_MAX_ALIASES	24
#define SMAF_HEAP_NAME_LEN	32

#define SMAF_HEAP_CONTIG	BIT(0)		/* SMAF_HINT_CONTIGUOUS */
#define SMAF_HEAP_DMA32		BIT(1)		/* SMAF_HINT_DMA32 */
#define SMAF_HEAP_UNCACHED	BIT(2)		/* write-combined CPU mappings */
#define SMAF_HEAP_SECURE	BIT(3)		/* secure flag set at allocation */

#define SMAF_HEAP_PROTECTED	"protected,"

/*
 * The names libcamera, Android's libdmabufheap, Rockchip MPP, rpicam-apps
 * and NXP's libimxdmabuffer open, the CMA heap's name from 6.17
 * (default_cma_region), a name for protected memory, and the name of the
 * TEE's protected video heap from 6.18 (protected,secure-video).
 */
#define SMAF_HEAP_ALIASES_DEFAULT					\
	"linux,cma=contig;reserved=contig;default_cma_region=contig;"	\
	"cma=contig;vidbuf_cached=contig;"				\
	"cma-dma32=contig,dma32;cma-uncached=contig,uncached;"		\
	"cma-uncached-dma32=contig,dma32,uncached;system=;"		\
	"system-dma32=dma32;system-uncached=uncached;"			\
	"system-uncached-dma32=dma32,uncached;protected,smaf=secure;"	\
	"protected,secure-video=secure"

/**
 * struct smaf_heap_alias - one alias
 * @name:	node name under /dev/dma_heap/
 * @attrs:	SMAF_HEAP_* bits
 */
struct smaf_heap_alias {
	char name[SMAF_HEAP_NAME_LEN];
	unsigned int attrs;
};

int smaf_heap_aliases_parse(const char *spec, struct smaf_heap_alias *out,
			    unsigned int max);
int smaf_heap_attrs_format(unsigned int attrs, char *buf, size_t len);

#endif /* _SMAF_HEAP_ALIAS_H */

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SMAF's built-in allocators, one file each (as mainline's DMA-BUF heaps
 * live in heaps/): they use the interface any allocator uses
 * (<linux/smaf/allocator.h>) and, through the core's internal header
 * (smaf-internal.h), the platform facts (smaf-platform.c) and the core's
 * accounting helpers; nothing of the core uses them but module init and
 * exit (and the debugfs view of the pool, declared in smaf-internal.h).
 */
#ifndef _SMAF_ALLOCATORS_H
#define _SMAF_ALLOCATORS_H

#include <linux/gfp.h>
#include <linux/scatterlist.h>

/*
 * Allocator rankings: scattered pages from anywhere first (plentiful), then
 * scattered pages below 4 GiB, then the reserved region, then contiguous
 * ranges taken from general memory (scarce).  match() filters; ranking picks.
 */
#define SMAF_RANK_SYSTEM	40
#define SMAF_RANK_DMA32		30
#define SMAF_RANK_CARVEOUT	20
#define SMAF_RANK_CONTIG	10

/* pool.c: pre-zeroed order-8 blocks for the system allocator */
#define SMAF_POOL_ORDER	8
struct page *smaf_pool_take(void);
bool smaf_pool_give(struct page *page);
int smaf_pool_init(void);
void smaf_pool_exit(void);

/* pages.c: page chunks for system and dma32 */
int smaf_pages_alloc(struct sg_table *sgt, size_t size, gfp_t zone);
void smaf_pages_free(struct sg_table *sgt);

/* One file per allocator: register at init, unregister at exit. */
int smaf_system_init(void);
void smaf_system_exit(void);
int smaf_dma32_init(void);
void smaf_dma32_exit(void);
int smaf_contig_init(void);
void smaf_contig_exit(void);
int smaf_carveout_init(void);
void smaf_carveout_exit(void);

#endif /* _SMAF_ALLOCATORS_H */

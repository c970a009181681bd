/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * smaf-ptprobe: test-only driver that reads the caller's page tables, so
 * that tests can check how a CPU mapping of a dma-buf really caches, on any
 * kernel and architecture (ptdump needs a debug kernel, and x86 only shows
 * it).  Interface of /dev/smaf-ptprobe.
 */
#ifndef _SMAF_PTPROBE_H
#define _SMAF_PTPROBE_H

#include <linux/ioctl.h>
#include <linux/types.h>

/* struct smaf_ptprobe.cache */
#define SMAF_PTPROBE_CACHED	0	/* the architecture's normal, cached memory */
#define SMAF_PTPROBE_WC		1	/* what pgprot_writecombine() gives */
#define SMAF_PTPROBE_OTHER	2	/* any other memory type */

/**
 * struct smaf_ptprobe - the page table entry of one user address
 * @addr:	in: an address the caller maps with a PFN mapping (VM_PFNMAP)
 *		and has touched (the entry must exist)
 * @bits:	out: the entry's memory-type bits (x86: PAT/PCD/PWT; arm64:
 *		AttrIndx)
 * @cache:	out: SMAF_PTPROBE_*
 * @reserved:	must be 0
 */
struct smaf_ptprobe {
	__u64 addr;
	__u64 bits;
	__u32 cache;
	__u32 reserved;
};

/* ENOENT: no entry there; EINVAL: not a PFN mapping, or reserved set. */
#define SMAF_PTPROBE_IOC_CACHE	_IOWR('P', 0, struct smaf_ptprobe)

#endif

/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * smaf-edu: test-only driver for QEMU's "edu" PCI device (a real DMA engine
 * with a 28-bit DMA mask unless told otherwise: dma_bits=) that imports
 * dma-bufs.  Interface of /dev/smaf-edu.
 */
#ifndef _SMAF_EDU_H
#define _SMAF_EDU_H

#include <linux/ioctl.h>
#include <linux/types.h>

/**
 * struct smaf_edu_copy - copy @length bytes from one dma-buf to another
 * through the device: DMA from @src_fd into the device's memory, then from
 * there into @dst_fd, 2 KiB at a time.
 * @src_fd:	dma-buf read by the device
 * @dst_fd:	dma-buf written by the device
 * @length:	bytes, at most the smaller buffer
 * @src_dma_max: out: highest DMA address the device read from
 * @dst_dma_max: out: highest DMA address the device wrote to
 * @translated: out: 1 if an IOMMU translates the device's DMA
 * @src_pages: out: entries of the source's table that carry a struct page
 *		(an importer must not rely on them); 0 on input
 */
struct smaf_edu_copy {
	__s32 src_fd;
	__s32 dst_fd;
	__u64 length;
	__u64 src_dma_max;
	__u64 dst_dma_max;
	__u32 translated;
	__u32 src_pages;
};

#define SMAF_EDU_IOC_COPY	_IOWR('E', 0, struct smaf_edu_copy)
/* Attach the device to dma-buf fd (one per open file) and keep it attached. */
#define SMAF_EDU_IOC_ATTACH	_IOW('E', 1, __s32)
#define SMAF_EDU_IOC_DETACH	_IO('E', 2)

#endif

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

/**
 * struct smaf_edu_map - map a dma-buf for the device, count, unmap
 * @fd:		the dma-buf
 * @entries:	out: entries of the exporter's table (its physical chunks:
 *		fewer, larger chunks need fewer IOMMU page-table and IOTLB
 *		entries)
 * @segments:	out: DMA segments the device got
 * @largest:	out: bytes in the largest DMA segment
 */
struct smaf_edu_map {
	__s32 fd;
	__u32 entries;
	__u32 segments;
	__u32 reserved;
	__u64 largest;
};

#define SMAF_EDU_IOC_COPY	_IOWR('E', 0, struct smaf_edu_copy)
/* Attach the device to dma-buf fd (one per open file) and keep it attached. */
#define SMAF_EDU_IOC_ATTACH	_IOW('E', 1, __s32)
#define SMAF_EDU_IOC_DETACH	_IO('E', 2)
#define SMAF_EDU_IOC_MAP	_IOWR('E', 3, struct smaf_edu_map)

#endif

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The devices a video pipeline shares SMAF buffers with, as the example,
 * the benchmark and the tests open and drive them: DRM nodes by driver
 * (vgem), vivid's nodes, single-planar V4L2 streaming of dma-bufs, CPU
 * access brackets, and /proc/meminfo.
 */
#ifndef SMAF_MEDIA_H
#define SMAF_MEDIA_H

#include <stddef.h>
#include <stdint.h>

#include <linux/videodev2.h>

/* A field of /proc/meminfo, in KiB. */
long meminfo_kb(const char *key);
/*
 * Opens the first /dev/dri/cardN of DRM driver @driver, its path in @path;
 * -1 if none.
 */
int drm_open(const char *driver, char *path, size_t len);
/* Opens the DRM device of the vgem driver, -1 if none. */
int vgem_open(void);
/*
 * SMAF's test VM loads vivid with two instances: 0 uses videobuf2-vmalloc
 * (imports with vmap), 1 uses videobuf2-dma-contig (32-bit DMA mask, needs
 * DMA-contiguous memory: the camera case).
 */
#define VIVID_VMALLOC 0
#define VIVID_DMA_CONTIG 1
/* Opens the node of vivid instance @inst with V4L2 capability @cap, or -1. */
int vivid_open(uint32_t cap, int inst);
/* Sets a single-planar format; fills @fmt with what the driver chose. */
int v4l2_set_fmt(int fd, uint32_t type, uint32_t width, uint32_t height,
		 uint32_t fourcc, struct v4l2_format *fmt);
/* REQBUFS with V4L2_MEMORY_DMABUF; returns the count granted or -1. */
int v4l2_reqbufs_dmabuf(int fd, uint32_t type, uint32_t count);
/* Queues dma-buf @dmafd as buffer @index. */
int v4l2_qbuf_dmabuf(int fd, uint32_t type, uint32_t index, int dmafd,
		     uint32_t bytesused);
/* Dequeues a buffer, waiting at most @timeout_ms; returns its index or -1. */
int v4l2_dqbuf(int fd, uint32_t type, int timeout_ms);
/* Brackets CPU access to a dma-buf (DMA_BUF_IOCTL_SYNC). */
int dmabuf_sync(int fd, uint64_t flags);

#endif /* SMAF_MEDIA_H */

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers for the SMAF tests that run inside the test VM: TAP output and
 * access to the module's debugfs view, vgem and vivid.
 */
#ifndef SMAF_TEST_H
#define SMAF_TEST_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/videodev2.h>

/* TAP: one line per check; tap_done() prints the plan and returns the exit
 * status (0 if every check passed).
 */
void tap_ok(int pass, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void tap_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int tap_done(void);
/* Aborts the test program: the harness counts the missing plan as a failure. */
void tap_bail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#define DEBUGFS_SMAF "/sys/kernel/debug/smaf"

/* Number of live SMAF buffers in debugfs, -1 if unreadable. */
int smaf_live_buffers(void);
/* Copies field @key of the debugfs line of buffer @fd into @val. */
int smaf_buffer_field(int fd, const char *key, char *val, size_t len);
/* Numeric field @key of allocator @name in debugfs, -1 if absent. */
long smaf_allocator_stat(const char *name, const char *key);
/* A field of /proc/meminfo, in KiB. */
long meminfo_kb(const char *key);

/* Opens the DRM device of the vgem driver, -1 if none. */
int vgem_open(void);
/* Opens the vivid node with V4L2 capability @cap, -1 if none. */
int vivid_open(uint32_t cap);
/* Finds the vivid control called @name; returns its id, 0 if none. */
uint32_t vivid_find_ctrl(int fd, const char *name);
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

/* Creates a SMAF buffer through the raw ioctl; returns the fd or -1. */
int smaf_test_create(int devfd, uint64_t length, const char *name);

#endif

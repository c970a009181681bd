/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * smaf-importer: test-only driver that imports a dma-buf and maps it for
 * userspace through its own node, with dma_buf_mmap(), as DRM drivers
 * built on drm_gem_shmem or drm_gem_dma map imported objects.  Interface
 * of /dev/smaf-importer.
 */
#ifndef _SMAF_IMPORTER_H
#define _SMAF_IMPORTER_H

#include <linux/ioctl.h>
#include <linux/types.h>

/*
 * Imports the dma-buf fd pointed to into this open file, in place of the
 * one it held: mmap() of the file then maps that buffer (offset 0 is its
 * start), whatever the access mode of the fd.  EBADF: not a dma-buf.
 */
#define SMAF_IMPORTER_IOC_IMPORT	_IOW('I', 0, __s32)

#endif

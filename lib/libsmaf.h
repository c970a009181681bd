/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libsmaf - userspace access to SMAF, the Secure Memory Allocation Framework.
 *
 * Two APIs live here:
 *
 *  - the SMAF v10 API (smaf_open() ... smaf_get_allocator_name()), kept
 *    unchanged so that programs written for it build and run as they did:
 *    one process-wide connection to /dev/smaf, reference counted by
 *    smaf_open()/smaf_close();
 *
 *  - the handle API (struct smaf_device, struct smaf_allocator_info): no
 *    global state, every function returns -1 or NULL and sets errno on
 *    failure, and says who owns what it returns.
 *
 * Buffers are plain dma-buf file descriptors: share them with drivers
 * (V4L2_MEMORY_DMABUF, DRM PRIME, ...), mmap() them, close() them.
 */
#ifndef LIBSMAF_H
#define LIBSMAF_H

#include <fcntl.h>	/* O_RDWR, O_CLOEXEC for the flags arguments */
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>	/* close() for buffer fds */

#ifdef __cplusplus
extern "C" {
#endif

/* ---- SMAF v10 API --------------------------------------------------- */

/**
 * smaf_open() - open (or take another reference on) the connection to
 * /dev/smaf.
 *
 * Return: 0, or -1 with errno set (ENOENT: module not loaded).
 */
int smaf_open(void);

/** smaf_close() - drop a reference taken by smaf_open(). */
void smaf_close(void);

/**
 * smaf_create_buffer() - create a buffer; no memory is allocated yet.
 * @length: size in bytes (rounded up to pages by the kernel)
 * @flags: O_RDWR and/or O_CLOEXEC
 * @name: allocator name, or NULL to let SMAF choose on first use
 * @fd: out: the dma-buf fd, owned by the caller (close() it); -1 on error
 *
 * Return: 0, or -1 with errno set (see <linux/smaf.h>).
 */
int smaf_create_buffer(unsigned int length, unsigned int flags, char *name,
		       int *fd);

/**
 * smaf_set_secure() - set the secure flag of buffer @fd to @secure (0/1).
 * Return: 0, or -1 with errno set (EOPNOTSUPP: no secure module).
 */
int smaf_set_secure(int fd, int secure);

/** smaf_get_secure() - Return: the secure flag of @fd (0/1), or -1. */
int smaf_get_secure(int fd);

/** smaf_allocator_count() - Return: number of allocators, or -1. */
int smaf_allocator_count(void);

/**
 * smaf_get_allocator_name() - name of allocator @index (by ranking).
 * Return: a malloc()ed string the caller frees, or NULL with errno set
 * (ERANGE: no such index).
 */
char *smaf_get_allocator_name(int index);

/* ---- handle API ----------------------------------------------------- */

/** Default device node. */
#define SMAF_DEVICE_PATH "/dev/smaf"

/** An open connection to /dev/smaf. */
struct smaf_device;

/** Description of one registered allocator. */
struct smaf_allocator_info;

/**
 * smaf_device_open() - open a SMAF device node.
 * @path: device node, or NULL for SMAF_DEVICE_PATH
 *
 * Return: a handle the caller releases with smaf_device_close(), or NULL
 * with errno set.
 */
struct smaf_device *smaf_device_open(const char *path);

/** smaf_device_close() - close @dev and free the handle (NULL is a no-op). */
void smaf_device_close(struct smaf_device *dev);

/** smaf_device_get_fd() - Return: the file descriptor @dev owns. */
int smaf_device_get_fd(struct smaf_device *dev);

/**
 * smaf_device_create_buffer() - create a buffer; no memory is allocated yet.
 * @dev: the device
 * @length: size in bytes, rounded up to whole pages
 * @allocator: allocator name, or NULL to choose on first use
 * @flags: O_RDWR and/or O_CLOEXEC
 *
 * Return: a dma-buf fd owned by the caller, or -1 with errno set.
 */
int smaf_device_create_buffer(struct smaf_device *dev, uint64_t length,
			      const char *allocator, unsigned int flags);

/**
 * smaf_device_get_num_allocators() - Return: number of registered
 * allocators, or -1 with errno set.
 */
int smaf_device_get_num_allocators(struct smaf_device *dev);

/**
 * smaf_device_get_allocator_info() - describe allocator @index.
 * Allocators are ordered by decreasing ranking.
 *
 * Return: an object the caller frees with smaf_allocator_info_free(), or
 * NULL with errno set (ERANGE: no such index).
 */
struct smaf_allocator_info *
smaf_device_get_allocator_info(struct smaf_device *dev, unsigned int index);

/** smaf_allocator_info_free() - free @info (NULL is a no-op). */
void smaf_allocator_info_free(struct smaf_allocator_info *info);

/** smaf_allocator_info_get_name() - Return: name, owned by @info. */
const char *smaf_allocator_info_get_name(const struct smaf_allocator_info *info);

/** smaf_allocator_info_get_ranking() - Return: ranking, higher preferred. */
int smaf_allocator_info_get_ranking(const struct smaf_allocator_info *info);

/**
 * smaf_buffer_set_secure() - set the secure flag of buffer @fd.
 * Return: 0, or -1 with errno set (EOPNOTSUPP: no secure module, EINVAL:
 * not a SMAF buffer).
 */
int smaf_buffer_set_secure(struct smaf_device *dev, int fd, int secure);

/** smaf_buffer_get_secure() - Return: the secure flag of @fd, or -1. */
int smaf_buffer_get_secure(struct smaf_device *dev, int fd);

#ifdef __cplusplus
}
#endif

#endif /* LIBSMAF_H */

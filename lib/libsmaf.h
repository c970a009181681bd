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

#include <linux/smaf.h>	/* SMAF_HINT_*, SMAF_STATE_*, SMAF_REASON_* */

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
 * struct smaf_buffer_config - what a new buffer should be (opaque)
 *
 * Made by smaf_buffer_config_new() with length 0, flags O_RDWR | O_CLOEXEC,
 * no allocator (SMAF chooses on first use), no hint, page alignment; read
 * by smaf_device_create_buffer_from_config(), reusable.  A setter that
 * refuses its value leaves the config as it was.
 */
struct smaf_buffer_config;

/**
 * smaf_buffer_config_new() - Return: a config the caller frees with
 * smaf_buffer_config_free(), or NULL (ENOMEM).
 */
struct smaf_buffer_config *smaf_buffer_config_new(void);

/** smaf_buffer_config_free() - free @config (NULL is a no-op). */
void smaf_buffer_config_free(struct smaf_buffer_config *config);

/** smaf_buffer_config_set_length() - bytes, rounded up to whole pages. */
void smaf_buffer_config_set_length(struct smaf_buffer_config *config,
				   uint64_t length);
/** smaf_buffer_config_get_length() - Return: the length set. */
uint64_t smaf_buffer_config_get_length(const struct smaf_buffer_config *config);

/**
 * smaf_buffer_config_set_flags() - O_RDWR and/or O_CLOEXEC of the fd
 * Return: 0, or -1 with errno EINVAL for another flag.
 */
int smaf_buffer_config_set_flags(struct smaf_buffer_config *config,
				 unsigned int flags);
/** smaf_buffer_config_get_flags() - Return: the flags set. */
unsigned int smaf_buffer_config_get_flags(const struct smaf_buffer_config *config);

/**
 * smaf_buffer_config_set_allocator() - use allocator @name (copied), or
 * choose on first use (NULL)
 * Return: 0, or -1 with errno ENAMETOOLONG.
 */
int smaf_buffer_config_set_allocator(struct smaf_buffer_config *config,
				     const char *name);
/**
 * smaf_buffer_config_get_allocator() - Return: the allocator name, owned by
 * @config, or NULL if SMAF chooses.
 */
const char *smaf_buffer_config_get_allocator(const struct smaf_buffer_config *config);

/**
 * smaf_buffer_config_set_hints() - SMAF_HINT_* of <linux/smaf.h>: what
 * users that attach no device need
 * Return: 0, or -1 with errno EINVAL for an unknown hint.
 */
int smaf_buffer_config_set_hints(struct smaf_buffer_config *config,
				 uint32_t hints);
/** smaf_buffer_config_get_hints() - Return: the hints set. */
uint32_t smaf_buffer_config_get_hints(const struct smaf_buffer_config *config);

/**
 * smaf_buffer_config_set_alignment() - physical alignment of the start, a
 * power of two up to SMAF_MAX_ALIGNMENT, 0 for page alignment
 * Return: 0, or -1 with errno EINVAL.
 */
int smaf_buffer_config_set_alignment(struct smaf_buffer_config *config,
				     uint64_t alignment);
/** smaf_buffer_config_get_alignment() - Return: the alignment set. */
uint64_t smaf_buffer_config_get_alignment(const struct smaf_buffer_config *config);

/**
 * smaf_device_create_buffer_from_config() - create a buffer as @config says
 * @dev: the device
 * @config: what the buffer should be
 *
 * Sends version 1 of the create call when @config has hints or an
 * alignment, version 0 (SMAF v10's) otherwise.  No memory is allocated yet.
 *
 * Return: a dma-buf fd owned by the caller, or -1 with errno set (see
 * SMAF_IOC_CREATE in <linux/smaf.h>).
 */
int smaf_device_create_buffer_from_config(struct smaf_device *dev,
					  const struct smaf_buffer_config *config);

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

/** What SMAF tells of one buffer (SMAF_IOC_QUERY_BUFFER). */
struct smaf_buffer_info;

/**
 * smaf_buffer_get_info() - what buffer @fd is and what it got
 * @dev: the device
 * @fd: a SMAF dma-buf fd the caller holds
 *
 * A snapshot: the buffer may get memory or move afterwards.
 *
 * Return: an object the caller frees with smaf_buffer_info_free(), or NULL
 * with errno set (EBADF: @fd not open; EINVAL: not a SMAF buffer; ENOTTY:
 * a SMAF module without the query).
 */
struct smaf_buffer_info *smaf_buffer_get_info(struct smaf_device *dev, int fd);

/** smaf_buffer_info_free() - free @info (NULL is a no-op). */
void smaf_buffer_info_free(struct smaf_buffer_info *info);

/** smaf_buffer_info_get_length() - Return: size in bytes (whole pages). */
uint64_t smaf_buffer_info_get_length(const struct smaf_buffer_info *info);

/**
 * smaf_buffer_info_get_state() - Return: SMAF_STATE_* bits of <linux/smaf.h>
 * (allocated, secure, uncached, contiguous, writable).
 */
unsigned int smaf_buffer_info_get_state(const struct smaf_buffer_info *info);

/**
 * smaf_buffer_info_get_allocator() - Return: the allocator holding the
 * memory, "" without memory; owned by @info.
 */
const char *smaf_buffer_info_get_allocator(const struct smaf_buffer_info *info);

/**
 * smaf_buffer_info_get_reason() - Return: how the allocator was chosen,
 * SMAF_REASON_* of <linux/smaf.h>.
 */
int smaf_buffer_info_get_reason(const struct smaf_buffer_info *info);

/** smaf_buffer_info_get_chunks() - Return: physically contiguous chunks. */
unsigned int smaf_buffer_info_get_chunks(const struct smaf_buffer_info *info);

/**
 * smaf_buffer_info_get_last_error() - Return: the errno its last failed
 * first use got, while it has no memory; 0 otherwise.
 */
int smaf_buffer_info_get_last_error(const struct smaf_buffer_info *info);

/** smaf_buffer_info_get_migrations() - Return: moves for late devices. */
unsigned int smaf_buffer_info_get_migrations(const struct smaf_buffer_info *info);

/** smaf_buffer_info_get_refusals() - Return: refused moves. */
unsigned int smaf_buffer_info_get_refusals(const struct smaf_buffer_info *info);

/** smaf_buffer_info_get_devices() - Return: devices attached then. */
unsigned int smaf_buffer_info_get_devices(const struct smaf_buffer_info *info);

/** An allocator's usage and limits (SMAF_IOC_QUERY_ALLOCATOR). */
struct smaf_allocator_usage;

/**
 * smaf_device_get_allocator_usage() - usage and limits of allocator @index
 * @dev: the device
 * @index: 0 .. smaf_device_get_num_allocators() - 1, by decreasing ranking
 *
 * A snapshot.  Limits are SMAF_NO_LIMIT when there is none.
 *
 * Return: an object the caller frees with smaf_allocator_usage_free(), or
 * NULL with errno set (ERANGE: no such index; ENOTTY: a SMAF module
 * without the query).
 */
struct smaf_allocator_usage *
smaf_device_get_allocator_usage(struct smaf_device *dev, unsigned int index);

/** smaf_allocator_usage_free() - free @usage (NULL is a no-op). */
void smaf_allocator_usage_free(struct smaf_allocator_usage *usage);

/** smaf_allocator_usage_get_name() - Return: name, owned by @usage. */
const char *smaf_allocator_usage_get_name(const struct smaf_allocator_usage *usage);
/** smaf_allocator_usage_get_ranking() - Return: ranking, higher preferred. */
int smaf_allocator_usage_get_ranking(const struct smaf_allocator_usage *usage);
/** smaf_allocator_usage_get_buffers() - Return: buffers it backs. */
unsigned int smaf_allocator_usage_get_buffers(const struct smaf_allocator_usage *usage);
/** smaf_allocator_usage_get_bytes() - Return: bytes it backs, all users'. */
uint64_t smaf_allocator_usage_get_bytes(const struct smaf_allocator_usage *usage);
/** smaf_allocator_usage_get_user_bytes() - Return: the caller's user's bytes. */
uint64_t smaf_allocator_usage_get_user_bytes(const struct smaf_allocator_usage *usage);
/** smaf_allocator_usage_get_user_max() - Return: one unprivileged user's limit. */
uint64_t smaf_allocator_usage_get_user_max(const struct smaf_allocator_usage *usage);
/** smaf_allocator_usage_get_global_max() - Return: all users' limit. */
uint64_t smaf_allocator_usage_get_global_max(const struct smaf_allocator_usage *usage);
/** smaf_allocator_usage_get_reserve() - Return: the privileged reserve. */
uint64_t smaf_allocator_usage_get_reserve(const struct smaf_allocator_usage *usage);
/** smaf_allocator_usage_get_allocations() - Return: allocations made. */
uint64_t smaf_allocator_usage_get_allocations(const struct smaf_allocator_usage *usage);
/** smaf_allocator_usage_get_failures() - Return: allocations failed. */
uint64_t smaf_allocator_usage_get_failures(const struct smaf_allocator_usage *usage);
/** smaf_allocator_usage_get_refusals() - Return: allocations a limit refused. */
uint64_t smaf_allocator_usage_get_refusals(const struct smaf_allocator_usage *usage);

#ifdef __cplusplus
}
#endif

#endif /* LIBSMAF_H */

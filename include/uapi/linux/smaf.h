/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * SMAF - Secure Memory Allocation Framework, userspace API.
 *
 * /dev/smaf hands out dma-buf file descriptors whose backing memory is
 * allocated on first use, by the allocator that suits every device attached
 * at that moment.  This is the SMAF v10 ABI: ioctl numbers and structure
 * layouts are frozen.  Every structure starts with a version; version 0 is the
 * v10 layout.  Reserved fields must be zero.
 *
 * Errors (errno) common to every ioctl:
 *   EFAULT  the argument pointer is not readable/writable
 *   EINVAL  unknown version, non-zero reserved field, unknown flag
 *   ENOTTY  unknown ioctl
 * open(2) of /dev/smaf or of a SMAF heap node fails with ENODEV while the
 * module is still loading.
 *
 * Sharing a buffer: a device's attach (V4L2 QBUF, DRM PRIME import, ...)
 * fails with EXDEV when the buffer is allocated where the device cannot
 * reach it and cannot move (a device mapping or a vmap pins it, it is
 * secure and the secure module refuses the new memory, or the module
 * parameter migrate is N), or when the allocator named at create time
 * cannot serve the device; with ENODEV when no allocator could serve every
 * user with it; with EDQUOT or ENOSPC when the creator's limits refuse the
 * reservation it moves (see SMAF_IOC_CREATE); with the allocation's errno
 * when a move cannot allocate.
 * A first use returns its errno (see SMAF_IOC_CREATE) from the device map,
 * mmap(2), DMA_BUF_IOCTL_SYNC or vmap that made it: mmap(2) allocates, so
 * that a page fault never does and never raises SIGBUS for a limit.
 * mmap(2) needs MAP_SHARED (MAP_PRIVATE: EINVAL); PROT_WRITE on a buffer
 * created without O_RDWR: EACCES, through the dma-buf fd or an importer's
 * node (dma_buf_mmap()) alike, and mprotect(2) cannot add it later.
 */
#ifndef _UAPI_LINUX_SMAF_H
#define _UAPI_LINUX_SMAF_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define SMAF_NAME_LEN 64

/*
 * struct smaf_create_data.flags, under the names SMAF v10 gave them (v10
 * programs use them).  They expand to the open(2) flags, so the program
 * includes <fcntl.h> (or the kernel <linux/fcntl.h>) before using them.
 */
#define SMAF_RDWR	O_RDWR
#define SMAF_CLOEXEC	O_CLOEXEC

/* struct smaf_create_data.hints (version 1) */
#define SMAF_HINT_CONTIGUOUS	(1U << 0)	/* physically contiguous memory */
#define SMAF_HINT_DMA32		(1U << 1)	/* memory below 4 GiB */
#define SMAF_HINTS_ALL		(SMAF_HINT_CONTIGUOUS | SMAF_HINT_DMA32)

/* Largest struct smaf_create_data.alignment (version 1). */
#define SMAF_MAX_ALIGNMENT	(1ULL << 30)

/**
 * struct smaf_create_data - SMAF_IOC_CREATE argument
 * @version:	0 (SMAF v10) or 1 (adds @hints and @alignment)
 * @length:	buffer size in bytes, rounded up to whole pages
 * @flags:	file flags of the returned fd: only O_RDWR and O_CLOEXEC
 *		(SMAF_RDWR, SMAF_CLOEXEC); without O_RDWR the buffer is
 *		read-only (mmap with PROT_WRITE fails)
 * @reserved1:	must be 0
 * @fd:		out: the dma-buf file descriptor
 * @reserved2:	must be 0
 * @name:	optional allocator name, NUL-terminated; empty means "choose
 *		from the attached devices when the buffer is first used"
 * @hints:	version 1: SMAF_HINT_* constraints of users that cannot
 *		attach a device (software, or a device that attaches later);
 *		they are merged with the attached devices' constraints when
 *		the buffer is first used.  Must be 0 in version 0 (v10's
 *		reserved3 starts here).
 * @reserved4:	must be 0
 * @alignment:	version 1: physical alignment of the buffer's start, a power
 *		of two up to SMAF_MAX_ALIGNMENT, 0 for page alignment.  Above
 *		the page size only the contiguous allocators can honour it.
 * @reserved3:	must be 0
 *
 * No memory is allocated here, but the buffer's size is reserved on the
 * caller's limits (for the allocator a first use by the CPU would get; an
 * attach moves it where that device makes the first use go).  Errors:
 * EINVAL (length 0, bad version, flags, hints, alignment or reserved
 * field), EFBIG (length larger than the machine's RAM), ENAMETOOLONG (no
 * NUL in @name), ENOENT (no allocator of that name), EDQUOT (an
 * unprivileged caller already has the maximum number of live buffers, or
 * would exceed its limit), ENOSPC (a global limit or the privileged
 * reserve), ENOMEM, EMFILE (no free fd).
 *
 * The first use of the buffer (device map, CPU fault, vmap,
 * DMA_BUF_IOCTL_SYNC) allocates it and may fail with: EXDEV (the named
 * allocator cannot serve the users), ENODEV (no allocator can), EDQUOT (the
 * creator's limit), ENOSPC (a global limit or the privileged reserve),
 * ENOMEM, EAGAIN (the creator's recent contiguous allocations failed: retry
 * later), EINTR (fatal signal), EACCES (secure buffer: access refused, or
 * the secure module would not let the memory be zeroed at release).
 */
struct smaf_create_data {
	__u64 version;
	__u64 length;
	__u32 flags;
	__u32 reserved1;
	__s32 fd;
	__u32 reserved2;
	__u8 name[SMAF_NAME_LEN];
	__u32 hints;
	__u32 reserved4;
	__u64 alignment;
	__u8 reserved3[16];
};

/**
 * struct smaf_secure_flag - SMAF_IOC_GET/SET_SECURE_FLAG argument
 * @version:	0
 * @fd:		a dma-buf fd returned by SMAF_IOC_CREATE
 * @reserved1:	must be 0
 * @secure:	0 or 1 (out for GET, in for SET)
 * @reserved2:	must be 0
 *
 * The flag is one-way (unlike SMAF v10): it can be set before the buffer
 * is allocated or mapped by the CPU, and never cleared; SET needs a buffer
 * created with O_RDWR.  Errors: EBADF (@fd is not open, or SET on a
 * read-only buffer), EINVAL (@fd is not a SMAF buffer, @secure not 0 or 1),
 * EPERM (SET to 0 on a secure buffer; SET to 0 on any other buffer is a
 * no-op), EOPNOTSUPP (SET to 1 with no secure module registered), EBUSY
 * (SET on a buffer already allocated or CPU-mapped), EINTR (a fatal signal
 * while waiting for the buffer), EALREADY (SET to 1 on
 * a buffer that is already secure), ENOSPC (SET to 1 while the live secure
 * buffers and the quarantine below, with this buffer, would exceed SMAF's
 * quarantine_max parameter, a quarter of RAM by default: the bound on what
 * can ever be quarantined).
 *
 * CPU mappings of any SMAF buffer must be MAP_SHARED (MAP_PRIVATE: EINVAL).
 * Each mapping, vmap and process's DMA_BUF_IOCTL_SYNC start of a secure
 * buffer asks the secure module for the CPU; its mappings are not inherited
 * over fork (MADV_DOFORK: EINVAL).  A SYNC start on a secure buffer also
 * fails with EBADF (write access through an fd not open for writing) and
 * EUSERS (64 other processes hold a begun access; a process's access ends
 * at its SYNC end or when it is gone).  Its memory is zeroed at release; if
 * that is refused it is quarantined: kept out of circulation, still charged
 * to the creator, until a secure module registered later zeroes it (SMAF
 * cannot be unloaded meanwhile).
 */
struct smaf_secure_flag {
	__u64 version;
	__s32 fd;
	__u32 reserved1;
	__u32 secure;
	__u8 reserved2[44];
};

/**
 * struct smaf_info - SMAF_IOC_GET_INFO argument
 * @version:	0 (v10) or 1 (also reports @ranking)
 * @index:	which allocator to describe, 0 .. @count - 1
 * @reserved1:	must be 0
 * @count:	out: number of registered allocators
 * @reserved2:	must be 0
 * @name:	out: name of allocator @index (NUL-terminated)
 * @ranking:	out (version 1): ranking of allocator @index, higher is
 *		preferred; in version 0 this is reserved and must be 0
 * @reserved3:	must be 0
 *
 * Allocators are listed by decreasing ranking.  Errors: ERANGE
 * (@index >= @count; @count is still written back).
 */
struct smaf_info {
	__u64 version;
	__u32 index;
	__u32 reserved1;
	__u32 count;
	__u32 reserved2;
	__u8 name[SMAF_NAME_LEN];
	__s32 ranking;
	__u8 reserved3[36];
};

/* struct smaf_buffer_query.state */
#define SMAF_STATE_ALLOCATED	(1U << 0)	/* the buffer has its memory */
#define SMAF_STATE_SECURE	(1U << 1)	/* the secure flag is set */
#define SMAF_STATE_UNCACHED	(1U << 2)	/* CPU mappings are write-combined */
#define SMAF_STATE_CONTIGUOUS	(1U << 3)	/* the memory is one physical range */
#define SMAF_STATE_WRITABLE	(1U << 4)	/* created with O_RDWR */

/* struct smaf_buffer_query.reason: how the allocator was chosen */
#define SMAF_REASON_NONE	0	/* no memory yet */
#define SMAF_REASON_NAMED	1	/* named at create time */
#define SMAF_REASON_BEST_MATCH	2	/* the best ranked that serves every user */
/* better ranked ones were out of memory or at a global limit */
#define SMAF_REASON_FALLBACK	3

/**
 * struct smaf_buffer_query - SMAF_IOC_QUERY_BUFFER argument
 * @version:	0
 * @fd:		a SMAF dma-buf fd the caller holds
 * @reserved1:	must be 0
 * @length:	out: size in bytes (whole pages)
 * @state:	out: SMAF_STATE_* bits
 * @reason:	out: SMAF_REASON_*
 * @allocator:	out: the allocator that holds the memory, NUL-terminated,
 *		empty without memory
 * @chunks:	out: physically contiguous chunks of the memory, 0 without
 * @last_error:	out: errno (positive) its last failed first use returned,
 *		while it has no memory; 0 before any and once it has memory
 *		(a refused move counts in @refusals instead)
 * @migrations:	out: times the buffer moved for a device attaching late
 * @refusals:	out: times such a move was refused
 * @devices:	out: devices attached now
 * @reserved2:	must be 0
 * @reserved3:	must be 0
 *
 * Tells only about a buffer whose fd the caller holds; nothing about where
 * the memory is.  Errors: EBADF (@fd is not open), EINVAL (@fd is not a
 * SMAF buffer), EINTR (fatal signal while waiting for the buffer).
 */
struct smaf_buffer_query {
	__u64 version;
	__s32 fd;
	__u32 reserved1;
	__u64 length;
	__u32 state;
	__u32 reason;
	__u8 allocator[SMAF_NAME_LEN];
	__u32 chunks;
	__s32 last_error;
	__u32 migrations;
	__u32 refusals;
	__u32 devices;
	__u32 reserved2;
	__u8 reserved3[40];
};

/* struct smaf_allocator_query limits: no limit */
#define SMAF_NO_LIMIT		(~0ULL)

/**
 * struct smaf_allocator_query - SMAF_IOC_QUERY_ALLOCATOR argument
 * @version:	0
 * @index:	which allocator, 0 .. @count - 1, by decreasing ranking
 * @count:	out: number of registered allocators
 * @name:	out: its name, NUL-padded
 * @ranking:	out: its ranking, higher is preferred
 * @buffers:	out: buffers it backs now
 * @bytes:	out: bytes it backs now, every user's
 * @user_bytes:	out: bytes the caller's user is charged on it (memory
 *		being allocated and quarantined memory included)
 * @user_max:	out: bytes one unprivileged user may hold on it
 * @global_max:	out: bytes all users together may hold on it
 * @reserve:	out: part of @global_max only callers with CAP_IPC_LOCK use
 * @allocations: out: allocations it made since it was registered
 * @failures:	out: allocations it failed
 * @refusals:	out: allocations a limit refused
 * @reserved:	must be 0
 *
 * Limits are SMAF_NO_LIMIT when there is none; root sets them with the
 * module parameter "limits".  Errors: ERANGE (@index >= @count; @count is
 * still written back).
 */
struct smaf_allocator_query {
	__u64 version;
	__u32 index;
	__u32 count;
	__u8 name[SMAF_NAME_LEN];
	__s32 ranking;
	__u32 buffers;
	__u64 bytes;
	__u64 user_bytes;
	__u64 user_max;
	__u64 global_max;
	__u64 reserve;
	__u64 allocations;
	__u64 failures;
	__u64 refusals;
	__u8 reserved[40];
};

#define SMAF_IOC_MAGIC 'S'

#define SMAF_IOC_CREATE		 _IOWR(SMAF_IOC_MAGIC, 0, struct smaf_create_data)
#define SMAF_IOC_GET_SECURE_FLAG _IOWR(SMAF_IOC_MAGIC, 1, struct smaf_secure_flag)
#define SMAF_IOC_SET_SECURE_FLAG _IOWR(SMAF_IOC_MAGIC, 2, struct smaf_secure_flag)
#define SMAF_IOC_GET_INFO	 _IOWR(SMAF_IOC_MAGIC, 3, struct smaf_info)
#define SMAF_IOC_QUERY_BUFFER	 _IOWR(SMAF_IOC_MAGIC, 4, struct smaf_buffer_query)
#define SMAF_IOC_QUERY_ALLOCATOR _IOWR(SMAF_IOC_MAGIC, 5, struct smaf_allocator_query)

#endif /* _UAPI_LINUX_SMAF_H */

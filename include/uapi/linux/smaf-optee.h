/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * smaf-optee: what SMAF's OP-TEE secure module offers userspace on
 * /dev/smaf-optee: work the secure world itself does on a secure buffer,
 * which the normal world cannot read.  The buffer is a SMAF buffer made
 * secure while smaf-optee was SMAF's secure module; if it has no memory
 * yet, it gets it now (for the devices attached, not for the CPU; charged
 * to its creator as any).
 *
 * Errors of both ioctls: EBADF, @fd is not open; EINVAL, @fd is not a SMAF
 * buffer, @flags is not 0, or the range is empty, too long or outside the
 * buffer; EPERM, the buffer is not secure, or not smaf-optee's; EFAULT;
 * ENODEV, the TEE is gone; EOPNOTSUPP, the buffer's memory cannot be
 * shared with the secure world (outside the kernel's direct map); EINTR;
 * ENOMEM and the errors of a first use (EDQUOT, ENOSPC: see <linux/smaf.h>);
 * EIO, OP-TEE failed.
 */
#ifndef _UAPI_LINUX_SMAF_OPTEE_H
#define _UAPI_LINUX_SMAF_OPTEE_H

#include <linux/ioctl.h>
#include <linux/types.h>

/* The longest ciphertext one SMAF_OPTEE_IOC_DECRYPT takes. */
#define SMAF_OPTEE_DECRYPT_MAX	(1 << 20)
#define SMAF_OPTEE_DIGEST_LEN	32

/**
 * struct smaf_optee_decrypt - decrypt content into a secure buffer
 * @fd:		the buffer, opened for writing (else EBADF, as for
 *		SMAF's own write accesses)
 * @flags:	0
 * @offset:	where the plaintext goes in the buffer, a multiple of 16
 * @src:	user address of the ciphertext
 * @length:	its length, 1 to SMAF_OPTEE_DECRYPT_MAX
 * @iv:		the initial counter block
 *
 * AES-128-CTR with the platform's content key, which only the secure world
 * holds: the buffer holds the content's stream from its start, so the
 * counter for @offset is @iv plus @offset / 16 blocks.  What a content
 * decryption module does before a secure decoder.
 */
struct smaf_optee_decrypt {
	__s32 fd;
	__u32 flags;
	__u64 offset;
	__u64 src;
	__u64 length;
	__u8 iv[16];
};

/**
 * struct smaf_optee_hash - the SHA-256 of a secure buffer's content
 * @fd:		the buffer
 * @flags:	0
 * @offset:	start of the range hashed
 * @length:	its length, at least 1
 * @digest:	out: SHA-256 of the range, computed by the secure world
 *
 * A hash of protected content is an oracle on it: only a caller with
 * CAP_SYS_ADMIN may ask (else EPERM), to check what is inside a buffer
 * without the normal world reading it (tests, audits).
 */
struct smaf_optee_hash {
	__s32 fd;
	__u32 flags;
	__u64 offset;
	__u64 length;
	__u8 digest[SMAF_OPTEE_DIGEST_LEN];
};

#define SMAF_OPTEE_IOC_DECRYPT	_IOW('O', 0xa0, struct smaf_optee_decrypt)
#define SMAF_OPTEE_IOC_HASH	_IOWR('O', 0xa1, struct smaf_optee_hash)

#endif /* _UAPI_LINUX_SMAF_OPTEE_H */

/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * The protocol between SMAF's OP-TEE secure module (smaf-optee.ko, in the
 * normal world) and its pseudo-TA (smaf_pta.c, built into OP-TEE's core).
 * Included by both sides: plain C types only.
 *
 * Only the normal-world kernel may open a session (TEE_LOGIN_REE_KERNEL):
 * a process holding /dev/tee0 is refused with TEE_ERROR_ACCESS_DENIED.
 * 64-bit quantities travel as two 32-bit values: a = low, b = high.
 * A context belongs to the session that made it: other sessions cannot
 * name it, and it is dropped (with its grants) when that session closes.
 */
#ifndef PTA_SMAF_H
#define PTA_SMAF_H

/* 7a6d6166-5345-4355-5245-4f5054454531: "zmaf" "SECUREOPTEE1" */
#define PTA_SMAF_UUID { 0x7a6d6166, 0x5345, 0x4355, \
		{ 0x52, 0x45, 0x4f, 0x50, 0x54, 0x45, 0x45, 0x31 } }

/* Who a grant is for (the first value of the device parameter). */
#define PTA_SMAF_DEV_CPU	0	/* the normal world's CPU */
#define PTA_SMAF_DEV_STREAM	1	/* a bus master, by stream (b) */
#define PTA_SMAF_DEV_UNKNOWN	2	/* a device the kernel cannot name */

/* Directions, from the device's point of view. */
#define PTA_SMAF_READ		0x1	/* it reads the memory */
#define PTA_SMAF_WRITE		0x2	/* it writes the memory */

/*
 * PTA_SMAF_CMD_CTX_CREATE - a buffer becomes secure
 * [in]  value  a, b: its size in bytes
 * [out] value  a: the context's id (never 0)
 * TEE_ERROR_OUT_OF_MEMORY when the secure world's table is full.
 */
#define PTA_SMAF_CMD_CTX_CREATE	0

/*
 * PTA_SMAF_CMD_CTX_DESTROY - the buffer is gone; grants still held are
 * dropped (and counted as leaked in the statistics)
 * [in]  value  a: context id
 */
#define PTA_SMAF_CMD_CTX_DESTROY	1

/*
 * PTA_SMAF_CMD_GRANT - allow a device (or the CPU) to access a range
 * PTA_SMAF_CMD_REVOKE - take one grant back, same parameters
 * [in]  value  a: context id, b: PTA_SMAF_READ | PTA_SMAF_WRITE
 * [in]  value  a: PTA_SMAF_DEV_*, b: the stream id (PTA_SMAF_DEV_STREAM)
 * [in]  value  a, b: physical address of the range
 * [in]  value  a, b: its size in bytes
 * A grant on a range that is neither the normal world's memory nor
 * protected memory given out, or that the platform's policy refuses:
 * TEE_ERROR_ACCESS_DENIED.
 * A revoke of nothing granted: TEE_ERROR_ITEM_NOT_FOUND.
 */
#define PTA_SMAF_CMD_GRANT	2
#define PTA_SMAF_CMD_REVOKE	3

/*
 * PTA_SMAF_CMD_SCRUB - zero a range no one holds a grant on any more
 * [in]     value   a: context id
 * [in/out] memref  the range, registered by the kernel as shared memory
 *                  (for protected memory: a value, a, b its size)
 * [in]     value   a, b: its physical address (checked against the memref)
 * TEE_ERROR_BUSY while a grant on the range is held.
 *
 * Protected memory (PTA_SMAF_CMD_SDP_ALLOC's) cannot be shared: where a
 * memref would name a range of it, the range is named by its physical
 * address, as each command says.
 */
#define PTA_SMAF_CMD_SCRUB	4

/*
 * PTA_SMAF_CMD_STATS - what the secure world holds
 * [out] value  a: live contexts, b: grants held
 * [out] value  a: grants refused, b: grants dropped at CTX_DESTROY
 * [out] value  a, b: bytes scrubbed
 */
#define PTA_SMAF_CMD_STATS	5

/*
 * PTA_SMAF_CMD_DECRYPT - decrypt content into a secure buffer, as a content
 * decryption module does before a secure decoder: AES-128-CTR with the
 * platform's content key, which never leaves the secure world
 * [in]     value   a: context id
 * [in]     memref  the 16-byte initial counter block, then the ciphertext
 * [in/out] memref  where the plaintext goes, a range of the buffer's memory
 *                  at least as long as the ciphertext
 * [in]     value   a, b: the ciphertext's offset in the content's stream, a
 *                  multiple of 16 (the counter starts that many blocks on)
 */
#define PTA_SMAF_CMD_DECRYPT	6
/* (Protected memory: the third parameter is a value, a, b its address.) */

/*
 * PTA_SMAF_CMD_HASH - SHA-256 of a secure buffer's content, given a range
 * of its memory at a time (one hash at a time per session)
 * [in]  value   a: context id, b: PTA_SMAF_HASH_FIRST | PTA_SMAF_HASH_LAST
 * [in]  memref  the next range
 * [out] memref  32 bytes: the digest, written with PTA_SMAF_HASH_LAST
 * (Protected memory: the second parameter is a value, a, b its address,
 * and a fourth, a value, a, b its size.)
 */
#define PTA_SMAF_CMD_HASH	7
#define PTA_SMAF_HASH_FIRST	0x1
#define PTA_SMAF_HASH_LAST	0x2
#define PTA_SMAF_DIGEST_LEN	32

/*
 * Protected memory: the secure data path's region, which the normal world
 * cannot address.  Memory given out is zeroed, and zeroed again when given
 * back.
 * PTA_SMAF_CMD_SDP_INFO - where it is
 * [out] value  a, b: its physical address
 * [out] value  a, b: its size (0: no such region)
 * PTA_SMAF_CMD_SDP_ALLOC - take a physically contiguous range of it
 * [in]  value  a, b: size, a multiple of 4 KiB
 * [out] value  a, b: physical address
 * TEE_ERROR_OUT_OF_MEMORY when no such range is free.
 * PTA_SMAF_CMD_SDP_FREE - give a range back
 * [in]  value  a, b: physical address
 * [in]  value  a, b: size
 */
#define PTA_SMAF_CMD_SDP_INFO	8
#define PTA_SMAF_CMD_SDP_ALLOC	9
#define PTA_SMAF_CMD_SDP_FREE	10
#define PTA_SMAF_SDP_PAGE	4096

#endif /* PTA_SMAF_H */

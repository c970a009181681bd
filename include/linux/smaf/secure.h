/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SMAF secure module interface: how a module that controls access to memory
 * (a bus firewall driver, a TEE client) plugs into SMAF.
 *
 * One secure module at a time: it passes a struct smaf_secure_info to
 * smaf_secure_add() and gets an opaque handle, which its ops receive.  For
 * every buffer whose secure flag is set, SMAF creates a context, then asks
 * for access before any user touches the memory and gives it back
 * afterwards:
 *
 *  - a device, for every physical range of the buffer, when it maps the
 *    buffer (map_dma_buf), revoked when it unmaps;
 *  - the CPU (@dev is NULL), for each use: every mmap() (revoked when the
 *    mapping is gone), a vmap (until the vunmap), and a process's begun
 *    CPU access (DMA_BUF_IOCTL_SYNC start, until that process's end).
 *    Grants for the CPU are asked in the context of the task making the
 *    use, so the module may decide on its credentials.  CPU grants overlap:
 *    the module must count them.
 *
 * If one range is refused, every range granted for that use is revoked and
 * the use fails with the module's error (-EACCES for a refusal): nothing is
 * mapped partially.  Directions are
 * from the device's point of view: DMA_TO_DEVICE, the device (or CPU) reads
 * the memory; DMA_FROM_DEVICE, it writes it; DMA_BIDIRECTIONAL, both.
 *
 * The memory of a secure buffer is zeroed before it is freed: by the module's
 * @scrub op if it has one, else by the CPU after a write grant (dev NULL,
 * DMA_FROM_DEVICE) asked for the purpose.  A module without @scrub is asked
 * that grant (and it is given back) when the memory is allocated too: if it
 * refuses, the allocation fails with -EACCES.  If zeroing fails at release
 * all the same, the memory is quarantined: not freed, still charged to the
 * buffer's creator, until a secure module registered later scrubs it (in a
 * context of its own), or until the module says it can scrub again
 * (smaf_secure_retry_quarantine(): its secure world came back); meanwhile
 * SMAF cannot be unloaded, and no buffer is
 * made secure once the live secure buffers and the quarantine would
 * exceed SMAF's quarantine_max parameter (so the quarantine never can).
 *
 * A secure buffer moves to other memory (a device attaching late cannot
 * reach it) only if the module grants the new ranges to every CPU use that
 * holds a grant, plus a CPU read of the old ranges and a CPU write of the
 * new ones for the copy, all asked in the context of the task whose device
 * attaches.  Afterwards the old ranges' grants are revoked and they are
 * scrubbed and freed like a released buffer's: from then on they are no
 * longer the buffer's.  A context
 * holds a reference on the secure module's owner, so the module cannot be
 * unloaded while a secure buffer exists.
 *
 * The secure world itself needs no grant: smaf_secure_use() gives a module
 * a secure buffer's memory (allocated first if need be) for what the
 * secure world does on a client's behalf, such as decrypting into it.
 */
#ifndef _LINUX_SMAF_SECURE_H
#define _LINUX_SMAF_SECURE_H

#include <linux/device.h>
#include <linux/dma-direction.h>
#include <linux/module.h>
#include <linux/types.h>

struct smaf_secure;

/**
 * struct smaf_secure_ops - what a secure module implements
 * @create_ctx:	a buffer becomes secure; return a context or an ERR_PTR.
 *		@size is the buffer's size.  May sleep.
 * @destroy_ctx: the buffer is gone (every grant already revoked), or the
 *		context made to scrub quarantined memory is done with.
 * @grant_access: allow @dev (NULL: the CPU) to access [@addr, @addr +
 *		@size) in direction @dir.  Return 0, or -EACCES to refuse.
 *		Called with SMAF's buffer lock held, except for quarantined
 *		memory, which belongs to no buffer any more (scrubbed in a
 *		context of its own when a module registers); may sleep; must
 *		not call back into SMAF.
 * @revoke_access: take back one grant, with the same arguments.
 * @scrub:	optional: zero [@addr, @addr + @size) of a buffer that no
 *		device or CPU holds a grant on any more (its last use, or
 *		memory the buffer moves away from); the range then leaves
 *		the buffer.
 *		Return 0, or an error to keep the memory out of circulation.
 *		Called with SMAF's buffer lock held (or, for quarantined
 *		memory, no lock, as @grant_access); may sleep.
 *
 * Each op receives the handle smaf_secure_add() returned
 * (smaf_secure_priv() gives the module's own data back).
 */
struct smaf_secure_ops {
	void *(*create_ctx)(struct smaf_secure *sec, size_t size);
	void (*destroy_ctx)(struct smaf_secure *sec, void *ctx);
	int (*grant_access)(struct smaf_secure *sec, void *ctx,
			    struct device *dev, phys_addr_t addr, size_t size,
			    enum dma_data_direction dir);
	void (*revoke_access)(struct smaf_secure *sec, void *ctx,
			      struct device *dev, phys_addr_t addr, size_t size,
			      enum dma_data_direction dir);
	int (*scrub)(struct smaf_secure *sec, void *ctx, phys_addr_t addr,
		     size_t size);
};

/**
 * struct smaf_secure_info - what a secure module tells SMAF of itself
 * @name:	shown in debugfs and the log; non-empty, shorter than
 *		SMAF_SECURE_NAME_LEN (copied)
 * @ops:	its operations (kept: they must outlive the registration)
 * @owner:	THIS_MODULE; a secure buffer holds a reference on it
 * @priv:	the module's own data, for smaf_secure_priv()
 */
struct smaf_secure_info {
	const char *name;
	const struct smaf_secure_ops *ops;
	struct module *owner;
	void *priv;
};

#define SMAF_SECURE_NAME_LEN	32

/**
 * struct smaf_secure_range - a physically contiguous part of a buffer
 * @addr:	its start
 * @size:	its size in bytes
 */
struct smaf_secure_range {
	phys_addr_t addr;
	size_t size;
};

/*
 * What smaf_secure_use() calls: the buffer's context (as @create_ctx
 * returned it) and its @n ranges, in order.
 */
typedef int (*smaf_secure_use_fn)(struct smaf_secure *sec, void *ctx,
				  const struct smaf_secure_range *ranges,
				  unsigned int n, void *arg);

struct dma_buf;

struct smaf_secure *smaf_secure_add(const struct smaf_secure_info *info);
void smaf_secure_remove(struct smaf_secure *sec);
void *smaf_secure_priv(const struct smaf_secure *sec);
void smaf_secure_retry_quarantine(struct smaf_secure *sec);
int smaf_secure_use(struct smaf_secure *sec, struct dma_buf *dmabuf,
		    smaf_secure_use_fn use, void *arg);

#endif /* _LINUX_SMAF_SECURE_H */

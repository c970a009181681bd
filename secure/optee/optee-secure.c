// SPDX-License-Identifier: GPL-2.0
/*
 * smaf-optee's secure module ops: the context of each secure buffer, every
 * grant and revoke (of a device or of the CPU) and every scrub are calls to
 * SMAF's pseudo-TA, which keeps the grant table and decides by its
 * platform's policy.
 *
 * A device is named to the secure world by its IOMMU stream id, what a bus
 * firewall sees; a device without one is named unknown, which the
 * pseudo-TA refuses.
 */
#define pr_fmt(fmt) "smaf-optee: " fmt

#include <linux/err.h>
#include <linux/iommu.h>
#include <linux/minmax.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/smaf/secure.h>
#include <linux/tee_drv.h>

#include "optee.h"
#include "pta/pta_smaf.h"

/* SMAF's handle, from the first bind until the module unloads. */
static struct smaf_secure *smaf_optee_sec;

/**
 * smaf_optee_create_ctx() - open the secure world's context of a buffer
 * @sec:	SMAF's handle
 * @size:	the buffer's size
 *
 * Context: may sleep.
 * Return: the context, or an ERR_PTR: -ENODEV without a TEE, -ENOMEM when
 * the secure world's table is full.
 */
static void *smaf_optee_create_ctx(struct smaf_secure *sec, size_t size)
{
	struct tee_param p[4] = { };
	struct smaf_optee_ctx *ctx;
	int ret;

	ctx = kzalloc(sizeof(*ctx), GFP_KERNEL);
	if (!ctx)
		return ERR_PTR(-ENOMEM);
	smaf_optee_u64(&p[0], size);
	smaf_optee_value(&p[1], TEE_IOCTL_PARAM_ATTR_TYPE_VALUE_OUTPUT, 0, 0);
	ret = smaf_optee_call(PTA_SMAF_CMD_CTX_CREATE, p);
	if (ret) {
		kfree(ctx);
		return ERR_PTR(ret);
	}
	ctx->id = p[1].u.value.a;
	return ctx;
}

/**
 * smaf_optee_destroy_ctx() - close a buffer's context in the secure world
 * @sec:	SMAF's handle
 * @ctx:	the context
 *
 * Context: may sleep.
 */
static void smaf_optee_destroy_ctx(struct smaf_secure *sec, void *ctx)
{
	struct smaf_optee_ctx *c = ctx;
	struct tee_param p[4] = { };
	int ret;

	smaf_optee_value(&p[0], TEE_IOCTL_PARAM_ATTR_TYPE_VALUE_INPUT, c->id, 0);
	ret = smaf_optee_call(PTA_SMAF_CMD_CTX_DESTROY, p);
	if (ret && ret != -ENODEV)
		pr_err("context %u not closed: %d\n", c->id, ret);
	kfree(c);
}

/* Names @dev (NULL: the CPU) to the secure world, in @p. */
static void smaf_optee_device(struct tee_param *p, struct device *dev)
{
	struct iommu_fwspec *fwspec = dev ? dev_iommu_fwspec_get(dev) : NULL;

	if (!dev)
		smaf_optee_value(p, TEE_IOCTL_PARAM_ATTR_TYPE_VALUE_INPUT,
				 PTA_SMAF_DEV_CPU, 0);
	else if (fwspec && fwspec->num_ids)
		smaf_optee_value(p, TEE_IOCTL_PARAM_ATTR_TYPE_VALUE_INPUT,
				 PTA_SMAF_DEV_STREAM, fwspec->ids[0]);
	else
		smaf_optee_value(p, TEE_IOCTL_PARAM_ATTR_TYPE_VALUE_INPUT,
				 PTA_SMAF_DEV_UNKNOWN, 0);
}

static int smaf_optee_access(u32 cmd, void *ctx, struct device *dev,
			     phys_addr_t addr, size_t size,
			     enum dma_data_direction dir)
{
	struct smaf_optee_ctx *c = ctx;
	struct tee_param p[4] = { };
	u32 rw = 0;

	if (dir == DMA_TO_DEVICE || dir == DMA_BIDIRECTIONAL)
		rw |= PTA_SMAF_READ;
	if (dir == DMA_FROM_DEVICE || dir == DMA_BIDIRECTIONAL)
		rw |= PTA_SMAF_WRITE;
	smaf_optee_value(&p[0], TEE_IOCTL_PARAM_ATTR_TYPE_VALUE_INPUT, c->id, rw);
	smaf_optee_device(&p[1], dev);
	smaf_optee_u64(&p[2], addr);
	smaf_optee_u64(&p[3], size);
	return smaf_optee_call(cmd, p);
}

/**
 * smaf_optee_grant_access() - ask the secure world to let @dev access a range
 * @sec:	SMAF's handle
 * @ctx:	the buffer's context
 * @dev:	the device, NULL for the CPU
 * @addr:	start of the range
 * @size:	its size
 * @dir:	direction, from the device's point of view
 *
 * Context: may sleep; SMAF's buffer lock is held (see secure.h).
 * Return: 0; -EACCES when the secure world refuses (always for the CPU),
 * -ENOMEM when its table is full, -ENODEV without a TEE, -EIO when OP-TEE
 * fails.
 */
static int smaf_optee_grant_access(struct smaf_secure *sec, void *ctx,
				   struct device *dev, phys_addr_t addr,
				   size_t size, enum dma_data_direction dir)
{
	return smaf_optee_access(PTA_SMAF_CMD_GRANT, ctx, dev, addr, size, dir);
}

/**
 * smaf_optee_revoke_access() - take one grant back in the secure world
 * @sec:	SMAF's handle
 * @ctx:	the buffer's context
 * @dev:	the device, NULL for the CPU
 * @addr:	start of the range
 * @size:	its size
 * @dir:	direction, as granted
 *
 * Context: may sleep; as smaf_optee_grant_access().
 */
static void smaf_optee_revoke_access(struct smaf_secure *sec, void *ctx,
				     struct device *dev, phys_addr_t addr,
				     size_t size, enum dma_data_direction dir)
{
	int ret = smaf_optee_access(PTA_SMAF_CMD_REVOKE, ctx, dev, addr, size,
				    dir);

	if (ret && ret != -ENODEV)
		pr_err_ratelimited("revoke of %pa not done: %d\n", &addr, ret);
}

/* Shares [@addr, @addr + @size) with the secure world, which zeroes it. */
static int smaf_optee_scrub_chunk(struct smaf_optee_ctx *c, phys_addr_t addr,
				  size_t size)
{
	struct tee_param p[4] = { };
	struct tee_shm *shm;
	int ret;

	smaf_optee_value(&p[0], TEE_IOCTL_PARAM_ATTR_TYPE_VALUE_INPUT, c->id, 0);
	smaf_optee_u64(&p[2], addr);
	if (smaf_optee_sdp_contains(addr, size)) {
		/* Protected memory is named, not shared. */
		smaf_optee_u64(&p[1], size);
		return smaf_optee_call(PTA_SMAF_CMD_SCRUB, p);
	}
	shm = smaf_optee_shm_register(addr, size);
	if (IS_ERR(shm))
		return PTR_ERR(shm);
	smaf_optee_memref(&p[1], TEE_IOCTL_PARAM_ATTR_TYPE_MEMREF_INOUT, shm,
			  size);
	ret = smaf_optee_call(PTA_SMAF_CMD_SCRUB, p);
	tee_shm_free(shm);
	return ret;
}

/**
 * smaf_optee_scrub() - have the secure world zero a range
 * @sec:	SMAF's handle
 * @ctx:	the buffer's context
 * @addr:	start of the range
 * @size:	its size
 *
 * The range is shared with OP-TEE a megabyte at a time.  Memory outside
 * the kernel's direct map cannot be shared and is not scrubbed.
 *
 * Context: may sleep; SMAF's buffer lock held, or none (see secure.h).
 * Return: 0; -EOPNOTSUPP for memory outside the direct map, -EBUSY while
 * the secure world still sees a grant on it, -ENODEV without a TEE, or
 * another error of the TEE (SMAF then quarantines the memory).
 */
static int smaf_optee_scrub(struct smaf_secure *sec, void *ctx,
			    phys_addr_t addr, size_t size)
{
	size_t done, len;
	int ret;

	for (done = 0; done < size; done += len) {
		len = min_t(size_t, size - done, SMAF_OPTEE_SHARE_MAX);
		ret = smaf_optee_scrub_chunk(ctx, addr + done, len);
		if (ret)
			return ret;
	}
	return 0;
}

static const struct smaf_secure_ops smaf_optee_ops = {
	.create_ctx = smaf_optee_create_ctx,
	.destroy_ctx = smaf_optee_destroy_ctx,
	.grant_access = smaf_optee_grant_access,
	.revoke_access = smaf_optee_revoke_access,
	.scrub = smaf_optee_scrub,
};

static const struct smaf_secure_info smaf_optee_info = {
	.name = "optee",
	.ops = &smaf_optee_ops,
	.owner = THIS_MODULE,
};

/**
 * smaf_optee_secure() - SMAF's handle for this module
 *
 * Context: any.
 * Return: the handle, or NULL before smaf_optee_secure_add().
 */
struct smaf_secure *smaf_optee_secure(void)
{
	return READ_ONCE(smaf_optee_sec);
}

/**
 * smaf_optee_secure_add() - register with SMAF as its secure module
 *
 * Context: process context; the bind lock held (optee.c).
 * Return: 0, or the error of smaf_secure_add().
 */
int smaf_optee_secure_add(void)
{
	struct smaf_secure *sec = smaf_secure_add(&smaf_optee_info);

	if (IS_ERR(sec))
		return PTR_ERR(sec);
	WRITE_ONCE(smaf_optee_sec, sec);
	return 0;
}

/**
 * smaf_optee_secure_remove() - leave SMAF, if registered
 *
 * Context: module exit: no secure buffer is left.
 */
void smaf_optee_secure_remove(void)
{
	if (smaf_optee_sec)
		smaf_secure_remove(smaf_optee_sec);
}

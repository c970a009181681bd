// SPDX-License-Identifier: GPL-2.0
/*
 * smaf-optee: SMAF's secure module for OP-TEE.
 *
 * Every decision on a secure buffer goes to the secure world: the context
 * of each buffer, every grant and revoke (of a device or of the CPU) and
 * every scrub are calls to SMAF's pseudo-TA (secure/optee/pta/, protocol
 * in pta_smaf.h), which keeps the grant table and decides by its
 * platform's policy.  It never grants the normal world's CPU, so a secure
 * buffer cannot be mmap()ed, vmap()ed or synced (SMAF fails each with
 * -EACCES), and it zeroes the memory itself when the buffer gives it back.
 *
 * The module binds to the pseudo-TA's device on the TEE bus (OP-TEE lists
 * it at boot) and registers with SMAF on the first bind; it stays
 * registered until it is unloaded, which SMAF allows only when no secure
 * buffer is left.  While the TEE is gone (the optee driver unbound, or
 * OP-TEE dead) every call fails: a new secure buffer with -ENODEV, a grant
 * with -ENODEV, a scrub too (SMAF then keeps the memory in quarantine,
 * and scrubs it when the TEE is back).
 *
 * A device is named to the secure world by its IOMMU stream id, what a bus
 * firewall sees; a device without one is named unknown, which the
 * pseudo-TA refuses.  /dev/smaf-optee (optee-dev.c) lets clients have the
 * secure world work on their buffers.
 */
#define pr_fmt(fmt) "smaf-optee: " fmt

#include <linux/debugfs.h>
#include <linux/iommu.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/rwsem.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/smaf/secure.h>
#include <linux/tee_drv.h>
#include <linux/uuid.h>

#include "optee.h"
#include "pta/pta_smaf.h"

/* GlobalPlatform TEE results the pseudo-TA gives (TEE Client API). */
#define SMAF_TEE_ERROR_BAD_PARAMETERS	0xffff0006
#define SMAF_TEE_ERROR_ITEM_NOT_FOUND	0xffff0008
#define SMAF_TEE_ERROR_OUT_OF_MEMORY	0xffff000c
#define SMAF_TEE_ERROR_BUSY		0xffff000d
#define SMAF_TEE_ERROR_ACCESS_DENIED	0xffff0001

/**
 * struct smaf_optee - the module's one connection to the secure world
 * @lock:	protects @tee and @session: taken for reading around every
 *		call, for writing when the TEE comes or goes
 * @tee:	the TEE context, NULL while the TEE is gone
 * @session:	the pseudo-TA's session in @tee
 * @sec:	SMAF's handle, from the first bind until the module unloads
 *		(written at bind under smaf_optee_bind_lock, read by the ops)
 * @debugfs:	smaf_optee/ in debugfs
 */
struct smaf_optee {
	struct rw_semaphore lock;
	struct tee_context *tee;
	u32 session;
	struct smaf_secure *sec;
	struct dentry *debugfs;
};

static struct smaf_optee smaf_optee = {
	.lock = __RWSEM_INITIALIZER(smaf_optee.lock),
};

/* Serialises binds and the module's exit (one device is expected). */
static DEFINE_MUTEX(smaf_optee_bind_lock);

static int smaf_optee_errno(u32 res)
{
	switch (res) {
	case 0:
		return 0;
	case SMAF_TEE_ERROR_ACCESS_DENIED:
		return -EACCES;
	case SMAF_TEE_ERROR_OUT_OF_MEMORY:
		return -ENOMEM;
	case SMAF_TEE_ERROR_BUSY:
		return -EBUSY;
	case SMAF_TEE_ERROR_BAD_PARAMETERS:
		return -EINVAL;
	case SMAF_TEE_ERROR_ITEM_NOT_FOUND:
		return -ENOENT;
	default:	/* OP-TEE dead, or a communication error */
		return -EIO;
	}
}

/**
 * smaf_optee_value() - fill a value parameter
 * @p:		the parameter
 * @attr:	TEE_IOCTL_PARAM_ATTR_TYPE_VALUE_*
 * @a:		its first value
 * @b:		its second value
 *
 * Context: any.
 */
void smaf_optee_value(struct tee_param *p, u64 attr, u64 a, u64 b)
{
	p->attr = attr;
	p->u.value.a = a;
	p->u.value.b = b;
}

/**
 * smaf_optee_u64() - fill an input value parameter with a 64-bit quantity
 * @p:	the parameter
 * @v:	the quantity (low half in a, high half in b)
 *
 * Context: any.
 */
void smaf_optee_u64(struct tee_param *p, u64 v)
{
	smaf_optee_value(p, TEE_IOCTL_PARAM_ATTR_TYPE_VALUE_INPUT,
			 lower_32_bits(v), upper_32_bits(v));
}

/**
 * smaf_optee_call() - call the pseudo-TA
 * @cmd:	PTA_SMAF_CMD_*
 * @p:		its four parameters
 *
 * Context: process context, may sleep; takes smaf_optee.lock for reading.
 * Return: 0; -ENODEV while the TEE is gone; the kernel's error; or the
 * pseudo-TA's result as an errno.
 */
int smaf_optee_call(u32 cmd, struct tee_param p[4])
{
	struct tee_ioctl_invoke_arg arg = {
		.func = cmd,
		.num_params = 4,
	};
	int ret;

	down_read(&smaf_optee.lock);
	if (!smaf_optee.tee) {
		ret = -ENODEV;
		goto out_unlock;
	}
	arg.session = smaf_optee.session;
	ret = tee_client_invoke_func(smaf_optee.tee, &arg, p);
	if (!ret)
		ret = smaf_optee_errno(arg.ret);
out_unlock:
	up_read(&smaf_optee.lock);
	return ret;
}

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

/**
 * smaf_optee_shm_register() - share memory of a buffer with the secure world
 * @addr:	start of the range, in the kernel's direct map
 * @size:	its size, at most SMAF_OPTEE_SHARE_MAX
 *
 * Context: process context, may sleep; takes smaf_optee.lock for reading.
 * Return: the shared memory (tee_shm_free() it), or an ERR_PTR: -EOPNOTSUPP
 * for memory outside the direct map, -ENODEV while the TEE is gone.
 */
struct tee_shm *smaf_optee_shm_register(phys_addr_t addr, size_t size)
{
	struct tee_shm *shm = ERR_PTR(-ENODEV);

	if (!pfn_valid(PHYS_PFN(addr)) || !pfn_valid(PHYS_PFN(addr + size - 1)) ||
	    PageHighMem(pfn_to_page(PHYS_PFN(addr))))
		return ERR_PTR(-EOPNOTSUPP);
	down_read(&smaf_optee.lock);
	if (smaf_optee.tee)
		shm = tee_shm_register_kernel_buf(smaf_optee.tee,
						  phys_to_virt(addr), size);
	up_read(&smaf_optee.lock);
	return shm;
}

/**
 * smaf_optee_shm_alloc() - memory shared with the secure world
 * @size:	bytes
 *
 * Context: process context, may sleep; takes smaf_optee.lock for reading.
 * Return: the shared memory (tee_shm_free() it), or an ERR_PTR: -ENODEV
 * while the TEE is gone, -ENOMEM.
 */
struct tee_shm *smaf_optee_shm_alloc(size_t size)
{
	struct tee_shm *shm = ERR_PTR(-ENODEV);

	down_read(&smaf_optee.lock);
	if (smaf_optee.tee)
		shm = tee_shm_alloc_kernel_buf(smaf_optee.tee, size);
	up_read(&smaf_optee.lock);
	return shm;
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
	p[1].attr = TEE_IOCTL_PARAM_ATTR_TYPE_MEMREF_INOUT;
	p[1].u.memref.shm = shm;
	p[1].u.memref.size = size;
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

/* debugfs smaf_optee/stats: what the secure world holds, as it says. */
static int smaf_optee_stats_show(struct seq_file *m, void *unused)
{
	struct tee_param p[4] = { };
	int ret;

	smaf_optee_value(&p[0], TEE_IOCTL_PARAM_ATTR_TYPE_VALUE_OUTPUT, 0, 0);
	smaf_optee_value(&p[1], TEE_IOCTL_PARAM_ATTR_TYPE_VALUE_OUTPUT, 0, 0);
	smaf_optee_value(&p[2], TEE_IOCTL_PARAM_ATTR_TYPE_VALUE_OUTPUT, 0, 0);
	ret = smaf_optee_call(PTA_SMAF_CMD_STATS, p);
	if (ret)
		return ret;
	seq_printf(m, "contexts=%llu grants=%llu refused=%llu dropped=%llu scrubbed=%llu\n",
		   p[0].u.value.a, p[0].u.value.b, p[1].u.value.a,
		   p[1].u.value.b, p[2].u.value.a | p[2].u.value.b << 32);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(smaf_optee_stats);

/**
 * smaf_optee_secure() - SMAF's handle for this module
 *
 * Context: any.
 * Return: the handle, or NULL before the first bind.
 */
struct smaf_secure *smaf_optee_secure(void)
{
	return READ_ONCE(smaf_optee.sec);
}

static int smaf_optee_match(struct tee_ioctl_version_data *ver,
			    const void *data)
{
	return ver->impl_id == TEE_IMPL_ID_OPTEE;
}

/* Opens a context and the pseudo-TA's session: the TEE has come. */
static int smaf_optee_connect(const uuid_t *uuid)
{
	struct tee_ioctl_open_session_arg arg = {
		.clnt_login = TEE_IOCTL_LOGIN_REE_KERNEL,
	};
	struct tee_context *tee;
	int ret;

	tee = tee_client_open_context(NULL, smaf_optee_match, NULL, NULL);
	if (IS_ERR(tee))
		return PTR_ERR(tee);
	export_uuid(arg.uuid, uuid);
	ret = tee_client_open_session(tee, &arg, NULL);
	if (!ret && arg.ret)
		ret = smaf_optee_errno(arg.ret);
	if (ret)
		goto close_context;
	down_write(&smaf_optee.lock);
	smaf_optee.tee = tee;
	smaf_optee.session = arg.session;
	up_write(&smaf_optee.lock);
	return 0;

close_context:
	tee_client_close_context(tee);
	return ret;
}

/* Closes the session and the context: the TEE goes. */
static void smaf_optee_disconnect(void)
{
	struct tee_context *tee;

	down_write(&smaf_optee.lock);
	tee = smaf_optee.tee;
	smaf_optee.tee = NULL;
	up_write(&smaf_optee.lock);
	if (tee) {
		tee_client_close_session(tee, smaf_optee.session);
		tee_client_close_context(tee);
	}
}

static int smaf_optee_bind(struct tee_client_device *tdev)
{
	struct smaf_secure *sec;
	int ret;

	mutex_lock(&smaf_optee_bind_lock);
	/* One TEE: a second device of the pseudo-TA is not used. */
	ret = smaf_optee.tee ? -EBUSY : smaf_optee_connect(&tdev->id.uuid);
	if (ret) {
		dev_err(&tdev->dev, "cannot open SMAF's pseudo-TA: %d\n", ret);
		goto out_unlock;
	}
	if (!smaf_optee.sec) {
		sec = smaf_secure_add(&smaf_optee_info);
		if (IS_ERR(sec)) {
			ret = PTR_ERR(sec);
			dev_err(&tdev->dev, "SMAF refused the module: %d\n", ret);
			goto disconnect;
		}
		WRITE_ONCE(smaf_optee.sec, sec);
		smaf_optee_sdp_init();
	} else {
		/* Back: what was released while it was gone can be scrubbed. */
		smaf_secure_retry_quarantine(smaf_optee.sec);
	}
	dev_info(&tdev->dev, "secure buffers are OP-TEE's\n");
	mutex_unlock(&smaf_optee_bind_lock);
	return 0;

disconnect:
	smaf_optee_disconnect();
out_unlock:
	mutex_unlock(&smaf_optee_bind_lock);
	return ret;
}

static void smaf_optee_unbind(struct tee_client_device *tdev)
{
	mutex_lock(&smaf_optee_bind_lock);
	smaf_optee_disconnect();
	mutex_unlock(&smaf_optee_bind_lock);
	dev_info(&tdev->dev, "the TEE is gone: secure buffers fail\n");
}

#ifdef SMAF_HAVE_TEE_CLIENT_PROBE
static int smaf_optee_probe(struct tee_client_device *tdev)
{
	return smaf_optee_bind(tdev);
}

static void smaf_optee_remove(struct tee_client_device *tdev)
{
	smaf_optee_unbind(tdev);
}
#else
static int smaf_optee_probe(struct device *dev)
{
	return smaf_optee_bind(to_tee_client_device(dev));
}

static int smaf_optee_remove(struct device *dev)
{
	smaf_optee_unbind(to_tee_client_device(dev));
	return 0;
}
#endif

static const struct tee_client_device_id smaf_optee_ids[] = {
	{ UUID_INIT(0x7a6d6166, 0x5345, 0x4355,
		    0x52, 0x45, 0x4f, 0x50, 0x54, 0x45, 0x45, 0x31) },
	{ }
};
MODULE_DEVICE_TABLE(tee, smaf_optee_ids);

static struct tee_client_driver smaf_optee_driver = {
	.id_table = smaf_optee_ids,
#ifdef SMAF_HAVE_TEE_CLIENT_PROBE
	.probe = smaf_optee_probe,
	.remove = smaf_optee_remove,
	.driver = {
		.name = "smaf-optee",
	},
#else
	.driver = {
		.name = "smaf-optee",
		.bus = &tee_bus_type,
		.probe = smaf_optee_probe,
		.remove = smaf_optee_remove,
	},
#endif
};

static int __init smaf_optee_init(void)
{
	int ret;

	smaf_optee.debugfs = debugfs_create_dir("smaf_optee", NULL);
	debugfs_create_file("stats", 0400, smaf_optee.debugfs, NULL,
			    &smaf_optee_stats_fops);
#ifdef SMAF_HAVE_TEE_CLIENT_PROBE
	ret = tee_client_driver_register(&smaf_optee_driver);
#else
	ret = driver_register(&smaf_optee_driver.driver);
#endif
	if (ret)
		goto remove_debugfs;
	ret = smaf_optee_dev_init();
	if (ret)
		goto unregister_driver;
	return 0;

unregister_driver:
#ifdef SMAF_HAVE_TEE_CLIENT_PROBE
	tee_client_driver_unregister(&smaf_optee_driver);
#else
	driver_unregister(&smaf_optee_driver.driver);
#endif
remove_debugfs:
	debugfs_remove_recursive(smaf_optee.debugfs);
	return ret;
}
module_init(smaf_optee_init);

static void __exit smaf_optee_exit(void)
{
	smaf_optee_dev_exit();
#ifdef SMAF_HAVE_TEE_CLIENT_PROBE
	tee_client_driver_unregister(&smaf_optee_driver);
#else
	driver_unregister(&smaf_optee_driver.driver);
#endif
	debugfs_remove_recursive(smaf_optee.debugfs);
	/* No buffer is left: each held a reference on this module. */
	smaf_optee_sdp_exit();
	if (smaf_optee.sec)
		smaf_secure_remove(smaf_optee.sec);
}
module_exit(smaf_optee_exit);

/* dma_buf_get() for /dev/smaf-optee */
#ifdef SMAF_HAVE_NS_STRING
MODULE_IMPORT_NS("DMA_BUF");
#else
MODULE_IMPORT_NS(DMA_BUF);
#endif
MODULE_DESCRIPTION("SMAF secure module for OP-TEE");
MODULE_LICENSE("GPL");

// SPDX-License-Identifier: GPL-2.0
/*
 * smaf-optee's one connection to the secure world: the TEE context, the
 * session of SMAF's pseudo-TA in it, the calls into it and the memory
 * shared with it.  The TEE may come and go (the optee driver bound and
 * unbound): while it is gone every call fails with -ENODEV.
 */
#define pr_fmt(fmt) "smaf-optee: " fmt

#include <linux/err.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/rwsem.h>
#include <linux/tee_drv.h>
#include <linux/uuid.h>

#include "optee.h"

/* GlobalPlatform TEE results the pseudo-TA gives (TEE Client API). */
#define SMAF_TEE_ERROR_BAD_PARAMETERS	0xffff0006
#define SMAF_TEE_ERROR_ITEM_NOT_FOUND	0xffff0008
#define SMAF_TEE_ERROR_OUT_OF_MEMORY	0xffff000c
#define SMAF_TEE_ERROR_BUSY		0xffff000d
#define SMAF_TEE_ERROR_ACCESS_DENIED	0xffff0001

/**
 * struct smaf_optee_tee - the connection
 * @lock:	protects @tee and @session: taken for reading around every
 *		call, for writing when the TEE comes or goes
 * @tee:	the TEE context, NULL while the TEE is gone
 * @session:	the pseudo-TA's session in @tee
 */
struct smaf_optee_tee {
	struct rw_semaphore lock;
	struct tee_context *tee;
	u32 session;
};

static struct smaf_optee_tee smaf_optee_tee = {
	.lock = __RWSEM_INITIALIZER(smaf_optee_tee.lock),
};

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
 * smaf_optee_memref() - fill a memory reference parameter
 * @p:		the parameter
 * @attr:	TEE_IOCTL_PARAM_ATTR_TYPE_MEMREF_*
 * @shm:	the shared memory
 * @size:	bytes of it the call uses
 *
 * Context: any.
 */
void smaf_optee_memref(struct tee_param *p, u64 attr, struct tee_shm *shm,
		       size_t size)
{
	p->attr = attr;
	p->u.memref.shm = shm;
	p->u.memref.size = size;
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
 * Context: process context, may sleep; takes smaf_optee_tee.lock for reading.
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

	down_read(&smaf_optee_tee.lock);
	if (!smaf_optee_tee.tee) {
		ret = -ENODEV;
		goto out_unlock;
	}
	arg.session = smaf_optee_tee.session;
	ret = tee_client_invoke_func(smaf_optee_tee.tee, &arg, p);
	if (!ret)
		ret = smaf_optee_errno(arg.ret);
out_unlock:
	up_read(&smaf_optee_tee.lock);
	return ret;
}

/**
 * smaf_optee_shm_register() - share memory of a buffer with the secure world
 * @addr:	start of the range, in the kernel's direct map
 * @size:	its size, at most SMAF_OPTEE_SHARE_MAX
 *
 * Context: process context, may sleep; takes smaf_optee_tee.lock for reading.
 * Return: the shared memory (tee_shm_free() it), or an ERR_PTR: -EOPNOTSUPP
 * for memory outside the direct map, -ENODEV while the TEE is gone.
 */
struct tee_shm *smaf_optee_shm_register(phys_addr_t addr, size_t size)
{
	struct tee_shm *shm = ERR_PTR(-ENODEV);

	if (!pfn_valid(PHYS_PFN(addr)) || !pfn_valid(PHYS_PFN(addr + size - 1)) ||
	    PageHighMem(pfn_to_page(PHYS_PFN(addr))))
		return ERR_PTR(-EOPNOTSUPP);
	down_read(&smaf_optee_tee.lock);
	if (smaf_optee_tee.tee)
		shm = tee_shm_register_kernel_buf(smaf_optee_tee.tee,
						  phys_to_virt(addr), size);
	up_read(&smaf_optee_tee.lock);
	return shm;
}

/**
 * smaf_optee_shm_alloc() - memory shared with the secure world
 * @size:	bytes
 *
 * Context: process context, may sleep; takes smaf_optee_tee.lock for reading.
 * Return: the shared memory (tee_shm_free() it), or an ERR_PTR: -ENODEV
 * while the TEE is gone, -ENOMEM.
 */
struct tee_shm *smaf_optee_shm_alloc(size_t size)
{
	struct tee_shm *shm = ERR_PTR(-ENODEV);

	down_read(&smaf_optee_tee.lock);
	if (smaf_optee_tee.tee)
		shm = tee_shm_alloc_kernel_buf(smaf_optee_tee.tee, size);
	up_read(&smaf_optee_tee.lock);
	return shm;
}

/* Is the TEE there?  Under smaf_optee_tee.lock, for smaf_optee_connect(). */
static bool smaf_optee_connected(void)
{
	bool connected;

	down_read(&smaf_optee_tee.lock);
	connected = smaf_optee_tee.tee;
	up_read(&smaf_optee_tee.lock);
	return connected;
}

static int smaf_optee_match(struct tee_ioctl_version_data *ver,
			    const void *data)
{
	return ver->impl_id == TEE_IMPL_ID_OPTEE;
}

/**
 * smaf_optee_connect() - open a context and the pseudo-TA's session
 * @uuid: the pseudo-TA's
 *
 * Context: process context, may sleep; takes smaf_optee_tee.lock.
 * Return: 0; -EBUSY if connected already; or the TEE's error.
 */
int smaf_optee_connect(const uuid_t *uuid)
{
	struct tee_ioctl_open_session_arg arg = {
		.clnt_login = TEE_IOCTL_LOGIN_REE_KERNEL,
	};
	struct tee_context *tee;
	int ret;

	if (smaf_optee_connected())
		return -EBUSY;
	tee = tee_client_open_context(NULL, smaf_optee_match, NULL, NULL);
	if (IS_ERR(tee))
		return PTR_ERR(tee);
	export_uuid(arg.uuid, uuid);
	ret = tee_client_open_session(tee, &arg, NULL);
	if (!ret && arg.ret)
		ret = smaf_optee_errno(arg.ret);
	if (ret)
		goto close_context;
	down_write(&smaf_optee_tee.lock);
	smaf_optee_tee.tee = tee;
	smaf_optee_tee.session = arg.session;
	up_write(&smaf_optee_tee.lock);
	return 0;

close_context:
	tee_client_close_context(tee);
	return ret;
}

/**
 * smaf_optee_disconnect() - close the session and the context: the TEE goes
 *
 * Calls in progress end first; later ones fail with -ENODEV.
 *
 * Context: process context, may sleep; takes smaf_optee_tee.lock.
 */
void smaf_optee_disconnect(void)
{
	struct tee_context *tee;

	down_write(&smaf_optee_tee.lock);
	tee = smaf_optee_tee.tee;
	smaf_optee_tee.tee = NULL;
	up_write(&smaf_optee_tee.lock);
	if (tee) {
		tee_client_close_session(tee, smaf_optee_tee.session);
		tee_client_close_context(tee);
	}
}

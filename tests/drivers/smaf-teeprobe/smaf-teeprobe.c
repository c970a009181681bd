// SPDX-License-Identifier: GPL-2.0
/*
 * smaf-teeprobe: test-only driver that opens its own session to SMAF's
 * pseudo-TA, as any normal-world kernel code may, and asks it for grants
 * on ranges a test names (see smaf-teeprobe.h): the pseudo-TA must refuse
 * a range that is neither the normal world's memory nor protected memory
 * it gave out, whoever asks.
 */
#define pr_fmt(fmt) "smaf-teeprobe: " fmt

#include <linux/fs.h>
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/sizes.h>
#include <linux/tee_drv.h>
#include <linux/uaccess.h>
#include <linux/uuid.h>

#include "pta_smaf.h"
#include "smaf-teeprobe.h"

#define SMAF_TEEPROBE_CTX_SIZE	SZ_16M

static const uuid_t smaf_teeprobe_pta =
	UUID_INIT(0x7a6d6166, 0x5345, 0x4355,
		  0x52, 0x45, 0x4f, 0x50, 0x54, 0x45, 0x45, 0x31);

/* Serialises the ioctls: one session, opened per call. */
static DEFINE_MUTEX(smaf_teeprobe_lock);

static int smaf_teeprobe_match(struct tee_ioctl_version_data *ver,
			       const void *data)
{
	return ver->impl_id == TEE_IMPL_ID_OPTEE;
}

static void smaf_teeprobe_value(struct tee_param *p, u64 attr, u64 a, u64 b)
{
	p->attr = attr;
	p->u.value.a = a;
	p->u.value.b = b;
}

static void smaf_teeprobe_u64(struct tee_param *p, u64 v)
{
	smaf_teeprobe_value(p, TEE_IOCTL_PARAM_ATTR_TYPE_VALUE_INPUT,
			    lower_32_bits(v), upper_32_bits(v));
}

/* Calls @cmd in @session; the pseudo-TA's refusal as an errno. */
static int smaf_teeprobe_call(struct tee_context *tee, u32 session, u32 cmd,
			      struct tee_param p[4])
{
	struct tee_ioctl_invoke_arg arg = {
		.func = cmd,
		.session = session,
		.num_params = 4,
	};
	int ret = tee_client_invoke_func(tee, &arg, p);

	if (ret)
		return ret;
	switch (arg.ret) {
	case 0:
		return 0;
	case 0xffff0001:	/* TEE_ERROR_ACCESS_DENIED */
		return -EACCES;
	case 0xffff0006:	/* TEE_ERROR_BAD_PARAMETERS */
		return -EINVAL;
	default:
		return -EIO;
	}
}

/* Asks for @g in a context of its own, then revokes and closes it. */
static int smaf_teeprobe_grant(struct tee_context *tee, u32 session,
			       const struct smaf_teeprobe_grant *g, phys_addr_t pa,
			       u64 size)
{
	struct tee_param p[4] = { };
	u32 rw = PTA_SMAF_READ | PTA_SMAF_WRITE;
	u32 ctx;
	int ret;

	smaf_teeprobe_u64(&p[0], SMAF_TEEPROBE_CTX_SIZE);
	smaf_teeprobe_value(&p[1], TEE_IOCTL_PARAM_ATTR_TYPE_VALUE_OUTPUT, 0, 0);
	ret = smaf_teeprobe_call(tee, session, PTA_SMAF_CMD_CTX_CREATE, p);
	if (ret)
		return ret;
	ctx = p[1].u.value.a;
	memset(p, 0, sizeof(p));
	smaf_teeprobe_value(&p[0], TEE_IOCTL_PARAM_ATTR_TYPE_VALUE_INPUT, ctx, rw);
	smaf_teeprobe_value(&p[1], TEE_IOCTL_PARAM_ATTR_TYPE_VALUE_INPUT,
			    PTA_SMAF_DEV_STREAM, g->stream);
	smaf_teeprobe_u64(&p[2], pa);
	smaf_teeprobe_u64(&p[3], size);
	ret = smaf_teeprobe_call(tee, session, PTA_SMAF_CMD_GRANT, p);
	if (!ret)
		smaf_teeprobe_call(tee, session, PTA_SMAF_CMD_REVOKE, p);
	memset(p, 0, sizeof(p));
	smaf_teeprobe_value(&p[0], TEE_IOCTL_PARAM_ATTR_TYPE_VALUE_INPUT, ctx, 0);
	smaf_teeprobe_call(tee, session, PTA_SMAF_CMD_CTX_DESTROY, p);
	return ret;
}

static int smaf_teeprobe_sdp(struct tee_context *tee, u32 session,
			     struct smaf_teeprobe_sdp *sdp)
{
	struct tee_param p[4] = { };
	int ret;

	smaf_teeprobe_value(&p[0], TEE_IOCTL_PARAM_ATTR_TYPE_VALUE_OUTPUT, 0, 0);
	smaf_teeprobe_value(&p[1], TEE_IOCTL_PARAM_ATTR_TYPE_VALUE_OUTPUT, 0, 0);
	ret = smaf_teeprobe_call(tee, session, PTA_SMAF_CMD_SDP_INFO, p);
	if (ret)
		return ret;
	sdp->base = p[0].u.value.a | p[0].u.value.b << 32;
	sdp->size = p[1].u.value.a | p[1].u.value.b << 32;
	return 0;
}

static long smaf_teeprobe_do(unsigned int cmd, void __user *uarg,
			     struct tee_context *tee, u32 session)
{
	struct smaf_teeprobe_grant g;
	struct smaf_teeprobe_sdp sdp;
	struct page *page;
	int ret;

	switch (cmd) {
	case SMAF_TEEPROBE_IOC_SDP:
		ret = smaf_teeprobe_sdp(tee, session, &sdp);
		if (!ret && copy_to_user(uarg, &sdp, sizeof(sdp)))
			ret = -EFAULT;
		return ret;
	case SMAF_TEEPROBE_IOC_GRANT:
		if (copy_from_user(&g, uarg, sizeof(g)))
			return -EFAULT;
		if (g.flags & ~SMAF_TEEPROBE_OWN_PAGE)
			return -EINVAL;
		if (!(g.flags & SMAF_TEEPROBE_OWN_PAGE))
			return smaf_teeprobe_grant(tee, session, &g, g.pa, g.size);
		page = alloc_page(GFP_KERNEL);
		if (!page)
			return -ENOMEM;
		ret = smaf_teeprobe_grant(tee, session, &g, page_to_phys(page),
					  PAGE_SIZE);
		__free_page(page);
		return ret;
	default:
		return -ENOTTY;
	}
}

static long smaf_teeprobe_ioctl(struct file *file, unsigned int cmd,
				unsigned long arg)
{
	struct tee_ioctl_open_session_arg sarg = {
		.clnt_login = TEE_IOCTL_LOGIN_REE_KERNEL,
	};
	struct tee_context *tee;
	long ret;

	mutex_lock(&smaf_teeprobe_lock);
	tee = tee_client_open_context(NULL, smaf_teeprobe_match, NULL, NULL);
	if (IS_ERR(tee)) {
		ret = -ENODEV;
		goto unlock;
	}
	export_uuid(sarg.uuid, &smaf_teeprobe_pta);
	ret = tee_client_open_session(tee, &sarg, NULL);
	if (ret || sarg.ret) {
		ret = -ENODEV;
		goto close_context;
	}
	ret = smaf_teeprobe_do(cmd, (void __user *)arg, tee, sarg.session);
	tee_client_close_session(tee, sarg.session);
close_context:
	tee_client_close_context(tee);
unlock:
	mutex_unlock(&smaf_teeprobe_lock);
	return ret;
}

static const struct file_operations smaf_teeprobe_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = smaf_teeprobe_ioctl,
};

static struct miscdevice smaf_teeprobe_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "smaf-teeprobe",
	.fops = &smaf_teeprobe_fops,
	.mode = 0600,
};
module_misc_device(smaf_teeprobe_dev);

MODULE_DESCRIPTION("SMAF test driver: asks SMAF's pseudo-TA what a kernel may ask");
MODULE_LICENSE("GPL");

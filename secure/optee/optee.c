// SPDX-License-Identifier: GPL-2.0
/*
 * smaf-optee: SMAF's secure module for OP-TEE.  This file: the module, its
 * binding to the secure world and its debugfs view.
 *
 * Every decision on a secure buffer goes to the secure world: the context
 * of each buffer, every grant and revoke (of a device or of the CPU) and
 * every scrub are calls to SMAF's pseudo-TA (secure/optee/pta/, protocol
 * in pta_smaf.h; optee-secure.c, over optee-tee.c), which keeps the grant
 * table and decides by its platform's policy.  It never grants the normal world's CPU, so a secure
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
 * /dev/smaf-optee (optee-dev.c) lets clients have the secure world work on
 * their buffers; optee-sdp.c offers its protected memory to SMAF.
 */
#define pr_fmt(fmt) "smaf-optee: " fmt

#include <linux/debugfs.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>
#include <linux/smaf/secure.h>
#include <linux/tee_drv.h>
#include <linux/uuid.h>

#include "optee.h"
#include "pta/pta_smaf.h"

/* Serialises binds and the module's exit (one device is expected). */
static DEFINE_MUTEX(smaf_optee_bind_lock);
/* smaf_optee/ in debugfs. */
static struct dentry *smaf_optee_debugfs;

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

static int smaf_optee_bind(struct tee_client_device *tdev)
{
	int ret;

	mutex_lock(&smaf_optee_bind_lock);
	/* One TEE: a second device of the pseudo-TA is not used (-EBUSY). */
	ret = smaf_optee_connect(&tdev->id.uuid);
	if (ret) {
		dev_err(&tdev->dev, "cannot open SMAF's pseudo-TA: %d\n", ret);
		goto out_unlock;
	}
	if (!smaf_optee_secure()) {
		ret = smaf_optee_secure_add();
		if (ret) {
			dev_err(&tdev->dev, "SMAF refused the module: %d\n", ret);
			goto disconnect;
		}
		smaf_optee_sdp_init();
	} else {
		/* Back: what was released while it was gone can be scrubbed. */
		smaf_secure_retry_quarantine(smaf_optee_secure());
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

	smaf_optee_debugfs = debugfs_create_dir("smaf_optee", NULL);
	debugfs_create_file("stats", 0400, smaf_optee_debugfs, NULL,
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
	debugfs_remove_recursive(smaf_optee_debugfs);
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
	debugfs_remove_recursive(smaf_optee_debugfs);
	/* No buffer is left: each held a reference on this module. */
	smaf_optee_sdp_exit();
	smaf_optee_secure_remove();
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

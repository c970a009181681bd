// SPDX-License-Identifier: GPL-2.0
/*
 * SMAF - Secure Memory Allocation Framework: the /dev/smaf misc device and
 * module init/exit.
 */
#define pr_fmt(fmt) "smaf: " fmt

#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>

#include "smaf-compat.h"
#include "smaf-internal.h"
#include "allocators/allocators.h"

/*
 * Set by the last step of module init, after which nothing can fail: the
 * nodes (/dev/smaf, the heaps) open only then, so that no buffer exists
 * while init may still undo itself.  Never cleared: the module unloads
 * only once no node is open.
 */
static bool smaf_initialized;

/* May /dev/smaf be opened?  True once module init has completed. */
static bool smaf_ready(void)
{
	/* Pairs with the release in smaf_init(): all init did is seen. */
	return smp_load_acquire(&smaf_initialized);
}

/**
 * smaf_open() - open /dev/smaf
 * @inode: the device node
 * @file: the new file
 *
 * Whether the opener may use the reserve of scarce memory (CAP_IPC_LOCK) is
 * decided here, once, with the opener's credentials and without an audit
 * record: a refusal is the common case, not an event.
 *
 * Context: process context.
 * Return: 0, or -ENODEV while module init has not completed.
 */
static int smaf_open(struct inode *inode, struct file *file)
{
	if (!smaf_ready())
		return -ENODEV;
	file->private_data = ns_capable_noaudit(&init_user_ns, CAP_IPC_LOCK) ?
			     (void *)1UL : NULL;
	return 0;
}

/**
 * smaf_file_privileged() - was @file opened with CAP_IPC_LOCK?
 * @file: an open /dev/smaf
 *
 * Context: any.
 * Return: true if so.
 */
bool smaf_file_privileged(struct file *file)
{
	return file->private_data;
}

static const struct file_operations smaf_fops = {
	.owner = THIS_MODULE,
	.open = smaf_open,
	.unlocked_ioctl = smaf_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

static struct miscdevice smaf_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "smaf",
	.fops = &smaf_fops,
	/* Root only by default; dist/udev/60-smaf.rules opens it to a group. */
	.mode = 0600,
};

/*
 * What everything else uses comes first (SMAF's device, the allocators and
 * their limits), the nodes that let userspace in last.
 */
static int __init smaf_init(void)
{
	int ret;

	smaf_params_init();
	smaf_device_init();
	ret = smaf_platform_init();
	if (ret)
		return ret;
	ret = smaf_pool_init();
	if (ret)
		goto exit_platform;
	ret = smaf_system_init();
	if (ret)
		goto exit_pool;
	ret = smaf_dma32_init();
	if (ret)
		goto exit_system;
	ret = smaf_contig_init();
	if (ret)
		goto exit_dma32;
	ret = smaf_carveout_init();
	if (ret)
		goto exit_contig;
	ret = smaf_limits_init();
	if (ret)
		goto exit_carveout;
	smaf_debugfs_init();

	ret = smaf_heap_init();
	if (ret)
		goto exit_limits;
	ret = misc_register(&smaf_misc);
	if (ret)
		goto exit_heap;
	smaf_heap_enable();
	/* Publishes all of the above to smaf_open(). */
	smp_store_release(&smaf_initialized, true);
	return 0;

exit_heap:
	smaf_heap_exit();
exit_limits:
	smaf_debugfs_exit();
	smaf_limits_exit();
exit_carveout:
	smaf_carveout_exit();
exit_contig:
	smaf_contig_exit();
exit_dma32:
	smaf_dma32_exit();
exit_system:
	smaf_system_exit();
exit_pool:
	smaf_pool_exit();
exit_platform:
	smaf_platform_exit();
	return ret;
}

/* smaf_init() backwards; the quarantine, which pins SMAF, is empty. */
static void __exit smaf_exit(void)
{
	misc_deregister(&smaf_misc);
	smaf_heap_exit();
	smaf_secure_exit();
	smaf_debugfs_exit();
	smaf_limits_exit();
	smaf_carveout_exit();
	smaf_contig_exit();
	smaf_dma32_exit();
	smaf_system_exit();
	smaf_pool_exit();
	smaf_platform_exit();
}

module_init(smaf_init);
module_exit(smaf_exit);

MODULE_DESCRIPTION("SMAF: Secure Memory Allocation Framework");
MODULE_LICENSE("GPL");
SMAF_IMPORT_NS(DMA_BUF);

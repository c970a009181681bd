// SPDX-License-Identifier: GPL-2.0
/*
 * smaf-importer: test-only driver.  Each open file imports one dma-buf
 * (SMAF_IMPORTER_IOC_IMPORT) and its mmap() maps that buffer with
 * dma_buf_mmap(), the path on which the VFS never checks the buffer's own
 * access mode.  See smaf-importer.h.
 */
#define pr_fmt(fmt) "smaf-importer: " fmt

#include <linux/dma-buf.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "smaf-compat.h"
#include "smaf-importer.h"

/**
 * struct smaf_importer - one open file of /dev/smaf-importer
 * @lock:	protects @dmabuf
 * @dmabuf:	the imported buffer (a reference), or NULL
 */
struct smaf_importer {
	struct mutex lock; /* see above */
	struct dma_buf *dmabuf;
};

static int smaf_importer_open(struct inode *inode, struct file *file)
{
	struct smaf_importer *imp = kzalloc(sizeof(*imp), GFP_KERNEL);

	if (!imp)
		return -ENOMEM;
	mutex_init(&imp->lock);
	file->private_data = imp;
	return 0;
}

static int smaf_importer_release(struct inode *inode, struct file *file)
{
	struct smaf_importer *imp = file->private_data;

	if (imp->dmabuf)
		dma_buf_put(imp->dmabuf);
	mutex_destroy(&imp->lock);
	kfree(imp);
	return 0;
}

static long smaf_importer_ioctl(struct file *file, unsigned int cmd,
				unsigned long arg)
{
	struct smaf_importer *imp = file->private_data;
	struct dma_buf *dmabuf, *old;
	s32 fd;

	if (cmd != SMAF_IMPORTER_IOC_IMPORT)
		return -ENOTTY;
	if (get_user(fd, (s32 __user *)arg))
		return -EFAULT;
	dmabuf = dma_buf_get(fd);
	if (IS_ERR(dmabuf))
		return PTR_ERR(dmabuf);
	mutex_lock(&imp->lock);
	old = imp->dmabuf;
	imp->dmabuf = dmabuf;
	mutex_unlock(&imp->lock);
	if (old)
		dma_buf_put(old);
	return 0;
}

/* As drm_gem_shmem_mmap() does for an imported object. */
static int smaf_importer_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct smaf_importer *imp = file->private_data;
	int ret = -ENODEV;

	mutex_lock(&imp->lock);
	if (imp->dmabuf)
		ret = dma_buf_mmap(imp->dmabuf, vma, vma->vm_pgoff);
	mutex_unlock(&imp->lock);
	return ret;
}

static const struct file_operations smaf_importer_fops = {
	.owner = THIS_MODULE,
	.open = smaf_importer_open,
	.release = smaf_importer_release,
	.unlocked_ioctl = smaf_importer_ioctl,
	.mmap = smaf_importer_mmap,
};

static struct miscdevice smaf_importer_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "smaf-importer",
	.fops = &smaf_importer_fops,
	.mode = 0666,
};

module_misc_device(smaf_importer_dev);

SMAF_IMPORT_NS(DMA_BUF);
MODULE_DESCRIPTION("SMAF test driver: an importer that maps dma-bufs through its own node");
MODULE_LICENSE("GPL");

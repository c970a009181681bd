// SPDX-License-Identifier: GPL-2.0
/*
 * smaf-edu: test-only driver for QEMU's "edu" PCI device (1234:11e8), a real
 * DMA engine with a 28-bit DMA mask (or what QEMU's dma_mask= and the
 * dma_bits= parameter say).  It imports dma-bufs like any DMA device driver
 * (attach, map for its own struct device) and moves their data through the
 * device, so that SMAF's placement is checked by hardware (emulated) that
 * really cannot reach memory above its limit.
 */
#define pr_fmt(fmt) "smaf-edu: " fmt

#include <linux/delay.h>
#include <linux/dma-buf.h>
#include <linux/dma-mapping.h>
#include <linux/fs.h>
#include <linux/idr.h>
#include <linux/iommu.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "smaf-compat.h"
#include "smaf-edu.h"

#define EDU_IDENT		0x00
#define EDU_DMA_SRC		0x80
#define EDU_DMA_DST		0x88
#define EDU_DMA_COUNT		0x90
#define EDU_DMA_CMD		0x98
#define EDU_CMD_START		0x01
#define EDU_CMD_TO_RAM		0x02
#define EDU_BUF_ADDR		0x40000
#define EDU_BUF_SIZE		4096
/*
 * QEMU 7.2's edu refuses a transfer that ends exactly at the end of its
 * buffer (and aborts the whole VM), so move half a buffer at a time.
 */
#define EDU_XFER_MAX		(EDU_BUF_SIZE / 2)

/**
 * struct smaf_edu - the device
 * @pdev:	the PCI device
 * @regs:	BAR 0
 * @lock:	serialises use of the DMA engine
 * @id:		which edu device: 0 for the first
 * @name:	its node: smaf-edu for the first, smaf-edu<id> for others
 * @misc:	/dev/<name>
 */
struct smaf_edu {
	struct pci_dev *pdev;
	void __iomem *regs;
	struct mutex lock; /* see @lock above */
	int id;
	char name[24];
	struct miscdevice misc;
};

/**
 * struct smaf_edu_file - one open file
 * @edu:	the device it opened
 * @lock:	protects @dmabuf and @attach (threads share the file)
 * @dmabuf:	dma-buf held attached by SMAF_EDU_IOC_ATTACH, or NULL
 * @attach:	its attachment
 */
struct smaf_edu_file {
	struct smaf_edu *edu;
	struct mutex lock; /* see @lock above */
	struct dma_buf *dmabuf;
	struct dma_buf_attachment *attach;
};

/*
 * QEMU's edu reaches 28 bits unless started with -device edu,dma_mask=...;
 * tell the driver the same.  A machine without RAM below 256 MiB (arm64
 * virt) refuses a 28-bit mask outright when no IOMMU translates it.
 */
static unsigned int dma_bits = 28;
module_param(dma_bits, uint, 0444);
MODULE_PARM_DESC(dma_bits, "DMA address bits of the device (24-64, default 28)");

/*
 * PCI gives a device 64 KiB segments unless its driver says otherwise;
 * camera and display drivers behind IOMMUs usually lift that (as
 * vb2_dma_contig_set_max_seg_size() does).  0 keeps the bus's limit.
 */
static unsigned int max_segment;
module_param(max_segment, uint, 0444);
MODULE_PARM_DESC(max_segment, "largest DMA segment in bytes (default 0: the bus's, 64 KiB)");

static DEFINE_IDA(smaf_edu_ids);

static int edu_dma(struct smaf_edu *edu, dma_addr_t ram, u32 len, bool to_ram)
{
	int i;

	writeq(to_ram ? EDU_BUF_ADDR : ram, edu->regs + EDU_DMA_SRC);
	writeq(to_ram ? ram : EDU_BUF_ADDR, edu->regs + EDU_DMA_DST);
	writeq(len, edu->regs + EDU_DMA_COUNT);
	writeq(EDU_CMD_START | (to_ram ? EDU_CMD_TO_RAM : 0),
	       edu->regs + EDU_DMA_CMD);
	/* The device completes a transfer after 100 ms of virtual time. */
	for (i = 0; i < 250; i++) {
		if (!(readq(edu->regs + EDU_DMA_CMD) & EDU_CMD_START))
			return 0;
		msleep(20);
	}
	return -ETIMEDOUT;
}

/* DMA address of byte @off of a mapped table, and bytes left in its segment. */
static int edu_dma_addr(struct sg_table *sgt, u64 off, dma_addr_t *addr,
			u64 *left)
{
	struct scatterlist *sg;
	unsigned int i;

	for_each_sgtable_dma_sg(sgt, sg, i) {
		if (off < sg_dma_len(sg)) {
			*addr = sg_dma_address(sg) + off;
			*left = sg_dma_len(sg) - off;
			return 0;
		}
		off -= sg_dma_len(sg);
	}
	return -EINVAL;
}

static int edu_copy(struct smaf_edu *edu, struct sg_table *src,
		    struct sg_table *dst, struct smaf_edu_copy *c)
{
	dma_addr_t s, d;
	u64 off, sl, dl;
	u32 len;
	int ret;

	for (off = 0; off < c->length; off += len) {
		ret = edu_dma_addr(src, off, &s, &sl);
		if (!ret)
			ret = edu_dma_addr(dst, off, &d, &dl);
		if (ret)
			return ret;
		len = min3((u64)EDU_XFER_MAX, c->length - off, min(sl, dl));
		ret = edu_dma(edu, s, len, false);
		if (!ret)
			ret = edu_dma(edu, d, len, true);
		if (ret)
			return ret;
		c->src_dma_max = max_t(u64, c->src_dma_max, s + len - 1);
		c->dst_dma_max = max_t(u64, c->dst_dma_max, d + len - 1);
	}
	return 0;
}

struct edu_import {
	struct dma_buf *dmabuf;
	struct dma_buf_attachment *attach;
	struct sg_table *sgt;
	enum dma_data_direction dir;
};

static int edu_import(struct smaf_edu *edu, int fd, enum dma_data_direction dir,
		      struct edu_import *im)
{
	int ret;

	im->dir = dir;
	im->dmabuf = dma_buf_get(fd);
	if (IS_ERR(im->dmabuf))
		return PTR_ERR(im->dmabuf);
	im->attach = dma_buf_attach(im->dmabuf, &edu->pdev->dev);
	if (IS_ERR(im->attach)) {
		ret = PTR_ERR(im->attach);
		goto put;
	}
	im->sgt = smaf_import_map(im->attach, dir);
	if (IS_ERR(im->sgt)) {
		ret = PTR_ERR(im->sgt);
		goto detach;
	}
	return 0;

detach:
	dma_buf_detach(im->dmabuf, im->attach);
put:
	dma_buf_put(im->dmabuf);
	return ret;
}

static void edu_release_import(struct edu_import *im)
{
	smaf_import_unmap(im->attach, im->sgt, im->dir);
	dma_buf_detach(im->dmabuf, im->attach);
	dma_buf_put(im->dmabuf);
}

static long edu_ioctl_copy(struct smaf_edu *edu, void __user *uarg)
{
	struct edu_import src, dst;
	struct smaf_edu_copy c;
	struct iommu_domain *dom;
	struct scatterlist *sg;
	unsigned int i;
	long ret;

	if (copy_from_user(&c, uarg, sizeof(c)))
		return -EFAULT;
	if (c.src_pages || !c.length)
		return -EINVAL;
	c.src_dma_max = 0;
	c.dst_dma_max = 0;
	dom = iommu_get_domain_for_dev(&edu->pdev->dev);
	c.translated = dom && (dom->type & __IOMMU_DOMAIN_PAGING);

	ret = edu_import(edu, c.src_fd, DMA_TO_DEVICE, &src);
	if (ret)
		return ret;
	ret = edu_import(edu, c.dst_fd, DMA_FROM_DEVICE, &dst);
	if (ret)
		goto release_src;
	if (c.length > src.dmabuf->size || c.length > dst.dmabuf->size) {
		ret = -EINVAL;
		goto release_dst;
	}
	/*
	 * With CONFIG_DMABUF_DEBUG the dma-buf core scrambles the page links
	 * it hands importers (XOR ~0xff, undone at unmap): count what the
	 * exporter gave.
	 */
	for_each_sgtable_sg(src.sgt, sg, i)
		c.src_pages += IS_ENABLED(CONFIG_DMABUF_DEBUG) ?
			       !!((sg->page_link ^ ~0xffUL) & ~SG_PAGE_LINK_MASK) :
			       !!sg_page(sg);
	mutex_lock(&edu->lock);
	ret = edu_copy(edu, src.sgt, dst.sgt, &c);
	mutex_unlock(&edu->lock);
	if (!ret && copy_to_user(uarg, &c, sizeof(c)))
		ret = -EFAULT;
release_dst:
	edu_release_import(&dst);
release_src:
	edu_release_import(&src);
	return ret;
}

static long edu_ioctl_map(struct smaf_edu *edu, void __user *uarg)
{
	struct edu_import im;
	struct smaf_edu_map m;
	struct scatterlist *sg;
	unsigned int i;
	long ret;

	if (copy_from_user(&m, uarg, sizeof(m)))
		return -EFAULT;
	if (m.entries || m.segments || m.reserved || m.largest)
		return -EINVAL;
	ret = edu_import(edu, m.fd, DMA_BIDIRECTIONAL, &im);
	if (ret)
		return ret;
	m.entries = im.sgt->orig_nents;
	for_each_sgtable_dma_sg(im.sgt, sg, i) {
		m.segments++;
		m.largest = max_t(u64, m.largest, sg_dma_len(sg));
	}
	edu_release_import(&im);
	return copy_to_user(uarg, &m, sizeof(m)) ? -EFAULT : 0;
}

static long edu_attach(struct smaf_edu_file *f, int __user *ufd)
{
	struct dma_buf_attachment *attach;
	struct dma_buf *dmabuf;
	int fd;

	if (get_user(fd, ufd))
		return -EFAULT;
	if (f->dmabuf)
		return -EBUSY;
	dmabuf = dma_buf_get(fd);
	if (IS_ERR(dmabuf))
		return PTR_ERR(dmabuf);
	attach = dma_buf_attach(dmabuf, &f->edu->pdev->dev);
	if (IS_ERR(attach)) {
		dma_buf_put(dmabuf);
		return PTR_ERR(attach);
	}
	f->dmabuf = dmabuf;
	f->attach = attach;
	return 0;
}

static long edu_detach(struct smaf_edu_file *f)
{
	if (!f->dmabuf)
		return -ENOENT;
	dma_buf_detach(f->dmabuf, f->attach);
	dma_buf_put(f->dmabuf);
	f->dmabuf = NULL;
	f->attach = NULL;
	return 0;
}

static long edu_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct smaf_edu_file *f = file->private_data;
	long ret;

	switch (cmd) {
	case SMAF_EDU_IOC_COPY:
		return edu_ioctl_copy(f->edu, (void __user *)arg);
	case SMAF_EDU_IOC_MAP:
		return edu_ioctl_map(f->edu, (void __user *)arg);
	case SMAF_EDU_IOC_ATTACH:
		mutex_lock(&f->lock);
		ret = edu_attach(f, (int __user *)arg);
		mutex_unlock(&f->lock);
		return ret;
	case SMAF_EDU_IOC_DETACH:
		mutex_lock(&f->lock);
		ret = edu_detach(f);
		mutex_unlock(&f->lock);
		return ret;
	default:
		return -ENOTTY;
	}
}

static int edu_open(struct inode *inode, struct file *file)
{
	struct smaf_edu_file *f = kzalloc(sizeof(*f), GFP_KERNEL);

	if (!f)
		return -ENOMEM;
	/* misc_open() left the misc device here. */
	f->edu = container_of(file->private_data, struct smaf_edu, misc);
	mutex_init(&f->lock);
	file->private_data = f;
	return 0;
}

static int edu_release(struct inode *inode, struct file *file)
{
	struct smaf_edu_file *f = file->private_data;

	edu_detach(f);
	mutex_destroy(&f->lock);
	kfree(f);
	return 0;
}

static const struct file_operations edu_fops = {
	.owner = THIS_MODULE,
	.open = edu_open,
	.release = edu_release,
	.unlocked_ioctl = edu_ioctl,
};

static int edu_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct smaf_edu *edu;
	int ret;

	edu = devm_kzalloc(&pdev->dev, sizeof(*edu), GFP_KERNEL);
	if (!edu)
		return -ENOMEM;
	edu->pdev = pdev;
	mutex_init(&edu->lock);

	ret = pci_enable_device(pdev);
	if (ret)
		return ret;
	ret = pci_request_region(pdev, 0, "smaf-edu");
	if (ret)
		goto disable;
	edu->regs = pci_iomap(pdev, 0, 0);
	if (!edu->regs) {
		ret = -ENOMEM;
		goto release_region;
	}
	if ((readl(edu->regs + EDU_IDENT) & 0xff) != 0xed) {
		ret = -ENODEV;
		goto unmap;
	}
	pci_set_master(pdev);
	ret = -EINVAL;
	if (dma_bits < 24 || dma_bits > 64)
		goto unmap;
	ret = dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(dma_bits));
	if (ret)
		goto unmap;
	/* PCI devices always have dma_parms: this cannot fail (void on 6.12). */
	if (max_segment)
		dma_set_max_seg_size(&pdev->dev, max_segment);

	edu->id = ida_alloc(&smaf_edu_ids, GFP_KERNEL);
	if (edu->id < 0) {
		ret = edu->id;
		goto unmap;
	}
	if (edu->id)
		snprintf(edu->name, sizeof(edu->name), "smaf-edu%d", edu->id);
	else
		strscpy(edu->name, "smaf-edu", sizeof(edu->name));
	edu->misc.minor = MISC_DYNAMIC_MINOR;
	edu->misc.name = edu->name;
	edu->misc.fops = &edu_fops;
	edu->misc.mode = 0600;
	ret = misc_register(&edu->misc);
	if (ret)
		goto free_id;
	pci_set_drvdata(pdev, edu);
	dev_info(&pdev->dev, "edu DMA engine, %u-bit DMA, /dev/%s\n", dma_bits, edu->name);
	return 0;

free_id:
	ida_free(&smaf_edu_ids, edu->id);
unmap:
	pci_iounmap(pdev, edu->regs);
release_region:
	pci_release_region(pdev, 0);
disable:
	pci_disable_device(pdev);
	return ret;
}

static void edu_remove(struct pci_dev *pdev)
{
	struct smaf_edu *edu = pci_get_drvdata(pdev);

	misc_deregister(&edu->misc);
	ida_free(&smaf_edu_ids, edu->id);
	pci_iounmap(pdev, edu->regs);
	pci_release_region(pdev, 0);
	pci_disable_device(pdev);
}

static const struct pci_device_id edu_ids[] = {
	{ PCI_DEVICE(0x1234, 0x11e8) },
	{ }
};
MODULE_DEVICE_TABLE(pci, edu_ids);

static struct pci_driver edu_driver = {
	.name = "smaf-edu",
	.id_table = edu_ids,
	.probe = edu_probe,
	.remove = edu_remove,
};
module_pci_driver(edu_driver);

MODULE_DESCRIPTION("SMAF test driver for QEMU's edu DMA device");
MODULE_LICENSE("GPL");
SMAF_IMPORT_NS(DMA_BUF);

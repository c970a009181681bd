// SPDX-License-Identifier: GPL-2.0
/*
 * smaf-ptprobe: test-only driver.  Its one ioctl reads the page table entry
 * the caller has for an address of a PFN mapping (a dma-buf's CPU mapping)
 * and says which memory type it gives: cached, write-combined or other.
 * See smaf-ptprobe.h.
 */
#define pr_fmt(fmt) "smaf-ptprobe: " fmt

#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/uaccess.h>
#include <asm/pgtable.h>

#include "smaf-compat.h"
#include "smaf-ptprobe.h"

#if defined(CONFIG_X86)
#define PTPROBE_CACHE_MASK	_PAGE_CACHE_MASK
#elif defined(CONFIG_ARM64)
#define PTPROBE_CACHE_MASK	PTE_ATTRINDX_MASK
#else
#error "smaf-ptprobe knows the memory-type bits of x86 and arm64 only"
#endif

/* The memory-type bits of the entry for @addr in @vma.  mmap lock held. */
static int smaf_ptprobe_bits(struct vm_area_struct *vma, unsigned long addr,
			     u64 *bits)
{
#ifdef SMAF_HAVE_FOLLOW_PFNMAP
	struct follow_pfnmap_args args = { .vma = vma, .address = addr };

	if (follow_pfnmap_start(&args))
		return -ENOENT;
	*bits = pgprot_val(args.pgprot) & PTPROBE_CACHE_MASK;
	follow_pfnmap_end(&args);
#else
	spinlock_t *ptl;	/* the page table lock follow_pte() took */
	pte_t *ptep;

	if (follow_pte(vma->vm_mm, addr, &ptep, &ptl))
		return -ENOENT;
	*bits = pte_val(*ptep) & PTPROBE_CACHE_MASK;
	pte_unmap_unlock(ptep, ptl);
#endif
	return 0;
}

/**
 * smaf_ptprobe_ioctl() - SMAF_PTPROBE_IOC_CACHE
 * @file: the open device
 * @cmd: the command
 * @arg: user pointer to struct smaf_ptprobe
 *
 * Context: process context; takes the caller's mmap lock for reading.
 * Return: 0; -ENOTTY for another command; -EFAULT; -EINVAL when the address
 * is not in a PFN mapping or reserved is set; -ENOENT when it has no entry;
 * -EINTR.
 */
static long smaf_ptprobe_ioctl(struct file *file, unsigned int cmd,
			       unsigned long arg)
{
	const u64 wc = pgprot_val(pgprot_writecombine(__pgprot(0))) &
		       PTPROBE_CACHE_MASK;
	struct mm_struct *mm = current->mm;
	struct vm_area_struct *vma;
	struct smaf_ptprobe p;
	int ret;

	if (cmd != SMAF_PTPROBE_IOC_CACHE)
		return -ENOTTY;
	if (copy_from_user(&p, (void __user *)arg, sizeof(p)))
		return -EFAULT;
	if (p.reserved)
		return -EINVAL;
	if (mmap_read_lock_killable(mm))
		return -EINTR;
	vma = vma_lookup(mm, p.addr);
	if (!vma || !(smaf_vma_flags(vma) & VM_PFNMAP))
		ret = -EINVAL;
	else
		ret = smaf_ptprobe_bits(vma, p.addr, &p.bits);
	mmap_read_unlock(mm);
	if (ret)
		return ret;
	p.cache = p.bits == 0 ? SMAF_PTPROBE_CACHED :
		  p.bits == wc ? SMAF_PTPROBE_WC : SMAF_PTPROBE_OTHER;
	return copy_to_user((void __user *)arg, &p, sizeof(p)) ? -EFAULT : 0;
}

static const struct file_operations smaf_ptprobe_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = smaf_ptprobe_ioctl,
};

static struct miscdevice smaf_ptprobe_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "smaf-ptprobe",
	.fops = &smaf_ptprobe_fops,
	.mode = 0600,
};

module_misc_device(smaf_ptprobe_dev);

MODULE_DESCRIPTION("SMAF test driver: the memory type of a CPU mapping");
MODULE_LICENSE("GPL");

// SPDX-License-Identifier: GPL-2.0
/*
 * smaf-bench: the in-module baseline of SMAF's benchmarks (bench/): what
 * allocating a buffer costs at least, measured from userspace around one
 * ioctl.  Not a test of anything; never loaded outside `make bench`.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/gfp.h>
#include <linux/list.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/scatterlist.h>
#include <linux/sched/signal.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "smaf-bench.h"

/* The mainline system heap's orders and flags, for the same floor. */
static const unsigned int bench_orders[] = { 8, 4, 0 };
#define BENCH_HIGH_GFP	(((GFP_HIGHUSER | __GFP_ZERO | __GFP_NOWARN | \
			   __GFP_NORETRY) & ~__GFP_RECLAIM) | __GFP_COMP)
#define BENCH_LOW_GFP	(GFP_HIGHUSER | __GFP_ZERO)

static struct page *bench_largest(unsigned long left, unsigned int *order)
{
	struct page *page;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bench_orders); i++) {
		if (left < (PAGE_SIZE << bench_orders[i]))
			continue;
		page = alloc_pages(bench_orders[i] ? BENCH_HIGH_GFP : BENCH_LOW_GFP,
				   bench_orders[i]);
		if (page) {
			*order = bench_orders[i];
			return page;
		}
	}
	return NULL;
}

static void bench_free_list(struct list_head *pages)
{
	struct page *page, *tmp;

	list_for_each_entry_safe(page, tmp, pages, lru) {
		list_del(&page->lru);
		__free_pages(page, compound_order(page));
	}
}

/* Allocate, zero (at allocation), build the table, free.  Returns chunks. */
static int bench_baseline(u64 size)
{
	unsigned long left = size;
	struct scatterlist *sg;
	struct sg_table sgt;
	unsigned int order;
	struct page *page;
	LIST_HEAD(pages);
	int n = 0, ret;

	while (left) {
		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			goto free_pages;
		}
		page = bench_largest(left, &order);
		if (!page) {
			ret = -ENOMEM;
			goto free_pages;
		}
		list_add_tail(&page->lru, &pages);
		left -= PAGE_SIZE << order;
		n++;
	}
	ret = sg_alloc_table(&sgt, n, GFP_KERNEL);
	if (ret)
		goto free_pages;
	sg = sgt.sgl;
	list_for_each_entry(page, &pages, lru) {
		sg_set_page(sg, page, page_size(page), 0);
		sg = sg_next(sg);
	}
	sg_free_table(&sgt);
	ret = n;
free_pages:
	bench_free_list(&pages);
	return ret;
}

/**
 * bench_ioctl() - SMAF_BENCH_IOC_BASELINE
 * @file: /dev/smaf-bench
 * @cmd: the command
 * @arg: struct smaf_bench_baseline in userspace
 *
 * Context: process context, sleeps.
 * Return: 0, -ENOTTY, -EFAULT, -EINVAL for a bad size or reserved field,
 * -ENOMEM or -EINTR.
 */
static long bench_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct smaf_bench_baseline b;
	int ret;

	if (cmd != SMAF_BENCH_IOC_BASELINE)
		return -ENOTTY;
	if (copy_from_user(&b, (void __user *)arg, sizeof(b)))
		return -EFAULT;
	if (!b.size || b.size > SZ_1G || !PAGE_ALIGNED(b.size) || b.reserved)
		return -EINVAL;
	ret = bench_baseline(b.size);
	if (ret < 0)
		return ret;
	b.chunks = ret;
	return copy_to_user((void __user *)arg, &b, sizeof(b)) ? -EFAULT : 0;
}

static const struct file_operations bench_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = bench_ioctl,
};

static struct miscdevice bench_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "smaf-bench",
	.fops = &bench_fops,
	.mode = 0600,
};

module_misc_device(bench_misc);

MODULE_DESCRIPTION("SMAF benchmark baseline: allocate, zero, table, free");
MODULE_LICENSE("GPL");

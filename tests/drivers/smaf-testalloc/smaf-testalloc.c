// SPDX-License-Identifier: GPL-2.0
/*
 * smaf-testalloc: test-only SMAF allocator, built as a module of its own
 * against SMAF's public headers only (<linux/smaf/allocator.h>), as a
 * platform's allocator would be: the packaging lane builds it against the
 * installed smaf-dkms package.
 *
 * It serves buffers that a device shares and that need nothing contiguous,
 * when every user reaches at least 4 GiB (ranked above SMAF's own
 * allocators, 50 by default): scattered zeroed pages, at most capacity_mib
 * MiB in all, past which it reports -ENOMEM so that SMAF falls back to the
 * next allocator.  It declares that capacity as scarce, so SMAF derives its
 * limits from it: a quarter per unprivileged user, a quarter kept in
 * reserve.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/err.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/scatterlist.h>
#include <linux/sched/signal.h>

#include <linux/smaf/allocator.h>

static int ranking = 50;
module_param(ranking, int, 0444);
MODULE_PARM_DESC(ranking, "ranking among SMAF's allocators (default 50)");

static unsigned int capacity_mib = 32;
module_param(capacity_mib, uint, 0444);
MODULE_PARM_DESC(capacity_mib, "MiB it serves at most (default 32)");

/**
 * struct smaf_testalloc - the allocator's own data
 * @capacity:	bytes it serves at most
 * @used:	bytes it serves now
 */
struct smaf_testalloc {
	u64 capacity;
	atomic64_t used;
};

static struct smaf_testalloc smaf_testalloc_data;
static struct smaf_allocator *smaf_testalloc;

/**
 * smaf_testalloc_match() - a shared buffer, nothing contiguous, 4 GiB reach
 * @alloc: this allocator
 * @c: merged constraints of the buffer's users
 *
 * Context: called by SMAF with a buffer's lock held (and maybe its
 * registry lock); does not sleep.
 * Return: true if it serves @c.
 */
static bool smaf_testalloc_match(struct smaf_allocator *alloc,
				 const struct smaf_constraints *c)
{
	return c->ndevs && !c->contig && !c->align &&
	       smaf_constraints_reach(c, U32_MAX);
}

/* Frees the first @n pages of @sgt, then the table. */
static void smaf_testalloc_free_pages(struct sg_table *sgt, unsigned int n)
{
	struct scatterlist *sg;
	unsigned int i;

	for_each_sgtable_sg(sgt, sg, i) {
		if (i == n)
			break;
		__free_page(sg_page(sg));
	}
	sg_free_table(sgt);
}

/**
 * smaf_testalloc_allocate() - zeroed pages within every user's reach
 * @alloc: this allocator
 * @sgt: out: one entry per page
 * @c: constraints match() accepted
 *
 * Context: process context, may sleep; SMAF holds the buffer's lock.
 * Return: 0; -ENOMEM past the capacity or when a page is out of reach (SMAF
 * tries the next allocator); -EINTR on a fatal signal.
 */
static int smaf_testalloc_allocate(struct smaf_allocator *alloc,
				   struct sg_table *sgt,
				   const struct smaf_constraints *c)
{
	struct smaf_testalloc *t = smaf_allocator_priv(alloc);
	unsigned int npages = c->size >> PAGE_SHIFT, i;
	struct sg_table table;
	struct scatterlist *sg;
	int ret;

	if (atomic64_add_return(c->size, &t->used) > t->capacity) {
		ret = -ENOMEM;
		goto uncount;
	}
	ret = sg_alloc_table(&table, npages, GFP_KERNEL);
	if (ret)
		goto uncount;
	for_each_sgtable_sg(&table, sg, i) {
		struct page *page;

		ret = -EINTR;
		if (fatal_signal_pending(current))
			goto free_pages;
		ret = -ENOMEM;
		page = alloc_page(GFP_HIGHUSER | __GFP_ZERO | __GFP_NOWARN);
		if (!page)
			goto free_pages;
		sg_set_page(sg, page, PAGE_SIZE, 0);
		if (!smaf_constraints_reach(c, page_to_phys(page) + PAGE_SIZE - 1)) {
			i++;
			goto free_pages;
		}
	}
	*sgt = table;
	return 0;

free_pages:
	smaf_testalloc_free_pages(&table, i);
uncount:
	atomic64_sub(c->size, &t->used);
	return ret;
}

/**
 * smaf_testalloc_free() - give back what allocate() gave
 * @alloc: this allocator
 * @sgt: the table allocate() filled
 *
 * Context: process context.
 */
static void smaf_testalloc_free(struct smaf_allocator *alloc,
				struct sg_table *sgt)
{
	struct smaf_testalloc *t = smaf_allocator_priv(alloc);
	u64 size = (u64)sgt->orig_nents << PAGE_SHIFT;

	smaf_testalloc_free_pages(sgt, sgt->orig_nents);
	atomic64_sub(size, &t->used);
}

static const struct smaf_allocator_ops smaf_testalloc_ops = {
	.match = smaf_testalloc_match,
	.allocate = smaf_testalloc_allocate,
	.free = smaf_testalloc_free,
};

static int __init smaf_testalloc_init(void)
{
	struct smaf_allocator_info info = {
		.name = "testalloc",
		.ranking = ranking,
		.ops = &smaf_testalloc_ops,
		.owner = THIS_MODULE,
		.priv = &smaf_testalloc_data,
		.capacity = (u64)capacity_mib << 20,
		.scarce = true,
	};

	smaf_testalloc_data.capacity = info.capacity;
	smaf_testalloc = smaf_allocator_add(&info);
	return PTR_ERR_OR_ZERO(smaf_testalloc);
}

static void __exit smaf_testalloc_exit(void)
{
	smaf_allocator_remove(smaf_testalloc);
}

module_init(smaf_testalloc_init);
module_exit(smaf_testalloc_exit);

MODULE_DESCRIPTION("SMAF test allocator, built outside SMAF");
MODULE_LICENSE("GPL");

// SPDX-License-Identifier: GPL-2.0
/*
 * A bounded pool of pre-zeroed 1 MiB blocks (order 8) for the system
 * allocator, so that a buffer's first use does not wait for the zeroing.
 *
 * A background work item fills the pool without reclaiming (it takes only
 * memory that is free anyway) and zeroes the blocks that freed buffers give
 * back: a block is handed out only once it is zeroed, never before.  A
 * shrinker gives the pool back under memory pressure.  Pooled blocks are
 * charged to nobody, and a module cannot charge a page to a memory cgroup
 * afterwards, so the pool serves only creators whose charge would be a no-op
 * (the root cgroup, or memory cgroups disabled), and takes back only blocks
 * charged to nobody: accounting stays exact for everyone else.
 *
 * The pool keeps no scarce low memory (ZONE_DMA, ZONE_DMA32 on a machine
 * that has normal memory too): devices with a narrow DMA mask need it, the
 * buffers the pool serves do not.
 *
 * Size: the module parameter pool_mib, default 1/64 of RAM and at most
 * 256 MiB; 0 disables the pool.
 */
#define pr_fmt(fmt) "smaf: " fmt

#include <linux/gfp.h>
#include <linux/highmem.h>
#include <linux/list.h>
#include <linux/memcontrol.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/shrinker.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

#include "smaf-compat.h"
#include "smaf-internal.h"
#include "allocators.h"

/* Filled without reclaim or retry: only memory that is free anyway. */
#define SMAF_POOL_GFP \
	(((GFP_HIGHUSER | __GFP_ZERO | __GFP_NOWARN | __GFP_NORETRY) & \
	  ~__GFP_RECLAIM) | __GFP_COMP)

/*
 * Is @page low memory (ZONE_DMA, ZONE_DMA32) that devices with a narrow DMA
 * mask need, on a node that has normal memory too?  The pool does not keep
 * such blocks: it serves buffers that need no low memory.  Where all memory
 * is low (SoCs with little RAM), every block is fair game.
 */
static bool smaf_pool_scarce(struct page *page)
{
	struct zone *zone = page_zone(page);

	return zone_idx(zone) < ZONE_NORMAL &&
	       managed_zone(&zone->zone_pgdat->node_zones[ZONE_NORMAL]);
}

/**
 * struct smaf_pool - the pool
 * @lock:	protects every field below it
 * @clean:	zeroed blocks, ready to hand out
 * @dirty:	blocks given back by freed buffers, not zeroed yet
 * @nr_clean:	blocks on @clean
 * @nr_dirty:	blocks on @dirty
 * @max:	bound on @nr_clean + @nr_dirty (0: the pool is off)
 * @stopping:	module exit: no more work
 * @hits:	blocks handed out
 * @misses:	order-8 requests the pool could not serve
 * @work:	fills the pool and zeroes @dirty (on the unbound system workqueue)
 * @shrinker:	gives blocks back under memory pressure
 */
struct smaf_pool {
	spinlock_t lock; /* see @lock above */
	struct list_head clean;
	struct list_head dirty;
	unsigned long nr_clean;
	unsigned long nr_dirty;
	unsigned long max;
	bool stopping;
	unsigned long hits;
	unsigned long misses;
	struct work_struct work;
	struct shrinker *shrinker;
};

static struct smaf_pool smaf_pool = {
	.lock = __SPIN_LOCK_UNLOCKED(smaf_pool.lock),
	.clean = LIST_HEAD_INIT(smaf_pool.clean),
	.dirty = LIST_HEAD_INIT(smaf_pool.dirty),
};

static void smaf_pool_zero(struct page *page)
{
	unsigned int i;

	for (i = 0; i < (1U << SMAF_POOL_ORDER); i++) {
		clear_highpage(page + i);
		if (!(i & 63))
			cond_resched();
	}
}

/* Zeroes what freed buffers gave back, then fills the pool up. */
static void smaf_pool_work(struct work_struct *work)
{
	struct smaf_pool *p = &smaf_pool;
	struct page *page;

	for (;;) {
		spin_lock(&p->lock);
		if (p->stopping) {
			spin_unlock(&p->lock);
			return;
		}
		page = list_first_entry_or_null(&p->dirty, struct page, lru);
		if (page) {
			list_del(&page->lru);
			p->nr_dirty--;
			spin_unlock(&p->lock);
			smaf_pool_zero(page);
		} else {
			if (p->nr_clean >= p->max) {
				spin_unlock(&p->lock);
				return;
			}
			spin_unlock(&p->lock);
			page = alloc_pages(SMAF_POOL_GFP, SMAF_POOL_ORDER);
			if (!page)
				return;
			/* Normal memory has run out: leave low memory be. */
			if (smaf_pool_scarce(page)) {
				__free_pages(page, SMAF_POOL_ORDER);
				return;
			}
		}
		spin_lock(&p->lock);
		if (p->stopping || p->nr_clean + p->nr_dirty >= p->max) {
			spin_unlock(&p->lock);
			__free_pages(page, SMAF_POOL_ORDER);
			continue;
		}
		list_add(&page->lru, &p->clean);
		p->nr_clean++;
		spin_unlock(&p->lock);
		cond_resched();
	}
}

/* May the calling allocation take uncharged blocks?  See the top. */
static bool smaf_pool_may_serve(void)
{
#ifdef CONFIG_MEMCG
	struct mem_cgroup *memcg = current->active_memcg;

	return !memcg || !memcg->css.parent;
#else
	return true;
#endif
}

/**
 * smaf_pool_take() - a zeroed order-8 block, if the pool has one
 *
 * Context: process context; takes the pool lock.
 * Return: the block (a compound page, zeroed), or NULL.
 */
struct page *smaf_pool_take(void)
{
	struct smaf_pool *p = &smaf_pool;
	struct page *page;

	if (!p->max || !smaf_pool_may_serve())
		return NULL;
	spin_lock(&p->lock);
	page = list_first_entry_or_null(&p->clean, struct page, lru);
	if (page) {
		list_del(&page->lru);
		p->nr_clean--;
		p->hits++;
	} else {
		p->misses++;
	}
	spin_unlock(&p->lock);
	queue_work(SMAF_UNBOUND_WQ, &p->work);
	return page;
}

/**
 * smaf_pool_give() - offer a freed block to the pool
 * @page: an order-8 compound page a buffer no longer uses, possibly dirty
 *
 * The pool takes it if it has room, the block is charged to nobody and it
 * is not scarce low memory (smaf_pool_scarce()); it is zeroed in the
 * background before anyone gets it again.
 *
 * Context: process context; takes the pool lock.
 * Return: true if the pool took @page, false if the caller must free it.
 */
bool smaf_pool_give(struct page *page)
{
	struct smaf_pool *p = &smaf_pool;
	bool taken = false;

	if (!p->max || compound_order(page) != SMAF_POOL_ORDER || smaf_pool_scarce(page))
		return false;
#ifdef CONFIG_MEMCG
	if (page->memcg_data)
		return false;
#endif
	spin_lock(&p->lock);
	if (!p->stopping && p->nr_clean + p->nr_dirty < p->max) {
		list_add_tail(&page->lru, &p->dirty);
		p->nr_dirty++;
		taken = true;
	}
	spin_unlock(&p->lock);
	if (taken)
		queue_work(SMAF_UNBOUND_WQ, &p->work);
	return taken;
}

/* Frees up to @n blocks, dirty ones first.  Returns how many. */
static unsigned long smaf_pool_drain(unsigned long n)
{
	struct smaf_pool *p = &smaf_pool;
	unsigned long freed = 0;
	struct page *page;

	while (freed < n) {
		spin_lock(&p->lock);
		page = list_first_entry_or_null(&p->dirty, struct page, lru);
		if (page) {
			p->nr_dirty--;
		} else {
			page = list_first_entry_or_null(&p->clean, struct page, lru);
			if (page)
				p->nr_clean--;
		}
		if (page)
			list_del(&page->lru);
		spin_unlock(&p->lock);
		if (!page)
			break;
		__free_pages(page, SMAF_POOL_ORDER);
		freed++;
	}
	return freed;
}

static unsigned long smaf_pool_count(struct shrinker *s,
				     struct shrink_control *sc)
{
	unsigned long n = READ_ONCE(smaf_pool.nr_clean) + READ_ONCE(smaf_pool.nr_dirty);

	return n ? n << SMAF_POOL_ORDER : SHRINK_EMPTY;
}

static unsigned long smaf_pool_scan(struct shrinker *s,
				    struct shrink_control *sc)
{
	unsigned long blocks = DIV_ROUND_UP(sc->nr_to_scan, 1UL << SMAF_POOL_ORDER);
	unsigned long freed = smaf_pool_drain(blocks);

	return freed ? freed << SMAF_POOL_ORDER : SHRINK_STOP;
}

#ifdef SMAF_HAVE_SHRINKER_ALLOC
static int smaf_pool_shrinker_add(void)
{
	smaf_pool.shrinker = shrinker_alloc(0, "smaf-pool");
	if (!smaf_pool.shrinker)
		return -ENOMEM;
	smaf_pool.shrinker->count_objects = smaf_pool_count;
	smaf_pool.shrinker->scan_objects = smaf_pool_scan;
	shrinker_register(smaf_pool.shrinker);
	return 0;
}

static void smaf_pool_shrinker_del(void)
{
	shrinker_free(smaf_pool.shrinker);
}
#else
static struct shrinker smaf_pool_shrinker_mem = {
	.count_objects = smaf_pool_count,
	.scan_objects = smaf_pool_scan,
	.seeks = DEFAULT_SEEKS,
};

static int smaf_pool_shrinker_add(void)
{
	smaf_pool.shrinker = &smaf_pool_shrinker_mem;
	return register_shrinker(smaf_pool.shrinker, "smaf-pool");
}

static void smaf_pool_shrinker_del(void)
{
	unregister_shrinker(smaf_pool.shrinker);
}
#endif

/**
 * smaf_pool_show() - print the pool's state
 * @s: debugfs file
 *
 * low_bytes: pooled blocks of scarce low memory, always 0.
 *
 * Context: process context; takes the pool lock.
 */
void smaf_pool_show(struct seq_file *s)
{
	struct smaf_pool *p = &smaf_pool;
	unsigned long low = 0;
	struct page *page;

	spin_lock(&p->lock);
	list_for_each_entry(page, &p->clean, lru)
		low += smaf_pool_scarce(page);
	list_for_each_entry(page, &p->dirty, lru)
		low += smaf_pool_scarce(page);
	seq_printf(s, "max_bytes=%lu clean_bytes=%lu dirty_bytes=%lu hits=%lu misses=%lu low_bytes=%lu\n",
		   p->max << (SMAF_POOL_ORDER + PAGE_SHIFT),
		   p->nr_clean << (SMAF_POOL_ORDER + PAGE_SHIFT),
		   p->nr_dirty << (SMAF_POOL_ORDER + PAGE_SHIFT), p->hits, p->misses,
		   low << (SMAF_POOL_ORDER + PAGE_SHIFT));
	spin_unlock(&p->lock);
}

/**
 * smaf_pool_init() - size the pool, register its shrinker, start filling
 *
 * Context: module init, after smaf_platform_init().
 * Return: 0 or -ENOMEM.
 */
int smaf_pool_init(void)
{
	unsigned long block = PAGE_SIZE << SMAF_POOL_ORDER;
	u64 mib = smaf_params.pool_mib;
	int ret;

	INIT_WORK(&smaf_pool.work, smaf_pool_work);
	if (smaf_params.pool_mib < 0)
		mib = min_t(u64, ((totalram_pages() << PAGE_SHIFT) >> 6) >> 20, 256);
	if (!((mib << 20) / block))
		return 0;
	ret = smaf_pool_shrinker_add();
	if (ret)
		return ret;
	smaf_pool.max = (mib << 20) / block;
	queue_work(SMAF_UNBOUND_WQ, &smaf_pool.work);
	return 0;
}

/**
 * smaf_pool_exit() - stop the work and free every block
 *
 * Context: module exit; no buffer is left.
 */
void smaf_pool_exit(void)
{
	if (!smaf_pool.max)
		return;
	spin_lock(&smaf_pool.lock);
	smaf_pool.stopping = true;
	spin_unlock(&smaf_pool.lock);
	cancel_work_sync(&smaf_pool.work);
	smaf_pool_shrinker_del();
	smaf_pool_drain(ULONG_MAX);
}

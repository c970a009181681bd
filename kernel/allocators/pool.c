// SPDX-License-Identifier: GPL-2.0
/*
 * A bounded pool of pre-zeroed 1 MiB blocks (order 8) for the system
 * allocator, so that a buffer's first use does not wait for the zeroing.
 *
 * A kernel thread fills the pool without reclaiming (it takes only memory
 * that is free anyway) and zeroes the blocks that freed buffers give back:
 * a block is handed out only once it is zeroed, never before.  It moves
 * the zeroing off the allocation path, not away, so it must not cost more
 * than it saves:
 *  - it runs as SCHED_IDLE: it zeroes on CPU time nobody else wants, and
 *    never preempts a task that wants the CPU.  When the users keep every
 *    CPU busy, the pool runs dry and an allocation zeroes its own pages, as
 *    without the pool;
 *  - it is woken in batches, not per block, and only when it sleeps: at
 *    once when SMAF_POOL_BATCH dirty blocks wait or the clean ones fall to
 *    half the pool, otherwise SMAF_POOL_LAZY after the first dirty block.
 * A shrinker gives the pool back under memory pressure.  Pooled blocks are
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
#include <linux/kthread.h>
#include <linux/list.h>
#include <linux/memcontrol.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/shrinker.h>
#include <linux/spinlock.h>
#include <uapi/linux/sched/types.h>

#include "smaf-compat.h"
#include "smaf-internal.h"
#include "allocators.h"

/* Dirty blocks that make the thread run at once. */
#define SMAF_POOL_BATCH	8
/* Longest wait of a dirty block before the thread runs. */
#define SMAF_POOL_LAZY	(HZ / 50)

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
 * @stopping:	module exit: no more filling
 * @asleep:	the thread chose to sleep at its last look (a waker clears
 *		it): only then is waking it useful
 * @hits:	blocks handed out
 * @misses:	order-8 requests the pool could not serve
 * @thread:	fills the pool and zeroes @dirty
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
	bool asleep;
	unsigned long hits;
	unsigned long misses;
	struct task_struct *thread;
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

/*
 * Zeroes what freed buffers gave back, then fills the pool up.  Returns
 * false if it stopped for want of free memory.
 */
static bool smaf_pool_fill(void)
{
	struct smaf_pool *p = &smaf_pool;
	struct page *page;

	for (;;) {
		spin_lock(&p->lock);
		if (p->stopping) {
			spin_unlock(&p->lock);
			return true;
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
				return true;
			}
			spin_unlock(&p->lock);
			page = alloc_pages(SMAF_POOL_GFP, SMAF_POOL_ORDER);
			if (!page)
				return false;
			/* Normal memory has run out: leave low memory be. */
			if (smaf_pool_scarce(page)) {
				__free_pages(page, SMAF_POOL_ORDER);
				return false;
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

/* Must the thread run now rather than later?  The pool lock held. */
static bool smaf_pool_urgent(struct smaf_pool *p)
{
	return p->nr_dirty >= SMAF_POOL_BATCH ||
	       (p->nr_clean <= p->max / 2 && p->nr_clean + p->nr_dirty < p->max);
}

/*
 * The pool's thread: fills when the pool is urgent (smaf_pool_urgent()) or
 * dirty blocks waited SMAF_POOL_LAZY, and sleeps otherwise.  A wake-up only
 * makes it look again.  After running out of free memory it fills again
 * only once woken (by the next block taken or given back).
 */
static int smaf_pool_thread(void *unused)
{
	struct smaf_pool *p = &smaf_pool;
	bool starved = false, run;
	unsigned long dirty;

	while (!kthread_should_stop()) {
		set_current_state(TASK_IDLE);
		spin_lock(&p->lock);
		dirty = p->nr_dirty;
		run = !p->stopping && !starved && smaf_pool_urgent(p);
		p->asleep = !run;
		spin_unlock(&p->lock);
		if (!run && !kthread_should_stop()) {
			if (schedule_timeout(dirty ? SMAF_POOL_LAZY : MAX_SCHEDULE_TIMEOUT))
				starved = false;	/* woken: look again */
			else
				run = true;		/* the dirty blocks waited */
		}
		__set_current_state(TASK_RUNNING);
		if (run)
			starved = !smaf_pool_fill();
	}
	return 0;
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
 * Wakes the pool's thread, if it sleeps, when the clean blocks fall to half
 * the pool.
 *
 * Context: process context; takes the pool lock.
 * Return: the block (a compound page, zeroed), or NULL.
 */
struct page *smaf_pool_take(void)
{
	struct smaf_pool *p = &smaf_pool;
	struct page *page;
	bool wake;

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
	/* A thread that is awake, running or not, will see the pool anyway. */
	wake = p->asleep && p->nr_clean <= p->max / 2;
	if (wake)
		p->asleep = false;
	spin_unlock(&p->lock);
	if (wake)
		wake_up_process(p->thread);
	return page;
}

/**
 * smaf_pool_give() - offer a freed block to the pool
 * @page: an order-8 compound page a buffer no longer uses, possibly dirty
 *
 * The pool takes it if it has room, the block is charged to nobody and it
 * is not scarce low memory (smaf_pool_scarce()); it is zeroed in the
 * background before anyone gets it again (see the top for when).
 *
 * Context: process context; takes the pool lock.
 * Return: true if the pool took @page, false if the caller must free it.
 */
bool smaf_pool_give(struct page *page)
{
	struct smaf_pool *p = &smaf_pool;
	bool taken = false, wake = false;

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
		/* The first dirty block sets the thread's lazy timeout. */
		wake = p->asleep && (p->nr_dirty == 1 || smaf_pool_urgent(p));
		if (wake)
			p->asleep = false;
	}
	spin_unlock(&p->lock);
	if (wake)
		wake_up_process(p->thread);
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

static const struct sched_attr smaf_pool_sched = {
	.size = sizeof(struct sched_attr),
	.sched_policy = SCHED_IDLE,
};

/**
 * smaf_pool_init() - size the pool, register its shrinker, start its thread
 *
 * Context: module init, after smaf_platform_init(), before any buffer.
 * Return: 0, -ENOMEM, or the error of creating the thread.
 */
int smaf_pool_init(void)
{
	unsigned long block = PAGE_SIZE << SMAF_POOL_ORDER;
	u64 mib = smaf_params.pool_mib;
	struct task_struct *thread;
	int ret;

	if (smaf_params.pool_mib < 0)
		mib = min_t(u64, ((totalram_pages() << PAGE_SHIFT) >> 6) >> 20, 256);
	if (!((mib << 20) / block))
		return 0;
	ret = smaf_pool_shrinker_add();
	if (ret)
		return ret;
	thread = kthread_create(smaf_pool_thread, NULL, "smaf-pool");
	if (IS_ERR(thread)) {
		smaf_pool_shrinker_del();
		return PTR_ERR(thread);
	}
	/* Nice 19 still takes its share of a busy CPU; SCHED_IDLE does not. */
	if (sched_setattr_nocheck(thread, &smaf_pool_sched))
		sched_set_normal(thread, MAX_NICE);
	smaf_pool.thread = thread;
	smaf_pool.max = (mib << 20) / block;
	wake_up_process(thread);
	return 0;
}

/**
 * smaf_pool_exit() - stop the thread and free every block
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
	kthread_stop(smaf_pool.thread);
	smaf_pool_shrinker_del();
	smaf_pool_drain(ULONG_MAX);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of SMAF's core logic: the allocator choice and its fallbacks,
 * and the limits and reserve arithmetic, against fake allocators added
 * through the public interface.  Built into smaf.ko only for the debug
 * kernel (SMAF_KUNIT=y), where the suites run when the module loads and
 * tests/vm/t-kunit.c reports their results.  After every step an invariant
 * checker verifies that each fake allocator's usage counter, the bytes
 * charged on it and the sum of the buffers the test knows it backs agree.
 * The random case prints its seed; kunit_seed= replays it.
 */
#define pr_fmt(fmt) "smaf: " fmt

#include <kunit/test.h>
#include <linux/cred.h>
#include <linux/gfp.h>
#include <linux/moduleparam.h>
#include <linux/prandom.h>
#include <linux/random.h>
#include <linux/sizes.h>
#include <linux/slab.h>

#include "smaf-internal.h"

static unsigned int kunit_seed;
module_param(kunit_seed, uint, 0444);
MODULE_PARM_DESC(kunit_seed, "KUnit random case: seed to replay (0: a new one)");

/* Only the fakes accept constraints with this mark: no allocator reads it. */
#define SMAF_KUNIT_MARK	0x5a5a5000u
#define SMAF_KUNIT_USER	1000
#define SMAF_NFAKES	4
#define SMAF_KUNIT_BUFS	32

/**
 * struct smaf_fake - a fake allocator
 * @alloc:	its handle
 * @nomem:	allocate() fails with -ENOMEM
 * @calls:	allocate() calls
 * @live:	bytes of the buffers it backs, as the test counts them
 */
struct smaf_fake {
	struct smaf_allocator *alloc;
	bool nomem;
	unsigned int calls;
	u64 live;
};

/*
 * The fakes, by decreasing ranking: A plain, B charging cgroups, C plain, D
 * charging cgroups.  The suites may run before SMAF's init (6.1 runs a
 * module's suites before its init function): they use no built-in
 * allocator and nothing init sets up.
 */
static struct smaf_fake smaf_fakes[SMAF_NFAKES];

static bool smaf_fake_match(struct smaf_allocator *alloc,
			    const struct smaf_constraints *c)
{
	return c->max_segment == SMAF_KUNIT_MARK;
}

static int smaf_fake_allocate(struct smaf_allocator *alloc,
			      struct sg_table *sgt,
			      const struct smaf_constraints *c)
{
	struct smaf_fake *f = smaf_allocator_priv(alloc);
	unsigned int order = get_order(c->size);
	struct page *page;

	f->calls++;
	if (f->nomem)
		return -ENOMEM;
	page = alloc_pages(GFP_KERNEL | __GFP_ZERO | __GFP_NOWARN, order);
	if (!page)
		return -ENOMEM;
	if (sg_alloc_table(sgt, 1, GFP_KERNEL)) {
		__free_pages(page, order);
		return -ENOMEM;
	}
	sg_set_page(sgt->sgl, page, c->size, 0);
	return 0;
}

static void smaf_fake_free(struct smaf_allocator *alloc, struct sg_table *sgt)
{
	__free_pages(sg_page(sgt->sgl), get_order(sgt->sgl->length));
	sg_free_table(sgt);
}

static const struct smaf_allocator_ops smaf_fake_ops = {
	.match = smaf_fake_match,
	.allocate = smaf_fake_allocate,
	.free = smaf_fake_free,
};

/* A: 1 MiB, scarce: 256 KiB per user, 256 KiB reserve.  B, C, D: a RAM share. */
static int smaf_kunit_init(struct kunit *test)
{
	static const char *const names[SMAF_NFAKES] = {
		"kunit-a", "kunit-b", "kunit-c", "kunit-d"
	};
	unsigned int i;

	for (i = 0; i < SMAF_NFAKES; i++) {
		struct smaf_allocator_info info = {
			.name = names[i],
			.ranking = 1002 - i,
			.ops = &smaf_fake_ops,
			.owner = THIS_MODULE,
			.priv = &smaf_fakes[i],
			.capacity = i ? 0 : SZ_1M,
			.scarce = !i,
			.memcg = i == 1 || i == 3,
		};

		memset(&smaf_fakes[i], 0, sizeof(smaf_fakes[i]));
		smaf_fakes[i].alloc = smaf_allocator_add(&info);
		KUNIT_ASSERT_FALSE(test, IS_ERR(smaf_fakes[i].alloc));
	}
	return 0;
}

static void smaf_kunit_exit(struct kunit *test)
{
	unsigned int i;

	for (i = 0; i < SMAF_NFAKES; i++)
		if (!IS_ERR_OR_NULL(smaf_fakes[i].alloc))
			smaf_allocator_remove(smaf_fakes[i].alloc);
}

/* The invariant: counters, charges and the test's count agree. */
static void smaf_kunit_check(struct kunit *test)
{
	unsigned int i;

	for (i = 0; i < SMAF_NFAKES; i++) {
		struct smaf_allocator *a = smaf_fakes[i].alloc;

		KUNIT_EXPECT_EQ(test, (u64)atomic_long_read(&a->stats.bytes),
				smaf_fakes[i].live);
		KUNIT_EXPECT_EQ(test, smaf_limits_charged(a), smaf_fakes[i].live);
	}
}

/* A buffer of @size created by user @uid, not allocated. */
static struct smaf_buffer *smaf_kunit_buffer(struct kunit *test, size_t size,
					     bool privileged, uid_t uid)
{
	const struct cred *old = NULL;
	struct cred *cred = NULL;
	struct smaf_buffer *buf;
	int ret;

	buf = kzalloc(sizeof(*buf), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	mutex_init(&buf->lock);
	INIT_LIST_HEAD(&buf->attachments);
	INIT_LIST_HEAD(&buf->syncs);
	INIT_LIST_HEAD(&buf->node);
	buf->size = size;
	if (uid) {
		cred = prepare_creds();
		KUNIT_ASSERT_NOT_NULL(test, cred);
		cred->uid = KUIDT_INIT(uid);
		cred->euid = cred->uid;
		cred->fsuid = cred->uid;
		old = override_creds(cred);
	}
	ret = smaf_limits_create(buf, privileged);
	if (old) {
		revert_creds(old);
		put_cred(cred);
	}
	KUNIT_ASSERT_EQ(test, ret, 0);
	return buf;
}

/* The fake backing @buf, or NULL. */
static struct smaf_fake *smaf_kunit_fake(struct smaf_buffer *buf)
{
	unsigned int i;

	for (i = 0; i < SMAF_NFAKES; i++)
		if (buf->allocator == smaf_fakes[i].alloc)
			return &smaf_fakes[i];
	return NULL;
}

/* First use of @buf with the fakes' mark; counts what a fake took. */
static int smaf_kunit_use(struct smaf_buffer *buf)
{
	struct smaf_constraints c;
	struct smaf_fake *f;
	int ret;

	smaf_constraints_init(&c, buf->size);
	c.max_segment = SMAF_KUNIT_MARK;
	c.cpu = true;
	mutex_lock(&buf->lock);
	ret = smaf_buffer_choose(buf, &c);
	mutex_unlock(&buf->lock);
	f = ret ? NULL : smaf_kunit_fake(buf);
	if (f)
		f->live += buf->size;
	return ret;
}

static void smaf_kunit_release(struct smaf_buffer *buf)
{
	struct smaf_fake *f = smaf_kunit_fake(buf);

	if (buf->allocator) {
		if (f)
			f->live -= buf->size;
		smaf_buffer_free_memory(buf, buf->allocator, &buf->sgt, false);
	}
	smaf_limits_destroy(buf);
	mutex_destroy(&buf->lock);
	kfree(buf);
}

/* Checks the invariant with @buf live, releases @buf, checks again. */
static void smaf_kunit_release_checked(struct kunit *test,
				       struct smaf_buffer *buf)
{
	smaf_kunit_check(test);
	smaf_kunit_release(buf);
	smaf_kunit_check(test);
}

static void smaf_kunit_defaults(struct kunit *test)
{
	u64 ram = (u64)totalram_pages() << PAGE_SHIFT;
	struct smaf_allocator a = { };

	smaf_limits_default(&a, 0, false);
	KUNIT_EXPECT_EQ(test, a.limit.user_max, ram / 4);
	KUNIT_EXPECT_EQ(test, a.limit.global_max, ram / 2);
	KUNIT_EXPECT_EQ(test, a.limit.reserve, 0ULL);
	smaf_limits_default(&a, SZ_1G, true);
	KUNIT_EXPECT_EQ(test, a.limit.user_max, (u64)SZ_256M);
	KUNIT_EXPECT_EQ(test, a.limit.global_max, (u64)SZ_1G);
	KUNIT_EXPECT_EQ(test, a.limit.reserve, (u64)SZ_64M);
	smaf_limits_default(&a, SZ_128M, true);
	KUNIT_EXPECT_EQ(test, a.limit.reserve, (u64)SZ_32M);
	/* What smaf_allocator_add() set for fake A (1 MiB, scarce). */
	KUNIT_EXPECT_EQ(test, smaf_fakes[0].alloc->limit.user_max, (u64)SZ_256K);
	KUNIT_EXPECT_EQ(test, smaf_fakes[0].alloc->limit.reserve, (u64)SZ_256K);
}

static void smaf_kunit_best_match(struct kunit *test)
{
	struct smaf_buffer *buf = smaf_kunit_buffer(test, SZ_64K, true, 0);

	KUNIT_EXPECT_EQ(test, smaf_kunit_use(buf), 0);
	KUNIT_EXPECT_PTR_EQ(test, buf->allocator, smaf_fakes[0].alloc);
	KUNIT_EXPECT_STREQ(test, buf->why, "best-match");
	smaf_kunit_release_checked(test, buf);
}

static void smaf_kunit_fallback(struct kunit *test)
{
	struct smaf_buffer *buf = smaf_kunit_buffer(test, SZ_64K, true, 0);
	long failures = atomic_long_read(&smaf_fakes[0].alloc->stats.failures);

	smaf_fakes[0].nomem = true;
	KUNIT_EXPECT_EQ(test, smaf_kunit_use(buf), 0);
	KUNIT_EXPECT_PTR_EQ(test, buf->allocator, smaf_fakes[1].alloc);
	KUNIT_EXPECT_STREQ(test, buf->why, "fallback");
	KUNIT_EXPECT_EQ(test, atomic_long_read(&smaf_fakes[0].alloc->stats.failures),
			failures + 1);
	smaf_kunit_release_checked(test, buf);
}

/* After an allocator charging cgroups runs out, only such others are tried. */
static void smaf_kunit_memcg_only(struct kunit *test)
{
	struct smaf_buffer *buf = smaf_kunit_buffer(test, SZ_64K, true, 0);

	smaf_fakes[0].nomem = true;
	smaf_fakes[1].nomem = true;
	KUNIT_EXPECT_EQ(test, smaf_kunit_use(buf), 0);
	KUNIT_EXPECT_EQ(test, smaf_fakes[2].calls, 0U);
	KUNIT_EXPECT_PTR_EQ(test, buf->allocator, smaf_fakes[3].alloc);
	KUNIT_EXPECT_STREQ(test, buf->why, "fallback");
	smaf_kunit_release_checked(test, buf);
}

/* The creator's own limit fails the use: no fallback. */
static void smaf_kunit_user_limit(struct kunit *test)
{
	struct smaf_buffer *buf = smaf_kunit_buffer(test, SZ_512K, false,
						   SMAF_KUNIT_USER);
	long refusals = atomic_long_read(&smaf_fakes[0].alloc->stats.refusals);

	KUNIT_EXPECT_EQ(test, smaf_kunit_use(buf), -EDQUOT);
	KUNIT_EXPECT_NULL(test, buf->allocator);
	KUNIT_EXPECT_EQ(test, buf->last_error, -EDQUOT);
	KUNIT_EXPECT_EQ(test, smaf_fakes[0].calls + smaf_fakes[1].calls, 0U);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&smaf_fakes[0].alloc->stats.refusals),
			refusals + 1);
	smaf_kunit_check(test);
	smaf_kunit_release(buf);
}

/* The reserve: privileged creators only; a global refusal falls back. */
static void smaf_kunit_reserve(struct kunit *test)
{
	struct smaf_buffer *bufs[5], *user;
	unsigned int i;

	for (i = 0; i < 3; i++) {
		bufs[i] = smaf_kunit_buffer(test, SZ_256K, true, 0);
		KUNIT_EXPECT_EQ(test, smaf_kunit_use(bufs[i]), 0);
		KUNIT_EXPECT_PTR_EQ(test, bufs[i]->allocator, smaf_fakes[0].alloc);
	}
	smaf_kunit_check(test);
	/* 768 KiB used: the rest of A's 1 MiB is the reserve. */
	user = smaf_kunit_buffer(test, SZ_256K, false, SMAF_KUNIT_USER);
	KUNIT_EXPECT_EQ(test, smaf_kunit_use(user), 0);
	KUNIT_EXPECT_PTR_EQ(test, user->allocator, smaf_fakes[1].alloc);
	KUNIT_EXPECT_STREQ(test, user->why, "fallback");
	bufs[3] = smaf_kunit_buffer(test, SZ_256K, true, 0);
	KUNIT_EXPECT_EQ(test, smaf_kunit_use(bufs[3]), 0);
	KUNIT_EXPECT_PTR_EQ(test, bufs[3]->allocator, smaf_fakes[0].alloc);
	bufs[4] = smaf_kunit_buffer(test, SZ_256K, true, 0);
	KUNIT_EXPECT_EQ(test, smaf_kunit_use(bufs[4]), 0);
	KUNIT_EXPECT_PTR_EQ(test, bufs[4]->allocator, smaf_fakes[1].alloc);
	KUNIT_EXPECT_EQ(test, smaf_limits_user_charged(bufs[0], smaf_fakes[0].alloc),
			(u64)SZ_1M);
	smaf_kunit_check(test);
	smaf_kunit_release(user);
	for (i = 0; i < 5; i++)
		smaf_kunit_release(bufs[i]);
	smaf_kunit_check(test);
}

/* Random creations, uses and releases; the invariant after each step. */
static void smaf_kunit_random(struct kunit *test)
{
	struct smaf_buffer *bufs[SMAF_KUNIT_BUFS] = { };
	unsigned int seed = kunit_seed ? kunit_seed : get_random_u32();
	struct rnd_state rnd;
	unsigned int step, i;

	kunit_info(test, "seed %u (replay: kunit_seed=%u)\n", seed, seed);
	prandom_seed_state(&rnd, seed);
	for (step = 0; step < 256; step++) {
		u32 r = prandom_u32_state(&rnd);

		i = r % SMAF_KUNIT_BUFS;
		smaf_fakes[0].nomem = r & BIT(8);
		smaf_fakes[1].nomem = r & BIT(9);
		if (bufs[i]) {
			smaf_kunit_release(bufs[i]);
			bufs[i] = NULL;
		} else {
			bufs[i] = smaf_kunit_buffer(test, ((r >> 10) % 32 + 1) * PAGE_SIZE,
						    r & BIT(15),
						    r & BIT(16) ? SMAF_KUNIT_USER : 0);
			smaf_kunit_use(bufs[i]);
		}
		smaf_kunit_check(test);
	}
	for (i = 0; i < SMAF_KUNIT_BUFS; i++)
		if (bufs[i])
			smaf_kunit_release(bufs[i]);
	smaf_kunit_check(test);
}

static struct kunit_case smaf_kunit_cases[] = {
	KUNIT_CASE(smaf_kunit_defaults),
	KUNIT_CASE(smaf_kunit_best_match),
	KUNIT_CASE(smaf_kunit_fallback),
	KUNIT_CASE(smaf_kunit_memcg_only),
	KUNIT_CASE(smaf_kunit_user_limit),
	KUNIT_CASE(smaf_kunit_reserve),
	KUNIT_CASE(smaf_kunit_random),
	{}
};

static struct kunit_suite smaf_kunit_suite = {
	.name = "smaf-choice-limits",
	.init = smaf_kunit_init,
	.exit = smaf_kunit_exit,
	.test_cases = smaf_kunit_cases,
};

kunit_test_suites(&smaf_kunit_suite);

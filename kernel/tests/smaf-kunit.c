// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of SMAF's allocator choice (cacheable memory first for a
 * cached buffer) and its fallbacks, and of the limits and reserve
 * arithmetic, against the fake allocators of smaf-kunit-fakes.c, with the
 * invariant checked after every step.  Built
 * into smaf.ko only for the debug kernel (SMAF_KUNIT=y), where the suites
 * run when the module loads and tests/vm/t-kunit.c reports their results.
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
#include "smaf-kunit.h"

static unsigned int kunit_seed;
module_param(kunit_seed, uint, 0444);
MODULE_PARM_DESC(kunit_seed, "KUnit random case: seed to replay (0: a new one)");

static void smaf_kunit_defaults(struct kunit *test)
{
	u64 ram = (u64)totalram_pages() << PAGE_SHIFT;
	struct smaf_allocator a = { };

	smaf_allocator_default_limit(&a.limit, 0, false);
	KUNIT_EXPECT_EQ(test, a.limit.user_max, ram / 4);
	KUNIT_EXPECT_EQ(test, a.limit.global_max, ram / 2);
	KUNIT_EXPECT_EQ(test, a.limit.reserve, 0ULL);
	smaf_allocator_default_limit(&a.limit, SZ_1G, true);
	KUNIT_EXPECT_EQ(test, a.limit.user_max, (u64)SZ_256M);
	KUNIT_EXPECT_EQ(test, a.limit.global_max, (u64)SZ_1G);
	KUNIT_EXPECT_EQ(test, a.limit.reserve, (u64)SZ_64M);
	smaf_allocator_default_limit(&a.limit, SZ_128M, true);
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
	KUNIT_EXPECT_EQ(test, buf->reason, SMAF_REASON_BEST_MATCH);
	smaf_kunit_release_checked(test, buf);
}

static void smaf_kunit_fallback(struct kunit *test)
{
	struct smaf_buffer *buf = smaf_kunit_buffer(test, SZ_64K, true, 0);
	long failures = atomic_long_read(&smaf_fakes[0].alloc->stats.failures);

	smaf_fakes[0].nomem = true;
	KUNIT_EXPECT_EQ(test, smaf_kunit_use(buf), 0);
	KUNIT_EXPECT_PTR_EQ(test, buf->allocator, smaf_fakes[1].alloc);
	KUNIT_EXPECT_EQ(test, buf->reason, SMAF_REASON_FALLBACK);
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
	KUNIT_EXPECT_EQ(test, buf->reason, SMAF_REASON_FALLBACK);
	smaf_kunit_release_checked(test, buf);
}

/*
 * A cached buffer gets memory the CPU caches when a cacheable allocator
 * serves it, even one ranked below an allocator the CPU must map
 * write-combined; that one only when the others fail.
 */
static void smaf_kunit_cacheable_first(struct kunit *test)
{
	/* Charging cgroups: still tried after B, which does, runs out. */
	struct smaf_allocator_info info = {
		.name = "kunit-wc", .ranking = 1010, .cpu_uncached = true,
		.memcg = true,
	};
	struct smaf_buffer *buf, *last;
	struct smaf_fake wc;
	unsigned int i;

	smaf_kunit_add_fake(test, &wc, &info);
	buf = smaf_kunit_buffer(test, SZ_64K, true, 0);
	KUNIT_ASSERT_EQ(test, smaf_kunit_use(buf), 0);
	KUNIT_EXPECT_PTR_EQ(test, buf->allocator, smaf_fakes[0].alloc);
	KUNIT_EXPECT_EQ(test, buf->reason, SMAF_REASON_BEST_MATCH);
	KUNIT_EXPECT_EQ(test, wc.calls, 0U);

	for (i = 0; i < SMAF_NFAKES; i++)
		smaf_fakes[i].nomem = true;
	last = smaf_kunit_buffer(test, SZ_64K, true, 0);
	KUNIT_ASSERT_EQ(test, smaf_kunit_use(last), 0);
	KUNIT_EXPECT_PTR_EQ(test, last->allocator, wc.alloc);
	KUNIT_EXPECT_EQ(test, last->reason, SMAF_REASON_FALLBACK);
	KUNIT_EXPECT_EQ(test, smaf_limits_charged(wc.alloc), (u64)SZ_64K);
	smaf_kunit_check(test);
	smaf_kunit_release(last);
	KUNIT_EXPECT_EQ(test, smaf_limits_charged(wc.alloc), 0ULL);
	smaf_kunit_release_checked(test, buf);
	smaf_allocator_remove(wc.alloc);
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
	KUNIT_EXPECT_EQ(test, user->reason, SMAF_REASON_FALLBACK);
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
	KUNIT_CASE(smaf_kunit_cacheable_first),
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

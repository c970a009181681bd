// SPDX-License-Identifier: GPL-2.0
/*
 * What SMAF's KUnit suites share: fake allocators added through the public
 * interface, buffers created as a given user, and the invariant checker
 * (each fake's usage counter, the bytes charged on it and the sum of the
 * buffers the test knows it backs agree).  The fakes serve only
 * constraints carrying SMAF_KUNIT_MARK, so no real buffer lands on them.
 * Built into smaf.ko for the debug kernel only (SMAF_KUNIT=y).
 */
#define pr_fmt(fmt) "smaf: " fmt

#include <kunit/test.h>
#include <linux/cred.h>
#include <linux/gfp.h>
#include <linux/sizes.h>
#include <linux/slab.h>

#include "smaf-internal.h"
#include "smaf-kunit.h"

/*
 * The fakes, by decreasing ranking: A plain, B charging cgroups, C plain, D
 * charging cgroups.  The suites may run before SMAF's init (6.1 runs a
 * module's suites before its init function): they use no built-in
 * allocator and nothing init sets up.
 */
struct smaf_fake smaf_fakes[SMAF_NFAKES];

static bool smaf_fake_match(struct smaf_allocator *alloc,
			    const struct smaf_constraints *c)
{
	return c->max_segment == SMAF_KUNIT_MARK;
}

/* One block of pages, one table entry per page: several ranges to grant. */
static int smaf_fake_allocate(struct smaf_allocator *alloc,
			      struct sg_table *sgt,
			      const struct smaf_constraints *c)
{
	struct smaf_fake *f = smaf_allocator_priv(alloc);
	unsigned int order = get_order(c->size), n = c->size >> PAGE_SHIFT;
	struct scatterlist *sg;
	struct page *page;
	unsigned int i;

	f->calls++;
	if (f->nomem)
		return -ENOMEM;
	page = alloc_pages(GFP_KERNEL | __GFP_ZERO | __GFP_NOWARN, order);
	if (!page)
		return -ENOMEM;
	if (sg_alloc_table(sgt, n, GFP_KERNEL)) {
		__free_pages(page, order);
		return -ENOMEM;
	}
	for_each_sgtable_sg(sgt, sg, i)
		sg_set_page(sg, page + i, PAGE_SIZE, 0);
	return 0;
}

static void smaf_fake_free(struct smaf_allocator *alloc, struct sg_table *sgt)
{
	__free_pages(sg_page(sgt->sgl),
		     get_order((size_t)sgt->orig_nents << PAGE_SHIFT));
	sg_free_table(sgt);
}

static const struct smaf_allocator_ops smaf_fake_ops = {
	.match = smaf_fake_match,
	.allocate = smaf_fake_allocate,
	.free = smaf_fake_free,
};

/**
 * smaf_kunit_add_fake() - add a fake allocator
 * @test: the test, failed if the fake cannot be added
 * @f: the fake, reset here
 * @info: name, ranking, capacity, scarce, memcg and costly; the ops, owner
 *	  and priv are the fake's
 */
void smaf_kunit_add_fake(struct kunit *test, struct smaf_fake *f,
			 struct smaf_allocator_info *info)
{
	memset(f, 0, sizeof(*f));
	info->ops = &smaf_fake_ops;
	info->owner = THIS_MODULE;
	info->priv = f;
	f->alloc = smaf_allocator_add(info);
	KUNIT_ASSERT_FALSE(test, IS_ERR(f->alloc));
}

/* A: 1 MiB, scarce: 256 KiB per user, 256 KiB reserve.  B, C, D: a RAM share. */
int smaf_kunit_init(struct kunit *test)
{
	static const char *const names[SMAF_NFAKES] = {
		"kunit-a", "kunit-b", "kunit-c", "kunit-d"
	};
	unsigned int i;

	for (i = 0; i < SMAF_NFAKES; i++) {
		struct smaf_allocator_info info = {
			.name = names[i],
			.ranking = 1002 - i,
			.capacity = i ? 0 : SZ_1M,
			.scarce = !i,
			.memcg = i == 1 || i == 3,
		};

		smaf_kunit_add_fake(test, &smaf_fakes[i], &info);
	}
	return 0;
}

void smaf_kunit_exit(struct kunit *test)
{
	unsigned int i;

	for (i = 0; i < SMAF_NFAKES; i++)
		if (!IS_ERR_OR_NULL(smaf_fakes[i].alloc))
			smaf_allocator_remove(smaf_fakes[i].alloc);
}

/* The invariant: counters, charges and the test's count agree. */
void smaf_kunit_check(struct kunit *test)
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
struct smaf_buffer *smaf_kunit_buffer(struct kunit *test, size_t size,
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
	smaf_secure_init_state(buf);
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
struct smaf_fake *smaf_kunit_fake(struct smaf_buffer *buf)
{
	unsigned int i;

	for (i = 0; i < SMAF_NFAKES; i++)
		if (buf->allocator == smaf_fakes[i].alloc)
			return &smaf_fakes[i];
	return NULL;
}

/* First use of @buf with the fakes' mark; counts what a fake took. */
int smaf_kunit_use(struct smaf_buffer *buf)
{
	struct smaf_constraints c;
	struct smaf_fake *f;
	int ret;

	smaf_constraints_init(&c, buf->size);
	c.max_segment = SMAF_KUNIT_MARK;
	c.cpu = true;
	mutex_lock(&buf->lock);
	ret = smaf_memory_allocate(buf, &c);
	mutex_unlock(&buf->lock);
	f = ret ? NULL : smaf_kunit_fake(buf);
	if (f)
		f->live += buf->size;
	return ret;
}

void smaf_kunit_release(struct smaf_buffer *buf)
{
	struct smaf_fake *f = smaf_kunit_fake(buf);

	if (buf->allocator) {
		if (f)
			f->live -= buf->size;
		smaf_memory_free(buf, buf->allocator, &buf->sgt);
	}
	smaf_limits_destroy(buf);
	mutex_destroy(&buf->lock);
	kfree(buf);
}

/* Checks the invariant with @buf live, releases @buf, checks again. */
void smaf_kunit_release_checked(struct kunit *test, struct smaf_buffer *buf)
{
	smaf_kunit_check(test);
	smaf_kunit_release(buf);
	smaf_kunit_check(test);
}

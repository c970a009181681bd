// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of a buffer's life after its first choice: the back-off after
 * failed costly allocations, migration (each refusal, a failed move that
 * leaves the buffer as it was, a move that copies), the grants a secure
 * module is asked and given back, counted by a fake secure module, the
 * scrub and the quarantine, and the heap ioctl's argument sizes.  Uses the
 * fakes of smaf-kunit-fakes.c and checks their invariant.
 */
#define pr_fmt(fmt) "smaf: " fmt

#include <kunit/test.h>
#include <linux/device.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/smaf/secure.h>
#include <uapi/linux/dma-heap.h>

#include "smaf-internal.h"
#include "smaf-kunit.h"

/* ---- the back-off after failed costly allocations ---------------------- */

static void smaf_kunit_backoff(struct kunit *test)
{
	struct smaf_allocator_info info = {
		.name = "kunit-costly", .ranking = 1010, .costly = true,
	};
	struct smaf_buffer *bufs[8];
	struct smaf_fake costly;
	unsigned int i;

	smaf_kunit_add_fake(test, &costly, &info);
	costly.nomem = true;
	/* Privileged buffers never pause, but their failures count... */
	for (i = 0; i < 5; i++) {
		bufs[i] = smaf_kunit_buffer(test, SZ_4K, true, SMAF_KUNIT_USER);
		KUNIT_EXPECT_EQ(test, smaf_kunit_use(bufs[i]), 0);
		KUNIT_EXPECT_PTR_EQ(test, bufs[i]->allocator, smaf_fakes[0].alloc);
		KUNIT_EXPECT_EQ(test, costly.calls, i + 1);
	}
	/* ... so their user pauses 800 ms: the next one skips the allocator. */
	bufs[5] = smaf_kunit_buffer(test, SZ_4K, false, SMAF_KUNIT_USER);
	KUNIT_EXPECT_EQ(test, smaf_kunit_use(bufs[5]), 0);
	KUNIT_EXPECT_EQ(test, costly.calls, 5U);
	KUNIT_EXPECT_PTR_EQ(test, bufs[5]->allocator, smaf_fakes[0].alloc);
	KUNIT_EXPECT_EQ(test, bufs[5]->reason, SMAF_REASON_FALLBACK);
	/*
	 * A success does not end the pause: a cheap one between failures
	 * would keep the expensive ones unthrottled.
	 */
	costly.nomem = false;
	bufs[6] = smaf_kunit_buffer(test, SZ_4K, true, SMAF_KUNIT_USER);
	KUNIT_EXPECT_EQ(test, smaf_kunit_use(bufs[6]), 0);
	KUNIT_EXPECT_PTR_EQ(test, bufs[6]->allocator, costly.alloc);
	bufs[7] = smaf_kunit_buffer(test, SZ_4K, false, SMAF_KUNIT_USER);
	KUNIT_EXPECT_EQ(test, smaf_kunit_use(bufs[7]), 0);
	KUNIT_EXPECT_PTR_EQ(test, bufs[7]->allocator, smaf_fakes[0].alloc);
	KUNIT_EXPECT_EQ(test, costly.calls, 6U);
	KUNIT_EXPECT_EQ(test, smaf_limits_charged(costly.alloc), (u64)SZ_4K);
	smaf_kunit_check(test);
	for (i = 0; i < ARRAY_SIZE(bufs); i++)
		smaf_kunit_release(bufs[i]);
	KUNIT_EXPECT_EQ(test, smaf_limits_charged(costly.alloc), 0ULL);
	smaf_kunit_check(test);
	smaf_allocator_remove(costly.alloc);
}

/* ---- migration ---------------------------------------------------------- */

static void smaf_kunit_device_release(struct device *dev)
{
	/* kunit_kzalloc() memory: freed when the case ends. */
}

/*
 * A device for the log lines of a move and the grants: named, never added
 * to the driver core (a module's suites may run before its init).  Drop it
 * with put_device().
 */
static struct device *smaf_kunit_device(struct kunit *test)
{
	struct device *dev = kunit_kzalloc(test, sizeof(*dev), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, dev);
	device_initialize(dev);
	dev->release = smaf_kunit_device_release;
	KUNIT_ASSERT_EQ(test, dev_set_name(dev, "smaf-kunit"), 0);
	return dev;
}

/* What a late device needs: anything the fakes serve. */
static void smaf_kunit_late_need(struct smaf_dev_constraints *d)
{
	memset(d, 0, sizeof(*d));
	d->dma_limit = U64_MAX;
	d->phys_limit = U64_MAX;
	d->max_segment = SMAF_KUNIT_MARK;
	d->seg_boundary = U64_MAX;
}

/* Is @buf still on @alloc, with the table @sgl, untouched? */
static void smaf_kunit_expect_unmoved(struct kunit *test, struct smaf_buffer *buf,
				      struct smaf_allocator *alloc,
				      struct scatterlist *sgl)
{
	KUNIT_EXPECT_PTR_EQ(test, buf->allocator, alloc);
	KUNIT_EXPECT_PTR_EQ(test, buf->sgt.sgl, sgl);
	KUNIT_EXPECT_EQ(test, buf->reason, SMAF_REASON_BEST_MATCH);
	KUNIT_EXPECT_EQ(test, buf->last_error, 0);
	KUNIT_EXPECT_EQ(test, buf->migrations, 0U);
	KUNIT_EXPECT_TRUE(test, buf->used.cpu);
}

static void smaf_kunit_migrate_refused(struct kunit *test)
{
	struct device *dev = smaf_kunit_device(test);
	struct smaf_buffer *buf = smaf_kunit_buffer(test, SZ_64K, true, 0);
	struct smaf_attachment a = { .dev = dev, .mapped = true };
	struct smaf_dev_constraints d;
	struct scatterlist *sgl;
	unsigned int i;

	smaf_kunit_late_need(&d);
	KUNIT_ASSERT_EQ(test, smaf_kunit_use(buf), 0);
	sgl = buf->sgt.sgl;
	mutex_lock(&buf->lock);
	WRITE_ONCE(smaf_params.migrate, false);
	KUNIT_EXPECT_EQ(test, smaf_migrate(buf, dev, &d), -EXDEV);
	KUNIT_EXPECT_STREQ(test, buf->refused, "off");
	WRITE_ONCE(smaf_params.migrate, true);

	list_add(&a.node, &buf->attachments);
	KUNIT_EXPECT_EQ(test, smaf_migrate(buf, dev, &d), -EXDEV);
	KUNIT_EXPECT_STREQ(test, buf->refused, "device_mapped:smaf-kunit");
	list_del(&a.node);

	buf->vmapped = true;
	KUNIT_EXPECT_EQ(test, smaf_migrate(buf, dev, &d), -EXDEV);
	KUNIT_EXPECT_STREQ(test, buf->refused, "vmap");
	buf->vmapped = false;

	/* Every allocator out of memory: the buffer is restored. */
	for (i = 0; i < SMAF_NFAKES; i++)
		smaf_fakes[i].nomem = true;
	KUNIT_EXPECT_EQ(test, smaf_migrate(buf, dev, &d), -ENOMEM);
	KUNIT_EXPECT_STREQ(test, buf->refused, "allocation");
	mutex_unlock(&buf->lock);
	smaf_kunit_expect_unmoved(test, buf, smaf_fakes[0].alloc, sgl);
	smaf_kunit_release_checked(test, buf);
	put_device(dev);
}

static void smaf_kunit_migrate_moves(struct kunit *test)
{
	struct device *dev = smaf_kunit_device(test);
	struct smaf_buffer *buf = smaf_kunit_buffer(test, SZ_16K, true, 0);
	struct smaf_dev_constraints d;
	struct address_space *mapping;
	struct scatterlist *sg;
	unsigned int i;
	u8 *p;

	mapping = kunit_kzalloc(test, sizeof(*mapping), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, mapping);
	address_space_init_once(mapping);
	smaf_kunit_late_need(&d);
	KUNIT_ASSERT_EQ(test, smaf_kunit_use(buf), 0);
	for_each_sgtable_sg(&buf->sgt, sg, i)
		memset(sg_virt(sg), 0xa0 + i, sg->length);
	buf->cpu_mapping = mapping;

	/* A cannot take it: it moves to B, contents and all. */
	smaf_fakes[0].nomem = true;
	mutex_lock(&buf->lock);
	KUNIT_EXPECT_EQ(test, smaf_migrate(buf, dev, &d), 0);
	mutex_unlock(&buf->lock);
	KUNIT_ASSERT_PTR_EQ(test, buf->allocator, smaf_fakes[1].alloc);
	KUNIT_EXPECT_EQ(test, buf->migrations, 1U);
	KUNIT_EXPECT_STREQ(test, buf->refused, "");
	KUNIT_EXPECT_EQ(test, buf->used.ndevs, 1U);
	for_each_sgtable_sg(&buf->sgt, sg, i) {
		p = sg_virt(sg);
		KUNIT_EXPECT_EQ(test, p[0], 0xa0 + i);
		KUNIT_EXPECT_EQ(test, p[sg->length - 1], 0xa0 + i);
	}
	smaf_fakes[0].live -= buf->size;
	smaf_fakes[1].live += buf->size;
	smaf_kunit_release_checked(test, buf);
	put_device(dev);
}

/* ---- secure buffers: grants, scrub, quarantine -------------------------- */

/**
 * struct smaf_kunit_sec - a fake secure module that counts
 * @sec:	its handle
 * @contexts:	live contexts
 * @cpu:	CPU grants held, by direction (one per range)
 * @dev:	device grants held (one per range)
 * @calls:	grant_access() calls
 * @refuse_at:	refuse the grant_access() call of this number (0: none)
 * @refuse_write: refuse the CPU any write
 */
struct smaf_kunit_sec {
	struct smaf_secure *sec;
	int contexts;
	int cpu[DMA_NONE + 1];
	int dev;
	unsigned int calls;
	unsigned int refuse_at;
	bool refuse_write;
};

static void *smaf_kunit_create_ctx(struct smaf_secure *sec, size_t size)
{
	struct smaf_kunit_sec *ks = smaf_secure_priv(sec);

	ks->contexts++;
	return ks;
}

static void smaf_kunit_destroy_ctx(struct smaf_secure *sec, void *ctx)
{
	struct smaf_kunit_sec *ks = smaf_secure_priv(sec);

	ks->contexts--;
}

static int smaf_kunit_grant(struct smaf_secure *sec, void *ctx,
			    struct device *dev, phys_addr_t addr, size_t size,
			    enum dma_data_direction dir)
{
	struct smaf_kunit_sec *ks = smaf_secure_priv(sec);

	if (++ks->calls == ks->refuse_at ||
	    (!dev && ks->refuse_write && dir != DMA_TO_DEVICE))
		return -EACCES;
	if (dev)
		ks->dev++;
	else
		ks->cpu[dir]++;
	return 0;
}

static void smaf_kunit_revoke(struct smaf_secure *sec, void *ctx,
			      struct device *dev, phys_addr_t addr, size_t size,
			      enum dma_data_direction dir)
{
	struct smaf_kunit_sec *ks = smaf_secure_priv(sec);

	if (dev)
		ks->dev--;
	else
		ks->cpu[dir]--;
}

static const struct smaf_secure_ops smaf_kunit_sec_ops = {
	.create_ctx = smaf_kunit_create_ctx,
	.destroy_ctx = smaf_kunit_destroy_ctx,
	.grant_access = smaf_kunit_grant,
	.revoke_access = smaf_kunit_revoke,
};

static void smaf_kunit_sec_add(struct kunit *test, struct smaf_kunit_sec *ks)
{
	struct smaf_secure_info info = {
		.name = "kunit-secure",
		.ops = &smaf_kunit_sec_ops,
		.owner = THIS_MODULE,
		.priv = ks,
	};

	memset(ks, 0, sizeof(*ks));
	ks->sec = smaf_secure_add(&info);
	KUNIT_ASSERT_FALSE(test, IS_ERR(ks->sec));
}

/* The invariant: what the module holds is what @buf's uses hold. */
static void smaf_kunit_sec_check(struct kunit *test, struct smaf_kunit_sec *ks,
				 struct smaf_buffer *buf, int dev)
{
	int ranges = buf->sgt.orig_nents;

	KUNIT_EXPECT_EQ(test, ks->cpu[DMA_TO_DEVICE], buf->sec.cpu_grants[0] * ranges);
	KUNIT_EXPECT_EQ(test, ks->cpu[DMA_BIDIRECTIONAL],
			buf->sec.cpu_grants[1] * ranges);
	KUNIT_EXPECT_EQ(test, ks->cpu[DMA_FROM_DEVICE], 0);
	KUNIT_EXPECT_EQ(test, ks->dev, dev * ranges);
}

/* A secure buffer of four ranges, allocated on fake A. */
static struct smaf_buffer *smaf_kunit_secure_buffer(struct kunit *test,
						    struct smaf_kunit_sec *ks)
{
	struct smaf_buffer *buf = smaf_kunit_buffer(test, SZ_16K, true, 0);

	mutex_lock(&buf->lock);
	KUNIT_EXPECT_EQ(test, smaf_secure_set(buf), 0);
	KUNIT_EXPECT_EQ(test, smaf_secure_set(buf), -EALREADY);
	mutex_unlock(&buf->lock);
	KUNIT_EXPECT_EQ(test, ks->contexts, 1);
	/* Without a scrub op, the CPU's write for zeroing is asked first. */
	KUNIT_EXPECT_EQ(test, smaf_kunit_use(buf), 0);
	KUNIT_EXPECT_EQ(test, ks->calls, 4U);
	return buf;
}

static void smaf_kunit_secure_grants(struct kunit *test)
{
	struct device *dev = smaf_kunit_device(test);
	struct smaf_attachment a = { .dev = dev };
	struct smaf_kunit_sec ks;
	struct smaf_buffer *buf;
	struct scatterlist *sg;
	unsigned int i;

	smaf_kunit_sec_add(test, &ks);
	buf = smaf_kunit_secure_buffer(test, &ks);
	smaf_kunit_sec_check(test, &ks, buf, 0);
	mutex_lock(&buf->lock);
	KUNIT_EXPECT_EQ(test, smaf_secure_cpu_grant(buf, false), 0);
	KUNIT_EXPECT_EQ(test, smaf_secure_cpu_grant(buf, false), 0);
	KUNIT_EXPECT_EQ(test, smaf_secure_cpu_grant(buf, true), 0);
	smaf_kunit_sec_check(test, &ks, buf, 0);
	KUNIT_EXPECT_EQ(test, buf->sec.cpu_grants[0], 2U);
	/* Refused at the third range: the two granted are taken back. */
	ks.refuse_at = ks.calls + 3;
	KUNIT_EXPECT_EQ(test, smaf_secure_cpu_grant(buf, true), -EACCES);
	KUNIT_EXPECT_EQ(test, buf->sec.cpu_grants[1], 1U);
	smaf_kunit_sec_check(test, &ks, buf, 0);
	ks.refuse_at = 0;
	KUNIT_EXPECT_EQ(test, smaf_secure_map(buf, &a, DMA_FROM_DEVICE), 0);
	smaf_kunit_sec_check(test, &ks, buf, 1);
	smaf_secure_unmap(buf, &a, DMA_FROM_DEVICE);
	smaf_secure_cpu_revoke(buf, false);
	smaf_secure_cpu_revoke(buf, false);
	smaf_secure_cpu_revoke(buf, true);
	smaf_kunit_sec_check(test, &ks, buf, 0);
	for_each_sgtable_sg(&buf->sgt, sg, i)
		memset(sg_virt(sg), 0x5e, sg->length);
	mutex_unlock(&buf->lock);

	/* Release: the CPU zeroes it under a write grant, then the context goes. */
	KUNIT_EXPECT_TRUE(test, smaf_secure_release(buf));
	KUNIT_EXPECT_EQ(test, ks.contexts, 0);
	smaf_kunit_sec_check(test, &ks, buf, 0);
	for_each_sgtable_sg(&buf->sgt, sg, i)
		KUNIT_EXPECT_TRUE(test, !memchr_inv(sg_virt(sg), 0, sg->length));
	smaf_kunit_release_checked(test, buf);
	smaf_secure_remove(ks.sec);
	put_device(dev);
}

/* Memory that cannot be scrubbed stays charged until a later module does it. */
static void smaf_kunit_secure_quarantine(struct kunit *test)
{
	struct smaf_kunit_sec ks, later;
	struct smaf_buffer *buf;
	size_t size;

	smaf_kunit_sec_add(test, &ks);
	buf = smaf_kunit_secure_buffer(test, &ks);
	size = buf->size;
	ks.refuse_write = true;
	KUNIT_EXPECT_FALSE(test, smaf_secure_release(buf));
	KUNIT_EXPECT_EQ(test, ks.contexts, 0);
	smaf_secure_quarantine(buf, buf->allocator, &buf->sgt);
	buf->allocator = NULL;
	/* Still A's and still charged: the invariant holds with it counted. */
	smaf_kunit_check(test);
	smaf_kunit_release(buf);
	smaf_kunit_check(test);
	smaf_secure_remove(ks.sec);

	/* The next module scrubs it, in a context of its own: it is freed. */
	smaf_kunit_sec_add(test, &later);
	KUNIT_EXPECT_EQ(test, later.calls, 4U);
	KUNIT_EXPECT_EQ(test, later.contexts, 0);
	KUNIT_EXPECT_EQ(test, later.cpu[DMA_FROM_DEVICE], 0);
	smaf_fakes[0].live -= size;
	smaf_kunit_check(test);
	smaf_secure_remove(later.sec);
}

/* ---- the heap ioctl's argument sizes ------------------------------------ */

static void smaf_kunit_heap_args(struct kunit *test)
{
	const unsigned int full = sizeof(struct dma_heap_allocation_data);
	unsigned int in, out;

	KUNIT_EXPECT_EQ(test, smaf_heap_arg_sizes(DMA_HEAP_IOCTL_ALLOC, &in, &out), 0);
	KUNIT_EXPECT_EQ(test, in, full);
	KUNIT_EXPECT_EQ(test, out, full);
	/* Longer: the tail is ignored. */
	KUNIT_EXPECT_EQ(test, smaf_heap_arg_sizes(_IOWR(DMA_HEAP_IOC_MAGIC, 0x0, u8[64]),
						  &in, &out), 0);
	KUNIT_EXPECT_EQ(test, in, full);
	KUNIT_EXPECT_EQ(test, out, full);
	/* Shorter, down to the fd: zero-extended. */
	KUNIT_EXPECT_EQ(test, smaf_heap_arg_sizes(_IOWR(DMA_HEAP_IOC_MAGIC, 0x0, u8[12]),
						  &in, &out), 0);
	KUNIT_EXPECT_EQ(test, in, 12U);
	KUNIT_EXPECT_EQ(test, out, 12U);
	/* Too short for the fd, or nothing to write it back to. */
	KUNIT_EXPECT_EQ(test, smaf_heap_arg_sizes(_IOWR(DMA_HEAP_IOC_MAGIC, 0x0, u8[11]),
						  &in, &out), -EINVAL);
	KUNIT_EXPECT_EQ(test, smaf_heap_arg_sizes(_IOW(DMA_HEAP_IOC_MAGIC, 0x0,
						       struct dma_heap_allocation_data),
						  &in, &out), -EINVAL);
	KUNIT_EXPECT_EQ(test, in, full);
	KUNIT_EXPECT_EQ(test, out, 0U);
	/* Read-only: nothing read, the whole argument written. */
	KUNIT_EXPECT_EQ(test, smaf_heap_arg_sizes(_IOR(DMA_HEAP_IOC_MAGIC, 0x0,
						       struct dma_heap_allocation_data),
						  &in, &out), 0);
	KUNIT_EXPECT_EQ(test, in, 0U);
	KUNIT_EXPECT_EQ(test, out, full);
}

static struct kunit_case smaf_kunit_life_cases[] = {
	KUNIT_CASE(smaf_kunit_backoff),
	KUNIT_CASE(smaf_kunit_migrate_refused),
	KUNIT_CASE(smaf_kunit_migrate_moves),
	KUNIT_CASE(smaf_kunit_secure_grants),
	KUNIT_CASE(smaf_kunit_secure_quarantine),
	KUNIT_CASE(smaf_kunit_heap_args),
	{}
};

static struct kunit_suite smaf_kunit_life_suite = {
	.name = "smaf-life",
	.init = smaf_kunit_init,
	.exit = smaf_kunit_exit,
	.test_cases = smaf_kunit_life_cases,
};

kunit_test_suites(&smaf_kunit_life_suite);

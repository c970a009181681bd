// SPDX-License-Identifier: GPL-2.0
/*
 * SMAF migration: when a device attaches late to a buffer whose memory it
 * cannot reach, and nothing pins that memory, the buffer moves to memory
 * every user reaches.  CPU mappings survive: their page table entries are
 * dropped and the next access faults in the new memory.
 */
#define pr_fmt(fmt) "smaf: " fmt

#include <linux/atomic.h>
#include <linux/device.h>
#include <linux/io.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/scatterlist.h>
#include <linux/seq_file.h>
#include <linux/string.h>

#include "smaf-internal.h"

enum smaf_refusal {
	SMAF_REFUSED_OFF,
	SMAF_REFUSED_MAPPED,
	SMAF_REFUSED_VMAP,
	SMAF_REFUSED_SECURE,
	SMAF_REFUSED_ALLOC,
	SMAF_REFUSED_COPY,
	SMAF_NR_REFUSALS
};

static const char *const smaf_refusal_names[SMAF_NR_REFUSALS] = {
	"off", "device_mapped", "vmap", "secure", "allocation", "copy",
};

/* Counters for debugfs; atomics, no lock. */
static atomic_long_t smaf_migrations;
static atomic_long_t smaf_migrated_bytes;
static atomic_long_t smaf_refusals[SMAF_NR_REFUSALS];

/* Counts and reports a refusal; returns @ret. */
static int smaf_migrate_refuse(struct smaf_buffer *buf, struct device *dev,
			       enum smaf_refusal why, const char *by, int ret)
{
	atomic_long_inc(&smaf_refusals[why]);
	buf->refusals++;
	snprintf(buf->refused, sizeof(buf->refused), "%s%s%s",
		 smaf_refusal_names[why], by ? ":" : "", by ? by : "");
	dev_info_ratelimited(dev, "smaf: cannot move a %zu byte buffer here: %s%s%s (error %d)\n",
			     buf->size, smaf_refusal_names[why],
			     by ? ", held by " : "", by ? by : "", ret);
	return ret;
}

/* A CPU address of the chunk @sg of memory from @alloc, or NULL. */
static void *smaf_migrate_map(struct smaf_allocator *alloc,
			      struct scatterlist *sg)
{
	if (!alloc->no_direct_map)
		return page_address(sg_page(sg));
	return memremap(sg_phys(sg), sg->length,
			alloc->cpu_uncached ? MEMREMAP_WC : MEMREMAP_WB);
}

static void smaf_migrate_unmap(struct smaf_allocator *alloc, void *vaddr)
{
	if (alloc->no_direct_map)
		memunmap(vaddr);
}

/* Copies the contents of @from (of @fa) into @to (of @ta), same size. */
static int smaf_migrate_copy(struct smaf_allocator *fa, struct sg_table *from,
			     struct smaf_allocator *ta, struct sg_table *to)
{
	struct scatterlist *s = from->sgl, *d = to->sgl;
	size_t soff = 0, doff = 0, len;
	void *sv = NULL, *dv = NULL;
	int ret = 0;

	while (s && d) {
		if (!sv)
			sv = smaf_migrate_map(fa, s);
		if (!dv)
			dv = smaf_migrate_map(ta, d);
		if (!sv || !dv) {
			ret = -ENOMEM;
			break;
		}
		len = min3((size_t)s->length - soff, (size_t)d->length - doff,
			   (size_t)SZ_1M);
		memcpy(dv + doff, sv + soff, len);
		soff += len;
		doff += len;
		if (soff == s->length) {
			smaf_migrate_unmap(fa, sv);
			sv = NULL;
			soff = 0;
			s = sg_next(s);
		}
		if (doff == d->length) {
			smaf_migrate_unmap(ta, dv);
			dv = NULL;
			doff = 0;
			d = sg_next(d);
		}
		cond_resched();
	}
	if (sv)
		smaf_migrate_unmap(fa, sv);
	if (dv)
		smaf_migrate_unmap(ta, dv);
	return ret;
}

/* Frees memory @buf left, or quarantines it if it could not be scrubbed. */
static void smaf_migrate_free(struct smaf_buffer *buf, struct smaf_allocator *alloc,
			      struct sg_table *sgt, bool scrubbed)
{
	if (scrubbed)
		smaf_memory_free(buf, alloc, sgt);
	else
		smaf_secure_quarantine(buf, alloc, sgt);
}

/**
 * smaf_migrate() - move an allocated buffer where a late device reaches it
 * @buf: the buffer, allocated where a device about to attach cannot reach
 * @dev: that device, for the log
 * @d: what that device needs
 *
 * Refused while something pins the memory: a device mapping or a kernel
 * mapping (vmap).  Otherwise allocates for the merged constraints of every
 * user, @d included, and the CPU if it used or maps the buffer (charged to the creator
 * before the copy: both copies exist for a moment); for a secure buffer,
 * asks the secure module to grant the new memory to every CPU use that
 * holds a grant, and the copy; drops the page table entries of every CPU
 * mapping, copies, switches the buffer over and frees the old memory
 * (scrubbed first if secure).  CPU faults wait on @buf->lock meanwhile, so
 * no write is lost and none lands in freed memory.  Any failure leaves the
 * buffer as it was.
 *
 * Context: process context, may sleep; @buf->lock held.
 * Return: 0; -EXDEV if migration is off, something pins the memory, or
 * the secure module refuses the new memory; or the error of the
 * allocation (see smaf_memory_allocate()), -ENOMEM if the memory cannot be
 * mapped for the copy.
 */
int smaf_migrate(struct smaf_buffer *buf, struct device *dev,
		 const struct smaf_dev_constraints *d)
{
	struct smaf_allocator *old = buf->allocator;
	struct smaf_constraints old_used = buf->used;
	struct smaf_layout old_layout = buf->layout;
	struct sg_table old_sgt = buf->sgt;
	u32 old_reason = buf->reason;
	int old_error = buf->last_error;
	enum smaf_refusal why = SMAF_REFUSED_ALLOC;
	struct smaf_attachment *a;
	struct smaf_constraints c;
	bool scrubbed;
	int ret;

	lockdep_assert_held(&buf->lock);
	if (!READ_ONCE(smaf_params.migrate))
		return smaf_migrate_refuse(buf, dev, SMAF_REFUSED_OFF, NULL, -EXDEV);
	list_for_each_entry(a, &buf->attachments, node)
		if (a->mapped)
			return smaf_migrate_refuse(buf, dev, SMAF_REFUSED_MAPPED,
						   dev_name(a->dev), -EXDEV);
	if (buf->vmapped)
		return smaf_migrate_refuse(buf, dev, SMAF_REFUSED_VMAP, NULL, -EXDEV);
	/* Memory without pages is secure memory no CPU can copy. */
	if (buf->allocator->no_pages)
		return smaf_migrate_refuse(buf, dev, SMAF_REFUSED_SECURE, NULL, -EXDEV);

	/* Every user, @d included; the CPU if it used or maps the buffer. */
	smaf_memory_constraints(buf, d, buf->used.cpu || buf->vmas, &c);
	buf->allocator = NULL;
	memset(&buf->sgt, 0, sizeof(buf->sgt));
	ret = smaf_memory_allocate(buf, &c);
	if (ret)
		goto restore;
	if (smaf_secure_move_grant(buf, &old_sgt, &buf->sgt)) {
		/* Not used yet: nothing to scrub. */
		smaf_memory_free(buf, buf->allocator, &buf->sgt);
		why = SMAF_REFUSED_SECURE;
		ret = -EXDEV;
		goto restore;
	}

	/* Every CPU access from now on faults, and waits for @buf->lock. */
	unmap_mapping_range(buf->cpu_mapping, 0, 0, 1);
	ret = smaf_migrate_copy(old, &old_sgt, buf->allocator, &buf->sgt);
	/* An uncached buffer's copy went through the cacheable direct map. */
	if (!ret && buf->uncached)
		ret = smaf_uncached_flush(buf);
	if (ret) {
		scrubbed = smaf_secure_move_end(buf, &old_sgt, &buf->sgt, &buf->sgt);
		smaf_migrate_free(buf, buf->allocator, &buf->sgt, scrubbed);
		why = SMAF_REFUSED_COPY;
		goto restore;
	}
	/* The old memory is scrubbed as its own allocator's (cpu_uncached). */
	swap(buf->allocator, old);
	scrubbed = smaf_secure_move_end(buf, &old_sgt, &buf->sgt, &old_sgt);
	swap(buf->allocator, old);
	smaf_migrate_free(buf, old, &old_sgt, scrubbed);

	buf->fault_sg = NULL;
	buf->migrations++;
	buf->refused[0] = '\0';
	buf->last_error = 0;
	atomic_long_inc(&smaf_migrations);
	atomic_long_add(buf->size, &smaf_migrated_bytes);
	dev_info_ratelimited(dev, "smaf: moved a %zu byte buffer to allocator '%s' for this device\n",
			     buf->size, buf->allocator->name);
	return 0;

restore:
	buf->allocator = old;
	buf->sgt = old_sgt;
	buf->layout = old_layout;
	buf->used = old_used;
	buf->reason = old_reason;
	buf->last_error = old_error;
	return smaf_migrate_refuse(buf, dev, why, NULL, ret);
}

/**
 * smaf_migrate_show() - the migration counters, for debugfs
 * @s: the debugfs file
 *
 * Context: process context.
 */
void smaf_migrate_show(struct seq_file *s)
{
	int i;

	seq_printf(s, "enabled=%d migrations=%ld bytes=%ld", READ_ONCE(smaf_params.migrate),
		   atomic_long_read(&smaf_migrations),
		   atomic_long_read(&smaf_migrated_bytes));
	for (i = 0; i < SMAF_NR_REFUSALS; i++)
		seq_printf(s, " refused_%s=%ld", smaf_refusal_names[i],
			   atomic_long_read(&smaf_refusals[i]));
	seq_puts(s, "\n");
}

// SPDX-License-Identifier: GPL-2.0
/*
 * SMAF secure buffers: the secure module registry, per-buffer contexts, and
 * the grants asked for every device and CPU use of a secure buffer.
 */
#define pr_fmt(fmt) "smaf: " fmt

#include <linux/err.h>
#include <linux/export.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/scatterlist.h>
#include <linux/seq_file.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include "smaf-internal.h"
#include "smaf-secure.h"

/* CPU grants held on a buffer (smaf_buffer.cpu_granted). */
#define SMAF_CPU_READ	BIT(0)	/* DMA_TO_DEVICE: the CPU reads */
#define SMAF_CPU_RW	BIT(1)	/* DMA_BIDIRECTIONAL */

/* Protects smaf_secure_mod. */
static DEFINE_MUTEX(smaf_secure_lock);
static struct smaf_secure *smaf_secure_mod;
/* Live contexts, for the debugfs view. */
static atomic_t smaf_secure_contexts = ATOMIC_INIT(0);

/**
 * smaf_register_secure() - make a secure module SMAF's one secure module
 * @sec: the module's description, ops and owner filled in
 *
 * Context: process context; takes the secure registry lock.
 * Return: 0, -EINVAL if an op is missing, -EBUSY if a secure module is
 * already registered.
 */
int smaf_register_secure(struct smaf_secure *sec)
{
	int ret = 0;

	if (!sec->name || !sec->ops || !sec->ops->create_ctx ||
	    !sec->ops->destroy_ctx || !sec->ops->grant_access ||
	    !sec->ops->revoke_access)
		return -EINVAL;
	mutex_lock(&smaf_secure_lock);
	if (smaf_secure_mod)
		ret = -EBUSY;
	else
		smaf_secure_mod = sec;
	mutex_unlock(&smaf_secure_lock);
	if (!ret)
		pr_info("secure module '%s' registered\n", sec->name);
	return ret;
}
EXPORT_SYMBOL_GPL(smaf_register_secure);

/**
 * smaf_unregister_secure() - withdraw the secure module
 * @sec: the registered module
 *
 * Contexts hold a reference on @sec's owner, so this runs only when no
 * secure buffer is left.
 *
 * Context: process context; takes the secure registry lock.
 */
void smaf_unregister_secure(struct smaf_secure *sec)
{
	mutex_lock(&smaf_secure_lock);
	if (!WARN_ON(smaf_secure_mod != sec))
		smaf_secure_mod = NULL;
	mutex_unlock(&smaf_secure_lock);
}
EXPORT_SYMBOL_GPL(smaf_unregister_secure);

static struct smaf_secure *smaf_secure_get(void)
{
	struct smaf_secure *sec;

	mutex_lock(&smaf_secure_lock);
	sec = smaf_secure_mod;
	if (sec && !try_module_get(sec->owner))
		sec = NULL;
	mutex_unlock(&smaf_secure_lock);
	return sec;
}

/**
 * smaf_secure_set() - set or clear a buffer's secure flag
 * @buf: the buffer
 * @on: the new flag
 *
 * Context: process context; @buf->lock held.
 * Return: 0; -EBUSY if the buffer is already allocated or mapped by the
 * CPU; -EALREADY if it is already secure; -EOPNOTSUPP if no secure module is registered; or the
 * secure module's error creating the context.
 */
int smaf_secure_set(struct smaf_buffer *buf, bool on)
{
	struct smaf_secure *sec;
	void *ctx;

	lockdep_assert_held(&buf->lock);
	if (on == buf->secure)
		return on ? -EALREADY : 0;
	if (buf->allocator || buf->vmas)
		return -EBUSY;

	if (!on) {
		buf->sec->ops->destroy_ctx(buf->sec, buf->sec_ctx);
		atomic_dec(&smaf_secure_contexts);
		module_put(buf->sec->owner);
		buf->sec = NULL;
		buf->sec_ctx = NULL;
		buf->secure = false;
		return 0;
	}

	sec = smaf_secure_get();
	if (!sec)
		return -EOPNOTSUPP;
	ctx = sec->ops->create_ctx(sec, buf->size);
	if (IS_ERR(ctx)) {
		module_put(sec->owner);
		return PTR_ERR(ctx);
	}
	atomic_inc(&smaf_secure_contexts);
	buf->sec = sec;
	buf->sec_ctx = ctx;
	buf->secure = true;
	return 0;
}

static void smaf_secure_revoke_ranges(struct smaf_buffer *buf,
				      struct device *dev, unsigned int n,
				      enum dma_data_direction dir)
{
	struct scatterlist *sg;
	unsigned int i;

	for_each_sgtable_sg(&buf->sgt, sg, i) {
		if (i == n)
			break;
		buf->sec->ops->revoke_access(buf->sec, buf->sec_ctx, dev,
					     sg_phys(sg), sg->length, dir);
	}
}

/* Grants every range of @buf to @dev, or none. */
static int smaf_secure_grant_ranges(struct smaf_buffer *buf,
				    struct device *dev,
				    enum dma_data_direction dir)
{
	struct scatterlist *sg;
	unsigned int i;
	int ret;

	for_each_sgtable_sg(&buf->sgt, sg, i) {
		ret = buf->sec->ops->grant_access(buf->sec, buf->sec_ctx, dev,
						  sg_phys(sg), sg->length, dir);
		if (ret) {
			smaf_secure_revoke_ranges(buf, dev, i, dir);
			return ret == -EACCES ? ret : -EACCES;
		}
	}
	return 0;
}

/**
 * smaf_secure_map() - ask access for a device mapping a secure buffer
 * @buf: the buffer, allocated
 * @a: the attachment about to be mapped
 * @dir: the mapping's direction
 *
 * Context: process context; @buf->lock held.
 * Return: 0 (also for a buffer that is not secure) or -EACCES.
 */
int smaf_secure_map(struct smaf_buffer *buf, struct smaf_attachment *a,
		    enum dma_data_direction dir)
{
	lockdep_assert_held(&buf->lock);
	if (!buf->secure)
		return 0;
	return smaf_secure_grant_ranges(buf, a->dev, dir);
}

/**
 * smaf_secure_unmap() - give back what smaf_secure_map() got
 * @buf: the buffer
 * @a: the attachment being unmapped
 * @dir: the direction smaf_secure_map() was called with
 *
 * Context: process context; @buf->lock held.
 */
void smaf_secure_unmap(struct smaf_buffer *buf, struct smaf_attachment *a,
		       enum dma_data_direction dir)
{
	lockdep_assert_held(&buf->lock);
	if (buf->secure)
		smaf_secure_revoke_ranges(buf, a->dev, UINT_MAX, dir);
}

/**
 * smaf_secure_cpu_get() - ask access for one more CPU use
 * @buf: the buffer, allocated
 * @write: the CPU may write
 *
 * CPU uses (mappings, vmaps, begin_cpu_access) share one grant per access
 * kind, asked on the first use that needs it and revoked with the last use.
 *
 * Context: process context; @buf->lock held.
 * Return: 0 (also for a buffer that is not secure) or -EACCES.
 */
int smaf_secure_cpu_get(struct smaf_buffer *buf, bool write)
{
	u8 need = write ? SMAF_CPU_RW : SMAF_CPU_READ;
	int ret;

	lockdep_assert_held(&buf->lock);
	if (!buf->secure)
		return 0;
	if (!(buf->cpu_granted & (need | SMAF_CPU_RW))) {
		ret = smaf_secure_grant_ranges(buf, NULL, write ?
					       DMA_BIDIRECTIONAL : DMA_TO_DEVICE);
		if (ret)
			return ret;
		buf->cpu_granted |= need;
	}
	buf->cpu_users++;
	return 0;
}

/**
 * smaf_secure_cpu_put() - one CPU use ended
 * @buf: the buffer
 *
 * Context: process context; @buf->lock held.
 */
void smaf_secure_cpu_put(struct smaf_buffer *buf)
{
	lockdep_assert_held(&buf->lock);
	if (!buf->secure || WARN_ON(!buf->cpu_users) || --buf->cpu_users)
		return;
	if (buf->cpu_granted & SMAF_CPU_READ)
		smaf_secure_revoke_ranges(buf, NULL, UINT_MAX, DMA_TO_DEVICE);
	if (buf->cpu_granted & SMAF_CPU_RW)
		smaf_secure_revoke_ranges(buf, NULL, UINT_MAX, DMA_BIDIRECTIONAL);
	buf->cpu_granted = 0;
}

/* Zeroes the buffer through temporary kernel mappings, which also work for
 * memory outside the kernel's linear map (carveouts).
 */
static void smaf_secure_scrub(struct smaf_buffer *buf)
{
	struct page *pages[64];
	struct sg_page_iter piter;
	unsigned int n = 0;
	void *vaddr;

	for_each_sgtable_page(&buf->sgt, &piter, 0) {
		pages[n++] = sg_page_iter_page(&piter);
		if (n < ARRAY_SIZE(pages))
			continue;
		vaddr = vmap(pages, n, VM_MAP, PAGE_KERNEL);
		if (!WARN_ON(!vaddr)) {
			memset(vaddr, 0, n * PAGE_SIZE);
			vunmap(vaddr);
		}
		n = 0;
		cond_resched();
	}
	if (n) {
		vaddr = vmap(pages, n, VM_MAP, PAGE_KERNEL);
		if (!WARN_ON(!vaddr)) {
			memset(vaddr, 0, n * PAGE_SIZE);
			vunmap(vaddr);
		}
	}
}

/**
 * smaf_secure_release() - end of a buffer's life: revoke, scrub, destroy
 * @buf: the buffer, no longer attached or mapped; its memory still
 *	 allocated if it ever was
 *
 * Revokes CPU grants still held (a DMA_BUF_IOCTL_SYNC start without its
 * end), zeroes the memory so that no secret goes back to the system, and
 * destroys the context.
 *
 * Context: process context; the buffer is unreachable; takes its lock.
 */
void smaf_secure_release(struct smaf_buffer *buf)
{
	if (!buf->secure)
		return;
	mutex_lock(&buf->lock);
	if (buf->cpu_users) {
		buf->cpu_users = 1;
		smaf_secure_cpu_put(buf);
	}
	mutex_unlock(&buf->lock);
	if (buf->allocator)
		smaf_secure_scrub(buf);
	buf->sec->ops->destroy_ctx(buf->sec, buf->sec_ctx);
	atomic_dec(&smaf_secure_contexts);
	module_put(buf->sec->owner);
}

/**
 * smaf_secure_show() - print the secure module and its live contexts
 * @s: debugfs file
 *
 * Context: process context; takes the secure registry lock.
 */
void smaf_secure_show(struct seq_file *s)
{
	mutex_lock(&smaf_secure_lock);
	seq_printf(s, "module=%s contexts=%d\n",
		   smaf_secure_mod ? smaf_secure_mod->name : "-",
		   atomic_read(&smaf_secure_contexts));
	mutex_unlock(&smaf_secure_lock);
}

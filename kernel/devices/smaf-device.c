// SPDX-License-Identifier: GPL-2.0
/*
 * What SMAF knows about a device: its DMA limits from struct device, and
 * from the policy (module parameter "policy", root-writable at runtime,
 * smaf-params.c)
 * whether it needs physically contiguous memory.
 */
#define pr_fmt(fmt) "smaf: " fmt

#include <linux/device.h>
#include <linux/dma-direct.h>
#include <linux/dma-mapping.h>
#include <linux/iommu.h>
#include <linux/mutex.h>
#include <linux/slab.h>

#include "smaf-internal.h"
#include "smaf-policy.h"

/* Protects smaf_policy and smaf_policy_loaded. */
static DEFINE_MUTEX(smaf_policy_lock);
static struct smaf_policy smaf_policy;
static bool smaf_policy_loaded;

/**
 * smaf_device_set_policy() - replace the policy
 * @text: the new rules (smaf-policy.h)
 *
 * Context: process context; takes the policy lock.
 * Return: 0, -ENOMEM, or the error of smaf_policy_parse(); on error the
 * policy is unchanged.
 */
int smaf_device_set_policy(const char *text)
{
	struct smaf_policy *p;
	int ret;

	p = kmalloc(sizeof(*p), GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	ret = smaf_policy_parse(p, text);
	if (!ret) {
		mutex_lock(&smaf_policy_lock);
		smaf_policy = *p;
		smaf_policy_loaded = true;
		mutex_unlock(&smaf_policy_lock);
		pr_info("policy updated: %u rules\n", p->nrules);
	}
	kfree(p);
	return ret;
}

/**
 * smaf_device_show_policy() - the policy as text, one rule per line
 * @buf: out
 * @len: size of @buf
 *
 * Context: process context; takes the policy lock.
 * Return: the length written, or -ENOSPC.
 */
int smaf_device_show_policy(char *buf, unsigned int len)
{
	int ret;

	mutex_lock(&smaf_policy_lock);
	ret = smaf_policy_format(&smaf_policy, buf, len);
	mutex_unlock(&smaf_policy_lock);
	return ret;
}

/**
 * smaf_device_init() - install the default policy unless one was given
 *
 * Context: module init.
 */
void smaf_device_init(void)
{
	mutex_lock(&smaf_policy_lock);
	if (!smaf_policy_loaded &&
	    !WARN_ON(smaf_policy_parse(&smaf_policy, SMAF_POLICY_DEFAULT)))
		smaf_policy_loaded = true;
	mutex_unlock(&smaf_policy_lock);
}

/**
 * smaf_device_translated() - does an IOMMU translate @dev's DMA?
 * @dev: the device
 *
 * Context: any.
 * Return: true if @dev sits in a paging (non-identity) IOMMU domain.
 */
bool smaf_device_translated(struct device *dev)
{
	struct iommu_domain *domain = iommu_get_domain_for_dev(dev);

	return domain && (domain->type & __IOMMU_DOMAIN_PAGING);
}

/*
 * The highest physical address @dev reaches with bus addresses up to
 * @dma_limit.  Bus addresses are not physical addresses: SoCs offset them
 * (dma-ranges), memory encryption sets a bit in them.  With several DMA
 * ranges, the highest memory any of them reaches (the mapping check catches
 * memory in a hole between ranges).
 */
static u64 smaf_device_phys_limit(struct device *dev, u64 dma_limit)
{
	const struct bus_dma_region *r = dev->dma_range_map;
	u64 limit = 0, end;

	if (!r)
		return dma_to_phys(dev, dma_limit);
	for (; r->size; r++) {
		if (r->dma_start > dma_limit)
			continue;
		end = r->cpu_start + min_t(u64, r->size - 1,
					   dma_limit - r->dma_start);
		limit = max(limit, end);
	}
	return limit;
}

/**
 * smaf_device_constraints() - what @dev needs from a buffer's memory
 * @dev: an importing device
 * @d: out
 *
 * Context: process context; takes the policy lock.
 */
void smaf_device_constraints(struct device *dev,
			     struct smaf_dev_constraints *d)
{
	enum smaf_policy_need need;

	d->dma_limit = dma_get_mask(dev);
	if (dev->bus_dma_limit)
		d->dma_limit = min(d->dma_limit, dev->bus_dma_limit);
	d->translated = smaf_device_translated(dev);
	d->phys_limit = d->translated ? ~(u64)0 :
			smaf_device_phys_limit(dev, d->dma_limit);
	d->max_segment = dma_get_max_seg_size(dev);
	d->seg_boundary = dma_get_seg_boundary(dev);

	mutex_lock(&smaf_policy_lock);
	need = smaf_policy_lookup(&smaf_policy,
				  dev->driver ? dev->driver->name : "",
				  dev_name(dev));
	mutex_unlock(&smaf_policy_lock);
	d->contig = !d->translated && need != SMAF_NEED_SG;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * smaf.ko's module parameters, in one place (but the KUnit suites' own
 * kunit_seed, in smaf-kunit.c, built for the debug kernel only).  The list parameters
 * (policy, heaps, limits) share one parser (smaf-param-list.h); the files
 * that use a parameter read it from smaf_params or are called to set it.
 */
#include <linux/mm.h>
#include <linux/moduleparam.h>

#include "devices/smaf-policy.h"
#include "front/smaf-heap-alias.h"
#include "smaf-internal.h"

struct smaf_params smaf_params = {
	.heaps = SMAF_HEAP_ALIASES_DEFAULT,
	.pool_mib = -1,
	.max_buffers = 4096,
	.migrate = true,
	/* Unset: smaf_params_init() makes it a quarter of RAM. */
	.quarantine_max = ULLONG_MAX,
};

/**
 * smaf_params_init() - give the parameters not set at load time the
 * defaults that depend on the machine
 *
 * Context: module init, first.
 */
void smaf_params_init(void)
{
	if (smaf_params.quarantine_max == ULLONG_MAX)
		smaf_params.quarantine_max = ((u64)totalram_pages() << PAGE_SHIFT) / 4;
}

static int smaf_params_set_policy(const char *val, const struct kernel_param *kp)
{
	return smaf_device_set_policy(val);
}

static int smaf_params_get_policy(char *buf, const struct kernel_param *kp)
{
	return smaf_device_show_policy(buf, PAGE_SIZE);
}

static const struct kernel_param_ops smaf_params_policy_ops = {
	.set = smaf_params_set_policy,
	.get = smaf_params_get_policy,
};

module_param_cb(policy, &smaf_params_policy_ops, NULL, 0644);
MODULE_PARM_DESC(policy,
		 "which devices need contiguous memory: \"driver:NAME=contig|sg device:NAME=contig|sg ...\" (default \""
		 SMAF_POLICY_DEFAULT "\")");

static int smaf_params_set_limits(const char *val, const struct kernel_param *kp)
{
	return smaf_limits_set(val);
}

static int smaf_params_get_limits(char *buf, const struct kernel_param *kp)
{
	return smaf_limits_show(buf, PAGE_SIZE);
}

static const struct kernel_param_ops smaf_params_limits_ops = {
	.set = smaf_params_set_limits,
	.get = smaf_params_get_limits,
};

module_param_cb(limits, &smaf_params_limits_ops, NULL, 0644);
MODULE_PARM_DESC(limits,
		 "per-allocator limits, \"ALLOCATOR:user|global|reserve=SIZE|none,...\"");

module_param_named(heaps, smaf_params.heaps, charp, 0444);
MODULE_PARM_DESC(heaps,
		 "DMA-BUF heap aliases besides /dev/dma_heap/smaf: NAME=ATTR,...;... with ATTR contig, dma32, uncached, secure (load time only)");

module_param_named(max_buffers, smaf_params.max_buffers, uint, 0644);
MODULE_PARM_DESC(max_buffers, "live buffers per unprivileged user (default 4096)");

module_param_named(migrate, smaf_params.migrate, bool, 0644);
MODULE_PARM_DESC(migrate,
		 "move a buffer for a late device that cannot reach its memory (default Y; N: refuse with EXDEV)");

module_param_named(quarantine_max, smaf_params.quarantine_max, ullong, 0644);
MODULE_PARM_DESC(quarantine_max,
		 "bytes of secure buffers, live and quarantined, beyond which no buffer is made secure: the most that can ever be quarantined (default a quarter of RAM)");

module_param_named(carveout, smaf_params.carveout, charp, 0444);
MODULE_PARM_DESC(carveout,
		 "reserved region for the carveout allocator, SIZE@BASE (e.g. 64M@0x20000000)");

module_param_named(pool_mib, smaf_params.pool_mib, int, 0444);
MODULE_PARM_DESC(pool_mib,
		 "pre-zeroed pool for the system allocator, MiB (default -1: 1/64 of RAM, at most 256; 0: off)");

// SPDX-License-Identifier: GPL-2.0
/*
 * SMAF's own device (/sys/devices/smaf, apart from the /dev/smaf node so
 * that it is ready before any node opens), through which the allocators
 * use the DMA API, and what it tells of the machine.  Set first by module
 * init; read-only afterwards.
 */
#define pr_fmt(fmt) "smaf: " fmt

#include <linux/device.h>
#include <linux/dma-mapping.h>
#include <linux/err.h>

#include "smaf-internal.h"

static struct device *smaf_platform_dev;

/**
 * smaf_platform_init() - create SMAF's own device
 *
 * Its DMA mask is 64 bits, so that the contig allocator may take CMA memory
 * anywhere (it checks each buffer's constraints itself).
 *
 * Context: module init, before the allocators.
 * Return: 0, or the error of creating the device or setting its mask.
 */
int smaf_platform_init(void)
{
	struct device *dev;
	int ret;

	dev = root_device_register("smaf");
	if (IS_ERR(dev))
		return PTR_ERR(dev);
	ret = dma_coerce_mask_and_coherent(dev, DMA_BIT_MASK(64));
	if (ret) {
		root_device_unregister(dev);
		return ret;
	}
	smaf_platform_dev = dev;
	return 0;
}

/**
 * smaf_platform_exit() - remove SMAF's own device
 *
 * Context: module exit, last, or init failure.
 */
void smaf_platform_exit(void)
{
	root_device_unregister(smaf_platform_dev);
}

/**
 * smaf_ram_end() - highest physical address of RAM
 *
 * Context: any, after smaf_platform_init().
 * Return: the address, rounded up to a power of two minus one.
 */
u64 smaf_ram_end(void)
{
	return dma_get_required_mask(smaf_platform_dev);
}

/**
 * smaf_dma_device() - SMAF's own device, for DMA API allocations and cache
 * maintenance
 *
 * Context: any, after smaf_platform_init().
 * Return: the root device smaf_platform_init() registered (not the
 * /dev/smaf misc device): no driver binds it and it never does DMA.
 */
struct device *smaf_dma_device(void)
{
	return smaf_platform_dev;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * SMAF's own device (/dev/smaf), through which the allocators use the DMA
 * API, and what it tells of the machine.  Set once by module init, before
 * any buffer exists; read-only afterwards.
 */
#define pr_fmt(fmt) "smaf: " fmt

#include <linux/device.h>
#include <linux/dma-mapping.h>

#include "smaf-internal.h"

static struct device *smaf_platform_dev;

/**
 * smaf_platform_init() - remember SMAF's own device
 * @dev: the /dev/smaf device, its DMA mask set
 *
 * Context: module init, before the device node can be opened.
 */
void smaf_platform_init(struct device *dev)
{
	smaf_platform_dev = dev;
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
 * Return: the /dev/smaf device.
 */
struct device *smaf_dma_device(void)
{
	return smaf_platform_dev;
}

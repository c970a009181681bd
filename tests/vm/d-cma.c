// SPDX-License-Identifier: GPL-2.0
/*
 * Debug kernel: the contig allocator uses CMA, and judges CMA memory by its
 * physical address.  With 6 GiB the kernel's default CMA area lands above
 * 4 GiB (profile "default"); with cma=64M@0-4G it is low (profile
 * "cma-low").  A 64-bit user gets CMA memory in both cases; a 32-bit user
 * gets it only when the area is low, and otherwise memory below 4 GiB from
 * elsewhere.  The area is found in the kernel log ("cma: Reserved ...").
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#include <unistd.h>

#include <linux/dma-buf.h>
#include <linux/smaf.h>

#include "smaf-test.h"

#define SIZE (8 * 1024 * 1024)

static int dev;
static unsigned long long cma_base, cma_end;

static int find_cma(void)
{
	static char log[1 << 20];
	unsigned long mib;
	int n = klogctl(3, log, sizeof(log) - 1);
	char *p;

	if (n <= 0)
		return -1;
	log[n] = '\0';
	p = strstr(log, "cma: Reserved ");
	if (!p || sscanf(p, "cma: Reserved %lu MiB at %llx", &mib, &cma_base) != 2)
		return -1;
	cma_end = cma_base + (mib << 20) - 1;
	return 0;
}

static int in_cma(unsigned long long start, unsigned long long end)
{
	return start >= cma_base && end <= cma_end;
}

static int contig(uint32_t hints, unsigned long long *start, unsigned long long *end)
{
	int fd = smaf_test_create_v1(dev, SIZE, "contig", hints, 0);

	*start = *end = ~0ULL;
	if (fd < 0 || smaf_first_use(fd))
		return fd;
	smaf_buffer_phys(fd, start, end);
	return fd;
}

int main(void)
{
	const char *profile = getenv("SMAF_PROFILE");
	int low = profile && !strcmp(profile, "cma-low");
	unsigned long long start, end;
	int fd;

	dev = open("/dev/smaf", O_RDWR);
	if (dev < 0)
		tap_bail("cannot open /dev/smaf");
	fd = find_cma();
	tap_ok(!fd, "the kernel reserved a CMA area at %#llx-%#llx", cma_base, cma_end);
	tap_ok(low ? cma_end <= 0xffffffffULL : cma_base >= 0x100000000ULL,
	       "it is %s 4 GiB, as the profile (%s) places it", low ? "below" : "above",
	       low ? "cma=64M@0-4G" : "default");

	fd = contig(SMAF_HINT_CONTIGUOUS, &start, &end);
	tap_ok(smaf_buffer_num(fd, "contig") == 1 && in_cma(start, end),
	       "64-bit user: 8 MiB contiguous from the CMA area (%#llx-%#llx)", start, end);
	close(fd);

	fd = contig(SMAF_HINT_CONTIGUOUS | SMAF_HINT_DMA32, &start, &end);
	tap_ok(smaf_buffer_num(fd, "contig") == 1 && end <= 0xffffffffULL,
	       "32-bit user: 8 MiB contiguous below 4 GiB (%#llx-%#llx)", start, end);
	if (low)
		tap_ok(in_cma(start, end), "the low CMA area serves it");
	else
		tap_ok(!in_cma(start, end), "CMA memory above 4 GiB was not handed to it");
	close(fd);

	tap_ok(smaf_allocator_stat("contig", "bytes") == 0, "contig usage back to zero");
	tap_ok(smaf_live_buffers() == 0, "no buffer left");
	close(dev);
	return tap_done();
}

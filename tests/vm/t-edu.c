// SPDX-License-Identifier: GPL-2.0
/*
 * A real DMA engine: QEMU's edu device (28-bit DMA, or as many bits as the
 * harness says in smaf_edu_bits) moves data between SMAF buffers through its
 * own memory, driven by the smaf-edu test driver.
 *
 * Without an IOMMU the buffers must land within the device's reach,
 * physically contiguous (no policy rule says edu does scatter-gather).
 * Behind an IOMMU (Intel's on x86, an SMMUv3 on arm64: smaf_iommu=1) the
 * buffers may be scattered anywhere; the IOMMU gives the device addresses
 * it can reach.
 * Either way the data is checked byte for byte in both directions (the
 * device reads one buffer and writes the other).
 *
 * Behind the IOMMU the device also reaches the carveout, which memmap=
 * keeps out of the kernel's direct map: it gets that memory as DMA
 * addresses without struct pages (which an importer could kmap).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <linux/dma-buf.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "smaf-edu.h"
#include "smaf-test.h"

#define SIZE (32 * 1024)	/* edu moves 2 KiB per 100 ms */

/* Carveout memory reaches the device without struct pages. */
static void carveout_no_pages(int dev, int edu, int dst)
{
	struct smaf_edu_copy c;
	int cv;

	cv = smaf_test_create(dev, SIZE, "carveout");
	tap_ok(cv >= 0 && write_pattern_fd(cv, SIZE, 5) == 0,
	       "CPU writes a pattern into a carveout buffer");
	memset(&c, 0, sizeof(c));
	c.src_fd = cv;
	c.dst_fd = dst;
	c.length = SIZE;
	tap_ok(ioctl(edu, SMAF_EDU_IOC_COPY, &c) == 0 && check_pattern_fd(dst, SIZE, 5) == 0,
	       "edu DMA from the carveout arrives byte for byte");
	tap_ok(c.src_pages == 0, "carveout memory reaches the importer without pages (%u)",
	       c.src_pages);
	close(cv);
}

int main(void)
{
	int iommu = platform_iommu();
	const char *bits = getenv("smaf_edu_bits");
	unsigned long long limit = (1ULL << (bits ? atoi(bits) : 28)) - 1;
	int dev, edu_a, edu_b, a, b, ret;
	struct smaf_edu_copy c;
	char alloc[32];

	dev = open("/dev/smaf", O_RDWR);
	edu_a = open("/dev/smaf-edu", O_RDWR);
	edu_b = open("/dev/smaf-edu", O_RDWR);
	if (dev < 0 || edu_a < 0 || edu_b < 0)
		tap_bail("cannot open /dev/smaf or /dev/smaf-edu");
	tap_diag("edu %s an IOMMU, limit %#llx", iommu ? "behind" : "without", limit);

	/* edu attaches first: its constraints decide where the memory goes. */
	a = smaf_test_create(dev, SIZE, NULL);
	b = smaf_test_create(dev, SIZE, NULL);
	tap_ok(a >= 0 && b >= 0, "create two 32 KiB buffers");
	tap_ok(!ioctl(edu_a, SMAF_EDU_IOC_ATTACH, &a) && !ioctl(edu_b, SMAF_EDU_IOC_ATTACH, &b),
	       "edu attaches to both before they are used");

	/* The CPU's write is the first use of A: edu + CPU constraints. */
	tap_ok(write_pattern_fd(a, SIZE, 17) == 0, "CPU writes a pattern into A");
	smaf_buffer_field(a, "allocator", alloc, sizeof(alloc));
	if (iommu) {
		tap_ok(!strcmp(alloc, "system"),
		       "behind the IOMMU, scattered system pages serve edu (got %s)", alloc);
	} else {
		tap_ok(smaf_buffer_num(a, "contig") == 1 &&
		       (unsigned long long)smaf_buffer_num(a, "limit") == limit,
		       "A is contiguous, for the device's limit %#llx (allocator %s)",
		       limit, alloc);
	}

	memset(&c, 0, sizeof(c));
	c.src_fd = a;
	c.dst_fd = b;
	c.length = SIZE;
	ret = ioctl(edu_a, SMAF_EDU_IOC_COPY, &c);
	tap_ok(ret == 0, "edu DMA: A -> device -> B (%s)", ret ? strerror(errno) : "ok");
	tap_ok(c.translated == (unsigned int)iommu, "IOMMU translation: %u", c.translated);
	if (strcmp(alloc, "carveout"))
		tap_ok(c.src_pages > 0, "memory in the direct map comes with its pages (%u)",
		       c.src_pages);
	else
		tap_ok(c.src_pages == 0, "carveout memory comes without pages (%u)",
		       c.src_pages);
	tap_ok(c.src_dma_max <= limit && c.dst_dma_max <= limit,
	       "device addresses within its limit (%#llx, %#llx)",
	       (unsigned long long)c.src_dma_max, (unsigned long long)c.dst_dma_max);
	tap_ok(check_pattern_fd(b, SIZE, 17) == 0, "B holds A's bytes, byte for byte");

	/* And back: the device reads B and writes A, after the CPU changes B. */
	tap_ok(write_pattern_fd(b, SIZE, 99) == 0, "CPU writes a new pattern into B");
	memset(&c, 0, sizeof(c));
	c.src_fd = b;
	c.dst_fd = a;
	c.length = SIZE;
	tap_ok(ioctl(edu_b, SMAF_EDU_IOC_COPY, &c) == 0, "edu DMA: B -> device -> A");
	tap_ok(check_pattern_fd(a, SIZE, 99) == 0, "A holds B's bytes, byte for byte");
	if (!iommu) {
		unsigned long long start = 0, end = ~0ULL;

		ret = smaf_buffer_phys(b, &start, &end);
		tap_ok(!ret && end <= limit && smaf_buffer_num(b, "contig") == 1,
		       "B is contiguous within its reach (%#llx-%#llx)", start, end);
		ret = smaf_buffer_phys(a, &start, &end);
		tap_ok(!ret && end <= limit, "A is within its reach (%#llx-%#llx)", start, end);
	}

	tap_ok(!ioctl(edu_a, SMAF_EDU_IOC_DETACH) && !ioctl(edu_b, SMAF_EDU_IOC_DETACH),
	       "edu detaches");
	if (iommu) {
		carveout_no_pages(dev, edu_a, b);
	}
	close(a);
	close(b);
	close(edu_a);
	close(edu_b);
	tap_ok(smaf_live_buffers() == 0, "no buffer left");
	close(dev);
	return tap_done();
}

// SPDX-License-Identifier: GPL-2.0
/*
 * New memory is zeroed, including memory another buffer used and freed.
 */
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "smaf-test.h"

#define SIZE (64L * 1024 * 1024)
#define ROUNDS 4

static int all_zero(const unsigned char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i])
			return 0;
	return 1;
}

int main(void)
{
	unsigned char *p;
	int dev, fd, r;

	dev = open("/dev/smaf", O_RDWR);
	if (dev < 0)
		tap_bail("cannot open /dev/smaf");

	/*
	 * Each round fills a buffer with a pattern and frees it; the next
	 * buffer is likely to get the same pages and must still read zero.
	 */
	for (r = 0; r < ROUNDS; r++) {
		fd = smaf_test_create(dev, SIZE, NULL);
		if (fd < 0)
			tap_bail("create failed");
		p = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (p == MAP_FAILED)
			tap_bail("mmap failed");
		tap_ok(all_zero(p, SIZE), "round %d: 64 MiB buffer reads zero", r);
		memset(p, 0xa5 + r, SIZE);
		munmap(p, SIZE);
		close(fd);
	}

	/* Small buffers recycle single pages from the per-cpu lists. */
	for (r = 0; r < ROUNDS; r++) {
		fd = smaf_test_create(dev, 4096, NULL);
		p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (fd < 0 || p == MAP_FAILED)
			tap_bail("small create/mmap failed");
		tap_ok(all_zero(p, 4096), "round %d: 4 KiB buffer reads zero", r);
		memset(p, 0x5a, 4096);
		munmap(p, 4096);
		close(fd);
	}
	tap_ok(smaf_live_buffers() == 0, "no buffer left");
	close(dev);
	return tap_done();
}

// SPDX-License-Identifier: GPL-2.0
/*
 * New memory is zeroed, including memory another buffer used and freed.
 * The test VM boots with init_on_alloc=0, so the page allocator does not
 * zero for SMAF: an allocator that forgets to zero fails here.  Per
 * allocator, a dirtied buffer's physical range (debugfs) is seen to come
 * back to the next buffer, which must read zero.
 */
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "smaf-test.h"

#define SIZE (64L * 1024 * 1024)
#define ROUNDS 4
#define ATTEMPTS 4

/* Makes @n buffers of allocator @name, checks they read zero, dirties them,
 * records their physical starts and frees them.  Returns how many read zero.
 */
static int cycle(int dev, const char *name, size_t size, unsigned long long *starts, int n)
{
	unsigned long long end;
	int i, fd[8], zero = 0;
	unsigned char *p;

	for (i = 0; i < n; i++) {
		fd[i] = smaf_test_create(dev, size, name);
		p = fd[i] < 0 ? MAP_FAILED :
		    mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd[i], 0);
		if (p == MAP_FAILED)
			tap_bail("%s: create/mmap failed", name);
		zero += mem_is_zero(p, size);
		memset(p, 0xc3, size);
		if (smaf_buffer_phys(fd[i], &starts[i], &end))
			tap_bail("%s: no physical range in debugfs", name);
		munmap(p, size);
	}
	for (i = 0; i < n; i++)
		close(fd[i]);
	return zero;
}

/*
 * Dirtied memory of allocator @name comes back to new buffers, zeroed.
 * Single pages come back from this CPU's per-CPU list (main() pins the test
 * to one CPU) and the carveout hands out first fit, so reuse is expected
 * there; page tables and debugfs reads draw from the same list, so a few
 * attempts are allowed.  The buddy allocator may put freed high-order
 * blocks at the tail of its lists, so for contig reuse is not expected.
 */
static void reuse(int dev, const char *name, size_t size, int certain)
{
	unsigned long long before[8], after[8];
	int i, j, attempt, zero = 0, reused = 0;

	for (attempt = 0; attempt < (certain ? ATTEMPTS : 1) && !reused; attempt++) {
		cycle(dev, name, size, before, 8);
		zero += cycle(dev, name, size, after, 8);
		for (i = 0; i < 8; i++)
			for (j = 0; j < 8; j++)
				reused += after[i] == before[j];
	}
	tap_ok(zero == 8 * attempt,
	       "%s: %d x %zu KiB buffers read zero after as many dirtied ones were freed",
	       name, 8 * attempt, size / 1024);
	if (certain)
		tap_ok(reused > 0, "%s: %d of them got memory the dirtied ones had", name, reused);
	else
		tap_diag("%s: %d of them got memory the dirtied ones had", name, reused);
}

int main(void)
{
	unsigned char *p;
	int dev, fd, r;
	cpu_set_t cpu;

	/* Frees and allocations then meet on one per-CPU page list. */
	CPU_ZERO(&cpu);
	CPU_SET(sched_getcpu() < 0 ? 0 : sched_getcpu(), &cpu);
	if (sched_setaffinity(0, sizeof(cpu), &cpu))
		tap_bail("cannot pin the test to one CPU");

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
		tap_ok(mem_is_zero(p, SIZE), "round %d: 64 MiB buffer reads zero", r);
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
		tap_ok(mem_is_zero(p, 4096), "round %d: 4 KiB buffer reads zero", r);
		memset(p, 0x5a, 4096);
		munmap(p, 4096);
		close(fd);
	}
	reuse(dev, "system", 4096, 1);
	reuse(dev, "dma32", 4096, 1);
	reuse(dev, "contig", 1024 * 1024, 0);
	reuse(dev, "carveout", 1024 * 1024, 1);
	tap_ok(smaf_live_buffers() == 0, "no buffer left");
	close(dev);
	return tap_done();
}

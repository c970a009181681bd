// SPDX-License-Identifier: GPL-2.0
/*
 * Deferred allocation is real: creating 1 GiB costs no memory, touching it
 * does, and closing it gives it back.
 */
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "smaf-test.h"

#define GIB (1024L * 1024 * 1024)

int main(void)
{
	long before, created, touched, freed;
	char val[32];
	int dev, fd;
	char *p;

	dev = open("/dev/smaf", O_RDWR);
	if (dev < 0)
		tap_bail("cannot open /dev/smaf");

	before = meminfo_kb("MemFree");
	fd = smaf_test_create(dev, GIB, NULL);
	tap_ok(fd >= 0, "create a 1 GiB buffer");
	created = meminfo_kb("MemFree");
	tap_diag("MemFree before %ld KiB, after create %ld KiB", before, created);
	tap_ok(before - created < 64 * 1024, "free memory did not drop by the buffer's size");
	tap_ok(!smaf_buffer_field(fd, "allocated", val, sizeof(val)) && !strcmp(val, "0"),
	       "debugfs shows the buffer unallocated");

	/*
	 * mmap is a first use: whoever maps a buffer learns of a refusal from
	 * mmap(), never from a SIGBUS at its first access.
	 */
	p = mmap(NULL, GIB, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	tap_ok(p != MAP_FAILED, "mmap 1 GiB");
	touched = meminfo_kb("MemFree");
	tap_diag("MemFree after mmap %ld KiB", touched);
	/* Up to the pre-zeroed pool's size comes from the pool. */
	tap_ok(created - touched >= 1000 * 1024 - smaf_pool_stat("max_bytes") / 1024,
	       "mmap allocated the whole buffer (%ld KiB, pool %lld KiB)",
	       created - touched, smaf_pool_stat("max_bytes") / 1024);
	if (p != MAP_FAILED) {
		p[12345] = 42;	/* first CPU access */
		tap_ok(p[12345] == 42 && p[GIB - 1] == 0 && p[0] == 0,
		       "written byte reads back, the rest is zero");
		munmap(p, GIB);
	}
	tap_ok(!smaf_buffer_field(fd, "allocated", val, sizeof(val)) && !strcmp(val, "1"),
	       "debugfs shows the buffer allocated");
	close(fd);
	freed = meminfo_kb("MemFree");
	tap_diag("MemFree after close %ld KiB", freed);
	tap_ok(before - freed < 64 * 1024 + smaf_pool_stat("max_bytes") / 1024,
	       "closing the buffer gave the memory back (less what the pool keeps)");
	tap_ok(smaf_live_buffers() == 0, "no buffer left");
	close(dev);
	return tap_done();
}

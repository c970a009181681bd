// SPDX-License-Identifier: GPL-2.0
/*
 * Every allocator, by name and by selection (from version 1 hints); carveout
 * exhaustion and fallback to contig; contig that cannot serve; alignment.
 * Errors are clean and nothing is left behind.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/dma-buf.h>
#include <linux/smaf.h>

#include "smaf-test.h"

#define MIB (1024 * 1024UL)
#define LIMIT_4G 0xffffffffULL
#define LIMITS "/sys/module/smaf/parameters/limits"

static int dev;

static void by_name(const char *name, int want_contig, unsigned long long min_start,
		    unsigned long long max_end)
{
	unsigned long long start = 0, end = ~0ULL;
	int fd = smaf_test_create(dev, 3 * MIB, name);
	char alloc[32] = "";
	int want_uncached;
	long bad;

	bad = write_pattern_fd(fd, 3 * MIB, 3);
	smaf_buffer_field(fd, "allocator", alloc, sizeof(alloc));
	smaf_buffer_phys(fd, &start, &end);
	tap_ok(fd >= 0 && bad == 0 && !strcmp(alloc, name) &&
	       (!want_contig || smaf_buffer_num(fd, "contig") == 1) && start >= min_start &&
	       end <= max_end,
	       "by name '%s': allocated, %s, %#llx-%#llx", name,
	       want_contig ? "contiguous" : "scattered allowed", start, end);
	tap_ok(check_pattern_fd(fd, 3 * MIB, 3) == 0, "by name '%s': data reads back", name);
	/*
	 * Where DMA needs CPU cache maintenance (not x86), the CPU never
	 * caches memory outside the direct map (the carveout).
	 */
#ifdef __x86_64__
	want_uncached = 0;
#else
	want_uncached = !strcmp(name, "carveout");
#endif
	tap_ok(smaf_buffer_num(fd, "cpu_uncached") == want_uncached,
	       "by name '%s': the CPU maps it %s", name,
	       want_uncached ? "write-combined" : "cached");
	close(fd);
}

/*
 * Where DMA needs CPU cache maintenance (not x86) the CPU maps the carveout
 * write-combined, so a cached buffer that needs contiguous memory gets
 * contig's, which the CPU caches, and the carveout only when contig fails.
 */
#ifdef __x86_64__
#define CONTIG_FIRST	"carveout"
#define FULL_WHY	"fallback"
#else
#define CONTIG_FIRST	"contig"
#define FULL_WHY	"best-match"
#endif

static void by_selection(const char *what, uint32_t hints, size_t size, const char *want)
{
	int fd = smaf_test_create_v1(dev, size, NULL, hints, 0);
	char alloc[32] = "", why[32] = "";
	int err = smaf_first_use(fd);

	smaf_buffer_field(fd, "allocator", alloc, sizeof(alloc));
	smaf_buffer_field(fd, "why", why, sizeof(why));
	tap_ok(fd >= 0 && !err && !strcmp(alloc, want), "selection for %s: %s (got %s, %s)",
	       what, want, alloc, why);
	close(fd);
}

int main(void)
{
	int fds[16], n, i, fd, err;
	char alloc[32], why[32];
	unsigned long long start, end;
	long carve_before;

	dev = open("/dev/smaf", O_RDWR);
	if (dev < 0)
		tap_bail("cannot open /dev/smaf");
	tap_ok(smaf_allocator_stat("carveout", "ranking") >= 0,
	       "the test VM's carveout is registered");

	by_name("system", 0, 0, ~0ULL);
	by_name("dma32", 0, 0, LIMIT_4G);
	by_name("contig", 1, 0, ~0ULL);
	if (platform_carveout(&start, &end))
		tap_bail("the harness did not say where the carveout is");
	by_name("carveout", 1, start, start + end - 1);

	by_selection("the CPU alone", 0, 3 * MIB, "system");
	by_selection("a 32-bit scatter-gather user", SMAF_HINT_DMA32, 3 * MIB, "dma32");
	by_selection("a contiguous user", SMAF_HINT_CONTIGUOUS, 3 * MIB, CONTIG_FIRST);
	by_selection("a contiguous user larger than the carveout",
		     SMAF_HINT_CONTIGUOUS | SMAF_HINT_DMA32, 80 * MIB, "contig");

	/*
	 * Exhaust the carveout, 16 MiB at a time: its global limit (its size)
	 * refuses the 5th with ENOSPC.  Without the limit, genalloc itself
	 * runs out: ENOMEM.
	 */
	carve_before = smaf_allocator_stat("carveout", "refusals");
	for (n = 0, err = 0; n < 16 && !err; n++) {
		fds[n] = smaf_test_create(dev, 16 * MIB, "carveout");
		err = smaf_first_use(fds[n]);
	}
	tap_ok(err == ENOSPC && n == 5, "carveout (64 MiB) serves 4 x 16 MiB, the 5th gets ENOSPC (%d, %s)",
	       n, strerror(err));
	tap_ok(smaf_allocator_stat("carveout", "refusals") == carve_before + 1,
	       "the refusal is counted");
	tap_ok(!write_file(LIMITS, "carveout:global=none"), "carveout: global limit lifted");
	/* The refused one was refused at create: try it again. */
	if (fds[n - 1] < 0)
		fds[n - 1] = smaf_test_create(dev, 16 * MIB, "carveout");
	carve_before = smaf_allocator_stat("carveout", "failures");
	err = smaf_first_use(fds[n - 1]);
	tap_ok(err == ENOMEM && smaf_allocator_stat("carveout", "failures") == carve_before + 1,
	       "genalloc itself is full: ENOMEM, counted as a failure");
	tap_ok(smaf_buffer_num(fds[n - 1], "allocated") == 0 &&
	       smaf_buffer_num(fds[n - 1], "error") == -ENOMEM,
	       "the refused buffer stays unallocated, debugfs shows its error");
	tap_ok(smaf_first_use(fds[n - 1]) == ENOMEM, "trying again fails the same way");
	write_file(LIMITS, "carveout:global=64M");

	/*
	 * With the carveout full, a contiguous need falls back to contig (on
	 * x86; elsewhere contig came first anyway).
	 */
	fd = smaf_test_create_v1(dev, 4 * MIB, NULL, SMAF_HINT_CONTIGUOUS, 0);
	err = smaf_first_use(fd);
	smaf_buffer_field(fd, "allocator", alloc, sizeof(alloc));
	smaf_buffer_field(fd, "why", why, sizeof(why));
	tap_ok(!err && !strcmp(alloc, "contig") && !strcmp(why, FULL_WHY),
	       "carveout full: %s (%s)", alloc, why);
	close(fd);
	for (i = 0; i < n; i++)
		close(fds[i]);
	tap_ok(smaf_allocator_stat("carveout", "bytes") == 0 &&
	       smaf_allocator_stat("carveout", "buffers") == 0,
	       "carveout usage back to zero");

	/* Contig cannot serve 1.5 GiB: by name EXDEV, by selection ENODEV. */
	fd = smaf_test_create(dev, 1536 * MIB, "contig");
	tap_ok(smaf_first_use(fd) == EXDEV, "1.5 GiB named 'contig': EXDEV at first use");
	close(fd);
	fd = smaf_test_create_v1(dev, 1536 * MIB, NULL, SMAF_HINT_CONTIGUOUS, 0);
	tap_ok(smaf_first_use(fd) == ENODEV, "1.5 GiB contiguous, nothing serves it: ENODEV");
	close(fd);
	tap_ok(smaf_allocator_stat("contig", "bytes") == 0, "contig usage back to zero");

	/* Alignment of the physical start. */
	fd = smaf_test_create_v1(dev, 1 * MIB, NULL, SMAF_HINT_CONTIGUOUS, 8 * MIB);
	err = smaf_first_use(fd);
	start = 1;
	smaf_buffer_phys(fd, &start, &end);
	tap_ok(!err && !(start & (8 * MIB - 1)), "8 MiB alignment honoured (%#llx)", start);
	close(fd);
	fd = smaf_test_create_v1(dev, 1 * MIB, "system", 0, 2 * MIB);
	tap_ok(smaf_first_use(fd) == EXDEV, "alignment on a scattered allocator: EXDEV");
	close(fd);

	tap_ok(smaf_live_buffers() == 0, "no buffer left");
	close(dev);
	return tap_done();
}

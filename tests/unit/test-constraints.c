// SPDX-License-Identifier: GPL-2.0
/*
 * Native unit tests of the constraint merging in kernel/memory/smaf-constraints.c,
 * built with sanitizers.  SMAF_SEED=N replays a randomized run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "memory/smaf-constraints.h"

static int count, failed;

static void ok(int pass, const char *what)
{
	count++;
	failed += !pass;
	printf("%sok %d - %s\n", pass ? "" : "not ", count, what);
}

static struct smaf_dev_constraints dev(u64 limit, bool translated, u32 seg, u64 boundary)
{
	struct smaf_dev_constraints d = {
		.dma_limit = limit, .phys_limit = limit, .translated = translated,
		.max_segment = seg, .seg_boundary = boundary,
	};
	return d;
}

static void contig_and_layout(void)
{
	struct smaf_constraints c;
	struct smaf_dev_constraints d;
	struct smaf_layout l = { .phys_start = 0x20000000, .phys_end = 0x203fffff, .contig = true };

	smaf_constraints_init(&c, 4 << 20);
	d = dev(0xffffffffULL, true, 65536, ~0ULL);
	d.contig = true;
	smaf_constraints_add_device(&c, &d);
	ok(!c.contig && c.phys_limit == ~0ULL, "a translated device needs neither contiguity nor low memory");
	d.translated = false;
	smaf_constraints_add_device(&c, &d);
	ok(c.contig && c.phys_limit == 0xffffffffULL, "an untranslated contiguous device needs both");
	ok(smaf_layout_serves(&l, &c), "contiguous memory at 512 MiB serves it");
	l.contig = false;
	ok(!smaf_layout_serves(&l, &c), "scattered memory does not");
	l.contig = true;
	l.phys_end = 0x100000000ULL;
	ok(!smaf_layout_serves(&l, &c), "memory ending above 4 GiB does not");

	smaf_constraints_init(&c, 4096);
	smaf_constraints_add_hints(&c, false, true, 0);
	ok(c.phys_limit == 0xffffffffULL && !c.contig && c.ndevs == 0, "DMA32 hint: 4 GiB limit, no device");
	smaf_constraints_add_hints(&c, true, false, 1 << 21);
	ok(c.contig && c.align == 1 << 21, "CONTIGUOUS hint and 2 MiB alignment");
	l.phys_start = 0x20100000;
	l.phys_end = 0x20100fff;
	ok(!smaf_layout_serves(&l, &c), "1 MiB-aligned start does not serve a 2 MiB alignment");
	l.phys_start = 0x20200000;
	l.phys_end = 0x20200fff;
	ok(smaf_layout_serves(&l, &c), "2 MiB-aligned start does");
	smaf_constraints_add_hints(&c, false, false, 4096);
	ok(c.align == 1 << 21, "a smaller alignment does not relax a larger one");
}

static void fixed_cases(void)
{
	struct smaf_constraints c;
	struct smaf_dev_constraints d;

	smaf_constraints_init(&c, 4096);
	ok(c.ndevs == 0 && c.phys_limit == ~0ULL && smaf_constraints_reach(&c, ~0ULL),
	   "no device: no limit");

	d = dev(0xffffffffULL, false, 65536, 0xffffffffULL);
	smaf_constraints_add_device(&c, &d);
	ok(c.phys_limit == 0xffffffffULL && c.ndevs == 1, "32-bit device limits to 4 GiB");
	ok(smaf_constraints_reach(&c, 0xffffffffULL) && !smaf_constraints_reach(&c, 0x100000000ULL),
	   "reach is inclusive of the limit");

	d = dev(0xfffffffULL, true, 4096, ~0ULL);
	smaf_constraints_add_device(&c, &d);
	ok(c.phys_limit == 0xffffffffULL, "a device behind an IOMMU does not lower the limit");
	ok(c.max_segment == 4096, "smallest segment wins, even behind an IOMMU");

	d = dev(0xfffffffULL, false, 0, 0xffffULL);
	smaf_constraints_add_device(&c, &d);
	ok(c.phys_limit == 0xfffffffULL, "28-bit device lowers the limit to 256 MiB");
	ok(c.max_segment == 4096, "a device without segment limit changes nothing");
	ok(c.seg_boundary == 0xffffULL && c.ndevs == 3, "strictest boundary wins, 3 devices");
}

/* Randomized: the merge equals the minimum over the non-translated devices,
 * whatever the order.
 */
static void random_cases(unsigned int seed)
{
	struct smaf_dev_constraints d[8];
	struct smaf_constraints a, b;
	int round, i, n, good = 1;
	u64 want;

	srand(seed);
	for (round = 0; round < 10000 && good; round++) {
		n = rand() % 8;
		want = ~0ULL;
		for (i = 0; i < n; i++) {
			d[i] = dev(((u64)1 << (24 + rand() % 40)) - 1, rand() % 3 == 0,
				   (u32)(rand() % 4) << 16, ((u64)1 << (16 + rand() % 48)) - 1);
			if (!d[i].translated && d[i].phys_limit < want)
				want = d[i].phys_limit;
		}
		smaf_constraints_init(&a, 4096);
		smaf_constraints_init(&b, 4096);
		for (i = 0; i < n; i++) {
			smaf_constraints_add_device(&a, &d[i]);
			smaf_constraints_add_device(&b, &d[n - 1 - i]);
		}
		good = a.phys_limit == want && a.phys_limit == b.phys_limit &&
		       a.max_segment == b.max_segment && a.seg_boundary == b.seg_boundary &&
		       a.ndevs == (u32)n;
	}
	printf("# seed %u (replay with SMAF_SEED=%u)\n", seed, seed);
	ok(good, "10000 random device sets: merge is the minimum and order-independent");
}

int main(void)
{
	const char *env = getenv("SMAF_SEED");
	unsigned int seed = env ? (unsigned int)strtoul(env, NULL, 0) : (unsigned int)time(NULL);

	fixed_cases();
	contig_and_layout();
	random_cases(seed);
	printf("1..%d\n", count);
	return failed ? 1 : 0;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * SMAF benchmark, run inside the test VM by `make bench`: what it costs to
 * get a buffer ready, for SMAF and for what a user would pick instead, in
 * the same run:
 *
 *   smaf      /dev/smaf (deferred: the first use allocates)
 *   system    the mainline system heap, /dev/dma_heap/system
 *   udmabuf   a memfd turned into a dma-buf by /dev/udmabuf
 *   baseline  the physical floor (smaf-bench.ko): pages of orders 8/4/0,
 *             zeroed, a scatter-gather table, freed
 *   cma       the mainline CMA heap, where the kernel has one (the debug
 *             kernel: /dev/dma_heap/reserved or linux,cma), up to 16 MiB
 *
 * Cases, each at 4 KiB, 64 KiB, 1 MiB, 8 MiB, 4K NV12 and 64 MiB:
 *
 *   use       create + first use (DMA_BUF_IOCTL_SYNC start/end) + close
 *   create    SMAF only: create + close, nothing allocated
 *   first     SMAF only: the first use alone
 *   device    create + import by vgem (a device's first use) + close
 *   map       create + map for the edu device (behind the IOMMU in
 *             `make bench`'s VM: its first use) + unmap + close; also
 *             reports the chunks of the exporter's table (fewer, larger
 *             chunks: fewer IOMMU entries) and the DMA segments the device
 *             got
 *   frag      the map case with memory fragmented first: nearly all free
 *             memory is taken page by page, then every other page is given
 *             back, so that few free blocks above 4 KiB remain (measured
 *             after the other cases, in rounds of its own)
 *   burst     32 4K-NV12 buffers created and used, then closed (one
 *             sample per burst, at the NV12 size only)
 *   fixed     SMAF and the system heap only, at 4 KiB: create + first use +
 *             close in alternating batches, with the ratio of each pair of
 *             batches (fixed.c): the fixed cost of a buffer
 *   sustain   SMAF and the system heap only, at 1 MiB, 8 MiB and 4K NV12,
 *             with one and two threads: buffers made, used (a write to
 *             every page) and closed for a fixed time; buffers per second
 *             and the guest's CPU time per buffer (sustain.c)
 *
 * Rounds interleave allocators and sizes so that drift (TCG, a noisy host)
 * hits every allocator alike.  Reported: the median and p10-p90 per case,
 * allocator and size, and the ratio of medians against the system heap in
 * the same case and size.  Under TCG absolute times mean nothing; ratios
 * do.  Output, between markers on stdout: JSON, a Markdown table, and a
 * data file for gnuplot.  SMAF_BENCH_ROUNDS sets the rounds (default 11),
 * SMAF_SEED the order of each round (shuffled, the seed is printed),
 * SMAF_BENCH_PASS names the pass in the output (`make bench` runs one with
 * SMAF's pre-zeroed pool, one without), SMAF_BENCH_CASES="create,use"
 * measures only those cases, SMAF_BENCH_SECONDS the length of a sustained
 * run (default 2) and SMAF_BENCH_REPEATS how many runs its medians take
 * (default 3, at most 9).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <drm.h>
#include <linux/dma-buf.h>
#include <linux/dma-heap.h>
#include <linux/smaf.h>
#include <linux/udmabuf.h>

#include "libsmaf.h"
#include "media.h"
#include "smaf-bench.h"
#include "smaf-edu.h"
#include "fixed.h"
#include "sustain.h"

#define KIB 1024UL
#define MIB (1024 * KIB)
#define NV12_4K 12441600UL	/* 3840 x 2160 x 1.5 */
#define BURST 32
#define MAX_ROUNDS 101

enum alloc_id { A_SMAF, A_SYSTEM, A_UDMABUF, A_BASELINE, A_CMA, NR_ALLOCS };
enum case_id { C_USE, C_CREATE, C_FIRST, C_DEVICE, C_BURST, C_MAP, C_FRAG, NR_CASES };

static const char *const alloc_names[NR_ALLOCS] = {
	"smaf", "system", "udmabuf", "baseline", "cma",
};
static const char *const case_names[NR_CASES] = {
	"use", "create", "first", "device", "burst", "map", "frag",
};
static const size_t sizes[] = { 4 * KIB, 64 * KIB, MIB, 8 * MIB, NV12_4K, 64 * MIB };
#define NR_SIZES (sizeof(sizes) / sizeof(sizes[0]))

static struct smaf_device *smaf_dev;
static int heap = -1, cma = -1, udmabuf = -1, bench = -1, vgem = -1, edu = -1;
static double samples[NR_CASES][NR_ALLOCS][NR_SIZES][MAX_ROUNDS];
/* map and frag: the exporter's chunks and the device's DMA segments. */
static double chunks[NR_CASES][NR_ALLOCS][NR_SIZES][MAX_ROUNDS];
static double segments[NR_CASES][NR_ALLOCS][NR_SIZES][MAX_ROUNDS];
static int nsamples[NR_CASES][NR_ALLOCS][NR_SIZES];
/* Samples that failed (out of memory on fragmented memory, for instance). */
static int nfailed[NR_CASES][NR_ALLOCS][NR_SIZES];
static unsigned int failures;

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* A positive number from the environment, or @def if unset, empty or bad. */
static double env_number(const char *name, double def)
{
	const char *v = getenv(name);
	double x = v && *v ? atof(v) : 0;

	return x > 0 ? x : def;
}

static size_t page_round(size_t size)
{
	size_t page = sysconf(_SC_PAGESIZE);

	return (size + page - 1) / page * page;
}

/* A dma-buf of @size from allocator @a, not used yet; -1 on failure. */
static int make_buffer(enum alloc_id a, size_t size)
{
	struct dma_heap_allocation_data h;
	struct udmabuf_create u;
	int memfd, fd;

	switch (a) {
	case A_SMAF:
		return smaf_device_create_buffer(smaf_dev, size, NULL, O_RDWR | O_CLOEXEC);
	case A_SYSTEM:
	case A_CMA:
		memset(&h, 0, sizeof(h));
		h.len = size;
		h.fd_flags = O_RDWR | O_CLOEXEC;
		return ioctl(a == A_CMA ? cma : heap, DMA_HEAP_IOCTL_ALLOC, &h) ? -1 : (int)h.fd;
	case A_UDMABUF:
		memfd = memfd_create("smaf-bench", MFD_ALLOW_SEALING | MFD_CLOEXEC);
		if (memfd < 0)
			return -1;
		memset(&u, 0, sizeof(u));
		u.memfd = memfd;
		u.flags = UDMABUF_FLAGS_CLOEXEC;
		u.size = page_round(size);
		fd = -1;
		if (!ftruncate(memfd, u.size) && !fcntl(memfd, F_ADD_SEALS, F_SEAL_SHRINK))
			fd = ioctl(udmabuf, UDMABUF_CREATE, &u);
		close(memfd);
		return fd;
	default:
		return -1;
	}
}

static int first_use(int fd)
{
	struct dma_buf_sync s = { .flags = DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW };

	if (ioctl(fd, DMA_BUF_IOCTL_SYNC, &s))
		return -1;
	s.flags = DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW;
	return ioctl(fd, DMA_BUF_IOCTL_SYNC, &s);
}

static int device_use(int fd)
{
	struct drm_prime_handle ph = { .fd = fd };
	struct drm_gem_close gc = { 0 };

	if (ioctl(vgem, DRM_IOCTL_PRIME_FD_TO_HANDLE, &ph))
		return -1;
	gc.handle = ph.handle;
	return ioctl(vgem, DRM_IOCTL_GEM_CLOSE, &gc);
}

static int edu_map(int fd, struct smaf_edu_map *m)
{
	memset(m, 0, sizeof(*m));
	m->fd = fd;
	return ioctl(edu, SMAF_EDU_IOC_MAP, m);
}

static int baseline(size_t size)
{
	struct smaf_bench_baseline b = { .size = page_round(size) };

	return ioctl(bench, SMAF_BENCH_IOC_BASELINE, &b);
}

/*
 * One sample of case @c, allocator @a, size index @s; <0 if not measured.
 * The map cases also fill @m.
 */
static double sample(enum case_id c, enum alloc_id a, unsigned int s,
		     struct smaf_edu_map *m)
{
	size_t size = sizes[s];
	double t0, t1 = 0;
	int fd, fds[BURST], i, bad = 0;

	/* The CMA area (64 MiB on the debug kernel) holds the smaller sizes. */
	if (a == A_CMA && (cma < 0 || size > 16 * MIB || c == C_BURST))
		return -1;

	switch (c) {
	case C_USE:
		if (a == A_BASELINE) {
			t0 = now_us();
			bad = baseline(size);
			t1 = now_us();
			break;
		}
		t0 = now_us();
		fd = make_buffer(a, size);
		bad = fd < 0 || first_use(fd);
		if (fd >= 0)
			close(fd);
		t1 = now_us();
		break;
	case C_CREATE:
		if (a != A_SMAF)
			return -1;
		t0 = now_us();
		fd = make_buffer(a, size);
		bad = fd < 0;
		if (fd >= 0)
			close(fd);
		t1 = now_us();
		break;
	case C_FIRST:
		if (a != A_SMAF)
			return -1;
		fd = make_buffer(a, size);
		t0 = now_us();
		bad = fd < 0 || first_use(fd);
		t1 = now_us();
		if (fd >= 0)
			close(fd);
		break;
	case C_DEVICE:
		if (a != A_SMAF && a != A_SYSTEM && a != A_CMA)
			return -1;
		t0 = now_us();
		fd = make_buffer(a, size);
		bad = fd < 0 || device_use(fd);
		if (fd >= 0)
			close(fd);
		t1 = now_us();
		break;
	case C_MAP:
	case C_FRAG:
		if ((a != A_SMAF && a != A_SYSTEM && a != A_CMA) || edu < 0)
			return -1;
		t0 = now_us();
		fd = make_buffer(a, size);
		bad = fd < 0 || edu_map(fd, m);
		if (fd >= 0)
			close(fd);
		t1 = now_us();
		break;
	case C_BURST:
		if (a == A_BASELINE || size != NV12_4K)
			return -1;
		t0 = now_us();
		for (i = 0; i < BURST; i++) {
			fds[i] = make_buffer(a, size);
			bad |= fds[i] < 0 || first_use(fds[i]);
		}
		for (i = 0; i < BURST; i++)
			if (fds[i] >= 0)
				close(fds[i]);
		t1 = now_us();
		break;
	default:
		return -1;
	}
	if (bad) {
		if (failures++ < 10)
			fprintf(stderr, "# %s/%s/%zu failed: %s\n", case_names[c],
				alloc_names[a], size, strerror(errno));
		nfailed[c][a][s]++;
		return -1;
	}
	return t1 - t0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Nearest-rank percentile @p of the sorted @v[@n]. */
static double pct(const double *v, int n, int p)
{
	int i = (p * n + 99) / 100 - 1;

	return v[i < 0 ? 0 : i];
}

struct stat3 {
	double med, p10, p90;
	double chunks, segments;	/* medians, map cases only */
	int n;
};

static struct stat3 stats(enum case_id c, enum alloc_id a, unsigned int s)
{
	struct stat3 r = { 0 };
	int n = nsamples[c][a][s];

	r.n = n;
	if (!n)
		return r;
	qsort(samples[c][a][s], n, sizeof(double), cmp_double);
	r.med = pct(samples[c][a][s], n, 50);
	r.p10 = pct(samples[c][a][s], n, 10);
	r.p90 = pct(samples[c][a][s], n, 90);
	qsort(chunks[c][a][s], n, sizeof(double), cmp_double);
	qsort(segments[c][a][s], n, sizeof(double), cmp_double);
	r.chunks = pct(chunks[c][a][s], n, 50);
	r.segments = pct(segments[c][a][s], n, 50);
	return r;
}

static void report(const char *pass, int rounds)
{
	struct stat3 st[NR_CASES][NR_ALLOCS][NR_SIZES];
	unsigned int c, a, s;
	int first = 1;

	for (c = 0; c < NR_CASES; c++)
		for (a = 0; a < NR_ALLOCS; a++)
			for (s = 0; s < NR_SIZES; s++)
				st[c][a][s] = stats(c, a, s);

	printf("BENCH-JSON-BEGIN pass=%s\n{\"pass\": \"%s\", \"rounds\": %d, \"unit\": \"us\", \"note\": "
	       "\"emulated (TCG): only ratios against the system heap in the same run mean "
	       "anything\", \"results\": [\n", pass, pass, rounds);
	for (c = 0; c < NR_CASES; c++)
		for (a = 0; a < NR_ALLOCS; a++)
			for (s = 0; s < NR_SIZES; s++) {
				struct stat3 *x = &st[c][a][s], *ref = &st[c][A_SYSTEM][s];

				if (!x->n && !nfailed[c][a][s])
					continue;
				printf("%s  {\"case\": \"%s\", \"allocator\": \"%s\", \"size\": %zu, "
				       "\"samples\": %d, \"failed\": %d, \"median\": %.1f, \"p10\": %.1f, "
				       "\"p90\": %.1f, \"vs_system\": ", first ? "" : ",\n", case_names[c],
				       alloc_names[a], sizes[s], x->n, nfailed[c][a][s], x->med, x->p10,
				       x->p90);
				if (x->n && ref->n && ref->med > 0)
					printf("%.3f", x->med / ref->med);
				else
					printf("null");
				if (c == C_MAP || c == C_FRAG)
					printf(", \"chunks\": %.0f, \"segments\": %.0f",
					       x->chunks, x->segments);
				printf("}");
				first = 0;
			}
	printf("\n]}\nBENCH-JSON-END\n");

	printf("BENCH-MD-BEGIN pass=%s\n", pass);
	printf("Median µs (p10–p90) and, in brackets, the ratio of medians to the system heap "
	       "in the same run; %d rounds, interleaved. Emulated (TCG): only the ratios mean "
	       "anything. Map cases: {chunks in the exporter's table / DMA segments the "
	       "device got}. A failed sample (out of memory) is counted, not timed.\n\n",
	       rounds);
	printf("| case | allocator |");
	for (s = 0; s < NR_SIZES; s++)
		printf(" %zu |", sizes[s]);
	printf("\n|---|---|");
	for (s = 0; s < NR_SIZES; s++)
		printf("---|");
	printf("\n");
	for (c = 0; c < NR_CASES; c++)
		for (a = 0; a < NR_ALLOCS; a++) {
			int any = 0;

			for (s = 0; s < NR_SIZES; s++)
				any |= st[c][a][s].n || nfailed[c][a][s];
			if (!any)
				continue;
			printf("| %s | %s |", case_names[c], alloc_names[a]);
			for (s = 0; s < NR_SIZES; s++) {
				struct stat3 *x = &st[c][a][s], *ref = &st[c][A_SYSTEM][s];

				if (!x->n) {
					if (nfailed[c][a][s])
						printf(" failed %d of %d |", nfailed[c][a][s],
						       nfailed[c][a][s]);
					else
						printf(" – |");
					continue;
				}
				printf(" %.0f (%.0f–%.0f)", x->med, x->p10, x->p90);
				if (ref->n && ref->med > 0)
					printf(" [%.2f×]", x->med / ref->med);
				if (c == C_MAP || c == C_FRAG)
					printf(" {%.0f/%.0f}", x->chunks, x->segments);
				if (nfailed[c][a][s])
					printf(" (failed %d of %d)", nfailed[c][a][s],
					       nfailed[c][a][s] + x->n);
				printf(" |");
			}
			printf("\n");
		}
	printf("BENCH-MD-END\n");

	/* gnuplot: one block per allocator of the "use" case. */
	printf("BENCH-DAT-BEGIN pass=%s\n", pass);
	for (a = 0; a < NR_ALLOCS; a++) {
		printf("# %s\n", alloc_names[a]);
		for (s = 0; s < NR_SIZES; s++) {
			struct stat3 *x = &st[C_USE][a][s];

			if (x->n)
				printf("%zu %.1f %.1f %.1f\n", sizes[s], x->med, x->p10, x->p90);
		}
		printf("\n\n");
	}
	printf("BENCH-DAT-END\n");
}

static void record(enum case_id c, enum alloc_id a, unsigned int s)
{
	struct smaf_edu_map m = { 0 };
	double t;
	int n;

	/* Callers stay in bounds; saying so here lets gcc 14 see it too. */
	if (c >= NR_CASES || a >= NR_ALLOCS || s >= NR_SIZES)
		return;
	t = sample(c, a, s, &m);
	n = nsamples[c][a][s];
	if (t < 0 || n >= MAX_ROUNDS)
		return;
	samples[c][a][s][n] = t;
	chunks[c][a][s][n] = m.entries;
	segments[c][a][s][n] = m.segments;
	nsamples[c][a][s]++;
}

/*
 * Fragments free memory: takes all of it but a margin, one 4 KiB page at a
 * time (no transparent huge pages), then gives back every other page.  The
 * buddy allocator cannot merge a free page whose neighbour is still taken,
 * so what is free is nearly all single pages, until the kernel compacts.
 * Returns the region to release with munmap(), or NULL.
 */
static char *fragment(size_t *len)
{
	long free_kib = meminfo_kb("MemFree");
	size_t page = sysconf(_SC_PAGESIZE), off;
	char *p;

	if (free_kib < 512 * 1024)
		return NULL;
	*len = (free_kib - 192 * 1024) * 1024 / page * page;
	p = mmap(NULL, *len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	madvise(p, *len, MADV_NOHUGEPAGE);
	for (off = 0; off < *len; off += page)
		p[off] = 1;
	for (off = page; off < *len; off += 2 * page)
		madvise(p + off, page, MADV_DONTNEED);
	printf("# fragmented: %zu MiB taken, every other page given back; MemFree %ld MiB\n",
	       *len >> 20, meminfo_kb("MemFree") >> 10);
	return p;
}

static void shuffle(int *v, int n)
{
	int i, j, k;

	for (i = n - 1; i > 0; i--) {
		j = rand() % (i + 1);
		k = v[i];
		v[i] = v[j];
		v[j] = k;
	}
}

/* The fixed and sustained cases' buffers: SMAF (0) or the system heap (1). */
static int sustain_make(int which, size_t size)
{
	return make_buffer(which ? A_SYSTEM : A_SMAF, size);
}

int main(void)
{
	const char *env = getenv("SMAF_BENCH_ROUNDS");
	int rounds = env ? atoi(env) : 11, r, i, order[NR_CASES * NR_ALLOCS];
	unsigned int seed = getenv("SMAF_SEED") ? atoi(getenv("SMAF_SEED")) : time(NULL);
	const char *only = getenv("SMAF_BENCH_CASES");
	const char *pass = getenv("SMAF_BENCH_PASS") ? getenv("SMAF_BENCH_PASS") : "default";
	unsigned int c, a, s;
	size_t frag_len = 0;
	char *frag;

	if (rounds < 1 || rounds > MAX_ROUNDS)
		rounds = 11;
	if (only && !*only)
		only = NULL;
	smaf_dev = smaf_device_open(NULL);
	heap = open("/dev/dma_heap/system", O_RDWR | O_CLOEXEC);
	/* The kernel's CMA heap, not SMAF's aliases of the same names. */
	if (!access("/sys/class/dma_heap/reserved", F_OK))
		cma = open("/dev/dma_heap/reserved", O_RDWR | O_CLOEXEC);
	else if (!access("/sys/class/dma_heap/linux,cma", F_OK))
		cma = open("/dev/dma_heap/linux,cma", O_RDWR | O_CLOEXEC);
	udmabuf = open("/dev/udmabuf", O_RDWR | O_CLOEXEC);
	bench = open("/dev/smaf-bench", O_RDWR | O_CLOEXEC);
	vgem = vgem_open();
	edu = open("/dev/smaf-edu", O_RDWR | O_CLOEXEC);
	if (!smaf_dev || heap < 0 || bench < 0 || vgem < 0) {
		fprintf(stderr, "smaf-bench: needs /dev/smaf, /dev/dma_heap/system, "
			"/dev/smaf-bench and vgem (smaf %s heap %d bench %d vgem %d)\n",
			smaf_dev ? "open" : "-", heap, bench, vgem);
		return 1;
	}
	if (udmabuf < 0)
		fprintf(stderr, "# no /dev/udmabuf: udmabuf is not measured\n");
	if (edu < 0)
		fprintf(stderr, "# no /dev/smaf-edu: the map cases are not measured\n");
	if (cma < 0)
		fprintf(stderr, "# no CMA heap: cma is not measured\n");
	printf("# seed %u (SMAF_SEED=%u replays the order)\n", seed, seed);

	/*
	 * Each round and size runs every case and allocator once, in an
	 * order shuffled anew (seeded, logged): what one measurement leaves
	 * behind (pages being freed, deferred work on the other CPU) falls on
	 * every allocator alike.
	 */
	srand(seed);
	for (r = 0; r < rounds; r++)
		for (s = 0; s < NR_SIZES; s++) {
			for (i = 0; i < NR_CASES * NR_ALLOCS; i++)
				order[i] = i;
			shuffle(order, NR_CASES * NR_ALLOCS);
			for (i = 0; i < NR_CASES * NR_ALLOCS; i++) {
				c = order[i] / NR_ALLOCS;
				a = order[i] % NR_ALLOCS;
				if ((a == A_UDMABUF && udmabuf < 0) || c == C_FRAG ||
				    (only && !strstr(only, case_names[c])))
					continue;
				record(c, a, s);
			}
		}

	/* The same rounds again for the frag case, on fragmented memory. */
	frag = edu < 0 || (only && !strstr(only, "frag")) ? NULL : fragment(&frag_len);
	for (r = 0; frag && r < rounds; r++)
		for (s = 0; s < NR_SIZES; s++) {
			order[0] = A_SMAF;
			order[1] = A_SYSTEM;
			shuffle(order, 2);
			for (i = 0; i < 2; i++)
				record(C_FRAG, order[i], s);
		}
	if (frag)
		munmap(frag, frag_len);
	report(pass, rounds);
	if (!only || strstr(only, "fixed"))
		fixed_report(pass, sustain_make);
	if (!only || strstr(only, "sustain"))
		sustain_report(pass, sustain_make, env_number("SMAF_BENCH_SECONDS", 2),
			       (int)env_number("SMAF_BENCH_REPEATS", 3));
	/* Failures are results (out of memory under fragmentation): reported. */
	return 0;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * The sustained case of smaf-bench: for a fixed time, one or two threads
 * create a buffer, use it (first use, then a write to every page through a
 * shared mapping), and close it, over and over.  Reported per allocator,
 * size and thread count: buffers per second, and the guest's CPU time per
 * buffer from /proc/stat (every CPU, the kernel's zeroing worker
 * included, also in the idle 0.3 s after each run in which it finishes),
 * as the median of repeated runs interleaved across allocators after an
 * unreported warm-up, and the ratio of medians against the system heap.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <linux/dma-buf.h>

#include "sustain.h"

#define NV12_4K		12441600UL
#define MAX_REPEATS	9
/* Idle time after a run in which the kernel finishes work it deferred. */
#define SETTLE_US	300000

static const size_t sizes[] = { 1UL << 20, 8UL << 20, NV12_4K };
#define NR_SIZES	(sizeof(sizes) / sizeof(sizes[0]))

/**
 * struct worker - one thread of a run
 * @make:	makes a buffer
 * @which:	of which allocator
 * @size:	bytes
 * @deadline:	CLOCK_MONOTONIC seconds at which to stop
 * @buffers:	out: buffers made, used and closed
 * @failed:	out: a buffer could not be made or used
 */
struct worker {
	sustain_make_fn make;
	int which;
	size_t size;
	double deadline;
	unsigned long buffers;
	int failed;
};

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

/* Busy jiffies of every CPU so far (all but idle and iowait). */
static unsigned long long busy_ticks(void)
{
	unsigned long long v[10] = { 0 }, busy = 0;
	FILE *f = fopen("/proc/stat", "r");
	int i;

	if (!f)
		return 0;
	if (fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1],
		   &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]) == 8)
		for (i = 0; i < 8; i++)
			if (i != 3 && i != 4)
				busy += v[i];
	fclose(f);
	return busy;
}

/* Create, first use, write every page, close; 0 or -1. */
static int one_buffer(struct worker *w, long page)
{
	struct dma_buf_sync s = { .flags = DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW };
	int fd = w->make(w->which, w->size), ret = -1;
	volatile char *p;
	size_t off;

	if (fd < 0)
		return -1;
	if (ioctl(fd, DMA_BUF_IOCTL_SYNC, &s))
		goto close_fd;
	p = mmap(NULL, w->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p != MAP_FAILED) {
		for (off = 0; off < w->size; off += page)
			p[off] = 1;
		munmap((void *)p, w->size);
		ret = 0;
	}
	s.flags = DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW;
	ioctl(fd, DMA_BUF_IOCTL_SYNC, &s);
close_fd:
	close(fd);
	return ret;
}

static void *work(void *arg)
{
	struct worker *w = arg;
	long page = sysconf(_SC_PAGESIZE);

	while (!w->failed && now_s() < w->deadline) {
		if (one_buffer(w, page))
			w->failed = 1;
		else
			w->buffers++;
	}
	return NULL;
}

/* One run: @threads threads for @seconds; buffers/s and CPU ms per buffer. */
static int run(sustain_make_fn make, int which, size_t size, int threads,
	       double seconds, double *rate, double *cpu_ms)
{
	struct worker w[2];
	pthread_t t[2];
	unsigned long long busy;
	unsigned long n = 0;
	double start;
	int i, failed = 0;

	busy = busy_ticks();
	start = now_s();
	for (i = 0; i < threads; i++) {
		w[i] = (struct worker){ .make = make, .which = which, .size = size,
					.deadline = start + seconds };
		pthread_create(&t[i], NULL, work, &w[i]);
	}
	for (i = 0; i < threads; i++) {
		pthread_join(t[i], NULL);
		n += w[i].buffers;
		failed |= w[i].failed;
	}
	if (failed || !n)
		return -1;
	*rate = n / (now_s() - start);
	/*
	 * Blocks freed at the end are zeroed after it: idle time, in which
	 * only that work counts as busy, charges it to this run and not to
	 * the next one.
	 */
	usleep(SETTLE_US);
	*cpu_ms = (busy_ticks() - busy) * 1000.0 / sysconf(_SC_CLK_TCK) / n;
	return 0;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp);
	return n ? v[n / 2] : 0;
}

void sustain_report(const char *pass, sustain_make_fn make, double seconds,
		    int repeats)
{
	double rate[2][MAX_REPEATS], cpu[2][MAX_REPEATS], mr[2], mc[2];
	int n[2], threads, r, which, i;
	unsigned int s;

	if (repeats < 1 || repeats > MAX_REPEATS)
		repeats = 3;
	printf("BENCH-SUSTAIN-BEGIN pass=%s\n", pass);
	printf("| size | threads | SMAF buffers/s | system buffers/s | ratio | SMAF CPU ms/buffer | system CPU ms/buffer | ratio |\n");
	printf("|---|---|---|---|---|---|---|---|\n");
	/*
	 * Warm-up, not reported: under QEMU the first runs also pay for
	 * translating the code they run, and the first size would pay for
	 * all.
	 */
	for (s = 0; s < NR_SIZES; s++)
		for (which = 0; which < 2; which++)
			run(make, which, sizes[s], 2, seconds < 1 ? seconds : 1,
			    &mr[0], &mc[0]);
	for (s = 0; s < NR_SIZES; s++)
		for (threads = 1; threads <= 2; threads++) {
			n[0] = n[1] = 0;
			/* Interleaved, SMAF first then the heap, then the other way. */
			for (r = 0; r < repeats; r++)
				for (i = 0; i < 2; i++) {
					which = (i + r) % 2;
					if (!run(make, which, sizes[s], threads, seconds,
						 &rate[which][n[which]], &cpu[which][n[which]]))
						n[which]++;
				}
			for (which = 0; which < 2; which++) {
				mr[which] = median(rate[which], n[which]);
				mc[which] = median(cpu[which], n[which]);
			}
			printf("| %zu KiB | %d | %.1f | %.1f | %.2f | %.3f | %.3f | %.2f |\n",
			       sizes[s] >> 10, threads, mr[0], mr[1],
			       mr[1] ? mr[0] / mr[1] : 0, mc[0], mc[1],
			       mc[1] ? mc[0] / mc[1] : 0);
			if (n[0] < repeats || n[1] < repeats)
				printf("| | | (runs that failed: SMAF %d, system %d) | | | | | |\n",
				       repeats - n[0], repeats - n[1]);
		}
	printf("BENCH-SUSTAIN-END\n");
	fflush(stdout);
}

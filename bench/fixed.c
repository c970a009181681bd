// SPDX-License-Identifier: GPL-2.0
/*
 * The fixed-cost case of smaf-bench: what one small buffer costs beyond its
 * memory.  A 4 KiB buffer is created, used once (DMA_BUF_IOCTL_SYNC start
 * and end: SMAF's first use allocates it) and closed, FIXED_PER_BATCH times
 * in a row, in FIXED_BATCHES batches that alternate SMAF and the system
 * heap (SMAF first in even batches, the heap first in odd ones) after an
 * unreported warm-up batch of each.  Reported: each allocator's time per
 * buffer (median and p10-p90 over the batches) and the ratio SMAF / system
 * of each pair of neighbouring batches (median and p10-p90).  The pairs
 * make the ratio immune to drift slower than a batch (a few ms under TCG),
 * which the medians of the "use" case at 4 KiB are not.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <linux/dma-buf.h>

#include "fixed.h"

#define FIXED_SIZE	4096
#define FIXED_BATCHES	31
#define FIXED_PER_BATCH	2000

static double now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

/* Time per buffer of one batch of allocator @which, or -1 on failure. */
static double batch(sustain_make_fn make, int which)
{
	struct dma_buf_sync sync;
	double start = now_us();
	int i, fd;

	for (i = 0; i < FIXED_PER_BATCH; i++) {
		fd = make(which, FIXED_SIZE);
		if (fd < 0)
			return -1;
		sync.flags = DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW;
		if (ioctl(fd, DMA_BUF_IOCTL_SYNC, &sync)) {
			close(fd);
			return -1;
		}
		sync.flags = DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW;
		if (ioctl(fd, DMA_BUF_IOCTL_SYNC, &sync)) {
			close(fd);
			return -1;
		}
		close(fd);
	}
	return (now_us() - start) / FIXED_PER_BATCH;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The @p-th percentile of the @n sorted values @v. */
static double pct(const double *v, int n, int p)
{
	return v[(n - 1) * p / 100];
}

void fixed_report(const char *pass, sustain_make_fn make)
{
	double t[2][FIXED_BATCHES], ratio[FIXED_BATCHES];
	int b, i, which, n = 0;

	printf("BENCH-FIXED-BEGIN pass=%s\n", pass);
	if (batch(make, 0) < 0 || batch(make, 1) < 0) {
		printf("(a %d-byte buffer could not be made and used)\n", FIXED_SIZE);
		printf("BENCH-FIXED-END\n");
		fflush(stdout);
		return;
	}
	for (b = 0; b < FIXED_BATCHES; b++) {
		for (i = 0; i < 2; i++) {
			which = (i + b) % 2;
			t[which][n] = batch(make, which);
		}
		if (t[0][n] < 0 || t[1][n] < 0)
			continue;
		ratio[n] = t[0][n] / t[1][n];
		n++;
	}
	if (!n) {
		printf("(every batch failed)\nBENCH-FIXED-END\n");
		fflush(stdout);
		return;
	}
	for (which = 0; which < 2; which++)
		qsort(t[which], n, sizeof(double), cmp);
	qsort(ratio, n, sizeof(double), cmp);
	printf("| size | batches | SMAF µs/buffer | system µs/buffer | ratio (p10-p90) |\n");
	printf("|---|---|---|---|---|\n");
	printf("| %d B | %d of %d | %.2f (%.2f-%.2f) | %.2f (%.2f-%.2f) | %.3f× (%.3f-%.3f) |\n",
	       FIXED_SIZE, n, FIXED_BATCHES,
	       pct(t[0], n, 50), pct(t[0], n, 10), pct(t[0], n, 90),
	       pct(t[1], n, 50), pct(t[1], n, 10), pct(t[1], n, 90),
	       pct(ratio, n, 50), pct(ratio, n, 10), pct(ratio, n, 90));
	printf("BENCH-FIXED-END\n");
	fflush(stdout);
}

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * smaf-bench's sustained case (sustain.c).
 */
#ifndef SMAF_BENCH_SUSTAIN_H
#define SMAF_BENCH_SUSTAIN_H

#include <stddef.h>

/* Makes a dma-buf of @size: from SMAF (@which 0) or the system heap (1). */
typedef int (*sustain_make_fn)(int which, size_t size);

/*
 * Runs the sustained case, @seconds per run and @repeats runs per
 * configuration, and prints its table between BENCH-SUSTAIN-BEGIN
 * pass=@pass and BENCH-SUSTAIN-END.
 */
void sustain_report(const char *pass, sustain_make_fn make, double seconds,
		    int repeats);

#endif /* SMAF_BENCH_SUSTAIN_H */

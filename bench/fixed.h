/* SPDX-License-Identifier: GPL-2.0 */
/*
 * smaf-bench's fixed-cost case (fixed.c).
 */
#ifndef SMAF_BENCH_FIXED_H
#define SMAF_BENCH_FIXED_H

#include "sustain.h"	/* sustain_make_fn: makes a SMAF or heap buffer */

/*
 * Runs the fixed-cost case and prints its table between BENCH-FIXED-BEGIN
 * pass=@pass and BENCH-FIXED-END.
 */
void fixed_report(const char *pass, sustain_make_fn make);

#endif /* SMAF_BENCH_FIXED_H */

/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * smaf-bench: benchmark-only driver.  Its one ioctl does the physical floor
 * of an allocator's work, nothing else: take pages of orders 8, 4 and 0 (as
 * the mainline system heap does), zeroed, build the scatter-gather table,
 * and give it all back.  Interface of /dev/smaf-bench.
 */
#ifndef _SMAF_BENCH_H
#define _SMAF_BENCH_H

#include <linux/ioctl.h>
#include <linux/types.h>

/**
 * struct smaf_bench_baseline - one allocate + zero + table + free
 * @size:	bytes, a multiple of the page size, at most 1 GiB
 * @chunks:	out: table entries (page blocks) it took
 */
struct smaf_bench_baseline {
	__u64 size;
	__u32 chunks;
	__u32 reserved;
};

#define SMAF_BENCH_IOC_BASELINE	_IOWR('B', 0, struct smaf_bench_baseline)

#endif

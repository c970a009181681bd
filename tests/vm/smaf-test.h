/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers for the SMAF tests that run inside the test VM: TAP output,
 * access to the module's debugfs view, vivid controls and patterns; the
 * devices themselves are examples/media.h's.
 */
#ifndef SMAF_TEST_H
#define SMAF_TEST_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/videodev2.h>

#include "media.h"	/* the devices, shared with the example and the benchmark */

/* TAP: one line per check; tap_done() prints the plan and returns the exit
 * status (0 if every check passed).
 */
void tap_ok(int pass, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void tap_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int tap_done(void);
/* Aborts the test program: the harness counts the missing plan as a failure. */
void tap_bail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/*
 * 1 if @p can be read, 0 if reading it faults (SIGSEGV or SIGBUS, whose
 * handlers stay installed): what a process may see of a mapping.
 */
int can_read(volatile const unsigned char *p);

#define DEBUGFS_SMAF "/sys/kernel/debug/smaf"

/* Number of live SMAF buffers in debugfs, -1 if unreadable. */
int smaf_live_buffers(void);
/* Counter @key of the test secure module's debugfs stats, -1 if absent. */
long ts_stat(const char *key);
/*
 * Copies field @key of buffer @fd into @val, spelt as in debugfs: from
 * SMAF_IOC_QUERY_BUFFER for what it tells (size, allocated, allocator, why,
 * secure, uncached, contig, segments, error, migrations, attachments), from
 * the debugfs line for the rest (phys, limit, devices, need_contig, named,
 * refused...).  0, or -1 if the buffer has no such field.
 */
int smaf_buffer_field(int fd, const char *key, char *val, size_t len);
/* The same, always from the debugfs line (to check that view itself). */
int smaf_buffer_debugfs_field(int fd, const char *key, char *val, size_t len);
/* Numeric field @key of allocator @name in debugfs, -1 if absent. */
long smaf_allocator_stat(const char *name, const char *key);
/* A field of SMAF's debugfs pool line (max_bytes, clean_bytes...), -1 if absent. */
long long smaf_pool_stat(const char *key);
/* Numeric field @key of the one-line debugfs file @file (pool, migrate). */
long long smaf_debugfs_stat(const char *file, const char *key);

/*
 * 1 if this kernel's vgem maps a dma-buf for its device at PRIME import, 0
 * if it only attaches (Debian's 7.x).  The harness tells, from
 * the module's code (/etc/smaf-vgem), not from what SMAF does.
 */
int vgem_maps_at_import(void);
/* Finds the vivid control called @name; returns its id, 0 if none. */
uint32_t vivid_find_ctrl(int fd, const char *name);
/*
 * Streams on @fd, whose buffer i is dma-buf @fds[i] of @size bytes: dequeues
 * up to @frames frames (at most @timeout_ms each), reads each through mmap
 * inside SYNC_START/END and queues it again.  Returns the frames captured;
 * *@nonempty gets how many had more than a quarter of their bytes non-zero.
 */
int v4l2_capture_frames(int fd, uint32_t type, const int *fds, size_t size, int frames,
			int timeout_ms, int *nonempty);
/* Is @p[0..@len) all zeros? */
int mem_is_zero(const unsigned char *p, size_t len);
/*
 * First use of a buffer through DMA_BUF_IOCTL_SYNC; returns 0 or the errno.
 * @fd < 0 is a create that failed: its errno is returned (a limit refuses
 * the create, where the reservation is made, instead of the first use).
 */
int smaf_first_use(int fd);
/* Writes @val to a sysfs/debugfs/cgroup file; returns 0 or the errno. */
int write_file(const char *path, const char *val);
/* The number at the start of file @path (sysfs, procfs), -1 if none. */
long read_long_file(const char *path);

/* Creates a SMAF buffer through the raw ioctl; returns the fd or -1. */
int smaf_test_create(int devfd, uint64_t length, const char *name);
/*
 * The memory type of the caller's mapping at @addr, touched before
 * (SMAF_PTPROBE_*, from smaf-ptprobe), -1 on error; @bits: the entry's bits.
 */
int smaf_cpu_cache_mode(const void *addr, unsigned long long *bits);
/* Value of field @key ("key=value", space-separated) of @line; 0 or -1. */
int line_field(const char *line, const char *key, char *val, size_t len);
/* SMAF_IOC_SET_SECURE_FLAG (@on 0 or 1) on buffer @fd: 0 or the errno. */
int smaf_test_set_secure(int devfd, int fd, unsigned int on);
/* quarantined_bytes of SMAF's debugfs secure view, -1 if absent. */
long long smaf_quarantined_bytes(void);
/* Bytes user @uid is charged on allocator @alloc (debugfs users), 0 if none. */
long long smaf_user_bytes(unsigned int uid, const char *alloc);
/* Same, version 1 with SMAF_HINT_* @hints and @alignment. */
int smaf_test_create_v1(int devfd, uint64_t length, const char *name,
			uint32_t hints, uint64_t alignment);
/* Numeric (decimal or 0x) field @key of buffer @fd in debugfs; -1 if absent. */
long long smaf_buffer_num(int fd, const char *key);
/* Physical range of allocated buffer @fd from debugfs; 0 or -1. */
int smaf_buffer_phys(int fd, unsigned long long *start, unsigned long long *end);
/* The machine, from the harness (see run-vm.sh): is edu behind an IOMMU,
 * and where is the carveout (0 if the harness did not say). */
int platform_iommu(void);
int platform_carveout(unsigned long long *base, unsigned long long *size);
/* Fills @len bytes at @p with a pattern derived from @seed. */
void fill_pattern(unsigned char *p, size_t len, unsigned int seed);
/* Counts bytes of @p that differ from the pattern of @seed. */
size_t check_pattern(const unsigned char *p, size_t len, unsigned int seed);
/* Maps @fd and writes (or checks) the pattern; returns mismatches or -1. */
long write_pattern_fd(int fd, size_t len, unsigned int seed);
long check_pattern_fd(int fd, size_t len, unsigned int seed);

/* Passes @fd over Unix socket @sock (SCM_RIGHTS); 0 or -1. */
int send_fd(int sock, int fd);
/* Receives an fd send_fd() passed; the fd or -1. */
int recv_fd(int sock);

/* Loads smaf.ko with the harness's arguments and @extra; 0 on success. */
int smaf_load(const char *extra);

/* Every allocator's limits, as one line the limits parameter takes back; 0 or -1. */
int smaf_limits_get(char *buf, size_t len);

#endif

// SPDX-License-Identifier: GPL-2.0
/*
 * The pre-zeroed pool under a memory hog: a process that takes memory
 * until the OOM killer stops it gets as far with a full pool as it does
 * without SMAF loaded at all, and the pool is empty when it dies (its
 * shrinker gave every block back).  Once the pool is full, most of the
 * VM's memory is set aside as huge pages, so that the hog has about 1.5 GiB
 * to fill, not 6.
 *
 * The OOM killer's reports are expected: the test announces them
 * ("# smaf-expect-oom") and the harness excuses exactly that many.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "smaf-test.h"

#define MIB (1024 * 1024L)
#define CHUNK (4 * MIB)
#define POOL_MIB 512
#define LEFT_MIB 1536		/* free memory left to the hog */
#define SLACK_MIB 64		/* run-to-run spread of the OOM point */

/* Takes memory 4 MiB at a time, counting in @mib, until it is killed. */
static void __attribute__((noreturn)) hog(volatile long *mib)
{
	size_t off;
	char *p;

	if (write_file("/proc/self/oom_score_adj", "1000"))
		_exit(2);
	for (;;) {
		p = mmap(NULL, CHUNK, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			_exit(3);
		for (off = 0; off < CHUNK; off += 4096)
			p[off] = 1;
		*mib += CHUNK / MIB;
	}
}

/* MiB the hog reached before the OOM killer stopped it; -1 on error. */
static long run_hog(volatile long *mib)
{
	int status;
	pid_t pid;

	*mib = 0;
	printf("# smaf-expect-oom: t-pool-hog\n");
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid)
		hog(mib);
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL) {
		tap_diag("the hog ended with status %#x, not killed", status);
		return -1;
	}
	return *mib;
}

static int settle_full(int ms)
{
	for (; ms > 0; ms -= 50) {
		if (smaf_pool_stat("clean_bytes") >= smaf_pool_stat("max_bytes"))
			return 0;
		usleep(50 * 1000);
	}
	return -1;
}

int main(void)
{
	long free_mib, huge, without, with;
	int full;
	volatile long *mib;
	char buf[32];

	mib = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (mib == MAP_FAILED)
		tap_bail("mmap failed");
	/* Not this process: the hog (oom_score_adj 1000) is the victim. */
	if (write_file("/proc/self/oom_score_adj", "-1000"))
		tap_bail("cannot protect the test from the OOM killer");

	/*
	 * The pool fills first, from normal memory (it keeps no scarce low
	 * memory), then huge pages take all but LEFT_MIB of what is free,
	 * pool included.  The hog runs with the pool, then without SMAF:
	 * the same memory is left to it both times.
	 */
	tap_ok(system("rmmod smaf") == 0, "smaf unloads");
	write_file("/proc/sys/vm/drop_caches", "3");
	snprintf(buf, sizeof(buf), "pool_mib=%d", POOL_MIB);
	tap_ok(smaf_load(buf) == 0, "smaf loads with a %d MiB pool", POOL_MIB);
	full = !settle_full(60000);
	tap_ok(full && smaf_pool_stat("max_bytes") == POOL_MIB * MIB &&
	       smaf_pool_stat("low_bytes") == 0,
	       "the pool fills, with no scarce low memory (%lld of %lld MiB)",
	       smaf_pool_stat("clean_bytes") / MIB, smaf_pool_stat("max_bytes") / MIB);
	free_mib = meminfo_kb("MemFree") / 1024 + POOL_MIB;
	snprintf(buf, sizeof(buf), "%ld", (free_mib - LEFT_MIB) / 2);
	if (free_mib > LEFT_MIB + 512)
		write_file("/proc/sys/vm/nr_hugepages", buf);
	huge = read_long_file("/proc/sys/vm/nr_hugepages");
	/* 2 MiB huge pages (x86, and arm64 with 4 KiB pages). */
	tap_diag("%ld MiB free with the pool's, %ld MiB set aside as huge pages", free_mib,
		 huge > 0 ? 2 * huge : 0);

	with = run_hog(mib);
	tap_ok(with > 0, "with a full %d MiB pool, the hog got %ld MiB before the OOM killer stopped it",
	       POOL_MIB, with);
	tap_ok(smaf_pool_stat("clean_bytes") == 0 && smaf_pool_stat("dirty_bytes") == 0,
	       "the pool gave everything back (%lld MiB clean, %lld MiB dirty)",
	       smaf_pool_stat("clean_bytes") / MIB, smaf_pool_stat("dirty_bytes") / MIB);
	tap_ok(system("rmmod smaf") == 0, "smaf unloads (the hog runs once without it)");
	without = run_hog(mib);
	tap_ok(without > 0 && with >= without - SLACK_MIB,
	       "without SMAF, the hog got %ld MiB (with the pool: %ld)", without, with);

	write_file("/proc/sys/vm/nr_hugepages", "0");
	tap_ok(smaf_load("") == 0, "smaf reloads with the harness's parameters");
	return tap_done();
}

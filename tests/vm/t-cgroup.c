// SPDX-License-Identifier: GPL-2.0
/*
 * Memory cgroups: SMAF's pages are charged to the cgroup of the process
 * whose use allocated them, so memory.max bounds what it gets through SMAF.
 * And a process killed in the middle of a large allocation dies promptly
 * and leaves nothing behind.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/dma-buf.h>

#include "smaf-test.h"

#define MIB (1024 * 1024UL)
#define CG "/sys/fs/cgroup"
#define TEST_CG CG "/smaf-test"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Time to allocate (first use) and free a buffer of @size. */
static double alloc_time(int dev, uint64_t size)
{
	double t = now();
	int fd = smaf_test_create(dev, size, NULL);

	smaf_first_use(fd);
	close(fd);
	return now() - t;
}

int main(void)
{
	char pid_s[32];
	int dev, status, a, b;
	long current;
	double full, t;
	pid_t pid;

	dev = open("/dev/smaf", O_RDWR);
	if (dev < 0)
		tap_bail("cannot open /dev/smaf");

	mkdir(CG, 0755);
	tap_ok(!mount("cgroup2", CG, "cgroup2", 0, NULL) || errno == EBUSY, "cgroup2 mounted");
	tap_ok(!write_file(CG "/cgroup.subtree_control", "+memory") &&
	       (!mkdir(TEST_CG, 0755) || errno == EEXIST) &&
	       !write_file(TEST_CG "/memory.max", "64M"), "a cgroup with memory.max = 64 MiB");

	pid = fork();
	if (pid == 0) {
		snprintf(pid_s, sizeof(pid_s), "%d", getpid());
		if (write_file(TEST_CG "/cgroup.procs", pid_s))
			_exit(10);
		a = smaf_test_create(dev, 32 * MIB, NULL);
		if (smaf_first_use(a))
			_exit(11);
		current = read_long_file(TEST_CG "/memory.current");
		if (current < (long)(32 * MIB))
			_exit(12);	/* not charged */
		b = smaf_test_create(dev, 64 * MIB, NULL);
		_exit(smaf_first_use(b) == ENOMEM ? 0 : 13);
	}
	waitpid(pid, &status, 0);
	tap_ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	       "inside it: 32 MiB charged to the cgroup, then 64 MiB more refused with ENOMEM (exit %d)",
	       WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	tap_ok(read_long_file(TEST_CG "/memory.current") < (long)(4 * MIB),
	       "the charge went away with the process (%ld bytes left)",
	       read_long_file(TEST_CG "/memory.current"));
	tap_ok(!rmdir(TEST_CG), "cgroup removed");

	/* A large allocation stops promptly at SIGKILL. */
	full = alloc_time(dev, 3072 * MIB);
	pid = fork();
	if (pid == 0) {
		int fd = smaf_test_create(dev, 3072 * MIB, NULL);

		smaf_first_use(fd);
		_exit(0);
	}
	usleep(100 * 1000);
	t = now();
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	t = now() - t;
	tap_diag("3 GiB allocation takes %.2f s; the killed process was reaped %.3f s after SIGKILL",
		 full, t);
	tap_ok(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
	       "the process was killed during its allocation");
	tap_ok(t < full / 2, "it died promptly: %.0f%% of a full allocation's time", 100 * t / full);
	tap_ok(smaf_live_buffers() == 0 && smaf_allocator_stat("system", "bytes") == 0,
	       "nothing left behind");
	close(dev);
	return tap_done();
}

// SPDX-License-Identifier: GPL-2.0
/*
 * Debug kernel: Debian's trinity syscall fuzzer, for a bounded time, with
 * SMAF's nodes as its victim files (/dev/smaf and every SMAF heap node,
 * reached through device nodes of their own in a directory it walks): it
 * opens them and throws random ioctl, mmap, read, write and fcntl calls at
 * them, as user nobody, across several processes.  The heap nodes create a
 * buffer for any command number 0, so random ioctls create buffers with
 * random lengths and flags (rarely: the fields must also be valid).  How far
 * it got into SMAF is counted with kprobe events on SMAF's open, ioctl and
 * create functions.  Oracle: the harness's console judge (no kernel report),
 * SMAF reached (its node functions hit), and no buffer left once trinity is
 * gone.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "smaf-test.h"

#define TRINITY "/usr/bin/trinity"
#define VICTIMS "/run/smaf-victims"
#define SECONDS 60
#define TRACING "/sys/kernel/tracing"

/* SMAF's entry points trinity can reach, counted by kprobe events. */
static const char *const probes[] = {
	"smaf_open", "smaf_ioctl", "smaf_heap_open", "smaf_heap_ioctl", "smaf_buffer_create",
};
#define NPROBES (sizeof(probes) / sizeof(probes[0]))

static int add_probes(void)
{
	char def[128];
	unsigned int i;

	if (access(TRACING "/kprobe_events", W_OK) &&
	    mount("tracefs", TRACING, "tracefs", 0, NULL))
		return -1;
	for (i = 0; i < NPROBES; i++) {
		snprintf(def, sizeof(def), "p:smaf_reach/%s smaf:%s", probes[i], probes[i]);
		if (write_file(TRACING "/kprobe_events", def))
			return -1;
	}
	return write_file(TRACING "/events/smaf_reach/enable", "1");
}

/* Hits of probe @name since it was added, from kprobe_profile; -1 if none. */
static long probe_hits(const char *name)
{
	FILE *f = fopen(TRACING "/kprobe_profile", "r");
	char line[256], ev[128];
	long hits, v = -1;

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "%127s %ld", ev, &hits) == 2 && !strcmp(ev, name))
			v = hits;
	if (f)
		fclose(f);
	return v;
}

static void remove_probes(void)
{
	char def[128];
	unsigned int i;

	write_file(TRACING "/events/smaf_reach/enable", "0");
	for (i = 0; i < NPROBES; i++) {
		snprintf(def, sizeof(def), "-:smaf_reach/%s", probes[i]);
		write_file(TRACING "/kprobe_events", def);
	}
}

/* A node of the same device as @path in VICTIMS, writable by anyone. */
static int add_victim(const char *path, const char *name)
{
	char node[256];
	struct stat st;

	if (stat(path, &st) || !S_ISCHR(st.st_mode))
		return -1;
	snprintf(node, sizeof(node), VICTIMS "/%s", name);
	if (mknod(node, S_IFCHR | 0666, st.st_rdev) || chmod(node, 0666))
		return -1;
	return 0;
}

/* SMAF's heap nodes are the misc devices smaf-heap-NAME. */
static int add_heap_victims(void)
{
	DIR *d = opendir("/sys/class/misc");
	struct dirent *e;
	char path[300];
	int n = 0;

	while (d && (e = readdir(d)))
		if (!strncmp(e->d_name, "smaf-heap-", 10)) {
			snprintf(path, sizeof(path), "/dev/dma_heap/%s", e->d_name + 10);
			n += !add_victim(path, e->d_name);
		}
	if (d)
		closedir(d);
	return n;
}

int main(void)
{
	const char *seed = getenv("SMAF_SEED");
	char seed_arg[32];
	struct timespec tick = { 0, 100 * 1000 * 1000 };
	int heaps, status, i;
	pid_t pid, group;

	if (access(TRINITY, X_OK))
		tap_bail("no %s in the VM (the harness copies the host's)", TRINITY);
	snprintf(seed_arg, sizeof(seed_arg), "-s%lu", seed ? strtoul(seed, NULL, 0) : 1UL);
	mkdir(VICTIMS, 0755);
	heaps = add_heap_victims();
	tap_ok(!add_victim("/dev/smaf", "smaf") && heaps > 0,
	       "victims: /dev/smaf and %d SMAF heap nodes, in " VICTIMS, heaps);
	tap_ok(!add_probes(), "kprobe events on SMAF's entry points");

	pid = fork();
	if (pid == 0) {
		setpgid(0, 0);
		if (chdir("/tmp"))
			_exit(127);
		execl(TRINITY, TRINITY, "--dropprivs", "-q", "-l", "off", "-C", "4",
		      seed_arg, "-V", VICTIMS, "-T", "BAD_PAGE,DIE,WARN",
		      "--disable-fds=sockets,pipes,perf,epoll,eventfd,timerfd,testfile,memfd,drm",
		      "-c", "ioctl", "-c", "mmap", "-c", "read", "-c", "write", "-c", "fcntl",
		      "-c", "close", "-c", "dup", "-c", "lseek", "-c", "munmap",
		      "-c", "mprotect", "-c", "madvise", "-c", "mremap", (char *)NULL);
		_exit(127);
	}
	if (pid < 0)
		tap_bail("fork: %s", strerror(errno));
	group = pid;
	tap_diag("trinity %s for %d s", seed_arg, SECONDS);
	for (i = 0; i < SECONDS * 10; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid) {
			pid = 0;
			break;
		}
		nanosleep(&tick, NULL);
	}
	tap_ok(pid > 0, "trinity ran the whole %d s (it stops early when the kernel is tainted)",
	       SECONDS);
	if (pid > 0) {
		kill(-group, SIGINT);
		for (i = 0; i < 100 && waitpid(pid, &status, WNOHANG) != pid; i++)
			nanosleep(&tick, NULL);
		if (i == 100) {
			kill(-group, SIGKILL);
			waitpid(pid, &status, 0);
		}
	}
	/* Its children may outlive it for a moment. */
	kill(-group, SIGKILL);
	for (i = 0; i < 100 && smaf_live_buffers(); i++)
		nanosleep(&tick, NULL);

	for (i = 0; i < (int)NPROBES; i++)
		tap_diag("%s: %ld calls", probes[i], probe_hits(probes[i]));
	tap_ok(probe_hits("smaf_open") > 0 && probe_hits("smaf_ioctl") > 0 &&
	       probe_hits("smaf_heap_open") > 0 && probe_hits("smaf_heap_ioctl") > 0,
	       "trinity reached SMAF: %ld + %ld opens, %ld + %ld ioctls of /dev/smaf and the heap nodes",
	       probe_hits("smaf_open"), probe_hits("smaf_heap_open"), probe_hits("smaf_ioctl"),
	       probe_hits("smaf_heap_ioctl"));
	remove_probes();
	tap_ok(smaf_live_buffers() == 0, "no buffer left once trinity is gone");
	return tap_done();
}

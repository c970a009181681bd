// SPDX-License-Identifier: GPL-2.0
/*
 * One principal pays for a buffer: its creator.  Whoever uses the buffer
 * first (a service it was passed to, in another memory cgroup, as another
 * user, privileged or not), its memory is charged to the creator's memory
 * cgroup and counted against the creator's limits; and a failed contiguous
 * attempt makes the creator, not the caller, pause (EAGAIN) before the next.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/smaf.h>

#include "smaf-edu.h"
#include "smaf-test.h"

#define MIB (1024 * 1024UL)
#define CG "/sys/fs/cgroup"
#define CREATOR_CG CG "/smaf-creator"
#define USER_CG CG "/smaf-user"
#define LIMITS "/sys/module/smaf/parameters/limits"
#define EDU_BITS "/sys/module/smaf_edu/parameters/dma_bits"

static int join_cgroup(const char *cg)
{
	char path[128], pid[32];

	snprintf(path, sizeof(path), "%s/cgroup.procs", cg);
	snprintf(pid, sizeof(pid), "%d", getpid());
	return write_file(path, pid);
}

/*
 * Forks a creator that makes @n buffers of @size (@hints, @align) as @uid
 * in @cg (NULL: stay) and passes them over a Unix socket into @fds (-1 for
 * any that did not come); it waits until *@sock, this side's end, is
 * closed.
 */
static pid_t creator(int *sock, int *fds, int n, const char *cg, uid_t uid, size_t size,
		     uint32_t hints, uint64_t align)
{
	int sv[2], dev, fd, i;
	pid_t pid;
	char c;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		tap_bail("socketpair");
	pid = fork();
	if (pid) {
		close(sv[0]);
		*sock = sv[1];
		for (i = 0; i < n; i++)
			fds[i] = recv_fd(sv[1]);
		return pid;
	}
	close(sv[1]);
	if (cg && join_cgroup(cg))
		_exit(10);
	if (uid && (setgid(uid) || setuid(uid)))
		_exit(11);
	dev = open("/dev/smaf", O_RDWR);
	if (dev < 0)
		_exit(12);
	while (n--) {
		fd = smaf_test_create_v1(dev, size, NULL, hints, align);
		/* A limit refuses the create: exits with its errno. */
		if (fd < 0)
			_exit(errno == EDQUOT || errno == ENOSPC ? errno : 13);
		if (send_fd(sv[0], fd))
			_exit(13);
		close(fd);
	}
	read(sv[0], &c, 1);
	_exit(0);
}

static int reap(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* The bytes debugfs counts for @uid on @alloc, -1 if it shows none. */
static long long user_bytes(unsigned int uid, const char *alloc)
{
	char line[512], head[32], key[64], *p;
	long long v = -1;
	FILE *f = fopen(DEBUGFS_SMAF "/users", "r");

	snprintf(head, sizeof(head), "uid=%u ", uid);
	snprintf(key, sizeof(key), " %s=", alloc);
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, head, strlen(head)) && (p = strstr(line, key)))
			v = atoll(p + strlen(key));
	if (f)
		fclose(f);
	return v;
}

/*
 * The creator sits in a cgroup of 48 MiB, the service that uses its buffers
 * first in an unlimited one.
 */
static void cgroup_of_the_creator(void)
{
	int sock, fds[2], a, b, err;
	void *p;
	long cur;
	pid_t pid;

	mkdir(CG, 0755);
	tap_ok((!mount("cgroup2", CG, "cgroup2", 0, NULL) || errno == EBUSY) &&
	       !write_file(CG "/cgroup.subtree_control", "+memory") &&
	       (!mkdir(CREATOR_CG, 0755) || errno == EEXIST) &&
	       (!mkdir(USER_CG, 0755) || errno == EEXIST) &&
	       !write_file(CREATOR_CG "/memory.max", "48M"),
	       "cgroups: the creator's (memory.max = 48 MiB), the user's (no limit)");
	pid = creator(&sock, fds, 2, CREATOR_CG, 0, 32 * MIB, 0, 0);
	a = fds[0];
	b = fds[1];
	tap_ok(a >= 0 && b >= 0, "the creator passes two 32 MiB buffers to the user");
	tap_ok(!join_cgroup(USER_CG), "the user joins its own cgroup");

	err = smaf_first_use(a);
	cur = read_long_file(CREATOR_CG "/memory.current");
	tap_ok(!err && cur >= (long)(32 * MIB),
	       "the user's first use is charged to the creator's cgroup (%s, %ld KiB)",
	       strerror(err), cur / 1024);
	cur = read_long_file(USER_CG "/memory.current");
	tap_ok(cur >= 0 && cur < (long)(4 * MIB), "and not to the user's (%ld KiB)", cur / 1024);
	err = smaf_first_use(b);
	tap_ok(err == ENOMEM,
	       "32 MiB more would take the creator's cgroup past 48 MiB: ENOMEM for the user (%s)",
	       strerror(err));
	tap_ok(smaf_buffer_num(b, "allocated") == 0, "that buffer holds no memory");
	/* Handed a buffer its creator cannot pay for: an errno, not a SIGBUS. */
	p = mmap(NULL, 32 * MIB, PROT_READ, MAP_SHARED, b, 0);
	err = p == MAP_FAILED ? errno : 0;
	tap_ok(err == ENOMEM, "so is the user's mmap of it, which allocates: ENOMEM (%s)",
	       strerror(err));
	if (p != MAP_FAILED)
		munmap(p, 32 * MIB);
	tap_ok(!write_file(CG "/cgroup.procs", "0") || !join_cgroup(CG),
	       "the user leaves its cgroup");
	close(a);
	close(b);
	close(sock);
	tap_ok(reap(pid) == 0, "the creator exits");
	cur = read_long_file(CREATOR_CG "/memory.current");
	tap_ok(cur >= 0 && cur < (long)(4 * MIB), "the charge went with the buffers (%ld KiB)",
	       cur / 1024);
	tap_ok(!rmdir(CREATOR_CG) && !rmdir(USER_CG), "cgroups removed");
}

/* uid 1000 may hold 48 MiB of system memory; root uses its buffers. */
static void limits_of_the_creator(void)
{
	char limits[1024] = "";
	int sock, fds[2], a, b, err;
	pid_t pid;

	if (smaf_limits_get(limits, sizeof(limits)))
		tap_bail("cannot read %s", LIMITS);
	tap_ok(!write_file(LIMITS, "system:user=48M") && !chmod("/dev/smaf", 0666),
	       "uid 1000 may hold 48 MiB of system memory, and may open /dev/smaf");
	pid = creator(&sock, fds, 2, NULL, 1000, 32 * MIB, 0, 0);
	a = fds[0];
	b = fds[1];
	err = reap(pid);
	tap_ok(a >= 0 && b < 0 && err == EDQUOT,
	       "uid 1000 passes a 32 MiB buffer to root; the next is over its 48 MiB limit at create: EDQUOT (%s)",
	       strerror(err));
	err = smaf_first_use(a);
	tap_ok(!err && user_bytes(1000, "system") == (long long)(32 * MIB) &&
	       user_bytes(0, "system") <= 0,
	       "root's first use counts for uid 1000 (%lld bytes), not for root (%lld)",
	       user_bytes(1000, "system"), user_bytes(0, "system"));
	close(a);
	close(sock);
	tap_ok(user_bytes(1000, "system") <= 0, "uid 1000 holds nothing any more");
	tap_ok(!write_file(LIMITS, limits) && !chmod("/dev/smaf", 0600),
	       "limits and /dev/smaf restored");
}

/* First use of @fd with the edu device attached; the errno. */
static int edu_first_use(int fd)
{
	int edu = open("/dev/smaf-edu", O_RDWR), err;

	if (edu < 0)
		return EBADF;
	err = ioctl(edu, SMAF_EDU_IOC_ATTACH, &fd) ? errno : smaf_first_use(fd);
	close(edu);
	return err;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

/*
 * A user with no failed contiguous attempt behind it: a pause, once grown,
 * outlives the user's buffers (uid 1000's, from other tests, may be long).
 */
#define PAUSER 1002

/*
 * Contiguous memory that cannot exist: 64 MiB aligned to 1 GiB below edu's
 * 256 MiB (no IOMMU) leaves only physical address 0, which is reserved: each
 * attempt fails at once, and takes no page.
 */
static void pause_of_the_creator(void)
{
	const uint32_t contig = SMAF_HINT_CONTIGUOUS;
	int sock, fds[4], i, dev, mine, err[4];
	char limits[1024];
	pid_t pid;

	if (chmod("/dev/smaf", 0666) || smaf_limits_get(limits, sizeof(limits)))
		tap_bail("chmod /dev/smaf, or the limits");
	/*
	 * The create reserves the creator's limits on the allocator a CPU use
	 * would get: the carveout on x86, whose default per-user limit (16
	 * MiB) is below 64 MiB.  Lift it: its global limit then passes the
	 * reservation on to contig, where edu's use goes too.
	 */
	tap_ok(!write_file(LIMITS, "carveout:user=none"), "carveout: no per-user limit");
	pid = creator(&sock, fds, 4, NULL, PAUSER, 64 * MIB, contig, 1ULL << 30);
	tap_ok(fds[3] >= 0, "uid %d passes four impossible contiguous buffers to root (%s)", PAUSER,
	       fds[3] >= 0 ? "yes" : strerror(reap(pid)));
	dev = open("/dev/smaf", O_RDWR);
	mine = smaf_test_create_v1(dev, 64 * MIB, NULL, contig, 1ULL << 30);

	err[0] = edu_first_use(fds[0]);
	err[1] = edu_first_use(fds[1]);
	tap_ok(err[0] == ENOMEM, "root's first use of the first: ENOMEM (%s)", strerror(err[0]));
	tap_ok(err[1] == EAGAIN, "of the next, at once: EAGAIN, uid %d pauses (%s)", PAUSER,
	       strerror(err[1]));
	err[2] = edu_first_use(mine);
	tap_ok(err[2] == ENOMEM, "root's own buffer is still tried: ENOMEM (%s)", strerror(err[2]));
	sleep_ms(200);
	err[2] = edu_first_use(fds[2]);
	err[3] = edu_first_use(fds[3]);
	tap_ok(err[2] == ENOMEM && err[3] == EAGAIN,
	       "after the pause, one more attempt (%s), then a longer pause (%s)",
	       strerror(err[2]), strerror(err[3]));
	for (i = 0; i < 4; i++)
		close(fds[i]);
	close(mine);
	close(dev);
	close(sock);
	tap_ok(reap(pid) == 0 && smaf_allocator_stat("contig", "bytes") == 0,
	       "nothing was allocated");
	chmod("/dev/smaf", 0600);
	tap_ok(!write_file(LIMITS, limits), "limits restored");
}

int main(void)
{
	cgroup_of_the_creator();
	limits_of_the_creator();
	/* Needs edu to reach only the first 256 MiB: no IOMMU, 28 bits. */
	if (!platform_iommu() && read_long_file(EDU_BITS) == 28)
		pause_of_the_creator();
	else
		tap_diag("edu reaches more than 256 MiB here: the pause is tested elsewhere");
	tap_ok(smaf_live_buffers() == 0, "no buffer left");
	return tap_done();
}

// SPDX-License-Identifier: GPL-2.0
/*
 * Hostile holders, round 3: what an unprivileged holder of a SMAF buffer
 * can make of it through other drivers and namespaces.
 *
 * 1. A buffer handed out read-only stays read-only when an importer maps it
 *    through its own node (dma_buf_mmap(), as drm_gem_shmem does): no
 *    writable mapping, now or by mprotect().
 * 2. A capture driver that never attaches (vivid on videobuf2-vmalloc, as
 *    uvcvideo) makes its vmap the buffer's first use, where a refusal
 *    would make the dma-buf core warn: the creator's limit refuses the
 *    create instead, where it can say so (its limits are reserved there),
 *    and a buffer within the limit is queued and allocated by that vmap.
 * 3. Subordinate uids in a user namespace of one's own share its owner's
 *    quota, as newuidmap sets them up.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/smaf.h>
#include <linux/videodev2.h>

#include "media.h"
#include "smaf-importer.h"
#include "smaf-test.h"

#define MIB (1024 * 1024UL)
#define USER 1000
#define LIMITS "/sys/module/smaf/parameters/limits"
#define CAP V4L2_BUF_TYPE_VIDEO_CAPTURE

static int dev;

static void become_user(void)
{
	if (setgid(USER) || setuid(USER))
		_exit(100);
}

/* A buffer created with @flags (0: read-only). */
static int create_flags(size_t size, uint32_t flags)
{
	struct smaf_create_data d;

	memset(&d, 0, sizeof(d));
	d.length = size;
	d.flags = flags | O_CLOEXEC;
	if (ioctl(dev, SMAF_IOC_CREATE, &d))
		return -1;
	return d.fd;
}

/* An importer's file holding @fd, or -1. */
static int importer_of(int fd)
{
	int imp = open("/dev/smaf-importer", O_RDWR);
	int32_t f = fd;

	if (imp >= 0 && ioctl(imp, SMAF_IMPORTER_IOC_IMPORT, &f)) {
		close(imp);
		return -1;
	}
	return imp;
}

/* Runs @fn in a child as uid USER; its exit code, or -1. */
static int as_user(int (*fn)(int), int arg)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		become_user();
		_exit(fn(arg));
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/*
 * 1, as the attacker: maps the read-only buffer @fd through the importer.
 * Exit code: 0 when every write was refused with EACCES and the (zeroed)
 * memory reads back; else the step that failed.
 */
static int importer_attack(int fd)
{
	unsigned char *p;
	int imp = importer_of(fd);

	if (imp < 0)
		return 1;
	p = mmap(NULL, MIB, PROT_READ | PROT_WRITE, MAP_SHARED, imp, 0);
	if (p != MAP_FAILED)
		return 2;	/* a writable mapping of a read-only buffer */
	if (errno != EACCES)
		return 3;
	p = mmap(NULL, MIB, PROT_READ, MAP_SHARED, imp, 0);
	if (p == MAP_FAILED)
		return 4;
	if (!mem_is_zero(p, MIB))
		return 5;
	if (!mprotect(p, MIB, PROT_READ | PROT_WRITE))
		return 6;	/* made writable after the fact */
	if (errno != EACCES)
		return 7;
	munmap(p, MIB);
	close(imp);
	return 0;
}

static void importer_mmap(void)
{
	unsigned char *p;
	int fd, imp, ret;

	fd = create_flags(MIB, O_RDWR);
	tap_ok(fd >= 0 && write_pattern_fd(fd, MIB, 7) == 0, "a 1 MiB buffer, filled by its creator");
	imp = importer_of(fd);
	p = imp < 0 ? MAP_FAILED : mmap(NULL, MIB, PROT_READ | PROT_WRITE, MAP_SHARED, imp, 0);
	tap_ok(p != MAP_FAILED && check_pattern(p, MIB, 7) == 0,
	       "mapped read-write through the importer's node, it reads back byte for byte");
	if (p != MAP_FAILED) {
		p[5] ^= 0xff;
		tap_ok(check_pattern_fd(fd, MIB, 7) != 0, "and a write there lands in the buffer");
		munmap(p, MIB);
	}
	close(imp);
	close(fd);

	fd = create_flags(MIB, 0);
	tap_ok(fd >= 0, "a read-only buffer, handed to uid %d", USER);
	ret = as_user(importer_attack, fd);
	tap_ok(ret == 0,
	       "through the importer, PROT_WRITE and mprotect(PROT_WRITE) fail with EACCES; it reads as zeros (step %d)",
	       ret);
	p = mmap(NULL, MIB, PROT_READ, MAP_SHARED, fd, 0);
	tap_ok(p != MAP_FAILED && mem_is_zero(p, MIB), "the buffer is still all zeros");
	if (p != MAP_FAILED)
		munmap(p, MIB);
	close(fd);
}

/*
 * 2, as uid USER on vivid's vmalloc capture @cap (format and buffers set
 * up): the 80 MiB buffer over the limit is refused at create; one within
 * it is queued, and vivid's vmap is its first use.  Exit code 0, or the
 * step that failed.
 */
static int vmap_first_use(int cap)
{
	int d, fd;

	d = open("/dev/smaf", O_RDWR);
	if (d < 0)
		return 1;
	fd = smaf_test_create(d, 80 * MIB, NULL);
	if (fd >= 0 || errno != EDQUOT)
		return 2;
	fd = smaf_test_create(d, 8 * MIB, NULL);
	if (fd < 0)
		return 3;
	if (v4l2_qbuf_dmabuf(cap, CAP, 0, fd, 8 * MIB))
		return 4;
	if (smaf_buffer_num(fd, "allocated") != 1)
		return 5;
	return 0;
}

static void vmalloc_capture(void)
{
	struct v4l2_format fmt;
	char limits[1024];
	int cap, ret;

	if (smaf_limits_get(limits, sizeof(limits)))
		tap_bail("cannot read the limits");
	cap = vivid_open(V4L2_CAP_VIDEO_CAPTURE, VIVID_VMALLOC);
	tap_ok(cap >= 0 && !v4l2_set_fmt(cap, CAP, 640, 480, V4L2_PIX_FMT_YUYV, &fmt) &&
	       v4l2_reqbufs_dmabuf(cap, CAP, 1) > 0,
	       "vivid's vmalloc capture, which never attaches, with one DMABUF buffer");
	tap_ok(!write_file(LIMITS, "system:user=64M") && !chmod("/dev/smaf", 0666),
	       "system:user=64M, /dev/smaf open to all");
	ret = cap < 0 ? -1 : as_user(vmap_first_use, cap);
	tap_ok(ret == 0,
	       "uid %d: 80 MiB refused at create (EDQUOT), 8 MiB queued and allocated by vivid's vmap (step %d)",
	       USER, ret);
	tap_ok(!write_file(LIMITS, limits) && !chmod("/dev/smaf", 0600),
	       "limits and /dev/smaf restored");
	if (cap >= 0)
		close(cap);
}

/*
 * 3, in a user namespace of uid USER's: process @k (as namespace uid @k)
 * makes and uses a 48 MiB buffer, then waits on @hold.  Exit code: 0 if
 * it got one, EDQUOT if refused, else the step.
 */
static int ns_user(int k, int hold)
{
	int d, fd, err;
	char c;

	if (setresgid(k, k, k) || setresuid(k, k, k))
		return 100;
	d = open("/dev/smaf", O_RDWR);
	if (d < 0)
		return 101;
	fd = smaf_test_create(d, 48 * MIB, NULL);
	err = fd < 0 ? errno : smaf_first_use(fd);
	if (err)
		return err == EDQUOT ? EDQUOT : 102;
	if (read(hold, &c, 1) < 0)
		return 103;
	return 0;
}

/* The namespace's init: waits for its maps, then runs four users. */
static int ns_init(int ready, int mapped, int hold)
{
	int got = 0, refused = 0, status, k;
	pid_t pids[4];
	char c;

	if (unshare(CLONE_NEWUSER))
		return 110;
	if (write(ready, "r", 1) != 1 || read(mapped, &c, 1) != 1)
		return 111;
	for (k = 0; k < 4; k++) {
		pids[k] = fork();
		if (pids[k] == 0)
			_exit(ns_user(k, hold));
		/* One at a time: each holds its buffer until the end. */
		usleep(200000);
	}
	for (k = 0; k < 4; k++) {
		/* The holders exit once the parent closes @hold. */
		if (waitpid(pids[k], &status, 0) != pids[k] || !WIFEXITED(status))
			return 112;
		if (WEXITSTATUS(status) == 0)
			got++;
		else if (WEXITSTATUS(status) == EDQUOT)
			refused++;
	}
	return got * 10 + refused;
}

static void user_namespace(void)
{
	int ready[2], mapped[2], hold[2], status, ret;
	char limits[1024], path[64], c;
	pid_t pid;

	if (smaf_limits_get(limits, sizeof(limits)))
		tap_bail("cannot read the limits");
	tap_ok(!write_file(LIMITS, "system:user=64M") && !chmod("/dev/smaf", 0666),
	       "system:user=64M, /dev/smaf open to all");
	if (pipe(ready) || pipe(mapped) || pipe(hold))
		tap_bail("pipe");
	pid = fork();
	if (pid == 0) {
		close(ready[0]);
		close(mapped[1]);
		close(hold[1]);
		become_user();
		_exit(ns_init(ready[1], mapped[0], hold[0]));
	}
	close(ready[1]);
	close(mapped[0]);
	close(hold[0]);
	ret = read(ready[0], &c, 1) == 1;
	/* As newuidmap writes them: uid 1000's subordinate uids 100000-100003. */
	snprintf(path, sizeof(path), "/proc/%d/uid_map", pid);
	ret = ret && !write_file(path, "0 100000 4");
	snprintf(path, sizeof(path), "/proc/%d/setgroups", pid);
	ret = ret && !write_file(path, "deny");
	snprintf(path, sizeof(path), "/proc/%d/gid_map", pid);
	ret = ret && !write_file(path, "0 100000 4");
	tap_ok(ret, "uid %d's user namespace maps uids 100000-100003", USER);
	if (!ret || write(mapped[1], "m", 1) != 1)
		tap_diag("cannot start the namespace");
	/* Let all four try while the first holds its buffer. */
	sleep(2);
	close(hold[1]);
	ret = waitpid(pid, &status, 0) == pid && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	tap_ok(ret == 13,
	       "four namespace users hold one 64 MiB quota, uid %d's: one gets 48 MiB, three get EDQUOT (%d)",
	       USER, ret);
	close(ready[0]);
	close(mapped[1]);
	tap_ok(smaf_user_bytes(USER, "system") <= 0 && smaf_user_bytes(100000, "system") <= 0,
	       "nothing is charged once they are gone");
	tap_ok(!write_file(LIMITS, limits) && !chmod("/dev/smaf", 0600),
	       "limits and /dev/smaf restored");
}

int main(void)
{
	/* A child that failed closes its pipes: say so, do not die of it. */
	signal(SIGPIPE, SIG_IGN);
	dev = open("/dev/smaf", O_RDWR);
	if (dev < 0)
		tap_bail("cannot open /dev/smaf");
	importer_mmap();
	vmalloc_capture();
	user_namespace();
	tap_ok(smaf_live_buffers() == 0, "no buffer left");
	close(dev);
	return tap_done();
}

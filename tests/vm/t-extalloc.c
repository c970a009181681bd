// SPDX-License-Identifier: GPL-2.0
/*
 * An allocator from a module of its own, built against SMAF's public
 * headers only (tests/drivers/smaf-testalloc; in the packaging lane against
 * the installed smaf-dkms package), is used like a built-in one: once
 * loaded it is listed with the limits SMAF derived from its capacity; it
 * serves a buffer a device shares when it matches that device (vgem) and
 * not otherwise (the CPU alone, edu's 28-bit reach without an IOMMU); an
 * unprivileged user is held to its per-user limit (EDQUOT) and charged for
 * it; past its global limit or its capacity SMAF falls back to the next
 * allocator; it cannot be unloaded while a buffer uses it, and unloads
 * cleanly once none does.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <drm.h>
#include <linux/smaf.h>

#include "smaf-test.h"
#include "smaf-edu.h"

#define MIB (1024 * 1024UL)
#define LIMITS "/sys/module/smaf/parameters/limits"
#define USER 1000

static int vgem;

/*
 * Creates a buffer of @size on @dev, has vgem import it (its device
 * attached) and uses it first; returns the fd (-1 if the create failed),
 * vgem's handle in *@handle (0 if none) and the first error in *@err.
 */
static int shared_buffer(int dev, size_t size, uint32_t *handle, int *err)
{
	struct drm_prime_handle imp;
	int fd;

	*handle = 0;
	*err = 0;
	fd = smaf_test_create(dev, size, NULL);
	if (fd < 0) {
		*err = errno;
		return -1;
	}
	memset(&imp, 0, sizeof(imp));
	imp.fd = fd;
	/* vgem maps at import (the first use); the attach reserves limits. */
	if (ioctl(vgem, DRM_IOCTL_PRIME_FD_TO_HANDLE, &imp))
		*err = errno;
	else
		*handle = imp.handle;
	if (!*err)
		*err = smaf_first_use(fd);
	return fd;
}

static void vgem_close(uint32_t handle)
{
	struct drm_gem_close gc = { .handle = handle };

	if (handle)
		ioctl(vgem, DRM_IOCTL_GEM_CLOSE, &gc);
}

/* 1 if buffer @fd's debugfs field @key is @want. */
static int field_is(int fd, const char *key, const char *want)
{
	char val[64];

	return !smaf_buffer_field(fd, key, val, sizeof(val)) && !strcmp(val, want);
}

/* Buffer @fd's debugfs field @key, for messages (two per message at most). */
static const char *field(int fd, const char *key)
{
	static char vals[2][64];
	static int next;
	char *val = vals[next++ % 2];

	if (smaf_buffer_field(fd, key, val, sizeof(vals[0])))
		snprintf(val, sizeof(vals[0]), "?");
	return val;
}

/* 1 if every byte of buffer @fd's @size is zero, read through mmap. */
static int all_zero(int fd, size_t size)
{
	unsigned char *p = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
	size_t i;

	if (p == MAP_FAILED)
		return 0;
	for (i = 0; i < size && !p[i]; i++)
		;
	munmap(p, size);
	return i == size;
}

static int unload(void)
{
	return syscall(SYS_delete_module, "smaf_testalloc", O_NONBLOCK) ? errno : 0;
}

static void load(void)
{
	char limits[1024];

	tap_ok(!system("insmod /lib/modules/smaf-testalloc.ko"),
	       "the allocator module loads (smaf-testalloc.ko, built outside SMAF)");
	tap_ok(smaf_allocator_stat("testalloc", "ranking") == 50,
	       "SMAF lists it, ranking 50 (%ld)", smaf_allocator_stat("testalloc", "ranking"));
	tap_ok(!smaf_limits_get(limits, sizeof(limits)) &&
	       strstr(limits, "testalloc:user=8388608,testalloc:global=33554432,"
			      "testalloc:reserve=8388608"),
	       "SMAF set its limits from its 32 MiB scarce capacity: 8 MiB per user, "
	       "8 MiB reserve");
}

static void choice(int dev)
{
	uint32_t h;
	int fd, edu, err, expect;

	fd = shared_buffer(dev, 4 * MIB, &h, &err);
	tap_ok(fd >= 0 && !err && field_is(fd, "allocator", "testalloc") &&
	       field_is(fd, "why", "best-match"),
	       "a buffer vgem shares: served by testalloc (%s, %s, error %d)",
	       field(fd, "allocator"), field(fd, "why"), err);
	tap_ok(fd >= 0 && all_zero(fd, 4 * MIB), "its memory is zeroed");
	tap_ok(fd >= 0 && write_pattern_fd(fd, 4 * MIB, 7) == 0 &&
	       check_pattern_fd(fd, 4 * MIB, 7) == 0, "the CPU writes and reads it back");
	vgem_close(h);
	close(fd);

	fd = smaf_test_create(dev, 4 * MIB, NULL);
	tap_ok(fd >= 0 && !smaf_first_use(fd) && field_is(fd, "allocator", "system"),
	       "a buffer of the CPU alone: not testalloc's (%s)", field(fd, "allocator"));
	close(fd);

	/* edu reaches 28 bits, or everything behind an IOMMU. */
	edu = open("/dev/smaf-edu", O_RDWR);
	fd = smaf_test_create(dev, 4 * MIB, NULL);
	err = edu < 0 || fd < 0 || ioctl(edu, SMAF_EDU_IOC_ATTACH, &fd);
	smaf_first_use(fd);
	expect = platform_iommu();
	tap_ok(!err && field_is(fd, "allocator", "testalloc") == expect,
	       "a buffer edu shares (%s an IOMMU): %s testalloc's (%s)",
	       expect ? "behind" : "without", expect ? "" : "not", field(fd, "allocator"));
	if (edu >= 0)
		close(edu);
	close(fd);
}

/* uid USER takes testalloc's memory until its limit; reports over @out. */
static void user_child(int out, int in)
{
	int dev, i, fd, n = 0, err = 0;
	uint32_t h[5] = { 0 };
	char msg[64], c;

	if (setgid(USER) || setuid(USER))
		_exit(100);
	dev = open("/dev/smaf", O_RDWR);
	if (dev < 0)
		err = errno;
	for (i = 0; dev >= 0 && i < 5; i++) {
		fd = shared_buffer(dev, 2 * MIB, &h[i], &err);
		if (fd < 0 || err)
			break;
		n++;
	}
	snprintf(msg, sizeof(msg), "%d %d\n", n, err);
	if (write(out, msg, strlen(msg)) < 0 || read(in, &c, 1) < 0)
		_exit(101);
	/* The vgem file is the parent's too: its handles outlive this process. */
	for (i = 0; i < 5; i++)
		vgem_close(h[i]);
	_exit(0);
}

/* SMAF's buffers with @key=@val (its debugfs view: the user cannot read it). */
static int buffers_with(const char *key, const char *want)
{
	char line[512], val[64];
	int n = 0;
	FILE *f = fopen(DEBUGFS_SMAF "/buffers", "r");

	while (f && fgets(line, sizeof(line), f))
		n += !line_field(line, key, val, sizeof(val)) && !strcmp(val, want);
	if (f)
		fclose(f);
	return n;
}

static void limits(void)
{
	int up[2], down[2], n = -1, err = 0, status;
	char msg[64] = "";
	pid_t pid;

	if (pipe(up) || pipe(down))
		tap_bail("pipe: %s", strerror(errno));
	/* As dist/udev/60-smaf.rules does for group smaf. */
	if (chown("/dev/smaf", 0, USER) || chmod("/dev/smaf", 0660))
		tap_bail("/dev/smaf for uid %d: %s", USER, strerror(errno));
	pid = fork();
	if (pid == 0)
		user_child(up[1], down[0]);
	if (read(up[0], msg, sizeof(msg) - 1) > 0)
		sscanf(msg, "%d %d", &n, &err);
	tap_ok(n == 4 && buffers_with("allocator", "testalloc") == 4,
	       "uid %d: 4 buffers of 2 MiB, from testalloc (%d used, %d testalloc's)", USER, n,
	       buffers_with("allocator", "testalloc"));
	tap_ok(err == EDQUOT && buffers_with("allocator", "testalloc") == 4,
	       "the 5th is refused by its 8 MiB per-user limit, at create or at vgem's import: EDQUOT (%s)",
	       strerror(err));
	tap_ok(smaf_user_bytes(USER, "testalloc") == (long long)(8 * MIB),
	       "uid %d is charged 8 MiB on testalloc (%lld)", USER,
	       smaf_user_bytes(USER, "testalloc"));
	tap_ok(smaf_allocator_stat("testalloc", "bytes") == (long)(8 * MIB),
	       "testalloc's usage: 8 MiB (%ld)", smaf_allocator_stat("testalloc", "bytes"));
	if (write(down[1], "x", 1) < 0)
		tap_diag("write: %s", strerror(errno));
	waitpid(pid, &status, 0);
	chmod("/dev/smaf", 0600);
	chown("/dev/smaf", 0, 0);
	tap_ok(smaf_user_bytes(USER, "testalloc") == 0 &&
	       smaf_allocator_stat("testalloc", "bytes") == 0,
	       "all given back when the user's process is gone");
	close(up[0]);
	close(up[1]);
	close(down[0]);
	close(down[1]);
}

/*
 * A 3rd buffer of 12 MiB past testalloc's @what: SMAF falls back to system
 * and testalloc's counter @stat moves from @before by one.
 */
static void third_falls_back(int dev, const char *what, const char *stat, long before)
{
	uint32_t h;
	int fd, err;

	fd = shared_buffer(dev, 12 * MIB, &h, &err);
	tap_ok(!err && field_is(fd, "allocator", "system") && field_is(fd, "why", "fallback") &&
	       smaf_allocator_stat("testalloc", stat) == before + 1,
	       "a 3rd, past its %s: falls back to system (%s, %s; %s %ld)", what,
	       field(fd, "allocator"), field(fd, "why"), stat,
	       smaf_allocator_stat("testalloc", stat));
	vgem_close(h);
	close(fd);
}

static void fallback_and_unload(int dev)
{
	long refusals = smaf_allocator_stat("testalloc", "refusals");
	long failures = smaf_allocator_stat("testalloc", "failures");
	int fds[2], i, err, ok = 1;
	uint32_t h[2];

	/* Root may use the reserve: 2 x 12 MiB fit the 32 MiB global limit. */
	for (i = 0; i < 2; i++) {
		fds[i] = shared_buffer(dev, 12 * MIB, &h[i], &err);
		ok &= !err && field_is(fds[i], "allocator", "testalloc");
	}
	tap_ok(ok, "root: 2 buffers of 12 MiB from testalloc");
	third_falls_back(dev, "global limit (a refusal)", "refusals", refusals);
	tap_ok(!write_file(LIMITS, "testalloc:global=none"), "root lifts its global limit");
	third_falls_back(dev, "32 MiB capacity (its ENOMEM)", "failures", failures);

	err = unload();
	tap_ok(err == EWOULDBLOCK || err == EBUSY,
	       "it cannot be unloaded while a buffer uses it (%s)", strerror(err));
	tap_ok(smaf_allocator_stat("testalloc", "buffers") == 2, "and it still serves them");
	for (i = 0; i < 2; i++) {
		vgem_close(h[i]);
		close(fds[i]);
	}
	tap_ok(smaf_allocator_stat("testalloc", "buffers") == 0 &&
	       smaf_allocator_stat("testalloc", "bytes") == 0, "their memory is back");
	err = unload();
	tap_ok(!err, "then it unloads (%s)", strerror(err));
	tap_ok(smaf_allocator_stat("testalloc", "ranking") == -1, "SMAF no longer lists it");
	fds[0] = shared_buffer(dev, 4 * MIB, &h[0], &err);
	tap_ok(!err && field_is(fds[0], "allocator", "system"),
	       "a buffer vgem shares goes to system again (%s)", field(fds[0], "allocator"));
	vgem_close(h[0]);
	close(fds[0]);
}

int main(void)
{
	int dev;

	dev = open("/dev/smaf", O_RDWR);
	vgem = vgem_open();
	if (dev < 0 || vgem < 0)
		tap_bail("cannot open /dev/smaf (%d) or vgem (%d)", dev, vgem);
	load();
	choice(dev);
	limits();
	fallback_and_unload(dev);
	close(vgem);
	close(dev);
	if (smaf_allocator_stat("testalloc", "ranking") != -1)
		unload();	/* after a failure above: leave SMAF unloadable */
	tap_ok(smaf_live_buffers() == 0, "no SMAF buffer left");
	return tap_done();
}

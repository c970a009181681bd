// SPDX-License-Identifier: GPL-2.0
/*
 * Debug kernel: the kernel's own fault injection (/proc/thread-self/fail-nth
 * with failslab and fail_page_alloc) walked over every allocation site of
 * create, first use (for each allocator), attach, map, mmap, vmap, and the
 * migration a late device's attach runs (the buffer must keep its data
 * whatever fails), with the system allocator's pool and without.  Each
 * injected failure gives the one errno its operation documents (or is
 * absorbed by a fallback), and afterwards no buffer and no allocator usage
 * is left.  The harness then checks kmemleak
 * and that the module unloads.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <drm.h>
#include <linux/dma-buf.h>
#include <linux/smaf.h>

#include "smaf-edu.h"
#include "smaf-test.h"

#define SIZE (3 * 1024 * 1024)
#define MAX_SITES 400
#define CAP V4L2_BUF_TYPE_VIDEO_CAPTURE

static int dev, vgem, edu, edu_a, edu_b, capv;
static int fd_a = -1, fd_b = -1;

static int fail_nth_fd;

static void arm(int n)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "%d", n);
	if (pwrite(fail_nth_fd, buf, strlen(buf), 0) < 0)
		tap_bail("cannot write fail-nth");
}

/* 0 when the armed failure was injected, else how many sites were left. */
static int disarm(void)
{
	char buf[16] = "";
	int left;

	if (pread(fail_nth_fd, buf, sizeof(buf) - 1, 0) < 0)
		tap_bail("cannot read fail-nth");
	left = atoi(buf);
	arm(0);
	return left;
}

static void drop(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* ---- operations: prepare outside injection, run under it, clean up ---- */

static int op_create(void)
{
	fd_a = smaf_test_create(dev, SIZE, NULL);
	return fd_a < 0 ? errno : 0;
}

static const char *first_use_name;

static void prep_first_use(void)
{
	fd_a = smaf_test_create(dev, SIZE, first_use_name);
}

static int op_first_use(void)
{
	return smaf_first_use(fd_a);
}

static void prep_plain(void)
{
	fd_a = smaf_test_create(dev, SIZE, NULL);
}

static unsigned int vgem_handle;

static int op_vgem_import(void)
{
	struct drm_prime_handle ph = { .fd = fd_a };

	if (ioctl(vgem, DRM_IOCTL_PRIME_FD_TO_HANDLE, &ph))
		return errno;
	vgem_handle = ph.handle;
	return 0;
}

static int op_edu_attach(void)
{
	return ioctl(edu, SMAF_EDU_IOC_ATTACH, &fd_a) ? errno : 0;
}

/* Two allocated buffers that suit edu (it is attached at their first use). */
static void prep_edu_map(void)
{
	fd_a = smaf_test_create(dev, 8192, NULL);
	fd_b = smaf_test_create(dev, 8192, NULL);
	ioctl(edu_a, SMAF_EDU_IOC_ATTACH, &fd_a);
	ioctl(edu_b, SMAF_EDU_IOC_ATTACH, &fd_b);
	smaf_first_use(fd_a);
	smaf_first_use(fd_b);
}

static int op_edu_map(void)
{
	struct smaf_edu_copy c = { .src_fd = fd_a, .dst_fd = fd_b, .length = 2048 };

	return ioctl(edu, SMAF_EDU_IOC_COPY, &c) ? errno : 0;
}

/* A CPU-filled buffer (system pages) that edu, attaching, makes move. */
static int migrate_check, migrate_corrupt;

static void prep_migrate(void)
{
	fd_a = smaf_test_create(dev, SIZE, NULL);
	write_pattern_fd(fd_a, SIZE, 3);
}

static void *map_p = MAP_FAILED;

static int op_mmap(void)
{
	map_p = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd_a, 0);
	return map_p == MAP_FAILED ? errno : 0;
}

static void prep_vmap(void)
{
	fd_a = smaf_test_create(dev, SIZE, NULL);
	v4l2_reqbufs_dmabuf(capv, CAP, 2);
}

static int op_vmap(void)
{
	return v4l2_qbuf_dmabuf(capv, CAP, 0, fd_a, 640 * 480 * 2) ? errno : 0;
}

/* Undoes what an operation left, after injection is disarmed. */
static void cleanup(void)
{
	if (map_p != MAP_FAILED)
		munmap(map_p, SIZE);
	map_p = MAP_FAILED;
	if (vgem_handle) {
		struct drm_gem_close gc = { .handle = vgem_handle };

		ioctl(vgem, DRM_IOCTL_GEM_CLOSE, &gc);
		vgem_handle = 0;
	}
	v4l2_reqbufs_dmabuf(capv, CAP, 0);
	if (migrate_check && fd_a >= 0 && check_pattern_fd(fd_a, SIZE, 3))
		migrate_corrupt++;
	ioctl(edu, SMAF_EDU_IOC_DETACH);
	ioctl(edu_a, SMAF_EDU_IOC_DETACH);
	ioctl(edu_b, SMAF_EDU_IOC_DETACH);
	drop(&fd_a);
	drop(&fd_b);
}

static int usage_left(void)
{
	static const char *const names[] = { "system", "dma32", "contig", "carveout" };
	unsigned int i;

	for (i = 0; i < 4; i++)
		if (smaf_allocator_stat(names[i], "bytes") != 0 ||
		    smaf_allocator_stat(names[i], "buffers") != 0)
			return 1;
	return smaf_live_buffers() != 0;
}

static void show_leftover(const char *what, int n, int err)
{
	char line[512];
	FILE *f = fopen(DEBUGFS_SMAF "/buffers", "r");

	tap_diag("%s: left behind after site %d (%s):", what, n, strerror(err));
	while (f && fgets(line, sizeof(line), f))
		tap_diag("  %s", strtok(line, "\n"));
	if (f)
		fclose(f);
}

/*
 * Fails each allocation site of @op in turn.  An injected failure must give
 * exactly @expect (or @also, when an importer reports its own allocation
 * failures differently from ours; 0: none), or be absorbed (a fallback served
 * the operation: 0); any other errno is a wrong report and fails the walk.
 */
static void walk(const char *what, void (*prep)(void), int (*op)(void), int expect, int also)
{
	int n, err, left, injected = 0, absorbed = 0, bad = 0, leftover = 0;
	char first_bad[96] = "";

	for (n = 1; n <= MAX_SITES; n++) {
		if (prep)
			prep();
		arm(n);
		err = op();
		left = disarm();
		cleanup();
		if (usage_left() && !leftover++)
			show_leftover(what, n, err);
		if (left) {
			/* Fewer than n sites: the operation ran untouched. */
			if (err && !first_bad[0])
				snprintf(first_bad, sizeof(first_bad), "uninjected run failed: %s",
					 strerror(err));
			bad += err != 0;
			break;
		}
		injected++;
		absorbed += !err;
		if (err && err != expect && (!also || err != also)) {
			bad++;
			tap_diag("%s: site %d gave %s", what, n, strerror(err));
			if (!first_bad[0])
				snprintf(first_bad, sizeof(first_bad), "site %d: %s", n,
					 strerror(err));
		}
	}
	tap_ok(n <= MAX_SITES && injected > 0 && !bad && !leftover,
	       "%s: %d allocation sites failed in turn: %d %s%s%s, %d absorbed%s%s; %s", what,
	       injected, injected - absorbed - bad, strerrorname_np(expect), also ? "|" : "",
	       also ? strerrorname_np(also) : "", absorbed,
	       bad ? ", " : "", first_bad, leftover ? "usage LEFT BEHIND" : "nothing left behind");
}

int main(void)
{
	static const char *const allocators[] = { "system", "dma32", "contig", "carveout" };
	struct v4l2_format fmt;
	char what[64];
	unsigned int i;

	dev = open("/dev/smaf", O_RDWR);
	vgem = vgem_open();
	edu = open("/dev/smaf-edu", O_RDWR);
	edu_a = open("/dev/smaf-edu", O_RDWR);
	edu_b = open("/dev/smaf-edu", O_RDWR);
	capv = vivid_open(V4L2_CAP_VIDEO_CAPTURE, VIVID_VMALLOC);
	fail_nth_fd = open("/proc/thread-self/fail-nth", O_RDWR);
	if (dev < 0 || vgem < 0 || edu < 0 || edu_a < 0 || edu_b < 0 || capv < 0 ||
	    fail_nth_fd < 0)
		tap_bail("cannot open /dev/smaf, vgem, smaf-edu, vivid or fail-nth");

	/* Quiet, and covering the GFP_KERNEL allocations SMAF makes. */
	tap_ok(!write_file("/sys/kernel/debug/failslab/verbose", "0") &&
	       !write_file("/sys/kernel/debug/failslab/ignore-gfp-wait", "N") &&
	       !write_file("/sys/kernel/debug/fail_page_alloc/verbose", "0") &&
	       !write_file("/sys/kernel/debug/fail_page_alloc/ignore-gfp-wait", "N") &&
	       !write_file("/sys/kernel/debug/fail_page_alloc/ignore-gfp-highmem", "N") &&
	       !write_file("/sys/kernel/debug/fail_page_alloc/min-order", "0"),
	       "failslab and fail_page_alloc set up for fail-nth");

	v4l2_set_fmt(capv, CAP, 640, 480, V4L2_PIX_FMT_YUYV, &fmt);

	walk("create", NULL, op_create, ENOMEM, 0);
	for (i = 0; i < 4; i++) {
		first_use_name = allocators[i];
		snprintf(what, sizeof(what), "first use from '%s'", allocators[i]);
		walk(what, prep_first_use, op_first_use, ENOMEM, 0);
	}
	first_use_name = NULL;
	walk("first use, allocator chosen", prep_first_use, op_first_use, ENOMEM, 0);
	walk("attach+map+first use (vgem import)", prep_plain, op_vgem_import, ENOMEM, 0);
	walk("attach (edu)", prep_plain, op_edu_attach, ENOMEM, 0);
	walk("map (edu DMA)", prep_edu_map, op_edu_map, ENOMEM, 0);
	migrate_check = 1;
	walk("migration (edu attaching to a CPU-filled buffer)", prep_migrate, op_edu_attach,
	     ENOMEM, 0);
	migrate_check = 0;
	tap_ok(!migrate_corrupt && smaf_debugfs_stat("migrate", "migrations") > 0,
	       "the buffer kept its data after every injected failure (%d did not)",
	       migrate_corrupt);
	walk("mmap", prep_plain, op_mmap, ENOMEM, 0);
	/* A refused vmap makes the dma-buf core warn, once. */
	printf("# smaf-expect-warning: dma_buf_vmap\n");
	fflush(stdout);
	/*
	 * videobuf2-vmalloc reports a failed vmap as EFAULT, and its own
	 * allocations (before it asks for the vmap) as ENOMEM.
	 */
	walk("vmap+first use (vivid vmalloc import)", prep_vmap, op_vmap, EFAULT, ENOMEM);

	/* The pre-zeroed pool serves root's system memory: walk without it. */
	tap_ok(smaf_live_buffers() == 0, "no buffer left");
	close(dev);
	tap_ok(!system("rmmod smaf") && !smaf_load("pool_mib=0") &&
	       (dev = open("/dev/smaf", O_RDWR)) >= 0, "smaf reloaded without its pool");
	first_use_name = "system";
	walk("first use from 'system', no pool", prep_first_use, op_first_use, ENOMEM, 0);
	first_use_name = NULL;
	walk("first use, allocator chosen, no pool", prep_first_use, op_first_use, ENOMEM, 0);
	close(dev);
	tap_ok(smaf_live_buffers() == 0 && !system("rmmod smaf") && !smaf_load(""),
	       "no buffer left; smaf reloaded as the harness loads it");
	close(capv);
	close(edu);
	close(vgem);
	return tap_done();
}

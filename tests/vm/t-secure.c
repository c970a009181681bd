// SPDX-License-Identifier: GPL-2.0
/*
 * Secure buffers with the test secure module (a software firewall): the
 * secure camera preview, CPU access following the policy, fork, bad inputs,
 * a second secure module, unload order, and secure memory zeroed at release.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <drm.h>
#include <linux/dma-buf.h>
#include <linux/smaf.h>

#include "libsmaf.h"
#include "smaf-edu.h"
#include "smaf-test.h"

#define TS_POLICY "/sys/module/smaf_testsecure/parameters/policy"
#define TS_DENY_NTH "/sys/module/smaf_testsecure/parameters/deny_nth"
#define CAP V4L2_BUF_TYPE_VIDEO_CAPTURE

static int dev;

static int ts_policy(const char *text)
{
	return write_file(TS_POLICY, text);
}

/* "module=NAME contexts=N" of SMAF's debugfs secure view. */
static int smaf_secure_view(char *module, size_t len, int *contexts)
{
	FILE *f = fopen(DEBUGFS_SMAF "/secure", "r");
	char fmt[32];
	int n;

	if (!f)
		return -1;
	snprintf(fmt, sizeof(fmt), "module=%%%zus contexts=%%d", len - 1);
	n = fscanf(f, fmt, module, contexts);
	fclose(f);
	return n == 2 ? 0 : -1;
}

static int get_secure(int fd)
{
	struct smaf_secure_flag f;

	memset(&f, 0, sizeof(f));
	f.fd = fd;
	return ioctl(dev, SMAF_IOC_GET_SECURE_FLAG, &f) ? -1 : (int)f.secure;
}

static int secure_buffer(size_t size)
{
	int fd = smaf_test_create(dev, size, NULL);

	if (fd < 0 || smaf_test_set_secure(dev, fd, 1))
		tap_bail("cannot create a secure buffer");
	return fd;
}

static int mmap_errno(int fd, size_t size, int prot)
{
	void *p = mmap(NULL, size, prot, MAP_SHARED, fd, 0);

	if (p == MAP_FAILED)
		return errno;
	munmap(p, size);
	return 0;
}

static int vgem_import(int vgem, int fd, unsigned int *handle)
{
	struct drm_prime_handle ph = { .fd = fd };

	errno = 0;
	if (ioctl(vgem, DRM_IOCTL_PRIME_FD_TO_HANDLE, &ph))
		return errno;
	*handle = ph.handle;
	return 0;
}

static void bad_inputs(void)
{
	int fd, err;
	void *p;

	fd = secure_buffer(4096);
	tap_ok(smaf_test_set_secure(dev, fd, 1) == EALREADY, "secure flag set twice: EALREADY");
	tap_ok(smaf_test_set_secure(dev, fd, 0) == EPERM && get_secure(fd) == 1,
	       "the flag cannot be cleared, even before allocation: EPERM");
	close(fd);

	fd = smaf_test_create(dev, 4096, NULL);
	dmabuf_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);
	dmabuf_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);
	err = smaf_test_set_secure(dev, fd, 1);
	tap_ok(err == EBUSY, "secure flag on an allocated buffer: EBUSY (%s)", strerror(err));
	close(fd);

	fd = smaf_test_create(dev, 4096, NULL);
	p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	err = smaf_test_set_secure(dev, fd, 1);
	tap_ok(p != MAP_FAILED && err == EBUSY, "secure flag on a CPU-mapped buffer: EBUSY");
	munmap(p, 4096);
	close(fd);
}

static void v10_secure(void)
{
	unsigned char *p;
	int fd = -1;

	ts_policy("*=rw cpu=rw");
	tap_ok(smaf_open() == 0 && smaf_create_buffer(8192, O_RDWR, NULL, &fd) == 0,
	       "v10: create");
	tap_ok(smaf_set_secure(fd, 1) == 0 && smaf_get_secure(fd) == 1,
	       "v10: set and get the secure flag");
	p = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	tap_ok(p != MAP_FAILED, "v10: mmap of a secure buffer (allow-all policy)");
	if (p != MAP_FAILED) {
		fill_pattern(p, 8192, 4);
		tap_ok(check_pattern(p, 8192, 4) == 0, "v10: write and read back");
		munmap(p, 8192);
	}
	close(fd);
	smaf_close();
}

/*
 * A late device on a secure buffer the CPU filled through a mapping: the
 * buffer moves only if the secure module grants the new memory to that
 * mapping (and the copy); the old memory's grants are revoked and it is
 * scrubbed.  Without an IOMMU edu (28 bits) cannot reach system pages.
 */
static void secure_move(int edu)
{
	long long moved = smaf_debugfs_stat("migrate", "migrations");
	long long refused = smaf_debugfs_stat("migrate", "refused_secure");
	size_t size = 1024 * 1024;
	long long ranges;
	unsigned char *p;
	int fd, err;

	ts_policy("driver:smaf-edu=rw cpu=rw");
	fd = secure_buffer(size);
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		tap_bail("cannot map a secure buffer");
	fill_pattern(p, size, 12);
	ranges = smaf_buffer_num(fd, "segments");

	write_file(TS_DENY_NTH, "1");
	err = ioctl(edu, SMAF_EDU_IOC_ATTACH, &fd) ? errno : 0;
	write_file(TS_DENY_NTH, "0");
	if (!err)
		ioctl(edu, SMAF_EDU_IOC_DETACH);
	tap_ok(err == EXDEV && smaf_debugfs_stat("migrate", "refused_secure") == refused + 1 &&
	       check_pattern(p, size, 12) == 0,
	       "secure: the module refuses the new memory to the CPU mapping: EXDEV, data intact (%s)",
	       strerror(err));
	tap_ok(ts_stat("grants") - ts_stat("revokes") == ranges,
	       "only the mapping's grants are live (%lld ranges)", ranges);

	err = ioctl(edu, SMAF_EDU_IOC_ATTACH, &fd) ? errno : 0;
	if (!err)
		ioctl(edu, SMAF_EDU_IOC_DETACH);
	tap_ok(!err && smaf_debugfs_stat("migrate", "migrations") == moved + 1 &&
	       check_pattern(p, size, 12) == 0,
	       "granted, it moves and the same mmap reads the data (%s)", strerror(err));
	ranges = smaf_buffer_num(fd, "segments");
	tap_ok(ts_stat("grants") - ts_stat("revokes") == ranges,
	       "the old memory's grants were revoked: the mapping holds the new ranges (%lld)",
	       ranges);
	munmap(p, size);
	close(fd);
	tap_ok(ts_stat("grants") == ts_stat("revokes") && ts_stat("dirty") == 0 &&
	       ts_stat("unguarded") == 0,
	       "all revoked, the memory left behind was scrubbed, nothing written unguarded");
}

int main(void)
{
	int edu, edu_src, vgem, capc, capv, fds[2], i, src, err, contexts, input = 0, status;
	long grants, denials, revokes;
	struct v4l2_format fmt;
	struct smaf_edu_copy c;
	unsigned int h0 = 0, h1 = 0;
	char module[64];
	unsigned char *p;
	size_t size;
	pid_t pid;

	dev = open("/dev/smaf", O_RDWR);
	edu = open("/dev/smaf-edu", O_RDWR);
	vgem = vgem_open();
	capc = vivid_open(V4L2_CAP_VIDEO_CAPTURE, VIVID_DMA_CONTIG);
	capv = vivid_open(V4L2_CAP_VIDEO_CAPTURE, VIVID_VMALLOC);
	if (dev < 0 || edu < 0 || vgem < 0 || capc < 0 || capv < 0)
		tap_bail("cannot open /dev/smaf, smaf-edu, vgem or vivid");

	tap_ok(system("insmod /lib/modules/smaf-testsecure.ko") == 0, "load the test secure module");
	tap_ok(!smaf_secure_view(module, sizeof(module), &contexts) &&
	       !strcmp(module, "smaf_testsecure") && contexts == 0,
	       "SMAF shows it registered, no context");
	tap_ok(system("insmod /lib/modules/smaf-testsecure-b.ko 2>/dev/null") != 0,
	       "a second secure module is refused");
	tap_ok(!smaf_secure_view(module, sizeof(module), &contexts) &&
	       !strcmp(module, "smaf_testsecure"), "the first one stays");

	bad_inputs();
	v10_secure();

	/*
	 * The secure camera preview: a capture device writes protected
	 * frames, the display reads them, the CPU may not touch them.  vivid
	 * cannot be that camera: it is a virtual device whose "DMA" is the
	 * CPU (it fills buffers through vmap, even in dma-contig mode), so
	 * the edu DMA engine writes the frames, and vivid shows the device
	 * grant (dma-contig map) and the refused vmap-based import.
	 */
	tap_ok(ts_policy("driver:smaf-edu=w driver:vivid=w device:vgem=r") == 0,
	       "policy: edu and vivid write, vgem reads, nobody else (not the CPU)");
	size = 1280 * 720 * 2;
	/*
	 * edu (28-bit) attaches first, so that the memory suits it: one
	 * contiguous range without an IOMMU, scattered pages behind one.
	 */
	src = smaf_test_create(dev, size, NULL);
	edu_src = open("/dev/smaf-edu", O_RDWR);
	tap_ok(!ioctl(edu_src, SMAF_EDU_IOC_ATTACH, &src) && write_pattern_fd(src, size, 21) == 0,
	       "a plain buffer holds the 'sensor' data");
	grants = ts_stat("grants");
	for (i = 0; i < 2; i++)
		fds[i] = secure_buffer(size);
	memset(&c, 0, sizeof(c));
	c.src_fd = src;
	c.dst_fd = fds[0];
	c.length = 64 * 1024;
	err = ioctl(edu, SMAF_EDU_IOC_COPY, &c) ? errno : 0;
	tap_ok(!err && ts_stat("grants") == grants + smaf_buffer_num(fds[0], "segments"),
	       "edu writes a frame into the secure buffer by DMA: one grant per range (%s)",
	       strerror(err));

	ioctl(capc, VIDIOC_S_INPUT, &input);
	v4l2_set_fmt(capc, CAP, 1280, 720, V4L2_PIX_FMT_YUYV, &fmt);
	v4l2_reqbufs_dmabuf(capc, CAP, 2);
	grants = ts_stat("grants");
	err = v4l2_qbuf_dmabuf(capc, CAP, 0, fds[1], 0) ? errno : 0;
	tap_ok(!err && ts_stat("grants") == grants + 1,
	       "the dma-contig camera maps the other secure buffer for writing: granted");
	v4l2_reqbufs_dmabuf(capc, CAP, 0);

	grants = ts_stat("grants");
	if (vgem_maps_at_import())
		tap_ok(vgem_import(vgem, fds[0], &h0) == 0 &&
		       ts_stat("grants") == grants + smaf_buffer_num(fds[0], "segments"),
		       "vgem imports the frame for reading: granted");
	else
		tap_ok(vgem_import(vgem, fds[0], &h0) == 0 && ts_stat("grants") == grants &&
		       smaf_buffer_num(fds[0], "attachments") == 1,
		       "vgem attaches to the frame without mapping it: no grant yet");

	denials = ts_stat("denials");
	err = mmap_errno(fds[0], size, PROT_READ);
	tap_ok(err == EACCES, "CPU mmap refused: EACCES (%s)", strerror(err));
	err = dmabuf_sync(fds[0], DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ) ? errno : 0;
	tap_ok(err == EACCES, "DMA_BUF_IOCTL_SYNC refused: EACCES (%s)", strerror(err));
	v4l2_set_fmt(capv, CAP, 1280, 720, V4L2_PIX_FMT_YUYV, &fmt);
	v4l2_reqbufs_dmabuf(capv, CAP, 2);
	/* The dma-buf core warns (once) when an exporter refuses a vmap. */
	printf("# smaf-expect-warning: dma_buf_vmap\n");
	fflush(stdout);
	err = v4l2_qbuf_dmabuf(capv, CAP, 0, fds[0], 0) ? errno : 0;
	/* SMAF refuses the vmap with EACCES; videobuf2-vmalloc reports EFAULT. */
	tap_ok(err == EFAULT && ts_stat("denials") == denials + 3,
	       "vivid's vmap-based import refused (QBUF: %s)", strerror(err));
	v4l2_reqbufs_dmabuf(capv, CAP, 0);
	memset(&c, 0, sizeof(c));
	c.src_fd = fds[0];
	c.dst_fd = src;
	c.length = 4096;
	err = ioctl(edu, SMAF_EDU_IOC_COPY, &c) ? errno : 0;
	tap_ok(err == EACCES, "edu may write but not read it: EACCES (%s)", strerror(err));
	pid = fork();
	if (pid == 0)
		_exit(mmap_errno(fds[0], size, PROT_READ) == EACCES ? 0 : 1);
	waitpid(pid, &status, 0);
	tap_ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	       "a child process with the fd cannot mmap it either");
	tap_ok(ts_stat("denials") == denials + 5,
	       "five denials counted (%ld)", ts_stat("denials") - denials);

	tap_ok(ts_policy("driver:smaf-edu=w") == 0, "policy: vgem no longer allowed");
	if (vgem_maps_at_import()) {
		err = vgem_import(vgem, fds[1], &h1);
		tap_ok(err == EACCES, "vgem cannot import the other secure buffer: EACCES (%s)",
		       strerror(err));
		tap_ok(smaf_buffer_num(fds[1], "attachments") == 0,
		       "the refused import left nothing");
	} else {
		printf("# not run: vgem's refused map (this kernel's vgem attaches "
		       "without mapping)\n");
	}

	/* Allowing the CPU makes mmap work for mappings made afterwards. */
	tap_ok(ts_policy("driver:smaf-edu=w device:vgem=r cpu=r") == 0, "policy: the CPU may read");
	grants = ts_stat("grants");
	p = mmap(NULL, size, PROT_READ, MAP_SHARED, fds[0], 0);
	tap_ok(p != MAP_FAILED && ts_stat("grants") == grants + smaf_buffer_num(fds[0], "segments"),
	       "read-only CPU mmap granted");
	if (p != MAP_FAILED) {
		tap_ok(check_pattern(p, 64 * 1024, 21) == 0,
		       "the CPU reads exactly what edu wrote, byte for byte");
		err = mprotect(p, size, PROT_READ | PROT_WRITE) ? errno : 0;
		tap_ok(err == EACCES, "it cannot be made writable with mprotect: EACCES");
		pid = fork();
		if (pid == 0)
			_exit(can_read(p));
		waitpid(pid, &status, 0);
		tap_ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		       "the mapping is not inherited over fork");
		munmap(p, size);
	}
	err = mmap_errno(fds[0], size, PROT_READ | PROT_WRITE);
	tap_ok(err == EACCES, "a writable CPU mmap is still refused");
	ts_policy("driver:smaf-edu=w device:vgem=r cpu=rw");
	pid = fork();
	if (pid == 0)
		_exit(mmap_errno(fds[0], size, PROT_READ | PROT_WRITE));
	waitpid(pid, &status, 0);
	tap_ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	       "with cpu=rw a child maps the fd itself, writable");
	tap_ok(write_pattern_fd(fds[0], size, 8) == 0 && write_pattern_fd(fds[1], size, 9) == 0,
	       "the CPU writes secrets into both buffers");
	close(edu_src);
	close(src);

	struct drm_gem_close gc = { .handle = h0 };
	ioctl(vgem, DRM_IOCTL_GEM_CLOSE, &gc);
	close(fds[0]);
	close(fds[1]);
	tap_ok(!smaf_secure_view(module, sizeof(module), &contexts) && contexts == 0,
	       "no context left");
	tap_ok(ts_stat("grants") == ts_stat("revokes") && ts_stat("contexts") == 0,
	       "every grant was revoked (%ld grants)", ts_stat("grants"));
	tap_ok(ts_stat("dirty") == 0, "secure memory was zeroed before release");

	/*
	 * All or nothing: vgem maps a buffer of several ranges (scattered
	 * system pages); the firewall refuses the second range.  The first
	 * must be revoked and the map must fail.
	 */
	ts_policy("device:vgem=rw cpu=rw");
	fds[0] = secure_buffer(3 * 1024 * 1024);
	dmabuf_sync(fds[0], DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW);
	dmabuf_sync(fds[0], DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW);
	tap_ok(smaf_buffer_num(fds[0], "segments") > 1, "the buffer has %lld ranges",
	       smaf_buffer_num(fds[0], "segments"));
	if (vgem_maps_at_import()) {
		grants = ts_stat("grants");
		denials = ts_stat("denials");
		revokes = ts_stat("revokes");
		write_file(TS_DENY_NTH, "2");
		err = vgem_import(vgem, fds[0], &h1);
		write_file(TS_DENY_NTH, "0");
		tap_ok(err == EACCES && ts_stat("grants") == grants + 1 &&
		       ts_stat("denials") == denials + 1 && ts_stat("revokes") == revokes + 1,
		       "second range refused: the first is revoked, the map fails (%s)",
		       strerror(err));
		tap_ok(smaf_buffer_num(fds[0], "attachments") == 0, "and nothing stays attached");
	}
	/* The same for the CPU's mmap. */
	grants = ts_stat("grants");
	denials = ts_stat("denials");
	revokes = ts_stat("revokes");
	write_file(TS_DENY_NTH, "2");
	err = mmap_errno(fds[0], 3 * 1024 * 1024, PROT_READ | PROT_WRITE);
	write_file(TS_DENY_NTH, "0");
	tap_ok(err == EACCES && ts_stat("grants") == grants + 1 &&
	       ts_stat("denials") == denials + 1 && ts_stat("revokes") == revokes + 1,
	       "CPU mmap, second range refused: the first is revoked, mmap fails (%s)",
	       strerror(err));
	close(fds[0]);
	tap_ok(ts_stat("grants") == ts_stat("revokes"), "grants and revokes still balance");

	if (!platform_iommu())
		secure_move(edu);

	/* The secure module cannot go while a context exists. */
	fds[0] = secure_buffer(4096);
	tap_ok(system("rmmod smaf_testsecure 2>/dev/null") != 0,
	       "the secure module cannot be unloaded while a secure buffer exists");
	close(fds[0]);
	tap_ok(system("rmmod smaf_testsecure") == 0, "it unloads once the buffer is gone");
	tap_ok(!smaf_secure_view(module, sizeof(module), &contexts) && !strcmp(module, "-"),
	       "SMAF shows no secure module");
	tap_ok(smaf_test_set_secure(dev, fds[0] = smaf_test_create(dev, 4096, NULL), 1) == EOPNOTSUPP,
	       "without it, the secure flag is refused: EOPNOTSUPP");
	close(fds[0]);

	close(capc);
	close(capv);
	close(vgem);
	close(edu);
	tap_ok(smaf_live_buffers() == 0, "no buffer left");
	close(dev);
	return tap_done();
}

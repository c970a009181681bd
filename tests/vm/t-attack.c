// SPDX-License-Identifier: GPL-2.0
/*
 * What a process holding a SMAF fd can try against the kernel and the secure
 * model, beyond the ioctls: private mappings, clearing the secure flag,
 * MADV_DOFORK on a secure mapping, mremap, scrubbing without a grant, CPU
 * access grants across processes, a secure module's errors, cache
 * maintenance directions, and racing the edu test driver's attach/detach.
 * Each case once crashed the kernel or got around the secure module.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/dma-buf.h>
#include <linux/smaf.h>

#include "smaf-edu.h"
#include "smaf-test.h"

#define TS_DIR "/sys/module/smaf_testsecure/parameters/"
#define CAP V4L2_BUF_TYPE_VIDEO_CAPTURE

static int dev;

static int get_secure(int fd)
{
	struct smaf_secure_flag f;

	memset(&f, 0, sizeof(f));
	f.fd = fd;
	return ioctl(dev, SMAF_IOC_GET_SECURE_FLAG, &f) ? -1 : (int)f.secure;
}

static int create_flags(size_t size, uint32_t flags)
{
	struct smaf_create_data d;

	memset(&d, 0, sizeof(d));
	d.length = size;
	d.flags = flags;
	return ioctl(dev, SMAF_IOC_CREATE, &d) ? -1 : d.fd;
}

static int secure_buffer(size_t size)
{
	int fd = smaf_test_create(dev, size, NULL);

	if (fd < 0 || smaf_test_set_secure(dev, fd, 1))
		tap_bail("cannot create a secure buffer");
	return fd;
}

static int mmap_errno(int fd, size_t size, int prot, int flags)
{
	void *p = mmap(NULL, size, prot, flags, fd, 0);

	if (p == MAP_FAILED)
		return errno;
	munmap(p, size);
	return 0;
}

static int run_child(int (*fn)(void *), void *arg)
{
	int status;
	pid_t pid = fork();

	if (pid == 0)
		_exit(fn(arg));
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* 1. Private mappings would be copy-on-write of PFN-mapped memory. */
static void private_mappings(void)
{
	int fd = smaf_test_create(dev, 64 * 1024, NULL);
	int ro = create_flags(8192, 0);
	unsigned char *p;

	tap_ok(mmap_errno(fd, 4096, PROT_READ, MAP_PRIVATE) == EINVAL,
	       "MAP_PRIVATE read-only mapping refused: EINVAL");
	tap_ok(mmap_errno(fd, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE) == EINVAL,
	       "MAP_PRIVATE writable mapping refused: EINVAL");
	tap_ok(mmap_errno(ro, 4096, PROT_READ, MAP_PRIVATE) == EINVAL,
	       "MAP_PRIVATE of a read-only buffer refused: EINVAL");
	tap_ok(mmap_errno(ro, 4096, PROT_READ, MAP_SHARED) == 0 &&
	       mmap_errno(ro, 4096, PROT_READ | PROT_WRITE, MAP_SHARED) == EACCES,
	       "a read-only buffer maps shared for reading only");
	p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, ro, 0);
	tap_ok(p != MAP_FAILED && p[0] == 0 && p[4095] == 0,
	       "and reads zeroes through that mapping");
	if (p != MAP_FAILED)
		munmap(p, 4096);
	tap_ok(smaf_buffer_num(fd, "allocated") == 0,
	       "refused mappings allocated nothing");
	close(ro);
	close(fd);
}

/* 2. The secure flag is one-way and needs a writable buffer. */
static void one_way_flag(void)
{
	int fd = secure_buffer(4096), ro, rw, err;
	char path[64];

	tap_ok(smaf_test_set_secure(dev, fd, 0) == EPERM && get_secure(fd) == 1,
	       "clearing the secure flag: EPERM, the buffer stays secure");
	close(fd);
	fd = smaf_test_create(dev, 4096, NULL);
	tap_ok(smaf_test_set_secure(dev, fd, 0) == 0 && get_secure(fd) == 0,
	       "clearing an unset flag is a no-op (v10 programs do it)");
	close(fd);
	ro = create_flags(4096, 0);
	tap_ok(smaf_test_set_secure(dev, ro, 1) == EBADF &&
	       smaf_test_set_secure(dev, ro, 0) == EBADF && get_secure(ro) == 0,
	       "a read-only buffer's flag cannot be changed: EBADF; GET works");
	/* Nor can the read-only fd be reopened writable through /proc. */
	snprintf(path, sizeof(path), "/proc/self/fd/%d", ro);
	rw = open(path, O_RDWR);
	err = rw < 0 ? errno : 0;
	tap_ok(rw < 0 && (err == ENXIO || err == EACCES),
	       "reopening it read-write through %s fails (%s)", path, strerror(err));
	if (rw >= 0)
		close(rw);
	close(ro);
}

struct map_arg {
	unsigned char *p;
};

static int child_reads(void *arg)
{
	return can_read(((struct map_arg *)arg)->p);
}

/* 3. A secure mapping never reaches a child; every mapping asks. */
static void secure_mappings(void)
{
	size_t size = 3 * 4096;
	long g0, g1, g2, revokes;
	struct map_arg a;
	unsigned char *p, *q, *hole;
	int fd, err;

	write_file(TS_DIR "policy", "cpu=rw");
	fd = secure_buffer(size);
	/* The module counts one grant per physical range of the buffer. */
	g0 = ts_stat("grants");
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	g1 = ts_stat("grants");
	q = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
	g2 = ts_stat("grants");
	tap_ok(p != MAP_FAILED && q != MAP_FAILED && g1 > g0 && g2 - g1 == g1 - g0,
	       "each mapping of a secure buffer asks the secure module (%ld, %ld)",
	       g1 - g0, g2 - g1);
	if (p == MAP_FAILED || q == MAP_FAILED)
		tap_bail("cannot map the secure buffer");
	err = madvise(p, size, MADV_DOFORK) ? errno : 0;
	tap_ok(err == EINVAL, "MADV_DOFORK on a secure mapping: EINVAL (%s)", strerror(err));
	a.p = p;
	tap_ok(run_child(child_reads, &a) == 0, "a forked child cannot read it");
	/* Split it, move a piece, and unmap everything: all grants come back. */
	memset(p, 0x5a, size);
	tap_ok(munmap(p + 4096, 4096) == 0, "unmap the middle page (split)");
	hole = mmap(NULL, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	q = mremap(q, size, size, MREMAP_MAYMOVE | MREMAP_FIXED, hole);
	tap_ok(q != MAP_FAILED && q[0] == 0x5a && q[size - 1] == 0x5a,
	       "mremap moves a secure mapping, still readable");
	err = mremap(q, size, 2 * size, MREMAP_MAYMOVE) == MAP_FAILED ? errno : 0;
	tap_ok(err == EFAULT || err == EINVAL, "it cannot grow (%s)", strerror(err));
	munmap(p, 4096);
	munmap(p + 2 * 4096, 4096);
	revokes = ts_stat("revokes");
	munmap(q, size);
	tap_ok(ts_stat("revokes") == revokes + (g2 - g1) && ts_stat("grants") == ts_stat("revokes"),
	       "the last piece of each mapping revokes its grant; grants balance");
	close(fd);
}

static int sync_end_rw(void *arg)
{
	return dmabuf_sync(*(int *)arg, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW) ? 1 : 0;
}

/* 10. CPU access grants per process, not ended by another, not counted. */
static void sync_grants(void)
{
	int fd = secure_buffer(4096);
	long g0 = ts_stat("grants"), r0 = ts_stat("revokes");

	tap_ok(!dmabuf_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW) &&
	       ts_stat("grants") == g0 + 1, "SYNC_START: the CPU is granted");
	tap_ok(run_child(sync_end_rw, &fd) == 0 && ts_stat("revokes") == r0,
	       "another process's SYNC_END does not end it");
	tap_ok(!dmabuf_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW) &&
	       ts_stat("grants") == g0 + 1, "a repeated (restarted) SYNC_START asks nothing more");
	tap_ok(!dmabuf_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW) &&
	       ts_stat("revokes") == r0 + 1 && ts_stat("grants") == ts_stat("revokes"),
	       "one SYNC_END ends the process's access");
	close(fd);
}

/* 10. A secure module that cannot decide is not a refusal. */
static void module_errors(void)
{
	int fd = secure_buffer(4096), err;

	write_file(TS_DIR "deny_errno", "12");
	write_file(TS_DIR "deny_nth", "1");
	err = mmap_errno(fd, 4096, PROT_READ, MAP_SHARED);
	write_file(TS_DIR "deny_nth", "0");
	write_file(TS_DIR "deny_errno", "13");
	tap_ok(err == ENOMEM, "the secure module's ENOMEM reaches the caller (%s)", strerror(err));
	tap_ok(mmap_errno(fd, 4096, PROT_READ, MAP_SHARED) == 0, "the next mmap works");
	close(fd);
}

/*
 * 4. Scrubbing is a CPU use like any other (secure module without a scrub
 * op): granted, it leaves no unguarded write; a module that would refuse it
 * gets no memory to refuse it on (t-endoflife: what is refused at release
 * all the same).
 */
static void scrubbing(int edu)
{
	size_t size = 64 * 1024;
	long long q0;
	long unguarded, dirty, grants;
	struct smaf_edu_copy c;
	int fd, src, err, hold;

	tap_ok(system("rmmod smaf_testsecure && insmod /lib/modules/smaf-testsecure.ko scrub=0") == 0,
	       "reload the test secure module without its scrub op");
	write_file(TS_DIR "policy", "cpu=rw");
	fd = secure_buffer(size);
	tap_ok(write_pattern_fd(fd, size, 31) == 0, "the CPU writes a secret, then unmaps");
	unguarded = ts_stat("unguarded");
	dirty = ts_stat("dirty");
	grants = ts_stat("grants");
	close(fd);
	tap_ok(ts_stat("grants") > grants && ts_stat("unguarded") == unguarded &&
	       ts_stat("dirty") == dirty,
	       "release: SMAF asks a write grant to scrub, no write without one, zeroed");

	/* Device-only secure buffer: the CPU may never touch it. */
	write_file(TS_DIR "policy", "driver:smaf-edu=rw");
	src = smaf_test_create(dev, size, NULL);
	/* edu (28-bit) attaches first, so that the memory suits it. */
	hold = open("/dev/smaf-edu", O_RDWR);
	if (ioctl(hold, SMAF_EDU_IOC_ATTACH, &src) || write_pattern_fd(src, size, 32))
		tap_bail("cannot fill the source buffer");
	fd = secure_buffer(size);
	memset(&c, 0, sizeof(c));
	c.src_fd = src;
	c.dst_fd = fd;
	c.length = 4096;
	q0 = smaf_quarantined_bytes();
	err = ioctl(edu, SMAF_EDU_IOC_COPY, &c) ? errno : 0;
	tap_ok(err == EACCES && smaf_buffer_num(fd, "allocated") == 0,
	       "a device-only secure buffer the CPU may not scrub gets no memory: EACCES (%s)",
	       strerror(err));
	unguarded = ts_stat("unguarded");
	close(fd);
	tap_ok(smaf_quarantined_bytes() == q0 && ts_stat("unguarded") == unguarded,
	       "so nothing is quarantined at release, nothing written");
	close(hold);
	close(src);
	tap_ok(system("rmmod smaf_testsecure && insmod /lib/modules/smaf-testsecure.ko") == 0,
	       "reload the test secure module with its scrub op");
}

/* 5. CPU access syncs a device's mapping in that mapping's direction. */
static void sync_directions(void)
{
	int cap = vivid_open(V4L2_CAP_VIDEO_CAPTURE, VIVID_DMA_CONTIG), fd, input = 0;
	struct v4l2_format fmt;

	if (cap < 0)
		tap_bail("no vivid dma-contig capture device");
	ioctl(cap, VIDIOC_S_INPUT, &input);
	v4l2_set_fmt(cap, CAP, 1280, 720, V4L2_PIX_FMT_YUYV, &fmt);
	fd = smaf_test_create(dev, fmt.fmt.pix.sizeimage, NULL);
	tap_ok(v4l2_reqbufs_dmabuf(cap, CAP, 2) >= 1 &&
	       !v4l2_qbuf_dmabuf(cap, CAP, 0, fd, 0),
	       "a queued capture buffer is mapped for the camera (device writes)");
	tap_ok(!dmabuf_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW) &&
	       !dmabuf_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW),
	       "CPU read-write access meanwhile (DMA-API debug checks the sync directions)");
	v4l2_reqbufs_dmabuf(cap, CAP, 0);
	close(fd);
	close(cap);
}

struct race {
	int edu;
	int fd;
	int stop;
};

static void *attach_detach(void *arg)
{
	struct race *r = arg;
	int i;

	for (i = 0; i < 2000 && !r->stop; i++) {
		ioctl(r->edu, SMAF_EDU_IOC_ATTACH, &r->fd);
		ioctl(r->edu, SMAF_EDU_IOC_DETACH);
	}
	return NULL;
}

/* 11. Threads sharing an edu file race attach and detach. */
static void edu_race(void)
{
	struct race r = { .edu = open("/dev/smaf-edu", O_RDWR) };
	pthread_t t[4];
	int i;

	r.fd = smaf_test_create(dev, 4096, NULL);
	for (i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, attach_detach, &r);
	for (i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	tap_ok(smaf_buffer_num(r.fd, "attachments") <= 1,
	       "concurrent ATTACH/DETACH on one file: consistent (%lld attached)",
	       smaf_buffer_num(r.fd, "attachments"));
	close(r.edu);
	tap_ok(smaf_buffer_num(r.fd, "attachments") == 0, "closing the file detaches");
	close(r.fd);
}

int main(void)
{
	int edu;

	dev = open("/dev/smaf", O_RDWR);
	edu = open("/dev/smaf-edu", O_RDWR);
	if (dev < 0 || edu < 0)
		tap_bail("cannot open /dev/smaf or /dev/smaf-edu");

	private_mappings();
	edu_race();
	sync_directions();
	tap_ok(system("insmod /lib/modules/smaf-testsecure.ko") == 0,
	       "load the test secure module");
	one_way_flag();
	secure_mappings();
	sync_grants();
	module_errors();
	scrubbing(edu);
	tap_ok(ts_stat("grants") == ts_stat("revokes") && ts_stat("contexts") == 0,
	       "every grant revoked, no context left");
	tap_ok(system("rmmod smaf_testsecure") == 0, "unload the test secure module");

	close(edu);
	tap_ok(smaf_live_buffers() == 0, "no buffer left");
	close(dev);
	return tap_done();
}

// SPDX-License-Identifier: GPL-2.0
/*
 * A device that attaches after allocation and cannot use the memory: SMAF
 * moves the buffer to memory every user reaches, and CPU mappings follow.
 * The CPU fills a 4 MiB buffer (scattered system pages), then edu (28
 * bits, no IOMMU) reads its start by DMA (edu is slow: 2 KiB per 100 ms):
 * the data arrives byte for byte, the same mmap reads all 4 MiB from the
 * new memory, and its writes reach the device.  A writer thread
 * hammering the mapping during the move loses no write.  A device mapping
 * pins the memory, and so does migrate=N: EXDEV, the buffer still usable.
 * vivid's dma-contig camera, queued CPU-filled buffers, moves them and
 * captures into them.  A named allocator that cannot serve the device
 * refuses it, before and after allocation.  The debugfs counters match
 * what the test did.
 *
 * Behind an IOMMU (smaf_iommu=1) edu reaches any memory: nothing moves
 * for it (vivid, a platform device, is never behind one).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <drm.h>

#include "smaf-edu.h"
#include "smaf-ptprobe.h"
#include "smaf-test.h"

#define SIZE (4 * 1024 * 1024)
#define EDU_LEN (16 * 1024)	/* edu moves 2 KiB per 100 ms */
#define MIGRATE_PARAM "/sys/module/smaf/parameters/migrate"

static int dev, edu, vgem;

static long long mstat(const char *key)
{
	return smaf_debugfs_stat("migrate", key);
}

/* A @size buffer the CPU filled with pattern @seed, mapped at *@map. */
static int cpu_buffer(size_t size, unsigned int seed, unsigned char **map)
{
	int fd = smaf_test_create(dev, size, NULL);

	*map = fd < 0 ? MAP_FAILED :
	       mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (*map == MAP_FAILED)
		tap_bail("cannot create and map a buffer");
	fill_pattern(*map, size, seed);
	return fd;
}

/* edu copies @src into @dst by DMA; 0 or errno. */
static int edu_copy(int src, int dst, size_t len)
{
	struct smaf_edu_copy c = { .src_fd = src, .dst_fd = dst, .length = len };

	return ioctl(edu, SMAF_EDU_IOC_COPY, &c) ? errno : 0;
}

static int edu_attach(int fd)
{
	int err = ioctl(edu, SMAF_EDU_IOC_ATTACH, &fd) ? errno : 0;

	if (!err)
		ioctl(edu, SMAF_EDU_IOC_DETACH);
	return err;
}

static void moves(int iommu)
{
	long long moved = mstat("migrations"), bytes = mstat("bytes");
	unsigned char *p, *q;
	char alloc[32], after[32];
	int a, b, err;

	a = cpu_buffer(SIZE, 5, &p);
	smaf_buffer_field(a, "allocator", alloc, sizeof(alloc));
	tap_ok(!strcmp(alloc, "system"), "the CPU filled a 4 MiB buffer: SMAF picked %s", alloc);
	b = smaf_test_create(dev, SIZE, NULL);
	err = edu_copy(a, b, EDU_LEN);
	tap_ok(!err, "edu, attaching late, reads it by DMA (%s)", strerror(err));
	tap_ok(check_pattern_fd(b, EDU_LEN, 5) == 0, "the data arrives byte for byte");
	smaf_buffer_field(a, "allocator", after, sizeof(after));
	if (iommu) {
		tap_ok(mstat("migrations") == moved && smaf_buffer_num(a, "migrations") == 0,
		       "behind the IOMMU nothing moved (%s)", after);
	} else {
		tap_ok(mstat("migrations") == moved + 1 && mstat("bytes") == bytes + SIZE &&
		       smaf_buffer_num(a, "migrations") == 1,
		       "the buffer moved once, 4 MiB copied (%s -> %s)", alloc, after);
	}
	tap_ok(check_pattern(p, SIZE, 5) == 0, "the same mmap reads all 4 MiB");
	fill_pattern(p, SIZE, 6);
	err = edu_copy(a, b, EDU_LEN);
	tap_ok(!err && check_pattern_fd(b, EDU_LEN, 6) == 0,
	       "CPU writes through it after the move reach the device");

	/* And the moved buffer's mapping is a plain shared mapping still. */
	q = mmap(NULL, SIZE, PROT_READ, MAP_SHARED, a, 0);
	tap_ok(q != MAP_FAILED && check_pattern(q, SIZE, 6) == 0, "a new mmap sees the same data");
	if (q != MAP_FAILED)
		munmap(q, SIZE);
	munmap(p, SIZE);
	close(a);
	close(b);
}

struct writer {
	volatile uint32_t *w;
	uint32_t last[SIZE / 4096];
	volatile int stop;
	unsigned long sweeps;
};

/* Writes an increasing number into the first word of every page. */
static void *writer_main(void *arg)
{
	struct writer *wr = arg;
	uint32_t seq;
	size_t i;

	for (seq = 1; !wr->stop; seq++, wr->sweeps++)
		for (i = 0; i < SIZE / 4096; i++) {
			wr->w[i * 1024] = seq;
			wr->last[i] = seq;
		}
	return NULL;
}

static void writer_during_move(void)
{
	static struct writer wr;
	unsigned char *p, *q;
	pthread_t t;
	size_t i, lost = 0;
	int a, b, err;

	a = cpu_buffer(SIZE, 7, &p);
	wr.w = (volatile uint32_t *)p;
	if (pthread_create(&t, NULL, writer_main, &wr))
		tap_bail("pthread_create");
	usleep(100 * 1000);
	err = edu_attach(a);
	usleep(100 * 1000);
	wr.stop = 1;
	pthread_join(t, NULL);
	tap_ok(!err, "edu attaches while a thread writes through the mmap (%s)", strerror(err));
	for (i = 0; i < SIZE / 4096; i++)
		lost += wr.w[i * 1024] != wr.last[i];
	tap_ok(!lost && wr.sweeps > 1, "no write lost: %zu of %d pages differ (%lu sweeps)",
	       lost, SIZE / 4096, wr.sweeps);
	b = smaf_test_create(dev, SIZE, NULL);
	err = edu_copy(a, b, EDU_LEN);
	q = mmap(NULL, SIZE, PROT_READ, MAP_SHARED, b, 0);
	for (i = 0, lost = 0; q != MAP_FAILED && i < EDU_LEN / 4096; i++)
		lost += *(uint32_t *)(q + i * 4096) != wr.last[i];
	tap_ok(!err && q != MAP_FAILED && !lost,
	       "the device reads the last values (%zu of %d pages differ)", lost, EDU_LEN / 4096);
	if (q != MAP_FAILED)
		munmap(q, SIZE);
	munmap(p, SIZE);
	close(a);
	close(b);
}

/* A device mapping pins the memory. */
static void refused_device_mapped(void)
{
	long long moved = mstat("migrations"), mapped = mstat("refused_device_mapped");
	struct drm_prime_handle ph = { 0 };
	struct drm_gem_close gc = { 0 };
	char why[64] = "";
	unsigned char *p;
	int a, err;

	a = cpu_buffer(SIZE, 8, &p);
	ph.fd = a;
	tap_ok(!ioctl(vgem, DRM_IOCTL_PRIME_FD_TO_HANDLE, &ph),
	       "vgem imports the CPU-filled buffer (and maps it)");
	err = edu_attach(a);
	smaf_buffer_field(a, "refused", why, sizeof(why));
	tap_ok(err == EXDEV && mstat("refused_device_mapped") == mapped + 1 &&
	       mstat("migrations") == moved && !strncmp(why, "device_mapped:", 14),
	       "while vgem holds a mapping, edu gets EXDEV (%s; debugfs: %s)", strerror(err), why);
	tap_ok(smaf_buffer_num(a, "attachments") == 1,
	       "only vgem is attached: the refused device left nothing");
	tap_ok(check_pattern(p, SIZE, 8) == 0, "the CPU still reads its data");
	gc.handle = ph.handle;
	ioctl(vgem, DRM_IOCTL_GEM_CLOSE, &gc);
	err = edu_attach(a);
	tap_ok(!err && mstat("migrations") == moved + 1,
	       "once vgem let go, edu attaches and the buffer moves (%s)", strerror(err));
	tap_ok(check_pattern(p, SIZE, 8) == 0, "with its data");
	munmap(p, SIZE);
	close(a);
}

/* So does migrate=N. */
static void refused_off(void)
{
	long long off = mstat("refused_off");
	unsigned char *p;
	int a, err;

	tap_ok(!write_file(MIGRATE_PARAM, "N"), "migration turned off (migrate=N)");
	a = cpu_buffer(SIZE, 9, &p);
	err = edu_attach(a);
	tap_ok(err == EXDEV && mstat("refused_off") == off + 1 && mstat("enabled") == 0,
	       "edu gets EXDEV (%s)", strerror(err));
	tap_ok(check_pattern(p, SIZE, 9) == 0, "the buffer is as it was");
	tap_ok(!write_file(MIGRATE_PARAM, "Y"), "migration turned back on");
	munmap(p, SIZE);
	close(a);
}

/* vivid's dma-contig camera gets buffers the CPU filled: they move. */
static void late_camera(void)
{
	long long moved = mstat("migrations");
	int cap, fds[2], i, frames, nonempty, wc, mode;
	unsigned long long bits = 0;
	struct v4l2_format fmt;
	unsigned char *p[2];
	char alloc[32] = "";
	int input = 0;
	size_t size;

	cap = vivid_open(V4L2_CAP_VIDEO_CAPTURE, VIVID_DMA_CONTIG);
	if (cap < 0 || ioctl(cap, VIDIOC_S_INPUT, &input) ||
	    v4l2_set_fmt(cap, V4L2_BUF_TYPE_VIDEO_CAPTURE, 640, 480, V4L2_PIX_FMT_YUYV, &fmt))
		tap_bail("cannot set up vivid's dma-contig capture");
	size = fmt.fmt.pix.sizeimage;
	tap_ok(v4l2_reqbufs_dmabuf(cap, V4L2_BUF_TYPE_VIDEO_CAPTURE, 2) == 2, "vivid: REQBUFS 2 DMABUF");
	for (i = 0; i < 2; i++) {
		fds[i] = cpu_buffer(size, 11 + i, &p[i]);
		tap_ok(!v4l2_qbuf_dmabuf(cap, V4L2_BUF_TYPE_VIDEO_CAPTURE, i, fds[i], 0),
		       "QBUF of CPU-filled buffer %d: the dma-contig camera attaches late", i);
	}
	smaf_buffer_field(fds[0], "allocator", alloc, sizeof(alloc));
	tap_ok(mstat("migrations") == moved + 2 && smaf_buffer_num(fds[0], "contig") == 1,
	       "both moved to contiguous memory (%s)", alloc);
	/* The mapping made before the move takes the new memory's type. */
	(void)*(volatile unsigned char *)p[0];
	wc = smaf_buffer_num(fds[0], "cpu_uncached") == 1;
	mode = smaf_cpu_cache_mode(p[0], &bits);
	tap_ok(mode == (wc ? SMAF_PTPROBE_WC : SMAF_PTPROBE_CACHED),
	       "the CPU's mapping maps the new memory %s (memory-type bits %#llx)",
	       wc ? "write-combined" : "cached", bits);
	tap_ok(!ioctl(cap, VIDIOC_STREAMON, &(int){ V4L2_BUF_TYPE_VIDEO_CAPTURE }), "STREAMON");
	frames = v4l2_capture_frames(cap, V4L2_BUF_TYPE_VIDEO_CAPTURE, fds, size, 4, 5000,
				     &nonempty);
	tap_ok(frames == 4 && nonempty == 4, "the camera captured %d frames into them (%d non-empty)",
	       frames, nonempty);
	ioctl(cap, VIDIOC_STREAMOFF, &(int){ V4L2_BUF_TYPE_VIDEO_CAPTURE });
	v4l2_reqbufs_dmabuf(cap, V4L2_BUF_TYPE_VIDEO_CAPTURE, 0);
	for (i = 0; i < 2; i++) {
		munmap(p[i], size);
		close(fds[i]);
	}
	close(cap);
}

/* Named allocators are held to what they can serve, before and after. */
static void named(int iommu)
{
	int want = iommu ? 0 : EXDEV, fd, err;
	unsigned char *p;

	fd = smaf_test_create(dev, SIZE, "system");
	err = edu_attach(fd);
	tap_ok(err == want, "edu attaching to an unallocated buffer named 'system': %s (%s)",
	       want ? "EXDEV" : "accepted", strerror(err));
	p = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		tap_bail("mmap");
	fill_pattern(p, SIZE, 10);
	err = edu_attach(fd);
	tap_ok(err == want && check_pattern(p, SIZE, 10) == 0,
	       "and to the allocated one: %s, data intact (%s)",
	       want ? "EXDEV: it does not move out of 'system'" : "accepted", strerror(err));
	munmap(p, SIZE);
	close(fd);

	fd = smaf_test_create(dev, SIZE, "dma32");
	err = edu_attach(fd);
	tap_ok(err == want, "edu attaching to a buffer named 'dma32': %s (%s)",
	       want ? "EXDEV" : "accepted", strerror(err));
	close(fd);

	fd = smaf_test_create(dev, 64 * 1024, "contig");
	tap_ok(!ioctl(edu, SMAF_EDU_IOC_ATTACH, &fd), "edu attaches to a buffer named 'contig'");
	tap_ok(write_pattern_fd(fd, 64 * 1024, 1) == 0 &&
	       smaf_buffer_num(fd, "contig") == 1, "contig serves edu and the CPU");
	ioctl(edu, SMAF_EDU_IOC_DETACH);
	close(fd);
}

int main(void)
{
	int iommu = platform_iommu();

	dev = open("/dev/smaf", O_RDWR);
	edu = open("/dev/smaf-edu", O_RDWR);
	vgem = vgem_open();
	if (dev < 0 || edu < 0 || vgem < 0)
		tap_bail("cannot open /dev/smaf, smaf-edu or vgem");
	tap_ok(mstat("enabled") == 1, "migration is on by default");

	moves(iommu);
	if (!iommu) {
		writer_during_move();
		/* Only vgem maps at once and suits the CPU's high memory. */
		if (vgem_maps_at_import())
			refused_device_mapped();
		else
			printf("# not run: refused_device_mapped (this kernel's vgem "
			       "attaches without mapping)\n");
		refused_off();
	}
	late_camera();
	named(iommu);

	close(vgem);
	close(edu);
	tap_ok(smaf_live_buffers() == 0, "no buffer left");
	close(dev);
	return tap_done();
}

// SPDX-License-Identifier: GPL-2.0
/*
 * The contig allocator uses CMA, and judges CMA memory by its physical
 * address.  The harness says where the area is (smaf_cma): on the x86
 * debug kernel with 6 GiB the default area lands above 4 GiB ("high"),
 * with cma=64M@0-4G below ("low"); Debian's arm64 kernels place it low.
 * A 64-bit user gets CMA memory in both cases; a 32-bit user
 * gets it only when the area is low, and otherwise memory below 4 GiB from
 * elsewhere.  SMAF takes at most half of the area, whoever asks, and finds
 * contiguous memory outside it past that.  The area is found in the kernel
 * log ("cma: Reserved ...").
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/klog.h>
#include <unistd.h>

#include <linux/dma-buf.h>
#include <linux/smaf.h>

#include "smaf-test.h"

#define CAP V4L2_BUF_TYPE_VIDEO_CAPTURE
#define SIZE (8 * 1024 * 1024)

static int dev;
static unsigned long long cma_base, cma_end;

static int find_cma(void)
{
	static char log[1 << 20];
	unsigned long mib;
	int n = klogctl(3, log, sizeof(log) - 1);
	char *p;

	if (n <= 0)
		return -1;
	log[n] = '\0';
	p = strstr(log, "cma: Reserved ");
	if (!p || sscanf(p, "cma: Reserved %lu MiB at %llx", &mib, &cma_base) != 2)
		return -1;
	cma_end = cma_base + (mib << 20) - 1;
	return 0;
}

static int in_cma(unsigned long long start, unsigned long long end)
{
	return start >= cma_base && end <= cma_end;
}

static int contig(uint32_t hints, unsigned long long *start, unsigned long long *end)
{
	int fd = smaf_test_create_v1(dev, SIZE, "contig", hints, 0);

	*start = *end = ~0ULL;
	if (fd < 0 || smaf_first_use(fd))
		return fd;
	smaf_buffer_phys(fd, start, end);
	return fd;
}

/*
 * Buffers of half the CMA area (32 MiB of Debian's 64 MiB, 128 MiB with
 * cma=256M): the first comes from the CMA area; it is all SMAF may take
 * there, so the next ones are taken from general memory
 * (alloc_contig_range) or refused (ENOMEM, or ENOSPC from contig's global
 * limit), never half made; every one holds its data.
 */
static void big_buffers(void)
{
	size_t big = (cma_end - cma_base + 1) / 2;
	unsigned long long start, end;
	int fds[3], i, err, in = 0;

	for (i = 0; i < 3; i++) {
		fds[i] = smaf_test_create(dev, big, "contig");
		err = smaf_first_use(fds[i]);
		if (!err && write_pattern_fd(fds[i], big, 40 + i))
			err = EIO;
		start = end = ~0ULL;
		if (!err)
			smaf_buffer_phys(fds[i], &start, &end);
		in += !err && in_cma(start, end);
		if (i == 0)
			tap_ok(!err && in_cma(start, end),
			       "%zu MiB contiguous from the CMA area (%#llx-%#llx)", big >> 20,
			       start, end);
		else
			tap_ok((!err && !in_cma(start, end) && end - start + 1 == big) ||
			       err == ENOMEM || err == ENOSPC,
			       "SMAF's half of CMA used: buffer %d of %zu MiB %s (%#llx-%#llx, %s)",
			       i + 1, big >> 20, err ? "is refused" : "comes from elsewhere", start,
			       end, strerror(err));
	}
	for (i = 0; i < 3; i++) {
		if (smaf_buffer_num(fds[i], "allocated") == 1)
			tap_ok(check_pattern_fd(fds[i], big, 40 + i) == 0,
			       "%zu MiB buffer %d holds its data", big >> 20, i);
		close(fds[i]);
	}
	tap_diag("%d of 3 buffers of %zu MiB came from the CMA area", in, big >> 20);
}

#define SHARE_MAX 40

/*
 * SMAF takes at most half of the CMA area, and leaves the rest to the
 * drivers that need it: 8 MiB contiguous buffers worth the whole area and
 * two more, all held at once, are all made (past SMAF's half, from memory
 * outside the area, which the allocator must find below a CMA area in its
 * way), hold their data, and at most half of the area is among them; when
 * the user reaches the area, SMAF does use its half.
 */
static void share(uint32_t hints, unsigned long long limit, int reach, const char *who)
{
	size_t area = cma_end - cma_base + 1, in = 0;
	int fds[SHARE_MAX], ok[SHARE_MAX], n = area / SIZE + 2, i, made = 0, held = 0;
	unsigned long long start, end;
	long cma_free;

	if (n > SHARE_MAX)
		n = SHARE_MAX;
	for (i = 0; i < n; i++) {
		fds[i] = contig(hints, &start, &end);
		ok[i] = fds[i] >= 0 && end <= limit && end - start + 1 == SIZE &&
			!write_pattern_fd(fds[i], SIZE, 60 + i);
		if (!ok[i])
			continue;
		made++;
		if (in_cma(start, end))
			in += SIZE;
	}
	cma_free = meminfo_kb("CmaFree");
	for (i = 0; i < n; i++)
		if (ok[i])
			held += !check_pattern_fd(fds[i], SIZE, 60 + i);
	for (i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	tap_ok(made == n && held == n, "%s: %d of %d 8 MiB contiguous buffers made, %d hold their data",
	       who, made, n, held);
	tap_ok(in <= area / 2, "%s: SMAF holds %zu MiB of the %zu MiB CMA area, at most half", who,
	       in >> 20, area >> 20);
	if (reach)
		tap_ok(in >= area / 4, "%s: and uses its share (at least a quarter)", who);
	else
		tap_ok(in == 0, "%s: none of it from the CMA area it cannot reach", who);
	tap_diag("%s: CmaFree %ld KiB of %ld KiB with the buffers held", who, cma_free,
		 meminfo_kb("CmaTotal"));
}

/* The kernel's pageblock order, from /proc/pagetypeinfo; -1 if unknown. */
static int pageblock_order(void)
{
	FILE *f = fopen("/proc/pagetypeinfo", "r");
	char line[256];
	int order = -1;

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "Page block order: %d", &order) == 1)
			break;
	if (f)
		fclose(f);
	return order;
}

/*
 * The dma-contig camera (32-bit, contiguous) captures 1080p frames into
 * buffers of the contig allocator.  contig takes a block of up to a
 * pageblock from the page allocator first, and only larger ones from CMA:
 * a 1080p frame (order 10) comes from the CMA area if the area is low and
 * the pageblock smaller (order 9: arm64, x86 with huge pages), and from
 * other memory below 4 GiB if not.
 */
static void camera(int low)
{
	int cap = vivid_open(V4L2_CAP_VIDEO_CAPTURE, VIVID_DMA_CONTIG);
	int fds[2], i, frames, nonempty = 0, placed = 0, order, pb = pageblock_order();
	unsigned long long start, end;
	struct v4l2_format fmt;
	int want_cma;
	size_t size;

	if (cap < 0)
		tap_bail("cannot open the dma-contig vivid");
	ioctl(cap, VIDIOC_S_INPUT, &(int){ 0 });
	tap_ok(!v4l2_set_fmt(cap, CAP, 1920, 1080, V4L2_PIX_FMT_YUYV, &fmt) &&
	       fmt.fmt.pix.width == 1920, "vivid dma-contig at 1920x1080 YUYV");
	size = fmt.fmt.pix.sizeimage;
	for (order = 0; ((size_t)sysconf(_SC_PAGESIZE) << order) < size; order++)
		;
	want_cma = low && pb >= 0 && order > pb;
	tap_ok(pb > 0, "pageblock order %d, a frame is order %d", pb, order);
	tap_ok(v4l2_reqbufs_dmabuf(cap, CAP, 2) == 2, "REQBUFS 2 DMABUF");
	for (i = 0; i < 2; i++) {
		fds[i] = smaf_test_create(dev, size, "contig");
		tap_ok(!v4l2_qbuf_dmabuf(cap, CAP, i, fds[i], 0), "QBUF contig buffer %d", i);
		start = end = ~0ULL;
		smaf_buffer_phys(fds[i], &start, &end);
		tap_diag("frame %d at %#llx-%#llx", i, start, end);
		placed += end <= 0xffffffffULL && end - start + 1 >= size &&
			  (want_cma ? in_cma(start, end) : low || !in_cma(start, end));
	}
	tap_ok(placed == 2, "both frames are contiguous below 4 GiB%s", want_cma ?
	       ", in the CMA area" : low ? "" : ", outside the CMA area");
	tap_ok(!ioctl(cap, VIDIOC_STREAMON, &(int){ CAP }), "STREAMON");
	frames = v4l2_capture_frames(cap, CAP, fds, size, 3, 10000, &nonempty);
	tap_ok(frames == 3 && nonempty == 3, "captured %d frames, %d hold an image", frames,
	       nonempty);
	ioctl(cap, VIDIOC_STREAMOFF, &(int){ CAP });
	v4l2_reqbufs_dmabuf(cap, CAP, 0);
	for (i = 0; i < 2; i++)
		close(fds[i]);
	close(cap);
}

int main(void)
{
	const char *cma = getenv("smaf_cma");
	int low = cma && !strcmp(cma, "low");
	unsigned long long start, end;
	int fd;

	dev = open("/dev/smaf", O_RDWR);
	if (dev < 0)
		tap_bail("cannot open /dev/smaf");
	fd = find_cma();
	tap_ok(!fd, "the kernel reserved a CMA area at %#llx-%#llx", cma_base, cma_end);
	tap_ok(low ? cma_end <= 0xffffffffULL : cma_base >= 0x100000000ULL,
	       "it is %s 4 GiB, as the profile (%s) places it", low ? "below" : "above",
	       low ? "low" : "high");

	fd = contig(SMAF_HINT_CONTIGUOUS, &start, &end);
	tap_ok(smaf_buffer_num(fd, "contig") == 1 && in_cma(start, end),
	       "64-bit user: 8 MiB contiguous from the CMA area (%#llx-%#llx)", start, end);
	close(fd);

	fd = contig(SMAF_HINT_CONTIGUOUS | SMAF_HINT_DMA32, &start, &end);
	tap_ok(smaf_buffer_num(fd, "contig") == 1 && end <= 0xffffffffULL,
	       "32-bit user: 8 MiB contiguous below 4 GiB (%#llx-%#llx)", start, end);
	if (low)
		tap_ok(in_cma(start, end), "the low CMA area serves it");
	else
		tap_ok(!in_cma(start, end), "CMA memory above 4 GiB was not handed to it");
	close(fd);

	/* The camera first, while the area is as the kernel left it. */
	camera(low);
	big_buffers();
	share(SMAF_HINT_CONTIGUOUS, ~0ULL, 1, "64-bit user");
	share(SMAF_HINT_CONTIGUOUS | SMAF_HINT_DMA32, 0xffffffffULL, low, "32-bit user");

	tap_ok(smaf_allocator_stat("contig", "bytes") == 0, "contig usage back to zero");
	tap_ok(smaf_live_buffers() == 0, "no buffer left");
	close(dev);
	return tap_done();
}

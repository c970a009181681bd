// SPDX-License-Identifier: GPL-2.0
/*
 * The camera case SMAF was made for: vivid with videobuf2-dma-contig (32-bit
 * DMA mask, needs DMA-contiguous memory) captures 1280x720 frames (larger
 * than one 1 MiB page block) into SMAF buffers created without any hint.
 * The memory picked must be contiguous and below 4 GiB.  The same buffer is
 * also imported by vgem (display) and read by the CPU: all see the same
 * bytes.
 */
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <drm.h>
#include <linux/dma-buf.h>

#include "smaf-test.h"

#define NBUF 3
#define FRAMES 5
#define CAP V4L2_BUF_TYPE_VIDEO_CAPTURE

int main(void)
{
	int dev, cap, vgem, fds[NBUF], i, idx, frames = 0, good = 0, input = 0, ret;
	unsigned long long start, end;
	struct drm_prime_handle ph, re;
	struct v4l2_format fmt;
	struct stat s1, s2;
	unsigned char *p, *q;
	char alloc[32];
	size_t size, j, nz;

	dev = open("/dev/smaf", O_RDWR);
	cap = vivid_open(V4L2_CAP_VIDEO_CAPTURE, VIVID_DMA_CONTIG);
	vgem = vgem_open();
	if (dev < 0 || cap < 0 || vgem < 0)
		tap_bail("cannot open /dev/smaf, vivid (dma-contig) or vgem");

	ret = ioctl(cap, VIDIOC_S_INPUT, &input) ||
	      v4l2_set_fmt(cap, CAP, 1280, 720, V4L2_PIX_FMT_YUYV, &fmt);
	size = fmt.fmt.pix.sizeimage;
	tap_ok(!ret && size > (1 << 20), "webcam input, 1280x720 YUYV, %zu-byte frames", size);
	if (ret)
		tap_bail("no usable format");
	tap_ok(v4l2_reqbufs_dmabuf(cap, CAP, NBUF) == NBUF, "REQBUFS %d DMABUF", NBUF);

	for (i = 0; i < NBUF; i++) {
		fds[i] = smaf_test_create(dev, size, NULL);
		if (fds[i] < 0)
			tap_bail("create failed");
		ret = v4l2_qbuf_dmabuf(cap, CAP, i, fds[i], 0);
		tap_ok(!ret, "QBUF hint-less SMAF buffer %d on the dma-contig camera", i);
	}
	tap_ok(!ioctl(cap, VIDIOC_STREAMON, &(int){ CAP }), "STREAMON");

	/* The camera's map was the first use: check what SMAF picked. */
	for (i = 0; i < NBUF; i++) {
		start = end = ~0ULL;
		ret = smaf_buffer_phys(fds[i], &start, &end);
		smaf_buffer_field(fds[i], "allocator", alloc, sizeof(alloc));
		tap_ok(!ret && smaf_buffer_num(fds[i], "contig") == 1 && end <= 0xffffffffULL,
		       "buffer %d: contiguous below 4 GiB (%s, %#llx-%#llx)", i, alloc, start, end);
	}

	while (frames < FRAMES) {
		idx = v4l2_dqbuf(cap, CAP, 5000);
		if (idx < 0)
			break;
		frames++;
		dmabuf_sync(fds[idx], DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);
		p = mmap(NULL, size, PROT_READ, MAP_SHARED, fds[idx], 0);
		for (j = 0, nz = 0; p != MAP_FAILED && j < size; j++)
			nz += p[j] != 0;
		if (p != MAP_FAILED)
			munmap(p, size);
		dmabuf_sync(fds[idx], DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);
		good += nz > size / 4;
		if (frames < FRAMES && v4l2_qbuf_dmabuf(cap, CAP, idx, fds[idx], 0))
			break;
	}
	tap_ok(frames == FRAMES, "captured %d frames", frames);
	tap_ok(good == frames, "%d frames read back non-empty by the CPU", good);
	ioctl(cap, VIDIOC_STREAMOFF, &(int){ CAP });

	/* Display + CPU on the last captured buffer: vgem imports it. */
	idx = idx < 0 ? 0 : idx;
	memset(&ph, 0, sizeof(ph));
	ph.fd = fds[idx];
	tap_ok(!ioctl(vgem, DRM_IOCTL_PRIME_FD_TO_HANDLE, &ph),
	       "vgem imports the captured buffer (attached after allocation, fine for it)");
	tap_ok(smaf_buffer_num(fds[idx], "attachments") == 2, "camera and display attached");
	memset(&re, 0, sizeof(re));
	re.handle = ph.handle;
	re.flags = DRM_CLOEXEC;
	ret = ioctl(vgem, DRM_IOCTL_PRIME_HANDLE_TO_FD, &re);
	fstat(fds[idx], &s1);
	fstat(re.fd, &s2);
	tap_ok(!ret && s1.st_ino == s2.st_ino, "vgem's export is the same buffer");
	p = mmap(NULL, size, PROT_READ, MAP_SHARED, fds[idx], 0);
	q = mmap(NULL, size, PROT_READ, MAP_SHARED, re.fd, 0);
	tap_ok(p != MAP_FAILED && q != MAP_FAILED && !memcmp(p, q, size),
	       "CPU sees the camera's frame identically through the camera's and vgem's fds");
	if (p != MAP_FAILED)
		munmap(p, size);
	if (q != MAP_FAILED)
		munmap(q, size);
	close(re.fd);
	struct drm_gem_close gc = { .handle = ph.handle };
	ioctl(vgem, DRM_IOCTL_GEM_CLOSE, &gc);

	tap_ok(v4l2_reqbufs_dmabuf(cap, CAP, 0) == 0, "free the camera queue");
	for (i = 0; i < NBUF; i++)
		close(fds[i]);
	close(cap);
	close(vgem);
	tap_ok(smaf_live_buffers() == 0, "no buffer left");
	close(dev);
	return tap_done();
}

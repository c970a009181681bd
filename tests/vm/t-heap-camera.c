// SPDX-License-Identifier: GPL-2.0
/*
 * A program written the way libcamera allocates: it knows nothing of SMAF.
 * It opens /dev/dma_heap/linux,cma, allocates with O_CLOEXEC | O_RDWR,
 * names each buffer with DMA_BUF_SET_NAME (libcamera fails the allocation
 * if that fails), and queues the buffers on a camera that needs
 * DMA-contiguous memory (vivid with videobuf2-dma-contig) at 1080p: the
 * frames arrive.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/dma-buf.h>
#include <linux/dma-heap.h>

#include "smaf-test.h"

#define NBUF 4
#define FRAMES 4
#define TYPE V4L2_BUF_TYPE_VIDEO_CAPTURE

/* What libcamera's DmaBufAllocator::allocFromHeap() does. */
static int alloc_from_heap(int heap, size_t size, const char *name)
{
	struct dma_heap_allocation_data alloc = { 0 };

	alloc.len = size;
	alloc.fd_flags = O_CLOEXEC | O_RDWR;
	if (ioctl(heap, DMA_HEAP_IOCTL_ALLOC, &alloc) < 0)
		return -1;
	if (ioctl(alloc.fd, DMA_BUF_SET_NAME, name) < 0) {
		close(alloc.fd);
		return -1;
	}
	return alloc.fd;
}

int main(void)
{
	int heap, cap, fds[NBUF], i, frames, nonzero, input = 0;
	struct v4l2_format fmt;
	size_t size;

	/* libcamera tries these names in order. */
	heap = open("/dev/dma_heap/linux,cma", O_RDWR | O_CLOEXEC, 0);
	tap_ok(heap >= 0, "open /dev/dma_heap/linux,cma (%s)", heap < 0 ? strerror(errno) : "ok");
	cap = vivid_open(V4L2_CAP_VIDEO_CAPTURE, VIVID_DMA_CONTIG);
	if (heap < 0 || cap < 0)
		tap_bail("no heap node (%d) or no vivid dma-contig capture (%d)", heap, cap);

	tap_ok(!ioctl(cap, VIDIOC_S_INPUT, &input), "select the webcam input");
	i = v4l2_set_fmt(cap, TYPE, 1920, 1080, V4L2_PIX_FMT_YUYV, &fmt);
	size = fmt.fmt.pix.sizeimage;
	tap_ok(!i && fmt.fmt.pix.width == 1920 && fmt.fmt.pix.height == 1080,
	       "1920x1080 YUYV (%zu bytes per frame)", size);
	if (i || !size)
		tap_bail("no usable format");
	tap_ok(v4l2_reqbufs_dmabuf(cap, TYPE, NBUF) == NBUF, "REQBUFS %d DMABUF", NBUF);
	for (i = 0; i < NBUF; i++) {
		fds[i] = alloc_from_heap(heap, size, "libcamera-frame");
		tap_ok(fds[i] >= 0, "allocate and name frame buffer %d", i);
		if (fds[i] < 0)
			tap_bail("allocation failed: %s", strerror(errno));
		tap_ok(!v4l2_qbuf_dmabuf(cap, TYPE, i, fds[i], 0), "QBUF frame buffer %d", i);
	}
	tap_ok(smaf_buffer_num(fds[0], "contig") == 1, "the camera's buffers are contiguous");
	tap_ok(!ioctl(cap, VIDIOC_STREAMON, &(int){ TYPE }), "STREAMON");

	frames = v4l2_capture_frames(cap, TYPE, fds, size, FRAMES, 10000, &nonzero);
	tap_ok(frames == FRAMES, "captured %d frames", frames);
	tap_ok(nonzero == frames, "%d of %d frames hold an image", nonzero, frames);
	tap_ok(!ioctl(cap, VIDIOC_STREAMOFF, &(int){ TYPE }), "STREAMOFF");
	tap_ok(v4l2_reqbufs_dmabuf(cap, TYPE, 0) == 0, "free the vivid queue");
	for (i = 0; i < NBUF; i++)
		close(fds[i]);
	close(cap);
	close(heap);
	tap_ok(smaf_live_buffers() == 0, "no buffer left");
	return tap_done();
}

// SPDX-License-Identifier: GPL-2.0
/*
 * vivid (allocators=0, videobuf2-vmalloc) captures frames into SMAF buffers
 * queued as V4L2_MEMORY_DMABUF; vivid imports them with vmap, which is their
 * first use.  The frames read back through mmap are not empty.
 */
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>


#include "smaf-test.h"

#define NBUF 3
#define FRAMES 6
#define TYPE V4L2_BUF_TYPE_VIDEO_CAPTURE

int main(void)
{
	int dev, cap, fds[NBUF], i, nonzero_frames, frames;
	struct v4l2_format fmt;
	int input = 0;
	size_t size;
	char val[32];

	dev = open("/dev/smaf", O_RDWR);
	cap = vivid_open(V4L2_CAP_VIDEO_CAPTURE, VIVID_VMALLOC);
	if (dev < 0 || cap < 0)
		tap_bail("cannot open /dev/smaf (%d) or vivid capture (%d)", dev, cap);

	tap_ok(!ioctl(cap, VIDIOC_S_INPUT, &input), "select the webcam input");
	i = v4l2_set_fmt(cap, TYPE, 1280, 720, V4L2_PIX_FMT_YUYV, &fmt);
	size = fmt.fmt.pix.sizeimage;
	tap_ok(!i && fmt.fmt.pix.width == 1280 && fmt.fmt.pix.height == 720 &&
	       size >= 1280 * 720 * 2, "1280x720 YUYV (%zu bytes per frame)", size);
	if (i || !size)
		tap_bail("no usable format");
	tap_ok(v4l2_reqbufs_dmabuf(cap, TYPE, NBUF) == NBUF, "REQBUFS %d DMABUF", NBUF);

	for (i = 0; i < NBUF; i++) {
		fds[i] = smaf_test_create(dev, size, NULL);
		if (fds[i] < 0)
			tap_bail("create failed");
		tap_ok(!v4l2_qbuf_dmabuf(cap, TYPE, i, fds[i], 0), "QBUF SMAF buffer %d", i);
	}
	tap_ok(!smaf_buffer_field(fds[0], "allocated", val, sizeof(val)) && !strcmp(val, "1"),
	       "vivid's vmap allocated the buffer");
	tap_ok(!ioctl(cap, VIDIOC_STREAMON, &(int){ TYPE }), "STREAMON");

	frames = v4l2_capture_frames(cap, TYPE, fds, size, FRAMES, 5000, &nonzero_frames);
	tap_ok(frames == FRAMES, "captured %d frames", frames);
	tap_ok(nonzero_frames == frames, "%d of %d frames read back non-empty through mmap",
	       nonzero_frames, frames);
	tap_ok(!ioctl(cap, VIDIOC_STREAMOFF, &(int){ TYPE }), "STREAMOFF");
	tap_ok(v4l2_reqbufs_dmabuf(cap, TYPE, 0) == 0, "free the vivid queue");
	for (i = 0; i < NBUF; i++)
		close(fds[i]);
	close(cap);
	tap_ok(smaf_live_buffers() == 0, "no buffer left");
	close(dev);
	return tap_done();
}

// SPDX-License-Identifier: GPL-2.0
/*
 * A device really reads what the CPU wrote: a pattern written by the CPU
 * into SMAF buffers queued on vivid's video output comes back, through
 * vivid's video loopback, into other SMAF buffers queued on its capture
 * device, byte for byte.
 */
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/dma-buf.h>

#include "smaf-test.h"

#define NOUT 2
#define NCAP 3
#define FRAMES 20
#define CAP V4L2_BUF_TYPE_VIDEO_CAPTURE
#define OUT V4L2_BUF_TYPE_VIDEO_OUTPUT

static unsigned char pattern(size_t i)
{
	return (unsigned char)((i * 2654435761u) >> 13);
}

static int find_hdmi(int fd, int output)
{
	struct v4l2_output o;
	struct v4l2_input in;
	int i;

	for (i = 0; i < 16; i++) {
		if (output) {
			memset(&o, 0, sizeof(o));
			o.index = i;
			if (ioctl(fd, VIDIOC_ENUMOUTPUT, &o))
				break;
			if (strstr((char *)o.name, "HDMI"))
				return i;
		} else {
			memset(&in, 0, sizeof(in));
			in.index = i;
			if (ioctl(fd, VIDIOC_ENUMINPUT, &in))
				break;
			if (strstr((char *)in.name, "HDMI"))
				return i;
		}
	}
	return -1;
}

static int set_ctrl(int fd, const char *name, int value)
{
	struct v4l2_control c = { .id = vivid_find_ctrl(fd, name), .value = value };

	return c.id ? ioctl(fd, VIDIOC_S_CTRL, &c) : -1;
}

/*
 * Connects vivid's HDMI output to its HDMI input.  Up to Linux 6.10 this is
 * the "Loop Video" control; later kernels have a per-input menu control
 * "HDMI <inst>-<n> Is Connected To" whose items name the outputs.
 */
static int connect_loop(int fd, int on)
{
	struct v4l2_queryctrl q;
	struct v4l2_querymenu m;
	struct v4l2_control c;

	if (vivid_find_ctrl(fd, "Loop Video"))
		return set_ctrl(fd, "Loop Video", on);

	memset(&q, 0, sizeof(q));
	q.id = V4L2_CTRL_FLAG_NEXT_CTRL;
	while (!ioctl(fd, VIDIOC_QUERYCTRL, &q)) {
		if (q.type == V4L2_CTRL_TYPE_MENU && !strncmp((char *)q.name, "HDMI ", 5) &&
		    strstr((char *)q.name, "Is Connected To")) {
			memset(&m, 0, sizeof(m));
			m.id = q.id;
			for (m.index = q.minimum; (int)m.index <= q.maximum; m.index++) {
				if (ioctl(fd, VIDIOC_QUERYMENU, &m))
					continue;
				if (on ? !strncmp((char *)m.name, "Output HDMI 000", 15) :
					 !strcmp((char *)m.name, "Test Pattern Generator")) {
					c.id = q.id;
					c.value = (int)m.index;
					return ioctl(fd, VIDIOC_S_CTRL, &c);
				}
			}
			return -1;
		}
		q.id |= V4L2_CTRL_FLAG_NEXT_CTRL;
	}
	return -1;
}

int main(void)
{
	int dev, cap, out, in_idx, out_idx, i, idx, matched = 0, frames = 0, ret;
	int outfd[NOUT], capfd[NCAP];
	struct v4l2_dv_timings t;
	struct v4l2_format cf, of;
	unsigned char *p;
	size_t size, j, diff;

	dev = open("/dev/smaf", O_RDWR);
	cap = vivid_open(V4L2_CAP_VIDEO_CAPTURE, VIVID_VMALLOC);
	out = vivid_open(V4L2_CAP_VIDEO_OUTPUT, VIVID_VMALLOC);
	if (dev < 0 || cap < 0 || out < 0)
		tap_bail("cannot open /dev/smaf, vivid capture or output");

	in_idx = find_hdmi(cap, 0);
	out_idx = find_hdmi(out, 1);
	tap_ok(in_idx >= 0 && !ioctl(cap, VIDIOC_S_INPUT, &in_idx), "capture from HDMI input %d", in_idx);
	tap_ok(out_idx >= 0 && !ioctl(out, VIDIOC_S_OUTPUT, &out_idx), "output to HDMI output %d", out_idx);
	memset(&t, 0, sizeof(t));
	ret = ioctl(cap, VIDIOC_G_DV_TIMINGS, &t) || ioctl(out, VIDIOC_S_DV_TIMINGS, &t);
	tap_ok(!ret && t.bt.width && t.bt.height, "same timings on both sides (%ux%u)",
	       t.bt.width, t.bt.height);
	tap_ok(!connect_loop(cap, 1), "connect vivid's HDMI output to its HDMI input");
	tap_ok(!set_ctrl(cap, "OSD Text Mode", 2), "no text overlay on captured frames");

	ret = v4l2_set_fmt(out, OUT, t.bt.width, t.bt.height, V4L2_PIX_FMT_YUYV, &of) ||
	      v4l2_set_fmt(cap, CAP, t.bt.width, t.bt.height, V4L2_PIX_FMT_YUYV, &cf);
	size = cf.fmt.pix.sizeimage;
	tap_ok(!ret && of.fmt.pix.sizeimage == size && size > (1 << 20) &&
	       of.fmt.pix.bytesperline == cf.fmt.pix.bytesperline,
	       "same YUYV format on both sides, frames larger than 1 MiB (%zu bytes)", size);
	if (ret || size == 0)
		tap_bail("no usable format");
	tap_ok(v4l2_reqbufs_dmabuf(out, OUT, NOUT) == NOUT &&
	       v4l2_reqbufs_dmabuf(cap, CAP, NCAP) == NCAP, "REQBUFS DMABUF on both");

	for (i = 0; i < NOUT; i++) {
		outfd[i] = smaf_test_create(dev, size, NULL);
		p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, outfd[i], 0);
		if (outfd[i] < 0 || p == MAP_FAILED)
			tap_bail("cannot create or map output buffer");
		dmabuf_sync(outfd[i], DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE);
		for (j = 0; j < size; j++)
			p[j] = pattern(j);
		dmabuf_sync(outfd[i], DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE);
		munmap(p, size);
		tap_ok(!v4l2_qbuf_dmabuf(out, OUT, i, outfd[i], size),
		       "CPU wrote the pattern, output buffer %d queued", i);
	}
	for (i = 0; i < NCAP; i++) {
		capfd[i] = smaf_test_create(dev, size, NULL);
		if (capfd[i] < 0 || v4l2_qbuf_dmabuf(cap, CAP, i, capfd[i], 0))
			tap_bail("cannot queue capture buffer %d", i);
	}
	tap_ok(!ioctl(out, VIDIOC_STREAMON, &(int){ OUT }) &&
	       !ioctl(cap, VIDIOC_STREAMON, &(int){ CAP }), "STREAMON both");

	while (frames < FRAMES) {
		while ((idx = v4l2_dqbuf(out, OUT, 0)) >= 0)
			v4l2_qbuf_dmabuf(out, OUT, idx, outfd[idx], size);
		idx = v4l2_dqbuf(cap, CAP, 5000);
		if (idx < 0)
			break;
		frames++;
		dmabuf_sync(capfd[idx], DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);
		p = mmap(NULL, size, PROT_READ, MAP_SHARED, capfd[idx], 0);
		diff = size;
		if (p != MAP_FAILED) {
			for (diff = 0, j = 0; j < size; j++)
				diff += p[j] != pattern(j);
			munmap(p, size);
		}
		dmabuf_sync(capfd[idx], DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);
		if (!diff)
			matched++;
		else
			tap_diag("frame %d: %zu bytes differ from the pattern", frames, diff);
		if (v4l2_qbuf_dmabuf(cap, CAP, idx, capfd[idx], 0))
			break;
		if (matched >= 3)
			break;
	}
	tap_ok(frames > 0, "captured %d frames", frames);
	tap_ok(matched >= 3, "%d captured frames equal the CPU's pattern byte for byte", matched);

	tap_ok(!ioctl(cap, VIDIOC_STREAMOFF, &(int){ CAP }) &&
	       !ioctl(out, VIDIOC_STREAMOFF, &(int){ OUT }), "STREAMOFF both");
	v4l2_reqbufs_dmabuf(cap, CAP, 0);
	v4l2_reqbufs_dmabuf(out, OUT, 0);
	connect_loop(cap, 0);
	for (i = 0; i < NOUT; i++)
		close(outfd[i]);
	for (i = 0; i < NCAP; i++)
		close(capfd[i]);
	close(cap);
	close(out);
	tap_ok(smaf_live_buffers() == 0, "no buffer left");
	close(dev);
	return tap_done();
}

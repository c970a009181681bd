// SPDX-License-Identifier: GPL-2.0
/*
 * The devices of a video pipeline (see media.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <drm.h>
#include <linux/dma-buf.h>
#include <linux/videodev2.h>

#include "media.h"

long meminfo_kb(const char *key)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[256];
	size_t klen = strlen(key);
	long ret = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, key, klen) && line[klen] == ':') {
			ret = strtol(line + klen + 1, NULL, 10);
			break;
		}
	}
	fclose(f);
	return ret;
}

int drm_open(const char *driver, char *path, size_t len)
{
	char name[32];
	struct drm_version v;
	int i, fd;

	for (i = 0; i < 16; i++) {
		snprintf(path, len, "/dev/dri/card%d", i);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		memset(&v, 0, sizeof(v));
		memset(name, 0, sizeof(name));
		v.name = name;
		v.name_len = sizeof(name) - 1;
		if (!ioctl(fd, DRM_IOCTL_VERSION, &v) && !strcmp(name, driver))
			return fd;
		close(fd);
	}
	return -1;
}

int vgem_open(void)
{
	char path[32];

	return drm_open("vgem", path, sizeof(path));
}

int vivid_open(uint32_t cap, int inst)
{
	struct v4l2_capability c;
	char path[64], bus[32];
	int i, fd;

	snprintf(bus, sizeof(bus), "platform:vivid-%03d", inst);

	for (i = 0; i < 64; i++) {
		snprintf(path, sizeof(path), "/dev/video%d", i);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		memset(&c, 0, sizeof(c));
		if (!ioctl(fd, VIDIOC_QUERYCAP, &c) &&
		    !strcmp((char *)c.driver, "vivid") && (c.device_caps & cap) &&
		    !strcmp((char *)c.bus_info, bus))
			return fd;
		close(fd);
	}
	return -1;
}

int v4l2_set_fmt(int fd, uint32_t type, uint32_t width, uint32_t height,
		 uint32_t fourcc, struct v4l2_format *fmt)
{
	memset(fmt, 0, sizeof(*fmt));
	fmt->type = type;
	fmt->fmt.pix.width = width;
	fmt->fmt.pix.height = height;
	fmt->fmt.pix.pixelformat = fourcc;
	fmt->fmt.pix.field = V4L2_FIELD_NONE;
	return ioctl(fd, VIDIOC_S_FMT, fmt);
}

int v4l2_reqbufs_dmabuf(int fd, uint32_t type, uint32_t count)
{
	struct v4l2_requestbuffers rb;

	memset(&rb, 0, sizeof(rb));
	rb.count = count;
	rb.type = type;
	rb.memory = V4L2_MEMORY_DMABUF;
	if (ioctl(fd, VIDIOC_REQBUFS, &rb))
		return -1;
	return (int)rb.count;
}

int v4l2_qbuf_dmabuf(int fd, uint32_t type, uint32_t index, int dmafd,
		     uint32_t bytesused)
{
	struct v4l2_buffer b;

	memset(&b, 0, sizeof(b));
	b.type = type;
	b.memory = V4L2_MEMORY_DMABUF;
	b.index = index;
	b.m.fd = dmafd;
	b.bytesused = bytesused;
	b.field = V4L2_FIELD_NONE;
	return ioctl(fd, VIDIOC_QBUF, &b);
}

int v4l2_dqbuf(int fd, uint32_t type, int timeout_ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN | POLLOUT | POLLPRI };
	struct v4l2_buffer b;

	if (poll(&pfd, 1, timeout_ms) <= 0)
		return -1;
	memset(&b, 0, sizeof(b));
	b.type = type;
	b.memory = V4L2_MEMORY_DMABUF;
	if (ioctl(fd, VIDIOC_DQBUF, &b))
		return -1;
	if (b.flags & V4L2_BUF_FLAG_ERROR)
		fprintf(stderr, "# buffer %u dequeued with V4L2_BUF_FLAG_ERROR\n", b.index);
	return (int)b.index;
}

int dmabuf_sync(int fd, uint64_t flags)
{
	struct dma_buf_sync s = { .flags = flags };

	return ioctl(fd, DMA_BUF_IOCTL_SYNC, &s);
}

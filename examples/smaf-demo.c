// SPDX-License-Identifier: GPL-2.0
/*
 * smaf-demo - a guided tour of SMAF, run by `make demo` inside the test VM.
 *
 * One frame buffer is created, shared with a display-like device (vgem) and
 * a camera (vivid), written by the camera and read back by the CPU.  At each
 * step it prints what SMAF did.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <drm.h>
#include <linux/dma-buf.h>

#include "libsmaf.h"
#include "smaf-test.h"

#define W 1280
#define H 720
#define CAP V4L2_BUF_TYPE_VIDEO_CAPTURE

static int step;

static void say(const char *title)
{
	printf("\n== %d. %s\n", ++step, title);
	fflush(stdout);
}

static void show_buffer(int fd)
{
	char alloc[64], allocated[8], att[8];

	smaf_buffer_field(fd, "allocated", allocated, sizeof(allocated));
	smaf_buffer_field(fd, "allocator", alloc, sizeof(alloc));
	smaf_buffer_field(fd, "attachments", att, sizeof(att));
	printf("   SMAF sees: allocated=%s allocator=%s attached devices=%s\n",
	       allocated[0] == '1' ? "yes" : "no", alloc, att);
}

int main(void)
{
	struct smaf_allocator_info *info;
	struct drm_prime_handle ph;
	struct v4l2_format fmt;
	long before, after;
	struct smaf_device *dev;
	int n, i, fd, spare, vgem, cap, idx, input = 0;
	size_t size, nz = 0, j;
	unsigned char *p;

	say("SMAF is loaded: its allocators, best ranked first");
	dev = smaf_device_open(NULL);
	if (!dev) {
		perror("smaf-demo: cannot open /dev/smaf");
		return 1;
	}
	n = smaf_device_get_num_allocators(dev);
	for (i = 0; i < n; i++) {
		info = smaf_device_get_allocator_info(dev, i);
		printf("   %-10s ranking %d\n", smaf_allocator_info_get_name(info),
		       smaf_allocator_info_get_ranking(info));
		smaf_allocator_info_free(info);
	}

	say("Create a 1280x720 YUYV frame buffer: no memory is used yet");
	size = W * H * 2;
	before = meminfo_kb("MemFree");
	fd = smaf_device_create_buffer(dev, size, NULL, O_RDWR | O_CLOEXEC);
	after = meminfo_kb("MemFree");
	if (fd < 0) {
		perror("smaf-demo: create");
		return 1;
	}
	printf("   dma-buf fd %d, %zu bytes; free memory changed by %ld KiB\n", fd, size,
	       before - after);
	show_buffer(fd);

	say("Share it with vgem (a DRM device, 64-bit DMA): its import maps the buffer");
	vgem = vgem_open();
	memset(&ph, 0, sizeof(ph));
	ph.fd = fd;
	if (vgem < 0 || ioctl(vgem, DRM_IOCTL_PRIME_FD_TO_HANDLE, &ph)) {
		perror("smaf-demo: vgem import");
		return 1;
	}
	printf("   vgem handle %u. That map was the buffer's first use, so SMAF\n"
	       "   allocated it now, from the constraints of the attached device:\n"
	       "   vgem can reach all of RAM, so the best-ranked allocator that\n"
	       "   serves it was picked.\n", ph.handle);
	show_buffer(fd);
	after = meminfo_kb("MemFree");
	printf("   free memory is now %ld KiB lower than before the create\n", before - after);

	say("Share it with vivid (a camera) and capture a frame into it");
	/* vivid streams with at least two buffers: a second one keeps it busy. */
	spare = smaf_device_create_buffer(dev, size, NULL, O_RDWR | O_CLOEXEC);
	cap = vivid_open(V4L2_CAP_VIDEO_CAPTURE, VIVID_VMALLOC);
	if (spare < 0 || cap < 0 || ioctl(cap, VIDIOC_S_INPUT, &input) ||
	    v4l2_set_fmt(cap, CAP, W, H, V4L2_PIX_FMT_YUYV, &fmt) ||
	    v4l2_reqbufs_dmabuf(cap, CAP, 2) != 2 ||
	    v4l2_qbuf_dmabuf(cap, CAP, 0, fd, 0) ||
	    v4l2_qbuf_dmabuf(cap, CAP, 1, spare, 0) ||
	    ioctl(cap, VIDIOC_STREAMON, &(int){ CAP })) {
		perror("smaf-demo: vivid");
		return 1;
	}
	do
		idx = v4l2_dqbuf(cap, CAP, 10000);
	while (idx == 1 && !v4l2_qbuf_dmabuf(cap, CAP, 1, spare, 0));
	ioctl(cap, VIDIOC_STREAMOFF, &(int){ CAP });
	v4l2_reqbufs_dmabuf(cap, CAP, 0);
	close(spare);
	if (idx != 0) {
		fprintf(stderr, "smaf-demo: vivid did not return the frame\n");
		return 1;
	}
	printf("   vivid imported it (with vmap: the CPU-side path of vivid's\n"
	       "   vmalloc mode) and wrote a frame into the same memory vgem has\n"
	       "   mapped: no copy.\n");

	say("Read the frame back with the CPU (mmap), then write and read a pattern");
	dmabuf_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW);
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		perror("smaf-demo: mmap");
		return 1;
	}
	for (j = 0; j < size; j++)
		nz += p[j] != 0;
	printf("   frame: %zu of %zu bytes are non-zero (vivid's test pattern);\n"
	       "   first pixels: %02x %02x %02x %02x\n", nz, size, p[0], p[1], p[2], p[3]);
	memset(p, 0x5a, size);
	for (j = 0, nz = 0; j < size; j++)
		nz += p[j] == 0x5a;
	dmabuf_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW);
	munmap(p, size);
	printf("   wrote 0x5a everywhere, read back %zu of %zu bytes correct\n", nz, size);

	say("Summary");
	show_buffer(fd);
	printf("   One buffer, created before anyone knew where it would go, was\n"
	       "   allocated on first use by the allocator that suits every device\n"
	       "   attached at that moment, and shared by a DRM device, a camera and\n"
	       "   the CPU without a copy.\n");
	close(cap);
	close(vgem);
	close(fd);
	printf("   After close: %d SMAF buffers alive\n", smaf_live_buffers());
	smaf_device_close(dev);
	return 0;
}

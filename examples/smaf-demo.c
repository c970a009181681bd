// SPDX-License-Identifier: GPL-2.0
/*
 * smaf-demo - a guided tour of SMAF, run by `make demo` inside the test VM.
 *
 * A frame buffer is created before anyone knows where it will go, shared
 * with a camera (vivid in videobuf2-dma-contig mode: 32-bit DMA, no IOMMU,
 * needs contiguous memory) and a display-like DRM device (vgem), written by
 * the camera and read back by the CPU.  At each step it prints what SMAF saw
 * and did.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <drm.h>
#include <linux/dma-buf.h>

#include "libsmaf.h"
#include "media.h"

#define W 1280
#define H 720
#define NBUF 2
#define CAP V4L2_BUF_TYPE_VIDEO_CAPTURE

static int step;

static void say(const char *title)
{
	printf("\n== %d. %s\n", ++step, title);
	fflush(stdout);
}

static const char *const reasons[] = {
	[SMAF_REASON_NONE] = "-",
	[SMAF_REASON_NAMED] = "named at create time",
	[SMAF_REASON_BEST_MATCH] = "the best ranked that serves every user",
	[SMAF_REASON_FALLBACK] = "a fallback: better ones were out of memory",
};

/* What SMAF says of buffer @fd (its query, as any program may ask). */
static void show_buffer(struct smaf_device *dev, int fd)
{
	struct smaf_buffer_info *info = smaf_buffer_get_info(dev, fd);
	unsigned int state;
	int reason;

	if (!info) {
		perror("smaf-demo: query");
		return;
	}
	state = smaf_buffer_info_get_state(info);
	reason = smaf_buffer_info_get_reason(info);
	printf("   SMAF says: %u device(s) attached now\n",
	       smaf_buffer_info_get_devices(info));
	if (!(state & SMAF_STATE_ALLOCATED))
		printf("   memory: not allocated yet\n");
	else
		printf("   memory: allocator '%s' (%s), %u chunk(s), %s\n",
		       smaf_buffer_info_get_allocator(info),
		       reason >= 0 && reason <= SMAF_REASON_FALLBACK ? reasons[reason] : "?",
		       smaf_buffer_info_get_chunks(info),
		       state & SMAF_STATE_CONTIGUOUS ? "physically contiguous" : "scattered");
	smaf_buffer_info_free(info);
}

/* Buffers every allocator backs now, -1 if SMAF cannot say. */
static int live_buffers(struct smaf_device *dev)
{
	struct smaf_allocator_usage *u;
	int n, i, live = 0;

	n = smaf_device_get_num_allocators(dev);
	for (i = 0; i < n; i++) {
		u = smaf_device_get_allocator_usage(dev, i);
		if (!u)
			return -1;
		live += smaf_allocator_usage_get_buffers(u);
		smaf_allocator_usage_free(u);
	}
	return n < 0 ? -1 : live;
}

int main(void)
{
	struct smaf_allocator_info *info;
	struct drm_prime_handle ph;
	struct v4l2_format fmt;
	struct smaf_device *dev;
	int n, i, fds[NBUF], vgem, cap, idx = -1, input = 0;
	long before, after;
	size_t size, nz = 0, j;
	unsigned char *p;
	char line[256];
	FILE *f;

	say("SMAF is loaded: its allocators (best ranked first) and policy");
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
	f = fopen("/sys/module/smaf/parameters/policy", "r");
	while (f && fgets(line, sizeof(line), f))
		printf("   policy rule: %s", line);
	if (f)
		fclose(f);
	printf("   (devices without a rule and without an IOMMU need contiguous memory)\n");

	say("Create two 1280x720 YUYV frame buffers: no memory is used yet");
	size = W * H * 2;
	before = meminfo_kb("MemFree");
	for (i = 0; i < NBUF; i++) {
		fds[i] = smaf_device_create_buffer(dev, size, NULL, O_RDWR | O_CLOEXEC);
		if (fds[i] < 0) {
			perror("smaf-demo: create");
			return 1;
		}
	}
	after = meminfo_kb("MemFree");
	printf("   2 x %zu bytes; free memory changed by %ld KiB\n", size, before - after);
	show_buffer(dev, fds[0]);

	say("Queue them on the camera (32-bit DMA, no IOMMU): its map is the first use");
	cap = vivid_open(V4L2_CAP_VIDEO_CAPTURE, VIVID_DMA_CONTIG);
	if (cap < 0 || ioctl(cap, VIDIOC_S_INPUT, &input) ||
	    v4l2_set_fmt(cap, CAP, W, H, V4L2_PIX_FMT_YUYV, &fmt) ||
	    v4l2_reqbufs_dmabuf(cap, CAP, NBUF) != NBUF) {
		perror("smaf-demo: vivid");
		return 1;
	}
	for (i = 0; i < NBUF; i++) {
		if (v4l2_qbuf_dmabuf(cap, CAP, i, fds[i], 0)) {
			perror("smaf-demo: QBUF");
			return 1;
		}
	}
	printf("   The camera can only reach the low 4 GiB and needs one contiguous\n"
	       "   range; SMAF picked the best-ranked allocator that gives that:\n");
	show_buffer(dev, fds[0]);

	say("Capture a frame");
	if (ioctl(cap, VIDIOC_STREAMON, &(int){ CAP }) || (idx = v4l2_dqbuf(cap, CAP, 10000)) < 0) {
		perror("smaf-demo: capture");
		return 1;
	}
	ioctl(cap, VIDIOC_STREAMOFF, &(int){ CAP });
	printf("   the camera wrote a frame into buffer %d by DMA\n", idx);

	say("Share the frame with the display (vgem, 64-bit, scatter-gather)");
	vgem = vgem_open();
	memset(&ph, 0, sizeof(ph));
	ph.fd = fds[idx];
	if (vgem < 0 || ioctl(vgem, DRM_IOCTL_PRIME_FD_TO_HANDLE, &ph)) {
		perror("smaf-demo: vgem import");
		return 1;
	}
	printf("   vgem attached after allocation: SMAF checked that the memory\n"
	       "   suits it too (a device that could not use it would get EXDEV)\n");
	show_buffer(dev, fds[idx]);

	say("Read the frame with the CPU, then write and read a pattern");
	dmabuf_sync(fds[idx], DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW);
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fds[idx], 0);
	if (p == MAP_FAILED) {
		perror("smaf-demo: mmap");
		return 1;
	}
	for (j = 0; j < size; j++)
		nz += p[j] != 0;
	printf("   frame: %zu of %zu bytes non-zero (vivid's test pattern), first pixels %02x %02x %02x %02x\n",
	       nz, size, p[0], p[1], p[2], p[3]);
	memset(p, 0x5a, size);
	for (j = 0, nz = 0; j < size; j++)
		nz += p[j] == 0x5a;
	dmabuf_sync(fds[idx], DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW);
	munmap(p, size);
	printf("   wrote 0x5a everywhere, read back %zu of %zu bytes correct\n", nz, size);

	say("Summary");
	printf("   The buffers were created before anyone knew where they would go.\n"
	       "   On first use SMAF merged the constraints of the attached camera,\n"
	       "   picked memory it can reach, and the display and the CPU shared the\n"
	       "   same memory without a copy.  No heap name, no per-board tuning.\n");
	v4l2_reqbufs_dmabuf(cap, CAP, 0);
	close(cap);
	close(vgem);
	for (i = 0; i < NBUF; i++)
		close(fds[i]);
	printf("   After close: %d SMAF buffers hold memory\n", live_buffers(dev));
	smaf_device_close(dev);
	return 0;
}

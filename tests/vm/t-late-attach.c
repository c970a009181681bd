// SPDX-License-Identifier: GPL-2.0
/*
 * A device that attaches after allocation and cannot use the memory gets
 * EXDEV, and the buffer stays usable for the others.  A named allocator
 * that cannot serve an attaching device gets EXDEV too.  Behind an IOMMU
 * (smaf_iommu=1) edu reaches any memory, so the same attaches succeed.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <drm.h>

#include "smaf-edu.h"
#include "smaf-test.h"

#define SIZE (4 * 1024 * 1024)

int main(void)
{
	int dev, edu, vgem, fd, err, want = platform_iommu() ? 0 : EXDEV;
	struct drm_prime_handle ph;
	char alloc[32];

	dev = open("/dev/smaf", O_RDWR);
	edu = open("/dev/smaf-edu", O_RDWR);
	vgem = vgem_open();
	if (dev < 0 || edu < 0 || vgem < 0)
		tap_bail("cannot open /dev/smaf, smaf-edu or vgem");

	/* The CPU is the first user: scattered system pages. */
	fd = smaf_test_create(dev, SIZE, NULL);
	tap_ok(write_pattern_fd(fd, SIZE, 5) == 0, "CPU writes first: buffer allocated");
	smaf_buffer_field(fd, "allocator", alloc, sizeof(alloc));
	tap_ok(!strcmp(alloc, "system"), "for the CPU alone SMAF picked %s", alloc);

	errno = 0;
	err = ioctl(edu, SMAF_EDU_IOC_ATTACH, &fd) ? errno : 0;
	tap_ok(err == want, "late attach of the 28-bit edu device: %s (%s)",
	       want ? "EXDEV" : "accepted behind the IOMMU", strerror(err));
	if (!err)
		ioctl(edu, SMAF_EDU_IOC_DETACH);

	/*
	 * The dma-contig camera would be refused the same way at QBUF, but
	 * videobuf2 in Linux 6.12 leaks the dma-buf reference when attach
	 * fails (__prepare_dmabuf's error path skips planes[].dbuf), which
	 * would keep the buffer alive forever; edu is the strict device here.
	 */
	tap_ok(smaf_buffer_num(fd, "attachments") == 0, "refused devices left no attachment");
	memset(&ph, 0, sizeof(ph));
	ph.fd = fd;
	tap_ok(!ioctl(vgem, DRM_IOCTL_PRIME_FD_TO_HANDLE, &ph),
	       "vgem (any address, scatter-gather) still attaches");
	tap_ok(check_pattern_fd(fd, SIZE, 5) == 0, "the CPU still reads its data");
	struct drm_gem_close gc = { .handle = ph.handle };
	ioctl(vgem, DRM_IOCTL_GEM_CLOSE, &gc);
	close(fd);

	/* Named allocators are held to what they can serve, before allocation. */
	fd = smaf_test_create(dev, SIZE, "system");
	errno = 0;
	err = ioctl(edu, SMAF_EDU_IOC_ATTACH, &fd) ? errno : 0;
	tap_ok(err == want, "edu attaching to a buffer named 'system': %s (%s)",
	       want ? "EXDEV" : "accepted", strerror(err));
	if (!err)
		ioctl(edu, SMAF_EDU_IOC_DETACH);
	close(fd);

	fd = smaf_test_create(dev, SIZE, "dma32");
	errno = 0;
	err = ioctl(edu, SMAF_EDU_IOC_ATTACH, &fd) ? errno : 0;
	tap_ok(err == want, "edu attaching to a buffer named 'dma32': %s (%s)",
	       want ? "EXDEV" : "accepted", strerror(err));
	if (!err)
		ioctl(edu, SMAF_EDU_IOC_DETACH);
	close(fd);

	/* A named allocator that can serve the attached device works. */
	fd = smaf_test_create(dev, 64 * 1024, "contig");
	tap_ok(!ioctl(edu, SMAF_EDU_IOC_ATTACH, &fd), "edu attaches to a buffer named 'contig'");
	tap_ok(write_pattern_fd(fd, 64 * 1024, 1) == 0 &&
	       smaf_buffer_num(fd, "contig") == 1, "contig serves edu and the CPU");
	ioctl(edu, SMAF_EDU_IOC_DETACH);
	close(fd);

	close(vgem);
	close(edu);
	tap_ok(smaf_live_buffers() == 0, "no buffer left");
	close(dev);
	return tap_done();
}

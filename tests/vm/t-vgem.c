// SPDX-License-Identifier: GPL-2.0
/*
 * vgem imports a SMAF buffer with PRIME.  On Debian's 6.1 and 6.12 the
 * import maps it for vgem's device, which is the buffer's first use and
 * allocates it; on 7.x vgem only attaches, and the first use is the CPU's,
 * with vgem's device attached and counted.  Either way the memory is the one vgem's device
 * takes, and re-exporting the handle gives back the same dma-buf.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <drm.h>

#include "smaf-test.h"

#define SIZE (4 * 1024 * 1024)

int main(void)
{
	struct drm_prime_handle imp, exp;
	struct drm_gem_close gc;
	struct stat st1, st2;
	unsigned char *p, *q;
	int dev, vgem, fd, refd;
	char val[64];
	long allocs;

	dev = open("/dev/smaf", O_RDWR);
	vgem = vgem_open();
	if (dev < 0 || vgem < 0)
		tap_bail("cannot open /dev/smaf (%d) or vgem (%d)", dev, vgem);

	allocs = smaf_allocator_stat("system", "allocations");
	fd = smaf_test_create(dev, SIZE, NULL);
	tap_ok(fd >= 0, "create a 4 MiB buffer");
	tap_ok(!smaf_buffer_field(fd, "allocated", val, sizeof(val)) && !strcmp(val, "0"),
	       "not allocated before import");

	memset(&imp, 0, sizeof(imp));
	imp.fd = fd;
	tap_ok(!ioctl(vgem, DRM_IOCTL_PRIME_FD_TO_HANDLE, &imp) && imp.handle,
	       "vgem imports the SMAF fd (handle %u)", imp.handle);
	if (vgem_maps_at_import()) {
		tap_ok(!smaf_buffer_field(fd, "allocated", val, sizeof(val)) &&
		       !strcmp(val, "1"), "the import mapped it for vgem and allocated it");
	} else {
		tap_ok(!smaf_buffer_field(fd, "allocated", val, sizeof(val)) &&
		       !strcmp(val, "0"), "vgem attached without mapping: not allocated yet");
		p = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		tap_ok(p != MAP_FAILED && (p[4096] = 1) &&
		       !smaf_buffer_field(fd, "allocated", val, sizeof(val)) && !strcmp(val, "1"),
		       "the CPU's first write allocates it");
		if (p != MAP_FAILED)
			munmap(p, SIZE);
	}
	tap_ok(!smaf_buffer_field(fd, "attachments", val, sizeof(val)) && !strcmp(val, "1"),
	       "vgem's device is attached");
	tap_ok(!smaf_buffer_field(fd, "allocator", val, sizeof(val)) && !strcmp(val, "system"),
	       "allocator picked for vgem: %s", val);
	tap_ok(smaf_allocator_stat("system", "allocations") == allocs + 1,
	       "exactly one allocation");

	memset(&exp, 0, sizeof(exp));
	exp.handle = imp.handle;
	exp.flags = DRM_CLOEXEC | DRM_RDWR;
	tap_ok(!ioctl(vgem, DRM_IOCTL_PRIME_HANDLE_TO_FD, &exp) && exp.fd >= 0,
	       "vgem re-exports the handle");
	refd = exp.fd;
	fstat(fd, &st1);
	fstat(refd, &st2);
	tap_ok(st1.st_ino == st2.st_ino && st1.st_dev == st2.st_dev,
	       "re-export gives back the same dma-buf");

	p = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	q = mmap(NULL, SIZE, PROT_READ, MAP_SHARED, refd, 0);
	tap_ok(p != MAP_FAILED && q != MAP_FAILED, "both fds map");
	if (p != MAP_FAILED && q != MAP_FAILED) {
		p[SIZE - 1] = 0x77;
		p[0] = 0x11;
		tap_ok(q[SIZE - 1] == 0x77 && q[0] == 0x11, "same bytes through both fds");
		munmap(p, SIZE);
		munmap(q, SIZE);
	}

	/* A second import of the same dma-buf returns the same handle. */
	memset(&exp, 0, sizeof(exp));
	exp.fd = fd;
	tap_ok(!ioctl(vgem, DRM_IOCTL_PRIME_FD_TO_HANDLE, &exp) && exp.handle == imp.handle,
	       "importing again gives the same handle");

	memset(&gc, 0, sizeof(gc));
	gc.handle = imp.handle;
	tap_ok(!ioctl(vgem, DRM_IOCTL_GEM_CLOSE, &gc), "close the vgem handle");
	tap_ok(!smaf_buffer_field(fd, "attachments", val, sizeof(val)) && !strcmp(val, "0"),
	       "vgem detached");
	close(fd);
	close(refd);
	tap_ok(smaf_live_buffers() == 0, "no buffer left");
	close(vgem);
	close(dev);
	return tap_done();
}

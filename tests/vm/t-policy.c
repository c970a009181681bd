// SPDX-License-Identifier: GPL-2.0
/*
 * The policy (which devices need contiguous memory) is readable, settable by
 * root at runtime, rejects bad input with a precise errno, and changes take
 * effect for buffers allocated afterwards.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <drm.h>
#include <linux/dma-buf.h>

#include "smaf-test.h"

#define POLICY "/sys/module/smaf/parameters/policy"

static int read_policy(char *buf, size_t len)
{
	int fd = open(POLICY, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return 0;
}

static int write_policy(const char *text)
{
	return write_file(POLICY, text);
}

/*
 * Imports @fd into vgem and returns the allocator picked at the first use:
 * vgem's map at import, or (a vgem that only attaches) the CPU's first
 * access with vgem's device attached.
 */
static void vgem_first_use(int vgem, int fd, char *alloc, size_t len)
{
	struct drm_prime_handle ph = { .fd = fd };
	struct drm_gem_close gc;

	alloc[0] = '\0';
	if (ioctl(vgem, DRM_IOCTL_PRIME_FD_TO_HANDLE, &ph))
		return;
	if (!vgem_maps_at_import() &&
	    (dmabuf_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW) ||
	     dmabuf_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW)))
		return;
	smaf_buffer_field(fd, "allocator", alloc, len);
	gc.handle = ph.handle;
	gc.pad = 0;
	ioctl(vgem, DRM_IOCTL_GEM_CLOSE, &gc);
}

int main(void)
{
	char before[4096], now[4096], alloc[32], longname[80], many[2048];
	int dev, vgem, a, b, i, status;
	pid_t pid;

	dev = open("/dev/smaf", O_RDWR);
	vgem = vgem_open();
	if (dev < 0 || vgem < 0)
		tap_bail("cannot open /dev/smaf or vgem");

	tap_ok(!read_policy(before, sizeof(before)) && strstr(before, "device:vgem=sg"),
	       "default policy readable, says vgem does scatter-gather");

	tap_ok(write_policy("bogus") == EINVAL, "rule without kind: EINVAL");
	tap_ok(write_policy("driver:vivid=maybe") == EINVAL, "unknown need: EINVAL");
	tap_ok(write_policy("driver:=sg") == EINVAL, "empty name: EINVAL");
	tap_ok(write_policy("device:vgem") == EINVAL, "missing need: EINVAL");
	tap_ok(write_policy("bus:pci=sg") == EINVAL, "unknown kind: EINVAL");
	memset(longname, 'x', sizeof(longname));
	memcpy(longname, "driver:", 7);
	strcpy(longname + 60, "=sg");
	tap_ok(write_policy(longname) == ENAMETOOLONG, "53-character name: ENAMETOOLONG");
	many[0] = '\0';
	for (i = 0; i < 33; i++)
		sprintf(many + strlen(many), "driver:d%d=sg ", i);
	tap_ok(write_policy(many) == E2BIG, "33 rules: E2BIG");
	tap_ok(!read_policy(now, sizeof(now)) && !strcmp(now, before),
	       "rejected writes left the policy unchanged");

	pid = fork();
	if (pid == 0) {
		if (setuid(1000))
			_exit(2);
		_exit(write_policy("device:vgem=contig") == EACCES ? 0 : 1);
	}
	waitpid(pid, &status, 0);
	tap_ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "uid 1000 cannot write it: EACCES");

	/* Effect on buffers allocated afterwards, not on earlier ones. */
	a = smaf_test_create(dev, 1 << 20, NULL);
	vgem_first_use(vgem, a, alloc, sizeof(alloc));
	tap_ok(!strcmp(alloc, "system"), "default policy: vgem gets scattered pages (%s)", alloc);

	tap_ok(write_policy("device:vgem=contig,driver:vivid=contig") == 0,
	       "root sets 'device:vgem=contig,driver:vivid=contig'");
	tap_ok(!read_policy(now, sizeof(now)) &&
	       !strcmp(now, "device:vgem=contig\ndriver:vivid=contig\n"),
	       "read back in canonical form");
	b = smaf_test_create(dev, 1 << 20, NULL);
	vgem_first_use(vgem, b, alloc, sizeof(alloc));
	tap_ok(alloc[0] && strcmp(alloc, "system") && smaf_buffer_num(b, "contig") == 1,
	       "new policy: vgem now gets contiguous memory (%s)", alloc);
	smaf_buffer_field(a, "allocator", alloc, sizeof(alloc));
	tap_ok(!strcmp(alloc, "system"), "the earlier buffer is unchanged (%s)", alloc);
	close(a);
	close(b);

	tap_ok(write_policy("\n") == 0 && !read_policy(now, sizeof(now)) && !now[0],
	       "an empty policy clears every rule");
	tap_ok(write_policy(before) == 0 && !read_policy(now, sizeof(now)) &&
	       !strcmp(now, before), "the default policy is restored");

	close(vgem);
	tap_ok(smaf_live_buffers() == 0, "no buffer left");
	close(dev);
	return tap_done();
}

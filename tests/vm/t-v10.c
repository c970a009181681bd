// SPDX-License-Identifier: GPL-2.0
/*
 * The SMAF v10 libsmaf behaviours, through the unchanged v10 API and the
 * v10 names of the uAPI header (SMAF_RDWR, SMAF_CLOEXEC).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <linux/smaf.h>

#include "libsmaf.h"
#include "smaf-test.h"

static int check_mmap(int fd, size_t len, unsigned char seed)
{
	unsigned char *p;
	size_t i;
	int ok = 1;

	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return 0;
	for (i = 0; i < len; i++)
		if (p[i])
			ok = 0;
	for (i = 0; i < len; i++)
		p[i] = (unsigned char)(i * 7 + seed);
	munmap(p, len);
	p = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return 0;
	for (i = 0; i < len; i++)
		if (p[i] != (unsigned char)(i * 7 + seed))
			ok = 0;
	munmap(p, len);
	return ok;
}

int main(void)
{
	char val[64];
	int fd, n, i;
	char *name;

	tap_ok(smaf_open() == 0, "smaf_open");
	tap_ok(smaf_open() == 0, "smaf_open again (reference counted)");
	smaf_close();

	tap_ok(smaf_create_buffer(4096, O_RDWR, NULL, &fd) == 0 && fd >= 0,
	       "create unnamed buffer");
	tap_ok(smaf_get_secure(fd) == 0, "new buffer is not secure");
	errno = 0;
	tap_ok(smaf_set_secure(fd, 1) == -1 && errno == EOPNOTSUPP,
	       "set secure without secure module fails with EOPNOTSUPP");
	tap_ok(smaf_set_secure(fd, 0) == 0, "clearing an unset secure flag succeeds");
	close(fd);

	tap_ok(smaf_create_buffer(4096, SMAF_RDWR | SMAF_CLOEXEC, NULL, &fd) == 0 && fd >= 0,
	       "create with v10's SMAF_RDWR | SMAF_CLOEXEC");
	tap_ok((fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDWR &&
	       (fcntl(fd, F_GETFD) & FD_CLOEXEC), "the fd is read-write and close-on-exec");
	tap_ok(check_mmap(fd, 4096, 1), "it maps writable, zeroed, and reads back");
	close(fd);
	tap_ok(smaf_create_buffer(4096, 0, NULL, &fd) == 0 && fd >= 0 &&
	       (fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDONLY && !(fcntl(fd, F_GETFD) & FD_CLOEXEC),
	       "without them the fd is read-only and survives exec");
	close(fd);

	n = smaf_allocator_count();
	tap_ok(n >= 1, "allocator count %d", n);
	for (i = 0; i < n; i++) {
		name = smaf_get_allocator_name(i);
		tap_ok(name != NULL, "allocator %d has a name (%s)", i, name ? name : "?");
		if (!name)
			continue;
		fd = -1;
		tap_ok(smaf_create_buffer(8192, O_RDWR | O_CLOEXEC, name, &fd) == 0,
		       "create with allocator '%s'", name);
		tap_ok(check_mmap(fd, 8192, 3), "buffer from '%s' maps, zeroed, read back", name);
		tap_ok(!smaf_buffer_field(fd, "allocator", val, sizeof(val)) &&
		       !strcmp(val, name), "allocator '%s' backs it (debugfs: %s)", name, val);
		close(fd);
		free(name);
	}
	errno = 0;
	tap_ok(smaf_get_allocator_name(n) == NULL && errno == ERANGE,
	       "out-of-range allocator index fails with ERANGE");
	tap_ok(smaf_get_allocator_name(-1) == NULL, "negative allocator index fails");

	errno = 0;
	tap_ok(smaf_create_buffer(4096, O_RDWR, "no-such-allocator", &fd) == -1 &&
	       fd == -1 && errno == ENOENT, "unknown allocator name fails with ENOENT");

	tap_ok(smaf_create_buffer(1000, O_RDWR, NULL, &fd) == 0, "non-page-aligned length");
	tap_ok(check_mmap(fd, 1000, 5), "mmap of a non-page-aligned buffer");
	close(fd);

	tap_ok(smaf_create_buffer(3 * 4096 + 1, O_RDWR, NULL, &fd) == 0,
	       "non-page-aligned length over pages");
	tap_ok(check_mmap(fd, 4 * 4096, 9), "whole rounded-up buffer maps");
	close(fd);

	tap_ok(smaf_create_buffer(1 << 20, O_RDWR, NULL, &fd) == 0, "create 1 MiB");
	tap_ok(check_mmap(fd, 1 << 20, 11), "plain mmap: write and read back");
	close(fd);

	smaf_close();
	errno = 0;
	tap_ok(smaf_create_buffer(4096, O_RDWR, NULL, &fd) == -1 && errno == EBADF,
	       "create after the last smaf_close fails with EBADF");
	tap_ok(smaf_live_buffers() == 0, "no buffer left");
	return tap_done();
}

// SPDX-License-Identifier: GPL-2.0
/*
 * Every invalid input gets its documented errno, and nothing is left behind.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <drm.h>
#include <linux/smaf.h>

#include "smaf-test.h"

static int dev;

static int create_errno(struct smaf_create_data *d)
{
	errno = 0;
	if (!ioctl(dev, SMAF_IOC_CREATE, d)) {
		close(d->fd);
		return 0;
	}
	return errno;
}

static void create_case(const char *what, void (*mod)(struct smaf_create_data *),
			int want)
{
	struct smaf_create_data d;
	int err;

	memset(&d, 0, sizeof(d));
	d.length = 4096;
	d.flags = O_RDWR;
	mod(&d);
	err = create_errno(&d);
	tap_ok(err == want, "CREATE %s: errno %d (%s), want %d (%s)", what, err,
	       strerror(err), want, strerror(want));
}

static void c_version(struct smaf_create_data *d) { d->version = 2; }
static void c_v0_hints(struct smaf_create_data *d) { d->hints = SMAF_HINT_CONTIGUOUS; }
static void c_v0_align(struct smaf_create_data *d) { d->alignment = 1 << 20; }
static void c_v1_ok(struct smaf_create_data *d)
{
	d->version = 1;
	d->hints = SMAF_HINTS_ALL;
	d->alignment = 1 << 20;
}
static void c_v1_hint(struct smaf_create_data *d) { d->version = 1; d->hints = 1u << 7; }
static void c_v1_res4(struct smaf_create_data *d) { d->version = 1; d->reserved4 = 1; }
static void c_v1_align3(struct smaf_create_data *d) { d->version = 1; d->alignment = 3; }
static void c_v1_alignbig(struct smaf_create_data *d)
{
	d->version = 1;
	d->alignment = SMAF_MAX_ALIGNMENT << 1;
}
static void c_version_big(struct smaf_create_data *d) { d->version = UINT64_MAX; }
static void c_res1(struct smaf_create_data *d) { d->reserved1 = 1; }
static void c_res2(struct smaf_create_data *d) { d->reserved2 = 0x80000000u; }
static void c_res3_first(struct smaf_create_data *d) { d->reserved3[0] = 1; }
static void c_res3_last(struct smaf_create_data *d) { d->reserved3[15] = 0xff; }
static void c_flags(struct smaf_create_data *d) { d->flags = O_RDWR | O_NONBLOCK; }
static void c_flags_high(struct smaf_create_data *d) { d->flags = 0x80000000u; }
static void c_len0(struct smaf_create_data *d) { d->length = 0; }
static void c_len_ram(struct smaf_create_data *d) { d->length = 1ULL << 44; }
static void c_len_max(struct smaf_create_data *d) { d->length = UINT64_MAX; }
static void c_name_nonul(struct smaf_create_data *d) { memset(d->name, 'a', sizeof(d->name)); }
static void c_name_unknown(struct smaf_create_data *d) { strcpy((char *)d->name, "nonexistent"); }
static void c_ok(struct smaf_create_data *d) { (void)d; }
static void c_ok_cloexec(struct smaf_create_data *d) { d->flags = O_RDWR | O_CLOEXEC; }
static void c_ok_odd(struct smaf_create_data *d) { d->length = 1; }

static int secure_errno(unsigned long cmd, struct smaf_secure_flag *f)
{
	errno = 0;
	return ioctl(dev, cmd, f) ? errno : 0;
}

static void secure_case(const char *what, int fd, uint64_t version,
			uint32_t res1, int res2_byte, uint32_t secure, int want_get,
			int want_set)
{
	struct smaf_secure_flag f;
	int err;

	memset(&f, 0, sizeof(f));
	f.version = version;
	f.fd = fd;
	f.reserved1 = res1;
	if (res2_byte >= 0)
		f.reserved2[res2_byte] = 1;
	f.secure = secure;
	err = secure_errno(SMAF_IOC_GET_SECURE_FLAG, &f);
	tap_ok(err == want_get, "GET_SECURE_FLAG %s: errno %d, want %d", what, err, want_get);
	memset(&f, 0, sizeof(f));
	f.version = version;
	f.fd = fd;
	f.reserved1 = res1;
	if (res2_byte >= 0)
		f.reserved2[res2_byte] = 1;
	f.secure = secure;
	err = secure_errno(SMAF_IOC_SET_SECURE_FLAG, &f);
	tap_ok(err == want_set, "SET_SECURE_FLAG %s: errno %d, want %d", what, err, want_set);
}

static int info_errno(struct smaf_info *i)
{
	errno = 0;
	return ioctl(dev, SMAF_IOC_GET_INFO, i) ? errno : 0;
}

static int vgem_dmabuf(void)
{
	struct drm_mode_create_dumb cd;
	struct drm_prime_handle ph;
	int vgem = vgem_open();

	if (vgem < 0)
		return -1;
	memset(&cd, 0, sizeof(cd));
	cd.width = 64;
	cd.height = 64;
	cd.bpp = 32;
	memset(&ph, 0, sizeof(ph));
	if (!ioctl(vgem, DRM_IOCTL_MODE_CREATE_DUMB, &cd)) {
		ph.handle = cd.handle;
		ph.flags = DRM_CLOEXEC;
		if (ioctl(vgem, DRM_IOCTL_PRIME_HANDLE_TO_FD, &ph))
			ph.fd = -1;
	} else {
		ph.fd = -1;
	}
	close(vgem);
	return ph.fd;
}

int main(void)
{
	struct smaf_info info;
	int fd, nullfd, foreign, err;
	void *p;

	dev = open("/dev/smaf", O_RDWR);
	if (dev < 0)
		tap_bail("cannot open /dev/smaf");

	create_case("valid", c_ok, 0);
	create_case("valid with O_CLOEXEC", c_ok_cloexec, 0);
	create_case("length 1", c_ok_odd, 0);
	create_case("version 2", c_version, EINVAL);
	create_case("version 0 with hints", c_v0_hints, EINVAL);
	create_case("version 0 with alignment", c_v0_align, EINVAL);
	create_case("version 1 with every hint and 1 MiB alignment", c_v1_ok, 0);
	create_case("version 1 unknown hint", c_v1_hint, EINVAL);
	create_case("version 1 reserved4", c_v1_res4, EINVAL);
	create_case("version 1 alignment 3", c_v1_align3, EINVAL);
	create_case("version 1 alignment 2 GiB", c_v1_alignbig, EINVAL);
	create_case("version UINT64_MAX", c_version_big, EINVAL);
	create_case("reserved1", c_res1, EINVAL);
	create_case("reserved2", c_res2, EINVAL);
	create_case("reserved3[0]", c_res3_first, EINVAL);
	create_case("reserved3[15]", c_res3_last, EINVAL);
	create_case("flag O_NONBLOCK", c_flags, EINVAL);
	create_case("flag bit 31", c_flags_high, EINVAL);
	create_case("length 0", c_len0, EINVAL);
	create_case("length 16 TiB", c_len_ram, EFBIG);
	create_case("length UINT64_MAX", c_len_max, EFBIG);
	create_case("name without NUL", c_name_nonul, ENAMETOOLONG);
	create_case("unknown name", c_name_unknown, ENOENT);

	errno = 0;
	tap_ok(ioctl(dev, SMAF_IOC_CREATE, (void *)16) == -1 && errno == EFAULT,
	       "CREATE with a bad pointer: EFAULT");
	errno = 0;
	tap_ok(ioctl(dev, _IOWR('S', 9, struct smaf_info), &info) == -1 && errno == ENOTTY,
	       "unknown ioctl: ENOTTY");
	errno = 0;
	tap_ok(ioctl(dev, _IOWR('S', 0, struct smaf_secure_flag), &info) == -1 &&
	       errno == ENOTTY, "CREATE number with a wrong size: ENOTTY");

	/* A read-only buffer cannot be mapped writable. */
	{
		struct smaf_create_data d;

		memset(&d, 0, sizeof(d));
		d.length = 4096;
		d.flags = O_RDONLY;
		tap_ok(!ioctl(dev, SMAF_IOC_CREATE, &d), "create read-only buffer");
		p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, d.fd, 0);
		err = errno;
		tap_ok(p == MAP_FAILED && err == EACCES, "read-only buffer: writable mmap EACCES");
		p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, d.fd, 0);
		tap_ok(p != MAP_FAILED && ((volatile char *)p)[10] == 0,
		       "read-only buffer: read-only mmap works and reads zero");
		if (p != MAP_FAILED)
			munmap(p, 4096);
		close(d.fd);
	}

	/* mmap beyond the buffer. */
	fd = smaf_test_create(dev, 4096, NULL);
	errno = 0;
	p = mmap(NULL, 8192, PROT_READ, MAP_SHARED, fd, 0);
	tap_ok(p == MAP_FAILED && errno == EINVAL, "mmap larger than the buffer: EINVAL");
	p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 4096);
	tap_ok(p == MAP_FAILED && errno == EINVAL, "mmap at an offset past the end: EINVAL");

	nullfd = open("/dev/null", O_RDWR);
	foreign = vgem_dmabuf();
	tap_ok(foreign >= 0, "a dma-buf from another exporter (vgem)");
	secure_case("valid", fd, 0, 0, -1, 0, 0, 0);
	secure_case("secure=1 without secure module", fd, 0, 0, -1, 1, 0, EOPNOTSUPP);
	secure_case("secure=2", fd, 0, 0, -1, 2, 0, EINVAL);
	secure_case("fd -1", -1, 0, 0, -1, 0, EBADF, EBADF);
	secure_case("fd not open", 1000, 0, 0, -1, 0, EBADF, EBADF);
	secure_case("non-dma-buf fd", nullfd, 0, 0, -1, 0, EINVAL, EINVAL);
	secure_case("the /dev/smaf fd", dev, 0, 0, -1, 0, EINVAL, EINVAL);
	secure_case("foreign dma-buf", foreign, 0, 0, -1, 0, EINVAL, EINVAL);
	secure_case("version 1", fd, 1, 0, -1, 0, EINVAL, EINVAL);
	secure_case("reserved1", fd, 0, 7, -1, 0, EINVAL, EINVAL);
	secure_case("reserved2[0]", fd, 0, 0, 0, 0, EINVAL, EINVAL);
	secure_case("reserved2[43]", fd, 0, 0, 43, 0, EINVAL, EINVAL);
	close(foreign);
	close(nullfd);
	close(fd);

	memset(&info, 0, sizeof(info));
	info.index = 1000;
	err = info_errno(&info);
	tap_ok(err == ERANGE && info.count >= 1, "GET_INFO index out of range: ERANGE, count %u",
	       info.count);
	memset(&info, 0, sizeof(info));
	info.version = 2;
	tap_ok(info_errno(&info) == EINVAL, "GET_INFO version 2: EINVAL");
	memset(&info, 0, sizeof(info));
	info.ranking = 5;
	tap_ok(info_errno(&info) == EINVAL, "GET_INFO version 0 with ranking set: EINVAL");
	memset(&info, 0, sizeof(info));
	info.reserved1 = 1;
	tap_ok(info_errno(&info) == EINVAL, "GET_INFO reserved1: EINVAL");
	memset(&info, 0, sizeof(info));
	info.reserved2 = 1;
	tap_ok(info_errno(&info) == EINVAL, "GET_INFO reserved2: EINVAL");
	memset(&info, 0, sizeof(info));
	info.reserved3[35] = 1;
	tap_ok(info_errno(&info) == EINVAL, "GET_INFO reserved3: EINVAL");
	memset(&info, 0, sizeof(info));
	info.version = 1;
	tap_ok(info_errno(&info) == 0 && !strcmp((char *)info.name, "system") &&
	       info.count >= 1, "GET_INFO version 1 index 0: %s ranking %d", info.name,
	       info.ranking);
	memset(&info, 0, sizeof(info));
	info.index = 0;
	tap_ok(info_errno(&info) == 0 && info.ranking == 0 && info.name[0],
	       "GET_INFO version 0 leaves ranking 0");

	tap_ok(smaf_live_buffers() == 0, "no buffer left");
	close(dev);
	return tap_done();
}

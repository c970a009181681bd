// SPDX-License-Identifier: GPL-2.0
/*
 * SMAF_IOC_QUERY_BUFFER and libsmaf's buffer info: what a buffer is before
 * and after its first use (agreeing with the debugfs view), the reason of
 * a named, best-match and failed choice, a device attached, a read-only
 * buffer, every refused argument with its errno, and no stale byte in what
 * comes back.  SMAF_IOC_QUERY_ALLOCATOR and libsmaf's allocator usage: the
 * bytes a buffer adds, the caller's own, limits as the "limits" parameter
 * says, and its refusals.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <drm.h>
#include <linux/smaf.h>

#include "libsmaf.h"
#include "smaf-test.h"

/* The raw query of @fd into @q; 0 or the errno. */
static int query(int dev, int fd, struct smaf_buffer_query *q)
{
	memset(q, 0, sizeof(*q));
	q->fd = fd;
	return ioctl(dev, SMAF_IOC_QUERY_BUFFER, q) ? errno : 0;
}

/* @mutate applied to a valid query of @fd: the errno it gets. */
static int query_bad(int dev, int fd, void (*mutate)(struct smaf_buffer_query *q))
{
	struct smaf_buffer_query q;

	memset(&q, 0, sizeof(q));
	q.fd = fd;
	mutate(&q);
	return ioctl(dev, SMAF_IOC_QUERY_BUFFER, &q) ? errno : 0;
}

static void bad_version(struct smaf_buffer_query *q) { q->version = 1; }
static void bad_reserved1(struct smaf_buffer_query *q) { q->reserved1 = 1; }
static void bad_reserved2(struct smaf_buffer_query *q) { q->reserved2 = 1; }
static void bad_reserved3(struct smaf_buffer_query *q) { q->reserved3[39] = 1; }
static void bad_fd(struct smaf_buffer_query *q) { q->fd = -1; }

static void check_unused(int dev, int fd)
{
	struct smaf_buffer_query q;

	tap_ok(query(dev, fd, &q) == 0, "query of a new buffer");
	tap_ok(q.length == 1 << 20, "length: 1 MiB (%llu)", (unsigned long long)q.length);
	tap_ok(q.state == SMAF_STATE_WRITABLE, "state: writable, no memory yet (%#x)", q.state);
	tap_ok(q.reason == SMAF_REASON_NONE && !q.allocator[0] && !q.chunks,
	       "no allocator, no reason, no chunk");
	tap_ok(!q.last_error && !q.migrations && !q.refusals && !q.devices,
	       "no error, move or device");
}

/* A number of buffer @fd's debugfs line, -1 if absent. */
static long long debugfs_num(int fd, const char *key)
{
	char val[64];

	return smaf_buffer_debugfs_field(fd, key, val, sizeof(val)) ? -1 :
	       strtoll(val, NULL, 0);
}

static void check_used(int dev, int fd)
{
	struct smaf_buffer_query q;
	char name[SMAF_NAME_LEN];
	long long chunks, contig;

	tap_ok(smaf_first_use(fd) == 0, "first use by the CPU");
	tap_ok(query(dev, fd, &q) == 0, "query after the first use");
	tap_ok(q.state & SMAF_STATE_ALLOCATED, "state: allocated (%#x)", q.state);
	tap_ok(q.reason == SMAF_REASON_BEST_MATCH, "reason: best match (%u)", q.reason);
	tap_ok(!smaf_buffer_debugfs_field(fd, "allocator", name, sizeof(name)) &&
	       !strcmp(name, (char *)q.allocator),
	       "allocator '%s', as debugfs says", (char *)q.allocator);
	chunks = debugfs_num(fd, "segments");
	contig = debugfs_num(fd, "contig");
	tap_ok(q.chunks > 0 && q.chunks == chunks, "chunks: %u, as debugfs says (%lld)",
	       q.chunks, chunks);
	tap_ok(!!(q.state & SMAF_STATE_CONTIGUOUS) == (contig == 1),
	       "contiguous as debugfs says (%lld)", contig);
	tap_ok(q.last_error == 0, "no error");
}

static void check_named_and_failed(int dev)
{
	struct smaf_buffer_query q;
	int fd;

	fd = smaf_test_create(dev, 1 << 20, "system");
	tap_ok(fd >= 0 && smaf_first_use(fd) == 0 && query(dev, fd, &q) == 0,
	       "a buffer named 'system' used");
	tap_ok(q.reason == SMAF_REASON_NAMED && !strcmp((char *)q.allocator, "system"),
	       "reason: named, allocator 'system' (%u, '%s')", q.reason, (char *)q.allocator);
	close(fd);

	/* The system allocator cannot give 1 MiB in one physical range. */
	fd = smaf_test_create_v1(dev, 1 << 20, "system", SMAF_HINT_CONTIGUOUS, 0);
	tap_ok(fd >= 0 && smaf_first_use(fd) == EXDEV, "named 'system', contiguous: EXDEV");
	tap_ok(query(dev, fd, &q) == 0 && !(q.state & SMAF_STATE_ALLOCATED) &&
	       q.last_error == EXDEV && q.reason == SMAF_REASON_NONE,
	       "the query says no memory, last error EXDEV (%d)", q.last_error);
	close(fd);
}

static void check_device_and_read_only(int dev)
{
	struct drm_prime_handle imp = { 0 };
	struct smaf_buffer_query q;
	struct smaf_create_data d;
	int fd, vgem;

	fd = smaf_test_create(dev, 1 << 20, NULL);
	vgem = vgem_open();
	imp.fd = fd;
	tap_ok(vgem >= 0 && !ioctl(vgem, DRM_IOCTL_PRIME_FD_TO_HANDLE, &imp),
	       "vgem imports the buffer");
	tap_ok(query(dev, fd, &q) == 0 && q.devices == 1, "devices: 1 (%u)", q.devices);
	if (vgem >= 0)
		close(vgem);
	close(fd);

	memset(&d, 0, sizeof(d));
	d.length = 4096;
	d.flags = O_CLOEXEC;
	tap_ok(!ioctl(dev, SMAF_IOC_CREATE, &d), "a read-only buffer");
	tap_ok(query(dev, d.fd, &q) == 0 && !(q.state & SMAF_STATE_WRITABLE) &&
	       q.length == 4096, "state: not writable, length 4096 (%#x)", q.state);
	close(d.fd);
}

static void check_errors(int dev, int fd)
{
	struct smaf_buffer_query q;
	int null = open("/dev/null", O_RDONLY);

	tap_ok(query_bad(dev, fd, bad_version) == EINVAL, "version 1: EINVAL");
	tap_ok(query_bad(dev, fd, bad_reserved1) == EINVAL, "reserved1: EINVAL");
	tap_ok(query_bad(dev, fd, bad_reserved2) == EINVAL, "reserved2: EINVAL");
	tap_ok(query_bad(dev, fd, bad_reserved3) == EINVAL, "last reserved byte: EINVAL");
	tap_ok(query_bad(dev, fd, bad_fd) == EBADF, "fd -1: EBADF");
	tap_ok(query(dev, null, &q) == EINVAL, "not a dma-buf: EINVAL");
	tap_ok(query(dev, dev, &q) == EINVAL, "/dev/smaf itself: EINVAL");
	tap_ok(ioctl(dev, SMAF_IOC_QUERY_BUFFER, (void *)8) && errno == EFAULT,
	       "bad pointer: EFAULT");
	close(null);

	/* Out fields the caller filled come back as the kernel's, no more. */
	memset(&q, 0xff, sizeof(q));
	q.version = 0;
	q.fd = fd;
	q.reserved1 = q.reserved2 = 0;
	memset(q.reserved3, 0, sizeof(q.reserved3));
	tap_ok(!ioctl(dev, SMAF_IOC_QUERY_BUFFER, &q) &&
	       !memchr((char *)q.allocator + strlen((char *)q.allocator), 0xff,
		       sizeof(q.allocator) - strlen((char *)q.allocator)),
	       "the allocator name is NUL-padded, nothing of the caller's left");
}

static void check_library(int fd)
{
	struct smaf_device *sd = smaf_device_open(NULL);
	struct smaf_buffer_info *info = sd ? smaf_buffer_get_info(sd, fd) : NULL;
	struct smaf_buffer_query q;

	tap_ok(info != NULL, "libsmaf: smaf_buffer_get_info()");
	if (info) {
		query(smaf_device_get_fd(sd), fd, &q);
		tap_ok(smaf_buffer_info_get_length(info) == q.length &&
		       smaf_buffer_info_get_state(info) == q.state &&
		       smaf_buffer_info_get_reason(info) == (int)q.reason &&
		       !strcmp(smaf_buffer_info_get_allocator(info), (char *)q.allocator) &&
		       smaf_buffer_info_get_chunks(info) == q.chunks &&
		       smaf_buffer_info_get_last_error(info) == q.last_error &&
		       smaf_buffer_info_get_migrations(info) == q.migrations &&
		       smaf_buffer_info_get_refusals(info) == q.refusals &&
		       smaf_buffer_info_get_devices(info) == q.devices,
		       "libsmaf: every getter says what the ioctl says");
	}
	smaf_buffer_info_free(info);
	errno = 0;
	tap_ok(sd && !smaf_buffer_get_info(sd, -1) && errno == EBADF,
	       "libsmaf: fd -1: NULL, EBADF");
	smaf_device_close(sd);
}

/* The raw allocator query of @index into @q; 0 or the errno. */
static int query_alloc(int dev, unsigned int index, struct smaf_allocator_query *q)
{
	memset(q, 0, sizeof(*q));
	q->index = index;
	return ioctl(dev, SMAF_IOC_QUERY_ALLOCATOR, q) ? errno : 0;
}

/* The index of allocator @name, -1 if none. */
static int alloc_index(int dev, const char *name)
{
	struct smaf_allocator_query q;
	unsigned int i;

	for (i = 0; !query_alloc(dev, i, &q); i++)
		if (!strcmp((char *)q.name, name))
			return i;
	return -1;
}

static void check_allocator_query(int dev)
{
	struct smaf_allocator_usage *u;
	struct smaf_allocator_query q, after;
	struct smaf_device *sd;
	char limits[4096], want[128];
	int i = alloc_index(dev, "system"), fd;

	tap_ok(i >= 0, "the allocator query lists 'system' (index %d)", i);
	tap_ok(query_alloc(dev, i, &q) == 0 && q.count >= 2 && q.ranking > 0 &&
	       q.user_max && q.global_max, "system: count %u, ranking %d, limits %llu/%llu",
	       q.count, q.ranking, (unsigned long long)q.user_max,
	       (unsigned long long)q.global_max);
	snprintf(want, sizeof(want), "system:user=%llu,system:global=%llu,system:reserve=%llu",
		 (unsigned long long)q.user_max, (unsigned long long)q.global_max,
		 (unsigned long long)q.reserve);
	tap_ok(!smaf_limits_get(limits, sizeof(limits)) && strstr(limits, want),
	       "its limits are the 'limits' parameter's");

	fd = smaf_test_create(dev, 1 << 20, "system");
	tap_ok(fd >= 0 && smaf_first_use(fd) == 0 && query_alloc(dev, i, &after) == 0 &&
	       after.user_bytes == q.user_bytes + (1 << 20) &&
	       after.buffers >= 1 && after.allocations == q.allocations + 1,
	       "a 1 MiB buffer: the caller's bytes +1 MiB, one more allocation");
	close(fd);

	tap_ok(query_alloc(dev, q.count, &after) == ERANGE && after.count == q.count &&
	       !after.name[0], "index = count: ERANGE, count written, no name");
	memset(&after, 0, sizeof(after));
	after.version = 1;
	tap_ok(ioctl(dev, SMAF_IOC_QUERY_ALLOCATOR, &after) && errno == EINVAL,
	       "allocator query version 1: EINVAL");
	memset(&after, 0, sizeof(after));
	after.reserved[39] = 1;
	tap_ok(ioctl(dev, SMAF_IOC_QUERY_ALLOCATOR, &after) && errno == EINVAL,
	       "allocator query, last reserved byte: EINVAL");
	tap_ok(ioctl(dev, SMAF_IOC_QUERY_ALLOCATOR, (void *)8) && errno == EFAULT,
	       "allocator query, bad pointer: EFAULT");

	sd = smaf_device_open(NULL);
	u = sd ? smaf_device_get_allocator_usage(sd, i) : NULL;
	query_alloc(dev, i, &q);
	tap_ok(u && !strcmp(smaf_allocator_usage_get_name(u), "system") &&
	       smaf_allocator_usage_get_ranking(u) == q.ranking &&
	       smaf_allocator_usage_get_user_max(u) == q.user_max &&
	       smaf_allocator_usage_get_global_max(u) == q.global_max &&
	       smaf_allocator_usage_get_reserve(u) == q.reserve &&
	       smaf_allocator_usage_get_allocations(u) == q.allocations &&
	       smaf_allocator_usage_get_failures(u) == q.failures &&
	       smaf_allocator_usage_get_refusals(u) == q.refusals &&
	       smaf_allocator_usage_get_bytes(u) == q.bytes &&
	       smaf_allocator_usage_get_buffers(u) == q.buffers &&
	       smaf_allocator_usage_get_user_bytes(u) == q.user_bytes,
	       "libsmaf: every usage getter says what the ioctl says");
	smaf_allocator_usage_free(u);
	errno = 0;
	tap_ok(sd && !smaf_device_get_allocator_usage(sd, q.count) && errno == ERANGE,
	       "libsmaf: no such index: NULL, ERANGE");
	smaf_device_close(sd);
}

int main(void)
{
	int dev = open("/dev/smaf", O_RDWR | O_CLOEXEC);
	int fd;

	if (dev < 0)
		tap_bail("cannot open /dev/smaf: %s", strerror(errno));
	fd = smaf_test_create(dev, 1 << 20, NULL);
	if (fd < 0)
		tap_bail("cannot create a buffer: %s", strerror(errno));
	check_unused(dev, fd);
	check_errors(dev, fd);
	check_used(dev, fd);
	check_library(fd);
	check_named_and_failed(dev);
	check_device_and_read_only(dev);
	check_allocator_query(dev);
	close(fd);
	close(dev);
	return tap_done();
}

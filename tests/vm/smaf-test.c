// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <drm.h>
#include <linux/dma-buf.h>
#include <linux/smaf.h>
#include <linux/videodev2.h>

#include "smaf-ptprobe.h"
#include "smaf-test.h"

static int tap_count, tap_failed;

void tap_ok(int pass, const char *fmt, ...)
{
	va_list ap;

	tap_count++;
	if (!pass)
		tap_failed++;
	printf("%sok %d - ", pass ? "" : "not ", tap_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

void tap_diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

int tap_done(void)
{
	printf("1..%d\n", tap_count);
	fflush(stdout);
	return tap_failed ? 1 : 0;
}

void tap_bail(const char *fmt, ...)
{
	va_list ap;

	printf("Bail out! ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	exit(1);
}

static sigjmp_buf can_read_jmp;

static void can_read_fault(int sig)
{
	(void)sig;
	siglongjmp(can_read_jmp, 1);
}

int can_read(volatile const unsigned char *p)
{
	signal(SIGSEGV, can_read_fault);
	signal(SIGBUS, can_read_fault);
	if (sigsetjmp(can_read_jmp, 1))
		return 0;
	return p[0] == p[0];
}

int smaf_live_buffers(void)
{
	FILE *f = fopen(DEBUGFS_SMAF "/buffers", "r");
	char line[512];
	int n = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		n++;
	fclose(f);
	return n;
}

int line_field(const char *line, const char *key, char *val, size_t len)
{
	size_t klen = strlen(key);
	const char *p = line;

	while ((p = strstr(p, key))) {
		if ((p == line || p[-1] == ' ') && p[klen] == '=') {
			size_t n = strcspn(p + klen + 1, " \n");

			if (n >= len)
				n = len - 1;
			memcpy(val, p + klen + 1, n);
			val[n] = '\0';
			return 0;
		}
		p += klen;
	}
	return -1;
}

/*
 * Field @key of buffer @fd as SMAF_IOC_QUERY_BUFFER tells it, spelt as in
 * debugfs: 0, -1 if the buffer has no such field now, 1 if the query does
 * not tell that field.
 */
static int query_buffer_field(int fd, const char *key, char *val, size_t len)
{
	static const char *const why[] = { "-", "named", "best-match", "fallback" };
	struct smaf_buffer_query q;
	int dev, ret, alloc;

	memset(&q, 0, sizeof(q));
	q.fd = fd;
	dev = open("/dev/smaf", O_RDWR | O_CLOEXEC);
	if (dev < 0)
		return 1;
	ret = ioctl(dev, SMAF_IOC_QUERY_BUFFER, &q);
	close(dev);
	if (ret)
		return -1;
	alloc = !!(q.state & SMAF_STATE_ALLOCATED);
	if (!strcmp(key, "size"))
		snprintf(val, len, "%llu", (unsigned long long)q.length);
	else if (!strcmp(key, "allocated"))
		snprintf(val, len, "%d", alloc);
	else if (!strcmp(key, "allocator"))
		snprintf(val, len, "%s", alloc ? (char *)q.allocator : "-");
	else if (!strcmp(key, "why") && q.reason < sizeof(why) / sizeof(why[0]))
		snprintf(val, len, "%s", why[q.reason]);
	else if (!strcmp(key, "secure"))
		snprintf(val, len, "%d", !!(q.state & SMAF_STATE_SECURE));
	else if (!strcmp(key, "uncached"))
		snprintf(val, len, "%d", !!(q.state & SMAF_STATE_UNCACHED));
	else if (!strcmp(key, "contig") && alloc)
		snprintf(val, len, "%d", !!(q.state & SMAF_STATE_CONTIGUOUS));
	else if (!strcmp(key, "segments") && alloc)
		snprintf(val, len, "%u", q.chunks);
	else if (!strcmp(key, "error"))
		snprintf(val, len, "%d", -q.last_error);
	else if (!strcmp(key, "migrations"))
		snprintf(val, len, "%u", q.migrations);
	else if (!strcmp(key, "attachments"))
		snprintf(val, len, "%u", q.devices);
	else if (!strcmp(key, "contig") || !strcmp(key, "segments"))
		return -1;
	else
		return 1;
	return 0;
}

/* Field @key of the debugfs line of buffer @fd. */
static int debugfs_buffer_field(int fd, const char *key, char *val, size_t len)
{
	char line[512], ino[32], busy[8];
	int ret, tries;
	struct stat st;
	FILE *f;

	if (fstat(fd, &st))
		return -1;
	/* A buffer whose lock is held shows as "busy=1": ask again. */
	for (tries = 0; tries < 200; tries++) {
		f = fopen(DEBUGFS_SMAF "/buffers", "r");
		if (!f)
			return -1;
		ret = -1;
		while (fgets(line, sizeof(line), f)) {
			if (line_field(line, "ino", ino, sizeof(ino)) ||
			    strtoul(ino, NULL, 10) != (unsigned long)st.st_ino)
				continue;
			if (!line_field(line, "busy", busy, sizeof(busy))) {
				ret = -2;
				break;
			}
			ret = line_field(line, key, val, len);
			break;
		}
		fclose(f);
		if (ret != -2)
			return ret;
		usleep(10000);
	}
	return -1;
}

int smaf_buffer_field(int fd, const char *key, char *val, size_t len)
{
	int ret = query_buffer_field(fd, key, val, len);

	return ret == 1 ? debugfs_buffer_field(fd, key, val, len) : ret;
}

int smaf_buffer_debugfs_field(int fd, const char *key, char *val, size_t len)
{
	return debugfs_buffer_field(fd, key, val, len);
}

long smaf_allocator_stat(const char *name, const char *key)
{
	char line[512], val[64];
	long ret = -1;
	FILE *f;

	f = fopen(DEBUGFS_SMAF "/allocators", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (line_field(line, "name", val, sizeof(val)) || strcmp(val, name))
			continue;
		if (!line_field(line, key, val, sizeof(val)))
			ret = strtol(val, NULL, 10);
		break;
	}
	fclose(f);
	return ret;
}

long long smaf_pool_stat(const char *key)
{
	return smaf_debugfs_stat("pool", key);
}

long long smaf_debugfs_stat(const char *file, const char *key)
{
	char line[512], val[64], path[128];
	long long ret = -1;
	FILE *f;

	snprintf(path, sizeof(path), DEBUGFS_SMAF "/%s", file);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fgets(line, sizeof(line), f) && !line_field(line, key, val, sizeof(val)))
		ret = strtoll(val, NULL, 10);
	fclose(f);
	return ret;
}

int vgem_maps_at_import(void)
{
	char mode[16] = "";
	FILE *f = fopen("/etc/smaf-vgem", "r");

	if (!f)
		tap_bail("/etc/smaf-vgem: %s (the harness writes it)", strerror(errno));
	if (!fgets(mode, sizeof(mode), f))
		mode[0] = '\0';
	fclose(f);
	if (!strcmp(mode, "map\n"))
		return 1;
	if (!strcmp(mode, "attach\n"))
		return 0;
	tap_bail("/etc/smaf-vgem says '%s', not map or attach", mode);
}

uint32_t vivid_find_ctrl(int fd, const char *name)
{
	struct v4l2_queryctrl q;

	memset(&q, 0, sizeof(q));
	q.id = V4L2_CTRL_FLAG_NEXT_CTRL;
	while (!ioctl(fd, VIDIOC_QUERYCTRL, &q)) {
		if (!strcmp((char *)q.name, name))
			return q.id;
		q.id |= V4L2_CTRL_FLAG_NEXT_CTRL;
	}
	return 0;
}

int smaf_test_create(int devfd, uint64_t length, const char *name)
{
	struct smaf_create_data d;

	memset(&d, 0, sizeof(d));
	d.length = length;
	d.flags = O_RDWR | O_CLOEXEC;
	if (name)
		snprintf((char *)d.name, sizeof(d.name), "%s", name);
	if (ioctl(devfd, SMAF_IOC_CREATE, &d))
		return -1;
	return d.fd;
}

int v4l2_capture_frames(int fd, uint32_t type, const int *fds, size_t size, int frames,
			int timeout_ms, int *nonempty)
{
	int idx, got = 0;
	unsigned char *p;
	size_t j, nz;

	*nonempty = 0;
	while (got < frames) {
		idx = v4l2_dqbuf(fd, type, timeout_ms);
		if (idx < 0)
			break;
		got++;
		dmabuf_sync(fds[idx], DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);
		p = mmap(NULL, size, PROT_READ, MAP_SHARED, fds[idx], 0);
		nz = 0;
		if (p != MAP_FAILED) {
			for (j = 0; j < size; j++)
				nz += p[j] != 0;
			munmap(p, size);
		}
		dmabuf_sync(fds[idx], DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);
		*nonempty += nz > size / 4;
		if (v4l2_qbuf_dmabuf(fd, type, idx, fds[idx], 0))
			break;
	}
	return got;
}

int smaf_cpu_cache_mode(const void *addr, unsigned long long *bits)
{
	struct smaf_ptprobe p = { .addr = (unsigned long)addr };
	int fd = open("/dev/smaf-ptprobe", O_RDWR), ret;

	ret = fd >= 0 && !ioctl(fd, SMAF_PTPROBE_IOC_CACHE, &p) ? (int)p.cache : -1;
	*bits = p.bits;
	if (fd >= 0)
		close(fd);
	return ret;
}

int smaf_test_set_secure(int devfd, int fd, unsigned int on)
{
	struct smaf_secure_flag f;

	memset(&f, 0, sizeof(f));
	f.fd = fd;
	f.secure = on;
	return ioctl(devfd, SMAF_IOC_SET_SECURE_FLAG, &f) ? errno : 0;
}

long long smaf_quarantined_bytes(void)
{
	FILE *f = fopen(DEBUGFS_SMAF "/secure", "r");
	char line[256], *p;
	long long v = -1;

	if (!f)
		return -1;
	if (fgets(line, sizeof(line), f) && (p = strstr(line, "quarantined_bytes=")))
		v = strtoll(p + strlen("quarantined_bytes="), NULL, 10);
	fclose(f);
	return v;
}

long long smaf_user_bytes(unsigned int uid, const char *alloc)
{
	FILE *f = fopen(DEBUGFS_SMAF "/users", "r");
	char line[512], val[32], who[32];
	long long v = 0;

	if (!f)
		return -1;
	snprintf(who, sizeof(who), "uid=%u ", uid);
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, who, strlen(who)) &&
		    !line_field(line, alloc, val, sizeof(val)))
			v = strtoll(val, NULL, 10);
	}
	fclose(f);
	return v;
}

int smaf_test_create_v1(int devfd, uint64_t length, const char *name,
			uint32_t hints, uint64_t alignment)
{
	struct smaf_create_data d;

	memset(&d, 0, sizeof(d));
	d.version = 1;
	d.length = length;
	d.flags = O_RDWR | O_CLOEXEC;
	d.hints = hints;
	d.alignment = alignment;
	if (name)
		snprintf((char *)d.name, sizeof(d.name), "%s", name);
	if (ioctl(devfd, SMAF_IOC_CREATE, &d))
		return -1;
	return d.fd;
}

long long smaf_buffer_num(int fd, const char *key)
{
	char val[64];

	if (smaf_buffer_field(fd, key, val, sizeof(val)))
		return -1;
	return strtoll(val, NULL, 0);
}

static unsigned char pattern_byte(size_t i, unsigned int seed)
{
	return (unsigned char)(((i + seed) * 2654435761u) >> 11);
}

void fill_pattern(unsigned char *p, size_t len, unsigned int seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = pattern_byte(i, seed);
}

size_t check_pattern(const unsigned char *p, size_t len, unsigned int seed)
{
	size_t i, bad = 0;

	for (i = 0; i < len; i++)
		bad += p[i] != pattern_byte(i, seed);
	return bad;
}

static long pattern_fd(int fd, size_t len, unsigned int seed, int write)
{
	unsigned char *p;
	long ret = 0;

	p = mmap(NULL, len, PROT_READ | (write ? PROT_WRITE : 0), MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return -1;
	dmabuf_sync(fd, DMA_BUF_SYNC_START | (write ? DMA_BUF_SYNC_WRITE : DMA_BUF_SYNC_READ));
	if (write)
		fill_pattern(p, len, seed);
	else
		ret = (long)check_pattern(p, len, seed);
	dmabuf_sync(fd, DMA_BUF_SYNC_END | (write ? DMA_BUF_SYNC_WRITE : DMA_BUF_SYNC_READ));
	munmap(p, len);
	return ret;
}

long write_pattern_fd(int fd, size_t len, unsigned int seed)
{
	return pattern_fd(fd, len, seed, 1);
}

long check_pattern_fd(int fd, size_t len, unsigned int seed)
{
	return pattern_fd(fd, len, seed, 0);
}

int smaf_buffer_phys(int fd, unsigned long long *start, unsigned long long *end)
{
	char val[64], *dash;

	if (smaf_buffer_field(fd, "phys", val, sizeof(val)))
		return -1;
	dash = strchr(val, '-');
	if (!dash)
		return -1;
	*start = strtoull(val, NULL, 0);
	*end = strtoull(dash + 1, NULL, 0);
	return 0;
}

int mem_is_zero(const unsigned char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i])
			return 0;
	return 1;
}

int smaf_first_use(int fd)
{
	if (fd < 0)
		return errno;
	if (dmabuf_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW))
		return errno;
	dmabuf_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW);
	return 0;
}

long read_long_file(const char *path)
{
	FILE *f = fopen(path, "r");
	long v = -1;

	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

int write_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY), err = 0;

	if (fd < 0)
		return errno;
	if (write(fd, val, strlen(val)) < 0)
		err = errno;
	close(fd);
	return err;
}

long ts_stat(const char *key)
{
	FILE *f = fopen("/sys/kernel/debug/smaf_testsecure/stats", "r");
	char line[256], val[32];
	long v = -1;

	if (!f)
		return -1;
	if (fgets(line, sizeof(line), f) && !line_field(line, key, val, sizeof(val)))
		v = strtol(val, NULL, 10);
	fclose(f);
	return v;
}

int platform_iommu(void)
{
	const char *v = getenv("smaf_iommu");

	return v && !strcmp(v, "1");
}

int platform_carveout(unsigned long long *base, unsigned long long *size)
{
	const char *v = getenv("smaf_carveout");
	char unit = 0;

	*base = *size = 0;
	if (!v || sscanf(v, "%llu%c@%llx", size, &unit, base) != 3 || unit != 'M')
		return -1;
	*size <<= 20;
	return 0;
}

int send_fd(int sock, int fd)
{
	char c = 0, ctl[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { &c, 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
			      .msg_controllen = sizeof(ctl) };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);

	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	return sendmsg(sock, &msg, 0) == 1 ? 0 : -1;
}

int recv_fd(int sock)
{
	char c, ctl[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { &c, 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
			      .msg_controllen = sizeof(ctl) };
	struct cmsghdr *cm;
	int fd;

	if (recvmsg(sock, &msg, 0) != 1 || !(cm = CMSG_FIRSTHDR(&msg)))
		return -1;
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return fd;
}

int smaf_load(const char *extra)
{
	const char *args = getenv("smaf_args");
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "insmod /lib/modules/smaf.ko %s %s", args ? args : "", extra);
	return system(cmd);
}

int smaf_limits_get(char *buf, size_t len)
{
	FILE *f = fopen("/sys/module/smaf/parameters/limits", "r");
	size_t n = f ? fread(buf, 1, len - 1, f) : 0;
	char *p;

	if (f)
		fclose(f);
	buf[n] = 0;
	/* One line per allocator; commas separate them as well. */
	while (n && buf[n - 1] == '\n')
		buf[--n] = 0;
	for (p = buf; (p = strchr(p, '\n'));)
		*p = ',';
	return n ? 0 : -1;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * DMA-BUF heap conformance of every SMAF node under /dev/dma_heap: the
 * ioctl behaves as the kernel's heap core does (dispatch by number, size
 * negotiation, every refused field), the buffers are zeroed on reuse, map,
 * sync, take a name and import into vgem, the aliases' attributes hold
 * (contiguous, below 4 GiB, write-combined, secure), a failing copy-out
 * leaves no fd and no buffer, a name the kernel already has (the system
 * heap on 6.12) is left to the kernel, and the secure alias exists only
 * while a secure module is registered.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/klog.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <drm.h>
#include <linux/dma-buf.h>
#include <linux/dma-heap.h>
#include <linux/smaf.h>

#include "smaf-edu.h"
#include "smaf-ptprobe.h"
#include "smaf-test.h"

#define MIB (1024 * 1024)
#define MAX_NODES 32
/* The calling process's page tables, user part included. */

struct node {
	char name[64];
	char path[96];
	int contig, dma32, uncached, secure;
};

static struct node nodes[MAX_NODES];
static int nnodes;

/* The SMAF nodes: misc devices called smaf-heap-<name>. */
static void find_nodes(void)
{
	DIR *d = opendir("/sys/class/misc");
	struct dirent *e;

	while (d && (e = readdir(d)) && nnodes < MAX_NODES) {
		struct node *n = &nodes[nnodes];

		if (strncmp(e->d_name, "smaf-heap-", 10))
			continue;
		snprintf(n->name, sizeof(n->name), "%s", e->d_name + 10);
		snprintf(n->path, sizeof(n->path), "/dev/dma_heap/%s", e->d_name + 10);
		n->contig = !strcmp(n->name, "linux,cma") || !strcmp(n->name, "reserved") ||
			    !strncmp(n->name, "cma", 3) || !strcmp(n->name, "vidbuf_cached");
		n->dma32 = strstr(n->name, "dma32") != NULL;
		n->uncached = strstr(n->name, "uncached") != NULL;
		n->secure = !strncmp(n->name, "protected,", 10);
		nnodes++;
	}
	if (d)
		closedir(d);
}

static int open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	while (d && readdir(d))
		n++;
	if (d)
		closedir(d);
	return n;
}

/* DMA_HEAP_IOCTL_ALLOC; returns the fd or -1 with errno. */
static int heap_alloc(int heap, unsigned long long len, unsigned int fd_flags)
{
	struct dma_heap_allocation_data d = { .len = len, .fd_flags = fd_flags };

	if (ioctl(heap, DMA_HEAP_IOCTL_ALLOC, &d))
		return -1;
	return d.fd;
}

static int errno_of(int ret)
{
	return ret < 0 ? errno : 0;
}

/* Every point of the core's ioctl behaviour, on one node. */
static void conformance(const struct node *n, int heap)
{
	unsigned char raw[32], *ro;
	struct dma_heap_allocation_data d;
	int fd, fds, live, ok;

	/* Older programs: 16 bytes, no heap_flags; zero-extended. */
	memset(raw, 0, sizeof(raw));
	*(unsigned long long *)raw = 4096;
	*(unsigned int *)(raw + 12) = O_RDWR;
	ok = !ioctl(heap, _IOC(_IOC_READ | _IOC_WRITE, 'H', 0, 16), raw);
	fd = *(int *)(raw + 8);
	tap_ok(ok && fd > 0, "%s: a 16-byte argument (no heap_flags) works", n->name);
	if (ok)
		close(fd);

	/* Newer programs: a longer argument, its tail ignored and kept. */
	memset(raw, 0xee, sizeof(raw));
	memset(raw, 0, 24);
	*(unsigned long long *)raw = 4096;
	ok = !ioctl(heap, _IOC(_IOC_READ | _IOC_WRITE, 'H', 0, 32), raw);
	fd = *(int *)(raw + 8);
	tap_ok(ok && fd > 0 && raw[24] == 0xee && raw[31] == 0xee,
	       "%s: a 32-byte argument works, its tail untouched", n->name);
	if (ok)
		close(fd);

	/* Dispatch by number: another type letter is still ALLOC. */
	memset(&d, 0, sizeof(d));
	d.len = 4096;
	ok = !ioctl(heap, _IOWR('Z', 0, struct dma_heap_allocation_data), &d);
	tap_ok(ok && d.fd > 0, "%s: command number 0 is ALLOC whatever its type", n->name);
	if (ok)
		close(d.fd);
	memset(&d, 0, sizeof(d));
	d.len = 4096;
	tap_ok(ioctl(heap, _IOWR('H', 1, struct dma_heap_allocation_data), &d) && errno == EINVAL,
	       "%s: command number 1: EINVAL", n->name);
	tap_ok(ioctl(heap, _IO('H', 0)) && errno == EINVAL, "%s: no argument: EINVAL", n->name);
	tap_ok(ioctl(heap, _IOW('H', 0, struct dma_heap_allocation_data), &d) && errno == EINVAL,
	       "%s: an argument the fd cannot be written back to: EINVAL", n->name);

	fds = open_fds();
	live = smaf_live_buffers();
	memset(&d, 0, sizeof(d));
	d.len = 4096;
	d.fd = 3;
	tap_ok(ioctl(heap, DMA_HEAP_IOCTL_ALLOC, &d) && errno == EINVAL, "%s: fd field set: EINVAL",
	       n->name);
	tap_ok(errno_of(heap_alloc(heap, 4096, O_NONBLOCK)) == EINVAL &&
	       errno_of(heap_alloc(heap, 4096, 0x80000000u)) == EINVAL,
	       "%s: fd flags other than O_CLOEXEC|O_ACCMODE: EINVAL", n->name);
	memset(&d, 0, sizeof(d));
	d.len = 4096;
	d.heap_flags = 1ULL << 40;
	tap_ok(ioctl(heap, DMA_HEAP_IOCTL_ALLOC, &d) && errno == EINVAL,
	       "%s: heap flags: EINVAL", n->name);
	tap_ok(errno_of(heap_alloc(heap, 0, O_RDWR)) == EINVAL, "%s: length 0: EINVAL", n->name);
	tap_ok(errno_of(heap_alloc(heap, ~0ULL - 100, O_RDWR)) == EINVAL,
	       "%s: a length that wraps when page-aligned: EINVAL", n->name);
	tap_ok(errno_of(heap_alloc(heap, 1ULL << 62, O_RDWR)) == EFBIG,
	       "%s: a length larger than RAM: EFBIG", n->name);

	/* The result cannot be copied back: no fd, no buffer left behind. */
	ro = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ro == MAP_FAILED)
		tap_bail("mmap");
	memset(&d, 0, sizeof(d));
	d.len = 4096;
	d.fd_flags = O_RDWR;
	memcpy(ro, &d, sizeof(d));
	mprotect(ro, 4096, PROT_READ);
	tap_ok(ioctl(heap, DMA_HEAP_IOCTL_ALLOC, ro) && errno == EFAULT,
	       "%s: a read-only argument: EFAULT", n->name);
	munmap(ro, 4096);
	tap_ok(open_fds() == fds && smaf_live_buffers() == live,
	       "%s: no fd and no buffer left by the refusals (%d fds, %d buffers)", n->name,
	       open_fds() - fds, smaf_live_buffers() - live);
}

/* Zeroed on reuse: 32 buffers live, dirtied, freed, allocated again. */
static void zeroed_on_reuse(const struct node *n, int heap, size_t size)
{
	static const unsigned char zero[MIB];
	int fds[32], i, j, dirty = 0, made = 0;
	unsigned char *p;

	for (j = 0; j < 2; j++) {
		for (i = 0; i < 32; i++) {
			fds[i] = heap_alloc(heap, size, O_RDWR | O_CLOEXEC);
			p = fds[i] < 0 ? MAP_FAILED :
			    mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fds[i], 0);
			if (p == MAP_FAILED)
				continue;
			made++;
			dmabuf_sync(fds[i], DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW);
			dirty += memcmp(p, zero, size) != 0;
			memset(p, 0xa5, size);
			dmabuf_sync(fds[i], DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW);
			munmap(p, size);
		}
		for (i = 0; i < 32; i++)
			if (fds[i] >= 0)
				close(fds[i]);
	}
	tap_ok(made == 64 && !dirty, "%s: 2 x 32 buffers of %zu KiB, each zeroed (%d made, %d dirty)",
	       n->name, size / 1024, made, dirty);
}

/* One node: a buffer that maps, syncs, is named and imported, as aliased. */
static void use(const struct node *n, int heap, int vgem)
{
	struct drm_prime_handle imp = { 0 };
	struct drm_gem_close gc = { 0 };
	unsigned long long start = 0, end = 0;
	char val[64];
	unsigned char *p;
	struct stat st = { 0 };
	unsigned long long bits = 0;
	int fd, flags, mode, wc;

	tap_ok(!stat(n->path, &st) && S_ISCHR(st.st_mode) && (st.st_mode & 0777) == 0600 &&
	       st.st_uid == 0, "%s: a root-only character device (%o)", n->name,
	       st.st_mode & 0777);
	fd = heap_alloc(heap, MIB + 1, O_RDWR | O_CLOEXEC);
	tap_ok(fd >= 0, "%s: ALLOC 1 MiB + 1 byte", n->name);
	if (fd < 0)
		return;
	flags = fcntl(fd, F_GETFL);
	tap_ok(lseek(fd, 0, SEEK_END) == MIB + 4096 && (fcntl(fd, F_GETFD) & FD_CLOEXEC) &&
	       (flags & O_ACCMODE) == O_RDWR,
	       "%s: page-aligned size, close-on-exec, read-write", n->name);
	tap_ok(!ioctl(fd, DMA_BUF_SET_NAME_B, "libcamera"), "%s: DMA_BUF_SET_NAME", n->name);
	tap_ok(!smaf_buffer_field(fd, "allocated", val, sizeof(val)) && !strcmp(val, "0"),
	       "%s: not allocated before its first use", n->name);
	tap_ok(!smaf_buffer_field(fd, "uncached", val, sizeof(val)) && atoi(val) == n->uncached,
	       "%s: uncached=%s", n->name, val);

	tap_ok(write_pattern_fd(fd, MIB, 3) == 0 && check_pattern_fd(fd, MIB, 3) == 0,
	       "%s: mmap + SYNC: the pattern reads back", n->name);
	if (n->contig)
		tap_ok(smaf_buffer_num(fd, "contig") == 1, "%s: contiguous", n->name);
	if (n->dma32)
		tap_ok(!smaf_buffer_phys(fd, &start, &end) && end < (1ULL << 32),
		       "%s: below 4 GiB (%#llx-%#llx)", n->name, start, end);

	p = mmap(NULL, MIB, PROT_READ, MAP_SHARED, fd, 0);
	if (p != MAP_FAILED) {
		(void)*(volatile unsigned char *)p;
		/*
		 * Only an uncached alias is write-combined: a cached one gets
		 * memory the CPU caches, not the carveout arm64 must map
		 * write-combined, when another allocator serves it.
		 */
		wc = n->uncached;
		mode = smaf_cpu_cache_mode(p, &bits);
		tap_ok(mode == (wc ? SMAF_PTPROBE_WC : SMAF_PTPROBE_CACHED),
		       "%s: the page table maps it %s (memory-type bits %#llx, %s memory)",
		       n->name, wc ? "write-combined" : "cached", bits,
		       smaf_buffer_field(fd, "allocator", val, sizeof(val)) ? "?" : val);
		munmap(p, MIB);
	}

	imp.fd = fd;
	tap_ok(vgem >= 0 && !ioctl(vgem, DRM_IOCTL_PRIME_FD_TO_HANDLE, &imp) && imp.handle &&
	       !smaf_buffer_field(fd, "attachments", val, sizeof(val)) && !strcmp(val, "1"),
	       "%s: vgem imports it", n->name);
	gc.handle = imp.handle;
	if (imp.handle)
		ioctl(vgem, DRM_IOCTL_GEM_CLOSE, &gc);
	close(fd);
}

#define SECURE_NODE "/dev/dma_heap/protected,smaf"

/*
 * A secure module loaded from a mount namespace whose /dev/dma_heap has a
 * file of the secure alias's name: SMAF looks names up in the system's
 * root, not the loader's, so the node still comes.
 */
static void secure_from_namespace(void)
{
	int status = -1;
	pid_t pid = fork();

	if (pid == 0) {
		int fd;

		if (unshare(CLONE_NEWNS) ||
		    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
		    mount("tmpfs", "/dev/dma_heap", "tmpfs", 0, NULL))
			_exit(2);
		fd = open(SECURE_NODE, O_CREAT | O_WRONLY, 0600);
		if (fd < 0)
			_exit(3);
		close(fd);
		_exit(system("insmod /lib/modules/smaf-testsecure.ko policy=cpu=rw") ? 4 : 0);
	}
	if (pid > 0)
		waitpid(pid, &status, 0);
	tap_ok(WIFEXITED(status) && WEXITSTATUS(status) == 0 && !access(SECURE_NODE, F_OK) &&
	       !access("/sys/class/misc/smaf-heap-protected,smaf", F_OK),
	       "protected,smaf: loaded from a namespace that has a file of its name, the node comes (status %d)",
	       WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	tap_ok(!system("rmmod smaf_testsecure"), "and goes with the module");
}

/*
 * The secure alias: no node without a secure module; with one, the buffers
 * are secure; a file left open on it when the module goes allocates
 * nothing; the node comes back with the next secure module.
 */
static void secure(void)
{
	struct smaf_secure_flag sf;
	int dev = open("/dev/smaf", O_RDWR), heap, fd;

	tap_ok(access(SECURE_NODE, F_OK) && errno == ENOENT &&
	       access("/sys/class/misc/smaf-heap-protected,smaf", F_OK),
	       "protected,smaf: no node without a secure module");
	if (system("insmod /lib/modules/smaf-testsecure.ko policy=cpu=rw"))
		tap_bail("cannot load the test secure module");
	heap = open(SECURE_NODE, O_RDWR | O_CLOEXEC);
	tap_ok(heap >= 0, "protected,smaf: the node comes with the secure module");
	fd = heap_alloc(heap, 4096, O_RDWR);
	memset(&sf, 0, sizeof(sf));
	sf.fd = fd;
	tap_ok(fd >= 0 && !ioctl(dev, SMAF_IOC_GET_SECURE_FLAG, &sf) && sf.secure == 1,
	       "protected,smaf: its buffers are secure");
	sf.secure = 0;
	tap_ok(ioctl(dev, SMAF_IOC_SET_SECURE_FLAG, &sf) && errno == EPERM,
	       "protected,smaf: and stay so (EPERM)");
	tap_ok(write_pattern_fd(fd, 4096, 8) == 0 && check_pattern_fd(fd, 4096, 8) == 0,
	       "protected,smaf: the granted CPU uses it");
	close(fd);
	tap_ok(!system("rmmod smaf_testsecure"),
	       "the secure module unloads while its node is open");
	tap_ok(access(SECURE_NODE, F_OK) && errno == ENOENT,
	       "protected,smaf: the node goes with it");
	tap_ok(errno_of(heap_alloc(heap, 4096, O_RDWR)) == EOPNOTSUPP,
	       "protected,smaf: the file left open allocates nothing (EOPNOTSUPP)");
	close(heap);
	if (system("insmod /lib/modules/smaf-testsecure.ko policy=cpu=rw"))
		tap_bail("cannot load the test secure module again");
	heap = open(SECURE_NODE, O_RDWR | O_CLOEXEC);
	fd = heap >= 0 ? heap_alloc(heap, 4096, O_RDWR) : -1;
	tap_ok(fd >= 0, "protected,smaf: the node comes back with the next secure module");
	if (fd >= 0)
		close(fd);
	if (heap >= 0)
		close(heap);
	tap_ok(!system("rmmod smaf_testsecure"), "the secure module unloads again");
	close(dev);
	secure_from_namespace();
}

/* Data written through a write-combined mapping reaches edu, and back. */
static void uncached_edu(void)
{
	int heap = open("/dev/dma_heap/system-uncached", O_RDWR | O_CLOEXEC);
	int dev = open("/dev/smaf", O_RDWR), edu_a = open("/dev/smaf-edu", O_RDWR);
	int edu_b = open("/dev/smaf-edu", O_RDWR), a, b;
	struct smaf_edu_copy c;

	if (heap < 0 || dev < 0 || edu_a < 0 || edu_b < 0)
		tap_bail("cannot open system-uncached, /dev/smaf or /dev/smaf-edu");
	a = heap_alloc(heap, 32768, O_RDWR);
	b = smaf_test_create(dev, 32768, NULL);
	tap_ok(a >= 0 && b >= 0 && !ioctl(edu_a, SMAF_EDU_IOC_ATTACH, &a) &&
	       !ioctl(edu_b, SMAF_EDU_IOC_ATTACH, &b), "edu attaches to an uncached buffer");
	tap_ok(write_pattern_fd(a, 32768, 21) == 0, "the CPU writes it through a write-combined mmap");
	memset(&c, 0, sizeof(c));
	c.src_fd = a;
	c.dst_fd = b;
	c.length = 32768;
	tap_ok(!ioctl(edu_a, SMAF_EDU_IOC_COPY, &c) && check_pattern_fd(b, 32768, 21) == 0,
	       "edu reads it byte for byte");
	write_pattern_fd(b, 32768, 22);
	memset(&c, 0, sizeof(c));
	c.src_fd = b;
	c.dst_fd = a;
	c.length = 32768;
	tap_ok(!ioctl(edu_b, SMAF_EDU_IOC_COPY, &c) && check_pattern_fd(a, 32768, 22) == 0,
	       "edu writes it, the CPU reads it byte for byte");
	ioctl(edu_a, SMAF_EDU_IOC_DETACH);
	ioctl(edu_b, SMAF_EDU_IOC_DETACH);
	close(a);
	close(b);
	close(edu_a);
	close(edu_b);
	close(dev);
	close(heap);
}

/* The creator's limits apply: an unprivileged user's live-buffer limit. */
static void limits_apply(void)
{
	int status = 0, fds[3], i;
	pid_t pid;

	if (write_file("/sys/module/smaf/parameters/max_buffers", "2") ||
	    chmod("/dev/dma_heap/smaf", 0666))
		tap_bail("cannot set max_buffers or open the node to others");
	pid = fork();
	if (pid == 0) {
		int heap;

		if (setgid(65534) || setuid(65534))
			_exit(10);
		heap = open("/dev/dma_heap/smaf", O_RDWR);
		if (heap < 0)
			_exit(11);
		for (i = 0; i < 3; i++)
			fds[i] = heap_alloc(heap, 4096, O_RDWR);
		_exit(fds[0] >= 0 && fds[1] >= 0 && fds[2] < 0 && errno == EDQUOT ? 0 : 12);
	}
	tap_ok(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	       WEXITSTATUS(status) == 0,
	       "smaf: an unprivileged user with max_buffers=2 gets 2 buffers, then EDQUOT (%d)",
	       WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	chmod("/dev/dma_heap/smaf", 0600);
	write_file("/sys/module/smaf/parameters/max_buffers", "4096");
}

/* On 6.12 the kernel has a system heap: SMAF leaves the name to it. */
/* How many of the default aliases' names the kernel's heap core has. */
static int kernel_heaps(void)
{
	static const char *const names[] = {
		"linux,cma", "reserved", "default_cma_region", "cma", "vidbuf_cached",
		"cma-dma32", "cma-uncached", "cma-uncached-dma32", "system",
		"system-dma32", "system-uncached", "system-uncached-dma32",
	};
	char path[96];
	unsigned int i;
	int n = 0;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "/sys/class/dma_heap/%s", names[i]);
		n += !access(path, F_OK);
	}
	return n;
}

static void kernel_heap_kept(void)
{
	char *log = malloc(1 << 20);
	int kernel = !access("/sys/class/dma_heap/system", F_OK), len;

	len = log ? klogctl(3, log, (1 << 20) - 1) : -1;	/* SYSLOG_ACTION_READ_ALL */
	if (len >= 0)
		log[len] = '\0';
	if (kernel) {
		tap_ok(access("/sys/class/misc/smaf-heap-system", F_OK) && len > 0 &&
		       strstr(log, "heap system not added: the kernel has a heap of that name"),
		       "the kernel's system heap is kept, and the log says so");
	} else {
		tap_ok(!access("/sys/class/misc/smaf-heap-system", F_OK),
		       "no kernel system heap: SMAF provides /dev/dma_heap/system");
	}
	free(log);
}

int main(void)
{
	int i, heap, vgem = vgem_open();

	find_nodes();
	tap_ok(nnodes == 13 - kernel_heaps(),
	       "%d SMAF heap nodes: 13 less the %d the kernel has, none secure", nnodes,
	       kernel_heaps());
	tap_ok(!access("/dev/dma_heap/smaf", F_OK) && !access("/dev/dma_heap/linux,cma", F_OK),
	       "/dev/dma_heap/smaf and /dev/dma_heap/linux,cma exist");
	kernel_heap_kept();

	for (i = 0; i < nnodes; i++) {
		heap = open(nodes[i].path, O_RDWR | O_CLOEXEC);
		tap_ok(heap >= 0, "open %s", nodes[i].path);
		if (heap < 0)
			continue;
		tap_ok(!nodes[i].secure, "%s: not a secure alias", nodes[i].name);
		conformance(&nodes[i], heap);
		use(&nodes[i], heap, vgem);
		zeroed_on_reuse(&nodes[i], heap, 4096);
		zeroed_on_reuse(&nodes[i], heap, MIB);
		close(heap);
	}
	secure();
	if (!access("/dev/smaf-edu", F_OK))
		uncached_edu();
	limits_apply();
	if (vgem >= 0)
		close(vgem);
	tap_ok(smaf_live_buffers() == 0, "no buffer left");
	return tap_done();
}

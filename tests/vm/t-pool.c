// SPDX-License-Identifier: GPL-2.0
/*
 * The pre-zeroed pool of 1 MiB blocks behind the system allocator: it
 * fills in the background; blocks freed by buffers come back to it dirty
 * and are handed out again only once zeroed, through every path (CPU first
 * use, a device's first use, a heap node), even when asked for at once
 * after the free; and memory pressure (the kernel's shrinkers, as
 * drop_caches runs them) empties it.  The VM boots with init_on_alloc=0,
 * so a block handed out dirty would show.  (A creator outside the root
 * memory cgroup is never served by the pool: t-cgroup checks its charge.)
 */
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <drm.h>
#include <linux/dma-buf.h>
#include <linux/dma-heap.h>

#include "smaf-test.h"

#define MIB (1024 * 1024UL)
#define NBUF 24
#define SIZE (4 * MIB)

static int dev;

/* Waits up to @ms for the pool to be full (1) or empty of dirty blocks (0). */
static int settle(int full, int ms)
{
	for (; ms > 0; ms -= 50) {
		if (full ? smaf_pool_stat("clean_bytes") >= smaf_pool_stat("max_bytes") :
			   smaf_pool_stat("dirty_bytes") == 0)
			return 0;
		usleep(50 * 1000);
	}
	return -1;
}

/* Waits up to @ms for at least @bytes of zeroed blocks. */
static int settle_clean(long long bytes, int ms)
{
	for (; ms > 0; ms -= 50) {
		if (smaf_pool_stat("clean_bytes") >= bytes)
			return 0;
		usleep(50 * 1000);
	}
	return -1;
}

/* Fills NBUF buffers with a pattern and frees them: dirty blocks. */
static int dirty_blocks(void)
{
	int fds[NBUF], i, bad = 0;

	for (i = 0; i < NBUF; i++) {
		fds[i] = smaf_test_create(dev, SIZE, "system");
		bad |= fds[i] < 0 || write_pattern_fd(fds[i], SIZE, 7 + i) != 0;
	}
	for (i = 0; i < NBUF; i++)
		close(fds[i]);
	return bad ? -1 : 0;
}

/* Does the whole mapping of @fd read zero? */
static int reads_zero(int fd, size_t size)
{
	unsigned char *p = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
	size_t i;
	int ret = 0;

	if (p == MAP_FAILED)
		return 0;
	dmabuf_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);
	for (i = 0; i < size && !ret; i++)
		ret = p[i];
	dmabuf_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);
	munmap(p, size);
	return !ret;
}

/* NBUF new buffers, each first used by @how; how many read zero. */
static int zeroed_after(const char *how, int vgem, int heap)
{
	struct dma_heap_allocation_data h;
	struct drm_prime_handle ph;
	struct drm_gem_close gc;
	int fds[NBUF], i, zero = 0;

	for (i = 0; i < NBUF; i++) {
		if (!strcmp(how, "heap")) {
			memset(&h, 0, sizeof(h));
			h.len = SIZE;
			h.fd_flags = O_RDWR | O_CLOEXEC;
			fds[i] = ioctl(heap, DMA_HEAP_IOCTL_ALLOC, &h) ? -1 : (int)h.fd;
		} else {
			fds[i] = smaf_test_create(dev, SIZE, "system");
		}
		if (fds[i] < 0)
			continue;
		if (!strcmp(how, "device")) {
			memset(&ph, 0, sizeof(ph));
			ph.fd = fds[i];
			if (!ioctl(vgem, DRM_IOCTL_PRIME_FD_TO_HANDLE, &ph)) {
				memset(&gc, 0, sizeof(gc));
				gc.handle = ph.handle;
				ioctl(vgem, DRM_IOCTL_GEM_CLOSE, &gc);
			}
		} else if (strcmp(how, "heap")) {
			smaf_first_use(fds[i]);
		}
		/* A heap buffer's first use is this read. */
		zero += reads_zero(fds[i], SIZE) && smaf_buffer_num(fds[i], "allocated") == 1;
	}
	for (i = 0; i < NBUF; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	return zero;
}

int main(void)
{
	static const char *const paths[] = { "cpu", "device", "heap" };
	int vgem, heap, drop, i, zero, fd;
	long long hits;

	dev = open("/dev/smaf", O_RDWR);
	vgem = vgem_open();
	heap = open("/dev/dma_heap/smaf", O_RDWR | O_CLOEXEC);
	if (dev < 0 || vgem < 0 || heap < 0)
		tap_bail("cannot open /dev/smaf, vgem or /dev/dma_heap/smaf");

	tap_ok(smaf_pool_stat("max_bytes") > 0, "the pool is on by default (%lld MiB)",
	       smaf_pool_stat("max_bytes") >> 20);
	tap_ok(!settle(1, 20000), "it fills in the background (%lld MiB clean)",
	       smaf_pool_stat("clean_bytes") >> 20);

	/* Dirty blocks come back, and are asked for again at once. */
	tap_ok(!dirty_blocks(), "%d x %lu MiB filled with a pattern and freed", NBUF, SIZE / MIB);
	zero = zeroed_after("cpu", vgem, heap);
	tap_ok(zero == NBUF, "CPU first use at once: %d of %d buffers read zero", zero, NBUF);

	/* And once some are zeroed, the pool serves every path, zeroed. */
	for (i = 0; i < 3; i++) {
		tap_ok(!dirty_blocks(), "%d x %lu MiB filled with a pattern and freed", NBUF,
		       SIZE / MIB);
		tap_ok(!settle_clean(16 * MIB, 20000), "some blocks are zeroed (%lld MiB)",
		       smaf_pool_stat("clean_bytes") >> 20);
		hits = smaf_pool_stat("hits");
		zero = zeroed_after(paths[i], vgem, heap);
		tap_ok(zero == NBUF, "%s first use: %d of %d buffers read zero", paths[i], zero,
		       NBUF);
		tap_ok(smaf_pool_stat("hits") > hits, "the pool served them (%lld blocks)",
		       smaf_pool_stat("hits") - hits);
	}
	tap_ok(!settle(0, 20000), "the freed blocks are zeroed in the background");

	/* Memory pressure: the kernel's shrinkers give the pool back. */
	drop = open("/proc/sys/vm/drop_caches", O_WRONLY);
	tap_ok(drop >= 0 && write(drop, "2", 1) == 1, "the kernel runs its shrinkers");
	if (drop >= 0)
		close(drop);
	tap_ok(smaf_pool_stat("clean_bytes") == 0 && smaf_pool_stat("dirty_bytes") == 0,
	       "the pool gave everything back (%lld, %lld bytes left)",
	       smaf_pool_stat("clean_bytes"), smaf_pool_stat("dirty_bytes"));

	/* Low memory is not pooled: the pool has room, yet takes none. */
	fd = smaf_test_create(dev, SIZE, "dma32");
	tap_ok(fd >= 0 && !smaf_first_use(fd) && smaf_buffer_num(fd, "segments") == SIZE / MIB,
	       "a dma32 buffer of %lu blocks of 1 MiB", SIZE / MIB);
	close(fd);
	tap_ok(smaf_pool_stat("low_bytes") == 0 && smaf_pool_stat("dirty_bytes") == 0,
	       "freed, its blocks go back to the kernel, not to the pool");
	zero = zeroed_after("cpu", vgem, heap);
	tap_ok(zero == NBUF, "buffers still work, zeroed (%d of %d)", zero, NBUF);
	tap_ok(!settle(1, 20000), "and the pool fills again (%lld MiB)",
	       smaf_pool_stat("clean_bytes") >> 20);
	tap_ok(smaf_pool_stat("low_bytes") == 0, "with no block of low memory");

	close(heap);
	close(vgem);
	tap_ok(smaf_live_buffers() == 0, "no buffer left");
	close(dev);
	return tap_done();
}

// SPDX-License-Identifier: GPL-2.0
/*
 * Several threads and a forked child share one fd and race to be the
 * buffer's first user (CPU fault, DMA_BUF_IOCTL_SYNC, vgem import): exactly
 * one allocation happens and everyone sees the same memory.
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <drm.h>
#include <linux/dma-buf.h>

#include "smaf-test.h"

#define SIZE (16 * 1024 * 1024)
#define THREADS 6
#define ROUNDS 10

static int buf_fd, go_pipe[2];
static unsigned char *shared_map;

static void wait_go(void)
{
	char c;

	if (read(go_pipe[0], &c, 1) != 1)
		_exit(3);
}

/* Racer @id writes its id at its own page through its own mapping. */
static int racer(int id)
{
	unsigned char *p;

	wait_go();
	if (id % 3 == 1 && dmabuf_sync(buf_fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW))
		return -1;
	p = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, buf_fd, 0);
	if (p == MAP_FAILED)
		return -1;
	p[(size_t)id * 4096 + 1] = (unsigned char)(id + 1);
	munmap(p, SIZE);
	if (id % 3 == 1)
		dmabuf_sync(buf_fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW);
	return 0;
}

static void *thread_fn(void *arg)
{
	return (void *)(long)racer((int)(long)arg);
}

static void *vgem_fn(void *arg)
{
	struct drm_prime_handle ph;
	int vgem = (int)(long)arg;

	memset(&ph, 0, sizeof(ph));
	ph.fd = buf_fd;
	wait_go();
	if (ioctl(vgem, DRM_IOCTL_PRIME_FD_TO_HANDLE, &ph))
		return (void *)-1L;
	return (void *)(long)ph.handle;
}

static int one_round(int dev, int vgem, int round)
{
	pthread_t th[THREADS], vt;
	long allocs, ret, handle;
	int i, status, ok = 1;
	struct drm_gem_close gc;
	char go[THREADS + 2];
	pid_t child;

	allocs = smaf_allocator_stat("system", "allocations");
	buf_fd = smaf_test_create(dev, SIZE, NULL);
	if (buf_fd < 0 || pipe(go_pipe))
		tap_bail("setup failed");

	child = fork();
	if (child == 0)
		_exit(racer(THREADS) ? 1 : 0);
	for (i = 0; i < THREADS; i++)
		pthread_create(&th[i], NULL, thread_fn, (void *)(long)i);
	pthread_create(&vt, NULL, vgem_fn, (void *)(long)vgem);

	memset(go, 'g', sizeof(go));
	if (write(go_pipe[1], go, sizeof(go)) != (ssize_t)sizeof(go))
		tap_bail("cannot start the racers");

	for (i = 0; i < THREADS; i++) {
		pthread_join(th[i], (void **)&ret);
		ok &= ret == 0;
	}
	pthread_join(vt, (void **)&handle);
	ok &= handle > 0;
	waitpid(child, &status, 0);
	ok &= WIFEXITED(status) && WEXITSTATUS(status) == 0;

	shared_map = mmap(NULL, SIZE, PROT_READ, MAP_SHARED, buf_fd, 0);
	if (shared_map == MAP_FAILED)
		tap_bail("mmap failed");
	for (i = 0; i <= THREADS; i++)
		ok &= shared_map[(size_t)i * 4096 + 1] == i + 1;
	ok &= shared_map[SIZE - 1] == 0;
	munmap(shared_map, SIZE);

	tap_ok(ok, "round %d: every racer succeeded and its byte is in the one buffer", round);
	tap_ok(smaf_allocator_stat("system", "allocations") == allocs + 1,
	       "round %d: exactly one allocation", round);

	memset(&gc, 0, sizeof(gc));
	gc.handle = (unsigned int)handle;
	if (handle > 0)
		ioctl(vgem, DRM_IOCTL_GEM_CLOSE, &gc);
	close(go_pipe[0]);
	close(go_pipe[1]);
	close(buf_fd);
	return ok;
}

int main(void)
{
	int dev, vgem, r;

	dev = open("/dev/smaf", O_RDWR);
	vgem = vgem_open();
	if (dev < 0 || vgem < 0)
		tap_bail("cannot open /dev/smaf or vgem");
	for (r = 0; r < ROUNDS; r++)
		one_round(dev, vgem, r);
	tap_ok(smaf_live_buffers() == 0, "no buffer left");
	close(vgem);
	close(dev);
	return tap_done();
}

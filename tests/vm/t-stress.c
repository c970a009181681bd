// SPDX-License-Identifier: GPL-2.0
/*
 * Bounded randomized stress: threads and processes create, share (fd
 * passing over a Unix socket, fork), attach (vgem), map, mmap and close
 * buffers concurrently, for a fixed number of operations.  Every worker
 * checks the data of its buffers; at the end nothing is left.  The seed is
 * logged; SMAF_SEED=N replays it.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <drm.h>
#include <linux/dma-buf.h>

#include "smaf-test.h"

#define THREADS 4
#define PROCS 2
#define OPS 400
#define SLOTS 6

static int dev, vgem;
static unsigned int seed;

struct worker {
	unsigned int rng;
	int fds[SLOTS];
	size_t sizes[SLOTS];
	unsigned int seeds[SLOTS];
	int sock;		/* peer process receiving fds, or -1 */
	int errors;
};

static unsigned int rnd(struct worker *w, unsigned int n)
{
	return rand_r(&w->rng) % n;
}

static int send_buffer(int sock, int fd, unsigned int pattern_seed, size_t size)
{
	char buf[CMSG_SPACE(sizeof(int))];
	unsigned long payload[2] = { pattern_seed, size };
	struct iovec iov = { payload, sizeof(payload) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = buf, .msg_controllen = sizeof(buf) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	return sendmsg(sock, &msg, 0) < 0 ? -1 : 0;
}

/* Peer process: maps every fd it receives, checks the pattern, answers. */
static void peer(int sock)
{
	char buf[CMSG_SPACE(sizeof(int))];
	unsigned long payload[2];
	struct iovec iov = { payload, sizeof(payload) };
	struct msghdr msg;
	struct cmsghdr *c;
	char answer;
	int fd;

	for (;;) {
		memset(&msg, 0, sizeof(msg));
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		msg.msg_control = buf;
		msg.msg_controllen = sizeof(buf);
		if (recvmsg(sock, &msg, 0) <= 0)
			_exit(0);
		c = CMSG_FIRSTHDR(&msg);
		if (!c)
			_exit(1);
		memcpy(&fd, CMSG_DATA(c), sizeof(int));
		answer = check_pattern_fd(fd, payload[1], payload[0]) == 0 ? 'y' : 'n';
		close(fd);
		if (write(sock, &answer, 1) != 1)
			_exit(1);
	}
}

static void op(struct worker *w)
{
	unsigned int s = rnd(w, SLOTS), k = rnd(w, 8);
	static const char *const names[] = { NULL, NULL, "system", "dma32", "contig" };
	struct drm_prime_handle ph;
	struct drm_gem_close gc;
	char answer;
	pid_t pid;
	int st;

	if (w->fds[s] < 0) {
		w->sizes[s] = (1 + rnd(w, 64)) * 4096 * (rnd(w, 4) ? 1 : 16);
		w->seeds[s] = rand_r(&w->rng);
		w->fds[s] = smaf_test_create(dev, w->sizes[s], names[rnd(w, 5)]);
		if (w->fds[s] < 0 || write_pattern_fd(w->fds[s], w->sizes[s], w->seeds[s]))
			w->errors++;
		return;
	}
	switch (k) {
	case 0:
	case 1:
		close(w->fds[s]);
		w->fds[s] = -1;
		break;
	case 2:
		if (check_pattern_fd(w->fds[s], w->sizes[s], w->seeds[s]))
			w->errors++;
		break;
	case 3:
		memset(&ph, 0, sizeof(ph));
		ph.fd = w->fds[s];
		if (ioctl(vgem, DRM_IOCTL_PRIME_FD_TO_HANDLE, &ph)) {
			w->errors++;
			break;
		}
		memset(&gc, 0, sizeof(gc));
		gc.handle = ph.handle;
		ioctl(vgem, DRM_IOCTL_GEM_CLOSE, &gc);
		break;
	case 4:
		if (w->sock < 0)
			break;
		if (send_buffer(w->sock, w->fds[s], w->seeds[s], w->sizes[s]) ||
		    read(w->sock, &answer, 1) != 1 || answer != 'y')
			w->errors++;
		break;
	case 5:
		pid = fork();
		if (pid == 0)
			_exit(check_pattern_fd(w->fds[s], w->sizes[s], w->seeds[s]) ? 1 : 0);
		if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
			w->errors++;
		break;
	case 6:
		if (dmabuf_sync(w->fds[s], DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ) ||
		    dmabuf_sync(w->fds[s], DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ))
			w->errors++;
		break;
	default:
		w->seeds[s] = rand_r(&w->rng);
		if (write_pattern_fd(w->fds[s], w->sizes[s], w->seeds[s]))
			w->errors++;
		break;
	}
}

static int run_worker(unsigned int id, int sock)
{
	struct worker w;
	int i;

	memset(&w, 0, sizeof(w));
	w.rng = seed * 31 + id;
	w.sock = sock;
	for (i = 0; i < SLOTS; i++)
		w.fds[i] = -1;
	for (i = 0; i < OPS; i++)
		op(&w);
	for (i = 0; i < SLOTS; i++)
		if (w.fds[i] >= 0)
			close(w.fds[i]);
	return w.errors;
}

static void *thread_main(void *arg)
{
	return (void *)(long)run_worker((unsigned int)(long)arg, -1);
}

int main(void)
{
	const char *env = getenv("SMAF_SEED");
	pthread_t th[THREADS];
	int i, errors = 0, sv[2], status;
	pid_t procs[PROCS], peers[PROCS];
	long ret;

	seed = env ? (unsigned int)strtoul(env, NULL, 0) : (unsigned int)time(NULL);
	tap_diag("seed %u (replay with SMAF_SEED=%u)", seed, seed);
	dev = open("/dev/smaf", O_RDWR);
	vgem = vgem_open();
	if (dev < 0 || vgem < 0)
		tap_bail("cannot open /dev/smaf or vgem");

	for (i = 0; i < PROCS; i++) {
		if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
			tap_bail("socketpair");
		peers[i] = fork();
		if (peers[i] == 0) {
			close(sv[0]);
			peer(sv[1]);
		}
		close(sv[1]);
		procs[i] = fork();
		if (procs[i] == 0)
			_exit(run_worker(100 + i, sv[0]) ? 1 : 0);
		close(sv[0]);
	}
	for (i = 0; i < THREADS; i++)
		pthread_create(&th[i], NULL, thread_main, (void *)(long)i);
	for (i = 0; i < THREADS; i++) {
		pthread_join(th[i], (void **)&ret);
		errors += ret;
	}
	for (i = 0; i < PROCS; i++) {
		waitpid(procs[i], &status, 0);
		errors += !WIFEXITED(status) || WEXITSTATUS(status);
		waitpid(peers[i], &status, 0);
		errors += !WIFEXITED(status) || WEXITSTATUS(status);
	}
	tap_ok(errors == 0, "%d threads and %d processes (with fd-passing peers), %d operations each: %d errors",
	       THREADS, PROCS, OPS, errors);
	tap_ok(smaf_live_buffers() == 0, "no buffer left");
	tap_ok(smaf_allocator_stat("system", "bytes") == 0 &&
	       smaf_allocator_stat("dma32", "bytes") == 0 &&
	       smaf_allocator_stat("contig", "bytes") == 0, "no memory left allocated");
	close(vgem);
	close(dev);
	return tap_done();
}

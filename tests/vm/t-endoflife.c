// SPDX-License-Identifier: GPL-2.0
/*
 * The end of a secure buffer's life is no way around SMAF's limits and no
 * way to crash it, as an unprivileged user (uid 1000) would try:
 *  - memory the secure module would not let SMAF scrub is not handed out;
 *  - memory that cannot be scrubbed at release all the same is quarantined
 *    and stays charged to its creator, so the creator's limit holds; a cap
 *    on the quarantine stops new secure buffers; SMAF cannot be unloaded
 *    meanwhile; a secure module loaded later scrubs it and it comes back;
 *  - processes that die during a CPU access leave no grant behind, and at
 *    most 64 processes hold one on a buffer;
 *  - a read-only fd gets no CPU write grant;
 *  - a killed task whose kernel access faults on a mapping while the
 *    buffer's lock is held fails the access instead of faulting again and
 *    again in the kernel until the lock is free.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/dma-buf.h>
#include <linux/dma-heap.h>
#include <linux/smaf.h>

#include "smaf-test.h"

#define TS_DIR "/sys/module/smaf_testsecure/parameters/"
#define QUARANTINE_MAX "/sys/module/smaf/parameters/quarantine_max"
#define LIMITS "/sys/module/smaf/parameters/limits"
#define MIB (1024 * 1024)
#define USER 1000

static int dev;

static void ts_load(const char *args)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd),
		 "rmmod smaf_testsecure 2>/dev/null; insmod /lib/modules/smaf-testsecure.ko %s",
		 args);
	if (system(cmd))
		tap_bail("cannot load the test secure module (%s)", args);
}

static void ts_policy(const char *policy)
{
	if (write_file(TS_DIR "policy", policy))
		tap_bail("cannot set the test secure module's policy '%s'", policy);
}

static int secure_buffer(size_t size)
{
	int fd = smaf_test_create(dev, size, NULL);

	if (fd < 0 || smaf_test_set_secure(dev, fd, 1))
		tap_bail("cannot create a secure buffer");
	return fd;
}

/* Live CPU and device grants of the test secure module. */
static long ts_live(void)
{
	return ts_stat("grants") - ts_stat("revokes");
}

/* 1. Memory the module would not let anyone scrub is not handed out. */
static void refused_at_allocation(void)
{
	size_t size = MIB;
	long long q0 = smaf_quarantined_bytes();
	void *p;
	int fd, err;

	ts_load("scrub=0");
	ts_policy("cpu=r");
	fd = secure_buffer(size);
	err = dmabuf_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ) ? errno : 0;
	tap_ok(err == EACCES && smaf_buffer_num(fd, "allocated") == 0,
	       "no scrub op, CPU read-only: the first use is refused, EACCES (%s)", strerror(err));
	p = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
	err = p == MAP_FAILED ? errno : 0;
	tap_ok(err == EACCES, "so is a read-only mmap (%s)", strerror(err));
	if (p != MAP_FAILED)
		munmap(p, size);
	tap_ok(ts_live() == 0, "the scrub grant asked at allocation was given back");
	close(fd);
	tap_ok(smaf_quarantined_bytes() == q0, "nothing quarantined");
}

/*
 * As uid 1000, in a child: an 8 MiB secure buffer from @alloc, written by
 * the CPU, passed to @sock.  Exits with the errno of the mmap (the first
 * use), 0 when the fd was sent.
 */
static void user_secret(const char *alloc, int sock)
{
	unsigned char *p;
	int d, fd;

	if (setgid(USER) || setuid(USER))
		_exit(EPERM);
	d = open("/dev/smaf", O_RDWR | O_CLOEXEC);
	fd = d < 0 ? -1 : smaf_test_create(d, 8 * MIB, alloc);
	if (fd < 0)
		_exit(d < 0 ? EBADF : errno);	/* a limit refuses the create */
	if (smaf_test_set_secure(d, fd, 1))
		_exit(EBADF);
	p = mmap(NULL, 8 * MIB, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		_exit(errno);
	fill_pattern(p, 8 * MIB, 41);
	munmap(p, 8 * MIB);
	_exit(send_fd(sock, fd) ? EIO : 0);
}

/*
 * Round @i of the quarantine: uid 1000 makes a secret on @alloc, root turns
 * the CPU read-only and drops the last reference.  Returns the child's
 * errno (0: the buffer was made and released).
 */
static int quarantine_round(const char *alloc)
{
	int sv[2], status, fd;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		tap_bail("socketpair");
	ts_policy("cpu=rw");
	pid = fork();
	if (pid == 0) {
		close(sv[0]);
		user_secret(alloc, sv[1]);
	}
	close(sv[1]);
	fd = recv_fd(sv[0]);
	waitpid(pid, &status, 0);
	close(sv[0]);
	if (fd >= 0) {
		ts_policy("cpu=r");
		close(fd);
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : EINTR;
}

/* 2. Quarantined memory stays charged: the creator's limit holds. */
static void quarantine_charged(void)
{
	static const char *const allocs[] = { "system", "carveout" };
	unsigned long long base, csize;
	char limits[1024], set[128];
	long long q0, q, refs0;
	unsigned int i, n;
	int err, fd, fd2;
	long qmax;

	if (smaf_limits_get(limits, sizeof(limits)))
		tap_bail("cannot read the limits");
	n = platform_carveout(&base, &csize) ? 1 : 2;
	snprintf(set, sizeof(set), "system:user=16M%s", n == 2 ? ",carveout:user=16M" : "");
	tap_ok(!write_file(LIMITS, set) && !chmod("/dev/smaf", 0666),
	       "uid %d may use /dev/smaf, 16 MiB per allocator (%s)", USER, set);
	refs0 = read_long_file("/sys/module/smaf/refcnt");
	q0 = smaf_quarantined_bytes();
	for (i = 0; i < n; i++) {
		tap_ok(quarantine_round(allocs[i]) == 0 && quarantine_round(allocs[i]) == 0,
		       "%s: two 8 MiB secrets made, then not scrubbable at release", allocs[i]);
		q = smaf_quarantined_bytes();
		tap_ok(q == q0 + (i + 1) * 16LL * MIB, "%s: 16 MiB more quarantined (%lld)",
		       allocs[i], q - q0);
		tap_ok(smaf_user_bytes(USER, allocs[i]) == 16LL * MIB,
		       "%s: still charged to uid %d: 16 MiB", allocs[i], USER);
		err = quarantine_round(allocs[i]);
		tap_ok(err == EDQUOT, "%s: a third secret is over the limit: EDQUOT (%s)",
		       allocs[i], strerror(err));
	}
	tap_ok(smaf_quarantined_bytes() == q0 + n * 16LL * MIB,
	       "the refused round quarantined nothing");
	if (n == 2) {
		/* Root's buffer on the carveout: the reserve is still there. */
		fd = smaf_test_create(dev, 16 * MIB, "carveout");
		tap_ok(fd >= 0 && !smaf_first_use(fd), "root still gets 16 MiB of carveout");
		close(fd);
	}

	/*
	 * 3. quarantine_max bounds the quarantine at any time: live secure
	 * buffers count, since any of them may end up there.
	 */
	qmax = read_long_file(QUARANTINE_MAX);
	snprintf(set, sizeof(set), "%lld", smaf_quarantined_bytes() + 4 * MIB);
	tap_ok(!write_file(QUARANTINE_MAX, set), "quarantine_max: 4 MiB above the quarantine");
	fd = smaf_test_create(dev, 8 * MIB, NULL);
	err = smaf_test_set_secure(dev, fd, 1);
	tap_ok(err == ENOSPC, "an 8 MiB buffer is not made secure: ENOSPC (%s)", strerror(err));
	close(fd);
	fd = smaf_test_create(dev, 4 * MIB, NULL);
	err = smaf_test_set_secure(dev, fd, 1);
	tap_ok(err == 0, "a 4 MiB one is (%s)", strerror(err));
	fd2 = smaf_test_create(dev, 4 * MIB, NULL);
	err = smaf_test_set_secure(dev, fd2, 1);
	tap_ok(err == ENOSPC, "while it lives, a second 4 MiB one is not: ENOSPC (%s)",
	       strerror(err));
	close(fd2);
	close(fd);
	fd = smaf_test_create(dev, 4 * MIB, NULL);
	err = smaf_test_set_secure(dev, fd, 1);
	tap_ok(err == 0, "once the first is gone, it is (%s)", strerror(err));
	close(fd);
	snprintf(set, sizeof(set), "%ld", qmax);
	tap_ok(qmax > 0 && !write_file(QUARANTINE_MAX, set), "quarantine_max restored (%ld)", qmax);

	/* 4. SMAF stays while it holds quarantined memory, and says so. */
	tap_ok(system("rmmod smaf 2>/dev/null") != 0 && access("/dev/smaf", F_OK) == 0,
	       "rmmod smaf is refused: quarantined memory pins it");

	/* 5. A secure module that can scrub gives it back. */
	ts_load("");
	tap_ok(smaf_quarantined_bytes() == 0, "a module with a scrub op, loaded, scrubs the quarantine");
	for (i = 0; i < n; i++)
		tap_ok(smaf_user_bytes(USER, allocs[i]) == 0, "%s: uid %d is charged nothing",
		       allocs[i], USER);
	tap_ok(read_long_file("/sys/module/smaf/refcnt") == refs0,
	       "SMAF's module references are back to %lld", refs0);
	tap_ok(ts_stat("dirty") == 0 && ts_stat("unguarded") == 0,
	       "the memory was zeroed, nothing written unguarded");
	tap_ok(!write_file(LIMITS, limits) && !chmod("/dev/smaf", 0600), "limits restored");
}

/* 6. Processes that die during a CPU access leave no grant. */
static void dead_processes(void)
{
	int fd, i, status, ready[2], go[2], err;
	pid_t pids[64], pid;
	long live;
	char c = 0;

	ts_policy("cpu=rw");
	fd = secure_buffer(64 * 1024);
	smaf_first_use(fd);
	for (i = 0; i < 200; i++) {
		pid = fork();
		if (pid == 0)
			_exit(dmabuf_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW) ? 1 : 0);
		waitpid(pid, &status, 0);
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			break;
	}
	tap_ok(i == 200, "200 processes begin a CPU access and exit without ending it");
	tap_ok(smaf_buffer_num(fd, "syncs") == 1,
	       "each begin ended the exited processes' accesses (%lld left)",
	       smaf_buffer_num(fd, "syncs"));
	err = dmabuf_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ) ? errno : 0;
	live = ts_live();
	tap_ok(!err && smaf_buffer_num(fd, "syncs") == 1 &&
	       live == smaf_buffer_num(fd, "segments"),
	       "after this process's begin, its access and grant are all that is left (%ld)",
	       live);
	tap_ok(!dmabuf_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ) &&
	       smaf_buffer_num(fd, "syncs") == 0 && ts_live() == 0, "its end: none");

	/* At most 64 living processes at once. */
	if (pipe(ready) || pipe(go))
		tap_bail("pipe");
	for (i = 0; i < 64; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			err = dmabuf_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW) ? errno : 0;
			if (write(ready[1], &c, 1) != 1 || read(go[0], &c, 1) != 1)
				_exit(EIO);
			_exit(err);
		}
		if (read(ready[0], &c, 1) != 1)
			tap_bail("child %d", i);
	}
	err = dmabuf_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW) ? errno : 0;
	tap_ok(err == EUSERS && smaf_buffer_num(fd, "syncs") == 64,
	       "a 65th process is refused: EUSERS (%s)", strerror(err));
	for (i = 0; i < 64; i++)
		if (write(go[1], &c, 1) != 1)
			tap_bail("go");
	err = 0;
	for (i = 0; i < 64; i++) {
		waitpid(pids[i], &status, 0);
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			err++;
	}
	tap_ok(!err, "the 64 had their access");
	tap_ok(!dmabuf_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW) &&
	       !dmabuf_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW) &&
	       smaf_buffer_num(fd, "syncs") == 0 && ts_live() == 0,
	       "once they are gone, a begin and an end leave nothing");
	close(ready[0]);
	close(ready[1]);
	close(go[0]);
	close(go[1]);
	close(fd);
}

/* 7. A read-only fd of a secure buffer gets no write grant. */
static void read_only_fd(void)
{
	struct dma_heap_allocation_data d = { .len = 64 * 1024 };
	long grants;
	int heap, err;

	ts_policy("cpu=rw");
	heap = open("/dev/dma_heap/protected,smaf", O_RDONLY | O_CLOEXEC);
	d.fd_flags = O_RDONLY | O_CLOEXEC;
	tap_ok(heap >= 0 && !ioctl(heap, DMA_HEAP_IOCTL_ALLOC, &d),
	       "a read-only secure buffer from the protected,smaf heap");
	grants = ts_stat("grants");
	err = dmabuf_sync(d.fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW) ? errno : 0;
	tap_ok(err == EBADF, "a write access through it: EBADF (%s)", strerror(err));
	err = dmabuf_sync(d.fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ) ? errno : 0;
	tap_ok(!err && ts_live() == smaf_buffer_num(d.fd, "segments") &&
	       ts_stat("grants") == grants + ts_live(), "a read access is granted (%s)",
	       strerror(err));
	dmabuf_sync(d.fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);
	tap_ok(ts_live() == 0, "given back at its end");
	close(d.fd);
	close(heap);
}

static int slow_fd;
static volatile int slow_done;
static volatile pid_t slow_tid;

static void *slow_begin(void *arg)
{
	(void)arg;
	slow_tid = gettid();
	dmabuf_sync(slow_fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW);
	slow_done = 1;
	return NULL;
}

/* The state letter of task @pid ('R', 'S', 'D'...), 0 if unknown. */
static char proc_state(pid_t pid)
{
	char path[64], buf[256], *p;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", pid);
	if (access(path, F_OK))
		snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	p = fgets(buf, sizeof(buf), f) ? strrchr(buf, ')') : NULL;
	fclose(f);
	return p && p[1] == ' ' ? p[2] : 0;
}

/*
 * 8. A task killed while its read(2) into a mapping waits for the buffer's
 * lock (a slow secure module holds it) fails the copy and dies, instead of
 * faulting again and again, burning the CPU, until the lock is free.
 */
static void killed_in_fault(void)
{
	int ready[2], go[2], zero, status, i;
	struct rusage ru;
	pthread_t t;
	char c = 0, state = 0;
	void *p;
	pid_t pid;

	ts_policy("cpu=rw");
	slow_fd = secure_buffer(64 * 1024);
	if (pipe(ready) || pipe(go))
		tap_bail("pipe");
	pid = fork();
	if (pid == 0) {
		/* Secure mappings are not inherited: the child maps it itself. */
		p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, slow_fd, 0);
		zero = open("/dev/zero", O_RDONLY);
		if (p == MAP_FAILED || zero < 0 || write(ready[1], &c, 1) != 1 ||
		    read(go[0], &c, 1) != 1)
			_exit(1);
		/* The copy faults on the mapping, in the kernel. */
		if (read(zero, p, 4096) < 0)
			_exit(2);
		_exit(0);
	}
	if (read(ready[0], &c, 1) != 1)
		tap_bail("child not ready");
	write_file(TS_DIR "grant_delay_ms", "6000");
	slow_done = 0;
	slow_tid = 0;
	pthread_create(&t, NULL, slow_begin, NULL);
	/* The grant sleeps uninterruptibly, holding the buffer's lock. */
	for (i = 0; i < 300 && (!slow_tid || proc_state(slow_tid) != 'D'); i++)
		usleep(10 * 1000);
	if (write(go[1], &c, 1) != 1)
		tap_bail("go");
	for (i = 0; i < 200 && state != 'D'; i++) {
		usleep(10 * 1000);
		state = proc_state(pid);
	}
	tap_ok(state == 'D' && !slow_done,
	       "the child's read waits for the lock a 6 s grant holds (state %c)", state ? state : '?');
	kill(pid, SIGKILL);
	wait4(pid, &status, 0, &ru);
	/*
	 * Its exit unmaps the buffer, which waits for the lock too (so it is
	 * reaped about when the grant ends): what tells a killed task that
	 * faulted again and again from one that failed its copy is the CPU
	 * time it burnt meanwhile.
	 */
	tap_ok(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL &&
	       ru.ru_stime.tv_sec == 0 && ru.ru_stime.tv_usec < 500 * 1000,
	       "SIGKILL: it dies without spinning in the kernel (%ld.%06ld s of system time)",
	       (long)ru.ru_stime.tv_sec, (long)ru.ru_stime.tv_usec);
	pthread_join(t, NULL);
	write_file(TS_DIR "grant_delay_ms", "0");
	dmabuf_sync(slow_fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW);
	close(slow_fd);
	close(ready[0]);
	close(ready[1]);
	close(go[0]);
	close(go[1]);
	tap_ok(ts_live() == 0, "no grant left");
}

int main(void)
{
	dev = open("/dev/smaf", O_RDWR | O_CLOEXEC);
	if (dev < 0)
		tap_bail("cannot open /dev/smaf");
	if (system("insmod /lib/modules/smaf-testsecure.ko"))
		tap_bail("cannot load the test secure module");

	refused_at_allocation();
	quarantine_charged();
	dead_processes();
	read_only_fd();
	killed_in_fault();

	tap_ok(system("rmmod smaf_testsecure") == 0, "the test secure module unloads");
	tap_ok(smaf_live_buffers() == 0, "no buffer left");
	close(dev);
	return tap_done();
}

// SPDX-License-Identifier: GPL-2.0
/*
 * Stateful random fuzzer of everything a process can do to SMAF fds and
 * their mappings: mmap with every flag and protection (shared, private,
 * fixed, partial, offset), the same through an importer's node
 * (dma_buf_mmap(), smaf-importer), a capture driver's vmap (vivid on
 * videobuf2-vmalloc, which never attaches), mprotect, madvise (every advice),
 * mremap, partial munmap, fork, fd passing to a process of another uid over a Unix socket,
 * the dma-buf ioctls (SYNC with any flags, SET_NAME), the secure flag,
 * children that die (or are killed) in the middle of a CPU access, attempts
 * to unload SMAF and the secure module, and close at any moment; while a
 * second thread races debugfs readers, ioctls on whatever fd numbers exist,
 * and short-lived buffers.  Runs first without a secure module, then with
 * the test firewall, whose CPU policy flips between allowed and denied,
 * then with the firewall and global limits tighter than what the buffers
 * would hold (a first use refused must be ENOSPC), then with a firewall
 * that cannot scrub (secure buffers released while the CPU is denied are
 * quarantined).
 *
 * It keeps a model of every buffer (a shadow of its contents, its mappings
 * page by page) and checks: data written is data read, through any mapping
 * and in children; refused operations are refused with the right errno; a
 * secure buffer is never mapped when the CPU is denied, never reaches a
 * child, never loses its flag; after every step, what the users are charged
 * equals what the allocators hold, which equals the memory of the live
 * buffers plus the quarantine; and at the end nothing is left.  The kernel
 * must stay healthy (the harness judges the console).  Seeded and time
 * bounded: SMAF_SEED=N replays a run, SMAF_FUZZ_SECONDS sets the budget.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/dma-buf.h>
#include <linux/smaf.h>
#include <linux/videodev2.h>

#include "media.h"
#include "smaf-importer.h"
#include "smaf-test.h"

#define PG		4096UL
#define MAX_BUFS	6
#define MAX_MAPS	12
#define MAX_PAGES	16
#define TS_POLICY	"/sys/module/smaf_testsecure/parameters/policy"
#define TS_STATS	"/sys/kernel/debug/smaf_testsecure/stats"
#define LIMITS		"/sys/module/smaf/parameters/limits"
/*
 * Less than the model's buffers can hold: 192 KiB in all allocators a
 * buffer can fall back to, against up to 6 x 64 KiB.
 */
#define TIGHT_LIMITS	"system:global=96K,dma32:global=32K,contig:global=32K,carveout:global=32K"

struct buf {
	int fd;			/* -1 once closed */
	size_t pages;
	int rw;			/* opened O_RDWR */
	int secure;
	int sync_held;		/* this process began CPU access, not ended */
	int sync_write;		/* ... for writing (SYNC_WRITE or RW) */
	int maps;		/* mappings still holding it */
	unsigned char *shadow;
};

struct map {
	struct buf *b;		/* NULL: free slot */
	unsigned char *addr;
	size_t off, pages;	/* buffer page offset, length in pages */
	int mapped[MAX_PAGES];
	int prot[MAX_PAGES];
	int maywrite[MAX_PAGES];	/* mprotect may add PROT_WRITE */
	int dontfork[MAX_PAGES];
};

static struct buf bufs[MAX_BUFS];
static struct map maps[MAX_MAPS];
static unsigned int rng;
static int dev, cpu_denied, have_secure;
static volatile int limited;	/* tight global limits: first uses may get ENOSPC */
static long ops, violations, limit_refusals;
static volatile int stop_chaos;
static pthread_mutex_t vm_lock = PTHREAD_MUTEX_INITIALIZER;	/* see op_mremap */
/* The chaos thread's buffers live and die under it: see check_accounting(). */
static pthread_mutex_t acct_lock = PTHREAD_MUTEX_INITIALIZER;
static const char *ts_args = "";	/* the firewall's load parameters */
static long acct_checks;

static unsigned int rnd(unsigned int n)
{
	return n ? (unsigned int)rand_r(&rng) % n : 0;
}

static void violation(const char *fmt, ...)
{
	va_list ap;

	if (__atomic_add_fetch(&violations, 1, __ATOMIC_RELAXED) > 20)
		return;
	printf("# VIOLATION (op %ld): ", ops);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

/* Per thread: a fault is taken by the thread that made it. */
static __thread sigjmp_buf fault_jmp;
static __thread volatile int guarded, last_sig;

static void on_fault(int sig)
{
	if (!guarded) {
		signal(sig, SIG_DFL);
		raise(sig);
	}
	last_sig = sig;
	siglongjmp(fault_jmp, 1);
}

/* Copies @len bytes at @src to @dst; -1 if that faults. */
static int guarded_copy(void *dst, const void *src, size_t len)
{
	guarded = 1;
	if (sigsetjmp(fault_jmp, 1)) {
		guarded = 0;
		return -1;
	}
	memcpy(dst, src, len);
	guarded = 0;
	return 0;
}

static struct buf *pick_buf(void)
{
	unsigned int i, start = rnd(MAX_BUFS);

	for (i = 0; i < MAX_BUFS; i++) {
		struct buf *b = &bufs[(start + i) % MAX_BUFS];

		if (b->shadow && b->fd >= 0)
			return b;
	}
	return NULL;
}

static struct map *pick_map(void)
{
	unsigned int i, start = rnd(MAX_MAPS);

	for (i = 0; i < MAX_MAPS; i++)
		if (maps[(start + i) % MAX_MAPS].b)
			return &maps[(start + i) % MAX_MAPS];
	return NULL;
}

static void buf_maybe_free(struct buf *b)
{
	if (b->fd < 0 && !b->maps) {
		free(b->shadow);
		b->shadow = NULL;
	}
}

static void map_drop_if_empty(struct map *m)
{
	size_t i;

	for (i = 0; i < m->pages; i++)
		if (m->mapped[i])
			return;
	m->b->maps--;
	buf_maybe_free(m->b);
	m->b = NULL;
}

static void op_create(void)
{
	struct smaf_create_data d;
	struct buf *b = NULL;
	unsigned int i;

	for (i = 0; i < MAX_BUFS; i++)
		if (!bufs[i].shadow)
			b = &bufs[i];
	if (!b)
		return;
	memset(&d, 0, sizeof(d));
	d.length = (1 + rnd(MAX_PAGES)) * PG - (rnd(2) ? rnd(PG) : 0);
	d.flags = (rnd(5) ? O_RDWR : 0) | (rnd(2) ? O_CLOEXEC : 0);
	if (ioctl(dev, SMAF_IOC_CREATE, &d)) {
		/* The create reserves the limits: a tight one refuses it. */
		if (limited && errno == ENOSPC)
			limit_refusals++;
		else
			violation("create %llu bytes: %s", (unsigned long long)d.length,
				  strerror(errno));
		return;
	}
	/*
	 * Under tight limits the first use is made here, so that a buffer the
	 * model keeps always has its memory: a refusal must be ENOSPC, and
	 * leaves nothing behind.
	 */
	if (limited) {
		int err = smaf_first_use(d.fd);

		if (err) {
			if (err != ENOSPC)
				violation("first use under tight limits: %s", strerror(err));
			limit_refusals++;
			close(d.fd);
			return;
		}
	}
	b->fd = d.fd;
	b->pages = (d.length + PG - 1) / PG;
	b->rw = d.flags & O_RDWR;
	b->secure = 0;
	b->sync_held = 0;
	b->maps = 0;
	b->shadow = calloc(b->pages, PG);
}

static int secure_ioctl(unsigned long cmd, int fd, unsigned int *val)
{
	struct smaf_secure_flag f;

	memset(&f, 0, sizeof(f));
	f.fd = fd;
	f.secure = *val;
	if (ioctl(dev, cmd, &f))
		return errno;
	*val = f.secure;
	return 0;
}

static void op_secure(void)
{
	struct buf *b = pick_buf();
	unsigned int on = rnd(2), got = 0;
	int err;

	if (!b)
		return;
	err = secure_ioctl(SMAF_IOC_SET_SECURE_FLAG, b->fd, &on);
	if (!b->rw) {
		if (err != EBADF)
			violation("secure flag of a read-only buffer: %s", strerror(err));
	} else if (on && !err) {
		if (!have_secure || b->secure)
			violation("secure flag set (module %d, already %d)", have_secure, b->secure);
		b->secure = 1;
	} else if (!on) {
		if (err != (b->secure ? EPERM : 0))
			violation("secure flag cleared: %s (secure %d)", strerror(err), b->secure);
	} else if (!(err == EOPNOTSUPP && !have_secure) && err != EBUSY && err != EALREADY &&
		   !(err == ENOSPC && smaf_quarantined_bytes() > 0)) {
		violation("secure flag set: %s", strerror(err));
	}
	if (secure_ioctl(SMAF_IOC_GET_SECURE_FLAG, b->fd, &got) || (int)got != b->secure)
		violation("secure flag reads %u, model %d", got, b->secure);
}

static void op_mmap(void)
{
	static const int prots[] = { PROT_NONE, PROT_READ, PROT_WRITE, PROT_READ | PROT_WRITE,
				     PROT_READ | PROT_EXEC };
	struct buf *b = pick_buf();
	struct map *m = NULL;
	int prot = prots[rnd(5)], flags, want = 0;
	size_t off, pages, i;
	unsigned char *p;

	for (i = 0; i < MAX_MAPS; i++)
		if (!maps[i].b)
			m = &maps[i];
	if (!b || !m)
		return;
	off = rnd(b->pages + 1);
	pages = 1 + rnd(b->pages);
	flags = rnd(6) ? MAP_SHARED : MAP_PRIVATE;
	if (flags == MAP_SHARED && (prot & PROT_WRITE) && !b->rw)
		want = EACCES;		/* the VM refuses first */
	else if (flags == MAP_PRIVATE)
		want = EINVAL;
	else if (off + pages > b->pages)
		want = EINVAL;
	else if (b->secure && cpu_denied)
		want = EACCES;
	p = mmap(NULL, pages * PG, prot, flags, b->fd, off * PG);
	if (p == MAP_FAILED) {
		/* PROT_EXEC may be refused by the dma-buf filesystem. */
		if (errno != want && !(prot & PROT_EXEC && (errno == EPERM || errno == EACCES)))
			violation("mmap off %zu pages %zu prot %d flags %d of %zu (secure %d rw %d): %s, want %s",
				  off, pages, prot, flags, b->pages, b->secure, b->rw,
				  strerror(errno), strerror(want));
		return;
	}
	if (want) {
		violation("mmap off %zu pages %zu prot %d flags %d secure %d denied %d: succeeded, want %s",
			  off, pages, prot, flags, b->secure, cpu_denied, strerror(want));
		munmap(p, pages * PG);
		return;
	}
	m->b = b;
	m->addr = p;
	m->off = off;
	m->pages = pages;
	for (i = 0; i < pages; i++) {
		m->mapped[i] = 1;
		m->prot[i] = prot;
		/* Secure: write access is decided at mmap, by the secure module. */
		m->maywrite[i] = b->secure ? !!(prot & PROT_WRITE) : b->rw;
		m->dontfork[i] = b->secure;
	}
	b->maps++;
}

/*
 * An importer maps a buffer through its own node (dma_buf_mmap(), as DRM
 * drivers map imported objects): the buffer's own access mode holds there,
 * now and under mprotect(), and the data is the buffer's.
 */
static void op_import_mmap(void)
{
	static const int prots[] = { PROT_READ, PROT_WRITE, PROT_READ | PROT_WRITE };
	struct buf *b = pick_buf();
	int prot = prots[rnd(3)], flags, want = 0, imp;
	size_t pages;
	unsigned char *p;
	int32_t fd;

	if (!b)
		return;
	imp = open("/dev/smaf-importer", O_RDWR);
	fd = b->fd;
	if (imp < 0 || ioctl(imp, SMAF_IMPORTER_IOC_IMPORT, &fd)) {
		violation("importer: %s", strerror(errno));
		if (imp >= 0)
			close(imp);
		return;
	}
	pages = 1 + rnd(b->pages);
	flags = rnd(6) ? MAP_SHARED : MAP_PRIVATE;
	if (flags == MAP_PRIVATE)
		want = EINVAL;
	else if ((prot & PROT_WRITE) && !b->rw)
		want = EACCES;
	else if (b->secure && cpu_denied)
		want = EACCES;
	p = mmap(NULL, pages * PG, prot, flags, imp, 0);
	if (p == MAP_FAILED ? errno != want : want != 0)
		violation("importer mmap of %zu pages prot %d flags %d (secure %d rw %d): %s, want %s",
			  pages, prot, flags, b->secure, b->rw,
			  p == MAP_FAILED ? strerror(errno) : "success", strerror(want));
	if (p != MAP_FAILED) {
		if (!b->rw && !mprotect(p, pages * PG, PROT_READ | PROT_WRITE))
			violation("importer mapping of a read-only buffer made writable");
		if (!b->secure && (prot & PROT_READ) && memcmp(p, b->shadow, pages * PG))
			violation("importer mapping reads other data than the buffer's");
		munmap(p, pages * PG);
	}
	close(imp);
}

/* vivid's vmalloc capture, which vmaps a queued buffer and never attaches. */
static int capv = -1;
static size_t capv_size;
static long vmaps;	/* buffers vivid vmapped */

/*
 * A capture driver's QBUF: its vmap is the buffer's CPU use (its first use
 * if nothing used it yet), refused only where the secure module denies the
 * CPU, which the dma-buf core would warn of (d-faults covers that once).
 * Freeing the queue's buffers ends the vmap.
 */
static void op_vmap(void)
{
	struct buf *b = pick_buf();

	if (!b || capv < 0 || b->pages * PG < capv_size || (b->secure && cpu_denied))
		return;
	if (v4l2_qbuf_dmabuf(capv, V4L2_BUF_TYPE_VIDEO_CAPTURE, 0, b->fd, b->pages * PG))
		violation("vivid's vmap of a %zu-page buffer (secure %d rw %d): %s",
			  b->pages, b->secure, b->rw, strerror(errno));
	else
		vmaps++;
	if (v4l2_reqbufs_dmabuf(capv, V4L2_BUF_TYPE_VIDEO_CAPTURE, 0) < 0 ||
	    v4l2_reqbufs_dmabuf(capv, V4L2_BUF_TYPE_VIDEO_CAPTURE, 1) < 1)
		violation("vivid's queue: %s", strerror(errno));
}

/* A random page range [*first, *first + *n) of @m. */
static void pick_range(struct map *m, size_t *first, size_t *n)
{
	*first = rnd(m->pages);
	*n = 1 + rnd(m->pages - *first);
}

static void op_munmap(void)
{
	struct map *m = pick_map();
	size_t first, n, i;

	if (!m)
		return;
	pick_range(m, &first, &n);
	/* A hole may hold another mapping by now: unmap only our pages. */
	for (i = first; i < first + n; i++)
		if (!m->mapped[i])
			return;
	if (munmap(m->addr + first * PG, n * PG)) {
		violation("munmap: %s", strerror(errno));
		return;
	}
	for (i = first; i < first + n; i++)
		m->mapped[i] = 0;
	map_drop_if_empty(m);
}

static void op_mprotect(void)
{
	static const int prots[] = { PROT_NONE, PROT_READ, PROT_WRITE, PROT_READ | PROT_WRITE };
	struct map *m = pick_map();
	int prot = prots[rnd(4)], err, may_write = 1;
	size_t first, n, i;

	if (!m)
		return;
	pick_range(m, &first, &n);
	for (i = first; i < first + n; i++) {
		if (!m->mapped[i])
			return;		/* ENOMEM on holes: not interesting */
		if (!m->maywrite[i])
			may_write = 0;
	}
	err = mprotect(m->addr + first * PG, n * PG, prot) ? errno : 0;
	if ((prot & PROT_WRITE) && !may_write) {
		if (err != EACCES)
			violation("mprotect +W on a mapping without write access (secure %d): %s",
				  m->b->secure, strerror(err));
		return;
	}
	if (err) {
		violation("mprotect %d: %s", prot, strerror(err));
		return;
	}
	for (i = first; i < first + n; i++)
		m->prot[i] = prot;
}

static void op_madvise(void)
{
	static const int advice[] = {
		MADV_NORMAL, MADV_RANDOM, MADV_SEQUENTIAL, MADV_WILLNEED, MADV_DONTNEED,
		MADV_FREE, MADV_REMOVE, MADV_DONTFORK, MADV_DOFORK, MADV_MERGEABLE,
		MADV_UNMERGEABLE, MADV_HUGEPAGE, MADV_NOHUGEPAGE, MADV_DONTDUMP,
		MADV_DODUMP, MADV_WIPEONFORK, MADV_KEEPONFORK, MADV_COLD, MADV_PAGEOUT,
#ifdef MADV_POPULATE_READ
		MADV_POPULATE_READ, MADV_POPULATE_WRITE,
#endif
	};
	struct map *m = pick_map();
	int adv = advice[rnd(sizeof(advice) / sizeof(advice[0]))], err;
	size_t first, n, i;

	if (!m)
		return;
	pick_range(m, &first, &n);
	for (i = first; i < first + n; i++)
		if (!m->mapped[i])
			return;
	err = madvise(m->addr + first * PG, n * PG, adv) ? errno : 0;
	if (adv == MADV_DOFORK && m->b->secure && err != EINVAL)
		violation("MADV_DOFORK on a secure mapping: %s", strerror(err));
	if (err)
		return;		/* other refusals are fine; the data oracle judges */
	for (i = first; i < first + n; i++) {
		if (adv == MADV_DONTFORK)
			m->dontfork[i] = 1;
		if (adv == MADV_DOFORK)
			m->dontfork[i] = 0;
	}
}

static void op_mremap(void)
{
	struct map *m = pick_map();
	unsigned char *hole, *p;
	size_t i;

	if (!m)
		return;
	for (i = 0; i < m->pages; i++)
		if (!m->mapped[i] || m->prot[i] != m->prot[0])
			return;
	if (rnd(3) == 0) {
		p = mremap(m->addr, m->pages * PG, (m->pages + 1) * PG, MREMAP_MAYMOVE);
		if (p != MAP_FAILED) {
			violation("a mapping grew with mremap");
			munmap(p, (m->pages + 1) * PG);
			for (i = 0; i < m->pages; i++)
				m->mapped[i] = 0;
			map_drop_if_empty(m);
		}
		return;
	}
	hole = mmap(NULL, m->pages * PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (hole == MAP_FAILED)
		return;
	/*
	 * A failing mremap may already have unmapped the hole (several VMAs:
	 * EFAULT after the target is cleared): the chaos thread must not map
	 * into it before the hole is cleaned up.
	 */
	pthread_mutex_lock(&vm_lock);
	p = mremap(m->addr, m->pages * PG, m->pages * PG, MREMAP_MAYMOVE | MREMAP_FIXED, hole);
	if (p == MAP_FAILED)
		munmap(hole, m->pages * PG);
	pthread_mutex_unlock(&vm_lock);
	if (p != MAP_FAILED)
		m->addr = p;
}

/* Reads or writes a random page range through @m, against the shadow. */
static void op_access(int write)
{
	struct map *m = pick_map();
	unsigned char tmp[PG], *shadow;
	size_t i, first, n;

	if (!m)
		return;
	pick_range(m, &first, &n);
	for (i = first; i < first + n; i++) {
		int prot = m->prot[i], ok;

		if (!m->mapped[i])
			continue;
		shadow = m->b->shadow + (m->off + i) * PG;
		if (write) {
			memset(tmp, rnd(256), PG);
			tmp[rnd(PG)] = rnd(256);
			ok = !guarded_copy(m->addr + i * PG, tmp, PG);
			if (ok != !!(prot & PROT_WRITE))
				violation("write page %zu/%zu prot %d maywrite %d: %s (signal %d)",
					  i, m->pages, prot, m->maywrite[i],
					  ok ? "succeeded" : "faulted", last_sig);
			if (ok)
				memcpy(shadow, tmp, PG);
		} else {
			/* x86 cannot map write-only: any access allows reads. */
			ok = !guarded_copy(tmp, m->addr + i * PG, PG);
			if (ok != (prot != PROT_NONE))
				violation("read page %zu prot %d: %s", i, prot,
					  ok ? "succeeded" : "faulted");
			else if (ok && memcmp(tmp, shadow, PG))
				violation("page %zu of buffer (secure %d) differs from what was written",
					  m->off + i, m->b->secure);
		}
	}
}

/* Child: every inherited page reads as the parent wrote it; others fault. */
static int child_check_maps(void)
{
	unsigned char tmp[PG];
	size_t i, j;
	int bad = 0, ok;

	for (i = 0; i < MAX_MAPS; i++) {
		struct map *m = &maps[i];

		if (!m->b)
			continue;
		for (j = 0; j < m->pages; j++) {
			if (!m->mapped[j] || m->prot[j] == PROT_NONE)
				continue;
			ok = !guarded_copy(tmp, m->addr + j * PG, PG);
			if (m->dontfork[j] || m->b->secure) {
				bad += ok;	/* must not be there */
				if (ok)
					printf("# child: page %zu of a %s mapping is there\n", j,
					       m->b->secure ? "secure" : "DONTFORK");
			} else if (!ok || memcmp(tmp, m->b->shadow + (m->off + j) * PG, PG)) {
				bad++;
				printf("# child: page %zu/%zu prot %d: %s at %p\n", j, m->pages,
				       m->prot[j], ok ? "wrong data" : "faults", m->addr + j * PG);
			}
		}
	}
	return bad ? 1 : 0;
}

static void op_fork(void)
{
	int status;
	pid_t pid = fork();

	if (pid == 0)
		_exit(child_check_maps());
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return;
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		violation("a forked child saw a secure or not-inherited mapping, or wrong data");
}

/*
 * Another user receives the fd: it may map and read what was written (or is
 * refused when the buffer is secure and the CPU denied), but not change the
 * secure flag of a read-only buffer nor clear it.
 */
static void op_pass_fd(void)
{
	struct buf *b = pick_buf();
	int sv[2], status, fd;
	unsigned char *p;
	pid_t pid;

	if (!b || socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		return;
	pid = fork();
	if (pid == 0) {
		close(sv[0]);
		if (setgid(65534) || setuid(65534))
			_exit(2);
		fd = recv_fd(sv[1]);
		if (fd < 0)
			_exit(3);
		p = mmap(NULL, b->pages * PG, PROT_READ, MAP_SHARED, fd, 0);
		if (b->secure && cpu_denied)
			_exit(p == MAP_FAILED && errno == EACCES ? 0 : 4);
		if (p == MAP_FAILED)
			_exit(5);
		if (memcmp(p, b->shadow, b->pages * PG))
			_exit(6);
		if (dmabuf_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ) ||
		    dmabuf_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ))
			_exit(7);
		_exit(0);
	}
	close(sv[1]);
	send_fd(sv[0], b->fd);
	close(sv[0]);
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return;
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		violation("fd passed to uid 65534 (secure %d denied %d): child status %d",
			  b->secure, cpu_denied, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

static void op_dmabuf_ioctl(void)
{
	struct buf *b = pick_buf();
	struct dma_buf_sync s;
	char name[40];
	uint64_t flags;
	int err;

	if (!b)
		return;
	if (rnd(3) == 0) {
		memset(name, 'a' + rnd(26), sizeof(name));
		name[rnd(sizeof(name))] = 0;
		ioctl(b->fd, DMA_BUF_SET_NAME_B, name);
		return;
	}
	flags = rnd(4) ? (rnd(2) ? DMA_BUF_SYNC_END : DMA_BUF_SYNC_START) | (1 + rnd(3))
		       : ((uint64_t)rand_r(&rng) << 32) | (unsigned int)rand_r(&rng);
	s.flags = flags;
	err = ioctl(b->fd, DMA_BUF_IOCTL_SYNC, &s) ? errno : 0;
	if (flags & ~DMA_BUF_SYNC_VALID_FLAGS_MASK || !(flags & DMA_BUF_SYNC_RW)) {
		if (err != EINVAL)
			violation("SYNC with flags %#llx: %s", (unsigned long long)flags,
				  strerror(err));
	} else if (!(flags & DMA_BUF_SYNC_END) && b->secure && cpu_denied &&
		   (!b->sync_held || (flags & DMA_BUF_SYNC_WRITE && !b->sync_write))) {
		/* A new grant, or an upgrade to writing, asks the firewall. */
		if (err != EACCES)
			violation("SYNC_START of a secure buffer, CPU denied: %s", strerror(err));
	} else if (err) {
		violation("SYNC with flags %#llx: %s", (unsigned long long)flags, strerror(err));
	} else {
		/* One grant per process, until its SYNC_END. */
		b->sync_held = !(flags & DMA_BUF_SYNC_END);
		b->sync_write = b->sync_held && (b->sync_write || flags & DMA_BUF_SYNC_WRITE);
	}
}

/*
 * A child begins a CPU access (or maps and reads) and dies without ending
 * it, by exit or killed at any moment.  It reads only: the shadows stay.
 */
static void op_die(void)
{
	struct buf *b = pick_buf();
	volatile unsigned char sink;
	unsigned char *p;
	int status;
	pid_t pid;

	if (!b)
		return;
	pid = fork();
	if (pid == 0) {
		if (rnd(2)) {
			dmabuf_sync(b->fd, DMA_BUF_SYNC_START |
				    (rnd(2) ? DMA_BUF_SYNC_RW : DMA_BUF_SYNC_READ));
		} else {
			p = mmap(NULL, PG, PROT_READ, MAP_SHARED, b->fd, 0);
			if (p != MAP_FAILED)
				sink = p[rnd(PG)];
		}
		(void)sink;
		if (rnd(2))
			raise(SIGKILL);
		_exit(0);
	}
	if (pid > 0 && rnd(2))
		kill(pid, SIGKILL);
	if (pid > 0)
		waitpid(pid, &status, 0);
}

/* The firewall's parameters: the phase's, with the current CPU policy. */
static int ts_load(void)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "insmod /lib/modules/smaf-testsecure.ko %s policy=%s",
		 ts_args, cpu_denied ? "cpu=-" : "cpu=rw");
	return system(cmd);
}

/*
 * SMAF cannot go while this process holds /dev/smaf; the firewall cannot go
 * while a secure buffer lives, and can when none does (it comes back, and
 * scrubs the quarantine if it can).
 */
static void op_unload(void)
{
	int live = 0, ret;
	unsigned int i;

	for (i = 0; i < MAX_BUFS; i++)
		live |= bufs[i].shadow && bufs[i].secure;
	if (!system("rmmod smaf 2>/dev/null"))
		tap_bail("rmmod smaf succeeded while /dev/smaf is open");
	if (!have_secure)
		return;
	ret = system("rmmod smaf_testsecure 2>/dev/null");
	if (!ret && live)
		violation("the firewall unloaded while a secure buffer lives");
	else if (ret && !live)
		violation("the firewall did not unload, and no secure buffer lives");
	if (!ret && ts_load())
		tap_bail("cannot load the firewall again");
}

/*
 * A secure buffer written under cpu=rw and released under cpu=-: with a
 * firewall that cannot scrub, its memory is quarantined.  0 or an errno.
 */
static int quarantine_one(void)
{
	int fd = smaf_test_create(dev, 4 * PG, NULL), err;
	unsigned int on = 1;

	if (fd < 0)
		return errno;
	err = secure_ioctl(SMAF_IOC_SET_SECURE_FLAG, fd, &on);
	if (!err)
		err = smaf_first_use(fd);
	write_file(TS_POLICY, "cpu=-");
	close(fd);
	write_file(TS_POLICY, "cpu=rw");
	return err;
}

/* Sums the NAME=NUMBER fields of @line, but those named in @skip. */
static long long sum_fields(const char *line, const char *const *skip)
{
	char name[64];
	long long v, sum = 0;
	const char *p = line;
	int n, i, skipped;

	while (sscanf(p, " %63[^= ]=%lld%n", name, &v, &n) == 2) {
		for (skipped = 0, i = 0; skip[i]; i++)
			skipped |= !strcmp(name, skip[i]);
		if (!skipped)
			sum += v;
		p += n;
	}
	return sum;
}

/*
 * What users are charged equals what the allocators hold plus what the
 * buffers not allocated yet reserve, and what the allocators hold equals
 * the memory of the live buffers plus the quarantine.  Every buffer of this
 * process is settled between steps; the chaos thread's are under acct_lock.
 */
static void check_accounting(void)
{
	static const char *const user_skip[] = { "uid", "buffers", "refused", NULL };
	long long held = 0, charged = 0, live = 0, reserved = 0, quarantined;
	char line[1024], val[64];
	int busy = 0;
	FILE *f;

	pthread_mutex_lock(&acct_lock);
	f = fopen(DEBUGFS_SMAF "/allocators", "r");
	while (f && fgets(line, sizeof(line), f))
		if (!line_field(line, "bytes", val, sizeof(val)))
			held += strtoll(val, NULL, 10);
	if (f)
		fclose(f);
	f = fopen(DEBUGFS_SMAF "/users", "r");
	while (f && fgets(line, sizeof(line), f))
		charged += sum_fields(line, user_skip);
	if (f)
		fclose(f);
	f = fopen(DEBUGFS_SMAF "/buffers", "r");
	while (f && fgets(line, sizeof(line), f)) {
		busy |= !line_field(line, "busy", val, sizeof(val));
		if (!line_field(line, "allocated", val, sizeof(val)) && !strcmp(val, "1") &&
		    !line_field(line, "size", val, sizeof(val)))
			live += strtoll(val, NULL, 10);
		if (!line_field(line, "reserved", val, sizeof(val)) && strcmp(val, "-") &&
		    !line_field(line, "size", val, sizeof(val)))
			reserved += strtoll(val, NULL, 10);
	}
	if (f)
		fclose(f);
	quarantined = smaf_quarantined_bytes();
	pthread_mutex_unlock(&acct_lock);
	if (busy)
		return;
	acct_checks++;
	if (charged != held + reserved || live + quarantined != held)
		violation("accounting: users charged %lld, allocators hold %lld + reserved %lld, live buffers %lld + quarantined %lld",
			  charged, held, reserved, live, quarantined);
}

static void op_close(void)
{
	struct buf *b = pick_buf();

	if (!b)
		return;
	close(b->fd);
	b->fd = -1;
	buf_maybe_free(b);
}

static void op_policy(void)
{
	if (!have_secure)
		return;
	cpu_denied = !cpu_denied;
	write_file(TS_POLICY, cpu_denied ? "cpu=-" : "cpu=rw");
}

/* The second thread: races everything the main thread does. */
static void *chaos(void *arg)
{
	unsigned int r = *(unsigned int *)arg;
	struct dma_buf_sync s;
	char line[512];
	unsigned char *p, one = 1;
	FILE *f;
	int fd;

	while (!stop_chaos) {
		switch (rand_r(&r) % 4) {
		case 0:
			f = fopen(DEBUGFS_SMAF "/buffers", "r");
			while (f && fgets(line, sizeof(line), f))
				;
			if (f)
				fclose(f);
			break;
		case 1:
			/*
			 * Whatever fd number exists: buffers, sockets, /dev/smaf.
			 * Only requests that change no state the model tracks
			 * (a valid SYNC would end the main thread's access).
			 */
			fd = 3 + rand_r(&r) % 40;
			s.flags = DMA_BUF_SYNC_START;	/* no direction: EINVAL */
			ioctl(fd, DMA_BUF_IOCTL_SYNC, &s);
			ioctl(fd, DMA_BUF_SET_NAME_B, "chaos");
			break;
		default:
			pthread_mutex_lock(&acct_lock);
			fd = smaf_test_create(dev, (1 + rand_r(&r) % 8) * PG, NULL);
			if (fd < 0) {
				pthread_mutex_unlock(&acct_lock);
				break;
			}
			pthread_mutex_lock(&vm_lock);
			p = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
			pthread_mutex_unlock(&vm_lock);
			if (p != MAP_FAILED) {
				/*
				 * Under tight limits, a fault must be the limit's
				 * (the buffer's last error: a retry can succeed).
				 */
				if (guarded_copy(p, &one, 1) &&
				    !(limited && smaf_buffer_num(fd, "error") == -ENOSPC))
					violation("chaos: first write to a fresh buffer: signal %d, SYNC_START: %s",
						  last_sig, strerror(smaf_first_use(fd)));
				munmap(p, PG);
			}
			close(fd);
			pthread_mutex_unlock(&acct_lock);
			break;
		}
	}
	return NULL;
}

static void run(time_t seconds)
{
	time_t end = time(NULL) + seconds;
	unsigned int i;

	while (time(NULL) < end) {
		ops++;
		switch (rnd(20)) {
		case 0: case 1: op_create(); break;
		case 2: op_secure(); break;
		case 3: case 4: op_mmap(); break;
		case 5: op_munmap(); break;
		case 6: op_mprotect(); break;
		case 7: op_madvise(); break;
		case 8: op_mremap(); break;
		case 9: case 10: op_access(1); break;
		case 11: op_access(0); break;
		case 12: if (rnd(4) == 0) op_fork(); else op_pass_fd(); break;
		case 13: op_dmabuf_ioctl(); break;
		case 14: op_close(); break;
		case 15: if (rnd(8) == 0) op_policy(); break;
		case 16: if (rnd(2) == 0) op_die(); break;
		case 17: if (rnd(32) == 0) op_unload(); break;
		case 18: op_import_mmap(); break;
		case 19: op_vmap(); break;
		}
		check_accounting();
	}
	/* Tear everything down, in the middle of whatever state it was. */
	for (i = 0; i < MAX_MAPS; i++) {
		size_t j;

		if (!maps[i].b)
			continue;
		for (j = 0; j < maps[i].pages; j++) {
			if (maps[i].mapped[j])
				munmap(maps[i].addr + j * PG, PG);
			maps[i].mapped[j] = 0;
		}
		map_drop_if_empty(&maps[i]);
	}
	for (i = 0; i < MAX_BUFS; i++) {
		if (bufs[i].shadow) {
			close(bufs[i].fd);
			bufs[i].fd = -1;
			buf_maybe_free(&bufs[i]);
		}
	}
}

int main(void)
{
	const char *env = getenv("SMAF_SEED"), *budget = getenv("SMAF_FUZZ_SECONDS");
	unsigned int seed = env ? (unsigned int)strtoul(env, NULL, 0) : (unsigned int)time(NULL);
	time_t seconds = budget ? atoi(budget) : 60;
	char limits[1024] = "";
	long long quarantined;
	unsigned int chaos_seed;
	int err;
	long before;
	pthread_t t;
	char line[256];
	FILE *f;

	signal(SIGSEGV, on_fault);
	signal(SIGBUS, on_fault);
	rng = seed;
	chaos_seed = seed ^ 0x5eed;
	tap_diag("seed %u (replay with SMAF_SEED=%u), %ld s in 4 phases", seed, seed, (long)seconds);
	dev = open("/dev/smaf", O_RDWR);
	if (dev < 0)
		tap_bail("cannot open /dev/smaf");
	capv = vivid_open(V4L2_CAP_VIDEO_CAPTURE, VIVID_VMALLOC);
	{
		struct v4l2_format fmt;
		int ok = capv >= 0 &&
			 !v4l2_set_fmt(capv, V4L2_BUF_TYPE_VIDEO_CAPTURE, 32, 32,
				       V4L2_PIX_FMT_YUYV, &fmt) &&
			 v4l2_reqbufs_dmabuf(capv, V4L2_BUF_TYPE_VIDEO_CAPTURE, 1) > 0;

		capv_size = ok ? fmt.fmt.pix.sizeimage : 0;
		tap_ok(ok && capv_size > 0,
		       "vivid's vmalloc capture, for first uses by vmap (%zu bytes a frame)",
		       capv_size);
		if (!ok && capv >= 0) {
			close(capv);
			capv = -1;
		}
	}

	pthread_create(&t, NULL, chaos, &chaos_seed);
	before = violations;
	run(seconds / 4);
	tap_ok(violations == before, "without a secure module: %ld operations, %ld violations",
	       ops, violations - before);

	have_secure = !ts_load();
	tap_ok(have_secure, "load the test firewall");
	before = violations;
	run(seconds / 4);
	tap_ok(violations == before, "with the test firewall: %ld operations, %ld violations",
	       ops, violations - before);

	if (smaf_limits_get(limits, sizeof(limits)))
		tap_bail("cannot read %s", LIMITS);
	tap_ok(!write_file(LIMITS, TIGHT_LIMITS), "tight global limits: " TIGHT_LIMITS);
	limited = 1;
	before = violations;
	run(seconds / 4);
	limited = 0;
	tap_ok(violations == before && limit_refusals > 0,
	       "with the firewall and tight limits: %ld operations, %ld violations, %ld first uses refused",
	       ops, violations - before, limit_refusals);
	tap_ok(!write_file(LIMITS, limits), "limits restored");

	/* Nothing secure lives between phases: the firewall can go. */
	ts_args = "scrub=0";
	cpu_denied = 0;
	tap_ok(!system("rmmod smaf_testsecure") && !ts_load(),
	       "a firewall that cannot scrub: the CPU does, when the policy lets it");
	err = quarantine_one();
	quarantined = smaf_quarantined_bytes();
	tap_ok(!err && quarantined > 0,
	       "a secret released while the CPU is denied is quarantined (%lld bytes; %s)",
	       quarantined, strerror(err));
	check_accounting();
	before = violations;
	run(seconds - 3 * (seconds / 4));
	tap_ok(violations == before,
	       "with it: %ld operations, %ld violations, %lld bytes quarantined",
	       ops, violations - before, smaf_quarantined_bytes());
	stop_chaos = 1;
	pthread_join(t, NULL);
	tap_ok(acct_checks > ops / 2, "the accounting was checked %ld times", acct_checks);
	tap_ok(vmaps > 0, "vivid vmapped %ld buffers", vmaps);
	ts_args = "";
	cpu_denied = 0;
	tap_ok(!system("rmmod smaf_testsecure") && !ts_load() && smaf_quarantined_bytes() == 0,
	       "a firewall that scrubs, loaded, empties the quarantine");

	f = fopen(TS_STATS, "r");
	if (f && fgets(line, sizeof(line), f))
		tap_diag("firewall: %s", line);
	if (f)
		fclose(f);
	tap_ok(system("rmmod smaf_testsecure") == 0,
	       "the firewall unloads: every secure context is gone");
	if (capv >= 0)
		close(capv);
	tap_ok(smaf_live_buffers() == 0 && smaf_allocator_stat("system", "bytes") == 0 &&
	       smaf_allocator_stat("dma32", "bytes") == 0,
	       "no buffer left (%d), nothing charged", smaf_live_buffers());
	close(dev);
	return tap_done();
}

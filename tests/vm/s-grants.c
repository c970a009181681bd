// SPDX-License-Identifier: GPL-2.0
/*
 * Secure buffers kept by OP-TEE: smaf-optee.ko sends every context, grant,
 * revoke and scrub to SMAF's pseudo-TA, which decides and keeps the table.
 * Checks what the secure world itself reports (smaf_optee/stats asks it):
 * the normal world's CPU is refused every mapping, QEMU's edu DMA engine
 * (the platform's allowed bus master) moves data in and out through its
 * grants, nothing stays granted, freed memory is scrubbed by the secure
 * world; a process cannot open the pseudo-TA itself; a kernel that asks it
 * for OP-TEE's own memory or protected memory it gave nobody is refused; a
 * TEE that goes away gives clean errors and comes back.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/dma-buf.h>
#include <linux/dma-heap.h>
#include <linux/smaf.h>
#include <linux/tee.h>

#include "smaf-edu.h"
#include "smaf-teeprobe.h"
#include "smaf-test.h"

#define PTA_NAME "optee-ta-7a6d6166-5345-4355-5245-4f5054454531"
#define PTA_DEV "/sys/bus/tee/devices/" PTA_NAME
#define PTA_DRV "/sys/bus/tee/drivers/smaf-optee"
#define PTA_STATS "/sys/kernel/debug/smaf_optee/stats"
#define TEE_ERROR_ACCESS_DENIED 0xffff0001u
/* Where OP-TEE's core runs on QEMU's virt machine: its secure RAM. */
#define QEMU_OPTEE_CORE 0x0e100000ull
#define EDU_STREAM 0x10
#define USER 1000
#define SIZE (64 * 1024)
#define COPY (8 * 1024)		/* edu moves 2 KiB per 100 ms */

static int dev;

/* A field of what the secure world reports; -1 if it cannot be read. */
static long long pta(const char *key)
{
	char line[256], val[32];
	long long v = -1;
	FILE *f = fopen(PTA_STATS, "r");

	if (!f)
		return -1;
	if (fgets(line, sizeof(line), f) && !line_field(line, key, val, sizeof(val)))
		v = strtoll(val, NULL, 10);
	fclose(f);
	return v;
}

static int secure_module_is(const char *name)
{
	char line[256], val[64];
	FILE *f = fopen(DEBUGFS_SMAF "/secure", "r");
	int ret = 0;

	if (!f)
		return 0;
	if (fgets(line, sizeof(line), f) && !line_field(line, "module", val, sizeof(val)))
		ret = !strcmp(val, name);
	fclose(f);
	return ret;
}

/* A process opening the pseudo-TA through /dev/tee0: OP-TEE's answer. */
static unsigned int user_session(void)
{
	static const unsigned char uuid[16] = {
		0x7a, 0x6d, 0x61, 0x66, 0x53, 0x45, 0x43, 0x55,
		0x52, 0x45, 0x4f, 0x50, 0x54, 0x45, 0x45, 0x31 };
	struct tee_ioctl_open_session_arg arg;
	struct tee_ioctl_buf_data buf;
	int fd = open("/dev/tee0", O_RDWR);
	int ret;

	if (fd < 0)
		return 0;
	memset(&arg, 0, sizeof(arg));
	memcpy(arg.uuid, uuid, sizeof(uuid));
	arg.clnt_login = TEE_IOCTL_LOGIN_PUBLIC;
	buf.buf_ptr = (unsigned long)&arg;
	buf.buf_len = sizeof(arg);
	ret = ioctl(fd, TEE_IOC_OPEN_SESSION, &buf);
	close(fd);
	tap_diag("open session: %d, ret %#x origin %u", ret, arg.ret, arg.ret_origin);
	return ret ? 0 : arg.ret;
}

static int sync_errno(int fd)
{
	struct dma_buf_sync s = { .flags = DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ };

	return ioctl(fd, DMA_BUF_IOCTL_SYNC, &s) ? errno : 0;
}

static int mmap_errno(int fd, int prot)
{
	void *p = mmap(NULL, SIZE, prot, MAP_SHARED, fd, 0);

	if (p == MAP_FAILED)
		return errno;
	munmap(p, SIZE);
	return 0;
}

static int edu_copy(int edu, int src, int dst)
{
	struct smaf_edu_copy c;

	memset(&c, 0, sizeof(c));
	c.src_fd = src;
	c.dst_fd = dst;
	c.length = COPY;
	return ioctl(edu, SMAF_EDU_IOC_COPY, &c) ? errno : 0;
}

/* What the unprivileged pipeline checks, one bit each when it fails. */
static const char *const user_checks[] = {
	"user: mmap of the secure buffer refused by the secure world: EACCES",
	"user: DMA_BUF_IOCTL_SYNC refused: EACCES",
	"user: a clear buffer filled by the CPU",
	"user: edu DMA into the secure buffer and out again, granted",
	"user: what came out is byte for byte what went in",
	"user: the second edu, a master the secure world does not allow, is refused: EACCES",
	"user: edu's first use of another secure buffer is refused by the secure world: EACCES",
};

/*
 * As an unprivileged user: a secure buffer the CPU cannot touch, filled and
 * read back by edu only.  Exits with a bit set for each failed check.
 */
static void user_pipeline(int edu, int edu1)
{
	int sec, in, out, prot, err, fails = 0;

	if (setgid(USER) || setuid(USER))
		_exit(0x80);
	/* In normal memory ("system"), which edu reaches, under grants. */
	sec = smaf_test_create(dev, SIZE, "system");
	in = smaf_test_create(dev, SIZE, NULL);
	out = smaf_test_create(dev, SIZE, NULL);
	if (sec < 0 || in < 0 || out < 0 || smaf_test_set_secure(dev, sec, 1))
		_exit(0x80);
	err = mmap_errno(sec, PROT_READ);
	if (err != EACCES || mmap_errno(sec, PROT_READ | PROT_WRITE) != EACCES)
		fails |= 1 << 0;
	tap_diag("mmap: %s", strerror(err));
	err = sync_errno(sec);
	if (err != EACCES)
		fails |= 1 << 1;
	tap_diag("sync: %s", strerror(err));
	if (write_pattern_fd(in, COPY, 31) != 0)
		fails |= 1 << 2;
	err = edu_copy(edu, in, sec);
	if (!err)
		err = edu_copy(edu, sec, out);
	if (err)
		fails |= 1 << 3;
	tap_diag("edu: %s", strerror(err));
	if (check_pattern_fd(out, COPY, 31) != 0)
		fails |= 1 << 4;
	err = edu_copy(edu1, in, sec);
	if (err != EACCES || edu_copy(edu1, sec, out) != EACCES)
		fails |= 1 << 5;
	tap_diag("edu1: %s", strerror(err));
	prot = smaf_test_create(dev, SIZE, NULL);
	if (prot < 0 || smaf_test_set_secure(dev, prot, 1))
		_exit(0x80);
	err = edu_copy(edu, in, prot);
	if (err != EACCES)
		fails |= 1 << 6;
	tap_diag("edu into protected memory: %s", strerror(err));
	_exit(fails);
}

/*
 * The heap names: programs written for the DMA-BUF heaps get OP-TEE's
 * secure buffers from SMAF's protected,... nodes, the TEE heap's name too.
 */
static void heaps(void)
{
	static const char *const names[] = { "protected,smaf", "protected,secure-video" };
	struct dma_heap_allocation_data a;
	struct smaf_secure_flag sf;
	unsigned int i;
	int heap, fd;

	for (i = 0; i < 2; i++) {
		char path[64];

		snprintf(path, sizeof(path), "/dev/dma_heap/%s", names[i]);
		heap = open(path, O_RDONLY | O_CLOEXEC);
		memset(&a, 0, sizeof(a));
		a.len = SIZE;
		a.fd_flags = O_RDWR | O_CLOEXEC;
		memset(&sf, 0, sizeof(sf));
		fd = -1;
		if (heap >= 0 && !ioctl(heap, DMA_HEAP_IOCTL_ALLOC, &a)) {
			fd = (int)a.fd;
			sf.fd = fd;
			ioctl(dev, SMAF_IOC_GET_SECURE_FLAG, &sf);
		}
		tap_ok(fd >= 0 && sf.secure == 1 && pta("contexts") == 1 &&
		       mmap_errno(fd, PROT_READ) == EACCES,
		       "%s: a secure buffer, with a context in the secure world, refused to the CPU",
		       names[i]);
		if (fd >= 0)
			close(fd);
		if (heap >= 0)
			close(heap);
	}
}

/*
 * The TEE goes away with a secure buffer alive, which is released while it
 * is gone: its memory cannot be scrubbed and is quarantined; when the TEE
 * is back the quarantine is scrubbed and freed.
 */
static void tee_goes_away(int edu)
{
	long long quarantined = smaf_quarantined_bytes(), scrubbed;
	int live = smaf_test_create(dev, SIZE, "system");
	int in = smaf_test_create(dev, SIZE, NULL);
	int fd = smaf_test_create(dev, SIZE, NULL), err;

	tap_ok(live >= 0 && in >= 0 && !smaf_test_set_secure(dev, live, 1) &&
	       !write_pattern_fd(in, COPY, 7) && !edu_copy(edu, in, live),
	       "a secure buffer with content, alive");
	scrubbed = pta("scrubbed");
	tap_ok(write_file(PTA_DRV "/unbind", PTA_NAME) == 0, "the pseudo-TA's device is unbound");
	err = fd < 0 ? -1 : smaf_test_set_secure(dev, fd, 1);
	tap_ok(err == ENODEV, "while the TEE is gone, no buffer becomes secure: ENODEV (%s)",
	       strerror(err));
	tap_ok(pta("contexts") == -1, "and the secure world cannot be asked");
	close(live);
	tap_ok(smaf_quarantined_bytes() >= quarantined + SIZE,
	       "the live buffer released meanwhile cannot be scrubbed: quarantined (%lld bytes)",
	       smaf_quarantined_bytes());
	close(fd);
	close(in);
	tap_ok(write_file(PTA_DRV "/bind", PTA_NAME) == 0 && pta("contexts") == 0,
	       "bound again, the secure world answers, the old session's contexts gone");
	tap_ok(smaf_quarantined_bytes() == quarantined && pta("scrubbed") >= scrubbed + SIZE,
	       "and the secure world scrubbed the quarantine, freed (%lld bytes left)",
	       smaf_quarantined_bytes());
	fd = smaf_test_create(dev, SIZE, NULL);
	tap_ok(fd >= 0 && smaf_test_set_secure(dev, fd, 1) == 0 && pta("contexts") == 1,
	       "and secure buffers work again");
	close(fd);
}

/* What smaf-teeprobe's own session gets for a grant of @g; 0 or errno. */
static int probe_grant(int probe, __u64 pa, __u64 size, __u32 flags)
{
	struct smaf_teeprobe_grant g = {
		.pa = pa, .size = size, .stream = EDU_STREAM, .flags = flags,
	};

	return ioctl(probe, SMAF_TEEPROBE_IOC_GRANT, &g) ? errno : 0;
}

/*
 * A hostile kernel names the ranges: the pseudo-TA grants edu's stream
 * normal memory, never OP-TEE's own memory or protected memory it has
 * given nobody, which a SoC's firewall would then open to the device.
 */
static void hostile_kernel(void)
{
	struct smaf_teeprobe_sdp sdp = { 0 };
	long long refused;
	int probe, ret;

	probe = system("insmod /lib/modules/smaf-teeprobe.ko") ? -1 :
		open("/dev/smaf-teeprobe", O_RDWR);
	tap_ok(probe >= 0 && !ioctl(probe, SMAF_TEEPROBE_IOC_SDP, &sdp) && sdp.size >= 4096,
	       "a kernel module opens a session of its own (protected memory %#llx, %llu KiB)",
	       (unsigned long long)sdp.base, (unsigned long long)sdp.size / 1024);
	refused = pta("refused");
	ret = probe < 0 ? -1 : probe_grant(probe, 0, 0, SMAF_TEEPROBE_OWN_PAGE);
	tap_ok(ret == 0, "it may grant edu a page of normal memory (%s)", strerror(ret));
	ret = probe < 0 ? -1 : probe_grant(probe, QEMU_OPTEE_CORE, 4096, 0);
	tap_ok(ret == EACCES, "not a page of OP-TEE's own memory: EACCES (%s)", strerror(ret));
	ret = probe < 0 ? -1 : probe_grant(probe, sdp.base + sdp.size - 4096, 4096, 0);
	tap_ok(ret == EACCES, "not protected memory given to nobody: EACCES (%s)",
	       strerror(ret));
	ret = probe < 0 ? -1 : probe_grant(probe, sdp.base - 4096, 8192, 0);
	tap_ok(ret == EACCES, "not OP-TEE's memory running into protected memory: EACCES (%s)",
	       strerror(ret));
	tap_ok(pta("refused") == refused + 3 && pta("contexts") == 0 && pta("grants") == 0,
	       "the secure world counted the three refusals and keeps nothing of it");
	if (probe >= 0)
		close(probe);
	tap_ok(system("rmmod smaf_teeprobe") == 0, "the probe unloads");
}

int main(void)
{
	long long scrubbed, refused, sdp;
	int edu, edu1, status, fd;
	unsigned int i;
	pid_t pid;

	dev = open("/dev/smaf", O_RDWR);
	edu = open("/dev/smaf-edu", O_RDWR);
	edu1 = open("/dev/smaf-edu1", O_RDWR);
	if (dev < 0 || edu < 0 || edu1 < 0)
		tap_bail("cannot open /dev/smaf, /dev/smaf-edu or /dev/smaf-edu1");
	tap_ok(access(PTA_DEV, F_OK) == 0, "OP-TEE lists SMAF's pseudo-TA on the TEE bus");
	tap_ok(user_session() == TEE_ERROR_ACCESS_DENIED,
	       "a process cannot open the pseudo-TA: TEE_ERROR_ACCESS_DENIED");
	tap_ok(system("insmod /lib/modules/smaf-optee.ko") == 0 && secure_module_is("optee"),
	       "smaf-optee binds to it and registers with SMAF");
	tap_ok(pta("contexts") == 0 && pta("grants") == 0,
	       "the secure world holds no context and no grant");

	scrubbed = pta("scrubbed");
	refused = pta("refused");
	sdp = smaf_allocator_stat("optee-sdp", "allocations");
	pid = fork();
	if (pid == 0)
		user_pipeline(edu, edu1);
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) & 0x80)
		tap_bail("the unprivileged pipeline could not run");
	for (i = 0; i < sizeof(user_checks) / sizeof(user_checks[0]); i++)
		tap_ok(!(WEXITSTATUS(status) & 1 << i), "%s", user_checks[i]);
	tap_ok(sdp >= 0 && smaf_allocator_stat("optee-sdp", "allocations") == sdp + 1,
	       "that buffer was in OP-TEE's protected memory, which no QEMU device reaches");
	tap_ok(pta("refused") >= refused + 3,
	       "the secure world itself refused the CPU (%lld times)", pta("refused") - refused);
	tap_ok(pta("contexts") == 0 && pta("grants") == 0 && pta("dropped") == 0,
	       "its buffers gone, every context closed and every grant revoked in the secure world");
	tap_ok(pta("scrubbed") >= scrubbed + SIZE,
	       "the secure world scrubbed the freed memory (%lld bytes)",
	       pta("scrubbed") - scrubbed);

	fd = smaf_test_create(dev, SIZE, NULL);
	tap_ok(fd >= 0 && smaf_test_set_secure(dev, fd, 1) == 0 && pta("contexts") == 1,
	       "a secure buffer opens a context in the secure world");
	tap_ok(system("rmmod smaf_optee 2>/dev/null") != 0,
	       "smaf-optee cannot unload while it lives");
	close(fd);
	tap_ok(pta("contexts") == 0, "its release closes it");

	heaps();
	hostile_kernel();
	tee_goes_away(edu);
	tap_ok(system("rmmod smaf_optee") == 0 && !secure_module_is("optee"),
	       "with no secure buffer left, smaf-optee unloads");
	close(edu1);
	close(edu);
	close(dev);
	return tap_done();
}

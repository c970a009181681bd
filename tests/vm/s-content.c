// SPDX-License-Identifier: GPL-2.0
/*
 * The secure world's own work on a secure buffer, through /dev/smaf-optee:
 * an unprivileged client has OP-TEE decrypt content (NIST SP 800-38A's
 * AES-128-CTR vectors; on QEMU the platform's content key is that
 * standard's example key) into a buffer the normal world cannot read, and
 * the secure world's SHA-256 of the buffer (asked by root) is the
 * plaintext's; the buffer is in OP-TEE's protected memory, which the normal
 * world does not have; in a buffer of normal memory too, where root cannot
 * read it through /dev/mem; a fresh buffer hashes as zeros; every bad request is refused with the errno
 * <linux/smaf-optee.h> gives.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/dma-heap.h>
#include <linux/smaf.h>
#include <linux/smaf-optee.h>

#include "smaf-test.h"

#define USER 1000
#define SIZE (64 * 1024)

static int dev, node;

/* NIST SP 800-38A F.5.1: CTR-AES128, four blocks. */
static const uint8_t nist_iv[16] = {
	0xf0, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7,
	0xf8, 0xf9, 0xfa, 0xfb, 0xfc, 0xfd, 0xfe, 0xff };
static const uint8_t nist_ct[64] = {
	0x87, 0x4d, 0x61, 0x91, 0xb6, 0x20, 0xe3, 0x26, 0x1b, 0xef, 0x68, 0x64, 0x99, 0x0d, 0xb6, 0xce,
	0x98, 0x06, 0xf6, 0x6b, 0x79, 0x70, 0xfd, 0xff, 0x86, 0x17, 0x18, 0x7b, 0xb9, 0xff, 0xfd, 0xff,
	0x5a, 0xe4, 0xdf, 0x3e, 0xdb, 0xd5, 0xd3, 0x5e, 0x5b, 0x4f, 0x09, 0x02, 0x0d, 0xb0, 0x3e, 0xab,
	0x1e, 0x03, 0x1d, 0xda, 0x2f, 0xbe, 0x03, 0xd1, 0x79, 0x21, 0x70, 0xa0, 0xf3, 0x00, 0x9c, 0xee };
/* The same plaintext encrypted 4096 bytes (256 blocks) into the stream. */
static const uint8_t nist_ct_4096[64] = {
	0xed, 0x79, 0xb6, 0x50, 0xe4, 0x13, 0x5a, 0x77, 0xc2, 0xdf, 0x2b, 0x3c, 0x37, 0xc4, 0xb2, 0x5f,
	0x98, 0x5f, 0x87, 0x5e, 0xa8, 0xae, 0x9f, 0x59, 0x58, 0x2e, 0x5e, 0xb2, 0xa2, 0xe6, 0x70, 0x7d,
	0x5a, 0x23, 0x3f, 0xcc, 0xaa, 0x01, 0xff, 0x96, 0x7a, 0x75, 0xca, 0x9f, 0x1b, 0x86, 0x17, 0xc8,
	0x2d, 0x15, 0x55, 0x1e, 0x45, 0x3a, 0xa3, 0x0f, 0xb5, 0xc7, 0x8c, 0x8f, 0x49, 0x18, 0x58, 0x2c };
/* SHA-256 of the standard's 64-byte plaintext, and of 64 KiB of zeros. */
static const char *const sha_plain =
	"d1960c02a724b54ba53df3e4e6ae97b8d72b874e4007839aaf37bf8112067b9a";
static const char *const sha_zeros =
	"de2f256064a0af797747c2b97505dc0b9f3df0de4f489eac731c23ae9ca9cc31";

static int decrypt_flags(int fd, uint64_t offset, const uint8_t *ct, uint64_t len,
			 uint32_t flags)
{
	struct smaf_optee_decrypt d;

	memset(&d, 0, sizeof(d));
	d.fd = fd;
	d.flags = flags;
	d.offset = offset;
	d.src = (uintptr_t)ct;
	d.length = len;
	memcpy(d.iv, nist_iv, sizeof(d.iv));
	return ioctl(node, SMAF_OPTEE_IOC_DECRYPT, &d) ? errno : 0;
}

static int decrypt(int fd, uint64_t offset, const uint8_t *ct, uint64_t len)
{
	return decrypt_flags(fd, offset, ct, len, 0);
}

/*
 * 1 if @fd's memory lies in no "System RAM" range of /proc/iomem (memory
 * the normal world's kernel does not have), 0 if it does, -1 on error.
 */
static int outside_ram(int fd)
{
	unsigned long long start, end, lo, hi;
	char line[256];
	int ret = 1;
	FILE *f;

	if (smaf_buffer_phys(fd, &start, &end))
		return -1;
	f = fopen("/proc/iomem", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, " %llx-%llx", &lo, &hi) == 2 &&
		    strstr(line, "System RAM") && start <= hi && lo <= end)
			ret = 0;
	fclose(f);
	return ret;
}

/* The secure world's SHA-256 of [offset, offset + len), as hex in @hex. */
static int hash(int fd, uint64_t offset, uint64_t len, char hex[65])
{
	struct smaf_optee_hash h;
	int i;

	memset(&h, 0, sizeof(h));
	h.fd = fd;
	h.offset = offset;
	h.length = len;
	if (ioctl(node, SMAF_OPTEE_IOC_HASH, &h))
		return errno;
	for (i = 0; i < 32; i++)
		sprintf(hex + 2 * i, "%02x", h.digest[i]);
	return 0;
}

/* Root reading the start of @fd's memory through /dev/mem: the errno. */
static int devmem_errno(int fd)
{
	unsigned long long start, end;
	uint8_t b[64];
	int mem, err = 0;

	if (smaf_buffer_phys(fd, &start, &end))
		return -1;
	mem = open("/dev/mem", O_RDONLY);
	if (mem < 0)
		return -1;
	if (pread(mem, b, sizeof(b), (off_t)start) < 0)
		err = errno;
	close(mem);
	return err;
}

static int secure_buffer(void)
{
	int fd = smaf_test_create(dev, SIZE, NULL);

	if (fd < 0 || smaf_test_set_secure(dev, fd, 1))
		return -1;
	return fd;
}

/* What the client checks, one bit each when it fails. */
static const char *const client_checks[] = {
	"client: OP-TEE decrypts the content into its secure buffer",
	"client: and the same content further into the stream, at offset 4096",
	"client: the buffer stays closed to its CPU (mmap: EACCES)",
	"client: an offset that is not a multiple of 16: EINVAL",
	"client: unknown flags: EINVAL",
	"client: an empty or too long ciphertext, or one past the buffer's end: EINVAL",
	"client: a buffer that is not secure: EPERM",
	"client: a secure buffer opened read-only (protected,smaf heap): EBADF",
	"client: an fd that is no dma-buf: EINVAL; no fd: EBADF",
	"client: it cannot ask for a hash of protected content: EPERM",
};

/*
 * As an unprivileged client, given a read-only secure buffer @ro; passes its
 * own secure buffer back through @sock.
 */
static void client(int sock, int ro)
{
	int sec, plain, fails = 0;
	char hex[65];
	void *p;

	if (setgid(USER) || setuid(USER))
		_exit(0x800);
	sec = secure_buffer();
	plain = smaf_test_create(dev, SIZE, NULL);
	if (sec < 0 || plain < 0)
		_exit(0x800);
	if (decrypt(sec, 0, nist_ct, sizeof(nist_ct)))
		fails |= 1 << 0;
	if (decrypt(sec, 4096, nist_ct_4096, sizeof(nist_ct_4096)))
		fails |= 1 << 1;
	p = mmap(NULL, SIZE, PROT_READ, MAP_SHARED, sec, 0);
	if (p != MAP_FAILED || errno != EACCES)
		fails |= 1 << 2;
	if (decrypt(sec, 8, nist_ct, sizeof(nist_ct)) != EINVAL)
		fails |= 1 << 3;
	if (decrypt_flags(sec, 0, nist_ct, sizeof(nist_ct), 1) != EINVAL)
		fails |= 1 << 4;
	if (decrypt(sec, 0, nist_ct, 0) != EINVAL ||
	    decrypt(sec, 0, nist_ct, SMAF_OPTEE_DECRYPT_MAX + 16ull) != EINVAL ||
	    decrypt(sec, SIZE - 32, nist_ct, sizeof(nist_ct)) != EINVAL)
		fails |= 1 << 5;
	if (decrypt(plain, 0, nist_ct, sizeof(nist_ct)) != EPERM)
		fails |= 1 << 6;
	if (ro < 0 || decrypt(ro, 0, nist_ct, sizeof(nist_ct)) != EBADF)
		fails |= 1 << 7;
	if (decrypt(dev, 0, nist_ct, sizeof(nist_ct)) != EINVAL ||
	    decrypt(1000, 0, nist_ct, sizeof(nist_ct)) != EBADF)
		fails |= 1 << 8;
	if (hash(sec, 0, 64, hex) != EPERM)
		fails |= 1 << 9;
	if (send_fd(sock, sec))
		_exit(0x800);
	_exit(fails);
}

int main(void)
{
	struct dma_heap_allocation_data h;
	int sv[2], sec, fresh, status, ro, heap, normal;
	char alloc[32] = "";
	unsigned int i;
	char hex[65];
	pid_t pid;

	dev = open("/dev/smaf", O_RDWR);
	if (dev < 0)
		tap_bail("cannot open /dev/smaf");
	tap_ok(system("insmod /lib/modules/smaf-optee.ko") == 0, "smaf-optee loads");
	node = open("/dev/smaf-optee", O_RDWR);
	if (node < 0)
		tap_bail("cannot open /dev/smaf-optee");

	/* The node is root's: the read-only buffer is made here. */
	heap = open("/dev/dma_heap/protected,smaf", O_RDONLY | O_CLOEXEC);
	memset(&h, 0, sizeof(h));
	h.len = SIZE;
	h.fd_flags = O_RDONLY | O_CLOEXEC;
	ro = heap < 0 || ioctl(heap, DMA_HEAP_IOCTL_ALLOC, &h) ? -1 : (int)h.fd;
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		tap_bail("socketpair");
	pid = fork();
	if (pid == 0) {
		close(sv[0]);
		client(sv[1], ro);
	}
	close(sv[1]);
	sec = recv_fd(sv[0]);
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) & 0x800 || sec < 0)
		tap_bail("the client could not run");
	for (i = 0; i < sizeof(client_checks) / sizeof(client_checks[0]); i++)
		tap_ok(!(WEXITSTATUS(status) & 1 << i), "%s", client_checks[i]);

	tap_ok(hash(sec, 0, 64, hex) == 0 && !strcmp(hex, sha_plain),
	       "the secure world's hash of what it decrypted is the plaintext's (%s)", hex);
	tap_ok(hash(sec, 4096, 64, hex) == 0 && !strcmp(hex, sha_plain),
	       "and at offset 4096 too: the counter followed the offset");
	tap_ok(hash(sec, 0, 65, hex) == 0 && strcmp(hex, sha_plain),
	       "one byte more hashes otherwise (the hash covers what it is asked)");
	tap_ok(!smaf_buffer_field(sec, "allocator", alloc, sizeof(alloc)) &&
	       !strcmp(alloc, "optee-sdp") && outside_ram(sec) == 1,
	       "its memory is OP-TEE's protected memory, no RAM of the normal world's (%s)",
	       alloc);
	normal = smaf_test_create(dev, SIZE, "system");
	tap_ok(normal >= 0 && !smaf_test_set_secure(dev, normal, 1) &&
	       !decrypt(normal, 0, nist_ct, sizeof(nist_ct)) &&
	       hash(normal, 0, 64, hex) == 0 && !strcmp(hex, sha_plain),
	       "into a secure buffer of normal memory (named system), the same content");
	tap_ok(devmem_errno(normal) == EPERM,
	       "root cannot read that buffer's memory through /dev/mem: EPERM");
	close(normal);
	close(sec);
	close(ro);
	close(heap);
	fresh = secure_buffer();
	tap_ok(fresh >= 0 && hash(fresh, 0, SIZE, hex) == 0 && !strcmp(hex, sha_zeros),
	       "a fresh secure buffer hashes as 64 KiB of zeros, in the secure world");
	close(fresh);
	close(node);
	tap_ok(system("rmmod smaf_optee") == 0, "smaf-optee unloads, no secure buffer left");
	close(dev);
	return tap_done();
}

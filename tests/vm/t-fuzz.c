// SPDX-License-Identifier: GPL-2.0
/*
 * ioctl fuzzing: random commands, sizes, versions, flags, lengths, names,
 * fds and reserved bytes against /dev/smaf and SMAF dma-buf fds, for a fixed
 * number of iterations.  The kernel must stay healthy (the harness checks
 * the console), SMAF must still work, and nothing may be left.  The seed is
 * logged; SMAF_SEED=N replays it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <linux/dma-buf.h>
#include <linux/smaf.h>

#include "smaf-test.h"

#define ITERATIONS 20000

static unsigned int rng;

static unsigned int rnd(unsigned int n)
{
	return rand_r(&rng) % n;
}

static uint64_t rnd64(void)
{
	static const uint64_t special[] = {
		0, 1, 4095, 4096, 4097, 1 << 20, 1ULL << 31, 1ULL << 32,
		1ULL << 40, UINT64_MAX, UINT64_MAX - 4095, 0x8000000000000000ULL,
	};

	if (rnd(2))
		return special[rnd(sizeof(special) / sizeof(special[0]))];
	return ((uint64_t)rand_r(&rng) << 33) ^ ((uint64_t)rand_r(&rng) << 11) ^ rand_r(&rng);
}

int main(void)
{
	const char *env = getenv("SMAF_SEED");
	unsigned int seed = env ? (unsigned int)strtoul(env, NULL, 0) : (unsigned int)time(NULL);
	static const unsigned long cmds[] = {
		SMAF_IOC_CREATE, SMAF_IOC_GET_SECURE_FLAG, SMAF_IOC_SET_SECURE_FLAG,
		SMAF_IOC_GET_INFO,
	};
	unsigned char arg[256];
	int dev, nullfd, i, fd, created = 0, ok = 0, live[8];
	struct smaf_create_data *cd = (void *)arg;
	struct smaf_secure_flag *sf = (void *)arg;
	struct smaf_info *inf = (void *)arg;
	unsigned long cmd;
	unsigned int j;

	rng = seed;
	tap_diag("seed %u (replay with SMAF_SEED=%u)", seed, seed);
	dev = open("/dev/smaf", O_RDWR);
	nullfd = open("/dev/null", O_RDWR);
	if (dev < 0)
		tap_bail("cannot open /dev/smaf");
	for (j = 0; j < 8; j++)
		live[j] = smaf_test_create(dev, 4096 * (j + 1), NULL);

	for (i = 0; i < ITERATIONS; i++) {
		for (j = 0; j < sizeof(arg); j++)
			arg[j] = rnd(4) ? 0 : (unsigned char)rand_r(&rng);
		switch (rnd(6)) {
		case 0:
			cmd = cmds[rnd(4)];
			break;
		case 1:
			cmd = _IOC(rnd(4), 'S', rnd(16), rnd(300));
			break;
		case 2:
			cmd = (unsigned long)rand_r(&rng);
			break;
		default:
			cmd = cmds[rnd(4)];
			/* Mostly valid, one field off. */
			memset(arg, 0, sizeof(arg));
			if (cmd == SMAF_IOC_CREATE) {
				cd->version = rnd(4) ? rnd(2) : rnd64();
				cd->length = rnd(3) ? 4096 * (1 + rnd(64)) : rnd64();
				cd->flags = rnd(3) ? O_RDWR : (unsigned int)rand_r(&rng);
				cd->hints = rnd(3) ? 0 : rnd(8);
				cd->alignment = rnd(3) ? 0 : rnd64();
				if (rnd(2))
					memcpy(cd->name, rnd(2) ? "system" : "contig", 7);
				else if (!rnd(4))
					memset(cd->name, 'x', sizeof(cd->name));
				if (!rnd(8))
					arg[96 + 8 + 8 + rnd(16)] = 1;
			} else if (cmd == SMAF_IOC_GET_INFO) {
				inf->version = rnd(3);
				inf->index = rnd(6);
				if (!rnd(4))
					inf->reserved3[rnd(36)] = 1;
			} else {
				sf->fd = rnd(2) ? live[rnd(8)] : (rnd(2) ? nullfd : (int)rnd(2000) - 1000);
				sf->secure = rnd(3);
				if (!rnd(4))
					sf->reserved2[rnd(44)] = 1;
			}
		}
		if (rnd(50) == 0) {
			errno = 0;
			ioctl(dev, cmd, (void *)(unsigned long)rnd64());
			continue;
		}
		if (!ioctl(dev, cmd, arg)) {
			ok++;
			if (cmd == SMAF_IOC_CREATE) {
				created++;
				/* Use some of them before closing. */
				if (!rnd(8))
					dmabuf_sync(cd->fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW);
				close(cd->fd);
			}
		}
		/* dma-buf ioctls on SMAF fds. */
		if (!rnd(10)) {
			struct dma_buf_sync s = { .flags = rnd64() & 0x7 };

			ioctl(live[rnd(8)], DMA_BUF_IOCTL_SYNC, &s);
		}
	}
	tap_diag("%d ioctls succeeded, %d buffers created and closed", ok, created);
	for (j = 0; j < 8; j++) {
		/* End any sync the fuzzing began; an end without start is harmless. */
		dmabuf_sync(live[j], DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW);
		close(live[j]);
	}
	tap_ok(created > 0 && ok > created, "%d random ioctls done", ITERATIONS);
	fd = smaf_test_create(dev, 1 << 20, NULL);
	tap_ok(fd >= 0 && write_pattern_fd(fd, 1 << 20, 3) == 0 &&
	       check_pattern_fd(fd, 1 << 20, 3) == 0, "SMAF still works");
	close(fd);
	tap_ok(smaf_live_buffers() == 0, "no buffer left");
	close(nullfd);
	close(dev);
	return tap_done();
}

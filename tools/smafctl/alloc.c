// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * smafctl alloc: create a buffer, use it, say what SMAF picked and why.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/dma-buf.h>

#include "smafctl.h"

const char usage_alloc[] =
"Usage: smafctl alloc SIZE [--allocator=NAME] [--contiguous] [--dma32]\n"
"                     [--align=SIZE] [--secure]\n"
"\n"
"Create a buffer of SIZE bytes (suffixes K, M and G are powers of 1024),\n"
"start CPU access to it (DMA_BUF_IOCTL_SYNC), which is the buffer's first\n"
"use: SMAF allocates the memory then.  Write to it, print the allocator\n"
"that was picked and why, and what the memory is (chunks, contiguous,\n"
"write-combined, secure), as SMAF_IOC_QUERY_BUFFER tells any user, then\n"
"free the buffer.  A refusal (limit, memory, secure module) is explained.\n"
"\n"
"  -a, --allocator=NAME  use this allocator instead of letting SMAF choose\n"
"  -c, --contiguous      the memory must be physically contiguous\n"
"      --dma32           the memory must be below 4 GiB\n"
"      --align=SIZE      physical alignment of its start, a power of two\n"
"                        (above the page size, contiguous allocators only)\n"
"  -s, --secure          set the secure flag first (needs a secure module)\n";

/* Prints what SMAF says buffer @fd got (the query: no debugfs, no root). */
static int report_buffer(struct smaf_device *dev, int fd)
{
	struct smaf_buffer_info *info = smaf_buffer_get_info(dev, fd);
	unsigned int state, chunks;
	const char *why;

	if (!info) {
		fprintf(stderr, "smafctl: cannot query the buffer: %s%s\n", strerror(errno),
			errno == ENOTTY ? " (a SMAF module without the query)" : "");
		return -1;
	}
	switch (smaf_buffer_info_get_reason(info)) {
	case SMAF_REASON_NAMED:
		why = "named at create time";
		break;
	case SMAF_REASON_FALLBACK:
		why = "chosen by SMAF on first use, after better ranked ones ran out or hit a limit";
		break;
	default:
		why = "chosen by SMAF on first use";
	}
	state = smaf_buffer_info_get_state(info);
	chunks = smaf_buffer_info_get_chunks(info);
	printf("allocator: %s (%s)\n", smaf_buffer_info_get_allocator(info), why);
	printf("memory: %u physically contiguous chunk%s%s%s%s\n", chunks,
	       chunks == 1 ? "" : "s",
	       state & SMAF_STATE_CONTIGUOUS ? ", one range" : "",
	       state & SMAF_STATE_UNCACHED ? ", write-combined for the CPU" : "",
	       state & SMAF_STATE_SECURE ? ", secure" : "");
	smaf_buffer_info_free(info);
	return 0;
}

static int allocate(int fd)
{
	struct dma_buf_sync sync = { .flags = DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW };

	if (!ioctl(fd, DMA_BUF_IOCTL_SYNC, &sync)) {
		sync.flags = DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW;
		ioctl(fd, DMA_BUF_IOCTL_SYNC, &sync);
		return 1;
	}
	switch (errno) {
	case EDQUOT:
		fprintf(stderr, "smafctl: refused: that would exceed your limit on this allocator (see: smafctl status)\n");
		break;
	case ENOSPC:
		fprintf(stderr, "smafctl: refused: the allocator's global limit is reached, or only its privileged reserve is left\n");
		break;
	case ENOMEM:
		fprintf(stderr, "smafctl: out of memory (or over your memory cgroup's limit)\n");
		break;
	case EXDEV:
		fprintf(stderr, "smafctl: the named allocator cannot serve this buffer (size or alignment)\n");
		break;
	case EACCES:
		fprintf(stderr, "smafctl: the secure module refuses the CPU access to this secure buffer\n");
		break;
	default:
		fprintf(stderr, "smafctl: cannot allocate: %s\n", strerror(errno));
	}
	return 0;
}

int cmd_alloc(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "allocator", required_argument, NULL, 'a' },
		{ "contiguous", no_argument, NULL, 'c' },
		{ "dma32", no_argument, NULL, '3' },
		{ "align", required_argument, NULL, 'A' },
		{ "secure", no_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const char *allocator = NULL;
	int secure = 0, c, fd, ret = 1;
	struct smaf_buffer_config *config;
	uint64_t size, align = 0;
	struct smaf_device *dev;
	uint32_t hints = 0;
	struct stat st;
	char *p;

	while ((c = getopt_long(argc, argv, "a:csh", opts, NULL)) != -1) {
		switch (c) {
		case 'a': allocator = optarg; break;
		case 'c': hints |= SMAF_HINT_CONTIGUOUS; break;
		case '3': hints |= SMAF_HINT_DMA32; break;
		case 'A':
			if (parse_size(optarg, &align) || (align & (align - 1)) ||
			    align > SMAF_MAX_ALIGNMENT) {
				fprintf(stderr, "smafctl: invalid alignment '%s': use a power of two up to 1G\n",
					optarg);
				return 2;
			}
			break;
		case 's': secure = 1; break;
		case 'h': fputs(usage_alloc, stdout); return 0;
		default: goto usage;
		}
	}
	if (optind + 1 != argc)
		goto usage;
	if (parse_size(argv[optind], &size)) {
		fprintf(stderr, "smafctl: invalid size '%s': use a positive number with an optional K, M or G suffix\n",
			argv[optind]);
		return 2;
	}
	config = smaf_buffer_config_new();
	if (!config || smaf_buffer_config_set_allocator(config, allocator) ||
	    smaf_buffer_config_set_hints(config, hints) ||
	    smaf_buffer_config_set_alignment(config, align)) {
		fprintf(stderr, "smafctl: %s\n", errno == ENAMETOOLONG ?
			"allocator name too long (see: smafctl list)" : strerror(errno));
		smaf_buffer_config_free(config);
		return errno == ENAMETOOLONG ? 2 : 1;
	}
	smaf_buffer_config_set_length(config, size);

	dev = open_device();
	fd = smaf_device_create_buffer_from_config(dev, config);
	if (fd < 0) {
		if (errno == ENOENT)
			fprintf(stderr, "smafctl: no allocator named '%s' (see: smafctl list)\n",
				allocator);
		else if (errno == EFBIG)
			fprintf(stderr, "smafctl: %s is larger than this machine's RAM\n",
				argv[optind]);
		else if (errno == EDQUOT)
			fprintf(stderr, "smafctl: you have too many live SMAF buffers (see: smafctl status)\n");
		else
			fprintf(stderr, "smafctl: cannot create buffer: %s\n", strerror(errno));
		goto close_dev;
	}
	if (secure && smaf_buffer_set_secure(dev, fd, 1)) {
		if (errno == EOPNOTSUPP)
			fprintf(stderr, "smafctl: cannot make the buffer secure: no secure module is loaded\n");
		else
			fprintf(stderr, "smafctl: cannot make the buffer secure: %s\n",
				strerror(errno));
		goto close_buf;
	}
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		fprintf(stderr, "smafctl: cannot map the buffer: %s\n", strerror(errno));
		goto close_buf;
	}
	/* First use: SMAF allocates now.  A refusal would be a SIGBUS on
	 * the write; DMA_BUF_IOCTL_SYNC reports it as an errno instead.
	 */
	if (!allocate(fd)) {
		munmap(p, size);
		goto close_buf;
	}
	p[0] = 1;
	munmap(p, size);
	fstat(fd, &st);
	printf("buffer: %" PRIu64 " bytes, dma-buf inode %lu, allocated\n", size,
	       (unsigned long)st.st_ino);
	if (!report_buffer(dev, fd))
		ret = 0;
close_buf:
	close(fd);
close_dev:
	smaf_device_close(dev);
	smaf_buffer_config_free(config);
	return ret;
usage:
	fputs(usage_alloc, stderr);
	return 2;
}

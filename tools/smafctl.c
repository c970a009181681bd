// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * smafctl - inspect and exercise SMAF from the command line.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/dma-buf.h>

#include "libsmaf.h"
#include "front/smaf-heap-alias.h"

#define DEBUGFS_DIR "/sys/kernel/debug/smaf"
#define POLICY_PATH "/sys/module/smaf/parameters/policy"
#define HEAPS_PATH "/sys/module/smaf/parameters/heaps"

static const char *device_path = SMAF_DEVICE_PATH;

static const char usage_main[] =
"Usage: smafctl [-d DEVICE] COMMAND [OPTIONS]\n"
"\n"
"Inspect and exercise SMAF, the Secure Memory Allocation Framework.\n"
"\n"
"Commands:\n"
"  list     list the registered allocators, best ranked first\n"
"  alloc    create a buffer, touch it so that memory is allocated, and\n"
"           report which allocator SMAF picked\n"
"  status   show live buffers and per-allocator usage\n"
"  policy   show or set which devices need contiguous memory\n"
"  heaps    list SMAF's DMA-BUF heap nodes (/dev/dma_heap/...)\n"
"  help     show this text, or 'smafctl help COMMAND' for a command\n"
"\n"
"Options:\n"
"  -d, --device=PATH  SMAF device node (default " SMAF_DEVICE_PATH ")\n"
"  -h, --help         show this text\n"
"\n"
"Exit status: 0 on success, 1 on failure, 2 on a usage error.\n";

static const char usage_list[] =
"Usage: smafctl list [--json]\n"
"\n"
"List the allocators registered with SMAF in the order SMAF tries them\n"
"(highest ranking first).  When a buffer is first used, SMAF picks the\n"
"first allocator in this list that can serve every attached device.\n"
"\n"
"  --json   print a JSON array of {\"name\", \"ranking\"} objects\n";

static const char usage_alloc[] =
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

static const char usage_policy[] =
"Usage: smafctl policy [--json]\n"
"       smafctl policy set RULES\n"
"\n"
"Show or replace the policy that says which devices need physically\n"
"contiguous memory, something struct device cannot tell.  A device whose\n"
"DMA an IOMMU translates never needs it; any other device needs it unless\n"
"a rule says it does scatter-gather.  RULES are separated by spaces or\n"
"commas:\n"
"\n"
"  driver:NAME=contig|sg   every device bound to the driver called NAME\n"
"  device:NAME=contig|sg   the device called NAME (as in /sys/devices)\n"
"\n"
"A device rule beats a driver rule; the last rule of a kind wins.  Setting\n"
"replaces every rule (\"\" clears them), needs root, and applies to buffers\n"
"allocated afterwards.  Reads and writes " POLICY_PATH ".\n"
"\n"
"  --json   print a JSON array of {\"match\", \"name\", \"need\"} objects\n";

static const char usage_heaps[] =
"Usage: smafctl heaps [--json]\n"
"\n"
"List the DMA-BUF heap nodes SMAF offers to programs that allocate through\n"
"/dev/dma_heap (libcamera, Android's libdmabufheap, Rockchip MPP, ...):\n"
"/dev/dma_heap/smaf, and the aliases of the module parameter \"heaps\"\n"
"(read from " HEAPS_PATH ").  For each: its node, what a\n"
"buffer allocated from it is, and its state:\n"
"\n"
"  active        the node is SMAF's\n"
"  kernel-heap   the kernel has a heap of that name: SMAF left it alone\n"
"  no-secure-module\n"
"                a secure alias (protected,NAME), whose node exists only\n"
"                while a secure module is registered\n"
"  not-added     another node had the name, or registering failed (see\n"
"                the kernel log)\n"
"\n"
"Attributes: contig (physically contiguous), dma32 (below 4 GiB),\n"
"uncached (write-combined CPU mappings), secure (secure flag set), - (a\n"
"plain SMAF buffer: memory chosen at first use for the devices attached).\n"
"\n"
"  --json   print a JSON array of {\"name\", \"node\", \"attrs\", \"state\"}\n";

static const char usage_status[] =
"Usage: smafctl status [--json] [FD | PID:FD ...]\n"
"\n"
"Per allocator (any user that may open the device): buffers and bytes in\n"
"use, your own bytes on it, its limits (per unprivileged user, all users\n"
"together, the reserve kept for callers with CAP_IPC_LOCK; \"none\": no\n"
"limit), allocations, failures and refusals by a limit.\n"
"\n"
"Buffers: those of the fds given (FD of smafctl itself, or PID:FD of\n"
"another process), else every SMAF buffer held by a process whose fds the\n"
"kernel lets you take (pidfd_getfd(2): your own processes, as ptrace\n"
"allows).  For each: the holder, the inode of its dma-buf (st_ino), size,\n"
"whether it has memory, the allocator and why it was chosen (named,\n"
"best-match, or fallback after a better one ran out), secure,\n"
"write-combined and contiguous or not, its chunks, the errno of its last\n"
"failed first use, attached devices, moves for a device that attached\n"
"late and refused moves.  This is SMAF_IOC_QUERY_BUFFER: no debugfs.\n"
"\n"
"As root with debugfs mounted (" DEBUGFS_DIR "/) and no operand, it shows\n"
"everything instead: per user, live buffers, refusals and bytes per\n"
"allocator; migration (whether it is on, buffers moved, bytes copied,\n"
"refusals by cause); and every live buffer with its merged constraints and\n"
"physical range.\n"
"\n"
"  --json   print {\"allocators\": [...], \"buffers\": [...]}, with\n"
"           \"users\" and \"migrate\" as root\n";

static void die_open(void)
{
	if (errno == ENOENT)
		fprintf(stderr, "smafctl: cannot open %s: module not loaded? (try: modprobe smaf)\n",
			device_path);
	else
		fprintf(stderr, "smafctl: cannot open %s: %s\n", device_path,
			strerror(errno));
	exit(1);
}

static struct smaf_device *open_device(void)
{
	struct smaf_device *dev = smaf_device_open(device_path);

	if (!dev)
		die_open();
	return dev;
}

static int parse_size(const char *s, uint64_t *out)
{
	unsigned long long v;
	unsigned int shift = 0;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || s[0] == '-')
		return -1;
	switch (*end) {
	case 'G': case 'g': shift = 30; end++; break;
	case 'M': case 'm': shift = 20; end++; break;
	case 'K': case 'k': shift = 10; end++; break;
	default: break;
	}
	if (*end == 'i' && shift)
		end++;
	if (*end == 'B' || *end == 'b')
		end++;
	if (*end || v == 0 || v > (UINT64_MAX >> shift))
		return -1;
	*out = (uint64_t)v << shift;
	return 0;
}

/* Finds the value of @key in a "k=v k=v" line; copies it into @val. */
static int field(const char *line, const char *key, char *val, size_t len)
{
	size_t klen = strlen(key);
	const char *p = line;

	while ((p = strstr(p, key))) {
		if ((p == line || p[-1] == ' ') && p[klen] == '=') {
			size_t n = strcspn(p + klen + 1, " \n");

			if (n >= len)
				n = len - 1;
			memcpy(val, p + klen + 1, n);
			val[n] = '\0';
			return 0;
		}
		p += klen;
	}
	return -1;
}

static FILE *open_debugfs(const char *name)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), DEBUGFS_DIR "/%s", name);
	f = fopen(path, "r");
	if (!f)
		fprintf(stderr, "smafctl: cannot read %s: %s (run as root with debugfs mounted: mount -t debugfs none /sys/kernel/debug)\n",
			path, strerror(errno));
	return f;
}

/*
 * Parses the options of a command that takes only --json and --help.
 * Returns 1 to go on (*json set), 0 after printing the help, -1 on a usage
 * error (usage printed to stderr).  Operands are left from optind.
 */
static int json_help_opts(int argc, char **argv, const char *usage, int *json)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	int c;

	*json = 0;
	while ((c = getopt_long(argc, argv, "jh", opts, NULL)) != -1) {
		if (c == 'h') {
			fputs(usage, stdout);
			return 0;
		}
		if (c != 'j') {
			fputs(usage, stderr);
			return -1;
		}
		*json = 1;
	}
	return 1;
}

static int cmd_list(int argc, char **argv)
{
	struct smaf_allocator_info *info;
	struct smaf_device *dev;
	int json, n, i, ret;

	ret = json_help_opts(argc, argv, usage_list, &json);
	if (ret <= 0)
		return ret ? 2 : 0;
	if (optind != argc)
		goto usage;

	dev = open_device();
	n = smaf_device_get_num_allocators(dev);
	if (n < 0) {
		fprintf(stderr, "smafctl: cannot list allocators: %s\n", strerror(errno));
		smaf_device_close(dev);
		return 1;
	}
	if (json)
		printf("[");
	else
		printf("%-24s %s\n", "ALLOCATOR", "RANKING");
	for (i = 0; i < n; i++) {
		info = smaf_device_get_allocator_info(dev, (unsigned int)i);
		if (!info) {
			fprintf(stderr, "smafctl: allocator %d: %s\n", i, strerror(errno));
			smaf_device_close(dev);
			return 1;
		}
		if (json)
			printf("%s{\"name\": \"%s\", \"ranking\": %d}", i ? ", " : "",
			       smaf_allocator_info_get_name(info),
			       smaf_allocator_info_get_ranking(info));
		else
			printf("%-24s %d\n", smaf_allocator_info_get_name(info),
			       smaf_allocator_info_get_ranking(info));
		smaf_allocator_info_free(info);
	}
	if (json)
		printf("]\n");
	smaf_device_close(dev);
	return 0;
usage:
	fputs(usage_list, stderr);
	return 2;
}

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

static int cmd_alloc(int argc, char **argv)
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

static const char *const user_keys[] = {
	"uid", "buffers", "refused", "system", "dma32", "contig", "carveout", NULL
};
static const char *const buffer_keys[] = {
	"ino", "size", "allocated", "allocator", "named", "attachments",
	"secure", "error", "devices", "limit", "need_contig", "align", "why",
	"phys", "contig", "migrations", "refused", NULL
};

static const char *const migrate_keys[] = {
	"enabled", "migrations", "bytes", "refused_off", "refused_device_mapped",
	"refused_vmap", "refused_secure", "refused_allocation", "refused_copy", NULL
};

/* Prints a debugfs file as a table or as a JSON array. */
static int print_file(const char *name, const char *const *keys, int json)
{
	char line[512], val[128];
	int i, n = 0;
	FILE *f = open_debugfs(name);

	if (!f)
		return -1;
	if (json) {
		printf("\"%s\": [", name);
	} else {
		for (i = 0; keys[i]; i++)
			printf("%-12s", keys[i]);
		printf("\n");
	}
	while (fgets(line, sizeof(line), f)) {
		if (json)
			printf("%s{", n ? ", " : "");
		for (i = 0; keys[i]; i++) {
			if (field(line, keys[i], val, sizeof(val)))
				strcpy(val, "-");
			if (!json) {
				printf("%-12s", val);
				continue;
			}
			if (strspn(val, "-0123456789") == strlen(val) && strcmp(val, "-"))
				printf("%s\"%s\": %s", i ? ", " : "", keys[i], val);
			else
				printf("%s\"%s\": \"%s\"", i ? ", " : "", keys[i], val);
		}
		printf(json ? "}" : "\n");
		n++;
	}
	if (json)
		printf("]");
	else if (!n)
		printf("(none)\n");
	fclose(f);
	return 0;
}

/* Prints @v, or "none" for SMAF_NO_LIMIT (JSON: null). */
static void print_limit(uint64_t v, int json)
{
	if (v == SMAF_NO_LIMIT)
		printf(json ? "null" : "%-12s", "none");
	else
		printf(json ? "%" PRIu64 : "%-12" PRIu64, v);
}

/* The allocators' usage and limits, from the query: any user may ask. */
static int status_allocators(struct smaf_device *dev, int json)
{
	struct smaf_allocator_usage *u;
	int n, i;

	n = smaf_device_get_num_allocators(dev);
	if (n < 0) {
		fprintf(stderr, "smafctl: cannot list the allocators: %s\n", strerror(errno));
		return -1;
	}
	if (json)
		printf("\"allocators\": [");
	else
		printf("%-12s%-9s%-9s%-12s%-12s%-12s%-12s%-12s%-12s%-9s%s\n", "name", "ranking",
		       "buffers", "bytes", "yours", "user_max", "global_max", "reserve",
		       "allocations", "failures", "refusals");
	for (i = 0; i < n; i++) {
		u = smaf_device_get_allocator_usage(dev, i);
		if (!u) {
			fprintf(stderr, "smafctl: cannot query allocator %d: %s%s\n", i,
				strerror(errno), errno == ENOTTY ?
				" (a SMAF module without the query)" : "");
			return -1;
		}
		if (json)
			printf("%s{\"name\": \"%s\", \"ranking\": %d, \"buffers\": %u, \"bytes\": %" PRIu64
			       ", \"user_bytes\": %" PRIu64 ", \"user_max\": ", i ? ", " : "",
			       smaf_allocator_usage_get_name(u), smaf_allocator_usage_get_ranking(u),
			       smaf_allocator_usage_get_buffers(u), smaf_allocator_usage_get_bytes(u),
			       smaf_allocator_usage_get_user_bytes(u));
		else
			printf("%-12s%-9d%-9u%-12" PRIu64 "%-12" PRIu64, smaf_allocator_usage_get_name(u),
			       smaf_allocator_usage_get_ranking(u), smaf_allocator_usage_get_buffers(u),
			       smaf_allocator_usage_get_bytes(u), smaf_allocator_usage_get_user_bytes(u));
		print_limit(smaf_allocator_usage_get_user_max(u), json);
		printf(json ? ", \"global_max\": " : "");
		print_limit(smaf_allocator_usage_get_global_max(u), json);
		printf(json ? ", \"reserve\": " : "");
		print_limit(smaf_allocator_usage_get_reserve(u), json);
		printf(json ? ", \"allocations\": %" PRIu64 ", \"failures\": %" PRIu64
		       ", \"refusals\": %" PRIu64 "}" : "%-12" PRIu64 "%-9" PRIu64 "%" PRIu64 "\n",
		       smaf_allocator_usage_get_allocations(u), smaf_allocator_usage_get_failures(u),
		       smaf_allocator_usage_get_refusals(u));
		smaf_allocator_usage_free(u);
	}
	if (json)
		printf("]");
	return 0;
}

static const char *const reason_names[] = { "-", "named", "best-match", "fallback" };

/* One buffer, held by @pid as @fd (a duplicate of it is @dup): 1 if SMAF's. */
static int status_buffer(struct smaf_device *dev, int dup, int pid, int fd, int json,
			 int n)
{
	struct smaf_buffer_info *info = smaf_buffer_get_info(dev, dup);
	unsigned int state, reason;
	struct stat st;

	if (!info)
		return 0;
	fstat(dup, &st);
	state = smaf_buffer_info_get_state(info);
	reason = smaf_buffer_info_get_reason(info);
	if (reason >= sizeof(reason_names) / sizeof(reason_names[0]))
		reason = 0;
	printf(json ? "%s{\"pid\": %d, \"fd\": %d, \"ino\": %lu, \"size\": %" PRIu64
	       ", \"allocated\": %d, \"allocator\": \"%s\", \"why\": \"%s\", \"secure\": %d"
	       ", \"uncached\": %d, \"contig\": %d, \"chunks\": %u, \"error\": %d"
	       ", \"attachments\": %u, \"migrations\": %u, \"refusals\": %u}" :
	       "%s%-8d%-6d%-10lu%-12" PRIu64 "%-11d%-12s%-12s%-8d%-10d%-8d%-8u%-7d%-13u%-12u%u\n",
	       json && n ? ", " : "", pid, fd, (unsigned long)st.st_ino,
	       smaf_buffer_info_get_length(info), !!(state & SMAF_STATE_ALLOCATED),
	       *smaf_buffer_info_get_allocator(info) ? smaf_buffer_info_get_allocator(info) : "-",
	       reason_names[reason], !!(state & SMAF_STATE_SECURE),
	       !!(state & SMAF_STATE_UNCACHED), !!(state & SMAF_STATE_CONTIGUOUS),
	       smaf_buffer_info_get_chunks(info), smaf_buffer_info_get_last_error(info),
	       smaf_buffer_info_get_devices(info), smaf_buffer_info_get_migrations(info),
	       smaf_buffer_info_get_refusals(info));
	smaf_buffer_info_free(info);
	return 1;
}

/* A duplicate of @pid's @fd (pidfd_getfd(2)), or -1 if the kernel says no. */
static int borrow_fd(int pid, int fd)
{
	int pidfd, dup;

	if (pid == getpid())
		return fcntl(fd, F_DUPFD_CLOEXEC, 0);
	pidfd = syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0)
		return -1;
	dup = syscall(SYS_pidfd_getfd, pidfd, fd, 0);
	close(pidfd);
	return dup;
}

/*
 * The SMAF buffers the caller can see: those of @operands ("FD" of smafctl
 * or "PID:FD"), else every dma-buf fd of the processes pidfd_getfd(2) lets
 * it take (its own user's, where the kernel allows), each buffer once.
 */
static int status_buffers(struct smaf_device *dev, int json, char **operands, int nops)
{
	unsigned long seen[256];
	char path[300], link[64];
	int n = 0, nseen = 0, i, pid, fd, dup, bad = 0;
	struct dirent *p, *f;
	struct stat st;
	DIR *procs, *fds;

	if (json)
		printf("\"buffers\": [");
	else
		printf("%-8s%-6s%-10s%-12s%-11s%-12s%-12s%-8s%-10s%-8s%-8s%-7s%-13s%-12s%s\n",
		       "pid", "fd", "ino", "size", "allocated", "allocator", "why", "secure",
		       "uncached", "contig", "chunks", "error", "attachments", "migrations",
		       "refusals");
	for (i = 0; i < nops; i++) {
		if (sscanf(operands[i], "%d:%d", &pid, &fd) != 2) {
			pid = getpid();
			fd = atoi(operands[i]);
		}
		dup = borrow_fd(pid, fd);
		if (dup < 0 || !status_buffer(dev, dup, pid, fd, json, n)) {
			fprintf(stderr, "smafctl: %s: %s\n", operands[i],
				dup < 0 ? strerror(errno) : "not a SMAF buffer");
			bad = 1;
		} else {
			n++;
		}
		if (dup >= 0)
			close(dup);
	}
	procs = nops ? NULL : opendir("/proc");
	while (procs && (p = readdir(procs))) {
		pid = atoi(p->d_name);
		if (pid <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/fd", pid);
		fds = opendir(path);
		while (fds && (f = readdir(fds))) {
			ssize_t len;

			snprintf(path, sizeof(path), "/proc/%d/fd/%s", pid, f->d_name);
			len = readlink(path, link, sizeof(link) - 1);
			if (len < 8 || strncmp(link, "/dmabuf:", 8))
				continue;
			dup = borrow_fd(pid, atoi(f->d_name));
			if (dup < 0)
				continue;
			if (fstat(dup, &st)) {
				close(dup);
				continue;
			}
			for (i = 0; i < nseen; i++)
				if (seen[i] == st.st_ino)
					break;
			if (i == nseen && status_buffer(dev, dup, pid, atoi(f->d_name), json, n)) {
				n++;
				if (nseen < (int)(sizeof(seen) / sizeof(seen[0])))
					seen[nseen++] = st.st_ino;
			}
			close(dup);
		}
		if (fds)
			closedir(fds);
	}
	if (procs)
		closedir(procs);
	if (json)
		printf("]");
	else if (!n)
		printf("(none)\n");
	return bad ? -1 : 0;
}

static int cmd_status(int argc, char **argv)
{
	int json, ret, everything;
	struct smaf_device *dev;

	ret = json_help_opts(argc, argv, usage_status, &json);
	if (ret <= 0)
		return ret ? 2 : 0;
	dev = open_device();
	/* Root with debugfs sees every user and every buffer, as before. */
	everything = !access(DEBUGFS_DIR "/buffers", R_OK) && optind == argc;
	printf(json ? "{" : "Allocators:\n");
	ret = status_allocators(dev, json);
	if (!ret && everything) {
		printf(json ? ", " : "\nUsers:\n");
		ret = print_file("users", user_keys, json);
		printf(!ret && json ? ", " : !ret ? "\nMigration (buffers moved for a late device):\n" : "");
		if (!ret)
			ret = print_file("migrate", migrate_keys, json);
		printf(!ret && json ? ", " : !ret ? "\nBuffers (every process's):\n" : "");
		if (!ret)
			ret = print_file("buffers", buffer_keys, json);
	} else if (!ret) {
		printf(json ? ", " : "\nBuffers (%s):\n", optind < argc ? "those given" :
		       "of the processes you may inspect");
		ret = status_buffers(dev, json, argv + optind, argc - optind);
	}
	printf(json ? "}\n" : "");
	smaf_device_close(dev);
	return ret ? 1 : 0;
}

static int policy_show(int json)
{
	char rule[128], kind[16], name[64], need[16];
	FILE *f = fopen(POLICY_PATH, "r");
	int n = 0;

	if (!f) {
		if (errno == ENOENT)
			fprintf(stderr, "smafctl: cannot read %s: module not loaded? (try: modprobe smaf)\n",
				POLICY_PATH);
		else
			fprintf(stderr, "smafctl: cannot read %s: %s\n", POLICY_PATH, strerror(errno));
		return 1;
	}
	if (json)
		printf("[");
	else
		printf("%-8s %-32s %s\n", "MATCH", "NAME", "NEEDS");
	while (fgets(rule, sizeof(rule), f)) {
		if (sscanf(rule, "%15[^:]:%63[^=]=%15s", kind, name, need) != 3)
			continue;
		if (json)
			printf("%s{\"match\": \"%s\", \"name\": \"%s\", \"need\": \"%s\"}",
			       n ? ", " : "", kind, name, need);
		else
			printf("%-8s %-32s %s\n", kind, name,
			       strcmp(need, "sg") ? "contiguous memory" : "scatter-gather is fine");
		n++;
	}
	fclose(f);
	if (json)
		printf("]\n");
	else
		printf("%sOther devices: contiguous memory, unless an IOMMU translates their DMA.\n",
		       n ? "" : "(no rule)\n");
	return 0;
}

static int policy_set(const char *rules)
{
	FILE *f = fopen(POLICY_PATH, "w");

	if (!f) {
		fprintf(stderr, "smafctl: cannot open %s: %s%s\n", POLICY_PATH, strerror(errno),
			errno == EACCES ? " (setting the policy needs root)" :
			errno == ENOENT ? " (module not loaded?)" : "");
		return 1;
	}
	/* An empty write would not reach the kernel: a newline clears. */
	if (fputs(*rules ? rules : "\n", f) < 0 || fclose(f)) {
		if (errno == EINVAL)
			fprintf(stderr, "smafctl: invalid policy '%s': want driver:NAME=contig|sg or device:NAME=contig|sg\n",
				rules);
		else if (errno == ENAMETOOLONG)
			fprintf(stderr, "smafctl: invalid policy: a name is too long\n");
		else if (errno == E2BIG)
			fprintf(stderr, "smafctl: invalid policy: too many rules\n");
		else
			fprintf(stderr, "smafctl: cannot set the policy: %s\n", strerror(errno));
		return 1;
	}
	return 0;
}

static int cmd_policy(int argc, char **argv)
{
	int json, ret;

	ret = json_help_opts(argc, argv, usage_policy, &json);
	if (ret <= 0)
		return ret ? 2 : 0;
	if (optind == argc)
		return policy_show(json);
	if (!strcmp(argv[optind], "set") && optind + 2 == argc && !json)
		return policy_set(argv[optind + 1]);
	fputs(usage_policy, stderr);
	return 2;
}

static int cmd_heaps(int argc, char **argv)
{
	struct smaf_heap_alias aliases[SMAF_HEAP_MAX_ALIASES + 1];
	char spec[4096], path[128], attrs[64];
	const char *state;
	int json, ret, n, i;
	size_t len;
	FILE *f;

	ret = json_help_opts(argc, argv, usage_heaps, &json);
	if (ret <= 0)
		return ret ? 2 : 0;
	if (optind != argc) {
		fputs(usage_heaps, stderr);
		return 2;
	}
	f = fopen(HEAPS_PATH, "r");
	if (!f) {
		fprintf(stderr, "smafctl: cannot read %s: %s\n", HEAPS_PATH,
			errno == ENOENT ? "module not loaded? (try: modprobe smaf)" : strerror(errno));
		return 1;
	}
	len = fread(spec, 1, sizeof(spec) - 1, f);
	fclose(f);
	spec[len] = '\0';
	strcpy(aliases[0].name, "smaf");
	aliases[0].attrs = 0;
	n = smaf_heap_aliases_parse(spec, aliases + 1, SMAF_HEAP_MAX_ALIASES);
	if (n < 0) {
		fprintf(stderr, "smafctl: cannot parse %s: %s\n", HEAPS_PATH, strerror(-n));
		return 1;
	}
	if (json)
		printf("[");
	else
		printf("%-24s %-36s %-24s %s\n", "HEAP", "NODE", "ATTRIBUTES", "STATE");
	for (i = 0; i <= n; i++) {
		snprintf(path, sizeof(path), "/sys/class/misc/smaf-heap-%.31s", aliases[i].name);
		state = "not-added";
		if (!access(path, F_OK)) {
			state = "active";
		} else {
			snprintf(path, sizeof(path), "/sys/class/dma_heap/%.31s", aliases[i].name);
			if (!access(path, F_OK))
				state = "kernel-heap";
		}
		smaf_heap_attrs_format(aliases[i].attrs, attrs, sizeof(attrs));
		snprintf(path, sizeof(path), "/dev/dma_heap/%.31s", aliases[i].name);
		/* Not there, and nothing else took the name. */
		if (!strcmp(state, "not-added") && aliases[i].attrs & SMAF_HEAP_SECURE &&
		    access(path, F_OK))
			state = "no-secure-module";
		if (json)
			printf("%s{\"name\":\"%s\",\"node\":\"%s\",\"attrs\":\"%s\",\"state\":\"%s\"}",
			       i ? "," : "", aliases[i].name, path, attrs, state);
		else
			printf("%-24s %-36s %-24s %s\n", aliases[i].name, path, attrs, state);
	}
	if (json)
		printf("]\n");
	return 0;
}

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *usage;
} commands[] = {
	{ "list", cmd_list, usage_list },
	{ "alloc", cmd_alloc, usage_alloc },
	{ "status", cmd_status, usage_status },
	{ "policy", cmd_policy, usage_policy },
	{ "heaps", cmd_heaps, usage_heaps },
};

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const char *cmd;
	size_t i;
	int c;

	while ((c = getopt_long(argc, argv, "+d:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd': device_path = optarg; break;
		case 'h': fputs(usage_main, stdout); return 0;
		default: fputs(usage_main, stderr); return 2;
		}
	}
	if (optind >= argc) {
		fputs(usage_main, stderr);
		return 2;
	}
	cmd = argv[optind];
	if (!strcmp(cmd, "help")) {
		for (i = 0; optind + 1 < argc && i < sizeof(commands) / sizeof(commands[0]); i++)
			if (!strcmp(argv[optind + 1], commands[i].name)) {
				fputs(commands[i].usage, stdout);
				return 0;
			}
		fputs(usage_main, stdout);
		return 0;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (!strcmp(cmd, commands[i].name)) {
			argc -= optind;
			argv += optind;
			optind = 0;	/* full getopt reset, for permutation */
			return commands[i].fn(argc, argv);
		}
	}
	fprintf(stderr, "smafctl: unknown command '%s' (see: smafctl --help)\n", cmd);
	return 2;
}

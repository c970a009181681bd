// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * smafctl - inspect and exercise SMAF from the command line: main(), the
 * command table and the helpers the commands share.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "smafctl.h"

const char *device_path = SMAF_DEVICE_PATH;

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

void die_open(void)
{
	if (errno == ENOENT)
		fprintf(stderr, "smafctl: cannot open %s: module not loaded? (try: modprobe smaf)\n",
			device_path);
	else
		fprintf(stderr, "smafctl: cannot open %s: %s\n", device_path,
			strerror(errno));
	exit(1);
}

struct smaf_device *open_device(void)
{
	struct smaf_device *dev = smaf_device_open(device_path);

	if (!dev)
		die_open();
	return dev;
}

int parse_size(const char *s, uint64_t *out)
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
int field(const char *line, const char *key, char *val, size_t len)
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

FILE *open_debugfs(const char *name)
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
int json_help_opts(int argc, char **argv, const char *usage, int *json)
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

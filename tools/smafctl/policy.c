// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * smafctl policy and heaps: which devices need contiguous memory; the heap
 * nodes and their aliases.
 */
#include <errno.h>
#include <string.h>

#include "front/smaf-heap-alias.h"

#include "smafctl.h"

const char usage_policy[] =
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

const char usage_heaps[] =
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

int cmd_policy(int argc, char **argv)
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

int cmd_heaps(int argc, char **argv)
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

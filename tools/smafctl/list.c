// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * smafctl list: the allocators, best ranked first.
 */
#include <errno.h>
#include <string.h>

#include "smafctl.h"

const char usage_list[] =
"Usage: smafctl list [--json]\n"
"\n"
"List the allocators registered with SMAF in the order SMAF tries them\n"
"(highest ranking first).  When a buffer is first used, SMAF picks the\n"
"first allocator in this list that can serve every attached device.\n"
"\n"
"  --json   print a JSON array of {\"name\", \"ranking\"} objects\n";

int cmd_list(int argc, char **argv)
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

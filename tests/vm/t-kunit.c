// SPDX-License-Identifier: GPL-2.0
/*
 * The KUnit suites built into smaf.ko for the debug kernel
 * (kernel/smaf-kunit.c: the allocator choice, its fallbacks, the limits
 * and the reserve) ran when the module loaded; this reports their results
 * from KUnit's debugfs, one test point per case, with their messages (the
 * random case's seed).  A kernel without KUnit skips it (1..0).
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "smaf-test.h"

#define KUNIT "/sys/kernel/debug/kunit"
#define SUITE "smaf-choice-limits"
#define CASES 7

int main(void)
{
	char line[512], name[128];
	int cases = 0, num;
	FILE *f;

	if (access(KUNIT, F_OK)) {
		printf("1..0 # SKIP this kernel has no KUnit (the debug kernel runs the suites)\n");
		return 0;
	}
	f = fopen(KUNIT "/" SUITE "/results", "r");
	tap_ok(f != NULL, "smaf.ko carries the KUnit suite %s", SUITE);
	while (f && fgets(line, sizeof(line), f)) {
		const char *p = line + strspn(line, " \t");
		int failed = !strncmp(p, "not ok ", 7);

		/*
		 * The cases are indented under the suite; its own line is not.
		 * "ok 1 - name" (KTAP), or "ok 1 name" (6.1).
		 */
		if (p != line && (failed || !strncmp(p, "ok ", 3)) &&
		    (sscanf(p + (failed ? 7 : 3), "%d - %127s", &num, name) == 2 ||
		     sscanf(p + (failed ? 7 : 3), "%d %127s", &num, name) == 2)) {
			tap_ok(!failed, "KUnit %s: %s", SUITE, name);
			cases++;
		} else if (*p == '#') {
			printf("# %s", p + 1 + (p[1] == ' '));
		}
	}
	if (f)
		fclose(f);
	tap_ok(cases == CASES, "all %d cases ran (%d)", CASES, cases);
	return tap_done();
}

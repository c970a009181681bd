// SPDX-License-Identifier: GPL-2.0
/*
 * The KUnit suites built into smaf.ko for the debug kernel ran when the
 * module loaded (kernel/tests/smaf-kunit.c: the allocator choice, its fallbacks,
 * the limits and the reserve; kernel/tests/smaf-kunit-life.c: the back-off,
 * migration, secure grants, scrub and quarantine, the heap argument
 * sizes); this reports their results from KUnit's debugfs, one test point
 * per case, with their messages (the random case's seed).  A kernel
 * without KUnit skips it (1..0).
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "smaf-test.h"

#define KUNIT "/sys/kernel/debug/kunit"

static const struct {
	const char *name;
	int cases;
} suites[] = {
	{ "smaf-choice-limits", 8 },
	{ "smaf-life", 6 },
};

/* Reports one suite's cases; returns how many ran. */
static int report_suite(const char *suite)
{
	char line[512], name[128], path[256];
	int cases = 0, num;
	FILE *f;

	snprintf(path, sizeof(path), KUNIT "/%s/results", suite);
	f = fopen(path, "r");
	tap_ok(f != NULL, "smaf.ko carries the KUnit suite %s", suite);
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
			tap_ok(!failed, "KUnit %s: %s", suite, name);
			cases++;
		} else if (*p == '#') {
			printf("# %s", p + 1 + (p[1] == ' '));
		}
	}
	if (f)
		fclose(f);
	return cases;
}

int main(void)
{
	unsigned int i;
	int cases;

	if (access(KUNIT, F_OK)) {
		printf("1..0 # SKIP this kernel has no KUnit (the debug kernel runs the suites)\n");
		return 0;
	}
	for (i = 0; i < sizeof(suites) / sizeof(suites[0]); i++) {
		cases = report_suite(suites[i].name);
		tap_ok(cases == suites[i].cases, "%s: all %d cases ran (%d)",
		       suites[i].name, suites[i].cases, cases);
	}
	return tap_done();
}

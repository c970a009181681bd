// SPDX-License-Identifier: GPL-2.0
/*
 * Native unit tests of the policy parser in kernel/devices/smaf-policy.c, built with
 * sanitizers.  SMAF_SEED=N replays the randomized part.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "devices/smaf-policy.h"

static int count, failed;

static void ok(int pass, const char *what)
{
	count++;
	failed += !pass;
	printf("%sok %d - %s\n", pass ? "" : "not ", count, what);
}

static int parse(struct smaf_policy *p, const char *text)
{
	return smaf_policy_parse(p, text);
}

int main(void)
{
	const char *env = getenv("SMAF_SEED");
	unsigned int seed = env ? (unsigned int)strtoul(env, NULL, 0) : (unsigned int)time(NULL);
	static struct smaf_policy p, q;
	char buf[4096], big[4096], text[256];
	int i, r, good;

	ok(parse(&p, SMAF_POLICY_DEFAULT) == 0 && p.nrules == 2, "default policy parses");
	ok(smaf_policy_lookup(&p, "", "vgem") == SMAF_NEED_SG, "default: vgem does sg");
	ok(smaf_policy_lookup(&p, "vivid", "vivid.0") == SMAF_NEED_DEFAULT,
	   "default: vivid has no rule");

	ok(parse(&p, "") == 0 && p.nrules == 0, "empty text: no rule");
	ok(parse(&p, " ,;\n\t ") == 0 && p.nrules == 0, "only separators: no rule");
	ok(parse(&p, "driver:a=sg,device:0000:00:04.0=contig;driver:a=contig\n") == 0 &&
	   p.nrules == 3, "separators , ; newline; device names with colons");
	ok(smaf_policy_lookup(&p, "a", "x") == SMAF_NEED_CONTIG, "last driver rule wins");
	ok(smaf_policy_lookup(&p, "a", "0000:00:04.0") == SMAF_NEED_CONTIG &&
	   parse(&q, "device:d=sg driver:a=contig") == 0 &&
	   smaf_policy_lookup(&q, "a", "d") == SMAF_NEED_SG, "a device rule beats a driver rule");
	ok(smaf_policy_lookup(&p, "", "") == SMAF_NEED_DEFAULT, "unbound, unnamed: default");

	ok(parse(&p, "driver:a=sg") == 0 && parse(&p, "bogus") == -EINVAL, "no kind: EINVAL");
	ok(parse(&p, "driver:a=SG") == -EINVAL, "need is case-sensitive: EINVAL");
	ok(parse(&p, "driver:=sg") == -EINVAL, "empty name: EINVAL");
	ok(parse(&p, "driver:a") == -EINVAL, "no need: EINVAL");
	ok(parse(&p, "driver:a=") == -EINVAL, "empty need: EINVAL");
	ok(parse(&p, "driver:a=b=sg") == -EINVAL, "'=' in a name: EINVAL");
	ok(parse(&p, "driver:\x01=sg") == -EINVAL, "control character: EINVAL");
	memset(big, 'n', sizeof(big));
	memcpy(big, "driver:", 7);
	strcpy(big + 7 + SMAF_POLICY_NAME_LEN - 1, "=sg");
	ok(parse(&p, big) == 0, "longest name accepted");
	big[7 + SMAF_POLICY_NAME_LEN - 1] = 'n';
	strcpy(big + 7 + SMAF_POLICY_NAME_LEN, "=sg");
	ok(parse(&p, big) == -ENAMETOOLONG, "name one byte too long: ENAMETOOLONG");
	big[0] = '\0';
	for (i = 0; i < SMAF_POLICY_MAX_RULES; i++)
		sprintf(big + strlen(big), "driver:d%d=sg ", i);
	ok(parse(&p, big) == 0 && p.nrules == SMAF_POLICY_MAX_RULES, "32 rules accepted");
	strcat(big, "driver:one-more=sg");
	ok(parse(&p, big) == -E2BIG, "33 rules: E2BIG");

	ok(parse(&p, "driver:a=sg device:b=contig") == 0 &&
	   smaf_policy_format(&p, buf, sizeof(buf)) == (int)strlen("driver:a=sg\ndevice:b=contig\n") &&
	   !strcmp(buf, "driver:a=sg\ndevice:b=contig\n"), "format: one canonical rule per line");
	ok(smaf_policy_format(&p, buf, 10) == -ENOSPC, "format into a small buffer: ENOSPC");
	ok(parse(&p, "") == 0 && smaf_policy_format(&p, buf, 1) == 0 && !buf[0],
	   "format of no rule: empty string");

	/* Randomized: whatever parses formats back to text that parses the same. */
	srand(seed);
	printf("# seed %u (replay with SMAF_SEED=%u)\n", seed, seed);
	for (r = 0, good = 1; r < 20000 && good; r++) {
		static const char alphabet[] = "driver:device:=sgcontig ,;ab.-_0\n";
		int len = rand() % 60;

		for (i = 0; i < len; i++)
			text[i] = alphabet[rand() % (sizeof(alphabet) - 1)];
		text[len] = '\0';
		if (parse(&p, text))
			continue;
		if (smaf_policy_format(&p, buf, sizeof(buf)) < 0 || parse(&q, buf) ||
		    q.nrules != p.nrules || memcmp(q.rules, p.rules, p.nrules * sizeof(p.rules[0])))
			good = 0;
	}
	ok(good, "20000 random texts: parse, format and parse again round-trip");

	printf("1..%d\n", count);
	return failed ? 1 : 0;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * Native unit tests of the heap alias parser in kernel/front/smaf-heap-alias.c,
 * built with sanitizers.  SMAF_SEED=N replays the randomized part.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "front/smaf-heap-alias.h"

static int count, failed;
static struct smaf_heap_alias a[SMAF_HEAP_MAX_ALIASES];

static void ok(int pass, const char *what)
{
	count++;
	failed += !pass;
	printf("%sok %d - %s\n", pass ? "" : "not ", count, what);
}

static int parse(const char *text)
{
	return smaf_heap_aliases_parse(text, a, SMAF_HEAP_MAX_ALIASES);
}

static const struct smaf_heap_alias *find(int n, const char *name)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strcmp(a[i].name, name))
			return &a[i];
	return NULL;
}

int main(void)
{
	const char *env = getenv("SMAF_SEED");
	unsigned int seed = env ? (unsigned int)strtoul(env, NULL, 0) : (unsigned int)time(NULL);
	static const char alphabet[] = "ab,=;- .cmsxyz_9\n";
	char text[128], out[64], big[2048];
	const struct smaf_heap_alias *h;
	int i, j, n, r;

	n = parse(SMAF_HEAP_ALIASES_DEFAULT);
	ok(n == 14, "the default alias set parses: 14 names");
	h = find(n, "linux,cma");
	ok(h && h->attrs == SMAF_HEAP_CONTIG, "default: linux,cma is contig (libcamera, NXP)");
	ok((h = find(n, "system")) && h->attrs == 0, "default: system is a plain SMAF buffer");
	ok((h = find(n, "system-uncached")) && h->attrs == SMAF_HEAP_UNCACHED,
	   "default: system-uncached (Android, MPP)");
	ok((h = find(n, "cma-uncached-dma32")) &&
	   h->attrs == (SMAF_HEAP_CONTIG | SMAF_HEAP_DMA32 | SMAF_HEAP_UNCACHED),
	   "default: cma-uncached-dma32 is contig, dma32, uncached (MPP)");
	ok(find(n, "reserved") && find(n, "vidbuf_cached") && find(n, "system-dma32") &&
	   find(n, "cma") && find(n, "cma-dma32") && find(n, "system-uncached-dma32"),
	   "default: reserved, vidbuf_cached and the MPP names");
	ok((h = find(n, "protected,smaf")) && h->attrs == SMAF_HEAP_SECURE,
	   "default: protected,smaf is secure");
	ok((h = find(n, "protected,secure-video")) && h->attrs == SMAF_HEAP_SECURE,
	   "default: protected,secure-video (the TEE's heap from 6.18) is secure");
	ok((h = find(n, "default_cma_region")) && h->attrs == SMAF_HEAP_CONTIG,
	   "default: default_cma_region (the CMA heap's name from 6.17) is contig");

	ok(parse("") == 0 && parse(" ;\n\t;") == 0, "empty or only separators: no alias");
	ok(parse("a=contig a2=dma32;\na3=") == 3 && !strcmp(a[1].name, "a2") &&
	   a[1].attrs == SMAF_HEAP_DMA32 && a[2].attrs == 0, "separators: space, semicolon, newline");
	ok(parse("protected,x=secure,uncached,dma32,contig") == 1 && a[0].attrs == 15,
	   "every attribute, any order");
	ok(parse("x=secure") == -EINVAL && parse("x=contig,secure") == -EINVAL,
	   "a secure alias must be named protected,...");
	ok(parse("protected,x=") == -EINVAL && parse("protected,x=contig") == -EINVAL &&
	   parse("protectedx=") == 1, "a protected,... alias must be secure");
	ok(parse("x") == -EINVAL, "a name without = is refused");
	ok(parse("=contig") == -EINVAL, "an empty name is refused");
	ok(parse("x=contig,") == -EINVAL && parse("x=,contig") == -EINVAL,
	   "an empty attribute is refused");
	ok(parse("x=contig,contig") == -EINVAL, "a repeated attribute is refused");
	ok(parse("x=cached") == -EINVAL && parse("x=Contig") == -EINVAL,
	   "an unknown attribute is refused");
	ok(parse("smaf=contig") == -EINVAL, "\"smaf\" is reserved");
	ok(parse("smafx=") == 1 && parse("smaf-x=") == 1, "names starting with smaf are fine");
	ok(parse("a= b=") == 2 && parse("a= a=dma32") == -EINVAL, "a name given twice is refused");
	ok(parse("../x=") == -EINVAL && parse("a/b=") == -EINVAL && parse(".a=") == -EINVAL &&
	   parse("-a=") == -EINVAL && parse("_a=") == -EINVAL,
	   "names that are not one plain path component are refused");
	ok(parse("a:b=") == -EINVAL && parse("a\x01=") == -EINVAL, "other characters are refused");
	ok(parse("0123456789012345678901234567890=") == 1 &&
	   parse("01234567890123456789012345678901=") == -EINVAL, "names up to 31 characters");
	big[0] = '\0';
	for (i = 0; i < SMAF_HEAP_MAX_ALIASES; i++)
		sprintf(big + strlen(big), "n%d= ", i);
	ok(parse(big) == SMAF_HEAP_MAX_ALIASES, "as many aliases as the table holds");
	strcat(big, "one-more=");
	ok(parse(big) == -E2BIG, "one more: E2BIG");

	ok(smaf_heap_attrs_format(0, out, sizeof(out)) == 1 && !strcmp(out, "-"),
	   "format: no attribute is -");
	ok(smaf_heap_attrs_format(SMAF_HEAP_CONTIG | SMAF_HEAP_UNCACHED, out, sizeof(out)) == 15 &&
	   !strcmp(out, "contig,uncached"), "format: contig,uncached");
	ok(smaf_heap_attrs_format(SMAF_HEAP_CONTIG | SMAF_HEAP_UNCACHED, out, 15) == -ENOSPC &&
	   smaf_heap_attrs_format(0, out, 1) == -ENOSPC, "format: too small a buffer is ENOSPC");

	/* Random text: never crashes, and what parses formats back and reparses. */
	printf("# seed %u (replay with SMAF_SEED=%u)\n", seed, seed);
	srand(seed);
	r = 1;
	for (i = 0; i < 20000; i++) {
		int len = rand() % (int)(sizeof(text) - 1);

		for (j = 0; j < len; j++)
			text[j] = alphabet[rand() % (sizeof(alphabet) - 1)];
		text[len] = '\0';
		n = parse(text);
		if (n < 0)
			continue;
		for (j = 0; j < n && r; j++) {
			char again[80];
			struct smaf_heap_alias b;

			if (smaf_heap_attrs_format(a[j].attrs, out, sizeof(out)) < 0)
				r = 0;
			snprintf(again, sizeof(again), "%s=%s", a[j].name,
				 strcmp(out, "-") ? out : "");
			r = r && smaf_heap_aliases_parse(again, &b, 1) == 1 &&
			    !strcmp(b.name, a[j].name) && b.attrs == a[j].attrs;
		}
	}
	ok(r, "random text: what parses round-trips through the formatter");

	printf("1..%d\n", count);
	return failed ? 1 : 0;
}

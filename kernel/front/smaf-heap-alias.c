// SPDX-License-Identifier: GPL-2.0
/*
 * SMAF heap alias parsing and formatting.  Builds both in the module and in
 * userspace (tests/unit, smafctl): plain C and <linux/string.h>-compatible
 * calls.
 */
#ifdef __KERNEL__
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/string.h>
#else
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

#include "smaf-heap-alias.h"
#include "smaf-param-list.h"

static const struct {
	const char *name;
	unsigned int bit;
} smaf_heap_attr_names[] = {
	{ "contig", SMAF_HEAP_CONTIG },
	{ "dma32", SMAF_HEAP_DMA32 },
	{ "uncached", SMAF_HEAP_UNCACHED },
	{ "secure", SMAF_HEAP_SECURE },
};

#define SMAF_HEAP_NATTRS	ARRAY_SIZE(smaf_heap_attr_names)

static bool smaf_heap_is_alnum(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	       (ch >= '0' && ch <= '9');
}

static bool smaf_heap_is_name_char(char ch)
{
	return smaf_heap_is_alnum(ch) || ch == ',' || ch == '.' || ch == '_' ||
	       ch == '-';
}

/* Parses the attribute list [s, s + len); returns the bits or -EINVAL. */
static int smaf_heap_parse_attrs(const char *s, unsigned int len)
{
	unsigned int i, a, start, attrs = 0;
	int found;

	if (!len)
		return 0;
	for (start = 0; ; start = i + 1) {
		for (i = start; i < len && s[i] != ','; i++)
			;
		found = -1;
		for (a = 0; a < SMAF_HEAP_NATTRS; a++)
			if (smaf_param_is(s + start, i - start,
					  smaf_heap_attr_names[a].name))
				found = a;
		if (found < 0 || attrs & smaf_heap_attr_names[found].bit)
			return -EINVAL;	/* unknown, empty or repeated */
		attrs |= smaf_heap_attr_names[found].bit;
		if (i == len)
			break;
	}
	return attrs;
}

/* Reads one item, NAME=ATTRS, into @a. */
static int smaf_heap_parse_one(const struct smaf_param_item *it,
			       struct smaf_heap_alias *a)
{
	const char *s = it->key;
	unsigned int i, n = it->key_len;
	int attrs;

	for (i = 0; i < n; i++)
		if (!smaf_heap_is_name_char(s[i]))
			return -EINVAL;
	if (n == 0 || n >= SMAF_HEAP_NAME_LEN || !smaf_heap_is_alnum(s[0]))
		return -EINVAL;
	if (smaf_param_is(s, n, "smaf"))
		return -EINVAL;
	attrs = smaf_heap_parse_attrs(it->value, it->value_len);
	if (attrs < 0)
		return attrs;
	/* Secure if and only if named as protected memory. */
	if (!(attrs & SMAF_HEAP_SECURE) !=
	    !!strncmp(s, SMAF_HEAP_PROTECTED, strlen(SMAF_HEAP_PROTECTED)))
		return -EINVAL;
	memcpy(a->name, s, n);
	a->name[n] = '\0';
	a->attrs = attrs;
	return 0;
}

/**
 * smaf_heap_aliases_parse() - parse an alias list
 * @spec: the list, NUL-terminated (see smaf-heap-alias.h)
 * @out: array of @max aliases, filled in order
 * @max: capacity of @out
 *
 * Context: any.
 * Return: the number of aliases; -EINVAL on a syntax error, an unknown or
 * repeated attribute, a bad or reserved name, a secure alias not named
 * "protected,..." or a "protected,..." alias that is not secure, or a name
 * given twice;
 * -E2BIG if there are more than @max.
 */
int smaf_heap_aliases_parse(const char *spec, struct smaf_heap_alias *out,
			    unsigned int max)
{
	struct smaf_param_item it;
	unsigned int n = 0, i;
	int ret;

	while ((ret = smaf_param_list_next(&spec, false, &it)) > 0) {
		if (n == max)
			return -E2BIG;
		ret = smaf_heap_parse_one(&it, &out[n]);
		if (ret)
			return ret;
		for (i = 0; i < n; i++)
			if (!strcmp(out[i].name, out[n].name))
				return -EINVAL;
		n++;
	}
	return ret ? ret : (int)n;
}

/**
 * smaf_heap_attrs_format() - write attribute bits as "contig,dma32"
 * @attrs: SMAF_HEAP_* bits
 * @buf: output, NUL-terminated
 * @len: size of @buf
 *
 * Context: any.
 * Return: characters written (without the NUL), "-" for none; -ENOSPC if
 * @buf is too small.
 */
int smaf_heap_attrs_format(unsigned int attrs, char *buf, size_t len)
{
	size_t used = 0, n;
	unsigned int a;

	if (!len)
		return -ENOSPC;
	buf[0] = '\0';
	for (a = 0; a < SMAF_HEAP_NATTRS; a++) {
		if (!(attrs & smaf_heap_attr_names[a].bit))
			continue;
		n = strlen(smaf_heap_attr_names[a].name) + (used ? 1 : 0);
		if (used + n >= len)
			return -ENOSPC;
		if (used)
			buf[used++] = ',';
		n = strlen(smaf_heap_attr_names[a].name);
		memcpy(buf + used, smaf_heap_attr_names[a].name, n);
		used += n;
	}
	if (!used) {
		if (len < 2)
			return -ENOSPC;
		buf[used++] = '-';
	}
	buf[used] = '\0';
	return used;
}

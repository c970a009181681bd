// SPDX-License-Identifier: GPL-2.0
/*
 * The list parser of SMAF's parameters (see smaf-param-list.h).  Builds both
 * in the module and in userspace (tests/unit, smafctl).
 */
#ifdef __KERNEL__
#include <linux/errno.h>
#include <linux/string.h>
#else
#include <errno.h>
#include <string.h>
#endif

#include "smaf-param-list.h"

static bool smaf_param_is_sep(char ch, bool commas)
{
	return ch == ';' || ch == ' ' || ch == '\t' || ch == '\n' ||
	       ch == '\r' || (commas && ch == ',');
}

/**
 * smaf_param_list_next() - the next item of a list
 * @pos: where to start; moved past the item
 * @commas: commas separate items too
 * @item: out, the item's key and value, pointing into the list
 *
 * Context: any.
 * Return: 1 with @item filled; 0 at the end of the list; -EINVAL for an
 * item without '='.
 */
int smaf_param_list_next(const char **pos, bool commas,
			 struct smaf_param_item *item)
{
	const char *s = *pos;
	unsigned int len, eq;

	while (*s && smaf_param_is_sep(*s, commas))
		s++;
	for (len = 0; s[len] && !smaf_param_is_sep(s[len], commas); len++)
		;
	*pos = s + len;
	if (!len)
		return 0;
	for (eq = 0; eq < len && s[eq] != '='; eq++)
		;
	if (eq == len)
		return -EINVAL;
	item->key = s;
	item->key_len = eq;
	item->value = s + eq + 1;
	item->value_len = len - eq - 1;
	return 1;
}

/**
 * smaf_param_is() - is [@s, @s + @len) exactly @word?
 * @s: text, not NUL-terminated
 * @len: its length
 * @word: NUL-terminated word
 *
 * Context: any.
 * Return: true if it is.
 */
bool smaf_param_is(const char *s, unsigned int len, const char *word)
{
	return strlen(word) == len && !strncmp(s, word, len);
}

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one parser of SMAF's list parameters (policy, heaps, limits): a list
 * of KEY=VALUE items separated by semicolons, spaces, tabs or newlines,
 * and by commas too where no key or value of the list holds one (policy,
 * limits; not heaps, whose names and values do).  Each list reads its
 * keys and values itself.  Pure logic, also built in userspace.
 */
#ifndef _SMAF_PARAM_LIST_H
#define _SMAF_PARAM_LIST_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stdbool.h>
#endif

/**
 * struct smaf_param_item - one KEY=VALUE item, pointing into the list
 * @key:	the text before the first '='
 * @key_len:	its length, possibly 0
 * @value:	the text after the first '='
 * @value_len:	its length, possibly 0
 */
struct smaf_param_item {
	const char *key;
	unsigned int key_len;
	const char *value;
	unsigned int value_len;
};

int smaf_param_list_next(const char **pos, bool commas,
			 struct smaf_param_item *item);
bool smaf_param_is(const char *s, unsigned int len, const char *word);

#endif /* _SMAF_PARAM_LIST_H */

// SPDX-License-Identifier: GPL-2.0
/*
 * SMAF policy parsing, lookup and formatting.  Builds both in the module and
 * in userspace (tests/unit): plain C and <linux/string.h>-compatible calls.
 */
#ifdef __KERNEL__
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/string.h>
#endif

#include "smaf-param-list.h"
#include "smaf-policy.h"

/* Reads one item, "driver:NAME" or "device:NAME" = "contig" or "sg". */
static int smaf_policy_parse_rule(struct smaf_policy_rule *r,
				  const struct smaf_param_item *it)
{
	const char *name = it->key + 7;
	unsigned int i, nlen;

	if (it->key_len <= 7)
		return -EINVAL;
	if (!strncmp(it->key, "driver:", 7))
		r->by_device = false;
	else if (!strncmp(it->key, "device:", 7))
		r->by_device = true;
	else
		return -EINVAL;
	nlen = it->key_len - 7;
	if (nlen >= SMAF_POLICY_NAME_LEN)
		return -ENAMETOOLONG;
	for (i = 0; i < nlen; i++)
		if ((unsigned char)name[i] < 0x21 || (unsigned char)name[i] > 0x7e)
			return -EINVAL;
	memcpy(r->name, name, nlen);
	r->name[nlen] = '\0';

	if (smaf_param_is(it->value, it->value_len, "contig"))
		r->need = SMAF_NEED_CONTIG;
	else if (smaf_param_is(it->value, it->value_len, "sg"))
		r->need = SMAF_NEED_SG;
	else
		return -EINVAL;
	return 0;
}

/**
 * smaf_policy_parse() - parse a policy text
 * @p: out, the parsed policy; undefined on error (parse into a scratch
 *     policy and copy it on success)
 * @text: NUL-terminated rules (see smaf-policy.h); empty means no rule
 *
 * Context: any.
 * Return: 0, -EINVAL on a malformed rule, -ENAMETOOLONG if a name is
 * SMAF_POLICY_NAME_LEN bytes or longer, -E2BIG for more than
 * SMAF_POLICY_MAX_RULES rules.
 */
int smaf_policy_parse(struct smaf_policy *p, const char *text)
{
	struct smaf_param_item it;
	unsigned int n = 0;
	int ret;

	while ((ret = smaf_param_list_next(&text, true, &it)) > 0) {
		if (n == SMAF_POLICY_MAX_RULES)
			return -E2BIG;
		ret = smaf_policy_parse_rule(&p->rules[n], &it);
		if (ret)
			return ret;
		n++;
	}
	if (ret)
		return ret;
	p->nrules = n;
	return 0;
}

/**
 * smaf_policy_lookup() - what does a device need?
 * @p: the policy
 * @driver: name of the device's driver ("" if unbound)
 * @device: the device's name
 *
 * Context: any.
 * Return: the need of the last matching device rule, else of the last
 * matching driver rule, else SMAF_NEED_DEFAULT.
 */
enum smaf_policy_need smaf_policy_lookup(const struct smaf_policy *p,
					 const char *driver,
					 const char *device)
{
	enum smaf_policy_need by_driver = SMAF_NEED_DEFAULT;
	enum smaf_policy_need by_device = SMAF_NEED_DEFAULT;
	unsigned int i;

	for (i = 0; i < p->nrules; i++) {
		const struct smaf_policy_rule *r = &p->rules[i];

		if (r->by_device && !strcmp(r->name, device))
			by_device = r->need;
		else if (!r->by_device && !strcmp(r->name, driver))
			by_driver = r->need;
	}
	return by_device != SMAF_NEED_DEFAULT ? by_device : by_driver;
}

static unsigned int smaf_policy_put(char *buf, unsigned int pos,
				    const char *s)
{
	unsigned int n = strlen(s);

	memcpy(buf + pos, s, n);
	return pos + n;
}

/**
 * smaf_policy_format() - write a policy back as text
 * @p: the policy
 * @buf: out, NUL-terminated, one rule per line
 * @len: size of @buf
 *
 * Context: any.
 * Return: length written (without the NUL), or -ENOSPC if @buf is too small.
 */
int smaf_policy_format(const struct smaf_policy *p, char *buf,
		       unsigned int len)
{
	unsigned int i, pos = 0;

	for (i = 0; i < p->nrules; i++) {
		const struct smaf_policy_rule *r = &p->rules[i];
		const char *kind = r->by_device ? "device:" : "driver:";
		const char *val = r->need == SMAF_NEED_SG ? "=sg\n" : "=contig\n";

		if (pos + strlen(kind) + strlen(r->name) + strlen(val) >= len)
			return -ENOSPC;
		pos = smaf_policy_put(buf, pos, kind);
		pos = smaf_policy_put(buf, pos, r->name);
		pos = smaf_policy_put(buf, pos, val);
	}
	if (pos >= len)
		return -ENOSPC;
	buf[pos] = '\0';
	return pos;
}

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SMAF policy: what struct device cannot tell, namely whether a device
 * without IOMMU translation needs physically contiguous memory or does
 * scatter-gather.  Pure logic, also built in userspace for unit tests.
 *
 * Syntax: a list (smaf-param-list.h, commas separate) of rules;
 *   driver:NAME=contig|sg    every device bound to the driver called NAME
 *   device:NAME=contig|sg    the device called NAME (dev_name())
 * A device rule wins over a driver rule; among rules of one kind the last
 * one wins.  Devices no rule names need contiguous memory unless an IOMMU
 * translates their DMA.
 */
#ifndef _SMAF_POLICY_H
#define _SMAF_POLICY_H

#ifdef __KERNEL__
#include <linux/types.h>
#endif

#define SMAF_POLICY_MAX_RULES	32
#define SMAF_POLICY_NAME_LEN	48

/*
 * Rules shipped by default, only facts that are certain: vgem and vkms are
 * virtual DRM devices (platform devices named after their module, with no
 * driver bound) that never DMA; they only look pages up in the table.
 */
#define SMAF_POLICY_DEFAULT	"device:vgem=sg device:vkms=sg"

enum smaf_policy_need {
	SMAF_NEED_DEFAULT = 0,	/* no rule: contiguous unless translated */
	SMAF_NEED_CONTIG,
	SMAF_NEED_SG,
};

/**
 * struct smaf_policy_rule - one rule
 * @by_device:	match dev_name() instead of the driver name
 * @need:	what the matched devices need
 * @name:	driver or device name
 */
struct smaf_policy_rule {
	bool by_device;
	enum smaf_policy_need need;
	char name[SMAF_POLICY_NAME_LEN];
};

/**
 * struct smaf_policy - a parsed policy
 * @nrules:	number of rules
 * @rules:	the rules, in the order given
 */
struct smaf_policy {
	unsigned int nrules;
	struct smaf_policy_rule rules[SMAF_POLICY_MAX_RULES];
};

int smaf_policy_parse(struct smaf_policy *p, const char *text);
enum smaf_policy_need smaf_policy_lookup(const struct smaf_policy *p,
					 const char *driver,
					 const char *device);
int smaf_policy_format(const struct smaf_policy *p, char *buf,
		       unsigned int len);

#endif /* _SMAF_POLICY_H */

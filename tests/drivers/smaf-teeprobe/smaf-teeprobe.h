/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * smaf-teeprobe: test-only driver that talks to SMAF's pseudo-TA in its
 * own session, as a hostile normal-world kernel could, so that tests can
 * check what the secure world refuses whatever the kernel asks.  Interface
 * of /dev/smaf-teeprobe.
 */
#ifndef _SMAF_TEEPROBE_H
#define _SMAF_TEEPROBE_H

#include <linux/ioctl.h>
#include <linux/types.h>

/* struct smaf_teeprobe_grant.flags: grant a page of the driver's own RAM */
#define SMAF_TEEPROBE_OWN_PAGE	1

/**
 * struct smaf_teeprobe_grant - a grant asked of the secure world
 * @pa:		the range's physical address (ignored with OWN_PAGE)
 * @size:	its size (ignored with OWN_PAGE: one page)
 * @stream:	the device, by IOMMU stream id
 * @flags:	SMAF_TEEPROBE_*
 *
 * The grant is asked in a context of the driver's own (16 MiB) and, if
 * given, revoked at once.
 */
struct smaf_teeprobe_grant {
	__u64 pa;
	__u64 size;
	__u32 stream;
	__u32 flags;
};

/**
 * struct smaf_teeprobe_sdp - where the secure data path's region is
 * @base:	its physical address
 * @size:	its size (0: none)
 */
struct smaf_teeprobe_sdp {
	__u64 base;
	__u64 size;
};

/* 0 if granted; EACCES if the secure world refused; EINVAL; ENODEV. */
#define SMAF_TEEPROBE_IOC_GRANT	_IOW('T', 0, struct smaf_teeprobe_grant)
#define SMAF_TEEPROBE_IOC_SDP	_IOR('T', 1, struct smaf_teeprobe_sdp)

#endif

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What SMAF's KUnit suites share (smaf-kunit-fakes.c).
 */
#ifndef _SMAF_KUNIT_H
#define _SMAF_KUNIT_H

#include <kunit/test.h>

#include "smaf-internal.h"

/* Only the fakes accept constraints with this mark: no allocator reads it. */
#define SMAF_KUNIT_MARK	0x5a5a5000u
#define SMAF_KUNIT_USER	1000
#define SMAF_NFAKES	4
#define SMAF_KUNIT_BUFS	32

/**
 * struct smaf_fake - a fake allocator
 * @alloc:	its handle
 * @nomem:	allocate() fails with -ENOMEM
 * @calls:	allocate() calls
 * @live:	bytes of the buffers it backs, as the test counts them
 *
 * Its memory is one block of pages, one table entry per page.
 */
struct smaf_fake {
	struct smaf_allocator *alloc;
	bool nomem;
	unsigned int calls;
	u64 live;
};

/*
 * The fakes, by decreasing ranking: A (1 MiB, scarce: 256 KiB per user,
 * 256 KiB reserve), B charging cgroups, C, D charging cgroups; B, C and D
 * have a share of RAM.
 */
extern struct smaf_fake smaf_fakes[SMAF_NFAKES];

void smaf_kunit_add_fake(struct kunit *test, struct smaf_fake *f,
			 struct smaf_allocator_info *info);
int smaf_kunit_init(struct kunit *test);
void smaf_kunit_exit(struct kunit *test);
void smaf_kunit_check(struct kunit *test);
struct smaf_buffer *smaf_kunit_buffer(struct kunit *test, size_t size,
				      bool privileged, uid_t uid);
struct smaf_fake *smaf_kunit_fake(struct smaf_buffer *buf);
int smaf_kunit_use(struct smaf_buffer *buf);
void smaf_kunit_release(struct smaf_buffer *buf);
void smaf_kunit_release_checked(struct kunit *test, struct smaf_buffer *buf);

#endif /* _SMAF_KUNIT_H */

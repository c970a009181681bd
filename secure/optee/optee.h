/* SPDX-License-Identifier: GPL-2.0 */
/*
 * smaf-optee's own interfaces between its files, lowest first:
 * optee-tee.c (the connection to the secure world), optee-secure.c (the
 * secure module's ops), optee-sdp.c (protected memory, an allocator),
 * optee-dev.c (/dev/smaf-optee) and optee.c (the module and its binding).
 */
#ifndef _SMAF_OPTEE_H
#define _SMAF_OPTEE_H

#include <linux/sizes.h>
#include <linux/tee_drv.h>
#include <linux/types.h>
#include <linux/uuid.h>

struct smaf_secure;

/* The largest range shared with the secure world at once. */
#define SMAF_OPTEE_SHARE_MAX	SZ_1M

/**
 * struct smaf_optee_ctx - a secure buffer, as the secure world names it
 * @id:	the pseudo-TA's context id
 */
struct smaf_optee_ctx {
	u32 id;
};

/* optee-tee.c */
void smaf_optee_value(struct tee_param *p, u64 attr, u64 a, u64 b);
void smaf_optee_memref(struct tee_param *p, u64 attr, struct tee_shm *shm,
		       size_t size);
void smaf_optee_u64(struct tee_param *p, u64 v);
int smaf_optee_call(u32 cmd, struct tee_param p[4]);
struct tee_shm *smaf_optee_shm_register(phys_addr_t addr, size_t size);
struct tee_shm *smaf_optee_shm_alloc(size_t size);
int smaf_optee_connect(const uuid_t *uuid);
void smaf_optee_disconnect(void);

/* optee-secure.c */
struct smaf_secure *smaf_optee_secure(void);
int smaf_optee_secure_add(void);
void smaf_optee_secure_remove(void);

/* optee-dev.c */

int smaf_optee_dev_init(void);
void smaf_optee_dev_exit(void);

/* optee-sdp.c */
void smaf_optee_sdp_init(void);
void smaf_optee_sdp_exit(void);
bool smaf_optee_sdp_contains(phys_addr_t addr, size_t size);

#endif /* _SMAF_OPTEE_H */

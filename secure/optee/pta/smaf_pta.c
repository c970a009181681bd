// SPDX-License-Identifier: BSD-2-Clause
/*
 * SMAF's pseudo-TA: the secure world's side of SMAF's OP-TEE secure module.
 *
 * It keeps, for each secure buffer of the normal world, a context and the
 * table of the grants its devices and the CPU hold; it decides each grant
 * by the platform's policy (smaf_platform_*(): on a SoC, where the bus
 * firewall is programmed; on QEMU, which has none, only a table), and it
 * zeroes memory the buffer gives back.  The normal world's CPU is never
 * granted anything.  It also gives out the secure data path's region,
 * memory the normal world cannot address, as protected memory.  As the
 * secure processing element of a secure video
 * path it also decrypts content into a buffer (what a CDM does before a
 * secure decoder) and hashes a buffer's content, so that what is inside
 * can be checked without the normal world reading it.  Built into OP-TEE's core (a pseudo-TA can reach
 * physical memory, a user TA cannot); only the normal-world kernel may
 * open a session.  The protocol is in pta_smaf.h.
 */

#include <crypto/crypto.h>
#include <kernel/mutex.h>
#include <kernel/pseudo_ta.h>
#include <kernel/tee_ta_manager.h>
#include <kernel/ts_manager.h>
#include <mm/core_memprot.h>
#include <mm/core_mmu.h>
#include <pta_smaf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <tee_api_defines.h>
#include <tee_api_defines_extensions.h>
#include <trace.h>
#include <util.h>

#define PTA_NAME "smaf.pta"

/* Bounds of the table, which lives in OP-TEE's small core heap. */
#define SMAF_MAX_CONTEXTS	256
#define SMAF_MAX_GRANTS		1024

/**
 * struct smaf_grant - one range a device (or the CPU) may access
 * @kind:	PTA_SMAF_DEV_*
 * @stream:	the bus master's stream id (PTA_SMAF_DEV_STREAM)
 * @dir:	PTA_SMAF_READ | PTA_SMAF_WRITE
 * @pa:		start of the range
 * @size:	its size
 */
struct smaf_grant {
	uint32_t kind;
	uint32_t stream;
	uint32_t dir;
	paddr_t pa;
	size_t size;
	TAILQ_ENTRY(smaf_grant) link;
};

struct smaf_session;

/**
 * struct smaf_ctx - one secure buffer of the normal world
 * @id:		its id, as the normal world names it
 * @owner:	the session that made it: it goes with that session
 * @size:	the buffer's size
 * @grants:	what its users hold
 */
struct smaf_ctx {
	uint32_t id;
	struct smaf_session *owner;
	uint64_t size;
	TAILQ_HEAD(, smaf_grant) grants;
	TAILQ_ENTRY(smaf_ctx) link;
};

/* smaf_lock protects everything below. */
static struct mutex smaf_lock = MUTEX_INITIALIZER;
static TAILQ_HEAD(, smaf_ctx) smaf_contexts =
	TAILQ_HEAD_INITIALIZER(smaf_contexts);
static uint32_t smaf_next_id = 1;
static uint32_t smaf_nr_contexts;
static uint32_t smaf_nr_grants;
static uint32_t smaf_refused;
static uint32_t smaf_dropped;
static uint64_t smaf_scrubbed;

/*
 * The secure data path's region (the first OP-TEE registered), given out
 * in PTA_SMAF_SDP_PAGE pages: a set bit in smaf_sdp_used is a page given
 * out.  QEMU's is 4 MiB.
 */
#define SMAF_SDP_MAX_PAGES	4096
static paddr_t smaf_sdp_base;
static uint8_t *smaf_sdp_va_base;
static size_t smaf_sdp_pages;
static uint8_t smaf_sdp_used[SMAF_SDP_MAX_PAGES / 8];

/*
 * The platform's policy: which bus masters may reach SMAF's secure
 * buffers.  QEMU's virt machine has no bus firewall, so on QEMU this is
 * only a table: the PCIe device at 00:02.0 (stream 0x10 behind the SMMU,
 * where SMAF's tests find QEMU's edu DMA device) may; nothing else may.
 * On a SoC, smaf_platform_grant() is where the firewall (TZASC, TZC-400,
 * a vendor's content protection unit) is programmed for the range, and
 * smaf_platform_revoke() where it is closed again.
 */
static const uint32_t smaf_platform_streams[] = { 0x10 };

static bool smaf_sdp_overlaps(paddr_t pa, size_t size);

static TEE_Result smaf_platform_grant(const struct smaf_grant *g)
{
	size_t i = 0;

	if (g->kind != PTA_SMAF_DEV_STREAM)
		return TEE_ERROR_ACCESS_DENIED;
	/*
	 * QEMU: the secure data path's region is secure RAM, which no
	 * non-secure master reaches (its SMMU issues non-secure accesses
	 * only).  A SoC would open its firewall to the decoder here.
	 */
	if (smaf_sdp_overlaps(g->pa, g->size))
		return TEE_ERROR_ACCESS_DENIED;
	for (i = 0; i < ARRAY_SIZE(smaf_platform_streams); i++)
		if (smaf_platform_streams[i] == g->stream)
			return TEE_SUCCESS;
	return TEE_ERROR_ACCESS_DENIED;
}

static void smaf_platform_revoke(const struct smaf_grant *g __unused)
{
}

/*
 * The platform's content key, which never leaves the secure world.  On a
 * product it comes from the license the CDM obtained (or a key ladder); on
 * QEMU it is the AES-128 example key of NIST SP 800-38A, so that tests can
 * use that standard's CTR vectors.
 */
static const uint8_t smaf_platform_content_key[16] = {
	0x2b, 0x7e, 0x15, 0x16, 0x28, 0xae, 0xd2, 0xa6,
	0xab, 0xf7, 0x15, 0x88, 0x09, 0xcf, 0x4f, 0x3c,
};

/**
 * struct smaf_session - what one session of the normal world's kernel holds
 * @hash:	the SHA-256 being computed by PTA_SMAF_CMD_HASH, or NULL
 * @hash_ctx:	the context it hashes
 */
struct smaf_session {
	void *hash;
	uint32_t hash_ctx;
};

static uint64_t smaf_u64(const TEE_Param *p)
{
	return ((uint64_t)p->value.b << 32) | p->value.a;
}

static void smaf_u64_out(TEE_Param *p, uint64_t v)
{
	p->value.a = (uint32_t)v;
	p->value.b = (uint32_t)(v >> 32);
}

/* Finds the region and maps it in the core, at the first call. */
static void smaf_sdp_init(void)
{
	const struct core_mmu_phys_mem *mem = phys_sdp_mem_begin;
	static bool done;
	size_t pages = 0;

	if (done || mem >= phys_sdp_mem_end)
		return;
	done = true;
	pages = MIN((size_t)(mem->size / PTA_SMAF_SDP_PAGE),
		    (size_t)SMAF_SDP_MAX_PAGES);
	/* The core does not map SDP memory: the pseudo-TA does, as secure RAM. */
	smaf_sdp_va_base = core_mmu_add_mapping(MEM_AREA_RAM_SEC, mem->addr,
						pages * PTA_SMAF_SDP_PAGE);
	if (!smaf_sdp_va_base) {
		EMSG("cannot map the SDP region at %#" PRIxPA, mem->addr);
		return;
	}
	smaf_sdp_base = mem->addr;
	smaf_sdp_pages = pages;
	IMSG("SMAF: %zu KiB of protected memory at %#" PRIxPA,
	     pages * PTA_SMAF_SDP_PAGE / 1024, smaf_sdp_base);
}

static bool smaf_sdp_overlaps(paddr_t pa, size_t size)
{
	paddr_t end = smaf_sdp_base + smaf_sdp_pages * PTA_SMAF_SDP_PAGE;

	return smaf_sdp_pages && pa < end && smaf_sdp_base < pa + size;
}

static bool smaf_sdp_page_used(size_t i)
{
	return smaf_sdp_used[i / 8] & BIT(i % 8);
}

static void smaf_sdp_mark(size_t first, size_t n, bool used)
{
	size_t i = 0;

	for (i = first; i < first + n; i++) {
		if (used)
			smaf_sdp_used[i / 8] |= BIT(i % 8);
		else
			smaf_sdp_used[i / 8] &= ~BIT(i % 8);
	}
}

/*
 * The secure world's mapping of [@pa, @pa + @size), in pages of the region
 * all given out; NULL for anything else.
 */
static void *smaf_sdp_va(uint64_t pa, uint64_t size)
{
	size_t first = 0;
	size_t last = 0;
	size_t i = 0;

	if (!size || pa < smaf_sdp_base || pa + size < pa)
		return NULL;
	first = (pa - smaf_sdp_base) / PTA_SMAF_SDP_PAGE;
	last = (pa + size - 1 - smaf_sdp_base) / PTA_SMAF_SDP_PAGE;
	if (last >= smaf_sdp_pages)
		return NULL;
	for (i = first; i <= last; i++)
		if (!smaf_sdp_page_used(i))
			return NULL;
	return smaf_sdp_va_base + (pa - smaf_sdp_base);
}

/* The context @id of session @ss (NULL: of any session, to keep ids unique). */
static struct smaf_ctx *smaf_ctx_find(struct smaf_session *ss, uint32_t id)
{
	struct smaf_ctx *ctx = NULL;

	TAILQ_FOREACH(ctx, &smaf_contexts, link)
		if (ctx->id == id && (!ss || ctx->owner == ss))
			return ctx;
	return NULL;
}

static TEE_Result smaf_ctx_create(struct smaf_session *ss, uint32_t types,
				  TEE_Param p[TEE_NUM_PARAMS])
{
	struct smaf_ctx *ctx = NULL;

	if (types != TEE_PARAM_TYPES(TEE_PARAM_TYPE_VALUE_INPUT,
				     TEE_PARAM_TYPE_VALUE_OUTPUT,
				     TEE_PARAM_TYPE_NONE, TEE_PARAM_TYPE_NONE))
		return TEE_ERROR_BAD_PARAMETERS;
	if (!smaf_u64(&p[0]))
		return TEE_ERROR_BAD_PARAMETERS;
	if (smaf_nr_contexts >= SMAF_MAX_CONTEXTS)
		return TEE_ERROR_OUT_OF_MEMORY;
	ctx = calloc(1, sizeof(*ctx));
	if (!ctx)
		return TEE_ERROR_OUT_OF_MEMORY;
	ctx->size = smaf_u64(&p[0]);
	ctx->owner = ss;
	TAILQ_INIT(&ctx->grants);
	/* Ids are not reused while live: skip 0 and any still in use. */
	do {
		ctx->id = smaf_next_id++;
	} while (!ctx->id || smaf_ctx_find(NULL, ctx->id));
	TAILQ_INSERT_TAIL(&smaf_contexts, ctx, link);
	smaf_nr_contexts++;
	p[1].value.a = ctx->id;
	return TEE_SUCCESS;
}

/* Frees @ctx, dropping (and counting) the grants still held. */
static void smaf_ctx_free(struct smaf_ctx *ctx)
{
	struct smaf_grant *g = NULL;

	while ((g = TAILQ_FIRST(&ctx->grants))) {
		TAILQ_REMOVE(&ctx->grants, g, link);
		smaf_platform_revoke(g);
		smaf_nr_grants--;
		smaf_dropped++;
		free(g);
	}
	TAILQ_REMOVE(&smaf_contexts, ctx, link);
	smaf_nr_contexts--;
	free(ctx);
}

static TEE_Result smaf_ctx_destroy(struct smaf_session *ss, uint32_t types,
				   TEE_Param p[TEE_NUM_PARAMS])
{
	struct smaf_ctx *ctx = NULL;

	if (types != TEE_PARAM_TYPES(TEE_PARAM_TYPE_VALUE_INPUT,
				     TEE_PARAM_TYPE_NONE, TEE_PARAM_TYPE_NONE,
				     TEE_PARAM_TYPE_NONE))
		return TEE_ERROR_BAD_PARAMETERS;
	ctx = smaf_ctx_find(ss, p[0].value.a);
	if (!ctx)
		return TEE_ERROR_ITEM_NOT_FOUND;
	smaf_ctx_free(ctx);
	return TEE_SUCCESS;
}

/* Reads a grant's parameters into @g; checks the range lies in the buffer. */
static TEE_Result smaf_grant_params(struct smaf_session *ss, uint32_t types,
				    TEE_Param p[TEE_NUM_PARAMS],
				    struct smaf_ctx **ctx, struct smaf_grant *g)
{
	uint64_t pa = 0;
	uint64_t size = 0;

	if (types != TEE_PARAM_TYPES(TEE_PARAM_TYPE_VALUE_INPUT,
				     TEE_PARAM_TYPE_VALUE_INPUT,
				     TEE_PARAM_TYPE_VALUE_INPUT,
				     TEE_PARAM_TYPE_VALUE_INPUT))
		return TEE_ERROR_BAD_PARAMETERS;
	*ctx = smaf_ctx_find(ss, p[0].value.a);
	if (!*ctx)
		return TEE_ERROR_ITEM_NOT_FOUND;
	pa = smaf_u64(&p[2]);
	size = smaf_u64(&p[3]);
	if (!p[0].value.b || p[0].value.b & ~(PTA_SMAF_READ | PTA_SMAF_WRITE) ||
	    p[1].value.a > PTA_SMAF_DEV_UNKNOWN || !size ||
	    size > (*ctx)->size || pa + size < pa || pa != (paddr_t)pa ||
	    size != (size_t)size)
		return TEE_ERROR_BAD_PARAMETERS;
	g->dir = p[0].value.b;
	g->kind = p[1].value.a;
	g->stream = p[1].value.b;
	g->pa = pa;
	g->size = size;
	return TEE_SUCCESS;
}

static TEE_Result smaf_grant(struct smaf_session *ss, uint32_t types,
			     TEE_Param p[TEE_NUM_PARAMS])
{
	struct smaf_grant want = { };
	struct smaf_ctx *ctx = NULL;
	struct smaf_grant *g = NULL;
	TEE_Result res = TEE_SUCCESS;

	res = smaf_grant_params(ss, types, p, &ctx, &want);
	if (res)
		return res;
	if (smaf_nr_grants >= SMAF_MAX_GRANTS)
		return TEE_ERROR_OUT_OF_MEMORY;
	/*
	 * The normal world names the range: only its own memory, or protected
	 * memory given out here, may be granted.  Anything else (OP-TEE's own
	 * memory, protected memory nobody was given) is refused before the
	 * platform could open its firewall to it.
	 */
	if (!core_pbuf_is(CORE_MEM_NON_SEC, want.pa, want.size) &&
	    !smaf_sdp_va(want.pa, want.size)) {
		smaf_refused++;
		return TEE_ERROR_ACCESS_DENIED;
	}
	res = smaf_platform_grant(&want);
	if (res) {
		smaf_refused++;
		return res;
	}
	g = malloc(sizeof(*g));
	if (!g) {
		smaf_platform_revoke(&want);
		return TEE_ERROR_OUT_OF_MEMORY;
	}
	*g = want;
	TAILQ_INSERT_TAIL(&ctx->grants, g, link);
	smaf_nr_grants++;
	return TEE_SUCCESS;
}

static TEE_Result smaf_revoke(struct smaf_session *ss, uint32_t types,
			      TEE_Param p[TEE_NUM_PARAMS])
{
	struct smaf_grant want = { };
	struct smaf_ctx *ctx = NULL;
	struct smaf_grant *g = NULL;
	TEE_Result res = TEE_SUCCESS;

	res = smaf_grant_params(ss, types, p, &ctx, &want);
	if (res)
		return res;
	TAILQ_FOREACH(g, &ctx->grants, link) {
		if (g->kind == want.kind && g->stream == want.stream &&
		    g->dir == want.dir && g->pa == want.pa &&
		    g->size == want.size) {
			TAILQ_REMOVE(&ctx->grants, g, link);
			smaf_platform_revoke(g);
			smaf_nr_grants--;
			free(g);
			return TEE_SUCCESS;
		}
	}
	return TEE_ERROR_ITEM_NOT_FOUND;
}

static bool smaf_range_granted(paddr_t pa, size_t size)
{
	struct smaf_ctx *ctx = NULL;
	struct smaf_grant *g = NULL;

	TAILQ_FOREACH(ctx, &smaf_contexts, link)
		TAILQ_FOREACH(g, &ctx->grants, link)
			if (g->pa < pa + size && pa < g->pa + g->size)
				return true;
	return false;
}

static TEE_Result smaf_scrub(struct smaf_session *ss, uint32_t types,
			     TEE_Param p[TEE_NUM_PARAMS])
{
	bool sdp = TEE_PARAM_TYPE_GET(types, 1) == TEE_PARAM_TYPE_VALUE_INPUT;
	paddr_t pa = smaf_u64(&p[2]);
	size_t size = 0;
	void *va = NULL;

	if (types != TEE_PARAM_TYPES(TEE_PARAM_TYPE_VALUE_INPUT,
				     sdp ? TEE_PARAM_TYPE_VALUE_INPUT :
				     TEE_PARAM_TYPE_MEMREF_INOUT,
				     TEE_PARAM_TYPE_VALUE_INPUT,
				     TEE_PARAM_TYPE_NONE))
		return TEE_ERROR_BAD_PARAMETERS;
	if (!smaf_ctx_find(ss, p[0].value.a))
		return TEE_ERROR_ITEM_NOT_FOUND;
	if (sdp) {
		size = smaf_u64(&p[1]);
		va = smaf_sdp_va(pa, size);
	} else {
		size = p[1].memref.size;
		va = p[1].memref.buffer;
		if (va && virt_to_phys(va) != pa)
			va = NULL;
	}
	if (!va || !size || !pa)
		return TEE_ERROR_BAD_PARAMETERS;
	if (smaf_range_granted(pa, size))
		return TEE_ERROR_BUSY;
	memset(va, 0, size);
	smaf_scrubbed += size;
	return TEE_SUCCESS;
}

static TEE_Result smaf_sdp_info(uint32_t types, TEE_Param p[TEE_NUM_PARAMS])
{
	if (types != TEE_PARAM_TYPES(TEE_PARAM_TYPE_VALUE_OUTPUT,
				     TEE_PARAM_TYPE_VALUE_OUTPUT,
				     TEE_PARAM_TYPE_NONE, TEE_PARAM_TYPE_NONE))
		return TEE_ERROR_BAD_PARAMETERS;
	smaf_u64_out(&p[0], smaf_sdp_base);
	smaf_u64_out(&p[1], (uint64_t)smaf_sdp_pages * PTA_SMAF_SDP_PAGE);
	return TEE_SUCCESS;
}

static TEE_Result smaf_sdp_alloc(uint32_t types, TEE_Param p[TEE_NUM_PARAMS])
{
	uint64_t size = smaf_u64(&p[0]);
	size_t n = size / PTA_SMAF_SDP_PAGE;
	size_t run = 0;
	size_t i = 0;
	paddr_t pa = 0;
	void *va = NULL;

	if (types != TEE_PARAM_TYPES(TEE_PARAM_TYPE_VALUE_INPUT,
				     TEE_PARAM_TYPE_VALUE_OUTPUT,
				     TEE_PARAM_TYPE_NONE, TEE_PARAM_TYPE_NONE) ||
	    !size || size % PTA_SMAF_SDP_PAGE)
		return TEE_ERROR_BAD_PARAMETERS;
	if (n > smaf_sdp_pages)
		return TEE_ERROR_OUT_OF_MEMORY;
	/* First fit. */
	for (i = 0; i < smaf_sdp_pages && run < n; i++)
		run = smaf_sdp_page_used(i) ? 0 : run + 1;
	if (run < n)
		return TEE_ERROR_OUT_OF_MEMORY;
	smaf_sdp_mark(i - n, n, true);
	pa = smaf_sdp_base + (i - n) * PTA_SMAF_SDP_PAGE;
	va = smaf_sdp_va(pa, size);
	if (!va) {
		smaf_sdp_mark(i - n, n, false);
		return TEE_ERROR_GENERIC;
	}
	memset(va, 0, size);
	smaf_u64_out(&p[1], pa);
	return TEE_SUCCESS;
}

static TEE_Result smaf_sdp_free(uint32_t types, TEE_Param p[TEE_NUM_PARAMS])
{
	uint64_t pa = smaf_u64(&p[0]);
	uint64_t size = smaf_u64(&p[1]);
	void *va = NULL;

	if (types != TEE_PARAM_TYPES(TEE_PARAM_TYPE_VALUE_INPUT,
				     TEE_PARAM_TYPE_VALUE_INPUT,
				     TEE_PARAM_TYPE_NONE, TEE_PARAM_TYPE_NONE) ||
	    pa % PTA_SMAF_SDP_PAGE || size % PTA_SMAF_SDP_PAGE)
		return TEE_ERROR_BAD_PARAMETERS;
	va = smaf_sdp_va(pa, size);
	if (!va)
		return TEE_ERROR_ITEM_NOT_FOUND;
	if (smaf_range_granted(pa, size))
		return TEE_ERROR_BUSY;
	memset(va, 0, size);
	smaf_sdp_mark((pa - smaf_sdp_base) / PTA_SMAF_SDP_PAGE,
		      size / PTA_SMAF_SDP_PAGE, false);
	return TEE_SUCCESS;
}

/* Adds @blocks to the big-endian 128-bit counter block @ctr. */
static void smaf_ctr_add(uint8_t ctr[16], uint64_t blocks)
{
	int i = 0;

	for (i = 15; i >= 0 && blocks; i--) {
		blocks += ctr[i];
		ctr[i] = blocks & 0xff;
		blocks >>= 8;
	}
}

static TEE_Result smaf_decrypt(struct smaf_session *ss, uint32_t types,
			       TEE_Param p[TEE_NUM_PARAMS])
{
	uint8_t ctr[16] = { };
	uint64_t offset = 0;
	const uint8_t *in = NULL;
	size_t len = 0;
	void *cipher = NULL;
	TEE_Result res = TEE_SUCCESS;

	bool sdp = TEE_PARAM_TYPE_GET(types, 2) == TEE_PARAM_TYPE_VALUE_INPUT;
	uint8_t *out = NULL;

	if (types != TEE_PARAM_TYPES(TEE_PARAM_TYPE_VALUE_INPUT,
				     TEE_PARAM_TYPE_MEMREF_INPUT,
				     sdp ? TEE_PARAM_TYPE_VALUE_INPUT :
				     TEE_PARAM_TYPE_MEMREF_INOUT,
				     TEE_PARAM_TYPE_VALUE_INPUT))
		return TEE_ERROR_BAD_PARAMETERS;
	if (!smaf_ctx_find(ss, p[0].value.a))
		return TEE_ERROR_ITEM_NOT_FOUND;
	in = p[1].memref.buffer;
	offset = smaf_u64(&p[3]);
	if (!in || p[1].memref.size <= sizeof(ctr) || offset % sizeof(ctr))
		return TEE_ERROR_BAD_PARAMETERS;
	len = p[1].memref.size - sizeof(ctr);
	if (sdp)
		out = smaf_sdp_va(smaf_u64(&p[2]), len);
	else if (p[2].memref.size >= len)
		out = p[2].memref.buffer;
	if (!out)
		return TEE_ERROR_BAD_PARAMETERS;
	memcpy(ctr, in, sizeof(ctr));
	smaf_ctr_add(ctr, offset / sizeof(ctr));
	res = crypto_cipher_alloc_ctx(&cipher, TEE_ALG_AES_CTR);
	if (res)
		return res;
	res = crypto_cipher_init(cipher, TEE_MODE_DECRYPT,
				 smaf_platform_content_key,
				 sizeof(smaf_platform_content_key), NULL, 0,
				 ctr, sizeof(ctr));
	if (!res)
		res = crypto_cipher_update(cipher, TEE_MODE_DECRYPT, true,
					   in + sizeof(ctr), len, out);
	crypto_cipher_final(cipher);
	crypto_cipher_free_ctx(cipher);
	return res;
}

static TEE_Result smaf_hash(struct smaf_session *ss, uint32_t types,
			    TEE_Param p[TEE_NUM_PARAMS])
{
	bool sdp = TEE_PARAM_TYPE_GET(types, 1) == TEE_PARAM_TYPE_VALUE_INPUT;
	uint32_t flags = p[0].value.b;
	TEE_Result res = TEE_SUCCESS;
	const uint8_t *in = NULL;
	size_t len = 0;

	if (types != TEE_PARAM_TYPES(TEE_PARAM_TYPE_VALUE_INPUT,
				     sdp ? TEE_PARAM_TYPE_VALUE_INPUT :
				     TEE_PARAM_TYPE_MEMREF_INPUT,
				     TEE_PARAM_TYPE_MEMREF_OUTPUT,
				     sdp ? TEE_PARAM_TYPE_VALUE_INPUT :
				     TEE_PARAM_TYPE_NONE))
		return TEE_ERROR_BAD_PARAMETERS;
	if (sdp) {
		len = smaf_u64(&p[3]);
		in = smaf_sdp_va(smaf_u64(&p[1]), len);
	} else {
		len = p[1].memref.size;
		in = p[1].memref.buffer;
	}
	if (!smaf_ctx_find(ss, p[0].value.a) ||
	    flags & ~(PTA_SMAF_HASH_FIRST | PTA_SMAF_HASH_LAST) || !in ||
	    p[2].memref.size < PTA_SMAF_DIGEST_LEN)
		return TEE_ERROR_BAD_PARAMETERS;
	if (flags & PTA_SMAF_HASH_FIRST) {
		if (!ss->hash) {
			res = crypto_hash_alloc_ctx(&ss->hash, TEE_ALG_SHA256);
			if (res)
				return res;
		}
		res = crypto_hash_init(ss->hash);
		if (res)
			return res;
		ss->hash_ctx = p[0].value.a;
	} else if (!ss->hash || ss->hash_ctx != p[0].value.a) {
		return TEE_ERROR_BAD_STATE;
	}
	res = crypto_hash_update(ss->hash, in, len);
	if (!res && flags & PTA_SMAF_HASH_LAST) {
		res = crypto_hash_final(ss->hash, p[2].memref.buffer,
					PTA_SMAF_DIGEST_LEN);
		p[2].memref.size = PTA_SMAF_DIGEST_LEN;
		ss->hash_ctx = 0;
	}
	return res;
}

static TEE_Result smaf_stats(uint32_t types, TEE_Param p[TEE_NUM_PARAMS])
{
	if (types != TEE_PARAM_TYPES(TEE_PARAM_TYPE_VALUE_OUTPUT,
				     TEE_PARAM_TYPE_VALUE_OUTPUT,
				     TEE_PARAM_TYPE_VALUE_OUTPUT,
				     TEE_PARAM_TYPE_NONE))
		return TEE_ERROR_BAD_PARAMETERS;
	p[0].value.a = smaf_nr_contexts;
	p[0].value.b = smaf_nr_grants;
	p[1].value.a = smaf_refused;
	p[1].value.b = smaf_dropped;
	p[2].value.a = (uint32_t)smaf_scrubbed;
	p[2].value.b = (uint32_t)(smaf_scrubbed >> 32);
	return TEE_SUCCESS;
}

static TEE_Result smaf_open_session(uint32_t types __unused,
				    TEE_Param p[TEE_NUM_PARAMS] __unused,
				    void **session)
{
	struct ts_session *ts = ts_get_current_session();
	struct tee_ta_session *s = to_ta_session(ts);
	struct smaf_session *ss = NULL;

	/* The normal world's kernel only: no process may grant itself. */
	if (s->clnt_id.login != TEE_LOGIN_REE_KERNEL)
		return TEE_ERROR_ACCESS_DENIED;
	ss = calloc(1, sizeof(*ss));
	if (!ss)
		return TEE_ERROR_OUT_OF_MEMORY;
	*session = ss;
	return TEE_SUCCESS;
}

static void smaf_close_session(void *session)
{
	struct smaf_session *ss = session;

	struct smaf_ctx *ctx = NULL;
	struct smaf_ctx *next = NULL;

	/* Also called for a session whose opening was refused. */
	if (!ss)
		return;
	/* The kernel that held them is gone: so are its buffers' grants. */
	mutex_lock(&smaf_lock);
	TAILQ_FOREACH_SAFE(ctx, &smaf_contexts, link, next)
		if (ctx->owner == ss)
			smaf_ctx_free(ctx);
	mutex_unlock(&smaf_lock);
	if (ss->hash)
		crypto_hash_free_ctx(ss->hash);
	free(ss);
}

static TEE_Result smaf_invoke(void *session, uint32_t cmd,
			      uint32_t types, TEE_Param p[TEE_NUM_PARAMS])
{
	TEE_Result res = TEE_ERROR_NOT_IMPLEMENTED;

	mutex_lock(&smaf_lock);
	smaf_sdp_init();
	switch (cmd) {
	case PTA_SMAF_CMD_CTX_CREATE:
		res = smaf_ctx_create(session, types, p);
		break;
	case PTA_SMAF_CMD_CTX_DESTROY:
		res = smaf_ctx_destroy(session, types, p);
		break;
	case PTA_SMAF_CMD_GRANT:
		res = smaf_grant(session, types, p);
		break;
	case PTA_SMAF_CMD_REVOKE:
		res = smaf_revoke(session, types, p);
		break;
	case PTA_SMAF_CMD_SCRUB:
		res = smaf_scrub(session, types, p);
		break;
	case PTA_SMAF_CMD_STATS:
		res = smaf_stats(types, p);
		break;
	case PTA_SMAF_CMD_DECRYPT:
		res = smaf_decrypt(session, types, p);
		break;
	case PTA_SMAF_CMD_HASH:
		res = smaf_hash(session, types, p);
		break;
	case PTA_SMAF_CMD_SDP_INFO:
		res = smaf_sdp_info(types, p);
		break;
	case PTA_SMAF_CMD_SDP_ALLOC:
		res = smaf_sdp_alloc(types, p);
		break;
	case PTA_SMAF_CMD_SDP_FREE:
		res = smaf_sdp_free(types, p);
		break;
	default:
		break;
	}
	mutex_unlock(&smaf_lock);
	return res;
}

pseudo_ta_register(.uuid = PTA_SMAF_UUID, .name = PTA_NAME,
		   .flags = PTA_DEFAULT_FLAGS | TA_FLAG_CONCURRENT |
			    TA_FLAG_DEVICE_ENUM,
		   .open_session_entry_point = smaf_open_session,
		   .close_session_entry_point = smaf_close_session,
		   .invoke_command_entry_point = smaf_invoke);

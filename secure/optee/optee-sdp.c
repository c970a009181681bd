// SPDX-License-Identifier: GPL-2.0
/*
 * Protected memory from OP-TEE: the secure data path's region, which the
 * normal world cannot address, offered to SMAF as an allocator of memory
 * without struct pages ("optee-sdp").  The pseudo-TA gives the memory out
 * (zeroed) and takes it back; SMAF uses it only for secure buffers that the
 * CPU does not use (a device's first use, or the secure world's own), maps
 * it for devices as a resource, never for the CPU.
 */
#define pr_fmt(fmt) "smaf-optee: " fmt

#include <linux/module.h>
#include <linux/scatterlist.h>
#include <linux/smaf/allocator.h>

#include "optee.h"
#include "pta/pta_smaf.h"

/* Above SMAF's own allocators: a secure buffer a device uses goes here. */
#define SMAF_OPTEE_SDP_RANKING	60

/*
 * The region and the allocator: written once, at the first bind, before
 * the allocator is added; read-only afterwards.
 */
static phys_addr_t smaf_optee_sdp_base;
static u64 smaf_optee_sdp_size;
static struct smaf_allocator *smaf_optee_sdp;

/**
 * smaf_optee_sdp_contains() - is a range in the secure data path's region?
 * @addr:	its start
 * @size:	its size
 *
 * Context: any.
 * Return: true if [@addr, @addr + @size) lies in the region.
 */
bool smaf_optee_sdp_contains(phys_addr_t addr, size_t size)
{
	return smaf_optee_sdp_size && addr >= smaf_optee_sdp_base &&
	       addr - smaf_optee_sdp_base + size <= smaf_optee_sdp_size;
}

/**
 * smaf_optee_sdp_match() - can the region give memory for @c?
 * @alloc:	the allocator
 * @c:		merged constraints of the buffer's users
 *
 * SMAF itself offers this memory only to secure buffers the CPU does not
 * use; here, it must fit and every device must reach it.
 *
 * Context: RCU read-side or the buffer's lock; does not sleep.
 * Return: true if it can.
 */
static bool smaf_optee_sdp_match(struct smaf_allocator *alloc,
				 const struct smaf_constraints *c)
{
	return c->size <= smaf_optee_sdp_size && c->align <= PTA_SMAF_SDP_PAGE &&
	       smaf_constraints_reach(c, smaf_optee_sdp_base +
				      smaf_optee_sdp_size - 1);
}

/**
 * smaf_optee_sdp_allocate() - take a range of the region from the secure world
 * @alloc:	the allocator
 * @sgt:	one entry: the range's physical address as its DMA address
 * @c:		constraints, match()ed
 *
 * Context: process context, may sleep; the buffer's lock held.
 * Return: 0; -ENOMEM when the region has no such free range; -ENODEV
 * without a TEE; -EIO.
 */
static int smaf_optee_sdp_allocate(struct smaf_allocator *alloc,
				   struct sg_table *sgt,
				   const struct smaf_constraints *c)
{
	struct tee_param p[4] = { };
	phys_addr_t pa;
	int ret;

	ret = sg_alloc_table(sgt, 1, GFP_KERNEL);
	if (ret)
		return ret;
	smaf_optee_u64(&p[0], c->size);
	smaf_optee_value(&p[1], TEE_IOCTL_PARAM_ATTR_TYPE_VALUE_OUTPUT, 0, 0);
	ret = smaf_optee_call(PTA_SMAF_CMD_SDP_ALLOC, p);
	if (ret) {
		sg_free_table(sgt);
		return ret;
	}
	pa = p[1].u.value.a | p[1].u.value.b << 32;
	sgt->sgl->length = c->size;
	sg_dma_address(sgt->sgl) = pa;
	sg_dma_len(sgt->sgl) = c->size;
	return 0;
}

/**
 * smaf_optee_sdp_free() - give ranges back to the secure world
 * @alloc:	the allocator
 * @sgt:	what allocate() described; freed
 *
 * Context: process context, may sleep.
 */
static void smaf_optee_sdp_free(struct smaf_allocator *alloc,
				struct sg_table *sgt)
{
	struct tee_param p[4] = { };
	struct scatterlist *sg;
	unsigned int i;
	int ret;

	for_each_sgtable_sg(sgt, sg, i) {
		smaf_optee_u64(&p[0], sg_dma_address(sg));
		smaf_optee_u64(&p[1], sg->length);
		p[2].attr = TEE_IOCTL_PARAM_ATTR_TYPE_NONE;
		p[3].attr = TEE_IOCTL_PARAM_ATTR_TYPE_NONE;
		ret = smaf_optee_call(PTA_SMAF_CMD_SDP_FREE, p);
		if (ret)
			pr_err("%u bytes of protected memory not given back: %d\n",
			       sg->length, ret);
	}
	sg_free_table(sgt);
}

static const struct smaf_allocator_ops smaf_optee_sdp_ops = {
	.match = smaf_optee_sdp_match,
	.allocate = smaf_optee_sdp_allocate,
	.free = smaf_optee_sdp_free,
};

/**
 * smaf_optee_sdp_init() - find the region and offer it to SMAF
 *
 * Asks the pseudo-TA where the region is; without one, or when SMAF refuses
 * the allocator, secure buffers keep using SMAF's other allocators.
 *
 * Context: process context, at the first bind (the TEE is there).
 */
void smaf_optee_sdp_init(void)
{
	struct smaf_allocator_info info = {
		.name = "optee-sdp",
		.ranking = SMAF_OPTEE_SDP_RANKING,
		.ops = &smaf_optee_sdp_ops,
		.owner = THIS_MODULE,
		.scarce = true,
		.no_pages = true,
	};
	struct tee_param p[4] = { };
	struct smaf_allocator *alloc;

	smaf_optee_value(&p[0], TEE_IOCTL_PARAM_ATTR_TYPE_VALUE_OUTPUT, 0, 0);
	smaf_optee_value(&p[1], TEE_IOCTL_PARAM_ATTR_TYPE_VALUE_OUTPUT, 0, 0);
	if (smaf_optee_call(PTA_SMAF_CMD_SDP_INFO, p) || !p[1].u.value.a)
		return;
	smaf_optee_sdp_base = p[0].u.value.a | p[0].u.value.b << 32;
	smaf_optee_sdp_size = p[1].u.value.a | p[1].u.value.b << 32;
	info.capacity = smaf_optee_sdp_size;
	alloc = smaf_allocator_add(&info);
	if (IS_ERR(alloc)) {
		pr_err("SMAF refused the protected memory's allocator: %ld\n",
		       PTR_ERR(alloc));
		smaf_optee_sdp_size = 0;
		return;
	}
	smaf_optee_sdp = alloc;
	pr_info("protected memory: %llu KiB at %pa\n", smaf_optee_sdp_size >> 10,
		&smaf_optee_sdp_base);
}

/**
 * smaf_optee_sdp_exit() - withdraw the allocator
 *
 * Context: module exit: no buffer uses it (each pinned the module).
 */
void smaf_optee_sdp_exit(void)
{
	if (smaf_optee_sdp)
		smaf_allocator_remove(smaf_optee_sdp);
}

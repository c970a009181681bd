// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/smaf-optee: the secure world's own work on a secure buffer, for
 * userspace (uAPI and errnos in <linux/smaf-optee.h>): decrypting content
 * into it, and hashing what it holds.  The buffer's memory is shared with
 * OP-TEE a range at a time; the normal world's CPU never reads it.
 */
#define pr_fmt(fmt) "smaf-optee: " fmt

#include <linux/capability.h>
#include <linux/dma-buf.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/minmax.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/smaf/secure.h>
#include <linux/smaf-optee.h>
#include <linux/uaccess.h>

#include "optee.h"
#include "pta/pta_smaf.h"

/* One hash at a time: the pseudo-TA keeps it in the module's session. */
static DEFINE_MUTEX(smaf_optee_hash_lock);

/**
 * struct smaf_optee_work - one request on a buffer's memory
 * @offset:	where it starts in the buffer
 * @length:	its length
 * @piece:	called for each part of [@offset, @offset + @length) in one
 *		range of memory, at most SMAF_OPTEE_SHARE_MAX long, in order
 * @ctx:	the buffer's context, for @piece
 * @last:	the part given to @piece is the last
 * @text:	ciphertext (decrypt)
 * @iv:		initial counter block (decrypt)
 * @digest:	the digest (hash)
 */
struct smaf_optee_work {
	u64 offset;
	u64 length;
	int (*piece)(struct smaf_optee_work *w, phys_addr_t addr, size_t size,
		     u64 pos);
	struct smaf_optee_ctx *ctx;
	bool last;
	const u8 *text;
	const u8 *iv;
	u8 *digest;
};

/*
 * Cuts the request into parts of single ranges; smaf_secure_use_fn.  A
 * fatal signal stops it between parts (-EINTR).
 */
static int smaf_optee_pieces(struct smaf_secure *sec, void *ctx,
			     const struct smaf_secure_range *r, unsigned int n,
			     void *arg)
{
	struct smaf_optee_work *w = arg;
	u64 end = w->offset + w->length, start = 0, pos, len;
	unsigned int i;
	int ret;

	w->ctx = ctx;
	for (i = 0; i < n; start += r[i].size, i++) {
		pos = max(start, w->offset);
		while (pos < min(start + r[i].size, end)) {
			len = min3(start + r[i].size, end, pos + SMAF_OPTEE_SHARE_MAX) - pos;
			if (fatal_signal_pending(current))
				return -EINTR;
			w->last = pos + len == end;
			ret = w->piece(w, r[i].addr + (pos - start), len, pos);
			if (ret)
				return ret;
			pos += len;
		}
	}
	return 0;
}

/* Decrypts the ciphertext for [@pos, @pos + @size) into that memory. */
static int smaf_optee_decrypt_piece(struct smaf_optee_work *w,
				    phys_addr_t addr, size_t size, u64 pos)
{
	struct tee_param p[4] = { };
	struct tee_shm *in, *out;
	u8 *va;
	int ret;

	in = smaf_optee_shm_alloc(16 + size);
	if (IS_ERR(in))
		return PTR_ERR(in);
	va = tee_shm_get_va(in, 0);
	if (IS_ERR(va)) {
		ret = PTR_ERR(va);
		goto free_in;
	}
	memcpy(va, w->iv, 16);
	memcpy(va + 16, w->text + (pos - w->offset), size);
	smaf_optee_value(&p[0], TEE_IOCTL_PARAM_ATTR_TYPE_VALUE_INPUT, w->ctx->id, 0);
	smaf_optee_memref(&p[1], TEE_IOCTL_PARAM_ATTR_TYPE_MEMREF_INPUT, in,
			  16 + size);
	smaf_optee_u64(&p[3], pos);
	if (smaf_optee_sdp_contains(addr, size)) {
		/* Protected memory is named, not shared. */
		smaf_optee_u64(&p[2], addr);
		ret = smaf_optee_call(PTA_SMAF_CMD_DECRYPT, p);
		goto free_in;
	}
	out = smaf_optee_shm_register(addr, size);
	if (IS_ERR(out)) {
		ret = PTR_ERR(out);
		goto free_in;
	}
	smaf_optee_memref(&p[2], TEE_IOCTL_PARAM_ATTR_TYPE_MEMREF_INOUT, out,
			  size);
	ret = smaf_optee_call(PTA_SMAF_CMD_DECRYPT, p);
	tee_shm_free(out);
free_in:
	tee_shm_free(in);
	return ret;
}

/* Adds [@addr, @addr + @size) to the hash; the last part gives the digest. */
static int smaf_optee_hash_piece(struct smaf_optee_work *w, phys_addr_t addr,
				 size_t size, u64 pos)
{
	struct tee_param p[4] = { };
	struct tee_shm *in, *out;
	u32 flags = 0;
	u8 *va;
	int ret;

	if (pos == w->offset)
		flags |= PTA_SMAF_HASH_FIRST;
	if (w->last)
		flags |= PTA_SMAF_HASH_LAST;
	if (smaf_optee_sdp_contains(addr, size)) {
		/* Protected memory is named, not shared. */
		in = NULL;
		smaf_optee_u64(&p[1], addr);
		smaf_optee_u64(&p[3], size);
	} else {
		in = smaf_optee_shm_register(addr, size);
		if (IS_ERR(in))
			return PTR_ERR(in);
		smaf_optee_memref(&p[1], TEE_IOCTL_PARAM_ATTR_TYPE_MEMREF_INPUT, in,
				  size);
	}
	out = smaf_optee_shm_alloc(SMAF_OPTEE_DIGEST_LEN);
	if (IS_ERR(out)) {
		ret = PTR_ERR(out);
		goto free_in;
	}
	smaf_optee_value(&p[0], TEE_IOCTL_PARAM_ATTR_TYPE_VALUE_INPUT, w->ctx->id, flags);
	smaf_optee_memref(&p[2], TEE_IOCTL_PARAM_ATTR_TYPE_MEMREF_OUTPUT, out,
			  SMAF_OPTEE_DIGEST_LEN);
	ret = smaf_optee_call(PTA_SMAF_CMD_HASH, p);
	if (!ret && w->last) {
		va = tee_shm_get_va(out, 0);
		if (IS_ERR(va))
			ret = PTR_ERR(va);
		else
			memcpy(w->digest, va, SMAF_OPTEE_DIGEST_LEN);
	}
	tee_shm_free(out);
free_in:
	if (in)
		tee_shm_free(in);
	return ret;
}

/* Checks @fd and the range, and runs @w on the buffer's memory. */
static int smaf_optee_work(int fd, u32 flags, struct smaf_optee_work *w,
			   bool write)
{
	struct smaf_secure *sec = smaf_optee_secure();
	struct dma_buf *dmabuf;
	int ret;

	if (flags)
		return -EINVAL;
	if (!sec)
		return -ENODEV;
	dmabuf = dma_buf_get(fd);
	if (IS_ERR(dmabuf))
		return PTR_ERR(dmabuf);
	ret = -EINVAL;
	if (!w->length || w->offset > dmabuf->size ||
	    w->length > dmabuf->size - w->offset)
		goto put;
	ret = -EBADF;
	if (write && !(dmabuf->file->f_mode & FMODE_WRITE))
		goto put;
	ret = smaf_secure_use(sec, dmabuf, smaf_optee_pieces, w);
put:
	dma_buf_put(dmabuf);
	return ret;
}

static long smaf_optee_ioctl_decrypt(void __user *uarg)
{
	struct smaf_optee_decrypt d;
	struct smaf_optee_work w = { .piece = smaf_optee_decrypt_piece };
	u8 *text;
	int ret;

	if (copy_from_user(&d, uarg, sizeof(d)))
		return -EFAULT;
	if (!d.length || d.length > SMAF_OPTEE_DECRYPT_MAX || d.offset % 16)
		return -EINVAL;
	/* Copied first: no fault under the buffer's lock. */
	text = kvmalloc(d.length, GFP_KERNEL);
	if (!text)
		return -ENOMEM;
	ret = -EFAULT;
	if (copy_from_user(text, u64_to_user_ptr(d.src), d.length))
		goto free;
	w.offset = d.offset;
	w.length = d.length;
	w.text = text;
	w.iv = d.iv;
	ret = smaf_optee_work(d.fd, d.flags, &w, true);
free:
	kvfree(text);
	return ret;
}

static long smaf_optee_ioctl_hash(void __user *uarg)
{
	struct smaf_optee_hash h;
	struct smaf_optee_work w = { .piece = smaf_optee_hash_piece };
	int ret;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (copy_from_user(&h, uarg, sizeof(h)))
		return -EFAULT;
	w.offset = h.offset;
	w.length = h.length;
	w.digest = h.digest;
	ret = mutex_lock_killable(&smaf_optee_hash_lock);
	if (ret)
		return ret;
	ret = smaf_optee_work(h.fd, h.flags, &w, false);
	mutex_unlock(&smaf_optee_hash_lock);
	if (ret)
		return ret;
	return copy_to_user(uarg, &h, sizeof(h)) ? -EFAULT : 0;
}

/**
 * smaf_optee_ioctl() - the ioctls of /dev/smaf-optee
 * @file:	the open node
 * @cmd:	SMAF_OPTEE_IOC_*
 * @arg:	its argument
 *
 * Context: process context, may sleep; takes the buffer's lock, and for a
 * hash smaf_optee_hash_lock before it.
 * Return: 0, or an errno of <linux/smaf-optee.h>; -ENOTTY for another
 * command.
 */
static long smaf_optee_ioctl(struct file *file, unsigned int cmd,
			     unsigned long arg)
{
	switch (cmd) {
	case SMAF_OPTEE_IOC_DECRYPT:
		return smaf_optee_ioctl_decrypt((void __user *)arg);
	case SMAF_OPTEE_IOC_HASH:
		return smaf_optee_ioctl_hash((void __user *)arg);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations smaf_optee_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = smaf_optee_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

static struct miscdevice smaf_optee_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "smaf-optee",
	.fops = &smaf_optee_fops,
	.mode = 0666,
};

/**
 * smaf_optee_dev_init() - create /dev/smaf-optee
 *
 * Context: module init.
 * Return: 0 or the error of misc_register().
 */
int smaf_optee_dev_init(void)
{
	return misc_register(&smaf_optee_misc);
}

/**
 * smaf_optee_dev_exit() - remove /dev/smaf-optee
 *
 * Context: module exit.
 */
void smaf_optee_dev_exit(void)
{
	misc_deregister(&smaf_optee_misc);
}

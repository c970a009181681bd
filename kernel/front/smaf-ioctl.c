// SPDX-License-Identifier: GPL-2.0
/*
 * SMAF ioctls: validation of every userspace field, then the actual work.
 */
#define pr_fmt(fmt) "smaf: " fmt

#include <linux/build_bug.h>
#include <linux/dma-buf.h>
#include <linux/err.h>
#include <linux/fcntl.h>
#include <linux/fs.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/smaf.h>

#include "smaf-internal.h"

static_assert(sizeof(struct smaf_create_data) == 128);
static_assert(sizeof(struct smaf_secure_flag) == 64);
static_assert(sizeof(struct smaf_info) == 128);
static_assert(sizeof(struct smaf_buffer_query) == 160);
static_assert(sizeof(struct smaf_allocator_query) == 192);

static bool smaf_is_zero(const void *p, size_t len)
{
	return !memchr_inv(p, 0, len);
}

static long smaf_ioctl_create(struct file *file,
			      struct smaf_create_data __user *uarg)
{
	struct smaf_buffer_info info = { };
	struct smaf_allocator *named = NULL;
	struct smaf_create_data data;
	struct dma_buf *dmabuf;
	u64 length;
	int fd;

	if (copy_from_user(&data, uarg, sizeof(data)))
		return -EFAULT;
	if (data.version > 1 || data.reserved1 || data.reserved2 ||
	    data.reserved4 ||
	    !smaf_is_zero(data.reserved3, sizeof(data.reserved3)))
		return -EINVAL;
	/* Version 0 is v10: hints and alignment are still reserved there. */
	if (data.version == 0 && (data.hints || data.alignment))
		return -EINVAL;
	if (data.hints & ~SMAF_HINTS_ALL)
		return -EINVAL;
	if (data.alignment && (!is_power_of_2(data.alignment) ||
			       data.alignment > SMAF_MAX_ALIGNMENT))
		return -EINVAL;
	if (data.flags & ~(O_RDWR | O_CLOEXEC))
		return -EINVAL;
	if (!data.length)
		return -EINVAL;
	if (data.length > (u64)totalram_pages() << PAGE_SHIFT)
		return -EFBIG;
	length = PAGE_ALIGN(data.length);
	if (!memchr(data.name, 0, sizeof(data.name)))
		return -ENAMETOOLONG;
	if (data.name[0]) {
		named = smaf_allocator_get_by_name(data.name);
		if (!named)
			return -ENOENT;
	}

	info.size = length;
	info.named = named;
	info.flags = data.flags & O_ACCMODE;
	info.hints = data.hints;
	info.align = data.alignment > PAGE_SIZE ? data.alignment : 0;
	info.privileged = smaf_file_privileged(file);
	/* smaf_buffer_create() owns @named from here, even on error. */
	dmabuf = smaf_buffer_create(&info);
	if (IS_ERR(dmabuf))
		return PTR_ERR(dmabuf);

	fd = dma_buf_fd(dmabuf, data.flags & O_CLOEXEC);
	if (fd < 0) {
		dma_buf_put(dmabuf);
		return fd;
	}
	/*
	 * The fd is live: another thread may already use or close it, so
	 * it must not be closed here.  If the copy fails the caller still
	 * owns an fd it does not know, which is what every fd-returning
	 * ioctl does.
	 */
	if (put_user(fd, &uarg->fd))
		return -EFAULT;
	return 0;
}

static long smaf_ioctl_secure(struct smaf_secure_flag __user *uarg, bool set)
{
	struct smaf_secure_flag data;
	struct smaf_buffer *buf;
	long ret = 0;

	if (copy_from_user(&data, uarg, sizeof(data)))
		return -EFAULT;
	if (data.version != 0 || data.reserved1 ||
	    !smaf_is_zero(data.reserved2, sizeof(data.reserved2)))
		return -EINVAL;
	if (set && data.secure > 1)
		return -EINVAL;

	buf = smaf_buffer_from_fd(data.fd);
	if (IS_ERR(buf))
		return PTR_ERR(buf);

	/* Changing the buffer's protection needs a buffer opened for writing. */
	if (set && !(buf->dmabuf->file->f_mode & FMODE_WRITE)) {
		ret = -EBADF;
		goto put;
	}
	ret = mutex_lock_killable(&buf->lock);
	if (ret)
		goto put;
	if (!set)
		data.secure = smaf_secure_on(buf);
	else if (data.secure)
		ret = smaf_secure_set(buf);
	else if (smaf_secure_on(buf))
		ret = -EPERM;	/* one-way: never cleared */
	mutex_unlock(&buf->lock);
put:
	dma_buf_put(buf->dmabuf);

	if (!ret && !set && put_user(data.secure, &uarg->secure))
		ret = -EFAULT;
	return ret;
}

static long smaf_ioctl_info(struct smaf_info __user *uarg)
{
	struct smaf_info data;
	long ret;

	if (copy_from_user(&data, uarg, sizeof(data)))
		return -EFAULT;
	if (data.version > 1 || data.reserved1 || data.reserved2 ||
	    (data.version == 0 && data.ranking) ||
	    !smaf_is_zero(data.reserved3, sizeof(data.reserved3)))
		return -EINVAL;

	ret = smaf_allocator_describe(data.index, data.name, &data.ranking,
				      &data.count);
	if (data.version == 0)
		data.ranking = 0;
	if (ret)
		memset(data.name, 0, sizeof(data.name));
	if (copy_to_user(uarg, &data, sizeof(data)))
		return -EFAULT;
	return ret;
}

static long smaf_ioctl_query(struct smaf_buffer_query __user *uarg)
{
	struct smaf_buffer_query q, out = { };
	struct smaf_buffer *buf;
	long ret;

	if (copy_from_user(&q, uarg, sizeof(q)))
		return -EFAULT;
	if (q.version != 0 || q.reserved1 || q.reserved2 ||
	    !smaf_is_zero(q.reserved3, sizeof(q.reserved3)))
		return -EINVAL;
	buf = smaf_buffer_from_fd(q.fd);
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	/* Every out field is the kernel's: nothing of the caller's is left. */
	out.fd = q.fd;
	ret = smaf_buffer_query(buf, &out);
	dma_buf_put(buf->dmabuf);
	if (!ret && copy_to_user(uarg, &out, sizeof(out)))
		ret = -EFAULT;
	return ret;
}

/* A walk of the registry for QUERY_ALLOCATOR. */
struct smaf_query_walk {
	struct smaf_allocator_query *q;
	kuid_t uid;
	unsigned int i;
};

/* Describes @alloc if it is the one at the index asked for. */
static int smaf_ioctl_describe(struct smaf_allocator *alloc, void *arg)
{
	struct smaf_query_walk *w = arg;

	if (w->i++ == w->q->index) {
		smaf_allocator_usage(alloc, w->q);
		smaf_limits_describe(alloc, w->uid, w->q);
	}
	return 0;
}

static long smaf_ioctl_query_allocator(struct smaf_allocator_query __user *uarg)
{
	struct smaf_allocator_query q, out = { };
	struct smaf_query_walk w = { .q = &out };

	if (copy_from_user(&q, uarg, sizeof(q)))
		return -EFAULT;
	if (q.version != 0 || !smaf_is_zero(q.reserved, sizeof(q.reserved)))
		return -EINVAL;
	out.index = q.index;
	/* The caller's user, as its limits count it. */
	w.uid = smaf_limits_principal();
	smaf_allocator_for_each(smaf_ioctl_describe, &w);
	out.count = w.i;
	if (copy_to_user(uarg, &out, sizeof(out)))
		return -EFAULT;
	return out.index < out.count ? 0 : -ERANGE;
}

/**
 * smaf_ioctl() - /dev/smaf ioctl entry point
 * @file: the open /dev/smaf
 * @cmd: SMAF_IOC_*
 * @arg: user pointer to the command's structure
 *
 * Context: process context.
 * Return: 0 or a negative errno, as documented in <linux/smaf.h>.
 */
long smaf_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case SMAF_IOC_CREATE:
		return smaf_ioctl_create(file, uarg);
	case SMAF_IOC_GET_SECURE_FLAG:
		return smaf_ioctl_secure(uarg, false);
	case SMAF_IOC_SET_SECURE_FLAG:
		return smaf_ioctl_secure(uarg, true);
	case SMAF_IOC_GET_INFO:
		return smaf_ioctl_info(uarg);
	case SMAF_IOC_QUERY_BUFFER:
		return smaf_ioctl_query(uarg);
	case SMAF_IOC_QUERY_ALLOCATOR:
		return smaf_ioctl_query_allocator(uarg);
	default:
		return -ENOTTY;
	}
}

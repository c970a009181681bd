// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libsmaf: the handle API over the SMAF ioctls, and the SMAF v10 API on top
 * of one process-wide handle.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/smaf.h>

#include "libsmaf.h"

#define SMAF_API __attribute__((visibility("default")))

struct smaf_device {
	int fd;
};

struct smaf_allocator_info {
	char name[SMAF_NAME_LEN];
	int ranking;
};

SMAF_API struct smaf_device *smaf_device_open(const char *path)
{
	struct smaf_device *dev;

	dev = calloc(1, sizeof(*dev));
	if (!dev)
		return NULL;
	dev->fd = open(path ? path : SMAF_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	if (dev->fd < 0) {
		int err = errno;

		free(dev);
		errno = err;
		return NULL;
	}
	return dev;
}

SMAF_API void smaf_device_close(struct smaf_device *dev)
{
	if (!dev)
		return;
	close(dev->fd);
	free(dev);
}

SMAF_API int smaf_device_get_fd(struct smaf_device *dev)
{
	return dev->fd;
}

SMAF_API int smaf_device_create_buffer(struct smaf_device *dev,
				       uint64_t length, const char *allocator,
				       unsigned int flags)
{
	struct smaf_create_data data;

	memset(&data, 0, sizeof(data));
	data.length = length;
	data.flags = flags;
	if (allocator) {
		if (strlen(allocator) >= sizeof(data.name)) {
			errno = ENAMETOOLONG;
			return -1;
		}
		strcpy((char *)data.name, allocator);
	}
	if (ioctl(dev->fd, SMAF_IOC_CREATE, &data))
		return -1;
	return data.fd;
}

static int smaf_info_query(int fd, unsigned int index, struct smaf_info *info)
{
	memset(info, 0, sizeof(*info));
	info->version = 1;
	info->index = index;
	return ioctl(fd, SMAF_IOC_GET_INFO, info);
}

SMAF_API int smaf_device_get_num_allocators(struct smaf_device *dev)
{
	struct smaf_info info;

	if (smaf_info_query(dev->fd, 0, &info) && errno != ERANGE)
		return -1;
	return (int)info.count;
}

SMAF_API struct smaf_allocator_info *
smaf_device_get_allocator_info(struct smaf_device *dev, unsigned int index)
{
	struct smaf_allocator_info *ai;
	struct smaf_info info;

	if (smaf_info_query(dev->fd, index, &info))
		return NULL;
	ai = calloc(1, sizeof(*ai));
	if (!ai)
		return NULL;
	memcpy(ai->name, info.name, sizeof(ai->name));
	ai->name[sizeof(ai->name) - 1] = '\0';
	ai->ranking = info.ranking;
	return ai;
}

SMAF_API void smaf_allocator_info_free(struct smaf_allocator_info *info)
{
	free(info);
}

SMAF_API const char *
smaf_allocator_info_get_name(const struct smaf_allocator_info *info)
{
	return info->name;
}

SMAF_API int
smaf_allocator_info_get_ranking(const struct smaf_allocator_info *info)
{
	return info->ranking;
}

static int smaf_secure_ioctl(int devfd, unsigned long cmd, int fd, int *secure)
{
	struct smaf_secure_flag flag;

	memset(&flag, 0, sizeof(flag));
	flag.fd = fd;
	flag.secure = (unsigned int)*secure;
	if (ioctl(devfd, cmd, &flag))
		return -1;
	*secure = (int)flag.secure;
	return 0;
}

SMAF_API int smaf_buffer_set_secure(struct smaf_device *dev, int fd, int secure)
{
	if (secure != 0 && secure != 1) {
		errno = EINVAL;
		return -1;
	}
	return smaf_secure_ioctl(dev->fd, SMAF_IOC_SET_SECURE_FLAG, fd, &secure);
}

SMAF_API int smaf_buffer_get_secure(struct smaf_device *dev, int fd)
{
	int secure = 0;

	if (smaf_secure_ioctl(dev->fd, SMAF_IOC_GET_SECURE_FLAG, fd, &secure))
		return -1;
	return secure;
}

/* ---- SMAF v10 API: one shared handle, reference counted ------------- */

/* Protects smaf_v10_dev and smaf_v10_users. */
static pthread_mutex_t smaf_v10_lock = PTHREAD_MUTEX_INITIALIZER;
static struct smaf_device *smaf_v10_dev;
static unsigned int smaf_v10_users;

/*
 * The v10 calls run under smaf_v10_lock so that a concurrent smaf_close()
 * cannot free the handle under them.  Without smaf_open() they fail with
 * EBADF, as SMAF v10 did.
 */
static struct smaf_device *smaf_v10_lock_dev(void)
{
	pthread_mutex_lock(&smaf_v10_lock);
	if (!smaf_v10_dev) {
		pthread_mutex_unlock(&smaf_v10_lock);
		errno = EBADF;
	}
	return smaf_v10_dev;
}

static void smaf_v10_unlock_dev(void)
{
	pthread_mutex_unlock(&smaf_v10_lock);
}

SMAF_API int smaf_open(void)
{
	int ret = 0;

	pthread_mutex_lock(&smaf_v10_lock);
	if (!smaf_v10_users) {
		smaf_v10_dev = smaf_device_open(NULL);
		if (!smaf_v10_dev)
			ret = -1;
	}
	if (!ret)
		smaf_v10_users++;
	pthread_mutex_unlock(&smaf_v10_lock);
	return ret;
}

SMAF_API void smaf_close(void)
{
	pthread_mutex_lock(&smaf_v10_lock);
	if (smaf_v10_users && !--smaf_v10_users) {
		smaf_device_close(smaf_v10_dev);
		smaf_v10_dev = NULL;
	}
	pthread_mutex_unlock(&smaf_v10_lock);
}

SMAF_API int smaf_create_buffer(unsigned int length, unsigned int flags,
				char *name, int *fd)
{
	struct smaf_device *dev = smaf_v10_lock_dev();

	*fd = -1;
	if (!dev)
		return -1;
	*fd = smaf_device_create_buffer(dev, length, name, flags);
	smaf_v10_unlock_dev();
	return *fd < 0 ? -1 : 0;
}

SMAF_API int smaf_set_secure(int fd, int secure)
{
	struct smaf_device *dev = smaf_v10_lock_dev();
	int ret;

	if (!dev)
		return -1;
	ret = smaf_buffer_set_secure(dev, fd, secure);
	smaf_v10_unlock_dev();
	return ret;
}

SMAF_API int smaf_get_secure(int fd)
{
	struct smaf_device *dev = smaf_v10_lock_dev();
	int ret;

	if (!dev)
		return -1;
	ret = smaf_buffer_get_secure(dev, fd);
	smaf_v10_unlock_dev();
	return ret;
}

SMAF_API int smaf_allocator_count(void)
{
	struct smaf_device *dev = smaf_v10_lock_dev();
	int ret;

	if (!dev)
		return -1;
	ret = smaf_device_get_num_allocators(dev);
	smaf_v10_unlock_dev();
	return ret;
}

SMAF_API char *smaf_get_allocator_name(int index)
{
	struct smaf_allocator_info *info;
	struct smaf_device *dev;
	char *name = NULL;

	if (index < 0) {
		errno = ERANGE;
		return NULL;
	}
	dev = smaf_v10_lock_dev();
	if (!dev)
		return NULL;
	info = smaf_device_get_allocator_info(dev, (unsigned int)index);
	smaf_v10_unlock_dev();
	if (info)
		name = strdup(info->name);
	smaf_allocator_info_free(info);
	return name;
}

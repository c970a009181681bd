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

struct smaf_allocator_usage {
	struct smaf_allocator_query q;
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

struct smaf_buffer_config {
	uint64_t length;
	unsigned int flags;
	char allocator[SMAF_NAME_LEN];
	uint32_t hints;
	uint64_t alignment;
};

SMAF_API struct smaf_buffer_config *smaf_buffer_config_new(void)
{
	struct smaf_buffer_config *config = calloc(1, sizeof(*config));

	if (config)
		config->flags = O_RDWR | O_CLOEXEC;
	return config;
}

SMAF_API void smaf_buffer_config_free(struct smaf_buffer_config *config)
{
	free(config);
}

SMAF_API void smaf_buffer_config_set_length(struct smaf_buffer_config *config,
					    uint64_t length)
{
	config->length = length;
}

SMAF_API uint64_t smaf_buffer_config_get_length(const struct smaf_buffer_config *config)
{
	return config->length;
}

SMAF_API int smaf_buffer_config_set_flags(struct smaf_buffer_config *config,
					  unsigned int flags)
{
	if (flags & ~(unsigned int)(O_RDWR | O_CLOEXEC)) {
		errno = EINVAL;
		return -1;
	}
	config->flags = flags;
	return 0;
}

SMAF_API unsigned int smaf_buffer_config_get_flags(const struct smaf_buffer_config *config)
{
	return config->flags;
}

SMAF_API int smaf_buffer_config_set_allocator(struct smaf_buffer_config *config,
					      const char *name)
{
	if (name && strlen(name) >= sizeof(config->allocator)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memset(config->allocator, 0, sizeof(config->allocator));
	if (name)
		strcpy(config->allocator, name);
	return 0;
}

SMAF_API const char *smaf_buffer_config_get_allocator(const struct smaf_buffer_config *config)
{
	return config->allocator[0] ? config->allocator : NULL;
}

SMAF_API int smaf_buffer_config_set_hints(struct smaf_buffer_config *config,
					  uint32_t hints)
{
	if (hints & ~SMAF_HINTS_ALL) {
		errno = EINVAL;
		return -1;
	}
	config->hints = hints;
	return 0;
}

SMAF_API uint32_t smaf_buffer_config_get_hints(const struct smaf_buffer_config *config)
{
	return config->hints;
}

SMAF_API int smaf_buffer_config_set_alignment(struct smaf_buffer_config *config,
					      uint64_t alignment)
{
	if ((alignment & (alignment - 1)) || alignment > SMAF_MAX_ALIGNMENT) {
		errno = EINVAL;
		return -1;
	}
	config->alignment = alignment;
	return 0;
}

SMAF_API uint64_t smaf_buffer_config_get_alignment(const struct smaf_buffer_config *config)
{
	return config->alignment;
}

SMAF_API int smaf_device_create_buffer_from_config(struct smaf_device *dev,
						   const struct smaf_buffer_config *config)
{
	struct smaf_create_data data;

	memset(&data, 0, sizeof(data));
	/* Version 0 when it says all, for SMAF v10 kernels. */
	data.version = config->hints || config->alignment ? 1 : 0;
	data.length = config->length;
	data.flags = config->flags;
	memcpy(data.name, config->allocator, sizeof(data.name));
	data.hints = config->hints;
	data.alignment = config->alignment;
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

struct smaf_buffer_info {
	struct smaf_buffer_query q;
};

SMAF_API struct smaf_buffer_info *smaf_buffer_get_info(struct smaf_device *dev,
						      int fd)
{
	struct smaf_buffer_info *info = calloc(1, sizeof(*info));

	if (!info)
		return NULL;
	info->q.fd = fd;
	if (ioctl(dev->fd, SMAF_IOC_QUERY_BUFFER, &info->q)) {
		int err = errno;

		free(info);
		errno = err;
		return NULL;
	}
	info->q.allocator[sizeof(info->q.allocator) - 1] = '\0';
	return info;
}

SMAF_API void smaf_buffer_info_free(struct smaf_buffer_info *info)
{
	free(info);
}

SMAF_API uint64_t smaf_buffer_info_get_length(const struct smaf_buffer_info *info)
{
	return info->q.length;
}

SMAF_API unsigned int smaf_buffer_info_get_state(const struct smaf_buffer_info *info)
{
	return info->q.state;
}

SMAF_API const char *smaf_buffer_info_get_allocator(const struct smaf_buffer_info *info)
{
	return (const char *)info->q.allocator;
}

SMAF_API int smaf_buffer_info_get_reason(const struct smaf_buffer_info *info)
{
	return info->q.reason;
}

SMAF_API unsigned int smaf_buffer_info_get_chunks(const struct smaf_buffer_info *info)
{
	return info->q.chunks;
}

SMAF_API int smaf_buffer_info_get_last_error(const struct smaf_buffer_info *info)
{
	return info->q.last_error;
}

SMAF_API unsigned int smaf_buffer_info_get_migrations(const struct smaf_buffer_info *info)
{
	return info->q.migrations;
}

SMAF_API unsigned int smaf_buffer_info_get_refusals(const struct smaf_buffer_info *info)
{
	return info->q.refusals;
}

SMAF_API unsigned int smaf_buffer_info_get_devices(const struct smaf_buffer_info *info)
{
	return info->q.devices;
}

SMAF_API struct smaf_allocator_usage *
smaf_device_get_allocator_usage(struct smaf_device *dev, unsigned int index)
{
	struct smaf_allocator_usage *u = calloc(1, sizeof(*u));

	if (!u)
		return NULL;
	u->q.index = index;
	if (ioctl(dev->fd, SMAF_IOC_QUERY_ALLOCATOR, &u->q)) {
		int err = errno;

		free(u);
		errno = err;
		return NULL;
	}
	u->q.name[sizeof(u->q.name) - 1] = '\0';
	return u;
}

SMAF_API void smaf_allocator_usage_free(struct smaf_allocator_usage *usage)
{
	free(usage);
}

SMAF_API const char *smaf_allocator_usage_get_name(const struct smaf_allocator_usage *usage)
{
	return (const char *)usage->q.name;
}

SMAF_API int smaf_allocator_usage_get_ranking(const struct smaf_allocator_usage *usage)
{
	return usage->q.ranking;
}

SMAF_API unsigned int smaf_allocator_usage_get_buffers(const struct smaf_allocator_usage *usage)
{
	return usage->q.buffers;
}

SMAF_API uint64_t smaf_allocator_usage_get_bytes(const struct smaf_allocator_usage *usage)
{
	return usage->q.bytes;
}

SMAF_API uint64_t smaf_allocator_usage_get_user_bytes(const struct smaf_allocator_usage *usage)
{
	return usage->q.user_bytes;
}

SMAF_API uint64_t smaf_allocator_usage_get_user_max(const struct smaf_allocator_usage *usage)
{
	return usage->q.user_max;
}

SMAF_API uint64_t smaf_allocator_usage_get_global_max(const struct smaf_allocator_usage *usage)
{
	return usage->q.global_max;
}

SMAF_API uint64_t smaf_allocator_usage_get_reserve(const struct smaf_allocator_usage *usage)
{
	return usage->q.reserve;
}

SMAF_API uint64_t smaf_allocator_usage_get_allocations(const struct smaf_allocator_usage *usage)
{
	return usage->q.allocations;
}

SMAF_API uint64_t smaf_allocator_usage_get_failures(const struct smaf_allocator_usage *usage)
{
	return usage->q.failures;
}

SMAF_API uint64_t smaf_allocator_usage_get_refusals(const struct smaf_allocator_usage *usage)
{
	return usage->q.refusals;
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

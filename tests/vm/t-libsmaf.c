// SPDX-License-Identifier: GPL-2.0
/*
 * libsmaf's buffer config: its defaults, each setter's refusal (the config
 * unchanged), and buffers created from it getting what it says (length,
 * flags, named allocator, contiguous hint, alignment), checked with the
 * buffer query.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <linux/smaf.h>

#include "libsmaf.h"
#include "smaf-test.h"

static void check_defaults_and_refusals(struct smaf_buffer_config *c)
{
	char big[SMAF_NAME_LEN + 1];

	tap_ok(smaf_buffer_config_get_length(c) == 0 &&
	       smaf_buffer_config_get_flags(c) == (O_RDWR | O_CLOEXEC) &&
	       !smaf_buffer_config_get_allocator(c) &&
	       !smaf_buffer_config_get_hints(c) && !smaf_buffer_config_get_alignment(c),
	       "defaults: length 0, O_RDWR | O_CLOEXEC, SMAF chooses, no hint, page aligned");
	errno = 0;
	tap_ok(smaf_buffer_config_set_flags(c, O_RDWR | O_NONBLOCK) == -1 && errno == EINVAL &&
	       smaf_buffer_config_get_flags(c) == (O_RDWR | O_CLOEXEC),
	       "flags O_NONBLOCK: EINVAL, unchanged");
	errno = 0;
	tap_ok(smaf_buffer_config_set_hints(c, 1U << 7) == -1 && errno == EINVAL &&
	       !smaf_buffer_config_get_hints(c), "unknown hint: EINVAL, unchanged");
	errno = 0;
	tap_ok(smaf_buffer_config_set_alignment(c, 3 << 12) == -1 && errno == EINVAL &&
	       smaf_buffer_config_set_alignment(c, SMAF_MAX_ALIGNMENT << 1) == -1 &&
	       !smaf_buffer_config_get_alignment(c),
	       "alignment not a power of two, or too large: EINVAL, unchanged");
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	errno = 0;
	tap_ok(smaf_buffer_config_set_allocator(c, big) == -1 && errno == ENAMETOOLONG &&
	       !smaf_buffer_config_get_allocator(c), "64-byte name: ENAMETOOLONG, unchanged");
}

/* Creates from @c, uses, queries; the buffer's state or 0. */
static unsigned int create_use_query(struct smaf_device *dev,
				     struct smaf_buffer_config *c, char *alloc,
				     size_t len, uint64_t *length)
{
	struct smaf_buffer_info *info;
	unsigned int state = 0;
	int fd;

	fd = smaf_device_create_buffer_from_config(dev, c);
	if (fd < 0)
		return 0;
	if (smaf_first_use(fd) == 0 && (info = smaf_buffer_get_info(dev, fd))) {
		state = smaf_buffer_info_get_state(info);
		snprintf(alloc, len, "%s", smaf_buffer_info_get_allocator(info));
		*length = smaf_buffer_info_get_length(info);
		smaf_buffer_info_free(info);
	}
	close(fd);
	return state;
}

int main(void)
{
	struct smaf_device *dev = smaf_device_open(NULL);
	struct smaf_buffer_config *c = smaf_buffer_config_new();
	char alloc[SMAF_NAME_LEN];
	uint64_t length = 0;
	unsigned int state;
	int fd;

	if (!dev || !c)
		tap_bail("cannot open /dev/smaf or make a config: %s", strerror(errno));
	check_defaults_and_refusals(c);

	errno = 0;
	tap_ok(smaf_device_create_buffer_from_config(dev, c) == -1 && errno == EINVAL,
	       "length 0: the kernel's EINVAL");

	smaf_buffer_config_set_length(c, 5000);
	state = create_use_query(dev, c, alloc, sizeof(alloc), &length);
	tap_ok((state & SMAF_STATE_ALLOCATED) && (state & SMAF_STATE_WRITABLE) &&
	       length == 8192, "5000 bytes: two pages, writable (%#x, %llu)", state,
	       (unsigned long long)length);

	tap_ok(!smaf_buffer_config_set_allocator(c, "dma32") &&
	       !strcmp(smaf_buffer_config_get_allocator(c), "dma32"), "allocator 'dma32' set");
	state = create_use_query(dev, c, alloc, sizeof(alloc), &length);
	tap_ok((state & SMAF_STATE_ALLOCATED) && !strcmp(alloc, "dma32"),
	       "the buffer is dma32's ('%s')", alloc);
	tap_ok(!smaf_buffer_config_set_allocator(c, NULL) && !smaf_buffer_config_get_allocator(c),
	       "allocator cleared");

	smaf_buffer_config_set_length(c, 1 << 20);
	tap_ok(!smaf_buffer_config_set_hints(c, SMAF_HINT_CONTIGUOUS) &&
	       !smaf_buffer_config_set_alignment(c, 1 << 20), "contiguous, 1 MiB aligned");
	state = create_use_query(dev, c, alloc, sizeof(alloc), &length);
	tap_ok((state & SMAF_STATE_ALLOCATED) && (state & SMAF_STATE_CONTIGUOUS),
	       "the buffer is contiguous (%#x, '%s')", state, alloc);

	tap_ok(!smaf_buffer_config_set_flags(c, O_CLOEXEC), "flags O_CLOEXEC only");
	fd = smaf_device_create_buffer_from_config(dev, c);
	tap_ok(fd >= 0 && (fcntl(fd, F_GETFD) & FD_CLOEXEC) &&
	       (fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDONLY, "a read-only, close-on-exec fd");
	if (fd >= 0)
		close(fd);

	smaf_buffer_config_free(c);
	smaf_device_close(dev);
	return tap_done();
}

// SPDX-License-Identifier: GPL-2.0
/*
 * SMAF debugfs view: <debugfs>/smaf/buffers and <debugfs>/smaf/allocators,
 * read-only, one "key=value ..." line per object.
 */
#define pr_fmt(fmt) "smaf: " fmt

#include <linux/debugfs.h>
#include <linux/seq_file.h>

#include "smaf-internal.h"

static struct dentry *smaf_debugfs_root;

static int smaf_buffers_show(struct seq_file *s, void *unused)
{
	smaf_buffer_show_all(s);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(smaf_buffers);

static int smaf_allocators_show(struct seq_file *s, void *unused)
{
	smaf_allocator_show_all(s);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(smaf_allocators);

/**
 * smaf_debugfs_init() - create the debugfs view
 *
 * Failures are ignored, as debugfs is only a view.
 *
 * Context: module init.
 */
void smaf_debugfs_init(void)
{
	smaf_debugfs_root = debugfs_create_dir("smaf", NULL);
	debugfs_create_file("buffers", 0444, smaf_debugfs_root, NULL,
			    &smaf_buffers_fops);
	debugfs_create_file("allocators", 0444, smaf_debugfs_root, NULL,
			    &smaf_allocators_fops);
}

/**
 * smaf_debugfs_exit() - remove the debugfs view
 *
 * Context: module exit.
 */
void smaf_debugfs_exit(void)
{
	debugfs_remove_recursive(smaf_debugfs_root);
}

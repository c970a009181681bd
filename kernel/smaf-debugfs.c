// SPDX-License-Identifier: GPL-2.0
/*
 * SMAF debugfs view, read-only, one "key=value ..." line per object:
 * <debugfs>/smaf/buffers, <debugfs>/smaf/allocators, <debugfs>/smaf/secure
 * (the secure module, its live contexts and the quarantine),
 * <debugfs>/smaf/users (per-user usage), <debugfs>/smaf/pool (the
 * pre-zeroed pool) and <debugfs>/smaf/migrate (moves and refusals).
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

static int smaf_secure_view_show(struct seq_file *s, void *unused)
{
	smaf_secure_show(s);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(smaf_secure_view);

static int smaf_users_show(struct seq_file *s, void *unused)
{
	smaf_limits_show_users(s);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(smaf_users);

static int smaf_pool_view_show(struct seq_file *s, void *unused)
{
	smaf_pool_show(s);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(smaf_pool_view);

static int smaf_migrate_view_show(struct seq_file *s, void *unused)
{
	smaf_migrate_show(s);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(smaf_migrate_view);

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
	debugfs_create_file("secure", 0444, smaf_debugfs_root, NULL,
			    &smaf_secure_view_fops);
	debugfs_create_file("users", 0444, smaf_debugfs_root, NULL,
			    &smaf_users_fops);
	debugfs_create_file("pool", 0444, smaf_debugfs_root, NULL,
			    &smaf_pool_view_fops);
	debugfs_create_file("migrate", 0444, smaf_debugfs_root, NULL,
			    &smaf_migrate_view_fops);
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

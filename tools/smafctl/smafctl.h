/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * smafctl's files, one per command (list.c, alloc.c, status.c, policy.c:
 * policy and heaps) and the helpers they share (smafctl.c, with main()).
 */
#ifndef SMAFCTL_H
#define SMAFCTL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "libsmaf.h"

#define DEBUGFS_DIR "/sys/kernel/debug/smaf"
#define POLICY_PATH "/sys/module/smaf/parameters/policy"
#define HEAPS_PATH "/sys/module/smaf/parameters/heaps"

/* The node -d names; SMAF_DEVICE_PATH unless given. */
extern const char *device_path;

void die_open(void);
struct smaf_device *open_device(void);
int parse_size(const char *s, uint64_t *out);
int field(const char *line, const char *key, char *val, size_t len);
FILE *open_debugfs(const char *name);
int json_help_opts(int argc, char **argv, const char *usage, int *json);

/* The commands and their --help texts. */
extern const char usage_list[], usage_alloc[], usage_status[], usage_policy[], usage_heaps[];
int cmd_list(int argc, char **argv);
int cmd_alloc(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_policy(int argc, char **argv);
int cmd_heaps(int argc, char **argv);

#endif /* SMAFCTL_H */

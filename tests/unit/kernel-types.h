/* SPDX-License-Identifier: GPL-2.0 */
/* The kernel's fixed-size types, for building module logic in userspace. */
#ifndef SMAF_UNIT_KERNEL_TYPES_H
#define SMAF_UNIT_KERNEL_TYPES_H
#include <stdbool.h>
#include <stdint.h>
#include <errno.h>
#include <string.h>
typedef uint64_t u64;
typedef uint32_t u32;
#endif

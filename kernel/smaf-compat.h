/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What differs between the kernels SMAF builds for (Debian's 6.1 to 7.3),
 * one helper per difference; the shrinker API's difference only, which
 * only the pool uses, is kept beside it (allocators/pool.c).  Each choice follows a feature test of
 * smaf-compat.mk (the SMAF_HAVE_* macros), never a version number.
 */
#ifndef _SMAF_COMPAT_H
#define _SMAF_COMPAT_H

#include <linux/dma-buf.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/stringify.h>
#include <linux/workqueue.h>

/* SMAF_IMPORT_NS(DMA_BUF): the namespace is a string literal since 6.13. */
#ifdef SMAF_HAVE_NS_STRING
#define SMAF_IMPORT_NS(ns)	MODULE_IMPORT_NS(__stringify(ns))
#else
#define SMAF_IMPORT_NS(ns)	MODULE_IMPORT_NS(ns)
#endif

/* An importer's map and unmap, taking the reservation lock themselves. */
#ifdef SMAF_HAVE_UNLOCKED_MAP
#define smaf_import_map(a, d)	dma_buf_map_attachment_unlocked(a, d)
#define smaf_import_unmap(a, s, d)	dma_buf_unmap_attachment_unlocked(a, s, d)
#else
#define smaf_import_map(a, d)	dma_buf_map_attachment(a, d)
#define smaf_import_unmap(a, s, d)	dma_buf_unmap_attachment(a, s, d)
#endif

/**
 * smaf_vma_flags() - the VM_* flags of a VMA
 * @vma: the VMA
 *
 * 7.3 keeps the flags in a vma_flags_t bitmap and vm_flags is a temporary
 * alias of its first word.
 *
 * Context: the VMA's mmap lock held.
 * Return: the flags as a vm_flags_t.
 */
static inline vm_flags_t smaf_vma_flags(const struct vm_area_struct *vma)
{
#ifdef SMAF_HAVE_VMA_FLAGS_T
	return vma_flags_to_legacy(vma->flags);
#else
	return vma->vm_flags;
#endif
}

/**
 * smaf_vma_mod_flags() - set and clear VM_* flags of a VMA
 * @vma: the VMA
 * @set: the flags to set
 * @clear: the flags to clear
 *
 * Context: the VMA's mmap lock held for writing (an mmap handler).
 */
static inline void smaf_vma_mod_flags(struct vm_area_struct *vma,
				      vm_flags_t set, vm_flags_t clear)
{
#ifdef SMAF_HAVE_VM_FLAGS_SET
	vm_flags_mod(vma, set, clear);
#else
	vma->vm_flags = (vma->vm_flags | set) & ~clear;
#endif
}

/**
 * smaf_vma_is_cow() - whether a VMA is a private, copy-on-write mapping
 * @vma: the VMA
 *
 * Context: the VMA's mmap lock held.
 * Return: true for a private mapping that may be written.
 */
static inline bool smaf_vma_is_cow(const struct vm_area_struct *vma)
{
#ifdef SMAF_HAVE_VMA_IS_COW_MAPPING
	return vma_is_cow_mapping(vma);
#else
	return is_cow_mapping(vma->vm_flags);
#endif
}

/**
 * smaf_alloc_contig_range() - claim [start, end) for an ordinary allocation
 * @start: first pfn
 * @end: pfn past the last
 * @gfp: how hard to try migrating pages out of the way
 *
 * Never takes CMA pageblocks.  Since 6.16 the third argument is a set of
 * flags, where MIGRATE_MOVABLE (1) would read as ACR_FLAGS_CMA: allocate
 * as CMA does, CMA pageblocks included.
 *
 * Context: process context, may sleep.
 * Return: 0, or -EBUSY, -ENOMEM or -EINTR.
 */
static inline int smaf_alloc_contig_range(unsigned long start,
					  unsigned long end, gfp_t gfp)
{
#ifdef SMAF_HAVE_ACR_FLAGS
	return alloc_contig_range(start, end, ACR_FLAGS_NONE, gfp);
#else
	return alloc_contig_range(start, end, MIGRATE_MOVABLE, gfp);
#endif
}

#ifndef SMAF_HAVE_VFS_PATH_LOOKUP_DECL
struct dentry;
struct path;
struct vfsmount;
/* Exported, but declared in <linux/namei.h> only after 6.1. */
int vfs_path_lookup(struct dentry *dentry, struct vfsmount *mnt,
		    const char *name, unsigned int flags, struct path *path);
#endif

#endif /* _SMAF_COMPAT_H */

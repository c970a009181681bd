# SPDX-License-Identifier: GPL-2.0
# Feature tests against the target kernel's headers, never version numbers:
# each defines the SMAF_HAVE_* macro that smaf-compat.h (or one driver)
# reads.  Included by the Kbuild of smaf.ko and of every test driver.

# $(call smaf_has,REGEX,HEADER,MACRO): -DMACRO when include/linux/HEADER
# matches REGEX (grep -E).
smaf_has = $(if $(shell grep -s -q -E -e '$(1)' $(srctree)/include/linux/$(2) && echo y),-D$(3))

# 6.3: vm_flags_set()/vm_flags_mod(); vm_flags is no longer written directly.
ccflags-y += $(call smaf_has,\<vm_flags_set\>,mm.h,SMAF_HAVE_VM_FLAGS_SET)
# 7.3: VMA flags are a vma_flags_t bitmap; vm_flags is a temporary alias.
ccflags-y += $(call smaf_has,\<vma_flags_to_legacy\>,mm.h,SMAF_HAVE_VMA_FLAGS_T)
# 7.3: is_cow_mapping(flags) became vma_is_cow_mapping(vma).
ccflags-y += $(call smaf_has,\<vma_is_cow_mapping\>,mm.h,SMAF_HAVE_VMA_IS_COW_MAPPING)
# 6.13: a symbol namespace is a string literal.
ccflags-y += $(call smaf_has,MODULE_INFO\(import_ns$(comma) ns\),module.h,SMAF_HAVE_NS_STRING)
# 6.7: shrinker_alloc()/shrinker_register(); register_shrinker() is gone.
ccflags-y += $(call smaf_has,\<shrinker_alloc\>,shrinker.h,SMAF_HAVE_SHRINKER_ALLOC)
# 6.2: dma_buf_map_attachment_unlocked() for importers (smaf-edu).
ccflags-y += $(call smaf_has,\<dma_buf_map_attachment_unlocked\>,dma-buf.h,SMAF_HAVE_UNLOCKED_MAP)
# 6.16: alloc_contig_range() takes acr_flags_t instead of a migratetype.
ccflags-y += $(call smaf_has,\<ACR_FLAGS_NONE\>,gfp.h,SMAF_HAVE_ACR_FLAGS)
# 6.12: follow_pfnmap_start() replaces follow_pte() (smaf-ptprobe).
ccflags-y += $(call smaf_has,\<follow_pfnmap_start\>,mm.h,SMAF_HAVE_FOLLOW_PFNMAP)
# After 6.1: vfs_path_lookup() is declared in namei.h (6.1 exports it but
# declares it only in fs/internal.h).
ccflags-y += $(call smaf_has,\<vfs_path_lookup\>,namei.h,SMAF_HAVE_VFS_PATH_LOOKUP_DECL)

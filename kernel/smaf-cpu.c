// SPDX-License-Identifier: GPL-2.0
/*
 * SMAF CPU access: mmap (allocating on the first page fault), vmap and the
 * begin/end_cpu_access cache maintenance.
 */
#define pr_fmt(fmt) "smaf: " fmt

#include <linux/dma-buf.h>
#include <linux/dma-mapping.h>
#include <linux/iosys-map.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "smaf-internal.h"

/* Pages mapped around a faulting address, within one chunk. */
#define SMAF_FAULT_AROUND 16

static void smaf_vma_mod_flags(struct vm_area_struct *vma, unsigned long set,
			       unsigned long clear)
{
#ifdef SMAF_HAVE_VM_FLAGS_SET
	vm_flags_mod(vma, set, clear);
#else
	vma->vm_flags = (vma->vm_flags | set) & ~clear;
#endif
}

/**
 * smaf_vm_fault() - back a CPU mapping, allocating the buffer if needed
 * @vmf: the fault
 *
 * Maps the faulting page and up to SMAF_FAULT_AROUND following pages of the
 * same physically contiguous chunk.
 *
 * Context: process context, mmap_lock held for read; takes the buffer lock.
 * Return: VM_FAULT_NOPAGE, or VM_FAULT_SIGBUS if the buffer cannot be
 * allocated (the reason is in the buffer's debugfs line).
 */
static vm_fault_t smaf_vm_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct smaf_buffer *buf = vma->vm_private_data;
	unsigned long pgoff = vmf->pgoff, addr = vmf->address;
	unsigned long first, npages, i;
	struct scatterlist *sg;
	vm_fault_t ret = VM_FAULT_SIGBUS;
	unsigned int n;

	mutex_lock(&buf->lock);
	/*
	 * Any failure is SIGBUS, ENOMEM included: VM_FAULT_OOM would only
	 * make the kernel retry the fault, forever if the limit that refused
	 * it stays.
	 */
	if (smaf_buffer_populate(buf, true))
		goto unlock;

	first = 0;
	for_each_sgtable_sg(&buf->sgt, sg, n) {
		npages = sg->length >> PAGE_SHIFT;
		if (pgoff < first + npages)
			break;
		first += npages;
	}
	if (!sg)
		goto unlock;

	npages = min3(first + npages - pgoff, (unsigned long)SMAF_FAULT_AROUND,
		      (vma->vm_end - addr) >> PAGE_SHIFT);
	for (i = 0; i < npages; i++) {
		ret = vmf_insert_pfn(vma, addr + (i << PAGE_SHIFT),
				     page_to_pfn(sg_page(sg)) + pgoff - first + i);
		/* Only the faulting page must succeed; the rest is a bonus. */
		if (ret != VM_FAULT_NOPAGE)
			break;
	}
	if (i)
		ret = VM_FAULT_NOPAGE;
unlock:
	mutex_unlock(&buf->lock);
	return ret;
}

/**
 * smaf_vm_open() - a mapping was split or duplicated
 * @vma: the new mapping
 *
 * Context: process context, mmap_lock held; takes the buffer lock.
 */
static void smaf_vm_open(struct vm_area_struct *vma)
{
	struct smaf_buffer *buf = vma->vm_private_data;

	mutex_lock(&buf->lock);
	buf->vmas++;
	/* Covered by the grant the original mapping holds: cannot fail. */
	WARN_ON(smaf_secure_cpu_get(buf, vma->vm_flags & VM_WRITE));
	mutex_unlock(&buf->lock);
}

/**
 * smaf_vm_close() - a mapping goes away
 * @vma: the mapping
 *
 * Context: process context, mmap_lock held; takes the buffer lock.
 */
static void smaf_vm_close(struct vm_area_struct *vma)
{
	struct smaf_buffer *buf = vma->vm_private_data;

	mutex_lock(&buf->lock);
	buf->vmas--;
	smaf_secure_cpu_put(buf);
	mutex_unlock(&buf->lock);
}

static const struct vm_operations_struct smaf_vm_ops = {
	.open = smaf_vm_open,
	.close = smaf_vm_close,
	.fault = smaf_vm_fault,
};

/**
 * smaf_cpu_mmap() - set up a CPU mapping of the buffer
 * @dmabuf: the SMAF dma-buf
 * @vma: the new mapping; the dma-buf core checked its range
 *
 * Nothing is allocated here: the first access faults and allocates.  A
 * secure buffer is different: the CPU must be granted access to its memory
 * now, so it is allocated now; its mappings are not inherited over fork
 * (the child maps the fd itself, and is asked for), and a read-only mapping
 * cannot be made writable with mprotect().
 *
 * Context: process context, mmap_lock held for write; takes the buffer lock.
 * Return: 0, the allocation error, or -EACCES if the secure module refuses
 * the CPU.
 */
int smaf_cpu_mmap(struct dma_buf *dmabuf, struct vm_area_struct *vma)
{
	struct smaf_buffer *buf = dmabuf->priv;
	bool write = vma->vm_flags & VM_WRITE;
	int ret = 0;

	mutex_lock(&buf->lock);
	if (buf->secure) {
		ret = smaf_buffer_populate(buf, true);
		if (!ret)
			ret = smaf_secure_cpu_get(buf, write);
		if (ret)
			goto unlock;
		smaf_vma_mod_flags(vma, VM_DONTCOPY, write ? 0 : VM_MAYWRITE);
	}
	buf->vmas++;
	smaf_vma_mod_flags(vma, VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP, 0);
	vma->vm_ops = &smaf_vm_ops;
	vma->vm_private_data = buf;
unlock:
	mutex_unlock(&buf->lock);
	return ret;
}

/**
 * smaf_cpu_vmap() - map the whole buffer into the kernel
 * @dmabuf: the SMAF dma-buf
 * @map: out, the kernel address
 *
 * The dma-buf core counts vmaps; this runs for the first one only.
 *
 * A kernel mapping is CPU access: for a secure buffer the CPU must be
 * granted read and write access.
 *
 * Context: process context; reservation lock held on kernels with dynamic
 * dma-buf locking.  Takes the buffer lock.
 * Return: 0, -ENOMEM, the allocation error of a first use, or -EACCES if
 * the secure module refuses the CPU.
 */
int smaf_cpu_vmap(struct dma_buf *dmabuf, struct iosys_map *map)
{
	struct smaf_buffer *buf = dmabuf->priv;
	unsigned long npages = buf->size >> PAGE_SHIFT;
	struct sg_page_iter piter;
	struct page **pages;
	unsigned long i = 0;
	void *vaddr;
	int ret;

	mutex_lock(&buf->lock);
	ret = smaf_buffer_populate(buf, true);
	if (!ret)
		ret = smaf_secure_cpu_get(buf, true);
	if (ret)
		goto unlock;

	pages = kvmalloc_array(npages, sizeof(*pages), GFP_KERNEL | __GFP_NOWARN);
	if (!pages) {
		ret = -ENOMEM;
		goto put_cpu;
	}
	for_each_sgtable_page(&buf->sgt, &piter, 0)
		pages[i++] = sg_page_iter_page(&piter);

	vaddr = vmap(pages, npages, VM_MAP, PAGE_KERNEL);
	kvfree(pages);
	if (!vaddr) {
		ret = -ENOMEM;
		goto put_cpu;
	}
	iosys_map_set_vaddr(map, vaddr);
	mutex_unlock(&buf->lock);
	return 0;

put_cpu:
	smaf_secure_cpu_put(buf);
unlock:
	mutex_unlock(&buf->lock);
	return ret;
}

/**
 * smaf_cpu_vunmap() - undo smaf_cpu_vmap()
 * @dmabuf: the SMAF dma-buf
 * @map: the kernel address
 *
 * Context: process context; takes the buffer lock.
 */
void smaf_cpu_vunmap(struct dma_buf *dmabuf, struct iosys_map *map)
{
	struct smaf_buffer *buf = dmabuf->priv;

	vunmap(map->vaddr);
	iosys_map_clear(map);
	mutex_lock(&buf->lock);
	smaf_secure_cpu_put(buf);
	mutex_unlock(&buf->lock);
}

/**
 * smaf_cpu_begin_access() - make device writes visible to the CPU
 * @dmabuf: the SMAF dma-buf
 * @dir: direction of the CPU access
 *
 * A first use allocates the buffer.  For a secure buffer the CPU must be
 * granted access until the matching end_cpu_access.  Every mapped attachment
 * is synced.
 *
 * Context: process context; takes the buffer lock.
 * Return: 0, the allocation error, or -EACCES if the secure module refuses
 * the CPU.
 */
int smaf_cpu_begin_access(struct dma_buf *dmabuf, enum dma_data_direction dir)
{
	struct smaf_buffer *buf = dmabuf->priv;
	struct smaf_attachment *a;
	int ret;

	mutex_lock(&buf->lock);
	ret = smaf_buffer_populate(buf, true);
	if (ret)
		goto unlock;
	/* DMA_FROM_DEVICE: the CPU only reads what devices wrote. */
	ret = smaf_secure_cpu_get(buf, dir != DMA_FROM_DEVICE);
	if (ret)
		goto unlock;
	if (buf->secure)
		buf->syncs++;
	list_for_each_entry(a, &buf->attachments, node)
		if (a->mapped)
			dma_sync_sgtable_for_cpu(a->dev, &a->sgt, dir);
unlock:
	mutex_unlock(&buf->lock);
	return ret;
}

/**
 * smaf_cpu_end_access() - make CPU writes visible to the devices
 * @dmabuf: the SMAF dma-buf
 * @dir: direction of the CPU access
 *
 * Context: process context; takes the buffer lock.
 * Return: 0.
 */
int smaf_cpu_end_access(struct dma_buf *dmabuf, enum dma_data_direction dir)
{
	struct smaf_buffer *buf = dmabuf->priv;
	struct smaf_attachment *a;

	mutex_lock(&buf->lock);
	list_for_each_entry(a, &buf->attachments, node)
		if (a->mapped)
			dma_sync_sgtable_for_device(a->dev, &a->sgt, dir);
	/* An end without a begin (userspace can do that) revokes nothing. */
	if (buf->syncs) {
		buf->syncs--;
		smaf_secure_cpu_put(buf);
	}
	mutex_unlock(&buf->lock);
	return 0;
}

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
#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "smaf-compat.h"
#include "smaf-internal.h"

/*
 * Pages mapped from a faulting address on, within one chunk: 1 MiB, the
 * pool's block, so that a program writing a frame takes one fault per
 * block, not one per 16 pages (the mainline heaps map every page at mmap).
 */
#define SMAF_FAULT_AROUND 256

/**
 * struct smaf_cpu_map - one mmap() of a buffer, shared by the VMAs it is
 * split or moved into
 * @buf:	the buffer
 * @vmas:	VMAs using this mapping (protected by @buf->lock)
 * @write:	the mapping may be written
 * @granted:	it holds a CPU grant of the secure module (secure buffers)
 */
struct smaf_cpu_map {
	struct smaf_buffer *buf;
	unsigned int vmas;
	bool write;
	bool granted;
};

/*
 * The chunk of @buf's memory that holds page @pgoff, and in @first the
 * offset of its first page; NULL past the end.  Searches from the chunk of
 * the last fault when @pgoff is not below it: sequential faults over a
 * buffer of many chunks do not rescan the table.  @buf->lock held.
 */
static struct scatterlist *smaf_cpu_find_chunk(struct smaf_buffer *buf,
					       unsigned long pgoff,
					       unsigned long *first)
{
	struct scatterlist *sg = buf->sgt.sgl;
	unsigned long start = 0, npages;

	if (buf->fault_sg && pgoff >= buf->fault_first) {
		sg = buf->fault_sg;
		start = buf->fault_first;
	}
	for (; sg; sg = sg_next(sg)) {
		npages = sg->length >> PAGE_SHIFT;
		if (pgoff < start + npages) {
			buf->fault_sg = sg;
			buf->fault_first = start;
			*first = start;
			return sg;
		}
		start += npages;
	}
	return NULL;
}

/**
 * smaf_vm_fault() - back a CPU mapping
 * @vmf: the fault
 *
 * Maps up to SMAF_FAULT_AROUND pages, the faulting one first, of the same
 * physically contiguous chunk and within the mapping, with the memory type
 * the buffer's memory has now (it may have moved since the mmap).  Never
 * allocates: the mmap did, so that whoever maps a buffer it was handed
 * learns of a refusal from mmap(), not from a SIGBUS.
 *
 * Context: process context, mmap_lock held for read; takes the buffer lock
 * (killable).
 * Return: VM_FAULT_NOPAGE, or VM_FAULT_SIGBUS if a fatal signal interrupted
 * the wait for the lock (a kernel access then fails instead of faulting
 * again forever; the task dies of its signal).
 */
static vm_fault_t smaf_vm_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct smaf_cpu_map *map = vma->vm_private_data;
	struct smaf_buffer *buf = map->buf;
	unsigned long pgoff = vmf->pgoff, addr = vmf->address;
	unsigned long first, npages, i;
	vm_fault_t ret = VM_FAULT_SIGBUS;
	struct scatterlist *sg;
	pgprot_t prot;

	if (mutex_lock_killable(&buf->lock))
		return VM_FAULT_SIGBUS;
	/* Allocated at mmap; the memory may move, never go. */
	if (WARN_ON_ONCE(!buf->allocator))
		goto unlock;

	sg = smaf_cpu_find_chunk(buf, pgoff, &first);
	if (!sg)
		goto unlock;

	npages = min3(first + (sg->length >> PAGE_SHIFT) - pgoff,
		      (unsigned long)SMAF_FAULT_AROUND,
		      (vma->vm_end - addr) >> PAGE_SHIFT);
	/*
	 * From the VMA's flags, not vm_page_prot: the memory type is the
	 * memory's of now (allocated by this fault, or moved since the mmap
	 * from or to memory the CPU must not cache).
	 */
	prot = smaf_uncached_prot(buf, vm_get_page_prot(smaf_vma_flags(vma)));
	for (i = 0; i < npages; i++) {
		ret = vmf_insert_pfn_prot(vma, addr + (i << PAGE_SHIFT),
					  page_to_pfn(sg_page(sg)) + pgoff - first + i,
					  prot);
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
 * smaf_vm_open() - a mapping was split, moved (mremap) or copied (fork)
 * @vma: the new VMA
 *
 * A split or a move stays in the process that was granted the mapping, and
 * shares its grant.  A copy to a child cannot happen for a secure buffer:
 * its VMAs are VM_DONTCOPY, and VM_IO makes madvise(MADV_DOFORK) fail.
 *
 * Context: process context, mmap_lock held; takes the buffer lock.
 */
static void smaf_vm_open(struct vm_area_struct *vma)
{
	struct smaf_cpu_map *map = vma->vm_private_data;

	mutex_lock(&map->buf->lock);
	map->vmas++;
	mutex_unlock(&map->buf->lock);
}

/**
 * smaf_vm_close() - a VMA goes away
 * @vma: the VMA
 *
 * The last VMA of a mapping gives its CPU grant back.
 *
 * Context: process context, mmap_lock held; takes the buffer lock.
 */
static void smaf_vm_close(struct vm_area_struct *vma)
{
	struct smaf_cpu_map *map = vma->vm_private_data;
	struct smaf_buffer *buf = map->buf;

	mutex_lock(&buf->lock);
	if (--map->vmas) {
		mutex_unlock(&buf->lock);
		return;
	}
	if (map->granted)
		smaf_secure_cpu_revoke(buf, map->write);
	buf->vmas--;
	mutex_unlock(&buf->lock);
	kfree(map);
}

static const struct vm_operations_struct smaf_vm_ops = {
	.open = smaf_vm_open,
	.close = smaf_vm_close,
	.fault = smaf_vm_fault,
};

/*
 * The CPU's first use allocates; memory without struct pages, which the
 * CPU cannot reach, is -EACCES.  @buf->lock held.
 */
static int smaf_cpu_populate(struct smaf_buffer *buf)
{
	int ret = smaf_memory_populate(buf, true);

	return !ret && buf->allocator->no_pages ? -EACCES : ret;
}

/**
 * smaf_cpu_mmap() - set up a CPU mapping of the buffer
 * @dmabuf: the SMAF dma-buf
 * @vma: the new mapping; the dma-buf core checked its range
 *
 * Only shared mappings: a private (copy-on-write) mapping of memory SMAF
 * inserts by PFN cannot work.  A mapping is a first use: the buffer is
 * allocated now, so that its faults never fail.  The access mode is the
 * dma-buf file's, whichever file is mapped: an importer that maps the
 * buffer through its own node (dma_buf_mmap()) gets no write access to a
 * buffer that is not open for writing, now or by mprotect().  A secure
 * buffer's mapping also asks the secure module for the CPU, in the context
 * of the mapping process; its mappings are not inherited over fork.
 *
 * Context: process context, mmap_lock held for write; takes the buffer lock.
 * Return: 0, -EINVAL for a private mapping, -EACCES for a writable mapping
 * of a buffer not open for writing, -ENOMEM, -EINTR, the allocation error,
 * or the secure module's refusal (-EACCES).
 */
int smaf_cpu_mmap(struct dma_buf *dmabuf, struct vm_area_struct *vma)
{
	bool writable = !!(dmabuf->file->f_mode & FMODE_WRITE);
	struct smaf_buffer *buf = dmabuf->priv;
	struct smaf_cpu_map *map;
	int ret;

	if (smaf_vma_is_cow(vma))
		return -EINVAL;
	if (!writable && (smaf_vma_flags(vma) & VM_WRITE))
		return -EACCES;
	map = kzalloc(sizeof(*map), GFP_KERNEL);
	if (!map)
		return -ENOMEM;
	map->buf = buf;
	map->vmas = 1;
	map->write = smaf_vma_flags(vma) & VM_WRITE;

	ret = mutex_lock_killable(&buf->lock);
	if (ret)
		goto free_map;
	ret = smaf_cpu_populate(buf);
	if (ret)
		goto unlock;
	if (smaf_secure_on(buf)) {
		ret = smaf_secure_cpu_grant(buf, map->write);
		if (ret)
			goto unlock;
		map->granted = true;
		/* VM_IO: madvise(MADV_DOFORK) cannot undo VM_DONTCOPY. */
		smaf_vma_mod_flags(vma, VM_DONTCOPY | VM_IO,
				   map->write ? 0 : VM_MAYWRITE);
	}
	if (!writable)
		smaf_vma_mod_flags(vma, 0, VM_MAYWRITE);
	buf->vmas++;
	smaf_vma_mod_flags(vma, VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP, 0);
	vma->vm_page_prot = smaf_uncached_prot(buf, vma->vm_page_prot);
	vma->vm_ops = &smaf_vm_ops;
	vma->vm_private_data = map;
	mutex_unlock(&buf->lock);
	return 0;

unlock:
	mutex_unlock(&buf->lock);
free_map:
	kfree(map);
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
 * granted access until the vunmap, read-write if the dma-buf file is open
 * for writing, else read-only (as a SYNC through that file would be).
 *
 * Context: process context; reservation lock held on kernels with dynamic
 * dma-buf locking.  Takes the buffer lock (killable).
 * Return: 0, -ENOMEM, -EINTR, the allocation error of a first use, or the
 * secure module's refusal (-EACCES).
 */
int smaf_cpu_vmap(struct dma_buf *dmabuf, struct iosys_map *map)
{
	struct smaf_buffer *buf = dmabuf->priv;
	unsigned long npages = buf->size >> PAGE_SHIFT;
	struct sg_page_iter piter;
	struct page **pages;
	unsigned long i = 0;
	void *vaddr;
	bool write;
	int ret;

	ret = mutex_lock_killable(&buf->lock);
	if (ret)
		return ret;
	write = !!(dmabuf->file->f_mode & FMODE_WRITE);
	ret = smaf_cpu_populate(buf);
	if (!ret)
		ret = smaf_secure_vmap_grant(buf, write);
	if (ret)
		goto unlock;

	pages = kvmalloc_array(npages, sizeof(*pages), GFP_KERNEL | __GFP_NOWARN);
	if (!pages) {
		ret = -ENOMEM;
		goto put_cpu;
	}
	for_each_sgtable_page(&buf->sgt, &piter, 0)
		pages[i++] = sg_page_iter_page(&piter);

	vaddr = vmap(pages, npages, VM_MAP, smaf_uncached_prot(buf, PAGE_KERNEL));
	kvfree(pages);
	if (!vaddr) {
		ret = -ENOMEM;
		goto put_cpu;
	}
	iosys_map_set_vaddr(map, vaddr);
	buf->vmapped = true;
	mutex_unlock(&buf->lock);
	return 0;

put_cpu:
	smaf_secure_vmap_revoke(buf);
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
	smaf_secure_vmap_revoke(buf);
	buf->vmapped = false;
	mutex_unlock(&buf->lock);
}

/**
 * smaf_cpu_begin_access() - make device writes visible to the CPU
 * @dmabuf: the SMAF dma-buf
 * @dir: direction of the CPU access (DMA_FROM_DEVICE: the CPU only reads)
 *
 * A first use allocates the buffer.  For a secure buffer the calling
 * process must be granted access, until its end_cpu_access (or its exit);
 * a write access needs a file open for writing.  Every mapped attachment
 * is synced in its own mapping's direction, except for an uncached buffer,
 * which the CPU never caches.
 *
 * Context: process context; takes the buffer lock (killable).
 * Return: 0, -EINTR, -ENOMEM, the allocation error; for a secure buffer
 * -EBADF (a write access through a read-only file), -EUSERS
 * (SMAF_SECURE_SYNCS_MAX other processes hold an access), or the secure
 * module's refusal (-EACCES).
 */
int smaf_cpu_begin_access(struct dma_buf *dmabuf, enum dma_data_direction dir)
{
	struct smaf_buffer *buf = dmabuf->priv;
	struct smaf_attachment *a;
	int ret;

	ret = mutex_lock_killable(&buf->lock);
	if (ret)
		return ret;
	ret = smaf_cpu_populate(buf);
	if (ret)
		goto unlock;
	ret = smaf_secure_access_begin(buf, dir != DMA_FROM_DEVICE);
	if (ret || smaf_uncached(buf))
		goto unlock;
	list_for_each_entry(a, &buf->attachments, node)
		if (a->mapped)
			dma_sync_sgtable_for_cpu(a->dev, &a->sgt, a->dir);
unlock:
	mutex_unlock(&buf->lock);
	return ret;
}

/**
 * smaf_cpu_end_access() - make CPU writes visible to the devices
 * @dmabuf: the SMAF dma-buf
 * @dir: direction of the CPU access
 *
 * Ends the calling process's grant on a secure buffer; an end without a
 * begin, or from another process, ends nothing.
 *
 * Context: process context; takes the buffer lock.
 * Return: 0.
 */
int smaf_cpu_end_access(struct dma_buf *dmabuf, enum dma_data_direction dir)
{
	struct smaf_buffer *buf = dmabuf->priv;
	struct smaf_attachment *a;

	mutex_lock(&buf->lock);
	if (smaf_uncached(buf))
		wmb();	/* drain the write-combining buffers */
	else
		list_for_each_entry(a, &buf->attachments, node)
			if (a->mapped && !a->pageless)
				dma_sync_sgtable_for_device(a->dev, &a->sgt, a->dir);
	smaf_secure_access_end(buf);
	mutex_unlock(&buf->lock);
	return 0;
}

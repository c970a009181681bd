/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SMAF core internals shared by the files of smaf.ko.
 */
#ifndef _SMAF_INTERNAL_H
#define _SMAF_INTERNAL_H

#include <linux/dma-buf.h>
#include <linux/dma-direction.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/scatterlist.h>
#include <linux/smaf.h>

#include "memory/smaf-allocator.h"

struct smaf_allocator_query;
struct smaf_buffer_query;
#include "memory/smaf-constraints.h"

/**
 * DOC: Locking
 *
 * Each lock is described where its data lives; this is the whole order,
 * outermost first.  A lock may be taken while holding any lock above it,
 * never the other way round.
 *
 *  1. mmap_lock of the mm (held by the mm around mmap(), a fault, munmap();
 *     SMAF never takes it).
 *  2. The dma-buf's reservation lock (held by the dma-buf core around
 *     map_dma_buf/unmap_dma_buf for importers that need it, and, from 6.2,
 *     around mmap and vmap; SMAF never takes it).
 *  3. smaf_buffers_lock (smaf-buffer.c): the list of live buffers; the
 *     debugfs view only try-locks buffers under it.
 *  4. A buffer's @lock (struct smaf_buffer).  Under it:
 *     a. i_mmap_rwsem of the dma-buf's file (@cpu_mapping), through
 *        unmap_mapping_range() when a buffer moves (smaf-migrate.c);
 *     b. smaf_policy_lock (smaf-device.c), around reading the policy;
 *     c. smaf_allocators_lock (smaf-allocator.c), the registry, then
 *        smaf_limits_lock (smaf-limits.c);
 *     d. smaf_secure_lock (smaf-secure.c), then smaf_heap_lock
 *        (smaf-heap.c), then the misc device core's lock.
 *  5. The pool's spinlock (allocators/pool.c), innermost.
 *
 * The limits lock is also taken alone (creation, release) and after the
 * registry lock (the limits parameter, the users view); the secure lock
 * alone when a secure module registers or leaves.
 */

/**
 * struct smaf_buffer_secure - a buffer's secure state, kept by the secure
 * code (secure/) alone; others ask smaf_secure_on()
 * @on:		the secure flag (one-way: never cleared)
 * @mod:	secure module holding @ctx (a reference on its owner)
 * @ctx:	the secure module's context for this buffer
 * @syncs:	per-process CPU accesses begun and not yet ended (struct
 *		smaf_secure_sync), each holding its own CPU grant
 * @nr_syncs:	entries in @syncs
 * @vmap_write:	a vmap holds a CPU read-write grant
 * @cpu_grants:	CPU uses holding a grant: read-only [0], read-write [1] (a
 *		migration asks the same for the new memory)
 *
 * Protected by the buffer's lock, as the rest of it.
 */
struct smaf_buffer_secure {
	bool on;
	struct smaf_secure *mod;
	void *ctx;
	struct list_head syncs;
	unsigned int nr_syncs;
	bool vmap_write;
	unsigned int cpu_grants[2];
};

/**
 * struct smaf_buffer - one SMAF dma-buf
 * @dmabuf:	the exported dma-buf (its file keeps this alive)
 * @size:	size in bytes, a multiple of PAGE_SIZE
 * @lock:	protects the fields from @attachments to @refused but those
 *		set before the buffer is published and never changed (@named,
 *		the hints, @align, @uncached, @user, @memcg, @privileged);
 *		@ino and @cpu_mapping are set at export, @node is
 *		smaf_buffers_lock's.  Taken inside the dma-buf's reservation
 *		lock and mmap_lock when those are held; never held while
 *		taking either.
 * @attachments: the &struct smaf_attachment of attached devices
 * @named:	allocator named at create time (holds a ref on its owner), or
 *		NULL to choose on first use
 * @allocator:	allocator that backs @sgt once allocated, else NULL
 * @reserved:	before the first use, the allocator on which the creator's
 *		limits hold @size for it (a reference), or NULL
 * @sgt:	the backing memory, valid when @allocator is set
 * @hint_contig: userspace asked for contiguous memory (create v1)
 * @hint_dma32:	userspace asked for memory below 4 GiB (create v1)
 * @align:	userspace asked for this physical alignment, 0 for none
 * @uncached:	CPU mappings are write-combined (a heap alias asked for it;
 *		set before the buffer is published)
 * @used:	merged constraints the memory was allocated for
 * @layout:	where the memory is, valid when @allocator is set
 * @reason:	how @allocator was chosen: SMAF_REASON_* of the uAPI
 * @user:	the user who created the buffer, charged for it
 * @memcg:	memory cgroup of the creator (a reference), charged for the
 *		allocators that charge memory cgroups, whoever uses it first
 * @privileged:	the creator's /dev/smaf was opened with CAP_IPC_LOCK
 * @sec:	the secure state, the secure code's own (secure/)
 * @pageless_ok: memory without struct pages may back the buffer (set when
 *		it is made secure, for a module that zeroes memory itself)
 * @accept:	called by the memory layer on memory just allocated for the
 *		buffer, before it is used: non-zero refuses it (the next
 *		allocator is tried); NULL accepts all.  Set when it is made
 *		secure
 * @fault_sg:	the chunk of @sgt the last CPU fault hit, NULL for none: the
 *		next fault's search starts there (reset when @sgt changes)
 * @fault_first: the page offset of @fault_sg's first page in the buffer
 * @vmapped:	a kernel mapping (vmap) of the memory exists: it pins it
 * @vmas:	CPU mappings of the buffer (mmap calls, whatever their splits)
 * @last_error:	errno of the last failed allocation attempt, 0 if none
 * @migrations:	times the buffer moved for a late device
 * @refusals:	times such a move was refused
 * @refused:	why the last move was refused ("device_mapped:0000:00:04.0"),
 *		empty if it was not or a later one succeeded
 * @ino:	inode number of the dma-buf file, cached at export (the file
 *		may be gone while the buffer is still listed)
 * @cpu_mapping: the address space of the buffer's CPU mappings (the
 *		dma-buf file's): a move drops their page table entries
 * @node:	entry in the list of live buffers (smaf_buffers_lock)
 */
struct smaf_buffer {
	struct dma_buf *dmabuf;
	size_t size;
	struct mutex lock; /* see @lock above */
	struct list_head attachments;
	struct smaf_allocator *named;
	struct smaf_allocator *allocator;
	struct smaf_allocator *reserved;
	struct sg_table sgt;
	bool hint_contig;
	bool hint_dma32;
	u64 align;
	bool uncached;
	struct smaf_constraints used;
	struct smaf_layout layout;
	u32 reason;
	struct smaf_user *user;
	struct mem_cgroup *memcg;
	bool privileged;
	struct smaf_buffer_secure sec;
	bool pageless_ok;
	int (*accept)(struct smaf_buffer *buf, struct sg_table *sgt);
	struct scatterlist *fault_sg;
	unsigned long fault_first;
	bool vmapped;
	unsigned int vmas;
	int last_error;
	unsigned int migrations;
	unsigned int refusals;
	char refused[48];
	unsigned long ino;
	struct address_space *cpu_mapping;
	struct list_head node;
};

/**
 * struct smaf_attachment - one device attached to a buffer
 * @dev:	the importing device
 * @need:	what @dev needs, taken when it attached
 * @sgt:	copy of the buffer's table, DMA-mapped for @dev while @mapped
 * @dma_only:	what the importer gets when the memory is not in the direct
 *		map: @sgt's DMA segments, without pages (empty otherwise)
 * @dir:	direction of the current mapping
 * @attrs:	DMA attributes of the current mapping
 * @mapped:	@sgt is DMA-mapped for @dev
 * @pageless:	@sgt maps memory without struct pages: DMA addresses only,
 *		each chunk mapped with dma_map_resource()
 * @uncached:	the buffer is uncached (smaf_uncached()): the mapping
 *		skips CPU cache syncs
 * @node:	entry in &smaf_buffer.attachments
 */
struct smaf_attachment {
	struct device *dev;
	struct smaf_dev_constraints need;
	struct sg_table sgt;
	struct sg_table dma_only;
	enum dma_data_direction dir;
	unsigned long attrs;
	bool mapped;
	bool pageless;
	bool uncached;
	struct list_head node;
};

/**
 * struct smaf_params - smaf.ko's module parameters (smaf-params.c)
 * @heaps:	heap aliases, read at load time (smaf-heap-alias.h)
 * @carveout:	the carveout region, SIZE@BASE, read at load time
 * @pool_mib:	size of the pre-zeroed pool, read at load time
 * @max_buffers: live buffers per unprivileged user (runtime, READ_ONCE())
 * @migrate:	buffers may move for a late device (runtime, READ_ONCE())
 * @quarantine_max: bytes of live secure buffers and quarantined memory
 *		together beyond which no buffer is made secure (runtime,
 *		READ_ONCE())
 *
 * The list parameters "policy" and "limits" are kept by smaf-device.c and
 * smaf-limits.c, which parse them.
 */
struct smaf_params {
	char *heaps;
	char *carveout;
	int pool_mib;
	unsigned int max_buffers;
	bool migrate;
	unsigned long long quarantine_max;
};

extern struct smaf_params smaf_params;
void smaf_params_init(void);

/* smaf-heap.c: the DMA-BUF heap nodes */
int smaf_heap_init(void);
void smaf_heap_exit(void);
void smaf_heap_enable(void);
int smaf_heap_arg_sizes(unsigned int cmd, unsigned int *in, unsigned int *out);

/* smaf-uncached.c: write-combined buffers */
bool smaf_uncached(const struct smaf_buffer *buf);
pgprot_t smaf_uncached_prot(const struct smaf_buffer *buf, pgprot_t prot);
int smaf_uncached_prepare(struct smaf_buffer *buf);
int smaf_uncached_flush(struct smaf_buffer *buf);
void smaf_uncached_release(struct sg_table *sgt);

/* smaf-allocator.c: the registry */
struct smaf_allocator *smaf_allocator_get_by_name(const char *name);
struct smaf_allocator *smaf_allocator_next(struct smaf_allocator *prev,
					   const struct smaf_constraints *c);
bool smaf_allocator_get(struct smaf_allocator *alloc);
void smaf_allocator_put(struct smaf_allocator *alloc);
int smaf_allocator_describe(unsigned int index, char *name, int *ranking,
			    unsigned int *count);
int smaf_allocator_for_each(int (*fn)(struct smaf_allocator *alloc, void *arg),
			    void *arg);
void smaf_allocator_usage(const struct smaf_allocator *alloc,
			  struct smaf_allocator_query *q);
void smaf_allocator_show_all(struct seq_file *s);

/* smaf-limits.c: per-user and global limits */
struct smaf_user;
kuid_t smaf_limits_principal(void);
int smaf_limits_create(struct smaf_buffer *buf, bool privileged);
void smaf_limits_destroy(struct smaf_buffer *buf);
int smaf_limits_charge(struct smaf_buffer *buf, struct smaf_allocator *alloc,
		       bool count);
void smaf_limits_count_refusal(struct smaf_buffer *buf, struct smaf_allocator *alloc);
void smaf_limits_uncharge(struct smaf_buffer *buf, struct smaf_allocator *alloc);
void smaf_limits_uncharge_user(struct smaf_user *u, struct smaf_allocator *alloc,
			       size_t size);
int smaf_limits_init(void);
int smaf_limits_set(const char *text);
int smaf_limits_show(char *buf, unsigned int len);
void smaf_limits_exit(void);
void smaf_limits_describe(const struct smaf_allocator *alloc, kuid_t uid,
			  struct smaf_allocator_query *q);
u64 smaf_limits_charged(const struct smaf_allocator *alloc);
u64 smaf_limits_user_charged(const struct smaf_buffer *buf,
			     const struct smaf_allocator *alloc);
int smaf_limits_costly_begin(struct smaf_buffer *buf);
void smaf_limits_costly_end(struct smaf_buffer *buf, int result);
void smaf_limits_show_users(struct seq_file *s);

/* smaf-buffer.c: the exporter (dma-buf ops, device access, release) */
extern const struct dma_buf_ops smaf_dma_buf_ops;

/**
 * struct smaf_buffer_info - what a new buffer is, set before it is published
 * @size:	bytes, a non-zero multiple of PAGE_SIZE
 * @named:	allocator to use (a reference, passed to the buffer), or NULL
 * @flags:	O_RDWR and/or O_CLOEXEC for the dma-buf file
 * @hints:	SMAF_HINT_* from userspace
 * @align:	physical alignment asked by userspace, 0 for none
 * @privileged:	the creator's node was opened with CAP_IPC_LOCK
 * @uncached:	CPU mappings are write-combined (a heap alias)
 */
struct smaf_buffer_info {
	size_t size;
	struct smaf_allocator *named;
	int flags;
	u32 hints;
	u64 align;
	bool privileged;
	bool uncached;
};

struct dma_buf *smaf_buffer_create(const struct smaf_buffer_info *info);
struct smaf_buffer *smaf_buffer_from_fd(int fd);
int smaf_buffer_query(struct smaf_buffer *buf, struct smaf_buffer_query *q);
void smaf_buffer_show_all(struct seq_file *s);

/* smaf-memory.c: choosing, allocating and freeing a buffer's memory */
void smaf_memory_constraints(struct smaf_buffer *buf,
			     const struct smaf_dev_constraints *extra,
			     bool cpu, struct smaf_constraints *c);
int smaf_memory_allocate(struct smaf_buffer *buf, const struct smaf_constraints *c);
int smaf_memory_populate(struct smaf_buffer *buf, bool cpu);
int smaf_memory_populate_secure(struct smaf_buffer *buf);
int smaf_memory_reserve(struct smaf_buffer *buf,
			const struct smaf_dev_constraints *extra);
void smaf_memory_unreserve(struct smaf_buffer *buf);
void smaf_memory_free(struct smaf_buffer *buf, struct smaf_allocator *alloc,
		      struct sg_table *sgt);
void smaf_memory_orphan(struct smaf_allocator *alloc);
void smaf_memory_free_orphan(struct smaf_allocator *alloc, struct sg_table *sgt,
			     struct smaf_user *user, size_t size, bool uncached);
bool smaf_memory_serves(struct smaf_buffer *buf,
			const struct smaf_dev_constraints *d);
int smaf_memory_can_serve(struct smaf_buffer *buf,
			  const struct smaf_dev_constraints *d);

/* smaf-migrate.c: moving a buffer's memory for a late device */
int smaf_migrate(struct smaf_buffer *buf, struct device *dev,
		 const struct smaf_dev_constraints *d);
void smaf_migrate_show(struct seq_file *s);

/* smaf-device.c: device constraints and the policy */
void smaf_device_init(void);
int smaf_device_set_policy(const char *text);
int smaf_device_show_policy(char *buf, unsigned int len);
bool smaf_device_translated(struct device *dev);
void smaf_device_constraints(struct device *dev,
			     struct smaf_dev_constraints *d);

/* smaf-map.c: per-device DMA mapping */
struct sg_table *smaf_attachment_table(struct smaf_attachment *a);
int smaf_map_attachment(struct smaf_buffer *buf, struct smaf_attachment *a,
			enum dma_data_direction dir);
void smaf_unmap_attachment(struct smaf_attachment *a);

/* smaf-cpu.c: CPU access (mmap, vmap, begin/end_cpu_access) */
int smaf_cpu_mmap(struct dma_buf *dmabuf, struct vm_area_struct *vma);
int smaf_cpu_vmap(struct dma_buf *dmabuf, struct iosys_map *map);
void smaf_cpu_vunmap(struct dma_buf *dmabuf, struct iosys_map *map);
int smaf_cpu_begin_access(struct dma_buf *dmabuf, enum dma_data_direction dir);
int smaf_cpu_end_access(struct dma_buf *dmabuf, enum dma_data_direction dir);

/*
 * Where a chunk of a buffer's memory starts: memory without struct pages
 * (an allocator's no_pages) keeps its physical address in the entry's DMA
 * address.
 */
static inline phys_addr_t smaf_chunk_phys(struct scatterlist *sg)
{
	return sg_page(sg) ? sg_phys(sg) : (phys_addr_t)sg_dma_address(sg);
}

/* smaf-secure.c: secure module, contexts and grants */
struct smaf_secure;
int smaf_secure_set(struct smaf_buffer *buf);
bool smaf_secure_on(const struct smaf_buffer *buf);
void smaf_secure_init_state(struct smaf_buffer *buf);
/* What smaf_secure_watch()'s notifier is told. */
enum smaf_secure_event {
	SMAF_SECURE_ARRIVED,
	SMAF_SECURE_LEFT,
};

struct notifier_block;
void smaf_secure_watch(struct notifier_block *nb);
void smaf_secure_unwatch(struct notifier_block *nb);
int smaf_secure_map(struct smaf_buffer *buf, struct smaf_attachment *a,
		    enum dma_data_direction dir);
void smaf_secure_unmap(struct smaf_buffer *buf, struct smaf_attachment *a,
		       enum dma_data_direction dir);
int smaf_secure_cpu_grant(struct smaf_buffer *buf, bool write);
void smaf_secure_cpu_revoke(struct smaf_buffer *buf, bool write);

/* secure/smaf-secure-cpu.c: the CPU's uses of a secure buffer */
int smaf_secure_access_begin(struct smaf_buffer *buf, bool write);
void smaf_secure_access_end(struct smaf_buffer *buf);
void smaf_secure_access_release(struct smaf_buffer *buf);
unsigned int smaf_secure_accesses(const struct smaf_buffer *buf);
int smaf_secure_vmap_grant(struct smaf_buffer *buf, bool write);
void smaf_secure_vmap_revoke(struct smaf_buffer *buf);
bool smaf_secure_release(struct smaf_buffer *buf);
int smaf_secure_move_grant(struct smaf_buffer *buf, struct sg_table *from,
			   struct sg_table *to);
bool smaf_secure_move_end(struct smaf_buffer *buf, struct sg_table *from,
			  struct sg_table *to, struct sg_table *left);
void smaf_secure_quarantine(struct smaf_buffer *buf, struct smaf_allocator *alloc,
			    struct sg_table *sgt);
void smaf_secure_exit(void);
void smaf_secure_show(struct seq_file *s);

/* smaf-main.c */
bool smaf_file_privileged(struct file *file);

/* smaf-platform.c: SMAF's own device and what it tells of the machine */
int smaf_platform_init(void);
void smaf_platform_exit(void);
u64 smaf_ram_end(void);
struct device *smaf_dma_device(void);

/* smaf-ioctl.c */
long smaf_ioctl(struct file *file, unsigned int cmd, unsigned long arg);

/* allocators/pool.c: the pre-zeroed pool's debugfs view */
void smaf_pool_show(struct seq_file *s);

/* smaf-debugfs.c */
void smaf_debugfs_init(void);
void smaf_debugfs_exit(void);

#endif /* _SMAF_INTERNAL_H */

// SPDX-License-Identifier: GPL-2.0
/*
 * SMAF's DMA-BUF heap front end: /dev/dma_heap/smaf and its aliases, so that
 * programs written for the DMA-BUF heap uAPI get SMAF buffers unchanged.
 *
 * Each node is a misc device whose node name is dma_heap/<name>, which
 * gives the heap core's path on any kernel, with or without the heap core.
 * The ioctl behaves as the core's (drivers/dma-buf/dma-heap.c): dispatched
 * by number only, argument size negotiated, the core's checks.  It adds two
 * refusals, -EFBIG for a length larger than RAM and -EINVAL for an argument
 * the fd cannot be written back to (the core would install an fd its
 * caller never learns), and publishes the fd only after the result reached
 * the caller (as the core does from 7.x; 6.1 and 6.12 publish it first).
 * The buffers are SMAF buffers: allocated at first use, with the creator's
 * limits; an alias adds hints, write-combined CPU mappings or the secure
 * flag.
 *
 * A secure alias ("protected,<name>", the kernel's prefix for protected
 * memory heaps) exists only while a secure module is registered, as the
 * TEE's protected heaps exist only when the TEE provides them: a node that
 * cannot allocate is not offered.
 *
 * Kernels from 6.18 export dma_heap_add(), but a heap cannot be removed
 * again, which would pin this module forever: the misc nodes are used there
 * too, and an alias never shadows a heap the kernel already has.
 */
#define pr_fmt(fmt) "smaf: " fmt

#include <linux/dma-buf.h>
#include <linux/err.h>
#include <linux/fcntl.h>
#include <linux/file.h>
#include <linux/fs_struct.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/namei.h>
#include <linux/notifier.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/stddef.h>
#include <linux/uaccess.h>
#include <linux/smaf.h>
#include <uapi/linux/dma-heap.h>

#include "smaf-compat.h"
#include "smaf-heap-alias.h"
#include "smaf-internal.h"

#define SMAF_HEAP_FD_FLAGS	(O_CLOEXEC | O_ACCMODE)

/**
 * struct smaf_heap - one /dev/dma_heap/ node
 * @misc:	the misc device
 * @alias:	its name and attributes
 * @devname:	"smaf-heap-<name>", its name in /sys/class/misc
 * @nodename:	"dma_heap/<name>", its path under /dev
 * @registered:	the node exists
 *
 * Allocated at init and freed at exit: a file opened on a node keeps
 * pointing here after a secure node is removed.  @alias, @devname and
 * @nodename are read-only; @misc and @registered are protected by
 * smaf_heap_lock.
 */
struct smaf_heap {
	struct miscdevice misc;
	struct smaf_heap_alias alias;
	char devname[SMAF_HEAP_NAME_LEN + 10];
	char nodename[SMAF_HEAP_NAME_LEN + 9];
	bool registered;
};

/*
 * Every alias, set at init, read-only until exit.  smaf_heap_lock protects
 * each heap's @misc and @registered: secure nodes come and go with the
 * secure module (taken under smaf_secure_lock; it takes misc_mtx itself).
 */
static struct smaf_heap *smaf_heaps[SMAF_HEAP_MAX_ALIASES + 1];
static unsigned int smaf_nheaps;
static DEFINE_MUTEX(smaf_heap_lock);
/* Set by smaf_heap_enable(), never cleared. */
static bool smaf_heap_enabled;

/*
 * An open node: the heap, and whether the opener had CAP_IPC_LOCK in the
 * low bit (struct smaf_heap is at least 8-byte aligned).
 */
static struct smaf_heap *smaf_heap_of(struct file *file)
{
	return (struct smaf_heap *)((unsigned long)file->private_data & ~1UL);
}

/**
 * smaf_heap_open() - open a heap node
 * @inode: the node
 * @file: the new file; misc_open() set its private data to the misc device
 *
 * As for /dev/smaf, the use of the scarce-memory reserve is decided here,
 * with the opener's credentials and without an audit record.
 *
 * Context: process context.
 * Return: 0, or -ENODEV while module init has not completed.
 */
static int smaf_heap_open(struct inode *inode, struct file *file)
{
	struct smaf_heap *heap = container_of(file->private_data,
					      struct smaf_heap, misc);
	unsigned long priv;

	/* Pairs with the release in smaf_heap_enable(). */
	if (!smp_load_acquire(&smaf_heap_enabled))
		return -ENODEV;
	priv = ns_capable_noaudit(&init_user_ns, CAP_IPC_LOCK);
	file->private_data = (void *)((unsigned long)heap | priv);
	return 0;
}

/* Creates the buffer an ALLOC on @heap asks for, with the alias applied. */
static struct dma_buf *smaf_heap_create(struct file *file,
					struct smaf_heap *heap, u64 len,
					u32 fd_flags)
{
	unsigned int attrs = heap->alias.attrs;
	struct smaf_buffer_info info = {
		.size = len,
		.flags = fd_flags & O_ACCMODE,
		.privileged = (unsigned long)file->private_data & 1,
		.uncached = attrs & SMAF_HEAP_UNCACHED,
	};
	struct smaf_buffer *buf;
	struct dma_buf *dmabuf;
	int ret;

	if (len > (u64)totalram_pages() << PAGE_SHIFT)
		return ERR_PTR(-EFBIG);
	if (attrs & SMAF_HEAP_CONTIG)
		info.hints |= SMAF_HINT_CONTIGUOUS;
	if (attrs & SMAF_HEAP_DMA32)
		info.hints |= SMAF_HINT_DMA32;
	dmabuf = smaf_buffer_create(&info);
	if (IS_ERR(dmabuf))
		return dmabuf;

	/* Secure from before the fd exists: under the lock, as SET_SECURE. */
	buf = dmabuf->priv;
	if (attrs & SMAF_HEAP_SECURE) {
		mutex_lock(&buf->lock);
		ret = smaf_secure_set(buf);
		mutex_unlock(&buf->lock);
		if (ret) {
			dma_buf_put(dmabuf);
			return ERR_PTR(ret);
		}
	}
	return dmabuf;
}

/* DMA_HEAP_IOCTL_ALLOC on @data, with @out bytes to copy back to @uarg. */
static long smaf_heap_alloc(struct file *file,
			    struct dma_heap_allocation_data *data,
			    void __user *uarg, unsigned int out)
{
	struct dma_buf *dmabuf;
	u64 len;
	int fd;

	if (data->fd)
		return -EINVAL;
	if (data->fd_flags & ~SMAF_HEAP_FD_FLAGS)
		return -EINVAL;
	if (data->heap_flags)
		return -EINVAL;
	len = PAGE_ALIGN(data->len);
	if (!len)
		return -EINVAL;

	dmabuf = smaf_heap_create(file, smaf_heap_of(file), len,
				  data->fd_flags);
	if (IS_ERR(dmabuf))
		return PTR_ERR(dmabuf);
	fd = get_unused_fd_flags(data->fd_flags & O_CLOEXEC);
	if (fd < 0) {
		dma_buf_put(dmabuf);
		return fd;
	}
	data->fd = fd;
	if (copy_to_user(uarg, data, out)) {
		put_unused_fd(fd);
		dma_buf_put(dmabuf);
		return -EFAULT;
	}
	fd_install(fd, dmabuf->file);
	return 0;
}

/**
 * smaf_heap_arg_sizes() - how much of an ALLOC argument to read and write
 * @cmd: the ioctl command, numbered as DMA_HEAP_IOCTL_ALLOC
 * @in: out, the bytes to read from the caller: the argument's size, at most
 *	struct dma_heap_allocation_data's, 0 without _IOC_WRITE
 * @out: out, the bytes to write back, the same way with _IOC_READ
 *
 * Context: any.
 * Return: 0, or -EINVAL if the argument cannot receive the fd (@in and @out
 * are set all the same).
 */
int smaf_heap_arg_sizes(unsigned int cmd, unsigned int *in, unsigned int *out)
{
	unsigned int size = min_t(unsigned int, _IOC_SIZE(cmd),
				  sizeof(struct dma_heap_allocation_data));

	*in = _IOC_DIR(cmd) & _IOC_WRITE ? size : 0;
	*out = _IOC_DIR(cmd) & _IOC_READ ? size : 0;
	if (*out < offsetofend(struct dma_heap_allocation_data, fd))
		return -EINVAL;
	return 0;
}

/**
 * smaf_heap_ioctl() - the DMA-BUF heap ioctl on a SMAF node
 * @file: the open node
 * @cmd: any command numbered 0 is DMA_HEAP_IOCTL_ALLOC, whatever its size
 * @arg: user pointer to struct dma_heap_allocation_data or a shorter or
 *	 longer version of it
 *
 * A shorter argument is zero-extended, a longer one has its tail ignored.
 * An argument the result cannot be written to (no IOC_OUT, or too short to
 * hold the fd) is refused before anything is created.
 *
 * Context: process context.
 * Return: 0; -EINVAL for another command number, a non-zero fd field, other
 * fd flags than O_CLOEXEC and O_ACCMODE, non-zero heap flags, a length that
 * is 0 or wraps, or an argument that cannot receive the fd; -EFAULT; -EFBIG
 * for a length larger than RAM; the errors of creating a SMAF buffer
 * (-EDQUOT, -ENOSPC, -ENOMEM) and, for a secure alias, of setting the secure flag
 * (-EOPNOTSUPP without a secure module); -EMFILE.
 */
static long smaf_heap_ioctl(struct file *file, unsigned int cmd,
			    unsigned long arg)
{
	struct dma_heap_allocation_data data = {};
	void __user *uarg = (void __user *)arg;
	unsigned int in, out;
	int ret;

	if (_IOC_NR(cmd) != _IOC_NR(DMA_HEAP_IOCTL_ALLOC))
		return -EINVAL;
	ret = smaf_heap_arg_sizes(cmd, &in, &out);
	if (copy_from_user(&data, uarg, in))
		return -EFAULT;
	if (ret)
		return ret;
	return smaf_heap_alloc(file, &data, uarg, out);
}

static const struct file_operations smaf_heap_fops = {
	.owner = THIS_MODULE,
	.open = smaf_heap_open,
	.unlocked_ioctl = smaf_heap_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

/*
 * The root of the system's init (pid 1 of the initial pid namespace) in
 * @root: 0, or -ESRCH while there is none.
 */
static int smaf_heap_system_root(struct path *root)
{
	struct task_struct *init;
	int ret = -ESRCH;

	rcu_read_lock();
	init = pid_task(find_pid_ns(1, &init_pid_ns), PIDTYPE_PID);
	if (init)
		get_task_struct(init);
	rcu_read_unlock();
	if (!init)
		return ret;
	task_lock(init);
	if (init->fs) {
		get_fs_root(init->fs, root);
		ret = 0;
	}
	task_unlock(init);
	put_task_struct(init);
	return ret;
}

/*
 * Is there already something called @name: a kernel heap or a node?  Looked
 * up from the system's root (init's), whatever the namespaces of the task
 * that registers the node (a secure module may be loaded from a container).
 */
static const char *smaf_heap_taken(const char *name)
{
	static const char * const where[] = {
		"/sys/class/dma_heap/%s", "/dev/dma_heap/%s",
	};
	char path[SMAF_HEAP_NAME_LEN + 24];
	const char *why = NULL;
	struct path root, p;
	unsigned int i;

	if (smaf_heap_system_root(&root))
		return NULL;	/* no init yet: nothing is there */
	for (i = 0; i < ARRAY_SIZE(where) && !why; i++) {
		snprintf(path, sizeof(path), where[i], name);
		if (!vfs_path_lookup(root.dentry, root.mnt, path, LOOKUP_FOLLOW, &p)) {
			path_put(&p);
			why = i ? "/dev/dma_heap has a node of that name" :
				  "the kernel has a heap of that name";
		}
	}
	path_put(&root);
	return why;
}

/* Registers @heap's node; 0 if skipped because the name is taken. */
static int smaf_heap_register(struct smaf_heap *heap)
{
	const char *why;
	int ret;

	lockdep_assert_held(&smaf_heap_lock);
	why = smaf_heap_taken(heap->alias.name);
	if (why) {
		pr_info("heap %s not added: %s\n", heap->alias.name, why);
		return 0;
	}
	/* A secure node may be registered again after its removal. */
	memset(&heap->misc, 0, sizeof(heap->misc));
	heap->misc.minor = MISC_DYNAMIC_MINOR;
	heap->misc.name = heap->devname;
	heap->misc.nodename = heap->nodename;
	heap->misc.fops = &smaf_heap_fops;
	/* Root only, like /dev/smaf; dist/udev/60-smaf.rules opens both. */
	heap->misc.mode = 0600;
	ret = misc_register(&heap->misc);
	if (ret) {
		pr_err("heap %s not added: %d\n", heap->alias.name, ret);
		return ret;
	}
	heap->registered = true;
	return 0;
}

static void smaf_heap_deregister(struct smaf_heap *heap)
{
	lockdep_assert_held(&smaf_heap_lock);
	if (!heap->registered)
		return;
	misc_deregister(&heap->misc);
	heap->registered = false;
}

/* Adds @alias to smaf_heaps; registers its node unless it is secure. */
static int smaf_heap_add(const struct smaf_heap_alias *alias)
{
	struct smaf_heap *heap;
	int ret = 0;

	heap = kzalloc(sizeof(*heap), GFP_KERNEL);
	if (!heap)
		return -ENOMEM;
	heap->alias = *alias;
	snprintf(heap->devname, sizeof(heap->devname), "smaf-heap-%s",
		 heap->alias.name);
	snprintf(heap->nodename, sizeof(heap->nodename), "dma_heap/%s",
		 heap->alias.name);
	smaf_heaps[smaf_nheaps++] = heap;
	if (!(alias->attrs & SMAF_HEAP_SECURE)) {
		mutex_lock(&smaf_heap_lock);
		ret = smaf_heap_register(heap);
		mutex_unlock(&smaf_heap_lock);
	}
	return ret;
}

/**
 * smaf_heap_secure_nodes() - add or remove the secure aliases' nodes
 * @nb: smaf_heap_secure_nb
 * @event: %SMAF_SECURE_ARRIVED or %SMAF_SECURE_LEFT
 * @data: unused
 *
 * A node that cannot be added is logged and left out; the secure module
 * stays registered.  A file already open on a removed node stays valid;
 * its allocations fail with -EOPNOTSUPP.
 *
 * Context: process context; smaf_secure_lock held.
 * Return: %NOTIFY_DONE.
 */
static int smaf_heap_secure_nodes(struct notifier_block *nb,
				  unsigned long event, void *data)
{
	unsigned int i;

	mutex_lock(&smaf_heap_lock);
	for (i = 0; i < smaf_nheaps; i++) {
		if (!(smaf_heaps[i]->alias.attrs & SMAF_HEAP_SECURE))
			continue;
		if (event == SMAF_SECURE_ARRIVED)
			smaf_heap_register(smaf_heaps[i]);
		else
			smaf_heap_deregister(smaf_heaps[i]);
	}
	mutex_unlock(&smaf_heap_lock);
	return NOTIFY_DONE;
}

static struct notifier_block smaf_heap_secure_nb = {
	.notifier_call = smaf_heap_secure_nodes,
};

/**
 * smaf_heap_init() - register /dev/dma_heap/smaf and the aliases
 *
 * An alias whose name the kernel already has is skipped, with a log line.
 * Secure aliases get their nodes while a secure module is registered.
 *
 * Context: module init, after everything the nodes use.
 * Return: 0, -EINVAL for an invalid "heaps" parameter, or the error of
 * registering a node.
 */
int smaf_heap_init(void)
{
	static struct smaf_heap_alias aliases[SMAF_HEAP_MAX_ALIASES + 1];
	int n, i, ret;

	const char *heaps = smaf_params.heaps ? smaf_params.heaps : "";

	n = smaf_heap_aliases_parse(heaps, aliases + 1,
				    SMAF_HEAP_MAX_ALIASES);
	if (n < 0) {
		pr_err("invalid heaps=%s: want NAME=ATTR,...;... (%d)\n",
		       heaps, n);
		return n;
	}
	strscpy(aliases[0].name, "smaf", sizeof(aliases[0].name));
	aliases[0].attrs = 0;
	for (i = 0; i <= n; i++) {
		ret = smaf_heap_add(&aliases[i]);
		if (ret) {
			smaf_heap_exit();
			return ret;
		}
	}
	smaf_secure_watch(&smaf_heap_secure_nb);
	return 0;
}

/**
 * smaf_heap_enable() - let the nodes open
 *
 * Until then an open fails with -ENODEV, so that no buffer exists while
 * module init may still undo itself.  Never undone: the module unloads
 * only once no node is open.
 *
 * Context: module init, its last step.
 */
void smaf_heap_enable(void)
{
	/* Pairs with the acquire in smaf_heap_open(). */
	smp_store_release(&smaf_heap_enabled, true);
}

/**
 * smaf_heap_exit() - remove every node
 *
 * Open nodes and buffers keep the module loaded, so none is in use.
 *
 * Context: module exit, or init failure.
 */
void smaf_heap_exit(void)
{
	smaf_secure_unwatch(&smaf_heap_secure_nb);
	while (smaf_nheaps) {
		struct smaf_heap *heap = smaf_heaps[--smaf_nheaps];

		mutex_lock(&smaf_heap_lock);
		smaf_heap_deregister(heap);
		mutex_unlock(&smaf_heap_lock);
		kfree(heap);
	}
}

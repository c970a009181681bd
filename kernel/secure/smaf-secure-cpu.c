// SPDX-License-Identifier: GPL-2.0
/*
 * The CPU's uses of a secure buffer, each holding its own grant of the
 * secure module (smaf_secure_cpu_grant()): the accesses processes begin
 * and end (DMA_BUF_IOCTL_SYNC), one per process, and the kernel's vmap.
 * CPU mappings ask theirs in smaf-cpu.c, which keeps the mapping.
 */
#define pr_fmt(fmt) "smaf: " fmt

#include <linux/fs.h>
#include <linux/list.h>
#include <linux/pid.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>

#include "smaf-internal.h"

/**
 * struct smaf_secure_sync - a process's begun CPU access to a secure buffer
 * @tgid:	the process (a reference on its struct pid)
 * @write:	its grant allows writes
 * @node:	entry in &smaf_buffer_secure.syncs
 *
 * One per process, not counted: a SYNC_START that the dma-buf core
 * interrupts after SMAF granted it (fence wait) and that userspace restarts
 * must not leave a grant behind, and another process's SYNC_END must not end
 * this one's.  A process that exits without its SYNC_END loses its access
 * at the next SYNC of anyone on the buffer.
 */
struct smaf_secure_sync {
	struct pid *tgid;
	bool write;
	struct list_head node;
};

/* Processes with a begun CPU access to one secure buffer at once. */
#define SMAF_SECURE_SYNCS_MAX 64

static void smaf_secure_sync_end(struct smaf_buffer *buf, struct smaf_secure_sync *s)
{
	smaf_secure_cpu_revoke(buf, s->write);
	list_del(&s->node);
	buf->sec.nr_syncs--;
	put_pid(s->tgid);
	kfree(s);
}

/* Has the process of @s exited (or is it exiting)? */
static bool smaf_secure_sync_exited(struct smaf_secure_sync *s)
{
	struct task_struct *leader;
	bool exited;

	rcu_read_lock();
	leader = pid_task(s->tgid, PIDTYPE_TGID);
	exited = !leader || (READ_ONCE(leader->signal->flags) & SIGNAL_GROUP_EXIT) ||
		 (leader->exit_state && thread_group_empty(leader));
	rcu_read_unlock();
	return exited;
}

/*
 * Ends the accesses of processes that exited without ending them.
 * @buf->lock held.
 */
static void smaf_secure_sync_prune(struct smaf_buffer *buf)
{
	struct smaf_secure_sync *s, *tmp;

	list_for_each_entry_safe(s, tmp, &buf->sec.syncs, node)
		if (s->tgid != task_tgid(current) && smaf_secure_sync_exited(s))
			smaf_secure_sync_end(buf, s);
}

/* The calling process's entry, NULL if none.  @buf->lock held. */
static struct smaf_secure_sync *smaf_secure_sync_find(struct smaf_buffer *buf)
{
	struct smaf_secure_sync *s;

	list_for_each_entry(s, &buf->sec.syncs, node)
		if (s->tgid == task_tgid(current))
			return s;
	return NULL;
}

/**
 * smaf_secure_access_begin() - the calling process's CPU access begins
 * @buf: the buffer, allocated
 * @write: the access writes
 *
 * For a secure buffer the process must be granted access, until
 * smaf_secure_access_end() (or its exit); a write access needs a file open
 * for writing.  Processes that exited without ending theirs lose them now.
 *
 * Context: process context; @buf->lock held.
 * Return: 0 (also for a buffer that is not secure), -EBADF, -EUSERS
 * (SMAF_SECURE_SYNCS_MAX other processes hold an access), -ENOMEM, or the
 * secure module's refusal.
 */
int smaf_secure_access_begin(struct smaf_buffer *buf, bool write)
{
	struct smaf_secure_sync *s;
	int ret;

	if (!buf->sec.on)
		return 0;
	/* Every grant matches the access mode of the file. */
	if (write && !(buf->dmabuf->file->f_mode & FMODE_WRITE))
		return -EBADF;
	smaf_secure_sync_prune(buf);
	s = smaf_secure_sync_find(buf);
	if (s && (s->write || !write))
		return 0;
	if (!s && buf->sec.nr_syncs >= SMAF_SECURE_SYNCS_MAX)
		return -EUSERS;
	/* Upgrade: the write grant first, then give the read one back. */
	ret = smaf_secure_cpu_grant(buf, write);
	if (ret)
		return ret;
	if (s) {
		smaf_secure_cpu_revoke(buf, s->write);
		s->write = write;
		return 0;
	}
	s = kzalloc(sizeof(*s), GFP_KERNEL_ACCOUNT);
	if (!s) {
		smaf_secure_cpu_revoke(buf, write);
		return -ENOMEM;
	}
	s->tgid = get_pid(task_tgid(current));
	s->write = write;
	list_add(&s->node, &buf->sec.syncs);
	buf->sec.nr_syncs++;
	return 0;
}

/**
 * smaf_secure_accesses() - processes holding a CPU access, for debugfs
 * @buf: the buffer
 *
 * Context: @buf->lock held.
 * Return: how many.
 */
unsigned int smaf_secure_accesses(const struct smaf_buffer *buf)
{
	return buf->sec.nr_syncs;
}

/**
 * smaf_secure_access_end() - the calling process's CPU access ends
 * @buf: the buffer
 *
 * An end without a begin, or from another process, ends nothing.
 *
 * Context: process context; @buf->lock held.
 */
void smaf_secure_access_end(struct smaf_buffer *buf)
{
	struct smaf_secure_sync *s;

	smaf_secure_sync_prune(buf);
	s = smaf_secure_sync_find(buf);
	if (s)
		smaf_secure_sync_end(buf, s);
}

/**
 * smaf_secure_access_release() - end the CPU accesses never ended
 * @buf: the buffer, unreachable (its file is gone)
 *
 * Context: process context; takes the buffer lock if there are any.
 */
void smaf_secure_access_release(struct smaf_buffer *buf)
{
	struct smaf_secure_sync *s, *tmp;

	/* Unreachable: nobody can begin an access any more. */
	if (list_empty(&buf->sec.syncs))
		return;
	mutex_lock(&buf->lock);
	list_for_each_entry_safe(s, tmp, &buf->sec.syncs, node)
		smaf_secure_sync_end(buf, s);
	mutex_unlock(&buf->lock);
}

/**
 * smaf_secure_vmap_grant() - a kernel mapping of the buffer begins
 * @buf: the buffer, allocated
 * @write: the mapping may write (the dma-buf file is open for writing)
 *
 * Context: process context; @buf->lock held.
 * Return: 0 (also for a buffer that is not secure), -EACCES, or the secure
 * module's error.
 */
int smaf_secure_vmap_grant(struct smaf_buffer *buf, bool write)
{
	int ret = smaf_secure_cpu_grant(buf, write);

	if (!ret)
		buf->sec.vmap_write = write;
	return ret;
}

/**
 * smaf_secure_vmap_revoke() - the kernel mapping of the buffer ends
 * @buf: the buffer
 *
 * Context: process context; @buf->lock held.
 */
void smaf_secure_vmap_revoke(struct smaf_buffer *buf)
{
	smaf_secure_cpu_revoke(buf, buf->sec.vmap_write);
	buf->sec.vmap_write = false;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * SMAF limits: no client may starve the others.
 *
 * Every buffer is accounted to the user who created it, and its memory
 * charged to the creator's memory cgroup (for the allocators that charge
 * cgroups): one principal, so that passing the fd to a service that uses
 * it first does not move the cost to the service.  Per allocator,
 * unprivileged users are held to a per-user byte limit, and all users
 * together to a global limit of which a reserve is kept for privileged
 * callers (CAP_IPC_LOCK: they pin memory for devices).  Each user also has
 * a limit on live buffers.  Exceeding a per-user limit fails with EDQUOT, a
 * global limit or the reserve with ENOSPC, at the moment of creation
 * (buffers) or allocation (bytes), and is counted.  A failed attempt on a
 * costly allocator (contig: page migration) costs an unprivileged user a
 * growing pause (EAGAIN) before the next attempt, so that a loop of
 * failures cannot keep the machine migrating pages.
 *
 * Limits are set per allocator by the module parameter "limits"
 * ("ALLOCATOR:KEY=SIZE,...", KEY one of user, global, reserve; SIZE with
 * K/M/G, or "none"), at load time or by root at runtime (reading it back
 * gives every allocator's limits), and "max_buffers" (live buffers per
 * unprivileged user).
 */
#define pr_fmt(fmt) "smaf: " fmt

#include <linux/cred.h>
#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/memcontrol.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sizes.h>
#include <linux/smaf.h>
#include <linux/uidgid.h>
#include <linux/user_namespace.h>

#include "smaf-internal.h"
#include "smaf-param-list.h"

/**
 * struct smaf_user - what one user holds
 * @uid:	the user
 * @buffers:	live buffers it created
 * @bytes:	bytes allocated or reserved for them, per allocator id
 * @refused:	creations and allocations refused by a limit
 * @costly_fails: costly allocation attempts failed, each within
 *		SMAF_COSTLY_FORGET of the one before
 * @costly_next: jiffies before which no costly attempt is made
 * @node:	entry in smaf_users
 */
struct smaf_user {
	kuid_t uid;
	unsigned int buffers;
	u64 bytes[SMAF_MAX_ALLOCATORS];
	unsigned long refused;
	unsigned int costly_fails;
	unsigned long costly_next;
	struct list_head node;
};

/*
 * Pause after a failed costly attempt: doubles per failure, up to a cap.
 * Successes do not reset it (a cheap one between failures would keep the
 * expensive ones unthrottled); a failure that comes SMAF_COSTLY_FORGET
 * after the pause of the one before it starts again from the first pause.
 */
#define SMAF_COSTLY_PAUSE	(HZ / 20)
#define SMAF_COSTLY_PAUSE_MAX	(5 * HZ)
#define SMAF_COSTLY_FORGET	(2 * SMAF_COSTLY_PAUSE_MAX)

/*
 * Protects smaf_users, every struct smaf_user, smaf_charged and the limits
 * of every allocator.  Taken inside a buffer's lock and the registry lock.
 */
static DEFINE_MUTEX(smaf_limits_lock);
static LIST_HEAD(smaf_users);
/* Bytes charged per allocator id (allocated or being allocated). */
static u64 smaf_charged[SMAF_MAX_ALLOCATORS];

/* Holds nothing and pauses no more: may be freed.  The limits lock held. */
static bool smaf_user_idle(struct smaf_user *u)
{
	unsigned int i;

	if (u->buffers)
		return false;
	for (i = 0; i < SMAF_MAX_ALLOCATORS; i++)
		if (u->bytes[i])
			return false;
	/* A pause outlives the user's buffers. */
	return !(u->costly_fails &&
		 time_before(jiffies, u->costly_next + SMAF_COSTLY_FORGET));
}

/*
 * Frees the entries of users other than @uid who hold nothing and no
 * longer pause: idle entries left are @uid's and those that went idle
 * since.  The limits lock held.
 */
static void smaf_users_prune(kuid_t uid)
{
	struct smaf_user *u, *next;

	list_for_each_entry_safe(u, next, &smaf_users, node) {
		if (!uid_eq(u->uid, uid) && smaf_user_idle(u)) {
			list_del(&u->node);
			kfree(u);
		}
	}
}

/*
 * @uid's entry, made if needed.  An idle entry stays: a user's next buffer
 * does not allocate it again.  The limits lock held.
 */
static struct smaf_user *smaf_user_get(kuid_t uid)
{
	struct smaf_user *u;

	list_for_each_entry(u, &smaf_users, node)
		if (uid_eq(u->uid, uid))
			return u;
	u = kzalloc(sizeof(*u), GFP_KERNEL);
	if (!u)
		return NULL;
	u->uid = uid;
	list_add(&u->node, &smaf_users);
	return u;
}

/**
 * smaf_limits_principal() - the user the calling task's buffers count for
 *
 * The calling task's uid; in a user namespace, the uid that created the
 * outermost one (as the kernel's own per-user counts, ucounts, charge a
 * namespace's users to its owner): a user who maps subordinate uids into a
 * namespace of its own holds its own quota there, not one per uid.
 *
 * Context: process context.
 * Return: the uid, in the initial user namespace.
 */
kuid_t smaf_limits_principal(void)
{
	const struct user_namespace *ns = current_user_ns();

	if (ns == &init_user_ns)
		return current_uid();
	while (ns->parent != &init_user_ns)
		ns = ns->parent;
	return ns->owner;
}

/**
 * smaf_limits_create() - account a new buffer to the calling user
 * @buf: the buffer being created
 * @privileged: the creator may use the reserves
 *
 * Records the creator (its user, see smaf_limits_principal(), and memory
 * cgroup) and whether it is privileged.
 *
 * Context: process context, the creator's; takes the limits lock.
 * Return: 0, -ENOMEM, or -EDQUOT if the user has max_buffers live buffers.
 */
int smaf_limits_create(struct smaf_buffer *buf, bool privileged)
{
	struct smaf_user *u;
	kuid_t uid;
	int ret = 0;

	buf->privileged = privileged;
	uid = smaf_limits_principal();
	mutex_lock(&smaf_limits_lock);
	smaf_users_prune(uid);
	u = smaf_user_get(uid);
	if (!u) {
		ret = -ENOMEM;
	} else if (!buf->privileged && u->buffers >= READ_ONCE(smaf_params.max_buffers)) {
		u->refused++;
		ret = -EDQUOT;
	} else {
		u->buffers++;
		buf->user = u;
	}
	mutex_unlock(&smaf_limits_lock);
	if (!ret)
		buf->memcg = get_mem_cgroup_from_mm(current->mm);
	return ret;
}

/**
 * smaf_limits_destroy() - the buffer is gone
 * @buf: the buffer, uncharged
 *
 * Context: process context; takes the limits lock.
 */
void smaf_limits_destroy(struct smaf_buffer *buf)
{
	if (!buf->user)
		return;
	mem_cgroup_put(buf->memcg);
	mutex_lock(&smaf_limits_lock);
	buf->user->buffers--;
	mutex_unlock(&smaf_limits_lock);
}

/**
 * smaf_limits_charge() - reserve the buffer's bytes on @alloc
 * @buf: the buffer about to be allocated
 * @alloc: the allocator about to allocate it
 * @count: count a refusal (in the user's and @alloc's refusals); false
 *	   for an attempt whose refusal the caller may pass over, which then
 *	   counts the outcome itself (smaf_limits_count_refusal())
 *
 * Context: process context; @buf->lock held, or @buf not published yet;
 * takes the limits lock.
 * Return: 0; -EDQUOT if the creator would exceed its limit on @alloc;
 * -ENOSPC if all users together would exceed @alloc's global limit, or an
 * unprivileged creator would dip into the reserve.
 */
int smaf_limits_charge(struct smaf_buffer *buf, struct smaf_allocator *alloc,
		       bool count)
{
	const struct smaf_limit *l = &alloc->limit;
	struct smaf_user *u = buf->user;
	u64 size = buf->size, global;
	int ret = 0;

	mutex_lock(&smaf_limits_lock);
	global = l->global_max;
	if (!buf->privileged)
		global = global > l->reserve ? global - l->reserve : 0;
	if (!buf->privileged && u->bytes[alloc->id] + size > l->user_max)
		ret = -EDQUOT;
	else if (smaf_charged[alloc->id] + size > global)
		ret = -ENOSPC;
	if (ret && count) {
		u->refused++;
		atomic_long_inc(&alloc->stats.refusals);
	} else if (!ret) {
		u->bytes[alloc->id] += size;
		smaf_charged[alloc->id] += size;
	}
	mutex_unlock(&smaf_limits_lock);
	return ret;
}

/**
 * smaf_limits_count_refusal() - count a refusal smaf_limits_charge() did not
 * @buf: the buffer refused
 * @alloc: the allocator whose limit refused it
 *
 * Context: process context; takes the limits lock.
 */
void smaf_limits_count_refusal(struct smaf_buffer *buf, struct smaf_allocator *alloc)
{
	mutex_lock(&smaf_limits_lock);
	buf->user->refused++;
	mutex_unlock(&smaf_limits_lock);
	atomic_long_inc(&alloc->stats.refusals);
}

/**
 * smaf_limits_uncharge() - give back what smaf_limits_charge() took
 * @buf: the buffer
 * @alloc: the allocator it was charged on
 *
 * Context: process context; takes the limits lock.
 */
void smaf_limits_uncharge(struct smaf_buffer *buf, struct smaf_allocator *alloc)
{
	mutex_lock(&smaf_limits_lock);
	buf->user->bytes[alloc->id] -= buf->size;
	smaf_charged[alloc->id] -= buf->size;
	mutex_unlock(&smaf_limits_lock);
}

/**
 * smaf_limits_uncharge_user() - give back a charge that outlived its buffer
 * @u: the user charged (kept while it holds any bytes)
 * @alloc: the allocator the bytes were charged on
 * @size: the bytes
 *
 * For quarantined memory that is scrubbed at last: @u may go now.
 *
 * Context: process context; takes the limits lock.
 */
void smaf_limits_uncharge_user(struct smaf_user *u, struct smaf_allocator *alloc,
			       size_t size)
{
	mutex_lock(&smaf_limits_lock);
	u->bytes[alloc->id] -= size;
	smaf_charged[alloc->id] -= size;
	mutex_unlock(&smaf_limits_lock);
}

/**
 * smaf_limits_costly_begin() - may the creator try a costly allocation now?
 * @buf: the buffer about to be allocated
 *
 * Context: process context; takes the limits lock, not held across the
 * attempt.
 * Return: 0, or -EAGAIN while an unprivileged creator pauses after failed
 * attempts.
 */
int smaf_limits_costly_begin(struct smaf_buffer *buf)
{
	struct smaf_user *u = buf->user;
	int ret = 0;

	mutex_lock(&smaf_limits_lock);
	if (!buf->privileged && u->costly_fails &&
	    time_before(jiffies, u->costly_next)) {
		u->refused++;
		ret = -EAGAIN;
	}
	mutex_unlock(&smaf_limits_lock);
	return ret;
}

/**
 * smaf_limits_costly_end() - record how a costly attempt ended
 * @buf: the buffer
 * @result: the allocator's result: -ENOMEM is a failure that makes the
 *	    creator's pause grow; nothing else changes it
 *
 * Context: process context; takes the limits lock.
 */
void smaf_limits_costly_end(struct smaf_buffer *buf, int result)
{
	struct smaf_user *u = buf->user;
	unsigned long pause;

	if (result != -ENOMEM)
		return;
	mutex_lock(&smaf_limits_lock);
	if (u->costly_fails &&
	    time_after(jiffies, u->costly_next + SMAF_COSTLY_FORGET))
		u->costly_fails = 0;
	if (u->costly_fails < 16)
		u->costly_fails++;
	pause = min_t(unsigned long, SMAF_COSTLY_PAUSE_MAX,
		      SMAF_COSTLY_PAUSE << (u->costly_fails - 1));
	u->costly_next = jiffies + pause;
	mutex_unlock(&smaf_limits_lock);
}

/* One "ALLOCATOR:KEY=VALUE" rule, for smaf_limits_set_one(). */
struct smaf_limits_rule {
	char name[SMAF_NAME_LEN];
	char key[16];
	u64 value;
};

/* Applies @arg's rule if @alloc is the one it names: 1 when applied. */
static int smaf_limits_apply(struct smaf_allocator *alloc, void *arg)
{
	const struct smaf_limits_rule *r = arg;
	u64 *field;

	if (strcmp(alloc->name, r->name))
		return 0;
	if (!strcmp(r->key, "user"))
		field = &alloc->limit.user_max;
	else if (!strcmp(r->key, "global"))
		field = &alloc->limit.global_max;
	else if (!strcmp(r->key, "reserve"))
		field = &alloc->limit.reserve;
	else
		return -EINVAL;
	mutex_lock(&smaf_limits_lock);
	*field = r->value;
	mutex_unlock(&smaf_limits_lock);
	return 1;
}

/* Reads one item "ALLOCATOR:KEY=SIZE|none" and applies it. */
static int smaf_limits_set_one(const struct smaf_param_item *it)
{
	struct smaf_limits_rule r;
	const char *colon;
	char val[32], *end;
	unsigned int nlen, klen;
	int ret;

	colon = memchr(it->key, ':', it->key_len);
	if (!colon || colon == it->key || !it->value_len ||
	    it->value_len >= sizeof(val))
		return -EINVAL;
	nlen = colon - it->key;
	klen = it->key_len - nlen - 1;
	if (nlen >= sizeof(r.name) || klen >= sizeof(r.key))
		return -EINVAL;
	memcpy(r.name, it->key, nlen);
	r.name[nlen] = '\0';
	memcpy(r.key, colon + 1, klen);
	r.key[klen] = '\0';
	memcpy(val, it->value, it->value_len);
	val[it->value_len] = '\0';

	if (!strcmp(val, "none")) {
		r.value = U64_MAX;
	} else {
		r.value = memparse(val, &end);
		if (*end)
			return -EINVAL;
	}
	ret = smaf_allocator_for_each(smaf_limits_apply, &r);
	return ret == 1 ? 0 : ret ? ret : -ENOENT;
}

/* Applies every item of @text, in order, up to the first bad one. */
static int smaf_limits_apply_list(const char *text)
{
	struct smaf_param_item it;
	int ret;

	while ((ret = smaf_param_list_next(&text, true, &it)) > 0) {
		ret = smaf_limits_set_one(&it);
		if (ret)
			return ret;
	}
	return ret;
}

/* Limits given at load time wait here until the allocators exist. */
static char *smaf_limits_pending;
static bool smaf_limits_ready;

/**
 * smaf_limits_set() - apply the "limits" parameter
 * @text: "ALLOCATOR:user|global|reserve=SIZE|none" items, a list of
 *	  smaf-param-list.h (commas separate)
 *
 * Before smaf_limits_init() (at load time) the text is kept and applied
 * then, once the allocators exist.
 *
 * Context: process context; takes the registry and limits locks.
 * Return: 0; -EINVAL for a malformed item or an unknown key, -ENOENT for
 * an unknown allocator (the items before it are applied); -ENOMEM.
 */
int smaf_limits_set(const char *text)
{
	if (smaf_limits_ready)
		return smaf_limits_apply_list(text);
	kfree(smaf_limits_pending);
	smaf_limits_pending = kstrdup(text, GFP_KERNEL);
	return smaf_limits_pending ? 0 : -ENOMEM;
}

/* Where smaf_limits_format() writes: a page, and how much is used. */
struct smaf_limits_page {
	char *buf;
	unsigned int len;
	int n;
};

/* Appends @alloc's limits to the page @arg. */
static int smaf_limits_format(struct smaf_allocator *alloc, void *arg)
{
	struct smaf_limits_page *p = arg;
	const struct smaf_limit *l = &alloc->limit;
	char v[3][24];
	u64 vals[3];
	unsigned int i;

	mutex_lock(&smaf_limits_lock);
	vals[0] = l->user_max;
	vals[1] = l->global_max;
	vals[2] = l->reserve;
	mutex_unlock(&smaf_limits_lock);
	for (i = 0; i < 3; i++) {
		if (vals[i] == U64_MAX)
			strscpy(v[i], "none", sizeof(v[i]));
		else
			snprintf(v[i], sizeof(v[i]), "%llu", vals[i]);
	}
	p->n += scnprintf(p->buf + p->n, p->len - p->n,
			  "%s:user=%s,%s:global=%s,%s:reserve=%s\n",
			  alloc->name, v[0], alloc->name, v[1], alloc->name, v[2]);
	return 0;
}

/**
 * smaf_limits_show() - every allocator's limits, one line each, by ranking
 * @buf: out, in the syntax smaf_limits_set() reads
 * @len: size of @buf
 *
 * Context: process context; takes the registry and limits locks.
 * Return: the length written (cut at @len).
 */
int smaf_limits_show(char *buf, unsigned int len)
{
	struct smaf_limits_page p = { .buf = buf, .len = len };

	smaf_allocator_for_each(smaf_limits_format, &p);
	return p.n;
}

/**
 * smaf_limits_init() - apply limits given at load time
 *
 * Context: module init, after the allocators registered.
 * Return: 0, or the error of a bad "limits" parameter.
 */
int smaf_limits_init(void)
{
	int ret = 0;

	smaf_limits_ready = true;
	if (smaf_limits_pending) {
		ret = smaf_limits_apply_list(smaf_limits_pending);
		if (ret)
			pr_err("invalid limits=%s: %d\n", smaf_limits_pending, ret);
		kfree(smaf_limits_pending);
		smaf_limits_pending = NULL;
	}
	return ret;
}

/**
 * smaf_limits_exit() - forget every user
 *
 * Users without buffers are kept while they pause after failed costly
 * attempts; at exit no buffer is left and they all go.
 *
 * Context: module exit, after the last buffer was released.
 */
void smaf_limits_exit(void)
{
	struct smaf_user *u, *next;

	mutex_lock(&smaf_limits_lock);
	list_for_each_entry_safe(u, next, &smaf_users, node) {
		list_del(&u->node);
		kfree(u);
	}
	mutex_unlock(&smaf_limits_lock);
}

/**
 * smaf_limits_charged() - bytes charged on an allocator, all users together
 * @alloc: an added allocator
 *
 * Context: process context; takes the limits lock.
 * Return: the bytes allocated or being allocated on @alloc.
 */
u64 smaf_limits_charged(const struct smaf_allocator *alloc)
{
	u64 bytes;

	mutex_lock(&smaf_limits_lock);
	bytes = smaf_charged[alloc->id];
	mutex_unlock(&smaf_limits_lock);
	return bytes;
}

/**
 * smaf_limits_user_charged() - bytes a buffer's creator is charged on @alloc
 * @buf: a buffer (its creator)
 * @alloc: an added allocator
 *
 * Context: process context; takes the limits lock.
 * Return: the bytes, for all of the creator's buffers.
 */
u64 smaf_limits_user_charged(const struct smaf_buffer *buf,
			     const struct smaf_allocator *alloc)
{
	u64 bytes;

	mutex_lock(&smaf_limits_lock);
	bytes = buf->user->bytes[alloc->id];
	mutex_unlock(&smaf_limits_lock);
	return bytes;
}

/**
 * smaf_limits_describe() - an allocator's limits and a user's charge on it
 * @alloc: an added allocator
 * @uid: the user
 * @q: out: @user_bytes, @user_max, @global_max and @reserve
 *
 * Context: process context; registry lock held; takes the limits lock.
 */
void smaf_limits_describe(const struct smaf_allocator *alloc, kuid_t uid,
			  struct smaf_allocator_query *q)
{
	struct smaf_user *u;

	mutex_lock(&smaf_limits_lock);
	q->user_max = alloc->limit.user_max;
	q->global_max = alloc->limit.global_max;
	q->reserve = alloc->limit.reserve;
	q->user_bytes = 0;
	list_for_each_entry(u, &smaf_users, node)
		if (uid_eq(u->uid, uid))
			q->user_bytes = u->bytes[alloc->id];
	mutex_unlock(&smaf_limits_lock);
}

/* Copies @alloc's name into the table @arg, at its id. */
static int smaf_limits_name(struct smaf_allocator *alloc, void *arg)
{
	char (*names)[SMAF_NAME_LEN] = arg;

	strscpy(names[alloc->id], alloc->name, SMAF_NAME_LEN);
	return 0;
}

/**
 * smaf_limits_show_users() - print per-user usage
 * @s: debugfs file
 *
 * One line per user who holds buffers or bytes, or pauses: uid, live
 * buffers, bytes per allocator, refusals.
 *
 * Context: process context; takes the registry lock, then the limits lock.
 */
void smaf_limits_show_users(struct seq_file *s)
{
	char (*names)[SMAF_NAME_LEN];
	struct smaf_user *u;
	unsigned int i;

	/* The names first: the registry lock comes before the limits lock. */
	names = kcalloc(SMAF_MAX_ALLOCATORS, SMAF_NAME_LEN, GFP_KERNEL);
	if (!names)
		return;
	smaf_allocator_for_each(smaf_limits_name, names);
	mutex_lock(&smaf_limits_lock);
	list_for_each_entry(u, &smaf_users, node) {
		if (smaf_user_idle(u))
			continue;
		seq_printf(s, "uid=%u buffers=%u refused=%lu",
			   from_kuid_munged(&init_user_ns, u->uid), u->buffers,
			   u->refused);
		for (i = 0; i < SMAF_MAX_ALLOCATORS; i++)
			if (u->bytes[i])
				seq_printf(s, " %s=%llu", names[i][0] ? names[i] : "?",
					   u->bytes[i]);
		seq_puts(s, "\n");
	}
	mutex_unlock(&smaf_limits_lock);
	kfree(names);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * smaf-testsecure: a software firewall plugged into SMAF as its secure
 * module, so that secure buffers can be tested without a TEE.
 *
 * Its policy (module parameter "policy", root-writable at runtime) says who
 * may read and write secure buffers.  Rules are separated by spaces or
 * commas:
 *
 *   cpu=ACCESS             the CPU (mmap, vmap, DMA_BUF_IOCTL_SYNC)
 *   driver:NAME=ACCESS     devices bound to the driver called NAME
 *   device:NAME=ACCESS     the device called NAME
 *   *=ACCESS               everyone else
 *
 * ACCESS is r, w, rw or - (nothing).  A device rule beats a driver rule,
 * which beats "*"; without a matching rule access is denied.  The default
 * policy is empty: nobody may touch secure buffers.
 *
 * The CPU is granted a use only if the policy allows all of it (SMAF
 * enforces read-only CPU mappings).  A device is granted a mapping if the
 * policy allows any of the access its direction asks for, as a bus firewall
 * would then be programmed with the allowed part only (DRM imports map
 * bidirectionally even for devices that only read).
 *
 * "grant_delay_ms" (root-writable) makes every grant request sleep, as a
 * slow TEE would, while SMAF holds the buffer's lock.
 *
 * For tests of SMAF's all-or-nothing rule, "deny_nth" (root-writable) makes
 * the N-th grant request from now on fail whatever the policy says, with
 * the errno "deny_errno" (default EACCES; ENOMEM stands for a module that
 * could not decide).
 *
 * With "scrub=1" (load time, the default) the module zeroes released
 * buffers itself, as a TEE would (SMAF's scrub op): a scrubbed range leaves
 * the buffer (SMAF frees it, at release or when the buffer moves), so the
 * module forgets it.  With "scrub=0" SMAF asks it a CPU write grant to zero
 * them, which the policy decides like any other CPU use; the module then
 * cannot tell memory a buffer moved away from, so tests that move secure
 * buffers use scrub=1.
 *
 * Counters of grants, denials and revokes, and the live contexts, are in
 * <debugfs>/<module name>/stats.  Every context checks at destruction that
 * each grant was revoked, and that the memory it granted and did not scrub
 * itself (SMAF zeroes a secure buffer before destroying its context) holds
 * no byte but zero: "dirty" counts the contexts that failed that check.  Like a firewall
 * would, it also watches writes: when the last grant that allows writing
 * is revoked it takes a checksum of the memory, and at destruction
 * "unguarded" counts the contexts whose memory changed since, that is,
 * was written while nobody held a write grant.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/device.h>
#include <linux/err.h>
#include <linux/io.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sysfs.h>

#include <linux/smaf/secure.h>

#define TS_READ		BIT(0)
#define TS_WRITE	BIT(1)
#define TS_MAX_RULES	16
#define TS_NAME_LEN	48

struct ts_rule {
	char who[TS_NAME_LEN + 8];	/* "cpu", "*", "driver:x", "device:x" */
	u8 access;
};

/* Protects ts_rules and ts_nrules. */
static DEFINE_MUTEX(ts_lock);
static struct ts_rule ts_rules[TS_MAX_RULES];
static unsigned int ts_nrules;

static atomic_long_t ts_grants, ts_denials, ts_revokes, ts_dirty;

/* A slow module: every grant request sleeps this long (holding SMAF's lock). */
static unsigned int grant_delay_ms;
module_param(grant_delay_ms, uint, 0644);
MODULE_PARM_DESC(grant_delay_ms, "sleep in every grant request, ms (default 0)");
static atomic_long_t ts_unguarded;

static bool scrub = true;
module_param(scrub, bool, 0444);
MODULE_PARM_DESC(scrub, "zero released buffers here instead of letting SMAF's CPU do it (default 1)");

static int deny_errno = EACCES;
module_param(deny_errno, int, 0644);
MODULE_PARM_DESC(deny_errno, "errno of the denial deny_nth forces (default EACCES)");

static atomic_t deny_nth = ATOMIC_INIT(0);
static int ts_deny_nth_set(const char *val, const struct kernel_param *kp)
{
	int n, ret = kstrtoint(val, 0, &n);

	if (ret || n < 0)
		return ret ? ret : -EINVAL;
	atomic_set(&deny_nth, n);
	return 0;
}

static int ts_deny_nth_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%d\n", atomic_read(&deny_nth));
}

static const struct kernel_param_ops ts_deny_nth_ops = {
	.set = ts_deny_nth_set,
	.get = ts_deny_nth_get,
};
module_param_cb(deny_nth, &ts_deny_nth_ops, NULL, 0644);
MODULE_PARM_DESC(deny_nth, "refuse the N-th grant request from now on (0: off)");

/* Counts a grant request down; true for the one deny_nth designates. */
static bool ts_forced_denial(void)
{
	int n = atomic_read(&deny_nth);

	while (n > 0) {
		int old = atomic_cmpxchg(&deny_nth, n, n - 1);

		if (old == n)
			return n == 1;
		n = old;
	}
	return false;
}

static atomic_t ts_contexts;
static struct dentry *ts_debugfs;

#define TS_MAX_RANGES 8

/**
 * struct ts_ctx - one secure buffer
 * @active: grants not yet revoked
 * @lock: protects the fields below it
 * @writers: grants not yet revoked that allow writing
 * @sum_valid: @sum holds the checksum taken when @writers dropped to 0
 * @sum: that checksum
 * @nranges: ranges recorded
 * @ranges: distinct ranges granted, checked for zeroes at destruction
 */
struct ts_ctx {
	atomic_t active;
	struct mutex lock; /* see @lock above */
	unsigned int writers;
	bool sum_valid;
	u64 sum;
	unsigned int nranges;
	struct {
		phys_addr_t addr;
		size_t size;
	} ranges[TS_MAX_RANGES];
};

static void ts_record_locked(struct ts_ctx *ctx, phys_addr_t addr, size_t size)
{
	unsigned int i;

	for (i = 0; i < ctx->nranges; i++)
		if (ctx->ranges[i].addr == addr)
			return;
	if (ctx->nranges < TS_MAX_RANGES) {
		ctx->ranges[ctx->nranges].addr = addr;
		ctx->ranges[ctx->nranges].size = size;
		ctx->nranges++;
	}
}

static void ts_record(struct ts_ctx *ctx, phys_addr_t addr, size_t size)
{
	mutex_lock(&ctx->lock);
	ts_record_locked(ctx, addr, size);
	mutex_unlock(&ctx->lock);
}

/* FNV-1a over the recorded ranges.  @ctx->lock held. */
static u64 ts_checksum(struct ts_ctx *ctx)
{
	u64 h = 0xcbf29ce484222325ULL;
	unsigned int i;
	size_t off;
	u64 *p;

	for (i = 0; i < ctx->nranges; i++) {
		p = memremap(ctx->ranges[i].addr, ctx->ranges[i].size, MEMREMAP_WB);
		if (!p)
			continue;
		for (off = 0; off < ctx->ranges[i].size / 8; off++)
			h = (h ^ p[off]) * 0x100000001b3ULL;
		memunmap(p);
	}
	return h;
}

static bool ts_range_is_zero(phys_addr_t addr, size_t size)
{
	void *p = memremap(addr, size, MEMREMAP_WB);
	bool zero;

	if (!p)
		return false;
	zero = !memchr_inv(p, 0, size);
	memunmap(p);
	return zero;
}

static int ts_parse_rule(struct ts_rule *r, const char *s, size_t len)
{
	const char *eq = memchr(s, '=', len);
	size_t wlen;

	if (!eq || eq == s)
		return -EINVAL;
	wlen = eq - s;
	if (wlen >= sizeof(r->who))
		return -ENAMETOOLONG;
	memcpy(r->who, s, wlen);
	r->who[wlen] = '\0';
	if (strcmp(r->who, "cpu") && strcmp(r->who, "*") &&
	    strncmp(r->who, "driver:", 7) && strncmp(r->who, "device:", 7))
		return -EINVAL;

	len -= wlen + 1;
	s = eq + 1;
	if (len == 1 && *s == '-')
		r->access = 0;
	else if (len == 1 && *s == 'r')
		r->access = TS_READ;
	else if (len == 1 && *s == 'w')
		r->access = TS_WRITE;
	else if (len == 2 && !strncmp(s, "rw", 2))
		r->access = TS_READ | TS_WRITE;
	else
		return -EINVAL;
	return 0;
}

static int ts_policy_set(const char *val, const struct kernel_param *kp)
{
	struct ts_rule *rules;
	unsigned int n = 0;
	size_t len;
	int ret = 0;

	rules = kcalloc(TS_MAX_RULES, sizeof(*rules), GFP_KERNEL);
	if (!rules)
		return -ENOMEM;
	for (;;) {
		val += strspn(val, " ,\n\t");
		if (!*val)
			break;
		len = strcspn(val, " ,\n\t");
		if (n == TS_MAX_RULES) {
			ret = -E2BIG;
			goto out;
		}
		ret = ts_parse_rule(&rules[n++], val, len);
		if (ret)
			goto out;
		val += len;
	}
	mutex_lock(&ts_lock);
	memcpy(ts_rules, rules, n * sizeof(*rules));
	ts_nrules = n;
	mutex_unlock(&ts_lock);
	pr_info("policy: %u rules\n", n);
out:
	kfree(rules);
	return ret;
}

static int ts_policy_get(char *buf, const struct kernel_param *kp)
{
	static const char *const names[] = { "-", "r", "w", "rw" };
	unsigned int i;
	int len = 0;

	mutex_lock(&ts_lock);
	for (i = 0; i < ts_nrules; i++)
		len += scnprintf(buf + len, PAGE_SIZE - len, "%s=%s\n",
				 ts_rules[i].who, names[ts_rules[i].access]);
	mutex_unlock(&ts_lock);
	return len;
}

static const struct kernel_param_ops ts_policy_ops = {
	.set = ts_policy_set,
	.get = ts_policy_get,
};
module_param_cb(policy, &ts_policy_ops, NULL, 0644);
MODULE_PARM_DESC(policy, "who may access secure buffers: \"cpu=r driver:vivid=w device:vgem=rw *=-\"");

/* What the policy allows @dev (NULL: the CPU). */
static u8 ts_allowed(struct device *dev)
{
	char driver[TS_NAME_LEN + 8], device[TS_NAME_LEN + 8];
	int by_device = -1, by_driver = -1, any = -1;
	unsigned int i;

	if (dev) {
		snprintf(driver, sizeof(driver), "driver:%s",
			 dev->driver ? dev->driver->name : "");
		snprintf(device, sizeof(device), "device:%s", dev_name(dev));
	} else {
		strscpy(device, "cpu", sizeof(device));
		driver[0] = '\0';
	}
	mutex_lock(&ts_lock);
	for (i = 0; i < ts_nrules; i++) {
		if (!strcmp(ts_rules[i].who, device))
			by_device = ts_rules[i].access;
		else if (!strcmp(ts_rules[i].who, driver))
			by_driver = ts_rules[i].access;
		else if (!strcmp(ts_rules[i].who, "*"))
			any = ts_rules[i].access;
	}
	mutex_unlock(&ts_lock);
	if (by_device >= 0)
		return by_device;
	if (by_driver >= 0)
		return by_driver;
	return any >= 0 ? any : 0;
}

/**
 * ts_create_ctx() - a buffer became secure
 * @sec: this module
 * @size: the buffer's size
 *
 * Context: process context.
 * Return: the context or ERR_PTR(-ENOMEM).
 */
static void *ts_create_ctx(struct smaf_secure *sec, size_t size)
{
	struct ts_ctx *ctx = kzalloc(sizeof(*ctx), GFP_KERNEL);

	if (!ctx)
		return ERR_PTR(-ENOMEM);
	mutex_init(&ctx->lock);
	atomic_inc(&ts_contexts);
	return ctx;
}

/**
 * ts_destroy_ctx() - a secure buffer is gone
 * @sec: this module
 * @c: its context
 *
 * Context: process context.
 */
static void ts_destroy_ctx(struct smaf_secure *sec, void *c)
{
	struct ts_ctx *ctx = c;

	unsigned int i;

	WARN(atomic_read(&ctx->active), "%d grants never revoked\n",
	     atomic_read(&ctx->active));
	if (ctx->sum_valid && ts_checksum(ctx) != ctx->sum) {
		pr_err("secure memory written while no write grant was held\n");
		atomic_long_inc(&ts_unguarded);
	}
	for (i = 0; i < ctx->nranges; i++) {
		if (!ts_range_is_zero(ctx->ranges[i].addr, ctx->ranges[i].size)) {
			pr_err("secure memory %pa+%#zx not zeroed before release\n",
			       &ctx->ranges[i].addr, ctx->ranges[i].size);
			atomic_long_inc(&ts_dirty);
			break;
		}
	}
	atomic_dec(&ts_contexts);
	mutex_destroy(&ctx->lock);
	kfree(ctx);
}

static u8 ts_dir_access(enum dma_data_direction dir)
{
	switch (dir) {
	case DMA_TO_DEVICE:
		return TS_READ;
	case DMA_FROM_DEVICE:
		return TS_WRITE;
	default:
		return TS_READ | TS_WRITE;
	}
}

/**
 * ts_grant_access() - decide on one range
 * @sec: this module
 * @c: the buffer's context
 * @dev: the device, NULL for the CPU
 * @addr: physical start of the range
 * @size: bytes
 * @dir: access asked, from the device's point of view
 *
 * Context: process context, SMAF's buffer lock held; takes the policy lock.
 * Return: 0, -EACCES, or the forced deny_errno.
 */
static int ts_grant_access(struct smaf_secure *sec, void *c, struct device *dev,
			   phys_addr_t addr, size_t size,
			   enum dma_data_direction dir)
{
	struct ts_ctx *ctx = c;
	u8 want = ts_dir_access(dir), allowed = ts_allowed(dev);
	bool ok = dev ? (want & allowed) : (want & allowed) == want;
	unsigned int delay = READ_ONCE(grant_delay_ms);

	if (delay)
		msleep(delay);
	if (ts_forced_denial()) {
		atomic_long_inc(&ts_denials);
		return deny_errno > 0 && deny_errno < MAX_ERRNO ? -deny_errno : -EACCES;
	}

	if (!ok) {
		atomic_long_inc(&ts_denials);
		pr_info_ratelimited("denied %s %s%s access to %pa+%#zx\n",
				    dev ? dev_name(dev) : "cpu",
				    want & TS_READ ? "r" : "", want & TS_WRITE ? "w" : "",
				    &addr, size);
		return -EACCES;
	}
	atomic_long_inc(&ts_grants);
	atomic_inc(&ctx->active);
	ts_record(ctx, addr, size);
	if (want & TS_WRITE) {
		mutex_lock(&ctx->lock);
		ctx->writers++;
		mutex_unlock(&ctx->lock);
	}
	return 0;
}

/**
 * ts_revoke_access() - take one grant back
 * @sec: this module
 * @c: the buffer's context
 * @dev: the device, NULL for the CPU
 * @addr: physical start of the range
 * @size: bytes
 * @dir: the direction that was granted
 *
 * Context: process context, SMAF's buffer lock held.
 */
static void ts_revoke_access(struct smaf_secure *sec, void *c,
			     struct device *dev, phys_addr_t addr, size_t size,
			     enum dma_data_direction dir)
{
	struct ts_ctx *ctx = c;

	WARN_ON(atomic_dec_return(&ctx->active) < 0);
	atomic_long_inc(&ts_revokes);
	if (ts_dir_access(dir) & TS_WRITE) {
		mutex_lock(&ctx->lock);
		if (!WARN_ON(!ctx->writers) && !--ctx->writers) {
			ctx->sum = ts_checksum(ctx);
			ctx->sum_valid = true;
		}
		mutex_unlock(&ctx->lock);
	}
}

/**
 * ts_scrub() - zero a released buffer's range, as a TEE would
 * @sec: this module
 * @c: the buffer's context
 * @addr: physical start of the range
 * @size: bytes
 *
 * Context: process context, SMAF's buffer lock held.
 * Return: 0 or -ENOMEM.
 */
static int ts_scrub(struct smaf_secure *sec, void *c, phys_addr_t addr,
		    size_t size)
{
	struct ts_ctx *ctx = c;
	void *p = memremap(addr, size, MEMREMAP_WB);
	unsigned int i;

	if (!p)
		return -ENOMEM;
	memset(p, 0, size);
	memunmap(p);
	/* The range leaves the buffer: forget it. */
	mutex_lock(&ctx->lock);
	for (i = 0; i < ctx->nranges; i++)
		if (ctx->ranges[i].addr == addr)
			ctx->ranges[i] = ctx->ranges[--ctx->nranges];
	ctx->sum = ts_checksum(ctx);
	mutex_unlock(&ctx->lock);
	return 0;
}

static const struct smaf_secure_ops ts_ops = {
	.create_ctx = ts_create_ctx,
	.destroy_ctx = ts_destroy_ctx,
	.grant_access = ts_grant_access,
	.revoke_access = ts_revoke_access,
};

static const struct smaf_secure_ops ts_ops_scrub = {
	.create_ctx = ts_create_ctx,
	.destroy_ctx = ts_destroy_ctx,
	.grant_access = ts_grant_access,
	.revoke_access = ts_revoke_access,
	.scrub = ts_scrub,
};

static struct smaf_secure *ts_secure;

static int ts_stats_show(struct seq_file *s, void *unused)
{
	seq_printf(s, "contexts=%d grants=%ld denials=%ld revokes=%ld dirty=%ld unguarded=%ld\n",
		   atomic_read(&ts_contexts), atomic_long_read(&ts_grants),
		   atomic_long_read(&ts_denials), atomic_long_read(&ts_revokes),
		   atomic_long_read(&ts_dirty), atomic_long_read(&ts_unguarded));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(ts_stats);

static int __init ts_init(void)
{
	struct smaf_secure_info info = {
		.name = KBUILD_MODNAME,
		.ops = scrub ? &ts_ops_scrub : &ts_ops,
		.owner = THIS_MODULE,
	};

	ts_secure = smaf_secure_add(&info);
	if (IS_ERR(ts_secure)) {
		pr_err("cannot register with SMAF: %ld\n", PTR_ERR(ts_secure));
		return PTR_ERR(ts_secure);
	}
	ts_debugfs = debugfs_create_dir(KBUILD_MODNAME, NULL);
	debugfs_create_file("stats", 0444, ts_debugfs, NULL, &ts_stats_fops);
	return 0;
}

static void __exit ts_exit(void)
{
	debugfs_remove_recursive(ts_debugfs);
	smaf_secure_remove(ts_secure);
}

module_init(ts_init);
module_exit(ts_exit);

MODULE_DESCRIPTION("SMAF test secure module: a software firewall");
MODULE_LICENSE("GPL");

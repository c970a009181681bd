// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * smafctl status: usage and limits per allocator, the caller's buffers (and,
 * as root, every user's).
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "smafctl.h"

const char usage_status[] =
"Usage: smafctl status [--json] [FD | PID:FD ...]\n"
"\n"
"Per allocator (any user that may open the device): buffers and bytes in\n"
"use, your own bytes on it, its limits (per unprivileged user, all users\n"
"together, the reserve kept for callers with CAP_IPC_LOCK; \"none\": no\n"
"limit), allocations, failures and refusals by a limit.\n"
"\n"
"Buffers: those of the fds given (FD of smafctl itself, or PID:FD of\n"
"another process), else every SMAF buffer held by a process whose fds the\n"
"kernel lets you take (pidfd_getfd(2): your own processes, as ptrace\n"
"allows).  For each: the holder, the inode of its dma-buf (st_ino), size,\n"
"whether it has memory, the allocator and why it was chosen (named,\n"
"best-match, or fallback after a better one ran out), secure,\n"
"write-combined and contiguous or not, its chunks, the errno of its last\n"
"failed first use, attached devices, moves for a device that attached\n"
"late and refused moves.  This is SMAF_IOC_QUERY_BUFFER: no debugfs.\n"
"\n"
"As root with debugfs mounted (" DEBUGFS_DIR "/) and no operand, it shows\n"
"everything instead: per user, live buffers, refusals and bytes per\n"
"allocator; migration (whether it is on, buffers moved, bytes copied,\n"
"refusals by cause); and every live buffer with its merged constraints and\n"
"physical range.\n"
"\n"
"  --json   print {\"allocators\": [...], \"buffers\": [...]}, with\n"
"           \"users\" and \"migrate\" as root\n";

static const char *const user_keys[] = {
	"uid", "buffers", "refused", "system", "dma32", "contig", "carveout", NULL
};
static const char *const buffer_keys[] = {
	"ino", "size", "allocated", "allocator", "named", "attachments",
	"secure", "error", "devices", "limit", "need_contig", "align", "why",
	"phys", "contig", "migrations", "refused", NULL
};

static const char *const migrate_keys[] = {
	"enabled", "migrations", "bytes", "refused_off", "refused_device_mapped",
	"refused_vmap", "refused_secure", "refused_allocation", "refused_copy", NULL
};

/* Prints a debugfs file as a table or as a JSON array. */
static int print_file(const char *name, const char *const *keys, int json)
{
	char line[512], val[128];
	int i, n = 0;
	FILE *f = open_debugfs(name);

	if (!f)
		return -1;
	if (json) {
		printf("\"%s\": [", name);
	} else {
		for (i = 0; keys[i]; i++)
			printf("%-12s", keys[i]);
		printf("\n");
	}
	while (fgets(line, sizeof(line), f)) {
		if (json)
			printf("%s{", n ? ", " : "");
		for (i = 0; keys[i]; i++) {
			if (field(line, keys[i], val, sizeof(val)))
				strcpy(val, "-");
			if (!json) {
				printf("%-12s", val);
				continue;
			}
			if (strspn(val, "-0123456789") == strlen(val) && strcmp(val, "-"))
				printf("%s\"%s\": %s", i ? ", " : "", keys[i], val);
			else
				printf("%s\"%s\": \"%s\"", i ? ", " : "", keys[i], val);
		}
		printf(json ? "}" : "\n");
		n++;
	}
	if (json)
		printf("]");
	else if (!n)
		printf("(none)\n");
	fclose(f);
	return 0;
}

/* Prints @v, or "none" for SMAF_NO_LIMIT (JSON: null). */
static void print_limit(uint64_t v, int json)
{
	if (v == SMAF_NO_LIMIT)
		printf(json ? "null" : "%-12s", "none");
	else
		printf(json ? "%" PRIu64 : "%-12" PRIu64, v);
}

/* The allocators' usage and limits, from the query: any user may ask. */
static int status_allocators(struct smaf_device *dev, int json)
{
	struct smaf_allocator_usage *u;
	int n, i;

	n = smaf_device_get_num_allocators(dev);
	if (n < 0) {
		fprintf(stderr, "smafctl: cannot list the allocators: %s\n", strerror(errno));
		return -1;
	}
	if (json)
		printf("\"allocators\": [");
	else
		printf("%-12s%-9s%-9s%-12s%-12s%-12s%-12s%-12s%-12s%-9s%s\n", "name", "ranking",
		       "buffers", "bytes", "yours", "user_max", "global_max", "reserve",
		       "allocations", "failures", "refusals");
	for (i = 0; i < n; i++) {
		u = smaf_device_get_allocator_usage(dev, i);
		if (!u) {
			fprintf(stderr, "smafctl: cannot query allocator %d: %s%s\n", i,
				strerror(errno), errno == ENOTTY ?
				" (a SMAF module without the query)" : "");
			return -1;
		}
		if (json)
			printf("%s{\"name\": \"%s\", \"ranking\": %d, \"buffers\": %u, \"bytes\": %" PRIu64
			       ", \"user_bytes\": %" PRIu64 ", \"user_max\": ", i ? ", " : "",
			       smaf_allocator_usage_get_name(u), smaf_allocator_usage_get_ranking(u),
			       smaf_allocator_usage_get_buffers(u), smaf_allocator_usage_get_bytes(u),
			       smaf_allocator_usage_get_user_bytes(u));
		else
			printf("%-12s%-9d%-9u%-12" PRIu64 "%-12" PRIu64, smaf_allocator_usage_get_name(u),
			       smaf_allocator_usage_get_ranking(u), smaf_allocator_usage_get_buffers(u),
			       smaf_allocator_usage_get_bytes(u), smaf_allocator_usage_get_user_bytes(u));
		print_limit(smaf_allocator_usage_get_user_max(u), json);
		printf(json ? ", \"global_max\": " : "");
		print_limit(smaf_allocator_usage_get_global_max(u), json);
		printf(json ? ", \"reserve\": " : "");
		print_limit(smaf_allocator_usage_get_reserve(u), json);
		printf(json ? ", \"allocations\": %" PRIu64 ", \"failures\": %" PRIu64
		       ", \"refusals\": %" PRIu64 "}" : "%-12" PRIu64 "%-9" PRIu64 "%" PRIu64 "\n",
		       smaf_allocator_usage_get_allocations(u), smaf_allocator_usage_get_failures(u),
		       smaf_allocator_usage_get_refusals(u));
		smaf_allocator_usage_free(u);
	}
	if (json)
		printf("]");
	return 0;
}

static const char *const reason_names[] = { "-", "named", "best-match", "fallback" };

/* One buffer, held by @pid as @fd (a duplicate of it is @dup): 1 if SMAF's. */
static int status_buffer(struct smaf_device *dev, int dup, int pid, int fd, int json,
			 int n)
{
	struct smaf_buffer_info *info = smaf_buffer_get_info(dev, dup);
	unsigned int state, reason;
	struct stat st;

	if (!info)
		return 0;
	fstat(dup, &st);
	state = smaf_buffer_info_get_state(info);
	reason = smaf_buffer_info_get_reason(info);
	if (reason >= sizeof(reason_names) / sizeof(reason_names[0]))
		reason = 0;
	printf(json ? "%s{\"pid\": %d, \"fd\": %d, \"ino\": %lu, \"size\": %" PRIu64
	       ", \"allocated\": %d, \"allocator\": \"%s\", \"why\": \"%s\", \"secure\": %d"
	       ", \"uncached\": %d, \"contig\": %d, \"chunks\": %u, \"error\": %d"
	       ", \"attachments\": %u, \"migrations\": %u, \"refusals\": %u}" :
	       "%s%-8d%-6d%-10lu%-12" PRIu64 "%-11d%-12s%-12s%-8d%-10d%-8d%-8u%-7d%-13u%-12u%u\n",
	       json && n ? ", " : "", pid, fd, (unsigned long)st.st_ino,
	       smaf_buffer_info_get_length(info), !!(state & SMAF_STATE_ALLOCATED),
	       *smaf_buffer_info_get_allocator(info) ? smaf_buffer_info_get_allocator(info) : "-",
	       reason_names[reason], !!(state & SMAF_STATE_SECURE),
	       !!(state & SMAF_STATE_UNCACHED), !!(state & SMAF_STATE_CONTIGUOUS),
	       smaf_buffer_info_get_chunks(info), smaf_buffer_info_get_last_error(info),
	       smaf_buffer_info_get_devices(info), smaf_buffer_info_get_migrations(info),
	       smaf_buffer_info_get_refusals(info));
	smaf_buffer_info_free(info);
	return 1;
}

/* A duplicate of @pid's @fd (pidfd_getfd(2)), or -1 if the kernel says no. */
static int borrow_fd(int pid, int fd)
{
	int pidfd, dup;

	if (pid == getpid())
		return fcntl(fd, F_DUPFD_CLOEXEC, 0);
	pidfd = syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0)
		return -1;
	dup = syscall(SYS_pidfd_getfd, pidfd, fd, 0);
	close(pidfd);
	return dup;
}

/*
 * The SMAF buffers the caller can see: those of @operands ("FD" of smafctl
 * or "PID:FD"), else every dma-buf fd of the processes pidfd_getfd(2) lets
 * it take (its own user's, where the kernel allows), each buffer once.
 */
static int status_buffers(struct smaf_device *dev, int json, char **operands, int nops)
{
	unsigned long seen[256];
	char path[300], link[64];
	int n = 0, nseen = 0, i, pid, fd, dup, bad = 0;
	struct dirent *p, *f;
	struct stat st;
	DIR *procs, *fds;

	if (json)
		printf("\"buffers\": [");
	else
		printf("%-8s%-6s%-10s%-12s%-11s%-12s%-12s%-8s%-10s%-8s%-8s%-7s%-13s%-12s%s\n",
		       "pid", "fd", "ino", "size", "allocated", "allocator", "why", "secure",
		       "uncached", "contig", "chunks", "error", "attachments", "migrations",
		       "refusals");
	for (i = 0; i < nops; i++) {
		if (sscanf(operands[i], "%d:%d", &pid, &fd) != 2) {
			pid = getpid();
			fd = atoi(operands[i]);
		}
		dup = borrow_fd(pid, fd);
		if (dup < 0 || !status_buffer(dev, dup, pid, fd, json, n)) {
			fprintf(stderr, "smafctl: %s: %s\n", operands[i],
				dup < 0 ? strerror(errno) : "not a SMAF buffer");
			bad = 1;
		} else {
			n++;
		}
		if (dup >= 0)
			close(dup);
	}
	procs = nops ? NULL : opendir("/proc");
	while (procs && (p = readdir(procs))) {
		pid = atoi(p->d_name);
		if (pid <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/fd", pid);
		fds = opendir(path);
		while (fds && (f = readdir(fds))) {
			ssize_t len;

			snprintf(path, sizeof(path), "/proc/%d/fd/%s", pid, f->d_name);
			len = readlink(path, link, sizeof(link) - 1);
			if (len < 8 || strncmp(link, "/dmabuf:", 8))
				continue;
			dup = borrow_fd(pid, atoi(f->d_name));
			if (dup < 0)
				continue;
			if (fstat(dup, &st)) {
				close(dup);
				continue;
			}
			for (i = 0; i < nseen; i++)
				if (seen[i] == st.st_ino)
					break;
			if (i == nseen && status_buffer(dev, dup, pid, atoi(f->d_name), json, n)) {
				n++;
				if (nseen < (int)(sizeof(seen) / sizeof(seen[0])))
					seen[nseen++] = st.st_ino;
			}
			close(dup);
		}
		if (fds)
			closedir(fds);
	}
	if (procs)
		closedir(procs);
	if (json)
		printf("]");
	else if (!n)
		printf("(none)\n");
	return bad ? -1 : 0;
}

int cmd_status(int argc, char **argv)
{
	int json, ret, everything;
	struct smaf_device *dev;

	ret = json_help_opts(argc, argv, usage_status, &json);
	if (ret <= 0)
		return ret ? 2 : 0;
	dev = open_device();
	/* Root with debugfs sees every user and every buffer, as before. */
	everything = !access(DEBUGFS_DIR "/buffers", R_OK) && optind == argc;
	printf(json ? "{" : "Allocators:\n");
	ret = status_allocators(dev, json);
	if (!ret && everything) {
		printf(json ? ", " : "\nUsers:\n");
		ret = print_file("users", user_keys, json);
		printf(!ret && json ? ", " : !ret ? "\nMigration (buffers moved for a late device):\n" : "");
		if (!ret)
			ret = print_file("migrate", migrate_keys, json);
		printf(!ret && json ? ", " : !ret ? "\nBuffers (every process's):\n" : "");
		if (!ret)
			ret = print_file("buffers", buffer_keys, json);
	} else if (!ret) {
		printf(json ? ", " : "\nBuffers (%s):\n", optind < argc ? "those given" :
		       "of the processes you may inspect");
		ret = status_buffers(dev, json, argv + optind, argc - optind);
	}
	printf(json ? "}\n" : "");
	smaf_device_close(dev);
	return ret ? 1 : 0;
}

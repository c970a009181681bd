// SPDX-License-Identifier: GPL-2.0
/*
 * smafctl against the real module: output, JSON, exit codes and the error
 * messages people see.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "smaf-test.h"

/* Runs @cmd, captures stdout+stderr into @out; returns the exit status. */
static int run(const char *cmd, char *out, size_t len)
{
	char full[512];
	size_t n = 0;
	FILE *p;
	int st;

	snprintf(full, sizeof(full), "%s 2>&1", cmd);
	p = popen(full, "r");
	if (!p)
		return -1;
	while (n + 1 < len && fgets(out + n, (int)(len - n), p))
		n += strlen(out + n);
	out[n] = '\0';
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/*
 * run() as user and group @id, in a child; returns the exit status.  With
 * @hold, the child first creates and uses a 1 MiB buffer it holds while
 * @cmd runs, and @out starts with "holder=PID\n".
 */
static int run_as(unsigned int id, const char *cmd, char *out, size_t len, int hold)
{
	int pfd[2], st;
	size_t n = 0;
	ssize_t r;
	pid_t pid;

	if (pipe(pfd))
		return -1;
	pid = fork();
	if (pid == 0) {
		int dev, buf;

		close(pfd[0]);
		if (setgid(id) || setuid(id) || prctl(PR_SET_DUMPABLE, 1))
			_exit(126);
		if (hold) {
			dev = open("/dev/smaf", O_RDWR | O_CLOEXEC);
			buf = dev < 0 ? -1 : smaf_test_create(dev, 1 << 20, NULL);
			if (buf < 0 || smaf_first_use(buf))
				_exit(124);
			n = snprintf(out, len, "holder=%d\n", (int)getpid());
		}
		st = run(cmd, out + n, len - n);
		if (write(pfd[1], out, strlen(out)) < 0)
			_exit(125);
		_exit(st);
	}
	close(pfd[1]);
	while (pid > 0 && n + 1 < len && (r = read(pfd[0], out + n, len - n - 1)) > 0)
		n += r;
	out[n] = '\0';
	close(pfd[0]);
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

int main(void)
{
	static char out[16384];
	char want[64], cmd[64], *line;
	int st, holder, dev, buf;

	st = run("smafctl list", out, sizeof(out));
	tap_ok(st == 0 && strstr(out, "system") && strstr(out, "contig") &&
	       strstr(out, "RANKING"), "list: a table of allocators");
	st = run("smafctl list --json", out, sizeof(out));
	tap_ok(st == 0 && out[0] == '[' && strstr(out, "{\"name\": \"system\", \"ranking\": 40}"),
	       "list --json: %s", strtok(out, "\n"));

	st = run("smafctl heaps", out, sizeof(out));
	tap_ok(st == 0 && strstr(out, "/dev/dma_heap/smaf ") && strstr(out, "linux,cma") &&
	       strstr(out, "contig,dma32,uncached") && strstr(out, "active"),
	       "heaps: a table of SMAF's heap nodes");
	st = run("smafctl heaps --json", out, sizeof(out));
	tap_ok(st == 0 && strstr(out, "{\"name\":\"smaf\",\"node\":\"/dev/dma_heap/smaf\","
	       "\"attrs\":\"-\",\"state\":\"active\"}"), "heaps --json: %s", strtok(out, "\n"));

	st = run("smafctl alloc 3M", out, sizeof(out));
	tap_ok(st == 0 && strstr(out, "3145728 bytes") &&
	       strstr(out, "allocator: system (chosen by SMAF on first use)"),
	       "alloc 3M: allocated, reports the allocator SMAF chose");
	st = run("smafctl alloc 1M --allocator=carveout", out, sizeof(out));
	tap_ok(st == 0 && strstr(out, "allocator: carveout (named at create time)"),
	       "alloc -a carveout: reports the named allocator");
	st = run("smafctl alloc 4k -a nosuch", out, sizeof(out));
	tap_ok(st == 1 && strstr(out, "no allocator named 'nosuch' (see: smafctl list)"),
	       "alloc with an unknown allocator: clear error, exit 1");
	st = run("smafctl alloc 12Q", out, sizeof(out));
	tap_ok(st == 2 && strstr(out, "invalid size '12Q'"), "alloc with a bad size: exit 2");
	st = run("smafctl alloc 1T", out, sizeof(out));
	tap_ok(st == 2 || (st == 1 && strstr(out, "larger than this machine's RAM")),
	       "alloc larger than RAM is refused");
	st = run("smafctl alloc 2M --contiguous", out, sizeof(out));
	tap_ok(st == 0 && strstr(out, "memory: 1 physically contiguous chunk, one range") &&
	       !strstr(out, "allocator: system"),
	       "alloc --contiguous: one range, not from system");
	st = run("smafctl alloc 1M --align=3K", out, sizeof(out));
	tap_ok(st == 2 && strstr(out, "invalid alignment '3K'"), "alloc with a bad alignment: exit 2");
	/*
	 * What a buffer got comes from the query: no root, no debugfs.  The
	 * node opened to a group, as dist/udev/60-smaf.rules does.
	 */
	tap_ok(!chown("/dev/smaf", 0, 65534) && !chmod("/dev/smaf", 0660),
	       "/dev/smaf opened to group 65534");
	st = run_as(65534, "smafctl alloc 1M", out, sizeof(out), 0);
	tap_ok(st == 0 && strstr(out, "allocator: system (chosen by SMAF on first use)") &&
	       strstr(out, "memory: "), "alloc as nobody: reports what SMAF chose");
	st = run_as(65534, "smafctl status", out, sizeof(out), 1);
	tap_ok(st == 0 && strstr(out, "Allocators:") && strstr(out, "user_max") &&
	       strstr(out, "of the processes you may inspect") && !strstr(out, "Users:"),
	       "status as nobody: allocators with limits, own buffers, no debugfs part");
	holder = strncmp(out, "holder=", 7) ? -1 : atoi(out + 7);
	snprintf(want, sizeof(want), "\n%-8d", holder);
	line = strstr(out, want);
	tap_ok(line && strstr(line, " 1048576 ") && strstr(line, "system") &&
	       strstr(line, "best-match"), "status as nobody: the buffer it holds, from the query");
	st = run_as(65534, "smafctl status --json", out, sizeof(out), 1);
	holder = strncmp(out, "holder=", 7) ? -1 : atoi(out + 7);
	snprintf(want, sizeof(want), "\"buffers\": [{\"pid\": %d, ", holder);
	tap_ok(st == 0 && strstr(out, want) && strstr(out, "\"user_max\": ") &&
	       !strstr(out, "\"users\""), "status --json as nobody");
	tap_ok(!chmod("/dev/smaf", 0600) && !chown("/dev/smaf", 0, 0), "/dev/smaf root's again");
	st = run("smafctl alloc 4k --secure", out, sizeof(out));
	tap_ok(st == 1 && strstr(out, "no secure module is loaded"),
	       "alloc --secure without secure module: says why");

	st = run("smafctl status", out, sizeof(out));
	tap_ok(st == 0 && strstr(out, "Allocators:") && strstr(out, "Users:") &&
	       strstr(out, "Buffers (every process's):") && strstr(out, "(none)"),
	       "status as root: tables, every user, no live buffer");
	st = run("smafctl status 0 < /dev/null", out, sizeof(out));
	tap_ok(st == 1 && strstr(out, "smafctl: 0: not a SMAF buffer"),
	       "status FD that is not a SMAF buffer: says so, exit 1");
	dev = open("/dev/smaf", O_RDWR | O_CLOEXEC);
	buf = dev < 0 ? -1 : smaf_test_create(dev, 1 << 20, NULL);
	snprintf(cmd, sizeof(cmd), "smafctl status %d:%d", (int)getpid(), buf);
	st = run(cmd, out, sizeof(out));
	snprintf(want, sizeof(want), "\n%-8d%-6d", (int)getpid(), buf);
	tap_ok(buf >= 0 && st == 0 && strstr(out, "Buffers (those given):") && strstr(out, want),
	       "status PID:FD: the buffer another process holds, without memory yet");
	if (buf >= 0)
		close(buf);
	if (dev >= 0)
		close(dev);
	st = run("smafctl status --json", out, sizeof(out));
	tap_ok(st == 0 && !strncmp(out, "{\"allocators\": [", 16) && strstr(out, "\"buffers\": []"),
	       "status --json");

	st = run("smafctl policy", out, sizeof(out));
	tap_ok(st == 0 && strstr(out, "vgem") && strstr(out, "scatter-gather is fine"),
	       "policy: shows the rules");
	st = run("smafctl policy set 'driver:x=sometimes'", out, sizeof(out));
	tap_ok(st == 1 && strstr(out, "invalid policy"), "policy set with a bad rule: clear error");
	st = run("smafctl policy --json", out, sizeof(out));
	tap_ok(st == 0 && strstr(out, "{\"match\": \"device\", \"name\": \"vgem\", \"need\": \"sg\"}"),
	       "policy --json, unchanged by the bad set");

	st = run("smafctl frobnicate", out, sizeof(out));
	tap_ok(st == 2 && strstr(out, "unknown command 'frobnicate'"), "unknown command: exit 2");
	st = run("smafctl --help", out, sizeof(out));
	tap_ok(st == 0 && strstr(out, "Commands:"), "--help");
	st = run("smafctl help alloc", out, sizeof(out));
	tap_ok(st == 0 && strstr(out, "Usage: smafctl alloc"), "help alloc");
	st = run("smafctl -d /dev/nonexistent list", out, sizeof(out));
	tap_ok(st == 1 && strstr(out, "module not loaded?"), "missing device: says module not loaded?");

	tap_ok(smaf_live_buffers() == 0, "no buffer left");
	return tap_done();
}

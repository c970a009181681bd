// SPDX-License-Identifier: GPL-2.0
/*
 * smafctl against the real module: output, JSON, exit codes and the error
 * messages people see.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

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

int main(void)
{
	static char out[16384];
	int st;

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
	st = run("smafctl alloc 4k --secure", out, sizeof(out));
	tap_ok(st == 1 && strstr(out, "no secure module is loaded"),
	       "alloc --secure without secure module: says why");

	st = run("smafctl status", out, sizeof(out));
	tap_ok(st == 0 && strstr(out, "Allocators:") && strstr(out, "Buffers:") &&
	       strstr(out, "(none)"), "status: tables, no live buffer");
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

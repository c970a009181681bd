// SPDX-License-Identifier: GPL-2.0
/*
 * The secure world is there: OP-TEE booted before the kernel (QEMU's
 * secure=on, TF-A, tests/harness/optee.sh), the kernel's OP-TEE driver
 * found it, tee-supplicant serves it, and OP-TEE's own test suite passes
 * a regression subset against it: sessions and commands with trusted
 * applications (1001-1006), cryptography (4001, 4003) and secure storage
 * (6001).  Runs where the harness boots a secure world (smaf_optee=1).
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "smaf-test.h"

static const char *const cases[] = {
	"1001", "1002", "1003", "1004", "1005", "1006", "4001", "4003", "6001",
};
#define NCASES (sizeof(cases) / sizeof(cases[0]))

/* Is a process named @comm running? */
static int running(const char *comm)
{
	char path[300], name[64];
	struct dirent *d;
	DIR *proc = opendir("/proc");
	FILE *f;
	int found = 0;

	while (proc && !found && (d = readdir(proc))) {
		if (d->d_name[0] < '1' || d->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", d->d_name);
		f = fopen(path, "r");
		if (f && fgets(name, sizeof(name), f)) {
			name[strcspn(name, "\n")] = '\0';
			found = !strcmp(name, comm);
		}
		if (f)
			fclose(f);
	}
	if (proc)
		closedir(proc);
	return found;
}

int main(void)
{
	int verdict[NCASES], status, p[2];
	char line[512], *ok;
	unsigned int i, failed = 0;
	struct stat st;
	FILE *out;
	pid_t pid;

	tap_ok(!stat("/dev/tee0", &st) && S_ISCHR(st.st_mode) &&
	       !stat("/dev/teepriv0", &st) && S_ISCHR(st.st_mode),
	       "the OP-TEE driver found the secure world: /dev/tee0, /dev/teepriv0");
	tap_ok(running("tee-supplicant"), "tee-supplicant serves it");

	if (pipe(p))
		tap_bail("pipe: %s", strerror(errno));
	pid = fork();
	if (pid == 0) {
		char *argv[4 + NCASES] = { "xtest", "-t", "regression" };

		for (i = 0; i < NCASES; i++)
			argv[3 + i] = (char *)cases[i];
		dup2(p[1], 1);
		dup2(p[1], 2);
		close(p[0]);
		execv("/usr/bin/xtest", argv);
		_exit(127);
	}
	close(p[1]);
	for (i = 0; i < NCASES; i++)
		verdict[i] = -1;
	out = fdopen(p[0], "r");
	/* "regression_1001 OK" or "regression_1001 FAILED first error at ..." */
	while (out && fgets(line, sizeof(line), out)) {
		if (strncmp(line, "regression_", 11))
			continue;
		for (i = 0; i < NCASES; i++)
			if (!strncmp(line + 11, cases[i], 4) && line[15] == ' ')
				verdict[i] = !strncmp(line + 16, "OK", 2);
		if (strstr(line, "FAILED"))
			tap_diag("%s", line);
	}
	if (out)
		fclose(out);
	waitpid(pid, &status, 0);
	for (i = 0; i < NCASES; i++) {
		ok = verdict[i] == 1 ? "passes" : verdict[i] == 0 ? "FAILED" : "did not run";
		tap_ok(verdict[i] == 1, "xtest regression_%s %s", cases[i], ok);
		failed += verdict[i] != 1;
	}
	tap_ok(WIFEXITED(status) && WEXITSTATUS(status) == 0 && !failed,
	       "xtest exits 0 (status %d)", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	return tap_done();
}

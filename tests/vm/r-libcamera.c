// SPDX-License-Identifier: GPL-2.0
/*
 * Real programs, unmodified, stream into SMAF buffers: Debian's libcamera
 * `cam` and GStreamer's `gst-launch-1.0 libcamerasrc`, from the Debian roots
 * the harness shares with the VM (9p, read-only, at /mnt/client/N: Debian
 * 13's libcamera and the newest Debian has; each root's libcamera has the
 * virtual pipeline handler and the harness's camera description).
 * libcamera's DmaBufAllocator opens the first of /dev/dma_heap/linux,cma,
 * reserved, system: SMAF's aliases where the kernel has no such heap.
 *
 * While each program runs this test reads its open dma-bufs from
 * /proc/PID/fdinfo (every frame buffer must be SMAF's, named frame-N by
 * libcamera) and SMAF's own view; afterwards it checks the frames the
 * program wrote: not constant, each different from the previous one, and
 * each the previous one shifted left by one pixel per frame, as the virtual
 * camera's test pattern moves.  Known defects of the packages, not SMAF's,
 * decide what runs: libcamera 0.4's cam writes empty files (bytesused 0,
 * fixed in 0.5), so its frames are checked through GStreamer; GStreamer
 * 1.28 with libcamerasrc 0.7 may crash after streaming, so the newest root
 * runs cam only.
 *
 * Then a real pipeline hands SMAF buffers to a device: cam --display shows
 * the frames on vkms (the harness builds it where the kernel's vkms has an
 * NV12 plane, see tests/harness/vkms.sh).  cam imports every frame buffer
 * into the display (PRIME: vkms attaches) before the camera starts, so
 * SMAF's view must show each buffer's memory chosen with one device
 * attached, never moved, and within that device's DMA mask; vkms's CRC of
 * what it composed (debugfs) must change from frame to frame: the device
 * read the frames.  The display sees only vkms's node: libcamera 0.4's cam
 * takes the first DRM device, vgem included.  It runs with libcamera 0.6 and
 * later: before, the virtual camera sets no colour space and cam --display
 * asserts on it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "smaf-test.h"

#define ROOTS "/mnt/client"
#define WIDTH 640
#define HEIGHT 480
#define FRAMES 20
#define FRAME_SIZE (WIDTH * HEIGHT * 3 / 2)	/* NV12 */

/* What was seen of a program's dma-bufs while it ran. */
struct seen {
	int smaf;		/* most SMAF dma-bufs open at once */
	int other;		/* dma-bufs of another exporter, ever */
	char other_name[64];
	int named;		/* SMAF dma-bufs named by the program (frame-N) */
	int smaf_allocated;	/* most allocated buffers in SMAF's view */
	char allocator[32];	/* what served them */
	int device_first;	/* most allocated with a device, never moved */
	int misfit;		/* allocated beyond their devices' DMA mask, ever */
	int crcs, distinct;	/* vkms CRC entries read, distinct values */
};

#define CRCS 512
static int crc_fd = -1;
static int crc_wanted;		/* the display run reads vkms's CRCs */
static char crc_path[320];
static unsigned int crc_seen[CRCS];

static char root[64];

/* What the programs need mounted in the read-only root: type, directory. */
static const char *const root_mounts[][2] = {
	{ "proc", "proc" }, { "sysfs", "sys" }, { "devtmpfs", "dev" },
	{ "tmpfs", "tmp" }, { "tmpfs", "run" },
};

static void mount_into_root(void)
{
	char dir[128];
	unsigned int i;

	for (i = 0; i < sizeof(root_mounts) / sizeof(root_mounts[0]); i++) {
		snprintf(dir, sizeof(dir), "%s/%s", root, root_mounts[i][1]);
		if (mount(root_mounts[i][0], dir, root_mounts[i][0], 0, NULL))
			tap_bail("mount %s on %s: %s", root_mounts[i][0], dir, strerror(errno));
	}
}

static void umount_root(void)
{
	char dir[128];
	unsigned int i;

	for (i = 0; i < sizeof(root_mounts) / sizeof(root_mounts[0]); i++) {
		snprintf(dir, sizeof(dir), "%s/%s", root, root_mounts[i][1]);
		umount(dir);
	}
}

/* Reads the fdinfo of @pid's dma-bufs into @s. */
static void look(pid_t pid, struct seen *s)
{
	char path[320], link[128], line[256], exp[64], name[64];
	int smaf = 0, named = 0, allocated = 0, device_first = 0;
	struct dirent *d;
	FILE *f;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/fd", pid);
	dir = opendir(path);
	if (!dir)
		return;
	while ((d = readdir(dir))) {
		ssize_t n;

		snprintf(path, sizeof(path), "/proc/%d/fd/%s", pid, d->d_name);
		n = readlink(path, link, sizeof(link) - 1);
		if (n <= 0)
			continue;
		link[n] = 0;
		if (!strstr(link, "dmabuf"))
			continue;
		snprintf(path, sizeof(path), "/proc/%d/fdinfo/%s", pid, d->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		exp[0] = name[0] = 0;
		while (fgets(line, sizeof(line), f)) {
			sscanf(line, "exp_name: %63s", exp);
			sscanf(line, "name: %63s", name);
		}
		fclose(f);
		if (!strcmp(exp, "smaf")) {
			smaf++;
			named += !strncmp(name, "frame-", 6);
		} else if (exp[0]) {
			s->other++;
			snprintf(s->other_name, sizeof(s->other_name), "%s", exp);
		}
	}
	closedir(dir);
	if (smaf > s->smaf)
		s->smaf = smaf;
	if (named > s->named)
		s->named = named;

	f = fopen(DEBUGFS_SMAF "/buffers", "r");
	while (f && fgets(line, sizeof(line), f)) {
		char val[32];

		char devs[16] = "", moves[16] = "", limit[32] = "", phys[64] = "";
		const char *end;

		if (line_field(line, "allocated", val, sizeof(val)) || strcmp(val, "1"))
			continue;
		allocated++;
		line_field(line, "allocator", s->allocator, sizeof(s->allocator));
		line_field(line, "devices", devs, sizeof(devs));
		line_field(line, "migrations", moves, sizeof(moves));
		line_field(line, "limit", limit, sizeof(limit));
		line_field(line, "phys", phys, sizeof(phys));
		device_first += atoi(devs) >= 1 && !strcmp(moves, "0");
		end = strchr(phys, '-');
		s->misfit += !end || strtoull(end + 1, NULL, 16) > strtoull(limit, NULL, 16);
	}
	if (f)
		fclose(f);
	if (allocated > s->smaf_allocated)
		s->smaf_allocated = allocated;
	if (device_first > s->device_first)
		s->device_first = device_first;
}

/*
 * Reads vkms's CRC entries ("0xFRAME 0xCRC" lines) into @s; the file opens
 * once the display is on (EIO before).
 */
static void read_crcs(struct seen *s)
{
	char buf[4096], *p;
	unsigned int frame, crc;
	ssize_t n;
	int i;

	if (crc_fd < 0 && crc_wanted)
		crc_fd = open(crc_path, O_RDONLY | O_NONBLOCK);
	if (crc_fd < 0)
		return;
	while ((n = read(crc_fd, buf, sizeof(buf) - 1)) > 0) {
		buf[n] = 0;
		for (p = buf; sscanf(p, "%x %x", &frame, &crc) == 2; p++) {
			s->crcs++;
			for (i = 0; i < s->distinct && crc_seen[i] != crc; i++)
				;
			if (i == s->distinct && i < CRCS)
				crc_seen[s->distinct++] = crc;
			p = strchr(p, '\n');
			if (!p)
				break;
		}
	}
}

/*
 * Runs @argv in the client root, output to @log there, watching its
 * dma-bufs; returns its wait status.
 */
static int run(char *const argv[], const char *log, struct seen *s)
{
	struct timespec start, now;
	int status = -1, fd;
	pid_t pid, w;

	memset(s, 0, sizeof(*s));
	memset(crc_seen, 0, sizeof(crc_seen));
	pid = fork();
	if (pid == 0) {
		if (chroot(root) || chdir("/"))
			_exit(126);
		fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		setenv("HOME", "/tmp", 1);
		setenv("PATH", "/usr/bin:/bin", 1);
		execv(argv[0], argv);
		_exit(127);
	}
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		w = waitpid(pid, &status, WNOHANG);
		if (w == pid)
			break;
		look(pid, s);
		read_crcs(s);
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - start.tv_sec > 240) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			tap_diag("%s: killed after 240 s", argv[0]);
			break;
		}
		usleep(20 * 1000);
	}
	if (crc_fd >= 0) {
		read_crcs(s);
		close(crc_fd);
		crc_fd = -1;
	}
	return status;
}

/* Prints the last lines of @log (in the client root) as TAP comments. */
static void show_log(const char *log)
{
	char path[128], line[512], lines[12][512];
	int n = 0, i;
	FILE *f;

	snprintf(path, sizeof(path), "%s%s", root, log);
	f = fopen(path, "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		snprintf(lines[n++ % 12], sizeof(lines[0]), "%s", line);
	fclose(f);
	for (i = n > 12 ? n - 12 : 0; i < n; i++)
		printf("#   %s", lines[i % 12]);
}

static void judge(const char *what, int status, const struct seen *s, const char *log)
{
	int ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;

	tap_ok(ok, "%s exits 0 (status %#x)", what, status);
	if (!ok)
		show_log(log);
	tap_ok(s->smaf >= 4 && s->other == 0,
	       "%s: its frame buffers are SMAF dma-bufs (%d at once; %d of %s)", what, s->smaf,
	       s->other, s->other ? s->other_name : "another exporter");
	tap_ok(s->named >= 4, "%s: it named them frame-N (%d)", what, s->named);
	tap_ok(s->smaf_allocated >= 4, "%s: SMAF's view: %d allocated, served by %s", what,
	       s->smaf_allocated, s->allocator[0] ? s->allocator : "?");
}

/* 1 if the Y plane of @cur is that of @prev shifted left by @k pixels. */
static int shifted_left(const unsigned char *prev, const unsigned char *cur, int k)
{
	int x, y;

	for (y = 0; y < HEIGHT; y++)
		for (x = 0; x < WIDTH - k; x++)
			if (cur[y * WIDTH + x] != prev[y * WIDTH + x + k])
				return 0;
	return 1;
}

/* Checks @n frames of FRAME_SIZE at @data, of sequence numbers @seq. */
static void check_frames(const char *who, const unsigned char *data, int n, const int *seq)
{
	int constant = 0, same = 0, shifted = 0, i, j, k;

	for (i = 0; i < n; i++) {
		const unsigned char *fr = data + (size_t)i * FRAME_SIZE;

		for (j = 1; j < FRAME_SIZE && fr[j] == fr[0]; j++)
			;
		constant += j == FRAME_SIZE;
		if (!i)
			continue;
		same += !memcmp(fr, fr - FRAME_SIZE, FRAME_SIZE);
		k = seq[i] - seq[i - 1];
		if (k > 0 && k < WIDTH && shifted_left(fr - FRAME_SIZE, fr, k)) {
			shifted++;
			continue;
		}
		for (k = 0; k < 16 && !shifted_left(fr - FRAME_SIZE, fr, k); k++)
			;
		tap_diag("%s: frame %d (sequence %d after %d) is the previous one shifted by %d%s",
			 who, i, seq[i], seq[i - 1], k, k == 16 ? " or more" : "");
	}
	tap_ok(n >= 2 && !constant, "%s: no frame is constant (%d of %d)", who, constant, n);
	tap_ok(n >= 2 && !same, "%s: each differs from the previous one (%d repeats)", who, same);
	tap_ok(n >= 2 && shifted == n - 1,
	       "%s: each is the previous one shifted left by one pixel per frame (%d of %d)",
	       who, shifted, n - 1);
}

/* The frames GStreamer wrote into @file, one after the other. */
static void check_gst_frames(const char *file)
{
	int seq[FRAMES] = { 0 }, n = 0, i;
	unsigned char *data;
	struct stat st;
	FILE *f;

	f = fopen(file, "r");
	if (!f || fstat(fileno(f), &st))
		st.st_size = -1;
	tap_ok(st.st_size == (off_t)FRAMES * FRAME_SIZE,
	       "GStreamer wrote %d NV12 frames of %dx%d (%lld bytes)", FRAMES, WIDTH, HEIGHT,
	       (long long)st.st_size);
	data = calloc(FRAMES, FRAME_SIZE);
	if (f && data)
		n = (int)fread(data, FRAME_SIZE, FRAMES, f);
	if (f)
		fclose(f);
	for (i = 0; i < FRAMES; i++)
		seq[i] = i;
	check_frames("GStreamer", data, n, seq);
	free(data);
}

/* The frames cam wrote, /tmp/cam-STREAM-SEQUENCE.bin, by sequence number. */
static void check_cam_frames(void)
{
	int seq[64] = { 0 }, n = 0, i, j, v;
	char *names[64];
	unsigned char *data;
	char path[192];
	struct dirent *d;
	DIR *dir;
	FILE *f;

	snprintf(path, sizeof(path), "%s/tmp", root);
	dir = opendir(path);
	/* cam replaces '#' with the stream's name and the sequence number. */
	while (dir && (d = readdir(dir))) {
		const char *dash = strrchr(d->d_name, '-');

		if (!strncmp(d->d_name, "cam-", 4) && dash &&
		    sscanf(dash + 1, "%d.bin", &v) == 1 && n < 64) {
			names[n] = strdup(d->d_name);
			seq[n++] = v;
		}
	}
	if (dir)
		closedir(dir);
	for (i = 1; i < n; i++)	/* insertion sort: a handful of frames */
		for (j = i; j > 0 && seq[j] < seq[j - 1]; j--) {
			char *name = names[j];

			v = seq[j];
			seq[j] = seq[j - 1];
			seq[j - 1] = v;
			names[j] = names[j - 1];
			names[j - 1] = name;
		}
	data = calloc(n ? n : 1, FRAME_SIZE);
	for (i = 0, v = 0; data && i < n; i++) {
		snprintf(path, sizeof(path), "%s/tmp/%s", root, names[i]);
		f = fopen(path, "r");
		v += f && fread(data + (size_t)i * FRAME_SIZE, FRAME_SIZE, 1, f) == 1;
		if (f)
			fclose(f);
	}
	tap_ok(n >= FRAMES - 2 && v == n, "cam wrote %d frames of %d bytes (%d whole)", n,
	       FRAME_SIZE, v);
	check_frames("cam", data, v == n ? n : 0, seq);
	free(data);
	for (i = 0; i < n; i++)
		free(names[i]);
}

/* libcamera's minor version in the root (0.4 -> 4), -1 if not found. */
static int libcamera_minor(void)
{
	char path[192];
	struct dirent *d;
	int minor = -1, v;
	DIR *dir;

	snprintf(path, sizeof(path), "%s/usr/lib/x86_64-linux-gnu", root);
	dir = opendir(path);
	while (dir && (d = readdir(dir)))
		if (sscanf(d->d_name, "libcamera.so.0.%d", &v) == 1)
			minor = v;
	if (dir)
		closedir(dir);
	return minor;
}

/* Which heap nodes libcamera looks at, and whose they are. */
static void show_heaps(void)
{
	static const char *const names[] = { "linux,cma", "reserved", "system" };
	char path[96], misc[96];
	unsigned int i;

	for (i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "/dev/dma_heap/%s", names[i]);
		snprintf(misc, sizeof(misc), "/sys/class/misc/smaf-heap-%s", names[i]);
		tap_diag("/dev/dma_heap/%s: %s", names[i], access(path, F_OK) ? "absent" :
			 access(misc, F_OK) ? "the kernel's" : "SMAF's");
	}
}

/* The card and debugfs directory of vkms, loaded for the display run. */
static char vkms_card[32];
static dev_t vkms_dev;

/* Loads vkms where the harness built it; 0 if there is a display to use. */
static int vkms_load(void)
{
	char path[320], name[64];
	struct dirent *d;
	struct stat st;
	DIR *dir;
	FILE *f;
	int fd;

	if (access("/lib/modules/vkms.ko", F_OK)) {
		tap_diag("not run: cam --display: no display with an NV12 plane here (vkms "
			 "from the kernel's own source, built where it has one: 7.x amd64)");
		return -1;
	}
	tap_ok(!system("insmod /lib/modules/vkms.ko"), "vkms loads");
	fd = drm_open("vkms", vkms_card, sizeof(vkms_card));
	tap_ok(fd >= 0 && !fstat(fd, &st), "vkms has a DRM device (%s)", vkms_card);
	if (fd < 0)
		return -1;
	vkms_dev = st.st_rdev;
	close(fd);
	/* Its debugfs directory: the one whose "name" says vkms. */
	dir = opendir("/sys/kernel/debug/dri");
	while (dir && (d = readdir(dir))) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/kernel/debug/dri/%s/name", d->d_name);
		f = fopen(path, "r");
		name[0] = 0;
		if (f && !fgets(name, sizeof(name), f))
			name[0] = 0;
		if (f)
			fclose(f);
		if (!strncmp(name, "vkms", 4)) {
			snprintf(crc_path, sizeof(crc_path),
				 "/sys/kernel/debug/dri/%s/crtc-0/crc/data", d->d_name);
			break;
		}
	}
	if (dir)
		closedir(dir);
	tap_ok(crc_path[0], "vkms's CRC file: %s", crc_path[0] ? crc_path : "not found");
	return 0;
}

/*
 * cam shows 60 frames on vkms, the only DRM device in the root's /dev/dri
 * (a tmpfs with its node); see the comment at the top.
 */
static void display(void)
{
	char *cam[] = { "/usr/bin/cam", "--camera=1", "--capture=60", "--display",
			"--stream=width=640,height=480,pixelformat=NV12", NULL };
	char dri[128], node[160];
	struct seen s;
	int status;

	snprintf(dri, sizeof(dri), "%s/dev/dri", root);
	snprintf(node, sizeof(node), "%s/card0", dri);
	if (mount("tmpfs", dri, "tmpfs", 0, "mode=755") ||
	    mknod(node, S_IFCHR | 0666, vkms_dev))
		tap_bail("a /dev/dri with vkms only in %s: %s", root, strerror(errno));
	crc_wanted = crc_path[0];
	status = run(cam, "/tmp/cam-display.log", &s);
	crc_wanted = 0;
	umount(dri);
	judge("cam --display", status, &s, "/tmp/cam-display.log");
	tap_ok(s.smaf_allocated >= 4 && s.device_first == s.smaf_allocated,
	       "cam --display: vkms attached before the first use: %d of %d buffers got "
	       "their memory with a device attached, never moved", s.device_first,
	       s.smaf_allocated);
	tap_ok(s.smaf_allocated >= 4 && !s.misfit,
	       "cam --display: the memory fits vkms's DMA mask (%d beyond it)", s.misfit);
	tap_ok(s.distinct >= 10, "cam --display: vkms composed %d CRCs, %d distinct: it read "
	       "the moving frames", s.crcs, s.distinct);
}

/* Runs the programs of the client root mounted at @root. */
static void client(void)
{
	char *cam[] = { "/usr/bin/cam", "--camera=1", "--capture=20",
			"--stream=width=640,height=480", "--file=/tmp/cam-#.bin", NULL };
	/* libcamerasrc has no num-buffers: identity ends the stream (it passes 20). */
	char *gst[] = { "/usr/bin/gst-launch-1.0", "-q", "libcamerasrc", "!",
			"video/x-raw,format=NV12,width=640,height=480", "!",
			"identity", "eos-after=21", "!", "filesink", "location=/tmp/gst.nv12",
			NULL };
	int minor = libcamera_minor(), status;
	char path[128];
	struct seen s;

	tap_diag("%s: libcamera 0.%d", root, minor);
	mount_into_root();
	status = run(cam, "/tmp/cam.log", &s);
	judge("cam --capture=20", status, &s, "/tmp/cam.log");
	if (minor >= 5)
		check_cam_frames();
	if (minor < 7) {
		status = run(gst, "/tmp/gst.log", &s);
		judge("gst-launch-1.0 libcamerasrc", status, &s, "/tmp/gst.log");
		snprintf(path, sizeof(path), "%s/tmp/gst.nv12", root);
		check_gst_frames(path);
	}
	if (vkms_dev && minor >= 6)
		display();
	else if (vkms_dev)
		tap_diag("not run: cam --display: libcamera 0.%d's virtual camera sets no colour "
			 "space and its cam asserts on it (libcamera 0.6 sets one)", minor);
	umount_root();
}

int main(void)
{
	int i, roots = 0;

	show_heaps();
	if (!access(ROOTS "/0", F_OK))
		vkms_load();
	for (i = 0; i < 4; i++) {
		snprintf(root, sizeof(root), ROOTS "/%d", i);
		if (access(root, F_OK))
			break;
		snprintf(root, sizeof(root), ROOTS "/%d/usr/bin/cam", i);
		tap_ok(!access(root, X_OK), "client root %d has cam", i);
		snprintf(root, sizeof(root), ROOTS "/%d", i);
		client();
		roots++;
	}
	tap_ok(roots > 0, "%d client roots", roots);
	tap_ok(smaf_live_buffers() == 0, "no SMAF buffer left");
	if (vkms_dev)
		tap_ok(!system("rmmod vkms"), "vkms unloads");
	return tap_done();
}

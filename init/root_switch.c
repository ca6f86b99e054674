/* root_switch.c — copy the initramfs into a tmpfs and switch to it. */
#include "init/root_switch.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/fs.h"
#include "lib/util.h"

#define NEWROOT "berth-root" /* made in / during the switch */
#define DEPTH_MAX 64

struct copy {
	dev_t dev;             /* the initramfs: nothing from other mounts */
	unsigned long files;
	unsigned long long bytes;
};

/* Is / the kernel's rootfs? Read from a procfs mounted for the purpose. */
static int root_is_rootfs(struct berr *e)
{
	char buf[8192], *line, *save = NULL;
	int is = 0;

	if (mkdir("/proc", 0555) < 0 && errno != EEXIST)
		return berr_sys(e, "mkdir /proc");
	if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		return berr_sys(e, "mount proc");
	if (fs_read("/proc/self/mountinfo", buf, sizeof buf, e) < 0) {
		umount2("/proc", MNT_DETACH);
		return -1;
	}
	umount2("/proc", MNT_DETACH);
	/* "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS ... - FSTYPE SOURCE SUPER" */
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char root[16], point[16], *dash = strstr(line, " - ");
		if (sscanf(line, "%*u %*u %*s %15s %15s", root, point) == 2 && strcmp(point, "/") == 0)
			is = dash && strncmp(dash + 3, "rootfs ", 7) == 0;
	}
	return is;
}

static int copy_file(int sfd, int dfd, const char *name, const struct stat *st, struct copy *c,
		     struct berr *e)
{
	int in = openat(sfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	int out = in < 0 ? -1 : openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, st->st_mode & 07777);
	off_t left = st->st_size;
	int rc = 0;

	if (in < 0 || out < 0)
		rc = berr_sys(e, "copy %s", name);
	while (rc == 0 && left > 0) {
		ssize_t n = sendfile(out, in, NULL, (size_t)left);
		if (n <= 0)
			rc = n < 0 ? berr_sys(e, "copy %s", name) : berr_set(e, EIO, "copy %s: file shrank", name);
		else
			left -= n;
	}
	if (rc == 0 && (fchown(out, st->st_uid, st->st_gid) < 0 || fchmod(out, st->st_mode & 07777) < 0))
		rc = berr_sys(e, "copy %s: owner or mode", name);
	c->files++;
	c->bytes += (unsigned long long)st->st_size;
	fd_close(&in);
	fd_close(&out);
	return rc;
}

static int copy_tree(int sfd, int dfd, int depth, struct copy *c, struct berr *e);

static int copy_entry(int sfd, int dfd, const char *name, int depth, struct copy *c, struct berr *e)
{
	struct stat st;
	char target[4096];
	ssize_t n;

	if (fstatat(sfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return berr_sys(e, "stat %s", name);
	if (st.st_dev != c->dev)
		return 0; /* another filesystem mounted here: not the initramfs */
	switch (st.st_mode & S_IFMT) {
	case S_IFREG:
		return copy_file(sfd, dfd, name, &st, c, e);
	case S_IFLNK:
		n = readlinkat(sfd, name, target, sizeof target - 1);
		if (n < 0)
			return berr_sys(e, "readlink %s", name);
		target[n] = '\0';
		if (symlinkat(target, dfd, name) < 0 ||
		    fchownat(dfd, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0)
			return berr_sys(e, "symlink %s", name);
		return 0;
	case S_IFDIR: {
		int s2, d2, rc;
		if (mkdirat(dfd, name, 0700) < 0)
			return berr_sys(e, "mkdir %s", name);
		s2 = openat(sfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
		d2 = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
		rc = s2 < 0 || d2 < 0 ? berr_sys(e, "open %s", name) : copy_tree(s2, d2, depth + 1, c, e);
		if (rc == 0 && (fchown(d2, st.st_uid, st.st_gid) < 0 || fchmod(d2, st.st_mode & 07777) < 0))
			rc = berr_sys(e, "%s: owner or mode", name);
		fd_close(&s2);
		fd_close(&d2);
		return rc < 0 ? berr_prefix(e, "%s", name) : 0;
	}
	default: /* device nodes (dev/console), fifos, sockets */
		if (mknodat(dfd, name, st.st_mode, st.st_rdev) < 0 ||
		    fchownat(dfd, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0)
			return berr_sys(e, "mknod %s", name);
		return 0;
	}
}

static int copy_tree(int sfd, int dfd, int depth, struct copy *c, struct berr *e)
{
	DIR *d;
	struct dirent *de;
	int dup_fd, rc = 0;

	if (depth > DEPTH_MAX)
		return berr_set(e, ELOOP, "deeper than %d directories", DEPTH_MAX);
	dup_fd = fcntl(sfd, F_DUPFD_CLOEXEC, 0);
	d = dup_fd < 0 ? NULL : fdopendir(dup_fd);
	if (!d) {
		fd_close(&dup_fd);
		return berr_sys(e, "opendir");
	}
	while (rc == 0 && (de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") ||
		    (depth == 0 && !strcmp(de->d_name, NEWROOT)))
			continue;
		rc = copy_entry(sfd, dfd, de->d_name, depth, c, e);
	}
	closedir(d);
	return rc;
}

/* Delete the initramfs's files (same device only), freeing their memory. */
static void delete_tree(int dfd, dev_t dev, int depth)
{
	DIR *d;
	struct dirent *de;
	int dup_fd = fcntl(dfd, F_DUPFD_CLOEXEC, 0);

	if (depth > DEPTH_MAX || dup_fd < 0 || !(d = fdopendir(dup_fd))) {
		fd_close(&dup_fd);
		return;
	}
	while ((de = readdir(d))) {
		struct stat st;
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") ||
		    fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || st.st_dev != dev)
			continue;
		if (S_ISDIR(st.st_mode)) {
			int sub = openat(dfd, de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
			if (sub >= 0) {
				delete_tree(sub, dev, depth + 1);
				close(sub);
			}
			unlinkat(dfd, de->d_name, AT_REMOVEDIR);
		} else {
			unlinkat(dfd, de->d_name, 0);
		}
	}
	closedir(d);
}

/* Mount a tmpfs at /NEWROOT and copy the initramfs (device c->dev) into
 * it; on failure undo it (logged). Returns the open / on success, or -1. */
static int copy_to_tmpfs(const struct logger *lg, struct copy *c)
{
	struct stat st;
	struct berr e;
	int src = -1, dst = -1;

	if (stat("/", &st) < 0 || mkdir("/" NEWROOT, 0755) < 0 ||
	    mount("tmpfs", "/" NEWROOT, "tmpfs", 0, "mode=0755") < 0) {
		log_msg(lg, LOG_ERROR, "root on tmpfs: %s: containers will be chrooted, not pivoted",
			strerror(errno));
		return -1;
	}
	c->dev = st.st_dev;
	src = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	dst = open("/" NEWROOT, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (src < 0 || dst < 0 || copy_tree(src, dst, 0, c, &e) < 0) {
		if (src < 0 || dst < 0)
			berr_sys(&e, "open /");
		log_msg(lg, LOG_ERROR, "root on tmpfs: copy: %s: booting from the initramfs", e.msg);
		umount2("/" NEWROOT, MNT_DETACH);
		rmdir("/" NEWROOT);
		fd_close(&src);
		fd_close(&dst);
		return -1;
	}
	fd_close(&dst);
	return src;
}

/* Move the tmpfs over / and chroot into it. Returns 0; -1 (logged) back
 * in the initramfs's / with the tmpfs still at /NEWROOT; -2 (logged) moved
 * but not chrooted. */
static int move_over(const struct logger *lg)
{
	if (chdir("/" NEWROOT) < 0 || mount(".", "/", NULL, MS_MOVE, NULL) < 0) {
		log_msg(lg, LOG_ERROR, "root on tmpfs: move: %s: booting from the initramfs",
			strerror(errno));
		if (chdir("/") < 0) {
			/* / is where the kernel started us: nothing to fix */
		}
		return -1;
	}
	if (chroot(".") < 0 || chdir("/") < 0) {
		/* The tmpfs is over / already, but this init's root is still
		 * the initramfs: keep both, and go on from here. */
		log_msg(lg, LOG_ERROR, "root on tmpfs: chroot: %s", strerror(errno));
		return -2;
	}
	return 0;
}

/* The move failed before the tmpfs left /NEWROOT: drop the copy. The
 * initramfs is whole (nothing was deleted), so boot goes on from it. */
static void undo_copy(int src)
{
	umount2("/" NEWROOT, MNT_DETACH);
	rmdir("/" NEWROOT);
	close(src);
}

/* The new root's /sbin/init, told when the first one started. */
static void exec_again(const struct logger *lg, char **argv, long long t0_ns)
{
	char t0[32];

	snprintf(t0, sizeof t0, "%lld", t0_ns);
	setenv(ROOT_SWITCH_ENV, t0, 1);
	execv("/sbin/init", argv);
	unsetenv(ROOT_SWITCH_ENV);
	log_msg(lg, LOG_ERROR, "exec /sbin/init on the tmpfs root: %s: going on", strerror(errno));
}

void root_switch_to_tmpfs(const struct logger *lg, char **argv, long long *t0_ns)
{
	struct copy c = { 0 };
	struct berr e;
	const char *env = getenv(ROOT_SWITCH_ENV);
	long long t = log_boottime_ns();
	int src, is, moved = -1;

	if (env) { /* the second init: the switch is done */
		*t0_ns = strtoll(env, NULL, 10);
		unsetenv(ROOT_SWITCH_ENV);
		return;
	}
	is = root_is_rootfs(&e);
	if (is <= 0) {
		if (is < 0)
			log_msg(lg, LOG_WARN, "cannot tell whether / is the initramfs: %s", e.msg);
		return;
	}
	umask(0);
	src = copy_to_tmpfs(lg, &c);
	if (src >= 0)
		moved = move_over(lg);
	umask(022);
	if (moved == -1 && src >= 0)
		undo_copy(src);
	else if (moved == -2)
		close(src);
	if (moved < 0)
		return;
	/* Only now, with the tmpfs in place, free the initramfs's files:
	 * through src, the old root, which the move left beneath the new one. */
	delete_tree(src, c.dev, 0);
	close(src);
	log_msg(lg, LOG_INFO, "root moved from the initramfs to tmpfs: %lu files, %llu KiB in %lld ms",
		c.files, c.bytes / 1024, (log_boottime_ns() - t) / 1000000LL);
	exec_again(lg, argv, *t0_ns);
}

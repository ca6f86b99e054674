/* mounts.c — the container's mount tree (SECURITY.md "Mounts", "Masked
 * paths", "Read-only paths"; escape classes 3, 4, 5), built in the child's
 * new mount namespace through fds, then pivot_root with the old root
 * detached. */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/mount.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <dirent.h>
#include <unistd.h>

#include "lib/util.h"
#include "runtime/launch/launch-internal.h"
#include "runtime/launch/mountfd.h"

#define MASK_FILE ".berth-mask"

static const char *const masked_paths[] = {
	"/proc/acpi", "/proc/asound", "/proc/interrupts", "/proc/kcore", "/proc/keys",
	"/proc/latency_stats", "/proc/sched_debug", "/proc/scsi", "/proc/timer_list",
	"/proc/timer_stats", "/sys/devices/virtual/powercap", "/sys/firmware",
};
static const char *const readonly_paths[] = {
	"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
};
static const struct {
	const char *name;
	unsigned major, minor;
} dev_nodes[] = {
	{ "null", 1, 3 }, { "zero", 1, 5 }, { "full", 1, 7 },
	{ "random", 1, 8 }, { "urandom", 1, 9 }, { "tty", 5, 0 },
};
static const struct {
	const char *name, *target;
} dev_links[] = {
	{ "ptmx", "pts/ptmx" }, { "fd", "/proc/self/fd" }, { "stdin", "/proc/self/fd/0" },
	{ "stdout", "/proc/self/fd/1" }, { "stderr", "/proc/self/fd/2" },
};

/* The filesystems the launcher mounted itself: /proc, /dev, /dev/pts,
 * /dev/shm, /dev/mqueue, /sys, /sys/fs/cgroup. Each is a fresh
 * superblock, so a path resolved in the root lies on one of them exactly
 * when its st_dev is one of theirs: that is how a mount target is
 * compared, whatever its spelling or the image's symlinks on the way. */
struct reserved {
	dev_t dev[8];
	int n;
};

static int reserved_collect(int root, struct reserved *r, struct berr *e)
{
	static const char *const points[] = { "/proc", "/dev", "/dev/pts", "/dev/shm", "/dev/mqueue",
					      "/sys", "/sys/fs/cgroup" };

	r->n = 0;
	for (size_t i = 0; i < ARRAY_SIZE(points); i++) {
		struct stat st;
		int fd = mfd_open(root, points[i], O_PATH | O_DIRECTORY, RESOLVE_NO_SYMLINKS, e);
		if (fd < 0)
			return berr_prefix(e, "reserved mount");
		if (fstat(fd, &st) < 0) {
			close(fd);
			return berr_sys(e, "reserved mount %s", points[i]);
		}
		close(fd);
		r->dev[r->n++] = st.st_dev;
	}
	return 0;
}

/* Attach mnt at root/path (a directory, created when missing). /dev, /proc
 * and /sys, and everything under them, must not be symlinks. With rsv, a
 * target on one of the launcher's own filesystems is refused (EPERM). */
static int attach_at(int root, int mnt, const char *path, int dir, const struct reserved *rsv,
		     struct berr *e)
{
	unsigned long long extra = (strncmp(path, "/dev", 4) == 0 || strncmp(path, "/proc", 5) == 0 ||
				    strncmp(path, "/sys", 4) == 0) ? RESOLVE_NO_SYMLINKS : 0;
	int t = mfd_mkpath(root, path, dir, extra, e), rc;
	struct stat st;

	if (t < 0)
		return berr_prefix(e, "mount point %s", path);
	if (rsv && fstat(t, &st) < 0) {
		close(t);
		return berr_sys(e, "mount point %s", path);
	}
	for (int i = 0; rsv && i < rsv->n; i++)
		if (st.st_dev == rsv->dev[i]) {
			close(t);
			return berr_set(e, EPERM, "mount point %s: /proc, /sys, /dev and below belong to "
				       "the launcher", path);
		}
	rc = mfd_attach(mnt, t, e);
	close(t);
	return rc < 0 ? berr_prefix(e, "mount on %s", path) : 0;
}

static int mount_new(int root, const char *type, const char *const *kv, unsigned attr,
		     const char *path, const struct reserved *rsv, struct berr *e)
{
	int m = mfd_fs(type, kv, attr, e), rc;

	if (m < 0)
		return berr_prefix(e, "%s", path);
	rc = attach_at(root, m, path, 1, rsv, e);
	close(m);
	return rc;
}

/* Writes to /proc (sysctls) go through our own procfs, checked to be one. */
static int write_sysctls(int procfd, const struct launch_spec *s, struct berr *e)
{
	for (int i = 0; i < s->n_sysctls; i++) {
		char path[300];
		struct statfs sf;
		int fd, rc;

		snprintf(path, sizeof path, "sys/%s", s->sysctls[i].key);
		for (char *p = path + 4; *p; p++)
			if (*p == '.')
				*p = '/';
		fd = mfd_open(procfd, path, O_WRONLY | O_NOCTTY, RESOLVE_NO_SYMLINKS | RESOLVE_NO_XDEV, e);
		if (fd < 0)
			return berr_prefix(e, "sysctl %s", s->sysctls[i].key);
		if (fstatfs(fd, &sf) < 0 || sf.f_type != PROC_SUPER_MAGIC) {
			close(fd);
			return berr_set(e, EXDEV, "sysctl %s: not on procfs", s->sysctls[i].key);
		}
		rc = util_write_all(fd, s->sysctls[i].value, strlen(s->sysctls[i].value), e);
		close(fd);
		if (rc < 0)
			return berr_prefix(e, "sysctl %s", s->sysctls[i].key);
	}
	return 0;
}

static int mount_proc(int root, const struct launch_spec *s, struct berr *e)
{
	struct statfs sf;
	int m = mfd_fs("proc", NULL, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC, e), rc;

	if (m < 0)
		return berr_prefix(e, "/proc");
	if (fstatfs(m, &sf) < 0 || sf.f_type != PROC_SUPER_MAGIC) {
		close(m);
		return berr_set(e, EXDEV, "/proc: the new mount is not procfs");
	}
	rc = write_sysctls(m, s, e);
	if (rc == 0)
		rc = attach_at(root, m, "/proc", 1, NULL, e);
	close(m);
	return rc;
}

/* Bind the host's /dev/NAME, checked to be the character device
 * major:minor, over the container's /dev/NAME. */
static int bind_host_node(int root, const char *name, unsigned major, unsigned minor, struct berr *e)
{
	char host[32], dst[32];
	struct stat st;
	int m, t, rc;

	snprintf(host, sizeof host, "/dev/%s", name);
	snprintf(dst, sizeof dst, "/dev/%s", name);
	m = mfd_clone(AT_FDCWD, host, 0, e);
	if (m < 0)
		return berr_prefix(e, "bind %s", host);
	if (fstat(m, &st) < 0 || !S_ISCHR(st.st_mode) || st.st_rdev != makedev(major, minor)) {
		close(m);
		return berr_set(e, EINVAL, "%s on the host is not the device %u:%u", host, major, minor);
	}
	if (mfd_setattr(m, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC, 0, e) < 0) {
		close(m);
		return berr_prefix(e, "bind %s", host);
	}
	t = mfd_open(root, dst, O_PATH | O_NOFOLLOW, RESOLVE_NO_SYMLINKS, e);
	rc = t < 0 ? -1 : mfd_attach(m, t, e);
	if (t >= 0)
		close(t);
	close(m);
	return rc < 0 ? berr_prefix(e, "bind %s", host) : 0;
}

static int mount_dev(int root, int userns, struct berr *e)
{
	static const char *const tmpfs_kv[] = { "mode", "755", "size", "65536", NULL };
	static const char *const pts_kv[] = { "newinstance", NULL, "ptmxmode", "0666", "mode", "0620",
					      "gid", "5", NULL };
	static const char *const shm_kv[] = { "mode", "1777", "size", "67108864", NULL };
	int m = mfd_fs("tmpfs", tmpfs_kv, MOUNT_ATTR_NOSUID | MOUNT_ATTR_STRICTATIME, e), rc = -1;

	if (m < 0)
		return berr_prefix(e, "/dev");
	for (size_t i = 0; i < ARRAY_SIZE(dev_nodes); i++) {
		int fd = -1;
		/* A user namespace cannot mknod: an empty file, bound over below. */
		if (userns)
			fd = openat(m, dev_nodes[i].name, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0666);
		if ((userns && fd < 0) ||
		    (!userns && (mknodat(m, dev_nodes[i].name, S_IFCHR | 0666,
					 makedev(dev_nodes[i].major, dev_nodes[i].minor)) < 0 ||
				 fchmodat(m, dev_nodes[i].name, 0666, 0) < 0))) {
			berr_sys(e, "/dev/%s", dev_nodes[i].name);
			goto out;
		}
		if (fd >= 0)
			close(fd);
	}
	for (size_t i = 0; i < ARRAY_SIZE(dev_links); i++)
		if (symlinkat(dev_links[i].target, m, dev_links[i].name) < 0) {
			berr_sys(e, "/dev/%s", dev_links[i].name);
			goto out;
		}
	if (mkdirat(m, "pts", 0755) < 0 || mkdirat(m, "shm", 01777) < 0 || mkdirat(m, "mqueue", 0755) < 0) {
		berr_sys(e, "/dev: directories");
		goto out;
	}
	{
		int fd = openat(m, MASK_FILE, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0444);
		if (fd < 0) {
			berr_sys(e, "/dev/" MASK_FILE);
			goto out;
		}
		close(fd);
	}
	if (attach_at(root, m, "/dev", 1, NULL, e) < 0)
		goto out;
	for (size_t i = 0; userns && i < ARRAY_SIZE(dev_nodes); i++)
		if (bind_host_node(root, dev_nodes[i].name, dev_nodes[i].major, dev_nodes[i].minor, e) < 0)
			goto out;
	rc = 0;
	if (mount_new(root, "devpts", pts_kv, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC, "/dev/pts", NULL, e) < 0 ||
	    mount_new(root, "tmpfs", shm_kv, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC,
		      "/dev/shm", NULL, e) < 0 ||
	    mount_new(root, "mqueue", NULL, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC,
		      "/dev/mqueue", NULL, e) < 0)
		rc = -1;
out:
	close(m);
	return rc;
}

static int mount_sys(int root, struct berr *e)
{
	const unsigned ro = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC;

	if (mount_new(root, "sysfs", NULL, ro, "/sys", NULL, e) < 0)
		return -1;
	return mount_new(root, "cgroup2", NULL, ro, "/sys/fs/cgroup", NULL, e);
}

static int mount_user(int root, const struct launch_ctx *c, const struct launch_bind *b,
		      const struct reserved *rsv, struct berr *e)
{
	struct stat st;
	int m, rc;

	if (b->tmpfs) {
		char size[32];
		const char *kv[] = { "mode", "1777", b->size ? "size" : NULL, size, NULL };
		snprintf(size, sizeof size, "%llu", b->size);
		return mount_new(root, "tmpfs", kv, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, b->dst, rsv, e);
	}
	m = mfd_clone(AT_FDCWD, b->src, 1, e);
	if (m < 0)
		return berr_prefix(e, "bind %s", b->src);
	if (fstat(m, &st) < 0) {
		close(m);
		return berr_sys(e, "bind %s", b->src);
	}
	if ((b->ro || c->no_devices) &&
	    mfd_setattr(m, (b->ro ? MOUNT_ATTR_RDONLY : 0) | (c->no_devices ? MOUNT_ATTR_NODEV : 0), 1, e) < 0) {
		close(m);
		return berr_prefix(e, "bind %s", b->src);
	}
	rc = attach_at(root, m, b->dst, S_ISDIR(st.st_mode), rsv, e);
	close(m);
	return rc < 0 ? berr_prefix(e, "bind %s", b->src) : 0;
}

/* The operator's --bind and --tmpfs mounts, never on the launcher's own. */
static int mount_users(int root, const struct launch_ctx *c, enum launch_class *class, struct berr *e)
{
	const struct launch_spec *s = c->spec;
	struct reserved rsv;

	if (s->n_mounts && reserved_collect(root, &rsv, e) < 0)
		return -1;
	for (int i = 0; i < s->n_mounts; i++)
		if (mount_user(root, c, &s->mounts[i], &rsv, e) < 0) {
			if (e->errnum == EPERM)
				*class = LAUNCH_ERR_SPEC;
			return -1;
		}
	return 0;
}

/* Mask one path: a directory gets a fresh read-only tmpfs; a file gets a
 * read-only bind of the launcher's own empty file (made in the launcher's
 * /dev tmpfs, opened O_PATH|O_NOFOLLOW and fstat-checked). Absent: fine. */
static int mask_one(int root, int maskfd, const char *path, struct berr *e)
{
	struct stat st;
	int t = mfd_open(root, path, O_PATH | O_NOFOLLOW, RESOLVE_NO_SYMLINKS, e), m, rc;

	if (t < 0)
		return e->errnum == ENOENT ? 0 : berr_prefix(e, "mask %s", path);
	if (fstat(t, &st) < 0) {
		close(t);
		return berr_sys(e, "mask %s", path);
	}
	if (S_ISDIR(st.st_mode)) {
		static const char *const kv[] = { "size", "4096", "nr_inodes", "1", NULL };
		m = mfd_fs("tmpfs", kv, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
				       MOUNT_ATTR_NOEXEC, e);
	} else {
		m = mfd_clone(maskfd, "", 0, e);
		if (m >= 0 && mfd_setattr(m, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
					      MOUNT_ATTR_NOEXEC, 0, e) < 0) {
			close(m);
			m = -1;
		}
	}
	if (m < 0) {
		close(t);
		return berr_prefix(e, "mask %s", path);
	}
	rc = mfd_attach(m, t, e);
	close(m);
	close(t);
	return rc < 0 ? berr_prefix(e, "mask %s", path) : 0;
}

static int mask_paths(int root, struct berr *e)
{
	struct stat st;
	int maskfd, rc = -1, sysfd, dfd;
	DIR *d;
	struct dirent *de;

	maskfd = mfd_open(root, "/dev/" MASK_FILE, O_PATH | O_NOFOLLOW, RESOLVE_NO_SYMLINKS, e);
	if (maskfd < 0)
		return -1;
	if (fstat(maskfd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size != 0 || st.st_uid != 0) {
		close(maskfd);
		return berr_set(e, EINVAL, "the mask file is not the launcher's empty file");
	}
	for (size_t i = 0; i < ARRAY_SIZE(masked_paths); i++)
		if (mask_one(root, maskfd, masked_paths[i], e) < 0)
			goto out;
	/* every /sys/devices/system/cpu/cpu*\/thermal_throttle */
	sysfd = mfd_open(root, "/sys/devices/system/cpu", O_RDONLY | O_DIRECTORY, RESOLVE_NO_SYMLINKS, e);
	if (sysfd >= 0) {
		dfd = fcntl(sysfd, F_DUPFD_CLOEXEC, 3);
		d = dfd >= 0 ? fdopendir(dfd) : NULL;
		while (d && (de = readdir(d))) {
			char p[128];
			if (strncmp(de->d_name, "cpu", 3) != 0 || de->d_name[3] < '0' || de->d_name[3] > '9')
				continue;
			snprintf(p, sizeof p, "/sys/devices/system/cpu/%.32s/thermal_throttle", de->d_name);
			if (mask_one(root, maskfd, p, e) < 0) {
				closedir(d);
				close(sysfd);
				goto out;
			}
		}
		if (d)
			closedir(d);
		close(sysfd);
	}
	for (size_t i = 0; i < ARRAY_SIZE(readonly_paths); i++) {
		int t = mfd_open(root, readonly_paths[i], O_PATH | O_NOFOLLOW, RESOLVE_NO_SYMLINKS, e), m;
		if (t < 0) {
			if (e->errnum == ENOENT)
				continue;
			goto out;
		}
		m = mfd_clone(t, "", 1, e);
		if (m < 0 || mfd_setattr(m, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
					     MOUNT_ATTR_NOEXEC, 1, e) < 0 || mfd_attach(m, t, e) < 0) {
			if (m >= 0)
				close(m);
			close(t);
			berr_prefix(e, "read-only %s", readonly_paths[i]);
			goto out;
		}
		close(m);
		close(t);
	}
	rc = 0;
out:
	close(maskfd);
	if (rc == 0) {
		int devfd = mfd_open(root, "/dev", O_PATH | O_DIRECTORY, RESOLVE_NO_SYMLINKS, e);
		if (devfd < 0 || unlinkat(devfd, MASK_FILE, 0) < 0)
			rc = berr_sys(e, "remove /dev/" MASK_FILE);
		if (devfd >= 0)
			close(devfd);
	}
	return rc;
}

/* A mountinfo line mounts / with the type rootfs:
 * "id parent maj:min root / opts... - rootfs source superopts". */
static int line_is_rootfs(const char *line, size_t n)
{
	const char *p = line, *end = line + n;
	int field = 0;

	while (p < end && field < 4) /* skip id, parent, maj:min, root */
		if (*p++ == ' ')
			field++;
	if (end - p < 2 || p[0] != '/' || p[1] != ' ')
		return 0;
	for (; p + 10 <= end; p++)
		if (memcmp(p, " - rootfs ", 10) == 0)
			return 1;
	return 0;
}

/* Is / the kernel's initramfs? Read without stdio: lines longer than the
 * buffer are skipped (a mount point or options that long is not / rootfs). */
static int is_initramfs(void)
{
	char buf[4096];
	size_t have = 0;
	int fd = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC), found = 0;

	while (fd >= 0 && !found) {
		ssize_t n = read(fd, buf + have, sizeof buf - have);
		char *nl, *start = buf;
		if (n <= 0)
			break;
		have += (size_t)n;
		while ((nl = memchr(start, '\n', have - (size_t)(start - buf)))) {
			if (line_is_rootfs(start, (size_t)(nl - start)))
				found = 1;
			start = nl + 1;
		}
		have -= (size_t)(start - buf);
		if (have == sizeof buf)
			have = 0; /* an over-long line: drop it */
		else
			memmove(buf, start, have);
	}
	if (fd >= 0)
		close(fd);
	return found;
}

/* pivot_root(".", "."): the old root ends up under the new one and is
 * detached at once; nothing of the host stays reachable. */
static int enter_root(struct launch_ctx *c, int root, struct berr *e)
{
	if (fchdir(root) < 0)
		return berr_sys(e, "chdir to the root");
	if (syscall(SYS_pivot_root, ".", ".") == 0) {
		if (umount2(".", MNT_DETACH) < 0 || chdir("/") < 0)
			return berr_sys(e, "detach the old root");
		return 0;
	}
	if (errno != EINVAL || !is_initramfs())
		return berr_sys(e, "pivot_root");
	/* The host runs from its initramfs, which pivot_root cannot move.
	 * Like switch_root: move the new root over / and chroot; the
	 * initramfs stays underneath, so the container loses CAP_SYS_CHROOT
	 * (the only way back up through a chroot once every fd is closed and
	 * mount/open_by_handle_at are refused). */
	if (mfd_move_to_root(root, e) < 0 || chroot(".") < 0 || chdir("/") < 0)
		return berr_sys(e, "move the root over the initramfs");
	c->no_pivot = 1;
	return 0;
}

/* Without a device program, /dev is read-only (see launch_create). */
static int dev_read_only(int root, struct berr *e)
{
	int dev = mfd_open(root, "/dev", O_PATH | O_DIRECTORY, RESOLVE_NO_SYMLINKS, e), rc;

	if (dev < 0)
		return berr_prefix(e, "read-only /dev");
	rc = mfd_setattr(dev, MOUNT_ATTR_RDONLY, 0, e);
	close(dev);
	return rc < 0 ? berr_prefix(e, "read-only /dev") : 0;
}

int launch_mounts(struct launch_ctx *c, enum launch_class *class, struct berr *e)
{
	const struct launch_spec *s = c->spec;
	int dirfd = -1, root = -1, rc = -1;

	*class = LAUNCH_ERR_SYS;
	/* Nothing we mount propagates back to the host. */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return berr_sys(e, "make / private");
	/* The root: a recursive bind of the image directory, attached over
	 * it, so that the fd from open_tree is the new tree's root. */
	dirfd = open(s->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return berr_sys(e, "root %s", s->rootfs);
	root = mfd_clone(dirfd, "", 1, e);
	if (root < 0 || mfd_attach(root, dirfd, e) < 0) {
		berr_prefix(e, "bind the root %s", s->rootfs);
		goto out;
	}
	if (c->no_devices && mfd_setattr(root, MOUNT_ATTR_NODEV, 1, e) < 0) {
		berr_prefix(e, "nodev root");
		goto out;
	}
	if (mount_proc(root, s, e) < 0 || mount_dev(root, c->userns, e) < 0 || mount_sys(root, e) < 0 ||
	    mount_users(root, c, class, e) < 0 || mask_paths(root, e) < 0)
		goto out;
	if (c->no_devices && dev_read_only(root, e) < 0)
		goto out;
	if (s->read_only && mfd_setattr(root, MOUNT_ATTR_RDONLY, 0, e) < 0) {
		berr_prefix(e, "read-only root");
		goto out;
	}
	rc = enter_root(c, root, e);
out:
	fd_close(&root);
	fd_close(&dirfd);
	return rc;
}

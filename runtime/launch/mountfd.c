/* mountfd.c — openat2 resolution and the new mount API (see mountfd.h). */
#include "runtime/launch/mountfd.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <linux/mount.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/fs.h"
#include "lib/util.h"

#define MFD_PATH_MAX 4096

int mfd_open(int root, const char *path, int flags, unsigned long long extra, struct berr *e)
{
	struct open_how how = {
		.flags = (unsigned long long)(flags | O_CLOEXEC),
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | extra,
	};
	int fd;

	while (*path == '/')
		path++;
	if (!*path)
		path = ".";
	do
		fd = (int)syscall(SYS_openat2, root, path, &how, sizeof how);
	while (fd < 0 && (errno == EAGAIN || errno == EINTR));
	if (fd < 0)
		return berr_sys(e, "open %s in the root", path);
	return fd;
}

ssize_t mfd_read(int root, const char *path, char *buf, size_t size, struct berr *e)
{
	char self[40];
	struct stat st;
	ssize_t n;
	int o = mfd_open(root, path, O_PATH, 0, e), fd;

	/* O_PATH opens nothing: a device node's driver or a FIFO never sees
	 * this open. Only a regular file is reopened for reading. */
	if (o < 0)
		return -1;
	if (fstat(o, &st) < 0) {
		berr_sys(e, "stat %s", path);
		close(o);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		close(o);
		return berr_set(e, EINVAL, "%s: %s, not a regular file", path,
				S_ISFIFO(st.st_mode) ? "a FIFO" : S_ISCHR(st.st_mode) ? "a character device" :
				S_ISBLK(st.st_mode) ? "a block device" : S_ISDIR(st.st_mode) ? "a directory" :
				S_ISSOCK(st.st_mode) ? "a socket" : "something else");
	}
	snprintf(self, sizeof self, "/proc/self/fd/%d", o);
	fd = open(self, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	close(o);
	if (fd < 0)
		return berr_sys(e, "reopen %s", path);
	n = fs_read_fd(fd, path, buf, size, e);
	close(fd);
	return n;
}

/* Create name in the directory pfd: a directory, or (dir 0) an empty file. */
static int create_in(int pfd, const char *name, int dir)
{
	int fd;

	if (dir)
		return mkdirat(pfd, name, 0755);
	fd = openat(pfd, name, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0644);
	return fd < 0 ? -1 : close(fd);
}

/* Walk path's prefixes from the root down, each resolved in the root from
 * scratch, creating what is missing: one buffer, however deep the path
 * (a recursion would put a path-sized buffer on the stack per level). */
int mfd_mkpath(int root, const char *path, int dir, unsigned long long extra, struct berr *e)
{
	char buf[MFD_PATH_MAX];
	size_t n = strlen(path), i = 0;
	int pfd, fd;

	fd = mfd_open(root, path, O_PATH, extra, e);
	if (fd >= 0 || e->errnum != ENOENT)
		return fd;
	if (n >= sizeof buf)
		return berr_set(e, ENAMETOOLONG, "%s: path too long", path);
	memcpy(buf, path, n + 1);
	while (n > 1 && buf[n - 1] == '/')
		buf[--n] = '\0';
	pfd = mfd_open(root, "/", O_PATH | O_DIRECTORY, extra, e);
	while (pfd >= 0) {
		size_t start, len;
		char save;
		int last;

		while (buf[i] == '/')
			i++;
		start = i;
		len = strcspn(buf + i, "/");
		i += len;
		last = buf[i] == '\0';
		if (len == 1 && buf[start] == '.' && !last)
			continue;
		if (len == 0 || (len == 1 && buf[start] == '.') || (len == 2 && memcmp(buf + start, "..", 2) == 0)) {
			close(pfd);
			return berr_set(e, EINVAL, "%s: '.' or '..' component", path);
		}
		save = buf[i];
		buf[i] = '\0';
		fd = mfd_open(root, buf, O_PATH, extra, e);
		if (fd < 0 && e->errnum == ENOENT) {
			if (create_in(pfd, buf + start, last ? dir : 1) < 0 && errno != EEXIST) {
				close(pfd);
				return berr_sys(e, "create %s", buf);
			}
			fd = mfd_open(root, buf, O_PATH, extra, e);
		}
		buf[i] = save;
		close(pfd);
		if (last || fd < 0)
			return fd;
		pfd = fd;
	}
	return -1;
}

int mfd_fs(const char *type, const char *const *kv, unsigned attr, struct berr *e)
{
	int fs, mnt;

	fs = (int)syscall(SYS_fsopen, type, FSOPEN_CLOEXEC);
	if (fs < 0)
		return berr_sys(e, "fsopen %s", type);
	/* The source names the filesystem in mountinfo ("none" otherwise). */
	if (syscall(SYS_fsconfig, fs, FSCONFIG_SET_STRING, "source", type, NULL, 0) < 0) {
		berr_sys(e, "%s source", type);
		close(fs);
		return -1;
	}
	for (; kv && kv[0]; kv += 2) {
		int rc = kv[1] ? (int)syscall(SYS_fsconfig, fs, FSCONFIG_SET_STRING, kv[0], kv[1], 0)
			       : (int)syscall(SYS_fsconfig, fs, FSCONFIG_SET_FLAG, kv[0], NULL, 0);
		if (rc < 0) {
			berr_sys(e, "%s option %s", type, kv[0]);
			close(fs);
			return -1;
		}
	}
	if (syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0) {
		berr_sys(e, "create a %s", type);
		close(fs);
		return -1;
	}
	mnt = (int)syscall(SYS_fsmount, fs, FSMOUNT_CLOEXEC, attr);
	close(fs);
	if (mnt < 0)
		return berr_sys(e, "fsmount %s", type);
	return mnt;
}

int mfd_clone(int fd, const char *path, int recursive, struct berr *e)
{
	unsigned flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (recursive ? AT_RECURSIVE : 0);
	int m;

	if (!path || !*path) {
		path = "";
		flags |= AT_EMPTY_PATH;
	}
	m = (int)syscall(SYS_open_tree, fd, path, flags);
	if (m < 0)
		return berr_sys(e, "open_tree");
	return m;
}

int mfd_setattr(int fd, unsigned long long set, int recursive, struct berr *e)
{
	struct mount_attr a = { .attr_set = set };

	if (syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0),
		    &a, sizeof a) < 0)
		return berr_sys(e, "mount_setattr");
	return 0;
}

int mfd_move_to_root(int fd, struct berr *e)
{
	if (syscall(SYS_move_mount, fd, "", AT_FDCWD, "/", MOVE_MOUNT_F_EMPTY_PATH) < 0)
		return berr_sys(e, "move_mount to /");
	return 0;
}

int mfd_attach(int mnt, int target, struct berr *e)
{
	if (syscall(SYS_move_mount, mnt, "", target, "",
		    MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return berr_sys(e, "move_mount");
	return 0;
}

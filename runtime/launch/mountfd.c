/* mountfd.c — openat2 resolution and the new mount API (see mountfd.h). */
#include "runtime/launch/mountfd.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

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
	struct stat st;
	size_t len = 0;
	int fd = mfd_open(root, path, O_RDONLY | O_NOCTTY | O_NONBLOCK, 0, e);

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return berr_set(e, EINVAL, "%s: not a regular file", path);
	}
	for (;;) {
		ssize_t n = read(fd, buf + len, size - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			berr_sys(e, "read %s", path);
			close(fd);
			return -1;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len == size - 1) {
			char extra;
			n = read(fd, &extra, 1);
			close(fd);
			if (n != 0)
				return berr_set(e, EFBIG, "%s: larger than %zu bytes", path, size - 1);
			buf[len] = '\0';
			return (ssize_t)len;
		}
	}
	close(fd);
	buf[len] = '\0';
	return (ssize_t)len;
}

int mfd_mkpath(int root, const char *path, int dir, unsigned long long extra, struct berr *e)
{
	char buf[MFD_PATH_MAX], *slash;
	int fd, pfd, rc;

	fd = mfd_open(root, path, O_PATH, extra, e);
	if (fd >= 0 || e->errnum != ENOENT)
		return fd;
	if (strlen(path) >= sizeof buf)
		return berr_set(e, ENAMETOOLONG, "%s: path too long", path);
	strcpy(buf, path);
	while ((slash = strrchr(buf, '/')) && slash[1] == '\0')
		*slash = '\0';
	slash = strrchr(buf, '/');
	if (!slash || slash == buf) {
		pfd = mfd_open(root, "/", O_PATH | O_DIRECTORY, extra, e);
	} else {
		*slash = '\0';
		pfd = mfd_mkpath(root, buf, 1, extra, e);
	}
	if (pfd < 0)
		return -1;
	{
		const char *name = slash ? slash + 1 : buf;
		if (strcmp(name, "..") == 0 || strcmp(name, ".") == 0) {
			close(pfd);
			return berr_set(e, EINVAL, "%s: '.' or '..' component", path);
		}
		if (dir)
			rc = mkdirat(pfd, name, 0755);
		else {
			rc = openat(pfd, name, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0644);
			if (rc >= 0)
				rc = close(rc);
		}
	}
	close(pfd);
	if (rc < 0 && errno != EEXIST)
		return berr_sys(e, "create %s", path);
	return mfd_open(root, path, O_PATH, extra, e);
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

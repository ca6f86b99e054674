/* fs.c — bounded reads of regular files, atomic writes, tree removal. */
#include "lib/fs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/util.h"

static const char *type_name(mode_t m)
{
	if (S_ISDIR(m))
		return "a directory";
	if (S_ISFIFO(m))
		return "a FIFO";
	if (S_ISSOCK(m))
		return "a socket";
	if (S_ISCHR(m))
		return "a character device";
	if (S_ISBLK(m))
		return "a block device";
	return "not a regular file";
}

ssize_t fs_read_fd(int fd, const char *what, char *buf, size_t size, struct berr *e)
{
	struct stat st;
	size_t len = 0;

	if (size == 0)
		return berr_set(e, EINVAL, "read %s: no buffer", what);
	if (fstat(fd, &st) < 0)
		return berr_sys(e, "stat %s", what);
	if (!S_ISREG(st.st_mode))
		return berr_set(e, EINVAL, "read %s: %s", what, type_name(st.st_mode));
	for (;;) {
		ssize_t n;

		if (len == size - 1) {
			char extra;

			n = read(fd, &extra, 1);
			if (n == 0)
				break;
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0)
				return berr_sys(e, "read %s", what);
			return berr_set(e, EFBIG, "read %s: larger than %zu bytes", what, size - 1);
		}
		n = read(fd, buf + len, size - 1 - len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return berr_sys(e, "read %s", what);
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	return (ssize_t)len;
}

ssize_t fs_read_at(int dirfd, const char *path, char *buf, size_t size, struct berr *e)
{
	ssize_t n;
	int fd;

	if (size == 0)
		return berr_set(e, EINVAL, "read %s: no buffer", path);
	/* O_NONBLOCK: a FIFO's open returns at once and is refused by type */
	fd = openat(dirfd, path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ELOOP)
			return berr_set(e, ELOOP, "open %s: a symlink", path);
		return berr_sys(e, "open %s", path);
	}
	n = fs_read_fd(fd, path, buf, size, e);
	close(fd);
	return n;
}

ssize_t fs_read(const char *path, char *buf, size_t size, struct berr *e)
{
	return fs_read_at(AT_FDCWD, path, buf, size, e);
}

ssize_t fs_read_follow(const char *path, char *buf, size_t size, struct berr *e)
{
	ssize_t n;
	int fd;

	if (size == 0)
		return berr_set(e, EINVAL, "read %s: no buffer", path);
	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return berr_sys(e, "open %s", path);
	n = fs_read_fd(fd, path, buf, size, e);
	close(fd);
	return n;
}

int fs_fsync_dir_at(int dirfd, const char *path, struct berr *e)
{
	int fd = openat(dirfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return berr_sys(e, "open %s", path);
	if (fsync(fd) < 0) {
		berr_sys(e, "fsync %s", path);
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/* Split path into its directory ("." when none) and last component. */
static int split_path(const char *path, char *dir, size_t dsize, const char **base, struct berr *e)
{
	const char *slash = strrchr(path, '/');
	size_t n;

	if (!slash) {
		snprintf(dir, dsize, ".");
		*base = path;
	} else {
		n = slash == path ? 1 : (size_t)(slash - path);
		if (n >= dsize)
			return berr_set(e, ENAMETOOLONG, "%s: path too long", path);
		memcpy(dir, path, n);
		dir[n] = '\0';
		*base = slash + 1;
	}
	if (!**base || strcmp(*base, ".") == 0 || strcmp(*base, "..") == 0)
		return berr_set(e, EINVAL, "%s: not a file name", path);
	return 0;
}

int fs_write_atomic_at(int dirfd, const char *path, const void *data, size_t len, mode_t mode,
		       struct berr *e)
{
	char dir[4096], tmp[4096 + 64];
	const char *base = NULL;
	int fd = -1;

	if (split_path(path, dir, sizeof dir, &base, e) < 0)
		return -1;
	if (snprintf(tmp, sizeof tmp, "%s/.%s.tmp.%ld", dir, base, (long)getpid()) >= (int)sizeof tmp)
		return berr_set(e, ENAMETOOLONG, "%s: path too long", path);
	/* a leftover of a crashed writer with our pid is ours to replace */
	(void)unlinkat(dirfd, tmp, 0);
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd < 0)
		return berr_sys(e, "create %s", tmp);
	if (fchmod(fd, mode) < 0) { /* the umask does not decide the mode */
		berr_sys(e, "chmod %s", tmp);
		goto fail;
	}
	if (util_write_all(fd, data, len, e) < 0) {
		berr_prefix(e, "%s", tmp);
		goto fail;
	}
	if (fsync(fd) < 0) {
		berr_sys(e, "fsync %s", tmp);
		goto fail;
	}
	if (close(fd) < 0) {
		fd = -1;
		berr_sys(e, "close %s", tmp);
		goto fail;
	}
	fd = -1;
	if (renameat(dirfd, tmp, dirfd, path) < 0) {
		berr_sys(e, "rename %s to %s", tmp, path);
		goto fail;
	}
	return fs_fsync_dir_at(dirfd, dir, e);
fail:
	fd_close(&fd);
	(void)unlinkat(dirfd, tmp, 0);
	return -1;
}

int fs_write_atomic(const char *path, const void *data, size_t len, mode_t mode, struct berr *e)
{
	return fs_write_atomic_at(AT_FDCWD, path, data, len, mode, e);
}

static int rm_tree(int dirfd, const char *name, int depth, struct berr *e)
{
	struct stat st;
	struct dirent *de;
	DIR *d;
	int fd;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : berr_sys(e, "stat %s", name);
	if (!S_ISDIR(st.st_mode)) {
		if (unlinkat(dirfd, name, 0) < 0 && errno != ENOENT)
			return berr_sys(e, "unlink %s", name);
		return 0;
	}
	if (depth >= FS_TREE_DEPTH_MAX)
		return berr_set(e, ELOOP, "%s: deeper than %d directories", name, FS_TREE_DEPTH_MAX);
	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return berr_sys(e, "open %s", name);
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return berr_sys(e, "fdopendir %s", name);
	}
	while ((errno = 0, de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (rm_tree(fd, de->d_name, depth + 1, e) < 0) {
			closedir(d);
			return berr_prefix(e, "%s", name);
		}
	}
	if (errno) {
		berr_sys(e, "readdir %s", name);
		closedir(d);
		return -1;
	}
	closedir(d);
	if (unlinkat(dirfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		return berr_sys(e, "rmdir %s", name);
	return 0;
}

int fs_rm_tree_at(int dirfd, const char *name, struct berr *e)
{
	return rm_tree(dirfd, name, 0, e);
}

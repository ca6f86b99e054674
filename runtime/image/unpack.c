/* unpack.c — layer extraction with path, type and size checks; see unpack.h. */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "lib/util.h"
#include "runtime/image/unpack.h"

#define WH_PREFIX ".wh."
#define WH_OPAQUE ".wh..wh..opq"

int unpack_clean_path(const char *in, char *out, size_t size, unsigned max_depth,
		      struct berr *e)
{
	size_t o = 0, n;
	unsigned depth = 0;
	const char *p = in, *c;

	if (in[0] == '/')
		return berr_set(e, EPERM, "absolute path");
	while ((n = tar_path_next(&p, &c)) > 0) {
		if (n == 2 && c[0] == '.' && c[1] == '.')
			return berr_set(e, EPERM, "path contains \"..\"");
		if (++depth > max_depth)
			return berr_set(e, EPERM, "more than %u path components", max_depth);
		if (tar_path_push(out, size, &o, c, n) < 0)
			return berr_set(e, ENAMETOOLONG, "path too long");
	}
	out[o] = '\0';
	return 0;
}

/* Open the directory `dir` (a clean relative path, "" = root) without
 * crossing a symlink, creating missing components (mode 0755, root-owned). */
static int open_parent(struct unpack *u, const char *dir, const char *entry, struct berr *e)
{
	char comp[TAR_NAME_MAX + 1];
	const char *p = dir, *c;
	size_t n;
	int fd;

	if (u->cache_fd >= 0 && strcmp(u->cache_path, dir) == 0)
		return u->cache_fd;
	fd = dup(u->rootfd);
	if (fd < 0)
		return berr_sys(e, "%s: dup", entry);
	while ((n = tar_path_next(&p, &c)) > 0) {
		int next;

		memcpy(comp, c, n);
		comp[n] = '\0';
		next = openat(fd, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0 && errno == ENOENT) {
			if (mkdirat(fd, comp, 0755) < 0 && errno != EEXIST) {
				berr_sys(e, "entry \"%s\": mkdir %.*s", entry, (int)(c - dir + (ptrdiff_t)n), dir);
				close(fd);
				return -1;
			}
			next = openat(fd, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		}
		if (next < 0) {
			struct stat st;
			int err = errno;
			if ((err == ELOOP || err == ENOTDIR) &&
			    fstatat(fd, comp, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
				berr_set(e, EPERM, "entry \"%s\": path crosses the symlink \"%.*s\"", entry,
					 (int)(c - dir + (ptrdiff_t)n), dir);
			else if (err == ENOTDIR)
				berr_set(e, ENOTDIR, "entry \"%s\": \"%.*s\" is not a directory", entry,
					 (int)(c - dir + (ptrdiff_t)n), dir);
			else
				berr_set(e, err, "entry \"%s\": open %.*s: %s", entry,
					 (int)(c - dir + (ptrdiff_t)n), dir, strerror(err));
			close(fd);
			return -1;
		}
		close(fd);
		fd = next;
	}
	if (u->cache_fd >= 0)
		close(u->cache_fd);
	u->cache_fd = fd;
	snprintf(u->cache_path, sizeof(u->cache_path), "%s", dir);
	return fd;
}

/* Split a clean path into its parent (in place) and base name. */
static const char *split(char *path)
{
	char *slash = strrchr(path, '/');

	if (!slash) {
		memmove(path + 1, path, strlen(path) + 1);
		path[0] = '\0';
		return path + 1;
	}
	*slash = '\0';
	return slash + 1;
}

/* chown failed: EINVAL means the owner has no mapping (user namespace) */
static int owner_error(struct berr *e, const struct tar_entry *t)
{
	if (errno == EINVAL)
		return berr_set(e, EINVAL, "entry \"%s\": owner %llu:%llu is outside the uid/gid range",
				t->path, (unsigned long long)t->uid, (unsigned long long)t->gid);
	return berr_sys(e, "entry \"%s\": chown/chmod", t->path);
}

static int set_xattrs(struct unpack *u, int fd, const char *name, struct berr *e)
{
	const struct tar_entry *t = &u->ent;

	for (int i = 0; i < t->nxattr; i++) {
		const struct tar_xattr *x = &t->xattr[i];
		/* overlayfs' own attributes must not come from an image */
		if (strncmp(x->name, "trusted.", 8) == 0)
			return berr_set(e, EPERM, "entry \"%s\": xattr %s is not allowed", t->path, x->name);
		if (fsetxattr(fd, x->name, t->xattr_data + x->off, x->len, 0) < 0)
			return berr_sys(e, "entry \"%s\": set xattr %s", t->path, x->name);
	}
	(void)name;
	return 0;
}

/* Owner, mode and xattrs of an open file or directory, in the one safe
 * order: chmod after chown (chown clears setuid/setgid), xattrs last (chown
 * also clears security.capability). */
static int apply_meta(struct unpack *u, int fd, const char *name, const struct tar_entry *t,
		      struct berr *e)
{
	if (fchown(fd, (uid_t)t->uid, (gid_t)t->gid) < 0 || fchmod(fd, t->mode) < 0)
		return owner_error(e, t);
	return set_xattrs(u, fd, name, e);
}

static int write_file(struct unpack *u, struct tar_reader *r, int dfd, const char *name,
		      struct berr *e)
{
	const struct tar_entry *t = &u->ent;
	int fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	ssize_t k;

	if (fd < 0) {
		if (errno == EEXIST)
			return berr_set(e, EEXIST, "entry \"%s\": duplicate entry", t->path);
		return berr_sys(e, "entry \"%s\": create", t->path);
	}
	while ((k = tar_read(r, u->buf, sizeof(u->buf), e)) > 0) {
		if (util_write_all(fd, u->buf, (size_t)k, e) < 0) {
			close(fd);
			return berr_prefix(e, "entry \"%s\"", t->path);
		}
	}
	if (k < 0) {
		close(fd);
		return -1;
	}
	if (apply_meta(u, fd, name, t, e) < 0) {
		close(fd);
		return -1;
	}
	struct timespec ts[2] = { { t->mtime, 0 }, { t->mtime, 0 } };
	futimens(fd, ts);
	close(fd);
	return 0;
}

static int remember_dirtime(struct unpack *u)
{
	const struct tar_entry *t = &u->ent;
	size_t n = sizeof(int64_t) + strlen(t->path) + 1;

	if (u->dirtimes_full)
		return 0;
	if (u->dirtimes_len + n > u->dirtimes_cap) {
		size_t cap = u->dirtimes_cap ? u->dirtimes_cap * 2 : 65536;
		char *p;
		if (cap > UNPACK_DIRTIMES_MAX || !(p = realloc(u->dirtimes, cap))) {
			u->dirtimes_full = 1;
			return 0;
		}
		u->dirtimes = p;
		u->dirtimes_cap = cap;
	}
	memcpy(u->dirtimes + u->dirtimes_len, &t->mtime, sizeof(int64_t));
	memcpy(u->dirtimes + u->dirtimes_len + sizeof(int64_t), t->path, n - sizeof(int64_t));
	u->dirtimes_len += n;
	return 0;
}

/* Directory mtimes from the headers, now that nothing more is created. */
static int restore_dirtimes(struct unpack *u, struct berr *e)
{
	for (size_t o = 0; o < u->dirtimes_len;) {
		int64_t mtime;
		char path[TAR_NAME_MAX + 2];
		const char *name;
		int dfd;

		memcpy(&mtime, u->dirtimes + o, sizeof(mtime));
		o += sizeof(mtime);
		if (unpack_clean_path(u->dirtimes + o, path, sizeof(path) - 1, u->pol.max_depth, e) < 0)
			return -1;
		o += strlen(u->dirtimes + o) + 1;
		name = split(path);
		dfd = open_parent(u, path, name, e);
		if (dfd < 0)
			return -1;
		struct timespec ts[2] = { { mtime, 0 }, { mtime, 0 } };
		if (utimensat(dfd, name, ts, AT_SYMLINK_NOFOLLOW) < 0)
			return berr_sys(e, "directory \"%s\": set times", name);
	}
	return 0;
}

static int make_dir(struct unpack *u, int dfd, const char *name, struct berr *e)
{
	const struct tar_entry *t = &u->ent;
	struct stat st;
	int fd;

	if (mkdirat(dfd, name, 0700) < 0) {
		if (errno != EEXIST)
			return berr_sys(e, "entry \"%s\": mkdir", t->path);
		/* a directory over an (implicitly created) directory updates it */
		if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(st.st_mode))
			return berr_set(e, EEXIST, "entry \"%s\": duplicate entry", t->path);
	}
	fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return berr_sys(e, "entry \"%s\": open directory", t->path);
	if (apply_meta(u, fd, name, t, e) < 0) {
		close(fd);
		return -1;
	}
	close(fd);
	return remember_dirtime(u);
}

static int whiteout(struct unpack *u, int dfd, const char *dir, const char *name,
		    struct berr *e)
{
	const struct tar_entry *t = &u->ent;

	if (strcmp(name, WH_OPAQUE) == 0) {
		size_t n = strlen(dir) + 1;
		if (u->opaque_len + n > sizeof(u->opaque))
			return berr_set(e, E2BIG, "entry \"%s\": more opaque directories than fit in %d bytes",
					t->path, UNPACK_OPAQUE_BUF);
		memcpy(u->opaque + u->opaque_len, dir, n);
		u->opaque_len += n;
		return 0;
	}
	name += strlen(WH_PREFIX);
	if (!name[0] || strcmp(name, ".") == 0 || strcmp(name, "..") == 0 ||
	    strncmp(name, WH_PREFIX, strlen(WH_PREFIX)) == 0)
		return berr_set(e, EINVAL, "entry \"%s\": malformed whiteout", t->path);
	if (mknodat(dfd, name, S_IFCHR | 0, makedev(0, 0)) < 0) {
		if (errno == EEXIST)
			return berr_set(e, EEXIST, "entry \"%s\": whiteout of a path this layer also creates",
					t->path);
		return berr_sys(e, "entry \"%s\": mknod whiteout", t->path);
	}
	return 0;
}

static int hardlink(struct unpack *u, int dfd, const char *name, struct berr *e)
{
	const struct tar_entry *t = &u->ent;
	char target[TAR_NAME_MAX + 2];
	const char *tname;
	int tfd;

	if (unpack_clean_path(t->link, target, sizeof(target) - 1, u->pol.max_depth, e) < 0)
		return berr_prefix(e, "entry \"%s\": hardlink target \"%s\"", t->path, t->link);
	if (!target[0])
		return berr_set(e, EPERM, "entry \"%s\": hardlink to the layer root", t->path);
	/* the destination's parent fd may be the cache: keep it open */
	int keep = dup(dfd);
	if (keep < 0)
		return berr_sys(e, "entry \"%s\": dup", t->path);
	tname = split(target);
	tfd = open_parent(u, target, t->path, e);
	if (tfd < 0) {
		close(keep);
		return berr_prefix(e, "hardlink target");
	}
	if (linkat(tfd, tname, keep, name, 0) < 0) {
		int err = errno;
		close(keep);
		if (err == ENOENT)
			return berr_set(e, EPERM, "entry \"%s\": hardlink target \"%s\" is not in this layer",
					t->path, t->link);
		if (err == EEXIST)
			return berr_set(e, EEXIST, "entry \"%s\": duplicate entry", t->path);
		return berr_set(e, err, "entry \"%s\": link to \"%s\": %s", t->path, t->link, strerror(err));
	}
	close(keep);
	return 0;
}

/* Times of a symlink or fifo (never followed); failures do not matter. */
static int set_times(int dfd, const char *name, int64_t mtime)
{
	struct timespec ts[2] = { { mtime, 0 }, { mtime, 0 } };

	utimensat(dfd, name, ts, AT_SYMLINK_NOFOLLOW);
	return 0;
}

static int create(struct unpack *u, struct tar_reader *r, int dfd, const char *name, struct berr *e);

/* Check one entry against the policy and find its parent directory. */
static int one_entry(struct unpack *u, struct tar_reader *r, struct berr *e)
{
	struct tar_entry *t = &u->ent;
	char path[TAR_NAME_MAX + 2];
	const char *name;
	int dfd;

	if (++u->st.entries > u->pol.max_entries)
		return berr_set(e, EFBIG, "entry \"%s\": more than %llu entries (tar bomb)", t->path,
				(unsigned long long)u->pol.max_entries);
	if (t->type == TAR_FILE && (u->st.bytes += t->size) > u->pol.max_bytes)
		return berr_set(e, EFBIG, "entry \"%s\": layer larger than %llu bytes (tar bomb)",
				t->path, (unsigned long long)u->pol.max_bytes);
	if (unpack_clean_path(t->path, path, sizeof(path) - 1, u->pol.max_depth, e) < 0)
		return berr_prefix(e, "entry \"%s\"", t->path);
	if (!path[0]) {
		if (t->type == TAR_DIR)
			return 0; /* "./": the layer root itself */
		return berr_set(e, EINVAL, "entry \"%s\": not a directory but names the root", t->path);
	}
	if (t->uid > 0xfffffffeu || t->gid > 0xfffffffeu)
		return berr_set(e, ERANGE, "entry \"%s\": uid/gid %llu/%llu out of range", t->path,
				(unsigned long long)t->uid, (unsigned long long)t->gid);
	if ((t->mode & (S_ISUID | S_ISGID)) && !u->pol.allow_setid && t->type == TAR_FILE)
		return berr_set(e, EPERM, "entry \"%s\": setuid/setgid files are not allowed by policy",
				t->path);
	name = split(path);
	dfd = open_parent(u, path, t->path, e);
	if (dfd < 0)
		return -1;

	if (strncmp(name, WH_PREFIX, strlen(WH_PREFIX)) == 0)
		return whiteout(u, dfd, path, name, e);
	return create(u, r, dfd, name, e);
}

/* Create the entry `name` in the directory dfd, by type. */
static int create(struct unpack *u, struct tar_reader *r, int dfd, const char *name, struct berr *e)
{
	const struct tar_entry *t = &u->ent;

	switch (t->type) {
	case TAR_FILE:
		return write_file(u, r, dfd, name, e);
	case TAR_DIR:
		return make_dir(u, dfd, name, e);
	case TAR_SYMLINK:
		if (symlinkat(t->link, dfd, name) < 0) {
			if (errno == EEXIST)
				return berr_set(e, EEXIST, "entry \"%s\": duplicate entry", t->path);
			return berr_sys(e, "entry \"%s\": symlink", t->path);
		}
		if (fchownat(dfd, name, (uid_t)t->uid, (gid_t)t->gid, AT_SYMLINK_NOFOLLOW) < 0)
			return owner_error(e, t);
		return set_times(dfd, name, t->mtime);
	case TAR_HARDLINK:
		return hardlink(u, dfd, name, e);
	case TAR_FIFO:
		if (mknodat(dfd, name, S_IFIFO | (t->mode & 0777), 0) < 0) {
			if (errno == EEXIST)
				return berr_set(e, EEXIST, "entry \"%s\": duplicate entry", t->path);
			return berr_sys(e, "entry \"%s\": mkfifo", t->path);
		}
		if (fchownat(dfd, name, (uid_t)t->uid, (gid_t)t->gid, AT_SYMLINK_NOFOLLOW) < 0 ||
		    fchmodat(dfd, name, t->mode & 0777, 0) < 0)
			return owner_error(e, t);
		return set_times(dfd, name, t->mtime);
	case TAR_CHAR:
		/* a whiteout already in overlayfs form */
		if (t->devmajor == 0 && t->devminor == 0) {
			if (mknodat(dfd, name, S_IFCHR, makedev(0, 0)) < 0)
				return berr_sys(e, "entry \"%s\": mknod whiteout", t->path);
			return 0;
		}
		return berr_set(e, EPERM, "entry \"%s\": device node %u:%u is not allowed", t->path,
				t->devmajor, t->devminor);
	case TAR_BLOCKDEV:
		return berr_set(e, EPERM, "entry \"%s\": block device %u:%u is not allowed", t->path,
				t->devmajor, t->devminor);
	default:
		return berr_set(e, ENOTSUP, "entry \"%s\": unsupported entry type '%c'", t->path,
				t->type >= 32 && t->type < 127 ? t->type : '?');
	}
}

int unpack_run(struct unpack *u, struct tar_reader *r, struct berr *e)
{
	int rc;

	memset(&u->st, 0, sizeof(u->st));
	u->cache_fd = -1;
	u->cache_path[0] = '\0';
	u->opaque_len = 0;
	u->dirtimes_len = 0;
	u->dirtimes_full = 0;
	while ((rc = tar_next(r, &u->ent, e)) > 0) {
		if (one_entry(u, r, e) < 0) {
			rc = -1;
			break;
		}
	}
	if (rc == 0 && restore_dirtimes(u, e) < 0)
		rc = -1;
	fd_close(&u->cache_fd);
	return rc;
}

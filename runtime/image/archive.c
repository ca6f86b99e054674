/* archive.c — spool and hash an image archive; see archive.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/util.h"
#include "runtime/image/archive.h"
#include "runtime/image/gz.h"
#include "runtime/image/tar.h"

/* fd with the first bytes already read (for sniffing) put back in front */
struct peek {
	int fd;
	unsigned char buf[TAR_BLOCK];
	size_t len, pos;
};

static ssize_t peek_read(void *ctx, void *buf, size_t n, struct berr *e)
{
	struct peek *p = ctx;

	if (p->pos < p->len) {
		if (n > p->len - p->pos)
			n = p->len - p->pos;
		memcpy(buf, p->buf + p->pos, n);
		p->pos += n;
		return (ssize_t)n;
	}
	return tar_fd_read(&p->fd, buf, n, e);
}

/* Lexically clean an archive path ("./a//b" -> "a/b"); ".." is refused. */
static int clean(const char *in, const char *base, char *out, size_t size, struct berr *e)
{
	char tmp[2 * ARCHIVE_PATH_MAX + 2];
	size_t o = 0;
	const char *p;

	if (snprintf(tmp, sizeof(tmp), "%s%s%s", base ? base : "", base && base[0] ? "/" : "", in) >=
	    (int)sizeof(tmp))
		return berr_set(e, ENAMETOOLONG, "archive path \"%.60s\" too long", in);
	for (p = tmp; *p;) {
		const char *c = p;
		size_t n;
		while (*p && *p != '/')
			p++;
		n = (size_t)(p - c);
		while (*p == '/')
			p++;
		if (n == 0 || (n == 1 && c[0] == '.'))
			continue;
		if (n == 2 && c[0] == '.' && c[1] == '.') {
			/* inside a link target: go up one, never above the top */
			char *slash;
			if (!base)
				return berr_set(e, EPERM, "archive path \"%.60s\" contains \"..\"", in);
			if (o == 0)
				return berr_set(e, EPERM, "archive link \"%.60s\" leaves the archive", in);
			out[o] = '\0';
			slash = strrchr(out, '/');
			o = slash ? (size_t)(slash - out) : 0;
			continue;
		}
		if (o + n + 2 > size)
			return berr_set(e, ENAMETOOLONG, "archive path \"%.60s\" too long", in);
		if (o)
			out[o++] = '/';
		memcpy(out + o, c, n);
		o += n;
	}
	out[o] = '\0';
	return 0;
}

void archive_spool_name(const struct archive *a, const struct arch_file *f, char *buf, size_t size)
{
	snprintf(buf, size, "f%d", (int)(f - a->f));
}

static int spool_one(struct archive *a, struct tar_reader *r, struct arch_file *f,
		     unsigned char *buf, size_t bufsize, struct berr *e)
{
	char name[32];
	struct digest d;
	ssize_t k;
	int fd;

	archive_spool_name(a, f, name, sizeof(name));
	fd = openat(a->dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return berr_sys(e, "create spool file for %s", f->path);
	digest_init(&d);
	while ((k = tar_read(r, buf, bufsize, e)) > 0) {
		a->total += (uint64_t)k;
		if (a->total > ((uint64_t)CONFIG_IMAGE_ARCHIVE_MAX_MB << 20)) {
			close(fd);
			return berr_set(e, EFBIG, "%s: archive larger than %d MiB", f->path,
					CONFIG_IMAGE_ARCHIVE_MAX_MB);
		}
		digest_update(&d, buf, (size_t)k);
		f->size += (uint64_t)k;
		if (util_write_all(fd, buf, (size_t)k, e) < 0) {
			close(fd);
			return berr_prefix(e, "spool %s", f->path);
		}
	}
	/* no fsync here: the commit's syncfs makes every spooled blob durable
	 * before any of them is renamed into the store */
	if (k < 0) {
		close(fd);
		return -1;
	}
	close(fd);
	digest_final(&d, f->digest);
	return 0;
}

int archive_spool(struct archive *a, int dirfd, int fd, struct berr *e)
{
	struct peek *pk = calloc(1, sizeof(*pk));
	struct tar_reader *r = malloc(sizeof(*r));
	struct tar_entry *ent = malloc(sizeof(*ent));
	struct gz *g = NULL;
	unsigned char *buf = malloc(1 << 18);
	int rc = -1;

	a->n = 0;
	a->total = 0;
	a->dirfd = dirfd;
	if (!pk || !r || !ent || !buf) {
		berr_set(e, ENOMEM, "out of memory");
		goto out;
	}
	pk->fd = fd;
	while (pk->len < sizeof(pk->buf)) {
		ssize_t k = tar_fd_read(&fd, pk->buf + pk->len, sizeof(pk->buf) - pk->len, e);
		if (k < 0)
			goto out;
		if (k == 0)
			break;
		pk->len += (size_t)k;
	}
	switch (gz_sniff(pk->buf, pk->len)) {
	case FMT_GZIP:
		g = malloc(sizeof(*g));
		if (!g || gz_init(g, peek_read, pk, (uint64_t)CONFIG_IMAGE_ARCHIVE_MAX_MB << 20,
				  CONFIG_IMAGE_GZIP_RATIO_MAX, e) < 0) {
			if (!g)
				berr_set(e, ENOMEM, "out of memory");
			goto out;
		}
		tar_init(r, gz_read, g);
		break;
	case FMT_ZSTD:
		berr_set(e, ENOTSUP, "zstd-compressed archives are unsupported");
		goto out;
	default:
		tar_init(r, peek_read, pk);
	}
	for (;;) {
		int k = tar_next(r, ent, e);
		struct arch_file *f;
		if (k < 0)
			goto out;
		if (k == 0)
			break;
		if (ent->type == TAR_DIR)
			continue;
		if (a->n >= ARCHIVE_FILES_MAX) {
			berr_set(e, E2BIG, "%s: more than %d files in the archive", ent->path, ARCHIVE_FILES_MAX);
			goto out;
		}
		f = &a->f[a->n];
		memset(f, 0, sizeof(*f));
		f->alias = -1;
		if (clean(ent->path, NULL, f->path, sizeof(f->path), e) < 0)
			goto out;
		if (archive_find(a, f->path)) {
			berr_set(e, EEXIST, "%s: duplicate file in the archive", f->path);
			goto out;
		}
		if (ent->type == TAR_SYMLINK || ent->type == TAR_HARDLINK) {
			char dir[ARCHIVE_PATH_MAX], *slash;
			snprintf(dir, sizeof(dir), "%s", f->path);
			slash = strrchr(dir, '/');
			if (slash)
				*slash = '\0';
			else
				dir[0] = '\0';
			if (ent->link[0] == '/') {
				berr_set(e, EPERM, "%s: absolute link in the archive", f->path);
				goto out;
			}
			if (clean(ent->link, ent->type == TAR_SYMLINK ? dir : "", f->link, sizeof(f->link), e) < 0) {
				berr_prefix(e, "%s", f->path);
				goto out;
			}
			f->is_symlink = 1;
			a->n++;
			continue;
		}
		if (ent->type != TAR_FILE) {
			berr_set(e, EPERM, "%s: unexpected entry type '%c' in an image archive", f->path, ent->type);
			goto out;
		}
		a->n++;
		if (spool_one(a, r, f, buf, 1 << 18, e) < 0)
			goto out;
	}
	/* resolve links (one level; a link to a link is refused) */
	for (int i = 0; i < a->n; i++) {
		struct arch_file *f = &a->f[i];
		if (!f->is_symlink)
			continue;
		for (int k = 0; k < a->n; k++)
			if (!a->f[k].is_symlink && strcmp(a->f[k].path, f->link) == 0)
				f->alias = k;
		if (f->alias < 0) {
			berr_set(e, ENOENT, "%s: link to \"%s\", which is not a file in the archive", f->path, f->link);
			goto out;
		}
	}
	rc = 0;
out:
	if (g)
		gz_end(g);
	free(g);
	free(pk);
	free(r);
	free(ent);
	free(buf);
	return rc < 0 ? berr_prefix(e, "archive") : 0;
}

const struct arch_file *archive_find(const struct archive *a, const char *path)
{
	for (int i = 0; i < a->n; i++)
		if (strcmp(a->f[i].path, path) == 0)
			return a->f[i].alias >= 0 ? &a->f[a->f[i].alias] : &a->f[i];
	return NULL;
}

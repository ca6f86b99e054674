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

#define SPOOL_CHUNK (1 << 18)

/* The source with its first bytes (read for sniffing) put back in front;
 * a failure of the source itself is recorded for the error class. */
struct peek {
	tar_read_fn read;
	void *ctx;
	struct archive *a;
	unsigned char buf[TAR_BLOCK];
	size_t len, pos;
};

static ssize_t peek_read(void *ctx, void *buf, size_t n, struct berr *e)
{
	struct peek *p = ctx;
	ssize_t k;

	if (p->pos < p->len) {
		if (n > p->len - p->pos)
			n = p->len - p->pos;
		memcpy(buf, p->buf + p->pos, n);
		p->pos += n;
		return (ssize_t)n;
	}
	k = p->read(p->ctx, buf, n, e);
	if (k < 0)
		p->a->failed = ARCHIVE_SOURCE;
	return k;
}

/* Lexically clean an archive path ("./a//b" -> "a/b"), or a link target
 * relative to base, where ".." goes up but never above the top. */
static int clean(const char *in, const char *base, char *out, size_t size, struct berr *e)
{
	char tmp[2 * ARCHIVE_PATH_MAX + 2];
	const char *p = tmp, *c;
	size_t o = 0, n;

	if (snprintf(tmp, sizeof(tmp), "%s%s%s", base ? base : "", base && base[0] ? "/" : "", in) >=
	    (int)sizeof(tmp))
		return berr_set(e, ENAMETOOLONG, "archive path \"%.60s\" too long", in);
	while ((n = tar_path_next(&p, &c)) > 0) {
		if (n == 2 && c[0] == '.' && c[1] == '.') {
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
		if (tar_path_push(out, size, &o, c, n) < 0)
			return berr_set(e, ENAMETOOLONG, "archive path \"%.60s\" too long", in);
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
	if (fd < 0) {
		a->failed = ARCHIVE_SYSTEM;
		return berr_sys(e, "create spool file for %s", f->path);
	}
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
			a->failed = ARCHIVE_SYSTEM;
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

/* Sniff the first block and set up r over the source, through gunzip
 * when the archive is compressed. */
static int open_source(struct archive *a, struct peek *pk, struct gz **g, struct tar_reader *r,
		       struct berr *e)
{
	while (pk->len < sizeof(pk->buf)) {
		ssize_t k = pk->read(pk->ctx, pk->buf + pk->len, sizeof(pk->buf) - pk->len, e);
		if (k < 0) {
			a->failed = ARCHIVE_SOURCE;
			return -1;
		}
		if (k == 0)
			break;
		pk->len += (size_t)k;
	}
	switch (gz_sniff(pk->buf, pk->len)) {
	case FMT_GZIP:
		*g = malloc(sizeof(**g));
		if (!*g) {
			a->failed = ARCHIVE_SYSTEM;
			return berr_set(e, ENOMEM, "out of memory");
		}
		if (gz_init(*g, peek_read, pk, (uint64_t)CONFIG_IMAGE_ARCHIVE_MAX_MB << 20,
			    CONFIG_IMAGE_GZIP_RATIO_MAX, e) < 0) {
			free(*g);
			*g = NULL;
			a->failed = ARCHIVE_SYSTEM;
			return -1;
		}
		tar_init(r, gz_read, *g);
		return 0;
	case FMT_ZSTD:
		return berr_set(e, ENOTSUP, "zstd-compressed archives are unsupported");
	default:
		tar_init(r, peek_read, pk);
		return 0;
	}
}

/* A symlink or hardlink: its target, cleaned (relative to the link's
 * directory for a symlink, to the top for a hardlink), resolved later. */
static int add_link(struct arch_file *f, const struct tar_entry *ent, struct berr *e)
{
	char dir[ARCHIVE_PATH_MAX], *slash;

	snprintf(dir, sizeof(dir), "%s", f->path);
	slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	else
		dir[0] = '\0';
	if (ent->link[0] == '/')
		return berr_set(e, EPERM, "%s: absolute link in the archive", f->path);
	if (clean(ent->link, ent->type == TAR_SYMLINK ? dir : "", f->link, sizeof(f->link), e) < 0)
		return berr_prefix(e, "%s", f->path);
	f->is_link = 1;
	return 0;
}

/* One entry of the archive: directories are skipped, links recorded,
 * files spooled and hashed. */
static int add_entry(struct archive *a, struct tar_reader *r, const struct tar_entry *ent,
		     unsigned char *buf, size_t bufsize, struct berr *e)
{
	struct arch_file *f;

	if (ent->type == TAR_DIR)
		return 0;
	if (a->n >= ARCHIVE_FILES_MAX)
		return berr_set(e, E2BIG, "%s: more than %d files in the archive", ent->path, ARCHIVE_FILES_MAX);
	f = &a->f[a->n];
	memset(f, 0, sizeof(*f));
	f->alias = -1;
	if (clean(ent->path, NULL, f->path, sizeof(f->path), e) < 0)
		return -1;
	if (archive_find(a, f->path))
		return berr_set(e, EEXIST, "%s: duplicate file in the archive", f->path);
	if (ent->type == TAR_SYMLINK || ent->type == TAR_HARDLINK) {
		if (add_link(f, ent, e) < 0)
			return -1;
		a->n++;
		return 0;
	}
	if (ent->type != TAR_FILE)
		return berr_set(e, EPERM, "%s: unexpected entry type '%c' in an image archive", f->path,
				ent->type);
	a->n++;
	return spool_one(a, r, f, buf, bufsize, e);
}

int archive_resolve_links(struct archive *a, struct berr *e)
{
	for (int i = 0; i < a->n; i++) {
		struct arch_file *f = &a->f[i];
		if (!f->is_link)
			continue;
		f->alias = -1;
		for (int k = 0; k < a->n && f->alias < 0; k++)
			if (!a->f[k].is_link && strcmp(a->f[k].path, f->link) == 0)
				f->alias = k;
		if (f->alias < 0)
			return berr_set(e, ENOENT, "%s: link to \"%s\", which is not a file in the archive",
					f->path, f->link);
	}
	return 0;
}

int archive_spool(struct archive *a, int dirfd, tar_read_fn read, void *ctx, struct berr *e)
{
	struct peek *pk = calloc(1, sizeof(*pk));
	struct tar_reader *r = malloc(sizeof(*r));
	struct tar_entry *ent = malloc(sizeof(*ent));
	struct gz *g = NULL;
	unsigned char *buf = malloc(SPOOL_CHUNK);
	int rc = -1, k;

	a->n = 0;
	a->total = 0;
	a->dirfd = dirfd;
	a->failed = ARCHIVE_REFUSED;
	if (!pk || !r || !ent || !buf) {
		a->failed = ARCHIVE_SYSTEM;
		berr_set(e, ENOMEM, "out of memory");
		goto out;
	}
	pk->read = read;
	pk->ctx = ctx;
	pk->a = a;
	if (open_source(a, pk, &g, r, e) < 0)
		goto out;
	while ((k = tar_next(r, ent, e)) > 0)
		if (add_entry(a, r, ent, buf, SPOOL_CHUNK, e) < 0)
			goto out;
	if (k < 0 || archive_resolve_links(a, e) < 0)
		goto out;
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

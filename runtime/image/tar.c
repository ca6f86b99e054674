/* tar.c — bounded streaming tar reader; see tar.h. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "runtime/image/tar.h"

/* POSIX ustar header offsets */
#define H_NAME 0
#define H_MODE 100
#define H_UID 108
#define H_GID 116
#define H_SIZE 124
#define H_MTIME 136
#define H_CHKSUM 148
#define H_TYPE 156
#define H_LINK 157
#define H_MAGIC 257
#define H_DEVMAJOR 329
#define H_DEVMINOR 337
#define H_PREFIX 345

void tar_init(struct tar_reader *r, tar_read_fn read, void *ctx)
{
	memset(r, 0, sizeof(*r));
	r->read = read;
	r->ctx = ctx;
}

/* Exactly n bytes, or an error: the stream ending here is truncation. */
static int read_full(struct tar_reader *r, void *buf, size_t n, struct berr *e)
{
	size_t got = 0;

	while (got < n) {
		ssize_t k = r->read(r->ctx, (char *)buf + got, n - got, e);
		if (k < 0)
			return -1;
		if (k == 0)
			return got == 0 ? 0 : berr_set(e, EPROTO, "truncated stream at byte %llu",
						     (unsigned long long)(r->offset + got));
		got += (size_t)k;
	}
	r->offset += n;
	return 1;
}

static int skip(struct tar_reader *r, uint64_t n, struct berr *e)
{
	unsigned char buf[4096];

	while (n > 0) {
		size_t k = n < sizeof(buf) ? (size_t)n : sizeof(buf);
		int rc = read_full(r, buf, k, e);
		if (rc < 0)
			return -1;
		if (rc == 0)
			return berr_set(e, EPROTO, "%s: truncated stream", r->cur);
		n -= k;
	}
	return 0;
}

/* Octal (NUL/space terminated, leading spaces allowed) or GNU base-256. */
static int parse_num(const unsigned char *f, size_t len, uint64_t *out)
{
	uint64_t v = 0;
	size_t i = 0;

	if (len > 0 && (f[0] & 0x80)) {
		if (f[0] & 0x40)
			return -1; /* negative */
		v = f[0] & 0x3f;
		for (i = 1; i < len; i++) {
			if (v >> 55)
				return -1;
			v = (v << 8) | f[i];
		}
		*out = v;
		return 0;
	}
	while (i < len && f[i] == ' ')
		i++;
	for (; i < len && f[i] >= '0' && f[i] <= '7'; i++) {
		if (v >> 60)
			return -1;
		v = (v << 3) | (uint64_t)(f[i] - '0');
	}
	for (; i < len; i++)
		if (f[i] != ' ' && f[i] != '\0')
			return -1;
	*out = v;
	return 0;
}

/* A fixed-width header string: NUL-terminated or exactly len bytes. */
static size_t field_len(const unsigned char *f, size_t len)
{
	const unsigned char *z = memchr(f, '\0', len);
	return z ? (size_t)(z - f) : len;
}

static int is_zero_block(const unsigned char *b)
{
	for (int i = 0; i < TAR_BLOCK; i++)
		if (b[i])
			return 0;
	return 1;
}

static int checksum_ok(const unsigned char *b)
{
	uint64_t want;
	unsigned long sum = 0;

	if (parse_num(b + H_CHKSUM, 8, &want) < 0)
		return 0;
	for (int i = 0; i < TAR_BLOCK; i++)
		sum += (i >= H_CHKSUM && i < H_CHKSUM + 8) ? ' ' : b[i];
	return sum == want;
}

static int set_name(char *dst, const void *src, size_t len, const char *what,
		    const char *entry, struct berr *e)
{
	if (memchr(src, '\0', len))
		return berr_set(e, EINVAL, "%s: %s contains NUL", entry, what);
	if (len > TAR_NAME_MAX)
		return berr_set(e, ENAMETOOLONG, "%s: %s longer than %d bytes", entry, what,
				TAR_NAME_MAX);
	memcpy(dst, src, len);
	dst[len] = '\0';
	return 0;
}

static int add_xattr(struct tar_entry *ent, const char *name, size_t nlen,
		     const unsigned char *val, size_t vlen, struct berr *e)
{
	struct tar_xattr *x;

	if (ent->nxattr >= TAR_XATTR_MAX)
		return berr_set(e, E2BIG, "more than %d xattrs", TAR_XATTR_MAX);
	if (nlen == 0 || nlen >= TAR_XATTR_NAME_MAX || memchr(name, '\0', nlen))
		return berr_set(e, EINVAL, "bad xattr name");
	if (vlen > sizeof(ent->xattr_data) - ent->xattr_used)
		return berr_set(e, E2BIG, "xattr values larger than %d bytes", TAR_PAX_MAX);
	x = &ent->xattr[ent->nxattr++];
	memcpy(x->name, name, nlen);
	x->name[nlen] = '\0';
	x->off = ent->xattr_used;
	x->len = vlen;
	memcpy(ent->xattr_data + ent->xattr_used, val, vlen);
	ent->xattr_used += vlen;
	return 0;
}

static int pax_dec(const unsigned char *v, size_t len, int frac, uint64_t *out)
{
	uint64_t n = 0;
	size_t i;

	if (len == 0)
		return -1;
	for (i = 0; i < len && v[i] >= '0' && v[i] <= '9'; i++) {
		if (n > (UINT64_MAX - 9) / 10)
			return -1;
		n = n * 10 + (uint64_t)(v[i] - '0');
	}
	if (i == 0 || (i < len && !(frac && v[i] == '.')))
		return -1;
	*out = n;
	return 0;
}

/* Records are "LEN KEY=VALUE\n" where LEN counts the whole record. */
int tar_pax_parse(const unsigned char *p, size_t len, struct tar_entry *ent,
		  struct berr *e)
{
	size_t pos = 0;

	while (pos < len) {
		size_t rlen = 0, i = pos, klen;
		const unsigned char *key, *eq, *val, *end;
		uint64_t n;

		while (i < len && p[i] >= '0' && p[i] <= '9') {
			if (rlen > len)
				break;
			rlen = rlen * 10 + (size_t)(p[i] - '0');
			i++;
		}
		if (i == pos || i >= len || p[i] != ' ' || rlen > len - pos || rlen <= i - pos + 1)
			return berr_set(e, EPROTO, "malformed PAX record at offset %zu", pos);
		end = p + pos + rlen;
		if (end[-1] != '\n')
			return berr_set(e, EPROTO, "PAX record at offset %zu not newline-terminated", pos);
		key = p + i + 1;
		eq = memchr(key, '=', (size_t)(end - key));
		if (!eq)
			return berr_set(e, EPROTO, "PAX record at offset %zu has no '='", pos);
		klen = (size_t)(eq - key);
		val = eq + 1;
		size_t vlen = (size_t)(end - 1 - val);
		pos += rlen;

#define KEY(s) (klen == sizeof(s) - 1 && memcmp(key, s, klen) == 0)
		if (KEY("path")) {
			if (set_name(ent->path, val, vlen, "PAX path", "PAX header", e) < 0)
				return -1;
		} else if (KEY("linkpath")) {
			if (set_name(ent->link, val, vlen, "PAX linkpath", ent->path, e) < 0)
				return -1;
		} else if (KEY("size") || KEY("uid") || KEY("gid") || KEY("mtime")) {
			if (pax_dec(val, vlen, KEY("mtime"), &n) < 0)
				return berr_set(e, EPROTO, "PAX %.*s is not a number", (int)klen, key);
			if (KEY("size"))
				ent->size = n;
			else if (KEY("uid"))
				ent->uid = n;
			else if (KEY("gid"))
				ent->gid = n;
			else
				ent->mtime = (int64_t)(n > INT64_MAX ? INT64_MAX : n);
		} else if (klen > 13 && memcmp(key, "SCHILY.xattr.", 13) == 0) {
			if (add_xattr(ent, (const char *)key + 13, klen - 13, val, vlen, e) < 0)
				return berr_prefix(e, "PAX header");
		}
		/* everything else (uname, gname, atime, ctime, comments,
		 * LIBARCHIVE.*, GNU.sparse.*) is ignored */
#undef KEY
	}
	return 0;
}

/* Read a GNU long name or PAX payload of `size` bytes into r->pax. */
static int read_payload(struct tar_reader *r, uint64_t size, const char *what,
			struct berr *e)
{
	int rc;

	if (size > TAR_PAX_MAX)
		return berr_set(e, E2BIG, "%s of %llu bytes is larger than %d", what,
				(unsigned long long)size, TAR_PAX_MAX);
	rc = read_full(r, r->pax, (size_t)size, e);
	if (rc <= 0)
		return rc < 0 ? -1 : berr_set(e, EPROTO, "truncated stream in %s", what);
	r->pax[size] = '\0';
	return skip(r, (TAR_BLOCK - size % TAR_BLOCK) % TAR_BLOCK, e);
}

/* Extended headers seen before the entry they describe. */
struct ext {
	int pax, longname, longlink, count;
	size_t pax_len;
};

/* A PAX ('x', 'g') or GNU long name/link ('L', 'K') header of `size`
 * bytes. A PAX payload is parked in ent->xattr_data until the entry's own
 * header has been read. */
static int read_ext(struct tar_reader *r, char type, uint64_t size, struct tar_entry *ent,
		    struct ext *x, struct berr *e)
{
	const char *what = type == 'L' ? "GNU long name" : type == 'K' ? "GNU long link" : "PAX header";

	if (++x->count > 8)
		return berr_set(e, EPROTO, "too many extended headers in a row");
	if (read_payload(r, size, what, e) < 0)
		return -1;
	if (type == 'g')
		return 0; /* global headers: parsed for size only, ignored */
	if (type == 'x') {
		x->pax = 1;
		x->pax_len = (size_t)size;
		memmove(ent->xattr_data, r->pax, x->pax_len);
		return 0;
	}
	if (set_name(type == 'L' ? r->longname : r->longlink, r->pax, strnlen((char *)r->pax, (size_t)size),
		     what, "extended header", e) < 0)
		return -1;
	if (type == 'L')
		x->longname = 1;
	else
		x->longlink = 1;
	return 0;
}

/* Path and link of the entry: ustar prefix + "/" + name, unless a long
 * name overrides them. */
static void entry_names(struct tar_reader *r, const unsigned char *b, struct tar_entry *ent,
			const struct ext *x)
{
	if (x->longname) {
		memcpy(ent->path, r->longname, sizeof(ent->path));
	} else {
		size_t nl = field_len(b + H_NAME, 100), pl = 0;
		if (memcmp(b + H_MAGIC, "ustar", 5) == 0)
			pl = field_len(b + H_PREFIX, 155);
		if (pl) {
			memcpy(ent->path, b + H_PREFIX, pl);
			ent->path[pl] = '/';
			memcpy(ent->path + pl + 1, b + H_NAME, nl);
			ent->path[pl + 1 + nl] = '\0';
		} else {
			memcpy(ent->path, b + H_NAME, nl);
			ent->path[nl] = '\0';
		}
	}
	if (x->longlink) {
		memcpy(ent->link, r->longlink, sizeof(ent->link));
	} else {
		size_t ll = field_len(b + H_LINK, 100);
		memcpy(ent->link, b + H_LINK, ll);
		ent->link[ll] = '\0';
	}
}

/* Mode, owners, time and device numbers of the header. */
static int entry_fields(const unsigned char *b, char type, struct tar_entry *ent, struct berr *e)
{
	uint64_t v, ma, mi;

	if (parse_num(b + H_MODE, 8, &v) < 0)
		return berr_set(e, EPROTO, "%s: bad mode field", ent->path);
	ent->mode = (mode_t)(v & 07777);
	if (parse_num(b + H_UID, 8, &ent->uid) < 0 || parse_num(b + H_GID, 8, &ent->gid) < 0)
		return berr_set(e, EPROTO, "%s: bad uid/gid field", ent->path);
	if (parse_num(b + H_MTIME, 12, &v) < 0)
		return berr_set(e, EPROTO, "%s: bad mtime field", ent->path);
	ent->mtime = (int64_t)(v > INT64_MAX ? INT64_MAX : v);
	if (type == TAR_CHAR || type == TAR_BLOCKDEV) {
		if (parse_num(b + H_DEVMAJOR, 8, &ma) < 0 || parse_num(b + H_DEVMINOR, 8, &mi) < 0 ||
		    ma > UINT32_MAX || mi > UINT32_MAX)
			return berr_set(e, EPROTO, "%s: bad device numbers", ent->path);
		ent->devmajor = (uint32_t)ma;
		ent->devminor = (uint32_t)mi;
	}
	return 0;
}

/* The entry of header block b (after its extended headers). */
static int read_entry(struct tar_reader *r, const unsigned char *b, uint64_t size, struct tar_entry *ent,
		      const struct ext *x, struct berr *e)
{
	char type = (char)b[H_TYPE];

	memset(ent, 0, offsetof(struct tar_entry, xattr_data));
	entry_names(r, b, ent, x);
	ent->type = type == '\0' || type == '7' ? TAR_FILE : type;
	ent->size = size;
	if (entry_fields(b, type, ent, e) < 0)
		return -1;
	if (x->pax) {
		/* the payload was parked in xattr_data; move it to r->pax
		 * (xattr values are appended to xattr_data while parsing) */
		memcpy(r->pax, ent->xattr_data, x->pax_len);
		if (tar_pax_parse(r->pax, x->pax_len, ent, e) < 0)
			return berr_prefix(e, "%s", ent->path);
	}
	if (ent->path[0] == '\0')
		return berr_set(e, EINVAL, "entry with an empty name at byte %llu",
				(unsigned long long)(r->offset - TAR_BLOCK));
	/* symlinks, dirs, devices and fifos carry no data */
	if (ent->type == TAR_SYMLINK || ent->type == TAR_DIR || ent->type == TAR_CHAR ||
	    ent->type == TAR_BLOCKDEV || ent->type == TAR_FIFO)
		ent->size = 0;
	if (ent->size > TAR_SIZE_MAX)
		return berr_set(e, EFBIG, "%s: entry of %llu bytes is larger than the layer limit (%d MiB)",
				ent->path, (unsigned long long)ent->size, CONFIG_IMAGE_LAYER_MAX_MB);
	snprintf(r->cur, sizeof(r->cur), "%s", ent->path);
	r->left = ent->size;
	r->pad = (TAR_BLOCK - ent->size % TAR_BLOCK) % TAR_BLOCK;
	return 1;
}

int tar_next(struct tar_reader *r, struct tar_entry *ent, struct berr *e)
{
	struct ext x = {0};

	if (r->done)
		return 0;
	if (skip(r, r->left + r->pad, e) < 0)
		return -1;
	r->left = r->pad = 0;
	for (;;) {
		const unsigned char *b = r->block;
		uint64_t size;
		int rc = read_full(r, r->block, TAR_BLOCK, e);
		char type;

		if (rc < 0)
			return berr_prefix(e, "after %s", r->cur[0] ? r->cur : "start");
		/* EOF on a block boundary without the end marker is accepted as
		 * the end; layer digests catch a cut stream */
		if (rc == 0 && (x.pax || x.longname || x.longlink))
			return berr_set(e, EPROTO, "truncated stream after extended header");
		if (rc == 0 || is_zero_block(b)) {
			r->done = 1;
			return 0;
		}
		if (!checksum_ok(b))
			return berr_set(e, EPROTO, "bad header checksum at byte %llu (after %s)",
					(unsigned long long)(r->offset - TAR_BLOCK),
					r->cur[0] ? r->cur : "start");
		if (parse_num(b + H_SIZE, 12, &size) < 0)
			return berr_set(e, EPROTO, "bad size field at byte %llu",
					(unsigned long long)(r->offset - TAR_BLOCK));
		type = (char)b[H_TYPE];
		if (type != 'x' && type != 'g' && type != 'L' && type != 'K')
			return read_entry(r, b, size, ent, &x, e);
		if (read_ext(r, type, size, ent, &x, e) < 0)
			return -1;
	}
}

ssize_t tar_read(struct tar_reader *r, void *buf, size_t n, struct berr *e)
{
	ssize_t k;

	if (r->left == 0)
		return 0;
	if (n > r->left)
		n = (size_t)r->left;
	k = r->read(r->ctx, buf, n, e);
	if (k < 0)
		return berr_prefix(e, "%s", r->cur);
	if (k == 0)
		return berr_set(e, EPROTO, "%s: truncated stream (%llu bytes missing)", r->cur,
				(unsigned long long)r->left);
	r->left -= (uint64_t)k;
	r->offset += (uint64_t)k;
	return k;
}

size_t tar_path_next(const char **p, const char **c)
{
	for (;;) {
		const char *s = *p;
		size_t n;

		while (*s == '/')
			s++;
		*c = s;
		while (*s && *s != '/')
			s++;
		n = (size_t)(s - *c);
		*p = s;
		if (n != 1 || (*c)[0] != '.')
			return n;
	}
}

int tar_path_push(char *out, size_t size, size_t *o, const char *c, size_t n)
{
	if (*o + n + 2 > size)
		return -1;
	if (*o)
		out[(*o)++] = '/';
	memcpy(out + *o, c, n);
	*o += n;
	out[*o] = '\0';
	return 0;
}

ssize_t tar_fd_read(void *ctx, void *buf, size_t n, struct berr *e)
{
	for (;;) {
		ssize_t k = read(*(int *)ctx, buf, n);
		if (k >= 0)
			return k;
		if (errno != EINTR)
			return berr_sys(e, "read");
	}
}

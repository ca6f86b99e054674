/* test_tar.c — the streaming tar reader: formats, limits, hostile headers. */
#include <errno.h>
#include <stdlib.h>

#include "runtime/image/tar.h"
#include "tests/unit/mem_read.h"
#include "tests/unit/tar_build.h"
#include "tests/unit/unit.h"

static struct tar_reader *rd(struct mem *m, struct tb *t, size_t chunk)
{
	struct tar_reader *r = malloc(sizeof(*r));
	m->p = t->p;
	m->len = t->len;
	m->pos = 0;
	m->chunk = chunk;
	tar_init(r, mem_read, m);
	return r;
}

static struct tar_entry *ent_new(void)
{
	return calloc(1, sizeof(struct tar_entry));
}

static void test_ustar_basic(void)
{
	struct tb t = {0};
	struct mem m;
	struct berr e;
	struct tar_entry *ent = ent_new();
	char buf[64];

	tb_hdr(&t, "etc/", '5', 0755, 0, NULL);
	tb_file(&t, "etc/hostname", "berth\n");
	tb_hdr(&t, "bin/sh", '2', 0777, 0, "busybox");
	tb_hdr(&t, "bin/ash", '1', 0755, 0, "bin/busybox");
	tb_end(&t);
	struct tar_reader *r = rd(&m, &t, 7);

	CHECK_INT(tar_next(r, ent, &e), 1);
	CHECK_STR(ent->path, "etc/");
	CHECK_INT(ent->type, TAR_DIR);
	CHECK_INT(ent->mode, 0755);
	CHECK_INT(tar_next(r, ent, &e), 1);
	CHECK_STR(ent->path, "etc/hostname");
	CHECK_INT(ent->size, 6);
	ssize_t k = 0, got = 0;
	while ((k = tar_read(r, buf + got, sizeof(buf) - (size_t)got, &e)) > 0)
		got += k;
	CHECK_INT(k, 0);
	CHECK_INT(got, 6);
	CHECK(memcmp(buf, "berth\n", 6) == 0);
	CHECK_INT(tar_next(r, ent, &e), 1);
	CHECK_INT(ent->type, TAR_SYMLINK);
	CHECK_STR(ent->link, "busybox");
	CHECK_INT(tar_next(r, ent, &e), 1); /* data of the previous entry skipped */
	CHECK_INT(ent->type, TAR_HARDLINK);
	CHECK_STR(ent->link, "bin/busybox");
	CHECK_INT(tar_next(r, ent, &e), 0);
	CHECK_INT(tar_next(r, ent, &e), 0);
}

static void test_skip_unread_data(void)
{
	struct tb t = {0};
	struct mem m;
	struct berr e;
	struct tar_entry *ent = ent_new();
	char big[2000];

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	tb_file(&t, "a", big);
	tb_file(&t, "b", "1");
	tb_end(&t);
	struct tar_reader *r = rd(&m, &t, 0);
	CHECK_INT(tar_next(r, ent, &e), 1);
	CHECK_INT(ent->size, 1999);
	CHECK_INT(tar_next(r, ent, &e), 1);
	CHECK_STR(ent->path, "b");
	CHECK_INT(tar_next(r, ent, &e), 0);
}

static void test_ustar_prefix(void)
{
	struct tb t = {0};
	struct mem m;
	struct berr e;
	struct tar_entry *ent = ent_new();

	tb_hdr(&t, "file", '0', 0644, 0, NULL);
	memcpy(t.p + 345, "some/prefix", 11);
	/* fix the checksum */
	unsigned sum = 0;
	memset(t.p + 148, ' ', 8);
	for (int i = 0; i < 512; i++)
		sum += t.p[i];
	snprintf((char *)t.p + 148, 8, "%06o", sum);
	tb_end(&t);
	struct tar_reader *r = rd(&m, &t, 0);
	CHECK_INT(tar_next(r, ent, &e), 1);
	CHECK_STR(ent->path, "some/prefix/file");
}

static void test_gnu_longname(void)
{
	struct tb t = {0};
	struct mem m;
	struct berr e;
	struct tar_entry *ent = ent_new();
	char name[301], link[201];

	memset(name, 'n', 300);
	name[300] = 0;
	memset(link, 'l', 200);
	link[200] = 0;
	tb_hdr(&t, "././@LongLink", 'L', 0644, 301, NULL);
	tb_put(&t, name, 301);
	tb_pad(&t);
	tb_hdr(&t, "././@LongLink", 'K', 0644, 201, NULL);
	tb_put(&t, link, 201);
	tb_pad(&t);
	tb_hdr(&t, "short-name-cut", '2', 0777, 0, "short-link");
	tb_file(&t, "next", "");
	tb_end(&t);
	struct tar_reader *r = rd(&m, &t, 3);
	CHECK_INT(tar_next(r, ent, &e), 1);
	CHECK_STR(ent->path, name);
	CHECK_STR(ent->link, link);
	CHECK_INT(tar_next(r, ent, &e), 1);
	CHECK_STR(ent->path, "next"); /* long names apply to one entry only */
	CHECK_STR(ent->link, "");
}

static void test_pax_path_and_xattrs(void)
{
	struct tb t = {0};
	struct mem m;
	struct berr e;
	struct tar_entry *ent = ent_new();
	char recs[2048], path[400];
	const unsigned char cap[] = { 1, 0, 0, 2, 0x00, 0x20, 0, 0, 0, 0, 0, 0 };
	size_t n = 0;

	memset(path, 'p', 399);
	path[399] = 0;
	path[100] = '/';
	n += tb_pax_rec(recs + n, "path", path, strlen(path));
	n += tb_pax_rec(recs + n, "SCHILY.xattr.security.capability", cap, sizeof(cap));
	n += tb_pax_rec(recs + n, "SCHILY.xattr.user.note", "hi", 2);
	n += tb_pax_rec(recs + n, "uid", "123456789", 9);
	n += tb_pax_rec(recs + n, "mtime", "1700000000.123", 14);
	n += tb_pax_rec(recs + n, "uname", "root", 4);
	tb_pax(&t, recs, n);
	tb_file(&t, "cut", "abc");
	tb_end(&t);
	struct tar_reader *r = rd(&m, &t, 0);
	CHECK_INT(tar_next(r, ent, &e), 1);
	CHECK_STR(ent->path, path);
	CHECK_INT(ent->uid, 123456789);
	CHECK_INT(ent->mtime, 1700000000);
	CHECK_INT(ent->nxattr, 2);
	CHECK_STR(ent->xattr[0].name, "security.capability");
	CHECK_INT(ent->xattr[0].len, sizeof(cap));
	CHECK(memcmp(ent->xattr_data + ent->xattr[0].off, cap, sizeof(cap)) == 0);
	CHECK_STR(ent->xattr[1].name, "user.note");
	CHECK_INT(ent->size, 3);
}

static void test_pax_size_overrides(void)
{
	struct tb t = {0};
	struct mem m;
	struct berr e;
	struct tar_entry *ent = ent_new();
	char recs[128];
	size_t n = tb_pax_rec(recs, "size", "5", 1);

	tb_pax(&t, recs, n);
	tb_hdr(&t, "f", '0', 0644, 0, NULL);
	tb_put(&t, "hello", 5);
	tb_pad(&t);
	tb_file(&t, "g", "x");
	tb_end(&t);
	struct tar_reader *r = rd(&m, &t, 0);
	CHECK_INT(tar_next(r, ent, &e), 1);
	CHECK_INT(ent->size, 5);
	CHECK_INT(tar_next(r, ent, &e), 1);
	CHECK_STR(ent->path, "g");
}

static void test_bad_checksum(void)
{
	struct tb t = {0};
	struct mem m;
	struct berr e;
	struct tar_entry *ent = ent_new();

	tb_file(&t, "a", "x");
	t.p[0] = 'b';
	tb_end(&t);
	struct tar_reader *r = rd(&m, &t, 0);
	CHECK(tar_next(r, ent, &e) < 0);
	CHECK(strstr(e.msg, "checksum"));
}

static void test_truncated_names_entry(void)
{
	struct tb t = {0};
	struct mem m;
	struct berr e;
	struct tar_entry *ent = ent_new();
	char buf[4096];

	tb_hdr(&t, "usr/lib/big", '0', 0644, 3000, NULL);
	tb_put(&t, buf, 1000); /* stream cut inside the data */
	struct tar_reader *r = rd(&m, &t, 0);
	CHECK_INT(tar_next(r, ent, &e), 1);
	ssize_t k;
	while ((k = tar_read(r, buf, sizeof(buf), &e)) > 0)
		;
	CHECK(k < 0);
	CHECK(strstr(e.msg, "usr/lib/big"));
	CHECK(strstr(e.msg, "truncated"));

	/* cut inside the padding: noticed by the next header read */
	struct tb t2 = {0};
	tb_hdr(&t2, "x", '0', 0644, 3, NULL);
	tb_put(&t2, "abc", 3);
	r = rd(&m, &t2, 0);
	CHECK_INT(tar_next(r, ent, &e), 1);
	CHECK(tar_next(r, ent, &e) < 0);
	CHECK(strstr(e.msg, "truncated"));
}

static void test_pax_nul_and_too_long(void)
{
	struct tb t = {0};
	struct mem m;
	struct berr e;
	struct tar_entry *ent = ent_new();
	char recs[8192], *longp = malloc(TAR_NAME_MAX + 10);
	size_t n = tb_pax_rec(recs, "path", "a\0b", 3);

	tb_pax(&t, recs, n);
	tb_file(&t, "x", "");
	tb_end(&t);
	struct tar_reader *r = rd(&m, &t, 0);
	CHECK(tar_next(r, ent, &e) < 0);
	CHECK(strstr(e.msg, "NUL"));

	struct tb t2 = {0};
	memset(longp, 'a', TAR_NAME_MAX + 1);
	n = tb_pax_rec(recs, "path", longp, TAR_NAME_MAX + 1);
	tb_pax(&t2, recs, n);
	tb_file(&t2, "x", "");
	tb_end(&t2);
	r = rd(&m, &t2, 0);
	CHECK(tar_next(r, ent, &e) < 0);
	CHECK_INT(e.errnum, ENAMETOOLONG);
}

static void test_pax_too_big(void)
{
	struct tb t = {0};
	struct mem m;
	struct berr e;
	struct tar_entry *ent = ent_new();
	char *junk = calloc(1, TAR_PAX_MAX + 512);

	tb_hdr(&t, "PaxHeader", 'x', 0644, TAR_PAX_MAX + 1, NULL);
	tb_put(&t, junk, TAR_PAX_MAX + 1);
	tb_pad(&t);
	tb_end(&t);
	struct tar_reader *r = rd(&m, &t, 0);
	CHECK(tar_next(r, ent, &e) < 0);
	CHECK_INT(e.errnum, E2BIG);
}

static void test_pax_malformed(void)
{
	static const char *bad[] = { "5 a=b\n", "99 path=x\n", "x path=y\n", "7 pathx\n",
				     "8 path=x" };
	struct berr e;
	struct tar_entry *ent = ent_new();

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(tar_pax_parse((const unsigned char *)bad[i], strlen(bad[i]), ent, &e) < 0);
	CHECK_INT(tar_pax_parse((const unsigned char *)"11 path=ab\n", 11, ent, &e), 0);
	CHECK_STR(ent->path, "ab");
}

static void test_base256_size(void)
{
	struct tb t = {0};
	struct mem m;
	struct berr e;
	struct tar_entry *ent = ent_new();

	tb_hdr(&t, "big", '0', 0644, 0, NULL);
	memset(t.p + 124, 0, 12);
	t.p[124] = 0x80;
	t.p[135] = 0x02; /* size 2 in base-256 */
	unsigned sum = 0;
	memset(t.p + 148, ' ', 8);
	for (int i = 0; i < 512; i++)
		sum += t.p[i];
	snprintf((char *)t.p + 148, 8, "%06o", sum);
	tb_put(&t, "hi", 2);
	tb_pad(&t);
	tb_end(&t);
	struct tar_reader *r = rd(&m, &t, 0);
	CHECK_INT(tar_next(r, ent, &e), 1);
	CHECK_INT(ent->size, 2);
	CHECK_INT(tar_next(r, ent, &e), 0);
}

static void test_xattr_count_limit(void)
{
	struct tb t = {0};
	struct mem m;
	struct berr e;
	struct tar_entry *ent = ent_new();
	char recs[16384], key[64];
	size_t n = 0;

	for (int i = 0; i <= TAR_XATTR_MAX; i++) {
		snprintf(key, sizeof(key), "SCHILY.xattr.user.k%d", i);
		n += tb_pax_rec(recs + n, key, "v", 1);
	}
	tb_pax(&t, recs, n);
	tb_file(&t, "x", "");
	tb_end(&t);
	struct tar_reader *r = rd(&m, &t, 0);
	CHECK(tar_next(r, ent, &e) < 0);
	CHECK(strstr(e.msg, "xattrs"));
}

/* A PAX size near 2^64 (2^64-7 pads by 7) made size + padding wrap to 0: the next "header"
 * came from the entry's data. Sizes past the layer limit are refused,
 * naming the entry; a size at the limit is still an entry. */
static void test_pax_size_near_2_64(void)
{
	static const char *const sizes[] = { "18446744073709551609", "18446744073709551104" };
	struct mem m;
	struct berr e;
	struct tar_entry *ent = ent_new();
	char recs[256], lim[32];

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct tb t = {0};
		size_t n = tb_pax_rec(recs, "size", sizes[i], strlen(sizes[i]));
		tb_pax(&t, recs, n);
		tb_hdr(&t, "huge", '0', 0644, 0, NULL);
		tb_file(&t, "after", "x");
		tb_end(&t);
		struct tar_reader *r = rd(&m, &t, 0);
		CHECK(tar_next(r, ent, &e) < 0);
		CHECK(strstr(e.msg, "huge"));
		CHECK_INT(e.errnum, EFBIG);
		free(r);
		free(t.p);
	}
	struct tb t = {0};
	snprintf(lim, sizeof(lim), "%llu", (unsigned long long)TAR_SIZE_MAX);
	size_t n = tb_pax_rec(recs, "size", lim, strlen(lim));
	tb_pax(&t, recs, n);
	tb_hdr(&t, "atlimit", '0', 0644, 0, NULL);
	struct tar_reader *r = rd(&m, &t, 0);
	CHECK_INT(tar_next(r, ent, &e), 1);
	CHECK(ent->size == TAR_SIZE_MAX);
	free(r);
	free(t.p);
}

UNIT_MAIN(UNIT(test_ustar_basic), UNIT(test_skip_unread_data), UNIT(test_ustar_prefix),
	  UNIT(test_gnu_longname), UNIT(test_pax_path_and_xattrs), UNIT(test_pax_size_overrides),
	  UNIT(test_bad_checksum), UNIT(test_truncated_names_entry),
	  UNIT(test_pax_nul_and_too_long), UNIT(test_pax_too_big), UNIT(test_pax_malformed),
	  UNIT(test_base256_size), UNIT(test_xattr_count_limit), UNIT(test_pax_size_near_2_64))

/* test_unpack.c — berth-unpack's path rules and extraction, without the
 * sandbox, into a temporary directory. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runtime/image/unpack.h"
#include "tests/unit/tar_build.h"
#include "tests/unit/mem_read.h"
#include "tests/unit/unit.h"

static void test_clean_path(void)
{
	char out[256];
	struct berr e;

	CHECK_INT(unpack_clean_path("./a//b/./c/", out, sizeof(out), 10, &e), 0);
	CHECK_STR(out, "a/b/c");
	CHECK_INT(unpack_clean_path("./", out, sizeof(out), 10, &e), 0);
	CHECK_STR(out, "");
	CHECK(unpack_clean_path("/etc/passwd", out, sizeof(out), 10, &e) < 0);
	CHECK(strstr(e.msg, "absolute"));
	CHECK(unpack_clean_path("a/../../b", out, sizeof(out), 10, &e) < 0);
	CHECK(strstr(e.msg, ".."));
	CHECK(unpack_clean_path("..", out, sizeof(out), 10, &e) < 0);
	CHECK_INT(unpack_clean_path("a..b/..c", out, sizeof(out), 10, &e), 0);
	CHECK(unpack_clean_path("a/b/c/d", out, sizeof(out), 3, &e) < 0);
	CHECK(strstr(e.msg, "components"));
	CHECK(unpack_clean_path("aaaaaaaaaa/bbbbbbbbbb", out, 12, 10, &e) < 0);
}


/* Unpack t into a fresh directory; returns unpack_run's result. */
static int run(struct tb *t, char *dir, struct unpack **out, struct berr *e)
{
	struct unpack *u = calloc(1, sizeof(*u));
	struct tar_reader *r = malloc(sizeof(*r));
	struct mem m = { t->p, t->len, 0, 0 };

	strcpy(dir, "/tmp/berth-unpack-test.XXXXXX");
	CHECK(mkdtemp(dir));
	u->pol.max_bytes = 1 << 20;
	u->pol.max_entries = 100;
	u->pol.max_depth = 16;
	u->pol.allow_setid = 1;
	u->rootfd = open(dir, O_PATH | O_DIRECTORY);
	CHECK(u->rootfd >= 0);
	tar_init(r, mem_read, &m);
	*out = u;
	return unpack_run(u, r, e);
}

static void test_tree(void)
{
	struct tb t = {0};
	struct unpack *u;
	struct berr e;
	char dir[64], p[128], lnk[16];
	struct stat st;

	tb_hdr(&t, "etc/", '5', 0755, 0, NULL);
	tb_file(&t, "etc/hostname", "berth\n");
	tb_hdr(&t, "etc/alias", '1', 0644, 0, "etc/hostname");
	tb_hdr(&t, "etc/sym", '2', 0777, 0, "hostname");
	tb_hdr(&t, "run/pipe", '6', 0600, 0, NULL);
	tb_file(&t, "var/.wh.gone", "");
	tb_file(&t, "opt/.wh..wh..opq", "");
	tb_file(&t, "deep/er/file", "x");
	tb_end(&t);
	CHECK_INT(run(&t, dir, &u, &e), 0);
	snprintf(p, sizeof(p), "%s/etc/hostname", dir);
	CHECK_INT(stat(p, &st), 0);
	CHECK_INT(st.st_size, 6);
	CHECK_INT(st.st_nlink, 2);
	snprintf(p, sizeof(p), "%s/etc", dir);
	CHECK_INT(stat(p, &st), 0);
	CHECK_INT(st.st_mtime, 0); /* the header's time, though files were created inside later */
	snprintf(p, sizeof(p), "%s/etc/sym", dir);
	CHECK_INT(readlink(p, lnk, sizeof(lnk)), 8);
	snprintf(p, sizeof(p), "%s/run/pipe", dir);
	CHECK_INT(lstat(p, &st), 0);
	CHECK(S_ISFIFO(st.st_mode));
	snprintf(p, sizeof(p), "%s/var/gone", dir);
	if (lstat(p, &st) == 0) {
		CHECK(S_ISCHR(st.st_mode));
		CHECK_INT(st.st_rdev, 0);
	}
	CHECK_INT(u->opaque_len, 4);
	CHECK_STR(u->opaque, "opt");
	CHECK_INT(u->st.entries, 8);
	snprintf(p, sizeof(p), "rm -rf %s", dir);
	CHECK_INT(system(p), 0);
}

static void refused(void (*build)(struct tb *), const char *want)
{
	struct tb t = {0};
	struct unpack *u;
	struct berr e;
	char dir[64], cmd[128];

	build(&t);
	tb_end(&t);
	CHECK(run(&t, dir, &u, &e) < 0);
	if (!strstr(e.msg, want))
		UNIT_FAIL_("message \"%s\" lacks \"%s\"", e.msg, want);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	CHECK_INT(system(cmd), 0);
}

static void b_symlink(struct tb *t)
{
	tb_hdr(t, "l", '2', 0777, 0, "/etc");
	tb_file(t, "l/passwd", "x");
}
static void b_dup(struct tb *t)
{
	tb_file(t, "a", "1");
	tb_file(t, "a", "2");
}
static void b_hl_missing(struct tb *t)
{
	tb_hdr(t, "h", '1', 0644, 0, "nothere");
}
static void b_blockdev(struct tb *t)
{
	tb_hdr(t, "sda", '4', 0600, 0, NULL);
}
static void b_bytes(struct tb *t)
{
	tb_hdr(t, "huge", '0', 0644, 2u << 20, NULL);
}
static void b_count(struct tb *t)
{
	for (int i = 0; i < 101; i++) {
		char n[16];
		snprintf(n, sizeof(n), "f%d", i);
		tb_file(t, n, "");
	}
}
static void b_trusted(struct tb *t)
{
	char recs[128];
	size_t n = tb_pax_rec(recs, "SCHILY.xattr.trusted.overlay.opaque", "y", 1);
	tb_pax(t, recs, n);
	tb_hdr(t, "d/", '5', 0755, 0, NULL);
}
static void b_whiteout_dup(struct tb *t)
{
	tb_file(t, "x", "");
	tb_file(t, ".wh.x", "");
}

static void test_refusals(void)
{
	refused(b_symlink, "entry \"l/passwd\": path crosses the symlink \"l\"");
	refused(b_dup, "entry \"a\": duplicate entry");
	refused(b_hl_missing, "entry \"h\": hardlink target \"nothere\" is not in this layer");
	refused(b_blockdev, "entry \"sda\": block device");
	refused(b_bytes, "entry \"huge\": layer larger than");
	refused(b_count, "entry \"f100\": more than 100 entries");
	refused(b_trusted, "xattr trusted.overlay.opaque is not allowed");
	refused(b_whiteout_dup, "entry \".wh.x\": whiteout of a path this layer also creates");
}

UNIT_MAIN(UNIT(test_clean_path), UNIT(test_tree), UNIT(test_refusals))

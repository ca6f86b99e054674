/* test_logfile.c — runtime/shim/logfile: entries cut at newlines, non-UTF-8
 * replaced, rotation at the limit, tail/since/until, follow across a
 * rotation. */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "runtime/shim/logfile.h"
#include "lib/fs.h"
#include "tests/unit/unit.h"

#define T0 1800000000000000000LL /* 2027-01-15T08:00:00Z */

/* One directory for the whole run (made and removed by the runner: the
 * tests run in children that _exit), one below it per tmpdir(). */
static char base[64] = "/tmp/test_logfile.XXXXXX";

__attribute__((constructor)) static void base_make(void)
{
	if (!mkdtemp(base))
		base[0] = '\0';
}

__attribute__((destructor)) static void base_remove(void)
{
	struct berr e;

	if (base[0])
		fs_rm_tree_at(AT_FDCWD, base, &e);
}

static int tmpdir(void)
{
	char d[96];
	int fd;

	CHECK(base[0]);
	snprintf(d, sizeof d, "%s/XXXXXX", base);
	CHECK(mkdtemp(d) != NULL);
	fd = open(d, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	CHECK(fd >= 0);
	return fd;
}

/* Entries collected as "S:text|" with S 1 or 2. */
struct got {
	char s[8192];
	int n;
	int64_t last_t;
	struct logfile_w *w;  /* follow: the writer the stop function drives */
	int step;
};

static int collect(void *ctx, int stream, int64_t t, const char *p, size_t n)
{
	struct got *g = ctx;
	size_t l = strlen(g->s);

	snprintf(g->s + l, sizeof g->s - l, "%d:%.*s|", stream, (int)n, p);
	g->n++;
	g->last_t = t;
	return 0;
}

static size_t file_size(int d, const char *name)
{
	struct stat st;

	return fstatat(d, name, &st, 0) == 0 ? (size_t)st.st_size : (size_t)-1;
}

static void test_time(void)
{
	char b[32];
	int64_t t;

	logfile_format_time(T0 + 123456789, b);
	CHECK_STR(b, "2027-01-15T08:00:00.123456789Z");
	CHECK_INT(logfile_parse_time(b, strlen(b), &t), 0);
	CHECK_INT(t, T0 + 123456789);
	CHECK_INT(logfile_parse_time("2027-01-15T08:00:00.5Z", 22, &t), 0);
	CHECK_INT(t, T0 + 500000000);
	CHECK_INT(logfile_parse_time("2027-01-15T08:00:00Z", 20, &t), 0);
	CHECK_INT(t, T0);
	CHECK_INT(logfile_parse_time("2027-01-15 08:00:00Z", 20, &t), -1);
	CHECK_INT(logfile_parse_time("2027-01-15T08:00:00+01:00", 25, &t), -1);
}

static void test_lines(void)
{
	struct logfile_opts o = { 0, 0, -1, 1, 1 };
	struct logfile_w w;
	struct got g = { .s = "" };
	struct berr e;
	char buf[512];
	int d = tmpdir();

	CHECK_INT(logfile_w_open(&w, d, 0, 0, &e), 0);
	CHECK_INT(logfile_w_write(&w, 1, "one\ntwo\nthr", 11, T0, &e), 0);
	CHECK_INT(logfile_w_write(&w, 1, "ee\n", 3, T0 + 1, &e), 0);
	CHECK_INT(logfile_w_write(&w, 2, "bad \xff\"q\"\n", 9, T0 + 2, &e), 0);
	logfile_w_close(&w);
	{
		int fd = openat(d, "log.json", O_RDONLY);
		ssize_t n = read(fd, buf, sizeof buf - 1);
		buf[n > 0 ? n : 0] = '\0';
		close(fd);
	}
	CHECK(strncmp(buf, "{\"log\":\"one\\n\",\"stream\":\"stdout\",\"time\":\"2027-01-15T08:00:00.000000000Z\"}\n",
		      74) == 0);
	CHECK(strstr(buf, "{\"log\":\"thr\",\"stream\":\"stdout\""));
	CHECK(strstr(buf, "{\"log\":\"bad \xef\xbf\xbd\\\"q\\\"\\n\",\"stream\":\"stderr\""));
	CHECK_INT(logfile_read(d, &o, collect, &g, NULL, &e), 0);
	CHECK_STR(g.s, "1:one\n|1:two\n|1:thr|1:ee\n|2:bad \xef\xbf\xbd\"q\"\n|");
	/* only stderr */
	o.out = 0;
	g.s[0] = '\0';
	CHECK_INT(logfile_read(d, &o, collect, &g, NULL, &e), 0);
	CHECK_STR(g.s, "2:bad \xef\xbf\xbd\"q\"\n|");
}

/* A line longer than CONFIG_SHIM_LOG_LINE_MAX is cut into entries. */
static void test_long_line(void)
{
	struct logfile_opts o = { 0, 0, -1, 1, 1 };
	struct logfile_w w;
	struct got g = { .s = "" };
	struct berr e;
	size_t n = CONFIG_SHIM_LOG_LINE_MAX + 10;
	char *big = malloc(n);
	int d = tmpdir();

	memset(big, 'x', n);
	CHECK_INT(logfile_w_open(&w, d, 0, 0, &e), 0);
	CHECK_INT(logfile_w_write(&w, 1, big, n, T0, &e), 0);
	logfile_w_close(&w);
	CHECK_INT(logfile_read(d, &o, collect, &g, NULL, &e), 0);
	CHECK_INT(g.n, 2);
	free(big);
}

/* Each entry here is 80 bytes; a 400-byte limit keeps 5 per file. */
static void write_n(struct logfile_w *w, int from, int to)
{
	struct berr e;
	char line[32];

	for (int i = from; i < to; i++) {
		snprintf(line, sizeof line, "line %04d\n", i);
		CHECK_INT(logfile_w_write(w, 1, line, 10, T0 + (int64_t)i * 1000000000, &e), 0);
	}
}

static void test_rotation(void)
{
	struct logfile_opts o = { 0, 0, -1, 1, 1 };
	struct logfile_w w;
	struct got g = { .s = "" };
	struct berr e;
	int d = tmpdir();

	CHECK_INT(logfile_w_open(&w, d, 400, 3, &e), 0);
	write_n(&w, 0, 5);
	CHECK_INT(file_size(d, "log.json"), 400);
	CHECK_INT(file_size(d, "log.json.1"), (size_t)-1);
	write_n(&w, 5, 6);
	CHECK_INT(file_size(d, "log.json"), 80);
	CHECK_INT(file_size(d, "log.json.1"), 400);
	write_n(&w, 6, 23);
	logfile_w_close(&w);
	/* 23 entries: files of 5, 5, 3 kept (the first 10 dropped) */
	CHECK_INT(file_size(d, "log.json"), 3 * 80);
	CHECK_INT(file_size(d, "log.json.1"), 400);
	CHECK_INT(file_size(d, "log.json.2"), 400);
	CHECK_INT(file_size(d, "log.json.3"), (size_t)-1);
	CHECK_INT(logfile_read(d, &o, collect, &g, NULL, &e), 0);
	CHECK_INT(g.n, 13);
	CHECK(strncmp(g.s, "1:line 0010\n|", 13) == 0);
	CHECK_INT(g.last_t, T0 + 22000000000LL);
	/* one file: emptied at the limit */
	d = tmpdir();
	CHECK_INT(logfile_w_open(&w, d, 400, 1, &e), 0);
	write_n(&w, 0, 7);
	logfile_w_close(&w);
	CHECK_INT(file_size(d, "log.json"), 2 * 80);
	CHECK_INT(file_size(d, "log.json.1"), (size_t)-1);
}

/* A rotation that fails (log.json.2 is a directory in the way) is an
 * error, but the entry is still logged and later writes go on. */
static void test_rotation_fails(void)
{
	struct logfile_opts o = { 0, 0, -1, 1, 1 };
	struct logfile_w w;
	struct got g = { .s = "" };
	struct berr e;
	char line[32];
	int d = tmpdir();

	CHECK_INT(mkdirat(d, "log.json.2", 0755), 0);
	CHECK_INT(mkdirat(d, "log.json.2/x", 0755), 0);
	close(openat(d, "log.json.1", O_WRONLY | O_CREAT, 0644));
	CHECK_INT(logfile_w_open(&w, d, 400, 3, &e), 0);
	write_n(&w, 0, 5);
	snprintf(line, sizeof line, "line %04d\n", 5);
	CHECK_INT(logfile_w_write(&w, 1, line, 10, T0, &e), -1);
	CHECK_INT(unlinkat(d, "log.json.2/x", AT_REMOVEDIR), 0);
	CHECK_INT(unlinkat(d, "log.json.2", AT_REMOVEDIR), 0);
	write_n(&w, 6, 12);
	logfile_w_close(&w);
	CHECK_INT(logfile_read(d, &o, collect, &g, NULL, &e), 0);
	CHECK_INT(g.n, 12);
}

static void test_tail_since_until(void)
{
	struct logfile_opts o = { 0, 0, 4, 1, 1 };
	struct logfile_w w;
	struct got g = { .s = "" };
	struct logfile_pos end;
	struct berr e;
	int d = tmpdir();

	CHECK_INT(logfile_w_open(&w, d, 400, 3, &e), 0);
	write_n(&w, 0, 12);
	logfile_w_close(&w);
	CHECK_INT(logfile_read(d, &o, collect, &g, &end, &e), 0);
	CHECK_STR(g.s, "1:line 0008\n|1:line 0009\n|1:line 0010\n|1:line 0011\n|");
	CHECK_INT(end.off, 2 * 80);
	/* since 3 s, until 6 s (inclusive), tail 2 of those */
	o = (struct logfile_opts){ T0 + 3000000000LL, T0 + 6000000000LL, 2, 1, 1 };
	g.s[0] = '\0';
	CHECK_INT(logfile_read(d, &o, collect, &g, NULL, &e), 0);
	CHECK_STR(g.s, "1:line 0005\n|1:line 0006\n|");
	o.tail = -1;
	g.s[0] = '\0';
	g.n = 0;
	CHECK_INT(logfile_read(d, &o, collect, &g, NULL, &e), 0);
	CHECK_INT(g.n, 4);
	o.tail = 0;
	g.n = 0;
	CHECK_INT(logfile_read(d, &o, collect, &g, NULL, &e), 0);
	CHECK_INT(g.n, 0);
	/* no log at all */
	d = tmpdir();
	CHECK_INT(logfile_read(d, &o, collect, &g, &end, &e), 0);
	CHECK_INT(end.ino, 0);
}

/* The stop function writes while the follower runs: two entries, then
 * enough for two rotations, then one more, then stop. */
static int stop_step(void *ctx)
{
	struct got *g = ctx;

	switch (g->step++) {
	case 0:
		write_n(g->w, 3, 5);
		return 0;
	case 1:
		write_n(g->w, 5, 14); /* log.json rotates at 5 and at 10 */
		return 0;
	case 2:
		write_n(g->w, 14, 15);
		return 1; /* written before the stop: still read */
	}
	return 1;
}

static void test_follow(void)
{
	struct logfile_opts o = { 0, 0, -1, 1, 1 };
	struct logfile_w w;
	struct got g = { .s = "" };
	struct logfile_pos pos;
	struct berr e;
	char want[1024] = "";
	int d = tmpdir();

	CHECK_INT(logfile_w_open(&w, d, 400, 3, &e), 0);
	write_n(&w, 0, 3);
	CHECK_INT(logfile_read(d, &o, collect, &g, &pos, &e), 0);
	CHECK_INT(g.n, 3);
	g.w = &w;
	CHECK_INT(logfile_follow(d, &pos, &o, collect, &g, stop_step, &e), 0);
	logfile_w_close(&w);
	for (int i = 0; i < 15; i++)
		snprintf(want + strlen(want), sizeof want - strlen(want), "1:line %04d\n|", i);
	CHECK_STR(g.s, want);
}

/* fn < 0 ends reading with that value. */
static int refuse(void *ctx, int stream, int64_t t, const char *p, size_t n)
{
	(void)ctx, (void)stream, (void)t, (void)p, (void)n;
	return -7;
}

static void test_fn_stops(void)
{
	struct logfile_opts o = { 0, 0, -1, 1, 1 };
	struct logfile_w w;
	struct berr e;
	int d = tmpdir();

	CHECK_INT(logfile_w_open(&w, d, 0, 0, &e), 0);
	write_n(&w, 0, 3);
	logfile_w_close(&w);
	CHECK_INT(logfile_read(d, &o, refuse, NULL, NULL, &e), -7);
}

UNIT_MAIN(UNIT(test_time), UNIT(test_lines), UNIT(test_long_line), UNIT(test_rotation), UNIT(test_rotation_fails),
	  UNIT(test_tail_since_until), UNIT(test_follow), UNIT(test_fn_stops))

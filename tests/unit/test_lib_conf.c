/* test_lib_conf.c — lib/conf: the ini reader's diagnostics and every typed
 * value helper (ranges, suffix overflow, bad names). */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/conf.h"
#include "tests/unit/unit.h"

struct seen {
	char keys[512];
	char diags[1024];
};

static int on_key(void *ctx, const char *section, const char *key, const char *value,
		  struct berr *e)
{
	struct seen *s = ctx;
	size_t n = strlen(s->keys);

	if (strcmp(key, "bad") == 0)
		return conf_bad(e, key, value, "want good");
	snprintf(s->keys + n, sizeof s->keys - n, "[%s]%s=%s;", section, key, value);
	return 0;
}

static void report(void *ctx, const char *file, int line, const char *msg)
{
	struct seen *s = ctx;
	size_t n = strlen(s->diags);

	snprintf(s->diags + n, sizeof s->diags - n, "%s:%d: %s\n", file, line, msg);
}

static void reader_reports_file_line_and_goes_on(void)
{
	struct seen s = { "", "" };
	struct conf_reader r = { .file = "F", .on_key = on_key, .report = report, .ctx = &s };
	struct berr e;

	CHECK_INT(conf_parse(&r, "top = 1\n[a]\nx = 1\n  2\nbad = v\n; comment\nno equals\n"
			     "[b]\nbad = w\ny=2\n", &e), 0);
	CHECK_STR(s.keys, "[]top=1;[a]x=1;[a]x=2;[b]y=2;");
	CHECK_STR(s.diags, "F:5: bad: want good: 'v'\nF:9: bad: want good: 'w'\n"
		  "F:7: not a section, key = value, or comment\n");
	CHECK_INT(r.errors, 3);
}

static void reader_without_report_counts(void)
{
	struct seen s = { "", "" };
	struct conf_reader r = { .file = "F", .on_key = on_key, .ctx = &s };
	struct berr e;

	CHECK_INT(conf_parse(&r, "bad = 1\n", &e), 0);
	CHECK_INT(r.errors, 1);
}

static void parse_file_is_bounded_and_regular(void)
{
	char path[] = "/tmp/berth-lib-conf-XXXXXX", buf[16];
	struct seen s = { "", "" };
	struct conf_reader r = { .file = path, .on_key = on_key, .report = report, .ctx = &s };
	struct berr e;
	int fd = mkstemp(path);

	CHECK(fd >= 0);
	CHECK(write(fd, "k = v\n", 6) == 6);
	close(fd);
	CHECK_INT(conf_parse_file(&r, path, buf, sizeof buf, &e), 0);
	CHECK_STR(s.keys, "[]k=v;");
	CHECK_INT(conf_parse_file(&r, path, buf, 6, &e), -1); /* 6 bytes do not fit in 5 */
	CHECK_INT(e.errnum, EFBIG);
	unlink(path);
	CHECK_INT(conf_parse_file(&r, path, buf, sizeof buf, &e), -1);
	CHECK_INT(e.errnum, ENOENT);
	CHECK(mkfifo(path, 0600) == 0);
	CHECK_INT(conf_parse_file(&r, path, buf, sizeof buf, &e), -1); /* no hang */
	unlink(path);
}

static void bools(void)
{
	static const char *const t[] = { "yes", "TRUE", "on", "1", "Yes" };
	static const char *const f[] = { "no", "false", "OFF", "0" };
	struct berr e;
	int b;

	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
		CHECK(conf_bool("k", t[i], &b, &e) == 0 && b == 1);
	for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
		CHECK(conf_bool("k", f[i], &b, &e) == 0 && b == 0);
	b = 7;
	CHECK_INT(conf_bool("flag", "maybe", &b, &e), -1);
	CHECK_INT(b, 7);
	CHECK_INT(e.errnum, EINVAL);
	CHECK_STR(e.msg, "flag: want yes or no (true/false, on/off, 1/0): 'maybe'");
	CHECK_INT(conf_bool("flag", "", &b, &e), -1);
	CHECK_INT(conf_bool("flag", "yess", &b, &e), -1);
}

static void integers(void)
{
	struct berr e;
	long long n;

	CHECK(conf_int("k", "0", 0, 10, &n, &e) == 0 && n == 0);
	CHECK(conf_int("k", "10", 0, 10, &n, &e) == 0 && n == 10);
	CHECK(conf_int("k", "-5", -10, 10, &n, &e) == 0 && n == -5);
	CHECK(conf_int("k", "9223372036854775807", 0, INT64_MAX, &n, &e) == 0 && n == INT64_MAX);
	CHECK(conf_int("k", "-9223372036854775808", INT64_MIN, 0, &n, &e) == 0 && n == INT64_MIN);
	n = 42;
	CHECK_INT(conf_int("k", "11", 0, 10, &n, &e), -1);
	CHECK_STR(e.msg, "k: want a whole number from 0 to 10: '11'");
	CHECK_INT(n, 42);
	CHECK_INT(conf_int("k", "-1", 0, 10, &n, &e), -1);     /* no sign when min >= 0 */
	CHECK_INT(conf_int("k", "-11", -10, 10, &n, &e), -1);
	CHECK_INT(conf_int("k", "9223372036854775808", 0, INT64_MAX, &n, &e), -1);
	CHECK_INT(conf_int("k", "99999999999999999999999", 0, INT64_MAX, &n, &e), -1);
	CHECK_INT(conf_int("k", "", 0, 10, &n, &e), -1);
	CHECK_INT(conf_int("k", "+1", 0, 10, &n, &e), -1);
	CHECK_INT(conf_int("k", " 1", 0, 10, &n, &e), -1);
	CHECK_INT(conf_int("k", "0x1", 0, 10, &n, &e), -1);
	CHECK_INT(conf_int("k", "1 ", 0, 10, &n, &e), -1);
	CHECK_INT(conf_int("k", "-", -10, 10, &n, &e), -1);
}

static void sizes(void)
{
	struct berr e;
	long long n;

	CHECK(conf_size("m", "512", 0, 1LL << 40, &n, &e) == 0 && n == 512);
	CHECK(conf_size("m", "4K", 0, 1LL << 40, &n, &e) == 0 && n == 4096);
	CHECK(conf_size("m", "16M", 0, 1LL << 40, &n, &e) == 0 && n == 16 << 20);
	CHECK(conf_size("m", "2G", 0, 1LL << 40, &n, &e) == 0 && n == 2LL << 30);
	CHECK(conf_size("m", "1M", 1LL << 20, 1LL << 40, &n, &e) == 0 && n == 1 << 20);
	CHECK_INT(conf_size("m", "1023K", 1LL << 20, 1LL << 50, &n, &e), -1);
	CHECK_STR(e.msg, "m: want bytes with an optional K, M or G suffix, from 1M to 1048576G: '1023K'");
	CHECK_INT(conf_size("m", "1025G", 0, 1LL << 40, &n, &e), -1);
	/* overflow: N*G past 2^63, and N itself past 2^64 */
	CHECK_INT(conf_size("m", "8589934592G", 0, INT64_MAX, &n, &e), -1);
	CHECK(conf_size("m", "8589934591G", 0, INT64_MAX, &n, &e) == 0 && n == 8589934591LL << 30);
	CHECK_INT(conf_size("m", "18446744073709551616", 0, INT64_MAX, &n, &e), -1);
	CHECK_INT(conf_size("m", "99999999999G", 0, INT64_MAX, &n, &e), -1);
	CHECK_INT(conf_size("m", "1T", 0, INT64_MAX, &n, &e), -1);
	CHECK_INT(conf_size("m", "1k", 0, INT64_MAX, &n, &e), -1);
	CHECK_INT(conf_size("m", "K", 0, INT64_MAX, &n, &e), -1);
	CHECK_INT(conf_size("m", "1 K", 0, INT64_MAX, &n, &e), -1);
	CHECK_INT(conf_size("m", "-1", 0, INT64_MAX, &n, &e), -1);
}

static void durations(void)
{
	struct berr e;
	long long ms;

	CHECK(conf_duration("t", "3", 0, 3600000, &ms, &e) == 0 && ms == 3000);
	CHECK(conf_duration("t", "250ms", 0, 3600000, &ms, &e) == 0 && ms == 250);
	CHECK(conf_duration("t", "2s", 0, 3600000, &ms, &e) == 0 && ms == 2000);
	CHECK(conf_duration("t", "5m", 0, 3600000, &ms, &e) == 0 && ms == 300000);
	CHECK(conf_duration("t", "1h", 0, 3600000, &ms, &e) == 0 && ms == 3600000);
	CHECK_INT(conf_duration("t", "61m", 0, 3600000, &ms, &e), -1);
	CHECK_STR(e.msg, "t: want N seconds, or N with ms, s, m or h, from 0 to 1h: '61m'");
	CHECK_INT(conf_duration("t", "99ms", 100, 3600000, &ms, &e), -1);
	CHECK_STR(e.msg, "t: want N seconds, or N with ms, s, m or h, from 100ms to 1h: '99ms'");
	CHECK_INT(conf_duration("t", "1d", 0, INT64_MAX, &ms, &e), -1);
	CHECK_INT(conf_duration("t", "1.5s", 0, INT64_MAX, &ms, &e), -1);
	CHECK_INT(conf_duration("t", "9223372036854776h", 0, INT64_MAX, &ms, &e), -1);
	CHECK_INT(conf_duration("t", "s", 0, INT64_MAX, &ms, &e), -1);
}

static void paths(void)
{
	char out[16];
	struct berr e;

	CHECK(conf_path("p", "/a/b", out, sizeof out, &e) == 0);
	CHECK_STR(out, "/a/b");
	CHECK(conf_path("p", "//a///b/", out, sizeof out, &e) == 0);
	CHECK_STR(out, "/a/b");
	CHECK(conf_path("p", "/", out, sizeof out, &e) == 0);
	CHECK_STR(out, "/");
	CHECK(conf_path("p", "///", out, sizeof out, &e) == 0);
	CHECK_STR(out, "/");
	CHECK(conf_path("p", "/a/.b/c..", out, sizeof out, &e) == 0);
	CHECK_STR(out, "/a/.b/c..");
	CHECK(conf_path("p", "/123456789abcde", out, sizeof out, &e) == 0); /* 15 bytes */
	CHECK_INT(conf_path("p", "/123456789abcdef", out, sizeof out, &e), -1);
	CHECK_STR(e.msg, "p: longer than 15 bytes: '/123456789abcdef'");
	CHECK(conf_path("p", "/123456789abcde//", out, sizeof out, &e) == 0); /* fits once normalised */
	CHECK_INT(conf_path("p", "rel/x", out, sizeof out, &e), -1);
	CHECK_STR(e.msg, "p: want an absolute path: 'rel/x'");
	CHECK_INT(conf_path("p", "", out, sizeof out, &e), -1);
	CHECK_INT(conf_path("p", "/a/../etc", out, sizeof out, &e), -1);
	CHECK_STR(e.msg, "p: want an absolute path without . or .. components: '/a/../etc'");
	CHECK_INT(conf_path("p", "/a/./b", out, sizeof out, &e), -1);
	CHECK_INT(conf_path("p", "/a/..", out, sizeof out, &e), -1);
	CHECK_INT(conf_path("p", "/.", out, sizeof out, &e), -1);
	CHECK_INT(conf_path("p", "/a\tb", out, sizeof out, &e), -1);
	CHECK_INT(conf_path("p", "/a\x7f", out, sizeof out, &e), -1);
	CHECK_INT(conf_path("p", "/", out, 1, &e), -1);
}

static void strings(void)
{
	char out[4];
	struct berr e;

	CHECK(conf_string("s", "abc", out, sizeof out, &e) == 0);
	CHECK_STR(out, "abc");
	CHECK_INT(conf_string("s", "abcd", out, sizeof out, &e), -1);
	CHECK_STR(e.msg, "s: longer than 3 bytes: 'abcd'");
}

static void hostnames(void)
{
	char out[65], long_label[70], long_name[80];
	struct berr e;

	CHECK(conf_hostname("h", "edge-7.example", out, sizeof out, &e) == 0);
	CHECK_STR(out, "edge-7.example");
	CHECK(conf_hostname("h", "a", NULL, 65, &e) == 0);
	CHECK(conf_hostname("h", "1.2.3", NULL, 65, &e) == 0);    /* RFC 1123: digits first */
	CHECK(conf_hostname("h", "A-b", NULL, 65, &e) == 0);
	memset(long_label, 'a', 63);
	long_label[63] = '\0';
	CHECK(conf_hostname("h", long_label, NULL, 65, &e) == 0);
	long_label[63] = 'a';
	long_label[64] = '\0';
	CHECK_INT(conf_hostname("h", long_label, NULL, 65, &e), -1); /* a 64-byte label */
	memset(long_name, 'a', sizeof long_name);
	for (int i = 10; i < 65; i += 11)
		long_name[i] = '.';
	long_name[64] = '\0';
	CHECK(conf_hostname("h", long_name, out, sizeof out, &e) == 0); /* 64 bytes */
	long_name[64] = 'a';
	long_name[65] = '\0';
	CHECK_INT(conf_hostname("h", long_name, out, sizeof out, &e), -1);
	static const char *const bad[] = {
		"", "-a", "a-", "a.-b", "a-.b", ".a", "a.", "a..b", "a_b", "a b", "a/b", "é",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		out[0] = 'X';
		if (conf_hostname("hostname", bad[i], out, sizeof out, &e) != -1 || out[0] != 'X')
			UNIT_FAIL_("hostname '%s' accepted", bad[i]);
	}
	CHECK_INT(conf_hostname("hostname", "-x", out, sizeof out, &e), -1);
	CHECK_STR(e.msg, "hostname: want 1-64 bytes of dot-separated labels of letters, digits and '-' "
		  "(1-63 each, no '-' first or last): '-x'");
}

static void ids(void)
{
	char name[CONF_ID_NAME_MAX + 1];
	struct berr e;
	uint32_t id;

	CHECK(conf_id("user", "0", &id, name, &e) == 0 && id == 0 && name[0] == '\0');
	CHECK(conf_id("user", "65534", &id, name, &e) == 0 && id == 65534);
	CHECK(conf_id("user", "4294967294", &id, name, &e) == 0 && id == 4294967294U);
	CHECK_INT(conf_id("user", "4294967295", &id, name, &e), -1); /* (uid_t)-1 */
	CHECK(conf_id("user", "nobody", &id, name, &e) == 0 && id == 0);
	CHECK_STR(name, "nobody");
	CHECK(conf_id("user", "www-data", &id, name, &e) == 0);
	CHECK(conf_id("user", "host$", &id, name, &e) == 0);
	CHECK(conf_id("user", "_x.Y", &id, name, &e) == 0);
	CHECK(conf_id("user", "0abc", &id, name, &e) == 0);          /* not all digits: a name */
	CHECK(conf_id("user", "abcdefghijabcdefghijabcdefghijab", &id, name, &e) == 0); /* 32 */
	CHECK_INT(conf_id("user", "abcdefghijabcdefghijabcdefghijabc", &id, name, &e), -1);
	CHECK_INT(conf_id("user", "", &id, name, &e), -1);
	CHECK_INT(conf_id("user", "-x", &id, name, &e), -1);
	CHECK_INT(conf_id("user", "a:b", &id, name, &e), -1);
	CHECK_INT(conf_id("user", "a b", &id, name, &e), -1);
	CHECK_INT(conf_id("user", "$", &id, name, &e), -1);
	CHECK_INT(conf_id("user", "a$b", &id, name, &e), -1);
	CHECK_INT(conf_id("group", "-1", &id, name, &e), -1);
	CHECK(strstr(e.msg, "group: want a number or a name") == e.msg);
}

static void capabilities(void)
{
	struct berr e;
	uint64_t m = 0;
	int all = 0;

	CHECK(conf_caps("c", "cap_net_bind_service, SETUID chown", &m, &all, &e) == 0);
	CHECK_INT(m, (1ULL << 10) | (1ULL << 7) | 1ULL);
	CHECK_INT(all, 0);
	CHECK(conf_caps("c", "CAP_SYS_ADMIN,kill", &m, &all, &e) == 0);
	CHECK_INT(m, (1ULL << 10) | (1ULL << 7) | 1ULL | (1ULL << 21) | (1ULL << 5));
	CHECK(conf_caps("c", "bpf checkpoint_restore", &m, &all, &e) == 0); /* libcap's table */
	CHECK(m & (1ULL << 39) && m & (1ULL << 40));
	CHECK(conf_caps("c", "none", &m, &all, &e) == 0);
	CHECK_INT(m, 0);
	CHECK(conf_caps("c", "all", &m, &all, &e) == 0);
	CHECK_INT(all, 1);
	CHECK(conf_caps("c", "NONE", &m, &all, &e) == 0);
	CHECK_INT(all, 0);
	CHECK_INT(conf_caps("capabilities", "chown cap_fly", &m, &all, &e), -1);
	CHECK_STR(e.msg, "capabilities: unknown capability: 'cap_fly'");
	CHECK_INT(conf_caps("c", "none chown", &m, &all, &e), -1);
	CHECK_INT(conf_caps("c", "", &m, &all, &e), -1);
	CHECK_INT(conf_caps("c", " , ", &m, &all, &e), -1);
	CHECK_INT(conf_caps("c", "12", &m, &all, &e), -1);               /* names only */
	CHECK_INT(conf_caps("c", "cap_", &m, &all, &e), -1);
	CHECK_INT(conf_caps("c", "net-admin", &m, &all, &e), -1);
	CHECK_INT(conf_caps("c", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", &m, &all, &e), -1);
	/* 32 bytes after "cap_": lib/caps.c's longest name, one past its buffer once */
	CHECK_INT(conf_caps("c", "cap_abcdefghijabcdefghijabcdefghijab", &m, &all, &e), -1);
}

static void enums(void)
{
	static const char *const names[] = { "always", "on-failure", "never" };
	struct berr e;
	int i = -1;

	CHECK(conf_enum("restart", "never", names, 3, &i, &e) == 0 && i == 2);
	CHECK_INT(conf_enum("restart", "Never", names, 3, &i, &e), -1);
	CHECK_STR(e.msg, "restart: want always, on-failure or never: 'Never'");
	CHECK_INT(conf_enum("k", "b", names, 1, &i, &e), -1);
	CHECK_STR(e.msg, "k: want always: 'b'");
}

static void words(void)
{
	char buf[12];
	unsigned short off[3];
	struct conf_words w = { .buf = buf, .size = sizeof buf, .off = off, .max = 3 };
	struct berr e;
	const char *p = "  a,b  c ", *word;
	size_t n;

	word = conf_word_next(&p, " ,", &n);
	CHECK(word && n == 1 && word[0] == 'a');
	word = conf_word_next(&p, " ,", &n);
	CHECK(word && n == 1 && word[0] == 'b');
	word = conf_word_next(&p, " ,", &n);
	CHECK(word && n == 1 && word[0] == 'c');
	CHECK(conf_word_next(&p, " ,", &n) == NULL);

	CHECK(conf_words_add("cmd", " /bin/x  -a", " \t", &w, &e) == 0);
	CHECK_INT(w.n, 2);
	CHECK_STR(buf + off[0], "/bin/x");
	CHECK_STR(buf + off[1], "-a");
	CHECK_INT(conf_words_add("cmd", "b c", " \t", &w, &e), -1); /* a 4th word */
	CHECK_STR(e.msg, "cmd: more than 3 words or 11 bytes: 'b c'");
	CHECK_INT(w.n, 2);
	CHECK_INT(conf_words_add("cmd", "bc", " \t", &w, &e), -1); /* 7+3+3 > 12 bytes */
	CHECK_INT(w.n, 2);
	CHECK(conf_words_add("cmd", "b", " \t", &w, &e) == 0);     /* 7+3+2 fits */
	CHECK_INT(w.n, 3);
	CHECK_STR(buf + off[2], "b");
	CHECK(conf_words_add("cmd", "   ", " \t", &w, &e) == 0);    /* no word: nothing */
	CHECK_INT(w.n, 3);
}

UNIT_MAIN(UNIT(reader_reports_file_line_and_goes_on), UNIT(reader_without_report_counts),
	  UNIT(parse_file_is_bounded_and_regular), UNIT(bools), UNIT(integers), UNIT(sizes),
	  UNIT(durations), UNIT(paths), UNIT(strings), UNIT(hostnames), UNIT(ids),
	  UNIT(capabilities), UNIT(enums), UNIT(words))

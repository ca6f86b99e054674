/* test_http.c — the incremental HTTP/1.1 parser gives the same result
 * whatever the split of its input (whole, cut at every byte, one byte at a
 * time); smuggling shapes and limits are refused with the right status;
 * pipelining, keep-alive, upgrade and response framing; the writer and
 * the target and query helpers. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/http.h"
#include "tests/unit/unit.h"

static struct http_parser P;

struct tr {
	char s[65536];
	size_t n;
	char body[4096];
	size_t blen;
};

static void add(struct tr *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	t->n += (size_t)vsnprintf(t->s + t->n, sizeof(t->s) - t->n, fmt, ap);
	va_end(ap);
	CHECK(t->n < sizeof(t->s));
}

static void flush_body(struct tr *t)
{
	if (t->blen)
		add(t, "B%zu[%.*s]", t->blen, (int)t->blen, t->body);
	t->blen = 0;
}

static void head(struct tr *t, const struct http_parser *p)
{
	if (p->method)
		add(t, "H(%s %s 1.%d", p->method, p->target, p->minor);
	else
		add(t, "H(%d %s 1.%d", p->status, p->reason, p->minor);
	add(t, " k%d u%d c%d e%d", p->keep_alive, p->upgrade, p->chunked, p->expect_continue);
	if (p->has_length)
		add(t, " l%llu", (unsigned long long)p->content_length);
	for (int i = 0; i < p->nhdr; i++)
		add(t, " %s=%s", p->hdr[i].name, p->hdr[i].value);
	add(t, ")");
}

/* Feed msg[0..n) cut at cuts[0..ncut) (increasing); then EOF if asked.
 * Checks the feed contract on every call. */
static void run(enum http_mode mode, const char *msg, size_t n, const size_t *cuts, int ncut,
		int eof, uint64_t body_max, struct tr *t)
{
	struct berr e;
	size_t pos = 0;
	bool upgraded = false, dead = false;

	memset(t, 0, sizeof(*t));
	http_parser_init(&P, mode);
	for (int c = 0; c <= ncut && !dead; c++) {
		size_t end = c < ncut ? cuts[c] : n;
		const char *in = msg + pos;
		size_t len = end - pos;

		pos = end;
		for (int guard = 0; !dead; guard++) {
			size_t used = 99999;
			int ev;

			CHECK(guard < 100000);
			if (upgraded) {
				CHECK(t->blen + len <= sizeof(t->body));
				memcpy(t->body + t->blen, in, len);
				t->blen += len;
				break;
			}
			ev = http_feed(&P, in, len, &used, &e);
			CHECK(used <= len);
			/* body bytes lie inside what this call consumed */
			CHECK(ev != HTTP_BODY || (P.body >= in && P.body + P.body_len <= in + used));
			in += used;
			len -= used;
			if (ev < 0) {
				t->blen = 0;
				add(t, "E%d", http_status(&P));
				CHECK(http_status(&P) >= 400);
				dead = true;
				break;
			}
			if (ev == HTTP_NEED_MORE) {
				CHECK_INT(len, 0);
				break;
			}
			if (ev == HTTP_HEAD) {
				flush_body(t);
				if (body_max)
					P.body_max = body_max;
				head(t, &P);
			} else if (ev == HTTP_BODY) {
				CHECK(P.body_len > 0);
				CHECK(t->blen + P.body_len <= sizeof(t->body));
				memcpy(t->body + t->blen, P.body, P.body_len);
				t->blen += P.body_len;
			} else if (ev == HTTP_DONE) {
				flush_body(t);
				add(t, "D");
			} else if (ev == HTTP_UPGRADE) {
				CHECK_INT(used, 0);
				flush_body(t);
				add(t, "U");
				upgraded = true;
			}
		}
	}
	if (upgraded) {
		add(t, "R[%.*s]", (int)t->blen, t->body);
		t->blen = 0;
	}
	if (!dead) {
		flush_body(t);
		if (eof) {
			int ev = http_eof(&P, &e);
			if (ev < 0)
				add(t, "!E%d", http_status(&P));
			else
				add(t, "!%s", ev == HTTP_DONE ? "D" : ev == HTTP_UPGRADE ? "U" : "idle");
		} else {
			add(t, "|%d", http_timeout(&P));
		}
	}
}

/* The same transcript for the whole message, every single cut, and one
 * byte at a time; and it is `want`. */
static void check_ex(enum http_mode mode, const char *msg, int eof, uint64_t body_max,
		     const char *want)
{
	static struct tr whole, split;
	static size_t cuts[16384];
	size_t n = strlen(msg);

	run(mode, msg, n, NULL, 0, eof, body_max, &whole);
	if (strcmp(whole.s, want) != 0)
		UNIT_FAIL_("whole:\n#  got  %s\n#  want %s", whole.s, want);
	for (size_t k = 1; k < n; k++) {
		run(mode, msg, n, &k, 1, eof, body_max, &split);
		if (strcmp(split.s, want) != 0)
			UNIT_FAIL_("cut at %zu:\n#  got  %s\n#  want %s", k, split.s, want);
	}
	CHECK(n <= sizeof(cuts) / sizeof(cuts[0]));
	for (size_t k = 1; k < n; k++)
		cuts[k - 1] = k;
	run(mode, msg, n, cuts, n ? (int)n - 1 : 0, eof, body_max, &split);
	if (strcmp(split.s, want) != 0)
		UNIT_FAIL_("byte at a time:\n#  got  %s\n#  want %s", split.s, want);
}

static void check(const char *msg, const char *want)
{
	check_ex(HTTP_REQUEST, msg, 0, 0, want);
}

static void check_resp(const char *msg, int eof, const char *want)
{
	check_ex(HTTP_RESPONSE, msg, eof, 0, want);
}

static void simple_requests(void)
{
	check("GET /containers/json?all=1 HTTP/1.1\r\nHost: docker\r\nUser-Agent:  Docker-Client/24 \r\n\r\n",
	      "H(GET /containers/json?all=1 1.1 k1 u0 c0 e0 Host=docker User-Agent=Docker-Client/24)D|0");
	check("POST /containers/create HTTP/1.1\r\nHost: d\r\nContent-Type: application/json\r\n"
	      "Content-Length: 13\r\n\r\n{\"Image\":\"a\"}",
	      "H(POST /containers/create 1.1 k1 u0 c0 e0 l13 Host=d Content-Type=application/json "
	      "Content-Length=13)B13[{\"Image\":\"a\"}]D|0");
	/* empty value, obs-text, tab inside a value, Expect */
	check("PUT /x HTTP/1.1\r\nHost: d\r\nX-Empty:\r\nX-Obs: caf\xc3\xa9\r\nX-Tab: a\tb\r\n"
	      "Expect: 100-Continue\r\nContent-Length: 0\r\n\r\n",
	      "H(PUT /x 1.1 k1 u0 c0 e1 l0 Host=d X-Empty= X-Obs=caf\xc3\xa9 X-Tab=a\tb "
	      "Expect=100-Continue Content-Length=0)D|0");
	/* blank lines before the request line are skipped */
	check("\r\n\r\nGET / HTTP/1.1\r\nHost: d\r\n\r\n", "H(GET / 1.1 k1 u0 c0 e0 Host=d)D|0");
	/* the same length given twice is one length */
	check("POST / HTTP/1.1\r\nHost: d\r\nContent-Length: 2\r\nContent-Length: 2, 2\r\n\r\nok",
	      "H(POST / 1.1 k1 u0 c0 e0 l2 Host=d Content-Length=2 Content-Length=2, 2)B2[ok]D|0");
}

static void chunked_requests(void)
{
	check("POST /build HTTP/1.1\r\nHost: d\r\nTransfer-Encoding: chunked\r\n\r\n"
	      "5;name=value;q=\"x y\"\r\nhello\r\n1A \t;ext\r\nabcdefghijklmnopqrstuvwxyz\r\n"
	      "000\r\nX-Trailer: t\r\nX-Other:\r\n\r\n",
	      "H(POST /build 1.1 k1 u0 c1 e0 Host=d Transfer-Encoding=chunked)"
	      "B31[helloabcdefghijklmnopqrstuvwxyz]D|0");
	check("POST / HTTP/1.1\r\nHost: d\r\nTransfer-Encoding: Chunked\r\n\r\n0\r\n\r\n",
	      "H(POST / 1.1 k1 u0 c1 e0 Host=d Transfer-Encoding=Chunked)D|0");
	/* chunked in HTTP/1.0: read, then close */
	check("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\nConnection: keep-alive\r\n\r\n1\r\nx\r\n0\r\n\r\n",
	      "H(POST / 1.0 k0 u0 c1 e0 Transfer-Encoding=chunked Connection=keep-alive)B1[x]D|0");
}

static void pipelined_requests(void)
{
	check("GET /a HTTP/1.1\r\nHost: d\r\n\r\nPOST /b HTTP/1.1\r\nHost: d\r\nContent-Length: 3\r\n\r\nxyz"
	      "POST /c HTTP/1.1\r\nHost: d\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n"
	      "GET /d HTTP/1.1\r\nHost: d\r\nConnection: close\r\n\r\n",
	      "H(GET /a 1.1 k1 u0 c0 e0 Host=d)D"
	      "H(POST /b 1.1 k1 u0 c0 e0 l3 Host=d Content-Length=3)B3[xyz]D"
	      "H(POST /c 1.1 k1 u0 c1 e0 Host=d Transfer-Encoding=chunked)B2[hi]D"
	      "H(GET /d 1.1 k0 u0 c0 e0 Host=d Connection=close)D|0");
	/* the next request is cut short: a timeout answers 408 */
	check("GET /a HTTP/1.1\r\nHost: d\r\n\r\nGET /b HTT",
	      "H(GET /a 1.1 k1 u0 c0 e0 Host=d)D|408");
}

static void keep_alive(void)
{
	check("GET / HTTP/1.0\r\n\r\n", "H(GET / 1.0 k0 u0 c0 e0)D|0");
	check("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n",
	      "H(GET / 1.0 k1 u0 c0 e0 Connection=Keep-Alive)D|0");
	check("GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n",
	      "H(GET / 1.0 k0 u0 c0 e0 Connection=keep-alive, close)D|0");
	check("GET / HTTP/1.1\r\nHost: d\r\nConnection: foo,  CLOSE\r\n\r\n",
	      "H(GET / 1.1 k0 u0 c0 e0 Host=d Connection=foo,  CLOSE)D|0");
	/* a later minor version is read as 1.1 */
	check("GET / HTTP/1.2\r\nHost: d\r\n\r\n", "H(GET / 1.2 k1 u0 c0 e0 Host=d)D|0");
}

static void upgrade(void)
{
	check("POST /containers/c/attach?stream=1&stdin=1 HTTP/1.1\r\nHost: d\r\n"
	      "Connection: Upgrade\r\nUpgrade: tcp\r\n\r\n\x01\x00raw GET / HTTP/1.1\r\n\r\n",
	      "H(POST /containers/c/attach?stream=1&stdin=1 1.1 k1 u1 c0 e0 Host=d Connection=Upgrade "
	      "Upgrade=tcp)UR[\x01]|0");
	/* with a body: the body first, then raw bytes */
	check("POST /a HTTP/1.1\r\nHost: d\r\nConnection: keep-alive, upgrade\r\nUpgrade: x\r\n"
	      "Content-Length: 2\r\n\r\nokRAW",
	      "H(POST /a 1.1 k1 u1 c0 e0 l2 Host=d Connection=keep-alive, upgrade Upgrade=x "
	      "Content-Length=2)B2[ok]UR[RAW]|0");
	/* Upgrade without Connection: upgrade is not an upgrade */
	check("GET / HTTP/1.1\r\nHost: d\r\nUpgrade: tcp\r\n\r\n",
	      "H(GET / 1.1 k1 u0 c0 e0 Host=d Upgrade=tcp)D|0");
}

static void smuggling_is_refused(void)
{
	/* CL and TE together, either order */
	check("POST / HTTP/1.1\r\nHost: d\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", "E400");
	check("POST / HTTP/1.1\r\nHost: d\r\nTransfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n0\r\n\r\n", "E400");
	/* two different lengths, as two fields or a list */
	check("POST / HTTP/1.1\r\nHost: d\r\nContent-Length: 4\r\nContent-Length: 5\r\n\r\nabcde", "E400");
	check("POST / HTTP/1.1\r\nHost: d\r\nContent-Length: 4, 5\r\n\r\nabcde", "E400");
	/* malformed lengths */
	check("POST / HTTP/1.1\r\nHost: d\r\nContent-Length: -1\r\n\r\n", "E400");
	check("POST / HTTP/1.1\r\nHost: d\r\nContent-Length: +1\r\n\r\n", "E400");
	check("POST / HTTP/1.1\r\nHost: d\r\nContent-Length: 0x10\r\n\r\n", "E400");
	check("POST / HTTP/1.1\r\nHost: d\r\nContent-Length: 1 2\r\n\r\n", "E400");
	check("POST / HTTP/1.1\r\nHost: d\r\nContent-Length:\r\n\r\n", "E400");
	check("POST / HTTP/1.1\r\nHost: d\r\nContent-Length: 18446744073709551616\r\n\r\n", "E400");
	check("POST / HTTP/1.1\r\nHost: d\r\nContent-Length: 99999999999999999999999\r\n\r\n", "E400");
	/* codings */
	check("POST / HTTP/1.1\r\nHost: d\r\nTransfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n", "E400");
	check("POST / HTTP/1.1\r\nHost: d\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", "E400");
	check("POST / HTTP/1.1\r\nHost: d\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", "E400");
	check("POST / HTTP/1.1\r\nHost: d\r\nTransfer-Encoding: gzip\r\n\r\n", "E501");
	check("POST / HTTP/1.1\r\nHost: d\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", "E501");
	check("POST / HTTP/1.1\r\nHost: d\r\nTransfer-Encoding: xchunked\r\n\r\n", "E501");
	check("POST / HTTP/1.1\r\nHost: d\r\nTransfer-Encoding: chunked;x=1\r\n\r\n", "E501");
	check("POST / HTTP/1.1\r\nHost: d\r\nTransfer-Encoding:\r\n\r\n", "E400");
	/* header syntax */
	check("POST / HTTP/1.1\r\nHost: d\r\nContent-Length : 3\r\n\r\nabc", "E400");
	check("POST / HTTP/1.1\r\nHost: d\r\n Content-Length: 3\r\n\r\nabc", "E400");
	check("GET / HTTP/1.1\r\nHost: d\r\nX-A: a\r\n b\r\n\r\n", "E400");
	check("GET / HTTP/1.1\nHost: d\r\n\r\n", "E400");
	check("GET / HTTP/1.1\r\nHost: d\n\r\n", "E400");
	check("GET / HTTP/1.1\r\nHost: d\r\n\n", "E400");
	check("GET / HTTP/1.1\r\nHost: d\rX: y\r\n\r\n", "E400");
	check("GET / HTTP/1.1\r\nHost: d\r\nX: a\x01" "b\r\n\r\n", "E400");
	check("GET / HTTP/1.1\r\nHost: d\r\nX: a\x7f" "b\r\n\r\n", "E400");
	check("GET / HTTP/1.1\r\nHost: d\r\nX\x80: b\r\n\r\n", "E400");
	check("GET / HTTP/1.1\r\nHost: d\r\n: b\r\n\r\n", "E400");
	check("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", "E400");
	check("GET / HTTP/1.1\r\n\r\n", "E400");
	/* request line */
	check("GET  / HTTP/1.1\r\nHost: d\r\n\r\n", "E400");
	check("GET / HTTP/1.1 \r\nHost: d\r\n\r\n", "E400");
	check("GET /a#frag HTTP/1.1\r\nHost: d\r\n\r\n", "E400");
	check("GET /\x80 HTTP/1.1\r\nHost: d\r\n\r\n", "E400");
	check("G(T / HTTP/1.1\r\nHost: d\r\n\r\n", "E400");
	check("GET / HTTP/1.10\r\nHost: d\r\n\r\n", "E400");
	check("GET / http/1.1\r\nHost: d\r\n\r\n", "E400");
	check("GET / HTTP/2.0\r\nHost: d\r\n\r\n", "E505");
	check("GET / HTTP/0.9\r\n\r\n", "E505");
	check("\r\n\r\n\r\n\r\n\r\nGET / HTTP/1.1\r\nHost: d\r\n\r\n", "E400");
}

static void bad_chunks_are_refused(void)
{
	const char *h = "POST / HTTP/1.1\r\nHost: d\r\nTransfer-Encoding: chunked\r\n\r\n";
	const char *hh = "H(POST / 1.1 k1 u0 c1 e0 Host=d Transfer-Encoding=chunked)";
	static const char *bad[] = {
		"0x5\r\nhello\r\n0\r\n\r\n", "-5\r\nhello\r\n0\r\n\r\n", "\r\nhello\r\n0\r\n\r\n",
		"g\r\n", "5 5\r\nhello\r\n", "5\nhello\r\n0\r\n\r\n", "5\r\nhelloX\r\n0\r\n\r\n",
		"5\r\nhello\n0\r\n\r\n", "5;a\x01\r\nhello\r\n", " 5\r\nhello\r\n",
		"10000000000000000\r\n", "fffffffffffffffff\r\n", "0\r\nX: y\n\r\n", "0\r\n bad\r\n\r\n",
		"0\r\nX y\r\n\r\n", "0\r\n\r\r",
	};
	char msg[512], want[256];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(msg, sizeof msg, "%s%s", h, bad[i]);
		snprintf(want, sizeof want, "%sE400", hh);
		check(msg, want);
	}
}

static void limits_map_to_statuses(void)
{
	static char msg[CONFIG_HTTP_HEADER_BYTES_MAX + CONFIG_HTTP_REQUEST_LINE_MAX + 256];
	size_t o;

	/* request line: at the limit, then one byte over → 414 */
	o = (size_t)snprintf(msg, sizeof msg, "GET /");
	memset(msg + o, 'a', CONFIG_HTTP_REQUEST_LINE_MAX - 14);
	o += CONFIG_HTTP_REQUEST_LINE_MAX - 14;
	strcpy(msg + o, " HTTP/1.1\r\nHost: d\r\n\r\n");
	CHECK_INT(strchr(msg, '\r') - msg, CONFIG_HTTP_REQUEST_LINE_MAX);
	{
		static struct tr t;
		run(HTTP_REQUEST, msg, strlen(msg), NULL, 0, 0, 0, &t);
		CHECK(t.s[0] == 'H');
		memmove(msg + 6, msg + 5, strlen(msg + 5) + 1);
		msg[5] = 'a';
		run(HTTP_REQUEST, msg, strlen(msg), NULL, 0, 0, 0, &t);
		CHECK_STR(t.s, "E414");
		/* cut before the end of the line: refused as soon as it is too long */
		msg[CONFIG_HTTP_REQUEST_LINE_MAX + 2] = '\0';
		run(HTTP_REQUEST, msg, strlen(msg), NULL, 0, 0, 0, &t);
		CHECK_STR(t.s, "E414");
	}
	/* too many headers → 431 */
	o = (size_t)snprintf(msg, sizeof msg, "GET / HTTP/1.1\r\nHost: d\r\n");
	for (int i = 0; i < CONFIG_HTTP_HEADERS_MAX; i++)
		o += (size_t)snprintf(msg + o, sizeof msg - o, "X-%d: v\r\n", i);
	snprintf(msg + o, sizeof msg - o, "\r\n");
	check_ex(HTTP_REQUEST, msg, 0, 0, "E431");
	/* too many header bytes → 431 */
	o = (size_t)snprintf(msg, sizeof msg, "GET / HTTP/1.1\r\nHost: d\r\nX-Big: ");
	memset(msg + o, 'b', CONFIG_HTTP_HEADER_BYTES_MAX);
	o += CONFIG_HTTP_HEADER_BYTES_MAX;
	snprintf(msg + o, sizeof msg - o, "\r\n\r\n");
	{
		static struct tr t;
		run(HTTP_REQUEST, msg, strlen(msg), NULL, 0, 0, 0, &t);
		CHECK_STR(t.s, "E431");
	}
	/* body over body_max → 413, for a length and for chunks */
	check_ex(HTTP_REQUEST, "POST / HTTP/1.1\r\nHost: d\r\nContent-Length: 11\r\n\r\nhello world",
		 0, 10, "H(POST / 1.1 k1 u0 c0 e0 l11 Host=d Content-Length=11)E413");
	check_ex(HTTP_REQUEST, "POST / HTTP/1.1\r\nHost: d\r\nContent-Length: 10\r\n\r\nhelloworld",
		 0, 10, "H(POST / 1.1 k1 u0 c0 e0 l10 Host=d Content-Length=10)B10[helloworld]D|0");
	check_ex(HTTP_REQUEST, "POST / HTTP/1.1\r\nHost: d\r\nTransfer-Encoding: chunked\r\n\r\n"
		 "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n",
		 0, 10, "H(POST / 1.1 k1 u0 c1 e0 Host=d Transfer-Encoding=chunked)E413");
	/* a chunk-size line longer than its limit → 400 */
	o = (size_t)snprintf(msg, sizeof msg,
			     "POST / HTTP/1.1\r\nHost: d\r\nTransfer-Encoding: chunked\r\n\r\n1;");
	memset(msg + o, 'x', CONFIG_HTTP_CHUNK_LINE_MAX);
	o += CONFIG_HTTP_CHUNK_LINE_MAX;
	snprintf(msg + o, sizeof msg - o, "\r\nx\r\n0\r\n\r\n");
	{
		static struct tr t;
		run(HTTP_REQUEST, msg, strlen(msg), NULL, 0, 0, 0, &t);
		CHECK(strstr(t.s, ")E400") != NULL);
	}
}

static void timeouts_answer_408(void)
{
	struct berr e;
	size_t used;

	http_parser_init(&P, HTTP_REQUEST);
	CHECK_INT(http_timeout(&P), 0); /* idle: close without an answer */
	CHECK_INT(http_feed(&P, "GET / HT", 8, &used, &e), HTTP_NEED_MORE);
	CHECK_INT(http_timeout(&P), 408);
	CHECK_INT(http_status(&P), 408);
	CHECK(http_feed(&P, "TP/1.1\r\n\r\n", 10, &used, &e) < 0);
	/* in the middle of a body too */
	check("POST / HTTP/1.1\r\nHost: d\r\nContent-Length: 5\r\n\r\nab",
	      "H(POST / 1.1 k1 u0 c0 e0 l5 Host=d Content-Length=5)B2[ab]|408");
}

static void eof_cuts_a_request(void)
{
	check_ex(HTTP_REQUEST, "POST / HTTP/1.1\r\nHost: d\r\nContent-Length: 5\r\n\r\nab", 1, 0,
		 "H(POST / 1.1 k1 u0 c0 e0 l5 Host=d Content-Length=5)B2[ab]!E400");
	check_ex(HTTP_REQUEST, "GET / HTTP/1.1\r\nHost: d\r\n\r\n", 1, 0,
		 "H(GET / 1.1 k1 u0 c0 e0 Host=d)D!idle");
	check_ex(HTTP_REQUEST, "GET / HTTP/1.1\r\nHo", 1, 0, "!E400");
}

static void responses(void)
{
	check_resp("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}", 0,
		   "H(200 OK 1.1 k1 u0 c0 e0 l2 Content-Type=application/json Content-Length=2)B2[{}]D|0");
	check_resp("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nWiki\r\n5\r\npedia\r\n0\r\n\r\n", 0,
		   "H(200 OK 1.1 k1 u0 c1 e0 Transfer-Encoding=chunked)B9[Wikipedia]D|0");
	/* until close */
	check_resp("HTTP/1.1 200 OK\r\n\r\nall of it", 1, "H(200 OK 1.1 k0 u0 c0 e0)B9[all of it]!D");
	check_resp("HTTP/1.0 200 OK\r\n\r\n", 1, "H(200 OK 1.0 k0 u0 c0 e0)!D");
	/* 1xx before the final response; 204 and 304 without a body */
	check_resp("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n"
		   "HTTP/1.1 304 Not Modified\r\nContent-Length: 99\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 1\r\n\r\nx", 0,
		   "H(100 Continue 1.1 k1 u0 c0 e0)DH(204 No Content 1.1 k1 u0 c0 e0)D"
		   "H(304 Not Modified 1.1 k1 u0 c0 e0 l99 Content-Length=99)D"
		   "H(201 Created 1.1 k1 u0 c0 e0 l1 Content-Length=1)B1[x]D|0");
	/* a status line without a reason, with an empty one */
	check_resp("HTTP/1.1 404\r\nContent-Length: 0\r\n\r\nHTTP/1.1 500 \r\nContent-Length: 0\r\n\r\n", 0,
		   "H(404  1.1 k1 u0 c0 e0 l0 Content-Length=0)DH(500  1.1 k1 u0 c0 e0 l0 Content-Length=0)D|0");
	/* 101: raw bytes follow */
	check_resp("HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream\r\n"
		   "Connection: Upgrade\r\nUpgrade: tcp\r\n\r\n\x01\x00\x00\x00", 1,
		   "H(101 UPGRADED 1.1 k1 u1 c0 e0 Content-Type=application/vnd.docker.raw-stream "
		   "Connection=Upgrade Upgrade=tcp)UR[\x01]!U");
	/* refused */
	check_resp("HTTP/1.1 20 OK\r\n\r\n", 0, "E400");
	check_resp("HTTP/1.1 600 X\r\n\r\n", 0, "E400");
	check_resp("HTTP/2 200 OK\r\n\r\n", 0, "E400");
	check_resp("HTTP/3.0 200 OK\r\n\r\n", 0, "E505");
	check_resp("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", 0, "E400");
	check_resp("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab", 1,
		   "H(200 OK 1.1 k1 u0 c0 e0 l5 Content-Length=5)B2[ab]!E400");
}

static void head_responses(void)
{
	check_ex(HTTP_RESPONSE_TO_HEAD, "HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n", 0, 0,
		 "H(200 OK 1.1 k1 u0 c0 e0 l1234 Content-Length=1234)D|0");
	check_ex(HTTP_RESPONSE_TO_HEAD, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", 0, 0,
		 "H(200 OK 1.1 k1 u0 c1 e0 Transfer-Encoding=chunked)D|0");
}

static void header_lookup(void)
{
	struct berr e;
	size_t used;
	const char *m = "GET / HTTP/1.1\r\nHost: d\r\nX-Registry-Auth: abc\r\nx-a: 1\r\nX-A: 2\r\n\r\n";

	http_parser_init(&P, HTTP_REQUEST);
	CHECK_INT(http_feed(&P, m, strlen(m), &used, &e), HTTP_HEAD);
	CHECK_INT(used, strlen(m));
	CHECK_STR(http_header(&P, "x-registry-auth"), "abc");
	CHECK_STR(http_header(&P, "X-A"), "1");
	CHECK(http_header(&P, "X-Missing") == NULL);
	CHECK_INT(http_feed(&P, "", 0, &used, &e), HTTP_DONE);
	CHECK_INT(http_feed(&P, "", 0, &used, &e), HTTP_NEED_MORE);
}

/* ------------------------------------------------------------- writer */

static void writer_writes_responses(void)
{
	char buf[256], h[HTTP_CHUNK_HEAD_MAX];
	struct http_w w;
	struct berr e;
	size_t n;

	http_w_init(&w, buf, sizeof buf);
	http_w_status(&w, 404);
	http_w_header(&w, "Content-Type", "application/json");
	http_w_content_length(&w, 2);
	http_w_end_head(&w);
	http_w_body(&w, "{}", 2);
	CHECK_INT(http_w_finish(&w, &n, &e), 0);
	CHECK_INT(n, strlen("HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\n"
			    "Content-Length: 2\r\n\r\n{}"));
	CHECK(memcmp(buf, "HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\n"
		     "Content-Length: 2\r\n\r\n{}", n) == 0);

	http_w_init(&w, buf, sizeof buf);
	http_w_status(&w, 200);
	http_w_chunked(&w);
	http_w_end_head(&w);
	http_w_chunk(&w, "hello", 5);
	http_w_chunk(&w, "", 0);
	http_w_chunk(&w, "abcdefghijklmnopqrstuvwxyz", 26);
	http_w_chunk_last(&w);
	CHECK_INT(http_w_finish(&w, &n, &e), 0);
	buf[n] = '\0';
	CHECK_STR(buf, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
		  "5\r\nhello\r\n1a\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\n\r\n");
	/* what the writer wrote, the parser reads */
	check_resp(buf, 0, "H(200 OK 1.1 k1 u0 c1 e0 Transfer-Encoding=chunked)"
		   "B31[helloabcdefghijklmnopqrstuvwxyz]D|0");

	CHECK_INT(http_chunk_head(h, 0xffffffffffffffffULL), 18);
	CHECK(memcmp(h, "ffffffffffffffff\r\n", 18) == 0);
	CHECK_INT(http_chunk_head(h, 0), 3);

	http_w_init(&w, buf, sizeof buf);
	http_w_request(&w, "GET", "/v1.43/containers/json?all=1");
	http_w_header(&w, "Host", "berth");
	http_w_end_head(&w);
	CHECK_INT(http_w_finish(&w, &n, &e), 0);
	buf[n] = '\0';
	CHECK_STR(buf, "GET /v1.43/containers/json?all=1 HTTP/1.1\r\nHost: berth\r\n\r\n");
}

static void writer_refuses_and_never_cuts(void)
{
	char buf[32];
	struct http_w w;
	struct berr e;
	size_t n;

	http_w_init(&w, buf, sizeof buf);
	http_w_status(&w, 200);
	http_w_header(&w, "X-Evil", "a\r\nSet-Cookie: x");
	CHECK(http_w_finish(&w, &n, &e) < 0);
	CHECK_INT(e.errnum, EINVAL);
	http_w_init(&w, buf, sizeof buf);
	http_w_header(&w, "Bad Name", "v");
	CHECK(http_w_finish(&w, &n, &e) < 0);
	http_w_init(&w, buf, sizeof buf);
	http_w_request(&w, "GET", "/a b");
	CHECK(http_w_finish(&w, &n, &e) < 0);
	/* overflow: sticky, later calls change nothing */
	http_w_init(&w, buf, sizeof buf);
	http_w_status(&w, 200);
	http_w_header(&w, "Content-Type", "application/json");
	http_w_end_head(&w);
	CHECK(http_w_finish(&w, &n, &e) < 0);
	CHECK_INT(e.errnum, E2BIG);
	/* a chunk that does not fit is not started */
	http_w_init(&w, buf, sizeof buf);
	http_w_chunk(&w, "0123456789012345678901234567", 28);
	CHECK(http_w_finish(&w, &n, &e) < 0);
	http_w_reset(&w);
	http_w_chunk(&w, "0123456789", 10);
	CHECK_INT(http_w_finish(&w, &n, &e), 0);
	CHECK_INT(n, 15);
}

/* ------------------------------------------------- targets and queries */

static void percent_decoding(void)
{
	char out[32];
	struct berr e;

	CHECK_INT(http_pct_decode("a%20b%2fc+d", 11, out, sizeof out, 0, &e), 7);
	CHECK_STR(out, "a b/c+d");
	CHECK_INT(http_pct_decode("a+b%2B", 6, out, sizeof out, HTTP_PCT_PLUS, &e), 4);
	CHECK_STR(out, "a b+");
	CHECK(http_pct_decode("a%00b", 5, out, sizeof out, 0, &e) < 0);
	CHECK(http_pct_decode("a%2", 3, out, sizeof out, 0, &e) < 0);
	CHECK(http_pct_decode("a%", 2, out, sizeof out, 0, &e) < 0);
	CHECK(http_pct_decode("a%g0", 4, out, sizeof out, 0, &e) < 0);
	CHECK(http_pct_decode("a%2F", 4, out, sizeof out, HTTP_PCT_NO_SLASH, &e) < 0);
	CHECK_INT(http_pct_decode("abc", 3, out, 4, 0, &e), 3);
	CHECK(http_pct_decode("abcd", 4, out, 4, 0, &e) < 0);
	CHECK_INT(e.errnum, ENAMETOOLONG);
	CHECK_INT(http_target_path("/containers/a%20b/json?x=%41", out, sizeof out, &e), 20);
	CHECK_STR(out, "/containers/a b/json");
	CHECK(http_target_path("*", out, sizeof out, &e) < 0);
	CHECK_STR(http_target_query("/a?b=c?d"), "b=c?d");
	CHECK_STR(http_target_query("/a"), "");
}

static void query_parameters(void)
{
	const char *q = "all=1&&filters=%7B%22label%22%3A%5B%22a%3Db%22%5D%7D&flag&x=a+b&all=0&";
	char n[32], v[64];
	struct berr e;
	int k = 0;

	while (http_query_next(&q, n, sizeof n, v, sizeof v, &e) == 1) {
		if (k == 0) {
			CHECK_STR(n, "all");
			CHECK_STR(v, "1");
		} else if (k == 1) {
			CHECK_STR(n, "filters");
			CHECK_STR(v, "{\"label\":[\"a=b\"]}");
		} else if (k == 2) {
			CHECK_STR(n, "flag");
			CHECK_STR(v, "");
		} else if (k == 3) {
			CHECK_STR(v, "a b");
		}
		k++;
	}
	CHECK_INT(k, 5);
	q = "all=1&&filters=x&all=0";
	CHECK_INT(http_query_get(q, "all", v, sizeof v, &e), 1);
	CHECK_STR(v, "1"); /* the first, as Go's url.Values.Get */
	CHECK_INT(http_query_get(q, "none", v, sizeof v, &e), 0);
	CHECK(http_query_get("a=%00", "a", v, sizeof v, &e) < 0);
	CHECK(http_query_get("a=%zz", "b", v, sizeof v, &e) < 0);
	CHECK(http_query_get("a=0123456789", "a", v, 4, &e) < 0);
	/* Another parameter longer than the buffer is not in the way: docker ps
	 * --filter ancestor=… sends filters before limit. */
	CHECK_INT(http_query_get("filters=%7B%22ancestor%22%3A%7B%22x%22%3Atrue%7D%7D&limit=1", "limit", v,
				 4, &e), 1);
	CHECK_STR(v, "1");
	CHECK(http_query_get("f=%zz&limit=1", "limit", v, 4, &e) < 0);
	CHECK(http_query_get("f=%0&limit=1", "limit", v, 4, &e) < 0);
	CHECK(http_query_get("f=ab%00cd&limit=1", "limit", v, 4, &e) < 0);
	CHECK(http_query_get("f=%&limit=1", "limit", v, 4, &e) < 0);
}

UNIT_MAIN(UNIT(simple_requests), UNIT(chunked_requests), UNIT(pipelined_requests),
	  UNIT(keep_alive), UNIT(upgrade), UNIT(smuggling_is_refused), UNIT(bad_chunks_are_refused),
	  UNIT(limits_map_to_statuses), UNIT(timeouts_answer_408), UNIT(eof_cuts_a_request),
	  UNIT(responses), UNIT(head_responses), UNIT(header_lookup),
	  UNIT(writer_writes_responses), UNIT(writer_refuses_and_never_cuts),
	  UNIT(percent_decoding), UNIT(query_parameters))

/* http_w.c — the HTTP writer, reason phrases, and target and query
 * helpers of http.h. */
#include <ctype.h>
#include <errno.h>
#include <string.h>

#include "lib/http.h"
#include "lib/http-internal.h"

const char *http_reason(int status)
{
	static const struct { short code; const char *text; } r[] = {
		{ 100, "Continue" }, { 101, "Switching Protocols" }, { 200, "OK" },
		{ 201, "Created" }, { 202, "Accepted" }, { 204, "No Content" },
		{ 206, "Partial Content" }, { 301, "Moved Permanently" }, { 302, "Found" },
		{ 304, "Not Modified" }, { 307, "Temporary Redirect" }, { 400, "Bad Request" },
		{ 401, "Unauthorized" }, { 403, "Forbidden" }, { 404, "Not Found" },
		{ 405, "Method Not Allowed" }, { 406, "Not Acceptable" }, { 408, "Request Timeout" },
		{ 409, "Conflict" }, { 410, "Gone" }, { 411, "Length Required" },
		{ 412, "Precondition Failed" }, { 413, "Content Too Large" }, { 414, "URI Too Long" },
		{ 415, "Unsupported Media Type" }, { 416, "Range Not Satisfiable" },
		{ 417, "Expectation Failed" }, { 422, "Unprocessable Content" },
		{ 426, "Upgrade Required" }, { 429, "Too Many Requests" },
		{ 431, "Request Header Fields Too Large" }, { 500, "Internal Server Error" },
		{ 501, "Not Implemented" }, { 502, "Bad Gateway" }, { 503, "Service Unavailable" },
		{ 504, "Gateway Timeout" }, { 505, "HTTP Version Not Supported" },
	};

	for (size_t i = 0; i < sizeof(r) / sizeof(r[0]); i++)
		if (r[i].code == status)
			return r[i].text;
	return "Unknown";
}

/* ------------------------------------------------------------- writer */

static void fail(struct http_w *w, int err, const char *why)
{
	if (!w->err) {
		w->err = err;
		w->why = why;
	}
}

void http_w_init(struct http_w *w, char *buf, size_t size)
{
	w->buf = buf;
	w->size = size;
	http_w_reset(w);
}

void http_w_reset(struct http_w *w)
{
	w->len = 0;
	w->err = 0;
	w->why = NULL;
}

static void put(struct http_w *w, const void *s, size_t n)
{
	if (w->err)
		return;
	if (n > w->size - w->len) {
		fail(w, E2BIG, "over the buffer");
		return;
	}
	memcpy(w->buf + w->len, s, n);
	w->len += n;
}

static void puts_(struct http_w *w, const char *s)
{
	put(w, s, strlen(s));
}

/* v in decimal, or in hex, into the end of b; returns the start. */
static char *num(char *end, uint64_t v, unsigned base)
{
	do {
		*--end = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	return end;
}

void http_w_status(struct http_w *w, int status)
{
	char b[4];

	if (status < 100 || status > 999) {
		fail(w, EINVAL, "a status code outside 100-999");
		return;
	}
	b[0] = (char)('0' + status / 100);
	b[1] = (char)('0' + status / 10 % 10);
	b[2] = (char)('0' + status % 10);
	b[3] = ' ';
	puts_(w, "HTTP/1.1 ");
	put(w, b, 4);
	puts_(w, http_reason(status));
	put(w, "\r\n", 2);
}

static bool all(const char *s, unsigned cls)
{
	for (; *s; s++)
		if (!(http_cclass[(unsigned char)*s] & cls))
			return false;
	return true;
}

void http_w_request(struct http_w *w, const char *method, const char *target)
{
	if (!*method || !all(method, HTTP_C_TCHAR) || !*target || !all(target, HTTP_C_TARGET)) {
		fail(w, EINVAL, "a bad method or target");
		return;
	}
	puts_(w, method);
	put(w, " ", 1);
	puts_(w, target);
	puts_(w, " HTTP/1.1\r\n");
}

void http_w_header(struct http_w *w, const char *name, const char *value)
{
	if (!*name || !all(name, HTTP_C_TCHAR) || !all(value, HTTP_C_VALUE)) {
		fail(w, EINVAL, "a header with a bad name or a control character");
		return;
	}
	puts_(w, name);
	put(w, ": ", 2);
	puts_(w, value);
	put(w, "\r\n", 2);
}

void http_w_header_u64(struct http_w *w, const char *name, uint64_t v)
{
	char b[24];

	b[23] = '\0';
	http_w_header(w, name, num(b + 23, v, 10));
}

void http_w_content_length(struct http_w *w, uint64_t n)
{
	http_w_header_u64(w, "Content-Length", n);
}

void http_w_chunked(struct http_w *w)
{
	http_w_header(w, "Transfer-Encoding", "chunked");
}

void http_w_end_head(struct http_w *w)
{
	put(w, "\r\n", 2);
}

void http_w_body(struct http_w *w, const void *data, size_t n)
{
	put(w, data, n);
}

size_t http_chunk_head(char out[HTTP_CHUNK_HEAD_MAX], uint64_t n)
{
	char b[HTTP_CHUNK_HEAD_MAX], *s = num(b + sizeof(b) - 2, n, 16);
	size_t len = (size_t)(b + sizeof(b) - s);

	b[sizeof(b) - 2] = '\r';
	b[sizeof(b) - 1] = '\n';
	memcpy(out, s, len);
	return len;
}

void http_w_chunk(struct http_w *w, const void *data, size_t n)
{
	char h[HTTP_CHUNK_HEAD_MAX];
	size_t hl;

	if (n == 0)
		return;
	hl = http_chunk_head(h, n);
	/* all or nothing: a chunk is never cut */
	if (!w->err && (hl + n + 2 < n || hl + n + 2 > w->size - w->len)) {
		fail(w, E2BIG, "over the buffer");
		return;
	}
	put(w, h, hl);
	put(w, data, n);
	put(w, HTTP_CHUNK_END, 2);
}

void http_w_chunk_last(struct http_w *w)
{
	puts_(w, HTTP_CHUNK_LAST);
}

int http_w_finish(struct http_w *w, size_t *len, struct berr *e)
{
	if (w->err == E2BIG)
		return berr_set(e, E2BIG, "HTTP output larger than %zu bytes", w->size);
	if (w->err)
		return berr_set(e, w->err, "HTTP writer: %s", w->why);
	*len = w->len;
	return 0;
}

/* ------------------------------------------------- targets and queries */

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int http_pct_decode(const char *s, size_t n, char *out, size_t size, unsigned flags,
		    struct berr *e)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '%') {
			int hi = i + 2 < n ? hexval((unsigned char)s[i + 1]) : -1;
			int lo = hi >= 0 ? hexval((unsigned char)s[i + 2]) : -1;

			if (lo < 0)
				return berr_set(e, EINVAL, "bad percent escape");
			c = (unsigned char)(hi << 4 | lo);
			if (c == 0)
				return berr_set(e, EINVAL, "%%00 is not allowed");
			if (c == '/' && (flags & HTTP_PCT_NO_SLASH))
				return berr_set(e, EINVAL, "%%2F is not allowed here");
			i += 2;
		} else if (c == '+' && (flags & HTTP_PCT_PLUS)) {
			c = ' ';
		} else if (c == 0) {
			return berr_set(e, EINVAL, "NUL byte");
		}
		if (o + 1 >= size)
			return berr_set(e, ENAMETOOLONG, "decoded text longer than %zu bytes",
					size ? size - 1 : 0);
		out[o++] = (char)c;
	}
	if (size == 0)
		return berr_set(e, ENAMETOOLONG, "decoded text longer than 0 bytes");
	out[o] = '\0';
	return (int)o;
}

const char *http_target_query(const char *target)
{
	const char *q = strchr(target, '?');

	return q ? q + 1 : "";
}

int http_target_path(const char *target, char *out, size_t size, struct berr *e)
{
	size_t n = strcspn(target, "?");

	if (target[0] != '/')
		return berr_set(e, EINVAL, "request target does not start with /");
	return http_pct_decode(target, n, out, size, 0, e);
}

int http_query_next(const char **q, char *name, size_t nsize, char *value, size_t vsize,
		    struct berr *e)
{
	const char *s = *q, *amp, *eq;
	size_t n;

	while (*s == '&')
		s++;
	if (!*s) {
		*q = s;
		return 0;
	}
	n = strcspn(s, "&");
	amp = s + n;
	eq = memchr(s, '=', n);
	if (http_pct_decode(s, (size_t)((eq ? eq : amp) - s), name, nsize, HTTP_PCT_PLUS, e) < 0)
		return berr_prefix(e, "query parameter name");
	if (http_pct_decode(eq ? eq + 1 : amp, eq ? (size_t)(amp - eq - 1) : 0, value, vsize,
			    HTTP_PCT_PLUS, e) < 0)
		return berr_prefix(e, "query parameter %s", name);
	*q = amp;
	return 1;
}

/* s[0..n) holds only valid escapes (as http_pct_decode wants them),
 * without decoding it anywhere. */
static int pct_check(const char *s, size_t n, struct berr *e)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] != '%')
			continue;
		if (i + 2 >= n)
			return berr_set(e, EINVAL, "a %% escape is cut short");
		if (!isxdigit((unsigned char)s[i + 1]) || !isxdigit((unsigned char)s[i + 2]))
			return berr_set(e, EINVAL, "a %% escape is not two hex digits");
		if (s[i + 1] == '0' && s[i + 2] == '0')
			return berr_set(e, EINVAL, "%%00 in a query");
		i += 2;
	}
	return 0;
}

int http_query_get(const char *query, const char *name, char *value, size_t vsize,
		   struct berr *e)
{
	const char *s = query;

	/* Only the value asked for is decoded into the caller's buffer; the
	 * others are checked for bad escapes but may be longer than it. */
	for (;;) {
		char n[256];
		size_t len;
		const char *amp, *eq, *v;

		while (*s == '&')
			s++;
		if (!*s)
			return 0;
		len = strcspn(s, "&");
		amp = s + len;
		eq = memchr(s, '=', len);
		if (http_pct_decode(s, (size_t)((eq ? eq : amp) - s), n, sizeof(n), HTTP_PCT_PLUS, e) < 0)
			return berr_prefix(e, "query parameter name");
		v = eq ? eq + 1 : amp;
		if (strcmp(n, name) == 0) {
			if (http_pct_decode(v, (size_t)(amp - v), value, vsize, HTTP_PCT_PLUS, e) < 0)
				return berr_prefix(e, "query parameter %s", n);
			return 1;
		}
		if (pct_check(v, (size_t)(amp - v), e) < 0)
			return berr_prefix(e, "query parameter %s", n);
		s = amp;
	}
}

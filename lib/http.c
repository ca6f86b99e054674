/* http.c — the incremental HTTP/1.1 parser of http.h.
 *
 * The head is copied line by line into the parser's buffer (memchr finds
 * each LF) and each line is checked and split in place once, when it is
 * complete: CRs, the colon and the spaces that end method and target
 * become NULs, so names and values are C strings. Bodies are never
 * copied: HTTP_BODY points into the caller's input. Chunk-size lines and
 * trailers, short by nature, go through a byte-at-a-time state machine.
 */
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "lib/http.h"
#include "lib/http-internal.h"

const unsigned char http_cclass[256] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	2, 7, 6, 3, 7, 7, 7, 7, 6, 6, 7, 7, 6, 7, 7, 6,
	7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 6, 6, 6, 6, 6, 6,
	6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,
	7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 6, 6, 6, 7, 7,
	7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,
	7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 6, 7, 6, 7, 0,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
};

#define IS(c, cls) (http_cclass[(unsigned char)(c)] & (cls))

enum state {
	S_START,	/* before the start line (blank lines are skipped) */
	S_HEAD,		/* header lines */
	S_BODY_START,	/* the head was reported; framing decided at the next call */
	S_BODY_LEN,	/* Content-Length body: p->left bytes to go */
	S_BODY_CLOSE,	/* a response body that runs until the connection closes */
	S_CHUNK,	/* chunked body: p->sub */
	S_DONE,
	S_UPGRADED,
	S_ERROR,
};

enum chunk_state {
	CH_SIZE0, CH_SIZE, CH_BWS, CH_EXT, CH_SIZE_LF, CH_DATA, CH_DATA_CR, CH_DATA_LF,
	CH_T_START, CH_T_NAME, CH_T_VALUE, CH_T_LF, CH_T_END_LF,
};

/* p->flags: what the headers said */
#define F_CLOSE		0x001	/* Connection: close */
#define F_KEEP		0x002	/* Connection: keep-alive */
#define F_CONN_UPGRADE	0x004	/* Connection: upgrade */
#define F_UPGRADE	0x008	/* an Upgrade: field */
#define F_TE		0x010	/* a Transfer-Encoding: field */
#define F_TE_CHUNKED	0x020	/* chunked is the last coding so far */
#define F_TE_OTHER	0x040	/* a coding other than chunked */
#define F_TE_BAD	0x080	/* chunked twice, or not last */
#define F_HOST		0x100
#define F_HOST_TWICE	0x200
#define F_NO_BODY	0x400	/* a response that has none (HEAD, 1xx, 204, 304) */
#define F_UNTIL_CLOSE	0x800

/* A refusal: the parser stops, status is what a server answers. */
#define FAIL(p, code, e, ...) (fail_status((p), (code)), berr_set((e), EPROTO, __VA_ARGS__))

static void fail_status(struct http_parser *p, int code)
{
	p->state = S_ERROR;
	p->status = code;
}

static void message_reset(struct http_parser *p)
{
	p->method = p->target = p->reason = NULL;
	p->status = p->minor = p->nhdr = 0;
	p->keep_alive = p->upgrade = p->expect_continue = false;
	p->chunked = p->has_length = false;
	p->content_length = 0;
	p->body_max = CONFIG_HTTP_BODY_MAX;
	p->body = NULL;
	p->body_len = 0;
	p->state = S_START;
	p->sub = p->blanks = 0;
	p->flags = 0;
	p->hlen = p->line = 0;
	p->left = p->total = p->chunk_line = p->trailer_bytes = 0;
	p->trailers = 0;
}

void http_parser_init(struct http_parser *p, enum http_mode mode)
{
	message_reset(p);
	p->mode = mode;
}

void http_parser_mode(struct http_parser *p, enum http_mode mode)
{
	p->mode = mode;
}

int http_status(const struct http_parser *p)
{
	return p->state == S_ERROR ? p->status : 0;
}

const char *http_header(const struct http_parser *p, const char *name)
{
	for (int i = 0; i < p->nhdr; i++)
		if (strcasecmp(p->hdr[i].name, name) == 0)
			return p->hdr[i].value;
	return NULL;
}

/* ------------------------------------------------------------ the head */

/* "HTTP/1.1" at s: the minor version, or -1 malformed, -2 not 1.x. */
static int version(const char *s)
{
	if (strncmp(s, "HTTP/", 5) != 0 || s[5] < '0' || s[5] > '9' || s[6] != '.' ||
	    s[7] < '0' || s[7] > '9')
		return -1;
	return s[5] != '1' ? -2 : s[7] - '0';
}

static int request_line(struct http_parser *p, char *l, size_t n, struct berr *e)
{
	size_t i = 0, t;
	int v;

	while (i < n && IS(l[i], HTTP_C_TCHAR))
		i++;
	if (i == 0 || i == n || l[i] != ' ')
		return FAIL(p, 400, e, "HTTP request line: bad method");
	l[i++] = '\0';
	t = i;
	while (i < n && IS(l[i], HTTP_C_TARGET))
		i++;
	if (i == t || i == n || l[i] != ' ')
		return FAIL(p, 400, e, "HTTP request line: bad target");
	l[i++] = '\0';
	if (n - i != 8 || (v = version(l + i)) == -1)
		return FAIL(p, 400, e, "HTTP request line: bad version");
	if (v == -2)
		return FAIL(p, 505, e, "HTTP version %.8s is not supported", l + i);
	p->method = l;
	p->target = l + t;
	p->minor = v;
	return 0;
}

static int status_line(struct http_parser *p, char *l, size_t n, struct berr *e)
{
	int v;

	if (n < 12 || (v = version(l)) == -1 || l[8] != ' ' || (n > 12 && l[12] != ' '))
		return FAIL(p, 400, e, "HTTP status line is malformed");
	if (v == -2)
		return FAIL(p, 505, e, "HTTP version %.8s is not supported", l);
	if (l[9] < '1' || l[9] > '5' || l[10] < '0' || l[10] > '9' || l[11] < '0' || l[11] > '9')
		return FAIL(p, 400, e, "HTTP status code is malformed");
	for (size_t i = 13; i < n; i++)
		if (!IS(l[i], HTTP_C_VALUE))
			return FAIL(p, 400, e, "HTTP reason phrase has a control character");
	p->status = (l[9] - '0') * 100 + (l[10] - '0') * 10 + (l[11] - '0');
	p->minor = v;
	p->reason = n > 12 ? l + 13 : l + 12;
	return 0;
}

/* Next element of a comma-separated list at *s (NUL-terminated), with
 * surrounding spaces trimmed: its start and length; false at the end. */
static bool list_next(const char **s, const char **tok, size_t *n)
{
	const char *p = *s, *end;

	while (*p == ' ' || *p == '\t' || *p == ',')
		p++;
	if (!*p)
		return false;
	end = strchr(p, ',');
	if (!end)
		end = p + strlen(p);
	*s = end;
	while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	*tok = p;
	*n = (size_t)(end - p);
	return true;
}

static bool tok_is(const char *tok, size_t n, const char *word)
{
	return strlen(word) == n && strncasecmp(tok, word, n) == 0;
}

static int content_length(struct http_parser *p, const char *v, struct berr *e)
{
	const char *tok;
	size_t n;
	bool any = false;

	while (list_next(&v, &tok, &n)) {
		uint64_t x = 0;
		if (n == 0 || n > 19)
			return FAIL(p, 400, e, "HTTP Content-Length is malformed or too large");
		for (size_t i = 0; i < n; i++) {
			if (tok[i] < '0' || tok[i] > '9')
				return FAIL(p, 400, e, "HTTP Content-Length is malformed");
			x = x * 10 + (uint64_t)(tok[i] - '0');
		}
		if (p->has_length && x != p->content_length)
			return FAIL(p, 400, e, "HTTP Content-Length given twice with different values");
		p->has_length = true;
		p->content_length = x;
		any = true;
	}
	if (!any)
		return FAIL(p, 400, e, "HTTP Content-Length is empty");
	return 0;
}

static void transfer_encoding(struct http_parser *p, const char *v)
{
	const char *tok;
	size_t n;

	p->flags |= F_TE;
	while (list_next(&v, &tok, &n)) {
		size_t k = 0;
		while (k < n && tok[k] != ';' && tok[k] != ' ' && tok[k] != '\t')
			k++;
		if (p->flags & F_TE_CHUNKED)
			p->flags |= F_TE_BAD; /* anything after chunked */
		if (tok_is(tok, k, "chunked") && k == n)
			p->flags |= F_TE_CHUNKED;
		else
			p->flags |= F_TE_OTHER;
	}
}

static void connection(struct http_parser *p, const char *v)
{
	const char *tok;
	size_t n;

	while (list_next(&v, &tok, &n)) {
		if (tok_is(tok, n, "close"))
			p->flags |= F_CLOSE;
		else if (tok_is(tok, n, "keep-alive"))
			p->flags |= F_KEEP;
		else if (tok_is(tok, n, "upgrade"))
			p->flags |= F_CONN_UPGRADE;
	}
}

/* The fields the parser itself acts on. */
static int header_meaning(struct http_parser *p, const char *name, size_t nlen, const char *v,
			  struct berr *e)
{
	switch (nlen) {
	case 4:
		if (strcasecmp(name, "host") == 0)
			p->flags |= p->flags & F_HOST ? F_HOST_TWICE : F_HOST;
		break;
	case 6:
		if (strcasecmp(name, "expect") == 0 && strcasecmp(v, "100-continue") == 0)
			p->expect_continue = true;
		break;
	case 7:
		if (strcasecmp(name, "upgrade") == 0)
			p->flags |= F_UPGRADE;
		break;
	case 10:
		if (strcasecmp(name, "connection") == 0)
			connection(p, v);
		break;
	case 14:
		if (strcasecmp(name, "content-length") == 0)
			return content_length(p, v, e);
		break;
	case 17:
		if (strcasecmp(name, "transfer-encoding") == 0)
			transfer_encoding(p, v);
		break;
	}
	return 0;
}

static int header_line(struct http_parser *p, char *l, size_t n, struct berr *e)
{
	size_t i = 0, vs, ve;

	if (l[0] == ' ' || l[0] == '\t')
		return FAIL(p, 400, e, "HTTP header folded over lines (obsolete)");
	while (i < n && IS(l[i], HTTP_C_TCHAR))
		i++;
	if (i == 0 || i == n || l[i] != ':')
		return FAIL(p, 400, e, "HTTP header has a bad name");
	for (size_t k = i + 1; k < n; k++)
		if (!IS(l[k], HTTP_C_VALUE))
			return FAIL(p, 400, e, "HTTP header %.*s has a control character", (int)i, l);
	if (p->nhdr >= CONFIG_HTTP_HEADERS_MAX)
		return FAIL(p, 431, e, "HTTP message has more than %d headers", CONFIG_HTTP_HEADERS_MAX);
	l[i] = '\0';
	vs = i + 1;
	while (vs < n && (l[vs] == ' ' || l[vs] == '\t'))
		vs++;
	ve = n;
	while (ve > vs && (l[ve - 1] == ' ' || l[ve - 1] == '\t'))
		ve--;
	l[ve] = '\0';
	p->hdr[p->nhdr++] = (struct http_header){ l, l + vs };
	return header_meaning(p, l, i, l + vs, e);
}

/* Keep-alive, upgrade and framing, once the head is complete. */
static int head_done(struct http_parser *p, struct berr *e)
{
	bool req = p->mode == HTTP_REQUEST;

	if (req && p->minor >= 1 && !(p->flags & F_HOST))
		return FAIL(p, 400, e, "HTTP/1.1 request without Host");
	if (req && (p->flags & F_HOST_TWICE))
		return FAIL(p, 400, e, "HTTP request with two Host headers");
	p->keep_alive = !(p->flags & F_CLOSE) && (p->minor >= 1 || (p->flags & F_KEEP));
	if (p->flags & F_TE) {
		if (p->has_length)
			return FAIL(p, 400, e, "HTTP message has both Content-Length and Transfer-Encoding");
		if (p->flags & F_TE_BAD)
			return FAIL(p, 400, e, "HTTP Transfer-Encoding: chunked is not the last coding");
		if (p->flags & F_TE_OTHER)
			return FAIL(p, 501, e, "HTTP Transfer-Encoding other than chunked");
		if (!(p->flags & F_TE_CHUNKED))
			return FAIL(p, 400, e, "HTTP Transfer-Encoding is empty");
		p->chunked = true;
		if (p->minor == 0)
			p->keep_alive = false; /* RFC 9112 6.1: chunked in 1.0 is suspect */
	}
	if (req) {
		p->upgrade = (p->flags & (F_CONN_UPGRADE | F_UPGRADE)) == (F_CONN_UPGRADE | F_UPGRADE);
	} else if (p->mode == HTTP_RESPONSE_TO_HEAD || p->status < 200 || p->status == 204 ||
		   p->status == 304) {
		p->flags |= F_NO_BODY;
		p->upgrade = p->status == 101;
	} else if (!p->chunked && !p->has_length) {
		p->flags |= F_UNTIL_CLOSE;
		p->keep_alive = false;
	}
	p->state = S_BODY_START;
	return HTTP_HEAD;
}

/* A complete line buf[line..hlen) ending in LF: 1 if it ended the head. */
static int head_line(struct http_parser *p, struct berr *e)
{
	char *l = p->buf + p->line;
	size_t n = p->hlen - p->line;

	if (n < 2 || l[n - 2] != '\r')
		return FAIL(p, 400, e, "HTTP line ends in a bare LF");
	n -= 2;
	l[n] = '\0';
	if (memchr(l, '\r', n))
		return FAIL(p, 400, e, "HTTP line has a bare CR");
	if (p->state == S_START) {
		if (n == 0) {
			/* RFC 9112 2.2: ignore an empty line before the start line */
			if (++p->blanks > 4)
				return FAIL(p, 400, e, "HTTP message starts with empty lines");
			p->hlen = 0;
			return 0;
		}
		p->state = S_HEAD;
		return p->mode == HTTP_REQUEST ? request_line(p, l, n, e) : status_line(p, l, n, e);
	}
	if (n == 0)
		return 1;
	return header_line(p, l, n, e);
}

static int head_feed(struct http_parser *p, const char *in, size_t len, size_t *used,
		     struct berr *e)
{
	while (*used < len) {
		const char *s = in + *used, *nl = memchr(s, '\n', len - *used);
		size_t take = nl ? (size_t)(nl - s) + 1 : len - *used;
		size_t linelen = p->hlen - p->line + take;
		int rc;

		/* the start line's limit counts neither CR nor LF */
		if (p->state == S_START && linelen > CONFIG_HTTP_REQUEST_LINE_MAX + 1 + (nl != NULL))
			return FAIL(p, p->mode == HTTP_REQUEST ? 414 : 400, e,
				    "HTTP start line longer than %d bytes", CONFIG_HTTP_REQUEST_LINE_MAX);
		if (take > sizeof(p->buf) - p->hlen)
			return FAIL(p, p->state == S_START && p->mode == HTTP_REQUEST ? 414 : 431, e,
				    "HTTP head larger than %zu bytes", sizeof(p->buf));
		memcpy(p->buf + p->hlen, s, take);
		p->hlen += take;
		*used += take;
		if (!nl)
			break;
		rc = head_line(p, e);
		if (rc < 0)
			return -1;
		p->line = p->hlen;
		if (rc == 1)
			return head_done(p, e);
	}
	return HTTP_NEED_MORE;
}

/* ------------------------------------------------------------- bodies */

static int finish(struct http_parser *p)
{
	p->state = p->upgrade ? S_UPGRADED : S_DONE;
	return p->upgrade ? HTTP_UPGRADE : HTTP_DONE;
}

/* The framing decided at the head; the caller may have changed body_max. */
static int body_start(struct http_parser *p, struct berr *e)
{
	if (p->flags & F_NO_BODY)
		return finish(p);
	if (p->chunked) {
		p->state = S_CHUNK;
		p->sub = CH_SIZE0;
		p->left = 0;
	} else if (p->has_length) {
		if (p->content_length > p->body_max)
			return FAIL(p, 413, e, "HTTP body of %llu bytes is over the limit of %llu",
				    (unsigned long long)p->content_length,
				    (unsigned long long)p->body_max);
		p->state = S_BODY_LEN;
		p->left = p->content_length;
	} else if (p->flags & F_UNTIL_CLOSE) {
		p->state = S_BODY_CLOSE;
	} else {
		return finish(p);
	}
	return -2; /* go on */
}

static int span(struct http_parser *p, const char *in, size_t len, size_t *used, uint64_t max)
{
	size_t n = len - *used;

	if (n > max)
		n = (size_t)max;
	p->body = in + *used;
	p->body_len = n;
	*used += n;
	return HTTP_BODY;
}

/* One byte of a chunk-size line; -2 to go on. */
static int chunk_size_byte(struct http_parser *p, unsigned char c, struct berr *e)
{
	unsigned char lc = c | 0x20;
	int h = c >= '0' && c <= '9' ? c - '0' : lc >= 'a' && lc <= 'f' ? lc - 'a' + 10 : -1;

	if (++p->chunk_line > CONFIG_HTTP_CHUNK_LINE_MAX)
		return FAIL(p, 400, e, "HTTP chunk-size line longer than %d bytes", CONFIG_HTTP_CHUNK_LINE_MAX);
	switch (p->sub) {
	case CH_SIZE0:
	case CH_SIZE:
		if (h >= 0) {
			if (p->left > (UINT64_MAX >> 4))
				return FAIL(p, 400, e, "HTTP chunk size overflows");
			p->left = p->left << 4 | (unsigned)h;
			p->sub = CH_SIZE;
		} else if (p->sub == CH_SIZE0) {
			return FAIL(p, 400, e, "HTTP chunk size is missing");
		} else if (c == ';') {
			p->sub = CH_EXT;
		} else if (c == ' ' || c == '\t') {
			p->sub = CH_BWS;
		} else if (c == '\r') {
			p->sub = CH_SIZE_LF;
		} else {
			return FAIL(p, 400, e, "HTTP chunk size is malformed");
		}
		return -2;
	case CH_BWS:
		if (c == ';')
			p->sub = CH_EXT;
		else if (c != ' ' && c != '\t')
			return FAIL(p, 400, e, "HTTP chunk size is malformed");
		return -2;
	case CH_EXT:
		if (c == '\r')
			p->sub = CH_SIZE_LF;
		else if (!IS(c, HTTP_C_VALUE))
			return FAIL(p, 400, e, "HTTP chunk extension has a control character");
		return -2;
	default: /* CH_SIZE_LF */
		if (c != '\n')
			return FAIL(p, 400, e, "HTTP chunk-size line ends in a bare CR");
		p->chunk_line = 0;
		if (p->left == 0) {
			p->sub = CH_T_START;
		} else if (p->left > p->body_max || p->total > p->body_max - p->left) {
			return FAIL(p, 413, e, "HTTP chunked body over the limit of %llu bytes",
				    (unsigned long long)p->body_max);
		} else {
			p->total += p->left;
			p->sub = CH_DATA;
		}
		return -2;
	}
}

/* One byte of the trailer section; -2 to go on. */
static int trailer_byte(struct http_parser *p, unsigned char c, struct berr *e)
{
	if (++p->trailer_bytes > sizeof(p->buf))
		return FAIL(p, 431, e, "HTTP trailers larger than %zu bytes", sizeof(p->buf));
	switch (p->sub) {
	case CH_T_START:
		if (c == '\r') {
			p->sub = CH_T_END_LF;
			return -2;
		}
		if (++p->trailers > CONFIG_HTTP_HEADERS_MAX)
			return FAIL(p, 431, e, "HTTP message has more than %d trailers", CONFIG_HTTP_HEADERS_MAX);
		if (!IS(c, HTTP_C_TCHAR))
			return FAIL(p, 400, e, "HTTP trailer has a bad name");
		p->sub = CH_T_NAME;
		return -2;
	case CH_T_NAME:
		if (c == ':')
			p->sub = CH_T_VALUE;
		else if (!IS(c, HTTP_C_TCHAR))
			return FAIL(p, 400, e, "HTTP trailer has a bad name");
		return -2;
	case CH_T_VALUE:
		if (c == '\r')
			p->sub = CH_T_LF;
		else if (!IS(c, HTTP_C_VALUE))
			return FAIL(p, 400, e, "HTTP trailer has a control character");
		return -2;
	case CH_T_LF:
		if (c != '\n')
			return FAIL(p, 400, e, "HTTP trailer ends in a bare CR");
		p->sub = CH_T_START;
		return -2;
	default: /* CH_T_END_LF */
		if (c != '\n')
			return FAIL(p, 400, e, "HTTP chunked body ends in a bare CR");
		return finish(p);
	}
}

static int chunk_feed(struct http_parser *p, const char *in, size_t len, size_t *used,
		      struct berr *e)
{
	for (;;) {
		unsigned char c;
		int rc;

		if (p->sub == CH_DATA) {
			if (p->left == 0) {
				p->sub = CH_DATA_CR;
				continue;
			}
			if (*used == len)
				return HTTP_NEED_MORE;
			rc = span(p, in, len, used, p->left);
			p->left -= p->body_len;
			return rc;
		}
		if (*used == len)
			return HTTP_NEED_MORE;
		c = (unsigned char)in[(*used)++];
		if (p->sub == CH_DATA_CR || p->sub == CH_DATA_LF) {
			if (c != (p->sub == CH_DATA_CR ? '\r' : '\n'))
				return FAIL(p, 400, e, "HTTP chunk data is not followed by CRLF");
			p->sub = p->sub == CH_DATA_CR ? CH_DATA_LF : CH_SIZE0;
			continue;
		}
		rc = p->sub >= CH_T_START ? trailer_byte(p, c, e) : chunk_size_byte(p, c, e);
		if (rc != -2)
			return rc;
	}
}

int http_feed(struct http_parser *p, const char *in, size_t len, size_t *used, struct berr *e)
{
	int rc;

	*used = 0;
	p->body = NULL;
	p->body_len = 0;
	for (;;) {
		switch (p->state) {
		case S_START:
		case S_HEAD:
			return head_feed(p, in, len, used, e);
		case S_BODY_START:
			rc = body_start(p, e);
			if (rc != -2)
				return rc;
			continue;
		case S_BODY_LEN:
			if (p->left == 0)
				return finish(p);
			if (*used == len)
				return HTTP_NEED_MORE;
			rc = span(p, in, len, used, p->left);
			p->left -= p->body_len;
			return rc;
		case S_BODY_CLOSE:
			if (*used == len)
				return HTTP_NEED_MORE;
			if (p->total > p->body_max || len - *used > p->body_max - p->total)
				return FAIL(p, 413, e, "HTTP body over the limit of %llu bytes",
					    (unsigned long long)p->body_max);
			rc = span(p, in, len, used, UINT64_MAX);
			p->total += p->body_len;
			return rc;
		case S_CHUNK:
			return chunk_feed(p, in, len, used, e);
		case S_DONE:
			message_reset(p);
			continue;
		case S_UPGRADED:
			return HTTP_UPGRADE;
		default:
			return berr_set(e, EPROTO, "HTTP parser stopped at an earlier error (%d)", p->status);
		}
	}
}

int http_eof(struct http_parser *p, struct berr *e)
{
	switch (p->state) {
	case S_START:
		if (p->hlen == 0)
			return HTTP_NEED_MORE;
		break;
	case S_DONE:
		return HTTP_NEED_MORE;
	case S_UPGRADED:
		return HTTP_UPGRADE;
	case S_BODY_CLOSE:
		p->state = S_DONE;
		return HTTP_DONE;
	case S_BODY_START:
		if (p->flags & F_UNTIL_CLOSE || p->flags & F_NO_BODY ||
		    (!p->chunked && !p->has_length) || (p->has_length && p->content_length == 0))
			return finish(p);
		break;
	case S_ERROR:
		return berr_set(e, EPROTO, "HTTP parser stopped at an earlier error (%d)", p->status);
	default:
		break;
	}
	return FAIL(p, 400, e, "HTTP connection closed in the middle of a message");
}

int http_timeout(struct http_parser *p)
{
	if ((p->state == S_START && p->hlen == 0) || p->state == S_DONE ||
	    p->state == S_UPGRADED || p->state == S_ERROR)
		return 0;
	fail_status(p, 408);
	return 408;
}

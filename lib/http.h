/* http.h — an incremental, bounded HTTP/1.1 parser and writer.
 *
 * Parser: the caller owns a struct http_parser (the head buffer is inside
 * it, CONFIG_HTTP_HEADER_BYTES_MAX bytes, so it belongs with the connection's
 * state, not on a stack; nothing is allocated) and feeds it
 * bytes as they arrive, split anywhere. Each http_feed() call consumes what
 * it can and reports at most one event:
 *
 *	for (;;) {
 *		ev = http_feed(p, in, len, &used, e);
 *		in += used, len -= used;
 *		if (ev < 0)           answer http_status(p) (when a server) and close
 *		if (ev == HTTP_HEAD)  route: p->method, p->target, http_header(p, "host")
 *		if (ev == HTTP_BODY)  consume p->body[0 .. p->body_len)
 *		if (ev == HTTP_DONE)  answer; the bytes left in `in` are the next message
 *		if (ev == HTTP_UPGRADE) every byte from here on is the new protocol's
 *		if (ev == HTTP_NEED_MORE) read more (everything was consumed)
 *	}
 *
 * Call again after every event, also with no input left: HTTP_DONE comes
 * from a call after the last HTTP_BODY. Results (method, target, headers)
 * live in the head buffer and stay valid until the call that follows
 * HTTP_DONE. Framing follows RFC 9112 and refuses what request smuggling
 * uses: Content-Length with Transfer-Encoding, differing Content-Lengths,
 * chunked that is not the final coding, line folding, bare LF or CR, and
 * malformed or overflowing chunk sizes. Every refusal sets the status a
 * server answers with: 400 malformed, 408 timeout (http_timeout), 413 body
 * too large, 414 request line too long, 431 head too large, 501 unknown
 * transfer coding, 505 HTTP version other than 1.x.
 *
 * Writer: struct http_w appends a start line, headers and bodies (whole or
 * chunked) to a caller buffer; overflowing it, or a header with CR, LF or
 * NUL, is a sticky error reported by http_w_finish(), never a cut.
 */
#ifndef BERTH_LIB_HTTP_H
#define BERTH_LIB_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "autoconf.h"
#include "lib/err.h"

enum http_mode {
	HTTP_REQUEST,		/* a server reads requests */
	HTTP_RESPONSE,		/* a client reads responses */
	HTTP_RESPONSE_TO_HEAD,	/* a response to HEAD: never a body */
};

enum http_event {
	HTTP_NEED_MORE,	/* everything was consumed; feed more */
	HTTP_HEAD,	/* the head is complete */
	HTTP_BODY,	/* body bytes at p->body (inside the input), p->body_len of them */
	HTTP_DONE,	/* the message is complete */
	HTTP_UPGRADE,	/* the connection changed protocol: nothing more is consumed */
};

struct http_header {
	const char *name;	/* as sent; NUL-terminated */
	const char *value;	/* without surrounding whitespace; NUL-terminated */
};

struct http_parser {
	/* Results, read-only, valid from HTTP_HEAD. */
	const char *method;	/* requests */
	const char *target;	/* requests: path and query, as sent */
	int status;		/* responses: the status code; after an error: the answer */
	const char *reason;	/* responses */
	int minor;		/* HTTP/1.<minor> */
	struct http_header hdr[CONFIG_HTTP_HEADERS_MAX];
	int nhdr;
	bool keep_alive;	/* another message may follow on this connection */
	bool upgrade;		/* Connection: upgrade and Upgrade: (request), or 101 */
	bool expect_continue;	/* Expect: 100-continue */
	bool chunked;		/* the body is chunked */
	bool has_length;	/* Content-Length was given: content_length */
	uint64_t content_length;
	/* The largest body accepted (413 beyond): CONFIG_HTTP_BODY_MAX at
	 * each message's start; the caller may change it at HTTP_HEAD. */
	uint64_t body_max;
	const char *body;	/* HTTP_BODY */
	size_t body_len;

	/* Private to http.c. */
	int state, sub, mode, blanks;
	unsigned flags;
	size_t hlen, line;
	uint64_t left, total, chunk_line, trailer_bytes;
	int trailers;
	char buf[CONFIG_HTTP_HEADER_BYTES_MAX];
};

/* Ready for the first message of a connection. */
void http_parser_init(struct http_parser *p, enum http_mode mode);
/* The mode of the next message (a client sets HTTP_RESPONSE_TO_HEAD
 * before reading the response to a HEAD request). */
void http_parser_mode(struct http_parser *p, enum http_mode mode);
/* Consume bytes from in[0..len): *used of them; returns an http_event, or
 * -1 with *e set and http_status(p) the answer. */
int http_feed(struct http_parser *p, const char *in, size_t len, size_t *used, struct berr *e);
/* The peer closed: HTTP_DONE for a body that runs until close,
 * HTTP_NEED_MORE between messages, HTTP_UPGRADE after one, -1 for a
 * message cut short. */
int http_eof(struct http_parser *p, struct berr *e);
/* The caller's read timer expired: 408 when a message had started (the
 * parser is then in error), 0 when the connection was idle between
 * messages (close without an answer). */
int http_timeout(struct http_parser *p);
/* The status to answer after an error (0 if none). */
int http_status(const struct http_parser *p);
/* Value of the first header named name (case-insensitive), or NULL. */
const char *http_header(const struct http_parser *p, const char *name);

/* ------------------------------------------------------ targets, queries */

/* Percent-decode s[0..n) into out[size], NUL-terminated; returns the
 * decoded length. %00, a bad escape, or not fitting is an error. */
#define HTTP_PCT_PLUS     1	/* '+' is a space (query strings) */
#define HTTP_PCT_NO_SLASH 2	/* refuse %2F (a path segment) */
int http_pct_decode(const char *s, size_t n, char *out, size_t size, unsigned flags,
		    struct berr *e);
/* The decoded path of a target ("/a%20b?x=1" → "/a b"); it must start with '/'. */
int http_target_path(const char *target, char *out, size_t size, struct berr *e);
/* The raw query string of a target: after '?', or "" when there is none. */
const char *http_target_query(const char *target);
/* Iterate name=value pairs of a query string: *q starts at the query. */
int http_query_next(const char **q, char *name, size_t nsize, char *value, size_t vsize,
		    struct berr *e);	/* 1 a pair, 0 the end, -1 error */
/* The first value of name in query (as Go's url.Values.Get): 1 found, 0
 * absent, -1 error (a bad escape anywhere, or a name over 255 bytes). */
int http_query_get(const char *query, const char *name, char *value, size_t vsize,
		   struct berr *e);

/* ----------------------------------------------------------------- writer */

/* Fields are private to http_w.c. */
struct http_w {
	char *buf;
	size_t size, len;
	int err;
	const char *why;
};

/* Reason phrase of a status code ("Not Found"), "Unknown" if unlisted. */
const char *http_reason(int status);

void http_w_init(struct http_w *w, char *buf, size_t size);
/* Start again at the start of the buffer (the next chunk of a body). */
void http_w_reset(struct http_w *w);
/* "HTTP/1.1 404 Not Found" */
void http_w_status(struct http_w *w, int status);
/* "GET /target HTTP/1.1" */
void http_w_request(struct http_w *w, const char *method, const char *target);
/* "Name: value"; a name that is not a token, or a value with a control
 * character other than tab, is a sticky EINVAL. */
void http_w_header(struct http_w *w, const char *name, const char *value);
void http_w_header_u64(struct http_w *w, const char *name, uint64_t v);
void http_w_content_length(struct http_w *w, uint64_t n);
/* Transfer-Encoding: chunked */
void http_w_chunked(struct http_w *w);
/* The blank line that ends the head. */
void http_w_end_head(struct http_w *w);
/* Bytes of a Content-Length body. */
void http_w_body(struct http_w *w, const void *data, size_t n);
/* One chunk (nothing when n is 0), and the last chunk with no trailers. */
void http_w_chunk(struct http_w *w, const void *data, size_t n);
void http_w_chunk_last(struct http_w *w);
/* The bytes written (*len), or the sticky error: E2BIG, EINVAL. */
int http_w_finish(struct http_w *w, size_t *len, struct berr *e);

/* For writev: a chunk's header ("1a2b\r\n") into out; returns its length.
 * The data follows, then HTTP_CHUNK_END; HTTP_CHUNK_LAST ends the body. */
#define HTTP_CHUNK_HEAD_MAX 19
#define HTTP_CHUNK_END "\r\n"
#define HTTP_CHUNK_LAST "0\r\n\r\n"
size_t http_chunk_head(char out[HTTP_CHUNK_HEAD_MAX], uint64_t n);

#endif

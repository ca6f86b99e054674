/* reply.c — responses: whole bodies, chunked streams, the 101 upgrade and
 * Docker's error shape. Every head carries the headers the CLI negotiates
 * from (DOCKER_API.md §2), errors and 101s included.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>

#include "lib/util.h"
#include "runtime/engine/engine.h"
#include "runtime/engine/server-internal.h"

#define HEAD_BYTES 1024

/* An HTTP/1.0 request (RFC 9112 §9.3): kept only when it asked with
 * `Connection: keep-alive`, and then the answer says so; 1.0 has no chunked
 * coding, so a stream goes raw and ends with the close. */
static int http10(const struct req *r)
{
	return r->hp && r->hp->minor == 0;
}
#define API_VERSION_STR "1.47"
_Static_assert(ENGINE_API_MINOR_MAX == 47, "API_VERSION_STR follows ENGINE_API_MINOR_MAX");

/* Send every byte of iov[0..n) (MSG_NOSIGNAL; SO_SNDTIMEO bounds a
 * client that does not read). */
static int send_all(int fd, struct iovec *iov, int n)
{
	struct msghdr m = { .msg_iov = iov, .msg_iovlen = (size_t)n };

	while (m.msg_iovlen > 0) {
		ssize_t w = sendmsg(fd, &m, MSG_NOSIGNAL);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		while (m.msg_iovlen > 0 && (size_t)w >= m.msg_iov->iov_len) {
			w -= (ssize_t)m.msg_iov->iov_len;
			m.msg_iov++;
			m.msg_iovlen--;
		}
		if (m.msg_iovlen > 0) {
			m.msg_iov->iov_base = (char *)m.msg_iov->iov_base + w;
			m.msg_iov->iov_len -= (size_t)w;
		}
	}
	return 0;
}

static void common_headers(struct http_w *w)
{
	http_w_header(w, "Api-Version", API_VERSION_STR);
	http_w_header(w, "Docker-Experimental", "false");
	http_w_header(w, "Ostype", "linux");
	http_w_header(w, "Server", "Docker/" ENGINE_VERSION " (linux)");
}

/* The head of a response; clen < 0: chunked. Sends it with body[0..n)
 * (not for HEAD). */
static int send_response(struct req *r, int status, const char *ctype, long long clen,
			 const void *body, size_t n)
{
	char head[HEAD_BYTES];
	struct http_w w;
	struct iovec iov[2];
	size_t hl;
	struct berr e;

	if (r->replied)
		return -1;
	r->replied = 1;
	http_w_init(&w, head, sizeof(head));
	http_w_status(&w, status);
	common_headers(&w);
	if (ctype)
		http_w_header(&w, "Content-Type", ctype);
	if (clen < 0 && http10(r))
		r->keep = 0;
	else if (clen < 0)
		http_w_chunked(&w);
	else if (status != 204 && status != 304)
		http_w_content_length(&w, (uint64_t)clen);
	for (const char *const *h = r->xhdr; h && h[0] && h[1]; h += 2)
		http_w_header(&w, h[0], h[1]);
	if (!r->keep)
		http_w_header(&w, "Connection", "close");
	else if (http10(r))
		http_w_header(&w, "Connection", "keep-alive");
	http_w_end_head(&w);
	if (http_w_finish(&w, &hl, &e) < 0) {
		r->keep = 0;
		return -1;
	}
	iov[0] = (struct iovec){ head, hl };
	iov[1] = (struct iovec){ (void *)body, r->head ? 0 : n };
	if (send_all(r->fd, iov, 2) < 0) {
		r->keep = 0;
		return -1;
	}
	return 0;
}

int reply_text(struct req *r, int status, const char *content_type, const char *p, size_t n)
{
	return send_response(r, status, content_type, (long long)n, p, n);
}

int reply_json(struct req *r, int status, const char *json, size_t n)
{
	return send_response(r, status, "application/json", (long long)n, json, n);
}

int reply_jsonw(struct req *r, int status, struct json_w *w)
{
	const char *out;
	size_t n;
	struct berr e;
	int rc;

	if (json_w_finish(w, &out, &n, &e) < 0) {
		json_w_free(w);
		return reply_error(r, 500, "answer: %s", e.msg);
	}
	rc = reply_json(r, status, out, n);
	json_w_free(w);
	return rc;
}

/* {"message":"…"}\n into buf; returns its length. */
static size_t error_body(char *buf, size_t size, const char *msg)
{
	struct json_w w;
	const char *out;
	size_t n;
	struct berr e;

	json_w_init(&w, buf, size - 1);
	json_w_obj(&w);
	json_w_kstr(&w, "message", msg);
	json_w_obj_end(&w);
	if (json_w_finish(&w, &out, &n, &e) < 0)
		n = (size_t)snprintf(buf, size - 1, "{\"message\":\"error\"}");
	buf[n++] = '\n';
	return n;
}

int reply_error(struct req *r, int status, const char *fmt, ...)
{
	char msg[BERR_MSG_MAX + 128], body[2 * sizeof(msg) + 32];
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	n = error_body(body, sizeof(body), msg);
	if (send_response(r, status, "application/json", (long long)n, body, n) < 0)
		return -1;
	return 0;
}

int reply_berr(struct req *r, const struct berr *e)
{
	int st;

	switch (e->errnum) {
	case ENOENT: st = 404; break;
	case EEXIST: case EBUSY: case ENOTEMPTY: st = 409; break;
	case EINVAL: case EPROTO: case E2BIG: case ENAMETOOLONG: case ERANGE: st = 400; break;
	case EPERM: case EACCES: st = 403; break;
	default: st = 500; break;
	}
	return reply_error(r, st, "%s", e->msg);
}

int reply_status(struct req *r, int status)
{
	return send_response(r, status, NULL, 0, NULL, 0);
}

int reply_stream_start(struct req *r, int status, const char *content_type)
{
	if (send_response(r, status, content_type, -1, NULL, 0) < 0)
		return -1;
	r->streaming = 1;
	return 0;
}

int reply_chunk(struct req *r, const void *p, size_t n)
{
	char h[HTTP_CHUNK_HEAD_MAX];
	struct iovec iov[3];

	if (!r->streaming)
		return -1;
	if (n == 0 || r->head)
		return 0;
	iov[0] = (struct iovec){ h, http_chunk_head(h, n) };
	iov[1] = (struct iovec){ (void *)p, n };
	iov[2] = (struct iovec){ HTTP_CHUNK_END, 2 };
	if (http10(r) ? send_all(r->fd, iov + 1, 1) < 0 : send_all(r->fd, iov, 3) < 0) {
		r->keep = 0;
		return -1;
	}
	return 0;
}

int reply_frame(struct req *r, int stream, const void *p, size_t n)
{
	unsigned char hdr[8] = { (unsigned char)stream, 0, 0, 0, (unsigned char)(n >> 24),
				 (unsigned char)(n >> 16), (unsigned char)(n >> 8), (unsigned char)n };
	char h[HTTP_CHUNK_HEAD_MAX];
	struct iovec iov[4];

	if (!r->streaming || n > UINT32_MAX)
		return -1;
	if (r->head)
		return 0;
	iov[0] = (struct iovec){ h, http_chunk_head(h, n + 8) };
	iov[1] = (struct iovec){ hdr, 8 };
	iov[2] = (struct iovec){ (void *)p, n };
	iov[3] = (struct iovec){ HTTP_CHUNK_END, 2 };
	if (http10(r) ? send_all(r->fd, iov + 1, 2) < 0 : send_all(r->fd, iov, 4) < 0) {
		r->keep = 0;
		return -1;
	}
	return 0;
}

int reply_stream_end(struct req *r)
{
	struct iovec iov = { HTTP_CHUNK_LAST, 5 };

	if (!r->streaming)
		return -1;
	r->streaming = 0;
	if (r->head || http10(r))
		return 0;
	if (send_all(r->fd, &iov, 1) < 0) {
		r->keep = 0;
		return -1;
	}
	return 0;
}

int reply_upgrade(struct req *r, const char *content_type)
{
	char head[HEAD_BYTES];
	static const char line[] = "HTTP/1.1 101 UPGRADED\r\n";
	static const struct timeval no_timeout = { 0, 0 };
	struct http_w w;
	struct iovec iov[2];
	size_t hl;
	struct berr e;

	if (r->replied)
		return -1;
	r->replied = 1;
	r->keep = 0;
	http_w_init(&w, head, sizeof(head));
	if (content_type)
		http_w_header(&w, "Content-Type", content_type);
	http_w_header(&w, "Connection", "Upgrade");
	http_w_header(&w, "Upgrade", "tcp");
	common_headers(&w);
	http_w_end_head(&w);
	if (http_w_finish(&w, &hl, &e) < 0)
		return -1;
	iov[0] = (struct iovec){ (void *)line, sizeof(line) - 1 };
	iov[1] = (struct iovec){ head, hl };
	if (send_all(r->fd, iov, 2) < 0)
		return -1;
	/* a raw stream may be idle for as long as its container runs: no
	 * timeouts from here on (whoever holds the socket now decides) */
	(void)setsockopt(r->fd, SOL_SOCKET, SO_RCVTIMEO, &no_timeout, sizeof(no_timeout));
	(void)setsockopt(r->fd, SOL_SOCKET, SO_SNDTIMEO, &no_timeout, sizeof(no_timeout));
	return 0;
}

int reply_raw_error(int fd, int status, const char *msg)
{
	struct req r = { .fd = fd, .keep = 0 };

	return reply_error(&r, status, "%s", msg);
}

int reply_json_line(struct req *r, struct json_w *w)
{
	const char *out;
	size_t n;
	struct berr e;
	char line[2048];

	if (json_w_finish(w, &out, &n, &e) < 0 || n + 1 >= sizeof(line))
		return 0;	/* a line that does not fit is left out, the stream goes on */
	memcpy(line, out, n);
	line[n++] = '\n';
	return reply_chunk(r, line, n);
}

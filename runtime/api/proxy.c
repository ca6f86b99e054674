/* proxy.c — one client connection's requests: read a head through TLS,
 * check the role, gate create/exec/update bodies, forward to berthd's
 * socket and relay the answer as it comes.
 *
 * The request head is written to berthd again from the parsed fields (in
 * their order; Expect is answered here and dropped); its body is passed on
 * as it arrives, re-chunked when the client chunked it; a gated body goes
 * whole with its own Content-Length. The response is passed on byte for
 * byte (berthd's headers are the ones the CLI sees), its parser only
 * telling where it ends: a Content-Length, the last chunk, berthd's close,
 * or a 101, after which relay.c takes the connection. One berthd
 * connection per client connection, kept alive with it.
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "lib/json.h"
#include "runtime/api/apid.h"
#include "runtime/api/gate.h"
#include "runtime/engine/engine.h"

#define HEAD_MAX 1024
#define SMALL_BODY_MAX 65536	/* a refused request's body, drained to keep the connection */
#define ENG_WAIT_MS 100		/* eng_read's blocking read before it polls */
/* what of a client's body is still read after berthd answered early */
#define DRAIN_MS 2000
#define DRAIN_BYTES (64ull << 20)

static int send_all(struct aconn *c, const void *p, size_t n, struct berr *e)
{
	long long dl = tls_now_ms() + c->d->conf.send_ms;

	if (tls_conn_write_all(&c->tls, p, n, dl, e) < 0)
		return -1;
	return tls_conn_flush(&c->tls, dl, e);
}

static void common_headers(struct http_w *w)
{
	http_w_header(w, "Api-Version", "1.47");
	http_w_header(w, "Docker-Experimental", "false");
	http_w_header(w, "Ostype", "linux");
	http_w_header(w, "Server", "Docker/" ENGINE_VERSION " (linux)");
}

int proxy_reply(struct aconn *c, int status, const char *ctype, const char *body, size_t n,
		int keep)
{
	char head[HEAD_MAX];
	struct http_w w;
	size_t hl;
	struct berr e;

	http_w_init(&w, head, sizeof(head));
	http_w_status(&w, status);
	common_headers(&w);
	if (ctype)
		http_w_header(&w, "Content-Type", ctype);
	if (!keep)
		http_w_header(&w, "Connection", "close");
	else if (c->hp.minor == 0)
		http_w_header(&w, "Connection", "keep-alive");	/* RFC 9112 §9.3 */
	http_w_content_length(&w, n);
	http_w_end_head(&w);
	if (http_w_finish(&w, &hl, &e) < 0)
		return -1;
	if (strcmp(c->hp.method ? c->hp.method : "", "HEAD") == 0)
		n = 0;
	if (tls_conn_write_all(&c->tls, head, hl, tls_now_ms() + c->d->conf.send_ms, &e) < 0)
		return -1;
	return send_all(c, body, n, &e);
}

int proxy_stream_head(struct aconn *c, const char *ctype, int *keep, struct berr *e)
{
	char head[HEAD_MAX];
	struct http_w w;
	size_t hl;

	http_w_init(&w, head, sizeof(head));
	http_w_status(&w, 200);
	common_headers(&w);
	http_w_header(&w, "Content-Type", ctype);
	if (c->hp.minor == 0) {
		*keep = 0;
		http_w_header(&w, "Connection", "close");
	} else {
		http_w_chunked(&w);
		if (!*keep)
			http_w_header(&w, "Connection", "close");
	}
	http_w_end_head(&w);
	if (http_w_finish(&w, &hl, e) < 0)
		return -1;
	return tls_conn_write_all(&c->tls, head, hl, tls_now_ms() + c->d->conf.send_ms, e);
}

int proxy_chunk(struct aconn *c, const char *data, size_t len, struct berr *e)
{
	char h[HTTP_CHUNK_HEAD_MAX];
	long long dl = tls_now_ms() + c->d->conf.send_ms;

	if (!len)
		return 0;
	if (c->hp.minor == 0)
		return tls_conn_write_all(&c->tls, data, len, dl, e);
	if (tls_conn_write_all(&c->tls, h, http_chunk_head(h, len), dl, e) < 0 ||
	    tls_conn_write_all(&c->tls, data, len, dl, e) < 0 ||
	    tls_conn_write_all(&c->tls, HTTP_CHUNK_END, 2, dl, e) < 0)
		return -1;
	return 0;
}

int proxy_stream_end(struct aconn *c, struct berr *e)
{
	long long dl = tls_now_ms() + c->d->conf.send_ms;

	if (c->hp.minor != 0 && tls_conn_write_all(&c->tls, HTTP_CHUNK_LAST, 5, dl, e) < 0)
		return -1;
	return tls_conn_flush(&c->tls, dl, e);
}

int proxy_error(struct aconn *c, int status, int keep, const char *fmt, ...)
{
	char msg[BERR_MSG_MAX + 128], body[2 * sizeof(msg) + 32];
	const char *out;
	struct json_w w;
	struct berr e;
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	json_w_init(&w, body, sizeof(body) - 1);
	json_w_obj(&w);
	json_w_kstr(&w, "message", msg);
	json_w_obj_end(&w);
	if (json_w_finish(&w, &out, &n, &e) < 0)
		n = (size_t)snprintf(body, sizeof(body) - 1, "{\"message\":\"error\"}");
	body[n++] = '\n';
	return proxy_reply(c, status, "application/json", body, n, keep);
}

int proxy_dial(const char *path, struct berr *e)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(a.sun_path))
		return berr_set(e, ENAMETOOLONG, "%s: path too long", path);
	strcpy(a.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return berr_sys(e, "socket");
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		berr_sys(e, "%s", path);
		close(fd);
		return -1;
	}
	return fd;
}

/* The next client event, reading through TLS as needed: idle timer between
 * messages, one deadline for a whole head, the body timer per read. */
static int client_event(struct aconn *c, struct berr *e)
{
	const struct api_conf *cf = &c->d->conf;

	for (;;) {
		size_t used = 0;
		long long dl;
		long n;
		int ev;

		if (c->in_off < c->in_len) {
			if (!c->in_msg) {
				c->in_msg = 1;
				c->head_deadline_ms = tls_now_ms() + cf->head_ms;
			}
			ev = http_feed(&c->hp, c->in + c->in_off, c->in_len - c->in_off, &used, e);
			c->in_off += used;
		} else {
			ev = http_feed(&c->hp, "", 0, &used, e);
		}
		if (ev != HTTP_NEED_MORE)
			return ev;
		dl = c->in_body ? tls_now_ms() + cf->body_ms :
		     c->in_msg ? c->head_deadline_ms : tls_now_ms() + cf->idle_ms;
		n = tls_conn_read(&c->tls, c->in, sizeof(c->in), dl, e);
		if (n < 0)
			return -1;
		if (n == 0) {
			ev = http_eof(&c->hp, e);
			if (ev == HTTP_NEED_MORE)
				return berr_set(e, 0, "closed");
			return ev;
		}
		c->in_off = 0;
		c->in_len = (size_t)n;
	}
}

/* Read and drop the rest of the request's body, to the parser's end of the
 * message (also without a body: else the next read sees that end, not a
 * head, and the kept connection closes). 0, or -1: close. */
static int drain_body(struct aconn *c)
{
	struct berr e;
	int ev;

	if (c->hp.chunked || c->hp.content_length > SMALL_BODY_MAX)
		return -1;
	while ((ev = client_event(c, &e)) == HTTP_BODY)
		;
	return ev == HTTP_DONE ? 0 : -1;
}

/* The whole body of a gated route (at most CONFIG_API_BODY_MAX). */
static int read_body(struct aconn *c, char **out, size_t *len, int *status, struct berr *e)
{
	size_t cap = 0, n = 0;
	char *buf = NULL;
	int ev;

	c->hp.body_max = CONFIG_API_BODY_MAX;
	while ((ev = client_event(c, e)) == HTTP_BODY) {
		if (n + c->hp.body_len + 1 > cap) {
			size_t ncap = (n + c->hp.body_len + 1) * 2;
			char *nb = realloc(buf, ncap);

			if (!nb) {
				free(buf);
				*status = 500;
				return berr_set(e, ENOMEM, "out of memory");
			}
			buf = nb;
			cap = ncap;
		}
		memcpy(buf + n, c->hp.body, c->hp.body_len);
		n += c->hp.body_len;
	}
	if (ev != HTTP_DONE) {
		free(buf);
		*status = http_status(&c->hp);
		if (!*status && e->errnum == ETIMEDOUT)
			*status = 408;
		return -1;
	}
	*out = buf;
	*len = n;
	return 0;
}

/* A connection to berthd: the one kept, else a new one. Whether berthd
 * closed the kept one (its idle timer, a restart) shows when the request
 * head is written to it (EPIPE: forward dials again), not by a poll
 * before every request. */
static int engine_ready(struct aconn *c, struct berr *e)
{
	static const struct timeval wait = { 0, ENG_WAIT_MS * 1000 };

	if (c->eng >= 0)
		return 0;
	c->eng = proxy_dial(c->d->conf.engine_socket, e);
	if (c->eng < 0)
		return -1;
	(void)setsockopt(c->eng, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof(wait));
	return 0;
}

static int eng_write(int fd, const void *p, size_t n)
{
	const char *b = p;

	while (n > 0) {
		ssize_t w = send(fd, b, n, MSG_NOSIGNAL);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		b += w;
		n -= (size_t)w;
	}
	return 0;
}

/* The request head again, for berthd. body_len >= 0: a gated body of that
 * length replaces the client's framing. */
static int write_head(struct aconn *c, long long body_len, struct berr *e)
{
	struct http_w w;
	size_t n;

	http_w_init(&w, c->out, sizeof(c->out));
	http_w_request(&w, c->hp.method, c->hp.target);
	for (int i = 0; i < c->hp.nhdr; i++) {
		const char *nm = c->hp.hdr[i].name;

		if (!strcasecmp(nm, "expect"))
			continue;
		if (body_len >= 0 && (!strcasecmp(nm, "content-length") ||
				      !strcasecmp(nm, "transfer-encoding")))
			continue;
		http_w_header(&w, nm, c->hp.hdr[i].value);
	}
	if (body_len >= 0)
		http_w_content_length(&w, (uint64_t)body_len);
	http_w_end_head(&w);
	if (http_w_finish(&w, &n, e) < 0)
		return -1;
	if (c->hp.minor == 0) {
		/* berthd answers HTTP/1.0 as 1.0 asks (keep-alive, no chunks) */
		char *crlf = memchr(c->out, '\r', n);

		if (crlf && crlf - c->out >= 8 && !memcmp(crlf - 8, "HTTP/1.1", 8))
			crlf[-1] = '0';
	}
	return eng_write(c->eng, c->out, n) < 0 ? berr_sys(e, "berthd") : 0;
}

/* The client's body on to berthd as it comes. 1 all passed, 0 berthd stopped
 * taking it (its answer still comes), -1 the client failed. */
static int pass_body(struct aconn *c, struct berr *e)
{
	int ok = 1, ev;

	c->hp.body_max = UINT64_MAX;	/* berthd's limits apply */
	while ((ev = client_event(c, e)) == HTTP_BODY) {
		char ch[HTTP_CHUNK_HEAD_MAX];

		if (!ok)
			continue;
		if (c->hp.chunked && (eng_write(c->eng, ch, http_chunk_head(ch, c->hp.body_len)) < 0 ||
				      eng_write(c->eng, c->hp.body, c->hp.body_len) < 0 ||
				      eng_write(c->eng, HTTP_CHUNK_END, 2) < 0))
			ok = 0;
		else if (!c->hp.chunked && eng_write(c->eng, c->hp.body, c->hp.body_len) < 0)
			ok = 0;
		if (!ok)
			return 0;	/* the rest of the body is not read: the connection closes */
	}
	if (ev < 0)
		return -1;
	if (c->hp.chunked && ok && eng_write(c->eng, HTTP_CHUNK_LAST, 5) < 0)
		return 0;
	return ok;
}

/* Wait for berthd's bytes, or the client's going away (POLLRDHUP). berthd
 * mostly answers within ENG_WAIT_MS: a blocking recv that long first (one
 * syscall), then the poll that also watches the client. */
static long eng_read(struct aconn *c, char *buf, size_t n)
{
	struct pollfd p[2] = { { .fd = c->eng, .events = POLLIN }, { .fd = c->fd, .events = POLLRDHUP } };
	ssize_t r = recv(c->eng, buf, n, 0);

	if (r >= 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
		return r;
	for (;;) {
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (p[0].revents) {
			r = recv(c->eng, buf, n, MSG_DONTWAIT);
			if (r >= 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
				return r;
			continue;
		}
		if (p[1].revents & (POLLRDHUP | POLLHUP | POLLERR))
			return -1;
	}
}

/* berthd's answer on to the client. Returns the status, or -1 before any
 * byte reached the client (the caller answers), -2 after (close). *keep: the
 * connection may serve another request. */
static int pass_response(struct aconn *c, int *keep)
{
	int status = 0, sent = 0, head = !strcmp(c->hp.method, "HEAD");
	struct berr e;

	http_parser_init(&c->rp, head ? HTTP_RESPONSE_TO_HEAD : HTTP_RESPONSE);
	c->rp.body_max = UINT64_MAX;
	for (;;) {
		long n = eng_read(c, c->out, sizeof(c->out));
		size_t off = 0;
		int ev = HTTP_NEED_MORE;

		if (n <= 0) {
			ev = n == 0 ? http_eof(&c->rp, &e) : -1;
			if (ev != HTTP_DONE)
				return sent ? -2 : -1;
			*keep = 0;
			return status;
		}
		for (;;) {
			size_t used = 0;

			ev = http_feed(&c->rp, c->out + off, (size_t)n - off, &used, &e);
			off += used;
			if (ev < 0)
				return sent ? -2 : -1;
			if (ev == HTTP_HEAD)
				status = c->rp.status;
			if (ev == HTTP_DONE || ev == HTTP_UPGRADE || ev == HTTP_NEED_MORE)
				break;
		}
		if (ev == HTTP_UPGRADE) {
			if (send_all(c, c->out, off, &e) < 0)
				return -2;
			relay_run(c, c->in + c->in_off, c->in_len - c->in_off, c->out + off,
				  (size_t)n - off);
			*keep = 0;
			return status;
		}
		if (send_all(c, c->out, ev == HTTP_DONE ? off : (size_t)n, &e) < 0)
			return -2;
		sent = 1;
		if (ev == HTTP_DONE) {
			/* the client's wish (HTTP/1.0 without keep-alive, a close)
			 * and berthd's answer both count */
			*keep = *keep && c->rp.keep_alive;
			if (!c->rp.keep_alive) {
				close(c->eng);
				c->eng = -1;
			}
			return status;
		}
	}
}

/* The client's body was malformed, too slow or cut off while it went to
 * berthd: berthd holds half a request, so that connection goes; the client
 * is told why (400/408/413…) when it is still there, then closed. */
static int body_broken(struct aconn *c, const struct berr *e, int *keep)
{
	int st = http_status(&c->hp);

	close(c->eng);
	c->eng = -1;
	*keep = 0;
	if (!st && e->errnum == ETIMEDOUT)
		st = 408;
	if (!st)
		return -1;
	return proxy_error(c, st, 0, "%s", e->msg) < 0 ? -1 : st;
}

/* berthd answered before the client's body was all passed on (a refusal of
 * the head, as an unsigned update gets): the rest of the body is read and
 * dropped, for at most DRAIN_MS or DRAIN_BYTES, so that a client still
 * sending (it had its 100 Continue) reads that answer instead of a reset
 * when the connection closes. */
static void drain_rest(struct aconn *c)
{
	long long end = tls_now_ms() + DRAIN_MS;
	uint64_t n = 0;
	struct berr e;

	while (n < DRAIN_BYTES && tls_now_ms() < end && client_event(c, &e) == HTTP_BODY)
		n += c->hp.body_len;
}

/* Forward the request whose head was read (body: a gated body, or NULL to
 * stream the client's). Returns the status relayed, or <0 to close. */
static int forward(struct aconn *c, const char *body, size_t blen, int *keep)
{
	struct berr e;
	int st, passed = 1, reused = c->eng >= 0, wh;

	if (engine_ready(c, &e) < 0) {
		if (body || drain_body(c) == 0)
			return proxy_error(c, 503, 1, "berthd is not answering: %s", e.msg) < 0 ? -1 : 503;
		proxy_error(c, 503, 0, "berthd is not answering: %s", e.msg);
		return -1;
	}
	if (!body && c->hp.expect_continue)
		(void)send_all(c, "HTTP/1.1 100 Continue\r\n\r\n", 25, &e);
	wh = write_head(c, body ? (long long)blen : -1, &e);
	if (wh < 0 && reused && (e.errnum == EPIPE || e.errnum == ECONNRESET)) {
		close(c->eng);	/* berthd closed the kept connection: it read nothing */
		c->eng = -1;
		if (engine_ready(c, &e) < 0) {
			proxy_error(c, 503, 0, "berthd is not answering: %s", e.msg);
			return -1;
		}
		wh = write_head(c, body ? (long long)blen : -1, &e);
	}
	if (wh < 0 || (body && eng_write(c->eng, body, blen) < 0)) {
		passed = 0;
	} else if (!body) {
		passed = pass_body(c, &e);
		if (passed < 0)
			return body_broken(c, &e, keep);
	}
	st = pass_response(c, keep);
	if (st == -1) {
		proxy_error(c, 502, 0, "berthd closed the connection without an answer");
		return -1;
	}
	if (!passed) {
		*keep = 0;
		if (!body && st >= 0)
			drain_rest(c);
	}
	return st;
}

/* One request whose head is read: its answer. Returns 1 to keep the
 * connection, 0 to close it. */
static int serve_request(struct aconn *c)
{
	const struct api_route *rt = &api_route_other;
	long long t0 = tls_now_ms();
	int keep = c->hp.keep_alive, st;
	char method[8];
	struct berr e;

	snprintf(method, sizeof(method), "%s", c->hp.method);
	if (http_target_path(c->hp.target, c->path, sizeof(c->path), &e) < 0) {
		proxy_error(c, 400, 0, "bad request target: %s", e.msg);
		return 0;
	}
	if (api_route_check(c->role, c->peer->subject, c->hp.method, c->path, &rt, &e) < 0) {
		keep = keep && drain_body(c) == 0;
		st = proxy_error(c, 403, keep, "%s", e.msg) < 0 ? -1 : 403;
	} else if (rt->flags & API_R_METRICS) {
		keep = keep && drain_body(c) == 0;
		st = local_metrics(c, &keep);
	} else if (rt->flags & API_R_LOCAL) {
		keep = keep && drain_body(c) == 0;
		st = local_serve(c, rt, &keep);
	} else if (rt->flags & API_R_BODY) {
		char *body = NULL;
		size_t n = 0;

		if (read_body(c, &body, &n, &st, &e) < 0) {
			if (st)
				proxy_error(c, st, 0, "%s", e.msg);
			st = st ? st : -1;
			keep = 0;
		} else if (api_gate_body(&c->d->conf.policy, rt->flags, body, n, &st, &e) < 0) {
			st = proxy_error(c, st, keep, "%s", e.msg) < 0 ? -1 : st;
		} else {
			st = forward(c, body, n, &keep);
		}
		free(body);
	} else {
		st = forward(c, NULL, 0, &keep);
	}
	metrics_request(&c->d->metrics, rt, method, st < 0 ? 0 : st, (tls_now_ms() - t0) / 1000.0);
	if (strcmp(method, "GET") && strcmp(method, "HEAD"))
		audit_line(&c->d->audit, c->peer, method, c->hp.target, st < 0 ? 0 : st);
	return st >= 0 && keep;
}

void proxy_serve(struct aconn *c)
{
	http_parser_init(&c->hp, HTTP_REQUEST);
	for (;;) {
		struct berr e;
		int ev;

		aconn_state(c, ACONN_WAITING);
		c->in_msg = c->in_body = 0;
		ev = client_event(c, &e);
		if (ev < 0) {
			int st = http_status(&c->hp);

			if (!st && c->in_msg && e.errnum == ETIMEDOUT)
				st = 408;
			if (st)
				proxy_error(c, st, 0, "%s", e.msg);
			break;
		}
		if (ev != HTTP_HEAD)
			break;
		aconn_state(c, ACONN_BUSY);
		c->in_body = 1;
		if (!serve_request(c))
			break;
	}
	(void)tls_conn_close(&c->tls, tls_now_ms() + 1000);
}

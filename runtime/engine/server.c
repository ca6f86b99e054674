/* server.c — berthd's HTTP server: a thread per connection over blocking
 * sockets with receive and send timeouts, lib/http's parser, keep-alive,
 * request bodies read whole (ROUTE_BODY) or streamed (ROUTE_STREAM).
 *
 * A stalled client holds only its own thread: nothing here waits on another
 * connection. The connection count is capped (conns_max): one more is
 * answered 503 and closed by the accepting thread without reading it.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "lib/log.h"
#include "lib/util.h"
#include "runtime/engine/engine.h"
#include "runtime/engine/server-internal.h"

#define THREAD_STACK (128 * 1024)

static void set_timeo(int fd, int opt, long long ms)
{
	struct timeval tv = { .tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000 };

	(void)setsockopt(fd, SOL_SOCKET, opt, &tv, sizeof(tv));
}

/* More input: 1 read, 0 end of stream, -1 error (EAGAIN: the timer expired). */
static int conn_fill(struct conn *c, long long ms, struct berr *e)
{
	ssize_t n;

	if (c->rcv_ms != ms) {
		set_timeo(c->fd, SO_RCVTIMEO, ms);
		c->rcv_ms = (int)ms;
	}
	do
		n = recv(c->fd, c->in, sizeof(c->in), 0);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		if (errno == EWOULDBLOCK)
			errno = EAGAIN;
		return berr_sys(e, "read");
	}
	c->in_off = 0;
	c->in_len = (size_t)n;
	return n > 0;
}

/* The next parser event, reading as needed. <0: the parser refused
 * (http_status says the answer), the peer went away, or the timer expired
 * (errnum EAGAIN; http_timeout decides whether 408 is due). */
static int conn_event(struct conn *c, struct berr *e)
{
	const struct engine_conf *cf = &c->eng->conf;

	for (;;) {
		size_t used = 0;
		int ev, rc;

		if (c->in_off < c->in_len) {
			c->in_msg = 1;
			ev = http_feed(&c->hp, c->in + c->in_off, c->in_len - c->in_off, &used, e);
			c->in_off += used;
			if (ev != HTTP_NEED_MORE)
				return ev;
		} else if ((ev = http_feed(&c->hp, "", 0, &used, e)) != HTTP_NEED_MORE) {
			return ev;
		}
		/* idle between messages: the idle timer; inside one: the head timer */
		rc = conn_fill(c, !c->in_msg ? cf->idle_ms : c->in_body ? cf->body_ms : cf->head_ms, e);
		if (rc < 0)
			return -1;
		if (rc == 0) {
			ev = http_eof(&c->hp, e);
			if (ev == HTTP_NEED_MORE)
				return berr_set(e, 0, "closed");
			return ev < 0 ? -1 : ev;
		}
	}
}

ssize_t req_read(struct req *r, void *buf, size_t n, struct berr *e)
{
	struct conn *c = r->c;

	while (c->pend_len == 0) {
		int ev;

		if (r->body_done)
			return 0;
		ev = conn_event(c, e);
		if (ev < 0) {
			r->keep = 0;
			if (e->errnum == EAGAIN)
				berr_set(e, ETIMEDOUT, "request body: timed out");
			return -1;
		}
		if (ev == HTTP_BODY) {
			c->pend = c->hp.body;
			c->pend_len = c->hp.body_len;
		} else if (ev == HTTP_DONE || ev == HTTP_UPGRADE) {
			r->body_done = 1;
		}
	}
	if (n > c->pend_len)
		n = c->pend_len;
	memcpy(buf, c->pend, n);
	c->pend += n;
	c->pend_len -= n;
	return (ssize_t)n;
}

int req_peer_gone(struct req *r)
{
	struct pollfd p = { .fd = r->fd, .events = POLLIN | POLLRDHUP };
	char b;

	if (poll(&p, 1, 0) <= 0)
		return 0;
	if (p.revents & (POLLHUP | POLLERR | POLLRDHUP))
		return 1;
	/* readable: a pipelined request is not a close */
	return recv(r->fd, &b, 1, MSG_PEEK | MSG_DONTWAIT) == 0;
}

size_t req_upgrade_buffered(struct req *r, const char **p)
{
	struct conn *c = r->c;

	*p = c->in + c->in_off;
	return c->in_len - c->in_off;
}

int req_take_fd(struct req *r)
{
	r->keep = 0;
	r->c->fd = -1;
	return r->fd;
}

int req_query(struct req *r, const char *name, char *val, size_t n)
{
	struct berr e;

	return http_query_get(r->query, name, val, n, &e);
}

int req_query_bool(struct req *r, const char *name)
{
	char v[8];

	if (req_query(r, name, v, sizeof(v)) != 1)
		return 0;
	return strcmp(v, "1") == 0 || strcasecmp(v, "true") == 0;
}

/* Read a ROUTE_BODY body whole into a malloc'd buffer (413 past the limit
 * comes from the parser). */
static int read_body(struct req *r, char **out, struct berr *e)
{
	size_t cap = 0, len = 0;
	char *buf = NULL;

	for (;;) {
		ssize_t n;

		if (len + 4096 > cap) {
			size_t ncap = cap ? cap * 2 : 8192;
			char *nb = realloc(buf, ncap + 1);
			if (!nb) {
				free(buf);
				return berr_set(e, ENOMEM, "request body: out of memory");
			}
			buf = nb;
			cap = ncap;
		}
		n = req_read(r, buf + len, cap - len, e);
		if (n < 0) {
			free(buf);
			return -1;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	*out = buf;
	r->body_len = len;
	return 0;
}

static int drain_body(struct req *r)
{
	char buf[4096];
	struct berr e;
	ssize_t n;

	while ((n = req_read(r, buf, sizeof(buf), &e)) > 0)
		;
	return n < 0 ? -1 : 0;
}

/* The end of a connection whose request body was not read to its end (a
 * load that failed on a full disk): closing with unread bytes makes the
 * kernel answer with a reset, which can destroy the reply before the client
 * has read it. So send our FIN first, then read and drop what still comes,
 * for at most LINGER_MS or LINGER_BYTES. */
#define LINGER_MS 2000
#define LINGER_BYTES (64u << 20)
static void close_lingering(int fd)
{
	char buf[16384];
	struct timespec t0, t;
	size_t total = 0;

	if (fd < 0 || shutdown(fd, SHUT_WR) < 0)
		return;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		long long left;
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;

		clock_gettime(CLOCK_MONOTONIC, &t);
		left = LINGER_MS - ((t.tv_sec - t0.tv_sec) * 1000LL + (t.tv_nsec - t0.tv_nsec) / 1000000);
		if (left <= 0 || poll(&p, 1, (int)left) <= 0)
			return;
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n <= 0 || (total += (size_t)n) > LINGER_BYTES)
			return;
	}
}

/* A request the parser refused, or a body read that failed: the answer
 * (when one is due) and the end of the connection. */
static void refuse(struct req *r, const struct berr *e)
{
	int st = http_status(&r->c->hp);

	r->keep = 0;
	if (st == 0 && e->errnum == EAGAIN)
		st = http_timeout(&r->c->hp);
	else if (st == 0 && e->errnum == ETIMEDOUT)
		st = 408;	/* a body that stopped coming */
	if (st && !r->replied)
		reply_error(r, st, "%s", e->msg);
}

/* Route and run one request whose head has been read. Returns 1 to keep
 * the connection, 0 to close it. */
static int serve_one(struct conn *c)
{
	struct req r = { .eng = c->eng, .fd = c->fd, .hp = &c->hp, .c = c,
			 .method = c->hp.method, .keep = c->hp.keep_alive };
	const struct route *rt;
	char *body = NULL;
	struct berr e;
	int rc;

	r.head = strcmp(r.method, "HEAD") == 0;
	r.query = http_target_query(c->hp.target);
	r.api_minor = ENGINE_API_MINOR_MAX;
	if (http_target_path(c->hp.target, c->path, sizeof(c->path), &e) < 0) {
		r.keep = 0;
		reply_error(&r, 400, "bad request target: %s", e.msg);
		return 0;
	}
	r.path = router_version(c->path, &r.api_minor);
	if (!r.path) {
		r.path = c->path;
		r.api_minor = ENGINE_API_MINOR_MAX;
	} else if (r.api_minor > ENGINE_API_MINOR_MAX) {
		r.keep = 0;
		reply_error(&r, 400, "client version 1.%d is too new. Maximum supported API version is 1.%d",
			    r.api_minor, ENGINE_API_MINOR_MAX);
		return 0;
	} else if (r.api_minor < ENGINE_API_MINOR_MIN) {
		r.keep = 0;
		reply_error(&r, 400, "client version 1.%d is too old. Minimum supported API version is 1.%d, "
			    "please upgrade your client to a newer version", r.api_minor, ENGINE_API_MINOR_MIN);
		return 0;
	}
	rt = router_match(r.method, r.path, r.param, c->params, sizeof(c->params));
	if (rt && (rt->flags & ROUTE_STREAM))
		c->hp.body_max = UINT64_MAX;	/* the handler's limit (an image archive's) */
	else if (rt && (rt->flags & ROUTE_BODY))
		c->hp.body_max = CONFIG_ENGINE_BODY_MAX;
	else
		c->hp.body_max = CONFIG_ENGINE_SMALL_BODY_MAX;
	if (c->hp.expect_continue && rt && (rt->flags & (ROUTE_BODY | ROUTE_STREAM)))
		(void)send(c->fd, "HTTP/1.1 100 Continue\r\n\r\n", 25, MSG_NOSIGNAL);
	if (!rt || !(rt->flags & (ROUTE_BODY | ROUTE_STREAM))) {
		if (drain_body(&r) < 0) {
			refuse(&r, &e);
			return 0;
		}
	}
	if (!rt) {
		const char *cmd = router_unserved(r.method, r.path);

		if (cmd)
			reply_error(&r, 404, "%s is not supported on this appliance", cmd);
		else
			reply_error(&r, 404, "page not found");
		return r.keep;
	}
	if (rt->flags & ROUTE_BODY) {
		if (read_body(&r, &body, &e) < 0) {
			refuse(&r, &e);
			return 0;
		}
		r.body = body;
	}
	rc = rt->fn(&r);
	free(body);
	if (rc < 0)
		return 0;
	if (!r.replied)
		reply_error(&r, 500, "%s %s: no answer", r.method, r.path);
	if (r.streaming)
		r.keep = 0;
	if (!r.keep && (rt->flags & ROUTE_STREAM) && !r.body_done)
		close_lingering(c->fd);
	if (r.keep && !r.body_done && drain_body(&r) < 0)
		return 0;
	return r.keep;
}

static void conn_serve(struct conn *c)
{
	for (;;) {
		struct req r = { .eng = c->eng, .fd = c->fd, .hp = &c->hp, .c = c };
		struct berr e;
		int ev = conn_event(c, &e);

		if (ev < 0) {
			refuse(&r, &e);
			return;
		}
		if (ev != HTTP_HEAD) {
			return;		/* HTTP_UPGRADE without a request: nothing to do */
		}
		c->pend_len = 0;
		c->in_body = 1;
		if (!serve_one(c))
			return;
		c->in_msg = c->in_body = 0;
	}
}

static void *conn_thread(void *arg)
{
	struct conn *c = arg;
	struct engine *eng = c->eng;
	struct sock_allow allow = { .uid = 0, .gid = (gid_t)-1, .cap = -1 };
	struct berr e;

	if (eng->sock_gid != (gid_t)-1)
		allow.gid = eng->sock_gid;
	if (sock_peer_check(c->fd, &c->peer, &allow, &e) < 0) {
		log_msg(&eng->log, LOG_WARN, "refused: %s", e.msg);
	} else {
		set_timeo(c->fd, SO_SNDTIMEO, eng->conf.send_ms);
		http_parser_init(&c->hp, HTTP_REQUEST);
		conn_serve(c);
	}
	if (c->fd >= 0)
		close(c->fd);
	free(c);
	pthread_mutex_lock(&eng->mu);
	eng->conns--;
	pthread_mutex_unlock(&eng->mu);
	return NULL;
}

/* One accepted connection: a thread of its own, or 503 when full. */
static void conn_start(struct engine *eng, int fd, const struct sock_peer *peer)
{
	pthread_attr_t at;
	pthread_t t;
	struct conn *c = NULL;
	int full;

	pthread_mutex_lock(&eng->mu);
	full = eng->conns >= eng->conf.conns_max;
	if (!full)
		eng->conns++;
	pthread_mutex_unlock(&eng->mu);
	if (full || !(c = malloc(sizeof(*c)))) {
		reply_raw_error(fd, 503, full ? "too many connections" : "out of memory");
		close(fd);
		if (!full)
			goto undo;
		return;
	}
	c->eng = eng;
	c->fd = fd;
	c->peer = *peer;
	c->in_off = c->in_len = 0;
	c->pend_len = 0;
	c->rcv_ms = -1;
	c->in_msg = c->in_body = 0;
	pthread_attr_init(&at);
	pthread_attr_setstacksize(&at, THREAD_STACK);
	pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&t, &at, conn_thread, c) != 0) {
		pthread_attr_destroy(&at);
		reply_raw_error(fd, 503, "cannot start a thread");
		close(fd);
		free(c);
		goto undo;
	}
	pthread_attr_destroy(&at);
	return;
undo:
	pthread_mutex_lock(&eng->mu);
	eng->conns--;
	pthread_mutex_unlock(&eng->mu);
}

int engine_serve(struct engine *eng, int lfd, int sigfd, struct berr *e)
{
	struct pollfd p[2] = { { .fd = lfd, .events = POLLIN }, { .fd = sigfd, .events = POLLIN } };

	for (;;) {
		struct sock_peer peer;
		int fd;

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return berr_sys(e, "poll");
		}
		if (p[1].revents) {
			struct signalfd_siginfo si;
			if (read(sigfd, &si, sizeof(si)) == sizeof(si))
				log_msg(&eng->log, LOG_INFO, "signal %u: stopping (containers keep running)",
					si.ssi_signo);
			pthread_mutex_lock(&eng->mu);
			eng->stopping = 1;
			pthread_mutex_unlock(&eng->mu);
			return 0;
		}
		if (!p[0].revents)
			continue;
		fd = sock_accept(lfd, 0, &peer, e);
		if (fd < 0) {
			if (e->errnum == EAGAIN || e->errnum == ECONNABORTED || e->errnum == EINTR)
				continue;
			if (e->errnum == EMFILE || e->errnum == ENFILE) {
				log_err(&eng->log, e);
				usleep(100 * 1000);
				continue;
			}
			return -1;
		}
		conn_start(eng, fd, &peer);
	}
}

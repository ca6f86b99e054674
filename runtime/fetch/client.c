/* client.c — berth-fetch's HTTP client; see client.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/http.h"
#include "lib/util.h"
#include "runtime/fetch/client.h"
#include "runtime/fetch/dns.h"

#define IO_BUF 65536
#define ERR_BODY_MAX (64 * 1024)

struct conn {
	int fd;
	struct tls_conn *tls;
	int timeout_ms;
};

static int addr_of(const char *host, unsigned port, void *sa, unsigned *salen)
{
	struct sockaddr_in *a4 = sa;
	struct sockaddr_in6 *a6 = sa;

	memset(sa, 0, sizeof(struct sockaddr_in6));
	if (inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons((uint16_t)port);
		*salen = sizeof(*a4);
		return 1;
	}
	if (inet_pton(AF_INET6, host, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((uint16_t)port);
		*salen = sizeof(*a6);
		return 1;
	}
	return 0;
}

/* The first /etc/hosts line naming host: its address. */
static int hosts_lookup(const char *hosts, const char *host, char *out, size_t size)
{
	const char *p = hosts;

	while (p && *p) {
		const char *nl = strchr(p, '\n'), *end = nl ? nl : p + strlen(p);
		char line[512], *save, *tok, *addr;
		size_t n = (size_t)(end - p);

		if (n < sizeof(line)) {
			memcpy(line, p, n);
			line[n] = '\0';
			char *hash = strchr(line, '#');
			if (hash)
				*hash = '\0';
			addr = strtok_r(line, " \t\r", &save);
			while (addr && (tok = strtok_r(NULL, " \t\r", &save)))
				if (strcasecmp(tok, host) == 0 && strlen(addr) < size) {
					strcpy(out, addr);
					return 1;
				}
		}
		p = nl ? nl + 1 : NULL;
	}
	return 0;
}

int client_resolve(const struct client *c, const char *host, unsigned port, void *sa, unsigned *salen,
		   struct berr *e)
{
	char addr[64];

	if (addr_of(host, port, sa, salen))
		return 0;
	if (c->hosts && hosts_lookup(c->hosts, host, addr, sizeof(addr)) && addr_of(addr, port, sa, salen))
		return 0;
	if (strcasecmp(host, "localhost") == 0 && addr_of("127.0.0.1", port, sa, salen))
		return 0;
	uint32_t a;
	if (dns_lookup(c->ns, c->nns, host, c->timeout_ms < 5000 ? c->timeout_ms : 5000, &a, e) < 0)
		return berr_prefix(e, "cannot resolve \"%s\"", host);
	if (!inet_ntop(AF_INET, &a, addr, sizeof(addr)) || !addr_of(addr, port, sa, salen))
		return berr_set(e, EHOSTUNREACH, "cannot resolve \"%s\"", host);
	return 0;
}

static int wait_fd(int fd, short ev, int timeout_ms, struct berr *e)
{
	struct pollfd p = { fd, ev, 0 };
	int k;

	do
		k = poll(&p, 1, timeout_ms);
	while (k < 0 && errno == EINTR);
	if (k < 0)
		return berr_sys(e, "poll");
	if (k == 0)
		return berr_set(e, ETIMEDOUT, "no answer in %d ms", timeout_ms);
	return 0;
}

static int tcp_connect(const struct client *c, const struct dist_url *u, struct berr *e)
{
	struct sockaddr_in6 sa;
	unsigned salen;
	int fd, err = 0, one = 1;
	socklen_t el = sizeof(err);

	if (client_resolve(c, u->host, u->port, &sa, &salen, e) < 0)
		return -1;
	fd = socket(((struct sockaddr *)&sa)->sa_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return berr_sys(e, "socket");
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (struct sockaddr *)&sa, salen) < 0 && errno != EINPROGRESS) {
		berr_sys(e, "connect to %s:%u", u->host, u->port);
		close(fd);
		return -1;
	}
	if (wait_fd(fd, POLLOUT, c->timeout_ms, e) < 0 ||
	    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) < 0 || err) {
		if (err)
			errno = err, berr_sys(e, "connect to %s:%u", u->host, u->port);
		else
			berr_prefix(e, "connect to %s:%u", u->host, u->port);
		close(fd);
		return -1;
	}
	return fd;
}

static long long deadline(const struct conn *k)
{
	return tls_now_ms() + k->timeout_ms;
}

static int conn_write(struct conn *k, const void *p, size_t n, struct berr *e)
{
	const char *s = p;

	if (k->tls)
		return tls_conn_write_all(k->tls, p, n, deadline(k), e) < 0 ||
		       tls_conn_flush(k->tls, deadline(k), e) < 0 ? -1 : 0;
	while (n) {
		ssize_t w = write(k->fd, s, n);
		if (w < 0 && errno == EAGAIN) {
			if (wait_fd(k->fd, POLLOUT, k->timeout_ms, e) < 0)
				return -1;
			continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return berr_sys(e, "send");
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

static ssize_t conn_read(struct conn *k, void *p, size_t n, struct berr *e)
{
	if (k->tls)
		return tls_conn_read(k->tls, p, n, deadline(k), e);
	for (;;) {
		ssize_t r = read(k->fd, p, n);
		if (r >= 0)
			return r;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN)
			return berr_sys(e, "receive");
		if (wait_fd(k->fd, POLLIN, k->timeout_ms, e) < 0)
			return -1;
	}
}

static int conn_open(const struct client *c, const struct dist_url *u, struct conn *k, struct berr *e)
{
	k->timeout_ms = c->timeout_ms;
	k->tls = NULL;
	k->fd = tcp_connect(c, u, e);
	if (k->fd < 0)
		return -1;
	if (!u->https)
		return 0;
	k->tls = malloc(sizeof(*k->tls));
	if (!k->tls)
		return berr_set(e, ENOMEM, "out of memory");
	struct tls_client_conf cc = { .ca = c->ca, .server_name = u->host };
	if (tls_conn_client(k->tls, &cc, k->fd, e) < 0) {
		free(k->tls);
		k->tls = NULL;
		return -1;
	}
	if (tls_conn_handshake(k->tls, deadline(k), e) < 0) {
		const char *why = tls_conn_failure_reason(k->tls);
		return berr_prefix(e, "TLS with %s:%u%s%s", u->host, u->port, why[0] ? ": " : "", why);
	}
	return 0;
}

static void conn_close(struct conn *k)
{
	if (k->tls) {
		tls_conn_close(k->tls, tls_now_ms() + 200);
		tls_conn_fini(k->tls);
		free(k->tls);
		k->tls = NULL;
	}
	fd_close(&k->fd);
}

static void copy_header(const struct http_parser *p, const char *name, char *out, size_t size)
{
	const char *v = http_header(p, name);

	out[0] = '\0';
	if (v && strlen(v) < size)
		strcpy(out, v);
}

static int send_request(struct conn *k, const struct dist_url *u, const char *accept, const char *auth,
			uint64_t range_from, struct berr *e)
{
	char head[DIST_URL_MAX + DIST_TOKEN_MAX + 1024], hostv[DIST_HOST_MAX + 16], range[48];
	struct http_w w;
	size_t n;

	if ((u->https && u->port == 443) || (!u->https && u->port == 80))
		snprintf(hostv, sizeof(hostv), strchr(u->host, ':') ? "[%s]" : "%s", u->host);
	else
		snprintf(hostv, sizeof(hostv), strchr(u->host, ':') ? "[%s]:%u" : "%s:%u", u->host, u->port);
	http_w_init(&w, head, sizeof(head));
	http_w_request(&w, "GET", u->path);
	http_w_header(&w, "Host", hostv);
	http_w_header(&w, "User-Agent", "berth-fetch");
	http_w_header(&w, "Connection", "close");
	if (accept)
		http_w_header(&w, "Accept", accept);
	if (auth && auth[0])
		http_w_header(&w, "Authorization", auth);
	if (range_from) {
		snprintf(range, sizeof(range), "bytes=%llu-", (unsigned long long)range_from);
		http_w_header(&w, "Range", range);
	}
	http_w_end_head(&w);
	if (http_w_finish(&w, &n, e) < 0)
		return berr_prefix(e, "request");
	return conn_write(k, head, n, e);
}

/* Read the response: the head into r, the body to sink (2xx) or away. */
static int read_response(struct conn *k, struct http_parser *p, struct client_resp *r, client_sink_fn *sink,
			 void *ctx, struct berr *e)
{
	char *buf = malloc(IO_BUF);
	size_t have = 0, off = 0, used, dropped = 0;
	int ev = HTTP_HEAD, eof = 0, ok = 0, rc = -1;

	if (!buf)
		return berr_set(e, ENOMEM, "out of memory");
	for (;;) {
		/* read only when the parser wants more: HTTP_DONE comes from a
		 * call after the last HTTP_BODY, with no input left */
		if (off == have && !eof && ev == HTTP_NEED_MORE) {
			ssize_t got = conn_read(k, buf, IO_BUF, e);
			if (got < 0)
				goto out;
			eof = got == 0;
			have = (size_t)got;
			off = 0;
		}
		if (off == have && eof) {
			ev = http_eof(p, e);
		} else {
			ev = http_feed(p, buf + off, have - off, &used, e);
			off += ev < 0 ? 0 : used;
		}
		if (ev < 0) {
			if (eof && off == have)
				e->errnum = ECONNRESET;     /* cut short: worth resuming */
			berr_prefix(e, "response");
			goto out;
		}
		if (ev == HTTP_HEAD) {
			r->status = p->status;
			r->length = p->has_length ? p->content_length : UINT64_MAX;
			copy_header(p, "content-type", r->ctype, sizeof(r->ctype));
			copy_header(p, "location", r->location, sizeof(r->location));
			copy_header(p, "www-authenticate", r->www_auth, sizeof(r->www_auth));
			copy_header(p, "docker-content-digest", r->digest, sizeof(r->digest));
			copy_header(p, "content-range", r->crange, sizeof(r->crange));
			ok = r->status >= 200 && r->status < 300;
			p->body_max = UINT64_MAX;
		} else if (ev == HTTP_BODY) {
			if (ok && sink(ctx, p->body, p->body_len, e) < 0)
				goto out;
			if (!ok && (dropped += p->body_len) > ERR_BODY_MAX)
				break;   /* an error's body: enough of it */
		} else if (ev == HTTP_DONE || ev == HTTP_UPGRADE) {
			break;
		} else if (eof && off == have) {
			berr_set(e, ECONNRESET, "connection closed before the response ended");
			goto out;
		}
	}
	rc = 0;
out:
	free(buf);
	return rc;
}

int client_get(const struct client *c, const struct dist_url *u, const char *accept, const char *auth,
	       uint64_t range_from, struct client_resp *r, client_sink_fn *sink, void *ctx,
	       struct berr *e)
{
	struct conn k = { .fd = -1 };
	struct http_parser *p = malloc(sizeof(*p));
	int rc = -1;

	memset(r, 0, sizeof(*r));
	if (!p)
		return berr_set(e, ENOMEM, "out of memory");
	http_parser_init(p, HTTP_RESPONSE);
	if (conn_open(c, u, &k, e) == 0 && send_request(&k, u, accept, auth, range_from, e) == 0 &&
	    read_response(&k, p, r, sink, ctx, e) == 0)
		rc = 0;
	conn_close(&k);
	free(p);
	return rc;
}

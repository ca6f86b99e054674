/* proxy.c — the relay loop of berth-proxy (proxy.h). */
#include "runtime/net/proxy.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "autoconf.h"
#include "lib/util.h"

#define SPLICE_CHUNK (64 * 1024)
#define DGRAM_MAX 65536
#define EVENTS 64

enum kind { K_LISTEN, K_CONN_A, K_CONN_B, K_FLOW };

/* One direction of a TCP connection: src → pipe → dst. */
struct dir {
	int p[2];
	size_t n;      /* bytes in the pipe */
	int eof;       /* src said end-of-file */
	int shut;      /* dst shut for writing */
};

struct conn {
	int a, b;      /* client, container; a -1: free */
	int connecting;
	struct dir ab, ba;
};

struct flow {
	int fd;        /* -1: free */
	int lis;       /* index of its listener */
	struct sockaddr_in peer;
	time_t last;
};

struct proxy {
	int ep;
	const struct proxy_listener *ls;
	int nls;
	uint32_t target;
	struct conn *c;
	struct flow *f;
	unsigned char *dgram;
};

static uint64_t tag(enum kind k, int i)
{
	return (uint64_t)k << 32 | (uint32_t)i;
}

static time_t now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

static int watch(struct proxy *p, int fd, uint32_t ev, uint64_t t)
{
	struct epoll_event e = { .events = ev, .data.u64 = t };

	return epoll_ctl(p->ep, EPOLL_CTL_ADD, fd, &e);
}

static void conn_close(struct conn *c)
{
	/* closing removes the fds from the epoll set */
	fd_close(&c->a);
	fd_close(&c->b);
	fd_close(&c->ab.p[0]);
	fd_close(&c->ab.p[1]);
	fd_close(&c->ba.p[0]);
	fd_close(&c->ba.p[1]);
}

static struct sockaddr_in to(const struct proxy *p, uint16_t port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };

	sa.sin_addr.s_addr = p->target;
	return sa;
}

/* A new connection on listener i: a free slot, the connect, the pipes. */
static void conn_open(struct proxy *p, int i, int fd)
{
	struct sockaddr_in sa = to(p, p->ls[i].cport);
	struct conn *c = NULL;
	int k;

	for (k = 0; k < CONFIG_NET_PROXY_CONNS_MAX && !c; k++)
		if (p->c[k].a < 0)
			c = &p->c[k];
	if (!c) { /* full: the client learns at once */
		close(fd);
		return;
	}
	k = (int)(c - p->c);
	c->a = fd;
	c->connecting = 1;
	c->ab.n = c->ba.n = 0;
	c->ab.eof = c->ba.eof = c->ab.shut = c->ba.shut = 0;
	c->b = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->b < 0 || pipe2(c->ab.p, O_NONBLOCK | O_CLOEXEC) < 0 ||
	    pipe2(c->ba.p, O_NONBLOCK | O_CLOEXEC) < 0 ||
	    (connect(c->b, (struct sockaddr *)&sa, sizeof sa) < 0 && errno != EINPROGRESS) ||
	    watch(p, c->a, EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, tag(K_CONN_A, k)) < 0 ||
	    watch(p, c->b, EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, tag(K_CONN_B, k)) < 0)
		conn_close(c);
}

/* Move what can move in one direction. 1: progress, 0: none, -1: failed. */
static int pump(int src, int dst, struct dir *d)
{
	int progress = 0;
	ssize_t r;

	if (!d->eof) {
		r = splice(src, NULL, d->p[1], NULL, SPLICE_CHUNK, SPLICE_F_NONBLOCK | SPLICE_F_MOVE);
		if (r > 0)
			d->n += (size_t)r, progress = 1;
		else if (r == 0)
			d->eof = 1, progress = 1;
		else if (errno != EAGAIN && errno != EINTR)
			return -1;
	}
	if (d->n > 0) {
		r = splice(d->p[0], NULL, dst, NULL, d->n, SPLICE_F_NONBLOCK | SPLICE_F_MOVE);
		if (r > 0)
			d->n -= (size_t)r, progress = 1;
		else if (r < 0 && errno != EAGAIN && errno != EINTR)
			return -1;
	}
	if (d->eof && d->n == 0 && !d->shut) {
		shutdown(dst, SHUT_WR);
		d->shut = 1;
	}
	return progress;
}

static void conn_event(struct conn *c, int on_b, uint32_t ev)
{
	int r1, r2;

	if (c->a < 0)
		return;
	if (c->connecting) {
		int err = 0;
		socklen_t len = sizeof err;

		if (!on_b || !(ev & (EPOLLOUT | EPOLLERR | EPOLLHUP)))
			return;
		if (getsockopt(c->b, SOL_SOCKET, SO_ERROR, &err, &len) < 0 || err) {
			conn_close(c); /* the container refused: so does the proxy */
			return;
		}
		c->connecting = 0;
	}
	do {
		r1 = pump(c->a, c->b, &c->ab);
		r2 = pump(c->b, c->a, &c->ba);
		if (r1 < 0 || r2 < 0) {
			conn_close(c);
			return;
		}
	} while (r1 > 0 || r2 > 0);
	if (c->ab.shut && c->ba.shut)
		conn_close(c);
}

static void tcp_accept(struct proxy *p, int i)
{
	for (;;) {
		int fd = accept4(p->ls[i].fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0)
			return; /* EAGAIN, or a connection reset before its accept */
		conn_open(p, i, fd);
	}
}

/* The flow of (listener i, peer), made when missing; NULL when no socket. */
static struct flow *flow_get(struct proxy *p, int i, const struct sockaddr_in *peer)
{
	struct flow *f = NULL, *idlest = &p->f[0];
	struct sockaddr_in sa = to(p, p->ls[i].cport);
	int k;

	for (k = 0; k < CONFIG_NET_PROXY_UDP_FLOWS_MAX; k++) {
		struct flow *x = &p->f[k];

		if (x->fd >= 0 && x->lis == i && x->peer.sin_addr.s_addr == peer->sin_addr.s_addr &&
		    x->peer.sin_port == peer->sin_port)
			return x;
		if (x->fd < 0 && !f)
			f = x;
		if (x->fd >= 0 && idlest->fd >= 0 && x->last < idlest->last)
			idlest = x;
	}
	if (!f) {
		f = idlest;
		fd_close(&f->fd);
	}
	f->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (f->fd < 0)
		return NULL;
	if (connect(f->fd, (struct sockaddr *)&sa, sizeof sa) < 0 ||
	    watch(p, f->fd, EPOLLIN | EPOLLET, tag(K_FLOW, (int)(f - p->f))) < 0) {
		fd_close(&f->fd);
		return NULL;
	}
	f->lis = i;
	f->peer = *peer;
	return f;
}

static void udp_in(struct proxy *p, int i)
{
	for (;;) {
		struct sockaddr_in peer;
		socklen_t len = sizeof peer;
		ssize_t n = recvfrom(p->ls[i].fd, p->dgram, DGRAM_MAX, MSG_DONTWAIT,
				     (struct sockaddr *)&peer, &len);
		struct flow *f;

		if (n < 0)
			return;
		if (len != sizeof peer || peer.sin_family != AF_INET)
			continue;
		f = flow_get(p, i, &peer);
		if (!f)
			continue;
		f->last = now();
		send(f->fd, p->dgram, (size_t)n, MSG_DONTWAIT | MSG_NOSIGNAL); /* UDP: a loss is a loss */
	}
}

static void udp_back(struct proxy *p, struct flow *f)
{
	for (;;) {
		ssize_t n = recv(f->fd, p->dgram, DGRAM_MAX, MSG_DONTWAIT);

		if (n < 0 && errno == EAGAIN)
			return;
		if (n < 0)
			continue; /* ECONNREFUSED from an ICMP error: nothing listens yet */
		f->last = now();
		sendto(p->ls[f->lis].fd, p->dgram, (size_t)n, MSG_DONTWAIT | MSG_NOSIGNAL,
		       (struct sockaddr *)&f->peer, sizeof f->peer);
	}
}

static void udp_expire(struct proxy *p)
{
	time_t t = now();

	for (int k = 0; k < CONFIG_NET_PROXY_UDP_FLOWS_MAX; k++)
		if (p->f[k].fd >= 0 && t - p->f[k].last >= CONFIG_NET_PROXY_UDP_IDLE_S)
			fd_close(&p->f[k].fd);
}

static void dispatch(struct proxy *p, const struct epoll_event *ev)
{
	int i = (int)(uint32_t)ev->data.u64;

	switch ((enum kind)(ev->data.u64 >> 32)) {
	case K_LISTEN:
		if (p->ls[i].udp)
			udp_in(p, i);
		else
			tcp_accept(p, i);
		break;
	case K_CONN_A:
		conn_event(&p->c[i], 0, ev->events);
		break;
	case K_CONN_B:
		conn_event(&p->c[i], 1, ev->events);
		break;
	case K_FLOW:
		if (p->f[i].fd >= 0)
			udp_back(p, &p->f[i]);
		break;
	}
}

int proxy_run(const struct proxy_listener *ls, int n, uint32_t target, struct berr *e)
{
	struct proxy p = { .ls = ls, .nls = n, .target = target };
	struct epoll_event ev[EVENTS];
	time_t swept = now();

	p.ep = epoll_create1(EPOLL_CLOEXEC);
	p.c = calloc(CONFIG_NET_PROXY_CONNS_MAX, sizeof *p.c);
	p.f = calloc(CONFIG_NET_PROXY_UDP_FLOWS_MAX, sizeof *p.f);
	p.dgram = malloc(DGRAM_MAX);
	if (p.ep < 0 || !p.c || !p.f || !p.dgram)
		return berr_sys(e, "proxy: set up");
	for (int k = 0; k < CONFIG_NET_PROXY_CONNS_MAX; k++)
		p.c[k].a = p.c[k].b = p.c[k].ab.p[0] = p.c[k].ab.p[1] = p.c[k].ba.p[0] = p.c[k].ba.p[1] = -1;
	for (int k = 0; k < CONFIG_NET_PROXY_UDP_FLOWS_MAX; k++)
		p.f[k].fd = -1;
	for (int i = 0; i < n; i++)
		if (watch(&p, ls[i].fd, EPOLLIN | EPOLLET, tag(K_LISTEN, i)) < 0)
			return berr_sys(e, "proxy: listener %d", i);
	for (;;) {
		int k = epoll_wait(p.ep, ev, EVENTS, 1000);

		if (k < 0 && errno != EINTR)
			return berr_sys(e, "proxy: epoll_wait");
		for (int j = 0; j < k; j++)
			dispatch(&p, &ev[j]);
		if (now() - swept >= 1) {
			udp_expire(&p);
			swept = now();
		}
	}
}

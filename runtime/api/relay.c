/* relay.c — a hijacked stream (attach, exec start) after berthd's 101: one
 * thread polls the TLS socket and berthd's socket, lib/tls's non-blocking
 * driver moving the bytes.
 *
 * The docker CLI ends its input (stdin EOF) with a TLS close_notify while
 * it still reads the output (DOCKER_API.md §5.1). So input is half-closed
 * at once: that alert ends the client→berthd direction (shutdown(SHUT_WR)
 * of berthd's socket) and output goes on until berthd closes its side;
 * then the client gets our close_notify and the connection ends. Each
 * direction holds at most one buffer (CONFIG_API_IO_BYTES) plus what
 * BearSSL's engine holds.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "runtime/api/apid.h"

struct dir {
	char *buf;
	size_t off, len;
	int eof;          /* the source ended */
	int done;         /* ... and everything was passed on */
};

/* client → berthd: TLS plaintext to the socket. */
static int to_engine(struct aconn *c, struct dir *d)
{
	for (;;) {
		if (d->off == d->len && !d->eof) {
			long n = tls_conn_recv(&c->tls, d->buf, CONFIG_API_IO_BYTES);

			if (n == TLS_EOF)
				d->eof = 1;
			else if (n < 0)
				return -1;
			else if (n == 0)
				return 0;
			else
				d->off = 0, d->len = (size_t)n;
		}
		if (d->off < d->len) {
			ssize_t w = send(c->eng, d->buf + d->off, d->len - d->off,
					 MSG_NOSIGNAL | MSG_DONTWAIT);

			if (w < 0 && (errno == EAGAIN || errno == EINTR))
				return 0;
			if (w < 0) {
				/* berthd takes no more input (the process ended):
				 * drop the rest, keep relaying its output */
				d->off = d->len = 0;
				d->eof = d->done = 1;
				return 0;
			}
			d->off += (size_t)w;
			continue;
		}
		if (d->eof && !d->done) {
			shutdown(c->eng, SHUT_WR);
			d->done = 1;
		}
		return 0;
	}
}

/* berthd → client: socket bytes into the TLS engine. */
static int to_client(struct aconn *c, struct dir *d)
{
	int moved = 0;

	for (;;) {
		if (d->off == d->len && !d->eof) {
			ssize_t n = recv(c->eng, d->buf, CONFIG_API_IO_BYTES, MSG_DONTWAIT);

			if (n < 0 && (errno == EAGAIN || errno == EINTR))
				break;
			if (n <= 0)
				d->eof = 1;	/* an error reading berthd ends the stream too */
			else
				d->off = 0, d->len = (size_t)n;
		}
		if (d->off < d->len) {
			long s = tls_conn_send(&c->tls, d->buf + d->off, d->len - d->off);

			if (s < 0)
				return -1;
			if (s == 0)
				break;
			d->off += (size_t)s;
			moved = 1;
			continue;
		}
		break;
	}
	if (moved || (d->eof && d->off == d->len))
		tls_conn_send_flush(&c->tls);
	if (d->eof && d->off == d->len && !tls_conn_output_pending(&c->tls))
		d->done = 1;
	return 0;
}

static void set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl >= 0)
		(void)fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

void relay_run(struct aconn *c, const char *buffered, size_t nb, const char *early, size_t ne)
{
	struct dir in = { .buf = c->in }, out = { .buf = c->out };
	struct berr e;

	/* bytes already read on each side go first */
	memmove(c->in, buffered, nb);
	in.len = nb;
	memmove(c->out, early, ne);
	out.len = ne;
	c->in_off = c->in_len = 0;
	tls_conn_half_close_input(&c->tls);
	set_nonblock(c->fd);
	set_nonblock(c->eng);
	for (;;) {
		struct pollfd p[2] = { { .fd = c->fd }, { .fd = c->eng } };

		if (to_engine(c, &in) < 0 || to_client(c, &out) < 0)
			break;
		if (out.done)
			break;
		p[0].events = (short)tls_conn_want(&c->tls);
		if (out.off == out.len && !out.eof)
			p[1].events |= POLLIN;
		if (in.off < in.len)
			p[1].events |= POLLOUT;
		if (!p[0].events && !p[1].events)
			break;
		if (poll(p, 2, -1) < 0 && errno != EINTR)
			break;
		if ((p[1].revents & (POLLERR | POLLHUP)) && !(p[1].events & POLLIN))
			in.off = in.len = 0, in.done = in.eof = 1;	/* berthd gone: drop input */
		if (p[0].revents && tls_conn_pump(&c->tls, (unsigned)p[0].revents, &e) < 0)
			break;
	}
	(void)tls_conn_close(&c->tls, tls_now_ms() + 1000);
}

/* io.c — the stdio of the container and of exec processes: output read as
 * it comes, written to the log (the container's) and queued for each
 * client in a bounded buffer (a client that cannot keep up loses output;
 * the log and the container never wait for it); stdin from clients to the
 * container through a bounded pending buffer (a client is not read while
 * it is full). */
#define SHIM_DAEMON
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/util.h"
#include "runtime/shim/shim-internal.h"

void io_init(struct shim_io *io, struct shim *sh)
{
	memset(io, 0, sizeof *io);
	io->sh = sh;
	io->out[0] = io->out[1] = io->in = io->master = -1;
	io->out_slot[0] = io->out_slot[1] = io->in_slot = -1;
}

static void client_close(struct shim_client *c);
static void client_interest(struct shim_client *c);

static void io_clients_interest(struct shim_io *io)
{
	struct shim *sh = io->sh;

	for (int i = 0; i < SHIM_CLIENTS; i++)
		if (sh->clients[i].fd >= 0 && sh->clients[i].io == io)
			client_interest(&sh->clients[i]);
}

static void in_close(struct shim_io *io)
{
	if (io->in_slot >= 0)
		evloop_fd_del(&io->sh->loop, io->in_slot);
	io->in_slot = -1;
	fd_close(&io->in);
	io->pend_len = 0;
}

/* Write pending stdin; close the pipe once it is written and stdin ended. */
static void in_flush(struct shim_io *io)
{
	struct berr e;

	while (io->in >= 0 && io->pend_len > 0) {
		ssize_t n = write(io->in, io->pend, io->pend_len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			break;
		if (n <= 0) {
			in_close(io); /* the container closed its stdin */
			break;
		}
		memmove(io->pend, io->pend + n, io->pend_len - (size_t)n);
		io->pend_len -= (size_t)n;
	}
	if (io->in >= 0 && io->pend_len == 0 && io->in_eof && !io->tty)
		in_close(io);
	if (io->in_slot >= 0)
		evloop_fd_mod(&io->sh->loop, io->in_slot, io->pend_len ? EVLOOP_OUT : 0, &e);
	io_clients_interest(io);
}

static void on_in(struct evloop *l, int fd, unsigned ev, void *arg)
{
	struct shim_io *io = arg;

	(void)l, (void)fd;
	if ((ev & EVLOOP_ERR) && !(ev & EVLOOP_OUT)) {
		in_close(io);
		io_clients_interest(io);
		return;
	}
	in_flush(io);
}

/* Output has ended: io's clients close once their buffers are sent. */
static void out_close(struct shim_io *io, int i)
{
	if (io->out_slot[i] >= 0)
		evloop_fd_del(&io->sh->loop, io->out_slot[i]);
	io->out_slot[i] = -1;
	fd_close(&io->out[i]);
	if (--io->out_open == 0) {
		io_clients_check(io);
		shim_check_done(io->sh);
	}
}

/* One read of output i: 1 when there may be more, 0 for none now or the
 * end (then the fd is closed). */
static int out_read(struct shim_io *io, int i)
{
	struct shim *sh = io->sh;
	int stream = io->src[i].stream;
	struct berr e;
	ssize_t n;

	n = read(io->out[i], sh->rbuf, SHIM_READ_MAX);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return errno == EINTR;
	if (n <= 0) { /* end of file, or EIO: the terminal's last writer is gone */
		out_close(io, i);
		return 0;
	}
	/* a failure is said once; every chunk is still tried (a full disk
	 * may get room again) */
	if (io->log && logfile_w_write(&sh->log, stream, sh->rbuf, (size_t)n, shim_now_ns(), &e) < 0 &&
	    !sh->log_failed++)
		log_err(&sh->lg, &e);
	for (int k = 0; k < SHIM_CLIENTS; k++) {
		struct shim_client *c = &sh->clients[k];
		if (c->fd >= 0 && c->io == io && (c->flags & (stream == 2 ? SHIM_STDERR : SHIM_STDOUT)))
			client_send(c, stream, sh->rbuf, (size_t)n);
	}
	return 1;
}

static void on_out(struct evloop *l, int fd, unsigned ev, void *arg)
{
	struct shim_src *src = arg;

	(void)l, (void)fd, (void)ev;
	out_read(src->io, src->stream == 2 ? 1 : 0);
}

void io_drain(struct shim_io *io)
{
	for (int i = 0; i < 2; i++)
		while (io->out[i] >= 0 && out_read(io, i))
			;
}

static int nonblock(int fd, struct berr *e)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return berr_sys(e, "O_NONBLOCK");
	return 0;
}

int io_watch(struct shim_io *io, struct berr *e)
{
	for (int i = 0; i < 2; i++) {
		if (io->out[i] < 0)
			continue;
		io->src[i] = (struct shim_src){ io, i + 1 };
		if (nonblock(io->out[i], e) < 0)
			return -1;
		io->out_slot[i] = evloop_fd_add(&io->sh->loop, io->out[i], EVLOOP_IN, on_out, &io->src[i], e);
		if (io->out_slot[i] < 0)
			return -1;
		io->out_open++;
	}
	if (io->in >= 0) {
		io->pend = malloc(SHIM_PEND_MAX);
		if (!io->pend)
			return berr_sys(e, "stdin buffer");
		if (nonblock(io->in, e) < 0)
			return -1;
		io->in_slot = evloop_fd_add(&io->sh->loop, io->in, 0, on_in, io, e);
		if (io->in_slot < 0)
			return -1;
	}
	return 0;
}

void io_close(struct shim_io *io)
{
	for (int i = 0; i < 2; i++)
		if (io->out[i] >= 0) {
			if (io->out_slot[i] >= 0)
				evloop_fd_del(&io->sh->loop, io->out_slot[i]);
			io->out_slot[i] = -1;
			fd_close(&io->out[i]);
		}
	io->out_open = 0;
	in_close(io);
	fd_close(&io->master);
	free(io->pend);
	io->pend = NULL;
}

int io_resize(struct shim_io *io, unsigned rows, unsigned cols, struct berr *e)
{
	struct winsize ws = { .ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols };

	if (!io->tty || io->master < 0)
		return berr_set(e, EINVAL, "not a terminal");
	if (rows > 0xffff || cols > 0xffff)
		return berr_set(e, EINVAL, "window size %ux%u: too large", rows, cols);
	if (ioctl(io->master, TIOCSWINSZ, &ws) < 0)
		return berr_sys(e, "resize");
	return 0;
}

/* ------------------------------------------------------------ clients */

int shim_clients_count(const struct shim *sh)
{
	int n = 0;

	for (int i = 0; i < SHIM_CLIENTS; i++)
		n += sh->clients[i].fd >= 0;
	return n;
}

static void client_interest(struct shim_client *c)
{
	struct shim_io *io = c->io;
	unsigned ev = 0;
	struct berr e;

	/* stdin is read only while the container can be given it */
	if (c->in_open && (io->in < 0 || !(c->flags & SHIM_STDIN) || io->pend_len + SHIM_READ_MAX / 4 <= SHIM_PEND_MAX))
		ev |= EVLOOP_IN;
	if (c->len)
		ev |= EVLOOP_OUT;
	evloop_fd_mod(&io->sh->loop, c->slot, ev, &e);
}

static void client_close(struct shim_client *c)
{
	struct shim *sh = c->io->sh;

	evloop_fd_del(&sh->loop, c->slot);
	fd_close(&c->fd);
	free(c->buf);
	c->buf = NULL;
	if (c->dropped)
		log_msg(&sh->lg, LOG_WARN, "a client too slow for the output lost %lu bytes", c->dropped);
	shim_check_done(sh);
}

/* Nothing more will come for c and it has everything: close it. */
static int client_done(struct shim_client *c)
{
	struct shim_io *io = c->io;

	return io->out_open == 0 && (!io->exec || io->exited) && c->len == 0;
}

void io_clients_check(struct shim_io *io)
{
	struct shim *sh = io->sh;

	for (int i = 0; i < SHIM_CLIENTS; i++)
		if (sh->clients[i].fd >= 0 && sh->clients[i].io == io && client_done(&sh->clients[i]))
			client_close(&sh->clients[i]);
}

/* Send what is queued; 0 ok, -1 the client is gone (closed here). */
static int client_flush(struct shim_client *c)
{
	while (c->len) {
		ssize_t n = c->sock ? send(c->fd, c->buf + c->head, c->len, MSG_DONTWAIT | MSG_NOSIGNAL)
				    : write(c->fd, c->buf + c->head, c->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			break;
		if (n <= 0) {
			client_close(c);
			return -1;
		}
		c->head += (size_t)n;
		c->len -= (size_t)n;
	}
	if (!c->len)
		c->head = 0;
	if (client_done(c)) {
		client_close(c);
		return -1;
	}
	client_interest(c);
	return 0;
}

void client_send(struct shim_client *c, int stream, const char *p, size_t n)
{
	size_t need = n + ((c->flags & SHIM_MUX) ? 8 : 0);

	if (c->len + need > CONFIG_SHIM_CLIENT_BUF) {
		c->dropped += n;
		return;
	}
	if (c->head + c->len + need > CONFIG_SHIM_CLIENT_BUF) {
		memmove(c->buf, c->buf + c->head, c->len);
		c->head = 0;
	}
	if (c->flags & SHIM_MUX) {
		unsigned char *h = (unsigned char *)c->buf + c->head + c->len;
		h[0] = (unsigned char)stream;
		h[1] = h[2] = h[3] = 0;
		h[4] = (unsigned char)(n >> 24), h[5] = (unsigned char)(n >> 16);
		h[6] = (unsigned char)(n >> 8), h[7] = (unsigned char)n;
		c->len += 8;
	}
	memcpy(c->buf + c->head + c->len, p, n);
	c->len += n;
	client_flush(c);
}

/* Input from the client: stdin for the container, or its half-close. */
static void client_read(struct shim_client *c)
{
	struct shim_io *io = c->io;
	struct shim *sh = io->sh;
	size_t room = SHIM_READ_MAX;
	ssize_t n;

	if (io->in >= 0 && (c->flags & SHIM_STDIN) && SHIM_PEND_MAX - io->pend_len < room)
		room = SHIM_PEND_MAX - io->pend_len;
	if (room == 0)
		return;
	n = c->sock ? recv(c->fd, sh->rbuf, room, MSG_DONTWAIT) : read(c->fd, sh->rbuf, room);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n < 0) {
		client_close(c);
		return;
	}
	if (n == 0) { /* the client's write side ended: end of its stdin, not of the output */
		c->in_open = 0;
		/* an exec's stdin ends with its client's; the container's with
		 * the first attach's when StdinOnce */
		if ((io->exec && (c->flags & SHIM_STDIN)) ||
		    (c->stdin_first && sh->ss->opts.stdin_once && io == &sh->io)) {
			io->in_eof = 1;
			in_flush(io);
		}
		client_interest(c);
		return;
	}
	if (io->in >= 0 && (c->flags & SHIM_STDIN)) {
		memcpy(io->pend + io->pend_len, sh->rbuf, (size_t)n);
		io->pend_len += (size_t)n;
		in_flush(io);
	}
}

static void on_client(struct evloop *l, int fd, unsigned ev, void *arg)
{
	struct shim_client *c = arg;

	(void)l, (void)fd;
	if ((ev & EVLOOP_OUT) && client_flush(c) < 0)
		return;
	if (ev & EVLOOP_IN)
		client_read(c);
	else if ((ev & EVLOOP_ERR) && c->fd >= 0)
		client_close(c); /* hung up both ways */
}

int client_add(struct shim *sh, struct shim_io *io, int fd, unsigned flags, struct berr *e)
{
	struct shim_client *c = NULL;
	int type;
	socklen_t tl = sizeof type;

	for (int i = 0; i < SHIM_CLIENTS && !c; i++)
		if (sh->clients[i].fd < 0)
			c = &sh->clients[i];
	if (!c) {
		close(fd);
		return berr_set(e, EBUSY, "too many attached clients (%d)", SHIM_CLIENTS);
	}
	memset(c, 0, sizeof *c);
	c->fd = fd;
	c->io = io;
	c->flags = flags;
	c->in_open = 1;
	c->sock = getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tl) == 0;
	c->buf = malloc(CONFIG_SHIM_CLIENT_BUF);
	if (!c->buf || (!c->sock && nonblock(fd, e) < 0)) {
		if (!c->buf)
			berr_sys(e, "client buffer");
		free(c->buf);
		fd_close(&c->fd);
		return -1;
	}
	c->slot = evloop_fd_add(&sh->loop, fd, EVLOOP_IN, on_client, c, e);
	if (c->slot < 0) {
		free(c->buf);
		fd_close(&c->fd);
		return -1;
	}
	if ((flags & SHIM_STDIN) && io == &sh->io && !sh->stdin_once_used) {
		c->stdin_first = 1;
		sh->stdin_once_used = 1;
	}
	if (client_done(c))
		client_close(c); /* output ended before it came: nothing to give */
	return 0;
}

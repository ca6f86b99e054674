/* tty.c — the container's terminal (see tty.h). */
#include "runtime/launch/tty.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/util.h"

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

int tty_child(int sock, struct berr *e)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { "t", 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
			      .msg_controllen = sizeof cbuf };
	struct cmsghdr *cm;
	int master, peer, unlock = 0;

	master = open("/dev/pts/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0)
		return berr_sys(e, "tty: open /dev/pts/ptmx");
	if (ioctl(master, TIOCSPTLCK, &unlock) < 0) {
		close(master);
		return berr_sys(e, "tty: unlock");
	}
	/* The peer through the master: no path to swap. */
	peer = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY);
	if (peer < 0) {
		close(master);
		return berr_sys(e, "tty: open the peer");
	}
	memset(cbuf, 0, sizeof cbuf);
	cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &master, sizeof master);
	if (sendmsg(sock, &msg, MSG_NOSIGNAL) != 1) {
		close(master);
		close(peer);
		return berr_sys(e, "tty: send the master");
	}
	close(master);
	/* berth-run sets the window size, then answers: the command never
	 * starts on a terminal of size 0x0. */
	{
		char ack;
		if (read(sock, &ack, 1) != 1) {
			close(peer);
			return berr_set(e, EPIPE, "tty: berth-run did not answer");
		}
	}
	/* (the child leads its own session already: launch_child) */
	if (ioctl(peer, TIOCSCTTY, 0) < 0) {
		close(peer);
		return berr_sys(e, "tty: controlling terminal");
	}
	for (int fd = 0; fd < 3; fd++)
		if (dup2(peer, fd) < 0) {
			close(peer);
			return berr_sys(e, "tty: dup2");
		}
	if (peer > 2)
		close(peer);
	return 0;
}

int tty_recv(int sock, int *master, struct berr *e)
{
	char cbuf[CMSG_SPACE(sizeof(int))], b;
	struct iovec iov = { &b, 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
			      .msg_controllen = sizeof cbuf };
	struct cmsghdr *cm;
	ssize_t n;

	*master = -1;
	do
		n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return berr_sys(e, "tty: receive the master");
	if (n == 0)
		return 0; /* the child ended before: its error follows */
	cm = CMSG_FIRSTHDR(&msg);
	if (!cm || cm->cmsg_type != SCM_RIGHTS || cm->cmsg_len != CMSG_LEN(sizeof(int)))
		return berr_set(e, EPROTO, "tty: no master in the message");
	memcpy(master, CMSG_DATA(cm), sizeof *master);
	{
		struct winsize ws;
		if (isatty(0) && ioctl(0, TIOCGWINSZ, &ws) == 0)
			ioctl(*master, TIOCSWINSZ, &ws);
	}
	if (write(sock, "", 1) != 1)
		return berr_sys(e, "tty: answer the child");
	return 0;
}

void tty_relay_winch(struct tty_relay *t)
{
	struct winsize ws;

	if (isatty(0) && ioctl(0, TIOCGWINSZ, &ws) == 0)
		ioctl(t->master, TIOCSWINSZ, &ws);
}

void tty_relay_start(struct tty_relay *t, int master)
{
	t->master = master;
	t->in_open = 1;
	t->raw = 0;
	if (isatty(0) && tcgetattr(0, &t->saved) == 0) {
		struct termios raw = t->saved;
		cfmakeraw(&raw);
		if (tcsetattr(0, TCSANOW, &raw) == 0)
			t->raw = 1;
	}
	tty_relay_winch(t);
}

static int copy(int from, int to)
{
	char buf[TTY_BUF];
	struct berr e;
	ssize_t n = read(from, buf, sizeof buf);

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 1;
	if (n <= 0)
		return 0;
	return util_write_all(to, buf, (size_t)n, &e) < 0 ? -1 : 1;
}

int tty_relay_io(struct tty_relay *t, short in_revents, short master_revents)
{
	if (t->in_open && (in_revents & (POLLIN | POLLHUP | POLLERR))) {
		if (copy(0, t->master) <= 0) {
			/* stdin ended: an end-of-file character for the
			 * container's reader, then no more input */
			char eof = t->raw ? 0 : 4;
			if (!t->raw && write(t->master, &eof, 1) < 0) {
				/* the container is gone */
			}
			t->in_open = 0;
		}
	}
	if (master_revents & (POLLIN | POLLHUP | POLLERR))
		return copy(t->master, 1) > 0;
	return 1;
}

void tty_relay_end(struct tty_relay *t)
{
	int fl = fcntl(t->master, F_GETFL);

	/* what the container wrote before it ended */
	if (fl >= 0 && fcntl(t->master, F_SETFL, fl | O_NONBLOCK) == 0)
		while (copy(t->master, 1) > 0) {
		}
	if (t->raw)
		tcsetattr(0, TCSANOW, &t->saved);
	fd_close(&t->master);
}

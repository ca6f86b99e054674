/* dial.c — berth-dial, installed as /usr/bin/docker in the image: the one
 * thing the docker CLI runs over SSH.
 *
 * With DOCKER_HOST=ssh://root@HOST:PORT the CLI runs `ssh … HOST docker
 * system dial-stdio` (or `docker --host unix://PATH system dial-stdio` when
 * the URL has a path) and speaks the Engine API over that session's stdio.
 * This command accepts exactly those forms, connects to the engine's Unix
 * socket and copies bytes both ways: stdin to the engine (its end becomes a
 * write shutdown, so a half-closed hijacked stream keeps its output), the
 * engine to stdout, until the engine closes. Anything else is refused with
 * a message: the appliance has no docker daemon or CLI of its own.
 *
 * The socket's permissions decide who may use it (root and the berth group),
 * exactly as for a local client; SSH's key-only login decides who gets here.
 *
 * Exit codes: 0 the engine closed the stream, 100 usage, 111 a system call
 * failed (the engine is not running: connect failed).
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/err.h"
#include "lib/sock.h"
#include "lib/util.h"

#define DIAL_SOCKET "/run/berth/engine.sock"
#define DIAL_BUF 65536

static const char usage[] =
	"usage: docker [--host unix://" DIAL_SOCKET "] system dial-stdio\n"
	"This appliance's docker command only bridges an SSH session to the engine\n"
	"(" DIAL_SOCKET "); run the docker CLI on your own machine with\n"
	"DOCKER_HOST=ssh://root@THIS-HOST:PORT.\n"
	"Exit codes: 0 done, 100 usage, 111 the engine could not be reached.\n";

/* The socket named by argv, or NULL for a usage error. */
static const char *parse(int argc, char **argv)
{
	const char *path = DIAL_SOCKET;
	int i = 1;

	while (i < argc && argv[i][0] == '-') {
		const char *h = NULL;
		if ((!strcmp(argv[i], "--host") || !strcmp(argv[i], "-H")) && i + 1 < argc)
			h = argv[++i];
		else if (!strncmp(argv[i], "--host=", 7))
			h = argv[i] + 7;
		else
			return NULL;
		/* Only the engine's own socket: this is not a general relay. */
		if (strncmp(h, "unix://", 7) || strcmp(h + 7, DIAL_SOCKET))
			return NULL;
		path = h + 7;
		i++;
	}
	if (argc - i != 2 || strcmp(argv[i], "system") || strcmp(argv[i + 1], "dial-stdio"))
		return NULL;
	return path;
}

/* Copy one chunk from `from` to `to`: 1 copied, 0 end of input, -1 error. */
static int pump(int from, int to, char *buf, struct berr *e)
{
	ssize_t n = read(from, buf, DIAL_BUF);

	if (n < 0)
		return errno == EINTR || errno == EAGAIN ? 1 : berr_sys(e, "read");
	if (n == 0)
		return 0;
	return util_write_all(to, buf, (size_t)n, e) < 0 ? -1 : 1;
}

static int relay(int s, struct berr *e)
{
	static char up[DIAL_BUF], down[DIAL_BUF];
	int in_open = 1;

	for (;;) {
		struct pollfd p[2] = { { in_open ? 0 : -1, POLLIN, 0 }, { s, POLLIN, 0 } };
		int r;

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return berr_sys(e, "poll");
		}
		if (p[0].revents) {
			r = pump(0, s, up, e);
			if (r < 0)
				return -1;
			if (r == 0) {
				in_open = 0;
				shutdown(s, SHUT_WR);
			}
		}
		if (p[1].revents) {
			r = pump(s, 1, down, e);
			if (r <= 0)
				return r;
		}
	}
}

int main(int argc, char **argv)
{
	struct berr e = { 0 };
	const char *path = parse(argc, argv);
	int s;

	if (!path) {
		fputs(usage, stderr);
		return 100;
	}
	signal(SIGPIPE, SIG_IGN);
	s = sock_connect(path, SOCK_STREAM, &e);
	if (s < 0) {
		fprintf(stderr, "docker: the engine at %s: %s (is berthd running? berthctl services)\n",
			path, e.msg);
		return 111;
	}
	if (relay(s, &e) < 0) {
		fprintf(stderr, "docker: dial-stdio: %s\n", e.msg);
		close(s);
		return 111;
	}
	close(s);
	return 0;
}

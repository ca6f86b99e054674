/* pingload.c — a keep-alive GET /_ping load client over a Unix socket:
 * CONNS connections (threads), each sending one request at a time and
 * reading the whole answer, for SECONDS; prints requests per second.
 * The same client measures berthd and dockerd (bench/engine/run.sh).
 *
 * usage: pingload SOCKET SECONDS [CONNS]
 * exit codes: 0 ok, 1 a request failed, 100 usage
 * The load loop is bench/lib/load.c; this file is the Unix socket transport.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "../lib/load.h"

static void *unix_open(void *arg)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int *c;

	snprintf(a.sun_path, sizeof(a.sun_path), "%s", (const char *)arg);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || !(c = malloc(sizeof(*c)))) {
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	*c = fd;
	return c;
}

static int unix_write(void *conn, const char *buf, size_t len)
{
	return write(*(int *)conn, buf, len) == (ssize_t)len ? 0 : -1;
}

static long unix_read(void *conn, char *buf, size_t len)
{
	return (long)read(*(int *)conn, buf, len);
}

static void unix_close(void *conn)
{
	close(*(int *)conn);
	free(conn);
}

int main(int argc, char **argv)
{
	static const char req[] = "GET /_ping HTTP/1.1\r\nHost: docker\r\nUser-Agent: pingload\r\n\r\n";
	static const struct load_ops ops = { unix_open, unix_write, unix_read, unix_close };
	int conns = argc > 3 ? atoi(argv[3]) : 1, failed;
	double secs = argc > 2 ? atof(argv[2]) : 0, rate;

	if (argc < 3 || secs <= 0 || conns < 1 || conns > LOAD_CONNS_MAX) {
		fprintf(stderr, "usage: pingload SOCKET SECONDS [CONNS 1..%d]\n", LOAD_CONNS_MAX);
		return 100;
	}
	rate = load_run(&ops, argv[1], req, secs, conns, &failed);
	printf("%.0f\n", rate);
	if (failed)
		fprintf(stderr, "pingload: a request failed\n");
	return failed;
}

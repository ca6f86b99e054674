/* pingload.c — a keep-alive GET /_ping load client over a Unix socket:
 * CONNS connections (threads), each sending one request at a time and
 * reading the whole answer, for SECONDS; prints requests per second.
 * The same client measures berthd and dockerd (bench/engine/run.sh).
 *
 * usage: pingload SOCKET SECONDS [CONNS]
 * exit codes: 0 ok, 1 a request failed, 100 usage
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define CONNS_MAX 64

struct worker {
	const char *path;
	double until;
	long done;
	int failed;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Read one response: the head, then Content-Length bytes (a ping is small
 * and never chunked). Bytes past it stay in buf (there are none: one
 * request at a time). */
static int read_response(int fd, char *buf, size_t size)
{
	size_t have = 0;

	for (;;) {
		ssize_t n = read(fd, buf + have, size - 1 - have);
		char *end, *cl;
		if (n <= 0)
			return -1;
		have += (size_t)n;
		buf[have] = '\0';
		end = strstr(buf, "\r\n\r\n");
		if (!end)
			continue;
		cl = strcasestr(buf, "\r\ncontent-length:");
		if (!cl || cl > end)
			return -1;
		if (have >= (size_t)(end + 4 - buf) + strtoul(cl + 17, NULL, 10))
			return strncmp(buf, "HTTP/1.1 200", 12) == 0 ? 0 : -1;
	}
}

static void *work(void *arg)
{
	static const char req[] = "GET /_ping HTTP/1.1\r\nHost: docker\r\nUser-Agent: pingload\r\n\r\n";
	struct worker *w = arg;
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	char buf[4096];
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(a.sun_path, sizeof(a.sun_path), "%s", w->path);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		w->failed = 1;
		return NULL;
	}
	while (now() < w->until) {
		if (write(fd, req, sizeof(req) - 1) != (ssize_t)sizeof(req) - 1 ||
		    read_response(fd, buf, sizeof(buf)) < 0) {
			w->failed = 1;
			break;
		}
		w->done++;
	}
	close(fd);
	return NULL;
}

int main(int argc, char **argv)
{
	struct worker w[CONNS_MAX];
	pthread_t t[CONNS_MAX];
	int conns = argc > 3 ? atoi(argv[3]) : 1, failed = 0;
	double secs = argc > 2 ? atof(argv[2]) : 0, start;
	long total = 0;

	if (argc < 3 || secs <= 0 || conns < 1 || conns > CONNS_MAX) {
		fprintf(stderr, "usage: pingload SOCKET SECONDS [CONNS 1..%d]\n", CONNS_MAX);
		return 100;
	}
	start = now();
	for (int i = 0; i < conns; i++) {
		w[i] = (struct worker){ .path = argv[1], .until = start + secs };
		pthread_create(&t[i], NULL, work, &w[i]);
	}
	for (int i = 0; i < conns; i++) {
		pthread_join(t[i], NULL);
		total += w[i].done;
		failed |= w[i].failed;
	}
	printf("%.0f\n", (double)total / (now() - start));
	if (failed)
		fprintf(stderr, "pingload: a request failed: %s\n", strerror(errno));
	return failed;
}

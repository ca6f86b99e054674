/* load.c — see load.h. */
#include "load.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct worker {
	const struct load_ops *ops;
	void *arg;
	const char *req;
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

/* One response: the head, then Content-Length bytes (one request at a time,
 * so nothing follows it). */
static int read_response(const struct load_ops *ops, void *c, char *buf, size_t size)
{
	size_t have = 0;

	for (;;) {
		long n = have < size - 1 ? ops->read(c, buf + have, size - 1 - have) : -1;
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
	struct worker *w = arg;
	size_t len = strlen(w->req);
	char buf[4096];
	void *c = w->ops->open(w->arg);

	if (!c) {
		w->failed = 1;
		return NULL;
	}
	while (now() < w->until) {
		if (w->ops->write(c, w->req, len) < 0 || read_response(w->ops, c, buf, sizeof(buf)) < 0) {
			w->failed = 1;
			break;
		}
		w->done++;
	}
	w->ops->close(c);
	return NULL;
}

double load_run(const struct load_ops *ops, void *arg, const char *req, double secs, int conns, int *failed)
{
	struct worker w[LOAD_CONNS_MAX];
	pthread_t t[LOAD_CONNS_MAX];
	double start = now();
	long total = 0;
	int started = 0;

	*failed = 0;
	for (; started < conns && started < LOAD_CONNS_MAX; started++) {
		w[started] = (struct worker){ .ops = ops, .arg = arg, .req = req, .until = start + secs };
		if (pthread_create(&t[started], NULL, work, &w[started]) != 0) {
			*failed = 1;
			break;
		}
	}
	for (int i = 0; i < started; i++) {
		pthread_join(t[i], NULL);
		total += w[i].done;
		*failed |= w[i].failed;
	}
	return (double)total / (now() - start);
}

/* load.h — the keep-alive load loop of bench/'s HTTP clients (tlsload over
 * mutual TLS, pingload over a Unix socket): CONNS threads, each with one
 * connection, sending one request at a time and reading the whole answer,
 * for SECONDS. The transport is the caller's: how a connection is opened,
 * written, read and closed. */
#ifndef BENCH_LOAD_H
#define BENCH_LOAD_H

#include <stddef.h>

#define LOAD_CONNS_MAX 64

struct load_ops {
	/* one connection to the server (arg is load_run's), or NULL */
	void *(*open)(void *arg);
	/* write all of len bytes: 0, or -1 */
	int (*write)(void *conn, const char *buf, size_t len);
	/* read up to len bytes: how many, or <= 0 at the end or on an error */
	long (*read)(void *conn, char *buf, size_t len);
	void (*close)(void *conn);
};

/* Runs the load: each answer must be HTTP/1.1 200 with a Content-Length
 * (nothing chunked). Returns requests per second over the whole run;
 * *failed is 1 when a connection could not be opened or a request failed
 * (its connection then stops), else 0. conns is 1..LOAD_CONNS_MAX. */
double load_run(const struct load_ops *ops, void *arg, const char *req, double secs, int conns, int *failed);

#endif

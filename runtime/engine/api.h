/* api.h — what a route handler of berthd sees: the request, the reply
 * helpers and the route tables (docs/engine.md).
 *
 * server.c reads one request at a time on each connection (a thread per
 * connection), strips the /v1.NN prefix, matches the route tables and calls
 * the handler. A handler answers exactly once with one of the reply_*
 * functions (or a stream: reply_stream_start, reply_chunk…, reply_stream_end;
 * or reply_upgrade, after which r->fd is the raw duplex stream and the
 * handler owns the connection until it returns <0). Every response carries
 * Api-Version, Ostype, Server and Docker-Experimental (DOCKER_API.md §2).
 */
#ifndef BERTH_RUNTIME_ENGINE_API_H
#define BERTH_RUNTIME_ENGINE_API_H

#include <stddef.h>
#include <sys/types.h>

#include "lib/err.h"
#include "lib/http.h"
#include "lib/json.h"

struct engine;
struct conn;

struct req {
	struct engine *eng;
	int fd;                     /* the client's socket */
	const char *method;
	const char *path;           /* decoded, without the /vX.Y prefix */
	const char *query;          /* raw, "" when none */
	int api_minor;              /* 1.<minor> asked for (or the server's) */
	const char *param[4];       /* the {} parts of the route pattern, decoded */
	const struct http_parser *hp;
	const char *body; size_t body_len;   /* ROUTE_BODY: the whole body */
	/* private to server.c after this */
	struct conn *c;
	int replied;                /* a status line has been sent */
	int streaming;              /* a chunked response is open */
	int keep;                   /* the connection may serve another request */
	int head;                   /* HEAD: no body is sent */
	int body_done;              /* the request body has been read to its end */
	const char *const *xhdr;    /* more response headers: name, value, …, NULL */
};

typedef int route_fn(struct req *r);   /* 0: the connection may be kept; <0: close it */
#define ROUTE_BODY   1   /* read the whole body first (≤ CONFIG_ENGINE_BODY_MAX, 413 beyond) */
#define ROUTE_STREAM 2   /* the handler reads the body with req_read */
/* pattern: "/containers/{}/start"; {} is one path segment, {*} one or more
 * segments (image names: "/images/{*}/json"). */
struct route { const char *method; const char *pattern; route_fn *fn; unsigned flags; };
/* each api_*.c exports its table: */
extern const struct route api_system_routes[], api_images_routes[], api_volumes_routes[],
	api_containers_routes[], api_exec_routes[];   /* each ends with { NULL } */
extern const struct route api_metrics_routes[];  /* api_metrics.c: GET /metrics */
extern const struct route api_slots_routes[];   /* api_slots.c: the disk image's A/B slots */
extern const struct route api_networks_routes[]; /* api_networks.c: bridge, host, none */

int reply_json(struct req *r, int status, const char *json, size_t n);
int reply_jsonw(struct req *r, int status, struct json_w *w);  /* finishes w; error → 500 */
/* (reply_jsonw also frees a growable w: json_w_free after it is harmless.) */
int reply_error(struct req *r, int status, const char *fmt, ...)  /* {"message":…} application/json */
	__attribute__((format(printf, 3, 4)));
int reply_status(struct req *r, int status);                       /* 204, 304 … no body */
int reply_stream_start(struct req *r, int status, const char *content_type); /* chunked, flushed now */
int reply_chunk(struct req *r, const void *p, size_t n);
/* One line of a JSON progress stream (load, pull): w finished and sent with
 * its newline as one chunk; a line over 2 KiB is left out. <0: the client
 * stopped taking the stream. */
int reply_json_line(struct req *r, struct json_w *w);
int reply_stream_end(struct req *r);
/* 101 UPGRADED with the media type; afterwards r->fd is a raw duplex stream
 * (its receive and send timeouts cleared). The server closes it when the
 * handler returns unless the handler took it (req_take_fd). */
int reply_upgrade(struct req *r, const char *content_type);
ssize_t req_read(struct req *r, void *buf, size_t n, struct berr *e);  /* ROUTE_STREAM body, 0 at end */
int req_peer_gone(struct req *r);    /* 1 when the client has closed (for waits and follows) */
int req_query(struct req *r, const char *name, char *val, size_t n);  /* 1 found, 0 absent, -1 bad */
int req_query_bool(struct req *r, const char *name);                  /* "1", "true" → 1 */

/* Added by E1 beyond the contract. */
/* After reply_upgrade: bytes the client sent after its request that were
 * already read (the start of the raw stream: stdin); *p points at them,
 * valid until the handler returns. Usually 0: the CLI waits for the 101. */
size_t req_upgrade_buffered(struct req *r, const char **p);
/* One DOCKER_API.md §5.2 frame (stream 1 stdout, 2 stderr, 3 systemerr:
 * header and payload) as one chunk of an open stream (logs). */
int reply_frame(struct req *r, int stream, const void *p, size_t n);
/* Take the client's socket: the server will not close it when the handler
 * returns (hand it to a shim, or keep it past the handler). r->fd stays
 * usable by the handler; closing it is now the caller's. */
int req_take_fd(struct req *r);
/* Whole text answers (a body of another type): 200 "OK" text/plain for _ping. */
int reply_text(struct req *r, int status, const char *content_type, const char *p, size_t n);
/* The error of a failed call: status from e->errnum (ENOENT 404, EEXIST/EBUSY
 * 409, EINVAL/EPROTO/E2BIG 400, EPERM/EACCES 403, else 500) and e->msg. */
int reply_berr(struct req *r, const struct berr *e);

#endif

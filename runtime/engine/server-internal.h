/* server-internal.h — shared by server.c, reply.c and router.c only. */
#ifndef BERTH_RUNTIME_ENGINE_SERVER_INTERNAL_H
#define BERTH_RUNTIME_ENGINE_SERVER_INTERNAL_H

#include "autoconf.h"
#include "lib/http.h"
#include "lib/sock.h"
#include "runtime/engine/api.h"

/* One client connection; allocated per connection (the parser's head
 * buffer is too big for a small thread stack). */
struct conn {
	struct engine *eng;
	int fd;
	struct sock_peer peer;
	struct http_parser hp;
	size_t in_off, in_len;
	const char *pend;           /* body bytes reported but not yet read */
	size_t pend_len;
	int rcv_ms;                 /* the SO_RCVTIMEO now set */
	int in_msg;                 /* a message has started (head timer) */
	int in_body;                /* its head is in: the body timer */
	char path[CONFIG_ENGINE_PATH_BYTES];
	char params[CONFIG_ENGINE_PATH_BYTES];
	char in[CONFIG_ENGINE_READ_BYTES];
};

/* router.c: match method + path (decoded, without the version prefix)
 * against every table; the params are copied into buf (NUL-separated) and
 * pointed at from param[]. Returns the route, or NULL. */
const struct route *router_match(const char *method, const char *path, const char *param[4],
				 char *buf, size_t size);

/* router.c: strip "/v1.NN" from path: *minor is NN (or the server's when
 * absent); returns the rest ("/" when nothing follows), or NULL when the
 * prefix is malformed (then the path is routed as it is: 404). */
const char *router_version(const char *path, int *minor);

/* router.c: for a path no route matches, the command of a Docker route
 * berthd does not serve ("docker pause": a table, router.c's unserved),
 * or NULL. The answer stays 404 ("docker pause is not supported on this
 * appliance"; "page not found" for the rest): the CLI's inspect walks
 * /networks/X and the other object types on 404. */
const char *router_unserved(const char *method, const char *path);

/* reply.c: the first response to a connection over the limit, or a
 * request refused before routing (400 with the parser's status…). */
int reply_raw_error(int fd, int status, const char *msg);

#endif

/* client.h — berth-fetch's HTTP/1.1 client: one GET per connection
 * (Connection: close), plaintext or TLS (lib/tls), name resolution from IP
 * literals, the /etc/hosts bytes read before the sandbox, "localhost", then
 * DNS (A records) from the nameservers of resolv.conf (dns.h).
 */
#ifndef BERTH_RUNTIME_FETCH_CLIENT_H
#define BERTH_RUNTIME_FETCH_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"
#include "lib/tls.h"
#include "runtime/fetch/dist.h"

struct client {
	const struct tls_anchors *ca;   /* for https */
	const char *hosts;              /* /etc/hosts contents, NUL-terminated, or NULL */
	const uint32_t *ns;             /* IPv4 nameservers (network order) */
	int nns;
	int timeout_ms;                 /* connect, and each read without bytes */
};

struct client_resp {
	int status;
	char ctype[MEDIA_MAX];
	char location[DIST_URL_MAX];
	char www_auth[1024];
	char digest[DIGEST_STR_LEN + 1];   /* Docker-Content-Digest */
	char crange[128];
	uint64_t length;                    /* Content-Length, UINT64_MAX when absent */
};

/* Takes body bytes; <0 stops the transfer with e set. */
typedef int client_sink_fn(void *ctx, const char *p, size_t n, struct berr *e);

/* GET u with the given header values (NULL: not sent; range_from 0: no
 * Range). A 2xx body goes to sink; any other status's body is dropped
 * (up to a limit). Returns 0 with r filled, <0 on a transport failure. */
int client_get(const struct client *c, const struct dist_url *u, const char *accept, const char *auth,
	       uint64_t range_from, struct client_resp *r, client_sink_fn *sink, void *ctx,
	       struct berr *e);

/* Resolve host (see above) to an address for port. */
int client_resolve(const struct client *c, const char *host, unsigned port, void *sa, unsigned *salen,
		   struct berr *e);

#endif

/* apid.h — berth-apid's daemon state and the parts that share it
 * (server.c, proxy.c, relay.c, local.c, logs.c, metrics.c, audit.c, main.c).
 * Internal to runtime/api.
 */
#ifndef BERTH_API_APID_H
#define BERTH_API_APID_H

#include <pthread.h>
#include <stdint.h>

#include "autoconf.h"
#include "lib/http.h"
#include "lib/prom.h"
#include "lib/tls.h"
#include "runtime/api/conf.h"
#include "runtime/api/route.h"

/* A connection's state, for the eviction rule (server.c). */
enum aconn_state {
	ACONN_HANDSHAKE,   /* TLS handshake running */
	ACONN_WAITING,     /* waiting for (or reading) a request head: idle */
	ACONN_BUSY,        /* a request is being served or relayed */
	ACONN_EVICTED,     /* shut down to make room; its thread is leaving */
};

/* The metrics apid keeps (metrics.c). */
#define API_REQ_SERIES_MAX 512
struct api_req_series {
	const struct api_route *rt;
	char method[8];
	int code;
	uint64_t n;
};
struct api_metrics {
	pthread_mutex_t mu;
	struct api_req_series req[API_REQ_SERIES_MAX];
	int n_req;
	struct prom_hist *dur;         /* one per route row, and one for "other" (last) */
	int n_dur;
	uint64_t hs_ok, hs_no_cert, hs_bad_cert, hs_protocol;
	uint64_t conns_total;
};

struct audit {
	pthread_mutex_t mu;
	int dirfd;                     /* the audit log's directory, opened before the drop */
	int fd;                        /* the log, O_APPEND */
	char name[API_PATH_MAX];       /* its name in dirfd */
	long long max;                 /* rotate to NAME.1 past this size */
	long long size;
};

struct aconn;

struct apid {
	struct api_conf conf;
	struct tls_creds creds;
	struct tls_anchors ca;
	struct tls_crl *crl;           /* current CRL or NULL; swapped under crl_mu */
	pthread_mutex_t crl_mu;
	struct timespec crl_mtime;     /* of the CRL loaded */
	int crl_dirfd;                 /* the CRL's directory, opened before the drop */
	char crl_name[API_PATH_MAX];   /* its name in crl_dirfd */
	long long crl_checked_ms;      /* last look at its mtime */
	struct tls_server tls;
	int64_t cert_not_after, ca_not_after;
	long long started_ms;          /* tls_now_ms() at start */
	int data_fd;                   /* the data partition's directory (fstatfs) */
	struct audit audit;
	struct api_metrics metrics;

	pthread_mutex_t mu;            /* conns, n_conns, idle, n_idle */
	struct aconn *conns;           /* every live connection, newest first */
	int n_conns;
	struct aconn *idle;            /* threads waiting for a connection (server.c) */
	int n_idle;
};

/* One client connection (server.c allocates it; one thread drives it). */
struct aconn {
	struct apid *d;
	struct aconn *next, *prev;     /* apid's list (or the idle one), under d->mu */
	pthread_cond_t wake;           /* an idle thread: fd was given */
	enum aconn_state state;        /* under d->mu */
	long long since_ms;            /* when state was entered */
	int fd;
	int eng;                       /* engine.sock connection, -1 when none */
	enum api_role role;
	const struct tls_peer_id *peer;
	struct http_parser hp;         /* requests from the client */
	struct http_parser rp;         /* responses from berthd */
	char path[1024];
	size_t in_off, in_len;         /* client plaintext not yet fed to hp */
	int in_msg;                    /* a message has started */
	int in_body;                   /* its head is read: the body timer */
	long long head_deadline_ms;    /* the head must be complete by then */
	char in[CONFIG_API_IO_BYTES];
	char out[CONFIG_API_IO_BYTES]; /* berthd's bytes on their way out */
	struct tls_conn tls;
};

/* main.c: load the CRL again when its mtime changed (at most once a
 * second; the accepting thread calls it). */
void apid_crl_check(struct apid *d);

/* server.c */
int apid_serve(struct apid *d, int lfd, int sigfd, struct berr *e);
void aconn_state(struct aconn *c, enum aconn_state s);

/* proxy.c: the requests of one connection after its handshake. */
void proxy_serve(struct aconn *c);
/* An error answer of apid's own, with berthd's headers (DOCKER_API.md §2). */
int proxy_error(struct aconn *c, int status, int keep, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* A whole answer (Content-Length) of apid's own. */
int proxy_reply(struct aconn *c, int status, const char *ctype, const char *body, size_t n,
		int keep);
/* A streamed answer of apid's own: the 200 head, chunked for HTTP/1.1;
 * for HTTP/1.0 (no chunked coding) the body goes raw, ends with the close
 * and *keep becomes 0. Then proxy_chunk per piece (an empty one is
 * nothing) and proxy_stream_end (the last chunk, and a flush). */
int proxy_stream_head(struct aconn *c, const char *ctype, int *keep, struct berr *e);
int proxy_chunk(struct aconn *c, const char *data, size_t len, struct berr *e);
int proxy_stream_end(struct aconn *c, struct berr *e);
/* A connection to berthd's socket (path), or -1 with e. */
int proxy_dial(const char *path, struct berr *e);

/* relay.c: after a 101, both ways until berthd's side ends. buffered: the
 * client bytes already read after the request; early: berthd's bytes after
 * the 101 head. */
void relay_run(struct aconn *c, const char *buffered, size_t nb, const char *early, size_t ne);

/* local.c: apid's own routes (API_R_LOCAL); returns the status sent, <0
 * when the connection must close. */
int local_serve(struct aconn *c, const struct api_route *rt, int *keep);
/* logs.c: GET /berth/v1/logs?service=NAME[&follow=1][&tail=N]. */
int logs_serve(struct aconn *c, int *keep);
/* GET /metrics: berthd's families and apid's, chunked. */
int local_metrics(struct aconn *c, int *keep);

/* metrics.c */
int metrics_init(struct api_metrics *m, struct berr *e);
void metrics_request(struct api_metrics *m, const struct api_route *rt, const char *method,
		     int code, double seconds);
void metrics_handshake(struct api_metrics *m, enum tls_fail f);
/* apid's families, written to w */
void metrics_write(struct apid *d, struct prom_w *w);

/* audit.c */
int audit_open(struct audit *a, const char *path, long long max, uid_t owner, struct berr *e);
void audit_line(struct audit *a, const struct tls_peer_id *peer, const char *method,
		const char *target, int status);

#endif

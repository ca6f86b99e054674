/* engine.h — berthd's state: one struct engine made in main and handed to
 * every connection thread through struct req (docs/engine.md).
 *
 * Locking: eng->mu guards the engine's tables (the containers of ctr.h, the
 * connection count, the event ring); store_mu guards the image store (its
 * index is not shared between threads; an import holds it throughout).
 * Never take eng->mu and then store_mu… in the other order: store_mu first.
 */
#ifndef BERTH_RUNTIME_ENGINE_ENGINE_H
#define BERTH_RUNTIME_ENGINE_ENGINE_H

#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "autoconf.h"
#include "lib/err.h"
#include "lib/log.h"
#include "runtime/image/store.h"

#define ENGINE_VERSION "28.2.2-berth"	/* what /version and Server: say */
#define ENGINE_API_MINOR_MAX 47		/* advertised: 1.47 */
#define ENGINE_API_MINOR_MIN 24		/* oldest accepted: 1.24 */
#define ENGINE_PATH_MAX 256		/* data root, run dir, socket, config paths */

struct engine_conf {
	char data_root[ENGINE_PATH_MAX];   /* --data-root, [engine] data_root */
	char run_dir[ENGINE_PATH_MAX];     /* --run-dir, [engine] run_dir */
	char socket[ENGINE_PATH_MAX];      /* --socket; default run_dir/engine.sock */
	char group[64];                    /* --group, [engine] group: the socket's group */
	char libexec[ENGINE_PATH_MAX];     /* where berth-unpack, berth-shim, berth-proxy are */
	long long head_ms;                 /* [engine] head_timeout: a started request */
	long long idle_ms;                 /* [engine] idle_timeout: between requests */
	long long body_ms;                 /* [engine] body_timeout: a request body stalled */
	long long send_ms;                 /* [engine] send_timeout: a client not reading */
	int conns_max;                     /* [engine] connections (≤ CONFIG_ENGINE_CONNS_MAX) */
	int sandbox;                       /* [engine] sandbox = no: keep every capability */
	/* docker pull (api_pull.c, docs/pull.md) */
	char pull_insecure[1024];          /* [engine] insecure_registries: plaintext HTTP */
	char pull_registries[1024];        /* [policy] registries: allowed ("*": any) */
	char pull_ca_bundle[ENGINE_PATH_MAX]; /* [engine] ca_bundle */
	char pull_certs_dir[ENGINE_PATH_MAX]; /* [engine] certs_dir: HOST:PORT/ca.crt */
	int pull_parallel;                 /* [engine] pull_parallel: layers at once */
};

/* One event of GET /events (Docker's events.Message). */
struct engine_ev {
	uint64_t seq;                      /* 1, 2, …: the ring's order */
	int64_t time_ns;                   /* unix ns */
	char type[16];                     /* container, image, volume, network */
	char action[32];                   /* create, start, die, destroy, tag, delete… */
	char id[160];                      /* container id, image name or digest, volume */
	char attrs[CONFIG_ENGINE_EVENT_ATTRS_BYTES]; /* "k\0v\0k\0v\0\0" */
};

struct engine_events {
	uint64_t next;                     /* seq of the next event */
	struct engine_ev ring[CONFIG_ENGINE_EVENTS_MAX];
};

struct policy;     /* runtime/policy/policy.h (P): set up by main from [policy] */
struct net_conf;   /* runtime/net/net.h (N): set up by main from [network] */
struct ctr_table;  /* runtime/engine/ctr.h (E2) */

struct engine {
	pthread_mutex_t mu;                /* the tables below */
	pthread_cond_t ev_cond;            /* broadcast on each event */
	struct engine_conf conf;
	struct logger log;
	pthread_mutex_t store_mu;          /* the image store */
	pthread_mutex_t vol_mu;            /* volumes/ (volumes.h); before mu */
	struct store store;
	struct policy *policy;
	struct net_conf *net;
	struct ctr_table *ctrs;
	struct engine_events *events;      /* allocated once */
	int conns;                         /* connections being served */
	int images_n;                      /* images in the store, for /info */
	gid_t sock_gid;                    /* the socket's group, (gid_t)-1: root only */
	int stopping;                      /* SIGTERM seen */
	int cgroup_ok;                     /* cgroup v2 usable (E2/S set and read it) */
	uint64_t caps_extra;               /* capabilities kept beyond sandbox.c's (the policy's) */
	int64_t start_ns;                  /* unix ns at start */
	char hostname[65];
	char id[65];                       /* /info ID: stable per data root */
};

/* Record an event and wake GET /events streams. The variadic part is
 * "key", "value" pairs ending with NULL (the Actor's Attributes); what does
 * not fit in CONFIG_ENGINE_EVENT_ATTRS_BYTES is left out. Takes eng->mu. */
void engine_event(struct engine *eng, const char *type, const char *action, const char *id,
		  ...) __attribute__((sentinel));

/* Unix nanoseconds now. */
int64_t engine_now_ns(void);

/* The configuration: defaults, then the file (a missing file is fine when
 * it was not named on the command line), then the command line wins.
 * Errors are counted in *errors after each was logged. */
void engine_conf_init(struct engine_conf *c);
int engine_conf_file(struct engine *eng, const char *path, int must_exist, struct berr *e);

/* Serve the listening socket until SIGTERM/SIGINT (blocked by the caller,
 * handed in as a signalfd). */
int engine_serve(struct engine *eng, int lfd, int sigfd, struct berr *e);

/* Keep only the capabilities berthd needs (plus caps_extra), set
 * no_new_privs and load berthd's seccomp filter (sandbox.c). Call it while
 * berthd is one thread, after the socket is open. */
int engine_sandbox(struct engine *eng, struct berr *e);
/* The capability set engine_sandbox keeps (bit n: capability n). */
uint64_t engine_caps(const struct engine *eng);

/* Copy the events after seq (oldest first) into out[0..n): the count;
 * *lost is set when events after seq have already left the ring. Takes
 * eng->mu. */
int engine_events_after(struct engine *eng, uint64_t seq, struct engine_ev *out, int n, int *lost);

#endif

/* ctr-internal.h — the container table shared by ctr*.c, api_containers.c
 * and api_exec.c (docs/engine-containers.md).
 *
 * Locking: eng->mu guards the table and every field of struct ctr and
 * struct ctr_exec below. Nothing blocking (a shim call, a mount, a disk
 * write of more than a record) is done with it held, except record writes.
 * One lifecycle change at a time per container: `busy` is taken (under mu)
 * by start, stop, restart, remove and the watcher's restart, and waited for
 * on tab->cond, which is broadcast on every change of state.
 * A struct ctr lives until its last reference goes (ctr_put): a handler
 * that drops mu keeps its ctr alive with a reference.
 */
#ifndef BERTH_ENGINE_CTR_INTERNAL_H
#define BERTH_ENGINE_CTR_INTERNAL_H

#include <pthread.h>
#include <stdint.h>
#include <sys/types.h>

#include "autoconf.h"
#include "lib/err.h"
#include "runtime/engine/ctr.h"
#include "runtime/engine/ctr_rec.h"
#include "runtime/engine/engine.h"
#include "runtime/launch/launch.h"

struct create_req;
struct imgconf;
struct req;

#define CTR_ATTACH_PENDING_MAX 8   /* hijacked attaches waiting for a start */
#define CTR_EXEC_ID_LEN 64

struct ctr_attach {
	int fd;                       /* the client connection, after its 101 */
	unsigned flags;               /* SHIM_* */
};

struct ctr {
	struct ctr_rec rec;
	int refs;                     /* the table's own + each holder */
	int gone;                     /* removed from the table: its name is free */
	int busy;                     /* a lifecycle change in progress */
	int watching;                 /* a watcher thread is blocked in shim_wait */
	int watch_fd;                 /* its shim connection (shut down at close) */
	int shim_up;                  /* a shim runs: attaches go to it */
	uint64_t exits;               /* count of exits seen: next-exit waits */
	int64_t restart_ns;           /* a pending restart: when (0 none) */
	int backoff_ms;               /* the next restart's delay */
	int n_attach;
	struct ctr_attach attach[CTR_ATTACH_PENDING_MAX];
};

struct ctr_exec {
	char id[CTR_EXEC_ID_LEN + 1];
	struct ctr *c;                /* a reference */
	char *body;                   /* the exec create body (re-read at start) */
	size_t body_len;
	int started;                  /* start was called */
	int no;                       /* the shim's number for it */
	int running;
	int exit_code;                /* final once started and !running */
	int has_code;
	pid_t pid;
	int64_t created_ns;
};

struct ctr_table {
	struct engine *eng;
	int dirfd;                    /* D/containers */
	pthread_cond_t cond;          /* broadcast on every state change */
	int closing;
	int threads;                  /* watcher threads alive */
	int bridge_up;                /* net_bridge_up done (at the first bridge start) */
	int n;
	struct ctr *c[CONFIG_ENGINE_CONTAINERS_MAX];
	int nx;
	struct ctr_exec *x[CONFIG_ENGINE_EXECS_MAX];
};

/* ------------------------------------------------------------ ctr.c */
/* Look a container up by full id, name ("/x" or "x") or unique id
 * prefix; mu held. ENOENT "No such container: X" or EINVAL for an ambiguous
 * prefix, as dockerd words them. */
struct ctr *ctr_find_locked(struct ctr_table *t, const char *ref, struct berr *e);
/* The same taking mu, with a reference (ctr_put it). */
struct ctr *ctr_get(struct engine *eng, const char *ref, struct berr *e);
void ctr_get_locked(struct ctr *c);
void ctr_put(struct engine *eng, struct ctr *c);
void ctr_put_locked(struct ctr *c);
/* Take c's busy flag (waits; mu held). -1 when c is gone meanwhile. */
int ctr_busy_take_locked(struct ctr_table *t, struct ctr *c, struct berr *e);
void ctr_busy_drop_locked(struct ctr_table *t, struct ctr *c);
/* The record of c, written (mu held). Failures are logged. */
int ctr_save_locked(struct ctr_table *t, struct ctr *c, struct berr *e);
/* A container's directory D/containers/<id> as an fd / a path. */
int ctr_dir_open(struct ctr_table *t, const struct ctr *c, struct berr *e);
void ctr_dir_path(const struct engine *eng, const char *id, const char *sub, char *out, size_t n);
/* R/shims/<id>/ctl */
void ctr_ctl_path(const struct engine *eng, const char *id, char *out, size_t n);
/* New container in the table with its record written (mu held); the
 * name must be free. */
int ctr_add_locked(struct ctr_table *t, struct ctr *c, struct berr *e);
/* Drop c from the table (its directory removed), mu held. */
int ctr_remove_locked(struct ctr_table *t, struct ctr *c, struct berr *e);
/* A hijacked connection for a shim: a close-on-exec copy of fd without
 * the server's timeouts. -1 on failure. */
int ctr_hijack_fd(int fd);
/* req_query and req_query_bool, but right when another parameter is
 * longer than val (a workaround: see ctr.c). */
int ctr_query(struct req *r, const char *name, char *val, size_t n);
int ctr_query_bool(struct req *r, const char *name);
/* Is name used by another container? (mu held) */
struct ctr *ctr_by_name_locked(struct ctr_table *t, const char *name);

/* ------------------------------------------------------------ ctr_spec.c */
/* What a container runs, read from its body and image: both allocated by
 * ctr_view_load, released by ctr_view_free. */
struct ctr_view {
	struct create_req *req;
	struct imgconf *img;          /* NULL when the image could not be read */
	const char *argv[CONFIG_LAUNCH_ENV_MAX + 1]; /* Entrypoint + Cmd, resolved */
	int argc;
	const char *env[CONFIG_LAUNCH_ENV_MAX];
	int n_env;
	const char *workdir, *user, *stop_signal;
};
int ctr_view_load(struct engine *eng, const struct ctr_rec *rec, struct ctr_view *v, struct berr *e);
void ctr_view_free(struct ctr_view *v);
/* "SIGTERM", "TERM", "15" → 15. -1 when unknown. */
int ctr_signal_parse(const char *s);
/* The restart policy of v: 0 no, 1 always, 2 unless-stopped, 3 on-failure */
enum ctr_restart ctr_restart_policy(const struct create_req *r, int64_t *max_retry);

/* The launch spec of one run, with the storage its strings point into
 * (allocated: it is large). */
struct ctr_launch {
	struct launch_spec spec;
	char rootfs[ENGINE_PATH_MAX + 128];
	char hostname[LAUNCH_HOSTNAME_MAX + 1];
	char netns[ENGINE_PATH_MAX + 128];
	char paths[CONFIG_LAUNCH_MOUNTS_MAX][ENGINE_PATH_MAX + 256];
};
/* Fill l from c and v: every mount resolved (binds through the policy,
 * volumes made when missing). net_mode: what the network is (the caller
 * made the namespace for LAUNCH_NET_NS). -1 with a 4xx-worthy e. */
int ctr_launch_build(struct engine *eng, const struct ctr *c, const struct ctr_view *v,
		     enum launch_net net, struct ctr_launch *l, struct berr *e);
/* Its network mode: LAUNCH_NET_NS (bridge), _NONE or _HOST. */
enum launch_net ctr_net_mode(const struct create_req *r);
/* The hostname of c: the body's or the short id. */
const char *ctr_hostname(const struct ctr *c, const struct create_req *r, char *buf, size_t n);
struct net_files_extra;
/* What the body adds to the container's /etc/hosts and resolv.conf
 * (HostConfig.Dns, DnsSearch, DnsOptions, ExtraHosts; Config.Domainname):
 * x points into r. */
void ctr_files_extra(const struct create_req *r, struct net_files_extra *x);

/* ------------------------------------------------- ctr_run.c, ctr_stop.c */
/* Start c: rootfs, network, mounts, spec, shim; 0, 1 when it already ran,
 * -1 with the launcher's message (AutoRemove honoured). Takes busy. */
int ctr_start(struct engine *eng, struct ctr *c, struct berr *e);
/* Stop: sig (0: the container's StopSignal), then SIGKILL after t seconds
 * (t < 0: StopTimeout or CONFIG_ENGINE_STOP_TIMEOUT). 1 when not running. */
int ctr_stop(struct engine *eng, struct ctr *c, int sig, int t, struct berr *e);
/* Send sig: EBUSY-class -1 "… is not running" when it is not; SIGKILL
 * returns once the exit is recorded (ETIMEDOUT-class -1 after 10 s). */
int ctr_kill(struct engine *eng, struct ctr *c, int sig, struct berr *e);
/* Remove: force kills a running one; v removes its anonymous volumes. */
int ctr_remove(struct engine *eng, struct ctr *c, int force, int v, struct berr *e);
/* Hand a hijacked connection to c's shim now, or keep it for the next start. */
int ctr_attach(struct engine *eng, struct ctr *c, int fd, unsigned flags, struct berr *e);
/* At berthd start: c's shim alive (watch it again) or not (mark exited,
 * clean up); then the restart policy for a container that should run. */
void ctr_reconcile(struct engine *eng, struct ctr *c);
/* Wait for every watcher to end (berthd exiting: shims and containers stay). */
void ctr_threads_join(struct engine *eng);
/* Wait on the table's condition until deadline (unix ns, 0: no limit); mu held. */
void ctr_cond_wait_until(struct ctr_table *t, int64_t deadline);
/* What a run leaves outside the container: the proxy, the network, the
 * rootfs mount. Idempotent; errors are logged. No mu. */
void ctr_run_teardown(struct engine *eng, const char *id, pid_t proxy);
/* Connect to c's shim (an fd) or -1. */
int ctr_shim_connect(struct engine *eng, const struct ctr *c, struct berr *e);

/* ------------------------------------------------------------ ctr_json.c */
/* GET /containers/{id}/json and one entry of GET /containers/json
 * (mu held; v may be NULL when the body could not be read). */
void ctr_json_inspect(struct engine *eng, const struct ctr *c, const struct ctr_view *v,
		      struct json_w *w);
void ctr_json_summary(struct engine *eng, const struct ctr *c, const struct ctr_view *v,
		      int size, struct json_w *w);
/* "Up 5 seconds", "Exited (0) 3 minutes ago", "Created". */
void ctr_status_text(const struct ctr *c, int64_t now_ns, char *out, size_t n);

#endif

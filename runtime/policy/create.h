/* create.h — the body of POST /containers/create, read once, strictly.
 *
 * One reader for berthd and berth-apid, so that the engine and the policy
 * (policy.h) can never read the same body differently:
 *
 * - lib/json's strict grammar: valid UTF-8, escapes checked, nesting
 *   bounded, and the same key twice in one object (after unescaping:
 *   "Privil\u0065ged" twice) refused.
 * - Keys are matched as Go's encoding/json matches struct fields (dockerd's
 *   reader): exactly first, otherwise case-insensitively with Go's folding
 *   (ASCII letters, and U+017F ſ ~ s, U+212A K ~ k). A key that folds to a
 *   known field but is not spelled exactly ("privileged", "BindS",
 *   "Bind\u017f") is refused (400) naming both: dockerd would act on it, so
 *   berthd never ignores it. Map keys (Labels, Sysctls, Tmpfs,
 *   PortBindings ...) are data and match exactly, as in Go.
 * - A HostConfig field at the top level (dockerd before 25.0 read it there
 *   too) is 400, never ignored.
 * - Keys that are no field berth knows are ignored (the CLI sends many).
 * - A wrong type is 400 naming the field ("HostConfig.Privileged: expected
 *   a boolean"). null is "not given", as in Go, for every field.
 * - Bounded by runtime/policy/Kconfig: a list, map or string pool over its
 *   bound is 400 naming the field.
 *
 * The fields below keep Docker's names (DOCKER_API.md §6 and the Engine
 * API's ContainerConfig + HostConfig). Every string is non-NULL ("" when
 * absent) and lives in the request's own pool: the request must outlive
 * the pointers taken from it. A create_req is large (the pool and the
 * token array are inside it): allocate it, do not put it on a thread's
 * small stack.
 */
#ifndef BERTH_POLICY_CREATE_H
#define BERTH_POLICY_CREATE_H

#include <stddef.h>
#include <stdint.h>

#include "autoconf.h"
#include "lib/err.h"
#include "lib/json.h"

/* A list of strings (Cmd, Env, CapAdd ...): v[0..n). set is 0 when the
 * body gave null or nothing, 1 for a list (even []): Cmd/Entrypoint null
 * mean "the image's", [] means "none". A Go StrSlice field (Cmd,
 * Entrypoint, CapAdd, CapDrop) also takes one string, read as a one-element
 * list, exactly as dockerd does. */
struct create_strs {
	const char *const *v;
	int n;
	int set;
};

/* One "key": "value" of a map (Labels, Sysctls). */
struct create_kv {
	const char *key;
	const char *value;
};

enum create_mnt_type { MNT_BIND, MNT_VOLUME, MNT_TMPFS };

/* Binds, Mounts, Tmpfs and Config.Volumes, normalised into one list in
 * the body's order. Two mounts on one target are 400, except that an
 * anonymous volume of Config.Volumes gives way to any other mount on its
 * target (dockerd's rule). Paths are lexically normalised ("//" → "/", "." dropped, ".."
 * applied, no trailing "/"); nothing is resolved here. */
struct create_mount {
	enum create_mnt_type type;
	const char *src;       /* BIND: the absolute host path; VOLUME: the volume
	                        * name, "" for an anonymous volume; TMPFS: "" */
	const char *dst;       /* absolute path in the container, never "/" */
	int ro;
	uint64_t size;         /* TMPFS: bytes, 0 the kernel's default */
	unsigned mode;         /* TMPFS: mode bits, 0 the default (1777) */
	int nocopy;            /* VOLUME: do not copy the image's files in */
	int exec;              /* TMPFS: exec asked for (default noexec) */
	const char *propagation; /* BIND: "" or rprivate, shared, rslave ... */
	const char *driver;    /* VOLUME: the driver ("" or "local") */
	int driver_opts;       /* VOLUME: how many driver options were given */
	int driver_host;       /* VOLUME: they mount something of the host
	                        * (device=, type= other than tmpfs, o=bind):
	                        * policy_check_create refuses it */
	const char *field;     /* where it came from: "HostConfig.Binds[0]" */
};

enum create_proto { PROTO_TCP, PROTO_UDP };

/* PortBindings "80/tcp": [{"HostIp": "", "HostPort": "8080"}]: one entry
 * per binding. host_port 0: any free port. */
struct create_port {
	uint16_t cport;
	enum create_proto proto;
	const char *host_ip;   /* "" : the configured publish addresses */
	uint16_t host_port;
};

/* ExposedPorts "80/tcp": {} */
struct create_exposed {
	uint16_t port;
	enum create_proto proto;
};

struct create_ulimit {
	const char *name;      /* "nofile" (as given; launch checks the name) */
	int64_t soft, hard;
};

struct create_restart {
	const char *name;      /* "", "no", "always", "on-failure", "unless-stopped" */
	int64_t max_retry;     /* MaximumRetryCount (>= 0) */
};

struct create_host {
	struct create_mount mounts[CONFIG_POLICY_MOUNTS_MAX]; /* Binds+Mounts+Tmpfs+Volumes */
	int n_mounts;
	struct create_port ports[CONFIG_POLICY_PORTS_MAX];    /* PortBindings */
	int n_ports;
	int publish_all;       /* PublishAllPorts */
	const char *network_mode; /* "default", "bridge", "none", "host", "container:X", or a name */
	struct create_restart restart;
	int auto_remove;
	int64_t memory, memory_swap;   /* bytes; 0 unset; swap -1 unlimited */
	int64_t nano_cpus, cpu_quota, cpu_period, cpu_shares;
	int64_t pids_limit;    /* pids_set 0: not given; 0 given: the default limit */
	int pids_set;
	int readonly_rootfs;
	struct create_strs cap_add, cap_drop; /* as given ("CAP_SYS_ADMIN", "ALL") */
	int privileged;
	struct create_strs security_opt;
	struct create_kv sysctls[CONFIG_POLICY_LIST_MAX];
	int n_sysctls;
	int n_devices, n_device_cgroup_rules, n_device_requests; /* counts only */
	const char *pid_mode, *ipc_mode, *uts_mode, *userns_mode, *cgroupns_mode;
	struct create_strs masked_paths, readonly_paths; /* set 1: an override */
	const char *cgroup_parent;
	int oom_kill_disable;
	int64_t oom_score_adj; /* OomScoreAdj, -1000..1000 (below 0 is policy's) */
	const char *runtime;
	int init, init_set;    /* Init: null (init_set 0), true or false */
	int64_t shm_size;
	struct create_ulimit ulimits[CONFIG_POLICY_LIST_MAX];
	int n_ulimits;
	struct create_strs dns, dns_search, dns_options, extra_hosts, group_add;
	int n_volumes_from, n_links;   /* counts only */
	const char *volume_driver;     /* HostConfig.VolumeDriver */
	struct create_log {
		const char *type;      /* LogConfig.Type */
		int n_opts;            /* LogConfig.Config: how many options */
	} log;
	unsigned console_h, console_w; /* ConsoleSize [h, w] */
};

struct create_req {
	const char *image;
	struct create_strs cmd, entrypoint, env;
	int cmd_set, entrypoint_set;   /* the same as cmd.set, entrypoint.set */
	const char *working_dir, *user, *hostname, *domainname;
	int tty, open_stdin, stdin_once;
	int attach_stdin, attach_stdout, attach_stderr;
	int network_disabled;
	struct create_kv labels[CONFIG_POLICY_LABELS_MAX];
	int n_labels;
	const char *stop_signal;       /* "" : the image's or SIGTERM */
	int64_t stop_timeout;          /* seconds, when stop_timeout_set */
	int stop_timeout_set;
	struct create_exposed exposed[CONFIG_POLICY_PORTS_MAX];
	int n_exposed;
	struct create_host host;       /* HostConfig (zero values when absent) */
	int healthcheck;               /* Healthcheck.Test asks for a check (not
	                                * absent, [] or ["NONE"]) */
	/* The first field given (not null, "", 0 or less, false, [] or {})
	 * among those Docker acts on and berth never does (CpusetCpus,
	 * BlkioWeight, MacAddress ...: create.c's "given" rows): the engine
	 * refuses it at create; "" when none. */
	const char *unsupported;

	/* private to the reader */
	size_t pool_used;
	int strs_used;
	char pool[CONFIG_POLICY_POOL_MAX];
	const char *strs[CONFIG_POLICY_STRS_MAX];
	jsmntok_t tok[CONFIG_POLICY_TOKENS_MAX];
};

/* Read body[0..len) into *r (all of it reset first). On failure e->msg is
 * the whole answer for a 400 ("HostConfig.Privileged: expected a boolean");
 * errnum is EPROTO for a body refused as written, ERANGE for a number out of
 * its field's range, E2BIG when over a bound: all three are 400s. */
int create_req_parse(const char *body, size_t len, struct create_req *r, struct berr *e);

#endif

/* launch.h — run one container: a root filesystem plus a spec becomes a
 * running, confined process (runtime/launch).
 *
 * berthd and berth-shim call this as a library; berth-run is the same code
 * as a command. launch_create checks every value of a spec before anything
 * (a namespace, a mount, a cgroup) is created. The first process leads its
 * own session and process group, without a controlling terminal unless
 * the spec asks for one (tty).
 *
 * The profile (SECURITY.md): mnt, pid, uts, ipc, net and cgroup namespaces;
 * proc, a /dev tmpfs holding only the launcher's nodes, devpts, shm,
 * mqueue, sysfs ro and cgroup2 ro, mounted through fds resolved with
 * openat2(RESOLVE_IN_ROOT); masked and read-only paths; pivot_root with the
 * old root detached; Docker's 14 capabilities, inheritable and ambient
 * empty; no_new_privs; the build-time seccomp filter, loaded last.
 */
#ifndef BERTH_LAUNCH_LAUNCH_H
#define BERTH_LAUNCH_LAUNCH_H

#include <linux/filter.h>
#include <stdint.h>
#include <sys/types.h>

#include "autoconf.h"
#include "lib/err.h"
#include "lib/seccomp.h"

#define LAUNCH_HOSTNAME_MAX 64

enum launch_net { LAUNCH_NET_NONE, LAUNCH_NET_HOST, LAUNCH_NET_NS };
enum launch_seccomp { LAUNCH_SECCOMP_DEFAULT, LAUNCH_SECCOMP_UNCONFINED, LAUNCH_SECCOMP_FILE };

struct launch_bind {
	const char *src;      /* host path (trusted: the operator's) */
	const char *dst;      /* path inside the container */
	int ro;
	int tmpfs;            /* a fresh tmpfs at dst instead (src unused) */
	unsigned long long size; /* tmpfs size in bytes, 0 = the kernel's default */
};

struct launch_sysctl {
	const char *key;      /* "net.ipv4.ip_forward" */
	const char *value;
};

struct launch_rlimit {
	int resource;         /* RLIMIT_* */
	unsigned long long soft, hard;
};

struct launch_spec {
	const char *rootfs;   /* the image's root directory (absolute) */
	char *const *argv;    /* the command, argv[0] looked up in the container's PATH */
	int argc;
	const char *hostname; /* NULL: 12 random hex digits */
	const char *env[CONFIG_LAUNCH_ENV_MAX]; /* "KEY=VALUE" */
	int n_env;
	const char *workdir;  /* NULL: "/" */
	const char *user;     /* "uid[:gid]" or names from the image; NULL: 0:0 */
	const char *groups_add[CONFIG_LAUNCH_SETTINGS_MAX];
	int n_groups_add;
	uint64_t caps;        /* bounding = permitted = effective */
	int read_only;
	struct launch_bind mounts[CONFIG_LAUNCH_MOUNTS_MAX];
	int n_mounts;
	enum launch_net net;
	const char *netns;    /* LAUNCH_NET_NS: a network namespace file */
	long long memory;     /* bytes; 0: no limit */
	long long cpus_milli; /* thousandths of a CPU; 0: no limit */
	long long pids_limit; /* 0: CONFIG_LAUNCH_PIDS_DEFAULT */
	const char *cgroup_parent; /* NULL: CONFIG_LAUNCH_CGROUP_PARENT */
	int require_cgroups;
	unsigned remap_uid, remap_gid, remap_count; /* count 0: no user namespace */
	enum launch_seccomp seccomp;
	const char *seccomp_file;
	int no_new_privs;
	int tty;
	struct launch_sysctl sysctls[CONFIG_LAUNCH_SETTINGS_MAX];
	int n_sysctls;
	struct launch_rlimit rlimits[CONFIG_LAUNCH_SETTINGS_MAX];
	int n_rlimits;
	/* The first process's stdin, stdout, stderr; -1 (launch_spec_init's
	 * default): the caller's own 0, 1, 2. Ignored with tty. */
	int stdio[3];
	/* The container's group name under cgroup_parent ("[A-Za-z0-9_.-]",
	 * at most 128 bytes, never "." or ".."); NULL: run-<pid>-<time>. A
	 * stale empty group of that name is removed first. */
	const char *cgroup_name;
};

/* What became of a launch: the class decides berth-run's exit code. */
enum launch_class {
	LAUNCH_EXITED,      /* the command ran and exited: status is its code */
	LAUNCH_SIGNALED,    /* the command was killed by signal n: status is 128+n */
	LAUNCH_ERR_SPEC,    /* an invalid spec (a value, a path, a combination) */
	LAUNCH_ERR_IMAGE,   /* the root filesystem cannot be run as asked */
	LAUNCH_ERR_SYS,     /* a system call failed while setting up */
	LAUNCH_ERR_EXEC,    /* the command could not be executed: status 126, or 127 (not found) */
};

#define LAUNCH_WARN_MAX 4
#define LAUNCH_WARN_LEN 256

/* What a launch reports besides the error, for the caller to print. */
struct launch_result {
	enum launch_class class;
	int status;            /* exit code, 128+n when killed by signal n, 126/127 */
	int cgroups_off;       /* ran without a cgroup (the host has none usable) */
	int n_warn;
	char warn[LAUNCH_WARN_MAX][LAUNCH_WARN_LEN]; /* things the operator should know */
};

/* A created container (launch_create .. launch_destroy). */
struct launch;

/* Fill s with the defaults: Docker's capabilities, no_new_privs on,
 * seccomp default, network none. */
void launch_spec_init(struct launch_spec *s);

/* Parsers for option values (clear EINVAL messages naming the value). */
int launch_parse_size(const char *v, long long *bytes, struct berr *e);  /* 512m, 1g, 4096 */
int launch_parse_cpus(const char *v, long long *milli, struct berr *e);  /* 1.5 */
int launch_parse_mount(const char *v, struct launch_bind *b, struct berr *e); /* SRC:DST[:ro] */
int launch_parse_tmpfs(const char *v, struct launch_bind *b, struct berr *e); /* DST[:SIZE] */
int launch_parse_sysctl(char *v, struct launch_sysctl *s, struct berr *e); /* KEY=VALUE (split in place) */
int launch_parse_rlimit(const char *v, struct launch_rlimit *r, struct berr *e); /* nofile=SOFT[:HARD] */
int launch_parse_remap(const char *v, struct launch_spec *s, struct berr *e); /* UID:GID:COUNT */
/* --cap-add/--cap-drop lists, Docker's way: ALL in adds = every capability
 * minus drops; ALL in drops = only adds; else default + adds - drops. */
int launch_caps(const char *const *add, int n_add, const char *const *drop, int n_drop,
		uint64_t *caps, struct berr *e);

/* Check every value of s, then make the container: cgroup, namespaces,
 * mounts, stdio (a terminal with s->tty), the privilege drop; its first
 * process waits before exec until launch_start. *lp gets the container,
 * which launch_destroy releases. On failure r->class says why and nothing
 * is left behind. s must stay valid until launch_destroy. The caller
 * becomes non-dumpable (a container process can never open it through
 * /proc), and should ignore SIGPIPE. */
int launch_create(const struct launch_spec *s, struct launch **lp, struct launch_result *r,
		  struct berr *e);

/* Let the first process exec the command. Fails (class LAUNCH_ERR_EXEC,
 * status 126 or 127) when the exec does. */
int launch_start(struct launch *l, struct launch_result *r, struct berr *e);

/* Wait for the first process to end, relaying the terminal (s->tty) and
 * passing on every signal read from sigfd (a signalfd; -1: none). r gets
 * LAUNCH_EXITED or LAUNCH_SIGNALED and the status. */
int launch_wait(struct launch *l, int sigfd, struct launch_result *r, struct berr *e);

/* Send sig to the first process (through its pidfd: never a reused pid). */
int launch_kill(struct launch *l, int sig, struct berr *e);

/* The first process's pid (in the caller's pid namespace). */
pid_t launch_pid(const struct launch *l);

/* Its pidfd (readable once it has ended: then launch_wait returns at
 * once), and the container's cgroup directory fd (-1 without cgroups);
 * both stay owned by l. */
int launch_pidfd(const struct launch *l);
int launch_cgroup_fd(const struct launch *l);

/* Hand the terminal's master (tty specs) to the caller after
 * launch_create and before launch_start: the caller relays it, and
 * launch_start/launch_wait do not. Returns the fd (the caller's to close);
 * EINVAL without a terminal or when it was taken already. */
int launch_tty_take(struct launch *l, struct berr *e);

/* Kill whatever still runs, remove the cgroup, free l. NULL is fine. */
void launch_destroy(struct launch *l);

/* Another process in a started container (docker exec). */
struct launch_exec_spec {
	char *const *argv;         /* the command, argv[0] looked up in the exec's PATH */
	const char *const *env;    /* "KEY=VALUE", over the container's own */
	int n_env;                 /* at most CONFIG_LAUNCH_ENV_MAX */
	const char *workdir;       /* NULL: the container's */
	const char *user;          /* NULL: the container's; else looked up in its image */
	uint64_t caps;             /* 0: the container's; else a subset of them */
	int tty;                   /* a new terminal of the container's devpts */
	int stdio[3];              /* without tty: fds 0-2 (-1: the caller's own) */
};
struct launch_proc;

/* Run x inside l's container: clone3 into its pid namespace and cgroup,
 * then its other namespaces through its pidfd, its rlimits, the user,
 * env and working directory, a terminal (x->tty) or stdio, and the
 * container's privilege drop (its capabilities or fewer, no_new_privs,
 * its seccomp filter). *pp gets the process once it has exec'd; a failed
 * exec is class LAUNCH_ERR_EXEC with status 126 or 127 and a message that
 * names the command. ESRCH when the container is not running. */
int launch_exec(struct launch *l, const struct launch_exec_spec *x, struct launch_proc **pp,
		struct launch_result *r, struct berr *e);
/* Its pidfd (readable once it has ended), its pid. */
int launch_proc_pidfd(const struct launch_proc *p);
pid_t launch_proc_pid(const struct launch_proc *p);
/* The terminal's master (tty execs): the caller's from now on. */
int launch_proc_tty_take(struct launch_proc *p, struct berr *e);
/* Wait for it to end (reaps it): r gets LAUNCH_EXITED or LAUNCH_SIGNALED
 * and the status. */
int launch_proc_wait(struct launch_proc *p, struct launch_result *r, struct berr *e);
/* SIGKILL it when still unreaped, reap, free. NULL is fine. */
void launch_proc_destroy(struct launch_proc *p);

/* create + start + wait, forwarding SIGHUP, SIGINT, SIGQUIT, SIGTERM,
 * SIGUSR1, SIGUSR2, SIGWINCH and SIGCONT: berth-run. Returns 0 when the
 * command ran (r->status), < 0 otherwise (r->class says why). */
int launch_run(const struct launch_spec *s, struct launch_result *r, struct berr *e);

#endif

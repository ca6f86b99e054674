/* launch-internal.h — what the parts of runtime/launch share; not part of
 * launch.h's API.
 *
 *   prepare.c  checks a spec and makes what the child needs (struct launch_ctx)
 *   user.c     the exec user, resolved in the image's /etc/passwd and /etc/group
 *   limits.c   the container's cgroup and its limits
 *   devices.c  the device allow-list attached to it
 *   run.c      the parent: create, start, wait, kill, destroy
 *   child.c    the first process between clone and exec
 *   mounts.c   the container's mount tree, built in the child
 */
#ifndef BERTH_LAUNCH_INTERNAL_H
#define BERTH_LAUNCH_INTERNAL_H

#include <linux/bpf.h>
#include <sys/types.h>

#include "runtime/launch/launch.h"
#include "runtime/launch/tty.h"

#define LAUNCH_GROUPS_MAX 64
#define LAUNCH_CG_PATH_MAX 512
/* envp: the spec's variables, then PATH, HOSTNAME, TERM and HOME when the
 * spec has none of its own, then NULL. */
#define LAUNCH_ENV_DEFAULTS 4

/* The exec user, resolved against the image before anything is created. */
struct launch_user {
	uid_t uid;
	gid_t gid;
	gid_t groups[LAUNCH_GROUPS_MAX];
	int n_groups;
	char home[256];
};

/* Everything the child needs, made by the parent before clone. */
struct launch_ctx {
	const struct launch_spec *spec;
	struct launch_user user;
	int no_pivot;        /* out of launch_mounts: the host root is the initramfs */
	int userns;          /* spec->remap_count > 0 */
	int no_devices;      /* no device program: /dev read-only, every other mount nodev */
	char hostname[LAUNCH_HOSTNAME_MAX + 1];
	const char **envp;   /* CONFIG_LAUNCH_ENV_MAX + LAUNCH_ENV_DEFAULTS + 1 (heap) */
	char env_home[300], env_hostname[LAUNCH_HOSTNAME_MAX + 16];
	const struct sock_filter *filter; /* NULL: unconfined */
	size_t filter_len;
	struct sock_filter *filter_buf; /* a --seccomp FILE (allocated only then) */
	int netns_fd;        /* LAUNCH_NET_NS */
	int msg_fd;          /* child → parent: struct launch_msg */
	int sync_fd;         /* parent → child: one byte once the id maps are written */
	int start_fd;        /* parent → child: one byte to exec (launch_start) */
	int tty_fd;          /* --tty: child → parent, the terminal's master */
};

/* What the child tells the parent over msg_fd: ready to exec, or why not.
 * After the "go" byte, end of file means the exec happened. */
enum launch_msg_kind { LAUNCH_MSG_READY = 1, LAUNCH_MSG_FAILED };
struct launch_msg {
	int kind;
	int class;           /* enum launch_class of a failure */
	struct berr e;
};

/* The container's cgroup (limits.c). */
struct launch_cg {
	const struct launch_spec *spec;
	int active;                    /* 0: no cgroup for this container */
	int made_parent;
	char parent[LAUNCH_CG_PATH_MAX];  /* /sys/fs/cgroup/<parent> */
	char path[LAUNCH_CG_PATH_MAX];    /* <parent>/<name> */
};

/* A created container (run.c; exec.c joins it). */
struct launch {
	struct launch_ctx c;
	struct launch_cg cg;
	int cgfd;
	pid_t pid;           /* 0: no child */
	int pidfd;
	int reaped;
	int msg_fd;          /* child → parent messages (read end) */
	int sync_w;          /* → child: go on with the setup */
	int start_w;         /* → child: exec */
	int tty_sock;        /* --tty: the master arrives here */
	int master;          /* --tty: the master, until the relay takes it */
	struct tty_relay relay;
	int started;         /* launch_start succeeded */
};

/* Add a warning to r (the last one is replaced when r is full). */
void launch_warn(struct launch_result *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* prepare.c: check s and fill c (which must be zeroed, netns_fd -1).
 * On failure *class says whose fault it was. launch_ctx_free releases
 * what prepare allocated or opened. */
int launch_prepare(const struct launch_spec *s, struct launch_ctx *c, enum launch_class *class,
		   struct berr *e);
void launch_ctx_free(struct launch_ctx *c);

/* user.c: parse spec->user / groups_add and resolve names in the image's
 * /etc/passwd and /etc/group (each opened O_PATH in the root, checked to be
 * a regular file, then read). */
int launch_user_resolve(int rootfd, const char *user, const char *const *groups_add,
			int n_groups_add, struct launch_user *u, struct berr *e);
/* The same on the files' contents (NUL-terminated): the parser, fed bytes. */
int launch_user_parse(const char *passwd, const char *group, const char *user,
		      const char *const *groups_add, int n_groups_add, struct launch_user *u, struct berr *e);

/* limits.c: decide whether cgroups can be used (a warning in r when not);
 * create the group with its limits and device program (*fd for
 * CLONE_INTO_CGROUP, -1 when inactive); kill what is left and remove it. */
int launch_cg_prepare(const struct launch_spec *s, struct launch_cg *cg, struct launch_result *r,
		      struct berr *e);
int launch_cg_create(struct launch_cg *cg, int *fd, struct berr *e);
void launch_cg_destroy(struct launch_cg *cg, int *fd);
/* The device program (an allow-list of character devices) and its
 * loading and attaching to the group cgfd. */
extern const struct bpf_insn launch_device_prog[];
extern const size_t launch_device_prog_len;
int launch_cg_devices(int cgfd, struct berr *e);

/* mounts.c: in the child's new mount namespace, build the container's
 * tree from spec->rootfs and pivot into it. On failure *class is
 * LAUNCH_ERR_SPEC for a mount the spec may not make (a reserved target). */
int launch_mounts(struct launch_ctx *c, enum launch_class *class, struct berr *e);

/* child.c: the child after clone; never returns. */
void launch_child(struct launch_ctx *c) __attribute__((noreturn));
/* child.c, shared with exec.c's child: every signal to its default and
 * an empty mask; stdio[3] (-1: keep) as fds 0-2; the spec's rlimits. */
void launch_reset_signals(void);
int launch_set_stdio(const int stdio[3], struct berr *e);
int launch_set_rlimits(const struct launch_spec *s, struct berr *e);
/* The capabilities the container's processes keep (spec->caps, less
 * CAP_SYS_CHROOT without pivot_root). */
uint64_t launch_caps_kept(const struct launch_ctx *c);

#endif

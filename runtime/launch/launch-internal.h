/* launch-internal.h — what the parent (run.c) hands to the child (child.c,
 * rootfs.c) and the exec user (user.c). Not part of launch.h's API. */
#ifndef BERTH_LAUNCH_INTERNAL_H
#define BERTH_LAUNCH_INTERNAL_H

#include <sys/types.h>

#include "runtime/launch/launch.h"

#define LAUNCH_GROUPS_MAX 64

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
	int no_pivot;        /* out of launch_rootfs: the host root is the initramfs */
	int userns;          /* spec->remap_count > 0 */
	int no_devices;      /* no device program: /dev read-only, every other mount nodev */
	char hostname[LAUNCH_HOSTNAME_MAX + 1];
	const char *envp[CONFIG_LAUNCH_ENV_MAX + 4]; /* NULL-terminated */
	char env_home[300], env_hostname[LAUNCH_HOSTNAME_MAX + 16];
	const struct sock_filter *filter; /* NULL: unconfined */
	size_t filter_len;
	struct sock_filter *filter_buf; /* a --seccomp FILE (allocated only then) */
	int netns_fd;        /* LAUNCH_NET_NS */
	int err_fd;          /* child → parent: a struct berr when setup fails */
	int sync_fd;         /* parent → child: one byte once the id maps are written */
	int tty_fd;          /* --tty: child → parent, the terminal's master */
	int nofile_clamped;  /* out: set in the child, reported through err_fd's absence */
};

/* user.c: parse spec->user / groups_add and resolve names in the image's
 * /etc/passwd and /etc/group (read through openat2 RESOLVE_IN_ROOT). */
int launch_user_resolve(int rootfd, const char *user, const char *const *groups_add,
			int n_groups_add, struct launch_user *u, struct berr *e);

/* rootfs.c: in the child's new mount namespace, build the container's
 * tree from spec->rootfs and pivot into it. */
int launch_rootfs(struct launch_ctx *c, struct berr *e);

/* child.c: the child after clone; never returns. */
void launch_child(struct launch_ctx *c) __attribute__((noreturn));

#endif

/* prepare.c — check every value of a spec and make what the child needs,
 * before anything (a namespace, a mount, a cgroup) is created. Each step
 * names the class of its failures: the operator's spec, the image, or the
 * system. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/caps.h"
#include "lib/conf.h"
#include "lib/util.h"
#include "runtime/launch/launch-internal.h"

#define DEFAULT_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* The one hostname check of the tree (lib/conf): RFC 1123 labels. */
static int check_hostname(const char *h, struct berr *e)
{
	return conf_hostname("hostname", h, NULL, LAUNCH_HOSTNAME_MAX + 1, e);
}

static int env_has(const struct launch_spec *s, const char *key)
{
	size_t n = strlen(key);

	for (int i = 0; i < s->n_env; i++)
		if (strncmp(s->env[i], key, n) == 0 && s->env[i][n] == '=')
			return 1;
	return 0;
}

/* The spec's variables, then the defaults it does not set itself, then
 * NULL: at most CONFIG_LAUNCH_ENV_MAX + LAUNCH_ENV_DEFAULTS + 1 entries. */
static int build_env(struct launch_ctx *c, struct berr *e)
{
	const struct launch_spec *s = c->spec;
	int n = 0;

	if (s->n_env < 0 || s->n_env > CONFIG_LAUNCH_ENV_MAX)
		return berr_set(e, E2BIG, "more than %d environment variables", CONFIG_LAUNCH_ENV_MAX);
	c->envp = calloc(CONFIG_LAUNCH_ENV_MAX + LAUNCH_ENV_DEFAULTS + 1, sizeof *c->envp);
	if (!c->envp)
		return berr_sys(e, "environment");
	for (int i = 0; i < s->n_env; i++) {
		const char *v = s->env[i], *eq = strchr(v, '=');
		if (!eq || eq == v)
			return berr_set(e, EINVAL, "env '%s': want KEY=VALUE", v);
		for (const char *p = v; p < eq; p++)
			if (!isalnum((unsigned char)*p) && *p != '_')
				return berr_set(e, EINVAL, "env '%s': bad character in the name", v);
		c->envp[n++] = v;
	}
	if (!env_has(s, "PATH"))
		c->envp[n++] = DEFAULT_PATH;
	if (!env_has(s, "HOSTNAME")) {
		snprintf(c->env_hostname, sizeof c->env_hostname, "HOSTNAME=%s", c->hostname);
		c->envp[n++] = c->env_hostname;
	}
	if (s->tty && !env_has(s, "TERM"))
		c->envp[n++] = "TERM=xterm";
	if (!env_has(s, "HOME")) {
		snprintf(c->env_home, sizeof c->env_home, "HOME=%s", c->user.home);
		c->envp[n++] = c->env_home;
	}
	c->envp[n] = NULL;
	return 0;
}

/* /dev, /proc and /sys of the image must not be symlinks (class 3, 5). */
static int check_special_dirs(int rootfd, const char *path, struct berr *e)
{
	static const char *const special[] = { "dev", "proc", "sys" };

	for (size_t i = 0; i < ARRAY_SIZE(special); i++) {
		struct stat st;
		if (fstatat(rootfd, special[i], &st, AT_SYMLINK_NOFOLLOW) < 0) {
			if (errno == ENOENT)
				continue;
			return berr_sys(e, "root %s: /%s", path, special[i]);
		}
		if (!S_ISDIR(st.st_mode))
			return berr_set(e, ELOOP, "root %s: /%s is a %s, not a directory: refused", path,
					special[i], S_ISLNK(st.st_mode) ? "symlink" : "file");
	}
	return 0;
}

/* Is the namespace file fd the same namespace as path's? */
static int same_ns(int fd, const char *path)
{
	struct stat a, b;

	return fstat(fd, &a) == 0 && stat(path, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/* A net.* sysctl changes the network namespace the container runs in:
 * never the host's (--network host, or netns: naming the host's own). */
static int check_net_sysctls(const struct launch_spec *s, int netns_fd, struct berr *e)
{
	const char *why = NULL;

	if (s->net == LAUNCH_NET_HOST)
		why = "--network host (the container has no network namespace of its own)";
	else if (s->net == LAUNCH_NET_NS && (same_ns(netns_fd, "/proc/1/ns/net") ||
					     same_ns(netns_fd, "/proc/self/ns/net")))
		why = "--network netns: naming the host's network namespace";
	for (int i = 0; why && i < s->n_sysctls; i++)
		if (strncmp(s->sysctls[i].key, "net.", 4) == 0)
			return berr_set(e, EPERM, "sysctl %s: refused with %s", s->sysctls[i].key, why);
	return 0;
}

/* The values that need nothing but the spec and the host. */
static int check_spec(const struct launch_spec *s, struct berr *e)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	if (s->argc < 1 || !s->argv[0] || !s->argv[0][0])
		return berr_set(e, EINVAL, "no command");
	if (!s->rootfs || s->rootfs[0] != '/')
		return berr_set(e, EINVAL, "root '%s': must be an absolute path", s->rootfs ? s->rootfs : "");
	if (s->workdir && s->workdir[0] != '/')
		return berr_set(e, EINVAL, "workdir '%s': must be an absolute path", s->workdir);
	if (s->cpus_milli > 1000LL * cpus)
		return berr_set(e, EINVAL, "cpus %lld.%03lld: more than the %ld CPUs of this host",
				s->cpus_milli / 1000, s->cpus_milli % 1000, cpus);
	if (s->remap_count && s->net != LAUNCH_NET_NONE)
		return berr_set(e, EINVAL, "--userns-remap needs --network none (sysfs is mounted for "
			       "the container's own network namespace)");
	if (s->hostname && check_hostname(s->hostname, e) < 0)
		return -1;
	for (int i = 0; i < s->n_mounts; i++) {
		struct stat st;
		if (!s->mounts[i].tmpfs && stat(s->mounts[i].src, &st) < 0)
			return berr_sys(e, "bind source %s", s->mounts[i].src);
	}
	if (s->seccomp != LAUNCH_SECCOMP_UNCONFINED && !s->no_new_privs)
		return berr_set(e, EINVAL, "a seccomp filter needs no_new_privs (the container "
			       "does not keep CAP_SYS_ADMIN)");
	return 0;
}

/* Capabilities the launcher holds itself; the hostname (random when the
 * spec has none). */
static int check_host(const struct launch_spec *s, struct launch_ctx *c, struct berr *e)
{
	uint64_t perm;

	if (caps_permitted(&perm, e) < 0)
		return -1;
	if (s->caps & ~perm) {
		char names[512];
		if (caps_format(s->caps & ~perm, names, sizeof names, e) < 0)
			return -1;
		return berr_set(e, EPERM, "capabilities %s: berth-run itself does not hold them", names);
	}
	if (s->hostname) {
		snprintf(c->hostname, sizeof c->hostname, "%s", s->hostname);
	} else {
		unsigned char r[6];
		if (getrandom(r, sizeof r, 0) != (ssize_t)sizeof r)
			return berr_sys(e, "getrandom");
		for (int i = 0; i < 6; i++)
			snprintf(c->hostname + 2 * i, 3, "%02x", r[i]);
	}
	return 0;
}

/* The root's shape and the exec user, looked up in the image. */
static int check_image(const struct launch_spec *s, struct launch_ctx *c, struct berr *e)
{
	int rootfd = open(s->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC), rc;

	if (rootfd < 0)
		return berr_sys(e, "root %s", s->rootfs);
	rc = check_special_dirs(rootfd, s->rootfs, e) < 0 ||
	     launch_user_resolve(rootfd, s->user, s->groups_add, s->n_groups_add, &c->user, e) < 0 ? -1 : 0;
	close(rootfd);
	if (rc < 0 || !s->remap_count)
		return rc;
	if (c->user.uid >= s->remap_count || c->user.gid >= s->remap_count)
		return berr_set(e, EINVAL, "user %u:%u: outside the %u ids of --userns-remap",
				(unsigned)c->user.uid, (unsigned)c->user.gid, s->remap_count);
	for (int i = 0; i < c->user.n_groups; i++)
		if (c->user.groups[i] >= s->remap_count)
			return berr_set(e, EINVAL, "group %u: outside the %u ids of --userns-remap",
					(unsigned)c->user.groups[i], s->remap_count);
	c->userns = 1;
	return 0;
}

/* The filter (build-time default, or the operator's file) and the joined
 * network namespace. */
static int open_inputs(const struct launch_spec *s, struct launch_ctx *c, struct berr *e)
{
	if (s->seccomp == LAUNCH_SECCOMP_DEFAULT) {
		c->filter = seccomp_default_filter;
		c->filter_len = seccomp_default_len;
	} else if (s->seccomp == LAUNCH_SECCOMP_FILE) {
		int n;
		c->filter_buf = calloc(SECCOMP_FILTER_MAX, sizeof *c->filter_buf);
		if (!c->filter_buf)
			return berr_sys(e, "seccomp filter buffer");
		n = seccomp_read_file(s->seccomp_file, c->filter_buf, SECCOMP_FILTER_MAX, e);
		if (n < 0)
			return -1;
		c->filter = c->filter_buf;
		c->filter_len = (size_t)n;
	}
	if (s->net == LAUNCH_NET_NS) {
		c->netns_fd = open(s->netns, O_RDONLY | O_CLOEXEC);
		if (c->netns_fd < 0)
			return berr_sys(e, "network namespace %s", s->netns);
	}
	return check_net_sysctls(s, c->netns_fd, e);
}

int launch_prepare(const struct launch_spec *s, struct launch_ctx *c, enum launch_class *class,
		   struct berr *e)
{
	c->spec = s;
	*class = LAUNCH_ERR_SPEC;
	if (check_spec(s, e) < 0 || open_inputs(s, c, e) < 0)
		return -1;
	if (check_host(s, c, e) < 0) {
		/* capabilities the launcher lacks were asked for: the spec's fault */
		if (e->errnum != EPERM)
			*class = LAUNCH_ERR_SYS;
		return -1;
	}
	*class = LAUNCH_ERR_IMAGE;
	if (check_image(s, c, e) < 0)
		return -1;
	*class = LAUNCH_ERR_SPEC;
	return build_env(c, e);
}

void launch_ctx_free(struct launch_ctx *c)
{
	fd_close(&c->netns_fd);
	free(c->filter_buf);
	c->filter_buf = NULL;
	free(c->envp);
	c->envp = NULL;
}

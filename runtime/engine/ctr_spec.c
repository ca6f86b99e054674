/* ctr_spec.c — what a container runs: its create body (read again with
 * create_req_parse, the one reader) over its image's config, and the
 * launch spec made of both.
 */
#include "runtime/engine/ctr-internal.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "lib/util.h"
#include "runtime/engine/images.h"
#include "runtime/engine/volumes.h"
#include "runtime/image/imgconf.h"
#include "runtime/policy/create.h"
#include "runtime/policy/policy.h"

static const struct {
	const char *name;
	int sig;
} signals[] = {
	{ "HUP", SIGHUP },   { "INT", SIGINT },     { "QUIT", SIGQUIT }, { "ILL", SIGILL },
	{ "TRAP", SIGTRAP }, { "ABRT", SIGABRT },   { "BUS", SIGBUS },   { "FPE", SIGFPE },
	{ "KILL", SIGKILL }, { "USR1", SIGUSR1 },   { "SEGV", SIGSEGV }, { "USR2", SIGUSR2 },
	{ "PIPE", SIGPIPE }, { "ALRM", SIGALRM },   { "TERM", SIGTERM }, { "CHLD", SIGCHLD },
	{ "CONT", SIGCONT }, { "STOP", SIGSTOP },   { "TSTP", SIGTSTP }, { "TTIN", SIGTTIN },
	{ "TTOU", SIGTTOU }, { "URG", SIGURG },     { "XCPU", SIGXCPU }, { "XFSZ", SIGXFSZ },
	{ "VTALRM", SIGVTALRM }, { "PROF", SIGPROF }, { "WINCH", SIGWINCH }, { "IO", SIGIO },
	{ "PWR", SIGPWR },   { "SYS", SIGSYS },
};

int ctr_signal_parse(const char *s)
{
	char *end;
	long n;

	if (!s || !*s)
		return -1;
	if (s[0] >= '0' && s[0] <= '9') {
		n = strtol(s, &end, 10);
		return *end || n < 1 || n > 64 ? -1 : (int)n;
	}
	if (strncasecmp(s, "SIG", 3) == 0)
		s += 3;
	for (size_t i = 0; i < ARRAY_SIZE(signals); i++)
		if (strcasecmp(s, signals[i].name) == 0)
			return signals[i].sig;
	return -1;
}

enum ctr_restart ctr_restart_policy(const struct create_req *r, int64_t *max_retry)
{
	const char *n = r->host.restart.name;

	*max_retry = r->host.restart.max_retry;
	if (strcmp(n, "always") == 0)
		return CTR_RESTART_ALWAYS;
	if (strcmp(n, "unless-stopped") == 0)
		return CTR_RESTART_UNLESS_STOPPED;
	if (strcmp(n, "on-failure") == 0)
		return CTR_RESTART_ON_FAILURE;
	return CTR_RESTART_NO;
}

/* ------------------------------------------------------------------ view */

static int env_key_eq(const char *a, const char *b)
{
	size_t i = 0;

	for (; a[i] && a[i] != '=' && a[i] == b[i]; i++)
		;
	return (a[i] == '=' || !a[i]) && (b[i] == '=' || !b[i]);
}

static int env_add(struct ctr_view *v, const char *kv, struct berr *e)
{
	for (int i = 0; i < v->n_env; i++)
		if (env_key_eq(v->env[i], kv)) {
			v->env[i] = kv;
			return 0;
		}
	if (v->n_env >= (int)ARRAY_SIZE(v->env))
		return berr_set(e, E2BIG, "Env: more than %zu variables", ARRAY_SIZE(v->env));
	v->env[v->n_env++] = kv;
	return 0;
}

static int argv_add(struct ctr_view *v, const char *const *a, int n, struct berr *e)
{
	if (v->argc + n > (int)ARRAY_SIZE(v->argv) - 1)
		return berr_set(e, E2BIG, "Cmd: more than %zu arguments", ARRAY_SIZE(v->argv) - 1);
	for (int i = 0; i < n; i++)
		v->argv[v->argc++] = a[i];
	v->argv[v->argc] = NULL;
	return 0;
}

static int view_resolve(struct ctr_view *v, struct berr *e)
{
	const struct create_req *r = v->req;
	const struct imgconf *im = v->img;
	static const char *const path = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	int has_path = 0;

	/* Entrypoint, then Cmd: a given Entrypoint drops the image's Cmd */
	if (r->entrypoint.set) {
		if (argv_add(v, r->entrypoint.v, r->entrypoint.n, e) < 0)
			return -1;
	} else if (im && argv_add(v, im->entrypoint, im->entrypoint_n, e) < 0) {
		return -1;
	}
	if (r->cmd.set) {
		if (argv_add(v, r->cmd.v, r->cmd.n, e) < 0)
			return -1;
	} else if (im && !r->entrypoint.set && argv_add(v, im->cmd, im->cmd_n, e) < 0) {
		return -1;
	}
	for (int i = 0; im && i < im->env_n; i++)
		if (env_add(v, im->env[i], e) < 0)
			return -1;
	for (int i = 0; i < r->env.n; i++)
		if (env_add(v, r->env.v[i], e) < 0)
			return -1;
	for (int i = 0; i < v->n_env; i++)
		has_path |= strncmp(v->env[i], "PATH=", 5) == 0;
	if (!has_path && env_add(v, path, e) < 0)
		return -1;
	v->workdir = *r->working_dir ? r->working_dir : im && im->workdir && *im->workdir ? im->workdir : "";
	v->user = *r->user ? r->user : im && im->user && *im->user ? im->user : "";
	v->stop_signal = *r->stop_signal ? r->stop_signal
			 : im && im->stop_signal && *im->stop_signal ? im->stop_signal : "SIGTERM";
	return 0;
}

int ctr_view_load(struct engine *eng, const struct ctr_rec *rec, struct ctr_view *v, struct berr *e)
{
	struct berr ie;

	memset(v, 0, sizeof(*v));
	v->req = malloc(sizeof(*v->req));
	v->img = malloc(sizeof(*v->img));
	if (!v->req || !v->img) {
		ctr_view_free(v);
		return berr_set(e, ENOMEM, "out of memory");
	}
	if (create_req_parse(rec->body, rec->body_len, v->req, e) < 0) {
		ctr_view_free(v);
		return berr_prefix(e, "container %.12s: its create body", rec->id);
	}
	if (images_config(eng, rec->image, v->img, &ie) < 0) {
		/* the image went (or cannot be read): what the body says still holds */
		free(v->img);
		v->img = NULL;
	}
	if (view_resolve(v, e) < 0) {
		ctr_view_free(v);
		return -1;
	}
	return 0;
}

void ctr_view_free(struct ctr_view *v)
{
	free(v->req);
	free(v->img);
	v->req = NULL;
	v->img = NULL;
}

/* ------------------------------------------------------------ launch spec */

enum launch_net ctr_net_mode(const struct create_req *r)
{
	const char *m = r->host.network_mode;

	if (r->network_disabled || strcmp(m, "none") == 0)
		return LAUNCH_NET_NONE;
	if (strcmp(m, "host") == 0)
		return LAUNCH_NET_HOST;
	return LAUNCH_NET_NS;
}

const char *ctr_hostname(const struct ctr *c, const struct create_req *r, char *buf, size_t n)
{
	if (*r->hostname)
		snprintf(buf, n, "%s", r->hostname);
	else
		snprintf(buf, n, "%.12s", c->rec.id);
	return buf;
}

static int add_bind(struct ctr_launch *l, const char *src, const char *dst, int ro, struct berr *e)
{
	struct launch_spec *s = &l->spec;
	struct launch_bind *b;

	if (s->n_mounts >= CONFIG_LAUNCH_MOUNTS_MAX)
		return berr_set(e, E2BIG, "HostConfig.Mounts: more than %d mounts (CONFIG_LAUNCH_MOUNTS_MAX)",
				CONFIG_LAUNCH_MOUNTS_MAX);
	b = &s->mounts[s->n_mounts];
	memset(b, 0, sizeof(*b));
	if (src) {
		snprintf(l->paths[s->n_mounts], sizeof(l->paths[0]), "%s", src);
		b->src = l->paths[s->n_mounts];
	}
	b->dst = dst;
	b->ro = ro;
	s->n_mounts++;
	return 0;
}

static int add_mount(struct engine *eng, const struct ctr *c, const struct create_mount *m, int i,
		     struct ctr_launch *l, struct berr *e)
{
	char path[ENGINE_PATH_MAX + 256], name[CTR_ID_LEN + 16];
	char *res;

	switch (m->type) {
	case MNT_TMPFS:
		if (add_bind(l, NULL, m->dst, m->ro, e) < 0)
			return -1;
		l->spec.mounts[l->spec.n_mounts - 1].tmpfs = 1;
		l->spec.mounts[l->spec.n_mounts - 1].size = m->size;
		return 0;
	case MNT_VOLUME:
		/* an anonymous volume is named after its container, so that a
		 * restart finds it again and rm -v removes it */
		if (*m->src)
			snprintf(name, sizeof(name), "%s", m->src);
		else
			snprintf(name, sizeof(name), "%s-%d", c->rec.id, i);
		if (volume_path(eng, name, 1, path, sizeof(path), e) < 0)
			return berr_prefix(e, "%s", m->field);
		return add_bind(l, path, m->dst, m->ro, e);
	case MNT_BIND:
		/* the policy judges what the path is now, links resolved */
		res = realpath(m->src, NULL);
		if (!res)
			return berr_sys(e, "%s: invalid mount config: bind source path %s", m->field, m->src);
		if (policy_bind_allowed(eng->policy, res, e) < 0) {
			free(res);
			e->errnum = EPERM;
			return -1;
		}
		if (add_bind(l, res, m->dst, m->ro, e) < 0) {
			free(res);
			return -1;
		}
		free(res);
		return 0;
	}
	return berr_set(e, EINVAL, "%s: unknown mount type", m->field);
}

static int add_rlimits(const struct create_req *r, struct launch_spec *s, struct berr *e)
{
	char buf[128];

	for (int i = 0; i < r->host.n_ulimits; i++) {
		const struct create_ulimit *u = &r->host.ulimits[i];

		if (s->n_rlimits >= CONFIG_LAUNCH_SETTINGS_MAX)
			return berr_set(e, E2BIG, "HostConfig.Ulimits: too many");
		snprintf(buf, sizeof(buf), "%s=%lld:%lld", u->name, (long long)u->soft, (long long)u->hard);
		if (launch_parse_rlimit(buf, &s->rlimits[s->n_rlimits], e) < 0)
			return berr_prefix(e, "HostConfig.Ulimits");
		s->n_rlimits++;
	}
	return 0;
}

static int add_limits(const struct create_req *r, struct launch_spec *s, struct berr *e)
{
	const struct create_host *h = &r->host;

	s->memory = h->memory;
	if (h->nano_cpus > 0)
		s->cpus_milli = h->nano_cpus / 1000000;
	else if (h->cpu_quota > 0)
		s->cpus_milli = h->cpu_quota * 1000 / (h->cpu_period > 0 ? h->cpu_period : 100000);
	if (h->pids_set && h->pids_limit > 0)
		s->pids_limit = h->pids_limit;
	for (int i = 0; i < h->n_sysctls; i++) {
		if (s->n_sysctls >= CONFIG_LAUNCH_SETTINGS_MAX)
			return berr_set(e, E2BIG, "HostConfig.Sysctls: too many");
		s->sysctls[s->n_sysctls].key = h->sysctls[i].key;
		s->sysctls[s->n_sysctls++].value = h->sysctls[i].value;
	}
	for (int i = 0; i < h->group_add.n; i++) {
		if (s->n_groups_add >= CONFIG_LAUNCH_SETTINGS_MAX)
			return berr_set(e, E2BIG, "HostConfig.GroupAdd: too many");
		s->groups_add[s->n_groups_add++] = h->group_add.v[i];
	}
	for (int i = 0; i < h->security_opt.n; i++)
		if (strcmp(h->security_opt.v[i], "seccomp=unconfined") == 0 ||
		    strcmp(h->security_opt.v[i], "seccomp:unconfined") == 0)
			s->seccomp = LAUNCH_SECCOMP_UNCONFINED;
	return add_rlimits(r, s, e);
}

static int add_caps(const struct create_req *r, struct launch_spec *s, struct berr *e)
{
	static const char *const all[] = { "ALL" };
	const struct create_host *h = &r->host;

	if (h->privileged)
		return launch_caps(all, 1, NULL, 0, &s->caps, e);
	if (launch_caps(h->cap_add.v, h->cap_add.n, h->cap_drop.v, h->cap_drop.n, &s->caps, e) < 0)
		return berr_prefix(e, "HostConfig.CapAdd");
	return 0;
}

int ctr_launch_build(struct engine *eng, const struct ctr *c, const struct ctr_view *v,
		     enum launch_net net, struct ctr_launch *l, struct berr *e)
{
	static const char *const etc[] = { "hosts", "hostname", "resolv.conf" };
	const struct create_req *r = v->req;
	struct launch_spec *s = &l->spec;
	char src[ENGINE_PATH_MAX + 128];

	launch_spec_init(s);
	ctr_dir_path(eng, c->rec.id, "rootfs", l->rootfs, sizeof(l->rootfs));
	s->rootfs = l->rootfs;
	s->argv = (char *const *)v->argv;
	s->argc = v->argc;
	if (v->argc == 0)
		return berr_set(e, EINVAL, "no command specified");
	s->hostname = ctr_hostname(c, r, l->hostname, sizeof(l->hostname));
	for (int i = 0; i < v->n_env && i < CONFIG_LAUNCH_ENV_MAX; i++)
		s->env[s->n_env++] = v->env[i];
	s->workdir = *v->workdir ? v->workdir : NULL;
	s->user = *v->user ? v->user : NULL;
	s->read_only = r->host.readonly_rootfs;
	s->tty = r->tty;
	s->net = net;
	if (net == LAUNCH_NET_NS) {
		snprintf(l->netns, sizeof(l->netns), "%s/netns/%s", eng->conf.run_dir, c->rec.id);
		s->netns = l->netns;
	}
	s->cgroup_name = c->rec.id;
	if (add_caps(r, s, e) < 0 || add_limits(r, s, e) < 0)
		return -1;
	/* the files net_files_write made in the container's directory */
	for (size_t i = 0; i < ARRAY_SIZE(etc) && net != LAUNCH_NET_HOST; i++) {
		ctr_dir_path(eng, c->rec.id, etc[i], src, sizeof(src));
		if (add_bind(l, src, i == 0 ? "/etc/hosts" : i == 1 ? "/etc/hostname" : "/etc/resolv.conf", 0,
			     e) < 0)
			return -1;
	}
	for (int i = 0; i < r->host.n_mounts; i++)
		if (add_mount(eng, c, &r->host.mounts[i], i, l, e) < 0)
			return -1;
	return 0;
}

/* policy.c — berth.conf [policy] and the checks of a create body
 * (policy.h). Exec is exec.c; paths and the reader are reader.c. */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "lib/caps.h"
#include "lib/conf.h"
#include "runtime/policy/create-internal.h"
#include "runtime/policy/policy.h"

#define KEY_HINT "berth.conf [policy] "

void policy_init(struct policy *p)
{
	memset(p, 0, sizeof *p);
}

/* ----------------------------------------------------------- config */

static const struct {
	const char *key;
	size_t off;
} conf_bools[] = {
	{ "allow_privileged", offsetof(struct policy, allow_privileged) },
	{ "allow_devices", offsetof(struct policy, allow_devices) },
	{ "allow_unconfined", offsetof(struct policy, allow_unconfined) },
	{ "allow_host_network", offsetof(struct policy, allow_host_network) },
	{ "allow_host_pid", offsetof(struct policy, allow_host_pid) },
	{ "allow_host_ipc", offsetof(struct policy, allow_host_ipc) },
	{ "allow_host_uts", offsetof(struct policy, allow_host_uts) },
	{ "allow_host_userns", offsetof(struct policy, allow_host_userns) },
	{ "allow_host_cgroupns", offsetof(struct policy, allow_host_cgroupns) },
	{ "allow_cgroup_parent", offsetof(struct policy, allow_cgroup_parent) },
	{ "allow_oom_kill_disable", offsetof(struct policy, allow_oom_kill_disable) },
	{ "allow_unlimited_pids", offsetof(struct policy, allow_unlimited_pids) },
};

static int bind_allow_add(struct policy *p, const char *key, const char *value, struct berr *e)
{
	const char *v = value, *w;
	size_t n;

	while ((w = conf_word_next(&v, " \t,", &n))) {
		char raw[PATH_MAX], norm[PATH_MAX];
		size_t len;

		if (n >= sizeof raw || w[0] != '/')
			return conf_bad(e, key, value, "want absolute host paths");
		memcpy(raw, w, n);
		raw[n] = '\0';
		if (policy_path_norm(raw, norm, sizeof norm, e) < 0)
			return conf_bad(e, key, value, "want absolute host paths");
		len = strlen(norm);
		if (p->n_bind >= CONFIG_POLICY_BIND_ALLOW_MAX || p->bind_used + len + 1 > sizeof p->bind_buf)
			return conf_bad(e, key, value, "more than %d paths or %d bytes",
					CONFIG_POLICY_BIND_ALLOW_MAX, CONFIG_POLICY_BIND_ALLOW_BYTES);
		p->bind_off[p->n_bind++] = (unsigned short)p->bind_used;
		memcpy(p->bind_buf + p->bind_used, norm, len + 1);
		p->bind_used += len + 1;
	}
	return 0;
}

/* A sysctl name: [a-z0-9_-] words joined by single dots. */
static int sysctl_name_ok(const char *s, size_t n)
{
	if (n == 0 || s[0] == '.' || s[n - 1] == '.')
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.'))
			return 0;
		if (c == '.' && s[i + 1] == '.')
			return 0;
	}
	return 1;
}

static int sysctl_allow_add(struct policy *p, const char *key, const char *value, struct berr *e)
{
	const char *v = value, *w;
	size_t n;

	while ((w = conf_word_next(&v, " \t,", &n))) {
		size_t name = n - (w[n - 1] == '*');

		if (!sysctl_name_ok(w, name) && !(name > 0 && w[name - 1] == '.' && sysctl_name_ok(w, name - 1)))
			return conf_bad(e, key, value, "want sysctl names (a trailing * for a prefix)");
		if (p->n_sysctl >= CONFIG_POLICY_SYSCTL_ALLOW_MAX || n >= sizeof p->sysctl_allow[0])
			return conf_bad(e, key, value, "more than %d names, or one over %zu bytes",
					CONFIG_POLICY_SYSCTL_ALLOW_MAX, sizeof p->sysctl_allow[0] - 1);
		memcpy(p->sysctl_allow[p->n_sysctl], w, n);
		p->sysctl_allow[p->n_sysctl++][n] = '\0';
	}
	return 0;
}

int policy_conf(struct policy *p, const char *key, const char *value, struct berr *e)
{
	for (size_t i = 0; i < sizeof conf_bools / sizeof conf_bools[0]; i++)
		if (strcmp(key, conf_bools[i].key) == 0)
			return conf_bool(key, value, (int *)(void *)((char *)p + conf_bools[i].off), e);
	if (strcmp(key, "bind_allow") == 0)
		return bind_allow_add(p, key, value, e);
	if (strcmp(key, "sysctl_allow") == 0)
		return sysctl_allow_add(p, key, value, e);
	if (strcmp(key, "cap_add_allow") == 0)
		return conf_caps(key, value, &p->cap_add_allow, &p->cap_add_all, e);
	return berr_set(e, EINVAL, "[policy] %s: unknown key", key);
}

/* ----------------------------------------------------------- checks */

/* "FIELD: WHAT are not allowed on this appliance (berth.conf [policy] KEY = yes
 * allows them)", "… KEY lists those allowed)" for a list key, or "… are never
 * allowed …" when no key allows them (key NULL). */
static int refuse(struct berr *e, const char *field, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int refuse(struct berr *e, const char *field, const char *key, const char *fmt, ...)
{
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	if (!key)
		return berr_set(e, EPERM, "%s: %s are never allowed on this appliance", field, what);
	if (strncmp(key, "allow_", 6) == 0)
		return berr_set(e, EPERM, "%s: %s are not allowed on this appliance (" KEY_HINT
				"%s = yes allows them)", field, what, key);
	return berr_set(e, EPERM, "%s: %s are not allowed on this appliance (" KEY_HINT
			"%s lists those allowed)", field, what, key);
}

static int bad(struct berr *e, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int bad(struct berr *e, const char *field, const char *fmt, ...)
{
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	return berr_set(e, EINVAL, "%s: %s", field, what);
}

static int path_under(const char *path, const char *prefix)
{
	size_t n = strlen(prefix);

	if (strcmp(prefix, "/") == 0)
		return 1;
	return strncmp(path, prefix, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

static int bind_allowed(const struct policy *p, const char *field, const char *path, struct berr *e)
{
	char norm[PATH_MAX];

	if (policy_path_norm(path, norm, sizeof norm, e) < 0)
		return berr_prefix(e, "%s", field);
	for (int i = 0; i < p->n_bind; i++)
		if (path_under(norm, p->bind_buf + p->bind_off[i]))
			return 0;
	return berr_set(e, EPERM, "%s: host path %s is not allowed on this appliance (" KEY_HINT
			"bind_allow lists the host paths that may be mounted; named volumes need none)",
			field, norm);
}

int policy_bind_allowed(const struct policy *p, const char *resolved, struct berr *e)
{
	return bind_allowed(p, "bind source", resolved, e);
}

int policy_volopt_host(const char *key, const char *value)
{
	if (strcasecmp(key, "device") == 0)
		return 1;
	if (strcasecmp(key, "type") == 0)
		return strcmp(value, "tmpfs") != 0;
	if (strcasecmp(key, "o") == 0) {
		const char *v = value, *w;
		size_t n;

		while ((w = conf_word_next(&v, ",", &n)))
			if ((n == 4 && strncasecmp(w, "bind", 4) == 0) || (n == 5 && strncasecmp(w, "rbind", 5) == 0))
				return 1;
	}
	return 0;
}

int policy_check_volume_opt(const struct policy *p, const char *field, const char *key,
			    const char *value, struct berr *e)
{
	(void)p;
	if (!policy_volopt_host(key, value))
		return 0;
	return berr_set(e, EPERM, "%s: volume options that mount a host path or device (%s=%.80s) are not "
			"allowed on this appliance (a host path is a bind mount, which " KEY_HINT
			"bind_allow governs)", field, key, value);
}

static int mounts_check(const struct policy *p, const struct create_host *h, struct berr *e)
{
	static const char *const sys[] = { "/proc", "/sys", "/dev" };

	for (int i = 0; i < h->n_mounts; i++) {
		const struct create_mount *m = &h->mounts[i];

		for (size_t k = 0; k < sizeof sys / sizeof sys[0]; k++)
			if (path_under(m->dst, sys[k]))
				return refuse(e, m->field, NULL, "mounts onto %s (target %s)", sys[k], m->dst);
		if (m->type == MNT_BIND && bind_allowed(p, m->field, m->src, e) < 0)
			return -1;
		if (m->type == MNT_VOLUME && m->driver_host)
			return berr_set(e, EPERM, "%s: volume options that mount a host path or device are not "
					"allowed on this appliance (a host path is a bind mount, which " KEY_HINT
					"bind_allow governs)", m->field);
		if (m->type == MNT_VOLUME && m->driver[0] && strcmp(m->driver, "local") != 0)
			return bad(e, m->field, "volume driver '%.32s' is not supported (local only)", m->driver);
	}
	if (h->volume_driver[0] && strcmp(h->volume_driver, "local") != 0)
		return bad(e, "HostConfig.VolumeDriver", "'%.32s' is not supported (local only)",
			   h->volume_driver);
	return 0;
}

static int caps_check(const struct policy *p, const struct create_host *h, struct berr *e)
{
	char field[64];

	for (int i = 0; i < h->cap_add.n; i++) {
		int c = caps_from_name(h->cap_add.v[i], e);

		snprintf(field, sizeof field, "HostConfig.CapAdd[%d]", i);
		if (c == -2 && !p->cap_add_all)
			return refuse(e, field, "cap_add_allow", "all capabilities (ALL)");
		if (c == -1)
			return bad(e, field, "%s", e->msg);
		if (c >= 0 && !(CAPS_DOCKER_DEFAULT >> c & 1) && !p->cap_add_all &&
		    !(p->cap_add_allow >> c & 1))
			return refuse(e, field, "cap_add_allow", "added capabilities (%.40s)", h->cap_add.v[i]);
	}
	for (int i = 0; i < h->cap_drop.n; i++)
		if (caps_from_name(h->cap_drop.v[i], e) == -1) {
			snprintf(field, sizeof field, "HostConfig.CapDrop[%d]", i);
			return bad(e, field, "%s", e->msg);
		}
	return 0;
}

static int modes_check(const struct policy *p, const struct create_host *h, struct berr *e)
{
	const struct {
		const char *field, *value, *key;
		int allowed;
	} m[] = {
		{ "HostConfig.NetworkMode", h->network_mode, "allow_host_network", p->allow_host_network },
		{ "HostConfig.PidMode", h->pid_mode, "allow_host_pid", p->allow_host_pid },
		{ "HostConfig.IpcMode", h->ipc_mode, "allow_host_ipc", p->allow_host_ipc },
		{ "HostConfig.UTSMode", h->uts_mode, "allow_host_uts", p->allow_host_uts },
		{ "HostConfig.UsernsMode", h->userns_mode, "allow_host_userns", p->allow_host_userns },
		{ "HostConfig.CgroupnsMode", h->cgroupns_mode, "allow_host_cgroupns", p->allow_host_cgroupns },
	};

	for (size_t i = 0; i < sizeof m / sizeof m[0]; i++)
		if (strcmp(m[i].value, "host") == 0 && !m[i].allowed)
			return refuse(e, m[i].field, m[i].key, "the host's namespaces (host)");
	return 0;
}

/* Go's strconv.ParseBool: 1 true, 0 false, -1 neither. */
static int go_bool(const char *v)
{
	static const char *const t[] = { "1", "t", "T", "TRUE", "true", "True" };
	static const char *const f[] = { "0", "f", "F", "FALSE", "false", "False" };

	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		if (strcmp(v, t[i]) == 0)
			return 1;
		if (strcmp(v, f[i]) == 0)
			return 0;
	}
	return -1;
}

/* One SecurityOpt entry, split as dockerd splits it: KEY=VALUE, the old
 * KEY:VALUE, or no-new-privileges alone. */
static int secopt_check(const struct policy *p, const char *field, const char *opt, struct berr *e)
{
	char key[32];
	const char *val, *sep = strchr(opt, '=');
	size_t n;

	if (!sep && strcmp(opt, "no-new-privileges") == 0)
		return 0;
	if (!sep)
		sep = strchr(opt, ':');
	if (!sep)
		return bad(e, field, "'%.64s': want KEY=VALUE", opt);
	n = (size_t)(sep - opt);
	val = sep + 1;
	if (n >= sizeof key)
		return bad(e, field, "'%.64s': unknown security option", opt);
	memcpy(key, opt, n);
	key[n] = '\0';
	if (strcmp(key, "seccomp") == 0) {
		if (strcmp(val, "builtin") == 0)
			return 0;
		if (p->allow_unconfined)
			return 0;
		return refuse(e, field, "allow_unconfined", "%s seccomp profiles",
			      strcmp(val, "unconfined") == 0 ? "unconfined" : "custom");
	}
	if (strcmp(key, "apparmor") == 0 || strcmp(key, "systempaths") == 0) {
		if (strcmp(val, "unconfined") == 0)
			return p->allow_unconfined ? 0 : refuse(e, field, "allow_unconfined", "%s=unconfined", key);
		if (strcmp(key, "apparmor") == 0 && strcmp(val, "docker-default") == 0)
			return 0;
		return bad(e, field, "'%.64s': not supported on this appliance", opt);
	}
	if (strcmp(key, "no-new-privileges") == 0 || strcmp(key, "writable-cgroups") == 0) {
		int b = go_bool(val);

		if (b < 0)
			return bad(e, field, "'%.64s': want true or false", opt);
		if (b == (key[0] == 'n') || p->allow_unconfined)
			return 0;
		return refuse(e, field, "allow_unconfined", "%s=%s", key, val);
	}
	return bad(e, field, "'%.64s': unknown or unsupported security option", opt);
}

static int secopts_check(const struct policy *p, const struct create_host *h, struct berr *e)
{
	char field[64];

	for (int i = 0; i < h->security_opt.n; i++) {
		snprintf(field, sizeof field, "HostConfig.SecurityOpt[%d]", i);
		if (secopt_check(p, field, h->security_opt.v[i], e) < 0)
			return -1;
	}
	if (h->masked_paths.set && !p->allow_unconfined)
		return refuse(e, "HostConfig.MaskedPaths", "allow_unconfined", "overrides of the masked paths");
	if (h->readonly_paths.set && !p->allow_unconfined)
		return refuse(e, "HostConfig.ReadonlyPaths", "allow_unconfined",
			      "overrides of the read-only paths");
	return 0;
}

/* dockerd's namespaced sysctls (what a container may set in its own
 * namespaces): kernel.msg*, sem, shm* of IPC, fs.mqueue.*, net.*. */
static int sysctl_ns(const char *k, int *ipc, int *net)
{
	static const char *const ipc_names[] = { "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni",
						 "kernel.sem", "kernel.shmall", "kernel.shmmax",
						 "kernel.shmmni", "kernel.shm_rmid_forced" };

	*ipc = *net = 0;
	for (size_t i = 0; i < sizeof ipc_names / sizeof ipc_names[0]; i++)
		if (strcmp(k, ipc_names[i]) == 0)
			return *ipc = 1;
	if (strncmp(k, "fs.mqueue.", 10) == 0)
		return *ipc = 1;
	if (strncmp(k, "net.", 4) == 0)
		return *net = 1;
	return 0;
}

/* Does a mode give the container a namespace of its own (not host, not
 * another container's)? */
static int own_ns(const char *mode)
{
	return strcmp(mode, "host") != 0 && strncmp(mode, "container:", 10) != 0;
}

static int sysctl_listed(const struct policy *p, const char *k)
{
	for (int i = 0; i < p->n_sysctl; i++) {
		const char *a = p->sysctl_allow[i];
		size_t n = strlen(a);

		if (a[n - 1] == '*' ? strncmp(k, a, n - 1) == 0 : strcmp(k, a) == 0)
			return 1;
	}
	return 0;
}

static int sysctls_check(const struct policy *p, const struct create_host *h, struct berr *e)
{
	char field[128];

	for (int i = 0; i < h->n_sysctls; i++) {
		const char *k = h->sysctls[i].key;
		int ipc, net;

		snprintf(field, sizeof field, "HostConfig.Sysctls[%.64s]", k);
		if (!sysctl_name_ok(k, strlen(k)))
			return bad(e, field, "not a sysctl name");
		if (sysctl_ns(k, &ipc, &net)) {
			if (net && !own_ns(h->network_mode))
				return refuse(e, field, NULL, "net.* sysctls with NetworkMode %.40s (a namespace "
					      "not the container's own)", h->network_mode);
			if (ipc && !own_ns(h->ipc_mode))
				return refuse(e, field, NULL, "IPC sysctls with IpcMode %.40s (a namespace not "
					      "the container's own)", h->ipc_mode);
			continue;
		}
		if (!sysctl_listed(p, k))
			return refuse(e, field, "sysctl_allow", "sysctls outside the container's namespaces");
	}
	return 0;
}

static int misc_check(const struct policy *p, const struct create_host *h, struct berr *e)
{
	if (h->privileged && !p->allow_privileged)
		return refuse(e, "HostConfig.Privileged", "allow_privileged", "privileged containers");
	if (h->n_devices && !p->allow_devices)
		return refuse(e, "HostConfig.Devices", "allow_devices", "host devices");
	if (h->n_device_cgroup_rules && !p->allow_devices)
		return refuse(e, "HostConfig.DeviceCgroupRules", "allow_devices", "device cgroup rules");
	if (h->n_device_requests && !p->allow_devices)
		return refuse(e, "HostConfig.DeviceRequests", "allow_devices", "device requests (GPUs)");
	if (h->cgroup_parent[0] && !p->allow_cgroup_parent)
		return refuse(e, "HostConfig.CgroupParent", "allow_cgroup_parent", "other cgroup parents");
	if (h->oom_kill_disable && !p->allow_oom_kill_disable)
		return refuse(e, "HostConfig.OomKillDisable", "allow_oom_kill_disable",
			      "containers the OOM killer may not kill");
	if (h->oom_score_adj < 0 && !p->allow_oom_kill_disable)
		return refuse(e, "HostConfig.OomScoreAdj", "allow_oom_kill_disable",
			      "containers the OOM killer spares before the host's services (below 0)");
	if (h->pids_set && h->pids_limit < 0 && !p->allow_unlimited_pids)
		return refuse(e, "HostConfig.PidsLimit", "allow_unlimited_pids",
			      "containers without a process limit");
	if (h->runtime[0] && strcmp(h->runtime, "berth") != 0 && strcmp(h->runtime, "runc") != 0)
		return refuse(e, "HostConfig.Runtime", NULL, "runtimes other than berth's (%.32s)", h->runtime);
	return 0;
}

int policy_check_create(const struct policy *p, const struct create_req *r, struct berr *e)
{
	const struct create_host *h = &r->host;

	if (misc_check(p, h, e) < 0 || modes_check(p, h, e) < 0 || caps_check(p, h, e) < 0 ||
	    secopts_check(p, h, e) < 0 || sysctls_check(p, h, e) < 0 || mounts_check(p, h, e) < 0)
		return -1;
	return 0;
}

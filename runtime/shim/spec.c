/* spec.c — spec.json, written with lib/json's writer and read back
 * strictly into a struct whose strings live in its own pool (spec.h). */
#include "runtime/shim/spec.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/fs.h"
#include "lib/json.h"

#define SPEC_VERSION 1

static const char *const net_names[] = { "none", "host", "ns" };
static const char *const seccomp_names[] = { "default", "unconfined", "file" };

/* ------------------------------------------------------------------ writer */

static void w_strs(struct json_w *w, const char *key, const char *const *v, int n)
{
	json_w_key(w, key);
	json_w_arr(w);
	for (int i = 0; i < n; i++)
		json_w_str(w, v[i]);
	json_w_arr_end(w);
}

static void w_opt(struct json_w *w, const char *key, const char *v)
{
	if (v)
		json_w_kstr(w, key, v);
}

static void w_mounts(struct json_w *w, const struct launch_spec *s)
{
	json_w_key(w, "mounts");
	json_w_arr(w);
	for (int i = 0; i < s->n_mounts; i++) {
		const struct launch_bind *b = &s->mounts[i];
		json_w_obj(w);
		w_opt(w, "src", b->src);
		w_opt(w, "dst", b->dst);
		json_w_kbool(w, "ro", b->ro);
		json_w_kbool(w, "tmpfs", b->tmpfs);
		json_w_ku64(w, "size", b->size);
		json_w_obj_end(w);
	}
	json_w_arr_end(w);
}

static void w_settings(struct json_w *w, const struct launch_spec *s)
{
	json_w_key(w, "sysctls");
	json_w_arr(w);
	for (int i = 0; i < s->n_sysctls; i++) {
		json_w_obj(w);
		json_w_kstr(w, "key", s->sysctls[i].key);
		json_w_kstr(w, "value", s->sysctls[i].value);
		json_w_obj_end(w);
	}
	json_w_arr_end(w);
	json_w_key(w, "rlimits");
	json_w_arr(w);
	for (int i = 0; i < s->n_rlimits; i++) {
		json_w_obj(w);
		json_w_ki64(w, "resource", s->rlimits[i].resource);
		json_w_ku64(w, "soft", s->rlimits[i].soft);
		json_w_ku64(w, "hard", s->rlimits[i].hard);
		json_w_obj_end(w);
	}
	json_w_arr_end(w);
}

static void w_spec(struct json_w *w, const struct launch_spec *s, const struct shim_opts *o)
{
	json_w_obj(w);
	json_w_ki64(w, "version", SPEC_VERSION);
	w_opt(w, "rootfs", s->rootfs);
	w_strs(w, "argv", (const char *const *)s->argv, s->argc);
	w_opt(w, "hostname", s->hostname);
	w_strs(w, "env", s->env, s->n_env);
	w_opt(w, "workdir", s->workdir);
	w_opt(w, "user", s->user);
	w_strs(w, "groups_add", s->groups_add, s->n_groups_add);
	json_w_ku64(w, "caps", s->caps);
	json_w_kbool(w, "read_only", s->read_only);
	w_mounts(w, s);
	json_w_kstr(w, "net", (unsigned)s->net < 3 ? net_names[s->net] : "?");
	w_opt(w, "netns", s->netns);
	json_w_ki64(w, "memory", s->memory);
	json_w_ki64(w, "cpus_milli", s->cpus_milli);
	json_w_ki64(w, "pids_limit", s->pids_limit);
	w_opt(w, "cgroup_parent", s->cgroup_parent);
	w_opt(w, "cgroup_name", s->cgroup_name);
	json_w_kbool(w, "require_cgroups", s->require_cgroups);
	json_w_ku64(w, "remap_uid", s->remap_uid);
	json_w_ku64(w, "remap_gid", s->remap_gid);
	json_w_ku64(w, "remap_count", s->remap_count);
	json_w_kstr(w, "seccomp", (unsigned)s->seccomp < 3 ? seccomp_names[s->seccomp] : "?");
	w_opt(w, "seccomp_file", s->seccomp_file);
	json_w_kbool(w, "no_new_privs", s->no_new_privs);
	json_w_kbool(w, "tty", s->tty);
	w_settings(w, s);
	json_w_kbool(w, "open_stdin", o->open_stdin);
	json_w_kbool(w, "stdin_once", o->stdin_once);
	json_w_ku64(w, "log_max", o->log_max);
	json_w_ki64(w, "log_files", o->log_files);
	json_w_obj_end(w);
}

int shimspec_write(int dirfd, const char *name, const struct launch_spec *s, const struct shim_opts *o,
		   struct berr *e)
{
	struct json_w w;
	const char *out;
	size_t len;
	int rc;

	if ((unsigned)s->net >= 3 || (unsigned)s->seccomp >= 3)
		return berr_set(e, EINVAL, "spec: bad net or seccomp value");
	if (s->argc > CONFIG_SHIM_ARGV_MAX)
		return berr_set(e, E2BIG, "spec: more than %d arguments", CONFIG_SHIM_ARGV_MAX);
	json_w_init_grow(&w, CONFIG_SHIM_SPEC_MAX);
	w_spec(&w, s, o);
	rc = json_w_finish(&w, &out, &len, e);
	if (rc == 0)
		rc = fs_write_atomic_at(dirfd, name, out, len, 0600, e);
	json_w_free(&w);
	return rc < 0 ? berr_prefix(e, "spec %s", name) : 0;
}

/* ------------------------------------------------------------------ reader */

struct rd {
	struct json j;
	struct shimspec *out;
	struct berr *e;
};

/* The string value of token t into the pool. */
static int pool_str(struct rd *r, int t, const char *field, const char **v)
{
	struct shimspec *o = r->out;
	char *dst = o->pool + o->pool_used;

	if (json_type(&r->j, t) != JSMN_STRING)
		return berr_set(r->e, EPROTO, "%s: expected a string", field);
	if (json_str(&r->j, t, dst, sizeof o->pool - o->pool_used, r->e) < 0)
		return berr_prefix(r->e, "%s", field);
	o->pool_used += strlen(dst) + 1;
	*v = dst;
	return 0;
}

/* An optional string member (absent or null: NULL). */
static int get_str(struct rd *r, const char *key, const char **v)
{
	int t = json_get(&r->j, 0, key);

	*v = NULL;
	if (t < 0 || json_is_null(&r->j, t))
		return 0;
	return pool_str(r, t, key, v);
}

static int get_bool(struct rd *r, int obj, const char *key, int *v)
{
	int t = json_get(&r->j, obj, key);
	bool b = false;

	if (t < 0)
		return 0; /* absent: the default stays */
	if (json_bool(&r->j, t, &b, r->e) < 0)
		return berr_prefix(r->e, "%s", key);
	*v = b;
	return 0;
}

static int get_i64(struct rd *r, int obj, const char *key, int64_t min, int64_t max, int64_t *v)
{
	int t = json_get(&r->j, obj, key);

	if (t < 0)
		return 0;
	if (json_i64(&r->j, t, min, max, v, r->e) < 0)
		return berr_prefix(r->e, "%s", key);
	return 0;
}

static int get_u64(struct rd *r, int obj, const char *key, uint64_t *v)
{
	int t = json_get(&r->j, obj, key);

	if (t < 0)
		return 0;
	if (json_u64(&r->j, t, v, r->e) < 0)
		return berr_prefix(r->e, "%s", key);
	return 0;
}

/* An array member: its token (-1 absent), its length checked against max. */
static int get_arr(struct rd *r, int obj, const char *key, int max, int *n)
{
	int t = json_get(&r->j, obj, key);

	*n = 0;
	if (t < 0 || json_is_null(&r->j, t))
		return -1;
	if (json_type(&r->j, t) != JSMN_ARRAY)
		return berr_set(r->e, EPROTO, "%s: expected an array", key), -2;
	if (r->j.tok[t].size > max)
		return berr_set(r->e, E2BIG, "%s: more than %d entries", key, max), -2;
	*n = r->j.tok[t].size;
	return t;
}

static int get_strs(struct rd *r, const char *key, const char **v, int max, int *n)
{
	int a = get_arr(r, 0, key, max, n);

	if (a == -2)
		return -1;
	for (int i = 0; a >= 0 && i < *n; i++)
		if (pool_str(r, json_at(&r->j, a, i), key, &v[i]) < 0)
			return -1;
	return 0;
}

/* A string member naming one of names[n]. */
static int get_enum(struct rd *r, const char *key, const char *const *names, int n, int *v)
{
	const char *s;

	if (get_str(r, key, &s) < 0)
		return -1;
	*v = 0;
	if (!s)
		return 0;
	for (int i = 0; i < n; i++)
		if (strcmp(s, names[i]) == 0) {
			*v = i;
			r->out->pool_used -= strlen(s) + 1;
			return 0;
		}
	return berr_set(r->e, EPROTO, "%s: unknown value '%s'", key, s);
}

static int read_mounts(struct rd *r, struct launch_spec *s)
{
	int a = get_arr(r, 0, "mounts", CONFIG_LAUNCH_MOUNTS_MAX, &s->n_mounts);

	if (a == -2)
		return -1;
	for (int i = 0; a >= 0 && i < s->n_mounts; i++) {
		struct launch_bind *b = &s->mounts[i];
		int m = json_at(&r->j, a, i), t;
		uint64_t size = 0;

		if (json_type(&r->j, m) != JSMN_OBJECT)
			return berr_set(r->e, EPROTO, "mounts: expected objects");
		if (((t = json_get(&r->j, m, "src")) >= 0 && pool_str(r, t, "mounts.src", &b->src) < 0) ||
		    ((t = json_get(&r->j, m, "dst")) >= 0 && pool_str(r, t, "mounts.dst", &b->dst) < 0) ||
		    get_bool(r, m, "ro", &b->ro) < 0 || get_bool(r, m, "tmpfs", &b->tmpfs) < 0 ||
		    get_u64(r, m, "size", &size) < 0)
			return -1;
		b->size = size;
	}
	return 0;
}

static int read_settings(struct rd *r, struct launch_spec *s)
{
	int a = get_arr(r, 0, "sysctls", CONFIG_LAUNCH_SETTINGS_MAX, &s->n_sysctls), t;

	if (a == -2)
		return -1;
	for (int i = 0; a >= 0 && i < s->n_sysctls; i++) {
		int m = json_at(&r->j, a, i);
		if ((t = json_get(&r->j, m, "key")) < 0 || pool_str(r, t, "sysctls.key", &s->sysctls[i].key) < 0 ||
		    (t = json_get(&r->j, m, "value")) < 0 ||
		    pool_str(r, t, "sysctls.value", &s->sysctls[i].value) < 0)
			return t < 0 ? berr_set(r->e, EPROTO, "sysctls: want key and value") : -1;
	}
	a = get_arr(r, 0, "rlimits", CONFIG_LAUNCH_SETTINGS_MAX, &s->n_rlimits);
	if (a == -2)
		return -1;
	for (int i = 0; a >= 0 && i < s->n_rlimits; i++) {
		int m = json_at(&r->j, a, i);
		int64_t res = -1;
		uint64_t soft = 0, hard = 0;
		if (json_type(&r->j, m) != JSMN_OBJECT)
			return berr_set(r->e, EPROTO, "rlimits: expected objects");
		if (get_i64(r, m, "resource", 0, 64, &res) < 0 || get_u64(r, m, "soft", &soft) < 0 ||
		    get_u64(r, m, "hard", &hard) < 0)
			return -1;
		if (res < 0)
			return berr_set(r->e, EPROTO, "rlimits: no resource");
		s->rlimits[i] = (struct launch_rlimit){ (int)res, soft, hard };
	}
	return 0;
}

static int read_numbers(struct rd *r, struct launch_spec *s)
{
	int64_t v[3] = { s->memory, s->cpus_milli, s->pids_limit };
	uint64_t u[4] = { s->caps, s->remap_uid, s->remap_gid, s->remap_count };

	if (get_u64(r, 0, "caps", &u[0]) < 0 || get_i64(r, 0, "memory", 0, INT64_MAX, &v[0]) < 0 ||
	    get_i64(r, 0, "cpus_milli", 0, INT64_MAX, &v[1]) < 0 ||
	    get_i64(r, 0, "pids_limit", -1, INT64_MAX, &v[2]) < 0 || get_u64(r, 0, "remap_uid", &u[1]) < 0 ||
	    get_u64(r, 0, "remap_gid", &u[2]) < 0 || get_u64(r, 0, "remap_count", &u[3]) < 0)
		return -1;
	if (u[1] > UINT32_MAX || u[2] > UINT32_MAX || u[3] > UINT32_MAX)
		return berr_set(r->e, ERANGE, "remap: out of range");
	s->caps = u[0];
	s->memory = v[0], s->cpus_milli = v[1], s->pids_limit = v[2];
	s->remap_uid = (unsigned)u[1], s->remap_gid = (unsigned)u[2], s->remap_count = (unsigned)u[3];
	return 0;
}

static int read_opts(struct rd *r, struct shim_opts *o)
{
	int64_t files = o->log_files;

	if (get_bool(r, 0, "open_stdin", &o->open_stdin) < 0 || get_bool(r, 0, "stdin_once", &o->stdin_once) < 0 ||
	    get_u64(r, 0, "log_max", &o->log_max) < 0 || get_i64(r, 0, "log_files", 0, 32, &files) < 0)
		return -1;
	o->log_files = (int)files;
	return 0;
}

static int read_all(struct rd *r)
{
	struct shimspec *o = r->out;
	struct launch_spec *s = &o->spec;
	int64_t version = 0;
	int net, sc;

	if (json_type(&r->j, 0) != JSMN_OBJECT)
		return berr_set(r->e, EPROTO, "not a JSON object");
	if (get_i64(r, 0, "version", 0, INT64_MAX, &version) < 0)
		return -1;
	if (version != SPEC_VERSION)
		return berr_set(r->e, EPROTO, "version %lld: want %d", (long long)version, SPEC_VERSION);
	if (get_str(r, "rootfs", &s->rootfs) < 0 ||
	    get_strs(r, "argv", (const char **)o->argv, CONFIG_SHIM_ARGV_MAX, &s->argc) < 0 ||
	    get_str(r, "hostname", &s->hostname) < 0 ||
	    get_strs(r, "env", s->env, CONFIG_LAUNCH_ENV_MAX, &s->n_env) < 0 ||
	    get_str(r, "workdir", &s->workdir) < 0 || get_str(r, "user", &s->user) < 0 ||
	    get_strs(r, "groups_add", s->groups_add, CONFIG_LAUNCH_SETTINGS_MAX, &s->n_groups_add) < 0 ||
	    get_bool(r, 0, "read_only", &s->read_only) < 0 || read_mounts(r, s) < 0 ||
	    get_enum(r, "net", net_names, 3, &net) < 0 || get_str(r, "netns", &s->netns) < 0 ||
	    read_numbers(r, s) < 0 || get_str(r, "cgroup_parent", &s->cgroup_parent) < 0 ||
	    get_str(r, "cgroup_name", &s->cgroup_name) < 0 ||
	    get_bool(r, 0, "require_cgroups", &s->require_cgroups) < 0 ||
	    get_enum(r, "seccomp", seccomp_names, 3, &sc) < 0 ||
	    get_str(r, "seccomp_file", &s->seccomp_file) < 0 ||
	    get_bool(r, 0, "no_new_privs", &s->no_new_privs) < 0 || get_bool(r, 0, "tty", &s->tty) < 0 ||
	    read_settings(r, s) < 0 || read_opts(r, &o->opts) < 0)
		return -1;
	s->net = (enum launch_net)net;
	s->seccomp = (enum launch_seccomp)sc;
	o->argv[s->argc] = NULL;
	s->argv = o->argv;
	return 0;
}

int shimspec_parse(const char *js, size_t len, struct shimspec *out, struct berr *e)
{
	struct rd r = { .out = out, .e = e };
	jsmntok_t *tok = calloc(CONFIG_SHIM_SPEC_TOKENS_MAX, sizeof *tok);
	int rc = -1;

	memset(out, 0, offsetof(struct shimspec, pool));
	launch_spec_init(&out->spec);
	out->spec.argv = out->argv;
	if (!tok)
		return berr_sys(e, "spec");
	if (len > CONFIG_SHIM_SPEC_MAX)
		berr_set(e, EFBIG, "over %d bytes", CONFIG_SHIM_SPEC_MAX);
	else if (json_parse(&r.j, js, len, tok, CONFIG_SHIM_SPEC_TOKENS_MAX, e) == 0 && read_all(&r) == 0)
		rc = 0;
	free(tok);
	return rc;
}

int shimspec_read(int dirfd, const char *name, struct shimspec *out, struct berr *e)
{
	char *buf = malloc(CONFIG_SHIM_SPEC_MAX);
	ssize_t n;
	int rc = -1;

	if (!buf)
		return berr_sys(e, "spec %s", name);
	n = fs_read_at(dirfd, name, buf, CONFIG_SHIM_SPEC_MAX, e);
	if (n >= 0 && shimspec_parse(buf, (size_t)n, out, e) == 0)
		rc = 0;
	else
		berr_prefix(e, "spec %s", name);
	free(buf);
	return rc;
}

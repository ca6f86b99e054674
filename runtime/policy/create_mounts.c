/* create_mounts.c — HostConfig.Binds, .Mounts, .Tmpfs and Config.Volumes
 * of a create body, normalised into one list of struct create_mount. */
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/policy/create-internal.h"

static struct create_mount *mount_new(struct rd *d, struct create_host *h, enum create_mnt_type t,
				      struct berr *e)
{
	struct create_mount *m;

	if (h->n_mounts >= CONFIG_POLICY_MOUNTS_MAX) {
		rd_fail(d, e, E2BIG, "more than %d mounts in all", CONFIG_POLICY_MOUNTS_MAX);
		return NULL;
	}
	m = &h->mounts[h->n_mounts];
	memset(m, 0, sizeof *m);
	m->type = t;
	m->src = m->dst = m->propagation = m->driver = "";
	if (rd_path_keep(d, &m->field, e) < 0)
		return NULL;
	return m;
}

/* A path of the body, normalised, into the pool. */
static int path_keep(struct rd *d, const char *what, const char *p, size_t n, const char **out,
		     struct berr *e)
{
	char raw[PATH_MAX], norm[PATH_MAX];
	struct berr pe;

	if (n >= sizeof raw)
		return rd_fail(d, e, E2BIG, "%s longer than %zu bytes", what, sizeof raw - 1);
	memcpy(raw, p, n);
	raw[n] = '\0';
	if (raw[0] != '/')
		return rd_fail(d, e, EPROTO, "%s '%.80s' is not an absolute path", what, raw);
	if (policy_path_norm(raw, norm, sizeof norm, &pe) < 0)
		return rd_fail(d, e, EPROTO, "%s: %s", what, pe.msg);
	return rd_keep(d, norm, strlen(norm), out, e);
}

static int target_keep(struct rd *d, const char *p, size_t n, struct create_mount *m,
		       struct berr *e)
{
	if (path_keep(d, "target", p, n, &m->dst, e) < 0)
		return -1;
	if (strcmp(m->dst, "/") == 0)
		return rd_fail(d, e, EPROTO, "the target cannot be /");
	return 0;
}

/* dockerd's volume names: [a-zA-Z0-9][a-zA-Z0-9_.-]+ */
static int volume_name_ok(const char *s, size_t n)
{
	if (n < 2)
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		int alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');

		if (!alnum && (i == 0 || (c != '_' && c != '.' && c != '-')))
			return 0;
	}
	return 1;
}

static int is_propagation(const char *s, size_t n)
{
	static const char *const p[] = { "shared", "rshared", "slave", "rslave", "private", "rprivate" };

	for (size_t i = 0; i < sizeof p / sizeof p[0]; i++)
		if (strlen(p[i]) == n && memcmp(p[i], s, n) == 0)
			return 1;
	return 0;
}

static int word_is(const char *s, size_t n, const char *w)
{
	return strlen(w) == n && memcmp(s, w, n) == 0;
}

/* The options of a Binds entry: ro/rw, nocopy, propagation, z/Z and the
 * consistency words (accepted, meaningless here). */
static int bind_opts(struct rd *d, const char *o, struct create_mount *m, struct berr *e)
{
	int mode = 0;

	while (*o) {
		const char *w = o;
		size_t n = strcspn(o, ",");

		o += n + (o[n] == ',');
		if (word_is(w, n, "ro") || word_is(w, n, "rw")) {
			if (mode++)
				return rd_fail(d, e, EPROTO, "ro and rw given together");
			m->ro = w[1] == 'o';
		} else if (word_is(w, n, "nocopy") && m->type == MNT_VOLUME) {
			m->nocopy = 1;
		} else if (is_propagation(w, n) && m->type == MNT_BIND) {
			if (m->propagation[0])
				return rd_fail(d, e, EPROTO, "two propagation modes");
			if (rd_keep(d, w, n, &m->propagation, e) < 0)
				return -1;
		} else if (!(word_is(w, n, "z") || word_is(w, n, "Z") || word_is(w, n, "consistent") ||
			     word_is(w, n, "cached") || word_is(w, n, "delegated"))) {
			return rd_fail(d, e, EPROTO, "option '%.*s' is not supported here", (int)(n > 32 ? 32 : n), w);
		}
	}
	return 0;
}

/* "SRC:DST[:OPTS]" or "DST" (an anonymous volume). */
static int bind_one(struct rd *d, int tok, struct create_host *h, struct berr *e)
{
	const char *s, *c1, *c2 = NULL, *src = "", *dst;
	size_t nsrc = 0, ndst;
	struct create_mount *m;

	if (rd_string(d, tok, &s, e) < 0)
		return -1;
	c1 = strchr(s, ':');
	if (c1) {
		c2 = strchr(c1 + 1, ':');
		if (c2 && strchr(c2 + 1, ':'))
			return rd_fail(d, e, EPROTO, "want SRC:DST[:OPTIONS]");
		src = s;
		nsrc = (size_t)(c1 - s);
		dst = c1 + 1;
		ndst = c2 ? (size_t)(c2 - dst) : strlen(dst);
		if (nsrc == 0)
			return rd_fail(d, e, EPROTO, "an empty source");
	} else {
		dst = s;
		ndst = strlen(s);
	}
	m = mount_new(d, h, src[0] == '/' ? MNT_BIND : MNT_VOLUME, e);
	if (!m)
		return -1;
	if (m->type == MNT_BIND) {
		if (path_keep(d, "source", src, nsrc, &m->src, e) < 0)
			return -1;
	} else if (nsrc) {
		if (!volume_name_ok(src, nsrc))
			return rd_fail(d, e, EPROTO, "'%.*s' is neither an absolute host path nor a "
				       "volume name ([a-zA-Z0-9][a-zA-Z0-9_.-]+)", (int)(nsrc > 64 ? 64 : nsrc), src);
		if (rd_keep(d, src, nsrc, &m->src, e) < 0)
			return -1;
	}
	if (target_keep(d, dst, ndst, m, e) < 0 || (c2 && bind_opts(d, c2 + 1, m, e) < 0))
		return -1;
	h->n_mounts++;
	return 0;
}

static int each_string(struct rd *d, int tok, struct create_host *h,
		       int (*fn)(struct rd *d, int tok, struct create_host *h, struct berr *e),
		       struct berr *e)
{
	struct json_iter it;
	int k, v, n = 0;

	if (rd_null(d, tok))
		return 0;
	if (json_type(&d->j, tok) != JSMN_ARRAY)
		return rd_fail(d, e, EPROTO, "expected an array");
	json_iter_init(&d->j, tok, &it);
	while (json_iter_next(&d->j, &it, &k, &v)) {
		size_t old = rd_push_index(d, n++);

		if (fn(d, v, h, e) < 0)
			return -1;
		rd_pop(d, old);
	}
	return 0;
}

int create_binds_read(struct rd *d, int tok, void *at, struct berr *e)
{
	return each_string(d, tok, at, bind_one, e);
}

/* ---------------------------------------------------------- Mounts[] */

struct mount_in {
	const char *type, *source, *target, *propagation, *driver, *subpath, *consistency;
	int read_only, nocopy, nonrec, mkdir, ro_nonrec, ro_force;
	int64_t size;
	unsigned mode;
	int n_opts, host_opts;
};

static int driver_opt(struct rd *d, const char *key, int val, void *at, struct berr *e)
{
	struct mount_in *in = at;
	const char *v = "";

	if (!rd_null(d, val) && rd_string(d, val, &v, e) < 0)
		return -1;
	in->n_opts++;
	in->host_opts |= policy_volopt_host(key, v);
	return 0;
}

static int driver_opts_read(struct rd *d, int tok, void *at, struct berr *e)
{
	return create_map(d, tok, driver_opt, at, e);
}

#define MI(f) offsetof(struct mount_in, f)

static const struct rd_field bind_opt_fields[] = {
	RD_F("Propagation", F_STR, MI(propagation)),
	RD_F("NonRecursive", F_BOOL, MI(nonrec)),
	RD_F("CreateMountpoint", F_BOOL, MI(mkdir)),
	RD_F("ReadOnlyNonRecursive", F_BOOL, MI(ro_nonrec)),
	RD_F("ReadOnlyForceRecursive", F_BOOL, MI(ro_force)),
	RD_END,
};

static const struct rd_field driver_fields[] = {
	RD_F("Name", F_STR, MI(driver)),
	RD_F("Options", F_FN, 0, .fn = driver_opts_read),
	RD_END,
};

static const struct rd_field volume_opt_fields[] = {
	RD_F("NoCopy", F_BOOL, MI(nocopy)),
	RD_F("Labels", F_ANY, 0),
	RD_F("DriverConfig", F_OBJ, 0, .sub = driver_fields),
	RD_F("Subpath", F_STR, MI(subpath)),
	RD_END,
};

static const struct rd_field tmpfs_opt_fields[] = {
	RD_F("SizeBytes", F_INT, MI(size), .max = INT64_MAX),
	RD_F("Mode", F_UINT, MI(mode), .max = 07777),
	RD_F("Options", F_ANY, 0),
	RD_END,
};

static const struct rd_field mount_fields[] = {
	RD_F("Type", F_STR, MI(type)),
	RD_F("Source", F_STR, MI(source)),
	RD_F("Target", F_STR, MI(target)),
	RD_F("ReadOnly", F_BOOL, MI(read_only)),
	RD_F("Consistency", F_STR, MI(consistency)),
	RD_F("BindOptions", F_OBJ, 0, .sub = bind_opt_fields),
	RD_F("VolumeOptions", F_OBJ, 0, .sub = volume_opt_fields),
	RD_F("TmpfsOptions", F_OBJ, 0, .sub = tmpfs_opt_fields),
	RD_END,
};

static int mount_type(struct rd *d, const char *t, enum create_mnt_type *out, struct berr *e)
{
	if (strcmp(t, "bind") == 0)
		*out = MNT_BIND;
	else if (strcmp(t, "volume") == 0)
		*out = MNT_VOLUME;
	else if (strcmp(t, "tmpfs") == 0)
		*out = MNT_TMPFS;
	else
		return rd_fail(d, e, EPROTO, "Type '%.32s' is not supported (bind, volume or tmpfs)", t);
	return 0;
}

/* What one type does not take. */
static int mount_in_check(struct rd *d, const struct mount_in *in, enum create_mnt_type t,
			  struct berr *e)
{
	if (t != MNT_BIND &&
	    (in->propagation[0] || in->nonrec || in->mkdir || in->ro_nonrec || in->ro_force))
		return rd_fail(d, e, EPROTO, "BindOptions: only with Type bind");
	if (t != MNT_VOLUME && (in->nocopy || in->driver[0] || in->n_opts || in->subpath[0]))
		return rd_fail(d, e, EPROTO, "VolumeOptions: only with Type volume");
	if (t != MNT_TMPFS && (in->size || in->mode))
		return rd_fail(d, e, EPROTO, "TmpfsOptions: only with Type tmpfs");
	if (in->subpath[0])
		return rd_fail(d, e, EPROTO, "VolumeOptions.Subpath: not supported");
	if (in->propagation[0] && !is_propagation(in->propagation, strlen(in->propagation)))
		return rd_fail(d, e, EPROTO, "BindOptions.Propagation '%.32s': unknown", in->propagation);
	if (t == MNT_TMPFS && in->source[0])
		return rd_fail(d, e, EPROTO, "Source: not with Type tmpfs");
	if (t == MNT_BIND && !in->source[0])
		return rd_fail(d, e, EPROTO, "Source: a bind mount needs one");
	if (t == MNT_VOLUME && in->source[0] && !volume_name_ok(in->source, strlen(in->source)))
		return rd_fail(d, e, EPROTO, "Source '%.64s': not a volume name ([a-zA-Z0-9][a-zA-Z0-9_.-]+)",
			       in->source);
	return 0;
}

static int mount_one(struct rd *d, int tok, struct create_host *h, struct berr *e)
{
	struct mount_in in = { .type = "", .source = "", .target = "", .propagation = "",
				.driver = "", .subpath = "", .consistency = "" };
	enum create_mnt_type t;
	struct create_mount *m;

	if (rd_null(d, tok))
		return rd_fail(d, e, EPROTO, "expected an object");
	if (rd_obj(d, tok, mount_fields, &in, e) < 0 || mount_type(d, in.type, &t, e) < 0 ||
	    mount_in_check(d, &in, t, e) < 0)
		return -1;
	m = mount_new(d, h, t, e);
	if (!m)
		return -1;
	if (t == MNT_BIND && path_keep(d, "Source", in.source, strlen(in.source), &m->src, e) < 0)
		return -1;
	if (t == MNT_VOLUME)
		m->src = in.source;
	if (!in.target[0])
		return rd_fail(d, e, EPROTO, "Target: empty");
	if (target_keep(d, in.target, strlen(in.target), m, e) < 0)
		return -1;
	m->ro = in.read_only;
	m->nocopy = in.nocopy;
	m->propagation = in.propagation;
	m->driver = in.driver;
	m->driver_opts = in.n_opts;
	m->driver_host = in.host_opts;
	m->size = (uint64_t)in.size;
	m->mode = in.mode;
	h->n_mounts++;
	return 0;
}

int create_mounts_read(struct rd *d, int tok, void *at, struct berr *e)
{
	return each_string(d, tok, at, mount_one, e);
}

/* ------------------------------------------------------------ Tmpfs */

/* dockerd's RAMInBytes: a number with an optional k, m, g, t (1024s) and
 * an optional b ("64m", "1g", "4096", "512kb"). */
static int size_parse(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0, mul = 1;
	size_t i = 0;

	while (i < n && s[i] >= '0' && s[i] <= '9') {
		if (v > (UINT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (uint64_t)(s[i++] - '0');
	}
	if (i == 0)
		return -1;
	if (i < n) {
		const char *u = strchr("kmgt", s[i] | 0x20);

		if (u && s[i]) {
			for (long k = 0; k <= u - "kmgt"; k++)
				mul *= 1024;
			i++;
		}
	}
	if (i < n && (s[i] | 0x20) == 'b')
		i++;
	if (i != n || (v && mul > UINT64_MAX / v))
		return -1;
	*out = v * mul;
	return 0;
}

static int tmpfs_opts(struct rd *d, const char *o, struct create_mount *m, struct berr *e)
{
	static const char *const plain[] = { "noexec", "nosuid", "nodev", "rw", "atime", "noatime",
					     "relatime", "strictatime", "nodiratime", "diratime" };
	while (*o) {
		const char *w = o;
		size_t n = strcspn(o, ","), i;
		int ok = 0;

		o += n + (o[n] == ',');
		for (i = 0; i < sizeof plain / sizeof plain[0]; i++)
			ok |= word_is(w, n, plain[i]);
		if (ok)
			continue;
		if (word_is(w, n, "ro"))
			m->ro = 1;
		else if (word_is(w, n, "exec"))
			m->exec = 1;
		else if (n > 5 && memcmp(w, "size=", 5) == 0 && size_parse(w + 5, n - 5, &m->size) == 0)
			continue;
		else if (n > 5 && memcmp(w, "mode=", 5) == 0 && strspn(w + 5, "01234567") == n - 5 && n - 5 <= 4)
			m->mode = (unsigned)strtoul(w + 5, NULL, 8);
		else
			return rd_fail(d, e, EPROTO, "option '%.*s' is not supported (size=, mode=, ro, "
				       "exec, noexec; tmpfs is always nosuid,nodev)", (int)(n > 32 ? 32 : n), w);
	}
	return 0;
}

static int tmpfs_one(struct rd *d, const char *key, int val, void *at, struct berr *e)
{
	struct create_mount *m = mount_new(d, at, MNT_TMPFS, e);
	const char *opts = "";

	if (!m)
		return -1;
	if (!rd_null(d, val) && rd_string(d, val, &opts, e) < 0)
		return -1;
	if (target_keep(d, key, strlen(key), m, e) < 0 || tmpfs_opts(d, opts, m, e) < 0)
		return -1;
	((struct create_host *)at)->n_mounts++;
	return 0;
}

int create_tmpfs_read(struct rd *d, int tok, void *at, struct berr *e)
{
	return create_map(d, tok, tmpfs_one, at, e);
}

/* ---------------------------------------------------- Config.Volumes */

static int volume_one(struct rd *d, const char *key, int val, void *at, struct berr *e)
{
	static const struct rd_field none[] = { RD_END };
	struct create_req *r = at;
	struct create_mount *m = mount_new(d, &r->host, MNT_VOLUME, e);

	if (!m || rd_obj(d, val, none, NULL, e) < 0 || target_keep(d, key, strlen(key), m, e) < 0)
		return -1;
	r->host.n_mounts++;
	return 0;
}

int create_volumes_read(struct rd *d, int tok, void *at, struct berr *e)
{
	return create_map(d, tok, volume_one, at, e);
}

static int anonymous(const struct create_mount *m)
{
	return strncmp(m->field, "Volumes[", 8) == 0;
}

int create_mounts_finish(struct rd *d, struct create_req *r, struct berr *e)
{
	struct create_host *h = &r->host;
	int o = 0;

	/* an anonymous volume gives way to any other mount on its target */
	for (int i = 0; i < h->n_mounts; i++) {
		int drop = 0;

		for (int k = 0; anonymous(&h->mounts[i]) && k < h->n_mounts; k++)
			drop |= k != i && !anonymous(&h->mounts[k]) &&
				strcmp(h->mounts[i].dst, h->mounts[k].dst) == 0;
		if (!drop)
			h->mounts[o++] = h->mounts[i];
	}
	h->n_mounts = o;
	for (int i = 0; i < h->n_mounts; i++)
		for (int k = i + 1; k < h->n_mounts; k++)
			if (strcmp(h->mounts[i].dst, h->mounts[k].dst) == 0) {
				rd_pop(d, 0);
				return berr_set(e, EPROTO, "%s: duplicate mount point %s (also %s)",
						h->mounts[k].field, h->mounts[k].dst, h->mounts[i].field);
			}
	return 0;
}

/* spec.c — defaults and the parsers for a launch spec's values. */
#include "runtime/launch/launch.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "lib/caps.h"
#include "lib/util.h"

void launch_spec_init(struct launch_spec *s)
{
	memset(s, 0, sizeof *s);
	s->caps = CAPS_DOCKER_DEFAULT;
	s->no_new_privs = 1;
	s->seccomp = LAUNCH_SECCOMP_DEFAULT;
	s->net = LAUNCH_NET_NONE;
	s->stdio[0] = s->stdio[1] = s->stdio[2] = -1;
}

static int parse_u64(const char *v, unsigned long long *out)
{
	char *end;

	if (!isdigit((unsigned char)v[0]))
		return -1;
	errno = 0;
	*out = strtoull(v, &end, 10);
	if (errno || *end)
		return -1;
	return 0;
}

int launch_parse_size(const char *v, long long *bytes, struct berr *e)
{
	char num[32], *end;
	size_t n = strlen(v);
	unsigned long long mult = 1, x;

	if (n == 0 || n >= sizeof num)
		return berr_set(e, EINVAL, "size '%s': want a number with an optional k, m or g", v);
	memcpy(num, v, n + 1);
	switch (tolower((unsigned char)num[n - 1])) {
	case 'k': mult = 1ULL << 10; break;
	case 'm': mult = 1ULL << 20; break;
	case 'g': mult = 1ULL << 30; break;
	case 'b': break;
	default: n++; break;
	}
	num[n - 1] = '\0';
	if (!isdigit((unsigned char)num[0]))
		return berr_set(e, EINVAL, "size '%s': want a number with an optional k, m or g", v);
	errno = 0;
	x = strtoull(num, &end, 10);
	if (errno || *end || x == 0 || x > (unsigned long long)INT64_MAX / mult)
		return berr_set(e, EINVAL, "size '%s': want a positive number with an optional k, m or g", v);
	*bytes = (long long)(x * mult);
	return 0;
}

int launch_parse_cpus(const char *v, long long *milli, struct berr *e)
{
	unsigned long long whole = 0, frac = 0;
	int digits = 0;
	const char *p = v;

	if (!isdigit((unsigned char)*p))
		return berr_set(e, EINVAL, "cpus '%s': want a positive decimal like 1.5", v);
	while (isdigit((unsigned char)*p) && whole < 100000)
		whole = whole * 10 + (unsigned)(*p++ - '0');
	if (*p == '.') {
		p++;
		while (isdigit((unsigned char)*p) && digits < 3) {
			frac = frac * 10 + (unsigned)(*p++ - '0');
			digits++;
		}
		while (digits++ < 3)
			frac *= 10;
	}
	if (*p || whole >= 100000 || whole * 1000 + frac < 10)
		return berr_set(e, EINVAL, "cpus '%s': want a decimal from 0.01 up to 99999", v);
	*milli = (long long)(whole * 1000 + frac);
	return 0;
}

/* dst with "//" and "/./" collapsed and no trailing "/" or "/.": the
 * spellings of one path that openat2 resolves alike. */
static void normalise(const char *dst, char *out, size_t size)
{
	size_t o = 0;

	for (const char *p = dst; *p && o + 2 < size;) {
		size_t n;
		while (*p == '/')
			p++;
		n = strcspn(p, "/");
		if (n == 0 || (n == 1 && p[0] == '.')) {
			p += n;
			continue;
		}
		out[o++] = '/';
		if (n > size - 1 - o)
			n = size - 1 - o;
		memcpy(out + o, p, n);
		o += n;
		p += n;
	}
	if (o == 0)
		out[o++] = '/';
	out[o] = '\0';
}

/* A path inside the container: absolute, no "..", bounded, not the root
 * and not in the launcher's own trees (compared here lexically; the child
 * compares again after resolving it in the root, symlinks included). */
static int check_dst(const char *what, const char *v, const char *dst, struct berr *e)
{
	static const char *const owned[] = { "/proc", "/sys", "/dev" };
	char norm[4096];

	if (dst[0] != '/' || strlen(dst) >= sizeof norm)
		return berr_set(e, EINVAL, "%s '%s': the destination must be an absolute path", what, v);
	for (const char *p = dst; (p = strstr(p, "..")); p += 2)
		if ((p == dst || p[-1] == '/') && (p[2] == '/' || p[2] == '\0'))
			return berr_set(e, EINVAL, "%s '%s': '..' in the destination", what, v);
	normalise(dst, norm, sizeof norm);
	if (strcmp(norm, "/") == 0)
		return berr_set(e, EINVAL, "%s '%s': cannot mount over the root", what, v);
	/* The launcher's own trees: a bind there could undo a mask or bring
	 * the host's procfs in. */
	for (size_t i = 0; i < ARRAY_SIZE(owned); i++) {
		size_t n = strlen(owned[i]);
		if (strncmp(norm, owned[i], n) == 0 && (norm[n] == '\0' || norm[n] == '/'))
			return berr_set(e, EPERM, "%s '%s': %s and below belong to the launcher", what, v,
					owned[i]);
	}
	return 0;
}

/* Split v in a static-free way: the spec keeps pointers, so the pieces are
 * stored back into v's own storage by the caller (argv strings). */
int launch_parse_mount(const char *v, struct launch_bind *b, struct berr *e)
{
	char *s = (char *)v, *c1, *c2;

	memset(b, 0, sizeof *b);
	c1 = strchr(s, ':');
	if (!c1 || c1 == s)
		return berr_set(e, EINVAL, "bind '%s': want SRC:DST[:ro]", v);
	c2 = strchr(c1 + 1, ':');
	if (c2) {
		if (strcmp(c2 + 1, "ro") != 0 && strcmp(c2 + 1, "rw") != 0)
			return berr_set(e, EINVAL, "bind '%s': the option must be ro or rw", v);
		b->ro = strcmp(c2 + 1, "ro") == 0;
		*c2 = '\0';
	}
	*c1 = '\0';
	b->src = s;
	b->dst = c1 + 1;
	if (s[0] != '/')
		return berr_set(e, EINVAL, "bind '%s': the source must be an absolute path", s);
	return check_dst("bind", b->dst, b->dst, e);
}

int launch_parse_tmpfs(const char *v, struct launch_bind *b, struct berr *e)
{
	char *s = (char *)v, *c = strchr(s, ':');
	long long size = 0;

	memset(b, 0, sizeof *b);
	b->tmpfs = 1;
	if (c) {
		*c = '\0';
		if (launch_parse_size(c + 1, &size, e) < 0)
			return berr_prefix(e, "tmpfs %s", s);
	}
	b->dst = s;
	b->size = (unsigned long long)size;
	return check_dst("tmpfs", s, s, e);
}

int launch_parse_sysctl(char *v, struct launch_sysctl *s, struct berr *e)
{
	static const char *const ok[] = { "net.", "kernel.shm", "kernel.msg", "kernel.sem", "fs.mqueue." };
	char *eq = strchr(v, '=');
	int allowed = 0;

	if (!eq || eq == v || !eq[1])
		return berr_set(e, EINVAL, "sysctl '%s': want KEY=VALUE", v);
	*eq = '\0';
	for (char *p = v; *p; p++)
		if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p) && *p != '.' &&
		    *p != '_' && *p != '-')
			return berr_set(e, EINVAL, "sysctl '%s': bad character in the key", v);
	if (strstr(v, "..") || v[0] == '.' || eq[-1] == '.')
		return berr_set(e, EINVAL, "sysctl '%s': bad key", v);
	for (size_t i = 0; i < ARRAY_SIZE(ok); i++)
		if (strncmp(v, ok[i], strlen(ok[i])) == 0)
			allowed = 1;
	if (!allowed)
		return berr_set(e, EPERM, "sysctl '%s': not a namespaced sysctl (net.*, kernel.shm*, "
			       "kernel.msg*, kernel.sem, fs.mqueue.*)", v);
	if (strlen(eq + 1) > 256 || strchr(eq + 1, '\n'))
		return berr_set(e, EINVAL, "sysctl '%s': bad value", v);
	s->key = v;
	s->value = eq + 1;
	return 0;
}

static const struct {
	const char *name;
	int res;
} rlimit_names[] = {
	{ "as", RLIMIT_AS }, { "core", RLIMIT_CORE }, { "cpu", RLIMIT_CPU },
	{ "data", RLIMIT_DATA }, { "fsize", RLIMIT_FSIZE }, { "locks", RLIMIT_LOCKS },
	{ "memlock", RLIMIT_MEMLOCK }, { "msgqueue", RLIMIT_MSGQUEUE }, { "nice", RLIMIT_NICE },
	{ "nofile", RLIMIT_NOFILE }, { "nproc", RLIMIT_NPROC }, { "rss", RLIMIT_RSS },
	{ "rtprio", RLIMIT_RTPRIO }, { "rttime", RLIMIT_RTTIME },
	{ "sigpending", RLIMIT_SIGPENDING }, { "stack", RLIMIT_STACK },
};

static int parse_limit(const char *v, unsigned long long *out)
{
	if (strcmp(v, "unlimited") == 0 || strcmp(v, "-1") == 0) {
		*out = RLIM_INFINITY;
		return 0;
	}
	return parse_u64(v, out);
}

int launch_parse_rlimit(const char *v, struct launch_rlimit *r, struct berr *e)
{
	char buf[96], *eq, *colon;
	size_t i;

	if (strlen(v) >= sizeof buf)
		return berr_set(e, EINVAL, "rlimit '%s': too long", v);
	strcpy(buf, v);
	eq = strchr(buf, '=');
	if (!eq)
		return berr_set(e, EINVAL, "rlimit '%s': want NAME=SOFT[:HARD]", v);
	*eq = '\0';
	for (i = 0; i < ARRAY_SIZE(rlimit_names); i++)
		if (strcmp(buf, rlimit_names[i].name) == 0)
			break;
	if (i == ARRAY_SIZE(rlimit_names))
		return berr_set(e, EINVAL, "rlimit '%s': unknown resource '%s'", v, buf);
	r->resource = rlimit_names[i].res;
	colon = strchr(eq + 1, ':');
	if (colon)
		*colon = '\0';
	if (parse_limit(eq + 1, &r->soft) < 0 || (colon && parse_limit(colon + 1, &r->hard) < 0))
		return berr_set(e, EINVAL, "rlimit '%s': want numbers or 'unlimited'", v);
	if (!colon)
		r->hard = r->soft;
	if (r->soft > r->hard)
		return berr_set(e, EINVAL, "rlimit '%s': the soft limit is above the hard one", v);
	return 0;
}

int launch_parse_remap(const char *v, struct launch_spec *s, struct berr *e)
{
	unsigned long long u, g, n;
	char buf[64], *c1, *c2;

	if (strlen(v) >= sizeof buf)
		return berr_set(e, EINVAL, "userns-remap '%s': too long", v);
	strcpy(buf, v);
	c1 = strchr(buf, ':');
	c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	if (!c1 || !c2 || strchr(c2 + 1, ':'))
		return berr_set(e, EINVAL, "userns-remap '%s': want UID:GID:COUNT", v);
	*c1 = *c2 = '\0';
	if (parse_u64(buf, &u) < 0 || parse_u64(c1 + 1, &g) < 0 || parse_u64(c2 + 1, &n) < 0)
		return berr_set(e, EINVAL, "userns-remap '%s': want three numbers UID:GID:COUNT", v);
	/* Host root never maps into a container; the range must fit in 32 bits. */
	if (u == 0 || g == 0 || n == 0 || u + n > 0xffffffffULL || g + n > 0xffffffffULL)
		return berr_set(e, EINVAL, "userns-remap '%s': want a non-root range of 1 or more ids below 2^32-1", v);
	s->remap_uid = (unsigned)u;
	s->remap_gid = (unsigned)g;
	s->remap_count = (unsigned)n;
	return 0;
}

/* The mask of a --cap-add or --cap-drop list; *all when it names ALL. */
static int caps_list(const char *const *names, int n, const char *opt, uint64_t *mask, int *all,
		     struct berr *e)
{
	*mask = 0;
	*all = 0;
	for (int i = 0; i < n; i++) {
		int c = caps_from_name(names[i], e);
		if (c == -1)
			return berr_prefix(e, "%s", opt);
		if (c == -2)
			*all = 1;
		else
			*mask |= UINT64_C(1) << c;
	}
	return 0;
}

int launch_caps(const char *const *add, int n_add, const char *const *drop, int n_drop,
		uint64_t *caps, struct berr *e)
{
	uint64_t all = (caps_last() >= 63) ? ~UINT64_C(0) : (UINT64_C(1) << (caps_last() + 1)) - 1;
	uint64_t a, d;
	int add_all, drop_all;

	if (caps_list(add, n_add, "--cap-add", &a, &add_all, e) < 0 ||
	    caps_list(drop, n_drop, "--cap-drop", &d, &drop_all, e) < 0)
		return -1;
	if (add_all)
		*caps = all & ~d;
	else if (drop_all)
		*caps = a;
	else
		*caps = (CAPS_DOCKER_DEFAULT | a) & ~d;
	return 0;
}

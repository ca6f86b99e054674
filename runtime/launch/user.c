/* user.c — the exec user: "uid[:gid]", "name[:group]", resolved against the
 * image's /etc/passwd and /etc/group before anything is created. Exactly the
 * requested ids or an error naming what was wrong (SECURITY.md class 12). */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/launch/launch-internal.h"
#include "runtime/launch/mountfd.h"

/* A decimal id in 0..2^32-2 (-1 is "no change" to the kernel: never an id). */
static int parse_id(const char *s, size_t n, unsigned *out)
{
	unsigned long long v = 0;

	if (n == 0 || n > 10)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (v > 0xfffffffeULL)
		return -1;
	*out = (unsigned)v;
	return 0;
}

static int valid_name(const char *s, size_t n)
{
	if (n == 0 || n > 32 || s[0] == '-')
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_' && s[i] != '-' && s[i] != '.')
			return 0;
	return 1;
}

static int is_number(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return n > 0;
}

/* Field i (0-based) of a ':'-separated line; NULL when the line is short. */
static const char *field(const char *line, int i, size_t *len)
{
	const char *p = line;

	for (; i > 0; i--) {
		p = strchr(p, ':');
		if (!p)
			return NULL;
		p++;
	}
	*len = strcspn(p, ":\n");
	return p;
}

/* The number in field i of line, or -1. */
static int field_id(const char *line, int i, unsigned *v)
{
	size_t n = 0;
	const char *f = field(line, i, &n);

	return f ? parse_id(f, n, v) : -1;
}

/* Find a line of db whose field key_field equals key (or, by_id, whose
 * field id_field is the number id). Returns the line start or NULL. */
static const char *lookup(const char *db, const char *key, size_t klen, int by_id, unsigned id,
			  int key_field, int id_field)
{
	for (const char *line = db; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		size_t n;
		const char *f;
		unsigned v;

		if (*line == '#' || *line == '\n')
			continue;
		if (by_id) {
			f = field(line, id_field, &n);
			if (f && parse_id(f, n, &v) == 0 && v == id)
				return line;
		} else {
			f = field(line, key_field, &n);
			if (f && n == klen && memcmp(f, key, n) == 0)
				return line;
		}
	}
	return NULL;
}

/* One group: a number, or a name in /etc/group. */
static int group_id(const char *grp, const char *s, size_t n, unsigned *gid, struct berr *e)
{
	const char *line;

	if (is_number(s, n)) {
		if (parse_id(s, n, gid) < 0)
			return berr_set(e, EINVAL, "group '%.*s': not an id in 0..4294967294", (int)n, s);
		return 0;
	}
	if (!valid_name(s, n))
		return berr_set(e, EINVAL, "group '%.*s': not a valid name or id", (int)n, s);
	line = lookup(grp, s, n, 0, 0, 0, 2);
	if (!line || field_id(line, 2, gid) < 0)
		return berr_set(e, ENOENT, "group '%.*s': not in the image's /etc/group", (int)n, s);
	return 0;
}

/* The user: uid, and (from its passwd line) its name, gid and home. */
static int primary(const char *passwd, const char *group, const char *user, struct launch_user *u,
		   const char **name, size_t *name_len, struct berr *e)
{
	const char *colon = strchr(user, ':'), *pw;
	size_t ulen = colon ? (size_t)(colon - user) : strlen(user), fl = 0;
	unsigned v;

	if (colon && (strchr(colon + 1, ':') || !colon[1]))
		return berr_set(e, EINVAL, "user '%s': want UID[:GID] or NAME[:GROUP]", user);
	if (is_number(user, ulen)) {
		if (parse_id(user, ulen, &v) < 0)
			return berr_set(e, EINVAL, "user '%s': not an id in 0..4294967294", user);
		u->uid = v;
		pw = lookup(passwd, NULL, 0, 1, v, 0, 2);
	} else {
		if (!valid_name(user, ulen))
			return berr_set(e, EINVAL, "user '%s': not a valid name or id", user);
		pw = lookup(passwd, user, ulen, 0, 0, 0, 2);
		if (!pw)
			return berr_set(e, ENOENT, "user '%.*s': not in the image's /etc/passwd", (int)ulen, user);
		if (field_id(pw, 2, &v) < 0)
			return berr_set(e, EINVAL, "user '%.*s': bad uid in /etc/passwd", (int)ulen, user);
		u->uid = v;
	}
	if (pw) {
		const char *h;
		*name = field(pw, 0, name_len);
		if (!colon) {
			if (field_id(pw, 3, &v) < 0)
				return berr_set(e, EINVAL, "user '%s': bad gid in /etc/passwd", user);
			u->gid = v;
		}
		h = field(pw, 5, &fl);
		if (h && fl > 0 && fl < sizeof u->home && h[0] == '/') {
			memcpy(u->home, h, fl);
			u->home[fl] = '\0';
		}
	}
	if (colon && group_id(group, colon + 1, strlen(colon + 1), &u->gid, e) < 0)
		return berr_prefix(e, "user '%s'", user);
	return 0;
}

/* The groups whose member list (field 3) names the user. */
static int member_groups(const char *group, const char *name, size_t name_len, struct launch_user *u,
			 const char *user, struct berr *e)
{
	for (const char *line = group; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		size_t ml;
		const char *m = field(line, 3, &ml);
		const char *end = m ? m + ml : NULL;
		unsigned gid;

		for (const char *p = m; p && p < end;) {
			size_t wl = strcspn(p, ",:\n");
			if (wl == name_len && memcmp(p, name, wl) == 0 && field_id(line, 2, &gid) == 0) {
				if (u->n_groups >= LAUNCH_GROUPS_MAX)
					return berr_set(e, E2BIG, "user '%s': more than %d groups", user,
							LAUNCH_GROUPS_MAX);
				u->groups[u->n_groups++] = gid;
			}
			p += wl + 1;
		}
	}
	return 0;
}

int launch_user_parse(const char *passwd, const char *group, const char *user,
		      const char *const *groups_add, int n_groups_add, struct launch_user *u, struct berr *e)
{
	const char *name = NULL;
	size_t name_len = 0;

	memset(u, 0, sizeof *u);
	strcpy(u->home, "/");
	if (!user || !*user)
		user = "0";
	if (primary(passwd, group, user, u, &name, &name_len, e) < 0)
		return -1;
	/* Supplementary groups: those listing the user by name, then --group-add. */
	if (name && member_groups(group, name, name_len, u, user, e) < 0)
		return -1;
	for (int i = 0; i < n_groups_add; i++) {
		unsigned gid;
		if (group_id(group, groups_add[i], strlen(groups_add[i]), &gid, e) < 0)
			return berr_prefix(e, "--group-add");
		if (u->n_groups >= LAUNCH_GROUPS_MAX)
			return berr_set(e, E2BIG, "--group-add: more than %d groups", LAUNCH_GROUPS_MAX);
		u->groups[u->n_groups++] = gid;
	}
	return 0;
}

/* path of the image into buf (an absent file reads as empty). */
static int read_db(int rootfd, const char *path, char *buf, size_t size, struct berr *e)
{
	if (mfd_read(rootfd, path, buf, size, e) >= 0)
		return 0;
	if (e->errnum == ENOENT) {
		buf[0] = '\0';
		return 0;
	}
	return -1;
}

int launch_user_resolve(int rootfd, const char *user, const char *const *groups_add,
			int n_groups_add, struct launch_user *u, struct berr *e)
{
	/* On the heap: CONFIG_LAUNCH_PASSWD_MAX goes up to 4 MiB each. */
	char *passwd = malloc(CONFIG_LAUNCH_PASSWD_MAX), *group = malloc(CONFIG_LAUNCH_PASSWD_MAX);
	int rc = -1;

	if (!passwd || !group)
		berr_sys(e, "user: passwd and group buffers");
	else if (read_db(rootfd, "/etc/passwd", passwd, CONFIG_LAUNCH_PASSWD_MAX, e) < 0 ||
		 read_db(rootfd, "/etc/group", group, CONFIG_LAUNCH_PASSWD_MAX, e) < 0)
		berr_prefix(e, "user");
	else
		rc = launch_user_parse(passwd, group, user, groups_add, n_groups_add, u, e);
	free(passwd);
	free(group);
	return rc;
}

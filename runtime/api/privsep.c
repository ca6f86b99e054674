/* privsep.c — the empty root and the drop (privsep.h). */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/fs.h"
#include "lib/sandbox.h"
#include "lib/seccomp.h"
#include "runtime/api/privsep.h"

#define DB_MAX (256 * 1024)

/* Field 3 (and 4) of name's line in an /etc/passwd-style file. */
static int lookup(const char *file, const char *name, long *id, long *id2, struct berr *e)
{
	char *buf = malloc(DB_MAX);
	size_t nl = strlen(name);
	ssize_t n;
	int rc = -1;

	if (!buf)
		return berr_set(e, ENOMEM, "out of memory");
	if ((n = fs_read(file, buf, DB_MAX, e)) < 0)
		goto out;
	buf[n] = '\0';
	for (char *l = buf; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		char *p;

		if (strncmp(l, name, nl) || l[nl] != ':')
			continue;
		p = strchr(l + nl + 1, ':');
		if (!p)
			break;
		*id = strtol(p + 1, &p, 10);
		if (*p == ':' && id2)
			*id2 = strtol(p + 1, NULL, 10);
		rc = 0;
		break;
	}
	if (rc < 0)
		berr_set(e, ENOENT, "%s: no %s", file, name);
out:
	free(buf);
	return rc;
}

int privsep_ids(const struct api_conf *c, struct privsep_ids *ids, struct berr *e)
{
	const char *groups[] = { c->engine_group, c->admin_group };
	long uid, gid = -1;
	char *end;

	uid = strtol(c->user, &end, 10);
	if (*c->user && !*end) {
		gid = uid;
	} else if (lookup("/etc/passwd", c->user, &uid, &gid, e) < 0) {
		return berr_prefix(e, "[api] user");
	}
	if (uid <= 0 || gid <= 0)
		return berr_set(e, EINVAL, "[api] user %s: uid and gid must not be 0", c->user);
	ids->uid = (uid_t)uid;
	ids->gid = (gid_t)gid;
	ids->n_groups = 0;
	for (size_t i = 0; i < 2; i++) {
		long g, unused;
		struct berr ign;

		g = strtol(groups[i], &end, 10);
		if (*groups[i] && !*end && g > 0)
			ids->groups[ids->n_groups++] = (gid_t)g;	/* a number */
		else if (*groups[i] && lookup("/etc/group", groups[i], &g, &unused, &ign) == 0 && g > 0)
			ids->groups[ids->n_groups++] = (gid_t)g;
	}
	return 0;
}

static int mkdirs(char *path)
{
	for (char *s = path + 1; ; s++) {
		if (*s == '/' || !*s) {
			char ch = *s;

			*s = '\0';
			if (mkdir(path, 0755) < 0 && errno != EEXIST)
				return -1;
			*s = ch;
			if (!ch)
				return 0;
		}
	}
}

/* Bind the directory of sock (a host path) at the same path under root,
 * read-only, nosuid, nodev, noexec. */
static int bind_dir(const char *root, const char *sock, struct berr *e)
{
	char src[API_PATH_MAX], dst[2 * API_PATH_MAX];
	char *slash;

	snprintf(src, sizeof(src), "%s", sock);
	slash = strrchr(src, '/');
	if (!slash || slash == src)
		return berr_set(e, EINVAL, "%s: the socket must be in a directory below /", sock);
	*slash = '\0';
	snprintf(dst, sizeof(dst), "%s%s", root, src);
	if (mkdirs(dst) < 0)
		return berr_sys(e, "mkdir %s", dst);
	if (mount(src, dst, NULL, MS_BIND | MS_REC, NULL) < 0)
		return berr_sys(e, "bind %s", src);
	if (mount(NULL, dst, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  NULL) < 0)
		return berr_sys(e, "remount %s read-only", dst);
	return 0;
}

static int same_dir(const char *a, const char *b)
{
	const char *sa = strrchr(a, '/'), *sb = strrchr(b, '/');

	return sa - a == sb - b && !strncmp(a, b, (size_t)(sa - a));
}

static int new_root(const struct api_conf *c, const char *dir, struct berr *e)
{
	if (unshare(CLONE_NEWNS) < 0)
		return berr_sys(e, "unshare(CLONE_NEWNS)");
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return berr_sys(e, "make / private");
	if (mount("apid", dir, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=64k,mode=0755") < 0)
		return berr_sys(e, "tmpfs on %s", dir);
	if (bind_dir(dir, c->engine_socket, e) < 0)
		return -1;
	if (!same_dir(c->engine_socket, c->init_socket) && bind_dir(dir, c->init_socket, e) < 0)
		return -1;
	if (chdir(dir) < 0)
		return berr_sys(e, "chdir %s", dir);
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return berr_sys(e, "pivot_root");
	if (umount2(".", MNT_DETACH) < 0)
		return berr_sys(e, "detach the old root");
	if (chdir("/") < 0)
		return berr_sys(e, "chdir /");
	if (mount(NULL, "/", NULL, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		return berr_sys(e, "remount / read-only");
	return 0;
}

int privsep_apply(const struct api_conf *c, const struct privsep_ids *ids, const char *dir,
		  struct berr *e)
{
	struct sandbox sb = {
		.uid = ids->uid, .gid = ids->gid,
		.groups = ids->groups, .n_groups = ids->n_groups,
		.caps = 0, .no_new_privs = 1,
		.filter = seccomp_apid_filter, .filter_len = seccomp_apid_len,
	};

	if (new_root(c, dir, e) < 0)
		return berr_prefix(e, "privilege drop");
	if (sandbox_apply(&sb, e) < 0)
		return berr_prefix(e, "privilege drop");
	return 0;
}

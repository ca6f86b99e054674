/* limits.c — the container's cgroup v2 group: its limits and the device
 * program (failing closed), placed with clone3(CLONE_INTO_CGROUP). Where
 * /sys/fs/cgroup is not cgroup2 with the memory, pids and cpu controllers (a
 * v1/v2 hybrid host) the container runs without a group and the result
 * says so, unless the spec requires cgroups. */
#include "runtime/launch/launch-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#include "lib/cgroup.h"
#include "lib/fs.h"
#include "lib/util.h"

#define CGROUP_ROOT "/sys/fs/cgroup"
#define CPU_PERIOD_US 100000

static int has_controllers(char *list)
{
	static const char *const want[] = { "memory", "pids", "cpu" };
	int found = 0;

	for (size_t i = 0; i < ARRAY_SIZE(want); i++) {
		size_t n = strlen(want[i]);
		for (char *p = list; (p = strstr(p, want[i])); p += n)
			if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\n' || p[n] == '\0')) {
				found++;
				break;
			}
	}
	return found == (int)ARRAY_SIZE(want);
}

static int check_parent(const char *p, struct berr *e)
{
	if (!*p || p[0] == '/' || strlen(p) > 200 || strstr(p, ".."))
		return berr_set(e, EINVAL, "cgroup parent '%s': want a relative path without '..'", p);
	for (const char *q = p; *q; q++)
		if (!(*q >= 'a' && *q <= 'z') && !(*q >= 'A' && *q <= 'Z') && !(*q >= '0' && *q <= '9') &&
		    *q != '-' && *q != '_' && *q != '.' && *q != '/')
			return berr_set(e, EINVAL, "cgroup parent '%s': bad character", p);
	return 0;
}

/* A group name of the spec's: one path component of plain characters. */
static int check_name(const char *n, struct berr *e)
{
	size_t len = strlen(n);

	if (!len || len > 128 || strcmp(n, ".") == 0 || strcmp(n, "..") == 0)
		return berr_set(e, EINVAL, "cgroup name '%s': want 1-128 characters, not . or ..", n);
	for (const char *q = n; *q; q++)
		if (!(*q >= 'a' && *q <= 'z') && !(*q >= 'A' && *q <= 'Z') && !(*q >= '0' && *q <= '9') &&
		    *q != '-' && *q != '_' && *q != '.')
			return berr_set(e, EINVAL, "cgroup name '%s': bad character", n);
	return 0;
}

int launch_cg_prepare(const struct launch_spec *s, struct launch_cg *cg, struct launch_result *r,
		   struct berr *e)
{
	const char *parent = s->cgroup_parent ? s->cgroup_parent : CONFIG_LAUNCH_CGROUP_PARENT;
	struct statfs sf;
	char ctl[256], note[160];
	struct berr ignore;

	memset(cg, 0, sizeof *cg);
	cg->spec = s;
	if (check_parent(parent, e) < 0 || (s->cgroup_name && check_name(s->cgroup_name, e) < 0))
		return -1;
	if (statfs(CGROUP_ROOT, &sf) < 0 || sf.f_type != CGROUP2_SUPER_MAGIC)
		snprintf(note, sizeof note, "%s is not cgroup v2 (a v1 or hybrid host)", CGROUP_ROOT);
	else if (fs_read(CGROUP_ROOT "/cgroup.controllers", ctl, sizeof ctl, &ignore) < 0 ||
		 !has_controllers(ctl))
		snprintf(note, sizeof note, "cgroup v2 at %s lacks the memory, pids or cpu controller",
			 CGROUP_ROOT);
	else {
		cg->active = 1;
		snprintf(cg->parent, sizeof cg->parent, "%s/%s", CGROUP_ROOT, parent);
		int n = s->cgroup_name ? snprintf(cg->path, sizeof cg->path, "%s/%s", cg->parent, s->cgroup_name)
				       : snprintf(cg->path, sizeof cg->path, "%s/run-%d-%ld", cg->parent,
						  (int)getpid(), (long)time(NULL));
		if (n >= (int)sizeof cg->path)
			return berr_set(e, ENAMETOOLONG, "cgroup path too long");
		return 0;
	}
	if (s->require_cgroups)
		return berr_set(e, ENOTSUP, "--require-cgroups: %s", note);
	/* Every time, whatever was asked: the default pids.max goes too. */
	r->cgroups_off = 1;
	launch_warn(r, "no cgroup: %s; running without cgroup limits (not even the default pids.max %lld)%s",
		    note, s->pids_limit ? s->pids_limit : (long long)CONFIG_LAUNCH_PIDS_DEFAULT,
		    s->memory || s->cpus_milli ? ", --memory and --cpus ignored" : "");
	return 0;
}

int launch_cg_create(struct launch_cg *cg, int *fd, struct berr *e)
{
	const struct launch_spec *s = cg->spec;
	struct cgroup_limits l = {
		.pids_max = s->pids_limit ? s->pids_limit : (long long)CONFIG_LAUNCH_PIDS_DEFAULT,
		.memory_max = s->memory,
		.no_swap = s->memory != 0,
		.cpu_quota_us = s->cpus_milli * CPU_PERIOD_US / 1000,
		.cpu_period_us = CPU_PERIOD_US,
	};

	*fd = -1;
	if (!cg->active)
		return 0;
	if (mkdir(cg->parent, 0755) == 0)
		cg->made_parent = 1;
	else if (errno != EEXIST)
		return berr_sys(e, "cgroup %s", cg->parent);
	if (cgroup_enable(cg->parent, "memory pids cpu", e) < 0)
		return -1;
	/* A named group left by an earlier run of the same container (its
	 * launcher killed): removed when empty, else the create says EEXIST. */
	if (s->cgroup_name) {
		struct berr ignore;
		cgroup_remove(cg->path, 0, &ignore);
	}
	*fd = cgroup_create(cg->path, &l, 0, e);
	if (*fd < 0) {
		cg->path[0] = '\0';
		return -1;
	}
	/* Fail closed: no device program, no container. */
	if (launch_cg_devices(*fd, e) < 0) {
		launch_cg_destroy(cg, fd);
		return -1;
	}
	return 0;
}

void launch_cg_destroy(struct launch_cg *cg, int *fd)
{
	struct berr ignore;

	/* The pid namespace is gone with its PID 1, but its last processes
	 * may take a moment to leave the group: make sure, then remove it. */
	if (cg->active && cg->path[0] && *fd >= 0)
		cgroup_kill(*fd, 1000, &ignore);
	fd_close(fd);
	if (!cg->active || !cg->path[0])
		return;
	cgroup_remove(cg->path, 1000, &ignore);
	cg->path[0] = '\0';
}

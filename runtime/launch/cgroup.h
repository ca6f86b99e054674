/* cgroup.h — one cgroup v2 group per container: limits, the device
 * program, placement with clone3(CLONE_INTO_CGROUP), removal after exit.
 *
 * Where /sys/fs/cgroup is not cgroup2 with the memory, pids and cpu
 * controllers (a v1/v2 hybrid host), the container runs without limits and
 * launch_result says why, unless the spec requires cgroups.
 */
#ifndef BERTH_LAUNCH_CGROUP_H
#define BERTH_LAUNCH_CGROUP_H

#include "runtime/launch/launch.h"

#define CGROUP_PATH_MAX 512

struct launch_cg {
	const struct launch_spec *spec;
	int active;                    /* 0: no cgroup for this container */
	int made_parent;
	char parent[CGROUP_PATH_MAX];  /* /sys/fs/cgroup/<parent> */
	char path[CGROUP_PATH_MAX];    /* <parent>/<name> */
};

/* Decide whether cgroups can be used; check the values. Nothing is made. */
int launch_cg_prepare(const struct launch_spec *s, struct launch_cg *cg, struct launch_result *r,
		   struct berr *e);

/* Make the group, write the limits, attach the device program (failing
 * closed); *fd gets the group's directory fd for CLONE_INTO_CGROUP (-1
 * when inactive). */
int launch_cg_create(struct launch_cg *cg, int *fd, struct berr *e);

/* Kill what is left in the group, close *fd and remove the group. */
void launch_cg_destroy(struct launch_cg *cg, int *fd);

#endif

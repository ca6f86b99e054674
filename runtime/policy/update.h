/* update.h — the body of POST /containers/{id}/update (`docker update`),
 * read as strictly as create bodies (create.h), and its policy. */
#ifndef BERTH_POLICY_UPDATE_H
#define BERTH_POLICY_UPDATE_H

#include <stdint.h>

#include "autoconf.h"
#include "lib/err.h"
#include "runtime/policy/create.h"
#include "runtime/policy/policy.h"

#define UPDATE_POOL_MAX 4096
#define UPDATE_TOKENS_MAX 512

/* Docker's Resources plus RestartPolicy. 0 / "" / the *_set flags at 0
 * mean "unchanged", as the CLI sends them. */
struct update_req {
	int64_t memory, memory_swap;      /* bytes; swap -1 unlimited */
	int64_t nano_cpus, cpu_quota, cpu_period, cpu_shares;
	int64_t pids_limit;               /* when pids_set; <= 0 asks for no limit */
	int pids_set;
	int oom_kill_disable, oom_set;    /* OomKillDisable, when oom_set */
	const char *cgroup_parent;
	int n_devices, n_device_cgroup_rules, n_device_requests, n_ulimits; /* counts */
	struct create_restart restart;    /* name "": unchanged */

	/* private to the reader */
	size_t pool_used;
	int strs_used;
	char pool[UPDATE_POOL_MAX];
	const char *strs[1];
	jsmntok_t tok[UPDATE_TOKENS_MAX];
};

/* Read body[0..len): errors as create_req_parse. */
int update_req_parse(const char *body, size_t len, struct update_req *r, struct berr *e);

/* Refused (EPERM, naming field and key) as in a create: devices
 * (allow_devices), CgroupParent (allow_cgroup_parent), OomKillDisable
 * (allow_oom_kill_disable), a PidsLimit of 0 or below, which dockerd's
 * update reads as "no limit" (allow_unlimited_pids). */
int policy_check_update(const struct policy *p, const struct update_req *r, struct berr *e);

#endif

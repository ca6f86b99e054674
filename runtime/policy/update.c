/* update.c — POST /containers/{id}/update bodies and their policy (update.h). */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "runtime/policy/create-internal.h"
#include "runtime/policy/update.h"

#define UP(f) offsetof(struct update_req, f)

static const struct rd_field restart_fields[] = {
	RD_F("Name", F_STR, offsetof(struct create_restart, name)),
	RD_F("MaximumRetryCount", F_INT, offsetof(struct create_restart, max_retry),
	     .max = INT32_MAX),
	RD_END,
};

static const struct rd_field update_fields[] = {
	RD_F("Memory", F_INT, UP(memory), .max = INT64_MAX),
	RD_F("MemorySwap", F_INT, UP(memory_swap), .min = -1, .max = INT64_MAX),
	RD_F("NanoCpus", F_INT, UP(nano_cpus), .max = INT64_MAX),
	RD_F("CpuQuota", F_INT, UP(cpu_quota), .min = -1, .max = INT64_MAX),
	RD_F("CpuPeriod", F_INT, UP(cpu_period), .max = INT64_MAX),
	RD_F("CpuShares", F_INT, UP(cpu_shares), .max = INT64_MAX),
	RD_F("PidsLimit", F_INT_SET, UP(pids_limit), .off2 = UP(pids_set), .min = INT64_MIN,
	     .max = INT64_MAX),
	RD_F("OomKillDisable", F_BOOL_SET, UP(oom_kill_disable), .off2 = UP(oom_set)),
	RD_F("CgroupParent", F_STR, UP(cgroup_parent)),
	RD_F("Devices", F_COUNT, UP(n_devices)),
	RD_F("DeviceCgroupRules", F_COUNT, UP(n_device_cgroup_rules)),
	RD_F("DeviceRequests", F_COUNT, UP(n_device_requests)),
	RD_F("Ulimits", F_COUNT, UP(n_ulimits)),
	RD_F("RestartPolicy", F_OBJ, UP(restart), .sub = restart_fields),
	RD_END,
};

int update_req_parse(const char *body, size_t len, struct update_req *r, struct berr *e)
{
	static const char *const names[] = { "", "no", "always", "on-failure", "unless-stopped" };
	struct rd d;
	size_t i;

	memset(r, 0, offsetof(struct update_req, pool_used));
	r->cgroup_parent = r->restart.name = "";
	if (rd_init(&d, body, len, r->tok, UPDATE_TOKENS_MAX, r->pool, sizeof r->pool, &r->pool_used,
		    r->strs, 1, &r->strs_used, e) < 0)
		return -1;
	d.top = r;
	if (rd_obj(&d, 0, update_fields, r, e) < 0)
		return -1;
	for (i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(r->restart.name, names[i]) == 0)
			return 0;
	return berr_set(e, EPROTO, "RestartPolicy.Name '%.32s': want no, always, on-failure or "
			"unless-stopped", r->restart.name);
}

static int refuse(struct berr *e, const char *field, const char *what, const char *key)
{
	return berr_set(e, EPERM, "%s: %s are not allowed on this appliance (berth.conf [policy] "
			"%s = yes allows them)", field, what, key);
}

int policy_check_update(const struct policy *p, const struct update_req *r, struct berr *e)
{
	if ((r->n_devices || r->n_device_cgroup_rules || r->n_device_requests) && !p->allow_devices)
		return refuse(e, r->n_devices ? "Devices" : r->n_device_cgroup_rules ? "DeviceCgroupRules" :
			      "DeviceRequests", "host devices", "allow_devices");
	if (r->cgroup_parent[0] && !p->allow_cgroup_parent)
		return refuse(e, "CgroupParent", "other cgroup parents", "allow_cgroup_parent");
	if (r->oom_set && r->oom_kill_disable && !p->allow_oom_kill_disable)
		return refuse(e, "OomKillDisable", "containers the OOM killer may not kill",
			      "allow_oom_kill_disable");
	if (r->pids_set && r->pids_limit <= 0 && !p->allow_unlimited_pids)
		return refuse(e, "PidsLimit", "containers without a process limit (0 or below)",
			      "allow_unlimited_pids");
	return 0;
}

/* policy.h — what a client of the engine may ask for (berth.conf [policy]).
 *
 * Every refusal of SECURITY.md "What the API refuses by default" is on
 * unless the operator turns it off with one [policy] key (docs/policy.md).
 * A refusal's message is the whole answer for a 403: it names the field
 * and the key that would allow it.
 */
#ifndef BERTH_POLICY_POLICY_H
#define BERTH_POLICY_POLICY_H

#include <stdint.h>

#include "autoconf.h"
#include "lib/err.h"
#include "runtime/policy/create.h"

/* Fields are private to policy.c (filled by policy_init / policy_conf). */
struct policy {
	int allow_privileged, allow_devices, allow_unconfined;
	int allow_host_network, allow_host_pid, allow_host_ipc, allow_host_uts;
	int allow_host_userns, allow_host_cgroupns;
	int allow_cgroup_parent, allow_oom_kill_disable, allow_unlimited_pids;
	uint64_t cap_add_allow;    /* capability bits CapAdd may name */
	int cap_add_all;           /* CapAdd ALL allowed */
	char bind_buf[CONFIG_POLICY_BIND_ALLOW_BYTES];  /* normalised prefixes */
	unsigned short bind_off[CONFIG_POLICY_BIND_ALLOW_MAX];
	int n_bind;
	size_t bind_used;
	char sysctl_allow[CONFIG_POLICY_SYSCTL_ALLOW_MAX][64]; /* "name" or "prefix*" */
	int n_sysctl;
};

/* The defaults: refuse everything SECURITY.md lists. */
void policy_init(struct policy *p);

/* One key of [policy] (a lib/conf on_key handler calls it): an unknown key
 * or a bad value is -1 with a message naming it. The list keys
 * (bind_allow, cap_add_allow, sysctl_allow) add to what is there, so a
 * key may be given again or continued on indented lines. */
int policy_conf(struct policy *p, const char *key, const char *value, struct berr *e);

/* 0: allowed; -1: refused, e->msg the 403 text ("HostConfig.Privileged:
 * privileged containers are not allowed on this appliance (berth.conf
 * [policy] allow_privileged = yes allows them)"), errnum EPERM; or -1 with
 * errnum EINVAL for a value no policy could allow (an unknown capability
 * or security option: a 400). */
int policy_check_create(const struct policy *p, const struct create_req *r, struct berr *e);

/* A bind source, after berthd resolved its symlinks at mount time (or any
 * host path): 0 when under a bind_allow prefix (on a component boundary,
 * after lexical normalisation), -1 (EPERM, naming bind_allow) otherwise. */
int policy_bind_allowed(const struct policy *p, const char *resolved, struct berr *e);

/* One option of a volume (POST /volumes/create DriverOpts, or a mount's
 * VolumeOptions.DriverConfig.Options): -1 (EPERM) when it would mount
 * something of the host (device=, type= other than tmpfs, o= with bind).
 * field names it in the message. */
int policy_check_volume_opt(const struct policy *p, const char *field, const char *key,
			    const char *value, struct berr *e);

#endif

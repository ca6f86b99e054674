/* fuzz_create.c — create_req_parse() then policy_check_create() (default
 * policy and a permissive one) on arbitrary bodies, and exec_req_parse()
 * with policy_check_exec(), update_req_parse() with policy_check_update(). Every message must be NUL-terminated and
 * non-empty on failure; an accepted body must keep its invariants: strings
 * non-NULL and inside the pool, counts within their bounds, mount targets
 * absolute and never "/", bind sources absolute. The default policy must
 * refuse every privileged, host-namespace or /proc-targeted request. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/policy/create.h"
#include "runtime/policy/exec.h"
#include "runtime/policy/policy.h"
#include "runtime/policy/update.h"

static void msg_ok(const struct berr *e)
{
	if (!memchr(e->msg, '\0', sizeof e->msg) || !e->msg[0])
		abort();
}

static void in_pool(const struct create_req *r, const char *s)
{
	if (!s)
		abort();
	if ((s < r->pool || s >= r->pool + r->pool_used) && s[0])
		abort(); /* outside the pool only the reader's "" */
}

static void check_req(const struct create_req *r)
{
	const struct create_host *h = &r->host;

	in_pool(r, r->image);
	in_pool(r, h->network_mode);
	if (h->n_mounts < 0 || h->n_mounts > CONFIG_POLICY_MOUNTS_MAX ||
	    h->n_ports > CONFIG_POLICY_PORTS_MAX ||
	    r->n_labels > CONFIG_POLICY_LABELS_MAX || h->n_sysctls > CONFIG_POLICY_LIST_MAX ||
	    r->cmd.n > CONFIG_POLICY_ARGS_MAX || r->env.n > CONFIG_POLICY_ENV_MAX ||
	    r->pool_used > sizeof r->pool)
		abort();
	for (int i = 0; i < r->cmd.n; i++)
		in_pool(r, r->cmd.v[i]);
	for (int i = 0; i < h->n_mounts; i++) {
		const struct create_mount *m = &h->mounts[i];

		if (m->dst[0] != '/' || strcmp(m->dst, "/") == 0 || strstr(m->dst, "//") ||
		    (m->type == MNT_BIND && m->src[0] != '/'))
			abort();
	}
}

/* What the default policy may never let through. */
static void check_default_refused(const struct create_req *r)
{
	const struct create_host *h = &r->host;

	if (h->privileged || h->n_devices || strcmp(h->pid_mode, "host") == 0 ||
	    strcmp(h->network_mode, "host") == 0 || h->masked_paths.set || h->cgroup_parent[0])
		abort();
	for (int i = 0; i < h->n_mounts; i++) {
		const char *d = h->mounts[i].dst;

		if (h->mounts[i].type == MNT_BIND || h->mounts[i].driver_host)
			abort();
		if (strncmp(d, "/proc", 5) == 0 && (d[5] == '\0' || d[5] == '/'))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct create_req r;
	static struct exec_req x;
	static struct update_req u;
	struct policy def, open;
	struct berr e;

	policy_init(&def);
	policy_init(&open);
	if (policy_conf(&open, "allow_privileged", "yes", &e) < 0 ||
	    policy_conf(&open, "bind_allow", "/srv", &e) < 0 ||
	    policy_conf(&open, "cap_add_allow", "all", &e) < 0 ||
	    policy_conf(&open, "allow_unconfined", "yes", &e) < 0)
		abort();
	if (create_req_parse((const char *)data, size, &r, &e) < 0) {
		msg_ok(&e);
	} else {
		check_req(&r);
		if (policy_check_create(&def, &r, &e) < 0)
			msg_ok(&e);
		else
			check_default_refused(&r);
		if (policy_check_create(&open, &r, &e) < 0)
			msg_ok(&e);
	}
	if (exec_req_parse((const char *)data, size, &x, &e) < 0) {
		msg_ok(&e);
	} else if (policy_check_exec(&def, &x, &e) < 0) {
		msg_ok(&e);
	} else if (x.privileged) {
		abort();
	}
	if (update_req_parse((const char *)data, size, &u, &e) < 0) {
		msg_ok(&e);
	} else if (policy_check_update(&def, &u, &e) < 0) {
		msg_ok(&e);
	} else if ((u.pids_set && u.pids_limit <= 0) || u.n_devices || u.cgroup_parent[0] ||
		   (u.oom_set && u.oom_kill_disable)) {
		abort();
	}
	return 0;
}

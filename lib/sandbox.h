/* sandbox.h — the one privilege drop: what a process keeps, applied in the
 * audited order (STYLE 10). The launcher's container process, berth-unpack
 * and init's services all go through sandbox_apply().
 *
 * The order, and why:
 *   1. bounding set → caps, against the running kernel's last capability
 *      (those this build has no name for are dropped too)
 *   2. securebits, while CAP_SETPCAP is still effective
 *   3. keepcaps on (unless securebits lock it), so that permitted survives
 *      the uid change
 *   4. setgroups, setresgid, setresuid
 *   5. capset: permitted = effective = caps; inheritable = caps with
 *      `ambient`, else empty; keepcaps off again
 *   6. ambient: cleared, then raised to caps with `ambient`
 *   7. no_new_privs
 *   8. seccomp, last: every step above may need a call the filter refuses
 *
 * A filter is never compiled here: it is one of the build-time filters
 * (lib/seccomp.h) or records read before the fork.
 */
#ifndef BERTH_LIB_SANDBOX_H
#define BERTH_LIB_SANDBOX_H

#include <linux/filter.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/err.h"

struct sandbox {
	uid_t uid;
	gid_t gid;
	const gid_t *groups;      /* supplementary groups; NULL with n_groups 0: none */
	size_t n_groups;
	uint64_t caps;            /* bounding = permitted = effective (bit n: capability n) */
	int ambient;              /* also inheritable and ambient, so that a process
	                           * without uid 0 keeps caps across execve (services);
	                           * 0: inheritable = ambient = empty (containers) */
	unsigned securebits;      /* PR_SET_SECUREBITS value: SECBIT_NOROOT,
	                           * SECBIT_NO_SETUID_FIXUP, SECBIT_NO_CAP_AMBIENT_RAISE
	                           * and the _LOCKED bit of each the caller wants
	                           * locked (SECBIT_KEEP_CAPS_LOCKED: keepcaps off and
	                           * locked); 0 leaves them as they are */
	int no_new_privs;
	const struct sock_filter *filter; /* NULL: no seccomp filter */
	size_t filter_len;
};

/* The steps, in their order; a failure returns minus the step's number. */
enum sandbox_step {
	SANDBOX_BOUNDING = 1,
	SANDBOX_SECUREBITS,
	SANDBOX_KEEPCAPS,
	SANDBOX_IDS,
	SANDBOX_CAPSET,
	SANDBOX_AMBIENT,
	SANDBOX_NO_NEW_PRIVS,
	SANDBOX_SECCOMP,
};

/* Apply sb to the calling thread (call it single-threaded, after fork).
 * Irreversible. Returns 0, or -step (enum sandbox_step) with e saying
 * "<step>: <what>: <errno>". */
int sandbox_apply(const struct sandbox *sb, struct berr *e);

/* "bounding set", "securebits", ... for a step number ("?" otherwise). */
const char *sandbox_step_name(int step);

#endif

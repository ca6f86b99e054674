/* sandbox.c — the privilege drop in its audited order; see sandbox.h. */
#include "lib/sandbox.h"

#include <grp.h>
#include <linux/securebits.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "lib/caps.h"
#include "lib/seccomp.h"

static const char *const step_names[] = {
	[SANDBOX_BOUNDING] = "bounding set",
	[SANDBOX_SECUREBITS] = "securebits",
	[SANDBOX_KEEPCAPS] = "keepcaps",
	[SANDBOX_IDS] = "user and groups",
	[SANDBOX_CAPSET] = "capabilities",
	[SANDBOX_AMBIENT] = "ambient capabilities",
	[SANDBOX_NO_NEW_PRIVS] = "no_new_privs",
	[SANDBOX_SECCOMP] = "seccomp",
};

const char *sandbox_step_name(int step)
{
	if (step < SANDBOX_BOUNDING || step > SANDBOX_SECCOMP)
		return "?";
	return step_names[step];
}

/* Report step's failure (e holds what failed) and return -step. */
static int failed(int step, struct berr *e)
{
	berr_prefix(e, "%s", step_names[step]);
	return -step;
}

static int set_ids(const struct sandbox *sb, struct berr *e)
{
	if (setgroups(sb->n_groups, sb->groups) < 0)
		return berr_sys(e, "setgroups (%zu groups)", sb->n_groups);
	if (setresgid(sb->gid, sb->gid, sb->gid) < 0)
		return berr_sys(e, "setresgid %u", (unsigned)sb->gid);
	if (setresuid(sb->uid, sb->uid, sb->uid) < 0)
		return berr_sys(e, "setresuid %u", (unsigned)sb->uid);
	return 0;
}

int sandbox_apply(const struct sandbox *sb, struct berr *e)
{
	int keep_locked = (sb->securebits & SECBIT_KEEP_CAPS_LOCKED) != 0;
	int last = caps_kernel_last(e);
	uint64_t caps = sb->caps;

	if (last < 0)
		return failed(SANDBOX_BOUNDING, e);
	if (last < 63)
		caps &= (UINT64_C(1) << (last + 1)) - 1; /* the kernel has no others */
	if (caps_bound(caps, e) < 0)
		return failed(SANDBOX_BOUNDING, e);
	if (sb->securebits && prctl(PR_SET_SECUREBITS, sb->securebits, 0, 0, 0) < 0) {
		berr_sys(e, "PR_SET_SECUREBITS %#x", sb->securebits);
		return failed(SANDBOX_SECUREBITS, e);
	}
	if (!keep_locked && caps_keep(1, e) < 0)
		return failed(SANDBOX_KEEPCAPS, e);
	if (set_ids(sb, e) < 0)
		return failed(SANDBOX_IDS, e);
	if (caps_set(caps, sb->ambient ? caps : 0, e) < 0 || (!keep_locked && caps_keep(0, e) < 0))
		return failed(SANDBOX_CAPSET, e);
	/* capset sets only what this build knows, so only those can be ambient */
	if (caps_ambient_clear(e) < 0 ||
	    (sb->ambient && caps_ambient_raise(caps & ((UINT64_C(2) << caps_last()) - 1), e) < 0))
		return failed(SANDBOX_AMBIENT, e);
	if (sb->no_new_privs && seccomp_no_new_privs(e) < 0)
		return failed(SANDBOX_NO_NEW_PRIVS, e);
	if (sb->filter && seccomp_load(sb->filter, sb->filter_len, e) < 0)
		return failed(SANDBOX_SECCOMP, e);
	return 0;
}

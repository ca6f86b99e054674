/* sandbox.c — berthd's own confinement, applied once the socket is open and
 * before any thread or child exists (capabilities are per thread, and
 * everything started later inherits them): the capabilities below and
 * nothing else (bounding = permitted = effective), no_new_privs, and the
 * build-time deny-list filter of tools/seccomp/table_berthd.c.
 *
 * berthd stays uid 0: its store and the containers' trees belong to many
 * uids. What it keeps is what it, berth-unpack, berth-shim with the
 * launcher, berth-proxy and a default container need (docs/engine.md has
 * the list with the reason for each). A policy that lets clients add
 * capabilities beyond these must add them to eng->caps_extra, or they
 * could never reach a container.
 */
#include <linux/capability.h>

#include "lib/caps.h"
#include "lib/sandbox.h"
#include "lib/seccomp.h"
#include "runtime/engine/engine.h"

#define C(x) (1ull << (x))

/* Docker's 14, which every default container gets (SECURITY.md). */
#define CAPS_CONTAINER                                                                         \
	(C(CAP_CHOWN) | C(CAP_DAC_OVERRIDE) | C(CAP_FSETID) | C(CAP_FOWNER) | C(CAP_MKNOD) |   \
	 C(CAP_NET_RAW) | C(CAP_SETGID) | C(CAP_SETUID) | C(CAP_SETFCAP) | C(CAP_SETPCAP) |    \
	 C(CAP_NET_BIND_SERVICE) | C(CAP_SYS_CHROOT) | C(CAP_KILL) | C(CAP_AUDIT_WRITE))

/* What the engine and its helpers need on top. */
#define CAPS_ENGINE                                                                            \
	(C(CAP_SYS_ADMIN) | C(CAP_NET_ADMIN) | C(CAP_DAC_READ_SEARCH) | C(CAP_SYS_PTRACE) |    \
	 C(CAP_SYS_RESOURCE))

uint64_t engine_caps(const struct engine *eng)
{
	return CAPS_CONTAINER | CAPS_ENGINE | eng->caps_extra;
}

int engine_sandbox(struct engine *eng, struct berr *e)
{
	uint64_t have;
	struct sandbox sb = {
		.uid = 0, .gid = 0,
		.no_new_privs = 1,
		.filter = seccomp_berthd_filter,
		.filter_len = seccomp_berthd_len,
	};

	/* what we were started without (a container on a build machine)
	 * cannot be kept: say so once */
	if (caps_permitted(&have, e) < 0)
		return berr_prefix(e, "sandbox");
	sb.caps = engine_caps(eng) & have;
	if (sb.caps != engine_caps(eng)) {
		char missing[512];
		if (caps_format(engine_caps(eng) & ~have, missing, sizeof(missing), e) == 0)
			log_msg(&eng->log, LOG_WARN, "started without %s: kept without them", missing);
	}
	if (sandbox_apply(&sb, e) < 0)
		return berr_prefix(e, "sandbox");
	return 0;
}

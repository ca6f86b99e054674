/* privsep.h — berth-apid's drop from root (docs/api.md "Privilege
 * separation"): a private mount namespace whose root is an empty tmpfs
 * holding only the run directories of the engine and init sockets (bound
 * read-only, nosuid, nodev, noexec), then the berth-api user with its
 * groups, no capabilities, no_new_privs and the build-time seccomp filter
 * (tools/seccomp/table_apid.c). Single-threaded, after the key is read and
 * the port bound. */
#ifndef BERTH_API_PRIVSEP_H
#define BERTH_API_PRIVSEP_H

#include <sys/types.h>

#include "lib/err.h"
#include "runtime/api/conf.h"

struct privsep_ids {
	uid_t uid;
	gid_t gid;
	gid_t groups[2];
	size_t n_groups;
};

/* The user (a name in /etc/passwd or a number) and the groups that exist in
 * /etc/group (a missing one is left out). */
int privsep_ids(const struct api_conf *c, struct privsep_ids *ids, struct berr *e);

/* The new root (the tmpfs is mounted on dir, which must exist), then the
 * drop. Irreversible. */
int privsep_apply(const struct api_conf *c, const struct privsep_ids *ids, const char *dir,
		  struct berr *e);

#endif

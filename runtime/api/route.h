/* route.h — berth-apid's route table and role check: which role may send
 * which request, decided before anything reaches berthd.
 *
 * Roles are ordered: monitor < viewer < operator < admin; a route names the
 * least role it needs. The table is data (api_route_table); a request no
 * row matches needs admin and is forwarded as it is (berthd answers 404 for
 * what it does not know), so a path apid and berthd could read differently
 * is never cheaper than admin. Paths are matched as berthd's router
 * matches them (runtime/engine/router.c): after percent-decoding and the
 * optional /v1.NN prefix, a literal segment exactly, {} one non-empty
 * segment, {*} one or more segments (shortest first). HEAD is its own
 * method (HEAD /_ping is in the table).
 */
#ifndef BERTH_API_ROUTE_H
#define BERTH_API_ROUTE_H

#include <stddef.h>

#include "lib/err.h"

enum api_role {
	API_ROLE_NONE = 0,     /* the certificate maps to no role: every request 403 */
	API_ROLE_MONITOR,
	API_ROLE_VIEWER,
	API_ROLE_OPERATOR,
	API_ROLE_ADMIN,
};

/* Route flags: what apid does besides the role check. */
#define API_R_CREATE  0x01   /* body read whole and checked: policy_check_create */
#define API_R_EXEC    0x02   /* ... policy_check_exec */
#define API_R_UPDATE  0x04   /* ... policy_check_update */
#define API_R_LOCAL   0x08   /* answered by apid itself (appliance endpoints) */
#define API_R_METRICS 0x10   /* berthd's body with apid's families appended */
#define API_R_BODY (API_R_CREATE | API_R_EXEC | API_R_UPDATE)

struct api_route {
	const char *method;
	const char *pattern;   /* also the "route" label of the metrics */
	enum api_role role;    /* the least role allowed */
	unsigned flags;
};

/* The table, ended by a row with method NULL. */
extern const struct api_route api_route_table[];

/* The route of any request no row matches (needs admin, forwarded). */
extern const struct api_route api_route_other;

/* "admin", "operator", "viewer", "monitor", "none". */
const char *api_role_name(enum api_role r);
/* The role of a name (exact), API_ROLE_NONE when none. */
enum api_role api_role_by_name(const char *name);

/* The path berthd routes: path with a /v1.NN prefix removed ("/" when
 * only the prefix). NULL when the prefix is malformed ("/v1.x/…"); such a
 * request is matched as it is and needs admin. */
const char *api_route_unversion(const char *path);

/* The row matching method and (unversioned, decoded) path, or
 * &api_route_other. Never NULL. */
const struct api_route *api_route_find(const char *method, const char *path);

/* The role check. Returns 0 when role may send it (*rt its row), else -1
 * with e (errnum EPERM) the whole 403 message:
 *   role viewer may not POST /containers/create: needs operator
 * subject names the certificate for API_ROLE_NONE:
 *   certificate CN=x,O=y maps to no role (berth.conf [api] roles)
 * path is the one shown in the message (the decoded, unversioned path). */
int api_route_check(enum api_role role, const char *subject, const char *method,
		    const char *path, const struct api_route **rt, struct berr *e);

#endif

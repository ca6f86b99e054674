/* gate.h — the bodies apid reads before forwarding: create, exec and
 * update, through runtime/policy (the reader and the checks berthd uses),
 * so that what apid lets through is what berthd will read.
 */
#ifndef BERTH_API_GATE_H
#define BERTH_API_GATE_H

#include <stddef.h>

#include "lib/err.h"
#include "runtime/policy/policy.h"

/* body[0..len) of a route with flags (route.h API_R_CREATE, _EXEC or
 * _UPDATE; other flags: 0 at once). 0: forward it. -1: answer *status
 * (400 a body refused as written, 403 a policy refusal, 500 out of memory)
 * with e->msg, the text berthd would give. */
int api_gate_body(const struct policy *p, unsigned flags, const char *body, size_t len,
		  int *status, struct berr *e);

#endif

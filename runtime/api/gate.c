/* gate.c — create, exec and update bodies through runtime/policy. */
#include <errno.h>
#include <stdlib.h>

#include "runtime/api/gate.h"
#include "runtime/api/route.h"
#include "runtime/policy/exec.h"
#include "runtime/policy/update.h"

/* The status berthd gives: EPERM 403, a body refused as written 400. */
static int status_of(const struct berr *e)
{
	return e->errnum == EPERM || e->errnum == EACCES ? 403 : 400;
}

static int gate_create(const struct policy *p, const char *body, size_t len, int *status,
		       struct berr *e)
{
	struct create_req *r = malloc(sizeof(*r));
	int rc = -1;

	if (!r) {
		*status = 500;
		return berr_set(e, ENOMEM, "out of memory");
	}
	if (create_req_parse(body, len, r, e) < 0)
		*status = 400;
	else if (policy_check_create(p, r, e) < 0)
		*status = status_of(e);
	else
		rc = 0;
	free(r);
	return rc;
}

static int gate_exec(const struct policy *p, const char *body, size_t len, int *status,
		     struct berr *e)
{
	struct exec_req *r = malloc(sizeof(*r));
	int rc = -1;

	if (!r) {
		*status = 500;
		return berr_set(e, ENOMEM, "out of memory");
	}
	if (exec_req_parse(body, len, r, e) < 0)
		*status = 400;
	else if (policy_check_exec(p, r, e) < 0)
		*status = 403;	/* berthd: every exec refusal is 403 */
	else
		rc = 0;
	free(r);
	return rc;
}

static int gate_update(const struct policy *p, const char *body, size_t len, int *status,
		       struct berr *e)
{
	struct update_req *r = malloc(sizeof(*r));
	int rc = -1;

	if (!r) {
		*status = 500;
		return berr_set(e, ENOMEM, "out of memory");
	}
	if (update_req_parse(body, len, r, e) < 0)
		*status = 400;
	else if (policy_check_update(p, r, e) < 0)
		*status = status_of(e);
	else
		rc = 0;
	free(r);
	return rc;
}

int api_gate_body(const struct policy *p, unsigned flags, const char *body, size_t len,
		  int *status, struct berr *e)
{
	*status = 0;
	if (flags & API_R_CREATE)
		return gate_create(p, body, len, status, e);
	if (flags & API_R_EXEC)
		return gate_exec(p, body, len, status, e);
	if (flags & API_R_UPDATE)
		return gate_update(p, body, len, status, e);
	return 0;
}

/* exec.c — exec create and exec start bodies, and their policy (exec.h). */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "runtime/policy/create-internal.h"
#include "runtime/policy/exec.h"

static int console_read(struct rd *d, int tok, void *at, struct berr *e)
{
	unsigned *hw = at;

	return create_console_size(d, tok, &hw[0], &hw[1], e);
}

#define EX(f) offsetof(struct exec_req, f)

static const struct rd_field exec_fields[] = {
	RD_F("Cmd", F_STRS, EX(cmd), .max = CONFIG_POLICY_ARGS_MAX),
	RD_F("Env", F_STRS, EX(env), .max = CONFIG_POLICY_ENV_MAX),
	RD_F("User", F_STR, EX(user)),
	RD_F("WorkingDir", F_STR, EX(working_dir)),
	RD_F("Tty", F_BOOL, EX(tty)),
	RD_F("AttachStdin", F_BOOL, EX(attach_stdin)),
	RD_F("AttachStdout", F_BOOL, EX(attach_stdout)),
	RD_F("AttachStderr", F_BOOL, EX(attach_stderr)),
	RD_F("Detach", F_BOOL, EX(detach)),
	RD_F("Privileged", F_BOOL, EX(privileged)),
	RD_F("DetachKeys", F_STR, EX(detach_keys)),
	RD_F("ConsoleSize", F_FN, EX(console_h), .fn = console_read),
	RD_END,
};

int exec_req_parse(const char *body, size_t len, struct exec_req *r, struct berr *e)
{
	struct rd d;

	memset(r, 0, offsetof(struct exec_req, pool_used));
	r->user = r->working_dir = r->detach_keys = "";
	if (rd_init(&d, body, len, r->tok, EXEC_TOKENS_MAX, r->pool, sizeof r->pool, &r->pool_used,
		    r->strs, (int)(sizeof r->strs / sizeof r->strs[0]), &r->strs_used, e) < 0)
		return -1;
	d.top = r;
	return rd_obj(&d, 0, exec_fields, r, e);
}

int policy_check_exec(const struct policy *p, const struct exec_req *r, struct berr *e)
{
	if (r->privileged && !p->allow_privileged)
		return berr_set(e, EPERM, "Privileged: privileged exec is not allowed on this appliance "
				"(berth.conf [policy] allow_privileged = yes allows it)");
	return 0;
}

#define ES(f) offsetof(struct exec_start_req, f)

static const struct rd_field start_fields[] = {
	RD_F("Detach", F_BOOL, ES(detach)),
	RD_F("Tty", F_BOOL, ES(tty)),
	RD_F("ConsoleSize", F_FN, ES(console_h), .fn = console_read),
	RD_END,
};

int exec_start_req_parse(const char *body, size_t len, struct exec_start_req *r, struct berr *e)
{
	jsmntok_t tok[64];
	char pool[64];
	const char *strs[1];
	size_t used;
	int nstrs;
	struct rd d;

	memset(r, 0, sizeof *r);
	if (len == 0)
		return 0;
	if (rd_init(&d, body, len, tok, 64, pool, sizeof pool, &used, strs, 1, &nstrs, e) < 0)
		return -1;
	return rd_obj(&d, 0, start_fields, r, e);
}

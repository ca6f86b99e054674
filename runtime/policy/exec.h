/* exec.h — the bodies of POST /containers/{id}/exec and /exec/{id}/start,
 * read as strictly as create bodies (create.h: Go's key matching with
 * folded spellings refused, strict types, null = not given, bounded),
 * and the policy for them. */
#ifndef BERTH_POLICY_EXEC_H
#define BERTH_POLICY_EXEC_H

#include "autoconf.h"
#include "lib/err.h"
#include "runtime/policy/create.h"
#include "runtime/policy/policy.h"

/* The exec's pool and tokens are a quarter of a create's. */
#define EXEC_POOL_MAX (CONFIG_POLICY_POOL_MAX / 4)
#define EXEC_TOKENS_MAX (CONFIG_POLICY_TOKENS_MAX / 4)

struct exec_req {
	struct create_strs cmd;        /* Cmd: an array (set 0 when absent: 400 is the engine's) */
	struct create_strs env;        /* Env "K=V" */
	const char *user;              /* "" : the container's */
	const char *working_dir;       /* "" : the container's */
	int tty;
	int attach_stdin, attach_stdout, attach_stderr;
	int detach;
	int privileged;
	const char *detach_keys;
	unsigned console_h, console_w; /* ConsoleSize [h, w], 0 when absent */

	/* private to the reader */
	size_t pool_used;
	int strs_used;
	char pool[EXEC_POOL_MAX];
	const char *strs[CONFIG_POLICY_ARGS_MAX + CONFIG_POLICY_ENV_MAX];
	jsmntok_t tok[EXEC_TOKENS_MAX];
};

/* Read body[0..len): errors as create_req_parse. */
int exec_req_parse(const char *body, size_t len, struct exec_req *r, struct berr *e);

/* Privileged exec is refused (EPERM, naming allow_privileged) unless the
 * policy allows privileged containers. */
int policy_check_exec(const struct policy *p, const struct exec_req *r, struct berr *e);

/* POST /exec/{id}/start: {"Detach": false, "Tty": false, "ConsoleSize": [h, w]}.
 * An empty body (len 0) is all defaults. */
struct exec_start_req {
	int detach, tty;
	unsigned console_h, console_w;
};

int exec_start_req_parse(const char *body, size_t len, struct exec_start_req *r, struct berr *e);

#endif

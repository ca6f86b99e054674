/* client.c — berthd's side of the control socket (client.h). */
#include "runtime/shim/client.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/json.h"
#include "lib/sock.h"
#include "lib/util.h"
#include "runtime/shim/shim-internal.h"

int shim_connect(const char *ctl, struct berr *e)
{
	return sock_connect(ctl, SOCK_SEQPACKET, e);
}

/* "err ERRNO CLASS STATUS message" into e (and r when given). */
static int answer_err(const char *a, struct launch_result *r, struct berr *e)
{
	int errnum = 0, class = LAUNCH_ERR_SYS, status = 0, off = 0;

	if (sscanf(a, "err %d %d %d %n", &errnum, &class, &status, &off) < 3 || !off)
		return berr_set(e, EPROTO, "the shim answered '%.80s'", a);
	if (r) {
		r->class = (enum launch_class)class;
		r->status = status;
	}
	return berr_set(e, errnum, "%s", a + off);
}

/* One request, one answer: *rest gets what follows "ok" (may be NULL). */
static int call(int fd, const char *req, size_t len, int pass, char *ans, size_t size, const char **rest,
		struct launch_result *r, struct berr *e)
{
	ssize_t n;

	if (proto_send(fd, req, len, pass, e) < 0)
		return -1;
	n = proto_recv(fd, ans, size, NULL, e);
	if (n < 0)
		return -1;
	if (n == 0)
		return berr_set(e, ECONNRESET, "the shim closed the connection");
	if (strncmp(ans, "ok", 2) == 0 && (ans[2] == '\0' || ans[2] == ' ')) {
		if (rest)
			*rest = ans[2] ? ans + 3 : ans + 2;
		return 0;
	}
	return answer_err(ans, r, e);
}

static int callf(int fd, char *ans, size_t size, const char **rest, struct berr *e, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
static int callf(int fd, char *ans, size_t size, const char **rest, struct berr *e, const char *fmt, ...)
{
	char req[128];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(req, sizeof req, fmt, ap);
	va_end(ap);
	return call(fd, req, (size_t)n, -1, ans, size, rest, NULL, e);
}

int shim_start(int fd, struct launch_result *r, struct berr *e)
{
	char ans[1024];

	memset(r, 0, sizeof *r);
	r->class = LAUNCH_ERR_SYS;
	if (call(fd, "start", 5, -1, ans, sizeof ans, NULL, r, e) < 0)
		return -1;
	r->class = LAUNCH_EXITED;
	return 0;
}

int shim_kill(int fd, int sig, struct berr *e)
{
	char ans[1024];

	return callf(fd, ans, sizeof ans, NULL, e, "kill %d", sig);
}

int shim_resize(int fd, unsigned rows, unsigned cols, struct berr *e)
{
	char ans[1024];

	return callf(fd, ans, sizeof ans, NULL, e, "resize %u %u", rows, cols);
}

int shim_attach(int fd, int conn, unsigned flags, struct berr *e)
{
	char req[64], ans[1024];
	int n = snprintf(req, sizeof req, "attach %u", flags), rc;

	rc = call(fd, req, (size_t)n, conn, ans, sizeof ans, NULL, NULL, e);
	fd_close(&conn);
	return rc;
}

static void exec_body(struct json_w *w, const struct shim_exec_req *x)
{
	json_w_obj(w);
	json_w_key(w, "argv");
	json_w_arr(w);
	for (int i = 0; x->argv && x->argv[i]; i++)
		json_w_str(w, x->argv[i]);
	json_w_arr_end(w);
	json_w_key(w, "env");
	json_w_arr(w);
	for (int i = 0; i < x->n_env; i++)
		json_w_str(w, x->env[i]);
	json_w_arr_end(w);
	if (x->user)
		json_w_kstr(w, "user", x->user);
	if (x->workdir)
		json_w_kstr(w, "workdir", x->workdir);
	json_w_kbool(w, "tty", x->tty);
	json_w_ku64(w, "flags", x->flags);
	json_w_obj_end(w);
}

int shim_exec(int fd, const struct shim_exec_req *x, int conn, int *no, struct berr *e)
{
	char *req = malloc(SHIM_MSG_MAX), ans[1024];
	const char *out, *rest;
	struct json_w w;
	size_t len;
	int rc = -1;

	*no = -1;
	if (!req) {
		berr_sys(e, "exec request");
		goto out;
	}
	if (x->privileged) {
		berr_set(e, EPERM, "privileged exec is not supported by the shim");
		goto out;
	}
	memcpy(req, "exec ", 5);
	json_w_init(&w, req + 5, SHIM_MSG_MAX - 5);
	exec_body(&w, x);
	if (json_w_finish(&w, &out, &len, e) < 0) {
		berr_prefix(e, "exec request");
		goto out;
	}
	if (call(fd, req, len + 5, conn, ans, sizeof ans, &rest, NULL, e) < 0)
		goto out;
	if (sscanf(rest, "%d", no) != 1) {
		berr_set(e, EPROTO, "exec: the shim answered 'ok %.40s'", rest);
		goto out;
	}
	rc = 0;
out:
	free(req);
	fd_close(&conn);
	return rc;
}

int shim_exec_resize(int fd, int no, unsigned rows, unsigned cols, struct berr *e)
{
	char ans[1024];

	return callf(fd, ans, sizeof ans, NULL, e, "exec-resize %d %u %u", no, rows, cols);
}

int shim_exec_status(int fd, int no, int *running, int *code, pid_t *pid, struct berr *e)
{
	char ans[1024];
	const char *rest;
	int p;

	if (callf(fd, ans, sizeof ans, &rest, e, "exec-status %d", no) < 0)
		return -1;
	if (sscanf(rest, "%d %d %d", running, code, &p) != 3)
		return berr_set(e, EPROTO, "exec-status: the shim answered 'ok %.40s'", rest);
	*pid = (pid_t)p;
	return 0;
}

int shim_wait(int fd, struct shim_state *st, struct berr *e)
{
	char ans[4096];
	const char *rest;

	if (call(fd, "wait", 4, -1, ans, sizeof ans, &rest, NULL, e) < 0)
		return -1;
	return shim_state_parse(rest, strlen(rest), st, e);
}

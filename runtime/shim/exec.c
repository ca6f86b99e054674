/* exec.c — exec processes in the running container: the request's JSON
 * read strictly, the process made by launch_exec with its own stdio on
 * the client's connection, its exit code kept until asked for (the
 * oldest finished record is reused when the table is full). A command
 * that cannot be executed gets dockerd's text on the connection and
 * 126/127 (DOCKER_API.md §5.1). */
#define SHIM_DAEMON
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/json.h"
#include "lib/util.h"
#include "runtime/shim/shim-internal.h"

#define EXEC_TOKENS (2 * CONFIG_SHIM_ARGV_MAX + 2 * CONFIG_LAUNCH_ENV_MAX + 32)

struct exec_parsed {
	char *argv[CONFIG_SHIM_ARGV_MAX + 1];
	const char *env[CONFIG_LAUNCH_ENV_MAX];
	int n_env;
	const char *user, *workdir;
	int tty;
	unsigned flags;
	char *pool;               /* SHIM_MSG_MAX */
	size_t used;
};

struct shim_exec *exec_find(struct shim *sh, int no)
{
	for (int i = 0; i < CONFIG_SHIM_EXEC_MAX; i++)
		if (sh->execs[i].used && sh->execs[i].no == no)
			return &sh->execs[i];
	return NULL;
}

static int pstr(struct exec_parsed *x, const struct json *j, int t, const char **out, struct berr *e)
{
	char *dst = x->pool + x->used;

	if (json_type(j, t) != JSMN_STRING)
		return berr_set(e, EPROTO, "exec: expected a string");
	if (json_str(j, t, dst, SHIM_MSG_MAX - x->used, e) < 0)
		return -1;
	x->used += strlen(dst) + 1;
	*out = dst;
	return 0;
}

static int parse_list(struct exec_parsed *x, const struct json *j, const char *key, const char **v, int max,
		      int *n, struct berr *e)
{
	int a = json_get(j, 0, key);

	*n = 0;
	if (a < 0)
		return 0;
	if (json_type(j, a) != JSMN_ARRAY || j->tok[a].size > max)
		return berr_set(e, EPROTO, "exec: %s: want an array of at most %d", key, max);
	for (*n = 0; *n < j->tok[a].size; (*n)++)
		if (pstr(x, j, json_at(j, a, *n), &v[*n], e) < 0)
			return -1;
	return 0;
}

static int parse(struct exec_parsed *x, const char *js, size_t len, struct berr *e)
{
	jsmntok_t *tok = calloc(EXEC_TOKENS, sizeof *tok);
	struct json j;
	bool tty = false;
	uint64_t flags = 0;
	int t, argc, rc = -1;

	if (!tok)
		return berr_sys(e, "exec");
	if (json_parse(&j, js, len, tok, EXEC_TOKENS, e) < 0 || json_type(&j, 0) != JSMN_OBJECT)
		goto out;
	if (parse_list(x, &j, "argv", (const char **)x->argv, CONFIG_SHIM_ARGV_MAX, &argc, e) < 0 ||
	    parse_list(x, &j, "env", x->env, CONFIG_LAUNCH_ENV_MAX, &x->n_env, e) < 0)
		goto out;
	x->argv[argc] = NULL;
	if (((t = json_get(&j, 0, "user")) >= 0 && pstr(x, &j, t, &x->user, e) < 0) ||
	    ((t = json_get(&j, 0, "workdir")) >= 0 && pstr(x, &j, t, &x->workdir, e) < 0) ||
	    ((t = json_get(&j, 0, "tty")) >= 0 && json_bool(&j, t, &tty, e) < 0) ||
	    ((t = json_get(&j, 0, "flags")) >= 0 && json_u64(&j, t, &flags, e) < 0))
		goto out;
	if (!argc) {
		berr_set(e, EINVAL, "exec: no command");
		goto out;
	}
	x->tty = tty;
	x->flags = (unsigned)flags & (SHIM_STDIN | SHIM_STDOUT | SHIM_STDERR | SHIM_MUX);
	rc = 0;
out:
	free(tok);
	return rc < 0 ? berr_prefix(e, "exec request") : 0;
}

/* A free record, or the oldest one that is finished and served. */
static struct shim_exec *exec_slot(struct shim *sh)
{
	struct shim_exec *best = NULL;

	for (int i = 0; i < CONFIG_SHIM_EXEC_MAX; i++) {
		struct shim_exec *x = &sh->execs[i];
		if (!x->used)
			return x;
		if (!x->running && x->io.out_open == 0 && (!best || x->seq < best->seq)) {
			int served = 1;
			for (int k = 0; k < SHIM_CLIENTS; k++)
				served &= !(sh->clients[k].fd >= 0 && sh->clients[k].io == &x->io);
			if (served)
				best = x;
		}
	}
	if (best) {
		io_close(&best->io);
		launch_proc_destroy(best->p);
		best->used = 0;
	}
	return best;
}

/* dockerd's words for a command that cannot be executed: one stdout
 * frame (raw with a terminal). */
static void exec_failed_text(const struct exec_parsed *p, int conn, int status)
{
	char t[1024];
	int n = snprintf(t, sizeof t,
			 "OCI runtime exec failed: exec failed: unable to start container process: exec: \"%s\": %s: unknown\r\n",
			 p->argv[0], status == 127 ? "executable file not found in $PATH" : "permission denied");
	unsigned char h[8] = { 1, 0, 0, 0 };
	struct berr e;

	if (n >= (int)sizeof t)
		n = (int)sizeof t - 1;
	h[4] = (unsigned char)(n >> 24), h[5] = (unsigned char)(n >> 16);
	h[6] = (unsigned char)(n >> 8), h[7] = (unsigned char)n;
	if (!p->tty && (p->flags & SHIM_MUX) && util_write_all(conn, h, 8, &e) < 0)
		return;
	util_write_all(conn, t, (size_t)n, &e);
}

static void on_exec_exit(struct evloop *l, int fd, unsigned ev, void *arg)
{
	struct shim_exec *x = arg;
	struct launch_result r;
	struct berr e;

	(void)fd, (void)ev;
	evloop_fd_del(l, x->pid_slot);
	x->pid_slot = -1;
	if (launch_proc_wait(x->p, &r, &e) < 0)
		r.status = 255;
	x->code = r.status;
	x->running = 0; /* recorded before the connection is closed */
	x->io.exited = 1;
	io_clients_check(&x->io);
}

/* Pipes (or /dev/null) for the exec, per flags; ours go into x->io. */
static int exec_stdio(struct shim_exec *x, const struct exec_parsed *p, int conn, int child[3], struct berr *e)
{
	int fds[2];

	for (int i = 0; i < 3; i++) {
		unsigned want = i == 0 ? SHIM_STDIN : i == 1 ? SHIM_STDOUT : SHIM_STDERR;
		if (conn < 0 || !(p->flags & want)) {
			child[i] = open("/dev/null", (i ? O_WRONLY : O_RDONLY) | O_CLOEXEC);
			if (child[i] < 0)
				return berr_sys(e, "/dev/null");
			continue;
		}
		if (pipe2(fds, O_CLOEXEC) < 0)
			return berr_sys(e, "pipe");
		if (i == 0) {
			child[0] = fds[0];
			x->io.in = fds[1];
		} else {
			child[i] = fds[1];
			x->io.out[i - 1] = fds[0];
		}
	}
	return 0;
}

static int exec_run(struct shim *sh, struct shim_exec *x, struct exec_parsed *p, int conn,
		    struct launch_result *r, struct berr *e)
{
	struct launch_exec_spec s = {
		.argv = p->argv, .env = p->env, .n_env = p->n_env, .workdir = p->workdir,
		.user = p->user, .tty = p->tty, .stdio = { -1, -1, -1 },
	};
	int child[3] = { -1, -1, -1 }, rc = -1;

	if (!p->tty && exec_stdio(x, p, conn, child, e) < 0)
		goto out;
	for (int i = 0; i < 3; i++)
		s.stdio[i] = child[i];
	if (launch_exec(sh->l, &s, &x->p, r, e) < 0)
		goto out;
	if (p->tty) {
		int m = launch_proc_tty_take(x->p, e);
		if (m < 0)
			goto out;
		x->io.tty = 1;
		x->io.out[0] = m;
		if ((x->io.master = fcntl(m, F_DUPFD_CLOEXEC, 3)) < 0 ||
		    ((p->flags & SHIM_STDIN) && (x->io.in = fcntl(m, F_DUPFD_CLOEXEC, 3)) < 0)) {
			berr_sys(e, "dup");
			goto out;
		}
		if (conn < 0) { /* detached: nobody reads the terminal, but it must not fill up */
			fd_close(&x->io.in);
		}
	}
	rc = 0;
out:
	for (int i = 0; i < 3; i++)
		fd_close(&child[i]);
	return rc;
}

int exec_request(struct shim *sh, const char *json, size_t len, int conn, int *no, struct berr *e)
{
	struct exec_parsed *p = calloc(1, sizeof *p);
	struct launch_result r;
	struct shim_exec *x;
	int rc = -1;

	if (!p || !(p->pool = malloc(SHIM_MSG_MAX))) {
		berr_sys(e, "exec");
		goto out;
	}
	if (parse(p, json, len, e) < 0)
		goto out;
	if (sh->st.status != SHIM_RUNNING) {
		berr_set(e, ESRCH, "the container is not running");
		goto out;
	}
	if (!(x = exec_slot(sh))) {
		berr_set(e, EBUSY, "too many exec processes (%d)", CONFIG_SHIM_EXEC_MAX);
		goto out;
	}
	memset(x, 0, sizeof *x);
	io_init(&x->io, sh);
	x->io.exec = 1;
	x->pid_slot = -1;
	x->used = 1;
	x->no = ++sh->next_exec_no;
	x->seq = ++sh->exec_seq;
	*no = x->no;
	if (exec_run(sh, x, p, conn, &r, e) < 0) {
		io_close(&x->io);
		launch_proc_destroy(x->p); /* (made, but its terminal could not be taken) */
		x->p = NULL;
		if (r.class != LAUNCH_ERR_EXEC) {
			x->used = 0;
			goto out;
		}
		/* not an error for the caller: the text, the code, the close */
		x->code = r.status ? r.status : 126;
		x->io.exited = 1;
		if (conn >= 0)
			exec_failed_text(p, conn, x->code);
		rc = 0;
		goto out;
	}
	x->running = 1;
	x->pid = launch_proc_pid(x->p);
	if (io_watch(&x->io, e) < 0 ||
	    (x->pid_slot = evloop_fd_add(&sh->loop, launch_proc_pidfd(x->p), EVLOOP_IN, on_exec_exit, x, e)) < 0)
		goto out; /* (the record stays; the process ends with the container) */
	if (conn >= 0 && client_add(sh, &x->io, fd_take(&conn), p->flags, e) < 0)
		goto out;
	rc = 0;
out:
	fd_close(&conn);
	if (p)
		free(p->pool);
	free(p);
	return rc;
}

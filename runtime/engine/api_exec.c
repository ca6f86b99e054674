/* api_exec.c — docker exec through the container's shim (DOCKER_API.md §4,
 * §5.1): POST /containers/{id}/exec, POST /exec/{id}/start (hijacked, or
 * detached), GET /exec/{id}/json, POST /exec/{id}/resize.
 *
 * berthd keeps each exec's create body (read again at start with
 * exec_req_parse, the one reader) and the shim's number for it; the exit
 * code comes from the shim, and is kept once final. At most
 * CONFIG_ENGINE_EXECS_MAX are remembered: finished ones go first.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/json.h"
#include "runtime/engine/api.h"
#include "runtime/engine/ctr-internal.h"
#include "runtime/policy/exec.h"
#include "runtime/policy/policy.h"
#include "runtime/shim/client.h"

/* mu held */
static struct ctr_exec *exec_find_locked(struct ctr_table *t, const char *id)
{
	for (int i = 0; i < t->nx; i++)
		if (strcmp(t->x[i]->id, id) == 0)
			return t->x[i];
	return NULL;
}

/* Room for one more: drop the oldest finished exec when full (mu held). */
static int exec_room_locked(struct ctr_table *t)
{
	if (t->nx < CONFIG_ENGINE_EXECS_MAX)
		return 0;
	for (int i = 0; i < t->nx; i++) {
		struct ctr_exec *x = t->x[i];

		if (!x->started || x->running)
			continue;
		memmove(&t->x[i], &t->x[i + 1], sizeof(t->x[0]) * (size_t)(t->nx - i - 1));
		t->nx--;
		ctr_put_locked(x->c);
		free(x->body);
		free(x);
		return 0;
	}
	return -1;
}

static int api_exec_create(struct req *r)
{
	struct engine *eng = r->eng;
	struct exec_req *xr = malloc(sizeof(*xr));
	struct ctr_exec *x = calloc(1, sizeof(*x));
	char out[128];
	struct ctr *c = NULL;
	struct berr e;
	int rc, n;

	if (!xr || !x || !(x->body = malloc(r->body_len + 1))) {
		rc = reply_error(r, 500, "out of memory");
		goto out;
	}
	if (exec_req_parse(r->body, r->body_len, xr, &e) < 0) {
		rc = reply_error(r, 400, "%s", e.msg);
		goto out;
	}
	if (!xr->cmd.set || xr->cmd.n == 0) {
		rc = reply_error(r, 400, "No exec command specified");
		goto out;
	}
	if (policy_check_exec(eng->policy, xr, &e) < 0) {
		rc = reply_error(r, 403, "%s", e.msg);
		goto out;
	}
	c = ctr_get(eng, r->param[0], &e);
	if (!c) {
		rc = reply_berr(r, &e);
		goto out;
	}
	memcpy(x->body, r->body, r->body_len);
	x->body[r->body_len] = '\0';
	x->body_len = r->body_len;
	x->created_ns = engine_now_ns();
	if (ctr_id_new(x->id, &e) < 0) {
		rc = reply_error(r, 500, "%s", e.msg);
		goto out;
	}
	pthread_mutex_lock(&eng->mu);
	if (c->rec.status != CTR_RUNNING) {
		pthread_mutex_unlock(&eng->mu);
		rc = reply_error(r, 409, "container %s is not running", c->rec.id);
		goto out;
	}
	if (exec_room_locked(eng->ctrs) < 0) {
		pthread_mutex_unlock(&eng->mu);
		rc = reply_error(r, 503, "too many exec instances running (CONFIG_ENGINE_EXECS_MAX)");
		goto out;
	}
	x->c = c;
	c = NULL; /* its reference is the exec's */
	eng->ctrs->x[eng->ctrs->nx++] = x;
	pthread_mutex_unlock(&eng->mu);
	engine_event(eng, "container", "exec_create", x->c->rec.id, "execID", x->id, NULL);
	n = snprintf(out, sizeof(out), "{\"Id\":\"%s\"}", x->id);
	x = NULL;
	rc = reply_json(r, 201, out, (size_t)n);
out:
	if (c)
		ctr_put(eng, c);
	if (x) {
		free(x->body);
		free(x);
	}
	free(xr);
	return rc;
}

/* The exec named by the route, with its container referenced: mu held on
 * return when found. */
static struct ctr_exec *route_exec_locked(struct req *r)
{
	struct ctr_exec *x;

	pthread_mutex_lock(&r->eng->mu);
	x = exec_find_locked(r->eng->ctrs, r->param[0]);
	if (!x) {
		pthread_mutex_unlock(&r->eng->mu);
		reply_error(r, 404, "No such exec instance: %s", r->param[0]);
	}
	return x;
}

static int exec_launch(struct req *r, struct ctr_exec *x, const struct exec_req *xr, int tty, int conn,
		       struct berr *e)
{
	struct shim_exec_req sx;
	int fd, no = 0, rc;

	memset(&sx, 0, sizeof(sx));
	sx.argv = (char *const *)xr->cmd.v;
	sx.env = xr->env.v;
	sx.n_env = xr->env.n;
	sx.user = *xr->user ? xr->user : NULL;
	sx.workdir = *xr->working_dir ? xr->working_dir : NULL;
	sx.tty = tty;
	if (xr->attach_stdin)
		sx.flags |= SHIM_STDIN;
	if (xr->attach_stdout)
		sx.flags |= SHIM_STDOUT;
	if (xr->attach_stderr)
		sx.flags |= SHIM_STDERR;
	if (!tty)
		sx.flags |= SHIM_MUX;
	fd = ctr_shim_connect(r->eng, x->c, e);
	if (fd < 0) {
		if (conn >= 0)
			close(conn);
		return -1;
	}
	rc = shim_exec(fd, &sx, conn, &no, e);
	if (rc == 0 && (xr->console_h || xr->console_w) && tty) {
		struct berr ign;

		shim_exec_resize(fd, no, xr->console_h, xr->console_w, &ign);
	}
	close(fd);
	if (rc < 0)
		return -1;
	pthread_mutex_lock(&r->eng->mu);
	x->no = no;
	x->running = 1;
	pthread_mutex_unlock(&r->eng->mu);
	return 0;
}

static int api_exec_start(struct req *r)
{
	struct engine *eng = r->eng;
	struct exec_start_req sr;
	struct exec_req *xr;
	struct ctr_exec *x;
	struct berr e;
	int rc, tty, conn;

	if (exec_start_req_parse(r->body, r->body_len, &sr, &e) < 0)
		return reply_error(r, 400, "%s", e.msg);
	x = route_exec_locked(r);
	if (!x)
		return 0;
	if (x->started) {
		pthread_mutex_unlock(&eng->mu);
		return reply_error(r, 409, "Exec %s has already started", r->param[0]);
	}
	if (x->c->rec.status != CTR_RUNNING) {
		pthread_mutex_unlock(&eng->mu);
		return reply_error(r, 409, "container %s is not running", x->c->rec.id);
	}
	x->started = 1;
	ctr_get_locked(x->c);
	pthread_mutex_unlock(&eng->mu);
	xr = malloc(sizeof(*xr));
	if (!xr || exec_req_parse(x->body, x->body_len, xr, &e) < 0) {
		ctr_put(eng, x->c);
		free(xr);
		return reply_error(r, 500, "exec %s: its body: %s", x->id, xr ? e.msg : "out of memory");
	}
	tty = sr.tty || xr->tty;
	if (sr.console_h || sr.console_w) {
		xr->console_h = sr.console_h;
		xr->console_w = sr.console_w;
	}
	if (sr.detach) {
		rc = exec_launch(r, x, xr, tty, -1, &e);
		rc = rc < 0 ? reply_error(r, 500, "%s", e.msg) : reply_json(r, 200, "", 0);
	} else if (reply_upgrade(r, tty || r->api_minor < 42 ? "application/vnd.docker.raw-stream"
							: "application/vnd.docker.multiplexed-stream") < 0) {
		rc = -1;
	} else {
		conn = ctr_hijack_fd(r->fd);
		if (conn < 0 || exec_launch(r, x, xr, tty, conn, &e) < 0)
			log_msg(&eng->log, LOG_WARN, "exec %.12s: %s", x->id, conn < 0 ? "dup failed" : e.msg);
		rc = -1; /* the shim has the stream now */
	}
	engine_event(eng, "container", "exec_start", x->c->rec.id, "execID", x->id, NULL);
	ctr_put(eng, x->c);
	free(xr);
	return rc;
}

/* Bring x's status up to date from the shim (no mu). */
static void exec_refresh(struct engine *eng, struct ctr_exec *x)
{
	struct berr e;
	int fd, running = 0, code = 0, no, need;
	pid_t pid = 0;

	pthread_mutex_lock(&eng->mu);
	need = x->started && !x->has_code;
	no = x->no;
	pthread_mutex_unlock(&eng->mu);
	if (!need)
		return;
	fd = ctr_shim_connect(eng, x->c, &e);
	if (fd < 0) {
		/* the shim has gone with its container: the exec ended with it */
		pthread_mutex_lock(&eng->mu);
		if (x->running) {
			x->running = 0;
			x->has_code = 1;
			x->exit_code = 137;
		}
		pthread_mutex_unlock(&eng->mu);
		return;
	}
	if (shim_exec_status(fd, no, &running, &code, &pid, &e) == 0) {
		pthread_mutex_lock(&eng->mu);
		x->running = running;
		x->pid = pid;
		if (!running) {
			x->exit_code = code;
			x->has_code = 1;
		}
		pthread_mutex_unlock(&eng->mu);
	}
	close(fd);
}

static void exec_json(struct engine *eng, const struct ctr_exec *x, const struct exec_req *xr, struct json_w *w)
{
	(void)eng;
	json_w_obj(w);
	json_w_kstr(w, "ID", x->id);
	json_w_kbool(w, "Running", x->running && !x->has_code);
	json_w_key(w, "ExitCode");
	if (x->has_code)
		json_w_i64(w, x->exit_code);
	else
		json_w_null(w);
	json_w_kbool(w, "OpenStdin", xr && xr->attach_stdin);
	json_w_kbool(w, "OpenStderr", xr && xr->attach_stderr);
	json_w_kbool(w, "OpenStdout", xr && xr->attach_stdout);
	json_w_kbool(w, "CanRemove", false);
	json_w_kstr(w, "ContainerID", x->c->rec.id);
	json_w_kstr(w, "DetachKeys", "");
	json_w_ki64(w, "Pid", x->pid);
	json_w_key(w, "ProcessConfig");
	json_w_obj(w);
	json_w_kbool(w, "tty", xr && xr->tty);
	json_w_kstr(w, "entrypoint", xr && xr->cmd.n ? xr->cmd.v[0] : "");
	json_w_key(w, "arguments");
	json_w_arr(w);
	for (int i = 1; xr && i < xr->cmd.n; i++)
		json_w_str(w, xr->cmd.v[i]);
	json_w_arr_end(w);
	json_w_kbool(w, "privileged", false);
	json_w_kstr(w, "user", xr ? xr->user : "");
	json_w_obj_end(w);
	json_w_obj_end(w);
}

static int api_exec_inspect(struct req *r)
{
	struct engine *eng = r->eng;
	struct exec_req *xr = malloc(sizeof(*xr));
	struct ctr_exec *x;
	struct json_w w;
	struct berr e;
	int rc, ok;

	if (!xr)
		return reply_error(r, 500, "out of memory");
	x = route_exec_locked(r);
	if (!x) {
		free(xr);
		return 0;
	}
	ctr_get_locked(x->c);
	pthread_mutex_unlock(&eng->mu);
	/* x stays in the table while its container does: it is only freed
	 * with mu held, by the container's removal or for room, and the
	 * reference above keeps the container */
	exec_refresh(eng, x);
	ok = exec_req_parse(x->body, x->body_len, xr, &e) == 0;
	json_w_init_grow(&w, 256 * 1024);
	pthread_mutex_lock(&eng->mu);
	exec_json(eng, x, ok ? xr : NULL, &w);
	ctr_put_locked(x->c);
	pthread_mutex_unlock(&eng->mu);
	rc = reply_jsonw(r, 200, &w);
	json_w_free(&w);
	free(xr);
	return rc;
}

static int api_exec_resize(struct req *r)
{
	struct engine *eng = r->eng;
	struct ctr_exec *x;
	char hv[16], wv[16];
	struct berr e;
	int fd, no, rc;
	struct ctr *c;

	if (ctr_query(r, "h", hv, sizeof(hv)) <= 0 || ctr_query(r, "w", wv, sizeof(wv)) <= 0)
		return reply_error(r, 400, "invalid height or width");
	x = route_exec_locked(r);
	if (!x)
		return 0;
	no = x->no;
	c = x->c;
	ctr_get_locked(c);
	pthread_mutex_unlock(&eng->mu);
	fd = ctr_shim_connect(eng, c, &e);
	ctr_put(eng, c);
	if (fd < 0)
		return reply_error(r, 409, "container is not running");
	rc = shim_exec_resize(fd, no, (unsigned)atoi(hv), (unsigned)atoi(wv), &e);
	close(fd);
	if (rc < 0)
		return reply_error(r, 400, "%s", e.msg);
	return reply_json(r, 200, "", 0);
}

const struct route api_exec_routes[] = {
	{ "POST", "/containers/{}/exec", api_exec_create, ROUTE_BODY },
	{ "POST", "/exec/{}/start", api_exec_start, ROUTE_BODY },
	{ "GET", "/exec/{}/json", api_exec_inspect, 0 },
	{ "POST", "/exec/{}/resize", api_exec_resize, ROUTE_BODY },
	{ NULL, NULL, NULL, 0 },
};

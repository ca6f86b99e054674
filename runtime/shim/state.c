/* state.c — state.json: what the shim knows of its container, written
 * atomically by the shim at each change, read by berthd (client.h). */
#include <errno.h>
#include <string.h>

#include "lib/fs.h"
#include "lib/json.h"
#include "runtime/shim/client.h"

#define STATE_NAME "state.json"
#define STATE_MAX 2048

static const char *const status_names[] = { "created", "running", "exited" };

int shim_state_format(const struct shim_state *st, char *buf, size_t size, struct berr *e)
{
	struct json_w w;
	const char *out;
	size_t len;

	json_w_init(&w, buf, size);
	json_w_obj(&w);
	json_w_kstr(&w, "status", (unsigned)st->status < 3 ? status_names[st->status] : "exited");
	json_w_ki64(&w, "pid", st->pid);
	json_w_ki64(&w, "shim_pid", st->shim_pid);
	json_w_ki64(&w, "exit_code", st->exit_code);
	json_w_kbool(&w, "oom_killed", st->oom_killed);
	json_w_ki64(&w, "started_ns", st->started_ns);
	json_w_ki64(&w, "finished_ns", st->finished_ns);
	json_w_kstr(&w, "error", st->error);
	json_w_obj_end(&w);
	if (json_w_finish(&w, &out, &len, e) < 0)
		return berr_prefix(e, "state");
	return (int)len;
}

static int get_int(const struct json *j, const char *key, int64_t min, int64_t max, int64_t *v, struct berr *e)
{
	int t = json_get(j, 0, key);

	*v = 0;
	if (t < 0)
		return 0;
	if (json_i64(j, t, min, max, v, e) < 0)
		return berr_prefix(e, "state %s", key);
	return 0;
}

int shim_state_parse(const char *js, size_t len, struct shim_state *st, struct berr *e)
{
	jsmntok_t tok[32];
	struct json j;
	char status[16];
	int64_t v[5];
	bool oom = false;
	int t;

	memset(st, 0, sizeof *st);
	if (json_parse(&j, js, len, tok, 32, e) < 0 || json_type(&j, 0) != JSMN_OBJECT)
		return berr_set(e, EPROTO, "state: not a JSON object");
	t = json_get(&j, 0, "status");
	if (t < 0 || json_str(&j, t, status, sizeof status, e) < 0)
		return berr_set(e, EPROTO, "state: no status");
	for (st->status = SHIM_CREATED; st->status <= SHIM_EXITED; st->status++)
		if (strcmp(status, status_names[st->status]) == 0)
			break;
	if (st->status > SHIM_EXITED)
		return berr_set(e, EPROTO, "state: unknown status '%s'", status);
	if (get_int(&j, "pid", 0, INT32_MAX, &v[0], e) < 0 || get_int(&j, "shim_pid", 0, INT32_MAX, &v[1], e) < 0 ||
	    get_int(&j, "exit_code", -1, 255 + 128, &v[2], e) < 0 ||
	    get_int(&j, "started_ns", 0, INT64_MAX, &v[3], e) < 0 ||
	    get_int(&j, "finished_ns", 0, INT64_MAX, &v[4], e) < 0)
		return -1;
	if ((t = json_get(&j, 0, "oom_killed")) >= 0 && json_bool(&j, t, &oom, e) < 0)
		return berr_prefix(e, "state oom_killed");
	if ((t = json_get(&j, 0, "error")) >= 0 && json_str(&j, t, st->error, sizeof st->error, e) < 0)
		return berr_prefix(e, "state error");
	st->pid = (pid_t)v[0];
	st->shim_pid = (pid_t)v[1];
	st->exit_code = (int)v[2];
	st->started_ns = v[3];
	st->finished_ns = v[4];
	st->oom_killed = oom;
	return 0;
}

int shim_state_read(int dirfd, struct shim_state *st, struct berr *e)
{
	char buf[STATE_MAX];
	ssize_t n = fs_read_at(dirfd, STATE_NAME, buf, sizeof buf, e);

	if (n < 0)
		return -1;
	return shim_state_parse(buf, (size_t)n, st, e);
}

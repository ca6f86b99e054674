/* ctr_rec.c — container.json: write, read, remove, sweep; ids and names. */
#include "runtime/engine/ctr_rec.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "autoconf.h"
#include "lib/fs.h"
#include "lib/json.h"
#include "lib/util.h"

#define REC_MAX CONFIG_ENGINE_CTR_RECORD_MAX

static const char *const status_names[] = {
	[CTR_CREATED] = "created", [CTR_RUNNING] = "running", [CTR_RESTARTING] = "restarting",
	[CTR_EXITED] = "exited",   [CTR_REMOVING] = "removing", [CTR_DEAD] = "dead",
};

const char *ctr_status_name(enum ctr_status s)
{
	if ((unsigned)s >= ARRAY_SIZE(status_names))
		return "dead";
	return status_names[s];
}

static int status_parse(const char *s)
{
	for (size_t i = 0; i < ARRAY_SIZE(status_names); i++)
		if (strcmp(s, status_names[i]) == 0)
			return (int)i;
	return -1;
}

int ctr_id_new(char id[CTR_ID_LEN + 1], struct berr *e)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char r[CTR_ID_LEN / 2];

	for (;;) {
		int alpha = 0;

		if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r))
			return berr_sys(e, "getrandom");
		for (size_t i = 0; i < sizeof(r); i++) {
			id[2 * i] = hex[r[i] >> 4];
			id[2 * i + 1] = hex[r[i] & 15];
		}
		id[CTR_ID_LEN] = '\0';
		/* a short id of only digits would read as a number (Docker
		 * regenerates these too) */
		for (int i = 0; i < 12; i++)
			alpha |= id[i] > '9';
		if (alpha)
			return 0;
	}
}

int ctr_id_valid(const char *s)
{
	size_t n = 0;

	for (; s[n]; n++)
		if (!((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'f')))
			return 0;
	return n == CTR_ID_LEN;
}

static int name_char(char c, int first)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return 1;
	return !first && (c == '_' || c == '.' || c == '-');
}

int ctr_name_check(const char *name, char out[CTR_NAME_MAX], struct berr *e)
{
	const char *p = name[0] == '/' ? name + 1 : name;
	size_t n = strlen(p);
	int ok = n >= 2;

	for (size_t i = 0; ok && i < n; i++)
		ok = name_char(p[i], i == 0);
	if (!ok)
		return berr_set(e, EINVAL, "Invalid container name (%s), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed",
				name);
	if (n >= CTR_NAME_MAX)
		return berr_set(e, ENAMETOOLONG, "Invalid container name (%s): longer than %d bytes", name,
				CTR_NAME_MAX - 1);
	memcpy(out, p, n + 1);
	return 0;
}

/* --------------------------------------------------------------- restarts */

int ctr_restart_wanted(enum ctr_restart p, int exit_code, int restarts, int64_t max_retry,
		       int stopped_by_user)
{
	if (stopped_by_user)
		return 0;
	switch (p) {
	case CTR_RESTART_ALWAYS:
	case CTR_RESTART_UNLESS_STOPPED:
		return 1;
	case CTR_RESTART_ON_FAILURE:
		return exit_code != 0 && (max_retry <= 0 || restarts < max_retry);
	case CTR_RESTART_NO:
		break;
	}
	return 0;
}

#define BACKOFF_FIRST_MS 100
#define BACKOFF_RESET_NS (10LL * 1000000000) /* a run this long resets the back-off */

int ctr_restart_delay(int *backoff_ms, int64_t ran_ns, int max_ms)
{
	int d;

	if (ran_ns >= BACKOFF_RESET_NS || *backoff_ms <= 0)
		*backoff_ms = BACKOFF_FIRST_MS;
	d = *backoff_ms < max_ms ? *backoff_ms : max_ms;
	*backoff_ms = d > max_ms / 2 ? max_ms : d * 2;
	return d;
}

/* ------------------------------------------------------------------ write */

static void rec_json(struct json_w *w, const struct ctr_rec *r)
{
	json_w_obj(w);
	json_w_kstr(w, "Id", r->id);
	json_w_kstr(w, "Name", r->name);
	json_w_ki64(w, "CreatedNs", r->created_ns);
	json_w_kstr(w, "Image", r->image);
	json_w_kstr(w, "ImageRef", r->image_ref);
	json_w_ki64(w, "RestartCount", r->restart_count);
	json_w_kbool(w, "StoppedByUser", r->stopped_by_user);
	json_w_key(w, "State");
	json_w_obj(w);
	json_w_kstr(w, "Status", ctr_status_name(r->status));
	json_w_ki64(w, "ExitCode", r->exit_code);
	json_w_kbool(w, "OOMKilled", r->oom_killed);
	json_w_ki64(w, "Pid", r->pid);
	json_w_ki64(w, "StartedNs", r->started_ns);
	json_w_ki64(w, "FinishedNs", r->finished_ns);
	json_w_kstr(w, "Error", r->error);
	json_w_kstr(w, "IP", r->ip);
	json_w_kstr(w, "Gateway", r->gateway);
	json_w_ki64(w, "Prefix", r->prefix);
	json_w_ki64(w, "ProxyPid", r->proxy_pid);
	json_w_key(w, "Ports");
	json_w_arr(w);
	for (int i = 0; i < r->n_ports; i++) {
		json_w_obj(w);
		json_w_kstr(w, "HostIp", r->ports[i].ip);
		json_w_ki64(w, "HostPort", r->ports[i].hport);
		json_w_ki64(w, "Port", r->ports[i].cport);
		json_w_kbool(w, "Udp", r->ports[i].udp);
		json_w_obj_end(w);
	}
	json_w_arr_end(w);
	json_w_obj_end(w);
	/* the body as received: lib/json checked it when it arrived */
	json_w_key(w, "Body");
	json_w_raw(w, r->body, r->body_len);
	json_w_obj_end(w);
}

int ctr_rec_write(int dirfd, const struct ctr_rec *r, struct berr *e)
{
	struct json_w w;
	const char *out;
	size_t len;
	char path[CTR_ID_LEN + sizeof("/" CTR_REC_FILE)];
	int rc;

	if (!ctr_id_valid(r->id) || !r->body)
		return berr_set(e, EINVAL, "container record: bad id or no body");
	json_w_init_grow(&w, REC_MAX);
	rec_json(&w, r);
	rc = json_w_finish(&w, &out, &len, e);
	if (rc == 0) {
		snprintf(path, sizeof(path), "%.64s/%s", r->id, CTR_REC_FILE);
		rc = fs_write_atomic_at(dirfd, path, out, len, 0600, e);
	}
	json_w_free(&w);
	if (rc < 0)
		berr_prefix(e, "container %.12s: write %s", r->id, CTR_REC_FILE);
	return rc;
}

/* ------------------------------------------------------------------- read */

static int get_str(const struct json *j, int obj, const char *key, char *buf, size_t n,
		   struct berr *e)
{
	int v = json_get(j, obj, key);

	if (v < 0)
		return berr_set(e, EPROTO, "missing %s", key);
	if (json_str(j, v, buf, n, e) < 0)
		return berr_prefix(e, "%s", key);
	return 0;
}

static int get_i64(const struct json *j, int obj, const char *key, int64_t *out, struct berr *e)
{
	int v = json_get(j, obj, key);

	if (v < 0)
		return berr_set(e, EPROTO, "missing %s", key);
	if (json_i64(j, v, INT64_MIN, INT64_MAX, out, e) < 0)
		return berr_prefix(e, "%s", key);
	return 0;
}

static int get_bool(const struct json *j, int obj, const char *key, int *out, struct berr *e)
{
	int v = json_get(j, obj, key);
	bool b;

	if (v < 0)
		return berr_set(e, EPROTO, "missing %s", key);
	if (json_bool(j, v, &b, e) < 0)
		return berr_prefix(e, "%s", key);
	*out = b;
	return 0;
}

/* State.Ports (absent in a record of an older berthd: none). */
static int rec_ports(const struct json *j, int st, struct ctr_rec *r, struct berr *e)
{
	struct json_iter it;
	int arr = json_get(j, st, "Ports"), k, v;

	r->n_ports = 0;
	if (arr < 0)
		return 0;
	if (json_type(j, arr) != JSMN_ARRAY)
		return berr_set(e, EPROTO, "Ports: expected an array");
	json_iter_init(j, arr, &it);
	while (json_iter_next(j, &it, &k, &v)) {
		struct ctr_port *p = &r->ports[r->n_ports];
		int64_t hp, cp;

		if (r->n_ports == CTR_PORTS_MAX)
			return berr_set(e, E2BIG, "Ports: more than %d", CTR_PORTS_MAX);
		if (json_type(j, v) != JSMN_OBJECT || get_str(j, v, "HostIp", p->ip, sizeof(p->ip), e) < 0 ||
		    get_i64(j, v, "HostPort", &hp, e) < 0 || get_i64(j, v, "Port", &cp, e) < 0 ||
		    get_bool(j, v, "Udp", &p->udp, e) < 0)
			return berr_prefix(e, "Ports[%d]", r->n_ports);
		if (hp < 1 || hp > 65535 || cp < 1 || cp > 65535)
			return berr_set(e, EPROTO, "Ports[%d]: a port out of 1..65535", r->n_ports);
		p->hport = (uint16_t)hp;
		p->cport = (uint16_t)cp;
		r->n_ports++;
	}
	return 0;
}

static int rec_state(const struct json *j, int st, struct ctr_rec *r, struct berr *e)
{
	char status[32];
	int64_t code, pid, prefix, proxy;
	int s;

	if (get_str(j, st, "Status", status, sizeof(status), e) < 0 ||
	    get_i64(j, st, "ExitCode", &code, e) < 0 || get_bool(j, st, "OOMKilled", &r->oom_killed, e) < 0 ||
	    get_i64(j, st, "Pid", &pid, e) < 0 || get_i64(j, st, "StartedNs", &r->started_ns, e) < 0 ||
	    get_i64(j, st, "FinishedNs", &r->finished_ns, e) < 0 ||
	    get_str(j, st, "Error", r->error, sizeof(r->error), e) < 0 ||
	    get_str(j, st, "IP", r->ip, sizeof(r->ip), e) < 0 ||
	    get_str(j, st, "Gateway", r->gateway, sizeof(r->gateway), e) < 0 ||
	    get_i64(j, st, "Prefix", &prefix, e) < 0 || get_i64(j, st, "ProxyPid", &proxy, e) < 0 ||
	    rec_ports(j, st, r, e) < 0)
		return -1;
	r->prefix = prefix >= 0 && prefix <= 32 ? (int)prefix : 0;
	r->proxy_pid = proxy > 0 && proxy < INT32_MAX ? (pid_t)proxy : 0;
	s = status_parse(status);
	if (s < 0)
		return berr_set(e, EPROTO, "State.Status: unknown \"%s\"", status);
	r->status = (enum ctr_status)s;
	r->exit_code = (int)code;
	r->pid = (pid_t)pid;
	return 0;
}

static int rec_parse(const struct json *j, struct ctr_rec *r, struct berr *e)
{
	int64_t rc;
	int st, body;

	if (get_str(j, 0, "Id", r->id, sizeof(r->id), e) < 0 ||
	    get_str(j, 0, "Name", r->name, sizeof(r->name), e) < 0 ||
	    get_i64(j, 0, "CreatedNs", &r->created_ns, e) < 0 ||
	    get_str(j, 0, "Image", r->image, sizeof(r->image), e) < 0 ||
	    get_str(j, 0, "ImageRef", r->image_ref, sizeof(r->image_ref), e) < 0 ||
	    get_i64(j, 0, "RestartCount", &rc, e) < 0 ||
	    get_bool(j, 0, "StoppedByUser", &r->stopped_by_user, e) < 0)
		return -1;
	r->restart_count = rc < 0 || rc > 1000000000 ? 0 : (int)rc;
	st = json_get(j, 0, "State");
	if (st < 0 || json_type(j, st) != JSMN_OBJECT)
		return berr_set(e, EPROTO, "missing State");
	if (rec_state(j, st, r, e) < 0)
		return berr_prefix(e, "State");
	body = json_get(j, 0, "Body");
	if (body < 0 || json_type(j, body) != JSMN_OBJECT)
		return berr_set(e, EPROTO, "missing Body");
	r->body_len = (size_t)(j->tok[body].end - j->tok[body].start);
	r->body = malloc(r->body_len + 1);
	if (!r->body)
		return berr_set(e, ENOMEM, "Body: out of memory");
	memcpy(r->body, j->js + j->tok[body].start, r->body_len);
	r->body[r->body_len] = '\0';
	return 0;
}

int ctr_rec_read(int dirfd, const char *id, struct ctr_rec *r, struct berr *e)
{
	char path[CTR_ID_LEN + sizeof("/" CTR_REC_FILE)];
	char *buf = NULL;
	jsmntok_t *tok = NULL;
	struct json j;
	ssize_t n;
	int rc = -1, maxtok;

	memset(r, 0, sizeof(*r));
	if (!ctr_id_valid(id))
		return berr_set(e, EINVAL, "%s: not a container id", id);
	snprintf(path, sizeof(path), "%.64s/%s", id, CTR_REC_FILE);
	buf = malloc(REC_MAX);
	if (!buf)
		return berr_set(e, ENOMEM, "out of memory");
	n = fs_read_at(dirfd, path, buf, REC_MAX, e);
	if (n < 0)
		goto out;
	/* every token takes at least two bytes of text but the last */
	maxtok = (int)(n / 2) + 2;
	tok = malloc(sizeof(*tok) * (size_t)maxtok);
	if (!tok) {
		berr_set(e, ENOMEM, "out of memory");
		goto out;
	}
	if (json_parse(&j, buf, (size_t)n, tok, maxtok, e) < 0 || json_type(&j, 0) != JSMN_OBJECT) {
		if (e->msg[0] == '\0')
			berr_set(e, EPROTO, "not an object");
		goto out;
	}
	rc = rec_parse(&j, r, e);
	if (rc == 0 && strcmp(r->id, id) != 0)
		rc = berr_set(e, EPROTO, "Id %s does not match its directory", r->id);
out:
	if (rc < 0) {
		ctr_rec_free(r);
		berr_prefix(e, "container %.12s: %s", id, CTR_REC_FILE);
	}
	free(tok);
	free(buf);
	return rc;
}

void ctr_rec_free(struct ctr_rec *r)
{
	free(r->body);
	r->body = NULL;
	r->body_len = 0;
}

/* ----------------------------------------------------------------- remove */

void ctr_rootfs_detach(int dirfd, const char *id)
{
	char path[64 + CTR_ID_LEN];

	/* lib/fs's tree removal crosses mount points: never let it walk into
	 * a rootfs overlay still mounted there (berthd killed mid-run) */
	snprintf(path, sizeof(path), "/proc/self/fd/%d/%.64s/rootfs", dirfd, id);
	while (umount2(path, MNT_DETACH | UMOUNT_NOFOLLOW) == 0)
		;
}

int ctr_rec_remove(int dirfd, const char *id, struct berr *e)
{
	char path[CTR_ID_LEN + sizeof("/" CTR_REC_FILE)];

	if (!ctr_id_valid(id))
		return berr_set(e, EINVAL, "%s: not a container id", id);
	snprintf(path, sizeof(path), "%.64s/%s", id, CTR_REC_FILE);
	ctr_rootfs_detach(dirfd, id);
	if (unlinkat(dirfd, path, 0) < 0 && errno != ENOENT)
		return berr_sys(e, "remove %.12s/%s", id, CTR_REC_FILE);
	if (fs_fsync_dir_at(dirfd, id, e) < 0 && e->errnum != ENOENT)
		return -1;
	if (fs_rm_tree_at(dirfd, id, e) < 0)
		return berr_prefix(e, "remove container %.12s", id);
	return fs_fsync_dir_at(dirfd, ".", e);
}

int ctr_rec_sweep(int dirfd, struct berr *e)
{
	char path[CTR_ID_LEN + sizeof("/" CTR_REC_FILE)];
	struct berr ign;
	struct dirent *d;
	struct stat st;
	int fd, n = 0;
	DIR *dir;

	fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return berr_sys(e, "open containers/");
	dir = fdopendir(fd);
	if (!dir) {
		close(fd);
		return berr_sys(e, "read containers/");
	}
	while ((d = readdir(dir))) {
		if (!ctr_id_valid(d->d_name))
			continue;
		snprintf(path, sizeof(path), "%.64s/%s", d->d_name, CTR_REC_FILE);
		if (fstatat(dirfd, path, &st, AT_SYMLINK_NOFOLLOW) == 0 || errno != ENOENT)
			continue;
		/* a rootfs still mounted (berthd killed mid-start) is busy:
		 * rm_tree fails on it and the next start tries again */
		ctr_rootfs_detach(dirfd, d->d_name);
		if (fs_rm_tree_at(dirfd, d->d_name, &ign) == 0)
			n++;
	}
	closedir(dir);
	return n;
}

/* local.c — the routes apid answers itself: the appliance endpoints
 * (/berth/v1/system, services, restart, reboot, poweroff) through PID 1's
 * control socket, the service logs (logs.c), and GET /metrics (berthd's
 * body with apid's families appended, sent chunked).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/statfs.h>
#include <sys/sysinfo.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "lib/initctl.h"
#include "lib/json.h"
#include "runtime/api/apid.h"
#include "runtime/engine/engine.h"

#define ENGINE_BODY_MAX (4 << 20)	/* berthd's /metrics or /berth/v1/slots, read whole */
#define REPLY_MAX 65536

/* GET path from berthd, the body whole: 0 with *status, or -1. */
static int engine_get(struct apid *d, const char *path, int *status, char **body, size_t *len,
		      struct berr *e)
{
	struct http_parser *rp = malloc(sizeof(*rp));
	char req[256], buf[4096];
	size_t cap = 0, n = 0;
	char *out = NULL;
	int fd = -1, rc = -1, ev = HTTP_NEED_MORE;

	if (!rp)
		return berr_set(e, ENOMEM, "out of memory");
	if ((fd = proxy_dial(d->conf.engine_socket, e)) < 0)
		goto done;
	snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: berthd\r\nConnection: close\r\n\r\n", path);
	if (send(fd, req, strlen(req), MSG_NOSIGNAL) < 0) {
		berr_sys(e, "berthd");
		goto done;
	}
	http_parser_init(rp, HTTP_RESPONSE);
	rp->body_max = ENGINE_BODY_MAX;
	while (ev != HTTP_DONE) {
		ssize_t r = recv(fd, buf, sizeof(buf), 0);
		size_t off = 0;

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			ev = r == 0 ? http_eof(rp, e) : berr_sys(e, "berthd");
			if (ev != HTTP_DONE)
				goto done;
			break;
		}
		while (ev != HTTP_DONE) {
			size_t used = 0;

			ev = http_feed(rp, buf + off, (size_t)r - off, &used, e);
			off += used;
			if (ev < 0)
				goto done;
			if (ev == HTTP_NEED_MORE)
				break;
			if (ev == HTTP_BODY) {
				if (n + rp->body_len + 1 > cap) {
					char *nb = realloc(out, (cap = (n + rp->body_len + 1) * 2));
					if (!nb) {
						berr_set(e, ENOMEM, "out of memory");
						goto done;
					}
					out = nb;
				}
				memcpy(out + n, rp->body, rp->body_len);
				n += rp->body_len;
			}
		}
	}
	*status = rp->status;
	*body = out;
	*len = n;
	out = NULL;
	rc = 0;
done:
	free(out);
	free(rp);
	if (fd >= 0)
		close(fd);
	return rc;
}

/* One request to PID 1; replies into rep[0..max), *n of them. */
static int initctl(struct apid *d, uint32_t cmd, const char *name, struct initctl_rep *rep, int max,
		   int *n, struct berr *e)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	struct initctl_req q = { .version = INITCTL_VERSION, .cmd = cmd };
	int fd;

	*n = 0;
	if (name)
		snprintf(q.name, sizeof(q.name), "%s", name);
	if (strlen(d->conf.init_socket) >= sizeof(a.sun_path))
		return berr_set(e, ENAMETOOLONG, "init_socket: path too long");
	strcpy(a.sun_path, d->conf.init_socket);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return berr_sys(e, "socket");
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || send(fd, &q, sizeof(q), MSG_NOSIGNAL) < 0) {
		berr_sys(e, "PID 1's control socket %s", d->conf.init_socket);
		close(fd);
		return -1;
	}
	while (*n < max) {
		ssize_t r = recv(fd, &rep[*n], sizeof(rep[0]), 0);

		if (r < 0 && errno == EINTR)
			continue;
		if (r != (ssize_t)sizeof(rep[0]))
			break;
		if (!rep[(*n)++].more)
			break;
	}
	close(fd);
	if (*n == 0)
		return berr_set(e, EPROTO, "PID 1 gave no answer");
	return 0;
}

static int reply_json(struct aconn *c, int status, struct json_w *w, int keep)
{
	const char *out;
	size_t n;
	struct berr e;

	if (json_w_finish(w, &out, &n, &e) < 0)
		return proxy_error(c, 500, keep, "answer: %s", e.msg) < 0 ? -1 : 500;
	return proxy_reply(c, status, "application/json", out, n, keep) < 0 ? -1 : status;
}

static void rfc3339(char *out, size_t n, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(out, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void w_time(struct json_w *w, const char *key, int64_t t)
{
	char s[32];

	if (t <= 0) {
		json_w_key(w, key);
		json_w_null(w);
		return;
	}
	rfc3339(s, sizeof(s), t);
	json_w_kstr(w, key, s);
}

static void w_u64(struct json_w *w, const char *key, uint64_t v)
{
	char s[24];

	snprintf(s, sizeof(s), "%llu", (unsigned long long)v);
	json_w_key(w, key);
	json_w_raw(w, s, strlen(s));
}

static int get_system(struct aconn *c, int keep)
{
	struct apid *d = c->d;
	struct json_w w;
	struct sysinfo si;
	struct statfs sf;
	struct berr e;
	char *slots = NULL;
	size_t slen = 0;
	int st = 0, rc;

	json_w_init_grow(&w, REPLY_MAX + ENGINE_BODY_MAX);
	json_w_obj(&w);
	json_w_kstr(&w, "Version", ENGINE_VERSION);
	if (sysinfo(&si) == 0) {
		w_u64(&w, "UptimeSeconds", (uint64_t)si.uptime);
		w_time(&w, "BootTime", (int64_t)time(NULL) - si.uptime);
	}
	if (d->data_fd >= 0 && fstatfs(d->data_fd, &sf) == 0) {
		json_w_key(&w, "Data");
		json_w_obj(&w);
		json_w_kstr(&w, "Path", d->conf.data_dir);
		w_u64(&w, "TotalBytes", (uint64_t)sf.f_blocks * (uint64_t)sf.f_bsize);
		w_u64(&w, "FreeBytes", (uint64_t)sf.f_bfree * (uint64_t)sf.f_bsize);
		w_u64(&w, "AvailableBytes", (uint64_t)sf.f_bavail * (uint64_t)sf.f_bsize);
		json_w_obj_end(&w);
	}
	json_w_key(&w, "Certificates");
	json_w_obj(&w);
	w_time(&w, "ServerNotAfter", d->cert_not_after);
	w_time(&w, "ClientCANotAfter", d->ca_not_after);
	json_w_obj_end(&w);
	if (engine_get(d, "/berth/v1/slots", &st, &slots, &slen, &e) == 0 && st == 200 && slen > 0) {
		json_w_key(&w, "Slots");
		json_w_raw(&w, slots, slen);
	}
	free(slots);
	json_w_obj_end(&w);
	rc = reply_json(c, 200, &w, keep);
	json_w_free(&w);
	return rc;
}

static int initctl_status(int err)
{
	return err == EPERM || err == EACCES ? 403 : err == ENOENT || err == ESRCH ? 404 : 500;
}

static int get_services(struct aconn *c, int keep)
{
	struct initctl_rep *rep = malloc(16 * sizeof(*rep));
	struct json_w w;
	struct berr e;
	int n, rc;

	if (!rep)
		return proxy_error(c, 500, keep, "out of memory") < 0 ? -1 : 500;
	if (initctl(c->d, INITCTL_SERVICES, NULL, rep, 16, &n, &e) < 0) {
		free(rep);
		return proxy_error(c, 503, keep, "%s", e.msg) < 0 ? -1 : 503;
	}
	if (rep[0].error) {
		rc = initctl_status(rep[0].error);
		rc = proxy_error(c, rc, keep, "PID 1: %s", rep[0].msg) < 0 ? -1 : rc;
		free(rep);
		return rc;
	}
	json_w_init_grow(&w, REPLY_MAX);
	json_w_arr(&w);
	for (int i = 0; i < n; i++)
		for (uint32_t k = 0; k < rep[i].count && k < INITCTL_SVCS_PER_REP; k++) {
			const struct initctl_svc *s = &rep[i].svc[k];

			json_w_obj(&w);
			json_w_kstr(&w, "Name", s->name);
			json_w_kstr(&w, "State", s->state);
			w_u64(&w, "Pid", (uint64_t)(s->pid > 0 ? s->pid : 0));
			w_u64(&w, "Restarts", s->restarts);
			w_u64(&w, "UptimeMs", (uint64_t)(s->uptime_ms > 0 ? s->uptime_ms : 0));
			json_w_obj_end(&w);
		}
	json_w_arr_end(&w);
	free(rep);
	rc = reply_json(c, 200, &w, keep);
	json_w_free(&w);
	return rc;
}

/* restart NAME, reboot, poweroff: 204 when PID 1 took it. */
static int command(struct aconn *c, uint32_t cmd, const char *name, int keep)
{
	struct initctl_rep rep;
	struct berr e;
	int n, st;

	if (initctl(c->d, cmd, name, &rep, 1, &n, &e) < 0)
		return proxy_error(c, 503, keep, "%s", e.msg) < 0 ? -1 : 503;
	if (rep.error) {
		st = initctl_status(rep.error);
		return proxy_error(c, st, keep, "PID 1: %s", rep.msg) < 0 ? -1 : st;
	}
	return proxy_reply(c, 204, NULL, "", 0, keep) < 0 ? -1 : 204;
}

/* The name in /berth/v1/services/NAME/restart. */
static int service_name(const char *path, char *out, size_t size)
{
	const char *p = strstr(path, "/services/"), *end;

	if (!p)
		return -1;
	p += 10;
	end = strchr(p, '/');
	if (!end || end == p || (size_t)(end - p) >= size)
		return -1;
	memcpy(out, p, (size_t)(end - p));
	out[end - p] = '\0';
	return 0;
}

int local_serve(struct aconn *c, const struct api_route *rt, int *keep)
{
	char name[INITCTL_NAME_MAX];

	if (!strcmp(rt->pattern, "/berth/v1/system"))
		return get_system(c, *keep);
	if (!strcmp(rt->pattern, "/berth/v1/services"))
		return get_services(c, *keep);
	if (!strcmp(rt->pattern, "/berth/v1/logs"))
		return logs_serve(c, keep);
	if (!strcmp(rt->pattern, "/berth/v1/system/reboot"))
		return command(c, INITCTL_REBOOT, NULL, *keep);
	if (!strcmp(rt->pattern, "/berth/v1/system/poweroff"))
		return command(c, INITCTL_POWEROFF, NULL, *keep);
	if (!strcmp(rt->pattern, "/berth/v1/services/{}/restart")) {
		if (service_name(c->path, name, sizeof(name)) < 0)
			return proxy_error(c, 400, *keep, "bad service name") < 0 ? -1 : 400;
		return command(c, INITCTL_RESTART, name, *keep);
	}
	return proxy_error(c, 404, *keep, "page not found") < 0 ? -1 : 404;
}

static int flush_chunk(void *arg, const char *data, size_t len, struct berr *e)
{
	return proxy_chunk(arg, data, len, e);
}

int local_metrics(struct aconn *c, int *keep)
{
	char *body = NULL;
	size_t n = 0;
	struct prom_w w;
	struct berr e;
	int st = 0;

	if (engine_get(c->d, "/metrics", &st, &body, &n, &e) < 0 || st != 200)
		n = 0;	/* apid's families still answer when berthd does not */
	if (proxy_stream_head(c, "text/plain; version=0.0.4; charset=utf-8", keep, &e) < 0 ||
	    proxy_chunk(c, body, n, &e) < 0) {
		free(body);
		return -1;
	}
	free(body);
	prom_w_init(&w, c->out, sizeof(c->out), flush_chunk, c);
	metrics_write(c->d, &w);
	if (prom_w_finish(&w, &e) < 0 || proxy_stream_end(c, &e) < 0)
		return -1;
	return 200;
}

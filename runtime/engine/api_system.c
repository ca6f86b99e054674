/* api_system.c — GET/HEAD /_ping, GET /version, GET /info, GET /system/df,
 * GET /events (DOCKER_API.md §2, §4).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "lib/json.h"
#include "runtime/engine/api.h"
#include "runtime/engine/api_util.h"
#include "runtime/engine/ctr.h"
#include "runtime/engine/engine.h"
#include "runtime/engine/filters.h"

#define INFO_MAX (64 * 1024)
#define EVENTS_BATCH 32
#define EVENT_JSON_MAX 4096

static int api_ping(struct req *r)
{
	/* dockerd's ping headers (DOCKER_API.md §2); the common ones come from reply.c */
	static const char *const hdr[] = { "Cache-Control", "no-cache, no-store, must-revalidate",
					   "Pragma", "no-cache", "Swarm", "inactive", NULL };

	r->xhdr = hdr;
	/* HEAD: Content-Length 0, as dockerd */
	return reply_text(r, 200, "text/plain; charset=utf-8", "OK", r->head ? 0 : 2);
}

static const char *go_arch(const char *machine)
{
	if (strcmp(machine, "x86_64") == 0)
		return "amd64";
	if (strcmp(machine, "aarch64") == 0)
		return "arm64";
	if (strcmp(machine, "i686") == 0 || strcmp(machine, "i386") == 0)
		return "386";
	return machine;
}

static void version_fields(struct json_w *w, const struct utsname *u)
{
	json_w_kstr(w, "Version", ENGINE_VERSION);
	json_w_kstr(w, "ApiVersion", "1.47");
	json_w_kstr(w, "MinAPIVersion", "1.24");
	json_w_kstr(w, "GitCommit", "berth");
	json_w_kstr(w, "GoVersion", "none (C, musl)");
	json_w_kstr(w, "Os", "linux");
	json_w_kstr(w, "Arch", go_arch(u->machine));
	json_w_kstr(w, "KernelVersion", u->release);
	json_w_kstr(w, "BuildTime", "");
}

static int api_version(struct req *r)
{
	struct json_w w;
	struct utsname u;

	uname(&u);
	json_w_init_grow(&w, INFO_MAX);
	json_w_obj(&w);
	json_w_key(&w, "Platform");
	json_w_obj(&w);
	json_w_kstr(&w, "Name", "berth");
	json_w_obj_end(&w);
	json_w_key(&w, "Components");
	json_w_arr(&w);
	json_w_obj(&w);
	json_w_kstr(&w, "Name", "Engine");
	json_w_kstr(&w, "Version", ENGINE_VERSION);
	json_w_key(&w, "Details");
	json_w_obj(&w);
	version_fields(&w, &u);
	json_w_kstr(&w, "Experimental", "false");
	json_w_obj_end(&w);
	json_w_obj_end(&w);
	json_w_arr_end(&w);
	version_fields(&w, &u);
	json_w_obj_end(&w);
	return reply_jsonw(r, 200, &w);
}

static void info_plugins(struct json_w *w)
{
	static const char *const vol[] = { "local", NULL }, *const net[] = { "bridge", "host", "none", NULL },
		*const log[] = { "json-file", NULL };
	static const char *const *const lists[] = { vol, net, log };
	static const char *const names[] = { "Volume", "Network", "Log" };

	json_w_key(w, "Plugins");
	json_w_obj(w);
	for (int i = 0; i < 3; i++) {
		json_w_key(w, names[i]);
		json_w_arr(w);
		for (const char *const *p = lists[i]; *p; p++)
			json_w_str(w, *p);
		json_w_arr_end(w);
	}
	json_w_key(w, "Authorization");
	json_w_null(w);
	json_w_obj_end(w);
}

static void info_swarm(struct json_w *w)
{
	json_w_key(w, "Swarm");
	json_w_obj(w);
	json_w_kstr(w, "NodeID", "");
	json_w_kstr(w, "NodeAddr", "");
	json_w_kstr(w, "LocalNodeState", "inactive");
	json_w_kbool(w, "ControlAvailable", false);
	json_w_kstr(w, "Error", "");
	json_w_key(w, "RemoteManagers");
	json_w_null(w);
	json_w_obj_end(w);
}

static void info_counts(struct req *r, struct json_w *w)
{
	struct engine *eng = r->eng;
	int run = 0, paused = 0, stopped = 0, images;

	ctr_counts(eng, &run, &paused, &stopped);
	pthread_mutex_lock(&eng->store_mu);
	images = api_images_count(eng);
	pthread_mutex_unlock(&eng->store_mu);
	json_w_kstr(w, "ID", eng->id);
	json_w_ki64(w, "Containers", run + paused + stopped);
	json_w_ki64(w, "ContainersRunning", run);
	json_w_ki64(w, "ContainersPaused", paused);
	json_w_ki64(w, "ContainersStopped", stopped);
	json_w_ki64(w, "Images", images < 0 ? 0 : images);
}

static int api_info(struct req *r)
{
	struct engine *eng = r->eng;
	struct json_w w;
	struct utsname u;
	struct sysinfo si;
	char now[40];

	uname(&u);
	sysinfo(&si);
	api_rfc3339(engine_now_ns(), now, sizeof(now));
	json_w_init_grow(&w, INFO_MAX);
	json_w_obj(&w);
	info_counts(r, &w);
	json_w_kstr(&w, "Driver", "overlay2");
	json_w_key(&w, "DriverStatus");
	json_w_arr(&w);
	json_w_arr_end(&w);
	info_plugins(&w);
	json_w_kbool(&w, "MemoryLimit", eng->cgroup_ok);
	json_w_kbool(&w, "SwapLimit", eng->cgroup_ok);
	json_w_kbool(&w, "CpuCfsPeriod", eng->cgroup_ok);
	json_w_kbool(&w, "CpuCfsQuota", eng->cgroup_ok);
	json_w_kbool(&w, "PidsLimit", eng->cgroup_ok);
	json_w_kbool(&w, "IPv4Forwarding", true);
	json_w_kbool(&w, "Debug", false);
	json_w_ki64(&w, "NFd", 0);
	json_w_ki64(&w, "NGoroutines", 0);
	json_w_kstr(&w, "SystemTime", now);
	json_w_kstr(&w, "LoggingDriver", "json-file");
	json_w_kstr(&w, "CgroupDriver", eng->cgroup_ok ? "cgroupfs" : "none");
	json_w_kstr(&w, "CgroupVersion", "2");
	json_w_ki64(&w, "NEventsListener", 0);
	json_w_kstr(&w, "KernelVersion", u.release);
	json_w_kstr(&w, "OperatingSystem", "berth");
	json_w_kstr(&w, "OSVersion", "");
	json_w_kstr(&w, "OSType", "linux");
	json_w_kstr(&w, "Architecture", u.machine);
	json_w_kstr(&w, "IndexServerAddress", "https://index.docker.io/v1/");
	json_w_ki64(&w, "NCPU", sysconf(_SC_NPROCESSORS_ONLN));
	json_w_ki64(&w, "MemTotal", (int64_t)si.totalram * si.mem_unit);
	json_w_kstr(&w, "DockerRootDir", eng->conf.data_root);
	json_w_kstr(&w, "Name", eng->hostname);
	json_w_key(&w, "Labels");
	json_w_arr(&w);
	json_w_arr_end(&w);
	json_w_kbool(&w, "ExperimentalBuild", false);
	json_w_kstr(&w, "ServerVersion", ENGINE_VERSION);
	json_w_kstr(&w, "DefaultRuntime", "berth");
	json_w_kbool(&w, "LiveRestoreEnabled", true);
	json_w_kstr(&w, "Isolation", "");
	json_w_kstr(&w, "InitBinary", "");
	json_w_key(&w, "SecurityOptions");
	json_w_arr(&w);
	json_w_str(&w, "name=seccomp,profile=builtin");
	json_w_str(&w, "name=no-new-privileges");
	json_w_arr_end(&w);
	info_swarm(&w);
	json_w_key(&w, "Warnings");
	json_w_arr(&w);
	if (!eng->cgroup_ok)
		json_w_str(&w, "WARNING: no usable cgroup v2: containers run without limits");
	json_w_arr_end(&w);
	json_w_obj_end(&w);
	return reply_jsonw(r, 200, &w);
}

/* ------------------------------------------------------------------ events */

struct ev_query {
	struct filters f;
	int64_t since_ns, until_ns;   /* -1: not given */
};

/* Docker's timestamps as the CLI sends them: "SECONDS[.FRACTION]". */
static int parse_ts(const char *s, int64_t *ns)
{
	char *end;
	long long sec = strtoll(s, &end, 10);
	int64_t frac = 0, scale = 100000000;

	if (end == s || sec < 0 || sec > 1LL << 33)
		return -1;
	if (*end == '.') {
		for (end++; *end >= '0' && *end <= '9'; end++, scale /= 10)
			frac += (*end - '0') * scale;
	}
	if (*end)
		return -1;
	*ns = sec * 1000000000LL + frac;
	return 0;
}

static const char *attr_get(const struct engine_ev *ev, const char *key)
{
	for (const char *p = ev->attrs; *p;) {
		const char *v = p + strlen(p) + 1;
		if (strcmp(p, key) == 0)
			return v;
		p = v + strlen(v) + 1;
	}
	return NULL;
}

static int ev_match(const struct ev_query *q, const struct engine_ev *ev)
{
	const char *name = attr_get(ev, "name");

	if (q->since_ns >= 0 && ev->time_ns < q->since_ns)
		return 0;
	if (q->until_ns >= 0 && ev->time_ns > q->until_ns)
		return 0;
	if (!filters_match(&q->f, "type", ev->type) || !filters_match(&q->f, "event", ev->action))
		return 0;
	for (int k = 0; k < 3; k++) {
		static const char *const keys[] = { "container", "image", "volume" };
		int n = filters_count(&q->f, keys[k]), hit = 0;
		if (n == 0)
			continue;
		if (strcmp(ev->type, keys[k]) != 0 && strcmp(keys[k], "image") != 0)
			return 0;
		for (int i = 0; i < n && !hit; i++) {
			const char *v = filters_get(&q->f, keys[k], i), *img = attr_get(ev, "image");
			hit = (strcmp(ev->type, keys[k]) == 0 &&
			       (strncmp(ev->id, v, strlen(v)) == 0 || (name && strcmp(name, v) == 0))) ||
			      (k == 1 && img && strcmp(img, v) == 0);
		}
		if (!hit)
			return 0;
	}
	return 1;
}

static int ev_write(struct req *r, const struct engine_ev *ev)
{
	char buf[EVENT_JSON_MAX];
	struct json_w w;
	const char *out, *img = attr_get(ev, "image");
	size_t n;
	struct berr e;

	json_w_init(&w, buf, sizeof(buf) - 1);
	json_w_obj(&w);
	if (strcmp(ev->type, "container") == 0) {
		json_w_kstr(&w, "status", ev->action);
		json_w_kstr(&w, "id", ev->id);
		if (img)
			json_w_kstr(&w, "from", img);
	}
	json_w_kstr(&w, "Type", ev->type);
	json_w_kstr(&w, "Action", ev->action);
	json_w_key(&w, "Actor");
	json_w_obj(&w);
	json_w_kstr(&w, "ID", ev->id);
	json_w_key(&w, "Attributes");
	json_w_obj(&w);
	for (const char *p = ev->attrs; *p;) {
		const char *v = p + strlen(p) + 1;
		json_w_kstr(&w, p, v);
		p = v + strlen(v) + 1;
	}
	json_w_obj_end(&w);
	json_w_obj_end(&w);
	json_w_kstr(&w, "scope", "local");
	json_w_ki64(&w, "time", ev->time_ns / 1000000000);
	json_w_ki64(&w, "timeNano", ev->time_ns);
	json_w_obj_end(&w);
	if (json_w_finish(&w, &out, &n, &e) < 0)
		return 0;	/* an event that cannot be written is skipped */
	buf[n++] = '\n';
	return reply_chunk(r, buf, n);
}

static int ev_query_parse(struct req *r, struct ev_query *q, struct berr *e)
{
	static const char *const keys[] = { "type", "container", "event", "image", "volume", NULL };
	char v[64];

	q->since_ns = q->until_ns = -1;
	if (filters_from_req(r, keys, &q->f, e) < 0)
		return -1;
	if (req_query(r, "since", v, sizeof(v)) == 1 && v[0] && parse_ts(v, &q->since_ns) < 0)
		return berr_set(e, EINVAL, "since: want unix seconds: '%s'", v);
	if (req_query(r, "until", v, sizeof(v)) == 1 && v[0] && parse_ts(v, &q->until_ns) < 0)
		return berr_set(e, EINVAL, "until: want unix seconds: '%s'", v);
	return 0;
}

/* Wait up to 250 ms for an event after seq. */
static void ev_wait(struct engine *eng, uint64_t seq)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += 250000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&eng->mu);
	while (eng->events->next == seq + 1 && !eng->stopping)
		if (pthread_cond_timedwait(&eng->ev_cond, &eng->mu, &ts) != 0)
			break;
	pthread_mutex_unlock(&eng->mu);
}

static int api_events(struct req *r)
{
	struct ev_query *q = malloc(sizeof(*q));
	struct engine_ev *batch = malloc(EVENTS_BATCH * sizeof(*batch));
	uint64_t seq = 0;
	struct berr e;
	int rc = -1, lost;

	if (!q || !batch) {
		rc = reply_error(r, 500, "out of memory");
		goto out;
	}
	if (ev_query_parse(r, q, &e) < 0) {
		rc = reply_berr(r, &e);
		goto out;
	}
	if (q->since_ns < 0) {
		/* without since: only what happens from now on, as dockerd */
		pthread_mutex_lock(&r->eng->mu);
		seq = r->eng->events->next - 1;
		pthread_mutex_unlock(&r->eng->mu);
	}
	if (reply_stream_start(r, 200, "application/json") < 0)
		goto out;
	for (;;) {
		int n = engine_events_after(r->eng, seq, batch, EVENTS_BATCH, &lost);

		for (int i = 0; i < n; i++) {
			seq = batch[i].seq;
			if (ev_match(q, &batch[i]) && ev_write(r, &batch[i]) < 0)
				goto out;
		}
		if (n == EVENTS_BATCH)
			continue;
		if (q->until_ns >= 0 && engine_now_ns() > q->until_ns)
			break;
		if (req_peer_gone(r))
			goto out;
		ev_wait(r->eng, seq);
	}
	rc = reply_stream_end(r);
out:
	free(q);
	free(batch);
	return rc;
}

int api_system_df(struct req *r)
{
	struct json_w w;

	json_w_init_grow(&w, 16 * 1024 * 1024);
	json_w_obj(&w);
	api_images_df(r->eng, &w);
	json_w_key(&w, "Containers");
	ctr_df(r->eng, &w);
	api_volumes_df(r->eng, &w);
	json_w_key(&w, "BuildCache");
	json_w_arr(&w);
	json_w_arr_end(&w);
	json_w_obj_end(&w);
	return reply_jsonw(r, 200, &w);
}

const struct route api_system_routes[] = {
	{ "GET", "/_ping", api_ping, 0 },
	{ "HEAD", "/_ping", api_ping, 0 },
	{ "GET", "/version", api_version, 0 },
	{ "GET", "/info", api_info, 0 },
	{ "GET", "/events", api_events, 0 },
	{ "GET", "/system/df", api_system_df, 0 },
	{ NULL },
};

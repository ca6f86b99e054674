/* api_containers.c — the /containers routes (DOCKER_API.md §4, §5):
 * create, start, stop, kill, restart, wait, delete, rename, inspect, list,
 * logs, attach, resize. top and stats are in api_ctr_stats.c.
 */
#include <errno.h>
#include <regex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/json.h"
#include "lib/util.h"
#include "runtime/engine/api.h"
#include "runtime/engine/api_util.h"
#include "runtime/engine/ctr-internal.h"
#include "runtime/engine/filters.h"
#include "runtime/engine/images.h"
#include "runtime/image/imgconf.h"
#include "runtime/net/net.h"
#include "runtime/policy/create.h"
#include "runtime/policy/policy.h"
#include "runtime/shim/client.h"

#define LIST_MAX (16 * 1024 * 1024)
#define INSPECT_MAX (4 * 1024 * 1024)
#define MUX_RAW "application/vnd.docker.raw-stream"
#define MUX_MUX "application/vnd.docker.multiplexed-stream"

int api_ctr_top(struct req *r);
int api_ctr_stats(struct req *r);
int api_ctr_logs(struct req *r);

/* The status of a failed call, from its errno (reply_berr's rule, with
 * EBUSY a conflict). */
static int fail(struct req *r, const struct berr *e)
{
	return reply_berr(r, e);
}

/* The container named by the route's first parameter, with a reference. */
static struct ctr *route_ctr(struct req *r)
{
	struct berr e;
	struct ctr *c = ctr_get(r->eng, r->param[0], &e);

	if (!c)
		fail(r, &e);
	return c;
}

/* ----------------------------------------------------------------- create */

static const char *const adjectives[] = { "brave", "calm", "eager", "fond", "keen", "lucid", "merry",
					  "nifty", "quirky", "sharp", "tender", "witty" };
static const char *const nouns[] = { "babbage", "curie", "dijkstra", "hopper", "knuth", "lovelace",
				     "noether", "ritchie", "shannon", "thompson", "turing", "wozniak" };

static void random_name(struct ctr_table *t, char *out, size_t n)
{
	unsigned char b[3];
	struct berr e;
	char id[CTR_ID_LEN + 1];

	for (int tries = 0;; tries++) {
		if (ctr_id_new(id, &e) < 0)
			memset(id, '0', sizeof(id) - 1), id[CTR_ID_LEN] = 0;
		b[0] = (unsigned char)strtoul((char[]){ id[0], id[1], 0 }, NULL, 16);
		b[1] = (unsigned char)strtoul((char[]){ id[2], id[3], 0 }, NULL, 16);
		if (tries < 8)
			snprintf(out, n, "%s_%s", adjectives[b[0] % ARRAY_SIZE(adjectives)],
				 nouns[b[1] % ARRAY_SIZE(nouns)]);
		else
			snprintf(out, n, "%s_%s_%.6s", adjectives[b[0] % ARRAY_SIZE(adjectives)],
				 nouns[b[1] % ARRAY_SIZE(nouns)], id + 4);
		if (!ctr_by_name_locked(t, out))
			return;
	}
}

static int create_conflict(struct req *r, const struct ctr *other, const char *name)
{
	return reply_error(r, 409,
			   "Conflict. The container name \"/%s\" is already in use by container \"%s\". You have to remove (or rename) that container to be able to reuse that name.",
			   name, other->rec.id);
}

/* Fields berth reads only to refuse them (create.h: unsupported), and
 * what to do instead. A field without a row gets "leave it out". */
static const struct unsupported_advice {
	const char *field, *advice;
} unsupported_advice[] = {
	{ "HostConfig.CpusetCpus", "CPU pinning is not supported on this appliance (--cpus limits the CPU time)" },
	{ "HostConfig.CpusetMems", "memory node pinning is not supported on this appliance" },
	{ "HostConfig.CpuRealtimePeriod", "real-time CPU scheduling is not supported on this appliance" },
	{ "HostConfig.CpuRealtimeRuntime", "real-time CPU scheduling is not supported on this appliance" },
	{ "HostConfig.BlkioWeight", "block I/O limits are not supported on this appliance" },
	{ "HostConfig.BlkioWeightDevice", "block I/O limits are not supported on this appliance" },
	{ "HostConfig.BlkioDeviceReadBps", "block I/O limits are not supported on this appliance" },
	{ "HostConfig.BlkioDeviceWriteBps", "block I/O limits are not supported on this appliance" },
	{ "HostConfig.BlkioDeviceReadIOps", "block I/O limits are not supported on this appliance" },
	{ "HostConfig.BlkioDeviceWriteIOps", "block I/O limits are not supported on this appliance" },
	{ "HostConfig.MemoryReservation", "a soft memory limit is not supported on this appliance (--memory is the hard one)" },
	{ "HostConfig.MemorySwappiness", "containers never swap on this appliance; leave it out" },
	{ "HostConfig.KernelMemory", "kernel memory limits are not supported (nor by Docker since 20.10)" },
	{ "HostConfig.StorageOpt", "storage options are not supported on this appliance" },
	{ "MacAddress", "MAC addresses are not chosen on this appliance (leave --mac-address out)" },
	/* NetworkingConfig.EndpointsConfig[NAME]. … */
	{ ".IPAMConfig", "addresses come from berthd's allocator on this appliance (leave --ip out)" },
	{ ".IPAddress", "addresses come from berthd's allocator on this appliance (leave --ip out)" },
	{ ".GlobalIPv6Address", "the bridge has no IPv6 on this appliance" },
	{ ".Aliases", "network aliases are not supported on this appliance (containers reach each other by address)" },
	{ ".Links", "--link is not supported on this appliance (containers on the bridge reach each other by address)" },
	{ ".DriverOpts", "network driver options are not supported on this appliance" },
};

/* A row matches the field's whole path, or its end when the row starts
 * with '.' (the endpoint of any network). */
static int advice_matches(const char *row, const char *field)
{
	size_t n = strlen(row), m = strlen(field);

	if (!strcmp(row, field))
		return 1;
	return m > n && !strcmp(field + m - n, row) && (row[0] == '.' || field[m - n - 1] == '.');
}

static int refuse_unsupported(const char *field, struct berr *e)
{
	for (size_t i = 0; i < ARRAY_SIZE(unsupported_advice); i++)
		if (advice_matches(unsupported_advice[i].field, field))
			return berr_set(e, EINVAL, "%s: %s", field, unsupported_advice[i].advice);
	return berr_set(e, EINVAL, "%s is not supported on this appliance; leave it out", field);
}

/* Namespaces and kernel settings the policy may allow but the launcher
 * never sets up. */
static int create_unsupported_ns(const struct create_host *h, struct berr *e)
{
	if (*h->pid_mode)
		return berr_set(e, EINVAL, "HostConfig.PidMode: --pid %s is not supported on this appliance (every container has its own pid namespace)", h->pid_mode);
	if (*h->ipc_mode && strcmp(h->ipc_mode, "private") && strcmp(h->ipc_mode, "shareable"))
		return berr_set(e, EINVAL, "HostConfig.IpcMode: --ipc %s is not supported on this appliance (private only)", h->ipc_mode);
	if (*h->uts_mode)
		return berr_set(e, EINVAL, "HostConfig.UTSMode: --uts %s is not supported on this appliance", h->uts_mode);
	if (*h->cgroupns_mode && strcmp(h->cgroupns_mode, "private"))
		return berr_set(e, EINVAL, "HostConfig.CgroupnsMode: --cgroupns %s is not supported on this appliance (private only)", h->cgroupns_mode);
	if (h->n_devices || h->n_device_cgroup_rules || h->n_device_requests)
		return berr_set(e, EINVAL, "HostConfig.%s: host devices are not supported on this appliance",
				h->n_devices ? "Devices" : h->n_device_cgroup_rules ? "DeviceCgroupRules" : "DeviceRequests");
	if (h->masked_paths.set || h->readonly_paths.set)
		return berr_set(e, EINVAL, "HostConfig.%s: the masked and read-only paths are fixed on this appliance",
				h->masked_paths.set ? "MaskedPaths" : "ReadonlyPaths");
	if (*h->cgroup_parent)
		return berr_set(e, EINVAL, "HostConfig.CgroupParent: --cgroup-parent is not supported on this appliance");
	if (h->oom_kill_disable || h->oom_score_adj)
		return berr_set(e, EINVAL, "HostConfig.%s: OOM settings are not supported on this appliance",
				h->oom_kill_disable ? "OomKillDisable" : "OomScoreAdj");
	return 0;
}

/* Resources and logging the engine cannot give as asked. */
static int create_unsupported_res(const struct create_req *cr, struct berr *e)
{
	const struct create_host *h = &cr->host;

	if (h->shm_size && h->shm_size != 64 << 20)
		return berr_set(e, EINVAL, "HostConfig.ShmSize: /dev/shm is 64 MiB on this appliance; leave --shm-size out");
	if (h->cpu_shares)
		return berr_set(e, EINVAL, "HostConfig.CpuShares: CPU shares are not supported on this appliance (--cpus limits the CPU time)");
	if (h->memory_swap && h->memory_swap != h->memory)
		return berr_set(e, EINVAL, "HostConfig.MemorySwap: containers never swap on this appliance (leave --memory-swap out, or make it equal to --memory)");
	if (*h->log.type && strcmp(h->log.type, "json-file"))
		return berr_set(e, EINVAL, "HostConfig.LogConfig.Type: log driver %s is not supported on this appliance (berthd keeps every container's log, json-file; leave --log-driver out)", h->log.type);
	if (h->log.n_opts)
		return berr_set(e, EINVAL, "HostConfig.LogConfig.Config: log options are not supported on this appliance (berthd rotates the logs itself; leave --log-opt out)");
	if (cr->healthcheck)
		return berr_set(e, EINVAL, "Config.Healthcheck: health checks are not run on this appliance; drop it (docker run --no-healthcheck, or healthcheck: disable: true in a compose file)");
	if (*cr->unsupported)
		return refuse_unsupported(cr->unsupported, e);
	return 0;
}

/* /etc/hosts and resolv.conf entries: checked now, not at start. */
static int create_files_check(const struct create_req *cr, struct berr *e)
{
	struct net_files_extra x;

	ctr_files_extra(cr, &x);
	if (ctr_net_mode(cr) == LAUNCH_NET_HOST && (x.n_dns || x.n_search || x.n_options || x.n_hosts))
		return berr_set(e, EINVAL, "HostConfig.%s: with --network host the container has the host's files; leave it out",
				x.n_dns ? "Dns" : x.n_search ? "DnsSearch" : x.n_options ? "DnsOptions" : "ExtraHosts");
	if (net_files_check(&x, e) < 0) {
		char msg[BERR_MSG_MAX];

		/* its messages name the field: "ExtraHosts: …" */
		snprintf(msg, sizeof(msg), "%s", e->msg);
		return berr_set(e, EINVAL, "%s%.*s", strncmp(msg, "Domainname", 10) ? "HostConfig." : "Config.",
				(int)(sizeof(msg) - 12), msg);
	}
	return 0;
}

/* What the engine cannot do is refused (400) rather than silently left
 * out: a container would run otherwise than the client asked. */
static int create_unsupported(const struct create_req *cr, struct berr *e)
{
	const char *nm = cr->host.network_mode;

	if (cr->host.n_volumes_from > 0)
		return berr_set(e, EINVAL, "HostConfig.VolumesFrom: --volumes-from is not supported on this appliance (use named volumes)");
	if (cr->host.n_links > 0)
		return berr_set(e, EINVAL, "HostConfig.Links: --link is not supported on this appliance (containers on the bridge reach each other by address)");
	if (nm && *nm && strcmp(nm, "default") && strcmp(nm, "bridge") && strcmp(nm, "none") && strcmp(nm, "host"))
		return berr_set(e, EINVAL, "HostConfig.NetworkMode: network %s is not supported on this appliance (bridge, none, or host where the policy allows it)", nm);
	if (cr->host.pid_mode && !strncmp(cr->host.pid_mode, "container:", 10))
		return berr_set(e, EINVAL, "HostConfig.PidMode: %s is not supported on this appliance", cr->host.pid_mode);
	if (cr->host.ipc_mode && !strncmp(cr->host.ipc_mode, "container:", 10))
		return berr_set(e, EINVAL, "HostConfig.IpcMode: %s is not supported on this appliance", cr->host.ipc_mode);
	if (cr->host.init)
		return berr_set(e, EINVAL, "HostConfig.Init: --init is not supported on this appliance (no docker-init; the command runs as the container's first process)");
	if (create_unsupported_ns(&cr->host, e) < 0 || create_unsupported_res(cr, e) < 0)
		return -1;
	return create_files_check(cr, e);
}

/* The parts of a create that read the body: policy, image, the command. */
static int create_check(struct req *r, struct create_req *cr, char hex[CTR_ID_LEN + 1], struct berr *e)
{
	char name[REF_NAME_MAX];

	if (create_req_parse(r->body, r->body_len, cr, e) < 0) {
		e->errnum = EINVAL;
		return -1;
	}
	if (!*cr->image)
		return berr_set(e, EINVAL, "config cannot be empty in order to create a container");
	if (policy_check_create(r->eng->policy, cr, e) < 0) {
		e->errnum = EPERM;
		return -1;
	}
	if (create_unsupported(cr, e) < 0)
		return -1;
	if (images_resolve(r->eng, cr->image, hex, name, e) < 0) {
		if (e->errnum == ENOENT)
			berr_set(e, ENOENT, "No such image: %s", cr->image);
		return -1;
	}
	return 0;
}

static int create_warnings(struct req *r, const struct create_req *cr, struct json_w *w)
{
	json_w_key(w, "Warnings");
	json_w_arr(w);
	if (!r->eng->cgroup_ok && (cr->host.memory || cr->host.nano_cpus || cr->host.cpu_quota ||
				  (cr->host.pids_set && cr->host.pids_limit > 0)))
		json_w_str(w, "This host has no usable cgroup v2: the container's resource limits are not applied.");
	json_w_arr_end(w);
	return 0;
}

static const char *arch_name(const char *a)
{
	return !strcmp(a, "x86_64") || !strcmp(a, "x86-64") ? "amd64" : !strcmp(a, "aarch64") ? "arm64" : a;
}

/* ?platform=os[/arch[/variant]] (docker run --platform): the image must
 * be of it (berth keeps one platform per name: it never picks another). */
static int create_platform(struct req *r, const char *ref, const struct imgconf *img, struct berr *e)
{
	char plat[96], *arch, *variant;

	if (ctr_query(r, "platform", plat, sizeof(plat)) <= 0 || !plat[0] || !img)
		return 0;
	arch = strchr(plat, '/');
	if (arch)
		*arch++ = '\0';
	variant = arch ? strchr(arch, '/') : NULL;
	if (variant)
		*variant = '\0';
	if ((*img->os && strcmp(plat, img->os)) ||
	    (arch && *img->arch && strcmp(arch_name(arch), arch_name(img->arch))))
		return berr_set(e, EINVAL, "image with reference %.200s was found but its platform (%s/%s) does not match the specified platform (%s%s%s)",
				ref, img->os, img->arch, plat, arch ? "/" : "", arch ? arch : "");
	return 0;
}

/* The new container's record: id, time, image, the body as received;
 * its command must resolve (dockerd: "No command specified"). */
static int create_fill(struct req *r, const struct create_req *cr, const char *hex, struct ctr *c,
		       struct berr *e)
{
	struct ctr_view v;
	int none, rc;

	if (ctr_id_new(c->rec.id, e) < 0)
		return -1;
	c->rec.created_ns = engine_now_ns();
	snprintf(c->rec.image, sizeof(c->rec.image), "%s", hex);
	snprintf(c->rec.image_ref, sizeof(c->rec.image_ref), "%s", cr->image);
	c->rec.status = CTR_CREATED;
	c->rec.body = malloc(r->body_len + 1);
	if (!c->rec.body)
		return berr_set(e, ENOMEM, "out of memory");
	memcpy(c->rec.body, r->body, r->body_len);
	c->rec.body[r->body_len] = '\0';
	c->rec.body_len = r->body_len;
	if (ctr_view_load(r->eng, &c->rec, &v, e) < 0)
		return -1;
	none = v.argc == 0;
	rc = create_platform(r, c->rec.image_ref, v.img, e);
	ctr_view_free(&v);
	if (rc < 0)
		return -1;
	if (none)
		return berr_set(e, EINVAL, "no command specified");
	return 0;
}

static int api_create(struct req *r)
{
	struct engine *eng = r->eng;
	struct create_req *cr = malloc(sizeof(*cr));
	struct ctr *c = calloc(1, sizeof(*c));
	char qname[CTR_NAME_MAX + 8], hex[CTR_ID_LEN + 1];
	struct ctr *other;
	struct json_w w;
	struct berr e;
	int rc, has_name;

	if (!cr || !c) {
		free(cr);
		free(c);
		return reply_error(r, 500, "out of memory");
	}
	c->watch_fd = -1;
	c->backoff_ms = 100;
	has_name = ctr_query(r, "name", qname, sizeof(qname));
	if (has_name < 0 || (has_name > 0 && *qname && ctr_name_check(qname, c->rec.name, &e) < 0)) {
		if (has_name < 0)
			berr_set(&e, EINVAL, "Invalid container name (too long)");
		rc = reply_error(r, 400, "%s", e.msg);
		goto out;
	}
	if (create_check(r, cr, hex, &e) < 0) {
		rc = fail(r, &e);
		goto out;
	}
	if (create_fill(r, cr, hex, c, &e) < 0) {
		rc = fail(r, &e);
		goto out;
	}

	pthread_mutex_lock(&eng->mu);
	if (!*c->rec.name)
		random_name(eng->ctrs, c->rec.name, sizeof(c->rec.name));
	other = ctr_by_name_locked(eng->ctrs, c->rec.name);
	if (other) {
		char name[CTR_NAME_MAX];

		snprintf(name, sizeof(name), "%s", c->rec.name);
		rc = -2;
		pthread_mutex_unlock(&eng->mu);
		rc = create_conflict(r, other, name);
		goto out;
	}
	rc = ctr_add_locked(eng->ctrs, c, &e);
	pthread_mutex_unlock(&eng->mu);
	if (rc < 0) {
		rc = fail(r, &e);
		goto out;
	}
	engine_event(eng, "container", "create", c->rec.id, "name", c->rec.name, "image", cr->image, NULL);
	json_w_init_grow(&w, 64 * 1024);
	json_w_obj(&w);
	json_w_kstr(&w, "Id", c->rec.id);
	create_warnings(r, cr, &w);
	json_w_obj_end(&w);
	c = NULL; /* the table's now */
	rc = reply_jsonw(r, 201, &w);
	json_w_free(&w);
out:
	if (c) {
		ctr_rec_free(&c->rec);
		free(c);
	}
	free(cr);
	return rc;
}

/* ------------------------------------------------------- start, stop … */

static int api_start(struct req *r)
{
	struct ctr *c = route_ctr(r);
	struct berr e;
	int rc;

	if (!c)
		return 0;
	rc = ctr_start(r->eng, c, &e);
	ctr_put(r->eng, c);
	if (rc == 1)
		return reply_status(r, 304);
	if (rc < 0)
		return reply_error(r, e.errnum == EPERM || e.errnum == EACCES ? 403 : 400, "%s", e.msg);
	return reply_status(r, 204);
}

static int query_signal(struct req *r, int *sig)
{
	char v[32];
	int has = ctr_query(r, "signal", v, sizeof(v));

	*sig = 0;
	if (has < 0)
		return -1;
	if (has == 0 || !*v)
		return 0;
	*sig = ctr_signal_parse(v);
	return *sig > 0 ? 0 : -1;
}

static int query_int(struct req *r, const char *name, int *out)
{
	char v[32], *end;
	long n;
	int has = ctr_query(r, name, v, sizeof(v));

	if (has <= 0 || !*v)
		return has;
	n = strtol(v, &end, 10);
	if (*end || n < -1 || n > 1000000)
		return -1;
	*out = (int)n;
	return 1;
}

/* ?signal= and ?t= of stop and restart: 0, or the 400 already answered
 * (-1; *answered gets reply_error's result). */
static int stop_args(struct req *r, int *sig, int *t, int *answered)
{
	*t = -1;
	if (query_signal(r, sig) < 0) {
		*answered = reply_error(r, 400, "invalid signal");
		return -1;
	}
	if (query_int(r, "t", t) < 0) {
		*answered = reply_error(r, 400, "invalid value for t");
		return -1;
	}
	return 0;
}

static int api_stop(struct req *r)
{
	struct ctr *c;
	struct berr e;
	int sig, t, rc;

	if (stop_args(r, &sig, &t, &rc) < 0)
		return rc;
	c = route_ctr(r);
	if (!c)
		return 0;
	rc = ctr_stop(r->eng, c, sig, t, &e);
	if (rc == 0)
		engine_event(r->eng, "container", "stop", c->rec.id, "name", c->rec.name, NULL);
	ctr_put(r->eng, c);
	if (rc == 1)
		return reply_status(r, 304);
	if (rc < 0)
		return reply_error(r, 500, "%s", e.msg);
	return reply_status(r, 204);
}

static int api_restart(struct req *r)
{
	struct ctr *c;
	struct berr e;
	int sig, t, rc;

	if (stop_args(r, &sig, &t, &rc) < 0)
		return rc;
	c = route_ctr(r);
	if (!c)
		return 0;
	rc = ctr_stop(r->eng, c, sig, t, &e);
	if (rc >= 0)
		rc = ctr_start(r->eng, c, &e);
	if (rc >= 0)
		engine_event(r->eng, "container", "restart", c->rec.id, "name", c->rec.name, NULL);
	ctr_put(r->eng, c);
	if (rc < 0)
		return reply_error(r, e.errnum == EPERM ? 403 : 500, "Cannot restart container %s: %s", r->param[0],
				   e.msg);
	return reply_status(r, 204);
}

static int api_kill(struct req *r)
{
	struct ctr *c;
	struct berr e;
	int sig, rc;

	if (query_signal(r, &sig) < 0)
		return reply_error(r, 400, "invalid signal");
	c = route_ctr(r);
	if (!c)
		return 0;
	rc = ctr_kill(r->eng, c, sig ? sig : SIGKILL, &e);
	if (rc == 0) {
		char sn[8];

		snprintf(sn, sizeof(sn), "%d", sig ? sig : SIGKILL);
		engine_event(r->eng, "container", "kill", c->rec.id, "name", c->rec.name, "signal", sn, NULL);
	}
	ctr_put(r->eng, c);
	if (rc < 0 && e.errnum == EBUSY)
		return reply_error(r, 409, "cannot kill container: %s: %s", r->param[0], e.msg);
	if (rc < 0)
		return reply_error(r, 500, "cannot kill container: %s: %s", r->param[0], e.msg);
	return reply_status(r, 204);
}

static int api_delete(struct req *r)
{
	struct ctr *c = route_ctr(r);
	struct berr e;
	int rc;

	if (!c)
		return 0;
	rc = ctr_remove(r->eng, c, ctr_query_bool(r, "force"), ctr_query_bool(r, "v"), &e);
	ctr_put(r->eng, c);
	if (rc < 0)
		return reply_error(r, e.errnum == EBUSY ? 409 : e.errnum == ENOENT ? 404 : 500, "%s", e.msg);
	return reply_status(r, 204);
}

static int api_rename(struct req *r)
{
	struct engine *eng = r->eng;
	char q[CTR_NAME_MAX + 8], name[CTR_NAME_MAX], old[CTR_NAME_MAX];
	struct ctr *c, *other;
	struct berr e;

	if (ctr_query(r, "name", q, sizeof(q)) <= 0 || ctr_name_check(q, name, &e) < 0)
		return reply_error(r, 400, "%s", ctr_query(r, "name", q, sizeof(q)) <= 0 ? "Neither old nor new names may be empty" : e.msg);
	c = route_ctr(r);
	if (!c)
		return 0;
	pthread_mutex_lock(&eng->mu);
	other = ctr_by_name_locked(eng->ctrs, name);
	if (other && other != c) {
		char oid[CTR_ID_LEN + 1];

		snprintf(oid, sizeof(oid), "%s", other->rec.id);
		ctr_put_locked(c);
		pthread_mutex_unlock(&eng->mu);
		return reply_error(r, 409,
				   "Conflict. The container name \"/%s\" is already in use by container \"%s\". You have to remove (or rename) that container to be able to reuse that name.",
				   name, oid);
	}
	snprintf(old, sizeof(old), "%s", c->rec.name);
	snprintf(c->rec.name, sizeof(c->rec.name), "%s", name);
	if (ctr_save_locked(eng->ctrs, c, &e) < 0)
		snprintf(c->rec.name, sizeof(c->rec.name), "%s", old);
	pthread_mutex_unlock(&eng->mu);
	engine_event(eng, "container", "rename", c->rec.id, "name", name, "oldName", old, NULL);
	ctr_put(eng, c);
	return reply_status(r, 204);
}

/* ------------------------------------------------------------------- wait */

struct waitc {
	int removed, next_exit;
	uint64_t exits;
};

static int wait_done_locked(const struct ctr *c, const struct waitc *w)
{
	if (w->removed)
		return c->gone;
	if (c->gone)
		return 1;
	if (w->next_exit)
		return c->exits != w->exits;
	return c->rec.status != CTR_RUNNING && c->rec.status != CTR_RESTARTING;
}

static int api_wait(struct req *r)
{
	struct engine *eng = r->eng;
	struct waitc w = { 0 };
	char cond[32], body[64];
	struct ctr *c;
	int done = 0, code, n;

	if (ctr_query(r, "condition", cond, sizeof(cond)) > 0 && *cond) {
		if (strcmp(cond, "removed") == 0)
			w.removed = 1;
		else if (strcmp(cond, "next-exit") == 0)
			w.next_exit = 1;
		else if (strcmp(cond, "not-running") != 0)
			return reply_error(r, 400, "invalid condition: \"%s\"", cond);
	}
	c = route_ctr(r);
	if (!c)
		return 0;
	pthread_mutex_lock(&eng->mu);
	w.exits = c->exits;
	pthread_mutex_unlock(&eng->mu);
	/* the headers now: docker run calls start only after it has them */
	if (reply_stream_start(r, 200, "application/json") < 0) {
		ctr_put(eng, c);
		return -1;
	}
	while (!done) {
		struct timespec ts;

		pthread_mutex_lock(&eng->mu);
		done = wait_done_locked(c, &w);
		if (!done) {
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_nsec += 250000000;
			if (ts.tv_nsec >= 1000000000) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000;
			}
			pthread_cond_timedwait(&eng->ctrs->cond, &eng->mu, &ts);
			done = wait_done_locked(c, &w);
		}
		code = c->rec.exit_code;
		pthread_mutex_unlock(&eng->mu);
		if (!done && req_peer_gone(r)) {
			ctr_put(eng, c);
			return -1;
		}
	}
	ctr_put(eng, c);
	n = snprintf(body, sizeof(body), "{\"StatusCode\":%d}\n", code);
	if (reply_chunk(r, body, (size_t)n) < 0)
		return -1;
	return reply_stream_end(r);
}

/* ---------------------------------------------------------------- inspect */

static int api_inspect(struct req *r)
{
	struct ctr *c = route_ctr(r);
	struct ctr_view v;
	struct json_w w;
	struct berr e;
	int rc;

	if (!c)
		return 0;
	if (ctr_view_load(r->eng, &c->rec, &v, &e) < 0) {
		ctr_put(r->eng, c);
		return reply_error(r, 500, "%s", e.msg);
	}
	json_w_init_grow(&w, INSPECT_MAX);
	pthread_mutex_lock(&r->eng->mu);
	ctr_json_inspect(r->eng, c, &v, &w);
	pthread_mutex_unlock(&r->eng->mu);
	ctr_view_free(&v);
	ctr_put(r->eng, c);
	rc = reply_jsonw(r, 200, &w);
	json_w_free(&w);
	return rc;
}

/* ------------------------------------------------------------------- list */

static const char *const list_filters[] = { "status", "name", "id", "label", "ancestor", "exited",
					    "before", "since", "health", "network", "volume",
					    "publish", "expose", "is-task", NULL };

static int label_match(const struct ctr_view *v, const char *want)
{
	const char *eq = strchr(want, '=');
	size_t kl = eq ? (size_t)(eq - want) : strlen(want);
	const struct create_req *r = v->req;

	for (int i = 0; i < r->n_labels; i++)
		if (strlen(r->labels[i].key) == kl && strncmp(r->labels[i].key, want, kl) == 0)
			return !eq || strcmp(r->labels[i].value, eq + 1) == 0;
	for (int i = 0; v->img && i < v->img->labels_n; i++)
		if (strlen(v->img->labels[i].key) == kl && strncmp(v->img->labels[i].key, want, kl) == 0)
			return !eq || strcmp(v->img->labels[i].value, eq + 1) == 0;
	return 0;
}

static int any_of(const struct filters *f, const char *key, int (*fn)(const void *, const char *),
		  const void *ctx)
{
	int n = filters_count(f, key);

	if (n == 0)
		return 1;
	for (int i = 0; i < n; i++)
		if (fn(ctx, filters_get(f, key, i)))
			return 1;
	return 0;
}

static int m_status(const void *p, const char *v)
{
	const struct ctr *c = p;
	const char *s = c->rec.status == CTR_EXITED && !c->rec.finished_ns ? "created" : ctr_status_name(c->rec.status);

	return strcmp(v, s) == 0;
}

static int m_name(const void *p, const char *v)
{
	const struct ctr *c = p;
	char slashed[CTR_NAME_MAX + 1];
	regex_t re;
	int hit;

	/* dockerd: a regular expression, against the name with and without
	 * its '/' */
	if (regcomp(&re, v, REG_EXTENDED | REG_NOSUB) != 0)
		return strstr(c->rec.name, v[0] == '/' ? v + 1 : v) != NULL;
	snprintf(slashed, sizeof(slashed), "/%s", c->rec.name);
	hit = regexec(&re, slashed, 0, NULL, 0) == 0 || regexec(&re, c->rec.name, 0, NULL, 0) == 0;
	regfree(&re);
	return hit;
}

static int m_id(const void *p, const char *v)
{
	const struct ctr *c = p;

	return strncmp(c->rec.id, v, strlen(v)) == 0;
}

static int m_exited(const void *p, const char *v)
{
	const struct ctr *c = p;

	return c->rec.status == CTR_EXITED && c->rec.finished_ns && atoi(v) == c->rec.exit_code;
}

struct list_ctx {
	struct req *r;
	const struct filters *f;
	int64_t before_ns, since_ns;
	char ancestors[FILTERS_MAX][CTR_ID_LEN + 1]; /* resolved before mu: store_mu comes first */
};

/* mu held; v loaded */
static int list_match(struct list_ctx *l, const struct ctr *c, const struct ctr_view *v, int all)
{
	const struct filters *f = l->f;
	int running = c->rec.status == CTR_RUNNING || c->rec.status == CTR_RESTARTING;

	if (!all && !running && filters_count(f, "status") == 0 && filters_count(f, "exited") == 0)
		return 0;
	if (!any_of(f, "status", m_status, c) || !any_of(f, "name", m_name, c) || !any_of(f, "id", m_id, c) ||
	    !any_of(f, "exited", m_exited, c))
		return 0;
	for (int i = 0; i < filters_count(f, "label"); i++)
		if (!v || !label_match(v, filters_get(f, "label", i)))
			return 0;
	if (filters_count(f, "ancestor") > 0) {
		int hit = 0;

		for (int i = 0; i < filters_count(f, "ancestor"); i++)
			hit |= strcmp(c->rec.image_ref, filters_get(f, "ancestor", i)) == 0 ||
			       strcmp(l->ancestors[i], c->rec.image) == 0;
		if (!hit)
			return 0;
	}
	if (l->before_ns && c->rec.created_ns >= l->before_ns)
		return 0;
	if (l->since_ns && c->rec.created_ns <= l->since_ns)
		return 0;
	return 1;
}

static int ref_created(struct engine *eng, const char *ref, int64_t *ns, struct berr *e)
{
	struct ctr *c = ctr_get(eng, ref, e);

	if (!c)
		return -1;
	*ns = c->rec.created_ns;
	ctr_put(eng, c);
	return 0;
}

static int list_order(const void *a, const void *b)
{
	const struct ctr *x = *(const struct ctr *const *)a, *y = *(const struct ctr *const *)b;

	return x->rec.created_ns < y->rec.created_ns ? 1 : x->rec.created_ns > y->rec.created_ns ? -1 : 0;
}

static int api_list(struct req *r)
{
	struct engine *eng = r->eng;
	struct ctr **snap;
	struct filters f;
	struct list_ctx l = { .r = r, .f = &f };
	struct json_w w;
	struct berr e;
	int n, all = ctr_query_bool(r, "all"), size = ctr_query_bool(r, "size"), limit = -1, shown = 0, rc;

	if (filters_from_req(r, list_filters, &f, &e) < 0)
		return reply_error(r, 400, "%s", e.msg);
	if (query_int(r, "limit", &limit) < 0)
		return reply_error(r, 400, "invalid value for limit");
	if (limit > 0)
		all = 1;
	if ((filters_count(&f, "before") && ref_created(eng, filters_get(&f, "before", 0), &l.before_ns, &e) < 0) ||
	    (filters_count(&f, "since") && ref_created(eng, filters_get(&f, "since", 0), &l.since_ns, &e) < 0))
		return reply_error(r, 404, "%s", e.msg);
	if (l.before_ns || l.since_ns)
		all = 1;
	for (int i = 0; i < filters_count(&f, "ancestor") && i < FILTERS_MAX; i++) {
		char name[REF_NAME_MAX];

		if (images_resolve(eng, filters_get(&f, "ancestor", i), l.ancestors[i], name, &e) < 0)
			l.ancestors[i][0] = '\0';
	}
	snap = malloc(sizeof(*snap) * CONFIG_ENGINE_CONTAINERS_MAX);
	if (!snap)
		return reply_error(r, 500, "out of memory");
	pthread_mutex_lock(&eng->mu);
	n = eng->ctrs->n;
	for (int i = 0; i < n; i++) {
		snap[i] = eng->ctrs->c[i];
		ctr_get_locked(snap[i]);
	}
	pthread_mutex_unlock(&eng->mu);
	qsort(snap, (size_t)n, sizeof(*snap), list_order);
	json_w_init_grow(&w, LIST_MAX);
	json_w_arr(&w);
	for (int i = 0; i < n; i++) {
		struct ctr_view v;
		int has_v = ctr_view_load(eng, &snap[i]->rec, &v, &e) == 0;

		pthread_mutex_lock(&eng->mu);
		if (!snap[i]->gone && (limit <= 0 || shown < limit) && list_match(&l, snap[i], has_v ? &v : NULL, all)) {
			ctr_json_summary(eng, snap[i], has_v ? &v : NULL, size, &w);
			shown++;
		}
		ctr_put_locked(snap[i]);
		pthread_mutex_unlock(&eng->mu);
		if (has_v)
			ctr_view_free(&v);
	}
	json_w_arr_end(&w);
	free(snap);
	rc = reply_jsonw(r, 200, &w);
	json_w_free(&w);
	return rc;
}

/* --------------------------------------------------------- attach, resize */

static int ctr_tty(struct engine *eng, struct ctr *c, int *tty, struct berr *e)
{
	struct ctr_view v;

	if (ctr_view_load(eng, &c->rec, &v, e) < 0)
		return -1;
	*tty = v.req->tty;
	ctr_view_free(&v);
	return 0;
}

static int api_attach(struct req *r)
{
	struct ctr *c = route_ctr(r);
	unsigned flags = 0;
	struct berr e;
	int tty, conn;

	if (!c)
		return 0;
	if (ctr_tty(r->eng, c, &tty, &e) < 0) {
		ctr_put(r->eng, c);
		return reply_error(r, 500, "%s", e.msg);
	}
	if (ctr_query_bool(r, "stdin"))
		flags |= SHIM_STDIN;
	if (ctr_query_bool(r, "stdout"))
		flags |= SHIM_STDOUT;
	if (ctr_query_bool(r, "stderr"))
		flags |= SHIM_STDERR;
	if (!tty)
		flags |= SHIM_MUX;
	if (reply_upgrade(r, tty || r->api_minor < 42 ? MUX_RAW : MUX_MUX) < 0) {
		ctr_put(r->eng, c);
		return -1;
	}
	conn = ctr_hijack_fd(r->fd);
	if (conn < 0 || ctr_attach(r->eng, c, conn, flags, &e) < 0)
		log_msg(&r->eng->log, LOG_WARN, "container %.12s: attach: %s", c->rec.id,
			conn < 0 ? "dup failed" : e.msg);
	ctr_put(r->eng, c);
	/* the shim (or the start to come) owns the stream: the server
	 * closes only its own copy */
	return -1;
}

static int api_resize(struct req *r)
{
	struct ctr *c;
	struct berr e;
	int h = 0, w = 0, fd, rc;

	if (query_int(r, "h", &h) < 0 || query_int(r, "w", &w) < 0 || h < 0 || w < 0)
		return reply_error(r, 400, "invalid height or width");
	c = route_ctr(r);
	if (!c)
		return 0;
	fd = ctr_shim_connect(r->eng, c, &e);
	ctr_put(r->eng, c);
	if (fd < 0)
		return reply_error(r, 409, "Container %s is not running", r->param[0]);
	rc = shim_resize(fd, (unsigned)h, (unsigned)w, &e);
	close(fd);
	if (rc < 0)
		return reply_error(r, 400, "%s", e.msg);
	return reply_json(r, 200, "", 0);
}

const struct route api_containers_routes[] = {
	{ "POST", "/containers/create", api_create, ROUTE_BODY },
	{ "GET", "/containers/json", api_list, 0 },
	{ "GET", "/containers/{}/json", api_inspect, 0 },
	{ "POST", "/containers/{}/start", api_start, ROUTE_BODY },
	{ "POST", "/containers/{}/stop", api_stop, ROUTE_BODY },
	{ "POST", "/containers/{}/restart", api_restart, ROUTE_BODY },
	{ "POST", "/containers/{}/kill", api_kill, ROUTE_BODY },
	{ "POST", "/containers/{}/wait", api_wait, ROUTE_BODY },
	{ "DELETE", "/containers/{}", api_delete, 0 },
	{ "POST", "/containers/{}/rename", api_rename, ROUTE_BODY },
	{ "POST", "/containers/{}/attach", api_attach, ROUTE_BODY },
	{ "POST", "/containers/{}/resize", api_resize, ROUTE_BODY },
	{ "GET", "/containers/{}/logs", api_ctr_logs, 0 },
	{ "GET", "/containers/{}/top", api_ctr_top, 0 },
	{ "GET", "/containers/{}/stats", api_ctr_stats, 0 },
	{ NULL, NULL, NULL, 0 },
};

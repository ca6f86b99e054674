/* create.c — POST /containers/create bodies (create.h): the field tables,
 * and the maps, ports and limits of the body. Mounts are create_mounts.c. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/policy/create-internal.h"
#include "runtime/policy/create.h"
#include "runtime/policy/policy-internal.h"

/* ------------------------------------------------------------ maps */

int create_map(struct rd *d, int tok, int (*fn)(struct rd *d, const char *key, int val,
						 void *at, struct berr *e),
	       void *at, struct berr *e)
{
	struct json_iter it;
	int k, v;

	if (rd_null(d, tok))
		return 0;
	if (json_type(&d->j, tok) != JSMN_OBJECT)
		return rd_fail(d, e, EPROTO, "expected an object");
	json_iter_init(&d->j, tok, &it);
	while (json_iter_next(&d->j, &it, &k, &v)) {
		const char *key;
		size_t old;
		int rc;

		if (rd_string(d, k, &key, e) < 0)
			return -1;
		old = rd_push_key(d, key);
		rc = fn(d, key, v, at, e);
		if (rc < 0)
			return -1;
		rd_pop(d, old);
	}
	return 0;
}

/* A map of strings into kv[max] with its count at n. */
static int kv_add(struct rd *d, const char *key, int val, struct create_kv *kv, int *n, int max,
		  struct berr *e)
{
	if (*n >= max)
		return rd_fail(d, e, E2BIG, "more than %d entries", max);
	kv[*n].key = key;
	kv[*n].value = "";
	if (!rd_null(d, val) && rd_string(d, val, &kv[*n].value, e) < 0)
		return -1;
	(*n)++;
	return 0;
}

static int label_one(struct rd *d, const char *key, int val, void *at, struct berr *e)
{
	struct create_req *r = at;

	return kv_add(d, key, val, r->labels, &r->n_labels, CONFIG_POLICY_LABELS_MAX, e);
}

static int labels_read(struct rd *d, int tok, void *at, struct berr *e)
{
	return create_map(d, tok, label_one, at, e);
}

static int sysctl_one(struct rd *d, const char *key, int val, void *at, struct berr *e)
{
	struct create_host *h = at;

	return kv_add(d, key, val, h->sysctls, &h->n_sysctls, CONFIG_POLICY_LIST_MAX, e);
}

static int sysctls_read(struct rd *d, int tok, void *at, struct berr *e)
{
	return create_map(d, tok, sysctl_one, at, e);
}

/* ----------------------------------------------------------- ports */

static int port_num(const char *s, size_t n, uint16_t *out)
{
	unsigned v = 0;

	if (n == 0 || n > 5)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (v == 0 || v > 65535)
		return -1;
	*out = (uint16_t)v;
	return 0;
}

/* "80/tcp", "53/udp", "80" (tcp). */
static int port_key(struct rd *d, const char *key, uint16_t *port, enum create_proto *proto,
		    struct berr *e)
{
	const char *sl = strchr(key, '/');
	size_t n = sl ? (size_t)(sl - key) : strlen(key);

	if (port_num(key, n, port) < 0)
		return rd_fail(d, e, EPROTO, "want PORT/tcp or PORT/udp, one port from 1 to 65535");
	if (!sl || strcmp(sl + 1, "tcp") == 0)
		*proto = PROTO_TCP;
	else if (strcmp(sl + 1, "udp") == 0)
		*proto = PROTO_UDP;
	else
		return rd_fail(d, e, EPROTO, "protocol '%.16s' is not supported (tcp or udp)", sl + 1);
	return 0;
}

static int exposed_one(struct rd *d, const char *key, int val, void *at, struct berr *e)
{
	static const struct rd_field none[] = { RD_END };
	struct create_req *r = at;
	struct create_exposed *x;

	if (r->n_exposed >= CONFIG_POLICY_PORTS_MAX)
		return rd_fail(d, e, E2BIG, "more than %d exposed ports", CONFIG_POLICY_PORTS_MAX);
	x = &r->exposed[r->n_exposed];
	if (port_key(d, key, &x->port, &x->proto, e) < 0 || rd_obj(d, val, none, NULL, e) < 0)
		return -1;
	r->n_exposed++;
	return 0;
}

static int exposed_read(struct rd *d, int tok, void *at, struct berr *e)
{
	return create_map(d, tok, exposed_one, at, e);
}

struct binding_in {
	const char *ip, *port;
};

static const struct rd_field binding_fields[] = {
	RD_F("HostIp", F_STR, offsetof(struct binding_in, ip)),
	RD_F("HostPort", F_STR, offsetof(struct binding_in, port)),
	RD_END,
};

static int binding_one(struct rd *d, int tok, struct create_host *h, uint16_t cport,
		       enum create_proto proto, struct berr *e)
{
	struct binding_in b = { "", "" };
	struct create_port *p;

	if (h->n_ports >= CONFIG_POLICY_PORTS_MAX)
		return rd_fail(d, e, E2BIG, "more than %d port bindings", CONFIG_POLICY_PORTS_MAX);
	if (rd_null(d, tok))
		return rd_fail(d, e, EPROTO, "expected an object");
	if (rd_obj(d, tok, binding_fields, &b, e) < 0)
		return -1;
	p = &h->ports[h->n_ports];
	p->cport = cport;
	p->proto = proto;
	p->host_ip = b.ip;
	p->host_port = 0;
	if (b.port[0] && port_num(b.port, strlen(b.port), &p->host_port) < 0)
		return rd_fail(d, e, EPROTO, "HostPort '%.32s': want one port from 1 to 65535 or \"\"",
			       b.port);
	h->n_ports++;
	return 0;
}

static int bindings_one(struct rd *d, const char *key, int val, void *at, struct berr *e)
{
	struct json_iter it;
	enum create_proto proto;
	uint16_t cport;
	int k, v, n = 0;

	if (port_key(d, key, &cport, &proto, e) < 0)
		return -1;
	if (rd_null(d, val))
		return 0;
	if (json_type(&d->j, val) != JSMN_ARRAY)
		return rd_fail(d, e, EPROTO, "expected an array");
	json_iter_init(&d->j, val, &it);
	while (json_iter_next(&d->j, &it, &k, &v)) {
		size_t old = rd_push_index(d, n++);

		if (binding_one(d, v, at, cport, proto, e) < 0)
			return -1;
		rd_pop(d, old);
	}
	return 0;
}

static int bindings_read(struct rd *d, int tok, void *at, struct berr *e)
{
	return create_map(d, tok, bindings_one, at, e);
}

/* ------------------------------------------------- lists of objects */

static const struct rd_field ulimit_fields[] = {
	RD_F("Name", F_STR, offsetof(struct create_ulimit, name)),
	RD_F("Soft", F_INT, offsetof(struct create_ulimit, soft), .min = -1, .max = INT64_MAX),
	RD_F("Hard", F_INT, offsetof(struct create_ulimit, hard), .min = -1, .max = INT64_MAX),
	RD_END,
};

static int ulimits_read(struct rd *d, int tok, void *at, struct berr *e)
{
	struct create_host *h = at;
	struct json_iter it;
	int k, v;

	if (rd_null(d, tok))
		return 0;
	if (json_type(&d->j, tok) != JSMN_ARRAY)
		return rd_fail(d, e, EPROTO, "expected an array");
	if (d->j.tok[tok].size > CONFIG_POLICY_LIST_MAX)
		return rd_fail(d, e, E2BIG, "more than %d entries", CONFIG_POLICY_LIST_MAX);
	json_iter_init(&d->j, tok, &it);
	while (json_iter_next(&d->j, &it, &k, &v)) {
		struct create_ulimit *u = &h->ulimits[h->n_ulimits];
		size_t old = rd_push_index(d, h->n_ulimits);

		u->name = "";
		if (rd_null(d, v))
			return rd_fail(d, e, EPROTO, "expected an object");
		if (rd_obj(d, v, ulimit_fields, u, e) < 0)
			return -1;
		if (!u->name[0])
			return rd_fail(d, e, EPROTO, "Name: empty");
		h->n_ulimits++;
		rd_pop(d, old);
	}
	return 0;
}

/* [rows, cols] */
int create_console_size(struct rd *d, int tok, unsigned *h, unsigned *w, struct berr *e)
{
	int64_t v[2];

	if (rd_null(d, tok))
		return 0;
	if (json_type(&d->j, tok) != JSMN_ARRAY || d->j.tok[tok].size != 2)
		return rd_fail(d, e, EPROTO, "expected [height, width]");
	for (int i = 0; i < 2; i++) {
		size_t old = rd_push_index(d, i);

		if (rd_int(d, json_at(&d->j, tok, i), 0, 65535, &v[i], e) < 0)
			return -1;
		rd_pop(d, old);
	}
	*h = (unsigned)v[0];
	*w = (unsigned)v[1];
	return 0;
}

static int console_read(struct rd *d, int tok, void *at, struct berr *e)
{
	struct create_host *h = at;

	return create_console_size(d, tok, &h->console_h, &h->console_w, e);
}

/* HostConfig.Capabilities (API 1.40-1.43) replaced the whole set: berth
 * takes CapAdd and CapDrop only, and never ignores a set it was given. */
static int capabilities_read(struct rd *d, int tok, void *at, struct berr *e)
{
	(void)at;
	if (rd_null(d, tok))
		return 0;
	if (json_type(&d->j, tok) != JSMN_ARRAY)
		return rd_fail(d, e, EPROTO, "expected an array of strings");
	if (d->j.tok[tok].size > 0)
		return rd_fail(d, e, EPROTO, "a whole capability set is not supported; use CapAdd and CapDrop");
	return 0;
}

/* --------------------------------------- fields berth never acts on */

/* Does the value at tok ask for something: not null, "", a number of 0
 * or less, false, [] or {}? (-1 is Docker's "unset" for several of them.) */
static int given(const struct rd *d, int tok)
{
	const jsmntok_t *t = &d->j.tok[tok];
	const char *s = d->j.js + t->start;

	switch (t->type) {
	case JSMN_STRING:
		return t->end > t->start;
	case JSMN_ARRAY:
	case JSMN_OBJECT:
		return t->size > 0;
	default:
		if (*s == 'n' || *s == 'f' || *s == '-')
			return 0;
		if (*s == 't')
			return 1;
		for (const char *p = s; p < d->j.js + t->end && *p != 'e' && *p != 'E'; p++)
			if (*p >= '1' && *p <= '9')
				return 1;
		return 0;
	}
}

/* A field Docker acts on and berth never does: the first one given is
 * kept (its path) for the engine to refuse. */
static int given_read(struct rd *d, int tok, void *at, struct berr *e)
{
	struct create_req *r = d->top;

	(void)at;
	if (r->unsupported[0] || !given(d, tok))
		return 0;
	return rd_path_keep(d, &r->unsupported, e);
}

struct health_in {
	struct create_strs test;
};

static const struct rd_field health_fields[] = {
	RD_F("Test", F_STRS, offsetof(struct health_in, test), .max = CONFIG_POLICY_ARGS_MAX),
	RD_F("Interval", F_ANY, 0),
	RD_F("Timeout", F_ANY, 0),
	RD_F("StartPeriod", F_ANY, 0),
	RD_F("StartInterval", F_ANY, 0),
	RD_F("Retries", F_ANY, 0),
	RD_END,
};

/* Config.Healthcheck: Test [] inherits the image's, ["NONE"] disables. */
static int health_read(struct rd *d, int tok, void *at, struct berr *e)
{
	struct create_req *r = at;
	struct health_in h;

	memset(&h, 0, sizeof(h));
	if (rd_null(d, tok))
		return 0;
	if (rd_obj(d, tok, health_fields, &h, e) < 0)
		return -1;
	r->healthcheck = h.test.n > 0 && strcmp(h.test.v[0], "NONE") != 0;
	return 0;
}

/* NetworkingConfig.EndpointsConfig[NAME]: what the CLI's --ip, --ip6,
 * --network-alias, --link-local-ip, --mac-address (API 1.44+) and
 * --driver-opt put there; the network name itself is NetworkMode's. */
static const struct rd_field endpoint_fields[] = {
	RD_F("IPAMConfig", F_FN, 0, .fn = given_read),
	RD_F("Links", F_FN, 0, .fn = given_read),
	RD_F("Aliases", F_FN, 0, .fn = given_read),
	RD_F("MacAddress", F_FN, 0, .fn = given_read),
	RD_F("DriverOpts", F_FN, 0, .fn = given_read),
	RD_F("IPAddress", F_FN, 0, .fn = given_read),
	RD_F("GlobalIPv6Address", F_FN, 0, .fn = given_read),
	RD_END,
};

static int endpoint_one(struct rd *d, const char *key, int val, void *at, struct berr *e)
{
	(void)key;
	if (rd_null(d, val))
		return 0;
	return rd_obj(d, val, endpoint_fields, at, e);
}

static int endpoints_read(struct rd *d, int tok, void *at, struct berr *e)
{
	return create_map(d, tok, endpoint_one, at, e);
}

static const struct rd_field networking_fields[] = {
	RD_F("EndpointsConfig", F_FN, 0, .fn = endpoints_read),
	RD_END,
};

/* LogConfig.Config: an object of options; how many. */
static int log_opts_read(struct rd *d, int tok, void *at, struct berr *e)
{
	if (rd_null(d, tok))
		return 0;
	if (json_type(&d->j, tok) != JSMN_OBJECT)
		return rd_fail(d, e, EPROTO, "expected an object");
	*(int *)at = d->j.tok[tok].size;
	return 0;
}

/* ---------------------------------------------------------- tables */

#define RQ(f) offsetof(struct create_req, f)
#define HC(f) offsetof(struct create_host, f)

static const struct rd_field restart_fields[] = {
	RD_F("Name", F_STR, offsetof(struct create_restart, name)),
	RD_F("MaximumRetryCount", F_INT, offsetof(struct create_restart, max_retry),
	     .max = INT32_MAX),
	RD_END,
};

static const struct rd_field log_fields[] = {
	RD_F("Type", F_STR, offsetof(struct create_log, type)),
	RD_F("Config", F_FN, offsetof(struct create_log, n_opts), .fn = log_opts_read),
	RD_END,
};

static const struct rd_field host_fields[] = {
	RD_F("Binds", F_FN, 0, .fn = create_binds_read),
	RD_F("Mounts", F_FN, 0, .fn = create_mounts_read),
	RD_F("Tmpfs", F_FN, 0, .fn = create_tmpfs_read),
	RD_F("PortBindings", F_FN, 0, .fn = bindings_read),
	RD_F("PublishAllPorts", F_BOOL, HC(publish_all)),
	RD_F("NetworkMode", F_STR, HC(network_mode)),
	RD_F("RestartPolicy", F_OBJ, HC(restart), .sub = restart_fields),
	RD_F("AutoRemove", F_BOOL, HC(auto_remove)),
	RD_F("Memory", F_INT, HC(memory), .max = INT64_MAX),
	RD_F("MemorySwap", F_INT, HC(memory_swap), .min = -1, .max = INT64_MAX),
	RD_F("NanoCpus", F_INT, HC(nano_cpus), .max = INT64_MAX),
	RD_F("CpuQuota", F_INT, HC(cpu_quota), .min = -1, .max = INT64_MAX),
	RD_F("CpuPeriod", F_INT, HC(cpu_period), .max = INT64_MAX),
	RD_F("CpuShares", F_INT, HC(cpu_shares), .max = INT64_MAX),
	RD_F("PidsLimit", F_INT_SET, HC(pids_limit), .off2 = HC(pids_set), .min = INT64_MIN,
	     .max = INT64_MAX),
	RD_F("ReadonlyRootfs", F_BOOL, HC(readonly_rootfs)),
	RD_F("CapAdd", F_STRSLICE, HC(cap_add), .max = CONFIG_POLICY_LIST_MAX),
	RD_F("CapDrop", F_STRSLICE, HC(cap_drop), .max = CONFIG_POLICY_LIST_MAX),
	RD_F("Capabilities", F_FN, 0, .fn = capabilities_read),
	RD_F("Privileged", F_BOOL, HC(privileged)),
	RD_F("SecurityOpt", F_STRS, HC(security_opt), .max = CONFIG_POLICY_LIST_MAX),
	RD_F("Sysctls", F_FN, 0, .fn = sysctls_read),
	RD_F("Devices", F_COUNT, HC(n_devices)),
	RD_F("DeviceCgroupRules", F_COUNT, HC(n_device_cgroup_rules)),
	RD_F("DeviceRequests", F_COUNT, HC(n_device_requests)),
	RD_F("PidMode", F_STR, HC(pid_mode)),
	RD_F("IpcMode", F_STR, HC(ipc_mode)),
	RD_F("UTSMode", F_STR, HC(uts_mode)),
	RD_F("UsernsMode", F_STR, HC(userns_mode)),
	RD_F("CgroupnsMode", F_STR, HC(cgroupns_mode)),
	RD_F("MaskedPaths", F_STRS, HC(masked_paths), .max = CONFIG_POLICY_LIST_MAX),
	RD_F("ReadonlyPaths", F_STRS, HC(readonly_paths), .max = CONFIG_POLICY_LIST_MAX),
	RD_F("CgroupParent", F_STR, HC(cgroup_parent)),
	RD_F("OomKillDisable", F_BOOL, HC(oom_kill_disable)),
	RD_F("OomScoreAdj", F_INT, HC(oom_score_adj), .min = -1000, .max = 1000),
	RD_F("Runtime", F_STR, HC(runtime)),
	RD_F("Init", F_BOOL_SET, HC(init), .off2 = HC(init_set)),
	RD_F("ShmSize", F_INT, HC(shm_size), .max = INT64_MAX),
	RD_F("Ulimits", F_FN, 0, .fn = ulimits_read),
	RD_F("Dns", F_STRS, HC(dns), .max = CONFIG_POLICY_LIST_MAX),
	RD_F("DnsSearch", F_STRS, HC(dns_search), .max = CONFIG_POLICY_LIST_MAX),
	RD_F("DnsOptions", F_STRS, HC(dns_options), .max = CONFIG_POLICY_LIST_MAX),
	RD_F("ExtraHosts", F_STRS, HC(extra_hosts), .max = CONFIG_POLICY_LIST_MAX),
	RD_F("GroupAdd", F_STRS, HC(group_add), .max = CONFIG_POLICY_LIST_MAX),
	RD_F("VolumesFrom", F_COUNT, HC(n_volumes_from)),
	RD_F("Links", F_COUNT, HC(n_links)),
	RD_F("VolumeDriver", F_STR, HC(volume_driver)),
	RD_F("LogConfig", F_OBJ, HC(log), .sub = log_fields),
	RD_F("ConsoleSize", F_FN, 0, .fn = console_read),
	/* read only to be refused when given (create.h: unsupported) */
	RD_F("CpusetCpus", F_FN, 0, .fn = given_read),
	RD_F("CpusetMems", F_FN, 0, .fn = given_read),
	RD_F("CpuRealtimePeriod", F_FN, 0, .fn = given_read),
	RD_F("CpuRealtimeRuntime", F_FN, 0, .fn = given_read),
	RD_F("CpuCount", F_FN, 0, .fn = given_read),
	RD_F("CpuPercent", F_FN, 0, .fn = given_read),
	RD_F("BlkioWeight", F_FN, 0, .fn = given_read),
	RD_F("BlkioWeightDevice", F_FN, 0, .fn = given_read),
	RD_F("BlkioDeviceReadBps", F_FN, 0, .fn = given_read),
	RD_F("BlkioDeviceWriteBps", F_FN, 0, .fn = given_read),
	RD_F("BlkioDeviceReadIOps", F_FN, 0, .fn = given_read),
	RD_F("BlkioDeviceWriteIOps", F_FN, 0, .fn = given_read),
	RD_F("IOMaximumIOps", F_FN, 0, .fn = given_read),
	RD_F("IOMaximumBandwidth", F_FN, 0, .fn = given_read),
	RD_F("MemoryReservation", F_FN, 0, .fn = given_read),
	RD_F("MemorySwappiness", F_FN, 0, .fn = given_read),
	RD_F("KernelMemory", F_FN, 0, .fn = given_read),
	RD_F("KernelMemoryTCP", F_FN, 0, .fn = given_read),
	RD_F("StorageOpt", F_FN, 0, .fn = given_read),
	RD_END,
};

static const struct rd_field req_fields[] = {
	RD_F("Image", F_STR, RQ(image)),
	RD_F("Cmd", F_STRSLICE, RQ(cmd), .max = CONFIG_POLICY_ARGS_MAX),
	RD_F("Entrypoint", F_STRSLICE, RQ(entrypoint), .max = CONFIG_POLICY_ARGS_MAX),
	RD_F("Env", F_STRS, RQ(env), .max = CONFIG_POLICY_ENV_MAX),
	RD_F("WorkingDir", F_STR, RQ(working_dir)),
	RD_F("User", F_STR, RQ(user)),
	RD_F("Hostname", F_STR, RQ(hostname)),
	RD_F("Domainname", F_STR, RQ(domainname)),
	RD_F("Tty", F_BOOL, RQ(tty)),
	RD_F("OpenStdin", F_BOOL, RQ(open_stdin)),
	RD_F("StdinOnce", F_BOOL, RQ(stdin_once)),
	RD_F("AttachStdin", F_BOOL, RQ(attach_stdin)),
	RD_F("AttachStdout", F_BOOL, RQ(attach_stdout)),
	RD_F("AttachStderr", F_BOOL, RQ(attach_stderr)),
	RD_F("NetworkDisabled", F_BOOL, RQ(network_disabled)),
	RD_F("Labels", F_FN, 0, .fn = labels_read),
	RD_F("StopSignal", F_STR, RQ(stop_signal)),
	RD_F("StopTimeout", F_INT_SET, RQ(stop_timeout), .off2 = RQ(stop_timeout_set), .min = -1,
	     .max = INT32_MAX),
	RD_F("ExposedPorts", F_FN, 0, .fn = exposed_read),
	RD_F("Volumes", F_FN, 0, .fn = create_volumes_read),
	RD_F("Healthcheck", F_FN, 0, .fn = health_read),
	RD_F("MacAddress", F_FN, 0, .fn = given_read),
	RD_F("HostConfig", F_OBJ, RQ(host), .sub = host_fields),
	RD_F("NetworkingConfig", F_OBJ, 0, .sub = networking_fields),
	RD_END,
};

/* ------------------------------------------------------------ parse */

static void req_reset(struct create_req *r)
{
	struct create_host *h = &r->host;

	/* the pool and the tokens need no clearing: the counters restart */
	memset(r, 0, offsetof(struct create_req, pool_used));
	r->image = r->working_dir = r->user = r->hostname = r->domainname = r->stop_signal = "";
	h->network_mode = h->restart.name = h->pid_mode = h->ipc_mode = h->uts_mode = "";
	h->userns_mode = h->cgroupns_mode = h->cgroup_parent = h->runtime = "";
	h->volume_driver = h->log.type = "";
	r->unsupported = "";
}

static int restart_check(struct rd *d, const struct create_restart *rp, struct berr *e)
{
	static const char *const names[] = { "", "no", "always", "on-failure", "unless-stopped" };

	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(rp->name, names[i]) == 0) {
			if (rp->max_retry > 0 && strcmp(rp->name, "on-failure") != 0)
				return rd_fail(d, e, EPROTO, "MaximumRetryCount: only with on-failure");
			return 0;
		}
	return rd_fail(d, e, EPROTO, "Name '%.32s': want no, always, on-failure or unless-stopped",
		       rp->name);
}

int create_req_parse(const char *body, size_t len, struct create_req *r, struct berr *e)
{
	struct rd d;
	size_t old;

	req_reset(r);
	if (rd_init(&d, body, len, r->tok, CONFIG_POLICY_TOKENS_MAX, r->pool, sizeof r->pool,
		    &r->pool_used, r->strs, CONFIG_POLICY_STRS_MAX, &r->strs_used, e) < 0)
		return -1;
	d.top = r;
	/* dockerd before 25.0 also read HostConfig's fields at the top level
	 * (API < 1.21): never let one be ignored there */
	if (rd_misplaced(&d, 0, req_fields, host_fields, "HostConfig", e) < 0 ||
	    rd_obj(&d, 0, req_fields, r, e) < 0)
		return -1;
	old = rd_push(&d, "HostConfig");
	rd_push(&d, "RestartPolicy");
	if (restart_check(&d, &r->host.restart, e) < 0)
		return -1;
	rd_pop(&d, old);
	r->cmd_set = r->cmd.set;
	r->entrypoint_set = r->entrypoint.set;
	return create_mounts_finish(&d, r, e);
}

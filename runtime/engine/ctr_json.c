/* ctr_json.c — a container as Docker shows it: inspect (GET
 * /containers/{id}/json) and the list's summary (GET /containers/json).
 * Types follow the Go structs (DOCKER_API.md §3, §7.6): Created is a
 * string in inspect and an int in the list, Config is never null, Names
 * start with '/'.
 */
#include "runtime/engine/ctr-internal.h"

#include <stdio.h>
#include <string.h>

#include "lib/json.h"
#include "runtime/engine/api_util.h"
#include "runtime/image/imgconf.h"
#include "runtime/policy/create.h"

#define NS_S 1000000000LL

static void human_ago(int64_t d_ns, char *out, size_t n)
{
	int64_t s = d_ns / NS_S;

	if (s < 1)
		snprintf(out, n, "Less than a second");
	else if (s == 1)
		snprintf(out, n, "1 second");
	else if (s < 60)
		snprintf(out, n, "%lld seconds", (long long)s);
	else if (s / 60 == 1)
		snprintf(out, n, "About a minute");
	else if (s < 3600)
		snprintf(out, n, "%lld minutes", (long long)(s / 60));
	else if (s / 3600 == 1)
		snprintf(out, n, "About an hour");
	else if (s < 48 * 3600)
		snprintf(out, n, "%lld hours", (long long)(s / 3600));
	else
		snprintf(out, n, "%lld days", (long long)(s / 86400));
}

void ctr_status_text(const struct ctr *c, int64_t now, char *out, size_t n)
{
	char ago[48];

	switch (c->rec.status) {
	case CTR_RUNNING:
		human_ago(now - c->rec.started_ns, ago, sizeof(ago));
		snprintf(out, n, "Up %s", ago);
		return;
	case CTR_RESTARTING:
		human_ago(now - c->rec.finished_ns, ago, sizeof(ago));
		snprintf(out, n, "Restarting (%d) %s ago", c->rec.exit_code, ago);
		return;
	case CTR_EXITED:
		if (!c->rec.finished_ns) {
			snprintf(out, n, "Created");
			return;
		}
		human_ago(now - c->rec.finished_ns, ago, sizeof(ago));
		snprintf(out, n, "Exited (%d) %s ago", c->rec.exit_code, ago);
		return;
	case CTR_REMOVING:
		snprintf(out, n, "Removal In Progress");
		return;
	case CTR_DEAD:
		snprintf(out, n, "Dead");
		return;
	case CTR_CREATED:
		break;
	}
	snprintf(out, n, "Created");
}

static void ktime(struct json_w *w, const char *key, int64_t ns)
{
	char buf[48];

	if (ns)
		api_rfc3339(ns, buf, sizeof(buf));
	else
		snprintf(buf, sizeof(buf), "0001-01-01T00:00:00Z");
	json_w_kstr(w, key, buf);
}

static const char *net_mode(const struct create_req *r)
{
	return *r->host.network_mode ? r->host.network_mode : "default";
}

static void state_json(const struct ctr *c, struct json_w *w)
{
	const struct ctr_rec *s = &c->rec;

	json_w_key(w, "State");
	json_w_obj(w);
	json_w_kstr(w, "Status", s->status == CTR_EXITED && !s->finished_ns ? "created" : ctr_status_name(s->status));
	json_w_kbool(w, "Running", s->status == CTR_RUNNING || s->status == CTR_RESTARTING);
	json_w_kbool(w, "Paused", false);
	json_w_kbool(w, "Restarting", s->status == CTR_RESTARTING);
	json_w_kbool(w, "OOMKilled", s->oom_killed);
	json_w_kbool(w, "Dead", s->status == CTR_DEAD);
	json_w_ki64(w, "Pid", s->status == CTR_RUNNING ? s->pid : 0);
	json_w_ki64(w, "ExitCode", s->exit_code);
	json_w_kstr(w, "Error", s->error);
	ktime(w, "StartedAt", s->started_ns);
	ktime(w, "FinishedAt", s->finished_ns);
	json_w_obj_end(w);
}

static void port_key(char *buf, size_t n, unsigned port, int udp)
{
	snprintf(buf, n, "%u/%s", port, udp ? "udp" : "tcp");
}

/* HostConfig.PortBindings, as asked: {"80/tcp": [{"HostIp":"","HostPort":""}]}
 * (HostPort "": a free port at each start). */
static void bindings_map(const struct create_req *r, struct json_w *w)
{
	char key[16], hp[8];

	json_w_obj(w);
	for (int i = 0; i < r->host.n_ports; i++) {
		const struct create_port *p = &r->host.ports[i];
		int first = 1;

		for (int k = 0; k < i; k++)
			first &= !(r->host.ports[k].cport == p->cport && r->host.ports[k].proto == p->proto);
		if (!first)
			continue;
		port_key(key, sizeof(key), p->cport, p->proto == PROTO_UDP);
		json_w_key(w, key);
		json_w_arr(w);
		for (int k = i; k < r->host.n_ports; k++) {
			const struct create_port *q = &r->host.ports[k];

			if (q->cport != p->cport || q->proto != p->proto)
				continue;
			json_w_obj(w);
			json_w_kstr(w, "HostIp", q->host_ip);
			hp[0] = '\0';
			if (q->host_port)
				snprintf(hp, sizeof(hp), "%u", q->host_port);
			json_w_kstr(w, "HostPort", hp);
			json_w_obj_end(w);
		}
		json_w_arr_end(w);
	}
	json_w_obj_end(w);
}

/* Is the container port (port, udp) among the published sockets? */
static int published(const struct ctr_rec *rec, unsigned port, int udp)
{
	for (int i = 0; i < rec->n_ports; i++)
		if (rec->ports[i].cport == port && rec->ports[i].udp == udp)
			return 1;
	return 0;
}

/* NetworkSettings.Ports while it runs, as bound: {"80/tcp":
 * [{"HostIp":"127.0.0.1","HostPort":"32768"}], "81/tcp": null} (the
 * exposed ports not published are null); {} when it does not run. */
static void ports_map(const struct ctr *c, const struct ctr_view *v, struct json_w *w)
{
	const struct create_req *r = v->req;
	const struct ctr_rec *rec = &c->rec;
	int ni = v->img ? v->img->ports_n : 0;
	char key[16], hp[8];

	json_w_obj(w);
	if (rec->status != CTR_RUNNING) {
		json_w_obj_end(w);
		return;
	}
	for (int i = 0; i < rec->n_ports; i++) {
		const struct ctr_port *p = &rec->ports[i];
		int first = 1;

		for (int k = 0; k < i; k++)
			first &= !(rec->ports[k].cport == p->cport && rec->ports[k].udp == p->udp);
		if (!first)
			continue;
		port_key(key, sizeof(key), p->cport, p->udp);
		json_w_key(w, key);
		json_w_arr(w);
		for (int k = i; k < rec->n_ports; k++) {
			const struct ctr_port *q = &rec->ports[k];

			if (q->cport != p->cport || q->udp != p->udp)
				continue;
			json_w_obj(w);
			json_w_kstr(w, "HostIp", q->ip);
			snprintf(hp, sizeof(hp), "%u", q->hport);
			json_w_kstr(w, "HostPort", hp);
			json_w_obj_end(w);
		}
		json_w_arr_end(w);
	}
	for (int i = 0; i < r->n_exposed + ni; i++) {
		const char *k = i < r->n_exposed ? NULL : v->img->ports[i - r->n_exposed];
		unsigned port = 0;
		int udp = 0, dup = 0;

		if (!k) {
			port = r->exposed[i].port;
			udp = r->exposed[i].proto == PROTO_UDP;
		} else if (sscanf(k, "%u", &port) != 1 || port == 0 || port > 65535) {
			continue;
		} else {
			udp = strstr(k, "/udp") != NULL;
		}
		for (int j = 0; j < i && j < r->n_exposed; j++)
			dup |= r->exposed[j].port == port && (r->exposed[j].proto == PROTO_UDP) == udp;
		if (dup || published(rec, port, udp))
			continue;
		port_key(key, sizeof(key), port, udp);
		json_w_key(w, key);
		json_w_null(w);
	}
	json_w_obj_end(w);
}

static void network_json(const struct ctr *c, const struct create_req *r, struct json_w *w)
{
	const char *mode = net_mode(r);
	const char *name = strcmp(mode, "default") == 0 ? "bridge" : mode;

	json_w_key(w, "Networks");
	json_w_obj(w);
	json_w_key(w, name);
	json_w_obj(w);
	json_w_kstr(w, "NetworkID", name);
	json_w_kstr(w, "EndpointID", c->rec.ip[0] ? c->rec.id : "");
	json_w_kstr(w, "Gateway", c->rec.gateway);
	json_w_kstr(w, "IPAddress", c->rec.ip);
	json_w_ki64(w, "IPPrefixLen", c->rec.ip[0] ? c->rec.prefix : 0);
	json_w_kstr(w, "MacAddress", "");
	json_w_obj_end(w);
	json_w_obj_end(w);
}

static void mounts_json(struct engine *eng, const struct ctr *c, const struct create_req *r, struct json_w *w)
{
	static const char *const types[] = { "bind", "volume", "tmpfs" };
	char src[ENGINE_PATH_MAX + 256], name[CTR_ID_LEN + 16];

	json_w_key(w, "Mounts");
	json_w_arr(w);
	for (int i = 0; i < r->host.n_mounts; i++) {
		const struct create_mount *m = &r->host.mounts[i];

		json_w_obj(w);
		json_w_kstr(w, "Type", types[m->type]);
		if (m->type == MNT_VOLUME) {
			if (*m->src)
				snprintf(name, sizeof(name), "%s", m->src);
			else
				snprintf(name, sizeof(name), "%s-%d", c->rec.id, i);
			snprintf(src, sizeof(src), "%s/volumes/%s/_data", eng->conf.data_root, name);
			json_w_kstr(w, "Name", name);
			json_w_kstr(w, "Source", src);
			json_w_kstr(w, "Driver", "local");
		} else {
			json_w_kstr(w, "Source", m->src);
		}
		json_w_kstr(w, "Destination", m->dst);
		json_w_kstr(w, "Mode", m->ro ? "ro" : "");
		json_w_kbool(w, "RW", !m->ro);
		json_w_kstr(w, "Propagation", m->type == MNT_BIND ? (*m->propagation ? m->propagation : "rprivate") : "");
		json_w_obj_end(w);
	}
	json_w_arr_end(w);
}

static void kv_obj(struct json_w *w, const char *key, const struct create_kv *kv, int n,
		   const struct imgconf *im)
{
	json_w_key(w, key);
	json_w_obj(w);
	/* image labels first, the container's win (no key twice) */
	for (int i = 0; im && i < im->labels_n; i++) {
		int over = 0;

		for (int k = 0; k < n; k++)
			over |= strcmp(kv[k].key, im->labels[i].key) == 0;
		if (!over)
			json_w_kstr(w, im->labels[i].key, im->labels[i].value);
	}
	for (int i = 0; i < n; i++)
		json_w_kstr(w, kv[i].key, kv[i].value);
	json_w_obj_end(w);
}

static void config_json(const struct ctr *c, const struct ctr_view *v, struct json_w *w)
{
	const struct create_req *r = v->req;
	char host[LAUNCH_HOSTNAME_MAX + 1];

	json_w_key(w, "Config");
	json_w_obj(w);
	json_w_kstr(w, "Hostname", ctr_hostname(c, r, host, sizeof(host)));
	json_w_kstr(w, "Domainname", r->domainname);
	json_w_kstr(w, "User", v->user);
	json_w_kbool(w, "AttachStdin", r->attach_stdin);
	json_w_kbool(w, "AttachStdout", r->attach_stdout);
	json_w_kbool(w, "AttachStderr", r->attach_stderr);
	json_w_kbool(w, "Tty", r->tty);
	json_w_kbool(w, "OpenStdin", r->open_stdin);
	json_w_kbool(w, "StdinOnce", r->stdin_once);
	json_w_kstrs(w, "Env", v->env, v->n_env, 1);
	if (r->cmd.set)
		json_w_kstrs(w, "Cmd", r->cmd.v, r->cmd.n, 1);
	else if (v->img && !r->entrypoint.set)
		json_w_kstrs(w, "Cmd", v->img->cmd, v->img->cmd_n, v->img->cmd_set);
	else
		json_w_kstrs(w, "Cmd", NULL, 0, 0);
	json_w_kstr(w, "Image", c->rec.image_ref);
	json_w_kstr(w, "WorkingDir", v->workdir);
	if (r->entrypoint.set)
		json_w_kstrs(w, "Entrypoint", r->entrypoint.v, r->entrypoint.n, 1);
	else if (v->img)
		json_w_kstrs(w, "Entrypoint", v->img->entrypoint, v->img->entrypoint_n, v->img->entrypoint_set);
	else
		json_w_kstrs(w, "Entrypoint", NULL, 0, 0);
	kv_obj(w, "Labels", r->labels, r->n_labels, v->img);
	json_w_kstr(w, "StopSignal", v->stop_signal);
	if (r->stop_timeout_set)
		json_w_ki64(w, "StopTimeout", r->stop_timeout);
	json_w_obj_end(w);
}

static void hostconfig_json(const struct create_req *r, struct json_w *w)
{
	const struct create_host *h = &r->host;

	json_w_key(w, "HostConfig");
	json_w_obj(w);
	json_w_kstr(w, "NetworkMode", net_mode(r));
	json_w_key(w, "PortBindings");
	bindings_map(r, w);
	json_w_kbool(w, "PublishAllPorts", h->publish_all);
	json_w_key(w, "RestartPolicy");
	json_w_obj(w);
	json_w_kstr(w, "Name", *h->restart.name ? h->restart.name : "no");
	json_w_ki64(w, "MaximumRetryCount", h->restart.max_retry);
	json_w_obj_end(w);
	json_w_kbool(w, "AutoRemove", h->auto_remove);
	json_w_kbool(w, "Privileged", h->privileged);
	json_w_kbool(w, "ReadonlyRootfs", h->readonly_rootfs);
	json_w_kstrs(w, "CapAdd", h->cap_add.v, h->cap_add.n, h->cap_add.set);
	json_w_kstrs(w, "CapDrop", h->cap_drop.v, h->cap_drop.n, h->cap_drop.set);
	json_w_kstrs(w, "SecurityOpt", h->security_opt.v, h->security_opt.n, h->security_opt.set);
	json_w_ki64(w, "Memory", h->memory);
	json_w_ki64(w, "MemorySwap", h->memory_swap);
	json_w_ki64(w, "NanoCpus", h->nano_cpus);
	json_w_ki64(w, "CpuShares", h->cpu_shares);
	json_w_ki64(w, "CpuQuota", h->cpu_quota);
	json_w_ki64(w, "CpuPeriod", h->cpu_period);
	json_w_key(w, "PidsLimit");
	if (h->pids_set)
		json_w_i64(w, h->pids_limit);
	else
		json_w_null(w);
	json_w_kstr(w, "PidMode", h->pid_mode);
	json_w_kstr(w, "IpcMode", *h->ipc_mode ? h->ipc_mode : "private");
	json_w_kstr(w, "UTSMode", h->uts_mode);
	json_w_kstr(w, "UsernsMode", h->userns_mode);
	json_w_kstr(w, "CgroupnsMode", *h->cgroupns_mode ? h->cgroupns_mode : "private");
	json_w_ki64(w, "ShmSize", h->shm_size ? h->shm_size : 67108864);
	json_w_key(w, "LogConfig");
	json_w_obj(w);
	json_w_kstr(w, "Type", "json-file");
	json_w_key(w, "Config");
	json_w_obj(w);
	json_w_obj_end(w);
	json_w_obj_end(w);
	json_w_key(w, "ConsoleSize");
	json_w_arr(w);
	json_w_i64(w, h->console_h);
	json_w_i64(w, h->console_w);
	json_w_arr_end(w);
	json_w_obj_end(w);
}

void ctr_json_inspect(struct engine *eng, const struct ctr *c, const struct ctr_view *v, struct json_w *w)
{
	char name[CTR_NAME_MAX + 1], path[ENGINE_PATH_MAX + 128], img[CTR_ID_LEN + 8];

	snprintf(name, sizeof(name), "/%s", c->rec.name);
	snprintf(img, sizeof(img), "sha256:%s", c->rec.image);
	json_w_obj(w);
	json_w_kstr(w, "Id", c->rec.id);
	ktime(w, "Created", c->rec.created_ns);
	json_w_kstr(w, "Path", v->argc > 0 ? v->argv[0] : "");
	json_w_kstrs(w, "Args", v->argv + (v->argc > 0), v->argc > 0 ? v->argc - 1 : 0, 1);
	state_json(c, w);
	json_w_kstr(w, "Image", img);
	ctr_dir_path(eng, c->rec.id, "resolv.conf", path, sizeof(path));
	json_w_kstr(w, "ResolvConfPath", path);
	ctr_dir_path(eng, c->rec.id, "hostname", path, sizeof(path));
	json_w_kstr(w, "HostnamePath", path);
	ctr_dir_path(eng, c->rec.id, "hosts", path, sizeof(path));
	json_w_kstr(w, "HostsPath", path);
	ctr_dir_path(eng, c->rec.id, "log.json", path, sizeof(path));
	json_w_kstr(w, "LogPath", path);
	json_w_kstr(w, "Name", name);
	json_w_ki64(w, "RestartCount", c->rec.restart_count);
	json_w_kstr(w, "Driver", "overlay2");
	json_w_kstr(w, "Platform", "linux");
	json_w_kstr(w, "MountLabel", "");
	json_w_kstr(w, "ProcessLabel", "");
	json_w_kstr(w, "AppArmorProfile", "");
	hostconfig_json(v->req, w);
	mounts_json(eng, c, v->req, w);
	config_json(c, v, w);
	json_w_key(w, "NetworkSettings");
	json_w_obj(w);
	json_w_kstr(w, "IPAddress", c->rec.ip);
	json_w_kstr(w, "Gateway", c->rec.gateway);
	json_w_ki64(w, "IPPrefixLen", c->rec.ip[0] ? c->rec.prefix : 0);
	json_w_kstr(w, "MacAddress", "");
	json_w_key(w, "Ports");
	ports_map(c, v, w);
	network_json(c, v->req, w);
	json_w_obj_end(w);
	json_w_obj_end(w);
}

/* "Command": the whole command line as one string */
static void command_str(const struct ctr_view *v, char *out, size_t n)
{
	size_t used = 0;

	out[0] = '\0';
	for (int i = 0; i < v->argc && used + 1 < n; i++) {
		int k = snprintf(out + used, n - used, "%s%s", i ? " " : "", v->argv[i]);

		if (k < 0)
			break;
		used += (size_t)k;
	}
	if (used >= n)
		out[n - 1] = '\0';
}

void ctr_json_summary(struct engine *eng, const struct ctr *c, const struct ctr_view *v, int size,
		      struct json_w *w)
{
	char name[CTR_NAME_MAX + 1], img[CTR_ID_LEN + 8], status[96], cmd[1024];
	const struct create_req *r = v ? v->req : NULL;

	(void)eng;
	snprintf(name, sizeof(name), "/%s", c->rec.name);
	snprintf(img, sizeof(img), "sha256:%s", c->rec.image);
	ctr_status_text(c, engine_now_ns(), status, sizeof(status));
	json_w_obj(w);
	json_w_kstr(w, "Id", c->rec.id);
	json_w_key(w, "Names");
	json_w_arr(w);
	json_w_str(w, name);
	json_w_arr_end(w);
	json_w_kstr(w, "Image", c->rec.image_ref);
	json_w_kstr(w, "ImageID", img);
	if (v)
		command_str(v, cmd, sizeof(cmd));
	else
		cmd[0] = '\0';
	json_w_kstr(w, "Command", cmd);
	json_w_ki64(w, "Created", c->rec.created_ns / NS_S);
	json_w_kstr(w, "State", c->rec.status == CTR_EXITED && !c->rec.finished_ns ? "created"
											: ctr_status_name(c->rec.status));
	json_w_kstr(w, "Status", status);
	json_w_key(w, "Ports");
	json_w_arr(w);
	for (int i = 0; c->rec.status == CTR_RUNNING && i < c->rec.n_ports; i++) {
		const struct ctr_port *p = &c->rec.ports[i];

		json_w_obj(w);
		json_w_kstr(w, "IP", p->ip);
		json_w_ki64(w, "PrivatePort", p->cport);
		json_w_ki64(w, "PublicPort", p->hport);
		json_w_kstr(w, "Type", p->udp ? "udp" : "tcp");
		json_w_obj_end(w);
	}
	json_w_arr_end(w);
	if (r)
		kv_obj(w, "Labels", r->labels, r->n_labels, v->img);
	if (size) {
		json_w_ki64(w, "SizeRw", 0);
		json_w_ki64(w, "SizeRootFs", 0);
	}
	json_w_key(w, "HostConfig");
	json_w_obj(w);
	json_w_kstr(w, "NetworkMode", r ? net_mode(r) : "default");
	json_w_obj_end(w);
	if (r) {
		json_w_key(w, "NetworkSettings");
		json_w_obj(w);
		network_json(c, r, w);
		json_w_obj_end(w);
		mounts_json(eng, c, r, w);
	}
	json_w_obj_end(w);
}

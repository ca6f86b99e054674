/* ctr_run.c — a container's life through its shim: start (rootfs, network,
 * spec, berth-shim), the watcher that records the exit and applies the
 * restart policy, and the reconcile at start (stop, kill, remove, attach:
 * ctr_stop.c).
 */
#include "runtime/engine/ctr-internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/util.h"
#include "runtime/engine/volumes.h"
#include "runtime/image/imgconf.h"
#include "runtime/image/overlay.h"
#include "runtime/net/net.h"
#include "runtime/policy/create.h"
#include "runtime/shim/client.h"
#include "runtime/shim/spec.h"

#define CGROUP_ROOT "/sys/fs/cgroup/" CONFIG_LAUNCH_CGROUP_PARENT

static void watch_spawn_locked(struct engine *eng, struct ctr *c);

int ctr_shim_connect(struct engine *eng, const struct ctr *c, struct berr *e)
{
	char ctl[ENGINE_PATH_MAX + 128];

	ctr_ctl_path(eng, c->rec.id, ctl, sizeof(ctl));
	return shim_connect(ctl, e);
}

static void lib_path(const struct engine *eng, const char *prog, char *out, size_t n)
{
	snprintf(out, n, "%s/%s", eng->conf.libexec, prog);
}

void ctr_cond_wait_until(struct ctr_table *t, int64_t deadline)
{
	struct timespec ts;

	if (!deadline) {
		pthread_cond_wait(&t->cond, &t->eng->mu);
		return;
	}
	ts.tv_sec = deadline / 1000000000;
	ts.tv_nsec = deadline % 1000000000;
	pthread_cond_timedwait(&t->cond, &t->eng->mu, &ts);
}

/* ------------------------------------------------------------- teardown */

void ctr_run_teardown(struct engine *eng, const char *id, pid_t proxy)
{
	char root[ENGINE_PATH_MAX + 128];
	struct berr e;

	if (proxy > 0 && net_proxy_stop(proxy, &e) < 0)
		log_msg(&eng->log, LOG_WARN, "container %.12s: stop its proxy: %s", id, e.msg);
	if (eng->net && net_container_down(eng->net, eng->conf.data_root, eng->conf.run_dir, id, &e) < 0)
		log_msg(&eng->log, LOG_WARN, "container %.12s: network down: %s", id, e.msg);
	ctr_dir_path(eng, id, "rootfs", root, sizeof(root));
	if (overlay_umount(root, &e) < 0 && e.errnum != EINVAL && e.errnum != ENOENT)
		log_msg(&eng->log, LOG_WARN, "container %.12s: %s", id, e.msg);
}

/* --------------------------------------------------------------- start */

static int rootfs_mount(struct engine *eng, const struct ctr *c, struct berr *e)
{
	char root[ENGINE_PATH_MAX + 128];
	int rc;

	ctr_dir_path(eng, c->rec.id, "rootfs", root, sizeof(root));
	if (mkdir(root, 0700) < 0 && errno != EEXIST)
		return berr_sys(e, "create %s", root);
	/* a mount left by a killed berthd is replaced, not stacked */
	ctr_rootfs_detach(eng->ctrs->dirfd, c->rec.id);
	pthread_mutex_lock(&eng->store_mu);
	rc = store_lock(&eng->store, STORE_SHARED, e);
	if (rc == 0) {
		rc = overlay_mount(&eng->store, c->rec.image, c->rec.id, root, e);
		store_unlock(&eng->store);
	}
	pthread_mutex_unlock(&eng->store_mu);
	return rc;
}

static int net_setup(struct engine *eng, struct ctr *c, const struct ctr_view *v, enum launch_net mode,
		     int dirfd, struct net_lease *lease, struct berr *e)
{
	char host[LAUNCH_HOSTNAME_MAX + 1];
	int up;

	ctr_hostname(c, v->req, host, sizeof(host));
	if (mode == LAUNCH_NET_NS) {
		if (!eng->net)
			return berr_set(e, EINVAL, "bridge networking is not configured");
		pthread_mutex_lock(&eng->mu);
		up = eng->ctrs->bridge_up;
		pthread_mutex_unlock(&eng->mu);
		/* once per berthd: idempotent, and it replaces the table whole */
		if (!up) {
			if (net_bridge_up(eng->net, e) < 0)
				return berr_prefix(e, "bridge");
			pthread_mutex_lock(&eng->mu);
			eng->ctrs->bridge_up = 1;
			pthread_mutex_unlock(&eng->mu);
		}
		if (net_container_up(eng->net, eng->conf.data_root, eng->conf.run_dir, c->rec.id, lease, e) < 0)
			return -1;
	}
	if (mode != LAUNCH_NET_HOST && eng->net) {
		struct net_files_extra x;

		ctr_files_extra(v->req, &x);
		if (net_files_write_extra(dirfd, eng->net, host, mode == LAUNCH_NET_NS ? lease : NULL, &x, e) < 0)
			return -1;
	}
	return 0;
}

/* "80/tcp", "53/udp", "80" of the image config's ExposedPorts. */
static int exposed_parse(const char *key, uint16_t *port, int *udp)
{
	char *end;
	unsigned long v = strtoul(key, &end, 10);

	if (end == key || v == 0 || v > 65535)
		return -1;
	if (*end == '\0' || !strcmp(end, "/tcp"))
		*udp = 0;
	else if (!strcmp(end, "/udp"))
		*udp = 1;
	else
		return -1;
	*port = (uint16_t)v;
	return 0;
}

/* PublishAllPorts: an exposed port (of the body or the image) that no
 * PortBindings entry publishes goes on a free port of every publish
 * address. */
static void ports_all(const struct ctr_view *v, struct net_port *ports, int *n, int max)
{
	const struct create_req *r = v->req;
	int ni = v->img ? v->img->ports_n : 0;

	for (int i = 0; i < r->n_exposed + ni && *n < max; i++) {
		uint16_t port;
		int udp, dup = 0;

		if (i < r->n_exposed) {
			port = r->exposed[i].port;
			udp = r->exposed[i].proto == PROTO_UDP;
		} else if (exposed_parse(v->img->ports[i - r->n_exposed], &port, &udp) < 0) {
			continue;
		}
		for (int k = 0; k < *n; k++)
			dup |= ports[k].cport == port && ports[k].udp == udp;
		if (dup)
			continue;
		memset(&ports[*n], 0, sizeof(ports[*n]));
		ports[*n].cport = port;
		ports[*n].udp = udp;
		(*n)++;
	}
}

static int ports_publish(struct engine *eng, struct ctr *c, const struct ctr_view *v,
			 const struct net_lease *lease, pid_t *pid, struct berr *e)
{
	enum { PORTS_MAX = CONFIG_POLICY_PORTS_MAX * 2 }; /* bindings, then -P's */
	const struct create_host *h = &v->req->host;
	struct net_bound bound[CTR_PORTS_MAX];
	struct net_port *ports;
	char bin[ENGINE_PATH_MAX + 32];
	int n = 0, nb = 0, rc;

	*pid = 0;
	if (h->n_ports == 0 && !h->publish_all)
		return 0;
	/* on the heap: up to 2048 entries, and this runs on 128 KiB stacks */
	ports = calloc(PORTS_MAX, sizeof(*ports));
	if (!ports)
		return berr_set(e, ENOMEM, "out of memory");
	for (int i = 0; i < h->n_ports && n < PORTS_MAX; i++, n++) {
		memset(&ports[n], 0, sizeof(ports[n]));
		ports[n].cport = h->ports[i].cport;
		ports[n].hport = h->ports[i].host_port; /* 0: a free port, as dockerd */
		ports[n].udp = h->ports[i].proto == PROTO_UDP;
		snprintf(ports[n].host_ip, sizeof(ports[n].host_ip), "%s", h->ports[i].host_ip);
	}
	if (h->publish_all)
		ports_all(v, ports, &n, PORTS_MAX);
	rc = 0;
	if (n > 0) {
		lib_path(eng, "berth-proxy", bin, sizeof(bin));
		rc = net_proxy_spawn(bin, eng->net, ports, n, lease,
				     eng->cgroup_ok ? CGROUP_ROOT "/proxies" : NULL, bound, CTR_PORTS_MAX, &nb, pid, e);
	}
	free(ports);
	if (rc < 0 || n == 0)
		return rc;
	pthread_mutex_lock(&eng->mu);
	for (int i = 0; i < nb; i++) {
		struct ctr_port *p = &c->rec.ports[i];

		inet_ntop(AF_INET, &bound[i].addr, p->ip, sizeof(p->ip));
		p->cport = bound[i].cport;
		p->hport = bound[i].hport;
		p->udp = bound[i].udp;
	}
	c->rec.n_ports = nb;
	pthread_mutex_unlock(&eng->mu);
	return 0;
}

static void lease_record(struct ctr *c, const struct net_lease *l)
{
	unsigned char *a = (unsigned char *)&l->addr, *g = (unsigned char *)&l->gw;

	snprintf(c->rec.ip, sizeof(c->rec.ip), "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
	snprintf(c->rec.gateway, sizeof(c->rec.gateway), "%u.%u.%u.%u", g[0], g[1], g[2], g[3]);
	c->rec.prefix = l->prefix;
}

static int shim_up(struct engine *eng, struct ctr *c, const struct ctr_view *v, int dirfd,
		   const struct ctr_launch *l, struct launch_result *res, struct berr *e)
{
	char bin[ENGINE_PATH_MAX + 32], dir[ENGINE_PATH_MAX + 128], ctl[ENGINE_PATH_MAX + 128];
	struct shim_paths p = { bin, dir, ctl, eng->cgroup_ok ? CGROUP_ROOT "/shims" : NULL };
	struct shim_opts o = { v->req->open_stdin, v->req->stdin_once, 0, 0 };
	struct ctr_attach att[CTR_ATTACH_PENDING_MAX];
	int fd, n;

	if (shimspec_write(dirfd, "spec.json", &l->spec, &o, e) < 0)
		return -1;
	lib_path(eng, "berth-shim", bin, sizeof(bin));
	ctr_dir_path(eng, c->rec.id, NULL, dir, sizeof(dir));
	ctr_ctl_path(eng, c->rec.id, ctl, sizeof(ctl));
	if (shim_spawn(&p, res, e) < 0)
		return -1;
	fd = shim_connect(ctl, e);
	if (fd < 0)
		return -1;
	/* attaches made before the start get everything from the first byte */
	pthread_mutex_lock(&eng->mu);
	c->shim_up = 1;
	n = c->n_attach;
	memcpy(att, c->attach, sizeof(att[0]) * (size_t)n);
	c->n_attach = 0;
	pthread_mutex_unlock(&eng->mu);
	for (int i = 0; i < n; i++) {
		struct berr ae;

		if (shim_attach(fd, att[i].fd, att[i].flags, &ae) < 0)
			log_msg(&eng->log, LOG_WARN, "container %.12s: attach: %s", c->rec.id, ae.msg);
	}
	if (shim_start(fd, res, e) < 0) {
		struct berr ke;

		shim_kill(fd, SIGKILL, &ke);
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/* dockerd's words for a command that cannot be run: the CLI takes its
 * exit code from them (DOCKER_API.md §5.1: 127 or 126). */
static void exec_error(const struct ctr_view *v, const struct launch_result *res, struct berr *e)
{
	const char *cmd = v->argc > 0 ? v->argv[0] : "";

	if (res->status == 126)
		berr_set(e, ENOEXEC,
			 "failed to create task for container: OCI runtime create failed: unable to start container process: exec: \"%.200s\": permission denied: unknown",
			 cmd);
	else
		berr_set(e, ENOENT,
			 "failed to create task for container: OCI runtime create failed: unable to start container process: exec: \"%.200s\": executable file not found in $PATH: unknown",
			 cmd);
}

/* Everything of a start but the bookkeeping; no mu. On failure nothing
 * of the run is left. */
static int start_run(struct engine *eng, struct ctr *c, struct launch_result *res, pid_t *proxy,
		     struct berr *e)
{
	struct ctr_launch *l = NULL;
	struct net_lease lease;
	struct ctr_view v;
	enum launch_net mode;
	int dirfd = -1, rc = -1;

	*proxy = 0;
	if (ctr_view_load(eng, &c->rec, &v, e) < 0)
		return -1;
	memset(&lease, 0, sizeof(lease));
	mode = ctr_net_mode(v.req);
	l = malloc(sizeof(*l));
	dirfd = ctr_dir_open(eng->ctrs, c, e);
	if (!l || dirfd < 0) {
		if (!l)
			berr_set(e, ENOMEM, "out of memory");
		goto out;
	}
	if (rootfs_mount(eng, c, e) < 0)
		goto out;
	if (net_setup(eng, c, &v, mode, dirfd, &lease, e) < 0 ||
	    ctr_launch_build(eng, c, &v, mode, l, e) < 0 ||
	    (mode == LAUNCH_NET_NS && ports_publish(eng, c, &v, &lease, proxy, e) < 0) ||
	    shim_up(eng, c, &v, dirfd, l, res, e) < 0) {
		if (res->class == LAUNCH_ERR_EXEC)
			exec_error(&v, res, e);
		ctr_run_teardown(eng, c->rec.id, *proxy);
		*proxy = 0;
		goto out;
	}
	if (mode == LAUNCH_NET_NS) {
		pthread_mutex_lock(&eng->mu);
		lease_record(c, &lease);
		pthread_mutex_unlock(&eng->mu);
	}
	rc = 0;
out:
	if (dirfd >= 0)
		close(dirfd);
	free(l);
	ctr_view_free(&v);
	return rc;
}

/* Docker's start failure text and the exit code the CLI derives from it. */
static int start_code(const struct launch_result *r)
{
	if (r->class == LAUNCH_ERR_EXEC)
		return r->status ? r->status : 127;
	return 128;
}

static void start_done_locked(struct engine *eng, struct ctr *c, int ok, pid_t proxy,
			      const struct launch_result *res, const struct berr *e)
{
	struct shim_state st;
	struct berr se;
	int dirfd;

	if (ok) {
		memset(&st, 0, sizeof(st));
		dirfd = ctr_dir_open(eng->ctrs, c, &se);
		if (dirfd >= 0) {
			shim_state_read(dirfd, &st, &se);
			close(dirfd);
		}
		c->rec.status = CTR_RUNNING;
		c->rec.pid = st.pid;
		c->rec.started_ns = st.started_ns ? st.started_ns : engine_now_ns();
		c->rec.finished_ns = 0;
		c->rec.exit_code = 0;
		c->rec.oom_killed = 0;
		c->rec.error[0] = '\0';
		c->rec.proxy_pid = proxy;
		watch_spawn_locked(eng, c);
	} else {
		c->shim_up = 0;
		c->rec.exit_code = start_code(res);
		c->rec.pid = 0;
		c->rec.ip[0] = c->rec.gateway[0] = '\0';
		c->rec.n_ports = 0;
		snprintf(c->rec.error, sizeof(c->rec.error), "%.255s", e->msg);
		for (int i = 0; i < c->n_attach; i++)
			fd_close(&c->attach[i].fd);
		c->n_attach = 0;
	}
	ctr_save_locked(eng->ctrs, c, &se);
}

int ctr_start(struct engine *eng, struct ctr *c, struct berr *e)
{
	struct ctr_table *t = eng->ctrs;
	struct launch_result res;
	pid_t proxy = 0;
	int rc, auto_rm = 0;

	pthread_mutex_lock(&eng->mu);
	if (ctr_busy_take_locked(t, c, e) < 0) {
		pthread_mutex_unlock(&eng->mu);
		return -1;
	}
	if (c->rec.status == CTR_RUNNING) {
		ctr_busy_drop_locked(t, c);
		pthread_mutex_unlock(&eng->mu);
		return 1;
	}
	c->restart_ns = 0;
	c->rec.stopped_by_user = 0;
	pthread_mutex_unlock(&eng->mu);

	memset(&res, 0, sizeof(res));
	res.class = LAUNCH_ERR_SYS;
	rc = start_run(eng, c, &res, &proxy, e);

	pthread_mutex_lock(&eng->mu);
	start_done_locked(eng, c, rc == 0, proxy, &res, e);
	ctr_busy_drop_locked(t, c);
	if (rc < 0) {
		struct ctr_view v;
		struct berr ve;

		/* AutoRemove even when the start failed: run --rm waits for "removed" */
		pthread_mutex_unlock(&eng->mu);
		if (ctr_view_load(eng, &c->rec, &v, &ve) == 0) {
			auto_rm = v.req->host.auto_remove;
			ctr_view_free(&v);
		}
		if (auto_rm)
			ctr_remove(eng, c, 1, 1, &ve);
		return -1;
	}
	pthread_mutex_unlock(&eng->mu);
	engine_event(eng, "container", "start", c->rec.id, "name", c->rec.name, NULL);
	return 0;
}

/* ------------------------------------------------------------- watcher */

struct watch {
	struct engine *eng;
	struct ctr *c;
};

/* After an exit: 1 to restart (with *delay_ms), 0 not. mu held. */
static int restart_due_locked(struct engine *eng, struct ctr *c, int64_t ran_ns, int *delay_ms)
{
	struct ctr_view v;
	struct berr e;
	enum ctr_restart p;
	int64_t max;
	int go;

	if (c->rec.stopped_by_user || c->gone || eng->ctrs->closing)
		return 0;
	pthread_mutex_unlock(&eng->mu);
	go = ctr_view_load(eng, &c->rec, &v, &e) == 0;
	pthread_mutex_lock(&eng->mu);
	if (!go || c->rec.status != CTR_EXITED || c->rec.stopped_by_user)
		go = 0;
	if (!go) {
		if (v.req)
			ctr_view_free(&v);
		return 0;
	}
	p = ctr_restart_policy(v.req, &max);
	ctr_view_free(&v);
	go = ctr_restart_wanted(p, c->rec.exit_code, c->rec.restart_count, max, c->rec.stopped_by_user);
	*delay_ms = ctr_restart_delay(&c->backoff_ms, ran_ns, CONFIG_ENGINE_RESTART_BACKOFF_MAX_MS);
	return go;
}

static int auto_remove_of(struct engine *eng, struct ctr *c)
{
	struct ctr_view v;
	struct berr e;
	int ar = 0;

	if (ctr_view_load(eng, &c->rec, &v, &e) == 0) {
		ar = v.req->host.auto_remove;
		ctr_view_free(&v);
	}
	return ar;
}

/* The exit is in st: record it (after the teardown, so that a new start
 * never races the old run's cleanup). */
static void exited(struct engine *eng, struct ctr *c, const struct shim_state *st)
{
	struct ctr_table *t = eng->ctrs;
	char code[16];
	struct berr e;
	int64_t ran;
	int delay = 0, restart, ar;
	pid_t proxy;

	pthread_mutex_lock(&eng->mu);
	proxy = c->rec.proxy_pid;
	pthread_mutex_unlock(&eng->mu);
	ctr_run_teardown(eng, c->rec.id, proxy);

	pthread_mutex_lock(&eng->mu);
	c->shim_up = 0;
	c->rec.status = CTR_EXITED;
	c->rec.exit_code = st->exit_code;
	c->rec.oom_killed = st->oom_killed;
	c->rec.finished_ns = st->finished_ns ? st->finished_ns : engine_now_ns();
	c->rec.pid = 0;
	c->rec.proxy_pid = 0;
	c->rec.ip[0] = c->rec.gateway[0] = '\0';
	c->rec.n_ports = 0;
	c->exits++;
	ran = c->rec.finished_ns - c->rec.started_ns;
	restart = restart_due_locked(eng, c, ran, &delay);
	if (restart) {
		c->rec.status = CTR_RESTARTING;
		c->restart_ns = engine_now_ns() + (int64_t)delay * 1000000;
	}
	ctr_save_locked(t, c, &e);
	pthread_cond_broadcast(&t->cond);
	pthread_mutex_unlock(&eng->mu);

	snprintf(code, sizeof(code), "%d", st->exit_code);
	if (st->oom_killed)
		engine_event(eng, "container", "oom", c->rec.id, "name", c->rec.name, NULL);
	engine_event(eng, "container", "die", c->rec.id, "exitCode", code, "name", c->rec.name, NULL);
	if (restart) {
		pthread_mutex_lock(&eng->mu);
		while (c->restart_ns && !c->gone && !t->closing && engine_now_ns() < c->restart_ns)
			ctr_cond_wait_until(t, c->restart_ns);
		restart = c->restart_ns && !c->gone && !t->closing;
		if (restart)
			c->rec.restart_count++;
		pthread_mutex_unlock(&eng->mu);
		if (restart && ctr_start(eng, c, &e) < 0)
			log_msg(&eng->log, LOG_ERROR, "container %.12s: restart: %s", c->rec.id, e.msg);
		return;
	}
	ar = auto_remove_of(eng, c);
	/* a remove of its own may have come first (docker rm -f) */
	if (ar && ctr_remove(eng, c, 1, 1, &e) < 0 && e.errnum != ENOENT)
		log_msg(&eng->log, LOG_ERROR, "container %.12s: auto-remove: %s", c->rec.id, e.msg);
}

static void *watch_main(void *arg)
{
	struct watch *w = arg;
	struct engine *eng = w->eng;
	struct ctr *c = w->c;
	struct shim_state st;
	struct berr e;
	int fd, rc = -1, closing, dirfd;

	free(w);
	fd = ctr_shim_connect(eng, c, &e);
	pthread_mutex_lock(&eng->mu);
	c->watch_fd = fd;
	closing = eng->ctrs->closing;
	pthread_mutex_unlock(&eng->mu);
	memset(&st, 0, sizeof(st));
	if (fd >= 0 && !closing)
		rc = shim_wait(fd, &st, &e);
	pthread_mutex_lock(&eng->mu);
	c->watch_fd = -1;
	closing = eng->ctrs->closing;
	pthread_mutex_unlock(&eng->mu);
	fd_close(&fd);
	if (!closing) {
		if (rc < 0) {
			/* the shim is gone without answering: what it last wrote */
			dirfd = ctr_dir_open(eng->ctrs, c, &e);
			if (dirfd < 0 || shim_state_read(dirfd, &st, &e) < 0 || st.status != SHIM_EXITED) {
				memset(&st, 0, sizeof(st));
				st.exit_code = 255;
			}
			if (dirfd >= 0)
				close(dirfd);
		}
		exited(eng, c, &st);
	}
	pthread_mutex_lock(&eng->mu);
	c->watching = 0;
	eng->ctrs->threads--;
	pthread_cond_broadcast(&eng->ctrs->cond);
	ctr_put_locked(c);
	pthread_mutex_unlock(&eng->mu);
	return NULL;
}

static void watch_spawn_locked(struct engine *eng, struct ctr *c)
{
	struct watch *w = malloc(sizeof(*w));
	pthread_attr_t a;
	pthread_t th;

	if (!w) {
		log_msg(&eng->log, LOG_ERROR, "container %.12s: no watcher: out of memory", c->rec.id);
		return;
	}
	w->eng = eng;
	w->c = c;
	ctr_get_locked(c);
	c->watching = 1;
	eng->ctrs->threads++;
	pthread_attr_init(&a);
	pthread_attr_setstacksize(&a, 128 * 1024);
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&th, &a, watch_main, w) != 0) {
		log_msg(&eng->log, LOG_ERROR, "container %.12s: no watcher thread", c->rec.id);
		c->watching = 0;
		eng->ctrs->threads--;
		c->refs--;
		free(w);
	}
	pthread_attr_destroy(&a);
}

void ctr_threads_join(struct engine *eng)
{
	struct ctr_table *t = eng->ctrs;

	pthread_mutex_lock(&eng->mu);
	for (int i = 0; i < t->n; i++)
		if (t->c[i]->watch_fd >= 0 && t->c[i]->watching)
			shutdown(t->c[i]->watch_fd, SHUT_RDWR);
	while (t->threads > 0) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 100000000;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		pthread_cond_timedwait(&t->cond, &eng->mu, &ts);
		for (int i = 0; i < t->n; i++)
			if (t->c[i]->watch_fd >= 0 && t->c[i]->watching)
				shutdown(t->c[i]->watch_fd, SHUT_RDWR);
	}
	pthread_mutex_unlock(&eng->mu);
}

/* ----------------------------------------------------------- reconcile */

void ctr_reconcile(struct engine *eng, struct ctr *c)
{
	struct shim_state st;
	struct berr e;
	int fd, dirfd, live = 0, start = 0;
	struct ctr_view v;
	int64_t max;
	enum ctr_restart p;

	memset(&st, 0, sizeof(st));
	fd = ctr_shim_connect(eng, c, &e);
	if (fd >= 0) {
		live = 1;
		close(fd);
	}
	pthread_mutex_lock(&eng->mu);
	if (live) {
		/* a shim outlived the last berthd: watch it again */
		c->shim_up = 1;
		if (c->rec.status != CTR_RUNNING) {
			c->rec.status = CTR_RUNNING;
			ctr_save_locked(eng->ctrs, c, &e);
		}
		watch_spawn_locked(eng, c);
		pthread_mutex_unlock(&eng->mu);
		return;
	}
	if (c->rec.status == CTR_RUNNING || c->rec.status == CTR_RESTARTING) {
		pthread_mutex_unlock(&eng->mu);
		dirfd = ctr_dir_open(eng->ctrs, c, &e);
		if (dirfd < 0 || shim_state_read(dirfd, &st, &e) < 0 || st.status != SHIM_EXITED) {
			memset(&st, 0, sizeof(st));
			st.exit_code = 255;
		}
		if (dirfd >= 0)
			close(dirfd);
		ctr_run_teardown(eng, c->rec.id, c->rec.proxy_pid);
		pthread_mutex_lock(&eng->mu);
		c->rec.status = CTR_EXITED;
		c->rec.exit_code = st.exit_code;
		c->rec.oom_killed = st.oom_killed;
		c->rec.finished_ns = st.finished_ns ? st.finished_ns : engine_now_ns();
		c->rec.pid = 0;
		c->rec.proxy_pid = 0;
		c->rec.ip[0] = c->rec.gateway[0] = '\0';
		c->rec.n_ports = 0;
		ctr_save_locked(eng->ctrs, c, &e);
	}
	pthread_mutex_unlock(&eng->mu);
	/* restart=always, and unless-stopped ones not stopped by the user,
	 * run again when the engine (re)starts */
	if (ctr_view_load(eng, &c->rec, &v, &e) < 0)
		return;
	p = ctr_restart_policy(v.req, &max);
	ctr_view_free(&v);
	pthread_mutex_lock(&eng->mu);
	start = p == CTR_RESTART_ALWAYS || (p == CTR_RESTART_UNLESS_STOPPED && !c->rec.stopped_by_user);
	/* an always container stopped by the user stays stopped until now */
	start = start && c->rec.started_ns != 0;
	pthread_mutex_unlock(&eng->mu);
	if (start && ctr_start(eng, c, &e) < 0)
		log_msg(&eng->log, LOG_ERROR, "container %.12s: start at boot: %s", c->rec.id, e.msg);
}

void ctr_files_extra(const struct create_req *r, struct net_files_extra *x)
{
	const struct create_host *h = &r->host;

	memset(x, 0, sizeof(*x));
	x->dns = h->dns.v;
	x->n_dns = h->dns.n;
	x->search = h->dns_search.v;
	x->n_search = h->dns_search.n;
	x->options = h->dns_options.v;
	x->n_options = h->dns_options.n;
	x->hosts = h->extra_hosts.v;
	x->n_hosts = h->extra_hosts.n;
	x->domainname = r->domainname;
}

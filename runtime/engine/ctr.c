/* ctr.c — the container table: load and reconcile at start, lookups by
 * id, name and prefix, references, the busy flag, the counters E1 asks for.
 */
#include "runtime/engine/ctr-internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <linux/magic.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "lib/cgroup.h"
#include "lib/fs.h"
#include "lib/json.h"
#include "lib/util.h"
#include "runtime/engine/api.h"
#include "runtime/engine/api_util.h"
#include "runtime/net/net.h"
#include "runtime/policy/create.h"
#include "runtime/policy/policy.h"

#define CGROUP_ROOT "/sys/fs/cgroup/" CONFIG_LAUNCH_CGROUP_PARENT

/* ------------------------------------------------------------- references */

void ctr_get_locked(struct ctr *c)
{
	c->refs++;
}

void ctr_put_locked(struct ctr *c)
{
	if (--c->refs > 0)
		return;
	for (int i = 0; i < c->n_attach; i++)
		fd_close(&c->attach[i].fd);
	ctr_rec_free(&c->rec);
	free(c);
}

void ctr_put(struct engine *eng, struct ctr *c)
{
	pthread_mutex_lock(&eng->mu);
	ctr_put_locked(c);
	pthread_mutex_unlock(&eng->mu);
}

int ctr_busy_take_locked(struct ctr_table *t, struct ctr *c, struct berr *e)
{
	while (c->busy && !c->gone)
		pthread_cond_wait(&t->cond, &t->eng->mu);
	if (c->gone)
		return berr_set(e, ENOENT, "No such container: %s", c->rec.id);
	c->busy = 1;
	return 0;
}

void ctr_busy_drop_locked(struct ctr_table *t, struct ctr *c)
{
	c->busy = 0;
	pthread_cond_broadcast(&t->cond);
}

/* ---------------------------------------------------------------- lookups */

struct ctr *ctr_by_name_locked(struct ctr_table *t, const char *name)
{
	if (name[0] == '/')
		name++;
	for (int i = 0; i < t->n; i++)
		if (strcmp(t->c[i]->rec.name, name) == 0)
			return t->c[i];
	return NULL;
}

struct ctr *ctr_find_locked(struct ctr_table *t, const char *ref, struct berr *e)
{
	struct ctr *hit = NULL;
	size_t n = strlen(ref);
	int many = 0;

	if (n == 0)
		return berr_set(e, ENOENT, "No such container: %s", ref), NULL;
	for (int i = 0; i < t->n; i++)
		if (strcmp(t->c[i]->rec.id, ref) == 0)
			return t->c[i];
	hit = ctr_by_name_locked(t, ref);
	if (hit)
		return hit;
	for (int i = 0; i < t->n && n <= CTR_ID_LEN; i++) {
		if (strncmp(t->c[i]->rec.id, ref, n) != 0)
			continue;
		many += hit != NULL;
		hit = t->c[i];
	}
	if (many) {
		berr_set(e, EINVAL, "multiple IDs found with provided prefix: %s", ref);
		return NULL;
	}
	if (!hit)
		berr_set(e, ENOENT, "No such container: %s", ref);
	return hit;
}

struct ctr *ctr_get(struct engine *eng, const char *ref, struct berr *e)
{
	struct ctr *c;

	pthread_mutex_lock(&eng->mu);
	c = ctr_find_locked(eng->ctrs, ref, e);
	if (c)
		ctr_get_locked(c);
	pthread_mutex_unlock(&eng->mu);
	return c;
}

/* ------------------------------------------------------------------ paths */

void ctr_dir_path(const struct engine *eng, const char *id, const char *sub, char *out, size_t n)
{
	snprintf(out, n, "%s/containers/%s%s%s", eng->conf.data_root, id, sub ? "/" : "", sub ? sub : "");
}

void ctr_ctl_path(const struct engine *eng, const char *id, char *out, size_t n)
{
	snprintf(out, n, "%s/shims/%s/ctl", eng->conf.run_dir, id);
}

int ctr_dir_open(struct ctr_table *t, const struct ctr *c, struct berr *e)
{
	int fd = openat(t->dirfd, c->rec.id, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0)
		return berr_sys(e, "open containers/%.12s", c->rec.id);
	return fd;
}

/* ---------------------------------------------------------------- records */

int ctr_save_locked(struct ctr_table *t, struct ctr *c, struct berr *e)
{
	if (c->gone)
		return 0;
	if (ctr_rec_write(t->dirfd, &c->rec, e) < 0) {
		log_msg(&t->eng->log, LOG_ERROR, "%s", e->msg);
		return -1;
	}
	return 0;
}

int ctr_add_locked(struct ctr_table *t, struct ctr *c, struct berr *e)
{
	if (t->n >= CONFIG_ENGINE_CONTAINERS_MAX)
		return berr_set(e, ENOSPC, "too many containers (%d, CONFIG_ENGINE_CONTAINERS_MAX)", t->n);
	if (ctr_by_name_locked(t, c->rec.name))
		return berr_set(e, EEXIST, "Conflict. The container name \"/%s\" is already in use", c->rec.name);
	/* the directory, then the record: a crash between leaves a
	 * directory without a record, which the next start sweeps */
	if (mkdirat(t->dirfd, c->rec.id, 0700) < 0)
		return berr_sys(e, "create containers/%.12s", c->rec.id);
	if (ctr_rec_write(t->dirfd, &c->rec, e) < 0) {
		struct berr ign;

		fs_rm_tree_at(t->dirfd, c->rec.id, &ign);
		return -1;
	}
	c->refs = 1;
	t->c[t->n++] = c;
	return 0;
}

int ctr_remove_locked(struct ctr_table *t, struct ctr *c, struct berr *e)
{
	int i, rc;

	rc = ctr_rec_remove(t->dirfd, c->rec.id, e);
	for (i = 0; i < t->n && t->c[i] != c; i++)
		;
	if (i < t->n) {
		memmove(&t->c[i], &t->c[i + 1], sizeof(t->c[0]) * (size_t)(t->n - i - 1));
		t->n--;
	}
	/* its execs go with it */
	for (i = 0; i < t->nx;) {
		struct ctr_exec *x = t->x[i];

		if (x->c != c) {
			i++;
			continue;
		}
		memmove(&t->x[i], &t->x[i + 1], sizeof(t->x[0]) * (size_t)(t->nx - i - 1));
		t->nx--;
		free(x->body);
		free(x);
		ctr_put_locked(c);
	}
	c->gone = 1;
	pthread_cond_broadcast(&t->cond);
	ctr_put_locked(c);
	return rc;
}

/* ------------------------------------------------------------- open/close */

static int load_one(struct ctr_table *t, const char *id)
{
	struct berr e;
	struct ctr *c = calloc(1, sizeof(*c));

	if (!c)
		return -1;
	if (ctr_rec_read(t->dirfd, id, &c->rec, &e) < 0) {
		/* kept on disk for the operator: never remove what cannot be read */
		log_msg(&t->eng->log, LOG_ERROR, "%s (container skipped)", e.msg);
		free(c);
		return -1;
	}
	if (t->n >= CONFIG_ENGINE_CONTAINERS_MAX || ctr_by_name_locked(t, c->rec.name)) {
		log_msg(&t->eng->log, LOG_ERROR, "container %.12s: %s (skipped)", id,
			t->n >= CONFIG_ENGINE_CONTAINERS_MAX ? "over CONFIG_ENGINE_CONTAINERS_MAX" : "name in use");
		ctr_rec_free(&c->rec);
		free(c);
		return -1;
	}
	c->refs = 1;
	c->backoff_ms = 100;
	t->c[t->n++] = c;
	return 0;
}

static int load_all(struct ctr_table *t, struct berr *e)
{
	struct dirent *d;
	DIR *dir;
	int fd, swept;

	swept = ctr_rec_sweep(t->dirfd, e);
	if (swept > 0)
		log_msg(&t->eng->log, LOG_INFO, "removed %d half-created container(s)", swept);
	fd = openat(t->dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return berr_sys(e, "open containers/");
	dir = fdopendir(fd);
	if (!dir) {
		close(fd);
		return berr_sys(e, "read containers/");
	}
	while ((d = readdir(dir)))
		if (ctr_id_valid(d->d_name))
			load_one(t, d->d_name);
	closedir(dir);
	return 0;
}

/* Containers, shims and proxies live in CGROUP_ROOT (outside berthd's
 * own service group). Without a usable cgroup v2 everything runs without
 * limits, said once. */
static void cgroups_probe(struct engine *eng)
{
	static const char *const dirs[] = { CGROUP_ROOT, CGROUP_ROOT "/shims", CGROUP_ROOT "/proxies" };
	struct statfs sf;
	struct berr e;
	int ok;

	ok = statfs("/sys/fs/cgroup", &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC;
	for (size_t i = 0; ok && i < ARRAY_SIZE(dirs); i++)
		ok = mkdir(dirs[i], 0755) == 0 || errno == EEXIST;
	/* the containers' controllers, for their limits (best effort: a
	 * controller the kernel lacks is simply not limited) */
	if (ok && cgroup_enable("/sys/fs/cgroup", "cpu memory pids io", &e) < 0)
		log_msg(&eng->log, LOG_WARN, "cgroups: %s", e.msg);
	if (ok && cgroup_enable(CGROUP_ROOT, "cpu memory pids io", &e) < 0)
		log_msg(&eng->log, LOG_WARN, "cgroups: %s", e.msg);
	eng->cgroup_ok = ok;
	if (!ok)
		log_msg(&eng->log, LOG_WARN,
			"no usable cgroup v2 at /sys/fs/cgroup: containers run without resource limits");
}

/* The policy and the network configuration are main's (from berth.conf
 * [policy], [network]); an engine whose main set none gets the defaults:
 * every refusal of SECURITY.md, the berth0 bridge on 172.29.0.0/16. */
static int defaults(struct engine *eng, struct berr *e)
{
	if (!eng->policy) {
		eng->policy = malloc(sizeof(*eng->policy));
		if (!eng->policy)
			return berr_set(e, ENOMEM, "policy: out of memory");
		policy_init(eng->policy);
	}
	if (!eng->net) {
		eng->net = malloc(sizeof(*eng->net));
		if (!eng->net)
			return berr_set(e, ENOMEM, "network: out of memory");
		net_conf_init(eng->net);
	}
	return 0;
}

int ctr_conf(struct engine *eng, const char *key, const char *value, struct berr *e)
{
	(void)eng;
	(void)value;
	/* no [engine] key is the containers' (their limits are Kconfig's) */
	return berr_set(e, EINVAL, "[engine] %s: unknown key", key);
}

int ctr_conf_section(struct engine *eng, const char *section, const char *key, const char *value,
		     struct berr *e)
{
	int pol = strcmp(section, "policy") == 0, net = strcmp(section, NET_CONF_SECTION) == 0;

	if (!pol && !net)
		return 1;
	if (defaults(eng, e) < 0)
		return -1;
	return pol ? policy_conf(eng->policy, key, value, e) : net_conf_set(eng->net, key, value, e);
}

int ctr_table_open(struct engine *eng, struct berr *e)
{
	struct ctr_table *t = calloc(1, sizeof(*t));
	int n;

	if (!t)
		return berr_set(e, ENOMEM, "containers: out of memory");
	t->eng = eng;
	pthread_cond_init(&t->cond, NULL);
	if (defaults(eng, e) < 0) {
		free(t);
		return -1;
	}
	cgroups_probe(eng);
	if (mkdirat(eng->store.rootfd, "containers", 0700) < 0 && errno != EEXIST) {
		berr_sys(e, "create %s/containers", eng->conf.data_root);
		goto fail;
	}
	t->dirfd = openat(eng->store.rootfd, "containers", O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (t->dirfd < 0) {
		berr_sys(e, "open %s/containers", eng->conf.data_root);
		goto fail;
	}
	pthread_mutex_lock(&eng->mu);
	eng->ctrs = t;
	if (load_all(t, e) < 0) {
		eng->ctrs = NULL;
		pthread_mutex_unlock(&eng->mu);
		close(t->dirfd);
		goto fail;
	}
	n = t->n;
	pthread_mutex_unlock(&eng->mu);
	log_msg(&eng->log, LOG_INFO, "%d container(s) loaded", n);
	/* reconcile outside mu: it talks to shims, and may start containers */
	for (int i = 0;; i++) {
		struct ctr *c = NULL;

		pthread_mutex_lock(&eng->mu);
		if (i < t->n) {
			c = t->c[i];
			ctr_get_locked(c);
		}
		pthread_mutex_unlock(&eng->mu);
		if (!c)
			break;
		ctr_reconcile(eng, c);
		ctr_put(eng, c);
	}
	return 0;
fail:
	pthread_cond_destroy(&t->cond);
	free(t);
	return -1;
}

void ctr_table_close(struct engine *eng)
{
	struct ctr_table *t = eng->ctrs;

	if (!t)
		return;
	pthread_mutex_lock(&eng->mu);
	t->closing = 1;
	pthread_cond_broadcast(&t->cond);
	pthread_mutex_unlock(&eng->mu);
	/* the watchers end; shims and containers keep running. The table
	 * itself stays: a connection thread may still be finishing a request
	 * with it, and the process is about to exit. */
	ctr_threads_join(eng);
}

/* ------------------------------------------------------------- for E1 */

int ctr_counts(struct engine *eng, int *running, int *paused, int *stopped)
{
	struct ctr_table *t = eng->ctrs;

	*running = *paused = *stopped = 0;
	if (!t)
		return 0;
	pthread_mutex_lock(&eng->mu);
	for (int i = 0; i < t->n; i++) {
		enum ctr_status s = t->c[i]->rec.status;

		if (s == CTR_RUNNING || s == CTR_RESTARTING)
			(*running)++;
		else
			(*stopped)++;
	}
	pthread_mutex_unlock(&eng->mu);
	return 0;
}

int ctr_image_in_use(struct engine *eng, const char *hex)
{
	struct ctr_table *t = eng->ctrs;
	int used = 0;

	if (!t)
		return 0;
	pthread_mutex_lock(&eng->mu);
	for (int i = 0; i < t->n && !used; i++)
		used = strcmp(t->c[i]->rec.image, hex) == 0;
	pthread_mutex_unlock(&eng->mu);
	return used;
}

/* Does body mention volume name as a mount source? Read with the one
 * reader (create_req_parse). */
static int body_uses_volume(const struct ctr *c, const char *name, struct create_req *r)
{
	struct berr e;

	if (create_req_parse(c->rec.body, c->rec.body_len, r, &e) < 0)
		return 0;
	for (int i = 0; i < r->host.n_mounts; i++)
		if (r->host.mounts[i].type == MNT_VOLUME && strcmp(r->host.mounts[i].src, name) == 0)
			return 1;
	return 0;
}

int ctr_volume_in_use(struct engine *eng, const char *name)
{
	struct ctr_table *t = eng->ctrs;
	struct create_req *r;
	int used = 0;

	if (!t)
		return 0;
	r = malloc(sizeof(*r));
	if (!r)
		return 1; /* refusing a removal is the safe answer */
	pthread_mutex_lock(&eng->mu);
	for (int i = 0; i < t->n && !used; i++) {
		size_t n = strlen(t->c[i]->rec.id);

		used = body_uses_volume(t->c[i], name, r);
		/* the anonymous volumes of a container are named after it */
		used |= strncmp(name, t->c[i]->rec.id, n) == 0 && name[n] == '-';
	}
	pthread_mutex_unlock(&eng->mu);
	free(r);
	return used;
}

void ctr_df(struct engine *eng, struct json_w *w)
{
	struct ctr_table *t = eng->ctrs;

	json_w_arr(w);
	if (t) {
		pthread_mutex_lock(&eng->mu);
		for (int i = 0; i < t->n; i++)
			ctr_json_summary(eng, t->c[i], NULL, 1, w);
		pthread_mutex_unlock(&eng->mu);
	}
	json_w_arr_end(w);
}

int ctr_hijack_fd(int fd)
{
	struct timeval none = { 0, 0 };
	int d = fcntl(fd, F_DUPFD_CLOEXEC, 3);

	if (d < 0)
		return -1;
	/* the server's timeouts are for requests: a stream idles freely */
	setsockopt(d, SOL_SOCKET, SO_RCVTIMEO, &none, sizeof(none));
	setsockopt(d, SOL_SOCKET, SO_SNDTIMEO, &none, sizeof(none));
	return d;
}

int ctr_query(struct req *r, const char *name, char *val, size_t n)
{
	size_t qn = strlen(r->query) + 1;
	char *big = malloc(qn < 64 ? 64 : qn);
	int rc;

	/* lib/http's getter decodes every value into the caller's buffer on
	 * the way, so a short buffer fails on another, longer parameter
	 * (filters=…): read into one as long as the query */
	if (!big)
		return -1;
	rc = req_query(r, name, big, qn < 64 ? 64 : qn);
	if (rc == 1) {
		if (strlen(big) >= n)
			rc = -1;
		else
			memcpy(val, big, strlen(big) + 1);
	}
	free(big);
	return rc;
}

int ctr_query_bool(struct req *r, const char *name)
{
	char v[8];

	if (ctr_query(r, name, v, sizeof(v)) != 1)
		return 0;
	return strcmp(v, "1") == 0 || strcasecmp(v, "true") == 0;
}

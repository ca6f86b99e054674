/* ctr_stop.c — ending a container's run and the container: stop (the
 * signal, then SIGKILL), kill, remove (its record first), and attach (to
 * the shim now, or kept for the next start).
 */
#include "runtime/engine/ctr-internal.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/util.h"
#include "runtime/engine/volumes.h"
#include "runtime/policy/create.h"
#include "runtime/shim/client.h"

#define KILL_WAIT_S 10       /* after SIGKILL, how long stop and kill wait for the exit */

/* ---------------------------------------------------------- stop, kill */

static int signal_shim(struct engine *eng, struct ctr *c, int sig, struct berr *e)
{
	int fd = ctr_shim_connect(eng, c, e), rc;

	if (fd < 0)
		return -1;
	rc = shim_kill(fd, sig, e);
	close(fd);
	return rc;
}

/* Wait (mu held) until c has exited since `exits` or deadline passed. */
static int wait_exit_locked(struct ctr_table *t, struct ctr *c, uint64_t exits, int64_t deadline)
{
	while (c->exits == exits && c->rec.status == CTR_RUNNING && !c->gone && engine_now_ns() < deadline)
		ctr_cond_wait_until(t, deadline);
	return c->exits != exits || c->rec.status != CTR_RUNNING;
}

/* After SIGKILL: the exit recorded since `exits`, or an error after
 * KILL_WAIT_S (stop and kill both answer only then). */
static int wait_killed(struct engine *eng, struct ctr *c, uint64_t exits, struct berr *e)
{
	int done;

	pthread_mutex_lock(&eng->mu);
	done = wait_exit_locked(eng->ctrs, c, exits, engine_now_ns() + (int64_t)KILL_WAIT_S * 1000000000);
	pthread_mutex_unlock(&eng->mu);
	if (!done)
		return berr_set(e, ETIMEDOUT, "container %s did not exit within %d seconds of SIGKILL", c->rec.id,
				KILL_WAIT_S);
	return 0;
}

int ctr_stop(struct engine *eng, struct ctr *c, int sig, int secs, struct berr *e)
{
	struct ctr_table *t = eng->ctrs;
	struct ctr_view v;
	uint64_t exits;
	int done;

	if (sig <= 0 || secs < 0) {
		if (ctr_view_load(eng, &c->rec, &v, e) < 0)
			return -1;
		if (sig <= 0)
			sig = ctr_signal_parse(v.stop_signal);
		if (sig <= 0)
			sig = SIGTERM;
		if (secs < 0)
			secs = v.req->stop_timeout_set ? (int)v.req->stop_timeout : CONFIG_ENGINE_STOP_TIMEOUT;
		ctr_view_free(&v);
	}
	pthread_mutex_lock(&eng->mu);
	c->rec.stopped_by_user = 1;
	if (c->rec.status == CTR_RESTARTING) {
		/* a pending restart is cancelled: that is the stop */
		c->restart_ns = 0;
		c->rec.status = CTR_EXITED;
		ctr_save_locked(t, c, e);
		pthread_cond_broadcast(&t->cond);
		pthread_mutex_unlock(&eng->mu);
		return 0;
	}
	if (c->rec.status != CTR_RUNNING) {
		ctr_save_locked(t, c, e);
		pthread_mutex_unlock(&eng->mu);
		return 1;
	}
	ctr_save_locked(t, c, e);
	exits = c->exits;
	pthread_mutex_unlock(&eng->mu);

	if (secs != 0)
		signal_shim(eng, c, sig, e);
	pthread_mutex_lock(&eng->mu);
	done = wait_exit_locked(t, c, exits, engine_now_ns() + (int64_t)secs * 1000000000);
	pthread_mutex_unlock(&eng->mu);
	if (done)
		return 0;
	if (signal_shim(eng, c, SIGKILL, e) < 0 && e->errnum != ESRCH)
		log_msg(&eng->log, LOG_WARN, "container %.12s: SIGKILL: %s", c->rec.id, e->msg);
	return wait_killed(eng, c, exits, e);
}

/* SIGKILL, as dockerd's kill, answers once the container has exited (its
 * exit recorded, so an inspect right after sees it), at most KILL_WAIT_S;
 * another signal answers when it is sent. */
int ctr_kill(struct engine *eng, struct ctr *c, int sig, struct berr *e)
{
	uint64_t exits;

	pthread_mutex_lock(&eng->mu);
	if (c->rec.status != CTR_RUNNING) {
		pthread_mutex_unlock(&eng->mu);
		return berr_set(e, EBUSY, "container %s is not running", c->rec.id);
	}
	if (sig == SIGKILL) {
		c->rec.stopped_by_user = 1;
		ctr_save_locked(eng->ctrs, c, e);
	}
	exits = c->exits;
	pthread_mutex_unlock(&eng->mu);
	if (signal_shim(eng, c, sig, e) < 0)
		return e->errnum == ESRCH ? berr_set(e, EBUSY, "container %s is not running", c->rec.id) : -1;
	if (sig != SIGKILL)
		return 0;
	return wait_killed(eng, c, exits, e);
}

/* ------------------------------------------------------------- remove */

static void volumes_remove(struct engine *eng, const char *id, const char *body, size_t len)
{
	struct create_req *r = malloc(sizeof(*r));
	char name[CTR_ID_LEN + 16];
	struct berr e;

	if (!r)
		return;
	if (create_req_parse(body, len, r, &e) == 0)
		for (int i = 0; i < r->host.n_mounts; i++) {
			if (r->host.mounts[i].type != MNT_VOLUME || *r->host.mounts[i].src)
				continue;
			snprintf(name, sizeof(name), "%s-%d", id, i);
			if (volume_remove(eng, name, &e) < 0 && e.errnum != ENOENT)
				log_msg(&eng->log, LOG_WARN, "container %.12s: %s", id, e.msg);
		}
	free(r);
}

int ctr_remove(struct engine *eng, struct ctr *c, int force, int vols, struct berr *e)
{
	struct ctr_table *t = eng->ctrs;
	char id[CTR_ID_LEN + 1], name[CTR_NAME_MAX];
	char *body = NULL;
	size_t len = 0;
	int rc;

	pthread_mutex_lock(&eng->mu);
	if (ctr_busy_take_locked(t, c, e) < 0) {
		pthread_mutex_unlock(&eng->mu);
		return -1;
	}
	if (c->rec.status == CTR_RUNNING && !force) {
		ctr_busy_drop_locked(t, c);
		pthread_mutex_unlock(&eng->mu);
		return berr_set(e, EBUSY,
				"cannot remove container \"/%s\": container is running: stop the container before removing or force remove",
				c->rec.name);
	}
	c->restart_ns = 0;
	c->rec.stopped_by_user = 1;
	pthread_mutex_unlock(&eng->mu);

	if (ctr_stop(eng, c, SIGKILL, 0, e) < 0) {
		pthread_mutex_lock(&eng->mu);
		ctr_busy_drop_locked(t, c);
		pthread_mutex_unlock(&eng->mu);
		return -1;
	}
	/* a watcher records the exit: wait for it to be done with the run */
	pthread_mutex_lock(&eng->mu);
	while (c->watching && c->rec.status == CTR_RUNNING)
		pthread_cond_wait(&t->cond, &eng->mu);
	pthread_mutex_unlock(&eng->mu);
	ctr_run_teardown(eng, c->rec.id, c->rec.proxy_pid);

	pthread_mutex_lock(&eng->mu);
	snprintf(id, sizeof(id), "%s", c->rec.id);
	snprintf(name, sizeof(name), "%s", c->rec.name);
	if (vols && c->rec.body) {
		body = malloc(c->rec.body_len + 1);
		if (body) {
			memcpy(body, c->rec.body, c->rec.body_len + 1);
			len = c->rec.body_len;
		}
	}
	c->busy = 0;
	rc = ctr_remove_locked(t, c, e);
	pthread_mutex_unlock(&eng->mu);
	if (body)
		volumes_remove(eng, id, body, len);
	free(body);
	if (rc == 0)
		engine_event(eng, "container", "destroy", id, "name", name, NULL);
	return rc;
}

/* -------------------------------------------------------------- attach */

int ctr_attach(struct engine *eng, struct ctr *c, int conn, unsigned flags, struct berr *e)
{
	int fd;

	pthread_mutex_lock(&eng->mu);
	if (!c->shim_up) {
		if (c->n_attach >= CTR_ATTACH_PENDING_MAX) {
			pthread_mutex_unlock(&eng->mu);
			close(conn);
			return berr_set(e, EBUSY, "too many attaches waiting for the start");
		}
		c->attach[c->n_attach].fd = conn;
		c->attach[c->n_attach++].flags = flags;
		pthread_mutex_unlock(&eng->mu);
		return 0;
	}
	pthread_mutex_unlock(&eng->mu);
	fd = ctr_shim_connect(eng, c, e);
	if (fd < 0) {
		close(conn);
		return -1;
	}
	if (shim_attach(fd, conn, flags, e) < 0) {
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}


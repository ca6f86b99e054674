/* import_layers.c — an import's layers, several at once.
 *
 * Layers are independent until overlayfs stacks them, so each distinct
 * layer is one job (gunzip + sha256 in a thread of this process, the tar
 * written by its own berth-unpack), and up to o->jobs run at once, largest
 * blob first. Only this file's caller thread reports events: the workers
 * publish their state under the pool's mutex and their byte counts
 * atomically, and the caller turns them into events about five times a
 * second.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "runtime/image/import-internal.h"

#define WORKER_STACK (256 * 1024)
#define TICK_NS 200000000L

struct pool {
	struct imp *im;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int order[IMPORT_LAYERS_MAX]; /* job indexes, largest blob first */
	int next, done, failed;
};

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The job for layer k of plan p: an earlier one for the same blob and
 * chain, or a new one (unpacked only when no other job nor the store has
 * the chain already). */
static int plan_job(struct imp *im, const struct plan *p, int k, struct berr *e)
{
	const struct image_layer *l = &p->rec.layers[k];
	struct ljob *j;
	int unpack;

	for (int v = 0; v < im->njobs; v++)
		if (strcmp(im->jobs[v].blob, l->blob) == 0 && strcmp(im->jobs[v].chain, l->chain) == 0)
			return 0;
	if (im->njobs >= IMPORT_LAYERS_MAX)
		return berr_set(e, E2BIG, "more than %d distinct layers in one import", IMPORT_LAYERS_MAX);
	unpack = !store_has(im->s, "layers", l->chain);
	for (int v = 0; v < im->njobs && unpack; v++)
		unpack = strcmp(im->jobs[v].chain, l->chain) != 0;
	j = &im->jobs[im->njobs];
	memset(j, 0, sizeof(*j));
	j->blob = l->blob;
	j->config = p->rec.config;
	j->size = p->blob[k]->size;
	memcpy(j->want, l->diff, sizeof(j->want));
	memcpy(j->chain, l->chain, sizeof(j->chain));
	archive_spool_name(im->a, p->blob[k], j->spool, sizeof(j->spool));
	snprintf(j->label, sizeof(j->label), "layer %d/%d %.19s", k + 1, p->rec.nlayers, l->blob);
	j->dir = -1;
	if (unpack) {
		snprintf(j->target, sizeof(j->target), "%s/%s/L%d", im->s->root, im->tmp, im->njobs);
		if (mkdir(j->target, 0755) < 0) {
			im->cls = IMPORT_SYSTEM;
			return berr_sys(e, "mkdir %s", j->target);
		}
		j->dir = im->njobs;
	}
	j->job = (struct layer_job){ .dirfd = im->spoolfd, .spool = j->spool, .comp = p->comp[k],
				     .target = unpack ? j->target : NULL, .unpack = im->o->unpack,
				     .label = j->label, .no_setid = im->o->no_setid,
				     .max_bytes = im->o->max_bytes, .max_entries = im->o->max_entries,
				     .ratio_max = im->o->ratio_max, .userns_base = im->o->userns_base,
				     .userns_size = im->o->userns_size, .hashed = p->blob[k]->digest };
	im->njobs++;
	return 0;
}

static void *worker(void *arg)
{
	struct pool *pl = arg;

	pthread_mutex_lock(&pl->mu);
	while (pl->next < pl->im->njobs && !pl->failed) {
		struct ljob *j = &pl->im->jobs[pl->order[pl->next++]];
		j->t0 = now();
		__atomic_store_n(&j->state, 1, __ATOMIC_RELEASE);
		pthread_mutex_unlock(&pl->mu);
		int rc = layer_run(&j->job, j->diff, &j->err);
		pthread_mutex_lock(&pl->mu);
		j->rc = rc;
		j->secs = now() - j->t0;
		__atomic_store_n(&j->state, 2, __ATOMIC_RELEASE);
		pl->done++;
		pl->failed |= rc < 0;
		pthread_cond_signal(&pl->cv);
	}
	/* jobs never started when another failed count as done */
	pl->done += pl->failed ? pl->im->njobs - pl->next : 0;
	pl->next = pl->im->njobs;
	pthread_cond_signal(&pl->cv);
	pthread_mutex_unlock(&pl->mu);
	return NULL;
}

/* Events for what changed since the last tick (called without the lock:
 * states only move forward, and bytes are read atomically). */
static void report(struct imp *im, int *seen)
{
	for (int v = 0; v < im->njobs; v++) {
		struct ljob *j = &im->jobs[v];
		struct import_event ev = { .label = j->label };
		int state = __atomic_load_n(&j->state, __ATOMIC_ACQUIRE);
		if (state == 0 || (state == 2 && seen[v] == 2))
			continue;
		ev.bytes = __atomic_load_n(&j->job.bytes, __ATOMIC_RELAXED);
		if (seen[v] == 0) {
			ev.kind = IMPORT_LAYER_START;
			import_event(im, &ev);
		}
		ev.kind = state == 2 ? IMPORT_LAYER_DONE : IMPORT_LAYER_PROGRESS;
		ev.secs = state == 2 ? j->secs : now() - j->t0;
		if (state != 2 || j->rc == 0)
			import_event(im, &ev);
		seen[v] = state;
	}
}

/* Job indexes, largest blob first (ties in plan order). */
static void order_by_size(const struct imp *im, int *order)
{
	for (int v = 0; v < im->njobs; v++) {
		int k = v;
		for (; k > 0 && im->jobs[order[k - 1]].size < im->jobs[v].size; k--)
			order[k] = order[k - 1];
		order[k] = v;
	}
}

static int jobs_wanted(const struct imp *im)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	int n = im->o->jobs > 0 ? im->o->jobs : cpus > 0 ? (int)cpus : 1;

	if (n > IMPORT_JOBS_MAX)
		n = IMPORT_JOBS_MAX;
	return n < im->njobs ? n : im->njobs;
}

/* Run every job, the caller's thread reporting progress meanwhile. */
static int run_pool(struct imp *im, struct pool *pl, struct berr *e)
{
	pthread_t th[IMPORT_JOBS_MAX];
	pthread_attr_t attr;
	int nth = 0, want = jobs_wanted(im), seen[IMPORT_LAYERS_MAX] = {0};

	order_by_size(im, pl->order);
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, WORKER_STACK);
	for (; nth < want; nth++)
		if (pthread_create(&th[nth], &attr, worker, pl) != 0)
			break;
	pthread_attr_destroy(&attr);
	if (nth == 0 && im->njobs > 0) {
		im->cls = IMPORT_SYSTEM;
		return berr_set(e, EAGAIN, "cannot start a thread for the layers");
	}
	pthread_mutex_lock(&pl->mu);
	while (pl->done < im->njobs) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += TICK_NS;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&pl->cv, &pl->mu, &ts);
		pthread_mutex_unlock(&pl->mu);
		report(im, seen);
		pthread_mutex_lock(&pl->mu);
	}
	pthread_mutex_unlock(&pl->mu);
	for (int t = 0; t < nth; t++)
		pthread_join(th[t], NULL);
	report(im, seen);
	return 0;
}

/* The first failed job, in plan order, names the error; then every
 * diff_id is checked against the config. */
static int verdict(struct imp *im, struct berr *e)
{
	for (int v = 0; v < im->njobs; v++) {
		struct ljob *j = &im->jobs[v];
		if (j->state == 2 && j->rc < 0) {
			im->cls = j->job.sys_failed ? IMPORT_SYSTEM : IMPORT_REFUSED;
			*e = j->err;
			return berr_prefix(e, "layer %s", j->blob);
		}
	}
	for (int v = 0; v < im->njobs; v++) {
		struct ljob *j = &im->jobs[v];
		if (strcmp(j->diff, j->want) != 0)
			return berr_set(e, EBADMSG, "layer %s: diff_id mismatch: config %s says %s, "
					"the uncompressed layer hashes to %s", j->blob, j->config, j->want, j->diff);
	}
	return 0;
}

int import_layers(struct imp *im, struct berr *e)
{
	struct pool *pl = calloc(1, sizeof(*pl));
	int rc = -1;

	if (!pl) {
		im->cls = IMPORT_SYSTEM;
		return berr_set(e, ENOMEM, "out of memory");
	}
	pl->im = im;
	pthread_mutex_init(&pl->mu, NULL);
	pthread_cond_init(&pl->cv, NULL);
	im->njobs = 0;
	for (int i = 0; i < im->n; i++)
		for (int k = 0; k < im->img[i].rec.nlayers; k++)
			if (plan_job(im, &im->img[i], k, e) < 0)
				goto out;
	if (run_pool(im, pl, e) == 0 && verdict(im, e) == 0)
		rc = 0;
out:
	pthread_cond_destroy(&pl->cv);
	pthread_mutex_destroy(&pl->mu);
	free(pl);
	return rc;
}

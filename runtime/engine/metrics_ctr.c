/* metrics_ctr.c — the containers' families: the table is copied under
 * eng->mu first (state, restarts, start time, pid), then each running
 * container's cgroup and network files are read without it
 * (metrics_ctr_out.c) and the families written.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/engine/ctr-internal.h"
#include "runtime/engine/metrics.h"

#define CGROUP_ROOT "/sys/fs/cgroup/" CONFIG_LAUNCH_CGROUP_PARENT

static int snapshot(struct engine *eng, struct metrics_ctr *out, int max)
{
	int n = 0;

	pthread_mutex_lock(&eng->mu);
	for (int i = 0; eng->ctrs && i < eng->ctrs->n && n < max; i++) {
		const struct ctr *c = eng->ctrs->c[i];
		struct metrics_ctr *m = &out[n];

		if (c->gone)
			continue;
		memset(m, 0, sizeof(*m));
		snprintf(m->id, sizeof(m->id), "%s", c->rec.id);
		snprintf(m->name, sizeof(m->name), "%s", c->rec.name);
		snprintf(m->image, sizeof(m->image), "%s", c->rec.image_ref);
		snprintf(m->state, sizeof(m->state), "%s", ctr_status_name(c->rec.status));
		m->running = c->rec.status == CTR_RUNNING;
		m->pid = c->rec.pid;
		m->restarts = c->rec.restart_count;
		m->started_ns = c->rec.started_ns;
		n++;
	}
	pthread_mutex_unlock(&eng->mu);
	return n;
}

void metrics_ctr(struct engine *eng, struct prom_w *w)
{
	struct metrics_ctr *cs = calloc(CONFIG_ENGINE_CONTAINERS_MAX, sizeof(*cs));
	int n = 0;

	if (cs) {
		n = snapshot(eng, cs, CONFIG_ENGINE_CONTAINERS_MAX);
		for (int i = 0; i < n; i++)
			if (cs[i].running)
				metrics_ctr_read(&cs[i], CGROUP_ROOT, "/proc");
	}
	metrics_ctr_write(w, cs, n);
	free(cs);
}

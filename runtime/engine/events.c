/* events.c — the event ring of GET /events: the last
 * CONFIG_ENGINE_EVENTS_MAX events in memory (none survive a restart, as
 * with dockerd), a condition variable for the streams that follow it.
 */
#include <stdarg.h>
#include <string.h>
#include <time.h>

#include "runtime/engine/engine.h"

int64_t engine_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void copy(char *dst, size_t n, const char *s)
{
	size_t l = s ? strnlen(s, n - 1) : 0;

	memcpy(dst, s ? s : "", l);
	dst[l] = '\0';
}

void engine_event(struct engine *eng, const char *type, const char *action, const char *id, ...)
{
	struct engine_ev ev;
	size_t off = 0;
	const char *k;
	va_list ap;

	memset(&ev, 0, sizeof(ev));
	ev.time_ns = engine_now_ns();
	copy(ev.type, sizeof(ev.type), type);
	copy(ev.action, sizeof(ev.action), action);
	copy(ev.id, sizeof(ev.id), id);
	va_start(ap, id);
	while ((k = va_arg(ap, const char *))) {
		const char *v = va_arg(ap, const char *);
		size_t kl = strlen(k) + 1, vl = strlen(v ? v : "") + 1;

		if (!v || off + kl + vl + 1 > sizeof(ev.attrs))
			continue;	/* left out: it does not fit */
		memcpy(ev.attrs + off, k, kl);
		memcpy(ev.attrs + off + kl, v, vl);
		off += kl + vl;
	}
	va_end(ap);
	pthread_mutex_lock(&eng->mu);
	ev.seq = eng->events->next++;
	eng->events->ring[ev.seq % CONFIG_ENGINE_EVENTS_MAX] = ev;
	pthread_cond_broadcast(&eng->ev_cond);
	pthread_mutex_unlock(&eng->mu);
}

int engine_events_after(struct engine *eng, uint64_t seq, struct engine_ev *out, int n, int *lost)
{
	const struct engine_events *r = eng->events;
	uint64_t first;
	int k = 0;

	pthread_mutex_lock(&eng->mu);
	first = r->next > CONFIG_ENGINE_EVENTS_MAX ? r->next - CONFIG_ENGINE_EVENTS_MAX : 1;
	*lost = seq + 1 < first;
	if (seq + 1 > first)
		first = seq + 1;
	for (uint64_t s = first; s < r->next && k < n; s++)
		out[k++] = r->ring[s % CONFIG_ENGINE_EVENTS_MAX];
	pthread_mutex_unlock(&eng->mu);
	return k;
}

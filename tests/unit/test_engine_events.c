/* test_engine_events.c — berthd's event ring (events.c), the filters
 * parameter (filters.c) and its time formats (api_util.c). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/engine/api_util.h"
#include "runtime/engine/engine.h"
#include "runtime/engine/filters.h"
#include "tests/unit/unit.h"

static struct engine *mk(void)
{
	struct engine *eng = calloc(1, sizeof(*eng));

	pthread_mutex_init(&eng->mu, NULL);
	pthread_cond_init(&eng->ev_cond, NULL);
	eng->events = calloc(1, sizeof(*eng->events));
	eng->events->next = 1;
	return eng;
}

static void test_ring(void)
{
	struct engine *eng = mk();
	struct engine_ev *out = calloc(CONFIG_ENGINE_EVENTS_MAX, sizeof(*out));
	int lost, n;
	char id[16];

	engine_event(eng, "container", "start", "abc", "name", "web", "image", "busybox", NULL);
	n = engine_events_after(eng, 0, out, 8, &lost);
	CHECK_INT(n, 1);
	CHECK_INT(lost, 0);
	CHECK_STR(out[0].type, "container");
	CHECK_STR(out[0].action, "start");
	CHECK_STR(out[0].id, "abc");
	CHECK_STR(out[0].attrs, "name");
	CHECK_STR(out[0].attrs + 5, "web");
	CHECK_STR(out[0].attrs + 9, "image");
	CHECK_INT(engine_events_after(eng, 1, out, 8, &lost), 0);
	/* past the ring's size: the oldest are gone, and said to be */
	for (int i = 0; i < CONFIG_ENGINE_EVENTS_MAX + 5; i++) {
		snprintf(id, sizeof(id), "%d", i);
		engine_event(eng, "volume", "create", id, NULL);
	}
	n = engine_events_after(eng, 0, out, CONFIG_ENGINE_EVENTS_MAX, &lost);
	CHECK_INT(n, CONFIG_ENGINE_EVENTS_MAX);
	CHECK_INT(lost, 1);
	CHECK_STR(out[n - 1].id, id);
	CHECK(out[0].seq + CONFIG_ENGINE_EVENTS_MAX - 1 == out[n - 1].seq);
}

static void test_attrs_bounded(void)
{
	struct engine *eng = mk();
	struct engine_ev out[1];
	char *big = malloc(CONFIG_ENGINE_EVENT_ATTRS_BYTES + 10);
	int lost;

	memset(big, 'x', CONFIG_ENGINE_EVENT_ATTRS_BYTES + 9);
	big[CONFIG_ENGINE_EVENT_ATTRS_BYTES + 9] = '\0';
	/* an attribute that does not fit is left out, the others kept */
	engine_event(eng, "container", "die", "id", "huge", big, "exitCode", "3", NULL);
	CHECK_INT(engine_events_after(eng, 0, out, 1, &lost), 1);
	CHECK_STR(out[0].attrs, "exitCode");
	CHECK_STR(out[0].attrs + 9, "3");
}

static void test_filters(void)
{
	static const char *const keys[] = { "type", "container", "dangling", NULL };
	struct filters f;
	struct berr e;

	CHECK_INT(filters_parse("{\"type\":{\"container\":true,\"image\":true},\"dangling\":[\"true\"]}", keys, &f, &e), 0);
	CHECK_INT(filters_count(&f, "type"), 2);
	CHECK_STR(filters_get(&f, "type", 1), "image");
	CHECK_STR(filters_get(&f, "dangling", 0), "true");
	CHECK(filters_get(&f, "type", 2) == NULL);
	CHECK_INT(filters_match(&f, "type", "image"), 1);
	CHECK_INT(filters_match(&f, "type", "volume"), 0);
	CHECK_INT(filters_match(&f, "container", "anything"), 1);
	/* false values are not filters */
	CHECK_INT(filters_parse("{\"type\":{\"container\":false}}", keys, &f, &e), 0);
	CHECK_INT(filters_count(&f, "type"), 0);
	CHECK_INT(filters_parse("", keys, &f, &e), 0);
	CHECK_INT(f.n, 0);
	CHECK_INT(filters_parse("{\"bogus\":{\"x\":true}}", keys, &f, &e), -1);
	CHECK(strstr(e.msg, "invalid filter 'bogus'"));
	CHECK_INT(filters_parse("{\"type\":{\"a\":true},\"type\":{\"b\":true}}", keys, &f, &e), -1);
	CHECK_INT(filters_parse("{\"type\":\"container\"}", keys, &f, &e), -1);
	CHECK_INT(filters_parse("{\"type\":{\"a\":1}}", keys, &f, &e), -1);
	CHECK_INT(filters_parse("[", keys, &f, &e), -1);
}

static void test_times(void)
{
	char buf[40];
	int64_t ns;

	api_rfc3339(1796065476768891869LL, buf, sizeof(buf));
	CHECK_STR(buf, "2026-11-30T19:04:36.768891869Z");
	CHECK_INT(api_parse_rfc3339(buf, &ns), 0);
	CHECK_INT(ns, 1796065476768891869LL);
	CHECK_INT(api_parse_rfc3339("2026-01-02T03:04:05Z", &ns), 0);
	CHECK_INT(ns, 1767323045LL * 1000000000);
	CHECK_INT(api_parse_rfc3339("2026-01-02T03:04:05.5+01:00", &ns), 0);
	CHECK_INT(ns, (1767323045LL - 3600) * 1000000000 + 500000000);
	CHECK_INT(api_parse_rfc3339("2026-01-02", &ns), -1);
	CHECK_INT(api_parse_rfc3339("2026-13-02T03:04:05Z", &ns), -1);
	CHECK_INT(api_parse_rfc3339("2026-01-02T03:04:05", &ns), -1);
}

UNIT_MAIN(UNIT(test_ring), UNIT(test_attrs_bounded), UNIT(test_filters), UNIT(test_times))

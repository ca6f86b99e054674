/* test_prom.c — the text-format writer: HELP/TYPE, escaping, values (integers,
 * shortest doubles, NaN/±Inf), flushing through a tiny buffer, errors, and the
 * histogram (cumulative buckets, concurrent observes). */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "lib/prom.h"
#include "tests/unit/unit.h"

struct sink {
	char out[8192];
	size_t len;
	int calls;
	int fail_at;		/* fail the Nth call (1-based); 0 never */
};

static int sink_flush(void *arg, const char *data, size_t len, struct berr *e)
{
	struct sink *s = arg;

	s->calls++;
	if (s->fail_at && s->calls == s->fail_at)
		return berr_set(e, EPIPE, "sink: closed");
	if (s->len + len >= sizeof(s->out))
		return berr_set(e, ENOBUFS, "sink: full");
	memcpy(s->out + s->len, data, len);
	s->len += len;
	s->out[s->len] = 0;
	return 0;
}

/* Write a fixed document into w. */
static void document(struct prom_w *w)
{
	const char *const l1[] = { "id", "abc", "name", "web-1", NULL };
	const char *const l2[] = { "path", "C:\\dir\n\"x\"", NULL };

	prom_family(w, "berth_test_bytes", "gauge", "Bytes; a \\ backslash\nand \"quotes\".");
	prom_sample_u64(w, "berth_test_bytes", l1, 18446744073709551615ull);
	prom_sample(w, "berth_test_bytes", l2, 0.1);
	prom_sample(w, "berth_test_bytes", NULL, 1e21);
	prom_family(w, "berth_test_total", "counter", NULL);
	prom_sample_i64(w, "berth_test_total", NULL, -5);
}

static const char want_doc[] =
	"# HELP berth_test_bytes Bytes; a \\\\ backslash\\nand \"quotes\".\n"
	"# TYPE berth_test_bytes gauge\n"
	"berth_test_bytes{id=\"abc\",name=\"web-1\"} 18446744073709551615\n"
	"berth_test_bytes{path=\"C:\\\\dir\\n\\\"x\\\"\"} 0.1\n"
	"berth_test_bytes 1e+21\n"
	"# TYPE berth_test_total counter\n"
	"berth_test_total -5\n";

static void writes_families_and_escapes(void)
{
	char buf[1024];
	struct prom_w w;
	struct berr e;

	prom_w_init(&w, buf, sizeof(buf), NULL, NULL);
	document(&w);
	CHECK_INT(prom_w_finish(&w, &e), 0);
	buf[w.len] = 0;
	CHECK_STR(buf, want_doc);
	CHECK_INT(w.total, strlen(want_doc));
}

static void flushes_through_a_tiny_buffer(void)
{
	for (size_t size = 1; size <= 40; size++) {
		char buf[40];
		struct sink s = { .len = 0 };
		struct prom_w w;
		struct berr e;

		prom_w_init(&w, buf, size, sink_flush, &s);
		document(&w);
		CHECK_INT(prom_w_finish(&w, &e), 0);
		CHECK_STR(s.out, want_doc);
		CHECK(s.calls >= (int)(strlen(want_doc) / size));
	}
}

static void formats_values(void)
{
	static const struct { double v; const char *want; } cases[] = {
		{ 0, "0" }, { -0.5, "-0.5" }, { 1, "1" }, { 0.005, "0.005" }, { 2.5, "2.5" },
		{ 1.0 / 3, "0.3333333333333333" }, { 123456789012.0, "123456789012" },
		{ 0.1 + 0.2, "0.30000000000000004" }, { 1e-9, "1e-09" }, { 4096.25, "4096.25" },
	};
	char buf[256], want[128];
	struct prom_w w;
	struct berr e;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		prom_w_init(&w, buf, sizeof(buf), NULL, NULL);
		prom_sample(&w, "x", NULL, cases[i].v);
		CHECK_INT(prom_w_finish(&w, &e), 0);
		buf[w.len] = 0;
		snprintf(want, sizeof(want), "x %s\n", cases[i].want);
		CHECK_STR(buf, want);
	}
	prom_w_init(&w, buf, sizeof(buf), NULL, NULL);
	prom_sample(&w, "a", NULL, NAN);
	prom_sample(&w, "b", NULL, INFINITY);
	prom_sample(&w, "c", NULL, -INFINITY);
	CHECK_INT(prom_w_finish(&w, &e), 0);
	buf[w.len] = 0;
	CHECK_STR(buf, "a NaN\nb +Inf\nc -Inf\n");
}

static void refuses_bad_names_and_types(void)
{
	static const char *const bad_label[] = { "1x", "v", NULL };
	static const char *const reserved[] = { "__name__", "v", NULL };
	static const char *const colon[] = { "a:b", "v", NULL };
	char buf[256];
	struct prom_w w;
	struct berr e;

	prom_w_init(&w, buf, sizeof(buf), NULL, NULL);
	prom_family(&w, "ok_name:sub", "gauge", "h");
	CHECK_INT(prom_w_finish(&w, &e), 0);

	const char *bad_names[] = { "", "9lives", "a-b", "a b", "é" };
	for (size_t i = 0; i < sizeof(bad_names) / sizeof(bad_names[0]); i++) {
		prom_w_init(&w, buf, sizeof(buf), NULL, NULL);
		prom_sample(&w, bad_names[i], NULL, 1);
		CHECK(prom_w_finish(&w, &e) < 0);
		CHECK(strstr(e.msg, "invalid metric name"));
	}
	prom_w_init(&w, buf, sizeof(buf), NULL, NULL);
	prom_family(&w, "x", "gauges", "h");
	CHECK(prom_w_finish(&w, &e) < 0);
	CHECK(strstr(e.msg, "unknown metric type \"gauges\""));

	const char *const *labels[] = { bad_label, reserved, colon };
	for (size_t i = 0; i < 3; i++) {
		prom_w_init(&w, buf, sizeof(buf), NULL, NULL);
		prom_sample(&w, "x", labels[i], 1);
		CHECK(prom_w_finish(&w, &e) < 0);
		CHECK(strstr(e.msg, "invalid label name"));
	}
}

static void reports_the_first_error(void)
{
	char buf[8];
	struct sink s = { .fail_at = 2 };
	struct prom_w w;
	struct berr e;

	/* without a callback the buffer must hold everything */
	prom_w_init(&w, buf, sizeof(buf), NULL, NULL);
	prom_sample(&w, "a_long_name", NULL, 1);
	CHECK(prom_w_finish(&w, &e) < 0);
	CHECK_INT(e.errnum, ENOBUFS);

	/* a failing flush stops everything; a later bad name does not replace it */
	prom_w_init(&w, buf, sizeof(buf), sink_flush, &s);
	document(&w);
	prom_sample(&w, "bad name", NULL, 1);
	CHECK(prom_w_finish(&w, &e) < 0);
	CHECK_INT(e.errnum, EPIPE);
	CHECK_STR(e.msg, "sink: closed");
	CHECK_INT(s.calls, 2);
	CHECK_INT(s.len, 8);
}

static void writes_histograms(void)
{
	static const double bounds[] = { 0.005, 0.1, 1, 2.5 };
	const char *const labels[] = { "route", "/x/{id}", NULL };
	char buf[1024];
	struct prom_hist h;
	struct prom_w w;
	struct berr e;

	prom_hist_init(&h, bounds, 4);
	prom_hist_observe(&h, 0.005);	/* on a bound: counted in it */
	prom_hist_observe(&h, 0.05);
	prom_hist_observe(&h, 0.5);
	prom_hist_observe(&h, 7);
	prom_w_init(&w, buf, sizeof(buf), NULL, NULL);
	prom_family(&w, "d_seconds", "histogram", "How long.");
	prom_hist_write(&w, "d_seconds", labels, &h);
	prom_hist_write(&w, "e_seconds", NULL, &h);
	CHECK_INT(prom_w_finish(&w, &e), 0);
	buf[w.len] = 0;
	CHECK_STR(buf,
		  "# HELP d_seconds How long.\n"
		  "# TYPE d_seconds histogram\n"
		  "d_seconds_bucket{route=\"/x/{id}\",le=\"0.005\"} 1\n"
		  "d_seconds_bucket{route=\"/x/{id}\",le=\"0.1\"} 2\n"
		  "d_seconds_bucket{route=\"/x/{id}\",le=\"1\"} 3\n"
		  "d_seconds_bucket{route=\"/x/{id}\",le=\"2.5\"} 3\n"
		  "d_seconds_bucket{route=\"/x/{id}\",le=\"+Inf\"} 4\n"
		  "d_seconds_sum{route=\"/x/{id}\"} 7.555\n"
		  "d_seconds_count{route=\"/x/{id}\"} 4\n"
		  "e_seconds_bucket{le=\"0.005\"} 1\n"
		  "e_seconds_bucket{le=\"0.1\"} 2\n"
		  "e_seconds_bucket{le=\"1\"} 3\n"
		  "e_seconds_bucket{le=\"2.5\"} 3\n"
		  "e_seconds_bucket{le=\"+Inf\"} 4\n"
		  "e_seconds_sum 7.555\n"
		  "e_seconds_count 4\n");
	/* more bounds than fit are clamped */
	double many[20];
	for (int i = 0; i < 20; i++)
		many[i] = i;
	prom_hist_init(&h, many, 20);
	CHECK_INT(h.n, PROM_HIST_MAX);
}

#define NTHREADS 4
#define NOBS 20000

static void *observer(void *arg)
{
	struct prom_hist *h = arg;

	for (int i = 0; i < NOBS; i++)
		prom_hist_observe(h, (i % 4) * 0.5);	/* 0, .5, 1, 1.5: exact sums */
	return NULL;
}

static void observes_concurrently(void)
{
	static const double bounds[] = { 0.25, 1 };
	pthread_t t[NTHREADS];
	struct prom_hist h;
	double sum;

	prom_hist_init(&h, bounds, 2);
	for (int i = 0; i < NTHREADS; i++)
		CHECK(pthread_create(&t[i], NULL, observer, &h) == 0);
	for (int i = 0; i < NTHREADS; i++)
		pthread_join(t[i], NULL);
	CHECK_INT(h.counts[0], NTHREADS * NOBS / 4);
	CHECK_INT(h.counts[1], NTHREADS * NOBS / 2);
	CHECK_INT(h.counts[2], NTHREADS * NOBS / 4);
	memcpy(&sum, &h.sum_bits, sizeof(sum));
	CHECK(sum == NTHREADS * (NOBS / 4) * 3.0);
}

UNIT_MAIN(UNIT(writes_families_and_escapes), UNIT(flushes_through_a_tiny_buffer),
	  UNIT(formats_values), UNIT(refuses_bad_names_and_types), UNIT(reports_the_first_error),
	  UNIT(writes_histograms), UNIT(observes_concurrently))

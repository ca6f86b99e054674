/* metrics.c — apid's own metric families (tls-apis.md §3), appended to
 * berthd's GET /metrics body:
 *   berth_api_requests_total{method,route,code}   route: the table's pattern
 *   berth_api_request_duration_seconds{route}     histogram
 *   berth_api_tls_handshakes_total{result}        ok|no_certificate|bad_certificate|protocol_error
 *   berth_api_connections_open, berth_api_connections_total
 * Counters live under one mutex (a request is counted once, at its end);
 * the histograms are lib/prom's lock-free ones, one per route row.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/api/apid.h"

static const double bounds[] = { .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10 };

static int n_rows(void)
{
	int n = 0;

	while (api_route_table[n].method)
		n++;
	return n;
}

static int row_of(const struct api_route *rt)
{
	return rt == &api_route_other ? n_rows() : (int)(rt - api_route_table);
}

int metrics_init(struct api_metrics *m, struct berr *e)
{
	memset(m, 0, sizeof(*m));
	pthread_mutex_init(&m->mu, NULL);
	m->n_dur = n_rows() + 1;
	m->dur = calloc((size_t)m->n_dur, sizeof(*m->dur));
	if (!m->dur)
		return berr_set(e, ENOMEM, "metrics: out of memory");
	for (int i = 0; i < m->n_dur; i++)
		prom_hist_init(&m->dur[i], bounds, (int)(sizeof(bounds) / sizeof(bounds[0])));
	return 0;
}

void metrics_request(struct api_metrics *m, const struct api_route *rt, const char *method,
		     int code, double seconds)
{
	int i;

	prom_hist_observe(&m->dur[row_of(rt)], seconds);
	pthread_mutex_lock(&m->mu);
	for (i = 0; i < m->n_req; i++)
		if (m->req[i].rt == rt && m->req[i].code == code && !strcmp(m->req[i].method, method))
			break;
	if (i == m->n_req && i < API_REQ_SERIES_MAX) {
		m->req[i].rt = rt;
		m->req[i].code = code;
		snprintf(m->req[i].method, sizeof(m->req[i].method), "%s", method);
		m->n_req++;
	}
	if (i < m->n_req)
		m->req[i].n++;
	pthread_mutex_unlock(&m->mu);
}

void metrics_handshake(struct api_metrics *m, enum tls_fail f)
{
	pthread_mutex_lock(&m->mu);
	switch (f) {
	case TLS_FAIL_NONE: m->hs_ok++; break;
	case TLS_FAIL_NO_CERT: m->hs_no_cert++; break;
	case TLS_FAIL_BAD_CERT: m->hs_bad_cert++; break;
	default: m->hs_protocol++; break;
	}
	pthread_mutex_unlock(&m->mu);
}

void metrics_write(struct apid *d, struct prom_w *w)
{
	struct api_metrics *m = &d->metrics;
	static const char *const results[] = { "ok", "no_certificate", "bad_certificate", "protocol_error" };
	uint64_t hs[4], open, total;
	char code[8];

	prom_family(w, "berth_api_requests_total", "counter", "Requests answered by berth-apid.");
	pthread_mutex_lock(&m->mu);
	for (int i = 0; i < m->n_req; i++) {
		const char *labels[] = { "method", m->req[i].method, "route", m->req[i].rt->pattern,
					 "code", code, NULL };

		snprintf(code, sizeof(code), "%d", m->req[i].code);
		prom_sample_u64(w, "berth_api_requests_total", labels, m->req[i].n);
	}
	hs[0] = m->hs_ok, hs[1] = m->hs_no_cert, hs[2] = m->hs_bad_cert, hs[3] = m->hs_protocol;
	pthread_mutex_unlock(&m->mu);
	prom_family(w, "berth_api_request_duration_seconds", "histogram",
		    "Time from a request's head to the end of its answer, by route.");
	for (int i = 0; i < m->n_dur; i++) {
		const struct api_route *rt = i < m->n_dur - 1 ? &api_route_table[i] : &api_route_other;
		const char *labels[] = { "route", rt->pattern, NULL };

		uint64_t any = 0;

		for (int b = 0; b <= m->dur[i].n; b++)
			any |= m->dur[i].counts[b];
		if (any)
			prom_hist_write(w, "berth_api_request_duration_seconds", labels, &m->dur[i]);
	}
	prom_family(w, "berth_api_tls_handshakes_total", "counter", "TLS handshakes by result.");
	for (int i = 0; i < 4; i++) {
		const char *labels[] = { "result", results[i], NULL };

		prom_sample_u64(w, "berth_api_tls_handshakes_total", labels, hs[i]);
	}
	pthread_mutex_lock(&d->mu);
	open = (uint64_t)d->n_conns;
	total = m->conns_total;
	pthread_mutex_unlock(&d->mu);
	prom_family(w, "berth_api_connections_open", "gauge", "Client connections open now.");
	prom_sample_u64(w, "berth_api_connections_open", NULL, open);
	prom_family(w, "berth_api_connections_total", "counter", "Client connections accepted.");
	prom_sample_u64(w, "berth_api_connections_total", NULL, total);
}

/* prom.c — Prometheus text format 0.0.4: buffered writer, histograms. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/prom.h"

void prom_w_init(struct prom_w *w, char *buf, size_t size, prom_flush_fn *flush, void *arg)
{
	memset(w, 0, sizeof(*w));
	w->buf = buf;
	w->size = size;
	w->flush = flush;
	w->arg = arg;
	if (!buf || !size) {
		w->failed = 1;
		berr_set(&w->err, EINVAL, "prom: no buffer");
	}
}

static int do_flush(struct prom_w *w)
{
	if (!w->len)
		return 0;
	if (!w->flush) {
		w->failed = 1;
		return berr_set(&w->err, ENOBUFS, "prom: output exceeds %zu bytes", w->size);
	}
	if (w->flush(w->arg, w->buf, w->len, &w->err) < 0) {
		w->failed = 1;
		return -1;
	}
	w->len = 0;
	return 0;
}

static void put(struct prom_w *w, const char *s, size_t n)
{
	while (n && !w->failed) {
		size_t k;

		if (w->len == w->size && do_flush(w) < 0)
			return;
		k = w->size - w->len;
		if (k > n)
			k = n;
		memcpy(w->buf + w->len, s, k);
		w->len += k;
		w->total += k;
		s += k;
		n -= k;
	}
}

static void puts_(struct prom_w *w, const char *s)
{
	put(w, s, strlen(s));
}

static void fail(struct prom_w *w, const char *what, const char *name)
{
	if (w->failed)
		return;
	w->failed = 1;
	berr_set(&w->err, EINVAL, "prom: %s \"%.64s\"", what, name ? name : "(null)");
}

/* [a-zA-Z_:][a-zA-Z0-9_:]* for metric names; labels: no colon, no __ prefix. */
static int name_ok(const char *s, int label)
{
	if (!s || !*s)
		return 0;
	if (label && s[0] == '_' && s[1] == '_')
		return 0;
	for (const char *p = s; *p; p++) {
		int alpha = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == '_';
		int digit = *p >= '0' && *p <= '9';

		if (!alpha && !(digit && p != s) && !(!label && *p == ':'))
			return 0;
	}
	return 1;
}

/* Escape backslash and newline, and the double quote when quote is set. */
static void put_escaped(struct prom_w *w, const char *s, int quote)
{
	const char *run = s;

	for (; *s; s++) {
		const char *rep = NULL;

		if (*s == '\\')
			rep = "\\\\";
		else if (*s == '\n')
			rep = "\\n";
		else if (quote && *s == '"')
			rep = "\\\"";
		if (!rep)
			continue;
		put(w, run, (size_t)(s - run));
		puts_(w, rep);
		run = s + 1;
	}
	put(w, run, (size_t)(s - run));
}

void prom_family(struct prom_w *w, const char *name, const char *type, const char *help)
{
	static const char *const types[] = { "counter", "gauge", "histogram", "summary", "untyped" };
	int known = 0;

	if (w->failed)
		return;
	if (!name_ok(name, 0))
		return fail(w, "invalid metric name", name);
	for (size_t i = 0; type && i < sizeof(types) / sizeof(types[0]); i++)
		known |= !strcmp(type, types[i]);
	if (!known)
		return fail(w, "unknown metric type", type);
	if (help) {
		puts_(w, "# HELP ");
		puts_(w, name);
		put(w, " ", 1);
		put_escaped(w, help, 0);
		put(w, "\n", 1);
	}
	puts_(w, "# TYPE ");
	puts_(w, name);
	put(w, " ", 1);
	puts_(w, type);
	put(w, "\n", 1);
}

/* name{k="v",…,xk="xv"} (the extra pair is for a histogram's le). */
static void put_head(struct prom_w *w, const char *name, const char *const *labels,
		     const char *xk, const char *xv)
{
	int first = 1;

	if (!name_ok(name, 0))
		return fail(w, "invalid metric name", name);
	puts_(w, name);
	for (const char *const *l = labels; l && *l; l += 2) {
		if (!name_ok(l[0], 1))
			return fail(w, "invalid label name", l[0]);
		put(w, first ? "{" : ",", 1);
		first = 0;
		puts_(w, l[0]);
		put(w, "=\"", 2);
		put_escaped(w, l[1] ? l[1] : "", 1);
		put(w, "\"", 1);
	}
	if (xk) {
		put(w, first ? "{" : ",", 1);
		first = 0;
		puts_(w, xk);
		put(w, "=\"", 2);
		puts_(w, xv);
		put(w, "\"", 1);
	}
	if (!first)
		put(w, "}", 1);
	put(w, " ", 1);
}

/* The shortest of %.15g..%.17g that reads back to v; NaN, +Inf, -Inf. */
static void fmt_double(char *out, size_t size, double v)
{
	if (isnan(v)) {
		snprintf(out, size, "NaN");
		return;
	}
	if (isinf(v)) {
		snprintf(out, size, v > 0 ? "+Inf" : "-Inf");
		return;
	}
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(out, size, "%.*g", prec, v);
		if (strtod(out, NULL) == v)
			return;
	}
}

static void sample_str(struct prom_w *w, const char *name, const char *const *labels,
		       const char *xk, const char *xv, const char *val)
{
	if (w->failed)
		return;
	put_head(w, name, labels, xk, xv);
	puts_(w, val);
	put(w, "\n", 1);
}

void prom_sample(struct prom_w *w, const char *name, const char *const *labels, double v)
{
	char num[40];

	fmt_double(num, sizeof(num), v);
	sample_str(w, name, labels, NULL, NULL, num);
}

void prom_sample_u64(struct prom_w *w, const char *name, const char *const *labels, uint64_t v)
{
	char num[24];

	snprintf(num, sizeof(num), "%" PRIu64, v);
	sample_str(w, name, labels, NULL, NULL, num);
}

void prom_sample_i64(struct prom_w *w, const char *name, const char *const *labels, int64_t v)
{
	char num[24];

	snprintf(num, sizeof(num), "%" PRId64, v);
	sample_str(w, name, labels, NULL, NULL, num);
}

int prom_w_finish(struct prom_w *w, struct berr *e)
{
	if (!w->failed && w->flush)
		do_flush(w);
	if (w->failed) {
		*e = w->err;
		return -1;
	}
	return 0;
}

void prom_hist_init(struct prom_hist *h, const double *bounds, int n)
{
	memset(h, 0, sizeof(*h));
	if (n < 0)
		n = 0;
	if (n > PROM_HIST_MAX)
		n = PROM_HIST_MAX;
	h->n = n;
	for (int i = 0; i < n; i++)
		h->bounds[i] = bounds[i];
}

void prom_hist_observe(struct prom_hist *h, double v)
{
	int i = 0;
	uint64_t old, new;
	double sum;

	while (i < h->n && !(v <= h->bounds[i]))
		i++;
	__atomic_fetch_add(&h->counts[i], 1, __ATOMIC_RELAXED);
	old = __atomic_load_n(&h->sum_bits, __ATOMIC_RELAXED);
	do {
		memcpy(&sum, &old, sizeof(sum));
		sum += v;
		memcpy(&new, &sum, sizeof(new));
	} while (!__atomic_compare_exchange_n(&h->sum_bits, &old, new, 1, __ATOMIC_RELAXED,
					      __ATOMIC_RELAXED));
}

void prom_hist_write(struct prom_w *w, const char *name, const char *const *labels,
		     const struct prom_hist *h)
{
	char sname[160], le[40], num[40];
	uint64_t cum = 0, bits;
	double sum;
	size_t n = strlen(name);

	if (w->failed)
		return;
	if (n + sizeof("_bucket") > sizeof(sname))
		return fail(w, "metric name too long", name);
	memcpy(sname, name, n);
	for (int i = 0; i <= h->n; i++) {
		cum += __atomic_load_n(&h->counts[i], __ATOMIC_RELAXED);
		if (i < h->n)
			fmt_double(le, sizeof(le), h->bounds[i]);
		else
			snprintf(le, sizeof(le), "+Inf");
		snprintf(num, sizeof(num), "%" PRIu64, cum);
		memcpy(sname + n, "_bucket", sizeof("_bucket"));
		sample_str(w, sname, labels, "le", le, num);
	}
	bits = __atomic_load_n(&h->sum_bits, __ATOMIC_RELAXED);
	memcpy(&sum, &bits, sizeof(sum));
	memcpy(sname + n, "_sum", sizeof("_sum"));
	prom_sample(w, sname, labels, sum);
	memcpy(sname + n, "_count", sizeof("_count"));
	prom_sample_u64(w, sname, labels, cum);
}

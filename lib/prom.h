/* prom.h — a Prometheus text-format (version 0.0.4) writer.
 *
 * struct prom_w writes into a caller buffer; when the buffer is full it hands
 * the bytes to a flush callback (e.g. one HTTP chunk) and starts again, so a
 * scrape of any size needs one fixed buffer. Without a callback (flush NULL)
 * a full buffer is an error. The writing calls return nothing: the first
 * error (a failed flush, a full buffer, an invalid metric or label name, an
 * unknown type) is kept, later calls do nothing, and prom_w_finish() reports
 * it.
 *
 * Escaping follows the format: in label values backslash, double quote and
 * newline become \\ \" \n; in HELP text backslash and newline become \\ \n.
 * Values are printed with the fewest digits that read back to the same
 * double; non-finite values as NaN, +Inf and -Inf.
 *
 * struct prom_hist is a histogram with fixed buckets that several threads may
 * observe into at once (atomic counters, no lock); prom_hist_write() prints
 * it as NAME_bucket{…,le="…"} (cumulative, ending with le="+Inf"), NAME_sum
 * and NAME_count, with NAME_count equal to the +Inf bucket.
 */
#ifndef BERTH_LIB_PROM_H
#define BERTH_LIB_PROM_H

#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"

/* Hand over len bytes of output; <0 (with *e set) stops the writer. */
typedef int prom_flush_fn(void *arg, const char *data, size_t len, struct berr *e);

struct prom_w {
	char *buf;
	size_t size, len;          /* buffer capacity and bytes now in it */
	prom_flush_fn *flush;      /* may be NULL: then the buffer must hold everything */
	void *arg;
	uint64_t total;            /* bytes written so far, flushed or not */
	int failed;
	struct berr err;           /* the first error */
};

/* size must be > 0 (a buffer of a few KiB keeps the flushes few). */
void prom_w_init(struct prom_w *w, char *buf, size_t size, prom_flush_fn *flush, void *arg);

/* "# HELP name help" and "# TYPE name type"; type is counter, gauge,
 * histogram, summary or untyped. help may be NULL (no HELP line). */
void prom_family(struct prom_w *w, const char *name, const char *type, const char *help);

/* One sample. labels: NULL-terminated array key, value, key, value, …, NULL
 * (values escaped here), or NULL for none; name may carry a suffix (_bucket,
 * _sum, _count). A NULL value is written as an empty string. */
void prom_sample(struct prom_w *w, const char *name, const char *const *labels, double v);
void prom_sample_u64(struct prom_w *w, const char *name, const char *const *labels, uint64_t v);
void prom_sample_i64(struct prom_w *w, const char *name, const char *const *labels, int64_t v);

/* Flush what is buffered (when a callback is set) and report the first error.
 * Without a callback the text is w->buf[0..w->len) (not NUL-terminated). */
int prom_w_finish(struct prom_w *w, struct berr *e);

#define PROM_HIST_MAX 16

struct prom_hist {
	int n;                                 /* bounds in use, ascending */
	double bounds[PROM_HIST_MAX];
	uint64_t counts[PROM_HIST_MAX + 1];    /* per bucket, not cumulative; [n] is +Inf */
	uint64_t sum_bits;                     /* the sum, a double's bits (CAS-updated) */
};

/* bounds: n ascending finite values (n is clamped to 0..PROM_HIST_MAX). */
void prom_hist_init(struct prom_hist *h, const double *bounds, int n);
void prom_hist_observe(struct prom_hist *h, double v);
void prom_hist_write(struct prom_w *w, const char *name, const char *const *labels,
		     const struct prom_hist *h);

#endif

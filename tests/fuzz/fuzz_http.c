/* fuzz_http.c — libFuzzer target: the incremental HTTP parser, in request
 * and response mode. The input after two control bytes is fed whole and
 * then split at pseudo-random places; both runs must give the same
 * transcript (events, heads, body bytes, final status), and every call
 * must keep the feed contract (consumed <= fed, everything consumed on
 * HTTP_NEED_MORE, nothing on HTTP_UPGRADE, body bytes inside what was
 * consumed, no body beyond body_max). Targets of requests go through the
 * path and query helpers. Any breach aborts. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/http.h"

struct tr {
	char *s;
	size_t n, cap;
	size_t mark;	/* the end of the last non-body entry */
};

static void put(struct tr *t, const void *p, size_t n)
{
	if (n > t->cap - t->n)
		abort(); /* the transcript is sized to hold everything */
	memcpy(t->s + t->n, p, n);
	t->n += n;
}

static void puts_(struct tr *t, const char *s)
{
	put(t, s, strlen(s));
	put(t, "", 1);
}

static void exercise_target(const char *target)
{
	char path[256], name[64], value[256];
	const char *q = http_target_query(target);
	struct berr e;
	int k = 0;

	if (http_target_path(target, path, sizeof(path), &e) >= 0 && strlen(path) >= sizeof(path))
		abort();
	while (k++ < 64 && http_query_next(&q, name, sizeof(name), value, sizeof(value), &e) > 0)
		if (strlen(name) >= sizeof(name) || strlen(value) >= sizeof(value))
			abort();
}

static void head(struct tr *t, const struct http_parser *p)
{
	char num[64];

	put(t, "H", 1);
	if (p->method) {
		puts_(t, p->method);
		puts_(t, p->target);
		exercise_target(p->target);
	} else {
		snprintf(num, sizeof(num), "%d", p->status);
		puts_(t, num);
		puts_(t, p->reason);
	}
	snprintf(num, sizeof(num), "%d%d%d%d%d%llu/%d", p->minor, p->keep_alive, p->upgrade,
		 p->chunked, p->has_length, (unsigned long long)p->content_length, p->nhdr);
	puts_(t, num);
	for (int i = 0; i < p->nhdr; i++) {
		puts_(t, p->hdr[i].name);
		puts_(t, p->hdr[i].value);
		if (http_header(p, p->hdr[i].name) == NULL)
			abort();
	}
	t->mark = t->n;
}

static struct http_parser P;

/* Feed in[0..n) in pieces: a split byte s means cut after every s-th
 * byte pattern from a small generator; 0 feeds it whole. */
static void run(int mode, uint64_t body_max, const char *in, size_t n, unsigned split,
		struct tr *t)
{
	struct berr e;
	size_t pos = 0, msg_body = 0;
	unsigned x = split * 2654435761u + 1;
	int ev = HTTP_NEED_MORE;
	bool upgraded = false;

	http_parser_init(&P, (enum http_mode)mode);
	while (pos < n || ev != HTTP_NEED_MORE) {
		size_t len = n - pos, used;
		const char *p = in + pos;

		if (split && len > 0) {
			x = x * 1103515245u + 12345u;
			len = 1 + (x >> 16) % (len < 64 ? len : 64);
		}
		for (unsigned guard = 0;; guard++) {
			if (guard > 4 * n + 64)
				abort(); /* no progress */
			if (upgraded) {
				put(t, p, len);
				pos += len;
				ev = HTTP_NEED_MORE;
				break;
			}
			ev = http_feed(&P, p, len, &used, &e);
			if (used > len)
				abort();
			if (ev == HTTP_BODY && (P.body < p || P.body + P.body_len > p + used || !P.body_len))
				abort();
			p += used;
			len -= used;
			pos += used;
			if (ev < 0) {
				char s[16];
				t->n = t->mark; /* how much body came before is the split's business */
				snprintf(s, sizeof(s), "E%d", http_status(&P));
				puts_(t, s);
				if (http_status(&P) < 400)
					abort();
				return;
			}
			if (ev == HTTP_NEED_MORE) {
				if (len != 0)
					abort();
				break;
			}
			if (ev == HTTP_HEAD) {
				msg_body = 0;
				if (body_max)
					P.body_max = body_max;
				head(t, &P);
			} else if (ev == HTTP_BODY) {
				msg_body += P.body_len;
				if (msg_body > P.body_max)
					abort();
				put(t, P.body, P.body_len);
			} else if (ev == HTTP_DONE) {
				puts_(t, "D");
				t->mark = t->n;
			} else if (ev == HTTP_UPGRADE) {
				/* The call may have consumed the end of the message
				 * (a chunked body's last CRLF): p already points past
				 * it, at the new protocol's first byte. */
				puts_(t, "U");
				t->mark = t->n;
				upgraded = true;
			}
		}
	}
	ev = http_eof(&P, &e);
	put(t, ev < 0 ? "!E" : ev == HTTP_DONE ? "!D" : "!.", 2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint64_t maxes[4] = { 0, 16, 1024, 0 };
	struct tr a, b;
	int mode;
	uint64_t body_max;

	if (size < 2)
		return 0;
	mode = data[0] % 3;
	body_max = maxes[(data[0] >> 2) & 3];
	a.cap = b.cap = 8 * size + 4096;
	a.s = malloc(a.cap);
	b.s = malloc(b.cap);
	if (!a.s || !b.s)
		abort();
	a.n = b.n = a.mark = b.mark = 0;
	run(mode, body_max, (const char *)data + 2, size - 2, 0, &a);
	run(mode, body_max, (const char *)data + 2, size - 2, data[1] | 1, &b);
	if (a.n != b.n || memcmp(a.s, b.s, a.n) != 0)
		abort();
	free(a.s);
	free(b.s);
	return 0;
}

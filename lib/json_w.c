/* json_w.c — the bounded JSON writer of json.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/json.h"
#include "lib/json-internal.h"

static void fail(struct json_w *w, int err, const char *why)
{
	if (!w->err) {
		w->err = err;
		w->why = why;
	}
}

void json_w_init(struct json_w *w, char *buf, size_t size)
{
	memset(w, 0, sizeof(*w));
	w->buf = buf;
	w->cap = size;
	if (size == 0)
		fail(w, E2BIG, "no room");
}

void json_w_init_grow(struct json_w *w, size_t max)
{
	memset(w, 0, sizeof(*w));
	w->max = max;
	if (max == 0)
		fail(w, E2BIG, "no room");
}

void json_w_free(struct json_w *w)
{
	if (w->max)
		free(w->buf);
	w->buf = NULL;
	w->cap = w->len = 0;
}

/* Room for n more bytes and the NUL. */
static bool room(struct json_w *w, size_t n)
{
	size_t need, cap;
	char *nb;

	if (w->err)
		return false;
	if (n < w->cap - w->len)
		return true;
	need = w->len + n + 1;
	if (!w->max || need < n || need > w->max) {
		fail(w, E2BIG, "over the size limit");
		return false;
	}
	cap = w->cap ? w->cap : 256;
	while (cap < need)
		cap = cap > w->max / 2 ? w->max : cap * 2;
	if (cap > w->max)
		cap = w->max;
	nb = realloc(w->buf, cap);
	if (!nb) {
		fail(w, ENOMEM, "out of memory");
		return false;
	}
	w->buf = nb;
	w->cap = cap;
	return true;
}

static void put(struct json_w *w, const char *s, size_t n)
{
	if (room(w, n)) {
		memcpy(w->buf + w->len, s, n);
		w->len += n;
	}
}

static bool bit(const uint64_t *set, int d)
{
	return set[d / 64] >> (d % 64) & 1;
}

static void bit_set(uint64_t *set, int d, bool v)
{
	if (v)
		set[d / 64] |= (uint64_t)1 << (d % 64);
	else
		set[d / 64] &= ~((uint64_t)1 << (d % 64));
}

/* Before any value: the comma, or the check that a key came first. */
static bool value_start(struct json_w *w)
{
	int d = w->depth - 1;

	if (w->err)
		return false;
	if (w->depth == 0) {
		if (w->top_done)
			fail(w, EINVAL, "a second top-level value");
		return !w->err;
	}
	if (bit(w->is_obj, d)) {
		if (!w->want_value)
			fail(w, EINVAL, "an object member without a key");
		w->want_value = false;
		return !w->err;
	}
	if (bit(w->has_item, d))
		put(w, ",", 1);
	bit_set(w->has_item, d, true);
	return !w->err;
}

static void value_end(struct json_w *w)
{
	if (w->depth == 0)
		w->top_done = true;
}

static void w_open(struct json_w *w, bool obj)
{
	if (!value_start(w))
		return;
	if (w->depth >= CONFIG_JSON_DEPTH_MAX) {
		fail(w, EINVAL, "nesting deeper than CONFIG_JSON_DEPTH_MAX");
		return;
	}
	bit_set(w->is_obj, w->depth, obj);
	bit_set(w->has_item, w->depth, false);
	w->depth++;
	put(w, obj ? "{" : "[", 1);
}

static void w_close(struct json_w *w, bool obj)
{
	if (w->err)
		return;
	if (w->depth == 0 || bit(w->is_obj, w->depth - 1) != obj || w->want_value) {
		fail(w, EINVAL, obj ? "a misplaced }" : "a misplaced ]");
		return;
	}
	w->depth--;
	put(w, obj ? "}" : "]", 1);
	value_end(w);
}

void json_w_obj(struct json_w *w) { w_open(w, true); }
void json_w_arr(struct json_w *w) { w_open(w, false); }
void json_w_obj_end(struct json_w *w) { w_close(w, true); }
void json_w_arr_end(struct json_w *w) { w_close(w, false); }

/* How byte c is written in a string: 0 as is, 1 short escape (\n),
 * 2 \u00XX, 3 the start of a multi-byte UTF-8 sequence. */
static inline unsigned esc_kind(unsigned char c)
{
	if (c >= 0x20 && c < 0x7f)
		return c == '"' || c == '\\';
	if (c >= 0x80)
		return 3;
	return c == '\b' || c == '\f' || c == '\n' || c == '\r' || c == '\t' ? 1 : 2;
}

static void put_escaped(struct json_w *w, const char *str, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, run = 0;

	put(w, "\"", 1);
	while (i < n && !w->err) {
		unsigned k = esc_kind(s[i]);
		char e[6] = { '\\', 'u', '0', '0' };

		if (k == 0) {
			i++;
			continue;
		}
		if (k == 3) {
			size_t l = json_utf8_seq(s + i, n - i);
			if (!l)
				fail(w, EILSEQ, "a string that is not UTF-8");
			i += l;
			continue;
		}
		put(w, str + run, i - run);
		if (k == 1) {
			e[1] = s[i] == '\b' ? 'b' : s[i] == '\f' ? 'f' : s[i] == '\n' ? 'n' :
			       s[i] == '\r' ? 'r' : s[i] == '\t' ? 't' : (char)s[i];
			put(w, e, 2);
		} else {
			e[4] = hex[s[i] >> 4];
			e[5] = hex[s[i] & 15];
			put(w, e, 6);
		}
		run = ++i;
	}
	put(w, str + run, n - run);
	put(w, "\"", 1);
}

void json_w_keyn(struct json_w *w, const char *key, size_t n)
{
	int d = w->depth - 1;

	if (w->err)
		return;
	if (w->depth == 0 || !bit(w->is_obj, d) || w->want_value) {
		fail(w, EINVAL, "a key outside an object or without a value");
		return;
	}
	if (bit(w->has_item, d))
		put(w, ",", 1);
	bit_set(w->has_item, d, true);
	put_escaped(w, key, n);
	put(w, ":", 1);
	w->want_value = true;
}

void json_w_key(struct json_w *w, const char *key)
{
	json_w_keyn(w, key, strlen(key));
}

void json_w_strn(struct json_w *w, const char *s, size_t n)
{
	if (!value_start(w))
		return;
	put_escaped(w, s, n);
	value_end(w);
}

void json_w_str(struct json_w *w, const char *s)
{
	json_w_strn(w, s, strlen(s));
}

void json_w_raw(struct json_w *w, const char *json, size_t n)
{
	if (!value_start(w))
		return;
	if (n == 0)
		fail(w, EINVAL, "an empty raw value");
	put(w, json, n);
	value_end(w);
}

void json_w_u64(struct json_w *w, uint64_t v)
{
	char b[24], *p = b + sizeof(b);

	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	json_w_raw(w, p, (size_t)(b + sizeof(b) - p));
}

void json_w_i64(struct json_w *w, int64_t v)
{
	char b[24], *p = b + sizeof(b);
	uint64_t m = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;

	do {
		*--p = (char)('0' + m % 10);
		m /= 10;
	} while (m);
	if (v < 0)
		*--p = '-';
	json_w_raw(w, p, (size_t)(b + sizeof(b) - p));
}

void json_w_bool(struct json_w *w, bool v)
{
	json_w_raw(w, v ? "true" : "false", v ? 4 : 5);
}

void json_w_null(struct json_w *w)
{
	json_w_raw(w, "null", 4);
}

void json_w_kstr(struct json_w *w, const char *key, const char *s)
{
	json_w_key(w, key);
	json_w_str(w, s);
}

void json_w_ki64(struct json_w *w, const char *key, int64_t v)
{
	json_w_key(w, key);
	json_w_i64(w, v);
}

void json_w_ku64(struct json_w *w, const char *key, uint64_t v)
{
	json_w_key(w, key);
	json_w_u64(w, v);
}

void json_w_kbool(struct json_w *w, const char *key, bool v)
{
	json_w_key(w, key);
	json_w_bool(w, v);
}

void json_w_kstrs(struct json_w *w, const char *key, const char *const *v, int n, bool set)
{
	json_w_key(w, key);
	if (!set) {
		json_w_null(w);
		return;
	}
	json_w_arr(w);
	for (int i = 0; i < n; i++)
		json_w_str(w, v[i]);
	json_w_arr_end(w);
}

int json_w_finish(struct json_w *w, const char **out, size_t *len, struct berr *e)
{
	if (!w->err && (w->depth != 0 || !w->top_done))
		fail(w, EINVAL, "an unfinished document");
	if (w->err == E2BIG)
		return berr_set(e, E2BIG, "JSON output larger than %zu bytes",
				(w->max ? w->max : w->cap) - (w->max || w->cap ? 1 : 0));
	if (w->err)
		return berr_set(e, w->err, "JSON writer: %s", w->why);
	w->buf[w->len] = '\0';
	*out = w->buf;
	*len = w->len;
	return 0;
}

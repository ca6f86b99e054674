/* fuzz_json.c — libFuzzer target: the strict reader must not crash on
 * anything, and every document it accepts must survive a round trip:
 * tokens → writer → reader again gives the same tokens, strings and
 * numbers. The input as one string written and read back must be the
 * same bytes too. Any difference aborts. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/json.h"

#define NTOK 8192

static jsmntok_t tok1[NTOK], tok2[NTOK];

/* Write token i of j (and everything inside it); returns the next token. */
static int emit(const struct json *j, int i, struct json_w *w, char *sb, size_t sbsize)
{
	struct json_iter it;
	struct berr e;
	int key, val;
	size_t n;
	int64_t v;
	uint64_t u;

	switch (json_type(j, i)) {
	case JSMN_OBJECT:
	case JSMN_ARRAY:
		if (json_type(j, i) == JSMN_OBJECT)
			json_w_obj(w);
		else
			json_w_arr(w);
		json_iter_init(j, i, &it);
		while (json_iter_next(j, &it, &key, &val)) {
			if (key >= 0) {
				if (json_strn(j, key, sb, sbsize, &n, &e) < 0)
					abort();
				json_w_keyn(w, sb, n);
			}
			emit(j, val, w, sb, sbsize);
		}
		if (json_type(j, i) == JSMN_OBJECT)
			json_w_obj_end(w);
		else
			json_w_arr_end(w);
		break;
	case JSMN_STRING:
		if (json_strn(j, i, sb, sbsize, &n, &e) < 0)
			abort();
		json_w_strn(w, sb, n);
		break;
	case JSMN_PRIMITIVE:
		if (json_is_null(j, i))
			json_w_null(w);
		else if (json_i64(j, i, INT64_MIN, INT64_MAX, &v, &e) == 0)
			json_w_i64(w, v);
		else if (json_u64(j, i, &u, &e) == 0)
			json_w_u64(w, u);
		else if (json_bool(j, i, &(bool){ 0 }, &e) == 0)
			json_w_bool(w, j->js[j->tok[i].start] == 't');
		else
			json_w_raw(w, j->js + j->tok[i].start,
				   (size_t)(j->tok[i].end - j->tok[i].start));
		break;
	default:
		abort();
	}
	return json_skip(j, i);
}

static void same_primitive(const struct json *a, const struct json *b, int i)
{
	struct berr e;
	int64_t x, y;
	size_t na = (size_t)(a->tok[i].end - a->tok[i].start);
	size_t nb = (size_t)(b->tok[i].end - b->tok[i].start);

	if (json_i64(a, i, INT64_MIN, INT64_MAX, &x, &e) == 0) {
		if (json_i64(b, i, INT64_MIN, INT64_MAX, &y, &e) < 0 || x != y)
			abort();
		return;
	}
	if (na != nb || memcmp(a->js + a->tok[i].start, b->js + b->tok[i].start, na) != 0)
		abort();
}

static void same(const struct json *a, const struct json *b, char *s1, char *s2, size_t size)
{
	struct berr e;
	size_t n1, n2;

	if (a->ntok != b->ntok)
		abort();
	for (int i = 0; i < a->ntok; i++) {
		if (a->tok[i].type != b->tok[i].type || a->tok[i].size != b->tok[i].size)
			abort();
		if (a->tok[i].type == JSMN_STRING) {
			if (json_strn(a, i, s1, size, &n1, &e) < 0 || json_strn(b, i, s2, size, &n2, &e) < 0)
				abort();
			if (n1 != n2 || memcmp(s1, s2, n1) != 0)
				abort();
		} else if (a->tok[i].type == JSMN_PRIMITIVE) {
			same_primitive(a, b, i);
		}
	}
}

/* Any bytes as one string: if the writer takes them (they are UTF-8),
 * the reader must give the same bytes back. */
static void string_round_trip(const uint8_t *data, size_t size)
{
	static jsmntok_t t[4];
	struct json_w w;
	struct json j;
	struct berr e;
	const char *out;
	size_t len, n;
	char *back;

	json_w_init_grow(&w, 6 * size + 64);
	json_w_arr(&w);
	json_w_strn(&w, (const char *)data, size);
	json_w_arr_end(&w);
	if (json_w_finish(&w, &out, &len, &e) == 0) {
		back = malloc(size + 1);
		if (!back || json_parse(&j, out, len, t, 4, &e) < 0 ||
		    json_strn(&j, 1, back, size + 1, &n, &e) < 0 || n != size ||
		    memcmp(back, data, size) != 0)
			abort();
		free(back);
	} else if (e.errnum != EILSEQ) {
		abort();
	}
	json_w_free(&w);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json a, b;
	struct json_w w;
	struct berr e;
	const char *out;
	size_t len, sbsize = size + 1;
	char *s1, *s2;

	string_round_trip(data, size);
	if (json_parse(&a, (const char *)data, size, tok1, NTOK, &e) < 0)
		return 0;
	s1 = malloc(sbsize);
	s2 = malloc(sbsize);
	if (!s1 || !s2)
		abort();
	/* the most a byte grows is DEL, written as \u007f */
	json_w_init_grow(&w, 6 * size + 64);
	emit(&a, 0, &w, s1, sbsize);
	if (json_w_finish(&w, &out, &len, &e) < 0)
		abort();
	if (json_parse(&b, out, len, tok2, NTOK, &e) < 0)
		abort();
	same(&a, &b, s1, s2, sbsize);
	json_w_free(&w);
	free(s1);
	free(s2);
	return 0;
}

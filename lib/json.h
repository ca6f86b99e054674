/* json.h — a strict, bounded JSON reader over jsmn tokens, and a bounded
 * JSON writer.
 *
 * Reader: json_parse() tokenizes a whole document once into a token array
 * the caller owns (its size is the caller's limit) and checks it strictly:
 * RFC 8259 grammar, valid UTF-8 everywhere, escapes well formed (\u
 * surrogates paired), nesting at most CONFIG_JSON_DEPTH_MAX deep, and no
 * object with two keys that are equal after unescaping. Lookups walk the
 * tokens; keys are matched after unescaping. Strings are unescaped into
 * caller buffers: a value that does not fit is an error, never a silent
 * truncation.
 *
 * Writer: struct json_w appends to a caller buffer, or to a buffer it grows
 * up to a hard cap. Calls do not fail one by one: the first error (output
 * over the cap, a string that is not UTF-8, a value without a key) sticks,
 * later calls do nothing, and json_w_finish() reports it.
 */
#ifndef BERTH_LIB_JSON_H
#define BERTH_LIB_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Parent links keep jsmn linear on closing brackets; every user of
 * jsmntok_t sees the same layout through this header. */
#define JSMN_PARENT_LINKS
#define JSMN_HEADER
#include <jsmn.h>
#undef JSMN_HEADER

#include "autoconf.h"
#include "lib/err.h"

/* ------------------------------------------------------------------ reader */

struct json {
	const char *js;
	size_t len;
	jsmntok_t *tok;
	int ntok;
};

/* Tokenize and check js[0..len) into tok[0..maxtok); the top must be an
 * object or array. More than maxtok tokens is E2BIG; anything else refused
 * is EPROTO (a duplicate key names the key). Token 0 is the top value. */
int json_parse(struct json *j, const char *js, size_t len, jsmntok_t *tok, int maxtok,
	       struct berr *e);
/* Index of the token after token i and everything inside it. */
int json_skip(const struct json *j, int i);
/* jsmn type of token i (JSMN_OBJECT …), JSMN_UNDEFINED when i is out of range. */
int json_type(const struct json *j, int i);
/* Value token of key in object obj, or -1 (also when obj is not an object). */
int json_get(const struct json *j, int obj, const char *key);
/* The n-th element of array arr, or -1. */
int json_at(const struct json *j, int arr, int n);
/* Members of an object or array, in document order. */
struct json_iter {
	int next;	/* token of the next member (its key in an object) */
	int left;	/* members still to visit */
};
/* Start iterating container c (nothing to visit when c is not one). */
void json_iter_init(const struct json *j, int c, struct json_iter *it);
/* Next member: 1 with *key (-1 in an array) and *val set, 0 at the end. */
int json_iter_next(const struct json *j, struct json_iter *it, int *key, int *val);
/* Is string token i (a key) equal to s after unescaping? */
bool json_eq(const struct json *j, int i, const char *s);

/* Unescaped string token i into buf[size], NUL-terminated; a string that
 * contains \u0000 is refused (EPROTO), one that does not fit is ENAMETOOLONG. */
int json_str(const struct json *j, int i, char *buf, size_t size, struct berr *e);
/* The same for any bytes (\u0000 allowed): length in *len, buf NUL-terminated. */
int json_strn(const struct json *j, int i, char *buf, size_t size, size_t *len,
	      struct berr *e);
/* true or false. */
int json_bool(const struct json *j, int i, bool *out, struct berr *e);
/* An integer (no fraction or exponent) in [min, max]; ERANGE outside. */
int json_i64(const struct json *j, int i, int64_t min, int64_t max, int64_t *out,
	     struct berr *e);
/* A non-negative integer. */
int json_u64(const struct json *j, int i, uint64_t *out, struct berr *e);
/* Is token i the literal null? */
bool json_is_null(const struct json *j, int i);

/* ------------------------------------------------------------------ writer */

#define JSON_W_WORDS ((CONFIG_JSON_DEPTH_MAX + 63) / 64)

/* Fields are private to json.c. */
struct json_w {
	char *buf;
	size_t len, cap, max;	/* max: the hard cap of a growable buffer, 0 if fixed */
	int err;		/* sticky errno */
	const char *why;	/* what the sticky error was */
	int depth;
	bool want_value, top_done;
	uint64_t is_obj[JSON_W_WORDS], has_item[JSON_W_WORDS];
};

/* Write into buf[size] (the output and its NUL terminator must fit). */
void json_w_init(struct json_w *w, char *buf, size_t size);
/* Write into a malloc'd buffer grown on demand up to max bytes (with the
 * NUL); release it with json_w_free(). */
void json_w_init_grow(struct json_w *w, size_t max);
void json_w_free(struct json_w *w);

void json_w_obj(struct json_w *w);	/* { */
void json_w_obj_end(struct json_w *w);	/* } */
void json_w_arr(struct json_w *w);	/* [ */
void json_w_arr_end(struct json_w *w);	/* ] */
/* A member's key; its value is the next call. */
void json_w_key(struct json_w *w, const char *key);
void json_w_keyn(struct json_w *w, const char *key, size_t n);
/* Strings must be UTF-8 (anything else is a sticky EILSEQ); quotes,
 * backslashes and control characters are escaped; NUL bytes are allowed
 * in the n-byte form and written as \u0000. */
void json_w_str(struct json_w *w, const char *s);
void json_w_strn(struct json_w *w, const char *s, size_t n);
void json_w_i64(struct json_w *w, int64_t v);
void json_w_u64(struct json_w *w, uint64_t v);
void json_w_bool(struct json_w *w, bool v);
void json_w_null(struct json_w *w);
/* One JSON value the caller has already checked, written as is. */
void json_w_raw(struct json_w *w, const char *json, size_t n);
/* Key and value in one call. */
void json_w_kstr(struct json_w *w, const char *key, const char *s);
void json_w_ki64(struct json_w *w, const char *key, int64_t v);
void json_w_ku64(struct json_w *w, const char *key, uint64_t v);
void json_w_kbool(struct json_w *w, const char *key, bool v);
/* "key": [the n strings of v], or "key": null when !set (Docker's
 * nil slices). */
void json_w_kstrs(struct json_w *w, const char *key, const char *const *v, int n, bool set);

/* The whole document: one complete top-level value, NUL-terminated, at
 * *out (inside the caller's or the grown buffer), *len bytes. Reports the
 * sticky error: E2BIG over the cap, EILSEQ bad UTF-8, EINVAL misuse or an
 * unfinished document, ENOMEM. */
int json_w_finish(struct json_w *w, const char **out, size_t *len, struct berr *e);

#endif

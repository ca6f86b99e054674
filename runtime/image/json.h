/* json.h — a bounded JSON reader over jsmn tokens.
 *
 * The document is tokenized once into a caller-given token array (at most
 * JSON_TOKENS_MAX); lookups walk the tokens. Strings are unescaped into
 * caller buffers: too long, or containing \u0000, is an error, never a
 * silent truncation.
 */
#ifndef BERTH_RUNTIME_IMAGE_JSON_H
#define BERTH_RUNTIME_IMAGE_JSON_H

#include <stddef.h>
#include <stdint.h>

#define JSMN_HEADER
#include <jsmn.h>
#undef JSMN_HEADER

#include "autoconf.h"
#include "lib/err.h"

#define JSON_TOKENS_MAX CONFIG_IMAGE_JSON_TOKENS_MAX

struct json {
	const char *js;
	size_t len;
	jsmntok_t *tok;
	int ntok;
};

/* Tokenize js[0..len) into tok[0..maxtok); the top must be an object or array. */
int json_parse(struct json *j, const char *js, size_t len, jsmntok_t *tok, int maxtok,
	       struct berr *e);
/* Index of the token after token i and everything inside it. */
int json_skip(const struct json *j, int i);
/* Value token of key in object obj, or -1 (also when obj is not an object). */
int json_get(const struct json *j, int obj, const char *key);
/* The n-th element of array arr, or -1. */
int json_at(const struct json *j, int arr, int n);
int json_type(const struct json *j, int i);
/* Unescaped string value of token i into buf[size]. */
int json_str(const struct json *j, int i, char *buf, size_t size, struct berr *e);
/* Non-negative integer value of token i. */
int json_u64(const struct json *j, int i, uint64_t *out, struct berr *e);

#endif

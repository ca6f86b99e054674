/* filters.c — see filters.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/json.h"
#include "runtime/engine/api.h"
#include "runtime/engine/filters.h"

#define FILTERS_TOKENS 256
#define FILTERS_TEXT_MAX 8192

static int add(struct filters *f, const struct json *j, const char *key, int vtok, struct berr *e)
{
	if (f->n >= FILTERS_MAX)
		return berr_set(e, EINVAL, "filters: more than %d values", FILTERS_MAX);
	strcpy(f->e[f->n].key, key);
	if (json_str(j, vtok, f->e[f->n].val, FILTER_VALUE_MAX, e) < 0)
		return berr_prefix(e, "filters: %s", key);
	f->n++;
	return 0;
}

static int allowed_key(const char *key, const char *const *allowed)
{
	for (; allowed && *allowed; allowed++)
		if (strcmp(key, *allowed) == 0)
			return 1;
	return 0;
}

static int parse_tokens(const struct json *j, const char *const *allowed, struct filters *f,
			struct berr *e)
{
	struct json_iter it, vi;
	int k, v, vk, vv;
	char key[FILTER_KEY_MAX];

	if (json_type(j, 0) != JSMN_OBJECT)
		return berr_set(e, EINVAL, "filters: want a JSON object");
	json_iter_init(j, 0, &it);
	while (json_iter_next(j, &it, &k, &v)) {
		if (json_str(j, k, key, sizeof(key), e) < 0 || !allowed_key(key, allowed))
			return berr_set(e, EINVAL, "invalid filter '%.*s'", (int)(j->tok[k].end - j->tok[k].start),
					j->js + j->tok[k].start);
		json_iter_init(j, v, &vi);
		if (json_type(j, v) == JSMN_OBJECT) {
			while (json_iter_next(j, &vi, &vk, &vv)) {
				bool b;
				if (json_bool(j, vv, &b, e) < 0)
					return berr_set(e, EINVAL, "filters: %s: want {\"value\":true}", key);
				if (b && add(f, j, key, vk, e) < 0)
					return -1;
			}
		} else if (json_type(j, v) == JSMN_ARRAY) {
			while (json_iter_next(j, &vi, &vk, &vv))
				if (json_type(j, vv) != JSMN_STRING || add(f, j, key, vv, e) < 0)
					return berr_set(e, EINVAL, "filters: %s: want strings", key);
		} else {
			return berr_set(e, EINVAL, "filters: %s: want an object", key);
		}
	}
	return 0;
}

int filters_parse(const char *text, const char *const *allowed, struct filters *f, struct berr *e)
{
	jsmntok_t *tok;
	struct json j;
	int rc;

	f->n = 0;
	if (!text || !text[0])
		return 0;
	tok = malloc(FILTERS_TOKENS * sizeof(*tok));
	if (!tok)
		return berr_set(e, ENOMEM, "filters: out of memory");
	rc = json_parse(&j, text, strlen(text), tok, FILTERS_TOKENS, e);
	if (rc < 0)
		berr_set(e, EINVAL, "filters: invalid JSON: %s", e->msg);
	else
		rc = parse_tokens(&j, allowed, f, e);
	free(tok);
	return rc;
}

int filters_from_req(struct req *r, const char *const *allowed, struct filters *f, struct berr *e)
{
	char *text = malloc(FILTERS_TEXT_MAX);
	int rc;

	f->n = 0;
	if (!text)
		return berr_set(e, ENOMEM, "filters: out of memory");
	rc = http_query_get(r->query, "filters", text, FILTERS_TEXT_MAX, e);
	if (rc < 0)
		berr_set(e, EINVAL, "filters: %s", e->msg);
	else if (rc == 1)
		rc = filters_parse(text, allowed, f, e);
	free(text);
	return rc < 0 ? -1 : 0;
}

int filters_count(const struct filters *f, const char *key)
{
	int n = 0;

	for (int i = 0; i < f->n; i++)
		n += strcmp(f->e[i].key, key) == 0;
	return n;
}

const char *filters_get(const struct filters *f, const char *key, int k)
{
	for (int i = 0; i < f->n; i++)
		if (strcmp(f->e[i].key, key) == 0 && k-- == 0)
			return f->e[i].val;
	return NULL;
}

int filters_match(const struct filters *f, const char *key, const char *v)
{
	int any = 0;

	for (int i = 0; i < f->n; i++) {
		if (strcmp(f->e[i].key, key) != 0)
			continue;
		if (strcmp(f->e[i].val, v) == 0)
			return 1;
		any = 1;
	}
	return !any;
}

/* filters.h — the `filters` query parameter of list routes and /events:
 * JSON {"key":{"value":true,…},…} (or the older {"key":["value",…]}),
 * read strictly with lib/json into a bounded table. */
#ifndef BERTH_RUNTIME_ENGINE_FILTERS_H
#define BERTH_RUNTIME_ENGINE_FILTERS_H

#include "lib/err.h"

struct req;

#define FILTERS_MAX 32		/* key/value pairs */
#define FILTER_KEY_MAX 32
#define FILTER_VALUE_MAX 256

struct filters {
	int n;
	struct { char key[FILTER_KEY_MAX]; char val[FILTER_VALUE_MAX]; } e[FILTERS_MAX];
};

/* Parse text (NULL or "": no filters); keys not in allowed (NULL-ended)
 * are EINVAL "invalid filter 'KEY'" (dockerd's 400). */
int filters_parse(const char *text, const char *const *allowed, struct filters *f, struct berr *e);
/* The request's filters= parameter, the same way. */
int filters_from_req(struct req *r, const char *const *allowed, struct filters *f, struct berr *e);
/* How many values key has. */
int filters_count(const struct filters *f, const char *key);
/* The i-th value of key, or NULL. */
const char *filters_get(const struct filters *f, const char *key, int i);
/* 1 when key has no values or one equal to v. */
int filters_match(const struct filters *f, const char *key, const char *v);

#endif

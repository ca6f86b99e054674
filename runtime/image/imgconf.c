/* imgconf.c — see imgconf.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/json.h"
#include "runtime/image/imgconf.h"

/* A copy of string token i in the pool. */
static int pool_str(struct imgconf *c, const struct json *j, int i, const char *field,
		    const char **out, struct berr *e)
{
	size_t left = sizeof(c->pool) - c->pool_len;

	if (json_type(j, i) != JSMN_STRING)
		return berr_set(e, EPROTO, "%s: want a string", field);
	if (json_str(j, i, c->pool + c->pool_len, left, e) < 0) {
		if (e->errnum == ENAMETOOLONG)
			return berr_set(e, E2BIG, "%s: over %zu bytes of strings", field, sizeof(c->pool));
		return berr_prefix(e, "%s", field);
	}
	*out = c->pool + c->pool_len;
	c->pool_len += strlen(*out) + 1;
	return 0;
}

/* An optional string member: "" when absent or null. */
static int opt_str(struct imgconf *c, const struct json *j, int obj, const char *key,
		   const char *field, const char **out, struct berr *e)
{
	int v = obj < 0 ? -1 : json_get(j, obj, key);

	*out = "";
	if (v < 0 || json_is_null(j, v))
		return 0;
	return pool_str(c, j, v, field, out, e);
}

/* An optional array of strings: *set 1 when present and not null. */
static int opt_strs(struct imgconf *c, const struct json *j, int obj, const char *key,
		    const char *field, const char **out, int *n, int *set, struct berr *e)
{
	int v = obj < 0 ? -1 : json_get(j, obj, key), el;
	struct json_iter it;
	int k;

	*n = 0;
	if (set)
		*set = 0;
	if (v < 0 || json_is_null(j, v))
		return 0;
	if (json_type(j, v) != JSMN_ARRAY)
		return berr_set(e, EPROTO, "%s: want an array of strings", field);
	if (set)
		*set = 1;
	json_iter_init(j, v, &it);
	while (json_iter_next(j, &it, &k, &el)) {
		if (*n >= IMGCONF_LIST_MAX)
			return berr_set(e, E2BIG, "%s: more than %d entries", field, IMGCONF_LIST_MAX);
		if (json_type(j, el) != JSMN_STRING)
			return berr_set(e, EPROTO, "%s: want an array of strings", field);
		if (pool_str(c, j, el, field, &out[(*n)++], e) < 0)
			return -1;
	}
	return 0;
}

/* The keys of an optional object ({"80/tcp":{}}); with vals, the string values too. */
static int opt_keys(struct imgconf *c, const struct json *j, int obj, const char *key,
		    const char *field, const char **keys, struct imgconf_kv *kv, int *n, struct berr *e)
{
	int v = obj < 0 ? -1 : json_get(j, obj, key), k, val;
	struct json_iter it;

	*n = 0;
	if (v < 0 || json_is_null(j, v))
		return 0;
	if (json_type(j, v) != JSMN_OBJECT)
		return berr_set(e, EPROTO, "%s: want an object", field);
	json_iter_init(j, v, &it);
	while (json_iter_next(j, &it, &k, &val)) {
		const char **slot = kv ? &kv[*n].key : &keys[*n];
		if (*n >= IMGCONF_LIST_MAX)
			return berr_set(e, E2BIG, "%s: more than %d entries", field, IMGCONF_LIST_MAX);
		if (pool_str(c, j, k, field, slot, e) < 0)
			return -1;
		if (kv && pool_str(c, j, val, field, &kv[*n].value, e) < 0)
			return -1;
		if (!kv && json_type(j, val) != JSMN_OBJECT && !json_is_null(j, val))
			return berr_set(e, EPROTO, "%s: want {\"KEY\":{}}", field);
		(*n)++;
	}
	return 0;
}

static int read_config(struct imgconf *c, const struct json *j, int cfg, struct berr *e)
{
	if (cfg >= 0 && json_is_null(j, cfg))
		cfg = -1;
	if (cfg >= 0 && json_type(j, cfg) != JSMN_OBJECT)
		return berr_set(e, EPROTO, "config: want an object");
	if (opt_str(c, j, cfg, "User", "config.User", &c->user, e) < 0 ||
	    opt_str(c, j, cfg, "WorkingDir", "config.WorkingDir", &c->workdir, e) < 0 ||
	    opt_str(c, j, cfg, "StopSignal", "config.StopSignal", &c->stop_signal, e) < 0 ||
	    opt_strs(c, j, cfg, "Env", "config.Env", c->env, &c->env_n, NULL, e) < 0 ||
	    opt_strs(c, j, cfg, "Cmd", "config.Cmd", c->cmd, &c->cmd_n, &c->cmd_set, e) < 0 ||
	    opt_strs(c, j, cfg, "Entrypoint", "config.Entrypoint", c->entrypoint, &c->entrypoint_n,
		     &c->entrypoint_set, e) < 0 ||
	    opt_keys(c, j, cfg, "ExposedPorts", "config.ExposedPorts", c->ports, NULL, &c->ports_n, e) < 0 ||
	    opt_keys(c, j, cfg, "Volumes", "config.Volumes", c->volumes, NULL, &c->volumes_n, e) < 0 ||
	    opt_keys(c, j, cfg, "Labels", "config.Labels", NULL, c->labels, &c->labels_n, e) < 0)
		return -1;
	return 0;
}

static int read_history(struct imgconf *c, const struct json *j, int h, struct berr *e)
{
	struct json_iter it;
	int k, el;

	if (h < 0 || json_is_null(j, h))
		return 0;
	if (json_type(j, h) != JSMN_ARRAY)
		return berr_set(e, EPROTO, "history: want an array");
	json_iter_init(j, h, &it);
	while (json_iter_next(j, &it, &k, &el)) {
		struct imgconf_hist *x = &c->hist[c->history];
		int t;
		bool b = false;

		if (c->history >= IMGCONF_LIST_MAX)
			return berr_set(e, E2BIG, "history: more than %d entries", IMGCONF_LIST_MAX);
		if (json_type(j, el) != JSMN_OBJECT)
			return berr_set(e, EPROTO, "history: want an array of objects");
		if (opt_str(c, j, el, "created", "history.created", &x->created, e) < 0 ||
		    opt_str(c, j, el, "created_by", "history.created_by", &x->created_by, e) < 0 ||
		    opt_str(c, j, el, "comment", "history.comment", &x->comment, e) < 0)
			return -1;
		t = json_get(j, el, "empty_layer");
		if (t >= 0 && !json_is_null(j, t) && json_bool(j, t, &b, e) < 0)
			return berr_set(e, EPROTO, "history.empty_layer: want a boolean");
		x->empty_layer = b;
		c->history++;
	}
	return 0;
}

int imgconf_read(const char *js, size_t len, struct imgconf *c, struct berr *e)
{
	jsmntok_t *tok = calloc(CONFIG_IMAGE_JSON_TOKENS_MAX, sizeof(*tok));
	struct json j;
	int h, rc = -1;

	c->pool_len = 0;
	c->env_n = c->cmd_n = c->entrypoint_n = c->ports_n = c->labels_n = c->volumes_n = 0;
	c->cmd_set = c->entrypoint_set = c->history = 0;
	c->os = c->arch = c->variant = c->created = c->user = c->workdir = c->stop_signal = "";
	if (!tok)
		return berr_set(e, ENOMEM, "image config: out of memory");
	if (json_parse(&j, js, len, tok, CONFIG_IMAGE_JSON_TOKENS_MAX, e) < 0)
		goto out;
	if (json_type(&j, 0) != JSMN_OBJECT) {
		berr_set(e, EPROTO, "want an object");
		goto out;
	}
	if (opt_str(c, &j, 0, "os", "os", &c->os, e) < 0 ||
	    opt_str(c, &j, 0, "architecture", "architecture", &c->arch, e) < 0 ||
	    opt_str(c, &j, 0, "variant", "variant", &c->variant, e) < 0 ||
	    opt_str(c, &j, 0, "created", "created", &c->created, e) < 0 ||
	    read_config(c, &j, json_get(&j, 0, "config"), e) < 0)
		goto out;
	h = json_get(&j, 0, "history");
	if (read_history(c, &j, h, e) < 0)
		goto out;
	rc = 0;
out:
	free(tok);
	return rc < 0 ? berr_prefix(e, "image config") : 0;
}

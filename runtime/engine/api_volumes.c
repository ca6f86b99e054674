/* api_volumes.c — POST /volumes/create, GET /volumes, GET /volumes/{name},
 * DELETE /volumes/{name}, POST /volumes/prune. Driver "local" only; driver
 * options would make a volume a bind mount of any host path, which is the
 * policy's business: they are refused (403).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/json.h"
#include "runtime/engine/api.h"
#include "runtime/engine/api_util.h"
#include "runtime/engine/ctr.h"
#include "runtime/engine/engine.h"
#include "runtime/engine/filters.h"
#include "runtime/engine/volumes.h"

#define CREATE_TOKENS 512
#define LIST_MAX (16 * 1024 * 1024)

static void write_volume(struct json_w *w, struct engine *eng, const struct volume *v, int usage)
{
	char mp[ENGINE_PATH_MAX + VOLUME_NAME_MAX + 32];

	snprintf(mp, sizeof(mp), "%s/volumes/%s/_data", eng->conf.data_root, v->name);
	json_w_obj(w);
	json_w_kstr(w, "CreatedAt", v->created);
	json_w_kstr(w, "Driver", "local");
	json_w_key(w, "Labels");
	json_w_obj(w);
	for (int i = 0; i < v->nlabels; i++)
		json_w_kstr(w, v->labels[i].key, v->labels[i].value);
	json_w_obj_end(w);
	json_w_kstr(w, "Mountpoint", mp);
	json_w_kstr(w, "Name", v->name);
	json_w_key(w, "Options");
	json_w_null(w);
	json_w_kstr(w, "Scope", "local");
	if (usage) {
		json_w_key(w, "UsageData");
		json_w_obj(w);
		json_w_ki64(w, "Size", -1);
		json_w_ki64(w, "RefCount", ctr_volume_in_use(eng, v->name));
		json_w_obj_end(w);
	}
	json_w_obj_end(w);
}

/* One volume as the answer (create 201, inspect 200). */
static int reply_volume(struct req *r, int status, const struct volume *v)
{
	struct json_w w;

	json_w_init_grow(&w, 1 << 20);
	write_volume(&w, r->eng, v, 0);
	return reply_jsonw(r, status, &w);
}

/* A key of the body that differs from a known one only in case is refused:
 * dockerd would read it (Go matches keys case-insensitively). */
static int check_keys(const struct json *j, struct berr *e)
{
	static const char *const known[] = { "Name", "Driver", "DriverOpts", "Labels", "ClusterVolumeSpec" };
	struct json_iter it;
	int k, v;
	char key[64];

	json_iter_init(j, 0, &it);
	while (json_iter_next(j, &it, &k, &v)) {
		if (json_str(j, k, key, sizeof(key), e) < 0)
			continue;	/* longer than any known key: ignored */
		for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
			if (strcasecmp(key, known[i]) == 0 && strcmp(key, known[i]) != 0)
				return berr_set(e, EINVAL, "%s: unknown field (the field is \"%s\")", key, known[i]);
	}
	return 0;
}

static int str_field(const struct json *j, const char *key, char *out, size_t n, struct berr *e)
{
	int t = json_get(j, 0, key);

	out[0] = '\0';
	if (t < 0 || json_is_null(j, t))
		return 0;
	if (json_type(j, t) != JSMN_STRING || json_str(j, t, out, n, e) < 0)
		return berr_set(e, EINVAL, "%s: expected a string (at most %zu bytes)", key, n - 1);
	return 0;
}

static int labels_field(const struct json *j, struct volume *v, struct berr *e)
{
	int t = json_get(j, 0, "Labels"), k, val;
	struct json_iter it;

	v->nlabels = 0;
	if (t < 0 || json_is_null(j, t))
		return 0;
	if (json_type(j, t) != JSMN_OBJECT)
		return berr_set(e, EINVAL, "Labels: expected an object of strings");
	json_iter_init(j, t, &it);
	while (json_iter_next(j, &it, &k, &val)) {
		if (v->nlabels >= VOLUME_LABELS_MAX)
			return berr_set(e, EINVAL, "Labels: more than %d", VOLUME_LABELS_MAX);
		if (json_type(j, val) != JSMN_STRING ||
		    json_str(j, k, v->labels[v->nlabels].key, sizeof(v->labels[0].key), e) < 0 ||
		    json_str(j, val, v->labels[v->nlabels].value, sizeof(v->labels[0].value), e) < 0)
			return berr_set(e, EINVAL, "Labels: expected an object of strings (keys up to %zu "
					"bytes, values up to %zu)", sizeof(v->labels[0].key) - 1,
					sizeof(v->labels[0].value) - 1);
		v->nlabels++;
	}
	return 0;
}

/* The body of POST /volumes/create into *v; 403 for driver options. */
static int create_body(struct req *r, struct volume *v, int *status, struct berr *e)
{
	jsmntok_t *tok = malloc(CREATE_TOKENS * sizeof(*tok));
	char driver[64];
	struct json j;
	int t, rc = -1;

	*status = 400;
	memset(v, 0, sizeof(*v));
	if (!tok)
		return berr_set(e, ENOMEM, "out of memory");
	if (r->body_len == 0) {
		rc = 0;
		goto out;
	}
	if (json_parse(&j, r->body, r->body_len, tok, CREATE_TOKENS, e) < 0 ||
	    json_type(&j, 0) != JSMN_OBJECT) {
		berr_set(e, EINVAL, "invalid JSON: %s", e->msg);
		goto out;
	}
	if (check_keys(&j, e) < 0 || str_field(&j, "Name", v->name, sizeof(v->name), e) < 0 ||
	    str_field(&j, "Driver", driver, sizeof(driver), e) < 0 || labels_field(&j, v, e) < 0)
		goto out;
	if (driver[0] && strcmp(driver, "local") != 0) {
		berr_set(e, EINVAL, "Driver: volume driver \"%s\" is not supported on this appliance "
			 "(only \"local\")", driver);
		goto out;
	}
	t = json_get(&j, 0, "DriverOpts");
	if (t >= 0 && !json_is_null(&j, t) && (json_type(&j, t) != JSMN_OBJECT || j.tok[t].size > 0)) {
		*status = 403;
		berr_set(e, EPERM, "DriverOpts: volume driver options are not allowed on this appliance "
			 "(a bind mount of a host path is a policy matter: use -v /path:/dst, checked "
			 "against berth.conf [policy])");
		goto out;
	}
	rc = 0;
out:
	free(tok);
	return rc;
}

static int api_volume_create(struct req *r)
{
	struct volume *v = malloc(sizeof(*v));
	struct berr e;
	int rc, status, created;

	if (!v)
		return reply_error(r, 500, "out of memory");
	if (create_body(r, v, &status, &e) < 0) {
		rc = reply_error(r, status, "%s", e.msg);
	} else if (volume_create(r->eng, v, &created, &e) < 0) {
		rc = reply_berr(r, &e);
	} else {
		rc = reply_volume(r, 201, v);
	}
	free(v);
	return rc;
}

static int api_volume_inspect(struct req *r)
{
	struct volume *v = malloc(sizeof(*v));
	struct berr e;
	int rc;

	if (!v)
		return reply_error(r, 500, "out of memory");
	if (volume_get(r->eng, r->param[0], v, &e) < 0) {
		rc = reply_berr(r, &e);
	} else {
		rc = reply_volume(r, 200, v);
	}
	free(v);
	return rc;
}

static int api_volume_delete(struct req *r)
{
	struct berr e;

	if (volume_remove(r->eng, r->param[0], &e) < 0)
		return reply_berr(r, &e);
	return reply_status(r, 204);
}

struct walk {
	struct engine *eng;
	struct filters f;
	struct json_w *w;
	int usage;
	int prune_all;
	int n;
	char (*names)[VOLUME_NAME_MAX + 1];  /* prune: what to remove */
};

static int has_label(const struct volume *v, const char *want)
{
	const char *eq = strchr(want, '=');
	size_t kl = eq ? (size_t)(eq - want) : strlen(want);

	for (int i = 0; i < v->nlabels; i++)
		if (strlen(v->labels[i].key) == kl && memcmp(v->labels[i].key, want, kl) == 0 &&
		    (!eq || strcmp(v->labels[i].value, eq + 1) == 0))
			return 1;
	return 0;
}

static int walk_match(struct walk *k, const struct volume *v)
{
	const char *d = filters_get(&k->f, "dangling", 0);

	for (int i = 0; i < filters_count(&k->f, "name"); i++)
		if (!strstr(v->name, filters_get(&k->f, "name", i)))
			return 0;
	for (int i = 0; i < filters_count(&k->f, "label"); i++)
		if (!has_label(v, filters_get(&k->f, "label", i)))
			return 0;
	if (!filters_match(&k->f, "driver", "local"))
		return 0;
	if (d && ((strcmp(d, "true") == 0 || strcmp(d, "1") == 0) == !!ctr_volume_in_use(k->eng, v->name)))
		return 0;
	return 1;
}

static int list_one(void *ctx, const struct volume *v)
{
	struct walk *k = ctx;

	if (walk_match(k, v))
		write_volume(k->w, k->eng, v, k->usage);
	return 0;
}

static const char *const list_keys[] = { "name", "label", "dangling", "driver", NULL };

static int api_volumes_list(struct req *r)
{
	struct walk *k = calloc(1, sizeof(*k));
	struct json_w w;
	struct berr e;
	int rc;

	if (!k)
		return reply_error(r, 500, "out of memory");
	json_w_init_grow(&w, LIST_MAX);
	k->eng = r->eng;
	k->w = &w;
	if (filters_from_req(r, list_keys, &k->f, &e) < 0) {
		rc = reply_berr(r, &e);
		goto out;
	}
	json_w_obj(&w);
	json_w_key(&w, "Volumes");
	json_w_arr(&w);
	rc = volume_each(r->eng, list_one, k, &e);
	json_w_arr_end(&w);
	json_w_key(&w, "Warnings");
	json_w_arr(&w);
	json_w_arr_end(&w);
	json_w_obj_end(&w);
	rc = rc < 0 ? reply_berr(r, &e) : reply_jsonw(r, 200, &w);
out:
	json_w_free(&w);
	free(k);
	return rc;
}

static int prune_one(void *ctx, const struct volume *v)
{
	struct walk *k = ctx;

	if (k->n >= CONFIG_ENGINE_VOLUMES_MAX || ctr_volume_in_use(k->eng, v->name) || !walk_match(k, v))
		return 0;
	/* since API 1.42 only anonymous volumes, unless all=true */
	if (!k->prune_all && !has_label(v, VOLUME_LABEL_ANON))
		return 0;
	memcpy(k->names[k->n++], v->name, sizeof(k->names[0]));
	return 0;
}

static const char *const prune_keys[] = { "label", "all", NULL };

static int api_volumes_prune(struct req *r)
{
	struct walk *k = calloc(1, sizeof(*k));
	const char *all;
	struct json_w w;
	struct berr e;
	int rc;

	if (!k)
		return reply_error(r, 500, "out of memory");
	json_w_init_grow(&w, LIST_MAX);
	k->eng = r->eng;
	k->names = calloc(CONFIG_ENGINE_VOLUMES_MAX, sizeof(*k->names));
	if (!k->names || filters_from_req(r, prune_keys, &k->f, &e) < 0) {
		rc = k->names ? reply_berr(r, &e) : reply_error(r, 500, "out of memory");
		goto out;
	}
	all = filters_get(&k->f, "all", 0);
	k->prune_all = r->api_minor < 42 || (all && (strcmp(all, "true") == 0 || strcmp(all, "1") == 0));
	if (volume_each(r->eng, prune_one, k, &e) < 0) {
		rc = reply_berr(r, &e);
		goto out;
	}
	json_w_obj(&w);
	json_w_key(&w, "VolumesDeleted");
	json_w_arr(&w);
	for (int i = 0; i < k->n; i++)
		if (volume_remove(r->eng, k->names[i], &e) == 0)
			json_w_str(&w, k->names[i]);
	json_w_arr_end(&w);
	json_w_ki64(&w, "SpaceReclaimed", 0);
	json_w_obj_end(&w);
	rc = reply_jsonw(r, 200, &w);
out:
	json_w_free(&w);
	if (k->names)
		free(k->names);
	free(k);
	return rc;
}

static int df_one(void *ctx, const struct volume *v)
{
	struct walk *k = ctx;

	write_volume(k->w, k->eng, v, 1);
	return 0;
}

void api_volumes_df(struct engine *eng, struct json_w *w)
{
	struct walk *k = calloc(1, sizeof(*k));
	struct berr e;

	json_w_key(w, "Volumes");
	json_w_arr(w);
	if (k) {
		k->eng = eng;
		k->w = w;
		(void)volume_each(eng, df_one, k, &e);
	}
	json_w_arr_end(w);
	free(k);
}

const struct route api_volumes_routes[] = {
	{ "GET", "/volumes", api_volumes_list, 0 },
	{ "POST", "/volumes/create", api_volume_create, ROUTE_BODY },
	{ "POST", "/volumes/prune", api_volumes_prune, 0 },
	{ "GET", "/volumes/{}", api_volume_inspect, 0 },
	{ "DELETE", "/volumes/{}", api_volume_delete, 0 },
	{ NULL },
};

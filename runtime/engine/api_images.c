/* api_images.c — GET /images/json, GET /images/{name}/json, POST
 * /images/load, POST /images/{name}/tag, DELETE /images/{name}
 * (DOCKER_API.md §4, §8).
 *
 * The store's index is not shared between threads: every route takes
 * store_mu, then the store's flock (shared to read, exclusive to change).
 * A load holds both for the whole import, so image routes wait for it;
 * /info reads the image count kept in eng->images_n instead.
 */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "runtime/engine/api.h"
#include "runtime/engine/api_util.h"
#include "runtime/engine/ctr.h"
#include "runtime/engine/engine.h"
#include "runtime/engine/filters.h"
#include "runtime/engine/images.h"

#define LIST_MAX (32 * 1024 * 1024)
#define NAME_OUT (REF_NAME_MAX + 32)

/* What one image's summary and inspect need (allocated per request). */
struct img {
	char hex[DIGEST_HEX_LEN + 1];
	struct image_rec rec;
	struct imgconf conf;
};

int api_images_count(struct engine *eng)
{
	int n;

	pthread_mutex_lock(&eng->mu);
	n = eng->images_n;
	pthread_mutex_unlock(&eng->mu);
	return n;
}

/* Bytes of the image's layer blobs (the archive's layer tars; see
 * docs/engine.md: not the unpacked size). */
static int64_t image_size(struct store *s, const struct image_rec *im)
{
	int64_t sum = 0;

	for (int i = 0; i < im->nlayers; i++) {
		char path[16 + DIGEST_HEX_LEN];
		struct stat st;
		snprintf(path, sizeof(path), "blobs/sha256/%s", im->layers[i].blob + 7);
		if (fstatat(s->rootfd, path, &st, AT_SYMLINK_NOFOLLOW) == 0)
			sum += st.st_size;
	}
	return sum;
}

static int64_t created_s(const struct imgconf *c)
{
	int64_t ns;

	return c->created[0] && api_parse_rfc3339(c->created, &ns) == 0 ? ns / 1000000000 : 0;
}

static void write_labels(struct json_w *w, const struct imgconf *c)
{
	if (c->labels_n == 0) {
		json_w_null(w);
		return;
	}
	json_w_obj(w);
	for (int i = 0; i < c->labels_n; i++)
		json_w_kstr(w, c->labels[i].key, c->labels[i].value);
	json_w_obj_end(w);
}

/* Does familiar name (with its tag) match a reference filter pattern? */
static int ref_match(const char *pattern, const char *familiar)
{
	char repo[NAME_OUT];
	const char *last = strrchr(familiar, '/'), *colon = strrchr(last ? last : familiar, ':');

	if (fnmatch(pattern, familiar, FNM_PATHNAME) == 0)
		return 1;
	snprintf(repo, sizeof(repo), "%.*s", colon ? (int)(colon - familiar) : (int)strlen(familiar), familiar);
	return fnmatch(pattern, repo, FNM_PATHNAME) == 0;
}

/* The image's names (familiar), those a reference filter lets through;
 * written to w unless it is NULL. Returns how many. */
static int write_tags(struct json_w *w, struct store *s, const char *hex, const struct filters *f)
{
	int n = 0, nref = filters_count(f, "reference");

	if (w)
		json_w_arr(w);
	for (int i = 0; i < s->ix->names.n; i++) {
		char fam[NAME_OUT];
		int ok = !nref;
		if (strcmp(s->ix->names.e[i].digest + 7, hex) != 0)
			continue;
		images_name_familiar(s->ix->names.e[i].name, fam, sizeof(fam));
		for (int k = 0; k < nref && !ok; k++)
			ok = ref_match(filters_get(f, "reference", k), fam);
		if (ok && w)
			json_w_str(w, fam);
		n += ok;
	}
	if (w)
		json_w_arr_end(w);
	return n;
}

static int label_match(const struct filters *f, const struct imgconf *c)
{
	for (int k = 0; k < filters_count(f, "label"); k++) {
		const char *want = filters_get(f, "label", k), *eq = strchr(want, '=');
		size_t kl = eq ? (size_t)(eq - want) : strlen(want);
		int hit = 0;
		for (int i = 0; i < c->labels_n && !hit; i++)
			hit = strlen(c->labels[i].key) == kl && memcmp(c->labels[i].key, want, kl) == 0 &&
			      (!eq || strcmp(c->labels[i].value, eq + 1) == 0);
		if (!hit)
			return 0;
	}
	return 1;
}

static void write_id(struct json_w *w, const char *key, const char *hex)
{
	char id[DIGEST_STR_LEN + 1];

	snprintf(id, sizeof(id), "sha256:%s", hex);
	json_w_kstr(w, key, id);
}

/* One summary of GET /images/json; 0 when the filters leave it out. */
static int write_summary(struct req *r, struct json_w *w, struct img *im, const struct filters *f,
			 struct berr *e)
{
	struct store *s = &r->eng->store;
	static const struct filters none;
	int named = write_tags(NULL, s, im->hex, &none);
	const char *d = filters_get(f, "dangling", 0);
	int64_t size;

	if (d && ((strcmp(d, "true") == 0 || strcmp(d, "1") == 0) ? named : !named))
		return 0;
	if (filters_count(f, "reference") && write_tags(NULL, s, im->hex, f) == 0)
		return 0;
	if (store_image_read(s, im->hex, &im->rec, e) < 0 || images_config_locked(s, im->hex, &im->conf, e) < 0)
		return -1;
	if (!label_match(f, &im->conf))
		return 0;
	size = image_size(s, &im->rec);
	json_w_obj(w);
	write_id(w, "Id", im->hex);
	json_w_kstr(w, "ParentId", "");
	json_w_key(w, "RepoTags");
	write_tags(w, s, im->hex, f);
	json_w_key(w, "RepoDigests");
	json_w_arr(w);
	json_w_arr_end(w);
	json_w_ki64(w, "Created", created_s(&im->conf));
	json_w_ki64(w, "Size", size);
	if (r->api_minor < 44)
		json_w_ki64(w, "VirtualSize", size);
	json_w_ki64(w, "SharedSize", -1);
	json_w_key(w, "Labels");
	write_labels(w, &im->conf);
	json_w_ki64(w, "Containers", -1);
	json_w_obj_end(w);
	return 1;
}

static const char *const list_filters[] = { "reference", "dangling", "label", NULL };

static int api_images_list(struct req *r)
{
	struct engine *eng = r->eng;
	struct filters *f = malloc(sizeof(*f));
	struct img *im = malloc(sizeof(*im));
	struct json_w w;
	struct berr e;
	int rc;

	json_w_init_grow(&w, LIST_MAX);
	if (!f || !im) {
		rc = reply_error(r, 500, "out of memory");
		goto out;
	}
	if (filters_from_req(r, list_filters, f, &e) < 0 || images_lock(eng, STORE_SHARED, &e) < 0) {
		rc = reply_berr(r, &e);
		goto out;
	}
	json_w_arr(&w);
	rc = 0;
	for (int i = 0; i < eng->store.ix->nimages && rc >= 0; i++) {
		memcpy(im->hex, eng->store.ix->images[i], sizeof(im->hex));
		rc = write_summary(r, &w, im, f, &e);
	}
	images_unlock(eng);
	json_w_arr_end(&w);
	rc = rc < 0 ? reply_berr(r, &e) : reply_jsonw(r, 200, &w);
out:
	json_w_free(&w);
	free(f);
	free(im);
	return rc;
}

/* {"80/tcp":{},…}, or null when there are none. */
static void write_set(struct json_w *w, const char *key, const char *const *v, int n, int omit)
{
	if (n == 0 && omit)
		return;
	json_w_key(w, key);
	if (n == 0) {
		json_w_null(w);
		return;
	}
	json_w_obj(w);
	for (int i = 0; i < n; i++) {
		json_w_key(w, v[i]);
		json_w_obj(w);
		json_w_obj_end(w);
	}
	json_w_obj_end(w);
}

/* The image's Config, as dockerd shows it (container.Config). */
static void write_config(struct json_w *w, const struct imgconf *c)
{
	json_w_obj(w);
	json_w_kstr(w, "Hostname", "");
	json_w_kstr(w, "Domainname", "");
	json_w_kstr(w, "User", c->user);
	json_w_kbool(w, "AttachStdin", false);
	json_w_kbool(w, "AttachStdout", false);
	json_w_kbool(w, "AttachStderr", false);
	write_set(w, "ExposedPorts", c->ports, c->ports_n, 1);
	json_w_kbool(w, "Tty", false);
	json_w_kbool(w, "OpenStdin", false);
	json_w_kbool(w, "StdinOnce", false);
	json_w_kstrs(w, "Env", c->env, c->env_n, c->env_n > 0);
	json_w_kstrs(w, "Cmd", c->cmd, c->cmd_n, c->cmd_set);
	json_w_kstr(w, "Image", "");
	write_set(w, "Volumes", c->volumes, c->volumes_n, 0);
	json_w_kstr(w, "WorkingDir", c->workdir);
	json_w_kstrs(w, "Entrypoint", c->entrypoint, c->entrypoint_n, c->entrypoint_set);
	json_w_key(w, "OnBuild");
	json_w_null(w);
	json_w_key(w, "Labels");
	write_labels(w, c);
	if (c->stop_signal[0])
		json_w_kstr(w, "StopSignal", c->stop_signal);
	json_w_obj_end(w);
}

static void write_inspect(struct req *r, struct json_w *w, struct img *im)
{
	struct store *s = &r->eng->store;
	static const struct filters none;
	int64_t size = image_size(s, &im->rec);

	json_w_obj(w);
	write_id(w, "Id", im->hex);
	json_w_key(w, "RepoTags");
	write_tags(w, s, im->hex, &none);
	json_w_key(w, "RepoDigests");
	json_w_arr(w);
	json_w_arr_end(w);
	json_w_kstr(w, "Parent", "");
	json_w_kstr(w, "Comment", "");
	json_w_kstr(w, "Created", im->conf.created[0] ? im->conf.created : "0001-01-01T00:00:00Z");
	json_w_kstr(w, "DockerVersion", "");
	json_w_kstr(w, "Author", "");
	json_w_key(w, "Config");
	write_config(w, &im->conf);
	json_w_kstr(w, "Architecture", im->conf.arch[0] ? im->conf.arch : im->rec.arch);
	if (im->conf.variant[0])
		json_w_kstr(w, "Variant", im->conf.variant);
	json_w_kstr(w, "Os", im->conf.os[0] ? im->conf.os : im->rec.os);
	json_w_ki64(w, "Size", size);
	if (r->api_minor < 44)
		json_w_ki64(w, "VirtualSize", size);
	json_w_key(w, "GraphDriver");
	json_w_obj(w);
	json_w_kstr(w, "Name", "overlay2");
	json_w_key(w, "Data");
	json_w_null(w);
	json_w_obj_end(w);
	json_w_key(w, "RootFS");
	json_w_obj(w);
	json_w_kstr(w, "Type", "layers");
	json_w_key(w, "Layers");
	json_w_arr(w);
	for (int i = 0; i < im->rec.nlayers; i++)
		json_w_str(w, im->rec.layers[i].diff);
	json_w_arr_end(w);
	json_w_obj_end(w);
	json_w_key(w, "Metadata");
	json_w_obj(w);
	json_w_kstr(w, "LastTagTime", "0001-01-01T00:00:00Z");
	json_w_obj_end(w);
	json_w_obj_end(w);
}

/* Resolve the image of the route, read its record and config (shared
 * store lock), and answer with what write() makes of them. */
typedef void image_writer(struct req *r, struct json_w *w, struct img *im);

static int image_answer(struct req *r, image_writer *write)
{
	struct engine *eng = r->eng;
	struct img *im = malloc(sizeof(*im));
	struct json_w w;
	struct berr e;
	int rc;

	json_w_init_grow(&w, LIST_MAX);
	if (!im)
		return reply_error(r, 500, "out of memory");
	if (images_lock(eng, STORE_SHARED, &e) < 0) {
		rc = reply_berr(r, &e);
		goto out;
	}
	rc = images_resolve_locked(&eng->store, r->param[0], im->hex, NULL, &e);
	if (rc == 0)
		rc = store_image_read(&eng->store, im->hex, &im->rec, &e);
	if (rc == 0)
		rc = images_config_locked(&eng->store, im->hex, &im->conf, &e);
	if (rc == 0)
		write(r, &w, im);
	images_unlock(eng);
	rc = rc < 0 ? reply_berr(r, &e) : reply_jsonw(r, 200, &w);
out:
	json_w_free(&w);
	free(im);
	return rc;
}

static int api_image_inspect(struct req *r)
{
	return image_answer(r, write_inspect);
}

/* GET /images/{name}/history: newest first; the top entry carries the id
 * and the names, the others "<missing>" (their ids are not kept), as
 * dockerd shows a loaded image. A history without entries is one entry
 * per layer. */
static void write_history(struct json_w *w, struct store *s, struct img *im)
{
	static const struct filters none;
	const struct imgconf *c = &im->conf;
	int n = c->history, layer = im->rec.nlayers;

	json_w_arr(w);
	for (int i = (n ? n : im->rec.nlayers) - 1; i >= 0; i--) {
		const struct imgconf_hist *h = n ? &c->hist[i] : NULL;
		int64_t size = 0, ns;
		if ((!h || !h->empty_layer) && layer > 0) {
			struct image_rec one = { .nlayers = 1 };
			one.layers[0] = im->rec.layers[--layer];
			size = image_size(s, &one);
		}
		json_w_obj(w);
		if (i == (n ? n : im->rec.nlayers) - 1) {
			write_id(w, "Id", im->hex);
			json_w_key(w, "Tags");
			write_tags(w, s, im->hex, &none);
		} else {
			json_w_kstr(w, "Id", "<missing>");
			json_w_key(w, "Tags");
			json_w_null(w);
		}
		json_w_ki64(w, "Created", h && h->created[0] && api_parse_rfc3339(h->created, &ns) == 0 ?
					      ns / 1000000000 : created_s(c));
		json_w_kstr(w, "CreatedBy", h ? h->created_by : "");
		json_w_ki64(w, "Size", size);
		json_w_kstr(w, "Comment", h ? h->comment : "");
		json_w_obj_end(w);
	}
	json_w_arr_end(w);
}

static void history_writer(struct req *r, struct json_w *w, struct img *im)
{
	write_history(w, &r->eng->store, im);
}

static int api_image_history(struct req *r)
{
	return image_answer(r, history_writer);
}

/* -------------------------------------------------------------- tag, delete */

/* names without every name equal to full once normalised */
static void names_drop(struct store_names *n, const char *full)
{
	char have[NAME_OUT];
	struct berr ign;

	for (int i = 0; i < n->n;) {
		if (images_ref_normalize(n->e[i].name, have, sizeof(have), &ign) == 0 && strcmp(have, full) == 0)
			n->e[i] = n->e[--n->n];
		else
			i++;
	}
}

static int do_tag(struct engine *eng, const char *src, const char *ref, char *fam, struct berr *e)
{
	struct store_names *n = malloc(sizeof(*n));
	char hex[DIGEST_HEX_LEN + 1], full[NAME_OUT], digest[DIGEST_STR_LEN + 1];
	int rc = -1;

	if (!n)
		return berr_set(e, ENOMEM, "out of memory");
	if (images_ref_normalize(ref, full, sizeof(full), e) < 0)
		goto out;
	images_ref_familiar(full, fam, NAME_OUT);
	if (images_lock(eng, STORE_EXCLUSIVE, e) < 0)
		goto out;
	if (images_resolve_locked(&eng->store, src, hex, NULL, e) == 0) {
		memcpy(n, &eng->store.ix->names, sizeof(*n));
		names_drop(n, full);
		snprintf(digest, sizeof(digest), "sha256:%s", hex);
		if (store_names_set(n, fam, digest, e) == 0 && store_names_write(&eng->store, n, e) == 0)
			rc = 0;
	}
	images_unlock(eng);
out:
	free(n);
	return rc;
}

static int api_image_tag(struct req *r)
{
	char repo[REF_NAME_MAX], tag[160], ref[REF_NAME_MAX + 160], fam[NAME_OUT];
	const char *last;
	struct berr e;

	if (req_query(r, "repo", repo, sizeof(repo)) != 1 || !repo[0])
		return reply_error(r, 400, "repository name must have at least one component");
	if (req_query(r, "tag", tag, sizeof(tag)) < 0)
		return reply_error(r, 400, "invalid tag format");
	last = strrchr(repo, '/');
	if (strchr(repo, '@') || (tag[0] && strchr(last ? last : repo, ':')))
		return reply_error(r, 400, "invalid reference format");
	snprintf(ref, sizeof(ref), "%s%s%s", repo, tag[0] ? ":" : "", tag);
	if (do_tag(r->eng, r->param[0], ref, fam, &e) < 0)
		return reply_berr(r, &e);
	engine_event(r->eng, "image", "tag", fam, "name", fam, NULL);
	return reply_status(r, 201);
}

/* What DELETE did, decided under the lock. */
struct rm {
	char hex[DIGEST_HEX_LEN + 1];
	char name[REF_NAME_MAX];    /* the stored name REF matched; "" by id */
	int nnames, deleted;
	char untagged[IMAGE_TAGS_MAX][NAME_OUT];
	int nuntagged;
};

static int rm_untag_only(struct engine *eng, struct rm *m, struct berr *e)
{
	struct store_names *n = malloc(sizeof(*n));
	int rc;

	if (!n)
		return berr_set(e, ENOMEM, "out of memory");
	memcpy(n, &eng->store.ix->names, sizeof(*n));
	for (int i = 0; i < n->n; i++)
		if (strcmp(n->e[i].name, m->name) == 0) {
			n->e[i] = n->e[--n->n];
			break;
		}
	rc = store_names_write(&eng->store, n, e);
	free(n);
	return rc;
}

static const struct filters no_filters;

static int do_rm(struct engine *eng, const char *ref, int force, struct rm *m, struct berr *e)
{
	struct store *s = &eng->store;
	char digest[DIGEST_STR_LEN + 1];
	int in_use;

	if (images_resolve_locked(s, ref, m->hex, m->name, e) < 0)
		return -1;
	m->nnames = write_tags(NULL, s, m->hex, &no_filters);
	in_use = ctr_image_in_use(eng, m->hex);
	if (m->name[0]) {
		images_name_familiar(m->name, m->untagged[m->nuntagged++], NAME_OUT);
		if (m->nnames == 1 && in_use && !force)
			return berr_set(e, EBUSY, "conflict: unable to remove repository reference \"%s\" "
					"(must force) - container is using its referenced image %.12s", ref, m->hex);
		if (m->nnames == 1 && in_use)
			return rm_untag_only(eng, m, e);
		m->deleted = m->nnames == 1;
		return store_rm(s, m->name, e);
	}
	if (in_use)
		return berr_set(e, EBUSY, "conflict: unable to delete %.12s (cannot be forced) - "
				"image is being used by a container", m->hex);
	if (m->nnames > 1 && !force)
		return berr_set(e, EBUSY, "conflict: unable to delete %.12s (must be forced) - "
				"image is referenced in multiple repositories", m->hex);
	for (int i = 0; i < s->ix->names.n && m->nuntagged < IMAGE_TAGS_MAX; i++)
		if (strcmp(s->ix->names.e[i].digest + 7, m->hex) == 0)
			images_name_familiar(s->ix->names.e[i].name, m->untagged[m->nuntagged++], NAME_OUT);
	m->deleted = 1;
	snprintf(digest, sizeof(digest), "sha256:%s", m->hex);
	return store_rm(s, digest, e);
}

static int api_image_delete(struct req *r)
{
	struct engine *eng = r->eng;
	struct rm *m = calloc(1, sizeof(*m));
	struct json_w w;
	struct berr e;
	int rc;

	if (!m)
		return reply_error(r, 500, "out of memory");
	if (images_lock(eng, STORE_EXCLUSIVE, &e) < 0) {
		rc = reply_berr(r, &e);
		goto out;
	}
	rc = do_rm(eng, r->param[0], req_query_bool(r, "force"), m, &e);
	images_unlock(eng);
	if (rc < 0) {
		rc = reply_berr(r, &e);
		goto out;
	}
	json_w_init_grow(&w, 1 << 20);
	json_w_arr(&w);
	for (int i = 0; i < m->nuntagged; i++) {
		json_w_obj(&w);
		json_w_kstr(&w, "Untagged", m->untagged[i]);
		json_w_obj_end(&w);
		engine_event(eng, "image", "untag", m->hex, "name", m->untagged[i], NULL);
	}
	if (m->deleted) {
		json_w_obj(&w);
		write_id(&w, "Deleted", m->hex);
		json_w_obj_end(&w);
		engine_event(eng, "image", "delete", m->hex, NULL);
	}
	json_w_arr_end(&w);
	rc = reply_jsonw(r, 200, &w);
out:
	free(m);
	return rc;
}

void api_images_df(struct engine *eng, struct json_w *w)
{
	struct img *im = malloc(sizeof(*im));
	static const struct filters none;
	int64_t total = 0;
	struct berr e;

	json_w_key(w, "Images");
	json_w_arr(w);
	if (im && images_lock(eng, STORE_SHARED, &e) == 0) {
		struct store *s = &eng->store;
		for (int i = 0; i < s->ix->nimages; i++) {
			int64_t size;
			memcpy(im->hex, s->ix->images[i], sizeof(im->hex));
			if (store_image_read(s, im->hex, &im->rec, &e) < 0 ||
			    images_config_locked(s, im->hex, &im->conf, &e) < 0)
				continue;
			size = image_size(s, &im->rec);
			total += size;
			json_w_obj(w);
			write_id(w, "Id", im->hex);
			json_w_kstr(w, "ParentId", "");
			json_w_key(w, "RepoTags");
			write_tags(w, s, im->hex, &none);
			json_w_key(w, "RepoDigests");
			json_w_arr(w);
			json_w_arr_end(w);
			json_w_ki64(w, "Created", created_s(&im->conf));
			json_w_ki64(w, "Size", size);
			json_w_ki64(w, "SharedSize", 0);
			json_w_key(w, "Labels");
			write_labels(w, &im->conf);
			json_w_ki64(w, "Containers", ctr_image_in_use(eng, im->hex));
			json_w_obj_end(w);
		}
		images_unlock(eng);
	}
	json_w_arr_end(w);
	json_w_ki64(w, "LayersSize", total);
	free(im);
}

/* POST /images/create (docker pull, and docker run of an image that is
 * not here): api_pull.c. ?fromSrc= (docker import) is refused. */
static int api_images_create(struct req *r)
{
	char src[16];

	if (req_query(r, "fromSrc", src, sizeof(src)) != 0)
		return reply_error(r, 403, "docker import is not supported: use docker load");
	return api_images_pull(r);
}

const struct route api_images_routes[] = {
	{ "POST", "/images/create", api_images_create, 0 },
	{ "POST", "/auth", api_auth, ROUTE_BODY },
	{ "GET", "/images/json", api_images_list, 0 },
	{ "POST", "/images/load", api_images_load, ROUTE_STREAM },
	{ "GET", "/images/{*}/json", api_image_inspect, 0 },
	{ "GET", "/images/{*}/history", api_image_history, 0 },
	{ "POST", "/images/{*}/tag", api_image_tag, 0 },
	{ "DELETE", "/images/{*}", api_image_delete, 0 },
	{ NULL },
};

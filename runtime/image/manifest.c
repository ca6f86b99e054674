/* manifest.c — OCI index/manifest, image config and docker manifest.json. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/json.h"
#include "runtime/image/manifest.h"

/* jsmn tokens live on the heap: CONFIG_IMAGE_JSON_TOKENS_MAX of them is too big for a stack. */
static int parse(struct json *j, const char *js, size_t len, jsmntok_t **tok, struct berr *e)
{
	*tok = calloc(CONFIG_IMAGE_JSON_TOKENS_MAX, sizeof(**tok));
	if (!*tok)
		return berr_set(e, ENOMEM, "out of memory for JSON tokens");
	if (json_parse(j, js, len, *tok, CONFIG_IMAGE_JSON_TOKENS_MAX, e) < 0) {
		free(*tok);
		*tok = NULL;
		return -1;
	}
	return 0;
}

/* Optional string member: absent leaves buf empty. */
static int opt_str(const struct json *j, int obj, const char *key, char *buf, size_t size,
		   struct berr *e)
{
	int v = json_get(j, obj, key);

	buf[0] = '\0';
	if (v < 0)
		return 0;
	if (json_str(j, v, buf, size, e) < 0)
		return berr_prefix(e, "\"%s\"", key);
	return 0;
}

static int req_str(const struct json *j, int obj, const char *key, char *buf, size_t size,
		   struct berr *e)
{
	if (json_get(j, obj, key) < 0)
		return berr_set(e, EPROTO, "\"%s\" is missing", key);
	return opt_str(j, obj, key, buf, size, e);
}

/* Parse a document whose optional top-level "mediaType" must be mt1 or mt2. */
static int parse_typed(struct json *j, const char *js, size_t len, jsmntok_t **tok, const char *mt1,
		       const char *mt2, const char *what, struct berr *e)
{
	char mt[MEDIA_MAX];

	if (parse(j, js, len, tok, e) < 0)
		return -1;
	if (opt_str(j, 0, "mediaType", mt, sizeof(mt), e) < 0)
		return -1;
	if (mt[0] && strcmp(mt, mt1) != 0 && strcmp(mt, mt2) != 0)
		return berr_set(e, EPROTO, "media type \"%s\" is not %s", mt, what);
	return 0;
}

/* The array member key of obj, with at most max elements; its token. */
static int array_of(const struct json *j, int obj, const char *key, int max, struct berr *e)
{
	int arr = json_get(j, obj, key);

	if (json_type(j, arr) != JSMN_ARRAY)
		return berr_set(e, EPROTO, "\"%s\" is missing or not an array", key);
	if (j->tok[arr].size > max)
		return berr_set(e, E2BIG, "more than %d %s", max, key);
	return arr;
}

static int read_desc(const struct json *j, int d, struct desc *out, struct berr *e);

/* Every descriptor of the array arr (member key) into d[], counted in *n;
 * layers: each must also have a layer media type. */
static int read_descs(const struct json *j, int arr, const char *key, int layers, struct desc *d, int *n,
		      struct berr *e)
{
	for (int k = 0; k < j->tok[arr].size; k++) {
		if (read_desc(j, json_at(j, arr, k), &d[k], e) < 0 ||
		    (layers && manifest_layer_comp(d[k].media, e) < 0))
			return berr_prefix(e, "%s[%d]", key, k);
		(*n)++;
	}
	return 0;
}

static int read_desc(const struct json *j, int d, struct desc *out, struct berr *e)
{
	int v, ann, plat;

	memset(out, 0, sizeof(*out));
	if (json_type(j, d) != JSMN_OBJECT)
		return berr_set(e, EPROTO, "descriptor is not an object");
	if (opt_str(j, d, "mediaType", out->media, sizeof(out->media), e) < 0 ||
	    req_str(j, d, "digest", out->digest, sizeof(out->digest), e) < 0)
		return -1;
	if (digest_parse(out->digest, strlen(out->digest), out->hex, e) < 0)
		return -1;
	v = json_get(j, d, "size");
	if (v < 0)
		return berr_set(e, EPROTO, "descriptor %s has no size", out->digest);
	if (json_u64(j, v, &out->size, e) < 0)
		return berr_prefix(e, "descriptor %s: size", out->digest);
	ann = json_get(j, d, "annotations");
	if (ann >= 0 &&
	    (opt_str(j, ann, "org.opencontainers.image.ref.name", out->ref, sizeof(out->ref), e) < 0 ||
	     opt_str(j, ann, "io.containerd.image.name", out->image_name, sizeof(out->image_name), e) < 0))
		return berr_prefix(e, "descriptor %s annotations", out->digest);
	plat = json_get(j, d, "platform");
	if (plat >= 0 &&
	    (opt_str(j, plat, "os", out->os, sizeof(out->os), e) < 0 ||
	     opt_str(j, plat, "architecture", out->arch, sizeof(out->arch), e) < 0))
		return berr_prefix(e, "descriptor %s platform", out->digest);
	return 0;
}

int manifest_layer_comp(const char *media, struct berr *e)
{
	static const struct { const char *mt; int comp; } known[] = {
		{ "application/vnd.oci.image.layer.v1.tar", LAYER_TAR },
		{ "application/vnd.oci.image.layer.v1.tar+gzip", LAYER_GZIP },
		{ "application/vnd.oci.image.layer.nondistributable.v1.tar", LAYER_TAR },
		{ "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip", LAYER_GZIP },
		{ "application/vnd.docker.image.rootfs.diff.tar", LAYER_TAR },
		{ "application/vnd.docker.image.rootfs.diff.tar.gzip", LAYER_GZIP },
		{ "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip", LAYER_GZIP },
		{ "application/vnd.oci.image.layer.v1.tar+zstd", LAYER_ZSTD },
		{ "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd", LAYER_ZSTD },
	};
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strcmp(media, known[i].mt) == 0)
			return known[i].comp;
	return berr_set(e, ENOTSUP, "layer media type \"%s\" is unsupported", media);
}

int manifest_index_read(const char *js, size_t len, struct oci_index *out, struct berr *e)
{
	struct json j;
	jsmntok_t *tok = NULL;
	int arr, rc = -1;

	memset(out, 0, sizeof(*out));
	if (parse_typed(&j, js, len, &tok, MT_OCI_INDEX, MT_DOCKER_LIST, "an index", e) == 0 &&
	    (arr = array_of(&j, 0, "manifests", INDEX_MAX, e)) >= 0 &&
	    read_descs(&j, arr, "manifests", 0, out->m, &out->n, e) == 0)
		rc = 0;
	free(tok);
	return rc < 0 ? berr_prefix(e, "index") : 0;
}

int manifest_read(const char *js, size_t len, struct oci_manifest *out, struct berr *e)
{
	struct json j;
	jsmntok_t *tok = NULL;
	int arr, rc = -1;

	memset(out, 0, sizeof(*out));
	if (parse_typed(&j, js, len, &tok, MT_OCI_MANIFEST, MT_DOCKER_MANIFEST, "an image manifest", e) < 0)
		goto out;
	if (read_desc(&j, json_get(&j, 0, "config"), &out->config, e) < 0) {
		berr_prefix(e, "config");
		goto out;
	}
	if (strcmp(out->config.media, MT_OCI_CONFIG) != 0 &&
	    strcmp(out->config.media, MT_DOCKER_CONFIG) != 0) {
		berr_set(e, EPROTO, "config %s: media type \"%s\" is not an image config",
			 out->config.digest, out->config.media);
		goto out;
	}
	if ((arr = array_of(&j, 0, "layers", LAYERS_MAX, e)) >= 0 &&
	    read_descs(&j, arr, "layers", 1, out->layers, &out->nlayers, e) == 0)
		rc = 0;
out:
	free(tok);
	return rc < 0 ? berr_prefix(e, "manifest") : 0;
}

/* Every string of the array arr (member key) into out[i * stride], each
 * at most stride bytes, counted in *n. */
static int read_strs(const struct json *j, int arr, const char *key, char *out, size_t stride, int *n,
		     struct berr *e)
{
	for (int t = 0; t < j->tok[arr].size; t++) {
		if (json_str(j, json_at(j, arr, t), out + (size_t)t * stride, stride, e) < 0)
			return berr_prefix(e, "%s[%d]", key, t);
		(*n)++;
	}
	return 0;
}

int manifest_config_read(const char *js, size_t len, struct image_config *out, struct berr *e)
{
	struct json j;
	jsmntok_t *tok;
	int rootfs, arr, rc = -1;
	char type[16], hex[DIGEST_HEX_LEN + 1];

	memset(out, 0, sizeof(*out));
	if (parse(&j, js, len, &tok, e) < 0)
		return berr_prefix(e, "config");
	if (opt_str(&j, 0, "os", out->os, sizeof(out->os), e) < 0 ||
	    opt_str(&j, 0, "architecture", out->arch, sizeof(out->arch), e) < 0)
		goto out;
	rootfs = json_get(&j, 0, "rootfs");
	if (rootfs < 0) {
		berr_set(e, EPROTO, "\"rootfs\" is missing");
		goto out;
	}
	if (req_str(&j, rootfs, "type", type, sizeof(type), e) < 0)
		goto out;
	if (strcmp(type, "layers") != 0) {
		berr_set(e, EPROTO, "rootfs type \"%s\" is not \"layers\"", type);
		goto out;
	}
	if ((arr = array_of(&j, rootfs, "diff_ids", LAYERS_MAX, e)) < 0) {
		berr_prefix(e, "rootfs");
		goto out;
	}
	if (read_strs(&j, arr, "diff_ids", (char *)out->diff_ids, DIGEST_STR_LEN + 1, &out->ndiff, e) < 0)
		goto out;
	for (int k = 0; k < out->ndiff; k++)
		if (digest_parse(out->diff_ids[k], strlen(out->diff_ids[k]), hex, e) < 0) {
			berr_prefix(e, "diff_ids[%d]", k);
			goto out;
		}
	rc = 0;
out:
	free(tok);
	return rc < 0 ? berr_prefix(e, "config") : 0;
}

/* One image of manifest.json: Config, optional RepoTags, Layers. */
static int read_docker_image(const struct json *j, int o, struct docker_image *im, struct berr *e)
{
	int tags, layers;

	if (req_str(j, o, "Config", im->config, sizeof(im->config), e) < 0)
		return -1;
	tags = json_get(j, o, "RepoTags");
	if (tags >= 0 && json_type(j, tags) == JSMN_ARRAY &&
	    ((tags = array_of(j, o, "RepoTags", IMAGE_TAGS_MAX, e)) < 0 ||
	     read_strs(j, tags, "RepoTags", (char *)im->tags, REF_NAME_MAX, &im->ntags, e) < 0))
		return -1;
	if ((layers = array_of(j, o, "Layers", LAYERS_MAX, e)) < 0 ||
	    read_strs(j, layers, "Layers", (char *)im->layers, ARCHIVE_PATH_MAX, &im->nlayers, e) < 0)
		return -1;
	return 0;
}

int manifest_docker_read(const char *js, size_t len, struct docker_manifest *out, struct berr *e)
{
	struct json j;
	jsmntok_t *tok;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (parse(&j, js, len, &tok, e) < 0)
		return berr_prefix(e, "manifest.json");
	if (j.tok[0].type != JSMN_ARRAY) {
		berr_set(e, EPROTO, "top level is not an array");
		goto out;
	}
	if (j.tok[0].size > INDEX_MAX) {
		berr_set(e, E2BIG, "more than %d images", INDEX_MAX);
		goto out;
	}
	for (int k = 0; k < j.tok[0].size; k++) {
		if (read_docker_image(&j, json_at(&j, 0, k), &out->img[k], e) < 0) {
			berr_prefix(e, "[%d]", k);
			goto out;
		}
		out->n++;
	}
	rc = 0;
out:
	free(tok);
	return rc < 0 ? berr_prefix(e, "manifest.json") : 0;
}

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

int layer_media_type(const char *media, struct berr *e)
{
	static const struct { const char *mt; int comp; } known[] = {
		{ "application/vnd.oci.image.layer.v1.tar", LAYER_TAR },
		{ "application/vnd.oci.image.layer.v1.tar+gzip", LAYER_GZIP },
		{ "application/vnd.oci.image.layer.nondistributable.v1.tar", LAYER_TAR },
		{ "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip", LAYER_GZIP },
		{ "application/vnd.docker.image.rootfs.diff.tar", LAYER_TAR },
		{ "application/vnd.docker.image.rootfs.diff.tar.gzip", LAYER_GZIP },
		{ "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip", LAYER_GZIP },
	};
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strcmp(media, known[i].mt) == 0)
			return known[i].comp;
	if (strstr(media, "zstd"))
		return berr_set(e, ENOTSUP, "layer media type %s is unsupported (zstd)", media);
	return berr_set(e, ENOTSUP, "layer media type \"%s\" is unsupported", media);
}

int oci_index_read(const char *js, size_t len, struct oci_index *out, struct berr *e)
{
	struct json j;
	jsmntok_t *tok;
	int arr, rc = -1;
	char mt[MEDIA_MAX];

	memset(out, 0, sizeof(*out));
	if (parse(&j, js, len, &tok, e) < 0)
		return berr_prefix(e, "index");
	if (opt_str(&j, 0, "mediaType", mt, sizeof(mt), e) < 0)
		goto out;
	if (mt[0] && strcmp(mt, MT_OCI_INDEX) != 0 && strcmp(mt, MT_DOCKER_LIST) != 0) {
		berr_set(e, EPROTO, "media type \"%s\" is not an index", mt);
		goto out;
	}
	arr = json_get(&j, 0, "manifests");
	if (json_type(&j, arr) != JSMN_ARRAY) {
		berr_set(e, EPROTO, "\"manifests\" is missing or not an array");
		goto out;
	}
	if (j.tok[arr].size > INDEX_MAX) {
		berr_set(e, E2BIG, "more than %d manifests", INDEX_MAX);
		goto out;
	}
	for (int k = 0; k < j.tok[arr].size; k++) {
		if (read_desc(&j, json_at(&j, arr, k), &out->m[k], e) < 0) {
			berr_prefix(e, "manifests[%d]", k);
			goto out;
		}
		out->n++;
	}
	rc = 0;
out:
	free(tok);
	return rc < 0 ? berr_prefix(e, "index") : 0;
}

int oci_manifest_read(const char *js, size_t len, struct oci_manifest *out, struct berr *e)
{
	struct json j;
	jsmntok_t *tok;
	int arr, rc = -1;
	char mt[MEDIA_MAX];

	memset(out, 0, sizeof(*out));
	if (parse(&j, js, len, &tok, e) < 0)
		return berr_prefix(e, "manifest");
	if (opt_str(&j, 0, "mediaType", mt, sizeof(mt), e) < 0)
		goto out;
	if (mt[0] && strcmp(mt, MT_OCI_MANIFEST) != 0 && strcmp(mt, MT_DOCKER_MANIFEST) != 0) {
		berr_set(e, EPROTO, "media type \"%s\" is not an image manifest", mt);
		goto out;
	}
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
	arr = json_get(&j, 0, "layers");
	if (json_type(&j, arr) != JSMN_ARRAY) {
		berr_set(e, EPROTO, "\"layers\" is missing or not an array");
		goto out;
	}
	if (j.tok[arr].size > LAYERS_MAX) {
		berr_set(e, E2BIG, "more than %d layers", LAYERS_MAX);
		goto out;
	}
	for (int k = 0; k < j.tok[arr].size; k++) {
		struct desc *d = &out->layers[k];
		if (read_desc(&j, json_at(&j, arr, k), d, e) < 0 ||
		    layer_media_type(d->media, e) < 0) {
			berr_prefix(e, "layers[%d]", k);
			goto out;
		}
		out->nlayers++;
	}
	rc = 0;
out:
	free(tok);
	return rc < 0 ? berr_prefix(e, "manifest") : 0;
}

int image_config_read(const char *js, size_t len, struct image_config *out, struct berr *e)
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
	arr = json_get(&j, rootfs, "diff_ids");
	if (json_type(&j, arr) != JSMN_ARRAY) {
		berr_set(e, EPROTO, "rootfs.diff_ids is missing or not an array");
		goto out;
	}
	if (j.tok[arr].size > LAYERS_MAX) {
		berr_set(e, E2BIG, "more than %d diff_ids", LAYERS_MAX);
		goto out;
	}
	for (int k = 0; k < j.tok[arr].size; k++) {
		char *d = out->diff_ids[k];
		if (json_str(&j, json_at(&j, arr, k), d, DIGEST_STR_LEN + 1, e) < 0 ||
		    digest_parse(d, strlen(d), hex, e) < 0) {
			berr_prefix(e, "diff_ids[%d]", k);
			goto out;
		}
		out->ndiff++;
	}
	rc = 0;
out:
	free(tok);
	return rc < 0 ? berr_prefix(e, "config") : 0;
}

int docker_manifest_read(const char *js, size_t len, struct docker_manifest *out,
			 struct berr *e)
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
		struct docker_image *im = &out->img[k];
		int o = json_at(&j, 0, k), tags, layers;

		if (req_str(&j, o, "Config", im->config, sizeof(im->config), e) < 0) {
			berr_prefix(e, "[%d]", k);
			goto out;
		}
		tags = json_get(&j, o, "RepoTags");
		if (tags >= 0 && json_type(&j, tags) == JSMN_ARRAY) {
			if (j.tok[tags].size > IMAGE_TAGS_MAX) {
				berr_set(e, E2BIG, "[%d]: more than %d RepoTags", k, IMAGE_TAGS_MAX);
				goto out;
			}
			for (int t = 0; t < j.tok[tags].size; t++) {
				if (json_str(&j, json_at(&j, tags, t), im->tags[t], REF_NAME_MAX, e) < 0) {
					berr_prefix(e, "[%d].RepoTags[%d]", k, t);
					goto out;
				}
				im->ntags++;
			}
		}
		layers = json_get(&j, o, "Layers");
		if (json_type(&j, layers) != JSMN_ARRAY) {
			berr_set(e, EPROTO, "[%d]: \"Layers\" is missing or not an array", k);
			goto out;
		}
		if (j.tok[layers].size > LAYERS_MAX) {
			berr_set(e, E2BIG, "[%d]: more than %d layers", k, LAYERS_MAX);
			goto out;
		}
		for (int t = 0; t < j.tok[layers].size; t++) {
			if (json_str(&j, json_at(&j, layers, t), im->layers[t], ARCHIVE_PATH_MAX, e) < 0) {
				berr_prefix(e, "[%d].Layers[%d]", k, t);
				goto out;
			}
			im->nlayers++;
		}
		out->n++;
	}
	rc = 0;
out:
	free(tok);
	return rc < 0 ? berr_prefix(e, "manifest.json") : 0;
}

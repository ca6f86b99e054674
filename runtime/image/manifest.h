/* manifest.h — readers for OCI index/manifest, image config and docker-save
 * manifest.json. Each parses a bounded buffer into fixed-size structs and
 * checks every digest's syntax and every media type it relies on.
 */
#ifndef BERTH_RUNTIME_IMAGE_MANIFEST_H
#define BERTH_RUNTIME_IMAGE_MANIFEST_H

#include <stddef.h>
#include <stdint.h>

#include "autoconf.h"
#include "lib/err.h"
#include "runtime/image/digest.h"

#define MEDIA_MAX 128
#define REF_NAME_MAX 256
#define ARCHIVE_PATH_MAX 256
#define INDEX_MAX 32          /* manifests in one index / images in one archive */
#define IMAGE_TAGS_MAX 16
#define LAYERS_MAX CONFIG_IMAGE_LAYERS_MAX

#define MT_OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define MT_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define MT_OCI_CONFIG "application/vnd.oci.image.config.v1+json"
#define MT_DOCKER_LIST "application/vnd.docker.distribution.manifest.list.v2+json"
#define MT_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define MT_DOCKER_CONFIG "application/vnd.docker.container.image.v1+json"

struct desc {
	char media[MEDIA_MAX];
	char digest[DIGEST_STR_LEN + 1];
	char hex[DIGEST_HEX_LEN + 1];
	uint64_t size;
	char ref[REF_NAME_MAX];       /* org.opencontainers.image.ref.name */
	char image_name[REF_NAME_MAX];/* io.containerd.image.name */
	char os[32], arch[32];
};

struct oci_index {
	int n;
	struct desc m[INDEX_MAX];
};

struct oci_manifest {
	struct desc config;
	int nlayers;
	struct desc layers[LAYERS_MAX];
};

struct image_config {
	char os[32], arch[32];
	int ndiff;
	char diff_ids[LAYERS_MAX][DIGEST_STR_LEN + 1];
};

struct docker_image {
	char config[ARCHIVE_PATH_MAX];
	int ntags;
	char tags[IMAGE_TAGS_MAX][REF_NAME_MAX];
	int nlayers;
	char layers[LAYERS_MAX][ARCHIVE_PATH_MAX];
};

struct docker_manifest {
	int n;
	struct docker_image img[INDEX_MAX];
};

/* Layer media types: 1 tar, 2 tar+gzip, 3 tar+zstd; others are refused. */
enum layer_comp { LAYER_TAR = 1, LAYER_GZIP = 2, LAYER_ZSTD = 3 };
int manifest_layer_comp(const char *media, struct berr *e);

/* OCI index (or Docker manifest list), image manifest, image config,
 * docker-save manifest.json. */
int manifest_index_read(const char *js, size_t len, struct oci_index *out, struct berr *e);
int manifest_read(const char *js, size_t len, struct oci_manifest *out, struct berr *e);
int manifest_config_read(const char *js, size_t len, struct image_config *out, struct berr *e);
int manifest_docker_read(const char *js, size_t len, struct docker_manifest *out, struct berr *e);

#endif

/* test_manifest.c — OCI index/manifest, config and docker manifest.json readers. */
#include <errno.h>
#include <stdlib.h>

#include "lib/json.h"
#include "runtime/image/manifest.h"
#include "tests/unit/unit.h"

#define D1 "sha256:1111111111111111111111111111111111111111111111111111111111111111"
#define D2 "sha256:2222222222222222222222222222222222222222222222222222222222222222"
#define D3 "sha256:3333333333333333333333333333333333333333333333333333333333333333"

static int rd_index(const char *s, struct oci_index *o, struct berr *e)
{
	return manifest_index_read(s, strlen(s), o, e);
}

static void test_index(void)
{
	struct oci_index *ix = malloc(sizeof(*ix));
	struct berr e;
	const char *s = "{\"schemaVersion\":2,\"mediaType\":\"" MT_OCI_INDEX "\",\"manifests\":["
		"{\"mediaType\":\"" MT_OCI_MANIFEST "\",\"digest\":\"" D1 "\",\"size\":123,"
		"\"annotations\":{\"org.opencontainers.image.ref.name\":\"busy\\u00e9:1\","
		"\"io.containerd.image.name\":\"docker.io/library/busybox:1\"},"
		"\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\"}},"
		"{\"mediaType\":\"" MT_OCI_MANIFEST "\",\"digest\":\"" D2 "\",\"size\":7}]}";

	CHECK_INT(rd_index(s, ix, &e), 0);
	CHECK_INT(ix->n, 2);
	CHECK_STR(ix->m[0].digest, D1);
	CHECK_INT(ix->m[0].size, 123);
	CHECK_STR(ix->m[0].ref, "busy\xc3\xa9:1");
	CHECK_STR(ix->m[0].image_name, "docker.io/library/busybox:1");
	CHECK_STR(ix->m[0].arch, "amd64");
	CHECK_STR(ix->m[1].hex, D2 + 7);
	CHECK_STR(ix->m[1].ref, "");
}

static void test_index_bad(void)
{
	struct oci_index *ix = malloc(sizeof(*ix));
	struct berr e;

	CHECK(rd_index("{\"manifests\":[{\"digest\":\"sha256:12\",\"size\":1}]}", ix, &e) < 0);
	CHECK(strstr(e.msg, "sha256:12"));
	CHECK(rd_index("{\"manifests\":[{\"digest\":\"" D1 "\",\"size\":-1}]}", ix, &e) < 0);
	CHECK(rd_index("{\"manifests\":[{\"digest\":\"" D1 "\"}]}", ix, &e) < 0);
	CHECK(strstr(e.msg, "size"));
	CHECK(rd_index("{\"manifests\":{}}", ix, &e) < 0);
	CHECK(rd_index("{\"manifests\":[]", ix, &e) < 0);
	CHECK(strstr(e.msg, "truncated"));
	CHECK(rd_index("{\"manifests\":[]} x", ix, &e) < 0);
	CHECK(rd_index("{\"mediaType\":\"text/plain\",\"manifests\":[]}", ix, &e) < 0);
	CHECK(rd_index("{\"manifests\":[{\"digest\":\"sha256:" "\\u0000\",\"size\":1}]}", ix, &e) < 0);
}

static void test_manifest(void)
{
	struct oci_manifest *m = malloc(sizeof(*m));
	struct berr e;
	const char *s = "{\"schemaVersion\":2,\"mediaType\":\"" MT_OCI_MANIFEST "\","
		"\"config\":{\"mediaType\":\"" MT_OCI_CONFIG "\",\"digest\":\"" D1 "\",\"size\":10},"
		"\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\","
		"\"digest\":\"" D2 "\",\"size\":20},{\"mediaType\":"
		"\"application/vnd.docker.image.rootfs.diff.tar\",\"digest\":\"" D3 "\",\"size\":30}]}";

	CHECK_INT(manifest_read(s, strlen(s), m, &e), 0);
	CHECK_STR(m->config.digest, D1);
	CHECK_INT(m->nlayers, 2);
	CHECK_INT(m->layers[1].size, 30);
	CHECK_INT(manifest_layer_comp(m->layers[0].media, &e), LAYER_GZIP);
	CHECK_INT(manifest_layer_comp(m->layers[1].media, &e), LAYER_TAR);

	const char *z = "{\"config\":{\"mediaType\":\"" MT_OCI_CONFIG "\",\"digest\":\"" D1 "\",\"size\":1},"
		"\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+zstd\","
		"\"digest\":\"" D2 "\",\"size\":2}]}";
	CHECK_INT(manifest_read(z, strlen(z), m, &e), 0);
	CHECK_INT(manifest_layer_comp(m->layers[0].media, &e), LAYER_ZSTD);
	const char *x = "{\"config\":{\"mediaType\":\"" MT_OCI_CONFIG "\",\"digest\":\"" D1 "\",\"size\":1},"
		"\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+lz4\","
		"\"digest\":\"" D2 "\",\"size\":2}]}";
	CHECK(manifest_read(x, strlen(x), m, &e) < 0);
	CHECK_INT(e.errnum, ENOTSUP);
	CHECK(strstr(e.msg, "tar+lz4"));
	CHECK(strstr(e.msg, "unsupported"));
	const char *c = "{\"config\":{\"mediaType\":\"text/plain\",\"digest\":\"" D1 "\",\"size\":1},"
		"\"layers\":[]}";
	CHECK(manifest_read(c, strlen(c), m, &e) < 0);
	CHECK(strstr(e.msg, "text/plain"));
}

static void test_config(void)
{
	struct image_config *c = malloc(sizeof(*c));
	struct berr e;
	const char *s = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Env\":[\"A=b\"]},"
		"\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" D1 "\",\"" D2 "\"]},"
		"\"history\":[{\"created_by\":\"x\"}]}";

	CHECK_INT(manifest_config_read(s, strlen(s), c, &e), 0);
	CHECK_INT(c->ndiff, 2);
	CHECK_STR(c->diff_ids[1], D2);
	CHECK_STR(c->arch, "amd64");
	const char *b = "{\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"md5:00\"]}}";
	CHECK(manifest_config_read(b, strlen(b), c, &e) < 0);
	CHECK(strstr(e.msg, "diff_ids[0]"));
	CHECK(manifest_config_read("{}", 2, c, &e) < 0);
	CHECK(strstr(e.msg, "rootfs"));
}

static void test_docker_manifest(void)
{
	struct docker_manifest *d = malloc(sizeof(*d));
	struct berr e;
	const char *s = "[{\"Config\":\"abc.json\",\"RepoTags\":[\"busybox:latest\",\"bb:1\"],"
		"\"Layers\":[\"x/layer.tar\",\"blobs/sha256/22\"]},"
		"{\"Config\":\"def.json\",\"RepoTags\":null,\"Layers\":[]}]";

	CHECK_INT(manifest_docker_read(s, strlen(s), d, &e), 0);
	CHECK_INT(d->n, 2);
	CHECK_STR(d->img[0].config, "abc.json");
	CHECK_INT(d->img[0].ntags, 2);
	CHECK_STR(d->img[0].tags[1], "bb:1");
	CHECK_STR(d->img[0].layers[1], "blobs/sha256/22");
	CHECK_INT(d->img[1].ntags, 0);
	CHECK(manifest_docker_read("{}", 2, d, &e) < 0);
	CHECK(manifest_docker_read("[{\"Config\":1,\"Layers\":[]}]", 27, d, &e) < 0);
}

static void test_json_limits(void)
{
	struct json j;
	jsmntok_t tok[8];
	struct berr e;
	char buf[4];
	const char *s = "[1,2,3,4,5,6,7,8,9]";

	CHECK(json_parse(&j, s, strlen(s), tok, 8, &e) < 0);
	CHECK_INT(e.errnum, E2BIG);
	CHECK_INT(json_parse(&j, "[\"abcd\"]", 8, tok, 8, &e), 0);
	CHECK(json_str(&j, 1, buf, sizeof(buf), &e) < 0);
	CHECK_INT(e.errnum, ENAMETOOLONG);
	CHECK(json_parse(&j, "[x]", 3, tok, 8, &e) < 0);
}

UNIT_MAIN(UNIT(test_index), UNIT(test_index_bad), UNIT(test_manifest), UNIT(test_config),
	  UNIT(test_docker_manifest), UNIT(test_json_limits))

/* fuzz_manifest.c — libFuzzer target: the jsmn-based readers for OCI
 * index, manifest, image config and docker manifest.json. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/image/manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct oci_index ix;
	static struct oci_manifest m;
	static struct image_config c;
	static struct docker_manifest d;
	struct berr e;
	const char *js = (const char *)data;

	if (manifest_index_read(js, size, &ix, &e) == 0 && ix.n > INDEX_MAX)
		abort();
	if (manifest_read(js, size, &m, &e) == 0 && m.nlayers > LAYERS_MAX)
		abort();
	if (manifest_config_read(js, size, &c, &e) == 0 && c.ndiff > LAYERS_MAX)
		abort();
	if (manifest_docker_read(js, size, &d, &e) == 0 && d.n > INDEX_MAX)
		abort();
	return 0;
}

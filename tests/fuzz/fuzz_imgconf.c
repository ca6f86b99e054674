/* fuzz_imgconf.c — libFuzzer target: the image config reader
 * (runtime/image/imgconf.c): every list within its bound, every string
 * inside the pool. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/image/imgconf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct imgconf c;
	struct berr e;
	const char *const *lists[] = { c.env, c.cmd, c.entrypoint, c.ports, c.volumes };
	const int *counts[] = { &c.env_n, &c.cmd_n, &c.entrypoint_n, &c.ports_n, &c.volumes_n };

	if (imgconf_read((const char *)data, size, &c, &e) < 0)
		return 0;
	if (c.pool_len > sizeof(c.pool) || c.labels_n > IMGCONF_LIST_MAX)
		abort();
	for (int l = 0; l < 5; l++) {
		if (*counts[l] > IMGCONF_LIST_MAX)
			abort();
		for (int i = 0; i < *counts[l]; i++)
			if (lists[l][i] < c.pool || lists[l][i] + strlen(lists[l][i]) >= c.pool + c.pool_len)
				abort();
	}
	for (int i = 0; i < c.labels_n; i++)
		if (strlen(c.labels[i].key) + strlen(c.labels[i].value) > c.pool_len)
			abort();
	return 0;
}

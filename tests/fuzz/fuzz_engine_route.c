/* fuzz_engine_route.c — libFuzzer target: berthd's request path without
 * its handlers: bytes → lib/http's parser (requests, pipelined, split
 * where the first byte says) → the decoded path → the version prefix →
 * the router over tables with the engine's patterns. A handler is never
 * called; matches are checked for what the router promises. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/http.h"
#include "runtime/engine/server-internal.h"

static int never(struct req *r)
{
	(void)r;
	abort();
}

/* The engine's own patterns (runtime/engine/api_*.c and E2's). */
const struct route api_system_routes[] = {
	{ "GET", "/_ping", never, 0 }, { "HEAD", "/_ping", never, 0 }, { "GET", "/version", never, 0 },
	{ "GET", "/info", never, 0 }, { "GET", "/events", never, 0 }, { "GET", "/system/df", never, 0 },
	{ NULL },
};
const struct route api_images_routes[] = {
	{ "GET", "/images/json", never, 0 }, { "POST", "/images/load", never, ROUTE_STREAM },
	{ "GET", "/images/{*}/json", never, 0 }, { "POST", "/images/{*}/tag", never, 0 },
	{ "DELETE", "/images/{*}", never, 0 }, { NULL },
};
const struct route api_volumes_routes[] = {
	{ "GET", "/volumes", never, 0 }, { "POST", "/volumes/create", never, ROUTE_BODY },
	{ "POST", "/volumes/prune", never, 0 }, { "GET", "/volumes/{}", never, 0 },
	{ "DELETE", "/volumes/{}", never, 0 }, { "GET", "/a/{}/{*}/b/{}/{}", never, 0 }, { NULL },
};
const struct route api_containers_routes[] = {
	{ "GET", "/containers/json", never, 0 }, { "POST", "/containers/create", never, ROUTE_BODY },
	{ "GET", "/containers/{}/json", never, 0 }, { "POST", "/containers/{}/attach", never, 0 },
	{ "POST", "/containers/{}/wait", never, 0 }, { "DELETE", "/containers/{}", never, 0 },
	{ "GET", "/containers/{}/logs", never, 0 }, { NULL },
};
const struct route api_metrics_routes[] = { { NULL } };
const struct route api_slots_routes[] = { { NULL } };
const struct route api_networks_routes[] = { { NULL } };
const struct route api_exec_routes[] = {
	{ "POST", "/containers/{}/exec", never, ROUTE_BODY }, { "POST", "/exec/{}/start", never, ROUTE_BODY },
	{ "GET", "/exec/{}/json", never, 0 }, { NULL },
};

static void check_match(const char *method, const char *path)
{
	static char buf[CONFIG_ENGINE_PATH_BYTES];
	const char *param[4];
	const struct route *rt = router_match(method, path, param, buf, sizeof(buf));
	int n = 0;

	if (!rt)
		return;
	if (strcmp(rt->method, method) != 0)
		abort();
	for (const char *p = rt->pattern; (p = strchr(p, '{')); p++)
		n++;
	for (int i = 0; i < 4; i++) {
		if ((i < n) != (param[i] != NULL))
			abort();
		if (param[i] && (!param[i][0] || param[i] < buf || param[i] >= buf + sizeof(buf)))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct http_parser p;
	static char path[CONFIG_ENGINE_PATH_BYTES];
	size_t step = size ? (data[0] % 64) + 1 : 1;
	const char *in = (const char *)data;
	struct berr e;

	http_parser_init(&p, HTTP_REQUEST);
	for (size_t off = 0; off <= size;) {
		size_t n = size - off < step ? size - off : step, used = 0;
		int ev = http_feed(&p, in + off, n, &used, &e);

		off += used;
		if (ev < 0 || ev == HTTP_UPGRADE)
			return 0;
		if (ev == HTTP_HEAD) {
			int minor;
			const char *rest;
			if (http_target_path(p.target, path, sizeof(path), &e) < 0)
				continue;
			rest = router_version(path, &minor);
			check_match(p.method, rest ? rest : path);
		}
		if (ev == HTTP_NEED_MORE && off >= size)
			return 0;
	}
	return 0;
}

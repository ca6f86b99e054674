/* router.c — the version prefix and the route tables.
 *
 * Patterns and the prefix follow lib/pathmatch (shared with berth-apid's
 * role table). A path no route matches, whatever the method,
 * is 404 (DOCKER_API.md §3: docker inspect walks the object types on 404).
 */
#include <string.h>

#include "lib/pathmatch.h"
#include "lib/util.h"
#include "runtime/engine/engine.h"
#include "runtime/engine/server-internal.h"

/* Every table berthd serves (the containers' and exec's are E2's; until
 * those are linked, weak_ctr.c gives empty ones). */
static const struct route *const tables[] = {
	api_system_routes,
	api_images_routes,
	api_volumes_routes,
	api_containers_routes,
	api_exec_routes,
	api_metrics_routes,
	api_slots_routes,
};

const char *router_version(const char *path, int *minor)
{
	const char *rest = pathmatch_unversion(path, minor);

	if (rest && *minor < 0)
		*minor = ENGINE_API_MINOR_MAX;
	return rest;
}

const struct route *router_match(const char *method, const char *path, const char *param[4],
				 char *buf, size_t size)
{
	if (path[0] != '/')
		return NULL;
	for (size_t t = 0; t < ARRAY_SIZE(tables); t++) {
		for (const struct route *rt = tables[t]; rt->method; rt++) {
			struct pathmatch m;
			size_t off = 0;

			if (strcmp(rt->method, method) != 0)
				continue;
			if (!pathmatch(rt->pattern, path, &m))
				continue;
			for (int i = 0; i < 4; i++)
				param[i] = NULL;
			for (int i = 0; i < m.n; i++) {
				if (off + m.plen[i] + 1 > size)
					return NULL;
				memcpy(buf + off, m.param[i], m.plen[i]);
				buf[off + m.plen[i]] = '\0';
				param[i] = buf + off;
				off += m.plen[i] + 1;
			}
			return rt;
		}
	}
	return NULL;
}

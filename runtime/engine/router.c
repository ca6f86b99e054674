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
	api_networks_routes,
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

/* The Docker Engine API routes berthd does not serve, by the command that
 * sends them: a 404 that says so rather than "page not found". "*" is any
 * method. The first row that matches wins. */
static const struct unserved {
	const char *method, *pattern, *command;
} unserved[] = {
	{ "POST", "/containers/{}/pause", "docker pause" },
	{ "POST", "/containers/{}/unpause", "docker unpause" },
	{ "POST", "/containers/{}/update", "docker update" },
	{ "*", "/containers/{}/archive", "docker cp" },
	{ "GET", "/containers/{}/changes", "docker diff" },
	{ "GET", "/containers/{}/export", "docker export" },
	{ "POST", "/containers/{}/attach/ws", "attach over a websocket" },
	{ "POST", "/containers/prune", "docker container prune" },
	{ "POST", "/commit", "docker commit" },
	{ "POST", "/images/prune", "docker image prune" },
	{ "GET", "/images/search", "docker search" },
	{ "GET", "/images/get", "docker save" },
	{ "GET", "/images/{*}/get", "docker save" },
	{ "POST", "/images/{*}/push", "docker push" },
	{ "POST", "/build", "docker build" },
	{ "POST", "/build/prune", "docker builder prune" },
	{ "POST", "/build/cancel", "docker build" },
	{ "POST", "/session", "docker build" },
	{ "POST", "/grpc", "docker buildx" },
	{ "POST", "/networks/create", "docker network create" },
	{ "POST", "/networks/prune", "docker network prune" },
	{ "POST", "/networks/{}/connect", "docker network connect" },
	{ "POST", "/networks/{}/disconnect", "docker network disconnect" },
	{ "DELETE", "/networks/{}", "docker network rm" },
	{ "GET", "/distribution/{*}/json", "docker manifest and service create" },
	{ "*", "/swarm", "docker swarm" },
	{ "*", "/swarm/{*}", "docker swarm" },
	{ "*", "/nodes", "docker node" },
	{ "*", "/nodes/{*}", "docker node" },
	{ "*", "/services", "docker service" },
	{ "*", "/services/{*}", "docker service" },
	{ "*", "/tasks", "docker service ps" },
	{ "*", "/tasks/{*}", "docker service ps" },
	{ "*", "/secrets", "docker secret" },
	{ "*", "/secrets/{*}", "docker secret" },
	{ "*", "/configs", "docker config" },
	{ "*", "/configs/{*}", "docker config" },
	{ "*", "/plugins", "docker plugin" },
	{ "*", "/plugins/{*}", "docker plugin" },
};

const char *router_unserved(const char *method, const char *path)
{
	for (size_t i = 0; path[0] == '/' && i < ARRAY_SIZE(unserved); i++) {
		const struct unserved *u = &unserved[i];

		if ((strcmp(u->method, "*") && strcmp(u->method, method)) || !pathmatch(u->pattern, path, NULL))
			continue;
		return u->command;
	}
	return NULL;
}

/* router.c — the version prefix and the route tables.
 *
 * A pattern is matched segment by segment against the decoded path: a
 * literal segment exactly, {} one non-empty segment, {*} one or more
 * segments (an image name has slashes: "/images/{*}/json"), the shortest
 * that lets the rest match. A path no route matches, whatever the method,
 * is 404 (DOCKER_API.md §3: docker inspect walks the object types on 404).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

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
	const char *p = path;
	long v;
	char *end;

	if (p[0] != '/' || p[1] != 'v' || p[2] != '1' || p[3] != '.' || !isdigit((unsigned char)p[4])) {
		*minor = ENGINE_API_MINOR_MAX;
		return path;
	}
	v = strtol(p + 4, &end, 10);
	if (end - (p + 4) > 4 || (*end != '/' && *end != '\0'))
		return NULL;
	*minor = (int)v;
	return *end ? end : "/";
}

struct match {
	const char *param[4];
	size_t plen[4];
	int n;
};

/* Does path (from a segment start, after its '/') match pat (likewise)? */
static int match_from(const char *pat, const char *path, struct match *m)
{
	for (;;) {
		size_t pl = strcspn(pat, "/"), sl = strcspn(path, "/");

		if (pl == 3 && memcmp(pat, "{*}", 3) == 0) {
			/* one or more segments, as few as possible */
			const char *end = path + sl;
			int k = m->n;
			if (sl == 0 || k >= 4)
				return 0;
			for (;;) {
				m->param[k] = path;
				m->plen[k] = (size_t)(end - path);
				m->n = k + 1;
				if (pat[3] == '\0' ? *end == '\0' : (*end == '/' && match_from(pat + 4, end + 1, m)))
					return 1;
				if (*end == '\0')
					return 0;
				end += 1 + strcspn(end + 1, "/");
				if (end[-1] == '/')
					return 0;	/* an empty segment */
			}
		}
		if (pl == 2 && memcmp(pat, "{}", 2) == 0) {
			if (sl == 0 || m->n >= 4)
				return 0;
			m->param[m->n] = path;
			m->plen[m->n++] = sl;
		} else if (pl != sl || memcmp(pat, path, pl) != 0) {
			return 0;
		}
		if (pat[pl] == '\0' || path[sl] == '\0')
			return pat[pl] == path[sl];
		pat += pl + 1;
		path += sl + 1;
	}
}

const struct route *router_match(const char *method, const char *path, const char *param[4],
				 char *buf, size_t size)
{
	if (path[0] != '/')
		return NULL;
	for (size_t t = 0; t < ARRAY_SIZE(tables); t++) {
		for (const struct route *rt = tables[t]; rt->method; rt++) {
			struct match m = { .n = 0 };
			size_t off = 0;

			if (strcmp(rt->method, method) != 0)
				continue;
			if (!match_from(rt->pattern + 1, path + 1, &m))
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

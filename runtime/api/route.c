/* route.c — the route table (data) and the role check. */
#include <errno.h>
#include <string.h>

#include "lib/pathmatch.h"
#include "runtime/api/route.h"

#define MON API_ROLE_MONITOR
#define VIEW API_ROLE_VIEWER
#define OPER API_ROLE_OPERATOR
#define ADMIN API_ROLE_ADMIN

/* Viewer: read-only GETs and logs. A GET that hands out a container's or an
 * image's bytes (export, archive, docker save) is operator's: it is data,
 * not state. Operator: containers, exec, images, volumes; no system action
 * and no /berth/v1 write. Admin: everything, including what no row names. */
const struct api_route api_route_table[] = {
	{ "HEAD", "/_ping", MON, 0 },
	{ "GET", "/_ping", MON, 0 },
	{ "GET", "/metrics", MON, API_R_METRICS },

	{ "GET", "/version", VIEW, 0 },
	{ "GET", "/info", VIEW, 0 },
	{ "GET", "/events", VIEW, 0 },
	{ "GET", "/system/df", VIEW, 0 },

	{ "GET", "/containers/json", VIEW, 0 },
	{ "GET", "/containers/{}/json", VIEW, 0 },
	{ "GET", "/containers/{}/logs", VIEW, 0 },
	{ "GET", "/containers/{}/top", VIEW, 0 },
	{ "GET", "/containers/{}/stats", VIEW, 0 },
	{ "GET", "/containers/{}/changes", VIEW, 0 },
	{ "GET", "/containers/{}/export", OPER, 0 },
	{ "GET", "/containers/{}/archive", OPER, 0 },
	{ "HEAD", "/containers/{}/archive", OPER, 0 },
	{ "PUT", "/containers/{}/archive", OPER, 0 },
	{ "POST", "/containers/create", OPER, API_R_CREATE },
	{ "POST", "/containers/prune", OPER, 0 },
	{ "POST", "/containers/{}/start", OPER, 0 },
	{ "POST", "/containers/{}/stop", OPER, 0 },
	{ "POST", "/containers/{}/restart", OPER, 0 },
	{ "POST", "/containers/{}/kill", OPER, 0 },
	{ "POST", "/containers/{}/pause", OPER, 0 },
	{ "POST", "/containers/{}/unpause", OPER, 0 },
	{ "POST", "/containers/{}/wait", OPER, 0 },
	{ "POST", "/containers/{}/rename", OPER, 0 },
	{ "POST", "/containers/{}/resize", OPER, 0 },
	{ "POST", "/containers/{}/attach", OPER, 0 },
	{ "POST", "/containers/{}/exec", OPER, API_R_EXEC },
	{ "POST", "/containers/{}/update", OPER, API_R_UPDATE },
	{ "DELETE", "/containers/{}", OPER, 0 },

	{ "POST", "/exec/{}/start", OPER, 0 },
	{ "POST", "/exec/{}/resize", OPER, 0 },
	{ "GET", "/exec/{}/json", VIEW, 0 },

	{ "GET", "/images/json", VIEW, 0 },
	{ "GET", "/images/search", VIEW, 0 },
	{ "GET", "/images/get", OPER, 0 },
	{ "POST", "/images/load", OPER, 0 },
	{ "POST", "/images/create", OPER, 0 },
	{ "POST", "/images/prune", OPER, 0 },
	{ "GET", "/images/{*}/json", VIEW, 0 },
	{ "GET", "/images/{*}/history", VIEW, 0 },
	{ "GET", "/images/{*}/get", OPER, 0 },
	{ "POST", "/images/{*}/tag", OPER, 0 },
	{ "POST", "/images/{*}/push", OPER, 0 },
	{ "DELETE", "/images/{*}", OPER, 0 },
	{ "POST", "/auth", OPER, 0 },

	{ "GET", "/volumes", VIEW, 0 },
	{ "GET", "/volumes/{}", VIEW, 0 },
	{ "POST", "/volumes/create", OPER, 0 },
	{ "POST", "/volumes/prune", OPER, 0 },
	{ "DELETE", "/volumes/{}", OPER, 0 },

	{ "GET", "/networks", VIEW, 0 },
	{ "GET", "/networks/{}", VIEW, 0 },

	{ "GET", "/berth/v1/system", VIEW, API_R_LOCAL },
	{ "GET", "/berth/v1/services", VIEW, API_R_LOCAL },
	{ "GET", "/berth/v1/logs", VIEW, API_R_LOCAL },
	{ "POST", "/berth/v1/services/{}/restart", ADMIN, API_R_LOCAL },
	{ "POST", "/berth/v1/system/reboot", ADMIN, API_R_LOCAL },
	{ "POST", "/berth/v1/system/poweroff", ADMIN, API_R_LOCAL },
	{ "POST", "/berth/v1/system/update", ADMIN, 0 },
	{ "GET", "/berth/v1/slots", VIEW, 0 },
	{ NULL, NULL, API_ROLE_NONE, 0 },
};

const struct api_route api_route_other = { "*", "other", ADMIN, 0 };

static const char *const role_names[] = { "none", "monitor", "viewer", "operator", "admin" };

const char *api_role_name(enum api_role r)
{
	return (unsigned)r < sizeof(role_names) / sizeof(role_names[0]) ? role_names[r] : "none";
}

enum api_role api_role_by_name(const char *name)
{
	for (int i = API_ROLE_MONITOR; i <= API_ROLE_ADMIN; i++)
		if (strcmp(name, role_names[i]) == 0)
			return (enum api_role)i;
	return API_ROLE_NONE;
}

/* The version prefix as berthd reads it (lib/pathmatch). */
const char *api_route_unversion(const char *path)
{
	int minor;

	return pathmatch_unversion(path, &minor);
}

const struct api_route *api_route_find(const char *method, const char *path)
{
	if (!path || path[0] != '/')
		return &api_route_other;
	for (const struct api_route *rt = api_route_table; rt->method; rt++)
		if (strcmp(rt->method, method) == 0 && pathmatch(rt->pattern, path, NULL))
			return rt;
	return &api_route_other;
}

int api_route_check(enum api_role role, const char *subject, const char *method,
		    const char *path, const struct api_route **rt, struct berr *e)
{
	const char *up = api_route_unversion(path);

	*rt = api_route_find(method, up ? up : "");
	if (role == API_ROLE_NONE)
		return berr_set(e, EPERM, "certificate %s maps to no role (berth.conf [api] roles)",
				subject && *subject ? subject : "(empty subject)");
	if (role >= (*rt)->role)
		return 0;
	return berr_set(e, EPERM, "role %s may not %s %s: needs %s", api_role_name(role), method,
			up ? up : path, api_role_name((*rt)->role));
}

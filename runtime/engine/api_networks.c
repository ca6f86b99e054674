/* api_networks.c — GET /networks and GET /networks/{id}: the three networks
 * a container can be on (bridge, host, none), as `docker network ls` and
 * compose-like tools ask for them. Nothing can be created, connected or
 * removed (router.c's unserved routes: 404 naming the command).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lib/json.h"
#include "lib/util.h"
#include "runtime/engine/api.h"
#include "runtime/engine/engine.h"
#include "runtime/engine/filters.h"
#include "runtime/net/net.h"

#define NETWORKS_JSON_MAX 8192

/* Docker's names for them; the id is the name (the containers' inspect
 * gives the same NetworkID). */
static const struct builtin {
	const char *name, *driver;
} builtins[] = {
	{ "bridge", "bridge" },
	{ "host", "host" },
	{ "none", "null" },
};

static const char *const list_keys[] = { "name", "id", "driver", "type", "label", "scope", "dangling",
					 NULL };

static int prefix_of(const char *p, const char *s)
{
	return strncmp(s, p, strlen(p)) == 0;
}

/* dockerd's list filters over the built-in networks: they have no labels
 * and are never dangling or custom. */
static int matches(const struct filters *f, const struct builtin *b)
{
	int ok = filters_count(f, "label") == 0 && filters_match(f, "driver", b->driver) &&
		 filters_match(f, "scope", "local") && filters_match(f, "type", "builtin");
	const char *d = filters_get(f, "dangling", 0);

	if (d && (!strcmp(d, "true") || !strcmp(d, "1")))
		ok = 0;
	for (int i = 0; ok && i < filters_count(f, "name"); i++)
		ok = strstr(b->name, filters_get(f, "name", i)) != NULL;
	for (int i = 0; ok && i < filters_count(f, "id"); i++)
		ok = prefix_of(filters_get(f, "id", i), b->name);
	return ok;
}

static void network_json(const struct engine *eng, const struct builtin *b, struct json_w *w)
{
	char subnet[24], gw[16];

	json_w_obj(w);
	json_w_kstr(w, "Name", b->name);
	json_w_kstr(w, "Id", b->name);
	json_w_kstr(w, "Created", "0001-01-01T00:00:00Z");
	json_w_kstr(w, "Scope", "local");
	json_w_kstr(w, "Driver", b->driver);
	json_w_kbool(w, "EnableIPv4", !strcmp(b->name, "bridge"));
	json_w_kbool(w, "EnableIPv6", 0);
	json_w_key(w, "IPAM");
	json_w_obj(w);
	json_w_kstr(w, "Driver", "default");
	json_w_key(w, "Options");
	json_w_null(w);
	json_w_key(w, "Config");
	json_w_arr(w);
	if (!strcmp(b->name, "bridge") && eng->net) {
		inet_ntop(AF_INET, &eng->net->subnet, subnet, 16);
		snprintf(subnet + strlen(subnet), sizeof(subnet) - strlen(subnet), "/%d", eng->net->prefix);
		inet_ntop(AF_INET, &eng->net->gw, gw, sizeof(gw));
		json_w_obj(w);
		json_w_kstr(w, "Subnet", subnet);
		json_w_kstr(w, "Gateway", gw);
		json_w_obj_end(w);
	}
	json_w_arr_end(w);
	json_w_obj_end(w);
	json_w_kbool(w, "Internal", 0);
	json_w_kbool(w, "Attachable", 0);
	json_w_kbool(w, "Ingress", 0);
	json_w_key(w, "ConfigFrom");
	json_w_obj(w);
	json_w_kstr(w, "Network", "");
	json_w_obj_end(w);
	json_w_kbool(w, "ConfigOnly", 0);
	json_w_key(w, "Containers");
	json_w_obj(w);
	json_w_obj_end(w);
	json_w_key(w, "Options");
	json_w_obj(w);
	if (!strcmp(b->name, "bridge") && eng->net)
		json_w_kstr(w, "com.docker.network.bridge.name", eng->net->bridge);
	json_w_obj_end(w);
	json_w_key(w, "Labels");
	json_w_obj(w);
	json_w_obj_end(w);
	json_w_obj_end(w);
}

static int api_networks_list(struct req *r)
{
	struct filters f;
	struct json_w w;
	struct berr e;
	int rc;

	if (filters_from_req(r, list_keys, &f, &e) < 0)
		return reply_berr(r, &e);
	json_w_init_grow(&w, NETWORKS_JSON_MAX);
	json_w_arr(&w);
	for (size_t i = 0; i < ARRAY_SIZE(builtins); i++)
		if (matches(&f, &builtins[i]))
			network_json(r->eng, &builtins[i], &w);
	json_w_arr_end(&w);
	rc = reply_jsonw(r, 200, &w);
	json_w_free(&w);
	return rc;
}

/* By name or id (the same here); 404 for any other: docker inspect walks
 * on to the next object type. */
static int api_network_inspect(struct req *r)
{
	const char *id = r->param[0];
	struct json_w w;
	int rc;

	for (size_t i = 0; i < ARRAY_SIZE(builtins); i++) {
		if (strcmp(id, builtins[i].name) != 0)
			continue;
		json_w_init_grow(&w, NETWORKS_JSON_MAX);
		network_json(r->eng, &builtins[i], &w);
		rc = reply_jsonw(r, 200, &w);
		json_w_free(&w);
		return rc;
	}
	return reply_error(r, 404, "network %.128s not found", id);
}

const struct route api_networks_routes[] = {
	{ "GET", "/networks", api_networks_list, 0 },
	{ "GET", "/networks/{}", api_network_inspect, 0 },
	{ NULL, NULL, NULL, 0 },
};

/* test_engine_router.c — berthd's version prefix and route matching
 * (runtime/engine/router.c) over tables of its own. */
#include <string.h>

#include "runtime/engine/engine.h"
#include "runtime/engine/server-internal.h"
#include "tests/unit/unit.h"

static int h_ping(struct req *r) { (void)r; return 0; }
static int h_img(struct req *r) { (void)r; return 1; }
static int h_tag(struct req *r) { (void)r; return 2; }
static int h_del(struct req *r) { (void)r; return 3; }
static int h_vol(struct req *r) { (void)r; return 4; }
static int h_two(struct req *r) { (void)r; return 5; }

const struct route api_system_routes[] = {
	{ "GET", "/_ping", h_ping, 0 }, { "HEAD", "/_ping", h_ping, 0 }, { NULL },
};
const struct route api_images_routes[] = {
	{ "GET", "/images/{*}/json", h_img, 0 }, { "POST", "/images/{*}/tag", h_tag, 0 },
	{ "DELETE", "/images/{*}", h_del, 0 }, { NULL },
};
const struct route api_volumes_routes[] = {
	{ "GET", "/volumes/{}", h_vol, 0 }, { "GET", "/x/{}/y/{*}/z", h_two, 0 }, { NULL },
};
const struct route api_containers_routes[] = { { NULL } };
const struct route api_metrics_routes[] = { { NULL } };
const struct route api_slots_routes[] = { { NULL } };
const struct route api_exec_routes[] = { { NULL } };
const struct route api_networks_routes[] = { { NULL } };

static const struct route *m(const char *method, const char *path, const char *param[4])
{
	static char buf[256];

	return router_match(method, path, param, buf, sizeof(buf));
}

static void test_version(void)
{
	int minor = 0;

	CHECK_STR(router_version("/v1.47/containers/json", &minor), "/containers/json");
	CHECK_INT(minor, 47);
	CHECK_STR(router_version("/v1.12/x", &minor), "/x");
	CHECK_INT(minor, 12);
	CHECK_STR(router_version("/v1.47", &minor), "/");
	CHECK_STR(router_version("/_ping", &minor), "/_ping");
	CHECK_INT(minor, ENGINE_API_MINOR_MAX);
	CHECK_STR(router_version("/v2.0/x", &minor), "/v2.0/x");
	CHECK(router_version("/v1.4x/x", &minor) == NULL);
	CHECK(router_version("/v1.123456/x", &minor) == NULL);
}

static void test_match(void)
{
	const char *p[4];
	const struct route *rt;

	CHECK((rt = m("GET", "/_ping", p)) && rt->fn == h_ping);
	CHECK((rt = m("HEAD", "/_ping", p)) && rt->fn == h_ping);
	CHECK(m("POST", "/_ping", p) == NULL);
	CHECK(m("GET", "/_ping/", p) == NULL);
	CHECK(m("GET", "/_pingx", p) == NULL);
	rt = m("GET", "/images/docker.io/library/busybox:1/json", p);
	CHECK(rt && rt->fn == h_img);
	CHECK_STR(p[0], "docker.io/library/busybox:1");
	CHECK(p[1] == NULL);
	rt = m("GET", "/images/json/json", p);
	CHECK(rt && rt->fn == h_img);
	CHECK_STR(p[0], "json");
	rt = m("DELETE", "/images/a/b", p);
	CHECK(rt && rt->fn == h_del);
	CHECK_STR(p[0], "a/b");
	CHECK(m("GET", "/images//json", p) == NULL);
	CHECK(m("GET", "/images/json", p) == NULL);
	CHECK(m("DELETE", "/images/", p) == NULL);
	CHECK(m("DELETE", "/images/a//b", p) == NULL);
	rt = m("GET", "/volumes/v1", p);
	CHECK(rt && rt->fn == h_vol);
	CHECK_STR(p[0], "v1");
	CHECK(m("GET", "/volumes/v1/x", p) == NULL);
	CHECK(m("GET", "/volumes/", p) == NULL);
	rt = m("GET", "/x/a/y/b/c/z", p);
	CHECK(rt && rt->fn == h_two);
	CHECK_STR(p[0], "a");
	CHECK_STR(p[1], "b/c");
	CHECK(m("GET", "relative", p) == NULL);
}

static void test_params_bounded(void)
{
	const char *p[4];
	char path[600], small[8];

	memset(path, 'a', sizeof(path));
	memcpy(path, "/volumes/", 9);
	path[sizeof(path) - 1] = '\0';
	/* the parameter does not fit the caller's buffer: no match, never a cut */
	CHECK(router_match("GET", path, p, small, sizeof(small)) == NULL);
	CHECK(m("GET", path, p) == NULL);
}

/* The Docker routes berthd does not serve name their command; the rest
 * have none (then "page not found"). */
static void test_unserved(void)
{
	CHECK_STR(router_unserved("POST", "/containers/web/pause"), "docker pause");
	CHECK_STR(router_unserved("PUT", "/containers/web/archive"), "docker cp");
	CHECK_STR(router_unserved("HEAD", "/containers/web/archive"), "docker cp");
	CHECK_STR(router_unserved("GET", "/images/a/b:1/get"), "docker save");
	CHECK_STR(router_unserved("POST", "/networks/create"), "docker network create");
	CHECK_STR(router_unserved("DELETE", "/networks/n1"), "docker network rm");
	CHECK_STR(router_unserved("POST", "/swarm/init"), "docker swarm");
	CHECK_STR(router_unserved("GET", "/plugins"), "docker plugin");
	CHECK(router_unserved("GET", "/containers/web/pause") == NULL);
	CHECK(router_unserved("GET", "/no/such/route") == NULL);
	CHECK(router_unserved("GET", "networks") == NULL);
	CHECK(router_unserved("GET", "/") == NULL);
}

UNIT_MAIN(UNIT(test_version), UNIT(test_match), UNIT(test_params_bounded), UNIT(test_unserved))

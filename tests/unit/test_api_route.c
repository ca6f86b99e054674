/* test_api_route.c — berth-apid's route table, role check, role mapping,
 * [api] keys and the body gate (runtime/api). */
#include <errno.h>
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/api/conf.h"
#include "runtime/api/gate.h"
#include "runtime/api/route.h"
#include "tests/unit/unit.h"

static int allowed(enum api_role role, const char *m, const char *path)
{
	const struct api_route *rt;
	struct berr e;

	return api_route_check(role, "CN=x", m, path, &rt, &e) == 0;
}

static void test_table_well_formed(void)
{
	for (const struct api_route *rt = api_route_table; rt->method; rt++) {
		CHECK(rt->pattern[0] == '/');
		CHECK(rt->role >= API_ROLE_MONITOR && rt->role <= API_ROLE_ADMIN);
		/* every row is reachable: no earlier row shadows it */
		CHECK(api_route_find(rt->method, rt->pattern) == rt || strchr(rt->pattern, '{'));
		/* nothing but admin changes /berth/v1 */
		if (!strncmp(rt->pattern, "/berth/v1/", 10) && strcmp(rt->method, "GET"))
			CHECK_INT(rt->role, API_ROLE_ADMIN);
		/* a monitor reads only /metrics and /_ping */
		if (rt->role == API_ROLE_MONITOR)
			CHECK(!strcmp(rt->pattern, "/metrics") || !strcmp(rt->pattern, "/_ping"));
		/* a viewer never changes anything */
		if (rt->role <= API_ROLE_VIEWER)
			CHECK(!strcmp(rt->method, "GET") || !strcmp(rt->method, "HEAD"));
	}
}

static void test_monitor(void)
{
	CHECK(allowed(API_ROLE_MONITOR, "GET", "/_ping"));
	CHECK(allowed(API_ROLE_MONITOR, "HEAD", "/_ping"));
	CHECK(allowed(API_ROLE_MONITOR, "GET", "/metrics"));
	CHECK(!allowed(API_ROLE_MONITOR, "GET", "/v1.47/version"));
	CHECK(!allowed(API_ROLE_MONITOR, "GET", "/containers/json"));
	CHECK(!allowed(API_ROLE_MONITOR, "GET", "/berth/v1/system"));
}

static void test_viewer(void)
{
	CHECK(allowed(API_ROLE_VIEWER, "GET", "/v1.47/containers/json"));
	CHECK(allowed(API_ROLE_VIEWER, "GET", "/v1.47/containers/abc/logs"));
	CHECK(allowed(API_ROLE_VIEWER, "GET", "/v1.47/images/library/alpine:3/json"));
	CHECK(allowed(API_ROLE_VIEWER, "GET", "/v1.47/events"));
	CHECK(allowed(API_ROLE_VIEWER, "GET", "/berth/v1/system"));
	CHECK(allowed(API_ROLE_VIEWER, "GET", "/berth/v1/slots"));
	CHECK(!allowed(API_ROLE_VIEWER, "POST", "/v1.47/containers/create"));
	CHECK(!allowed(API_ROLE_VIEWER, "POST", "/v1.47/containers/abc/attach"));
	CHECK(!allowed(API_ROLE_VIEWER, "POST", "/v1.47/containers/abc/exec"));
	CHECK(!allowed(API_ROLE_VIEWER, "POST", "/v1.47/exec/abc/start"));
	CHECK(!allowed(API_ROLE_VIEWER, "GET", "/v1.47/containers/abc/export"));
	CHECK(!allowed(API_ROLE_VIEWER, "GET", "/v1.47/images/get"));
	CHECK(!allowed(API_ROLE_VIEWER, "GET", "/v1.47/secrets"));	/* no row: admin */
}

static void test_operator(void)
{
	CHECK(allowed(API_ROLE_OPERATOR, "POST", "/v1.47/containers/create"));
	CHECK(allowed(API_ROLE_OPERATOR, "POST", "/v1.47/containers/abc/start"));
	CHECK(allowed(API_ROLE_OPERATOR, "POST", "/v1.47/images/load"));
	CHECK(allowed(API_ROLE_OPERATOR, "DELETE", "/v1.47/images/a/b:c"));
	CHECK(allowed(API_ROLE_OPERATOR, "POST", "/v1.47/exec/abc/start"));
	CHECK(!allowed(API_ROLE_OPERATOR, "POST", "/berth/v1/system/reboot"));
	CHECK(!allowed(API_ROLE_OPERATOR, "POST", "/berth/v1/system/update"));
	CHECK(!allowed(API_ROLE_OPERATOR, "POST", "/berth/v1/services/sshd/restart"));
	CHECK(!allowed(API_ROLE_OPERATOR, "POST", "/v1.47/swarm/init"));
	CHECK(allowed(API_ROLE_ADMIN, "POST", "/berth/v1/system/reboot"));
	CHECK(allowed(API_ROLE_ADMIN, "POST", "/v1.47/swarm/init"));
}

static void test_messages(void)
{
	const struct api_route *rt;
	struct berr e;

	CHECK_INT(api_route_check(API_ROLE_VIEWER, "CN=v", "POST", "/v1.47/containers/create", &rt, &e), -1);
	CHECK_INT(e.errnum, EPERM);
	CHECK_STR(e.msg, "role viewer may not POST /containers/create: needs operator");
	CHECK(rt->flags & API_R_CREATE);
	CHECK_INT(api_route_check(API_ROLE_NONE, "CN=x,O=acme", "GET", "/_ping", &rt, &e), -1);
	CHECK_STR(e.msg, "certificate CN=x,O=acme maps to no role (berth.conf [api] roles)");
	/* a malformed version prefix matches nothing: admin */
	CHECK_INT(api_route_check(API_ROLE_OPERATOR, "", "GET", "/v1.x/containers/json", &rt, &e), -1);
	CHECK(rt == &api_route_other);
}

static void test_matching(void)
{
	CHECK_STR(api_route_unversion("/v1.47/_ping"), "/_ping");
	CHECK_STR(api_route_unversion("/v1.47"), "/");
	CHECK(api_route_unversion("/v1.4x/a") == NULL);
	CHECK_STR(api_route_unversion("/_ping"), "/_ping");
	CHECK(api_route_find("GET", "/containers//logs") == &api_route_other);
	CHECK(api_route_find("GET", "/containers/a/b/logs") == &api_route_other);
	CHECK(api_route_find("GET", "/images/a/b/c/json")->role == API_ROLE_VIEWER);
	CHECK(api_route_find("GET", "/images//json") == &api_route_other);
	CHECK(api_route_find("get", "/_ping") == &api_route_other);
	CHECK(api_route_find("POST", "/containers/create/") == &api_route_other);
}

static void test_conf_roles(void)
{
	struct api_conf *c = malloc(sizeof(*c));
	char o[2][API_ATTR_MAX] = { "acme", "admin" }, ou[1][API_ATTR_MAX] = { "viewer" };
	struct berr e;

	api_conf_init(c);
	CHECK_INT(api_conf_role(c, o, 2, ou, 1), API_ROLE_ADMIN);
	CHECK_INT(api_conf_role(c, o, 1, ou, 1), API_ROLE_VIEWER);
	CHECK_INT(api_conf_set(c, "role_attribute", "o", &e), 0);
	CHECK_INT(api_conf_role(c, o, 1, ou, 1), API_ROLE_NONE);
	CHECK_INT(api_conf_set(c, "roles", "acme=operator ops=admin", &e), 0);
	CHECK_INT(api_conf_role(c, o, 2, ou, 1), API_ROLE_OPERATOR);	/* identity gone */
	CHECK_INT(api_conf_set(c, "roles", "x=root", &e), -1);
	CHECK(strstr(e.msg, "roles") != NULL);
	CHECK_INT(api_conf_set(c, "role_attribute", "cn", &e), -1);
	free(c);
}

static void test_conf_values(void)
{
	struct api_conf *c = malloc(sizeof(*c));
	struct berr e;

	api_conf_init(c);
	CHECK_INT(ntohs(c->listen.sin_port), 2376);
	CHECK_INT(api_conf_set(c, "listen", "127.0.0.1:4443", &e), 0);
	CHECK_INT(ntohs(c->listen.sin_port), 4443);
	CHECK_INT(c->listen.sin_addr.s_addr, htonl(0x7f000001));
	CHECK_INT(api_conf_set(c, "listen", "localhost:1", &e), -1);
	CHECK_INT(api_conf_set(c, "listen", "1.2.3.4:70000", &e), -1);
	CHECK_INT(api_conf_set(c, "max_connections", "0", &e), -1);
	CHECK_INT(api_conf_set(c, "max_connections", "8", &e), 0);
	CHECK_INT(api_conf_set(c, "idle_timeout", "5s", &e), 0);
	CHECK_INT(c->idle_ms, 5000);
	CHECK_INT(api_conf_set(c, "cert", "relative.pem", &e), -1);
	CHECK_INT(api_conf_set(c, "crl", "", &e), 0);
	CHECK_INT(api_conf_set(c, "bogus", "1", &e), -1);
	CHECK_STR(e.msg, "bogus: unknown key of [api]");
	free(c);
}

static void test_gate(void)
{
	struct api_conf *c = malloc(sizeof(*c));
	const char *priv = "{\"Image\":\"x\",\"HostConfig\":{\"Privileged\":true}}";
	const char *bind = "{\"Image\":\"x\",\"HostConfig\":{\"Binds\":[\"/:/host\"]}}";
	const char *ok = "{\"Image\":\"x\",\"Cmd\":[\"echo\",\"hi\"]}";
	const char *xpriv = "{\"Cmd\":[\"sh\"],\"Privileged\":true}";
	struct berr e;
	int st;

	api_conf_init(c);
	CHECK_INT(api_gate_body(&c->policy, API_R_CREATE, ok, strlen(ok), &st, &e), 0);
	CHECK_INT(api_gate_body(&c->policy, API_R_CREATE, priv, strlen(priv), &st, &e), -1);
	CHECK_INT(st, 403);
	CHECK(strstr(e.msg, "HostConfig.Privileged") != NULL);
	CHECK_INT(api_gate_body(&c->policy, API_R_CREATE, bind, strlen(bind), &st, &e), -1);
	CHECK_INT(st, 403);
	CHECK(strstr(e.msg, "bind_allow") != NULL);
	CHECK_INT(api_gate_body(&c->policy, API_R_CREATE, "{\"privileged\":1}", 16, &st, &e), -1);
	CHECK_INT(st, 400);
	CHECK_INT(api_gate_body(&c->policy, API_R_EXEC, xpriv, strlen(xpriv), &st, &e), -1);
	CHECK_INT(st, 403);
	CHECK_INT(api_gate_body(&c->policy, 0, "garbage", 7, &st, &e), 0);
	CHECK_INT(policy_conf(&c->policy, "allow_privileged", "yes", &e), 0);
	CHECK_INT(api_gate_body(&c->policy, API_R_CREATE, priv, strlen(priv), &st, &e), 0);
	free(c);
}

UNIT_MAIN(UNIT(test_table_well_formed), UNIT(test_monitor), UNIT(test_viewer), UNIT(test_operator),
	  UNIT(test_messages), UNIT(test_matching), UNIT(test_conf_roles), UNIT(test_conf_values),
	  UNIT(test_gate))

/* fuzz_api_route.c — libFuzzer target: berth-apid's request path without
 * TLS. The first byte picks the client's role; the rest are requests
 * (pipelined) → lib/http's parser → the decoded path → the role check →
 * for create/exec/update routes the body through the gate (runtime/policy
 * with the default [policy]). Checked: the role check never lets a role
 * below a row's through, only admin passes unmatched or /berth/v1 writes,
 * and a create body the gate passes asks for nothing the default policy
 * refuses (privileged, a bind mount, a host namespace). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/http.h"
#include "runtime/api/conf.h"
#include "runtime/api/gate.h"
#include "runtime/api/route.h"
#include "runtime/policy/create.h"

#define BODY_MAX 65536

static struct api_conf conf;
static struct http_parser hp;
static struct create_req cr;
static char body[BODY_MAX];

static void check_create(const char *b, size_t n)
{
	struct berr e;

	if (create_req_parse(b, n, &cr, &e) < 0)
		abort();	/* the gate passed what the reader refuses */
	if (cr.host.privileged)
		abort();
	for (int i = 0; i < cr.host.n_mounts; i++)
		if (cr.host.mounts[i].type == MNT_BIND)
			abort();
	if (!strcmp(cr.host.pid_mode, "host") || !strcmp(cr.host.network_mode, "host"))
		abort();
}

/* One request whose head is parsed: the decision and its invariants. */
static const struct api_route *decide(enum api_role role)
{
	char path[4096];
	const struct api_route *rt;
	struct berr e;
	int rc;

	if (http_target_path(hp.target, path, sizeof(path), &e) < 0)
		return NULL;
	rc = api_route_check(role, "CN=fuzz", hp.method, path, &rt, &e);
	if (!rt)
		abort();
	if (rc == 0 && role < rt->role)
		abort();
	if (rc < 0 && role >= rt->role && role != API_ROLE_NONE)
		abort();
	if (rc == 0 && rt == &api_route_other && role != API_ROLE_ADMIN)
		abort();
	if (rc == 0 && !strncmp(path, "/berth/v1/", 10) && strcmp(hp.method, "GET") &&
	    role != API_ROLE_ADMIN)
		abort();
	return rc == 0 ? rt : NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct api_route *rt = NULL;
	enum api_role role;
	size_t blen = 0;
	int over = 0;

	if (size < 1)
		return 0;
	if (!conf.conns_max)
		api_conf_init(&conf);
	role = (enum api_role)(data[0] % 5);
	data++, size--;
	http_parser_init(&hp, HTTP_REQUEST);
	while (size > 0 || rt) {
		size_t used = 0;
		struct berr e;
		int ev = http_feed(&hp, (const char *)data, size, &used, &e);

		data += used, size -= used;
		if (ev < 0 || ev == HTTP_UPGRADE || (ev == HTTP_NEED_MORE && size == 0))
			break;
		if (ev == HTTP_HEAD) {
			hp.body_max = BODY_MAX;
			rt = decide(role);
			blen = 0;
			over = 0;
		} else if (ev == HTTP_BODY) {
			if (blen + hp.body_len > sizeof(body))
				over = 1;
			else
				memcpy(body + blen, hp.body, hp.body_len), blen += hp.body_len;
		} else if (ev == HTTP_DONE) {
			int st;

			if (rt && !over && api_gate_body(&conf.policy, rt->flags, body, blen, &st, &e) == 0 &&
			    (rt->flags & API_R_CREATE))
				check_create(body, blen);
			rt = NULL;
		}
	}
	return 0;
}

/* test_imgconf.c — the image config reader (runtime/image/imgconf.c). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/image/imgconf.h"
#include "tests/unit/unit.h"

static struct imgconf *c;

static int rd(const char *js, struct berr *e)
{
	if (!c)
		c = malloc(sizeof(*c));
	return imgconf_read(js, strlen(js), c, e);
}

static void test_full(void)
{
	struct berr e;
	const char *js = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"created\":\"2026-01-02T03:04:05.5Z\","
		"\"config\":{\"Env\":[\"PATH=/bin\",\"A=b c\"],\"Cmd\":[\"sh\",\"-c\",\"echo hi\"],"
		"\"Entrypoint\":null,\"WorkingDir\":\"/srv\",\"User\":\"app:app\",\"StopSignal\":\"SIGINT\","
		"\"ExposedPorts\":{\"80/tcp\":{},\"53/udp\":{}},\"Labels\":{\"a\":\"1\",\"b\":\"\"},"
		"\"Volumes\":{\"/data\":{}},\"Unknown\":[1,2]},"
		"\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]},\"history\":[{},{\"created\":\"2026-01-01T00:00:00Z\",\"created_by\":\"COPY . /\"},"
		"{\"empty_layer\":true,\"comment\":\"c\"}]}";

	CHECK_INT(rd(js, &e), 0);
	CHECK_STR(c->arch, "amd64");
	CHECK_STR(c->os, "linux");
	CHECK_STR(c->created, "2026-01-02T03:04:05.5Z");
	CHECK_INT(c->env_n, 2);
	CHECK_STR(c->env[1], "A=b c");
	CHECK_INT(c->cmd_set, 1);
	CHECK_INT(c->cmd_n, 3);
	CHECK_STR(c->cmd[2], "echo hi");
	CHECK_INT(c->entrypoint_set, 0);
	CHECK_STR(c->workdir, "/srv");
	CHECK_STR(c->user, "app:app");
	CHECK_STR(c->stop_signal, "SIGINT");
	CHECK_INT(c->ports_n, 2);
	CHECK_STR(c->ports[1], "53/udp");
	CHECK_INT(c->labels_n, 2);
	CHECK_STR(c->labels[0].key, "a");
	CHECK_STR(c->labels[0].value, "1");
	CHECK_INT(c->volumes_n, 1);
	CHECK_STR(c->volumes[0], "/data");
	CHECK_INT(c->history, 3);
	CHECK_STR(c->hist[0].created_by, "");
	CHECK_STR(c->hist[1].created, "2026-01-01T00:00:00Z");
	CHECK_STR(c->hist[1].created_by, "COPY . /");
	CHECK_INT(c->hist[1].empty_layer, 0);
	CHECK_INT(c->hist[2].empty_layer, 1);
	CHECK_STR(c->hist[2].comment, "c");
}

static void test_minimal(void)
{
	struct berr e;

	CHECK_INT(rd("{\"rootfs\":{}}", &e), 0);
	CHECK_STR(c->os, "");
	CHECK_INT(c->cmd_set, 0);
	CHECK_INT(c->env_n, 0);
	CHECK_INT(rd("{\"config\":null}", &e), 0);
	/* [] is set, and differs from null */
	CHECK_INT(rd("{\"config\":{\"Entrypoint\":[],\"Cmd\":null}}", &e), 0);
	CHECK_INT(c->entrypoint_set, 1);
	CHECK_INT(c->entrypoint_n, 0);
	CHECK_INT(c->cmd_set, 0);
}

static void test_wrong_types(void)
{
	struct berr e;

	CHECK_INT(rd("{\"config\":{\"Env\":\"PATH=/bin\"}}", &e), -1);
	CHECK(strstr(e.msg, "config.Env: want an array of strings"));
	CHECK_INT(rd("{\"config\":{\"Cmd\":[\"a\",1]}}", &e), -1);
	CHECK(strstr(e.msg, "config.Cmd"));
	CHECK_INT(rd("{\"config\":{\"User\":0}}", &e), -1);
	CHECK(strstr(e.msg, "config.User: want a string"));
	CHECK_INT(rd("{\"config\":{\"Labels\":{\"a\":1}}}", &e), -1);
	CHECK(strstr(e.msg, "config.Labels"));
	CHECK_INT(rd("{\"config\":{\"ExposedPorts\":[\"80/tcp\"]}}", &e), -1);
	CHECK_INT(rd("{\"config\":[]}", &e), -1);
	CHECK_INT(rd("{\"history\":{}}", &e), -1);
	CHECK_INT(rd("{\"history\":[1]}", &e), -1);
	CHECK_INT(rd("{\"history\":[{\"empty_layer\":1}]}", &e), -1);
	CHECK(strstr(e.msg, "history.empty_layer"));
	CHECK_INT(rd("[]", &e), -1);
	/* lib/json's strictness: a key twice, a string with \u0000 */
	CHECK_INT(rd("{\"os\":\"linux\",\"os\":\"windows\"}", &e), -1);
	CHECK_INT(rd("{\"os\":\"a\\u0000b\"}", &e), -1);
	CHECK_INT(rd("{\"os\":\"linux\"", &e), -1);
}

static void test_bounds(void)
{
	size_t n = IMGCONF_LIST_MAX + 1, cap = n * 6 + 64, o = 0;
	char *js = malloc(cap);
	struct berr e;

	o += (size_t)sprintf(js + o, "{\"config\":{\"Env\":[");
	for (size_t i = 0; i < n; i++)
		o += (size_t)sprintf(js + o, "%s\"a\"", i ? "," : "");
	sprintf(js + o, "]}}");
	CHECK_INT(rd(js, &e), -1);
	CHECK_INT(e.errnum, E2BIG);
	CHECK(strstr(e.msg, "config.Env: more than"));
	free(js);
	/* the string pool */
	n = sizeof(c->pool);
	js = malloc(n + 64);
	o = (size_t)sprintf(js, "{\"os\":\"");
	memset(js + o, 'x', n);
	sprintf(js + o + n, "\"}");
	CHECK_INT(rd(js, &e), -1);
	CHECK_INT(e.errnum, E2BIG);
	free(js);
}

UNIT_MAIN(UNIT(test_full), UNIT(test_minimal), UNIT(test_wrong_types), UNIT(test_bounds))

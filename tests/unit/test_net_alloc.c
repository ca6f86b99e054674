/* test_net_alloc.c — the bridge address allocator: lowest free address,
 * never the network, gateway or broadcast address, leases kept on disk
 * across re-opens, released ones reused, a full subnet refused. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "autoconf.h"
#include "lib/fs.h"
#include "runtime/net/alloc.h"
#include "tests/unit/unit.h"

static uint32_t ip(const char *s)
{
	struct in_addr a;
	CHECK(inet_pton(AF_INET, s, &a) == 1);
	return a.s_addr;
}

static char top[64], dir[80];

/* Remove the last test directory (when a test fails, it stays to look at). */
static void cleanup(void)
{
	struct berr e;

	if (top[0])
		CHECK_INT(fs_rm_tree_at(AT_FDCWD, top, &e), 0);
	top[0] = '\0';
}

static void setup(void)
{
	cleanup();
	/* tmpfs: the table is fsynced on every change */
	strcpy(top, "/dev/shm/test_net_alloc.XXXXXX");
	CHECK(mkdtemp(top));
	snprintf(dir, sizeof dir, "%s/net", top); /* made by the allocator */
}

static uint32_t get(const char *net, int prefix, const char *id)
{
	uint32_t a = 0;
	struct berr e;

	if (net_alloc_get(dir, ip(net), prefix, id, &a, &e) < 0)
		UNIT_FAIL_("get %s: %s", id, e.msg);
	return a;
}

static void lowest_first(void)
{
	setup();
	CHECK_INT(get("10.9.0.0", 16, "a"), ip("10.9.0.2"));
	CHECK_INT(get("10.9.0.0", 16, "b"), ip("10.9.0.3"));
	CHECK_INT(get("10.9.0.0", 16, "a"), ip("10.9.0.2")); /* its lease, again */
	CHECK_INT(get("10.9.0.0", 16, "c"), ip("10.9.0.4"));
	cleanup();
}

static void persist_and_reuse(void)
{
	char buf[512];
	struct berr e;
	struct stat st;

	setup();
	get("10.9.0.0", 24, "a");
	get("10.9.0.0", 24, "b");
	get("10.9.0.0", 24, "c");
	CHECK(fs_read_at(AT_FDCWD, strcat(strcpy(buf, dir), "/leases"), buf, sizeof buf, &e) > 0);
	CHECK(strstr(buf, "\nb 10.9.0.3\n"));
	snprintf(buf, sizeof buf, "%s/leases", dir);
	CHECK_INT(stat(buf, &st), 0);
	CHECK_INT(st.st_mode & 0777, 0600);
	CHECK_INT(net_alloc_release(dir, "b", &e), 0);
	CHECK_INT(net_alloc_release(dir, "b", &e), 0); /* twice: fine */
	CHECK_INT(net_alloc_release(dir, "nobody", &e), 0);
	CHECK_INT(get("10.9.0.0", 24, "d"), ip("10.9.0.3")); /* the released one */
	CHECK_INT(get("10.9.0.0", 24, "c"), ip("10.9.0.4")); /* still held */
	CHECK_INT(get("10.9.0.0", 24, "e"), ip("10.9.0.5"));
	cleanup();
}

static void never_special(void)
{
	uint32_t a;
	struct berr e;
	char id[16];

	setup();
	/* /29: .0 network, .1 gateway, .7 broadcast: .2-.6 for containers */
	for (int i = 0; i < 5; i++) {
		snprintf(id, sizeof id, "c%d", i);
		a = ntohl(get("192.168.5.0", 29, id));
		CHECK_INT(a & 7, i + 2);
	}
	CHECK_INT(net_alloc_get(dir, ip("192.168.5.0"), 29, "full", &a, &e), -1);
	CHECK_INT(e.errnum, ENOSPC);
	CHECK(strstr(e.msg, "no free address"));
	/* /30: one container address */
	setup();
	CHECK_INT(get("192.168.6.0", 30, "x"), ip("192.168.6.2"));
	CHECK_INT(net_alloc_get(dir, ip("192.168.6.0"), 30, "y", &a, &e), -1);
	CHECK_INT(net_alloc_get(dir, ip("192.168.6.0"), 31, "y", &a, &e), -1);
	cleanup();
}

static void subnet_changed(void)
{
	setup();
	CHECK_INT(get("10.9.0.0", 24, "a"), ip("10.9.0.2"));
	CHECK_INT(get("10.10.0.0", 24, "b"), ip("10.10.0.2"));
	/* a's lease is outside the new subnet: a new address for it */
	CHECK_INT(get("10.10.0.0", 24, "a"), ip("10.10.0.3"));
	cleanup();
}

static void bad_input(void)
{
	static const char *const ids[] = { "", ".", "..", ".x", "a b", "a/b", "a\nb",
		"0123456789012345678901234567890123456789012345678901234567890123x" };
	char path[128];
	uint32_t a;
	struct berr e;

	setup();
	for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
		if (net_alloc_get(dir, ip("10.9.0.0"), 24, ids[i], &a, &e) == 0)
			UNIT_FAIL_("id '%s' accepted", ids[i]);
		CHECK(strstr(e.msg, "bad container id"));
	}
	CHECK(net_id_ok("0123456789012345678901234567890123456789012345678901234567890123"));
	get("10.9.0.0", 24, "a");
	snprintf(path, sizeof path, "%s/leases", dir);
	CHECK_INT(fs_write_atomic(path, "a 10.9.0.2\nb 10.9.0\n", 20, 0600, &e), 0);
	CHECK_INT(net_alloc_get(dir, ip("10.9.0.0"), 24, "c", &a, &e), -1);
	CHECK(strstr(e.msg, "leases:2: want 'ID ADDRESS'"));
	CHECK_INT(fs_write_atomic(path, "a 10.9.0.2", 10, 0600, &e), 0);
	CHECK_INT(net_alloc_get(dir, ip("10.9.0.0"), 24, "c", &a, &e), -1);
	CHECK(strstr(e.msg, "leases:1: no newline"));
	cleanup();
}

static void many(void)
{
	char id[16];
	uint32_t a;
	struct berr e;

	setup();
	for (int i = 0; i < CONFIG_NET_LEASES_MAX; i++) {
		snprintf(id, sizeof id, "c%d", i);
		CHECK_INT(net_alloc_get(dir, ip("10.0.0.0"), 8, id, &a, &e), 0);
		CHECK_INT(ntohl(a), 0x0a000002u + (unsigned)i);
	}
	CHECK_INT(net_alloc_get(dir, ip("10.0.0.0"), 8, "one-more", &a, &e), -1);
	CHECK(strstr(e.msg, "CONFIG_NET_LEASES_MAX"));
	cleanup();
}

UNIT_MAIN(UNIT(lowest_first), UNIT(persist_and_reuse), UNIT(never_special), UNIT(subnet_changed),
	  UNIT(bad_input), UNIT(many))

/* test_net_conf.c — [container_network] keys and the IPv4/CIDR parsing under them. */
#include <arpa/inet.h>

#include "runtime/net/net.h"
#include "tests/unit/unit.h"

static uint32_t ip(const char *s)
{
	struct in_addr a;
	CHECK(inet_pton(AF_INET, s, &a) == 1);
	return a.s_addr;
}

static void defaults(void)
{
	struct net_conf c;

	net_conf_init(&c);
	CHECK_STR(c.bridge, "berth0");
	CHECK_INT(c.subnet, ip("172.29.0.0"));
	CHECK_INT(c.prefix, 16);
	CHECK_INT(c.gw, ip("172.29.0.1"));
	CHECK_INT(c.n_publish, 1);
	CHECK_INT(c.publish[0], 0);
	CHECK_INT(c.n_dns, 0);
	CHECK_STR(c.resolv_conf, "/etc/resolv.conf");
	CHECK_INT(c.proxy_uid, CONFIG_NET_PROXY_UID);
}

static void ip4(void)
{
	static const char *const bad[] = { "", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4",
		"1.2.3.4 ", " 1.2.3.4", "1..2.3", "a.b.c.d", "1.2.3.-4", "1.2.3.4/8", "::1" };
	uint32_t a;
	struct berr e;

	CHECK_INT(net_parse_ip4("10.0.0.1", &a, &e), 0);
	CHECK_INT(a, ip("10.0.0.1"));
	CHECK_INT(net_parse_ip4("0.0.0.0", &a, &e), 0);
	CHECK_INT(a, 0);
	CHECK_INT(net_parse_ip4("255.255.255.255", &a, &e), 0);
	CHECK_INT(a, 0xffffffffu);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (net_parse_ip4(bad[i], &a, &e) == 0)
			UNIT_FAIL_("'%s' accepted", bad[i]);
		CHECK(strstr(e.msg, "not an IPv4 address"));
	}
}

static void cidr(void)
{
	static const char *const bad[] = { "10.0.0.0", "10.0.0.0/", "10.0.0.0/33", "10.0.0.0/08",
		"10.0.0.0/1a", "10.0.0.0/-1", "/16", "10.0.0.0/16/1", "10.0.0.0/4" };
	uint32_t a;
	int p;
	struct berr e;

	CHECK_INT(net_parse_cidr("10.1.0.0/16", 8, 1, &a, &p, &e), 0);
	CHECK_INT(a, ip("10.1.0.0"));
	CHECK_INT(p, 16);
	CHECK_INT(net_parse_cidr("10.1.2.3/32", 8, 1, &a, &p, &e), 0);
	CHECK_INT(p, 32);
	CHECK_INT(net_parse_cidr("10.1.2.3/24", 8, 0, &a, &p, &e), 0);
	CHECK_INT(net_parse_cidr("10.1.2.3/24", 8, 1, &a, &p, &e), -1);
	CHECK(strstr(e.msg, "host bits set (the network is 10.1.2.0/24)"));
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (net_parse_cidr(bad[i], 8, 1, &a, &p, &e) == 0)
			UNIT_FAIL_("'%s' accepted", bad[i]);
}

static void keys(void)
{
	struct net_conf c;
	struct berr e;

	net_conf_init(&c);
	CHECK_INT(net_conf_set(&c, "bridge", "br-test", &e), 0);
	CHECK_STR(c.bridge, "br-test");
	CHECK_INT(net_conf_set(&c, "bridge_subnet", "10.88.0.0/24", &e), 0);
	CHECK_INT(c.subnet, ip("10.88.0.0"));
	CHECK_INT(c.prefix, 24);
	CHECK_INT(c.gw, ip("10.88.0.1"));
	CHECK_INT(net_conf_set(&c, "publish_addresses", "127.0.0.1, 10.0.0.5", &e), 0);
	CHECK_INT(c.n_publish, 2);
	CHECK_INT(c.publish[0], ip("127.0.0.1"));
	CHECK_INT(c.publish[1], ip("10.0.0.5"));
	/* a continuation line adds to the list */
	CHECK_INT(net_conf_set(&c, "publish_addresses", "10.0.0.6", &e), 0);
	CHECK_INT(c.n_publish, 3);
	CHECK_INT(net_conf_set(&c, "dns", "9.9.9.9 1.1.1.1", &e), 0);
	CHECK_INT(c.n_dns, 2);
	CHECK_INT(net_conf_set(&c, "resolv_conf", "/tmp//x/resolv.conf", &e), 0);
	CHECK_STR(c.resolv_conf, "/tmp/x/resolv.conf");
	CHECK_INT(net_conf_set(&c, "proxy_user", "65534", &e), 0);
	CHECK_INT(c.proxy_uid, 65534);
	CHECK_INT(c.proxy_gid, 65534);
	CHECK_INT(net_conf_set(&c, "proxy_user", "200:300", &e), 0);
	CHECK_INT(c.proxy_uid, 200);
	CHECK_INT(c.proxy_gid, 300);
}

static void bad_keys(void)
{
	static const char *const bad[][2] = {
		{ "bridge", "" }, { "bridge", "a-name-that-is-too-long" }, { "bridge", "a/b" },
		{ "bridge", "a b" }, { "bridge", ".." },
		{ "bridge_subnet", "10.0.0.1/16" }, { "bridge_subnet", "10.0.0.0/31" },
		{ "bridge_subnet", "10.0.0.0/7" }, { "bridge_subnet", "10.0.0.0" },
		{ "publish_addresses", "" }, { "publish_addresses", "localhost" },
		{ "publish_addresses", "::" }, { "publish_addresses", "1.2.3.4 1.2.3.4" },
		{ "publish_addresses", "1.1.1.1 1.1.1.2 1.1.1.3 1.1.1.4 1.1.1.5 1.1.1.6 1.1.1.7 1.1.1.8 1.1.1.9" },
		{ "dns", "8.8.8" }, { "resolv_conf", "etc/resolv.conf" },
		{ "proxy_user", "0" }, { "proxy_user", "nobody" }, { "proxy_user", "1:" },
		{ "proxy_user", "1:0" }, { "proxy_user", "-1" }, { "proxy_user", "4294967295" },
		{ "mtu", "1500" },
	};
	struct net_conf c;
	struct berr e;

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		net_conf_init(&c);
		if (net_conf_set(&c, bad[i][0], bad[i][1], &e) == 0)
			UNIT_FAIL_("%s = '%s' accepted", bad[i][0], bad[i][1]);
		if (strncmp(e.msg, bad[i][0], strlen(bad[i][0])))
			UNIT_FAIL_("%s = '%s': message does not name the key: %s", bad[i][0], bad[i][1], e.msg);
	}
	net_conf_init(&c);
	CHECK_INT(net_conf_set(&c, "mtu", "1500", &e), -1);
	CHECK(strstr(e.msg, "unknown key in [container_network]"));
	/* a refused value leaves the old one */
	CHECK_INT(net_conf_set(&c, "bridge_subnet", "10.0.0.1/16", &e), -1);
	CHECK_INT(c.subnet, ip("172.29.0.0"));
}

UNIT_MAIN(UNIT(defaults), UNIT(ip4), UNIT(cidr), UNIT(keys), UNIT(bad_keys))

/* fuzz_net_conf.c — libFuzzer target: [container_network] values and the
 * address parsers under them. Each input line is KEY=VALUE for
 * net_conf_set; whatever is accepted must leave the settings consistent
 * (a /8-/30 subnet with no host bits, its gateway next to it, lists within
 * their bounds, proxy_user never 0), and an accepted address must print
 * back as the same text. Any inconsistency aborts. */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/net/net.h"

static void check(const struct net_conf *c)
{
	uint32_t mask = htonl(~0u << (32 - c->prefix));

	if (c->prefix < 8 || c->prefix > 30 || (c->subnet & ~mask) || c->gw != htonl(ntohl(c->subnet) + 1))
		abort();
	if (c->n_publish < 0 || c->n_publish > CONFIG_NET_ADDRS_MAX || c->n_dns < 0 ||
	    c->n_dns > CONFIG_NET_ADDRS_MAX || c->proxy_uid == 0 || c->proxy_gid == 0)
		abort();
	if (!c->bridge[0] || strlen(c->bridge) > 15 || c->resolv_conf[0] != '/')
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char buf[4096], *line, *save = NULL;
	struct net_conf c;
	struct berr e;
	uint32_t a;
	int p;

	if (size >= sizeof buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	if (net_parse_ip4(buf, &a, &e) == 0) {
		char back[16];
		if (!inet_ntop(AF_INET, &a, back, sizeof back) || strcmp(back, buf))
			abort();
	}
	net_parse_cidr(buf, 0, 0, &a, &p, &e);
	net_conf_init(&c);
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *eq = strchr(line, '=');

		if (!eq)
			continue;
		*eq = '\0';
		net_conf_set(&c, line, eq + 1, &e);
		check(&c);
	}
	return 0;
}

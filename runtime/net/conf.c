/* conf.c — [container_network] settings and IPv4 address parsing (net.h). */
#include "runtime/net/net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "lib/conf.h"

void net_conf_init(struct net_conf *c)
{
	memset(c, 0, sizeof *c);
	strcpy(c->bridge, "berth0");
	c->subnet = htonl(0xac1d0000u); /* 172.29.0.0/16 */
	c->prefix = 16;
	c->gw = htonl(0xac1d0001u);
	c->publish[0] = htonl(INADDR_ANY);
	c->n_publish = 1;
	strcpy(c->resolv_conf, "/etc/resolv.conf");
	c->proxy_uid = (uid_t)CONFIG_NET_PROXY_UID;
	c->proxy_gid = (gid_t)CONFIG_NET_PROXY_UID;
}

int net_parse_ip4(const char *s, uint32_t *addr, struct berr *e)
{
	uint32_t v = 0;
	const char *p = s;

	for (int part = 0; part < 4; part++) {
		unsigned n = 0;
		int digits = 0;

		if (part && *p++ != '.')
			goto bad;
		for (; *p >= '0' && *p <= '9'; p++, digits++) {
			if (digits && n == 0)
				goto bad; /* a leading zero: octal to some parsers */
			n = n * 10 + (unsigned)(*p - '0');
			if (n > 255)
				goto bad;
		}
		if (!digits)
			goto bad;
		v = v << 8 | n;
	}
	if (*p)
		goto bad;
	*addr = htonl(v);
	return 0;
bad:
	return berr_set(e, EINVAL, "not an IPv4 address: '%.64s'", s);
}

int net_parse_cidr(const char *s, int min_prefix, int net_only, uint32_t *addr, int *prefix,
		   struct berr *e)
{
	char ip[16];
	const char *slash = strchr(s, '/');
	unsigned n = 0;
	uint32_t a, mask;

	if (!slash || (size_t)(slash - s) >= sizeof ip || !slash[1])
		return berr_set(e, EINVAL, "want ADDRESS/PREFIX: '%.64s'", s);
	memcpy(ip, s, (size_t)(slash - s));
	ip[slash - s] = '\0';
	if (net_parse_ip4(ip, &a, e) < 0)
		return -1;
	for (const char *p = slash + 1; *p; p++) {
		if (*p < '0' || *p > '9' || (p > slash + 1 && n == 0) || (n = n * 10 + (unsigned)(*p - '0')) > 32)
			return berr_set(e, EINVAL, "bad prefix length: '%.64s'", s);
	}
	if ((int)n < min_prefix)
		return berr_set(e, EINVAL, "prefix length below /%d: '%.64s'", min_prefix, s);
	mask = n ? ~0u << (32 - n) : 0;
	if (net_only && (ntohl(a) & ~mask))
		return berr_set(e, EINVAL, "host bits set (the network is %u.%u.%u.%u/%u): '%.64s'",
				ntohl(a & htonl(mask)) >> 24, (ntohl(a & htonl(mask)) >> 16) & 255,
				(ntohl(a & htonl(mask)) >> 8) & 255, ntohl(a & htonl(mask)) & 255, n, s);
	*addr = a;
	*prefix = (int)n;
	return 0;
}

/* Interface names as the kernel takes them (dev_valid_name). */
static int ifname_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= 16 || !strcmp(s, ".") || !strcmp(s, ".."))
		return 0;
	for (; *s; s++)
		if (*s == '/' || *s == ':' || *s <= ' ' || *s == 0x7f)
			return 0;
	return 1;
}

/* Append the addresses of a blank/comma separated list. */
static int addr_list(const char *key, const char *v, uint32_t *list, int *n, int *set,
		     struct berr *e)
{
	const char *p = v, *w;
	size_t len;
	int k = *set ? *n : 0;

	while ((w = conf_word_next(&p, " \t,", &len))) {
		char one[16];
		struct berr sub;

		if (k >= CONFIG_NET_ADDRS_MAX)
			return conf_bad(e, key, v, "more than %d addresses", CONFIG_NET_ADDRS_MAX);
		if (len >= sizeof one)
			return conf_bad(e, key, v, "not an IPv4 address");
		memcpy(one, w, len);
		one[len] = '\0';
		if (net_parse_ip4(one, &list[k], &sub) < 0)
			return conf_bad(e, key, v, "not an IPv4 address: %s", one);
		for (int i = 0; i < k; i++)
			if (list[i] == list[k])
				return conf_bad(e, key, v, "%s given twice", one);
		k++;
	}
	if (k == 0 && !*set)
		return conf_bad(e, key, v, "want one or more IPv4 addresses");
	*n = k;
	*set = 1;
	return 0;
}

static int proxy_user(struct net_conf *c, const char *v, struct berr *e)
{
	char uid[16];
	const char *colon = strchr(v, ':');
	size_t n = colon ? (size_t)(colon - v) : strlen(v);
	long long u, g;

	if (n >= sizeof uid)
		return conf_bad(e, "proxy_user", v, "want UID or UID:GID (numbers, not 0)");
	memcpy(uid, v, n);
	uid[n] = '\0';
	if (conf_int("proxy_user", uid, 1, 4294967294LL, &u, e) < 0)
		return -1;
	g = u;
	if (colon && conf_int("proxy_user", colon + 1, 1, 4294967294LL, &g, e) < 0)
		return -1;
	c->proxy_uid = (uid_t)u;
	c->proxy_gid = (gid_t)g;
	return 0;
}

int net_conf_set(struct net_conf *c, const char *key, const char *value, struct berr *e)
{
	if (!strcmp(key, "bridge")) {
		if (!ifname_ok(value))
			return conf_bad(e, key, value, "want an interface name of 1-15 bytes");
		strcpy(c->bridge, value);
		return 0;
	}
	if (!strcmp(key, "bridge_subnet")) {
		uint32_t a;
		int p;
		struct berr sub;

		/* /30 is the smallest with a gateway and one container */
		if (net_parse_cidr(value, 8, 1, &a, &p, &sub) < 0)
			return conf_bad(e, key, value, "%s", sub.msg);
		if (p > 30)
			return conf_bad(e, key, value, "prefix longer than /30 leaves no container address");
		c->subnet = a;
		c->prefix = p;
		c->gw = htonl(ntohl(a) + 1);
		return 0;
	}
	if (!strcmp(key, "publish_addresses"))
		return addr_list(key, value, c->publish, &c->n_publish, &c->publish_set, e);
	if (!strcmp(key, "dns"))
		return addr_list(key, value, c->dns, &c->n_dns, &c->dns_set, e);
	if (!strcmp(key, "resolv_conf"))
		return conf_path(key, value, c->resolv_conf, sizeof c->resolv_conf, e);
	if (!strcmp(key, "proxy_user"))
		return proxy_user(c, value, e);
	return berr_set(e, EINVAL, "%s: unknown key in [" NET_CONF_SECTION "] (bridge, bridge_subnet, "
			"publish_addresses, dns, resolv_conf, proxy_user)", key);
}

/* test_netlink.c — rtnetlink messages are built byte for byte as the
 * kernel expects them; a real request in a private network namespace. */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/veth.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sched.h>
#include <string.h>

#include "lib/netlink.h"
#include "tests/unit/unit.h"

static struct in_addr ip(const char *s)
{
	struct in_addr a;
	CHECK(inet_pton(AF_INET, s, &a) == 1);
	return a;
}

/* The attribute of type t in [p, end), or NULL. */
static struct rtattr *find_attr(void *p, size_t len, int t)
{
	struct rtattr *a = p;
	for (; RTA_OK(a, len); a = RTA_NEXT(a, len))
		if (a->rta_type == t)
			return a;
	return NULL;
}

static void link_up(void)
{
	struct nl_msg m;
	struct nlmsghdr *h = (struct nlmsghdr *)m.buf;
	struct ifinfomsg *i;

	nl_build_link_up(&m, 7, 3);
	CHECK_INT(m.len, NLMSG_LENGTH(sizeof *i));
	CHECK_INT(h->nlmsg_len, m.len);
	CHECK_INT(h->nlmsg_type, RTM_NEWLINK);
	CHECK_INT(h->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
	CHECK_INT(h->nlmsg_seq, 7);
	i = NLMSG_DATA(h);
	CHECK_INT(i->ifi_family, AF_UNSPEC);
	CHECK_INT(i->ifi_index, 3);
	CHECK_INT(i->ifi_flags, IFF_UP);
	CHECK_INT(i->ifi_change, IFF_UP);
}

static void address(void)
{
	struct nl_msg m;
	struct nlmsghdr *h = (struct nlmsghdr *)m.buf;
	struct ifaddrmsg *a;
	struct rtattr *r;

	nl_build_addr(&m, 9, 2, ip("10.0.2.15"), 24);
	CHECK_INT(h->nlmsg_len, m.len);
	CHECK_INT(h->nlmsg_type, RTM_NEWADDR);
	CHECK_INT(h->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE);
	a = NLMSG_DATA(h);
	CHECK_INT(a->ifa_family, AF_INET);
	CHECK_INT(a->ifa_prefixlen, 24);
	CHECK_INT(a->ifa_index, 2);
	/* three IPv4 attributes of 8 bytes each after the ifaddrmsg */
	CHECK_INT(m.len, NLMSG_LENGTH(sizeof *a) + 3 * RTA_LENGTH(4));
	size_t alen = m.len - NLMSG_LENGTH(sizeof *a);
	r = find_attr(IFA_RTA(a), alen, IFA_LOCAL);
	CHECK(r && r->rta_len == RTA_LENGTH(4) && memcmp(RTA_DATA(r), "\x0a\x00\x02\x0f", 4) == 0);
	r = find_attr(IFA_RTA(a), alen, IFA_ADDRESS);
	CHECK(r && memcmp(RTA_DATA(r), "\x0a\x00\x02\x0f", 4) == 0);
	r = find_attr(IFA_RTA(a), alen, IFA_BROADCAST);
	CHECK(r && memcmp(RTA_DATA(r), "\x0a\x00\x02\xff", 4) == 0);
	/* /32 and deletion carry no broadcast */
	nl_build_addr(&m, 1, 2, ip("192.168.1.1"), 32);
	CHECK_INT(m.len, NLMSG_LENGTH(sizeof *a) + 2 * RTA_LENGTH(4));
	nl_build_addr_del(&m, 1, 2, ip("10.0.2.15"), 24);
	CHECK_INT(h->nlmsg_type, RTM_DELADDR);
	CHECK_INT(h->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
	CHECK_INT(m.len, NLMSG_LENGTH(sizeof *a) + 2 * RTA_LENGTH(4));
	/* prefix 20: broadcast 172.16.15.255 */
	nl_build_addr(&m, 1, 2, ip("172.16.3.4"), 20);
	r = find_attr(IFA_RTA(a), m.len - NLMSG_LENGTH(sizeof *a), IFA_BROADCAST);
	CHECK(r && memcmp(RTA_DATA(r), "\xac\x10\x0f\xff", 4) == 0);
}

static void default_route(void)
{
	struct nl_msg m;
	struct nlmsghdr *h = (struct nlmsghdr *)m.buf;
	struct rtmsg *r;
	struct rtattr *a;
	uint32_t oif;

	nl_build_default_route(&m, 5, 4, ip("10.0.2.2"));
	CHECK_INT(h->nlmsg_len, m.len);
	CHECK_INT(h->nlmsg_type, RTM_NEWROUTE);
	r = NLMSG_DATA(h);
	CHECK_INT(r->rtm_family, AF_INET);
	CHECK_INT(r->rtm_dst_len, 0);
	CHECK_INT(r->rtm_table, RT_TABLE_MAIN);
	CHECK_INT(r->rtm_protocol, RTPROT_STATIC);
	CHECK_INT(r->rtm_type, RTN_UNICAST);
	a = find_attr(RTM_RTA(r), m.len - NLMSG_LENGTH(sizeof *r), RTA_GATEWAY);
	CHECK(a && memcmp(RTA_DATA(a), "\x0a\x00\x02\x02", 4) == 0);
	a = find_attr(RTM_RTA(r), m.len - NLMSG_LENGTH(sizeof *r), RTA_OIF);
	CHECK(a);
	memcpy(&oif, RTA_DATA(a), 4);
	CHECK_INT(oif, 4);
}

/* The bridge and veth messages: IFLA_LINKINFO nests the kind and, for a
 * veth, the peer's ifinfomsg with its name and namespace. */
static void links(void)
{
	struct nl_msg m;
	struct nlmsghdr *h = (struct nlmsghdr *)m.buf;
	struct ifinfomsg *i = NLMSG_DATA(h), *pi;
	struct rtattr *a, *k, *d, *p;
	size_t alen;
	uint32_t v;

	nl_build_bridge_add(&m, 3, "berth0");
	CHECK_INT(h->nlmsg_len, m.len);
	CHECK_INT(h->nlmsg_type, RTM_NEWLINK);
	CHECK_INT(h->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
	alen = m.len - NLMSG_LENGTH(sizeof *i);
	a = find_attr(IFLA_RTA(i), alen, IFLA_IFNAME);
	CHECK(a && !strcmp(RTA_DATA(a), "berth0"));
	a = find_attr(IFLA_RTA(i), alen, IFLA_LINKINFO);
	CHECK(a);
	k = find_attr(RTA_DATA(a), RTA_PAYLOAD(a), IFLA_INFO_KIND);
	CHECK(k && RTA_PAYLOAD(k) == 6 && !memcmp(RTA_DATA(k), "bridge", 6));

	nl_build_veth_add(&m, 4, "bthabc", 7, "eth0", 9);
	CHECK_INT(h->nlmsg_len, m.len);
	CHECK(m.len <= NL_MSG_MAX);
	alen = m.len - NLMSG_LENGTH(sizeof *i);
	a = find_attr(IFLA_RTA(i), alen, IFLA_MASTER);
	CHECK(a);
	memcpy(&v, RTA_DATA(a), 4);
	CHECK_INT(v, 7);
	a = find_attr(IFLA_RTA(i), alen, IFLA_LINKINFO);
	CHECK(a);
	k = find_attr(RTA_DATA(a), RTA_PAYLOAD(a), IFLA_INFO_KIND);
	CHECK(k && RTA_PAYLOAD(k) == 4 && !memcmp(RTA_DATA(k), "veth", 4));
	d = find_attr(RTA_DATA(a), RTA_PAYLOAD(a), IFLA_INFO_DATA);
	CHECK(d);
	p = find_attr(RTA_DATA(d), RTA_PAYLOAD(d), VETH_INFO_PEER);
	CHECK(p && RTA_PAYLOAD(p) > sizeof *pi);
	pi = RTA_DATA(p);
	CHECK_INT(pi->ifi_family, AF_UNSPEC);
	a = find_attr((char *)pi + NLMSG_ALIGN(sizeof *pi), RTA_PAYLOAD(p) - NLMSG_ALIGN(sizeof *pi), IFLA_IFNAME);
	CHECK(a && !strcmp(RTA_DATA(a), "eth0"));
	a = find_attr((char *)pi + NLMSG_ALIGN(sizeof *pi), RTA_PAYLOAD(p) - NLMSG_ALIGN(sizeof *pi), IFLA_NET_NS_FD);
	CHECK(a);
	memcpy(&v, RTA_DATA(a), 4);
	CHECK_INT(v, 9);
	/* no master, no namespace: neither attribute */
	nl_build_veth_add(&m, 4, "a", 0, "b", -1);
	CHECK(!find_attr(IFLA_RTA(i), m.len - NLMSG_LENGTH(sizeof *i), IFLA_MASTER));

	nl_build_link_del(&m, 5, "bthabc");
	CHECK_INT(h->nlmsg_type, RTM_DELLINK);
	CHECK_INT(i->ifi_index, 0);
	a = find_attr(IFLA_RTA(i), m.len - NLMSG_LENGTH(sizeof *i), IFLA_IFNAME);
	CHECK(a && !strcmp(RTA_DATA(a), "bthabc"));
	nl_build_link_up_name(&m, 6, "lo");
	CHECK_INT(h->nlmsg_type, RTM_NEWLINK);
	CHECK_INT(i->ifi_flags, IFF_UP);
	CHECK_INT(i->ifi_change, IFF_UP);
}

/* The kernel accepts them: in a new network namespace, lo gets up and an
 * extra address, and a route via it. */
static void kernel_accepts_them(void)
{
	struct berr e;
	char out[4096] = "";
	FILE *f;
	size_t n;

	if (unshare(CLONE_NEWNET) < 0)
		UNIT_SKIP("no network namespace (needs root)");
	CHECK_INT(nl_configure("lo", ip("10.9.8.7"), 8, ip("10.0.0.1"), &e), 0);
	CHECK(if_nametoindex("lo") > 0);
	f = popen("ip -4 addr show dev lo; ip -4 route show", "r");
	if (!f)
		UNIT_SKIP("no ip(8) to check with");
	n = fread(out, 1, sizeof out - 1, f);
	out[n] = '\0';
	if (pclose(f) != 0)
		UNIT_SKIP("ip(8) failed");
	CHECK(strstr(out, "UP") || strstr(out, "inet 127.0.0.1"));
	CHECK(strstr(out, "inet 10.9.8.7/8"));
	CHECK(strstr(out, "default via 10.0.0.1 dev lo"));
	CHECK_INT(nl_configure("nosuch0", ip("10.9.8.7"), 8, ip("0.0.0.0"), &e), -1);
	CHECK(strstr(e.msg, "interface nosuch0"));
}

/* A new network namespace (skipped without one), a netlink socket in it
 * (*fd) and a bridge NAME made through it: the bridge's index. */
static int ns_bridge(const char *name, int *fd)
{
	struct berr e;
	struct nl_msg m;
	int br;

	if (unshare(CLONE_NEWNET) < 0)
		UNIT_SKIP("no network namespace (needs root)");
	*fd = nl_open(&e);
	CHECK(*fd >= 0);
	nl_build_bridge_add(&m, 1, name);
	CHECK_INT(nl_request(*fd, &m, &e), 0);
	br = nl_link_index(*fd, name, &e);
	CHECK(br > 1);
	return br;
}

/* A bridge and a veth into it, the index by name, a delete (both ends go). */
static void kernel_links(void)
{
	struct berr e;
	struct nl_msg m;
	char kind[16];
	int fd, br, v;

	br = ns_bridge("br-t", &fd);
	nl_build_bridge_add(&m, 1, "br-t");
	CHECK_INT(nl_request(fd, &m, &e), 0); /* EEXIST: there already */
	CHECK_INT(nl_link_kind(fd, "br-t", kind, sizeof kind, &e), br);
	CHECK_STR(kind, "bridge");
	CHECK_INT(nl_link_kind(fd, "lo", kind, sizeof kind, &e), 1);
	CHECK_STR(kind, "");
	CHECK_INT(br, if_nametoindex("br-t"));
	nl_build_veth_add(&m, 2, "v-host", br, "v-peer", -1);
	if (nl_request(fd, &m, &e) < 0)
		UNIT_SKIP("no veth here");
	v = nl_link_kind(fd, "v-peer", kind, sizeof kind, &e);
	CHECK(v > 0);
	CHECK_STR(kind, "veth");
	nl_build_link_up_name(&m, 3, "v-host");
	CHECK_INT(nl_request(fd, &m, &e), 0);
	nl_build_link_del(&m, 4, "v-host");
	CHECK_INT(nl_request(fd, &m, &e), 0);
	CHECK_INT(nl_link_index(fd, "v-peer", &e), -1);
	CHECK_INT(e.errnum, ENODEV);
	CHECK(strstr(e.msg, "interface v-peer"));
	nl_build_link_del(&m, 5, "v-host");
	CHECK_INT(nl_request(fd, &m, &e), -1);
	CHECK_INT(e.errnum, ENODEV);
	close(fd);
}

/* The IPv4 addresses of one link (a dump: not those of another link), and
 * E2BIG when there are more than asked for. */
static void kernel_addrs(void)
{
	struct berr e;
	struct nl_msg m;
	struct in_addr a[4];
	int p[4], fd, br, n;

	br = ns_bridge("br-a", &fd);
	CHECK_INT(nl_addr_list(fd, br, a, p, 4, &e), 0);
	nl_build_addr(&m, 2, br, ip("10.1.2.3"), 24);
	CHECK_INT(nl_request(fd, &m, &e), 0);
	nl_build_addr(&m, 3, br, ip("10.9.0.1"), 16);
	CHECK_INT(nl_request(fd, &m, &e), 0);
	nl_build_addr(&m, 4, 1, ip("10.7.7.7"), 8);
	CHECK_INT(nl_request(fd, &m, &e), 0);
	n = nl_addr_list(fd, br, a, p, 4, &e);
	CHECK_INT(n, 2);
	for (int i = 0; i < n && i < 4; i++)
		CHECK((a[i].s_addr == ip("10.1.2.3").s_addr && p[i] == 24) ||
		      (a[i].s_addr == ip("10.9.0.1").s_addr && p[i] == 16));
	CHECK(n != 2 || a[0].s_addr != a[1].s_addr);
	CHECK_INT(nl_addr_list(fd, 1, a, p, 4, &e), 1); /* lo, down: 10.7.7.7 only */
	CHECK_INT(nl_addr_list(fd, br, a, p, 1, &e), -1);
	CHECK_INT(e.errnum, E2BIG);
	close(fd);
}

UNIT_MAIN(UNIT(link_up), UNIT(address), UNIT(default_route), UNIT(links), UNIT(kernel_accepts_them),
	  UNIT(kernel_links), UNIT(kernel_addrs))

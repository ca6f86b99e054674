/* netlink.c — rtnetlink message building and one-shot requests. */
#include "lib/netlink.h"

#include <errno.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/veth.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void *put(struct nl_msg *m, size_t len)
{
	void *p = m->buf + m->len;

	/* Callers build fixed, small messages: exceeding NL_MSG_MAX is a bug. */
	if (m->len + NLMSG_ALIGN(len) > sizeof m->buf)
		__builtin_trap();
	memset(p, 0, NLMSG_ALIGN(len));
	m->len += NLMSG_ALIGN(len);
	return p;
}

static struct nlmsghdr *start(struct nl_msg *m, uint32_t seq, uint16_t type, uint16_t flags)
{
	struct nlmsghdr *h;

	memset(m, 0, sizeof *m);
	m->seq = seq;
	h = put(m, sizeof *h);
	h->nlmsg_type = type;
	h->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	h->nlmsg_seq = seq;
	return h;
}

static void attr(struct nl_msg *m, uint16_t type, const void *data, size_t len)
{
	struct rtattr *a = put(m, RTA_LENGTH(len));

	a->rta_type = type;
	a->rta_len = (unsigned short)RTA_LENGTH(len);
	memcpy(RTA_DATA(a), data, len);
}

static void finish(struct nl_msg *m)
{
	((struct nlmsghdr *)m->buf)->nlmsg_len = (uint32_t)m->len;
}

void nl_build_link_up(struct nl_msg *m, uint32_t seq, int ifindex)
{
	struct ifinfomsg *i;

	start(m, seq, RTM_NEWLINK, 0);
	i = put(m, sizeof *i);
	i->ifi_family = AF_UNSPEC;
	i->ifi_index = ifindex;
	i->ifi_flags = IFF_UP;
	i->ifi_change = IFF_UP;
	finish(m);
}

static void addr_msg(struct nl_msg *m, uint32_t seq, uint16_t type, uint16_t flags, int ifindex,
		     struct in_addr addr, int prefix)
{
	struct ifaddrmsg *a;

	start(m, seq, type, flags);
	a = put(m, sizeof *a);
	a->ifa_family = AF_INET;
	a->ifa_prefixlen = (unsigned char)prefix;
	a->ifa_scope = RT_SCOPE_UNIVERSE;
	a->ifa_index = (unsigned)ifindex;
	attr(m, IFA_LOCAL, &addr, sizeof addr);
	attr(m, IFA_ADDRESS, &addr, sizeof addr);
	if (type == RTM_NEWADDR && prefix < 31) {
		uint32_t mask = prefix ? htonl(~0U << (32 - prefix)) : 0;
		struct in_addr brd = { .s_addr = addr.s_addr | ~mask };
		attr(m, IFA_BROADCAST, &brd, sizeof brd);
	}
	finish(m);
}

void nl_build_addr(struct nl_msg *m, uint32_t seq, int ifindex, struct in_addr addr, int prefix)
{
	addr_msg(m, seq, RTM_NEWADDR, NLM_F_CREATE | NLM_F_REPLACE, ifindex, addr, prefix);
}

void nl_build_addr_del(struct nl_msg *m, uint32_t seq, int ifindex, struct in_addr addr, int prefix)
{
	addr_msg(m, seq, RTM_DELADDR, 0, ifindex, addr, prefix);
}

/* An IPv4 unicast route in the main table. */
static void route_head(struct nl_msg *m, unsigned char protocol, unsigned char scope)
{
	struct rtmsg *r = put(m, sizeof *r);

	r->rtm_family = AF_INET;
	r->rtm_table = RT_TABLE_MAIN;
	r->rtm_protocol = protocol;
	r->rtm_scope = scope;
	r->rtm_type = RTN_UNICAST;
}

void nl_build_default_route(struct nl_msg *m, uint32_t seq, int ifindex, struct in_addr gw)
{
	uint32_t oif = (uint32_t)ifindex;

	start(m, seq, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE);
	route_head(m, RTPROT_STATIC, RT_SCOPE_UNIVERSE);
	attr(m, RTA_GATEWAY, &gw, sizeof gw);
	attr(m, RTA_OIF, &oif, sizeof oif);
	finish(m);
}

void nl_build_link_route(struct nl_msg *m, uint32_t seq, int ifindex, uint32_t metric, int del)
{
	uint32_t oif = (uint32_t)ifindex;

	start(m, seq, del ? RTM_DELROUTE : RTM_NEWROUTE, del ? 0 : NLM_F_CREATE | NLM_F_REPLACE);
	route_head(m, RTPROT_BOOT, RT_SCOPE_LINK);
	attr(m, RTA_OIF, &oif, sizeof oif);
	attr(m, RTA_PRIORITY, &metric, sizeof metric);
	finish(m);
}

static struct rtattr *nest_start(struct nl_msg *m, uint16_t type)
{
	struct rtattr *a = put(m, RTA_LENGTH(0));

	a->rta_type = type;
	return a;
}

static void nest_end(struct nl_msg *m, struct rtattr *a)
{
	a->rta_len = (unsigned short)(m->buf + m->len - (unsigned char *)a);
}

static void attr_str(struct nl_msg *m, uint16_t type, const char *s)
{
	attr(m, type, s, strlen(s) + 1);
}

static void link_msg(struct nl_msg *m, uint32_t seq, uint16_t type, uint16_t flags)
{
	struct ifinfomsg *i;

	start(m, seq, type, flags);
	i = put(m, sizeof *i);
	i->ifi_family = AF_UNSPEC;
}

void nl_build_bridge_add(struct nl_msg *m, uint32_t seq, const char *name)
{
	struct rtattr *info;

	link_msg(m, seq, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
	attr_str(m, IFLA_IFNAME, name);
	info = nest_start(m, IFLA_LINKINFO);
	attr(m, IFLA_INFO_KIND, "bridge", 6);
	nest_end(m, info);
	finish(m);
}

void nl_build_veth_add(struct nl_msg *m, uint32_t seq, const char *name, int master,
		       const char *peer, int peer_nsfd)
{
	struct rtattr *info, *data, *p;
	struct ifinfomsg *pi;

	link_msg(m, seq, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
	attr_str(m, IFLA_IFNAME, name);
	if (master > 0) {
		uint32_t idx = (uint32_t)master;
		attr(m, IFLA_MASTER, &idx, sizeof idx);
	}
	info = nest_start(m, IFLA_LINKINFO);
	attr(m, IFLA_INFO_KIND, "veth", 4);
	data = nest_start(m, IFLA_INFO_DATA);
	p = nest_start(m, VETH_INFO_PEER);
	pi = put(m, sizeof *pi);
	pi->ifi_family = AF_UNSPEC;
	attr_str(m, IFLA_IFNAME, peer);
	if (peer_nsfd >= 0) {
		uint32_t fd = (uint32_t)peer_nsfd;
		attr(m, IFLA_NET_NS_FD, &fd, sizeof fd);
	}
	nest_end(m, p);
	nest_end(m, data);
	nest_end(m, info);
	finish(m);
}

void nl_build_link_del(struct nl_msg *m, uint32_t seq, const char *name)
{
	link_msg(m, seq, RTM_DELLINK, 0);
	attr_str(m, IFLA_IFNAME, name);
	finish(m);
}

void nl_build_link_up_name(struct nl_msg *m, uint32_t seq, const char *name)
{
	struct ifinfomsg *i;

	link_msg(m, seq, RTM_NEWLINK, 0);
	i = (struct ifinfomsg *)(m->buf + NLMSG_HDRLEN);
	i->ifi_flags = IFF_UP;
	i->ifi_change = IFF_UP;
	attr_str(m, IFLA_IFNAME, name);
	finish(m);
}

/* The kind (IFLA_INFO_KIND) in an RTM_NEWLINK reply's attributes, "" when none. */
static void reply_kind(const struct ifinfomsg *i, size_t len, char *kind, size_t n)
{
	const struct rtattr *a = IFLA_RTA(i);

	kind[0] = '\0';
	for (; RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		const struct rtattr *k = RTA_DATA(a);
		size_t klen = RTA_PAYLOAD(a);

		if (a->rta_type != IFLA_LINKINFO)
			continue;
		for (; RTA_OK(k, klen); k = RTA_NEXT(k, klen))
			if (k->rta_type == IFLA_INFO_KIND && RTA_PAYLOAD(k) < n) {
				memcpy(kind, RTA_DATA(k), RTA_PAYLOAD(k));
				kind[RTA_PAYLOAD(k)] = '\0';
			}
	}
}

int nl_link_kind(int fd, const char *name, char *kind, size_t n, struct berr *e)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	_Alignas(4) unsigned char buf[8192];
	struct nl_msg m;

	link_msg(&m, 0x7e57, RTM_GETLINK, 0);
	((struct nlmsghdr *)m.buf)->nlmsg_flags = NLM_F_REQUEST;
	attr_str(&m, IFLA_IFNAME, name);
	finish(&m);
	if (sendto(fd, m.buf, m.len, 0, (struct sockaddr *)&kernel, sizeof kernel) != (ssize_t)m.len)
		return berr_sys(e, "netlink send");
	for (;;) {
		ssize_t r = recv(fd, buf, sizeof buf, 0);
		struct nlmsghdr *h = (struct nlmsghdr *)buf;

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return berr_sys(e, "netlink receive");
		for (; NLMSG_OK(h, (size_t)r); h = NLMSG_NEXT(h, r)) {
			if (h->nlmsg_seq != m.seq)
				continue;
			if (h->nlmsg_type == NLMSG_ERROR && h->nlmsg_len >= NLMSG_LENGTH(sizeof(struct nlmsgerr))) {
				struct nlmsgerr *err = NLMSG_DATA(h);
				errno = err->error ? -err->error : EPROTO;
				return berr_sys(e, "interface %s", name);
			}
			if (h->nlmsg_type == RTM_NEWLINK && h->nlmsg_len >= NLMSG_LENGTH(sizeof(struct ifinfomsg))) {
				struct ifinfomsg *i = NLMSG_DATA(h);

				if (kind)
					reply_kind(i, h->nlmsg_len - NLMSG_LENGTH(sizeof *i), kind, n);
				return i->ifi_index;
			}
		}
	}
}

int nl_link_index(int fd, const char *name, struct berr *e)
{
	return nl_link_kind(fd, name, NULL, 0, e);
}

int nl_addr_list(int fd, int ifindex, struct in_addr *addr, int *prefix, int max, struct berr *e)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	_Alignas(4) unsigned char buf[8192];
	struct nl_msg m;
	struct ifaddrmsg *q;
	int n = 0, over = 0;

	start(&m, 0x7e58, RTM_GETADDR, NLM_F_DUMP);
	((struct nlmsghdr *)m.buf)->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	q = put(&m, sizeof *q);
	q->ifa_family = AF_INET;
	finish(&m);
	if (sendto(fd, m.buf, m.len, 0, (struct sockaddr *)&kernel, sizeof kernel) != (ssize_t)m.len)
		return berr_sys(e, "netlink send");
	for (;;) {
		ssize_t r = recv(fd, buf, sizeof buf, 0);
		struct nlmsghdr *h = (struct nlmsghdr *)buf;

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return berr_sys(e, "netlink receive");
		for (; NLMSG_OK(h, (size_t)r); h = NLMSG_NEXT(h, r)) {
			struct ifaddrmsg *a = NLMSG_DATA(h);
			struct rtattr *t;
			size_t len;

			if (h->nlmsg_seq != m.seq)
				continue;
			if (h->nlmsg_type == NLMSG_DONE)
				return over ? berr_set(e, E2BIG, "more than %d addresses", max) : n;
			if (h->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *err = NLMSG_DATA(h);
				errno = h->nlmsg_len >= NLMSG_LENGTH(sizeof *err) && err->error ? -err->error : EPROTO;
				return berr_sys(e, "netlink address dump");
			}
			if (h->nlmsg_type != RTM_NEWADDR || h->nlmsg_len < NLMSG_LENGTH(sizeof *a) ||
			    a->ifa_family != AF_INET || (int)a->ifa_index != ifindex)
				continue;
			len = h->nlmsg_len - NLMSG_LENGTH(sizeof *a);
			for (t = IFA_RTA(a); RTA_OK(t, len); t = RTA_NEXT(t, len)) {
				if (t->rta_type != IFA_LOCAL || RTA_PAYLOAD(t) != 4)
					continue;
				if (n == max) {
					over = 1;
					break;
				}
				memcpy(&addr[n], RTA_DATA(t), 4);
				prefix[n++] = a->ifa_prefixlen;
			}
		}
	}
}

int nl_open(struct berr *e)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);

	if (fd < 0)
		return berr_sys(e, "netlink socket");
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		berr_sys(e, "netlink bind");
		close(fd);
		return -1;
	}
	return fd;
}

int nl_request(int fd, const struct nl_msg *m, struct berr *e)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	_Alignas(4) unsigned char buf[1024];

	if (sendto(fd, m->buf, m->len, 0, (struct sockaddr *)&kernel, sizeof kernel) != (ssize_t)m->len)
		return berr_sys(e, "netlink send");
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof buf, 0);
		struct nlmsghdr *h = (struct nlmsghdr *)buf;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return berr_sys(e, "netlink receive");
		}
		for (; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
			struct nlmsgerr *err;

			if (h->nlmsg_seq != m->seq || h->nlmsg_type != NLMSG_ERROR)
				continue;
			if (h->nlmsg_len < NLMSG_LENGTH(sizeof *err))
				return berr_set(e, EPROTO, "netlink: short error message");
			err = NLMSG_DATA(h);
			if (err->error == 0 || err->error == -EEXIST)
				return 0;
			errno = -err->error;
			return berr_sys(e, "netlink");
		}
	}
}

int nl_ifindex(const char *name, struct berr *e)
{
	unsigned idx = if_nametoindex(name);

	if (idx == 0)
		return berr_sys(e, "interface %s", name);
	return (int)idx;
}

int nl_configure(const char *ifname, struct in_addr addr, int prefix, struct in_addr gw,
		 struct berr *e)
{
	struct nl_msg m;
	int fd, idx, rc = -1;

	idx = nl_ifindex(ifname, e);
	if (idx < 0)
		return -1;
	fd = nl_open(e);
	if (fd < 0)
		return -1;
	nl_build_link_up(&m, 1, idx);
	if (nl_request(fd, &m, e) < 0) {
		berr_prefix(e, "%s: link up", ifname);
		goto out;
	}
	if (addr.s_addr) {
		nl_build_addr(&m, 2, idx, addr, prefix);
		if (nl_request(fd, &m, e) < 0) {
			berr_prefix(e, "%s: add address", ifname);
			goto out;
		}
	}
	if (gw.s_addr) {
		nl_build_default_route(&m, 3, idx, gw);
		if (nl_request(fd, &m, e) < 0) {
			berr_prefix(e, "%s: default route", ifname);
			goto out;
		}
	}
	rc = 0;
out:
	close(fd);
	return rc;
}

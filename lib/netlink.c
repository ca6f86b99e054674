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

/* Sends m on fd, then hands each message of the answer that carries m's
 * sequence number to each(h, ctx, e) until it returns 1 (done: 0 here) or
 * <0 (failed, *e set: -1 here); 0 asks for the next message. */
static int exchange(int fd, const struct nl_msg *m,
		    int (*each)(struct nlmsghdr *h, void *ctx, struct berr *e), void *ctx, struct berr *e)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	_Alignas(4) unsigned char buf[8192];

	if (sendto(fd, m->buf, m->len, 0, (struct sockaddr *)&kernel, sizeof kernel) != (ssize_t)m->len)
		return berr_sys(e, "netlink send");
	for (;;) {
		ssize_t r = recv(fd, buf, sizeof buf, 0);
		struct nlmsghdr *h = (struct nlmsghdr *)buf;

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return berr_sys(e, "netlink receive");
		for (; NLMSG_OK(h, (size_t)r); h = NLMSG_NEXT(h, r)) {
			int rc;

			if (h->nlmsg_seq != m->seq)
				continue;
			rc = each(h, ctx, e);
			if (rc != 0)
				return rc < 0 ? -1 : 0;
		}
	}
}

struct link_query {
	const char *name;
	char *kind;
	size_t n;
	int index;
};

/* nl_link_kind's answer: RTM_NEWLINK, or an error. */
static int link_each(struct nlmsghdr *h, void *ctx, struct berr *e)
{
	struct link_query *q = ctx;

	if (h->nlmsg_type == NLMSG_ERROR && h->nlmsg_len >= NLMSG_LENGTH(sizeof(struct nlmsgerr))) {
		struct nlmsgerr *err = NLMSG_DATA(h);
		errno = err->error ? -err->error : EPROTO;
		return berr_sys(e, "interface %s", q->name);
	}
	if (h->nlmsg_type == RTM_NEWLINK && h->nlmsg_len >= NLMSG_LENGTH(sizeof(struct ifinfomsg))) {
		struct ifinfomsg *i = NLMSG_DATA(h);

		if (q->kind)
			reply_kind(i, h->nlmsg_len - NLMSG_LENGTH(sizeof *i), q->kind, q->n);
		q->index = i->ifi_index;
		return 1;
	}
	return 0;
}

int nl_link_kind(int fd, const char *name, char *kind, size_t n, struct berr *e)
{
	struct link_query q = { .name = name, .kind = kind, .n = n };
	struct nl_msg m;

	link_msg(&m, 0x7e57, RTM_GETLINK, 0);
	((struct nlmsghdr *)m.buf)->nlmsg_flags = NLM_F_REQUEST;
	attr_str(&m, IFLA_IFNAME, name);
	finish(&m);
	if (exchange(fd, &m, link_each, &q, e) < 0)
		return -1;
	return q.index;
}

int nl_link_index(int fd, const char *name, struct berr *e)
{
	return nl_link_kind(fd, name, NULL, 0, e);
}

struct addr_query {
	int ifindex, max, n, over;
	struct in_addr *addr;
	int *prefix;
};

/* One message of nl_addr_list's dump: RTM_NEWADDR, the end, or an error. */
static int addr_each(struct nlmsghdr *h, void *ctx, struct berr *e)
{
	struct addr_query *q = ctx;
	struct ifaddrmsg *a = NLMSG_DATA(h);
	struct rtattr *t;
	size_t len;

	if (h->nlmsg_type == NLMSG_DONE)
		return q->over ? berr_set(e, E2BIG, "more than %d addresses", q->max) : 1;
	if (h->nlmsg_type == NLMSG_ERROR) {
		struct nlmsgerr *err = NLMSG_DATA(h);
		errno = h->nlmsg_len >= NLMSG_LENGTH(sizeof *err) && err->error ? -err->error : EPROTO;
		return berr_sys(e, "netlink address dump");
	}
	if (h->nlmsg_type != RTM_NEWADDR || h->nlmsg_len < NLMSG_LENGTH(sizeof *a) ||
	    a->ifa_family != AF_INET || (int)a->ifa_index != q->ifindex)
		return 0;
	len = h->nlmsg_len - NLMSG_LENGTH(sizeof *a);
	for (t = IFA_RTA(a); RTA_OK(t, len); t = RTA_NEXT(t, len)) {
		if (t->rta_type != IFA_LOCAL || RTA_PAYLOAD(t) != 4)
			continue;
		if (q->n == q->max) {
			q->over = 1;
			break;
		}
		memcpy(&q->addr[q->n], RTA_DATA(t), 4);
		q->prefix[q->n++] = a->ifa_prefixlen;
	}
	return 0;
}

int nl_addr_list(int fd, int ifindex, struct in_addr *addr, int *prefix, int max, struct berr *e)
{
	struct addr_query q = { .ifindex = ifindex, .max = max, .addr = addr, .prefix = prefix };
	struct nl_msg m;
	struct ifaddrmsg *a;

	start(&m, 0x7e58, RTM_GETADDR, NLM_F_DUMP);
	((struct nlmsghdr *)m.buf)->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	a = put(&m, sizeof *a);
	a->ifa_family = AF_INET;
	finish(&m);
	if (exchange(fd, &m, addr_each, &q, e) < 0)
		return -1;
	return q.n;
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

/* nl_request's answer: the acknowledgement (an NLMSG_ERROR, 0 for success). */
static int ack_each(struct nlmsghdr *h, void *ctx, struct berr *e)
{
	struct nlmsgerr *err = NLMSG_DATA(h);

	(void)ctx;
	if (h->nlmsg_type != NLMSG_ERROR)
		return 0;
	if (h->nlmsg_len < NLMSG_LENGTH(sizeof *err))
		return berr_set(e, EPROTO, "netlink: short error message");
	if (err->error == 0 || err->error == -EEXIST)
		return 1;
	errno = -err->error;
	return berr_sys(e, "netlink");
}

int nl_request(int fd, const struct nl_msg *m, struct berr *e)
{
	return exchange(fd, m, ack_each, NULL, e);
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

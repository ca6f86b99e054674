/* netlink.h — the few rtnetlink requests berth needs (IPv4): bring a link
 * up, add an address, add a default route. Messages are built into a
 * caller's fixed buffer (no allocation) and sent one at a time, each
 * waiting for its acknowledgement.
 */
#ifndef BERTH_LIB_NETLINK_H
#define BERTH_LIB_NETLINK_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"

#define NL_MSG_MAX 256

struct nl_msg {
	size_t len;
	uint32_t seq;
	_Alignas(4) unsigned char buf[NL_MSG_MAX];
};

/* RTM_NEWLINK: set IFF_UP on ifindex. */
void nl_build_link_up(struct nl_msg *m, uint32_t seq, int ifindex);

/* RTM_NEWADDR (create, replace): addr/prefix on ifindex, with the
 * broadcast address derived from it. */
void nl_build_addr(struct nl_msg *m, uint32_t seq, int ifindex, struct in_addr addr, int prefix);

/* RTM_DELADDR: remove addr/prefix from ifindex. */
void nl_build_addr_del(struct nl_msg *m, uint32_t seq, int ifindex, struct in_addr addr, int prefix);

/* RTM_NEWROUTE (create, replace): default route via gw on ifindex, main
 * table, static protocol. */
void nl_build_default_route(struct nl_msg *m, uint32_t seq, int ifindex, struct in_addr gw);

/* RTM_NEWROUTE (create, replace) or, del, RTM_DELROUTE: 0.0.0.0/0 on the
 * link of ifindex (scope link, no gateway) with metric, main table. */
void nl_build_link_route(struct nl_msg *m, uint32_t seq, int ifindex, uint32_t metric, int del);

/* A NETLINK_ROUTE socket (close-on-exec). */
int nl_open(struct berr *e);

/* Send m on fd and wait for its NLMSG_ERROR acknowledgement; the kernel's
 * error becomes *e (EEXIST is success for idempotent requests). */
int nl_request(int fd, const struct nl_msg *m, struct berr *e);

/* The interface index of name, or -1 with *e set. */
int nl_ifindex(const char *name, struct berr *e);

/* Convenience: open, link up, address, (gateway: default route), close.
 * gw.s_addr 0: no route. addr.s_addr 0: link up only. */
int nl_configure(const char *ifname, struct in_addr addr, int prefix, struct in_addr gw,
		 struct berr *e);

#endif

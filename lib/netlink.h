/* netlink.h — the few rtnetlink requests berth needs (IPv4): bring a link
 * up, add an address, add a default route; for the engine's containers,
 * make a bridge and veth pairs (the peer straight into a network
 * namespace), delete a link, find a link's index in a socket's namespace. Messages are built into a
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

/* RTM_NEWLINK (create, exclusive): a bridge named name. */
void nl_build_bridge_add(struct nl_msg *m, uint32_t seq, const char *name);

/* RTM_NEWLINK (create, exclusive): a veth pair, name on this side enslaved
 * to master (0: none), peer named peer created in the network namespace
 * of the fd peer_nsfd (-1: this one). */
void nl_build_veth_add(struct nl_msg *m, uint32_t seq, const char *name, int master,
		       const char *peer, int peer_nsfd);

/* RTM_DELLINK of the link called name. */
void nl_build_link_del(struct nl_msg *m, uint32_t seq, const char *name);

/* RTM_NEWLINK: set IFF_UP on the link called name (index not needed). */
void nl_build_link_up_name(struct nl_msg *m, uint32_t seq, const char *name);

/* A NETLINK_ROUTE socket (close-on-exec). */
int nl_open(struct berr *e);

/* Send m on fd and wait for its NLMSG_ERROR acknowledgement; the kernel's
 * error becomes *e (EEXIST is success for idempotent requests). */
int nl_request(int fd, const struct nl_msg *m, struct berr *e);

/* The index of the link called name in fd's network namespace (a netlink
 * socket keeps the namespace it was opened in), or -1 (ENODEV: none). */
int nl_link_index(int fd, const char *name, struct berr *e);

/* The same, with the link's kind ("bridge", "veth"; "" for a device
 * without one, such as lo) copied to kind (n bytes with its NUL). */
int nl_link_kind(int fd, const char *name, char *kind, size_t n, struct berr *e);

/* The IPv4 addresses on ifindex (RTM_GETADDR dump, in fd's namespace):
 * at most max into addr/prefix; returns how many (E2BIG beyond max). */
int nl_addr_list(int fd, int ifindex, struct in_addr *addr, int *prefix, int max, struct berr *e);

/* The interface index of name, or -1 with *e set. */
int nl_ifindex(const char *name, struct berr *e);

/* Convenience: open, link up, address, (gateway: default route), close.
 * gw.s_addr 0: no route. addr.s_addr 0: link up only. */
int nl_configure(const char *ifname, struct in_addr addr, int prefix, struct in_addr gw,
		 struct berr *e);

#endif

/* net.h — interfaces at boot, without external tools: loopback up, and
 * each [network] interface: static ones configured through rtnetlink
 * (address, link up, default route) with their DNS in /etc/resolv.conf;
 * dhcp ones brought up and handed to a supervised berth-dhcpc service
 * ("dhcpc-IFNAME", user berth-dhcp, CAP_NET_ADMIN/NET_BIND_SERVICE, memory
 * NET_DHCPC_MEMORY_MAX, 2 processes),
 * which writes /run/berth-dhcp/resolv.conf (/etc/resolv.conf links there).
 * PID 1 itself never reads a byte from the network. */
#ifndef BERTH_INIT_NET_H
#define BERTH_INIT_NET_H

#include "init/state.h"

#define NET_DHCPC "/usr/bin/berth-dhcpc"
#define NET_DHCP_DIR "/run/berth-dhcp"
#define NET_DHCPC_MEMORY_MAX "8M"

/* Loopback up (no driver needed: PID 1 does it while the modules load). */
void net_loopback(struct init *in);

/* Each [network] interface, once the boot modules made them. */
void net_setup(struct init *in);

#endif

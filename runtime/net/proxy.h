/* proxy.h — berth-proxy's relay: published ports to one container address.
 *
 * One thread, one epoll set, nothing allocated after proxy_run() starts.
 * TCP: each accepted connection gets a non-blocking connect to the
 * container and two pipes; bytes move with splice (socket → pipe →
 * socket) in each direction, never through user memory; an end-of-file in
 * one direction becomes shutdown(SHUT_WR) on the other side once the pipe
 * is drained (half-close), and the connection ends when both directions
 * have. At most CONFIG_NET_PROXY_CONNS_MAX connections; one more is
 * accepted and closed. UDP: one connected socket to the container per
 * client address (at most CONFIG_NET_PROXY_UDP_FLOWS_MAX; the idlest goes
 * for a new one), dropped after CONFIG_NET_PROXY_UDP_IDLE_S seconds
 * without traffic; replies go back from the listening socket.
 */
#ifndef BERTH_RUNTIME_NET_PROXY_H
#define BERTH_RUNTIME_NET_PROXY_H

#include <stdint.h>

#include "lib/err.h"

struct proxy_listener {
	int fd;          /* bound (TCP: listening), non-blocking */
	int udp;
	uint16_t cport;  /* the container's port */
};

/* Relay forever; returns only on a failure of the loop itself. */
int proxy_run(const struct proxy_listener *ls, int n, uint32_t target /* network order */,
	      struct berr *e);

#endif

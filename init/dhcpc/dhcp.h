/* dhcp.h — DHCPv4 messages (RFC 2131/2132): building DISCOVER and REQUEST,
 * parsing OFFER/ACK/NAK. A bounded parser for untrusted bytes: every
 * length is checked against the packet, options may not run past its end,
 * and a reply must match our transaction id and hardware address.
 */
#ifndef BERTH_DHCPC_DHCP_H
#define BERTH_DHCPC_DHCP_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"

#define DHCP_SERVER_PORT 67
#define DHCP_CLIENT_PORT 68
#define DHCP_FIXED_LEN 236          /* BOOTP header before the magic cookie */
#define DHCP_MIN_LEN (DHCP_FIXED_LEN + 4)
#define DHCP_MSG_MAX 1500           /* what we send, and the most we read */
#define DHCP_DNS_MAX 3

enum dhcp_type {
	DHCP_DISCOVER = 1, DHCP_OFFER, DHCP_REQUEST, DHCP_DECLINE, DHCP_ACK, DHCP_NAK, DHCP_RELEASE,
};

struct dhcp_reply {
	int type;                       /* enum dhcp_type */
	struct in_addr yiaddr;          /* the address offered */
	struct in_addr server_id;       /* option 54 */
	struct in_addr router;          /* option 3 (first); 0: none */
	struct in_addr dns[DHCP_DNS_MAX];
	int ndns;
	int prefix;                     /* from option 1; 0 when absent */
	uint32_t lease_s;               /* option 51; 0 when absent */
	uint32_t t1_s, t2_s;            /* options 58/59, else lease/2 and lease*7/8 */
};

/* Build a DISCOVER (req and server 0) or a REQUEST into buf (at least
 * DHCP_MSG_MAX bytes). REQUEST while selecting: req = the offered address,
 * server = its server id (options 50/54). REQUEST while renewing: ciaddr =
 * our address, req and server 0. The broadcast flag is set unless ciaddr
 * is given. Returns the length. */
size_t dhcp_build(uint8_t *buf, int type, uint32_t xid, const uint8_t mac[6],
		  struct in_addr ciaddr, struct in_addr req, struct in_addr server);

/* Parse a reply to our xid/mac. Returns 0 and *r, or -1 with *e naming
 * what is wrong (short, not a BOOTREPLY, other xid/mac, no cookie, an
 * option past the end, no message type, an OFFER/ACK without address). */
int dhcp_parse(const uint8_t *buf, size_t len, uint32_t xid, const uint8_t mac[6],
	       struct dhcp_reply *r, struct berr *e);

/* Is the lease in an OFFER/ACK one we may use? Refused, with *e naming the
 * value: an address that is zero, in 127/8, multicast (224/4), reserved
 * (240/4), the limited broadcast, or its subnet's network or broadcast
 * address; a prefix shorter than /8; a router that is not on the leased
 * subnet or is our own address; a DNS server that is not a unicast host
 * address (as for the address). Returns 0 or -1 (EACCES). */
int dhcp_lease_check(const struct dhcp_reply *r, struct berr *e);

#endif

/* nft.h — the engine's nf_tables rules, sent over nfnetlink (no nft
 * binary, no libnftnl): one batch that replaces table ip "berth" whole:
 *
 *   table ip berth {
 *     chain forward {
 *       type filter hook forward priority filter; policy drop;
 *       iifname BRIDGE accept
 *       oifname BRIDGE ct state established,related accept
 *     }
 *     chain postrouting {
 *       type nat hook postrouting priority srcnat; policy accept;
 *       ip saddr SUBNET oifname != BRIDGE masquerade
 *     }
 *   }
 *
 * The first rule forwards from the bridge out of any interface, the bridge
 * itself included: where br_netfilter is loaded, packets between two
 * containers on the bridge pass the forward hook too.
 *
 * The batch adds the table, deletes it and adds it again with its chains
 * and rules, so it works whether or not an older table is there, and the
 * kernel applies all of it or none.
 */
#ifndef BERTH_RUNTIME_NET_NFT_H
#define BERTH_RUNTIME_NET_NFT_H

#include <stdint.h>

#include "lib/err.h"

/* Install (or replace) the table for bridge and subnet/prefix (network
 * order) in the caller's network namespace. */
int net_nft_apply(const char *bridge, uint32_t subnet, int prefix, struct berr *e);

#endif

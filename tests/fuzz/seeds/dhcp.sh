#!/bin/bash
# Seed for fuzz_dhcp: an OFFER as qemu's DHCP server sends it (BOOTREPLY,
# xid 01020304, the fuzz target's MAC, 10.0.2.15, cookie, type 2, mask /24,
# router, dns, server id, lease).
set -eu
{
	printf '\x02\x01\x06\x00\x01\x02\x03\x04'; head -c 8 /dev/zero; printf '\x0a\x00\x02\x0f'
	head -c 8 /dev/zero; printf '\x52\x54\x00\x12\x34\x56'; head -c 202 /dev/zero
	printf '\x63\x82\x53\x63\x35\x01\x02\x01\x04\xff\xff\xff\x00\x03\x04\x0a\x00\x02\x02'
	printf '\x06\x04\x0a\x00\x02\x03\x36\x04\x0a\x00\x02\x02\x33\x04\x00\x01\x51\x80\xff'
} > "$1/offer"

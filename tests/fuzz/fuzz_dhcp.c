/* fuzz_dhcp.c — libFuzzer target: DHCP replies as berth-dhcpc parses
 * them (init/dhcpc/dhcp.c). The first 4 bytes of the input are matched as
 * xid and the MAC is fixed, so the fuzzer reaches the option parser. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "init/dhcpc/dhcp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
	struct dhcp_reply r;
	struct berr e;
	uint32_t xid;

	if (size < 8)
		return 0;
	xid = (uint32_t)data[4] << 24 | (uint32_t)data[5] << 16 | (uint32_t)data[6] << 8 | data[7];
	if (dhcp_parse(data, size, xid, mac, &r, &e) == 0) {
		if (r.ndns > DHCP_DNS_MAX || r.prefix < 1 || r.prefix > 32 || r.t1_s > r.lease_s ||
		    r.t2_s > r.lease_s || r.type < DHCP_DISCOVER || r.type > DHCP_RELEASE)
			abort();
		if (dhcp_lease_check(&r, &e) == 0 && (!r.yiaddr.s_addr || r.prefix < 8))
			abort();
	}
	return 0;
}

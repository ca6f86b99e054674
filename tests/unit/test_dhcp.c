/* test_dhcp.c — DHCP building and parsing against packets captured from
 * qemu's DHCP server (dhcp_fixtures.h), and the parser's limits. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "init/dhcpc/dhcp.h"
#include "tests/unit/dhcp_fixtures.h"
#include "tests/unit/unit.h"

static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
#define XID 0xd0309e4du

static struct in_addr ip(const char *s)
{
	struct in_addr a;
	CHECK(inet_pton(AF_INET, s, &a) == 1);
	return a;
}

static void parses_the_offer(void)
{
	struct dhcp_reply r;
	struct berr e;

	CHECK_INT(dhcp_parse(fx_offer, sizeof fx_offer, XID, mac, &r, &e), 0);
	CHECK_INT(r.type, DHCP_OFFER);
	CHECK_INT(r.yiaddr.s_addr, ip("10.0.2.15").s_addr);
	CHECK_INT(r.server_id.s_addr, ip("10.0.2.2").s_addr);
	CHECK_INT(r.router.s_addr, ip("10.0.2.2").s_addr);
	CHECK_INT(r.ndns, 1);
	CHECK_INT(r.dns[0].s_addr, ip("10.0.2.3").s_addr);
	CHECK_INT(r.prefix, 24);
	CHECK_INT(r.lease_s, 86400);
	CHECK_INT(r.t1_s, 43200);
	CHECK_INT(r.t2_s, 75600);
}

static void parses_the_ack(void)
{
	struct dhcp_reply r;
	struct berr e;

	CHECK_INT(dhcp_parse(fx_ack, sizeof fx_ack, XID, mac, &r, &e), 0);
	CHECK_INT(r.type, DHCP_ACK);
	CHECK_INT(r.yiaddr.s_addr, ip("10.0.2.15").s_addr);
	CHECK_INT(r.router.s_addr, ip("10.0.2.2").s_addr);
	CHECK_INT(r.prefix, 24);
}

/* What we send is what went on the wire in the capture. */
static void builds_discover_and_request_as_captured(void)
{
	uint8_t buf[DHCP_MSG_MAX];
	struct in_addr any = { 0 };
	size_t n;

	n = dhcp_build(buf, DHCP_DISCOVER, XID, mac, any, any, any);
	CHECK_INT(n, sizeof fx_discover);
	CHECK(memcmp(buf, fx_discover, n) == 0);
	n = dhcp_build(buf, DHCP_REQUEST, XID, mac, any, ip("10.0.2.15"), ip("10.0.2.2"));
	CHECK_INT(n, sizeof fx_request);
	CHECK(memcmp(buf, fx_request, n) == 0);
	/* renewing: ciaddr set, no broadcast flag, no options 50/54 */
	n = dhcp_build(buf, DHCP_REQUEST, XID, mac, ip("10.0.2.15"), any, any);
	CHECK(memcmp(buf + 12, "\x0a\x00\x02\x0f", 4) == 0);
	CHECK_INT(buf[10], 0);
	CHECK(memmem(buf + 240, n - 240, "\x32\x04", 2) == NULL);
}

static void refuses_replies_not_for_us(void)
{
	uint8_t other[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x57 };
	struct dhcp_reply r;
	struct berr e;

	CHECK_INT(dhcp_parse(fx_offer, sizeof fx_offer, XID + 1, mac, &r, &e), -1);
	CHECK(strstr(e.msg, "transaction id"));
	CHECK_INT(dhcp_parse(fx_offer, sizeof fx_offer, XID, other, &r, &e), -1);
	CHECK(strstr(e.msg, "another hardware address"));
	/* our own request is not a reply */
	CHECK_INT(dhcp_parse(fx_request, sizeof fx_request, XID, mac, &r, &e), -1);
	CHECK(strstr(e.msg, "BOOTREPLY"));
}

static void bad_packets(void)
{
	uint8_t p[sizeof fx_offer];
	struct dhcp_reply r;
	struct berr e;

	/* every truncation either parses or fails cleanly; short ones fail */
	for (size_t n = 0; n <= sizeof fx_offer; n++) {
		int rc = dhcp_parse(fx_offer, n, XID, mac, &r, &e);
		if (n < DHCP_MIN_LEN)
			CHECK_INT(rc, -1);
	}
	CHECK_INT(dhcp_parse(fx_offer, 100, XID, mac, &r, &e), -1);
	CHECK(strstr(e.msg, "shorter than 240"));
	memcpy(p, fx_offer, sizeof p);
	p[236] = 0;
	CHECK_INT(dhcp_parse(p, sizeof p, XID, mac, &r, &e), -1);
	CHECK(strstr(e.msg, "magic cookie"));
	/* an option whose length runs past the end */
	memcpy(p, fx_offer, sizeof p);
	p[240] = 53, p[241] = 1, p[242] = 2, p[243] = 6, p[244] = 250;
	CHECK_INT(dhcp_parse(p, 250, XID, mac, &r, &e), -1);
	CHECK(strstr(e.msg, "runs past the end"));
	/* a non-contiguous subnet mask */
	memcpy(p, fx_offer, sizeof p);
	memset(p + 240, 0, sizeof p - 240);
	memcpy(p + 240, "\x35\x01\x02\x01\x04\xff\x00\xff\x00\xff", 10);
	CHECK_INT(dhcp_parse(p, sizeof p, XID, mac, &r, &e), -1);
	CHECK(strstr(e.msg, "subnet mask"));
	/* no message type */
	memset(p + 240, 0, sizeof p - 240);
	p[240] = 255;
	CHECK_INT(dhcp_parse(p, sizeof p, XID, mac, &r, &e), -1);
	CHECK(strstr(e.msg, "message type"));
	/* an OFFER without an address */
	memcpy(p, fx_offer, sizeof p);
	memset(p + 16, 0, 4);
	CHECK_INT(dhcp_parse(p, sizeof p, XID, mac, &r, &e), -1);
	CHECK(strstr(e.msg, "without an address"));
	/* more DNS servers than kept: the first three */
	memcpy(p, fx_offer, sizeof p);
	memset(p + 240, 0, sizeof p - 240);
	memcpy(p + 240, "\x35\x01\x05\x06\x10\x01\x01\x01\x01\x02\x02\x02\x02\x03\x03\x03\x03\x04\x04\x04\x04\xff", 22);
	CHECK_INT(dhcp_parse(p, sizeof p, XID, mac, &r, &e), 0);
	CHECK_INT(r.ndns, 3);
	CHECK_INT(r.dns[2].s_addr, ip("3.3.3.3").s_addr);
	CHECK_INT(r.prefix, 8);       /* no mask: classful for 10.x */
	CHECK_INT(r.lease_s, 3600);   /* no lease time: an hour */
}

/* Overwrite option code's 4-byte value in the ACK copy p. */
static void set_option(uint8_t *p, size_t len, uint8_t code, const char *v)
{
	for (size_t i = 240; i + 1 < len && p[i] != 255; i += p[i] ? 2u + p[i + 1] : 1u) {
		if (p[i] == code) {
			struct in_addr a = ip(v);
			memcpy(p + i + 2, &a, 4);
			return;
		}
	}
	CHECK(!"option in the fixture");
}

static void refuses_unusable_leases(void)
{
	uint8_t p[sizeof fx_ack];
	struct dhcp_reply r;
	struct berr e;

	CHECK_INT(dhcp_parse(fx_ack, sizeof fx_ack, XID, mac, &r, &e), 0);
	CHECK_INT(dhcp_lease_check(&r, &e), 0); /* slirp's own lease is fine */
	for (size_t i = 0; i < sizeof fx_bad_leases / sizeof fx_bad_leases[0]; i++) {
		const struct fx_bad_lease *b = &fx_bad_leases[i];
		int rc;

		memcpy(p, fx_ack, sizeof p);
		if (b->yiaddr) {
			struct in_addr a = ip(b->yiaddr);
			memcpy(p + 16, &a, 4);
		}
		if (b->mask)
			set_option(p, sizeof p, 1, b->mask);
		if (b->router)
			set_option(p, sizeof p, 3, b->router);
		if (b->dns)
			set_option(p, sizeof p, 6, b->dns);
		memset(&e, 0, sizeof e);
		rc = dhcp_parse(p, sizeof p, XID, mac, &r, &e);
		if (rc == 0)
			rc = dhcp_lease_check(&r, &e);
		if (rc != -1 || !strstr(e.msg, b->names))
			fprintf(stderr, "#   %s: rc %d, '%s'\n", b->what, rc, e.msg);
		CHECK_INT(rc, -1);
		CHECK(strstr(e.msg, b->names));
	}
	/* a /31 (RFC 3021) has no network or broadcast address; a /8 is fine */
	memcpy(p, fx_ack, sizeof p);
	set_option(p, sizeof p, 1, "255.255.255.254");
	set_option(p, sizeof p, 3, "10.0.2.14");
	CHECK_INT(dhcp_parse(p, sizeof p, XID, mac, &r, &e), 0);
	CHECK_INT(dhcp_lease_check(&r, &e), 0);
	set_option(p, sizeof p, 1, "255.0.0.0");
	set_option(p, sizeof p, 3, "10.200.0.1");
	CHECK_INT(dhcp_parse(p, sizeof p, XID, mac, &r, &e), 0);
	CHECK_INT(dhcp_lease_check(&r, &e), 0);
}

UNIT_MAIN(UNIT(refuses_unusable_leases), UNIT(parses_the_offer), UNIT(parses_the_ack), UNIT(builds_discover_and_request_as_captured),
	  UNIT(refuses_replies_not_for_us), UNIT(bad_packets))

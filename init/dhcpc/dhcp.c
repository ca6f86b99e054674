/* dhcp.c — DHCPv4 building and bounded parsing. */
#include "init/dhcpc/dhcp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#define OP_REQUEST 1
#define OP_REPLY 2
#define COOKIE 0x63825363u

enum {
	OPT_PAD = 0, OPT_SUBNET = 1, OPT_ROUTER = 3, OPT_DNS = 6, OPT_HOSTNAME = 12,
	OPT_REQ_IP = 50, OPT_LEASE = 51, OPT_OVERLOAD = 52, OPT_TYPE = 53, OPT_SERVER = 54,
	OPT_PARAMS = 55, OPT_MAXSIZE = 57, OPT_T1 = 58, OPT_T2 = 59, OPT_CLIENT_ID = 61,
	OPT_END = 255,
};

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

size_t dhcp_build(uint8_t *buf, int type, uint32_t xid, const uint8_t mac[6],
		  struct in_addr ciaddr, struct in_addr req, struct in_addr server)
{
	static const uint8_t params[] = { OPT_SUBNET, OPT_ROUTER, OPT_DNS, OPT_LEASE, OPT_T1, OPT_T2 };
	uint8_t *o;

	memset(buf, 0, DHCP_MSG_MAX);
	buf[0] = OP_REQUEST;
	buf[1] = 1;     /* htype ethernet */
	buf[2] = 6;     /* hlen */
	put32(buf + 4, xid);
	if (!ciaddr.s_addr)
		buf[10] = 0x80; /* broadcast flag: we cannot receive unicast yet */
	memcpy(buf + 12, &ciaddr, 4);
	memcpy(buf + 28, mac, 6);
	put32(buf + DHCP_FIXED_LEN, COOKIE);
	o = buf + DHCP_MIN_LEN;
	*o++ = OPT_TYPE, *o++ = 1, *o++ = (uint8_t)type;
	*o++ = OPT_CLIENT_ID, *o++ = 7, *o++ = 1;
	memcpy(o, mac, 6), o += 6;
	*o++ = OPT_MAXSIZE, *o++ = 2, *o++ = DHCP_MSG_MAX >> 8, *o++ = DHCP_MSG_MAX & 0xff;
	if (req.s_addr) {
		*o++ = OPT_REQ_IP, *o++ = 4;
		memcpy(o, &req, 4), o += 4;
	}
	if (server.s_addr) {
		*o++ = OPT_SERVER, *o++ = 4;
		memcpy(o, &server, 4), o += 4;
	}
	*o++ = OPT_PARAMS, *o++ = sizeof params;
	memcpy(o, params, sizeof params), o += sizeof params;
	*o++ = OPT_END;
	/* BOOTP relays expect at least 300 bytes */
	return (size_t)(o - buf) < 300 ? 300 : (size_t)(o - buf);
}

static int mask_prefix(const uint8_t *m)
{
	uint32_t v = get32(m);
	int n = 0;

	while (n < 32 && (v & (1u << (31 - n))))
		n++;
	/* a mask must be contiguous ones */
	return (n == 32 || (v << n) == 0) ? n : -1;
}

/* The fixed BOOTP part: a reply to our xid and hardware address. */
static int check_header(const uint8_t *buf, size_t len, uint32_t xid, const uint8_t mac[6],
			struct berr *e)
{
	if (len < DHCP_MIN_LEN)
		return berr_set(e, EBADMSG, "dhcp: %zu bytes: shorter than %d", len, DHCP_MIN_LEN);
	if (buf[0] != OP_REPLY || buf[1] != 1 || buf[2] != 6)
		return berr_set(e, EBADMSG, "dhcp: not an ethernet BOOTREPLY");
	if (get32(buf + 4) != xid)
		return berr_set(e, EBADMSG, "dhcp: transaction id %08x is not ours", get32(buf + 4));
	if (memcmp(buf + 28, mac, 6) != 0)
		return berr_set(e, EBADMSG, "dhcp: for another hardware address");
	if (get32(buf + DHCP_FIXED_LEN) != COOKIE)
		return berr_set(e, EBADMSG, "dhcp: no magic cookie");
	return 0;
}

/* Take one option's value (olen bytes at v) into r. */
static int take_option(uint8_t code, const uint8_t *v, uint8_t olen, struct dhcp_reply *r,
		       struct berr *e)
{
	switch (code) {
	case OPT_TYPE:
		if (olen != 1)
			return berr_set(e, EBADMSG, "dhcp: message type of length %u", olen);
		r->type = v[0];
		break;
	case OPT_SUBNET:
		if (olen != 4 || (r->prefix = mask_prefix(v)) < 0)
			return berr_set(e, EBADMSG, "dhcp: bad subnet mask");
		break;
	case OPT_ROUTER:
		if (olen < 4 || olen % 4)
			return berr_set(e, EBADMSG, "dhcp: router option of length %u", olen);
		memcpy(&r->router, v, 4);
		break;
	case OPT_DNS:
		if (olen < 4 || olen % 4)
			return berr_set(e, EBADMSG, "dhcp: dns option of length %u", olen);
		for (int k = 0; k < olen / 4 && r->ndns < DHCP_DNS_MAX; k++)
			memcpy(&r->dns[r->ndns++], v + 4 * k, 4);
		break;
	case OPT_SERVER:
		if (olen != 4)
			return berr_set(e, EBADMSG, "dhcp: server id of length %u", olen);
		memcpy(&r->server_id, v, 4);
		break;
	case OPT_LEASE:
	case OPT_T1:
	case OPT_T2:
		if (olen != 4)
			return berr_set(e, EBADMSG, "dhcp: time option %u of length %u", code, olen);
		*(code == OPT_LEASE ? &r->lease_s : code == OPT_T1 ? &r->t1_s : &r->t2_s) = get32(v);
		break;
	default:
		break; /* overload (52) is not honoured: options stay in the options field */
	}
	return 0;
}

/* The options field, up to OPT_END or the end of the message. */
static int parse_options(const uint8_t *buf, size_t len, struct dhcp_reply *r, struct berr *e)
{
	size_t i = DHCP_MIN_LEN;

	while (i < len) {
		uint8_t code = buf[i], olen;

		if (code == OPT_PAD) {
			i++;
			continue;
		}
		if (code == OPT_END)
			break;
		if (i + 2 > len || i + 2 + buf[i + 1] > len)
			return berr_set(e, EBADMSG, "dhcp: option %u runs past the end", code);
		olen = buf[i + 1];
		if (take_option(code, buf + i + 2, olen, r, e) < 0)
			return -1;
		i += 2u + olen;
	}
	return 0;
}

/* What the server left out: RFC 2131's defaults. */
static void fill_defaults(struct dhcp_reply *r, uint8_t first_octet)
{
	if (!r->lease_s)
		r->lease_s = 3600;
	if (!r->t1_s || r->t1_s > r->lease_s)
		r->t1_s = r->lease_s / 2;
	if (!r->t2_s || r->t2_s > r->lease_s || r->t2_s < r->t1_s)
		r->t2_s = r->lease_s / 8 * 7;
	if (!r->prefix) /* classful, as RFC 2131 allows */
		r->prefix = first_octet < 128 ? 8 : first_octet < 192 ? 16 : 24;
}

int dhcp_parse(const uint8_t *buf, size_t len, uint32_t xid, const uint8_t mac[6],
	       struct dhcp_reply *r, struct berr *e)
{
	memset(r, 0, sizeof *r);
	if (check_header(buf, len, xid, mac, e) < 0)
		return -1;
	memcpy(&r->yiaddr, buf + 16, 4);
	if (parse_options(buf, len, r, e) < 0)
		return -1;
	if (r->type < DHCP_DISCOVER || r->type > DHCP_RELEASE)
		return berr_set(e, EBADMSG, "dhcp: no or unknown message type (%d)", r->type);
	if ((r->type == DHCP_OFFER || r->type == DHCP_ACK) && !r->yiaddr.s_addr)
		return berr_set(e, EBADMSG, "dhcp: %s without an address", r->type == DHCP_OFFER ? "OFFER" : "ACK");
	fill_defaults(r, buf[16]);
	return 0;
}

/* What no unicast host address may be: zero, loopback, multicast, reserved, broadcast. */
static const char *bad_host(uint32_t a)
{
	if (a == 0)
		return "zero";
	if (a >> 24 == 127)
		return "loopback (127/8)";
	if (a >> 28 == 14)
		return "multicast";
	if (a == 0xffffffffu)
		return "broadcast";
	if (a >> 28 == 15)
		return "reserved (240/4)";
	return NULL;
}

int dhcp_lease_check(const struct dhcp_reply *r, struct berr *e)
{
	uint32_t a = ntohl(r->yiaddr.s_addr), g = ntohl(r->router.s_addr), mask;
	char s[INET_ADDRSTRLEN];
	const char *why;

	inet_ntop(AF_INET, &r->yiaddr, s, sizeof s);
	if ((why = bad_host(a)))
		return berr_set(e, EACCES, "lease refused: address %s is %s", s, why);
	if (r->prefix < 8)
		return berr_set(e, EACCES, "lease refused: prefix /%d is shorter than /8", r->prefix);
	mask = r->prefix ? ~0u << (32 - r->prefix) : 0;
	if (r->prefix < 31 && ((a & ~mask) == 0 || (a & ~mask) == ~mask))
		return berr_set(e, EACCES, "lease refused: address %s/%d is its subnet's %s address", s,
				r->prefix, (a & ~mask) == 0 ? "network" : "broadcast");
	if (r->router.s_addr) {
		inet_ntop(AF_INET, &r->router, s, sizeof s);
		if ((g & mask) != (a & mask) || g == a || bad_host(g))
			return berr_set(e, EACCES, "lease refused: router %s is not on the leased subnet", s);
	}
	for (int i = 0; i < r->ndns; i++) {
		inet_ntop(AF_INET, &r->dns[i], s, sizeof s);
		if ((why = bad_host(ntohl(r->dns[i].s_addr))))
			return berr_set(e, EACCES, "lease refused: DNS server %s is %s", s, why);
	}
	return 0;
}

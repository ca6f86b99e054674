/* nft.c — table ip "berth" over nfnetlink (nft.h).
 *
 * Here rather than in lib/: only the engine speaks nf_tables, and its
 * messages (batches, nested expressions, several acknowledgements per send)
 * share nothing with lib/netlink's one-request-one-ack rtnetlink calls but
 * the socket. */
#include "runtime/net/nft.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>
#include <net/if.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define BATCH_MAX 4096
#define TABLE "berth"

struct batch {
	size_t len;
	uint32_t seq;
	int acks;                        /* messages that asked for one */
	const char *what[16];            /* by seq - first seq: for errors */
	uint32_t first;
	_Alignas(4) unsigned char buf[BATCH_MAX];
};

static void *put(struct batch *b, size_t len)
{
	void *p = b->buf + b->len;

	/* a fixed ruleset: running out of room is a bug */
	if (b->len + NLMSG_ALIGN(len) > sizeof b->buf)
		__builtin_trap();
	memset(p, 0, NLMSG_ALIGN(len));
	b->len += NLMSG_ALIGN(len);
	return p;
}

static struct nlmsghdr *msg(struct batch *b, uint16_t type, uint16_t flags, int family,
			    uint16_t res_id, const char *what)
{
	struct nlmsghdr *h = put(b, NLMSG_HDRLEN);
	struct nfgenmsg *g = put(b, sizeof *g);

	h->nlmsg_type = type;
	h->nlmsg_flags = NLM_F_REQUEST | flags;
	h->nlmsg_seq = b->seq;
	g->nfgen_family = (uint8_t)family;
	g->version = NFNETLINK_V0;
	g->res_id = htons(res_id);
	if (what && b->seq - b->first < sizeof b->what / sizeof b->what[0])
		b->what[b->seq - b->first] = what;
	b->seq++;
	if (flags & NLM_F_ACK)
		b->acks++;
	return h;
}

static void end(struct batch *b, struct nlmsghdr *h)
{
	h->nlmsg_len = (uint32_t)(b->buf + b->len - (unsigned char *)h);
}

static void attr(struct batch *b, uint16_t type, const void *data, size_t len)
{
	struct nlattr *a = put(b, NLA_HDRLEN + len);

	a->nla_type = type;
	a->nla_len = (uint16_t)(NLA_HDRLEN + len);
	memcpy((unsigned char *)a + NLA_HDRLEN, data, len);
}

static void attr_str(struct batch *b, uint16_t type, const char *s)
{
	attr(b, type, s, strlen(s) + 1);
}

static void attr_be32(struct batch *b, uint16_t type, uint32_t v)
{
	v = htonl(v);
	attr(b, type, &v, sizeof v);
}

static struct nlattr *nest(struct batch *b, uint16_t type)
{
	struct nlattr *a = put(b, NLA_HDRLEN);

	a->nla_type = type | NLA_F_NESTED;
	return a;
}

static void nest_end(struct batch *b, struct nlattr *a)
{
	a->nla_len = (uint16_t)(b->buf + b->len - (unsigned char *)a);
}

/* ----------------------------------------------------------- expressions */

static struct nlattr *expr(struct batch *b, const char *name)
{
	struct nlattr *elem = nest(b, NFTA_LIST_ELEM);

	attr_str(b, NFTA_EXPR_NAME, name);
	return elem;
}

static void expr_meta(struct batch *b, uint32_t key)
{
	struct nlattr *e = expr(b, "meta"), *d = nest(b, NFTA_EXPR_DATA);

	attr_be32(b, NFTA_META_KEY, key);
	attr_be32(b, NFTA_META_DREG, NFT_REG_1);
	nest_end(b, d);
	nest_end(b, e);
}

static void expr_cmp(struct batch *b, uint32_t op, const void *data, size_t len)
{
	struct nlattr *e = expr(b, "cmp"), *d = nest(b, NFTA_EXPR_DATA), *v;

	attr_be32(b, NFTA_CMP_SREG, NFT_REG_1);
	attr_be32(b, NFTA_CMP_OP, op);
	v = nest(b, NFTA_CMP_DATA);
	attr(b, NFTA_DATA_VALUE, data, len);
	nest_end(b, v);
	nest_end(b, d);
	nest_end(b, e);
}

/* iifname/oifname (eq or neq) name: the kernel compares IFNAMSIZ bytes */
static void match_ifname(struct batch *b, uint32_t key, uint32_t op, const char *name)
{
	char padded[IFNAMSIZ] = { 0 };

	strncpy(padded, name, sizeof padded - 1);
	expr_meta(b, key);
	expr_cmp(b, op, padded, sizeof padded);
}

/* reg1 = (reg1 & mask) ^ 0 over len bytes */
static void expr_mask(struct batch *b, const void *mask, uint32_t len)
{
	struct nlattr *e = expr(b, "bitwise"), *d = nest(b, NFTA_EXPR_DATA), *v;
	static const unsigned char zero[16];

	attr_be32(b, NFTA_BITWISE_SREG, NFT_REG_1);
	attr_be32(b, NFTA_BITWISE_DREG, NFT_REG_1);
	attr_be32(b, NFTA_BITWISE_LEN, len);
	v = nest(b, NFTA_BITWISE_MASK);
	attr(b, NFTA_DATA_VALUE, mask, len);
	nest_end(b, v);
	v = nest(b, NFTA_BITWISE_XOR);
	attr(b, NFTA_DATA_VALUE, zero, len);
	nest_end(b, v);
	nest_end(b, d);
	nest_end(b, e);
}

static void match_ct_state(struct batch *b, uint32_t bits)
{
	struct nlattr *e = expr(b, "ct"), *d = nest(b, NFTA_EXPR_DATA);
	uint32_t zero = 0;

	attr_be32(b, NFTA_CT_KEY, NFT_CT_STATE);
	attr_be32(b, NFTA_CT_DREG, NFT_REG_1);
	nest_end(b, d);
	nest_end(b, e);
	expr_mask(b, &bits, sizeof bits); /* ct state is in host order */
	expr_cmp(b, NFT_CMP_NEQ, &zero, sizeof zero);
}

static void match_saddr(struct batch *b, uint32_t subnet, int prefix)
{
	struct nlattr *e = expr(b, "payload"), *d = nest(b, NFTA_EXPR_DATA);
	uint32_t mask = htonl(prefix ? ~0u << (32 - prefix) : 0);

	attr_be32(b, NFTA_PAYLOAD_DREG, NFT_REG_1);
	attr_be32(b, NFTA_PAYLOAD_BASE, NFT_PAYLOAD_NETWORK_HEADER);
	attr_be32(b, NFTA_PAYLOAD_OFFSET, 12); /* struct iphdr saddr */
	attr_be32(b, NFTA_PAYLOAD_LEN, 4);
	nest_end(b, d);
	nest_end(b, e);
	expr_mask(b, &mask, sizeof mask);
	expr_cmp(b, NFT_CMP_EQ, &subnet, sizeof subnet);
}

static void verdict(struct batch *b, int code)
{
	struct nlattr *e = expr(b, "immediate"), *d = nest(b, NFTA_EXPR_DATA), *v, *vd;

	attr_be32(b, NFTA_IMMEDIATE_DREG, NFT_REG_VERDICT);
	v = nest(b, NFTA_IMMEDIATE_DATA);
	vd = nest(b, NFTA_DATA_VERDICT);
	attr_be32(b, NFTA_VERDICT_CODE, (uint32_t)code);
	nest_end(b, vd);
	nest_end(b, v);
	nest_end(b, d);
	nest_end(b, e);
}

static void masquerade(struct batch *b)
{
	struct nlattr *e = expr(b, "masq");

	nest_end(b, e);
}

/* --------------------------------------------------------------- objects */

static void table(struct batch *b, uint16_t type, const char *what)
{
	struct nlmsghdr *h = msg(b, (NFNL_SUBSYS_NFTABLES << 8) | type,
				 NLM_F_ACK | (type == NFT_MSG_NEWTABLE ? NLM_F_CREATE : 0), NFPROTO_IPV4, 0,
				 what);

	attr_str(b, NFTA_TABLE_NAME, TABLE);
	end(b, h);
}

static void chain(struct batch *b, const char *name, const char *type, uint32_t hook, int prio,
		  uint32_t policy)
{
	struct nlmsghdr *h = msg(b, (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWCHAIN,
				 NLM_F_ACK | NLM_F_CREATE, NFPROTO_IPV4, 0, name);
	struct nlattr *hk;

	attr_str(b, NFTA_CHAIN_TABLE, TABLE);
	attr_str(b, NFTA_CHAIN_NAME, name);
	hk = nest(b, NFTA_CHAIN_HOOK);
	attr_be32(b, NFTA_HOOK_HOOKNUM, hook);
	attr_be32(b, NFTA_HOOK_PRIORITY, (uint32_t)prio);
	nest_end(b, hk);
	attr_be32(b, NFTA_CHAIN_POLICY, policy);
	attr_str(b, NFTA_CHAIN_TYPE, type);
	end(b, h);
}

/* A rule's message up to its expression list, which the caller fills. */
static struct nlmsghdr *rule_start(struct batch *b, const char *chain_name, const char *what,
				   struct nlattr **list)
{
	struct nlmsghdr *h = msg(b, (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWRULE,
				 NLM_F_ACK | NLM_F_CREATE | NLM_F_APPEND, NFPROTO_IPV4, 0, what);

	attr_str(b, NFTA_RULE_TABLE, TABLE);
	attr_str(b, NFTA_RULE_CHAIN, chain_name);
	*list = nest(b, NFTA_RULE_EXPRESSIONS);
	return h;
}

static void rule_end(struct batch *b, struct nlmsghdr *h, struct nlattr *list)
{
	nest_end(b, list);
	end(b, h);
}

static void build(struct batch *b, const char *bridge, uint32_t subnet, int prefix)
{
	struct nlmsghdr *h;
	struct nlattr *l;

	h = msg(b, NFNL_MSG_BATCH_BEGIN, 0, AF_UNSPEC, NFNL_SUBSYS_NFTABLES, NULL);
	end(b, h);
	table(b, NFT_MSG_NEWTABLE, "add table");
	table(b, NFT_MSG_DELTABLE, "delete table");
	table(b, NFT_MSG_NEWTABLE, "add table");
	chain(b, "forward", "filter", NF_INET_FORWARD, 0, NF_DROP);
	/* out of any interface, the bridge included: with br_netfilter loaded,
	 * traffic between two containers passes this hook too */
	h = rule_start(b, "forward", "forward: from the bridge", &l);
	match_ifname(b, NFT_META_IIFNAME, NFT_CMP_EQ, bridge);
	verdict(b, NF_ACCEPT);
	rule_end(b, h, l);
	h = rule_start(b, "forward", "forward: established back", &l);
	match_ifname(b, NFT_META_OIFNAME, NFT_CMP_EQ, bridge);
	match_ct_state(b, NF_CT_STATE_BIT(IP_CT_ESTABLISHED) | NF_CT_STATE_BIT(IP_CT_RELATED));
	verdict(b, NF_ACCEPT);
	rule_end(b, h, l);
	chain(b, "postrouting", "nat", NF_INET_POST_ROUTING, 100, NF_ACCEPT);
	h = rule_start(b, "postrouting", "postrouting: masquerade", &l);
	match_saddr(b, subnet, prefix);
	match_ifname(b, NFT_META_OIFNAME, NFT_CMP_NEQ, bridge);
	masquerade(b);
	rule_end(b, h, l);
	h = msg(b, NFNL_MSG_BATCH_END, 0, AF_UNSPEC, NFNL_SUBSYS_NFTABLES, NULL);
	end(b, h);
}

/* Read the acknowledgements; the first error names its message. The
 * kernel handles the batch inside sendto() and queues every answer before
 * it returns, so what is not queued now never comes: a refusal of the
 * whole batch (no CAP_NET_ADMIN, nf_tables absent and not loadable, out of
 * memory) is one error for the batch's first message and nothing else. */
static int collect(int fd, const struct batch *b, struct berr *e)
{
	_Alignas(4) unsigned char buf[8192];
	int acks = 0, failed = 0;

	while (acks < b->acks) {
		ssize_t n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
		struct nlmsghdr *h = (struct nlmsghdr *)buf;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if (failed)
				break;
			return berr_set(e, 0, "nf_tables: the kernel answered %d of the batch's %d messages", acks,
					b->acks);
		}
		if (n < 0)
			return berr_sys(e, "nf_tables: netlink receive");
		for (; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
			struct nlmsgerr *err = NLMSG_DATA(h);
			uint32_t i;

			if (h->nlmsg_type != NLMSG_ERROR || h->nlmsg_len < NLMSG_LENGTH(sizeof *err))
				continue;
			acks++;
			if (err->error == 0 || failed++)
				continue;
			i = err->msg.nlmsg_seq - b->first;
			errno = -err->error;
			berr_sys(e, "nf_tables: %s",
				 i < sizeof b->what / sizeof b->what[0] && b->what[i] ? b->what[i] : "batch");
		}
	}
	return failed ? -1 : 0;
}

int net_nft_apply(const char *bridge, uint32_t subnet, int prefix, struct berr *e)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct batch bb, *b = &bb;
	int fd, rc = -1;

	memset(b, 0, offsetof(struct batch, buf));
	b->first = b->seq = 1;
	build(b, bridge, subnet & htonl(prefix ? ~0u << (32 - prefix) : 0), prefix);
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);
	if (fd < 0)
		return berr_sys(e, "nf_tables: netlink socket");
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		berr_sys(e, "nf_tables: netlink socket");
		goto out;
	}
	sa.nl_pid = 0;
	if (sendto(fd, b->buf, b->len, 0, (struct sockaddr *)&sa, sizeof sa) != (ssize_t)b->len) {
		berr_sys(e, "nf_tables: netlink send");
		goto out;
	}
	rc = collect(fd, b, e);
out:
	close(fd);
	return rc;
}

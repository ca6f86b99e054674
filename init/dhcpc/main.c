/* berth-dhcpc — a DHCPv4 client for one interface, supervised by PID 1.
 * DISCOVER/OFFER/REQUEST/ACK, configure through rtnetlink, renew at T1;
 * when the lease cannot be kept it exits and PID 1 starts it again. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "init/dhcpc/dhcp.h"
#include "lib/caps.h"
#include "lib/conf.h"
#include "lib/fs.h"
#include "lib/log.h"
#include "lib/netlink.h"
#include "lib/seccomp.h"
#include "lib/util.h"

static const char usage[] =
	"usage: berth-dhcpc [--resolv FILE] [--wait SECONDS] IFNAME\n"
	"\n"
	"Waits up to SECONDS (default 30, at most 600) for IFNAME to exist (its\n"
	"driver may load after boot) and brings it up, then gets an IPv4 lease\n"
	"for it (DISCOVER, OFFER, REQUEST, ACK), sets the address and default\n"
	"route through rtnetlink, writes the DNS servers to FILE (default\n"
	"/run/berth-dhcp/resolv.conf), renews at T1 (a changed address, router\n"
	"or DNS server is applied). Refuses leases with an unusable address,\n"
	"router, prefix or DNS server (logged). Needs CAP_NET_ADMIN and\n"
	"CAP_NET_BIND_SERVICE. Runs until the lease is lost, then exits 1 for\n"
	"its supervisor to start it again.\n"
	"\n"
	"Exit codes:\n"
	"  1    no lease, or the lease expired\n"
	"  2    IFNAME did not appear in time\n"
	"  100  usage\n"
	"  111  system call failed (socket, netlink)\n";

/* How long IFNAME may take to appear (--wait), and how often it is
 * looked for. */
#define DHCPC_IFACE_WAIT_S 30
#define DHCPC_IFACE_WAIT_MAX_S 600
#define DHCPC_IFACE_POLL_MS 5

/* The on-link route while acquiring: below every other default route. */
#define DHCPC_LINK_METRIC 0xfffffff0u

struct dhcpc {
	struct logger log;
	const char *ifname, *resolv;
	int ifindex, fd;
	uint8_t mac[6];
	struct in_addr addr;            /* bound address, 0 before */
	int prefix;
	struct in_addr router;          /* applied router, 0: none */
	struct in_addr dns[DHCP_DNS_MAX];
	int ndns;                       /* applied DNS servers; -1 before the first */
	int link_route;                 /* the on-link route for acquiring is set */
	uint8_t buf[DHCP_MSG_MAX];
};

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static int open_socket(struct dhcpc *d, struct berr *e)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(DHCP_CLIENT_PORT) };
	struct ifreq ifr;
	int one = 1;

	memset(&ifr, 0, sizeof ifr);
	snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", d->ifname);
	d->fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (d->fd < 0)
		return berr_sys(e, "socket");
	if (ioctl(d->fd, SIOCGIFHWADDR, &ifr) < 0)
		return berr_sys(e, "%s: hardware address", d->ifname);
	memcpy(d->mac, ifr.ifr_hwaddr.sa_data, 6);
	if (setsockopt(d->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
	    setsockopt(d->fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof one) < 0)
		return berr_sys(e, "setsockopt");
	if (setsockopt(d->fd, SOL_SOCKET, SO_BINDTODEVICE, d->ifname, (socklen_t)strlen(d->ifname)) < 0)
		return berr_sys(e, "SO_BINDTODEVICE %s", d->ifname);
	if (bind(d->fd, (struct sockaddr *)&sa, sizeof sa) < 0)
		return berr_sys(e, "bind :%d", DHCP_CLIENT_PORT);
	return 0;
}

static int send_msg(struct dhcpc *d, int type, uint32_t xid, struct in_addr req,
		    struct in_addr server, struct in_addr to, struct berr *e)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(DHCP_SERVER_PORT), .sin_addr = to };
	size_t n = dhcp_build(d->buf, type, xid, d->mac, type == DHCP_REQUEST && !req.s_addr ? d->addr
								: (struct in_addr){ 0 }, req, server);

	if (sendto(d->fd, d->buf, n, 0, (struct sockaddr *)&sa, sizeof sa) != (ssize_t)n)
		return berr_sys(e, "send %s", type == DHCP_DISCOVER ? "DISCOVER" : "REQUEST");
	return 0;
}

/* Wait up to ms for a reply of one of the wanted types to xid. Returns 1
 * with *r, 0 on timeout. Replies that fail to parse are logged and skipped. */
static int wait_reply(struct dhcpc *d, uint32_t xid, int want1, int want2, int ms, struct dhcp_reply *r)
{
	long long deadline = now_ms() + ms;

	for (;;) {
		struct pollfd p = { .fd = d->fd, .events = POLLIN };
		long long left = deadline - now_ms();
		struct berr e;
		ssize_t n;

		if (left <= 0)
			return 0;
		if (poll(&p, 1, (int)left) <= 0)
			continue;
		n = recv(d->fd, d->buf, sizeof d->buf, MSG_DONTWAIT);
		if (n <= 0)
			continue;
		if (dhcp_parse(d->buf, (size_t)n, xid, d->mac, r, &e) < 0) {
			log_msg(&d->log, LOG_DEBUG, "%s: ignored: %s", d->ifname, e.msg);
			continue;
		}
		if ((r->type == DHCP_OFFER || r->type == DHCP_ACK) && dhcp_lease_check(r, &e) < 0) {
			char s[INET_ADDRSTRLEN];

			inet_ntop(AF_INET, &r->server_id, s, sizeof s);
			log_msg(&d->log, LOG_WARN, "%s: %s %s from %s", d->ifname,
				r->type == DHCP_OFFER ? "OFFER" : "ACK", e.msg, s);
			continue;
		}
		if (r->type == want1 || r->type == want2)
			return 1;
	}
}

static void write_resolv(struct dhcpc *d, const struct dhcp_reply *r)
{
	char text[256], a[INET_ADDRSTRLEN];
	size_t n = (size_t)snprintf(text, sizeof text, "# from DHCP on %s (berth-dhcpc)\n", d->ifname);
	struct berr e;

	for (int i = 0; i < r->ndns; i++) {
		inet_ntop(AF_INET, &r->dns[i], a, sizeof a);
		n += (size_t)snprintf(text + n, sizeof text - n, "nameserver %s\n", a);
	}
	if (fs_write_atomic(d->resolv, text, n, 0644, &e) < 0)
		log_msg(&d->log, LOG_ERROR, "%s: %s", d->ifname, e.msg);
}

/* Remove the address of the previous lease (the route through it goes too). */
static void addr_del(struct dhcpc *d, struct in_addr addr, int prefix)
{
	char a[INET_ADDRSTRLEN];
	struct nl_msg m;
	struct berr e;
	int fd = nl_open(&e), rc = -1;

	inet_ntop(AF_INET, &addr, a, sizeof a);
	if (fd >= 0) {
		nl_build_addr_del(&m, 1, d->ifindex, addr, prefix);
		rc = nl_request(fd, &m, &e);
		close(fd);
	}
	if (rc == 0)
		log_msg(&d->log, LOG_INFO, "%s: old address %s/%d removed", d->ifname, a, prefix);
	else
		log_msg(&d->log, LOG_ERROR, "%s: remove old address %s/%d: %s", d->ifname, a, prefix, e.msg);
}

static int dns_same(const struct dhcpc *d, const struct dhcp_reply *r)
{
	return d->ndns == r->ndns && memcmp(d->dns, r->dns, sizeof r->dns[0] * (size_t)r->ndns) == 0;
}

/* Apply a lease, the first or a renewal: a new address replaces the old
 * one (removed), a changed router replaces the default route, changed DNS
 * servers rewrite the resolver file. */
static int apply(struct dhcpc *d, const struct dhcp_reply *r, struct berr *e)
{
	char a[INET_ADDRSTRLEN], g[INET_ADDRSTRLEN] = "none", s[INET_ADDRSTRLEN];
	int moved = d->addr.s_addr != r->yiaddr.s_addr || d->prefix != r->prefix;
	int rerouted = d->router.s_addr != r->router.s_addr;

	if (!moved && !rerouted && dns_same(d, r))
		return 0; /* renewed as it was */
	/* The old address goes first: removing a primary address removes the
	 * secondaries of its subnet with it (promote_secondaries is off). */
	if (moved && d->addr.s_addr)
		addr_del(d, d->addr, d->prefix);
	if ((moved || rerouted) && nl_configure(d->ifname, r->yiaddr, r->prefix, r->router, e) < 0)
		return -1;
	inet_ntop(AF_INET, &r->yiaddr, a, sizeof a);
	if (r->router.s_addr)
		inet_ntop(AF_INET, &r->router, g, sizeof g);
	inet_ntop(AF_INET, &r->server_id, s, sizeof s);
	log_msg(&d->log, LOG_INFO, "%s: %s %s/%d router %s dns %d from %s for %u s (renew at %u s)",
		d->ifname, d->addr.s_addr ? "lease changed:" : "lease", a, r->prefix, g, r->ndns, s,
		r->lease_s, r->t1_s);
	d->addr = r->yiaddr;
	d->prefix = r->prefix;
	d->router = r->router;
	if (!dns_same(d, r)) {
		write_resolv(d, r);
		memcpy(d->dns, r->dns, sizeof d->dns);
		d->ndns = r->ndns;
	}
	return 0;
}

/* Strict reverse-path filtering (init/sysctl.c) drops a reply from a
 * source the kernel has no route to over this link, and before the lease
 * there is none: while acquiring, 0.0.0.0/0 on the link at the lowest
 * preference stands in for it. add 0 removes it. */
static void link_route(struct dhcpc *d, int add)
{
	struct nl_msg m;
	struct berr e;
	int fd;

	if (d->link_route == add)
		return;
	fd = nl_open(&e);
	if (fd >= 0) {
		nl_build_link_route(&m, 1, d->ifindex, DHCPC_LINK_METRIC, !add);
		if (nl_request(fd, &m, &e) == 0)
			d->link_route = add;
		close(fd);
	}
	if (d->link_route != add)
		log_msg(&d->log, LOG_WARN, "%s: on-link route for acquiring: %s", d->ifname, e.msg);
}

/* Once the socket is bound, before the first byte from the network: keep
 * only CAP_NET_ADMIN (addresses and routes through netlink), and load the
 * build-time filter (tools/seccomp/table_dhcpc.c). */
static int confine(struct berr *e)
{
	if (caps_set(UINT64_C(1) << CAP_NET_ADMIN, 0, e) < 0 || caps_ambient_clear(e) < 0 ||
	    seccomp_no_new_privs(e) < 0 || seccomp_load(seccomp_dhcpc_filter, seccomp_dhcpc_len, e) < 0)
		return berr_prefix(e, "confine");
	return 0;
}

/* The lease is gone: stop using its address (the route goes with it). */
static void release(struct dhcpc *d)
{
	struct nl_msg m;
	struct berr e;
	int fd = nl_open(&e);

	if (fd < 0 || !d->addr.s_addr) {
		if (fd >= 0)
			close(fd);
		return;
	}
	nl_build_addr_del(&m, 1, d->ifindex, d->addr, d->prefix);
	if (nl_request(fd, &m, &e) < 0)
		log_err(&d->log, &e);
	else
		log_msg(&d->log, LOG_WARN, "%s: address removed", d->ifname);
	close(fd);
}

/* DISCOVER until an OFFER, then REQUEST until its ACK. Returns 1 bound. */
static int acquire(struct dhcpc *d, struct dhcp_reply *r, struct berr *e)
{
	struct in_addr any = { 0 }, bcast = { .s_addr = INADDR_BROADCAST };
	int wait = 2000;

	link_route(d, 1);
	for (int tries = 0; tries < 8; tries++, wait = wait < 32000 ? wait * 2 : wait) {
		uint32_t xid;
		struct dhcp_reply offer;

		if (getrandom(&xid, sizeof xid, 0) != sizeof xid)
			return berr_sys(e, "getrandom");
		if (send_msg(d, DHCP_DISCOVER, xid, any, any, bcast, e) < 0)
			return -1;
		if (!wait_reply(d, xid, DHCP_OFFER, DHCP_OFFER, wait, &offer))
			continue;
		if (send_msg(d, DHCP_REQUEST, xid, offer.yiaddr, offer.server_id, bcast, e) < 0)
			return -1;
		if (!wait_reply(d, xid, DHCP_ACK, DHCP_NAK, wait, r) || r->type == DHCP_NAK)
			continue;
		if (apply(d, r, e) < 0)
			return -1;
		link_route(d, 0);
		return 1;
	}
	return berr_set(e, ETIMEDOUT, "%s: no lease after 8 DISCOVERs", d->ifname);
}

/* Bound: sleep to T1, renew by unicast to the server (after T2: by
 * broadcast); retry until the lease ends. Returns when the lease is lost. */
static void keep(struct dhcpc *d, struct dhcp_reply *r)
{
	for (;;) {
		long long start = now_ms(), end = start + (long long)r->lease_s * 1000;
		long long at = start + (long long)r->t1_s * 1000;
		long long rebind = start + (long long)r->t2_s * 1000;
		struct in_addr any = { 0 }, server = r->server_id, bcast = { .s_addr = INADDR_BROADCAST };
		struct berr e;
		int renewed = 0;

		while (!renewed) {
			uint32_t xid;
			long long left;

			while ((left = at - now_ms()) > 0)
				poll(NULL, 0, left > 60000 ? 60000 : (int)left);
			if (now_ms() >= end) {
				log_msg(&d->log, LOG_WARN, "%s: lease expired", d->ifname);
				return;
			}
			if (getrandom(&xid, sizeof xid, 0) != sizeof xid)
				return;
			/* renewing: ciaddr set, no options 50/54, unicast to the server;
			 * rebinding (past T2): the same, broadcast to any server */
			if (send_msg(d, DHCP_REQUEST, xid, any, any, now_ms() >= rebind ? bcast : server, &e) < 0)
				log_err(&d->log, &e);
			else if (wait_reply(d, xid, DHCP_ACK, DHCP_NAK,
					    end - now_ms() < 4000 ? (int)(end - now_ms()) : 4000, r))
				renewed = 1;
			if (renewed && r->type == DHCP_NAK) {
				log_msg(&d->log, LOG_WARN, "%s: renewal refused (NAK)", d->ifname);
				return;
			}
			if (!renewed) { /* half of what is left, at least 10 s, not past the end */
				at = now_ms() + ((end - now_ms()) / 2 > 10000 ? (end - now_ms()) / 2 : 10000);
				if (at > end)
					at = end;
			}
		}
		if (apply(d, r, &e) < 0) {
			log_err(&d->log, &e);
			return;
		}
		log_msg(&d->log, LOG_INFO, "%s: renewed for %u s", d->ifname, r->lease_s);
	}
}

/* The interface's driver may still be loading (a board loads the NIC
 * drivers of DHCP interfaces after ready): wait for it, bounded, then
 * bring the link up. Returns its index, 0 when it never appeared, or -1. */
static int link_wait_up(struct dhcpc *d, int wait_s, struct berr *e)
{
	long long t0 = now_ms();
	unsigned idx;

	while (!(idx = if_nametoindex(d->ifname))) {
		if (now_ms() - t0 >= wait_s * 1000LL)
			return 0;
		poll(NULL, 0, DHCPC_IFACE_POLL_MS);
	}
	if (now_ms() - t0 >= DHCPC_IFACE_POLL_MS)
		log_msg(&d->log, LOG_INFO, "%s: appeared after %lld ms", d->ifname, now_ms() - t0);
	if (nl_configure(d->ifname, (struct in_addr){ 0 }, 0, (struct in_addr){ 0 }, e) < 0)
		return -1;
	return (int)idx;
}

int main(int argc, char **argv)
{
	struct dhcpc d = {
		.log = { .prog = "berth-dhcpc", .fd = 2, .stamp = 0, .level = LOG_INFO },
		.resolv = "/run/berth-dhcp/resolv.conf",
		.fd = -1,
		.ndns = -1,
	};
	struct dhcp_reply r;
	struct berr e;
	int i = 1, rc, wait_s = DHCPC_IFACE_WAIT_S;

	signal(SIGPIPE, SIG_IGN);
	while (i + 1 < argc && argv[i][0] == '-') {
		if (strcmp(argv[i], "--resolv") == 0) {
			d.resolv = argv[i + 1];
		} else if (strcmp(argv[i], "--wait") == 0) {
			long long v;

			if (conf_int("--wait", argv[i + 1], 0, DHCPC_IFACE_WAIT_MAX_S, &v, &e) < 0) {
				log_err(&d.log, &e);
				return 100;
			}
			wait_s = (int)v;
		} else {
			break;
		}
		i += 2;
	}
	if (i + 1 != argc || argv[i][0] == '-' || strlen(argv[i]) >= IFNAMSIZ) {
		fputs(usage, i < argc && strcmp(argv[i], "--help") == 0 ? stdout : stderr);
		return i < argc && strcmp(argv[i], "--help") == 0 ? 0 : 100;
	}
	d.ifname = argv[i];
	d.ifindex = link_wait_up(&d, wait_s, &e);
	if (d.ifindex == 0) {
		log_msg(&d.log, LOG_ERROR, "%s: no such interface after %d s", d.ifname, wait_s);
		return 2;
	}
	if (d.ifindex < 0 || open_socket(&d, &e) < 0 || confine(&e) < 0) {
		log_err(&d.log, &e);
		return 111;
	}
	rc = acquire(&d, &r, &e);
	if (rc <= 0) {
		link_route(&d, 0);
		log_err(&d.log, &e);
		return e.errnum == ETIMEDOUT ? 1 : 111;
	}
	keep(&d, &r);
	release(&d);
	return 1;
}

/* net.h — container networking: the bridge, a network namespace and veth
 * per container, addresses from a persistent allocator, the nf_tables
 * rules that forward and masquerade container traffic, the container's
 * /etc files, and berth-proxy for published ports (docs/network.md).
 *
 * Everything here works in the calling process's network namespace (the
 * engine's): the bridge, the host ends of the veths, the rules and the
 * published ports live there. Nothing keeps state in memory between calls:
 * the leases are in data_root/net/, the namespaces under run_dir/netns/,
 * so berthd restarting loses nothing. Callers serialise calls for one
 * data root (berthd holds its engine mutex); a file lock guards the
 * allocator against a second process.
 */
#ifndef BERTH_RUNTIME_NET_H
#define BERTH_RUNTIME_NET_H

#include <stdint.h>
#include <sys/types.h>

#include "autoconf.h"
#include "lib/err.h"

#define NET_PATH_MAX 256

/* The berth.conf section whose keys go to net_conf_set. Not [network]:
 * PID 1 reads that one, and every key there is an interface name
 * (init/conf.c: "eth0 = dhcp"), so neither program could take the other's
 * keys. PID 1 skips sections it does not know. */
#define NET_CONF_SECTION "container_network"

/* berth.conf [container_network]. Addresses are in network byte order. */
struct net_conf {
	char bridge[16];                        /* bridge = berth0 */
	uint32_t subnet;                        /* bridge_subnet = 172.29.0.0/16 */
	int prefix;
	uint32_t gw;                            /* the subnet's first address */
	uint32_t publish[CONFIG_NET_ADDRS_MAX]; /* publish_addresses = 0.0.0.0 */
	int n_publish;
	uint32_t dns[CONFIG_NET_ADDRS_MAX];     /* dns = (none: from resolv_conf) */
	int n_dns;
	char resolv_conf[NET_PATH_MAX];         /* resolv_conf = /etc/resolv.conf: the
	                                         * host's, read when dns is not set */
	uid_t proxy_uid;                        /* proxy_user = UID[:GID] (CONFIG_NET_PROXY_UID) */
	gid_t proxy_gid;
	/* private: which list keys were given (the first replaces the default,
	 * later lines add to it) */
	int publish_set, dns_set;
};

void net_conf_init(struct net_conf *c);

/* One key of [container_network]: bridge, bridge_subnet, publish_addresses (blank
 * or comma separated IPv4 addresses; 0.0.0.0 allows every address), dns,
 * resolv_conf, proxy_user. An unknown key or a bad value is -1 with
 * "KEY: what: 'VALUE'". */
int net_conf_set(struct net_conf *c, const char *key, const char *value, struct berr *e);

/* "a.b.c.d/N" → *addr (network order), *prefix; N in [min_prefix, 32]. The
 * host bits must be zero when net_only. */
int net_parse_cidr(const char *s, int min_prefix, int net_only, uint32_t *addr, int *prefix,
		   struct berr *e);

/* A dotted IPv4 address (exactly four decimal parts, no leading zeros). */
int net_parse_ip4(const char *s, uint32_t *addr, struct berr *e);

/* Idempotent: the bridge with the gateway address, up; the nf_tables table
 * "berth" (replaced as a whole: forward from the bridge out of any other
 * interface, established/related back to it, masquerade of the subnet
 * leaving by another interface, nothing else forwarded); then
 * net.ipv4.ip_forward = 1 in this namespace. */
int net_bridge_up(const struct net_conf *c, struct berr *e);

struct net_lease {
	char id[65];
	uint32_t addr;        /* network order */
	int prefix;
	uint32_t gw;
	char ifname[16];      /* the host end of the veth */
};

/* A network namespace bind-mounted at run_dir/netns/<id>, a veth pair into
 * the bridge, the container end named eth0 inside with its address from
 * the persistent allocator (data_root/net/; a container keeps its address
 * until net_container_down), lo up, default route via the gateway. A
 * namespace left from an earlier run of the same id is replaced. On
 * failure nothing is left (the address is released again). */
int net_container_up(const struct net_conf *c, const char *data_root, const char *run_dir,
		     const char *id, struct net_lease *l, struct berr *e);

/* Idempotent: the namespace unmounted and its file removed, the veth
 * deleted, the address released. */
int net_container_down(const struct net_conf *c, const char *data_root, const char *run_dir,
		       const char *id, struct berr *e);

/* hosts, hostname, resolv.conf in dirfd (the container dir), each written
 * atomically (0644). hostname must be an RFC 1123 host name. lease NULL:
 * network none (no address line in hosts). */
int net_files_write(int dirfd, const struct net_conf *c, const char *hostname,
		    const struct net_lease *l, struct berr *e);

/* What a create body may add to the files (HostConfig.Dns, DnsSearch,
 * ExtraHosts, Config.Domainname); every field may be NULL/0. */
struct net_files_extra {
	const char *const *dns;         /* IPv4 or IPv6 addresses: replace every other server */
	int n_dns;
	const char *const *search;      /* search domains (host names): replace the host's */
	int n_search;
	const char *const *options;     /* resolv.conf options ("ndots:2"): replace the host's */
	int n_options;
	const char *const *hosts;       /* "NAME:ADDRESS" or "NAME=ADDRESS" (an IPv6 ADDRESS
	                                 * may be in brackets); "host-gateway": the gateway */
	int n_hosts;
	const char *domainname;         /* hosts line "ADDRESS HOST.DOMAIN HOST" */
};

/* Check every entry of x as net_files_write_extra would (what create
 * refuses with 400 before anything runs): EINVAL naming the field and the
 * entry. */
int net_files_check(const struct net_files_extra *x, struct berr *e);

/* net_files_write with a container's own additions. A bad entry is EINVAL
 * naming it ("ExtraHosts: 'x': want NAME:ADDRESS"). */
int net_files_write_extra(int dirfd, const struct net_conf *c, const char *hostname,
			  const struct net_lease *l, const struct net_files_extra *x, struct berr *e);

struct net_port {
	uint16_t cport, hport; /* hport 0: a free port the kernel picks */
	int udp;
	char host_ip[46];     /* "" : every publish address */
};

/* One socket net_proxy_spawn bound: the port actually published. */
struct net_bound {
	uint32_t addr;        /* network order */
	uint16_t cport, hport;
	int udp;
};

/* Check every host address against publish_addresses (refused: "HOST_IP:
 * not a publish address on this appliance (berth.conf [container_network]
 * publish_addresses)" with errnum EACCES), bind the published ports
 * (errors name the port: "0.0.0.0:8080: address in use"), then start a
 * detached berth-proxy that owns them (no capabilities, proxy_user,
 * no_new_privs, its seccomp filter), relaying to lease->addr. It enters
 * cgroup_dir (made when missing) when given and outlives berthd. Returns
 * once the proxy has said it is ready; *pid is its pid, bound[0..*n_bound)
 * every socket bound (a port with hport 0 gets a free one of the kernel's
 * choice, the same on each of its addresses; more sockets than max_bound:
 * E2BIG). */
int net_proxy_spawn(const char *bin, const struct net_conf *c, const struct net_port *ports, int n,
		    const struct net_lease *l, const char *cgroup_dir, struct net_bound *bound, int max_bound,
		    int *n_bound, pid_t *pid, struct berr *e);

/* SIGTERM to pid when it is a berth-proxy (its /proc comm), then SIGKILL
 * if it has not gone within a second. A pid that is gone is not an error. */
int net_proxy_stop(pid_t pid, struct berr *e);

#endif

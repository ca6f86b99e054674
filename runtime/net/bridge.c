/* bridge.c — the bridge, and a network namespace with a veth per
 * container (net.h). */
#include "runtime/net/net.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/netlink.h"
#include "lib/util.h"
#include "runtime/net/alloc.h"
#include "runtime/net/nft.h"

#define BRIDGE_ADDRS_MAX 16

/* Remove the bridge's IPv4 addresses other than the gateway's (an earlier
 * bridge_subnet's). */
static int stale_addrs(int fd, int idx, const struct net_conf *c, struct berr *e)
{
	struct in_addr a[BRIDGE_ADDRS_MAX];
	int p[BRIDGE_ADDRS_MAX], n;
	struct nl_msg m;

	n = nl_addr_list(fd, idx, a, p, BRIDGE_ADDRS_MAX, e);
	if (n < 0)
		return berr_prefix(e, "addresses");
	for (int i = 0; i < n; i++) {
		if (a[i].s_addr == c->gw && p[i] == c->prefix)
			continue;
		nl_build_addr_del(&m, 10 + (uint32_t)i, idx, a[i], p[i]);
		if (nl_request(fd, &m, e) < 0 && e->errnum != EADDRNOTAVAIL)
			return berr_prefix(e, "remove an old address");
	}
	return 0;
}

int net_bridge_up(const struct net_conf *c, struct berr *e)
{
	struct nl_msg m;
	struct in_addr gw = { .s_addr = c->gw };
	char kind[16];
	int fd, idx, rc = -1;

	fd = nl_open(e);
	if (fd < 0)
		return berr_prefix(e, "bridge %s", c->bridge);
	nl_build_bridge_add(&m, 1, c->bridge); /* EEXIST: there already */
	if (nl_request(fd, &m, e) < 0)
		goto out;
	idx = nl_link_kind(fd, c->bridge, kind, sizeof kind, e);
	if (idx < 0)
		goto out;
	if (strcmp(kind, "bridge")) {
		berr_set(e, EEXIST, "a link of that name exists and is not a bridge (kind '%s')", kind);
		goto out;
	}
	nl_build_addr(&m, 2, idx, gw, c->prefix);
	if (nl_request(fd, &m, e) < 0) {
		berr_prefix(e, "gateway address");
		goto out;
	}
	if (stale_addrs(fd, idx, c, e) < 0)
		goto out;
	nl_build_link_up(&m, 3, idx);
	if (nl_request(fd, &m, e) < 0) {
		berr_prefix(e, "link up");
		goto out;
	}
	/* the rules before forwarding: never a moment of forwarding without them */
	if (net_nft_apply(c->bridge, c->subnet, c->prefix, e) < 0)
		goto out;
	if (util_write_file("/proc/sys/net/ipv4/ip_forward", "1", e) < 0)
		goto out;
	rc = 0;
out:
	close(fd);
	return rc < 0 ? berr_prefix(e, "bridge %s", c->bridge) : 0;
}

/* run_dir/netns/<id> */
static int ns_path(char *buf, size_t size, const char *run_dir, const char *id, struct berr *e)
{
	int n = snprintf(buf, size, "%s/netns/%s", run_dir, id);

	if (n < 0 || (size_t)n >= size)
		return berr_set(e, ENAMETOOLONG, "%s/netns/%s: path too long", run_dir, id);
	return 0;
}

/* The host end of the veth: "bth" and the id's first 12 bytes. */
static void host_ifname(char out[16], const char *id)
{
	snprintf(out, 16, "bth%.12s", id);
}

/* Remove what an earlier up of id left: the namespace mount and its file,
 * the veth (deleting one end deletes both). Missing pieces are fine. */
static int teardown(const char *path, const char *ifname, struct berr *e)
{
	struct nl_msg m;
	int fd;

	if (umount2(path, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
		return berr_sys(e, "unmount %s", path);
	if (unlink(path) < 0 && errno != ENOENT)
		return berr_sys(e, "remove %s", path);
	fd = nl_open(e);
	if (fd < 0)
		return -1;
	nl_build_link_del(&m, 1, ifname);
	if (nl_request(fd, &m, e) < 0 && e->errnum != ENODEV) {
		close(fd);
		return berr_prefix(e, "delete %s", ifname);
	}
	close(fd);
	return 0;
}

/* Make a network namespace bound at path; *nsfd is it, *nlfd a netlink
 * socket inside it. The calling thread enters it only for the few calls
 * that must run there (unshare, the bind mount, the socket), then returns
 * to its own. */
static int ns_create(const char *path, int *nsfd, int *nlfd, struct berr *e)
{
	int self, fd, rc = -1;

	*nsfd = *nlfd = -1;
	fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0444);
	if (fd < 0)
		return berr_sys(e, "%s", path);
	close(fd);
	self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self < 0)
		return berr_sys(e, "/proc/thread-self/ns/net");
	if (unshare(CLONE_NEWNET) < 0) {
		berr_sys(e, "new network namespace");
		goto out;
	}
	if (mount("/proc/thread-self/ns/net", path, NULL, MS_BIND, NULL) < 0)
		berr_sys(e, "bind mount %s", path);
	else if ((*nsfd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		berr_sys(e, "%s", path);
	else if ((*nlfd = nl_open(e)) >= 0)
		rc = 0;
	/* Back to the engine's namespace. This cannot fail for a process that
	 * could unshare; if it did, the thread would serve every later request
	 * in the container's namespace: stopping is the only safe answer. */
	if (setns(self, CLONE_NEWNET) < 0)
		abort();
out:
	close(self);
	if (rc < 0) {
		fd_close(nsfd);
		fd_close(nlfd);
	}
	return rc;
}

/* Inside: lo up; eth0 up with the address; the default route. */
static int ns_configure(int nl, const struct net_lease *l, struct berr *e)
{
	struct nl_msg m;
	struct in_addr a = { .s_addr = l->addr }, gw = { .s_addr = l->gw };
	int idx;

	nl_build_link_up_name(&m, 1, "lo");
	if (nl_request(nl, &m, e) < 0)
		return berr_prefix(e, "lo up");
	idx = nl_link_index(nl, "eth0", e);
	if (idx < 0)
		return -1;
	nl_build_addr(&m, 2, idx, a, l->prefix);
	if (nl_request(nl, &m, e) < 0)
		return berr_prefix(e, "eth0 address");
	nl_build_link_up(&m, 3, idx);
	if (nl_request(nl, &m, e) < 0)
		return berr_prefix(e, "eth0 up");
	nl_build_default_route(&m, 4, idx, gw);
	if (nl_request(nl, &m, e) < 0)
		return berr_prefix(e, "default route");
	return 0;
}

static int veth(const struct net_conf *c, const struct net_lease *l, int nsfd, struct berr *e)
{
	struct nl_msg m;
	int fd, br, rc = -1;

	fd = nl_open(e);
	if (fd < 0)
		return -1;
	br = nl_link_index(fd, c->bridge, e);
	if (br < 0) {
		berr_prefix(e, "bridge (is it up?)");
		goto out;
	}
	nl_build_veth_add(&m, 1, l->ifname, br, "eth0", nsfd);
	if (nl_request(fd, &m, e) < 0) {
		berr_prefix(e, "veth %s", l->ifname);
		goto out;
	}
	nl_build_link_up_name(&m, 2, l->ifname);
	if (nl_request(fd, &m, e) < 0) {
		berr_prefix(e, "%s up", l->ifname);
		goto out;
	}
	rc = 0;
out:
	close(fd);
	return rc;
}

static int net_dir(char *buf, size_t size, const char *data_root, struct berr *e)
{
	int n = snprintf(buf, size, "%s/net", data_root);

	if (n < 0 || (size_t)n >= size)
		return berr_set(e, ENAMETOOLONG, "%s/net: path too long", data_root);
	return 0;
}

int net_container_up(const struct net_conf *c, const char *data_root, const char *run_dir,
		     const char *id, struct net_lease *l, struct berr *e)
{
	char path[NET_PATH_MAX + 80], dir[NET_PATH_MAX + 8];
	int nsfd = -1, nl = -1;
	struct berr ignore;

	if (!net_id_ok(id))
		return berr_set(e, EINVAL, "network: bad container id '%.80s'", id);
	if (ns_path(path, sizeof path, run_dir, id, e) < 0 || net_dir(dir, sizeof dir, data_root, e) < 0)
		return -1;
	memset(l, 0, sizeof *l);
	strcpy(l->id, id);
	host_ifname(l->ifname, id);
	l->prefix = c->prefix;
	l->gw = c->gw;
	if (teardown(path, l->ifname, e) < 0)
		return berr_prefix(e, "network of %s", id);
	if (net_alloc_get(dir, c->subnet, c->prefix, id, &l->addr, e) < 0)
		return -1;
	snprintf(dir, sizeof dir, "%s/netns", run_dir);
	if ((mkdir(run_dir, 0755) < 0 && errno != EEXIST) || (mkdir(dir, 0755) < 0 && errno != EEXIST)) {
		berr_sys(e, "%s", dir);
		goto fail;
	}
	if (ns_create(path, &nsfd, &nl, e) < 0 || veth(c, l, nsfd, e) < 0 || ns_configure(nl, l, e) < 0)
		goto fail;
	close(nsfd);
	close(nl);
	return 0;
fail:
	fd_close(&nsfd);
	fd_close(&nl);
	teardown(path, l->ifname, &ignore);
	net_dir(dir, sizeof dir, data_root, &ignore);
	net_alloc_release(dir, id, &ignore);
	return berr_prefix(e, "network of %s", id);
}

int net_container_down(const struct net_conf *c, const char *data_root, const char *run_dir,
		       const char *id, struct berr *e)
{
	char path[NET_PATH_MAX + 80], dir[NET_PATH_MAX + 8], ifname[16];

	(void)c;
	if (!net_id_ok(id))
		return berr_set(e, EINVAL, "network: bad container id '%.80s'", id);
	if (ns_path(path, sizeof path, run_dir, id, e) < 0 || net_dir(dir, sizeof dir, data_root, e) < 0)
		return -1;
	host_ifname(ifname, id);
	if (teardown(path, ifname, e) < 0 || net_alloc_release(dir, id, e) < 0)
		return berr_prefix(e, "network of %s", id);
	return 0;
}

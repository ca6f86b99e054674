/* net.c — loopback, static interfaces, DHCP client services. */
#include "init/net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "init/svc.h"
#include "lib/netlink.h"
#include "lib/fs.h"

/* Replaces the file, or the symlink to berth-dhcpc's file, atomically. */
static void write_resolv(struct init *in, const struct init_iface *f)
{
	char text[256], a[INET_ADDRSTRLEN];
	size_t n = 0;
	struct berr e;

	n += (size_t)snprintf(text, sizeof text, "# written by berth-init from [network] %s\n", f->name);
	for (int i = 0; i < f->ndns; i++) {
		inet_ntop(AF_INET, &f->dns[i], a, sizeof a);
		n += (size_t)snprintf(text + n, sizeof text - n, "nameserver %s\n", a);
	}
	if (fs_write_atomic(in->conf.resolv_conf, text, n, 0644, &e) < 0)
		log_err(&in->log, &e);
}

static void configure_static(struct init *in, const struct init_iface *f)
{
	char a[INET_ADDRSTRLEN], g[INET_ADDRSTRLEN] = "none";
	struct berr e;

	inet_ntop(AF_INET, &f->addr, a, sizeof a);
	if (f->gateway.s_addr)
		inet_ntop(AF_INET, &f->gateway, g, sizeof g);
	if (nl_configure(f->name, f->addr, f->prefix, f->gateway, &e) < 0) {
		log_err(&in->log, &e);
		return;
	}
	log_msg(&in->log, LOG_INFO, "network: %s up, %s/%d, gateway %s", f->name, a, f->prefix, g);
	if (f->ndns)
		write_resolv(in, f);
}

static void add_dhcpc(struct init *in, const struct init_iface *f)
{
	char text[512], name[SVC_NAME_MAX + 1];
	struct svc_conf c;
	struct berr e;

	snprintf(name, sizeof name, "dhcpc-%s", f->name);
	snprintf(text, sizeof text,
		 "[service]\ncommand = " NET_DHCPC " %s\nuser = berth-dhcp\n"
		 "capabilities = net_admin net_bind_service\nrestart = always\n"
		 "memory_max = " NET_DHCPC_MEMORY_MAX "\npids_max = 2\nconsole = errors\n", f->name);
	for (char *p = name; *p; p++)
		if (*p == '.')
			*p = '-'; /* eth0.10 → dhcpc-eth0-10 */
	if (svc_conf_parse(&c, text, "(dhcp)", name, &in->log, &e) < 0) {
		log_err(&in->log, &e);
		return;
	}
	if (mkdir(NET_DHCP_DIR, 0755) < 0 && errno != EEXIST)
		log_msg(&in->log, LOG_ERROR, "mkdir " NET_DHCP_DIR ": %s", strerror(errno));
	if (chown(NET_DHCP_DIR, c.uid, c.gid) < 0)
		log_msg(&in->log, LOG_ERROR, "chown " NET_DHCP_DIR ": %s", strerror(errno));
	unlink(in->conf.resolv_conf);
	if (symlink(NET_DHCP_DIR "/resolv.conf", in->conf.resolv_conf) < 0)
		log_msg(&in->log, LOG_ERROR, "symlink %s: %s", in->conf.resolv_conf, strerror(errno));
	if (svc_add(in, &c) == 0)
		log_msg(&in->log, LOG_INFO, "network: %s by DHCP (service %s brings it up)", f->name, name);
}

void net_loopback(struct init *in)
{
	struct berr e;

	if (nl_configure("lo", (struct in_addr){ 0 }, 0, (struct in_addr){ 0 }, &e) < 0)
		log_err(&in->log, &e);
}

void net_setup(struct init *in)
{
	for (int i = 0; i < in->conf.nifaces; i++) {
		const struct init_iface *f = &in->conf.ifaces[i];

		if (f->dhcp)
			add_dhcpc(in, f);
		else
			configure_static(in, f);
	}
}

/* files.c — the container's /etc/hosts, /etc/hostname and
 * /etc/resolv.conf, written into its directory (net.h). */
#include "runtime/net/net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lib/conf.h"
#include "lib/fs.h"

#define HOST_RESOLV_MAX 8192
#define FILE_MAX 4096

struct text {
	char buf[FILE_MAX];
	size_t len;
	int over;
};

static void add(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(t->buf + t->len, sizeof t->buf - t->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof t->buf - t->len)
		t->over = 1;
	else
		t->len += (size_t)n;
}

static const char *ip4(uint32_t a, char buf[16])
{
	return inet_ntop(AF_INET, &a, buf, 16);
}

static int write_text(int dirfd, const char *name, const struct text *t, struct berr *e)
{
	if (t->over)
		return berr_set(e, EFBIG, "%s: more than %d bytes", name, FILE_MAX);
	if (fs_write_atomic_at(dirfd, name, t->buf, t->len, 0644, e) < 0)
		return berr_prefix(e, "%s", name);
	return 0;
}

/* A host nameserver line's address is kept unless it is loopback (it would
 * mean the container's own loopback there). */
static int loopback(const char *addr)
{
	return !strncmp(addr, "127.", 4) || !strcmp(addr, "::1");
}

/* search and options lines of the host's file (search unless the
 * container has its own), and its nameservers when neither [container_network] dns
 * nor the container sets any. */
static void from_host(struct text *t, const struct net_conf *c, const struct net_files_extra *x,
		      int *servers)
{
	char host[HOST_RESOLV_MAX], *line, *save = NULL;
	struct berr e;

	if (fs_read_follow(c->resolv_conf, host, sizeof host, &e) < 0)	/* the appliance's is a symlink */
		return; /* none: no servers from it */
	for (line = strtok_r(host, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char word[16], val[64];

		if (sscanf(line, "%15s %63s", word, val) != 2)
			continue;
		if ((!strcmp(word, "search") && !x->n_search) || (!strcmp(word, "options") && !x->n_options))
			add(t, "%s\n", line);
		else if (!strcmp(word, "nameserver") && !c->dns_set && !x->n_dns && !loopback(val)) {
			add(t, "nameserver %s\n", val);
			++*servers;
		}
	}
}

static int dns_ok(const char *a, struct berr *e)
{
	unsigned char bin[16];

	if (inet_pton(AF_INET, a, bin) != 1 && inet_pton(AF_INET6, a, bin) != 1)
		return berr_set(e, EINVAL, "Dns: '%.64s': not an IP address", a);
	return 0;
}

/* A resolv.conf option word: "ndots:2", "edns0", "timeout:1" ... printable,
 * no blank (it would be two words). */
static int option_ok(const char *o, struct berr *e)
{
	size_t n = strlen(o);

	if (n == 0 || n > 64)
		return berr_set(e, EINVAL, "DnsOptions: '%.64s': want one option of 1 to 64 characters", o);
	for (size_t i = 0; i < n; i++)
		if (o[i] <= ' ' || o[i] > '~')
			return berr_set(e, EINVAL, "DnsOptions: '%.64s': not one resolv.conf option", o);
	return 0;
}

/* An ExtraHosts entry: "NAME:ADDRESS" (the first colon splits: the address
 * may be IPv6) or "NAME=ADDRESS", the address optionally in brackets,
 * "host-gateway" for the bridge's gateway. name gets NAME, addr ADDRESS
 * without brackets. */
static int host_entry(const char *h, char name[256], char addr[64], struct berr *e)
{
	const char *sep = strchr(h, '='), *a;
	size_t n, an;

	if (!sep)
		sep = strchr(h, ':');
	n = sep ? (size_t)(sep - h) : 0;
	if (!sep || n == 0 || n >= 256)
		return berr_set(e, EINVAL, "ExtraHosts: '%.80s': want NAME:ADDRESS", h);
	memcpy(name, h, n);
	name[n] = '\0';
	if (conf_hostname("ExtraHosts", name, NULL, 256, e) < 0)
		return -1;
	a = sep + 1;
	an = strlen(a);
	if (an >= 2 && a[0] == '[' && a[an - 1] == ']') {
		a++;
		an -= 2;
	}
	if (an >= 64)
		return berr_set(e, EINVAL, "ExtraHosts: '%.80s': not an IP address", h);
	memcpy(addr, a, an);
	addr[an] = '\0';
	if (!strcmp(addr, "host-gateway"))
		return 0;
	if (dns_ok(addr, e) < 0)
		return berr_set(e, EINVAL, "ExtraHosts: '%.80s': not an IP address", h);
	return 0;
}

int net_files_check(const struct net_files_extra *x, struct berr *e)
{
	char name[256], addr[64];

	for (int i = 0; i < x->n_dns; i++)
		if (dns_ok(x->dns[i], e) < 0)
			return -1;
	for (int i = 0; i < x->n_search; i++)
		if (conf_hostname("DnsSearch", x->search[i], NULL, 254, e) < 0)
			return -1;
	for (int i = 0; i < x->n_options; i++)
		if (option_ok(x->options[i], e) < 0)
			return -1;
	for (int i = 0; i < x->n_hosts; i++)
		if (host_entry(x->hosts[i], name, addr, e) < 0)
			return -1;
	if (x->domainname && x->domainname[0] &&
	    conf_hostname("Domainname", x->domainname, NULL, 254, e) < 0)
		return -1;
	return 0;
}

static int resolv(int dirfd, const struct net_conf *c, const struct net_files_extra *x,
		  struct berr *e)
{
	struct text t = { .len = 0 };
	char a[16];
	int servers = 0;

	for (int i = 0; i < x->n_dns; i++, servers++)
		add(&t, "nameserver %s\n", x->dns[i]);
	for (int i = 0; !x->n_dns && c->dns_set && i < c->n_dns; i++, servers++)
		add(&t, "nameserver %s\n", ip4(c->dns[i], a));
	if (x->n_search) {
		add(&t, "search");
		for (int i = 0; i < x->n_search; i++)
			add(&t, " %s", x->search[i]);
		add(&t, "\n");
	}
	if (x->n_options) {
		add(&t, "options");
		for (int i = 0; i < x->n_options; i++)
			add(&t, " %s", x->options[i]);
		add(&t, "\n");
	}
	from_host(&t, c, x, &servers);
	if (!servers)
		add(&t, "# no DNS server: the host has none but loopback ones; "
			"set berth.conf [" NET_CONF_SECTION "] dns\n");
	return write_text(dirfd, "resolv.conf", &t, e);
}

/* ExtraHosts entries (checked by net_files_check first). */
static void extra_hosts(struct text *t, const struct net_conf *c, const struct net_files_extra *x)
{
	for (int i = 0; i < x->n_hosts; i++) {
		char name[256], addr[64], a[16];
		struct berr e;

		if (host_entry(x->hosts[i], name, addr, &e) < 0)
			continue;
		add(t, "%s\t%s\n", strcmp(addr, "host-gateway") ? addr : ip4(c->gw, a), name);
	}
}

int net_files_write(int dirfd, const struct net_conf *c, const char *hostname,
		    const struct net_lease *l, struct berr *e)
{
	static const struct net_files_extra none;

	return net_files_write_extra(dirfd, c, hostname, l, &none, e);
}

int net_files_write_extra(int dirfd, const struct net_conf *c, const char *hostname,
			  const struct net_lease *l, const struct net_files_extra *x, struct berr *e)
{
	struct text t = { .len = 0 };
	char a[16];

	if (conf_hostname("hostname", hostname, NULL, 64, e) < 0 || net_files_check(x, e) < 0)
		return -1;
	add(&t, "127.0.0.1\tlocalhost\n"
		"::1\tlocalhost ip6-localhost ip6-loopback\n"
		"fe00::0\tip6-localnet\n"
		"ff00::0\tip6-mcastprefix\n"
		"ff02::1\tip6-allnodes\n"
		"ff02::2\tip6-allrouters\n");
	if (l && x->domainname && x->domainname[0])
		add(&t, "%s\t%s.%s %s\n", ip4(l->addr, a), hostname, x->domainname, hostname);
	else if (l)
		add(&t, "%s\t%s\n", ip4(l->addr, a), hostname);
	extra_hosts(&t, c, x);
	if (write_text(dirfd, "hosts", &t, e) < 0)
		return -1;
	t.len = 0;
	add(&t, "%s\n", hostname);
	if (write_text(dirfd, "hostname", &t, e) < 0)
		return -1;
	return resolv(dirfd, c, x, e);
}

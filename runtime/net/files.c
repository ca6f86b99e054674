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

/* search and options lines of the host's file, and its nameservers when
 * [network] dns is not set. */
static void from_host(struct text *t, const struct net_conf *c, int *servers)
{
	char host[HOST_RESOLV_MAX], *line, *save = NULL;
	struct berr e;

	if (fs_read(c->resolv_conf, host, sizeof host, &e) < 0)
		return; /* none: no servers from it */
	for (line = strtok_r(host, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char word[16], val[64];

		if (sscanf(line, "%15s %63s", word, val) != 2)
			continue;
		if (!strcmp(word, "search") || !strcmp(word, "options"))
			add(t, "%s\n", line);
		else if (!strcmp(word, "nameserver") && !c->dns_set && !loopback(val)) {
			add(t, "nameserver %s\n", val);
			++*servers;
		}
	}
}

static int resolv(int dirfd, const struct net_conf *c, struct berr *e)
{
	struct text t = { .len = 0 };
	char a[16];
	int servers = 0;

	for (int i = 0; c->dns_set && i < c->n_dns; i++, servers++)
		add(&t, "nameserver %s\n", ip4(c->dns[i], a));
	from_host(&t, c, &servers);
	if (!servers)
		add(&t, "# no DNS server: the host has none but loopback ones; "
			"set berth.conf [network] dns\n");
	return write_text(dirfd, "resolv.conf", &t, e);
}

int net_files_write(int dirfd, const struct net_conf *c, const char *hostname,
		    const struct net_lease *l, struct berr *e)
{
	struct text t = { .len = 0 };
	char a[16];

	if (conf_hostname("hostname", hostname, NULL, 64, e) < 0)
		return -1;
	add(&t, "127.0.0.1\tlocalhost\n"
		"::1\tlocalhost ip6-localhost ip6-loopback\n"
		"fe00::0\tip6-localnet\n"
		"ff00::0\tip6-mcastprefix\n"
		"ff02::1\tip6-allnodes\n"
		"ff02::2\tip6-allrouters\n");
	if (l)
		add(&t, "%s\t%s\n", ip4(l->addr, a), hostname);
	if (write_text(dirfd, "hosts", &t, e) < 0)
		return -1;
	t.len = 0;
	add(&t, "%s\n", hostname);
	if (write_text(dirfd, "hostname", &t, e) < 0)
		return -1;
	return resolv(dirfd, c, e);
}

/* net_tool.c — runtime/net as a command for the host tests (the engine's
 * calls, one per run):
 *
 *   net_tool [-o KEY=VALUE]... bridge-up
 *   net_tool [-o KEY=VALUE]... nft                         the nf_tables table alone
 *   net_tool [-o KEY=VALUE]... up DATA_ROOT RUN_DIR ID     prints ADDR/PREFIX GW IFNAME
 *   net_tool [-o KEY=VALUE]... down DATA_ROOT RUN_DIR ID
 *   net_tool [-o KEY=VALUE]... files DIR HOSTNAME [ADDR] [dns=A|search=D|host=N:A|domain=D]...
 *   net_tool [-o KEY=VALUE]... proxy BIN ADDR CGROUP|- [IP:]HPORT:CPORT[/udp]...   prints the pid
 *   net_tool proxy-stop PID
 *
 * -o sets a [network] key. Exit 0, or 1 with the library's message. up runs
 * in a second thread, as in berthd, and fails (exit 3) unless that thread
 * and the main one are in their first network namespace afterwards.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runtime/net/net.h"
#include "runtime/net/nft.h"

struct up_job {
	const struct net_conf *c;
	char **argv;
	struct net_lease l;
	struct berr e;
	int rc, moved;
};

static void netns_of(const char *who, char *buf, size_t n)
{
	ssize_t k = readlink(who, buf, n - 1);

	buf[k > 0 ? k : 0] = '\0';
}

static void *up_thread(void *arg)
{
	struct up_job *j = arg;
	char before[64], after[64];

	netns_of("/proc/thread-self/ns/net", before, sizeof before);
	j->rc = net_container_up(j->c, j->argv[0], j->argv[1], j->argv[2], &j->l, &j->e);
	netns_of("/proc/thread-self/ns/net", after, sizeof after);
	j->moved = strcmp(before, after) != 0;
	return NULL;
}

/* net_container_up from a thread of its own, as berthd calls it */
static int up(const struct net_conf *c, char **argv, struct net_lease *l, struct berr *e)
{
	struct up_job j = { .c = c, .argv = argv };
	char before[64], after[64];
	pthread_t t;

	netns_of("/proc/thread-self/ns/net", before, sizeof before);
	if (pthread_create(&t, NULL, up_thread, &j) != 0 || pthread_join(t, NULL) != 0)
		return berr_set(e, 0, "thread");
	netns_of("/proc/thread-self/ns/net", after, sizeof after);
	if (j.moved || strcmp(before, after)) {
		fprintf(stderr, "net_tool: a thread stayed in another network namespace\n");
		exit(3);
	}
	*l = j.l;
	*e = j.e;
	return j.rc;
}

static int fail(const struct berr *e)
{
	fprintf(stderr, "net_tool: %s\n", e->msg);
	return 1;
}

/* [IP:]HPORT:CPORT[/udp] */
static int port(const char *s, struct net_port *p)
{
	char buf[80], *a = buf, *c, *h;

	memset(p, 0, sizeof *p);
	snprintf(buf, sizeof buf, "%s", s);
	if ((c = strstr(buf, "/udp")))
		*c = '\0', p->udp = 1;
	c = strrchr(buf, ':');
	if (!c)
		return -1;
	*c++ = '\0';
	h = strrchr(buf, ':');
	if (h) {
		*h++ = '\0';
		snprintf(p->host_ip, sizeof p->host_ip, "%.45s", a);
	} else {
		h = a;
	}
	p->hport = (uint16_t)atoi(h);
	p->cport = (uint16_t)atoi(c);
	return 0;
}

static int proxy(const struct net_conf *c, int argc, char **argv, struct berr *e)
{
	struct net_port ports[16];
	struct net_bound bound[64];
	struct net_lease l = { .prefix = c->prefix };
	pid_t pid;
	int n = 0, nb;

	if (argc < 4 || net_parse_ip4(argv[1], &l.addr, e) < 0)
		return -1;
	for (int i = 3; i < argc && n < 16; i++)
		if (port(argv[i], &ports[n++]) < 0)
			return berr_set(e, 0, "bad port %s", argv[i]);
	if (net_proxy_spawn(argv[0], c, ports, n, &l, strcmp(argv[2], "-") ? argv[2] : NULL, bound, 64, &nb,
			    &pid, e) < 0)
		return -1;
	printf("%d\n", (int)pid);
	return 0;
}

static int files(const struct net_conf *c, int argc, char **argv, struct berr *e)
{
	struct net_lease l = { .prefix = c->prefix, .gw = c->gw };
	const char *dns[8], *search[8], *hosts[8];
	struct net_files_extra x = { .dns = dns, .search = search, .hosts = hosts };
	int dfd, rc, have_addr = argc > 2 && !strchr(argv[2], '=');

	if (argc < 2)
		return berr_set(e, 0, "files DIR HOSTNAME [ADDR]");
	if (have_addr && net_parse_ip4(argv[2], &l.addr, e) < 0)
		return -1;
	for (int i = 2 + have_addr; i < argc; i++) {
		if (!strncmp(argv[i], "dns=", 4) && x.n_dns < 8)
			dns[x.n_dns++] = argv[i] + 4;
		else if (!strncmp(argv[i], "search=", 7) && x.n_search < 8)
			search[x.n_search++] = argv[i] + 7;
		else if (!strncmp(argv[i], "host=", 5) && x.n_hosts < 8)
			hosts[x.n_hosts++] = argv[i] + 5;
		else if (!strncmp(argv[i], "domain=", 7))
			x.domainname = argv[i] + 7;
		else
			return berr_set(e, 0, "bad files option %s", argv[i]);
	}
	dfd = open(argv[0], O_RDONLY | O_DIRECTORY);
	if (dfd < 0)
		return berr_sys(e, "%s", argv[0]);
	rc = net_files_write_extra(dfd, c, argv[1], have_addr ? &l : NULL, &x, e);
	close(dfd);
	return rc;
}

int main(int argc, char **argv)
{
	struct net_conf c;
	struct net_lease l;
	struct berr e = { 0, "" };
	int i = 1, rc = -1;

	net_conf_init(&c);
	for (; i + 1 < argc && !strcmp(argv[i], "-o"); i += 2) {
		char key[64], *eq = strchr(argv[i + 1], '=');

		if (!eq || (size_t)(eq - argv[i + 1]) >= sizeof key)
			return 2;
		memcpy(key, argv[i + 1], (size_t)(eq - argv[i + 1]));
		key[eq - argv[i + 1]] = '\0';
		if (net_conf_set(&c, key, eq + 1, &e) < 0)
			return fail(&e);
	}
	if (i == argc)
		return 2;
	if (!strcmp(argv[i], "bridge-up")) {
		rc = net_bridge_up(&c, &e);
	} else if (!strcmp(argv[i], "nft") && argc - i == 1) {
		rc = net_nft_apply(c.bridge, c.subnet, c.prefix, &e);
	} else if (!strcmp(argv[i], "up") && argc - i == 4) {
		rc = up(&c, argv + i + 1, &l, &e);
		if (rc == 0) {
			char a[16], g[16];
			printf("%s/%d %s %s\n", inet_ntop(AF_INET, &l.addr, a, sizeof a), l.prefix,
			       inet_ntop(AF_INET, &l.gw, g, sizeof g), l.ifname);
		}
	} else if (!strcmp(argv[i], "down") && argc - i == 4) {
		rc = net_container_down(&c, argv[i + 1], argv[i + 2], argv[i + 3], &e);
	} else if (!strcmp(argv[i], "files")) {
		rc = files(&c, argc - i - 1, argv + i + 1, &e);
	} else if (!strcmp(argv[i], "proxy")) {
		rc = proxy(&c, argc - i - 1, argv + i + 1, &e);
	} else if (!strcmp(argv[i], "proxy-stop") && argc - i == 2) {
		rc = net_proxy_stop((pid_t)atoi(argv[i + 1]), &e);
	} else {
		return 2;
	}
	return rc < 0 ? fail(&e) : 0;
}

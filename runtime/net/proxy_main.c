/* proxy_main.c — berth-proxy: the published ports of one container.
 *
 * Usage: berth-proxy --status FD --to ADDRESS --user UID:GID FD:tcp|udp:PORT...
 *
 * berthd binds the host's sockets (as root, so low ports work) and starts
 * this program detached with them as inherited descriptors. It drops to
 * UID:GID with no capabilities (securebits locked, so root could not
 * regain them either), no_new_privs and its seccomp filter (no file
 * system, no exec, only AF_INET sockets), then writes "ok" to the status
 * descriptor and closes it, and relays until killed (proxy.h).
 *
 * Exit codes: 100 usage, 111 system call failed (set-up or the loop).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/securebits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "autoconf.h"
#include "lib/conf.h"
#include "lib/sandbox.h"
#include "lib/seccomp.h"
#include "lib/util.h"
#include "runtime/net/net.h"
#include "runtime/net/proxy.h"

#define PROG "berth-proxy"

struct args {
	int status;
	uint32_t target;
	uid_t uid;
	gid_t gid;
	struct proxy_listener ls[CONFIG_NET_PORTS_MAX];
	int n;
};

static int usage(void)
{
	fprintf(stderr, "usage: " PROG " --status FD --to ADDRESS --user UID:GID FD:tcp|udp:PORT...\n"
		"exit codes: 100 usage, 111 system call failed\n");
	return 100;
}

static int number(const char *s, long long max, long long *out)
{
	struct berr e;

	return conf_int("number", s, 0, max, out, &e);
}

/* FD:tcp|udp:PORT */
static int listener(const char *s, struct proxy_listener *l)
{
	char buf[32], *proto, *port;
	long long fd, p;

	if (strlen(s) >= sizeof buf)
		return -1;
	strcpy(buf, s);
	proto = strchr(buf, ':');
	port = proto ? strchr(proto + 1, ':') : NULL;
	if (!port)
		return -1;
	*proto++ = '\0';
	*port++ = '\0';
	if (number(buf, 65535, &fd) < 0 || fd < 3 || number(port, 65535, &p) < 0 || p == 0)
		return -1;
	if (strcmp(proto, "tcp") && strcmp(proto, "udp"))
		return -1;
	l->fd = (int)fd;
	l->udp = !strcmp(proto, "udp");
	l->cport = (uint16_t)p;
	return 0;
}

static int parse(int argc, char **argv, struct args *a)
{
	struct net_conf c;
	struct berr e;
	long long v;
	int i, have = 0;

	a->status = -1;
	for (i = 1; i + 1 < argc && !strncmp(argv[i], "--", 2); i += 2) {
		if (!strcmp(argv[i], "--status") && number(argv[i + 1], 65535, &v) == 0)
			a->status = (int)v, have |= 1;
		else if (!strcmp(argv[i], "--to") && net_parse_ip4(argv[i + 1], &a->target, &e) == 0)
			have |= 2;
		else if (!strcmp(argv[i], "--user") && net_conf_set(&c, "proxy_user", argv[i + 1], &e) == 0)
			a->uid = c.proxy_uid, a->gid = c.proxy_gid, have |= 4;
		else
			return -1;
	}
	if (have != 7 || i == argc || argc - i > CONFIG_NET_PORTS_MAX)
		return -1;
	for (a->n = 0; i < argc; i++)
		if (listener(argv[i], &a->ls[a->n++]) < 0)
			return -1;
	return 0;
}

/* Room for every connection's six descriptors; raised while still root. */
static void nofile(int listeners)
{
	rlim_t want = (rlim_t)CONFIG_NET_PROXY_CONNS_MAX * 6 + CONFIG_NET_PROXY_UDP_FLOWS_MAX +
		      (rlim_t)listeners + 16;
	struct rlimit r = { want, want };

	setrlimit(RLIMIT_NOFILE, &r); /* best effort: a lower limit only refuses more */
}

int main(int argc, char **argv)
{
	static struct args a;
	struct sandbox sb = { 0 };
	struct berr e;

	if (parse(argc, argv, &a) < 0)
		return usage();
	signal(SIGPIPE, SIG_IGN);
	nofile(a.n);
	sb.uid = a.uid;
	sb.gid = a.gid;
	sb.caps = 0;
	sb.securebits = SECBIT_NOROOT | SECBIT_NOROOT_LOCKED | SECBIT_NO_SETUID_FIXUP |
			SECBIT_NO_SETUID_FIXUP_LOCKED | SECBIT_KEEP_CAPS_LOCKED |
			SECBIT_NO_CAP_AMBIENT_RAISE | SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED;
	sb.no_new_privs = 1;
	sb.filter = seccomp_proxy_filter;
	sb.filter_len = seccomp_proxy_len;
	if (sandbox_apply(&sb, &e) < 0) {
		dprintf(a.status, "sandbox: %s\n", e.msg);
		return 111;
	}
	if (util_write_all(a.status, "ok\n", 3, &e) < 0)
		return 111;
	close(a.status);
	if (proxy_run(a.ls, a.n, a.target, &e) < 0) {
		fprintf(stderr, PROG ": error: %s\n", e.msg);
		return 111;
	}
	return 0;
}

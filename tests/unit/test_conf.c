/* test_conf.c — PID 1's berth.conf keys: values, errors with file:line. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "init/conf.h"
#include "tests/unit/unit.h"

struct loaded {
	struct init_conf c;
	char log[4096];
	int rc;
};

static void load(const char *text, struct loaded *out)
{
	char path[] = "/tmp/berth-conf-XXXXXX";
	int fd = mkstemp(path), p[2];
	struct berr e;
	ssize_t n;

	CHECK(fd >= 0 && pipe(p) == 0);
	CHECK(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
	close(fd);
	struct logger lg = { .prog = "t", .fd = p[1], .stamp = 0, .level = LOG_DEBUG };
	out->rc = init_conf_load(&out->c, path, &lg, &e);
	close(p[1]);
	n = read(p[0], out->log, sizeof out->log - 1);
	out->log[n > 0 ? n : 0] = '\0';
	/* Error lines name the file; tests compare against "F:" */
	for (char *s; (s = strstr(out->log, path));)
		memmove(s + 1, s + strlen(path), strlen(s + strlen(path)) + 1), s[0] = 'F';
	unlink(path);
}

static void reads_every_key(void)
{
	struct loaded l;

	load("[system]\nhostname = edge-7.example\nmodules = virtio_pci virtio_blk\nmodules_after = softdog evdev\n"
	     "modules_late = overlay veth\n"
	     "console_shell = /bin/sh -l\n[api]\nlisten = 0.0.0.0:2376\n", &l);
	CHECK_INT(l.rc, 0);
	CHECK_INT(l.c.errors, 0);
	CHECK_STR(l.c.hostname, "edge-7.example");
	CHECK_STR(l.c.modules, "virtio_pci virtio_blk");
	CHECK_STR(l.c.modules_after, "softdog evdev");
	CHECK_STR(l.c.modules_late, "overlay veth");
	CHECK_STR(l.c.console_shell, "/bin/sh -l");
	CHECK_STR(l.log, "");
}

static void continuation_lines_append_modules(void)
{
	struct loaded l;

	load("[system]\nmodules = a\n  b c\n", &l);
	CHECK_STR(l.c.modules, "a b c");
}

static void bad_values_are_reported_with_line_and_skipped(void)
{
	struct loaded l;

	load("[system]\nhostname = -bad\nmodules = ok_mod\nconsole_shell = sh\nmodules = x/y\n", &l);
	CHECK_INT(l.rc, 0);
	CHECK_INT(l.c.errors, 3);
	CHECK_STR(l.c.hostname, "");
	CHECK_STR(l.c.console_shell, "");
	CHECK_STR(l.c.modules, "ok_mod");
	CHECK(strstr(l.log, "t: error: F:2: hostname:") != NULL);
	CHECK(strstr(l.log, "t: error: F:4: console_shell: want an absolute path: 'sh'") != NULL);
	CHECK(strstr(l.log, "t: error: F:5: modules:") != NULL);
}

static void hostname_longer_than_64_is_refused(void)
{
	struct loaded l;
	char text[256];

	snprintf(text, sizeof text, "[system]\nhostname = %065d\n", 1);
	load(text, &l);
	CHECK_INT(l.c.errors, 1);
	CHECK_STR(l.c.hostname, "");
}

static void syntax_error_names_the_line(void)
{
	struct loaded l;

	load("[system]\nhostname = ok\nthis line has no equals sign\n", &l);
	CHECK_INT(l.c.errors, 1);
	CHECK_STR(l.c.hostname, "ok");
	CHECK(strstr(l.log, "F:3: not a section") != NULL);
}

static void missing_file_is_defaults(void)
{
	struct init_conf c;
	struct berr e;
	struct logger lg = { .prog = "t", .fd = 2, .level = LOG_ERROR };

	CHECK_INT(init_conf_load(&c, "/nonexistent/berth.conf", &lg, &e), 0);
	CHECK_STR(c.hostname, "");
	CHECK_INT(c.errors, 0);
}

static void sysctls_services_and_data(void)
{
	struct loaded l;

	load("[system]\nsysctl.net.core.somaxconn = 1024\nsysctl.vm.swappiness=10\n"
	     "services = /etc/s.d\ndata = /data\nresolv_conf = /run/r.conf\n", &l);
	CHECK_INT(l.c.errors, 0);
	CHECK_INT(l.c.nsysctls, 2);
	CHECK_STR(l.c.sysctls[0].name, "net.core.somaxconn");
	CHECK_STR(l.c.sysctls[0].value, "1024");
	CHECK_STR(l.c.sysctls[1].name, "vm.swappiness");
	CHECK_STR(l.c.services_dir, "/etc/s.d");
	CHECK_STR(l.c.data_dir, "/data");
	CHECK_STR(l.c.resolv_conf, "/run/r.conf");
	load("[system]\n", &l);
	CHECK_STR(l.c.services_dir, "/etc/berth/services.d");
	CHECK_STR(l.c.data_dir, "/var/lib/berth");
	CHECK_STR(l.c.resolv_conf, "/etc/resolv.conf");
	load("[system]\nsysctl.../etc/passwd = x\nsysctl.Kernel.X = 1\nservices = rel\ndata = rel\n"
	     "sysctl. = 1\n", &l);
	CHECK_INT(l.c.errors, 5);
	CHECK_INT(l.c.nsysctls, 0);
	CHECK(strstr(l.log, "F:2: sysctl:") != NULL);
	CHECK(strstr(l.log, "F:3: sysctl:") != NULL);
	CHECK(strstr(l.log, "F:4: services:") != NULL);
	CHECK(strstr(l.log, "F:5: data:") != NULL);
}

static void at_most_32_sysctls(void)
{
	struct loaded l;
	char text[4096];
	int n = snprintf(text, sizeof text, "[system]\n");

	for (int i = 0; i < 33; i++)
		n += snprintf(text + n, sizeof text - (size_t)n, "sysctl.a.b%d = 1\n", i);
	load(text, &l);
	CHECK_INT(l.c.nsysctls, 32);
	CHECK_INT(l.c.errors, 1);
	CHECK(strstr(l.log, "F:34: sysctl: more than 32") != NULL);
}

static void network(void)
{
	struct loaded l;
	char a[16];

	load("[network]\neth0 = dhcp\neth1 = static 192.168.7.9/20 gateway 192.168.0.1 dns 1.1.1.1 dns 9.9.9.9\n"
	     "br.5 = static 10.0.0.2/32\n", &l);
	CHECK_INT(l.c.errors, 0);
	CHECK_INT(l.c.nifaces, 3);
	CHECK_STR(l.c.ifaces[0].name, "eth0");
	CHECK_INT(l.c.ifaces[0].dhcp, 1);
	CHECK_STR(l.c.ifaces[1].name, "eth1");
	CHECK_INT(l.c.ifaces[1].dhcp, 0);
	CHECK_INT(l.c.ifaces[1].prefix, 20);
	inet_ntop(AF_INET, &l.c.ifaces[1].addr, a, sizeof a);
	CHECK_STR(a, "192.168.7.9");
	inet_ntop(AF_INET, &l.c.ifaces[1].gateway, a, sizeof a);
	CHECK_STR(a, "192.168.0.1");
	CHECK_INT(l.c.ifaces[1].ndns, 2);
	inet_ntop(AF_INET, &l.c.ifaces[1].dns[1], a, sizeof a);
	CHECK_STR(a, "9.9.9.9");
	CHECK_INT(l.c.ifaces[2].prefix, 32);
	CHECK_INT(l.c.ifaces[2].gateway.s_addr, 0);
	CHECK_INT(l.c.ifaces[2].ndns, 0);
}

static void network_errors(void)
{
	struct loaded l;

	load("[network]\neth0 = dhcpv6\neth1 = static 10.0.0.1\neth2 = static 10.0.0.1/33\n"
	     "eth3 = static 10.0.0.300/8\neth4 = static 10.0.0.1/8 gateway x\n"
	     "eth5 = static 10.0.0.1/8 dns 1.1.1.1 dns 1.1.1.2 dns 1.1.1.3 dns 1.1.1.4\n"
	     "eth6 = static 10.0.0.1/8 via 10.0.0.2\nETH7 = dhcp\nthis-name-is-too-long = dhcp\n"
	     "a = dhcp\na = dhcp\nb = dhcp\nc = dhcp\nd = dhcp\ne = dhcp\n", &l);
	CHECK_INT(l.c.nifaces, 4); /* a b c d; e is one too many */
	CHECK(strstr(l.log, "F:2: network: want 'dhcp' or 'static"));
	CHECK(strstr(l.log, "F:3: network: static: want ADDRESS/PREFIX"));
	CHECK(strstr(l.log, "F:4: network: static: prefix must be 1-32"));
	CHECK(strstr(l.log, "F:5: network: static: want ADDRESS/PREFIX"));
	CHECK(strstr(l.log, "F:6: network: static: gateway:"));
	CHECK(strstr(l.log, "F:7: network: static: more than 3 dns"));
	CHECK(strstr(l.log, "F:8: network: static: want 'gateway ADDRESS'"));
	CHECK(strstr(l.log, "F:9: network: want an interface name"));
	CHECK(strstr(l.log, "F:10: network: want an interface name"));
	CHECK(strstr(l.log, "F:12: network: interface given twice"));
	CHECK(strstr(l.log, "F:16: network: more than 4 interfaces"));
	CHECK_INT(l.c.errors, 11);
}

/* Values go through lib/conf: RFC 1123 hostnames, normalised paths. */
static void lib_conf_values(void)
{
	struct loaded l;

	load("[system]\nhostname = a..b\nhostname = a-.b\nservices = /etc//s.d/\n"
	     "data = /var/../etc\nconsole_shell = /bin/./sh -l\nhostname = ok-1.b\n", &l);
	CHECK_INT(l.c.errors, 4);
	CHECK_STR(l.c.hostname, "ok-1.b");
	CHECK_STR(l.c.services_dir, "/etc/s.d");
	CHECK_STR(l.c.data_dir, "/var/lib/berth");
	CHECK_STR(l.c.console_shell, "");
	CHECK(strstr(l.log, "F:2: hostname: want 1-64 bytes of dot-separated labels"));
	CHECK(strstr(l.log, "F:3: hostname:"));
	CHECK(strstr(l.log, "F:5: data: want an absolute path without . or .. components: '/var/../etc'"));
	CHECK(strstr(l.log, "F:6: console_shell: want an absolute path without"));
}

/* The data partition's wait and the ephemeral mode; forwarding and RAs. */
static void data_and_network_hardening_keys(void)
{
	struct loaded l;

	load("[system]\n", &l);
	CHECK_INT(l.c.data_wait_ms, 5000);
	CHECK_INT(l.c.data_ephemeral, 0);
	CHECK_INT(l.c.ip_forward, 0);
	CHECK_INT(l.c.ipv6_accept_ra, 0);
	load("[system]\ndata_wait = 300ms\ndata_ephemeral = 64M\nip_forward = yes\nipv6_accept_ra = on\n", &l);
	CHECK_INT(l.c.errors, 0);
	CHECK_INT(l.c.data_wait_ms, 300);
	CHECK_INT(l.c.data_ephemeral, 64LL << 20);
	CHECK_INT(l.c.ip_forward, 1);
	CHECK_INT(l.c.ipv6_accept_ra, 1);
	load("[system]\ndata_wait = 2m\ndata_ephemeral = 100K\nip_forward = maybe\n", &l);
	CHECK_INT(l.c.errors, 3);
	CHECK_INT(l.c.data_wait_ms, 5000);
	CHECK_INT(l.c.data_ephemeral, 0);
	CHECK_INT(l.c.ip_forward, 0);
	CHECK(strstr(l.log, "F:2: data_wait:"));
	CHECK(strstr(l.log, "F:3: data_ephemeral:"));
	CHECK(strstr(l.log, "F:4: ip_forward:"));
}

UNIT_MAIN(UNIT(data_and_network_hardening_keys), UNIT(lib_conf_values), UNIT(network), UNIT(network_errors), UNIT(sysctls_services_and_data), UNIT(at_most_32_sysctls), UNIT(reads_every_key), UNIT(continuation_lines_append_modules),
	  UNIT(bad_values_are_reported_with_line_and_skipped), UNIT(hostname_longer_than_64_is_refused),
	  UNIT(syntax_error_names_the_line), UNIT(missing_file_is_defaults))

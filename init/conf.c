/* conf.c — PID 1's part of berth.conf, read with lib/conf; fixed-size
 * fields, no allocation. */
#include "init/conf.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "lib/conf.h"
#include "lib/util.h"

#define BLANKS " \t"

struct parse {
	struct init_conf *c;
	const struct logger *lg;
};

static void report(void *ctx, const char *file, int line, const char *msg)
{
	struct parse *p = ctx;

	log_msg(p->lg, LOG_ERROR, "%s:%d: %s", file, line, msg);
}

static int on_modules(char *list, size_t size, const char *key, const char *v, struct berr *e)
{
	size_t used = strlen(list), n = strlen(v);

	if (strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_- \t") != n)
		return conf_bad(e, key, v, "names may hold only [A-Za-z0-9_-]");
	if (used + 1 + n >= size)
		return conf_bad(e, key, v, "list longer than %zu bytes", size - 1);
	if (used)
		list[used++] = ' ';
	memcpy(list + used, v, n + 1);
	return 0;
}

/* "/PATH [ARG…]": the program must be an absolute path; kept as written. */
static int on_console_shell(struct init_conf *c, const char *v, struct berr *e)
{
	char prog[INIT_CONF_SHELL_MAX], norm[INIT_CONF_SHELL_MAX];

	if (conf_string("console_shell", v, prog, sizeof prog, e) < 0)
		return -1;
	prog[strcspn(prog, BLANKS)] = '\0';
	if (conf_path("console_shell", prog, norm, sizeof norm, e) < 0)
		return -1;
	memcpy(c->console_shell, v, strlen(v) + 1);
	return 0;
}

static int on_sysctl(struct init_conf *c, const char *name, const char *v, struct berr *e)
{
	size_t n = strlen(name);

	if (n == 0 || n >= INIT_CONF_SYSCTL_NAME_MAX || name[0] == '.' || strstr(name, "..") ||
	    strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_.-") != n)
		return conf_bad(e, "sysctl", name, "want sysctl.NAME with NAME 1-%d of [a-z0-9_.-]",
				INIT_CONF_SYSCTL_NAME_MAX - 1);
	if (c->nsysctls >= INIT_CONF_SYSCTLS_MAX)
		return conf_bad(e, "sysctl", name, "more than %d", INIT_CONF_SYSCTLS_MAX);
	if (conf_string("sysctl: value", v, c->sysctls[c->nsysctls].value,
			sizeof c->sysctls[0].value, e) < 0)
		return -1;
	memcpy(c->sysctls[c->nsysctls].name, name, n + 1);
	c->nsysctls++;
	return 0;
}

static int on_system(struct init_conf *c, const char *key, const char *v, struct berr *e)
{
	static const struct { const char *key; size_t off; } paths[] = {
		{ "services", offsetof(struct init_conf, services_dir) },
		{ "data", offsetof(struct init_conf, data_dir) },
		{ "resolv_conf", offsetof(struct init_conf, resolv_conf) },
	};

	if (strcmp(key, "hostname") == 0)
		return conf_hostname(key, v, c->hostname, sizeof c->hostname, e);
	if (strcmp(key, "modules") == 0)
		return on_modules(c->modules, sizeof c->modules, key, v, e);
	if (strcmp(key, "modules_after") == 0)
		return on_modules(c->modules_after, sizeof c->modules_after, key, v, e);
	if (strcmp(key, "modules_late") == 0)
		return on_modules(c->modules_late, sizeof c->modules_late, key, v, e);
	if (strcmp(key, "console_shell") == 0)
		return on_console_shell(c, v, e);
	if (strncmp(key, "sysctl.", 7) == 0)
		return on_sysctl(c, key + 7, v, e);
	if (strcmp(key, "data_wait") == 0)
		return conf_duration(key, v, 0, INIT_CONF_DATA_WAIT_MAX_MS, &c->data_wait_ms, e);
	if (strcmp(key, "data_ephemeral") == 0)
		return conf_size(key, v, 1LL << 20, 64LL << 30, &c->data_ephemeral, e);
	if (strcmp(key, "ip_forward") == 0)
		return conf_bool(key, v, &c->ip_forward, e);
	if (strcmp(key, "ipv6_accept_ra") == 0)
		return conf_bool(key, v, &c->ipv6_accept_ra, e);
	for (size_t i = 0; i < ARRAY_SIZE(paths); i++)
		if (strcmp(key, paths[i].key) == 0)
			return conf_path(key, v, (char *)c + paths[i].off, INIT_CONF_SHELL_MAX, e);
	return 0; /* other [system] keys belong to other programs */
}

static int ip4(const char *s, size_t n, struct in_addr *a)
{
	char buf[16];

	if (!s || n == 0 || n >= sizeof buf)
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return inet_pton(AF_INET, buf, a) == 1 ? 0 : -1;
}

/* "static A.B.C.D/N [gateway A.B.C.D] [dns A.B.C.D]…" after "static". */
static int on_static(struct init_iface *f, const char *v, const char *p, struct berr *e)
{
	const char *w, *slash, *kw;
	char num[3] = "";
	size_t len, klen;
	long long prefix;
	struct berr ignored;

	w = conf_word_next(&p, BLANKS, &len);
	slash = w ? memchr(w, '/', len) : NULL;
	if (!slash || ip4(w, (size_t)(slash - w), &f->addr) < 0)
		return conf_bad(e, "network", v, "static: want ADDRESS/PREFIX first");
	if ((size_t)(w + len - slash - 1) < sizeof num)
		memcpy(num, slash + 1, (size_t)(w + len - slash - 1));
	if (conf_int("prefix", num, 1, 32, &prefix, &ignored) < 0)
		return conf_bad(e, "network", v, "static: prefix must be 1-32");
	f->prefix = (int)prefix;
	while ((kw = conf_word_next(&p, BLANKS, &klen))) {
		w = conf_word_next(&p, BLANKS, &len);
		if (klen == 7 && strncmp(kw, "gateway", 7) == 0) {
			if (ip4(w, len, &f->gateway) < 0)
				return conf_bad(e, "network", v, "static: gateway: want an IPv4 address");
		} else if (klen == 3 && strncmp(kw, "dns", 3) == 0) {
			if (f->ndns == INIT_CONF_DNS_MAX)
				return conf_bad(e, "network", v, "static: more than %d dns", INIT_CONF_DNS_MAX);
			if (ip4(w, len, &f->dns[f->ndns++]) < 0)
				return conf_bad(e, "network", v, "static: dns: want an IPv4 address");
		} else {
			return conf_bad(e, "network", v, "static: want 'gateway ADDRESS' or 'dns ADDRESS'");
		}
	}
	return 0;
}

/* IFNAME = dhcp | static … */
static int on_network(struct init_conf *c, const char *name, const char *v, struct berr *e)
{
	struct init_iface f;
	size_t n = strlen(name);

	memset(&f, 0, sizeof f);
	if (n == 0 || n >= sizeof f.name || strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789._-") != n)
		return conf_bad(e, "network", name, "want an interface name of 1-%zu [a-z0-9._-]",
				sizeof f.name - 1);
	memcpy(f.name, name, n + 1);
	for (int i = 0; i < c->nifaces; i++)
		if (strcmp(c->ifaces[i].name, name) == 0)
			return conf_bad(e, "network", name, "interface given twice");
	if (c->nifaces >= INIT_CONF_IFACES_MAX)
		return conf_bad(e, "network", name, "more than %d interfaces", INIT_CONF_IFACES_MAX);
	if (strcmp(v, "dhcp") == 0)
		f.dhcp = 1;
	else if (strncmp(v, "static ", 7) == 0) {
		if (on_static(&f, v, v + 7, e) < 0)
			return -1;
	} else
		return conf_bad(e, "network", v, "want 'dhcp' or 'static ADDRESS/PREFIX "
				"[gateway ADDRESS] [dns ADDRESS]...'");
	c->ifaces[c->nifaces++] = f;
	return 0;
}

static int on_key(void *ctx, const char *section, const char *key, const char *v, struct berr *e)
{
	struct parse *p = ctx;

	if (strcmp(section, "system") == 0)
		return on_system(p->c, key, v, e);
	if (strcmp(section, "network") == 0)
		return on_network(p->c, key, v, e);
	return 0;
}

int init_conf_load(struct init_conf *c, const char *path, const struct logger *lg,
		   struct berr *e)
{
	struct parse p = { .c = c, .lg = lg };
	struct conf_reader r = { .file = path, .on_key = on_key, .report = report, .ctx = &p };
	char text[INIT_CONF_FILE_MAX];
	int rc;

	memset(c, 0, sizeof *c);
	snprintf(c->services_dir, sizeof c->services_dir, "/etc/berth/services.d");
	snprintf(c->data_dir, sizeof c->data_dir, "/var/lib/berth");
	snprintf(c->resolv_conf, sizeof c->resolv_conf, "/etc/resolv.conf");
	c->data_wait_ms = INIT_CONF_DATA_WAIT_MS;
	rc = conf_parse_file(&r, path, text, sizeof text, e);
	c->errors = r.errors;
	if (rc < 0 && e->errnum == ENOENT)
		return 0;
	return rc;
}

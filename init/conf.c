/* conf.c — PID 1's part of berth.conf; fixed-size fields, no allocation. */
#include "init/conf.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct parse {
	struct init_conf *c;
	const struct logger *lg;
	const char *path;
};

static int bad(struct parse *p, int lineno, const char *what, const char *value)
{
	log_msg(p->lg, LOG_ERROR, "%s:%d: %s: '%.80s'", p->path, lineno, what, value);
	p->c->errors++;
	return 1; /* keep parsing: one bad line must not stop the boot */
}

static int valid_hostname(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > INIT_CONF_HOSTNAME_MAX || s[0] == '-' || s[0] == '.')
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '-' || *s == '.'))
			return 0;
	return 1;
}

static int valid_module_list(const char *s)
{
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_' || *s == '-' || *s == ' ' || *s == '\t'))
			return 0;
	return 1;
}

static int on_sysctl(struct parse *p, const char *name, const char *value, int lineno)
{
	struct init_conf *c = p->c;
	size_t n = strlen(name);

	if (n == 0 || n >= INIT_CONF_SYSCTL_NAME_MAX || name[0] == '.' || strstr(name, "..") ||
	    strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_.-") != n)
		return bad(p, lineno, "sysctl: want sysctl.NAME with NAME 1-63 of [a-z0-9_.-]", name);
	if (strlen(value) >= INIT_CONF_SYSCTL_VALUE_MAX || strchr(value, '\n'))
		return bad(p, lineno, "sysctl: value longer than 63 bytes", value);
	if (c->nsysctls >= INIT_CONF_SYSCTLS_MAX)
		return bad(p, lineno, "sysctl: more than 32", name);
	snprintf(c->sysctls[c->nsysctls].name, sizeof c->sysctls[0].name, "%s", name);
	snprintf(c->sysctls[c->nsysctls].value, sizeof c->sysctls[0].value, "%s", value);
	c->nsysctls++;
	return 1;
}

static int on_system(struct parse *p, const char *name, const char *value, int lineno)
{
	struct init_conf *c = p->c;

	if (strcmp(name, "hostname") == 0) {
		if (!valid_hostname(value))
			return bad(p, lineno, "hostname: want 1-64 of [A-Za-z0-9.-], not starting with - or .", value);
		snprintf(c->hostname, sizeof c->hostname, "%s", value);
	} else if (strcmp(name, "modules") == 0) {
		size_t used = strlen(c->modules);
		if (!valid_module_list(value))
			return bad(p, lineno, "modules: names may hold only [A-Za-z0-9_-]", value);
		if (used + 1 + strlen(value) >= sizeof c->modules)
			return bad(p, lineno, "modules: list longer than 2047 bytes", value);
		if (used)
			c->modules[used++] = ' ';
		memcpy(c->modules + used, value, strlen(value) + 1);
	} else if (strcmp(name, "console_shell") == 0) {
		if (value[0] != '/')
			return bad(p, lineno, "console_shell: want an absolute path", value);
		if (strlen(value) >= sizeof c->console_shell)
			return bad(p, lineno, "console_shell: longer than 255 bytes", value);
		snprintf(c->console_shell, sizeof c->console_shell, "%s", value);
	} else if (strcmp(name, "services") == 0) {
		if (value[0] != '/')
			return bad(p, lineno, "services: want an absolute path", value);
		if (strlen(value) >= sizeof c->services_dir)
			return bad(p, lineno, "services: longer than 255 bytes", value);
		snprintf(c->services_dir, sizeof c->services_dir, "%s", value);
	} else if (strcmp(name, "data") == 0) {
		if (value[0] != '/')
			return bad(p, lineno, "data: want an absolute path", value);
		if (strlen(value) >= sizeof c->data_dir)
			return bad(p, lineno, "data: longer than 255 bytes", value);
		snprintf(c->data_dir, sizeof c->data_dir, "%s", value);
	} else if (strcmp(name, "resolv_conf") == 0) {
		if (value[0] != '/')
			return bad(p, lineno, "resolv_conf: want an absolute path", value);
		if (strlen(value) >= sizeof c->resolv_conf)
			return bad(p, lineno, "resolv_conf: longer than 255 bytes", value);
		snprintf(c->resolv_conf, sizeof c->resolv_conf, "%s", value);
	} else if (strncmp(name, "sysctl.", 7) == 0) {
		return on_sysctl(p, name + 7, value, lineno);
	}
	/* Other [system] keys (sysctls…) are read by their own modules. */
	return 1;
}

static int ip4(const char *s, size_t n, struct in_addr *a)
{
	char buf[16];

	if (n == 0 || n >= sizeof buf)
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return inet_pton(AF_INET, buf, a) == 1 ? 0 : -1;
}

/* "dhcp" or "static A.B.C.D/N [gateway A.B.C.D] [dns A.B.C.D]…" */
static int on_network(struct parse *p, const char *name, const char *value, int lineno)
{
	struct init_conf *c = p->c;
	struct init_iface f;
	const char *v = value;
	size_t n = strlen(name);

	memset(&f, 0, sizeof f);
	if (n == 0 || n >= sizeof f.name || strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789._-") != n)
		return bad(p, lineno, "network: want an interface name of 1-15 [a-z0-9._-]", name);
	memcpy(f.name, name, n + 1);
	for (int i = 0; i < c->nifaces; i++)
		if (strcmp(c->ifaces[i].name, name) == 0)
			return bad(p, lineno, "network: interface given twice", name);
	if (c->nifaces >= INIT_CONF_IFACES_MAX)
		return bad(p, lineno, "network: more than 4 interfaces", name);
	if (strcmp(v, "dhcp") == 0) {
		f.dhcp = 1;
	} else if (strncmp(v, "static ", 7) == 0) {
		const char *w = v + 7, *slash;
		size_t len;
		char *end;
		long prefix;

		w += strspn(w, " \t");
		len = strcspn(w, " \t");
		slash = memchr(w, '/', len);
		if (!slash || ip4(w, (size_t)(slash - w), &f.addr) < 0)
			return bad(p, lineno, "network: static: want ADDRESS/PREFIX first", value);
		prefix = strtol(slash + 1, &end, 10);
		if (end != w + len || end == slash + 1 || prefix < 1 || prefix > 32)
			return bad(p, lineno, "network: static: prefix must be 1-32", value);
		f.prefix = (int)prefix;
		w += len;
		for (;;) {
			const char *kw;
			size_t klen;

			w += strspn(w, " \t");
			if (!*w)
				break;
			kw = w;
			klen = strcspn(w, " \t");
			w += klen;
			w += strspn(w, " \t");
			len = strcspn(w, " \t");
			if (klen == 7 && strncmp(kw, "gateway", 7) == 0) {
				if (ip4(w, len, &f.gateway) < 0)
					return bad(p, lineno, "network: static: gateway: want an IPv4 address", value);
			} else if (klen == 3 && strncmp(kw, "dns", 3) == 0) {
				if (f.ndns == INIT_CONF_DNS_MAX)
					return bad(p, lineno, "network: static: more than 3 dns", value);
				if (ip4(w, len, &f.dns[f.ndns++]) < 0)
					return bad(p, lineno, "network: static: dns: want an IPv4 address", value);
			} else {
				return bad(p, lineno, "network: static: want 'gateway ADDRESS' or 'dns ADDRESS'", value);
			}
			w += len;
		}
	} else {
		return bad(p, lineno, "network: want 'dhcp' or 'static ADDRESS/PREFIX [gateway ADDRESS] [dns ADDRESS]...'", value);
	}
	c->ifaces[c->nifaces++] = f;
	return 1;
}

static int handler(void *user, const char *section, const char *name, const char *value,
		   int lineno)
{
	struct parse *p = user;

	if (strcmp(section, "system") == 0)
		return on_system(p, name, value, lineno);
	if (strcmp(section, "network") == 0)
		return on_network(p, name, value, lineno);
	return 1;
}

int init_conf_load(struct init_conf *c, const char *path, const struct logger *lg,
		   struct berr *e)
{
	struct parse p = { .c = c, .lg = lg, .path = path };
	FILE *f;
	int rc;

	memset(c, 0, sizeof *c);
	snprintf(c->services_dir, sizeof c->services_dir, "/etc/berth/services.d");
	snprintf(c->data_dir, sizeof c->data_dir, "/var/lib/berth");
	snprintf(c->resolv_conf, sizeof c->resolv_conf, "/etc/resolv.conf");
	f = fopen(path, "re");
	if (!f) {
		if (errno == ENOENT)
			return 0;
		return berr_sys(e, "open %s", path);
	}
	rc = ini_parse_file(f, handler, &p);
	fclose(f);
	if (rc > 0) /* a line inih itself could not read (no '=' or ']') */
		bad(&p, rc, "not a section, key = value, or comment", "…");
	else if (rc < 0)
		return berr_set(e, EIO, "read %s: failed", path);
	return 0;
}

/* conf.c — berth.conf [api] (and [policy], handed to runtime/policy).
 *
 *   [api]
 *   listen = 0.0.0.0:2376            IPv4 address:port
 *   cert = /etc/berth/tls/cert.pem   server chain (PEM, leaf first)
 *   key = /etc/berth/tls/key.pem     its key (0600 root; unreadable after the drop)
 *   client_ca = /etc/berth/tls/ca.pem  the CA client certificates must chain to
 *   crl =                            optional CRL, reloaded when its mtime changes
 *   engine_socket = /run/berth/engine.sock
 *   init_socket = /run/berth/init.sock
 *   role_attribute = both            o | ou | both
 *   roles = admin=admin ...          value=role pairs; default: the four names
 *   audit_log = /var/lib/berth/audit/api.log
 *   audit_max = 4M                   size before api.log becomes api.log.1
 *   data_dir = /var/lib/berth        the data partition (usage in /berth/v1/system)
 *   log_dir = /run/berth/log         PID 1's service logs (GET /berth/v1/logs)
 *   max_connections = 64             at most CONFIG_API_CONNS_MAX
 *   handshake_timeout = 10s, header_timeout = 30s, idle_timeout = 120s,
 *   send_timeout = 30s, body_timeout = 300s
 *   session_cache = 64K              bytes of TLS sessions kept for resumption
 *   user = berth-api                 run as (its primary group from /etc/passwd)
 *   engine_group = berth, admin_group = berth-admin   supplementary groups
 *   sandbox = yes                    the privilege drop (needs root)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/conf.h"
#include "runtime/api/conf.h"

#define CONF_FILE_MAX 65536

void api_conf_init(struct api_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->listen.sin_family = AF_INET;
	c->listen.sin_port = htons(2376);
	c->listen.sin_addr.s_addr = htonl(INADDR_ANY);
	snprintf(c->cert, sizeof(c->cert), "/etc/berth/tls/cert.pem");
	snprintf(c->key, sizeof(c->key), "/etc/berth/tls/key.pem");
	snprintf(c->client_ca, sizeof(c->client_ca), "/etc/berth/tls/ca.pem");
	snprintf(c->engine_socket, sizeof(c->engine_socket), "/run/berth/engine.sock");
	snprintf(c->init_socket, sizeof(c->init_socket), "/run/berth/init.sock");
	snprintf(c->audit_log, sizeof(c->audit_log), "/var/lib/berth/audit/api.log");
	snprintf(c->data_dir, sizeof(c->data_dir), "/var/lib/berth");
	snprintf(c->log_dir, sizeof(c->log_dir), "/run/berth/log");
	snprintf(c->user, sizeof(c->user), "berth-api");
	snprintf(c->engine_group, sizeof(c->engine_group), "berth");
	snprintf(c->admin_group, sizeof(c->admin_group), "berth-admin");
	c->audit_max = 4 << 20;
	c->attr = API_ATTR_BOTH;
	c->conns_max = CONFIG_API_CONNS_MAX < 64 ? CONFIG_API_CONNS_MAX : 64;
	c->handshake_ms = 10000;
	c->head_ms = 30000;
	c->idle_ms = 120000;
	c->send_ms = 30000;
	c->body_ms = 300000;
	c->session_cache = 64 << 10;
	c->sandbox = 1;
	policy_init(&c->policy);
}

static int set_listen(struct api_conf *c, const char *k, const char *v, struct berr *e)
{
	char host[INET_ADDRSTRLEN];
	const char *colon = strrchr(v, ':');
	long long port;

	if (!colon || (size_t)(colon - v) >= sizeof(host))
		return conf_bad(e, k, v, "want IPv4-ADDRESS:PORT");
	memcpy(host, v, (size_t)(colon - v));
	host[colon - v] = '\0';
	if (inet_pton(AF_INET, host, &c->listen.sin_addr) != 1)
		return conf_bad(e, k, v, "want IPv4-ADDRESS:PORT");
	if (conf_int(k, colon + 1, 1, 65535, &port, e) < 0)
		return -1;
	c->listen.sin_port = htons((uint16_t)port);
	return 0;
}

/* roles = VALUE=ROLE ...: added to what earlier lines gave. */
static int set_roles(struct api_conf *c, const char *k, const char *v, struct berr *e)
{
	const char *w;
	size_t len;

	c->roles_set = 1;
	while ((w = conf_word_next(&v, " \t,", &len))) {
		const char *eq = memchr(w, '=', len);
		char role[16];
		size_t vl;

		if (!eq || eq == w || (size_t)(w + len - eq - 1) >= sizeof(role))
			return conf_bad(e, k, w, "want VALUE=ROLE (ROLE admin, operator, viewer or monitor)");
		vl = (size_t)(eq - w);
		memcpy(role, eq + 1, (size_t)(w + len - eq - 1));
		role[w + len - eq - 1] = '\0';
		if (vl >= API_ATTR_MAX || c->n_roles >= API_ROLES_MAX)
			return conf_bad(e, k, w, "at most %d pairs, values of at most %d bytes",
					API_ROLES_MAX, API_ATTR_MAX - 1);
		if (api_role_by_name(role) == API_ROLE_NONE)
			return conf_bad(e, k, w, "want VALUE=ROLE (ROLE admin, operator, viewer or monitor)");
		memcpy(c->roles[c->n_roles].value, w, vl);
		c->roles[c->n_roles].value[vl] = '\0';
		c->roles[c->n_roles++].role = api_role_by_name(role);
	}
	return 0;
}

static int set_path(const char *k, const char *v, char *out, size_t size, struct berr *e)
{
	if (!*v) {
		*out = '\0';	/* only crl may be empty: checked at start */
		return 0;
	}
	return conf_path(k, v, out, size, e);
}

static int set_timeout(struct api_conf *c, const char *k, const char *v, struct berr *e)
{
	static const struct { const char *key; size_t off; } t[] = {
		{ "handshake_timeout", offsetof(struct api_conf, handshake_ms) },
		{ "header_timeout", offsetof(struct api_conf, head_ms) },
		{ "idle_timeout", offsetof(struct api_conf, idle_ms) },
		{ "send_timeout", offsetof(struct api_conf, send_ms) },
		{ "body_timeout", offsetof(struct api_conf, body_ms) },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (strcmp(k, t[i].key) == 0)
			return conf_duration(k, v, 100, 86400000, (long long *)((char *)c + t[i].off), e);
	return 1;
}

int api_conf_set(struct api_conf *c, const char *k, const char *v, struct berr *e)
{
	static const struct { const char *key; size_t off; } paths[] = {
		{ "cert", offsetof(struct api_conf, cert) },
		{ "key", offsetof(struct api_conf, key) },
		{ "client_ca", offsetof(struct api_conf, client_ca) },
		{ "crl", offsetof(struct api_conf, crl) },
		{ "engine_socket", offsetof(struct api_conf, engine_socket) },
		{ "init_socket", offsetof(struct api_conf, init_socket) },
		{ "audit_log", offsetof(struct api_conf, audit_log) },
		{ "data_dir", offsetof(struct api_conf, data_dir) },
		{ "log_dir", offsetof(struct api_conf, log_dir) },
	};
	static const char *const attrs[] = { "both", "o", "ou" };
	long long n;
	int rc, a;

	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		if (strcmp(k, paths[i].key) == 0)
			return set_path(k, v, (char *)c + paths[i].off, API_PATH_MAX, e);
	if ((rc = set_timeout(c, k, v, e)) <= 0)
		return rc;
	if (strcmp(k, "listen") == 0)
		return set_listen(c, k, v, e);
	if (strcmp(k, "roles") == 0)
		return set_roles(c, k, v, e);
	if (strcmp(k, "role_attribute") == 0) {
		if (conf_enum(k, v, attrs, 3, &a, e) < 0)
			return -1;
		c->attr = (enum api_attr)a;
		return 0;
	}
	if (strcmp(k, "audit_max") == 0)
		return conf_size(k, v, 4096, 1LL << 40, &c->audit_max, e);
	if (strcmp(k, "session_cache") == 0)
		return conf_size(k, v, 0, 16 << 20, &c->session_cache, e);
	if (strcmp(k, "max_connections") == 0) {
		if (conf_int(k, v, 1, CONFIG_API_CONNS_MAX, &n, e) < 0)
			return -1;
		c->conns_max = (int)n;
		return 0;
	}
	if (strcmp(k, "user") == 0)
		return conf_string(k, v, c->user, sizeof(c->user), e);
	if (strcmp(k, "engine_group") == 0)
		return conf_string(k, v, c->engine_group, sizeof(c->engine_group), e);
	if (strcmp(k, "admin_group") == 0)
		return conf_string(k, v, c->admin_group, sizeof(c->admin_group), e);
	if (strcmp(k, "sandbox") == 0)
		return conf_bool(k, v, &c->sandbox, e);
	return berr_set(e, EINVAL, "%s: unknown key of [api]", k);
}

struct parse {
	struct api_conf *c;
	void (*report)(const char *file, int line, const char *msg);
};

static int on_key(void *ctx, const char *section, const char *key, const char *v, struct berr *e)
{
	struct parse *p = ctx;

	if (strcmp(section, "api") == 0)
		return api_conf_set(p->c, key, v, e);
	if (strcmp(section, "policy") == 0)
		return policy_conf(&p->c->policy, key, v, e);
	return 0;
}

static void report(void *ctx, const char *file, int line, const char *msg)
{
	struct parse *p = ctx;

	p->report(file, line, msg);
}

int api_conf_file(struct api_conf *c, const char *path,
		  void (*rep)(const char *file, int line, const char *msg), struct berr *e)
{
	struct parse p = { .c = c, .report = rep };
	struct conf_reader r = { .file = path, .on_key = on_key, .report = report, .ctx = &p };
	char *text = malloc(CONF_FILE_MAX);
	int rc;

	if (!text)
		return berr_set(e, ENOMEM, "%s: out of memory", path);
	rc = conf_parse_file(&r, path, text, CONF_FILE_MAX, e);
	free(text);
	if (rc < 0)
		return berr_prefix(e, "%s", path);
	if (r.errors)
		return berr_set(e, EINVAL, "%s: %d error%s", path, r.errors, r.errors > 1 ? "s" : "");
	return 0;
}

static enum api_role map_one(const struct api_conf *c, const char *value)
{
	if (!c->roles_set)
		return api_role_by_name(value);
	for (int i = 0; i < c->n_roles; i++)
		if (strcmp(c->roles[i].value, value) == 0)
			return c->roles[i].role;
	return API_ROLE_NONE;
}

enum api_role api_conf_role(const struct api_conf *c, const char (*o)[API_ATTR_MAX], int n_o,
			    const char (*ou)[API_ATTR_MAX], int n_ou)
{
	enum api_role best = API_ROLE_NONE, r;

	for (int i = 0; c->attr != API_ATTR_OU && i < n_o; i++)
		if ((r = map_one(c, o[i])) > best)
			best = r;
	for (int i = 0; c->attr != API_ATTR_O && i < n_ou; i++)
		if ((r = map_one(c, ou[i])) > best)
			best = r;
	return best;
}

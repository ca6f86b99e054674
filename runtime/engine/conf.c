/* conf.c — berthd's configuration: the [engine] section of berth.conf.
 *
 *   [engine]
 *   data_root = /var/lib/berth     images, containers, volumes
 *   run_dir = /run/berth           the socket, shims' control sockets, netns
 *   socket = /run/berth/engine.sock
 *   group = berth                  the socket's group (0660 root:GROUP)
 *   libexec = /usr/bin             berth-unpack, berth-shim, berth-proxy
 *   head_timeout = 30s             a request's head must keep coming
 *   body_timeout = 300s            and its body (docker save | docker load pauses)
 *   idle_timeout = 120s            a kept-alive connection with no request
 *   send_timeout = 30s             a client that stops reading its answer
 *   connections = 64               at most CONFIG_ENGINE_CONNS_MAX
 *   sandbox = yes                  drop capabilities and load the seccomp filter
 *
 * Other sections belong to other programs (or, [policy] and [network], to
 * the policy and the network modules, which main hands them to) and are
 * skipped here. A bad value is reported with file:line and berthd refuses
 * to start.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lib/conf.h"
#include "lib/log.h"
#include "runtime/engine/ctr.h"
#include "runtime/engine/engine.h"

#define CONF_FILE_MAX 65536

void engine_conf_init(struct engine_conf *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->data_root, sizeof(c->data_root), "/var/lib/berth");
	snprintf(c->run_dir, sizeof(c->run_dir), "/run/berth");
	snprintf(c->group, sizeof(c->group), "berth");
	snprintf(c->libexec, sizeof(c->libexec), "/usr/bin");
	c->head_ms = 30000;
	c->idle_ms = 120000;
	c->body_ms = 300000;
	c->send_ms = 30000;
	c->conns_max = CONFIG_ENGINE_CONNS_MAX;
	c->sandbox = 1;
	snprintf(c->pull_registries, sizeof(c->pull_registries), "*");
	snprintf(c->pull_ca_bundle, sizeof(c->pull_ca_bundle), "/etc/ssl/certs/ca-certificates.crt");
	snprintf(c->pull_certs_dir, sizeof(c->pull_certs_dir), "/etc/berth/certs.d");
	c->pull_parallel = 3;
}

static int on_engine(struct engine *eng, const char *k, const char *v, struct berr *e)
{
	struct engine_conf *c = &eng->conf;
	long long n;

	if (strcmp(k, "data_root") == 0)
		return conf_path(k, v, c->data_root, sizeof(c->data_root), e);
	if (strcmp(k, "run_dir") == 0)
		return conf_path(k, v, c->run_dir, sizeof(c->run_dir), e);
	if (strcmp(k, "socket") == 0)
		return conf_path(k, v, c->socket, sizeof(c->socket), e);
	if (strcmp(k, "libexec") == 0)
		return conf_path(k, v, c->libexec, sizeof(c->libexec), e);
	if (strcmp(k, "group") == 0) {
		uint32_t id;
		char name[CONF_ID_NAME_MAX + 1];
		if (conf_id(k, v, &id, name, e) < 0)
			return -1;
		return conf_string(k, v, c->group, sizeof(c->group), e);
	}
	if (strcmp(k, "head_timeout") == 0)
		return conf_duration(k, v, 100, 3600000, &c->head_ms, e);
	if (strcmp(k, "body_timeout") == 0)
		return conf_duration(k, v, 100, 86400000, &c->body_ms, e);
	if (strcmp(k, "idle_timeout") == 0)
		return conf_duration(k, v, 100, 86400000, &c->idle_ms, e);
	if (strcmp(k, "send_timeout") == 0)
		return conf_duration(k, v, 100, 3600000, &c->send_ms, e);
	if (strcmp(k, "connections") == 0) {
		if (conf_int(k, v, 1, CONFIG_ENGINE_CONNS_MAX, &n, e) < 0)
			return -1;
		c->conns_max = (int)n;
		return 0;
	}
	if (strcmp(k, "sandbox") == 0)
		return conf_bool(k, v, &c->sandbox, e);
	if (strcmp(k, "insecure_registries") == 0)
		return conf_string(k, v, c->pull_insecure, sizeof(c->pull_insecure), e);
	if (strcmp(k, "ca_bundle") == 0)
		return conf_path(k, v, c->pull_ca_bundle, sizeof(c->pull_ca_bundle), e);
	if (strcmp(k, "certs_dir") == 0)
		return conf_path(k, v, c->pull_certs_dir, sizeof(c->pull_certs_dir), e);
	if (strcmp(k, "pull_parallel") == 0) {
		if (conf_int(k, v, 1, 16, &n, e) < 0)
			return -1;
		c->pull_parallel = (int)n;
		return 0;
	}
	return ctr_conf(eng, k, v, e);	/* the containers' keys, or unknown */
}

struct parse {
	struct engine *eng;
};

static int on_key(void *ctx, const char *section, const char *key, const char *v, struct berr *e)
{
	struct parse *p = ctx;

	if (strcmp(section, "engine") == 0)
		return on_engine(p->eng, key, v, e);
	if (strcmp(section, "policy") == 0 && strcmp(key, "registries") == 0)   /* docker pull */
		return conf_string(key, v, p->eng->conf.pull_registries, sizeof(p->eng->conf.pull_registries), e);
	/* [policy] and [container_network]: the containers part's modules */
	return ctr_conf_section(p->eng, section, key, v, e) < 0 ? -1 : 0;
}

static void report(void *ctx, const char *file, int line, const char *msg)
{
	struct parse *p = ctx;

	if (line > 0)
		log_msg(&p->eng->log, LOG_ERROR, "%s:%d: %s", file, line, msg);
	else
		log_msg(&p->eng->log, LOG_ERROR, "%s: %s", file, msg);
}

int engine_conf_file(struct engine *eng, const char *path, int must_exist, struct berr *e)
{
	char text[CONF_FILE_MAX];	/* main's stack: read once, at start */
	struct parse p = { .eng = eng };
	struct conf_reader r = { .file = path, .on_key = on_key, .report = report, .ctx = &p };
	int rc = conf_parse_file(&r, path, text, sizeof(text), e);

	if (rc < 0)
		return (e->errnum == ENOENT && !must_exist) ? 0 : berr_prefix(e, "%s", path);
	if (r.errors)
		return berr_set(e, EINVAL, "%s: %d error%s", path, r.errors, r.errors > 1 ? "s" : "");
	return 0;
}

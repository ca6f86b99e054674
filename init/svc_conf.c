/* svc_conf.c — services.d/NAME.conf into a fixed-size struct svc_conf. */
#include "init/svc_conf.h"

#include <errno.h>
#include <ini.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "autoconf.h"
#include "lib/fs.h"
#include "lib/util.h"

#ifndef CONFIG_INIT_SVC_STOP_TIMEOUT_MS
#define CONFIG_INIT_SVC_STOP_TIMEOUT_MS 5000
#endif

/* Capability names as capabilities(7) spells them, by number. */
static const char *const cap_names[] = {
	"chown", "dac_override", "dac_read_search", "fowner", "fsetid", "kill",
	"setgid", "setuid", "setpcap", "linux_immutable", "net_bind_service",
	"net_broadcast", "net_admin", "net_raw", "ipc_lock", "ipc_owner",
	"sys_module", "sys_rawio", "sys_chroot", "sys_ptrace", "sys_pacct",
	"sys_admin", "sys_boot", "sys_nice", "sys_resource", "sys_time",
	"sys_tty_config", "mknod", "lease", "audit_write", "audit_control",
	"setfcap", "mac_override", "mac_admin", "syslog", "wake_alarm",
	"block_suspend", "audit_read", "perfmon", "bpf", "checkpoint_restore",
};

static const struct { const char *name; int sig; } signals[] = {
	{ "TERM", SIGTERM }, { "INT", SIGINT }, { "HUP", SIGHUP }, { "QUIT", SIGQUIT },
	{ "USR1", SIGUSR1 }, { "USR2", SIGUSR2 }, { "KILL", SIGKILL },
};

struct parse {
	struct svc_conf *c;
	const struct logger *lg;
	const char *path;
	const char *passwd, *group;   /* files for user and group names */
	int errors;
	int have_command;
};

static int bad(struct parse *p, int lineno, const char *what, const char *value)
{
	log_msg(p->lg, LOG_ERROR, "%s:%d: %s: '%.80s'", p->path, lineno, what, value);
	p->errors++;
	return 1; /* go on: report every wrong line of the file at once */
}

int svc_name_valid(const char *s, size_t len)
{
	if (len == 0 || len > SVC_NAME_MAX)
		return 0;
	for (size_t i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
		      s[i] == '_' || s[i] == '-'))
			return 0;
	return 1;
}

/* A decimal number in [0, max] followed by one of the suffixes (factor
 * given per suffix; "" is the unit). Returns 0 and *out, or -1. */
struct suffix { const char *s; long long mul; };
static int parse_num(const char *v, long long max, const struct suffix *sfx, size_t nsfx,
		     long long *out)
{
	char *end;
	unsigned long long n;

	if (*v < '0' || *v > '9')
		return -1;
	errno = 0;
	n = strtoull(v, &end, 10);
	if (errno || n > (unsigned long long)max)
		return -1;
	for (size_t i = 0; i < nsfx; i++) {
		if (strcmp(end, sfx[i].s) == 0) {
			if (n > (unsigned long long)(max / sfx[i].mul))
				return -1;
			*out = (long long)n * sfx[i].mul;
			return 0;
		}
	}
	return -1;
}

/* Append the blank-separated words of v to buf/off/count. */
static int add_words(char *buf, size_t size, unsigned short *off, int max, int *count,
		     const char *v)
{
	size_t used = 0;

	if (*count > 0)
		used = off[*count - 1] + strlen(buf + off[*count - 1]) + 1;
	while (*v) {
		size_t n;

		while (*v == ' ' || *v == '\t')
			v++;
		if (!*v)
			break;
		n = strcspn(v, " \t");
		if (*count >= max || used + n + 1 > size)
			return -1;
		off[*count] = (unsigned short)used;
		memcpy(buf + used, v, n);
		buf[used + n] = '\0';
		used += n + 1;
		(*count)++;
		v += n;
	}
	return 0;
}

static int on_caps(struct parse *p, const char *v, int lineno)
{
	struct svc_conf *c = p->c;
	char word[32];

	if (strcmp(v, "none") == 0) {
		c->caps = 0;
		c->caps_all = 0;
		return 1;
	}
	if (strcmp(v, "all") == 0) {
		c->caps_all = 1;
		return 1;
	}
	while (*v) {
		size_t n, i;
		const char *w;

		while (*v == ' ' || *v == '\t' || *v == ',')
			v++;
		if (!*v)
			break;
		n = strcspn(v, " \t,");
		if (n >= sizeof word)
			return bad(p, lineno, "capabilities: unknown capability", v);
		memcpy(word, v, n);
		word[n] = '\0';
		v += n;
		w = word;
		if (strncasecmp(w, "cap_", 4) == 0)
			w += 4;
		for (i = 0; i < ARRAY_SIZE(cap_names); i++)
			if (strcasecmp(w, cap_names[i]) == 0)
				break;
		if (i == ARRAY_SIZE(cap_names))
			return bad(p, lineno, "capabilities: unknown capability", word);
		c->caps |= 1ULL << i;
	}
	return 1;
}

/* Find NAME in an /etc/passwd or /etc/group style file: *id is field 3,
 * *id2 field 4 (passwd: the primary group). Read into a bounded buffer and
 * scanned in place: no allocation, so PID 1 may load services at any time. */
static int lookup(const char *file, const char *name, long *id, long *id2)
{
	char buf[SVC_FILE_MAX];
	struct berr e;
	size_t len = strlen(name);
	char *line, *save = NULL;

	if (fs_read(file, buf, sizeof buf, &e) < 0)
		return -1;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *f, *end;

		if (strncmp(line, name, len) != 0 || line[len] != ':')
			continue;
		f = strchr(line + len + 1, ':'); /* past the password field */
		if (!f)
			return -1;
		*id = strtol(f + 1, &end, 10);
		if (end == f + 1 || *end != ':')
			return -1;
		*id2 = strtol(end + 1, &end, 10);
		return 0;
	}
	return -1;
}

static int on_user(struct parse *p, const char *v, int lineno)
{
	struct svc_conf *c = p->c;
	long uid, gid;
	long long n;

	if (parse_num(v, 65535, &(struct suffix){ "", 1 }, 1, &n) == 0) {
		c->uid = (uid_t)n;
		if (!c->have_gid)
			c->gid = (gid_t)n;
		return 1;
	}
	if (lookup(p->passwd, v, &uid, &gid) < 0 || uid < 0 || gid < 0)
		return bad(p, lineno, "user: no such user in /etc/passwd", v);
	c->uid = (uid_t)uid;
	if (!c->have_gid)
		c->gid = (gid_t)gid;
	return 1;
}

static int on_group(struct parse *p, const char *v, int lineno)
{
	struct svc_conf *c = p->c;
	long gid, unused;
	long long n;

	if (parse_num(v, 65535, &(struct suffix){ "", 1 }, 1, &n) == 0) {
		c->gid = (gid_t)n;
	} else {
		if (lookup(p->group, v, &gid, &unused) < 0 || gid < 0)
			return bad(p, lineno, "group: no such group in /etc/group", v);
		c->gid = (gid_t)gid;
	}
	c->have_gid = 1;
	return 1;
}

static int on_after(struct parse *p, const char *v, int lineno)
{
	struct svc_conf *c = p->c;

	while (*v) {
		size_t n;

		while (*v == ' ' || *v == '\t')
			v++;
		if (!*v)
			break;
		n = strcspn(v, " \t");
		if (!svc_name_valid(v, n))
			return bad(p, lineno, "after: want service names of 1-31 [a-z0-9_-]", v);
		if (c->nafter >= SVC_AFTER_MAX)
			return bad(p, lineno, "after: more than 8 services", v);
		memcpy(c->after[c->nafter], v, n);
		c->after[c->nafter][n] = '\0';
		c->nafter++;
		v += n;
	}
	return 1;
}

static int on_env(struct parse *p, const char *v, int lineno)
{
	struct svc_conf *c = p->c;
	const char *eq = strchr(v, '=');
	size_t used = 0, n = strlen(v);

	if (!eq || eq == v)
		return bad(p, lineno, "env: want KEY=VALUE", v);
	for (const char *k = v; k < eq; k++)
		if (!((*k >= 'A' && *k <= 'Z') || (*k >= 'a' && *k <= 'z') || *k == '_' ||
		      (k > v && *k >= '0' && *k <= '9')))
			return bad(p, lineno, "env: KEY must be [A-Za-z_][A-Za-z0-9_]*", v);
	if (c->envc > 0)
		used = c->env_off[c->envc - 1] + strlen(c->env + c->env_off[c->envc - 1]) + 1;
	if (c->envc >= SVC_ENVS_MAX || used + n + 1 > sizeof c->env)
		return bad(p, lineno, "env: more than 32 variables or 1024 bytes", v);
	c->env_off[c->envc++] = (unsigned short)used;
	memcpy(c->env + used, v, n + 1);
	return 1;
}

static int on_signal_key(struct parse *p, const char *v, int lineno)
{
	const char *s = strncasecmp(v, "SIG", 3) == 0 ? v + 3 : v;
	long long n;

	for (size_t i = 0; i < ARRAY_SIZE(signals); i++) {
		if (strcasecmp(s, signals[i].name) == 0) {
			p->c->stop_signal = signals[i].sig;
			return 1;
		}
	}
	if (parse_num(v, 64, &(struct suffix){ "", 1 }, 1, &n) < 0 || n < 1)
		return bad(p, lineno, "stop_signal: want TERM, INT, HUP, QUIT, USR1, USR2, KILL or 1-64", v);
	p->c->stop_signal = (int)n;
	return 1;
}

static int handler(void *user, const char *section, const char *name, const char *v, int lineno)
{
	static const struct suffix bytes[] = {
		{ "", 1 }, { "K", 1LL << 10 }, { "M", 1LL << 20 }, { "G", 1LL << 30 },
	};
	static const struct suffix msec[] = { { "", 1000 }, { "s", 1000 }, { "ms", 1 } };
	struct parse *p = user;
	struct svc_conf *c = p->c;
	long long n;

	if (strcmp(section, "service") != 0)
		return bad(p, lineno, "unknown section (want [service])", section);
	if (strcmp(name, "command") == 0) {
		if (!p->have_command && v[0] != '/')
			return bad(p, lineno, "command: want an absolute path", v);
		if (add_words(c->cmd, sizeof c->cmd, c->arg_off, SVC_ARGS_MAX, &c->argc, v) < 0)
			return bad(p, lineno, "command: more than 32 words or 511 bytes", v);
		p->have_command = c->argc > 0;
	} else if (strcmp(name, "user") == 0) {
		return on_user(p, v, lineno);
	} else if (strcmp(name, "group") == 0) {
		return on_group(p, v, lineno);
	} else if (strcmp(name, "capabilities") == 0) {
		return on_caps(p, v, lineno);
	} else if (strcmp(name, "restart") == 0) {
		if (strcmp(v, "always") == 0)
			c->restart = SVC_RESTART_ALWAYS;
		else if (strcmp(v, "on-failure") == 0)
			c->restart = SVC_RESTART_ON_FAILURE;
		else if (strcmp(v, "never") == 0)
			c->restart = SVC_RESTART_NEVER;
		else
			return bad(p, lineno, "restart: want always, on-failure or never", v);
	} else if (strcmp(name, "after") == 0) {
		return on_after(p, v, lineno);
	} else if (strcmp(name, "memory_max") == 0) {
		if (parse_num(v, 1LL << 50, bytes, ARRAY_SIZE(bytes), &n) < 0 || n < 1 << 20)
			return bad(p, lineno, "memory_max: want bytes (suffix K, M or G), at least 1M", v);
		c->memory_max = n;
	} else if (strcmp(name, "pids_max") == 0) {
		if (parse_num(v, 4194304, bytes, 1, &n) < 0 || n < 1)
			return bad(p, lineno, "pids_max: want 1-4194304", v);
		c->pids_max = (long)n;
	} else if (strcmp(name, "env") == 0) {
		return on_env(p, v, lineno);
	} else if (strcmp(name, "stop_signal") == 0) {
		return on_signal_key(p, v, lineno);
	} else if (strcmp(name, "stop_timeout") == 0) {
		if (parse_num(v, 600000, msec, ARRAY_SIZE(msec), &n) < 0)
			return bad(p, lineno, "stop_timeout: want N (seconds), Ns or Nms, at most 600 s", v);
		c->stop_timeout_ms = (int)n;
	} else if (strcmp(name, "console") == 0) {
		if (strcmp(v, "all") == 0)
			c->console = SVC_CONSOLE_ALL;
		else if (strcmp(v, "errors") == 0)
			c->console = SVC_CONSOLE_ERRORS;
		else if (strcmp(v, "none") == 0)
			c->console = SVC_CONSOLE_NONE;
		else
			return bad(p, lineno, "console: want all, errors or none", v);
	} else {
		return bad(p, lineno, "unknown key", name);
	}
	return 1;
}

static void defaults(struct svc_conf *c, const char *name)
{
	memset(c, 0, sizeof *c);
	snprintf(c->name, sizeof c->name, "%s", name);
	c->restart = SVC_RESTART_ALWAYS;
	c->stop_signal = SIGTERM;
	c->stop_timeout_ms = CONFIG_INIT_SVC_STOP_TIMEOUT_MS;
	c->console = SVC_CONSOLE_ERRORS;
}

static int finish(struct parse *p, int rc, struct berr *e)
{
	if (rc > 0) /* a line inih itself could not read (no '=' or ']') */
		bad(p, rc, "not a section, key = value, or comment", "...");
	if (!p->have_command)
		bad(p, 0, "command: missing", p->c->name);
	if (p->errors)
		return berr_set(e, 0, "%s: %d error%s: service skipped", p->path, p->errors,
				p->errors == 1 ? "" : "s");
	return 0;
}

int svc_conf_parse(struct svc_conf *c, const char *text, const char *path, const char *name,
		   const struct logger *lg, struct berr *e)
{
	struct parse p = { .c = c, .lg = lg, .path = path, .passwd = SVC_PASSWD, .group = SVC_GROUP };

	defaults(c, name);
	if (!svc_name_valid(name, strlen(name))) {
		bad(&p, 0, "file name: want NAME.conf with NAME 1-31 of [a-z0-9_-]", name);
		return finish(&p, 0, e);
	}
	return finish(&p, ini_parse_string(text, handler, &p), e);
}

int svc_conf_load(struct svc_conf *c, const char *path, const char *name,
		  const struct logger *lg, struct berr *e)
{
	char text[SVC_FILE_MAX];

	if (fs_read(path, text, sizeof text, e) < 0)
		return -1;
	return svc_conf_parse(c, text, path, name, lg, e);
}

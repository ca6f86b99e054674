/* svc_conf.c — services.d/NAME.conf into a fixed-size struct svc_conf. */
#include "init/svc_conf.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "autoconf.h"
#include "lib/conf.h"
#include "lib/fs.h"
#include "lib/util.h"

#define BLANKS " \t"

static const struct { const char *name; int sig; } signals[] = {
	{ "TERM", SIGTERM }, { "INT", SIGINT }, { "HUP", SIGHUP }, { "QUIT", SIGQUIT },
	{ "USR1", SIGUSR1 }, { "USR2", SIGUSR2 }, { "KILL", SIGKILL },
};

struct parse {
	struct svc_conf *c;
	const struct logger *lg;
	const char *passwd, *group;   /* files for user and group names */
	int have_command;
	int have_user;
};

static void report(void *ctx, const char *file, int line, const char *msg)
{
	struct parse *p = ctx;

	log_msg(p->lg, LOG_ERROR, "%s:%d: %s", file, line, msg);
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

/* Read into a bounded buffer and scanned in place: no allocation, so PID 1
 * may load services at any time. */
int svc_conf_lookup(const char *file, const char *name, long *id, long *id2)
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

/* NAME|ID of a user (file /etc/passwd: *id2 is its primary group) or of
 * a group (/etc/group). A number stands for itself (*id2 the same). */
static int resolve(const char *key, const char *v, const char *file, long *id, long *id2,
		   struct berr *e)
{
	char name[CONF_ID_NAME_MAX + 1];
	uint32_t n;

	if (conf_id(key, v, &n, name, e) < 0)
		return -1;
	if (!name[0]) {
		*id = *id2 = (long)n;
		return 0;
	}
	if (svc_conf_lookup(file, name, id, id2) < 0 || *id < 0 || *id2 < 0)
		return conf_bad(e, key, v, "no such %s in %s", key, file);
	return 0;
}

/* user = sets the group to the user's primary one unless group = did. */
static int on_user(struct parse *p, const char *key, const char *v, struct berr *e)
{
	long uid, gid;

	if (resolve(key, v, p->passwd, &uid, &gid, e) < 0)
		return -1;
	p->c->uid = (uid_t)uid;
	p->have_user = 1;
	if (!p->c->have_gid)
		p->c->gid = (gid_t)gid;
	return 0;
}

static int on_group(struct parse *p, const char *key, const char *v, struct berr *e)
{
	long gid, unused;

	if (resolve(key, v, p->group, &gid, &unused, e) < 0)
		return -1;
	p->c->gid = (gid_t)gid;
	p->c->have_gid = 1;
	return 0;
}

static int on_after(struct svc_conf *c, const char *key, const char *v, struct berr *e)
{
	const char *w, *p = v;
	size_t n;

	while ((w = conf_word_next(&p, BLANKS, &n))) {
		if (!svc_name_valid(w, n))
			return conf_bad(e, key, w, "want service names of 1-%d [a-z0-9_-]", SVC_NAME_MAX);
		if (c->nafter >= SVC_AFTER_MAX)
			return conf_bad(e, key, w, "more than %d services", SVC_AFTER_MAX);
		memcpy(c->after[c->nafter], w, n);
		c->after[c->nafter][n] = '\0';
		c->nafter++;
	}
	return 0;
}

static int on_env(struct svc_conf *c, const char *key, const char *v, struct berr *e)
{
	const char *eq = strchr(v, '=');
	struct conf_words w = { .buf = c->env, .size = sizeof c->env, .off = c->env_off,
				.max = SVC_ENVS_MAX, .n = c->envc };

	if (!eq || eq == v)
		return conf_bad(e, key, v, "want KEY=VALUE");
	for (const char *k = v; k < eq; k++)
		if (!((*k >= 'A' && *k <= 'Z') || (*k >= 'a' && *k <= 'z') || *k == '_' ||
		      (k > v && *k >= '0' && *k <= '9')))
			return conf_bad(e, key, v, "KEY must be [A-Za-z_][A-Za-z0-9_]*");
	/* one word: the whole line, blanks included (no separator) */
	if (conf_words_add(key, v, "", &w, e) < 0)
		return conf_bad(e, key, v, "more than %d variables or %zu bytes", SVC_ENVS_MAX,
				sizeof c->env);
	c->envc = w.n;
	return 0;
}

static int on_stop_signal(struct svc_conf *c, const char *key, const char *v, struct berr *e)
{
	const char *s = strncasecmp(v, "SIG", 3) == 0 ? v + 3 : v;
	long long n;

	for (size_t i = 0; i < ARRAY_SIZE(signals); i++) {
		if (strcasecmp(s, signals[i].name) == 0) {
			c->stop_signal = signals[i].sig;
			return 0;
		}
	}
	if (conf_int(key, v, 1, 64, &n, e) < 0)
		return conf_bad(e, key, v, "want TERM, INT, HUP, QUIT, USR1, USR2, KILL or 1-64");
	c->stop_signal = (int)n;
	return 0;
}

static int on_command(struct parse *p, const char *key, const char *v, struct berr *e)
{
	struct svc_conf *c = p->c;
	struct conf_words w = { .buf = c->cmd, .size = sizeof c->cmd, .off = c->arg_off,
				.max = SVC_ARGS_MAX, .n = c->argc };

	if (!p->have_command) { /* the first word: the program, an absolute path */
		char prog[SVC_CMD_MAX], norm[SVC_CMD_MAX];

		if (conf_string(key, v, prog, sizeof prog, e) < 0)
			return conf_bad(e, key, v, "more than %d words or %zu bytes", SVC_ARGS_MAX,
					sizeof c->cmd - 1);
		prog[strcspn(prog, BLANKS)] = '\0';
		if (conf_path(key, prog, norm, sizeof norm, e) < 0)
			return -1;
	}
	if (conf_words_add(key, v, BLANKS, &w, e) < 0)
		return -1;
	c->argc = w.n;
	p->have_command = c->argc > 0;
	return 0;
}

/* Keys whose value is one of a list (the index is the enum's value). */
static const char *const restarts[] = {
	[SVC_RESTART_ALWAYS] = "always", [SVC_RESTART_ON_FAILURE] = "on-failure",
	[SVC_RESTART_NEVER] = "never",
};
static const char *const consoles[] = {
	[SVC_CONSOLE_ALL] = "all", [SVC_CONSOLE_ERRORS] = "errors", [SVC_CONSOLE_NONE] = "none",
};

static const char *const kills[] = { [SVC_KILL_GROUP] = "group", [SVC_KILL_MAIN] = "main" };

static int on_number(struct svc_conf *c, const char *key, const char *v, struct berr *e)
{
	long long n;

	if (strcmp(key, "memory_max") == 0) {
		if (conf_size(key, v, 1LL << 20, 1LL << 50, &n, e) < 0)
			return -1;
		c->memory_max = n;
	} else if (strcmp(key, "pids_max") == 0) {
		if (conf_int(key, v, 1, 4194304, &n, e) < 0)
			return -1;
		c->pids_max = (long)n;
	} else {
		if (conf_duration(key, v, 0, 600000, &n, e) < 0)
			return -1;
		c->stop_timeout_ms = (int)n;
	}
	return 0;
}

static int on_key(void *ctx, const char *section, const char *key, const char *v, struct berr *e)
{
	struct parse *p = ctx;
	struct svc_conf *c = p->c;
	int i, rc;

	if (strcmp(section, "service") != 0)
		return berr_set(e, EINVAL, "unknown section (want [service]): '%.80s'", section);
	if (strcmp(key, "command") == 0)
		return on_command(p, key, v, e);
	if (strcmp(key, "user") == 0)
		return on_user(p, key, v, e);
	if (strcmp(key, "group") == 0)
		return on_group(p, key, v, e);
	if (strcmp(key, "capabilities") == 0)
		return conf_caps(key, v, &c->caps, &c->caps_all, e);
	if (strcmp(key, "after") == 0)
		return on_after(c, key, v, e);
	if (strcmp(key, "env") == 0)
		return on_env(c, key, v, e);
	if (strcmp(key, "stop_signal") == 0)
		return on_stop_signal(c, key, v, e);
	if (strcmp(key, "memory_max") == 0 || strcmp(key, "pids_max") == 0 ||
	    strcmp(key, "stop_timeout") == 0)
		return on_number(c, key, v, e);
	if (strcmp(key, "restart") == 0) {
		rc = conf_enum(key, v, restarts, ARRAY_SIZE(restarts), &i, e);
		c->restart = rc < 0 ? c->restart : (enum svc_restart)i;
		return rc;
	}
	if (strcmp(key, "kill") == 0) {
		rc = conf_enum(key, v, kills, ARRAY_SIZE(kills), &i, e);
		c->kill = rc < 0 ? c->kill : (enum svc_kill)i;
		return rc;
	}
	if (strcmp(key, "console") == 0) {
		rc = conf_enum(key, v, consoles, ARRAY_SIZE(consoles), &i, e);
		c->console = rc < 0 ? c->console : (enum svc_console)i;
		return rc;
	}
	return berr_set(e, EINVAL, "unknown key: '%.80s'", key);
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

/* No `user =`: SVC_DEFAULT_USER, or nobody when the passwd file lacks it
 * (never root). `group =` still wins over the user's primary group. */
static void default_user(struct parse *p)
{
	long uid, gid;

	if (svc_conf_lookup(p->passwd, SVC_DEFAULT_USER, &uid, &gid) < 0 || uid <= 0 || gid < 0)
		uid = gid = SVC_NOBODY;
	p->c->uid = (uid_t)uid;
	if (!p->c->have_gid)
		p->c->gid = (gid_t)gid;
}

int svc_conf_parse(struct svc_conf *c, const char *text, const char *path, const char *name,
		   const struct logger *lg, struct berr *e)
{
	struct parse p = { .c = c, .lg = lg, .passwd = SVC_PASSWD, .group = SVC_GROUP };
	struct conf_reader r = { .file = path, .on_key = on_key, .report = report, .ctx = &p };
	struct berr d;

	defaults(c, name);
	if (!svc_name_valid(name, strlen(name))) {
		conf_bad(&d, "file name", name, "want NAME.conf with NAME 1-%d of [a-z0-9_-]",
			 SVC_NAME_MAX);
		conf_report(&r, 0, &d);
	} else if (conf_parse(&r, text, e) < 0) {
		return -1;
	}
	if (!p.have_user)
		default_user(&p);
	if (!p.have_command) {
		conf_bad(&d, "command", c->name, "missing");
		conf_report(&r, 0, &d);
	}
	if (r.errors)
		return berr_set(e, 0, "%s: %d error%s: service skipped", path, r.errors,
				r.errors == 1 ? "" : "s");
	return 0;
}

int svc_conf_load(struct svc_conf *c, const char *path, const char *name,
		  const struct logger *lg, struct berr *e)
{
	char text[SVC_FILE_MAX];

	if (fs_read(path, text, sizeof text, e) < 0)
		return -1;
	return svc_conf_parse(c, text, path, name, lg, e);
}

/* test_svc_conf.c — services.d files: every key, bad values, limits. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "init/svc_conf.h"
#include "tests/unit/unit.h"

struct parsed {
	struct svc_conf c;
	char log[8192];
	int rc;
	struct berr e;
};

static void parse(const char *text, const char *name, struct parsed *out)
{
	int p[2];
	ssize_t n;

	CHECK(pipe(p) == 0);
	struct logger lg = { .prog = "t", .fd = p[1], .stamp = 0, .level = LOG_DEBUG };
	out->rc = svc_conf_parse(&out->c, text, "F", name, &lg, &out->e);
	close(p[1]);
	n = read(p[0], out->log, sizeof out->log - 1);
	out->log[n > 0 ? n : 0] = '\0';
	close(p[0]);
}

static const char *arg(const struct svc_conf *c, int i) { return c->cmd + c->arg_off[i]; }
static const char *env(const struct svc_conf *c, int i) { return c->env + c->env_off[i]; }

static void reads_every_key(void)
{
	struct parsed r;

	parse("[service]\ncommand = /usr/sbin/dropbear -F -E  -p 22\n"
	      "user = nobody\ngroup = 0\ncapabilities = cap_net_bind_service, SETUID chown\n"
	      "restart = on-failure\nafter = net ssh-keys\nafter = data\n"
	      "memory_max = 16M\npids_max = 64\nenv = A=1\nenv = LONG_NAME2=x=y\n"
	      "stop_signal = SIGINT\nstop_timeout = 250ms\nconsole = all\nkill = main\n", "sshd", &r);
	CHECK_INT(r.rc, 0);
	CHECK_STR(r.log, "");
	CHECK_STR(r.c.name, "sshd");
	CHECK_INT(r.c.argc, 5);
	CHECK_STR(arg(&r.c, 0), "/usr/sbin/dropbear");
	CHECK_STR(arg(&r.c, 2), "-E");
	CHECK_STR(arg(&r.c, 4), "22");
	CHECK_INT(r.c.uid, 65534);
	CHECK_INT(r.c.gid, 0);
	CHECK_INT(r.c.caps_all, 0);
	CHECK_INT(r.c.caps, (1ULL << 10) | (1ULL << 7) | (1ULL << 0));
	CHECK_INT(r.c.restart, SVC_RESTART_ON_FAILURE);
	CHECK_INT(r.c.nafter, 3);
	CHECK_STR(r.c.after[0], "net");
	CHECK_STR(r.c.after[2], "data");
	CHECK_INT(r.c.memory_max, 16 << 20);
	CHECK_INT(r.c.pids_max, 64);
	CHECK_INT(r.c.envc, 2);
	CHECK_STR(env(&r.c, 0), "A=1");
	CHECK_STR(env(&r.c, 1), "LONG_NAME2=x=y");
	CHECK_INT(r.c.stop_signal, SIGINT);
	CHECK_INT(r.c.stop_timeout_ms, 250);
	CHECK_INT(r.c.console, SVC_CONSOLE_ALL);
	CHECK_INT(r.c.kill, SVC_KILL_MAIN);
}

static void defaults(void)
{
	struct parsed r;

	parse("[service]\ncommand = /bin/true\n", "x", &r);
	CHECK_INT(r.rc, 0);
	CHECK_INT(r.c.argc, 1);
	/* never root by default: berth-svc, or nobody where passwd lacks it */
	CHECK(r.c.uid != 0);
	CHECK(r.c.gid != 0);
	CHECK_INT(r.c.caps, 0);
	CHECK_INT(r.c.caps_all, 0);
	CHECK_INT(r.c.restart, SVC_RESTART_ALWAYS);
	CHECK_INT(r.c.memory_max, 0);
	CHECK_INT(r.c.pids_max, 0);
	CHECK_INT(r.c.stop_signal, SIGTERM);
	CHECK(r.c.stop_timeout_ms > 0);
	CHECK_INT(r.c.console, SVC_CONSOLE_ERRORS);
	CHECK_INT(r.c.kill, SVC_KILL_GROUP);
	parse("[service]\ncommand = /bin/true\ncapabilities = all\nstop_timeout = 3\n"
	      "stop_signal = 9\nmemory_max = 2G\n", "x", &r);
	CHECK_INT(r.rc, 0);
	CHECK_INT(r.c.caps_all, 1);
	CHECK_INT(r.c.stop_timeout_ms, 3000);
	CHECK_INT(r.c.stop_signal, 9);
	CHECK_INT(r.c.memory_max, 2LL << 30);
	CHECK(r.c.uid != 0);
	/* root only when written */
	parse("[service]\ncommand = /bin/true\nuser = root\n", "x", &r);
	CHECK_INT(r.rc, 0);
	CHECK_INT(r.c.uid, 0);
	CHECK_INT(r.c.gid, 0);
	parse("[service]\ncommand = /bin/true\ngroup = 0\n", "x", &r);
	CHECK_INT(r.rc, 0);
	CHECK(r.c.uid != 0);
	CHECK_INT(r.c.gid, 0);
}

static void bad_values_are_reported_with_line(void)
{
	struct parsed r;

	parse("[service]\ncommand = relative/path\nuser = no-such-user-xyz\n"
	      "capabilities = cap_fly\nrestart = sometimes\nafter = Bad/Name\n"
	      "memory_max = 12X\npids_max = 0\nenv = =x\nstop_signal = PWR\n"
	      "stop_timeout = -1\nconsole = loud\ncolour = blue\ngroup = no-such-group-xyz\nkill = some\n", "x", &r);
	CHECK_INT(r.rc, -1);
	CHECK(strstr(r.log, "t: error: F:2: command: want an absolute path: 'relative/path'"));
	CHECK(strstr(r.log, "F:3: user: no such user"));
	CHECK(strstr(r.log, "F:4: capabilities: unknown capability: 'cap_fly'"));
	CHECK(strstr(r.log, "F:5: restart:"));
	CHECK(strstr(r.log, "F:6: after:"));
	CHECK(strstr(r.log, "F:7: memory_max:"));
	CHECK(strstr(r.log, "F:8: pids_max:"));
	CHECK(strstr(r.log, "F:9: env:"));
	CHECK(strstr(r.log, "F:15: kill:"));
	CHECK(strstr(r.log, "F:10: stop_signal:"));
	CHECK(strstr(r.log, "F:11: stop_timeout:"));
	CHECK(strstr(r.log, "F:12: console:"));
	CHECK(strstr(r.log, "F:13: unknown key: 'colour'"));
	CHECK(strstr(r.log, "F:14: group: no such group"));
	CHECK(strstr(r.log, "F:0: command: missing"));
	CHECK(strstr(r.e.msg, "F: 15 errors: service skipped"));
}

static void syntax_and_section_errors(void)
{
	struct parsed r;

	parse("[service]\ncommand = /bin/true\nnot a key value line\n", "x", &r);
	CHECK_INT(r.rc, -1);
	CHECK(strstr(r.log, "F:3: not a section"));
	parse("[other]\ncommand = /bin/true\n", "x", &r);
	CHECK_INT(r.rc, -1);
	CHECK(strstr(r.log, "F:2: unknown section (want [service]): 'other'"));
	parse("", "x", &r);
	CHECK_INT(r.rc, -1);
	CHECK(strstr(r.log, "command: missing"));
}

static void names(void)
{
	struct parsed r;

	CHECK(svc_name_valid("a-b_9", 5));
	CHECK(!svc_name_valid("", 0));
	CHECK(!svc_name_valid("A", 1));
	CHECK(!svc_name_valid("a.b", 3));
	CHECK(!svc_name_valid("abcdefghijabcdefghijabcdefghijab", 32));
	CHECK(svc_name_valid("abcdefghijabcdefghijabcdefghija", 31));
	parse("[service]\ncommand = /bin/true\n", "Bad.Name", &r);
	CHECK_INT(r.rc, -1);
	CHECK(strstr(r.log, "file name:"));
}

static void limits(void)
{
	struct parsed r;
	char text[4096];
	int n;

	/* 33 words: one more than SVC_ARGS_MAX */
	n = snprintf(text, sizeof text, "[service]\ncommand = /bin/echo");
	for (int i = 0; i < 32; i++)
		n += snprintf(text + n, sizeof text - (size_t)n, " a");
	snprintf(text + n, sizeof text - (size_t)n, "\n");
	parse(text, "x", &r);
	CHECK_INT(r.rc, -1);
	CHECK(strstr(r.log, "F:2: command: more than 32 words"));
	/* 32 words fit */
	snprintf(text, sizeof text, "[service]\ncommand = /bin/echo%s\n",
		 " a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a");
	parse(text, "x", &r);
	CHECK_INT(r.rc, 0);
	CHECK_INT(r.c.argc, 32);
	/* 9 after names */
	parse("[service]\ncommand = /bin/true\nafter = a b c d e f g h i\n", "x", &r);
	CHECK_INT(r.rc, -1);
	CHECK(strstr(r.log, "after: more than 8"));
	/* 33 env lines */
	n = snprintf(text, sizeof text, "[service]\ncommand = /bin/true\n");
	for (int i = 0; i < 33; i++)
		n += snprintf(text + n, sizeof text - (size_t)n, "env = V%d=1\n", i);
	parse(text, "x", &r);
	CHECK_INT(r.rc, -1);
	CHECK(strstr(r.log, "F:35: env: more than 32"));
	parse("[service]\ncommand = /bin/true\nmemory_max = 1023K\n", "x", &r);
	CHECK_INT(r.rc, -1);
	parse("[service]\ncommand = /bin/true\nmemory_max = 99999999999G\n", "x", &r);
	CHECK_INT(r.rc, -1);
	parse("[service]\ncommand = /bin/true\nstop_timeout = 601\n", "x", &r);
	CHECK_INT(r.rc, -1);
	parse("[service]\ncommand = /bin/true\nstop_timeout = 600\n", "x", &r);
	CHECK_INT(r.rc, 0);
}

static void continuation_lines_extend_the_command(void)
{
	struct parsed r;

	parse("[service]\ncommand = /bin/sh -c\n  exit\n", "x", &r);
	CHECK_INT(r.rc, 0);
	CHECK_INT(r.c.argc, 3);
	CHECK_STR(arg(&r.c, 2), "exit");
}

/* Values go through lib/conf: the checks it adds over the old parser. */
static void lib_conf_values(void)
{
	struct parsed r;

	parse("[service]\ncommand = /usr/../bin/sh -c x\n", "x", &r);
	CHECK_INT(r.rc, -1);
	CHECK(strstr(r.log, "F:2: command: want an absolute path without . or .. components: '/usr/../bin/sh'"));
	parse("[service]\ncommand = /bin/true\nstop_timeout = 2m\nuser = 100000\n"
	      "capabilities = CAP_SYS_ADMIN,bpf\n", "x", &r);
	CHECK_INT(r.rc, 0);
	CHECK_INT(r.c.stop_timeout_ms, 120000);
	CHECK_INT(r.c.uid, 100000);
	CHECK_INT(r.c.gid, 100000);
	CHECK_INT(r.c.caps, (1ULL << 21) | (1ULL << 39));
	parse("[service]\ncommand = /bin/true\nstop_timeout = 11m\nmemory_max = 18446744073709551616\n"
	      "user = bad:name\n", "x", &r);
	CHECK_INT(r.rc, -1);
	CHECK(strstr(r.log, "F:3: stop_timeout: want N seconds, or N with ms, s, m or h, from 0 to 10m: '11m'"));
	CHECK(strstr(r.log, "F:4: memory_max: want bytes"));
	CHECK(strstr(r.log, "F:5: user: want a number or a name"));
}

UNIT_MAIN(UNIT(lib_conf_values), UNIT(reads_every_key), UNIT(defaults), UNIT(bad_values_are_reported_with_line),
	  UNIT(syntax_and_section_errors), UNIT(names), UNIT(limits),
	  UNIT(continuation_lines_extend_the_command))

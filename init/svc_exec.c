/* svc_exec.c — in the child: cgroup, stdio, privilege drop, exec. */
#include "init/svc_exec.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "init/signals.h"
#include "lib/cgroup.h"
#include "lib/sandbox.h"

#define ENV_MAX (SVC_ENVS_MAX + 4)

/* Report on the log pipe (stderr by now) and end the child. */
static void die(const struct svc *s, int code, const char *what)
{
	dprintf(2, "berth-init: error: service %s: %s: %s\n", s->c.name, what, strerror(errno));
	_exit(code);
}

static void join_cgroup(const struct svc *s, const char *cg)
{
	struct berr e;
	int fd = open(cg, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0 || cgroup_enter(fd, 0, &e) < 0) {
		/* Without its cgroup the service runs unlimited: say so, and go on
		 * only when it has no limits to lose. */
		if (s->c.memory_max || s->c.pids_max)
			die(s, 111, "join cgroup (its limits would not apply)");
		dprintf(2, "berth-init: warning: service %s: join %s: %s\n", s->c.name, cg,
			strerror(errno));
	}
	if (fd >= 0)
		close(fd);
}

/* lib/sandbox's audited order, except that a service keeps its capabilities
 * as inheritable and ambient too: a non-root service must still hold them
 * after execve, which the container profile (inheritable = ambient = 0)
 * forbids. */
static void drop_privileges(const struct svc *s)
{
	const struct svc_conf *c = &s->c;
	const struct sandbox sb = {
		.uid = c->uid, .gid = c->gid,
		.caps = c->caps_all ? ~UINT64_C(0) : c->caps, .ambient = 1,
		.no_new_privs = !c->caps_all,
	};
	struct berr e;

	if (c->uid == 0 && c->gid == 0 && c->caps_all)
		return; /* full root, as asked */
	if (sandbox_apply(&sb, &e) < 0) {
		dprintf(2, "berth-init: error: service %s: privilege drop: %s\n", c->name, e.msg);
		_exit(111);
	}
}

void svc_exec(const struct svc *s, const char *cg)
{
	const struct svc_conf *c = &s->c;
	char *argv[SVC_ARGS_MAX + 1], *envp[ENV_MAX + 1];
	int envc = 0, fd, have_path = 0;

	signals_child_reset();
	setsid();
	/* Without its log pipe (svc_log_open failed) the service writes to
	 * PID 1's console instead. */
	if (s->log_w >= 0 && (dup2(s->log_w, 1) < 0 || dup2(s->log_w, 2) < 0))
		_exit(111); /* nowhere to report */
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (fd < 0 || dup2(fd, 0) < 0)
		die(s, 111, "stdin from /dev/null");
	join_cgroup(s, cg);
	if (chdir("/") < 0)
		die(s, 111, "chdir /");
	drop_privileges(s);

	for (int i = 0; i < c->argc; i++)
		argv[i] = (char *)c->cmd + c->arg_off[i];
	argv[c->argc] = NULL;
	for (int i = 0; i < c->envc; i++) {
		envp[envc++] = (char *)c->env + c->env_off[i];
		if (strncmp(envp[envc - 1], "PATH=", 5) == 0)
			have_path = 1;
	}
	if (!have_path)
		envp[envc++] = "PATH=/usr/sbin:/usr/bin:/sbin:/bin";
	envp[envc] = NULL;
	execve(argv[0], argv, envp);
	dprintf(2, "berth-init: error: service %s: exec %s: %s\n", c->name, argv[0], strerror(errno));
	_exit(errno == ENOENT ? 127 : 126);
}

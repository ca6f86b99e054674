/* exec.c — another process in a started container (docker exec): clone3
 * into the container's pid namespace (the launcher's pid_for_children
 * moved there for the one call, then back) and cgroup, the rest of its
 * namespaces joined through its pidfd, then the container's own privilege
 * drop (lib/sandbox, STYLE 10) before exec. As for the first process, a
 * failure before exec is a struct launch_msg on a close-on-exec pipe; end
 * of file means the exec happened.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/sandbox.h"
#include "lib/util.h"
#include "runtime/launch/launch-internal.h"
#include "runtime/launch/mountfd.h"

struct launch_proc {
	pid_t pid;
	int pidfd;
	int master;
	int reaped;
	int status;          /* wait status, once reaped */
};

/* What the exec child needs, made before clone. */
struct exec_ctx {
	const struct launch *l;
	const struct launch_exec_spec *x;
	struct launch_user user;
	const char **envp;
	char env_home[300];
	int msg_fd, tty_fd;
};

static int env_key_len(const char *v)
{
	const char *eq = strchr(v, '=');

	return eq ? (int)(eq - v) : -1;
}

/* The container's environment with the exec's variables over it, TERM
 * for a terminal, HOME of the exec user. */
static int exec_env(struct exec_ctx *c, struct berr *e)
{
	const struct launch_exec_spec *x = c->x;
	const char *const *base = c->l->c.envp;
	size_t max = 2 * CONFIG_LAUNCH_ENV_MAX + LAUNCH_ENV_DEFAULTS + 3;
	int n = 0, term = 0;

	if (x->n_env < 0 || x->n_env > CONFIG_LAUNCH_ENV_MAX)
		return berr_set(e, E2BIG, "more than %d environment variables", CONFIG_LAUNCH_ENV_MAX);
	c->envp = calloc(max, sizeof *c->envp);
	if (!c->envp)
		return berr_sys(e, "environment");
	for (int i = 0; i < x->n_env; i++) {
		int k = env_key_len(x->env[i]);
		if (k <= 0)
			return berr_set(e, EINVAL, "env '%s': want KEY=VALUE", x->env[i]);
		for (int j = 0; j < k; j++)
			if (!(x->env[i][j] == '_' || (x->env[i][j] >= '0' && x->env[i][j] <= '9') ||
			      ((x->env[i][j] | 0x20) >= 'a' && (x->env[i][j] | 0x20) <= 'z')))
				return berr_set(e, EINVAL, "env '%s': bad character in the name", x->env[i]);
	}
	for (int i = 0; base[i]; i++) {
		int k = env_key_len(base[i]), over = 0;
		for (int j = 0; j < x->n_env && !over; j++)
			over = env_key_len(x->env[j]) == k && strncmp(x->env[j], base[i], (size_t)k) == 0;
		if (x->user && k == 4 && strncmp(base[i], "HOME", 4) == 0)
			over = 1; /* the exec user's own, below */
		if (!over)
			c->envp[n++] = base[i];
	}
	for (int i = 0; i < x->n_env; i++)
		c->envp[n++] = x->env[i];
	for (int i = 0; i < n; i++)
		term |= strncmp(c->envp[i], "TERM=", 5) == 0;
	if (x->tty && !term)
		c->envp[n++] = "TERM=xterm";
	if (x->user) {
		int home = 0;
		for (int i = 0; i < x->n_env; i++)
			home |= strncmp(x->env[i], "HOME=", 5) == 0;
		if (!home) {
			snprintf(c->env_home, sizeof c->env_home, "HOME=%s", c->user.home);
			c->envp[n++] = c->env_home;
		}
	}
	c->envp[n] = NULL;
	return 0;
}

static int exec_prepare(struct exec_ctx *c, enum launch_class *class, struct berr *e)
{
	const struct launch *l = c->l;
	const struct launch_spec *s = l->c.spec;

	*class = LAUNCH_ERR_SPEC;
	if (!l->started || l->reaped)
		return berr_set(e, ESRCH, "the container is not running");
	if (!c->x->argv || !c->x->argv[0] || !c->x->argv[0][0])
		return berr_set(e, EINVAL, "no command");
	if (c->x->workdir && c->x->workdir[0] != '/')
		return berr_set(e, EINVAL, "workdir '%s': must be an absolute path", c->x->workdir);
	if (c->x->caps & ~launch_caps_kept(&l->c))
		return berr_set(e, EPERM, "an exec may not hold capabilities its container lacks");
	c->user = l->c.user;
	if (c->x->user) {
		int rootfd = open(s->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC), rc;
		*class = LAUNCH_ERR_IMAGE;
		if (rootfd < 0)
			return berr_sys(e, "root %s", s->rootfs);
		rc = launch_user_resolve(rootfd, c->x->user, s->groups_add, s->n_groups_add, &c->user, e);
		close(rootfd);
		if (rc < 0)
			return -1;
		if (l->c.userns && (c->user.uid >= s->remap_count || c->user.gid >= s->remap_count))
			return berr_set(e, EINVAL, "user %s: outside the container's user namespace", c->x->user);
		*class = LAUNCH_ERR_SPEC;
	}
	return exec_env(c, e);
}

static void exec_fail(struct exec_ctx *c, struct berr *e, enum launch_class class, int code)
	__attribute__((noreturn));
static void exec_fail(struct exec_ctx *c, struct berr *e, enum launch_class class, int code)
{
	struct launch_msg m = { LAUNCH_MSG_FAILED, class, *e };

	if (util_write_all(c->msg_fd, &m, sizeof m, e) < 0) {
		/* the parent is gone */
	}
	_exit(code);
}

static int exec_setup(struct exec_ctx *c, struct berr *e)
{
	const struct launch *l = c->l;
	const struct launch_exec_spec *x = c->x;
	const char *wd = x->workdir ? x->workdir : l->c.spec->workdir ? l->c.spec->workdir : "/";
	int ns = CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWCGROUP |
		 (l->c.spec->net == LAUNCH_NET_HOST ? 0 : CLONE_NEWNET) | (l->c.userns ? CLONE_NEWUSER : 0);
	int wfd;

	if (setns(l->pidfd, ns) < 0)
		return berr_sys(e, "join the container's namespaces");
	if (l->c.userns && (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0))
		return berr_sys(e, "become root of the user namespace");
	if (setsid() < 0)
		return berr_sys(e, "setsid");
	if (launch_set_rlimits(l->c.spec, e) < 0)
		return -1;
	if (x->tty) {
		if (tty_child(c->tty_fd, e) < 0)
			return -1;
		close(c->tty_fd);
	} else if (launch_set_stdio(x->stdio, e) < 0)
		return -1;
	wfd = mfd_open(AT_FDCWD, wd, O_PATH | O_DIRECTORY, 0, e);
	if (wfd < 0 || fchdir(wfd) < 0)
		return berr_prefix(e, "working directory %s", wd);
	close(wfd);
	return 0;
}

static void exec_child(struct exec_ctx *c) __attribute__((noreturn));
static void exec_child(struct exec_ctx *c)
{
	const struct launch_ctx *lc = &c->l->c;
	struct berr e = { 0, "" };
	const struct sandbox sb = {
		.uid = c->user.uid, .gid = c->user.gid,
		.groups = c->user.groups, .n_groups = (size_t)c->user.n_groups,
		.caps = c->x->caps ? c->x->caps : launch_caps_kept(lc),
		.no_new_privs = lc->spec->no_new_privs,
		.filter = lc->filter, .filter_len = lc->filter_len,
	};

	launch_reset_signals();
	if (exec_setup(c, &e) < 0)
		exec_fail(c, &e, LAUNCH_ERR_SYS, 111);
	if (sandbox_apply(&sb, &e) < 0)
		exec_fail(c, &e, LAUNCH_ERR_SYS, 111);
	if (syscall(SYS_close_range, 3, ~0U, CLOSE_RANGE_CLOEXEC) < 0) {
		berr_sys(&e, "close_range");
		exec_fail(c, &e, LAUNCH_ERR_SYS, 111);
	}
	environ = (char **)c->envp;
	execvp(c->x->argv[0], c->x->argv);
	berr_sys(&e, "exec %s", c->x->argv[0]);
	exec_fail(c, &e, LAUNCH_ERR_EXEC, errno == ENOENT ? 127 : 126);
}

/* clone3 with pid_for_children moved into the container's pid namespace
 * for this one call. */
static pid_t exec_clone(struct exec_ctx *c, struct launch_proc *p, struct berr *e)
{
	int own = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
	struct clone_args ca;
	pid_t pid;

	if (own < 0)
		return berr_sys(e, "open /proc/self/ns/pid");
	if (setns(c->l->pidfd, CLONE_NEWPID) < 0) {
		berr_sys(e, "enter the container's pid namespace");
		close(own);
		return -1;
	}
	memset(&ca, 0, sizeof ca);
	ca.flags = CLONE_PIDFD;
	ca.pidfd = (uint64_t)(uintptr_t)&p->pidfd;
	ca.exit_signal = SIGCHLD;
	if (c->l->cgfd >= 0) {
		ca.flags |= CLONE_INTO_CGROUP;
		ca.cgroup = (uint64_t)c->l->cgfd;
	}
	pid = (pid_t)syscall(SYS_clone3, &ca, sizeof ca);
	if (pid == 0)
		exec_child(c);
	if (pid < 0)
		berr_sys(e, "clone3 into the container");
	if (setns(own, CLONE_NEWPID) < 0) {
		/* cannot happen (our own namespace); never fork into the container's by mistake */
		abort();
	}
	close(own);
	return pid;
}

/* After the clone: the terminal, then the child's word (EOF: exec'd). */
static int exec_handshake(struct launch_proc *p, int msg_r, int tty_sock, struct launch_result *r,
			  struct berr *e)
{
	struct launch_msg m;
	ssize_t n;

	if (tty_sock >= 0 && tty_recv(tty_sock, &p->master, e) < 0)
		return -1;
	do
		n = read(msg_r, &m, sizeof m);
	while (n < 0 && errno == EINTR);
	if (n == 0)
		return 0;
	if (n != (ssize_t)sizeof m) {
		r->class = LAUNCH_ERR_SYS;
		return n < 0 ? berr_sys(e, "read from the exec process")
			     : berr_set(e, EPROTO, "a short message from the exec process");
	}
	m.e.msg[sizeof m.e.msg - 1] = '\0';
	*e = m.e;
	r->class = (enum launch_class)m.class;
	return -1;
}

int launch_exec(struct launch *l, const struct launch_exec_spec *x, struct launch_proc **pp,
		struct launch_result *r, struct berr *e)
{
	struct exec_ctx c = { .l = l, .x = x, .msg_fd = -1, .tty_fd = -1 };
	struct launch_proc *p = calloc(1, sizeof *p);
	int msg[2] = { -1, -1 }, tty[2] = { -1, -1 }, rc = -1;
	enum launch_class class = LAUNCH_ERR_SYS;

	memset(r, 0, sizeof *r);
	*pp = NULL;
	r->class = LAUNCH_ERR_SYS;
	if (!p)
		return berr_sys(e, "exec");
	p->pidfd = p->master = -1;
	if (exec_prepare(&c, &class, e) < 0) {
		r->class = class;
		goto out;
	}
	if (pipe2(msg, O_CLOEXEC) < 0 ||
	    (x->tty && socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, tty) < 0)) {
		berr_sys(e, "exec: pipe");
		goto out;
	}
	c.msg_fd = msg[1];
	c.tty_fd = tty[1];
	p->pid = exec_clone(&c, p, e);
	if (p->pid < 0) {
		p->pid = 0;
		goto out;
	}
	fd_close(&msg[1]);
	fd_close(&tty[1]);
	if (exec_handshake(p, msg[0], tty[0], r, e) == 0) {
		*pp = p;
		p = NULL;
		r->class = LAUNCH_EXITED;
		rc = 0;
	} else {
		struct launch_result w;
		struct berr ignore;
		/* the child's exit code is the status: 126/127 for a failed exec */
		if (launch_proc_wait(p, &w, &ignore) == 0)
			r->status = w.status;
	}
out:
	for (int i = 0; i < 2; i++) {
		fd_close(&msg[i]);
		fd_close(&tty[i]);
	}
	free(c.envp);
	launch_proc_destroy(p);
	return rc;
}

int launch_proc_pidfd(const struct launch_proc *p)
{
	return p->pidfd;
}

pid_t launch_proc_pid(const struct launch_proc *p)
{
	return p->pid;
}

int launch_proc_tty_take(struct launch_proc *p, struct berr *e)
{
	if (p->master < 0)
		return berr_set(e, EINVAL, "no terminal to take");
	return fd_take(&p->master);
}

int launch_proc_wait(struct launch_proc *p, struct launch_result *r, struct berr *e)
{
	siginfo_t si;

	if (!p->reaped) {
		memset(&si, 0, sizeof si);
		while (waitid(P_PID, (id_t)p->pid, &si, WEXITED) < 0)
			if (errno != EINTR)
				return berr_sys(e, "wait for the exec process");
		p->reaped = 1;
		p->status = si.si_code == CLD_EXITED ? (si.si_status & 0xff) : 128 + si.si_status;
		r->class = si.si_code == CLD_EXITED ? LAUNCH_EXITED : LAUNCH_SIGNALED;
	} else
		r->class = p->status > 128 ? LAUNCH_SIGNALED : LAUNCH_EXITED;
	r->status = p->status;
	return 0;
}

void launch_proc_destroy(struct launch_proc *p)
{
	struct launch_result ignore;
	struct berr e;

	if (!p)
		return;
	if (p->pid > 0 && !p->reaped) {
		syscall(SYS_pidfd_send_signal, p->pidfd, SIGKILL, NULL, 0);
		launch_proc_wait(p, &ignore, &e);
	}
	fd_close(&p->pidfd);
	fd_close(&p->master);
	free(p);
}

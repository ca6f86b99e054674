/* run.c — the parent side of a launch: create (prepare, cgroup, clone3 into
 * the namespaces, the child's setup up to just before exec), start, wait
 * (signals passed on, the terminal relayed), kill through the pidfd,
 * destroy.
 *
 * Order matters: the spec is checked and the exec user resolved before
 * anything is created; the launcher is non-dumpable before the clone
 * (escape class 1) and never enters the container itself.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/util.h"
#include "runtime/launch/launch-internal.h"
#include "runtime/launch/tty.h"


/* Signals launch_run passes on to the container. */
static const int forwarded[] = { SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGWINCH, SIGCONT };

void launch_warn(struct launch_result *r, const char *fmt, ...)
{
	va_list ap;
	int i = r->n_warn < LAUNCH_WARN_MAX ? r->n_warn++ : LAUNCH_WARN_MAX - 1;

	va_start(ap, fmt);
	vsnprintf(r->warn[i], sizeof r->warn[i], fmt, ap);
	va_end(ap);
}

/* Map container ids 0..N-1 to the remap range; the parent is root in the
 * initial namespace, so setgroups stays allowed. */
static int write_maps(pid_t pid, const struct launch_spec *s, struct berr *e)
{
	char path[64], map[64];

	snprintf(map, sizeof map, "0 %u %u\n", s->remap_uid, s->remap_count);
	snprintf(path, sizeof path, "/proc/%d/uid_map", (int)pid);
	if (util_write_file(path, map, e) < 0)
		return berr_prefix(e, "uid_map");
	snprintf(map, sizeof map, "0 %u %u\n", s->remap_gid, s->remap_count);
	snprintf(path, sizeof path, "/proc/%d/gid_map", (int)pid);
	if (util_write_file(path, map, e) < 0)
		return berr_prefix(e, "gid_map");
	return 0;
}

/* Reap the first process: its status into r; 1 when a signal ended it. */
static int reap(struct launch *l, struct launch_result *r)
{
	siginfo_t si;

	memset(&si, 0, sizeof si);
	if (l->reaped || l->pid <= 0)
		return 0;
	while (waitid(P_PID, (id_t)l->pid, &si, WEXITED) < 0 && errno == EINTR)
		;
	l->reaped = 1;
	if (si.si_code == CLD_EXITED) {
		r->status = si.si_status & 0xff;
		return 0;
	}
	r->status = 128 + si.si_status;
	return 1;
}

/* One message from the child: 1 read, 0 end of file (it exec'd or died). */
static int read_msg(struct launch *l, struct launch_msg *m, struct berr *e)
{
	ssize_t n;

	do
		n = read(l->msg_fd, m, sizeof *m);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return berr_sys(e, "read from the container's first process");
	if (n == 0)
		return 0;
	if (n != (ssize_t)sizeof *m)
		return berr_set(e, EPROTO, "a short message from the container's first process");
	m->e.msg[sizeof m->e.msg - 1] = '\0';
	return 1;
}

/* The setup failed: the child's own error and class when it sent one
 * (a message written before it ended stays in the pipe), else ours. */
static int child_failed(struct launch *l, struct launch_result *r, struct berr *e)
{
	struct launch_msg m;
	struct berr mine = *e;

	syscall(SYS_pidfd_send_signal, l->pidfd, SIGKILL, NULL, 0);
	r->class = LAUNCH_ERR_SYS;
	if (read_msg(l, &m, e) == 1 && m.kind == LAUNCH_MSG_FAILED) {
		*e = m.e;
		r->class = (enum launch_class)m.class;
	} else if (mine.msg[0])
		*e = mine;
	else
		berr_set(e, ECHILD, "the container's first process ended during its setup");
	reap(l, r);
	return -1;
}

static int make_pipes(struct launch *l, int child[4], struct berr *e)
{
	int p[2];

	if (pipe2(p, O_CLOEXEC) < 0)
		return berr_sys(e, "pipe");
	l->msg_fd = p[0], child[0] = p[1];
	if (pipe2(p, O_CLOEXEC) < 0)
		return berr_sys(e, "pipe");
	child[1] = p[0], l->sync_w = p[1];
	if (pipe2(p, O_CLOEXEC) < 0)
		return berr_sys(e, "pipe");
	child[2] = p[0], l->start_w = p[1];
	if (l->c.spec->tty) {
		if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, p) < 0)
			return berr_sys(e, "socketpair");
		l->tty_sock = p[0], child[3] = p[1];
	}
	return 0;
}

/* clone3 into the namespaces (and the cgroup); the child runs
 * launch_child and waits for the sync byte. */
static int spawn(struct launch *l, struct berr *e)
{
	const struct launch_spec *s = l->c.spec;
	int child[4] = { -1, -1, -1, -1 }, rc = -1;
	struct clone_args ca;
	pid_t pid;

	/* Non-dumpable before any namespace exists: the child inherits it
	 * and a container process can never open the launcher through /proc. */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		return berr_sys(e, "PR_SET_DUMPABLE");
	if (make_pipes(l, child, e) < 0)
		goto out;
	memset(&ca, 0, sizeof ca);
	ca.flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWCGROUP |
		   CLONE_PIDFD | (s->net == LAUNCH_NET_HOST ? 0 : CLONE_NEWNET) |
		   (l->c.userns ? CLONE_NEWUSER : 0);
	ca.pidfd = (uint64_t)(uintptr_t)&l->pidfd;
	ca.exit_signal = SIGCHLD;
	if (l->cgfd >= 0) {
		ca.flags |= CLONE_INTO_CGROUP;
		ca.cgroup = (uint64_t)l->cgfd;
	}
	pid = (pid_t)syscall(SYS_clone3, &ca, sizeof ca);
	if (pid < 0) {
		berr_sys(e, "clone3");
		goto out;
	}
	if (pid == 0) {
		fd_close(&l->msg_fd);
		fd_close(&l->sync_w);
		fd_close(&l->start_w);
		fd_close(&l->tty_sock);
		l->c.msg_fd = child[0];
		l->c.sync_fd = child[1];
		l->c.start_fd = child[2];
		l->c.tty_fd = child[3];
		launch_child(&l->c);
	}
	l->pid = pid;
	rc = 0;
out:
	for (int i = 0; i < 4; i++)
		fd_close(&child[i]);
	return rc;
}

/* Id maps, the sync byte, the terminal, then wait for READY. */
static int handshake(struct launch *l, struct launch_result *r, struct berr *e)
{
	const struct launch_spec *s = l->c.spec;
	struct launch_msg m;
	int got;

	if (l->c.userns && write_maps(l->pid, s, e) < 0)
		return child_failed(l, r, e);
	if (write(l->sync_w, "", 1) != 1) {
		berr_sys(e, "start the container's setup");
		return child_failed(l, r, e);
	}
	fd_close(&l->sync_w);
	/* (when the child ended first, tty_recv leaves master at -1 and
	 * its message follows) */
	if (s->tty && tty_recv(l->tty_sock, &l->master, e) < 0)
		return child_failed(l, r, e);
	fd_close(&l->tty_sock);
	got = read_msg(l, &m, e);
	if (got == 1 && m.kind == LAUNCH_MSG_READY)
		return 0;
	if (got == 1) {
		*e = m.e;
		r->class = m.kind == LAUNCH_MSG_FAILED ? (enum launch_class)m.class : LAUNCH_ERR_SYS;
		syscall(SYS_pidfd_send_signal, l->pidfd, SIGKILL, NULL, 0);
		reap(l, r);
		return -1;
	}
	if (got == 0)
		berr_clear(e); /* it ended without a word: child_failed says so */
	return child_failed(l, r, e);
}

int launch_create(const struct launch_spec *s, struct launch **lp, struct launch_result *r,
		  struct berr *e)
{
	struct launch *l;

	memset(r, 0, sizeof *r);
	*lp = NULL;
	r->class = LAUNCH_ERR_SYS;
	l = calloc(1, sizeof *l);
	if (!l)
		return berr_sys(e, "launch");
	l->cgfd = l->pidfd = l->msg_fd = l->sync_w = l->start_w = l->tty_sock = l->master = -1;
	l->c.netns_fd = -1;
	l->relay.master = -1;
	if (launch_prepare(s, &l->c, &r->class, e) < 0)
		goto fail;
	r->class = LAUNCH_ERR_SPEC; /* a bad cgroup parent, or cgroups required but absent */
	if (launch_cg_prepare(s, &l->cg, r, e) < 0)
		goto fail;
	r->class = LAUNCH_ERR_SYS;
	if (launch_cg_create(&l->cg, &l->cgfd, e) < 0)
		goto fail;
	/* Without a device program nothing stops a device node from being
	 * used: the launcher's /dev is then read-only and every other mount
	 * nodev, so a node made with CAP_MKNOD or brought by the image or a
	 * bind cannot be opened. Devices still fail closed. */
	l->c.no_devices = !l->cg.active;
	if (spawn(l, e) < 0 || handshake(l, r, e) < 0)
		goto fail;
	r->class = LAUNCH_EXITED;
	*lp = l;
	return 0;
fail:
	launch_destroy(l);
	return -1;
}

int launch_start(struct launch *l, struct launch_result *r, struct berr *e)
{
	struct launch_msg m;
	int got;

	if (write(l->start_w, "", 1) != 1) {
		berr_sys(e, "start the container");
		return child_failed(l, r, e);
	}
	fd_close(&l->start_w);
	/* End of file: the exec happened (the pipe is close-on-exec). */
	got = read_msg(l, &m, e);
	if (got == 0) {
		l->started = 1;
		fd_close(&l->msg_fd);
		if (l->master >= 0)
			tty_relay_start(&l->relay, fd_take(&l->master));
		return 0;
	}
	if (got == 1) {
		*e = m.e;
		r->class = (enum launch_class)m.class;
		reap(l, r);
		return -1;
	}
	return child_failed(l, r, e);
}

static void pass_signal(struct launch *l, int sigfd)
{
	struct signalfd_siginfo ssi;

	if (read(sigfd, &ssi, sizeof ssi) != (ssize_t)sizeof ssi || ssi.ssi_signo == SIGCHLD)
		return;
	if (ssi.ssi_signo == SIGWINCH && l->relay.master >= 0)
		tty_relay_winch(&l->relay);
	else
		syscall(SYS_pidfd_send_signal, l->pidfd, ssi.ssi_signo, NULL, 0);
}

int launch_wait(struct launch *l, int sigfd, struct launch_result *r, struct berr *e)
{
	struct tty_relay *t = &l->relay;

	for (;;) {
		struct pollfd p[4] = { { sigfd, POLLIN, 0 }, { l->pidfd, POLLIN, 0 },
				       { t->master, POLLIN, 0 }, { t->in_open ? 0 : -1, POLLIN, 0 } };

		if (poll(p, 4, -1) < 0) {
			if (errno == EINTR)
				continue;
			berr_sys(e, "poll");
			syscall(SYS_pidfd_send_signal, l->pidfd, SIGKILL, NULL, 0);
		}
		if (p[0].revents & POLLIN)
			pass_signal(l, sigfd);
		if (t->master >= 0 && tty_relay_io(t, p[3].revents, p[2].revents) == 0)
			p[2].fd = -1; /* hung up: wait for the exit below */
		if (t->master >= 0 && p[2].fd < 0 && !(p[1].revents & POLLIN))
			tty_relay_end(t); /* the terminal closed but PID 1 lives: stop relaying */
		if (p[1].revents & POLLIN) {
			/* the relay copies what is left before the status goes out */
			if (t->master >= 0)
				tty_relay_end(t);
			r->class = reap(l, r) ? LAUNCH_SIGNALED : LAUNCH_EXITED;
			return 0;
		}
	}
}

int launch_kill(struct launch *l, int sig, struct berr *e)
{
	if (l->reaped || l->pidfd < 0)
		return berr_set(e, ESRCH, "the container's first process has ended");
	if (syscall(SYS_pidfd_send_signal, l->pidfd, sig, NULL, 0) < 0)
		return berr_sys(e, "signal %d to the container", sig);
	return 0;
}

pid_t launch_pid(const struct launch *l)
{
	return l->pid;
}

int launch_pidfd(const struct launch *l)
{
	return l->pidfd;
}

int launch_cgroup_fd(const struct launch *l)
{
	return l->cgfd;
}

int launch_tty_take(struct launch *l, struct berr *e)
{
	if (l->master < 0)
		return berr_set(e, EINVAL, "no terminal to take (not a tty spec, or taken already)");
	return fd_take(&l->master);
}

void launch_destroy(struct launch *l)
{
	struct launch_result ignore;

	if (!l)
		return;
	if (l->pid > 0 && !l->reaped) {
		syscall(SYS_pidfd_send_signal, l->pidfd, SIGKILL, NULL, 0);
		reap(l, &ignore);
	}
	if (l->relay.master >= 0)
		tty_relay_end(&l->relay);
	launch_cg_destroy(&l->cg, &l->cgfd);
	fd_close(&l->pidfd);
	fd_close(&l->msg_fd);
	fd_close(&l->sync_w);
	fd_close(&l->start_w);
	fd_close(&l->tty_sock);
	fd_close(&l->master);
	launch_ctx_free(&l->c);
	free(l);
}

int launch_run(const struct launch_spec *s, struct launch_result *r, struct berr *e)
{
	struct launch *l = NULL;
	sigset_t fwd, old;
	int sfd, rc = -1;

	memset(r, 0, sizeof *r);
	sigemptyset(&fwd);
	for (size_t i = 0; i < ARRAY_SIZE(forwarded); i++)
		sigaddset(&fwd, forwarded[i]);
	sigaddset(&fwd, SIGCHLD);
	sigprocmask(SIG_BLOCK, &fwd, &old);
	sfd = signalfd(-1, &fwd, SFD_CLOEXEC);
	if (sfd < 0) {
		r->class = LAUNCH_ERR_SYS;
		berr_sys(e, "signalfd");
	} else if (launch_create(s, &l, r, e) == 0 && launch_start(l, r, e) == 0 &&
		   launch_wait(l, sfd, r, e) == 0)
		rc = 0;
	launch_destroy(l);
	fd_close(&sfd);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return rc;
}

/* child.c — the container's first process between clone and exec: its own
 * session, the mount tree, hostname, loopback, rlimits, then the privilege
 * drop in the one audited order (STYLE 10) and close_range; then it tells
 * the parent it is ready and waits for the word to exec. It never returns:
 * a failure is written to the parent as a struct launch_msg and the child
 * exits.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <linux/close_range.h>
#include <unistd.h>

#include "lib/sandbox.h"
#include "lib/util.h"
#include "runtime/launch/launch-internal.h"
#include "runtime/launch/mountfd.h"
#include "runtime/launch/tty.h"

/* Exit codes of a child that could not exec (the parent maps them). */
enum { CHILD_SETUP = 111, CHILD_NOEXEC = 126, CHILD_NOTFOUND = 127 };

static void fail(struct launch_ctx *c, struct berr *e, enum launch_class class, int code)
	__attribute__((noreturn));
static void fail(struct launch_ctx *c, struct berr *e, enum launch_class class, int code)
{
	struct launch_msg m = { LAUNCH_MSG_FAILED, class, *e };

	if (util_write_all(c->msg_fd, &m, sizeof m, e) < 0) {
		/* the parent is gone: nobody to tell */
	}
	_exit(code);
}

static int loopback_up(struct berr *e)
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), rc = 0;

	if (fd < 0)
		return berr_sys(e, "loopback: socket");
	memset(&ifr, 0, sizeof ifr);
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		rc = berr_sys(e, "loopback: get flags");
	else {
		ifr.ifr_flags |= IFF_UP;
		if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
			rc = berr_sys(e, "loopback: up");
	}
	close(fd);
	return rc;
}

int launch_set_rlimits(const struct launch_spec *s, struct berr *e)
{
	int nofile_set = 0;

	for (int i = 0; i < s->n_rlimits; i++) {
		struct rlimit rl = { s->rlimits[i].soft, s->rlimits[i].hard };
		if (setrlimit(s->rlimits[i].resource, &rl) < 0)
			return berr_sys(e, "rlimit %d", s->rlimits[i].resource);
		if (s->rlimits[i].resource == RLIMIT_NOFILE)
			nofile_set = 1;
	}
	if (!nofile_set) {
		/* SECURITY.md: NOFILE 1048576 unless configured; a host whose
		 * hard limit is lower (and no CAP_SYS_RESOURCE) keeps its own. */
		struct rlimit rl = { 1048576, 1048576 };
		if (setrlimit(RLIMIT_NOFILE, &rl) < 0) {
			if (errno != EPERM || getrlimit(RLIMIT_NOFILE, &rl) < 0)
				return berr_sys(e, "rlimit nofile");
			rl.rlim_cur = rl.rlim_max;
			if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
				return berr_sys(e, "rlimit nofile");
		}
	}
	return 0;
}

uint64_t launch_caps_kept(const struct launch_ctx *c)
{
	return c->spec->caps & ~(c->no_pivot ? UINT64_C(1) << 18 /* CAP_SYS_CHROOT */ : 0);
}

/* lib/sandbox's audited order, seccomp last. */
static int drop_privileges(struct launch_ctx *c, struct berr *e)
{
	const struct sandbox sb = {
		.uid = c->user.uid, .gid = c->user.gid,
		.groups = c->user.groups, .n_groups = (size_t)c->user.n_groups,
		.caps = launch_caps_kept(c),
		.no_new_privs = c->spec->no_new_privs,
		.filter = c->filter, .filter_len = c->filter_len,
	};

	return sandbox_apply(&sb, e) < 0 ? -1 : 0;
}

/* Default dispositions and an empty mask: the parent blocked the signals
 * it forwards. Every signal, real-time ones included (an ignored one stays
 * ignored across exec); raw, since libc keeps some of them for itself. */
void launch_reset_signals(void)
{
	sigset_t none;

	sigemptyset(&none);
	for (int sig = 1; sig <= 64; sig++) {
		struct {
			void *handler;
			unsigned long flags;
			void *restorer;
			unsigned long mask;
		} dfl = { SIG_DFL, 0, NULL, 0 };
		if (sig != SIGKILL && sig != SIGSTOP)
			syscall(SYS_rt_sigaction, sig, &dfl, NULL, sizeof dfl.mask);
	}
	sigprocmask(SIG_SETMASK, &none, NULL);
}

/* The spec's stdio as fds 0-2 (tty specs get the terminal instead): first
 * above 2, so that one of them already at 0-2 is not overwritten before
 * it is copied, then into place (dup2 leaves them inheritable). */
int launch_set_stdio(const int stdio[3], struct berr *e)
{
	int hi[3] = { -1, -1, -1 }, rc = 0;

	for (int i = 0; i < 3 && rc == 0; i++)
		if (stdio[i] >= 0 && (hi[i] = fcntl(stdio[i], F_DUPFD_CLOEXEC, 3)) < 0)
			rc = berr_sys(e, "stdio %d", i);
	for (int i = 0; i < 3 && rc == 0; i++)
		if (hi[i] >= 0 && dup2(hi[i], i) < 0)
			rc = berr_sys(e, "stdio %d", i);
	for (int i = 0; i < 3; i++)
		if (hi[i] >= 0)
			close(hi[i]);
	return rc;
}

/* Namespaces joined, the mount tree, hostname, network, limits, terminal
 * and working directory: everything before the privilege drop. */
static int set_up(struct launch_ctx *c, enum launch_class *class, struct berr *e)
{
	const struct launch_spec *s = c->spec;

	*class = LAUNCH_ERR_SYS;
	/* In a user namespace, become its root (host ids: the remap range). */
	if (c->userns && (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0))
		return berr_sys(e, "become root of the user namespace");
	if (s->net == LAUNCH_NET_NS && setns(c->netns_fd, CLONE_NEWNET) < 0)
		return berr_sys(e, "join network namespace %s", s->netns);
	if (launch_mounts(c, class, e) < 0)
		return -1;
	*class = LAUNCH_ERR_SYS;
	if (sethostname(c->hostname, strlen(c->hostname)) < 0)
		return berr_sys(e, "sethostname");
	if (s->net == LAUNCH_NET_NONE && loopback_up(e) < 0)
		return -1;
	if (launch_set_rlimits(s, e) < 0)
		return -1;
	if (s->tty) {
		if (tty_child(c->tty_fd, e) < 0)
			return -1;
		close(c->tty_fd);
	} else if (launch_set_stdio(s->stdio, e) < 0)
		return -1;
	/* The working directory after pivot_root, resolved inside the new
	 * root without magic links: /proc/self/fd/N is refused. */
	{
		int wd = mfd_open(AT_FDCWD, s->workdir ? s->workdir : "/", O_PATH | O_DIRECTORY, 0, e);
		if (wd < 0 || fchdir(wd) < 0)
			return berr_prefix(e, "working directory %s", s->workdir);
		close(wd);
	}
	return 0;
}

void launch_child(struct launch_ctx *c)
{
	const struct launch_spec *s = c->spec;
	struct berr e = { 0, "" };
	enum launch_class class;
	char go;

	launch_reset_signals();
	/* A session and process group of its own: the caller's terminal is
	 * never its controlling terminal (no TIOCSTI into the operator's
	 * shell) and kill(0, ...) inside never reaches the caller's group. */
	if (setsid() < 0) {
		berr_sys(&e, "setsid");
		fail(c, &e, LAUNCH_ERR_SYS, CHILD_SETUP);
	}
	if (read(c->sync_fd, &go, 1) != 1)
		_exit(CHILD_SETUP); /* the parent gave up: it reports why */
	close(c->sync_fd);
	if (set_up(c, &class, &e) < 0)
		fail(c, &e, class, CHILD_SETUP);
	if (drop_privileges(c, &e) < 0)
		fail(c, &e, LAUNCH_ERR_SYS, CHILD_SETUP);
	/* The container ends with berth-run (set after the uid change, which
	 * clears it; prctl stays allowed by the filter). */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0) {
		berr_sys(&e, "PR_SET_PDEATHSIG");
		fail(c, &e, LAUNCH_ERR_SYS, CHILD_SETUP);
	}
	/* Every fd but 0-2 (and msg_fd, start_fd until exec) is close-on-exec. */
	if (syscall(SYS_close_range, 3, ~0U, CLOSE_RANGE_CLOEXEC) < 0) {
		berr_sys(&e, "close_range");
		fail(c, &e, LAUNCH_ERR_SYS, CHILD_SETUP);
	}
	{
		struct launch_msg ready = { LAUNCH_MSG_READY, 0, { 0, "" } };
		if (util_write_all(c->msg_fd, &ready, sizeof ready, &e) < 0 ||
		    read(c->start_fd, &go, 1) != 1)
			_exit(CHILD_SETUP); /* the parent gave up */
	}
	environ = (char **)c->envp;
	execvp(s->argv[0], s->argv);
	berr_sys(&e, "exec %s", s->argv[0]);
	fail(c, &e, LAUNCH_ERR_EXEC, errno == ENOENT ? CHILD_NOTFOUND : CHILD_NOEXEC);
}

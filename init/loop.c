/* loop.c — signals as an fd, one poll loop, reaping. Nothing here
 * allocates: the poll set and every table live in struct init. */
#include "init/loop.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/reboot.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "autoconf.h"
#include "init/console.h"
#include "init/ctl.h"
#include "init/shutdown.h"
#include "init/svc.h"
#include "init/svc_log.h"
#include "lib/kconfig.h"

static const int handled[] = { SIGCHLD, SIGINT, SIGTERM, SIGUSR1, SIGUSR2, SIGHUP };

int loop_signals_init(struct init *in, struct berr *e)
{
	sigset_t set;
	size_t i;

	sigemptyset(&set);
	for (i = 0; i < sizeof handled / sizeof handled[0]; i++)
		sigaddset(&set, handled[i]);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return berr_sys(e, "sigprocmask");
	in->sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (in->sigfd < 0)
		return berr_sys(e, "signalfd");
	signal(SIGPIPE, SIG_IGN);
	signal(SIGTTIN, SIG_IGN);
	signal(SIGTTOU, SIG_IGN);
	/* ctrl-alt-del: SIGINT to PID 1 instead of an immediate reboot. Only
	 * the initial PID namespace may do this; elsewhere it fails, harmlessly. */
	reboot(RB_DISABLE_CAD);
	return 0;
}

static void child_exited(struct init *in, pid_t pid, int status)
{
	if (svc_exited(in, pid, status))
		return;
	if (pid != in->shell_pid || pid == 0)
		return; /* an orphan or a finished helper: reaped, nothing to do */
	in->shell_pid = 0;
	if (WIFSIGNALED(status))
		log_msg(&in->log, LOG_INFO, "console shell killed by signal %d", WTERMSIG(status));
	else
		log_msg(&in->log, LOG_INFO, "console shell exited with %d", WEXITSTATUS(status));
	if (in->stop == STOP_NONE && !in->stopping)
		in->shell_respawn_ns = log_boottime_ns() + 1000000000LL;
}

void loop_reap(struct init *in)
{
	for (;;) {
		int status;
		pid_t pid = waitpid(-1, &status, WNOHANG);

		if (pid > 0) {
			child_exited(in, pid, status);
			continue;
		}
		if (pid < 0 && errno == EINTR)
			continue;
		return; /* 0: children left, none exited; -1 ECHILD: none left */
	}
}

static void on_signal(struct init *in, int sig)
{
	enum init_stop want = STOP_NONE;

	switch (sig) {
	case SIGCHLD:
		loop_reap(in);
		return;
	case SIGUSR2:
	case SIGINT:
		want = STOP_POWEROFF;
		break;
	case SIGTERM:
		want = STOP_REBOOT;
		break;
	case SIGUSR1:
		want = STOP_HALT;
		break;
	case SIGHUP:
		if (!in->stopping) {
			log_msg(&in->log, LOG_INFO, "SIGHUP: looking for new services in %s",
				in->conf.services_dir);
			svc_start_all(in, svc_load(in, in->conf.services_dir, in->nsvcs));
		}
		return;
	default:
		log_msg(&in->log, LOG_INFO, "signal %d ignored", sig);
		return;
	}
	if (in->stopping)
		log_msg(&in->log, LOG_INFO, "signal %d: shutdown already under way", sig);
	else
		in->stop = want;
}

/* Milliseconds until the earliest timer, capped by max_ms (-1: none). */
static int poll_timeout_ms(const struct init *in, int max_ms)
{
	long long due[3] = { in->shell_respawn_ns, svc_next_due(in),
			     in->ctl_client >= 0 ? in->ctl_deadline_ns : 0 };
	long long now = log_boottime_ns();
	int t = max_ms;

	for (int i = 0; i < 3; i++) {
		long long left;

		if (!due[i])
			continue;
		left = (due[i] - now + 999999) / 1000000LL;
		if (left < 0)
			left = 0;
		if (left > 60000)
			left = 60000;
		if (t < 0 || left < t)
			t = (int)left;
	}
	return t;
}

void loop_step(struct init *in, int max_ms)
{
	struct pollfd *pfd = in->pfd;
	struct signalfd_siginfo si;
	int rc;

	pfd[PFD_SIG] = (struct pollfd){ .fd = in->sigfd, .events = POLLIN };
	/* A busy control socket is not asked for more clients. */
	pfd[PFD_CTL] = (struct pollfd){ .fd = in->ctl_client >= 0 ? -1 : in->ctl_fd, .events = POLLIN };
	pfd[PFD_CLIENT] = (struct pollfd){ .fd = in->ctl_client, .events = POLLIN };
	for (int i = 0; i < in->nsvcs; i++)
		pfd[PFD_SVC + i].revents = 0;
	rc = poll(pfd, (nfds_t)(PFD_SVC + in->nsvcs), poll_timeout_ms(in, max_ms));
	if (rc < 0 && errno != EINTR) {
		log_msg(&in->log, LOG_ERROR, "poll: %s", strerror(errno));
		sleep(1); /* never spin, never exit */
		return;
	}
	if (rc > 0) {
		for (int i = 0; i < in->nsvcs; i++)
			if (pfd[PFD_SVC + i].revents)
				svc_log_drain(&in->log, &in->svcs[i]);
		while (read(in->sigfd, &si, sizeof si) == (ssize_t)sizeof si)
			on_signal(in, (int)si.ssi_signo);
		if (pfd[PFD_CTL].revents)
			ctl_accept(in);
	}
	if (in->ctl_client >= 0)
		ctl_serve(in); /* answers, or waits for its request until the deadline */
	svc_tick(in, log_boottime_ns());
	if (IS_ENABLED(CONFIG_INIT_CONSOLE_SHELL) && in->shell_respawn_ns &&
	    log_boottime_ns() >= in->shell_respawn_ns && !in->stopping)
		console_shell_start(in);
}

void loop_run(struct init *in)
{
	for (;;) {
		loop_step(in, -1);
		if (in->stop != STOP_NONE && !in->stopping) {
			shutdown_run(in);
			in->stop = STOP_NONE; /* reboot(2) failed: keep running */
			in->stopping = 0;
		}
	}
}

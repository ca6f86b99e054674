/* loop.c — signals as an fd, one poll loop, reaping. */
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
#include "init/shutdown.h"
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
	if (pid != in->shell_pid || pid == 0)
		return; /* an orphan or a finished helper: reaped, nothing to do */
	in->shell_pid = 0;
	if (WIFSIGNALED(status))
		log_msg(&in->log, LOG_INFO, "console shell killed by signal %d", WTERMSIG(status));
	else
		log_msg(&in->log, LOG_INFO, "console shell exited with %d", WEXITSTATUS(status));
	if (in->stop == STOP_NONE)
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
	switch (sig) {
	case SIGCHLD:
		loop_reap(in);
		break;
	case SIGUSR2:
	case SIGINT:
		in->stop = STOP_POWEROFF;
		break;
	case SIGTERM:
		in->stop = STOP_REBOOT;
		break;
	case SIGUSR1:
		in->stop = STOP_HALT;
		break;
	default:
		log_msg(&in->log, LOG_INFO, "signal %d ignored", sig);
		break;
	}
}

static int poll_timeout_ms(const struct init *in)
{
	long long now, left;

	if (in->shell_respawn_ns == 0)
		return -1;
	now = log_boottime_ns();
	left = (in->shell_respawn_ns - now) / 1000000LL;
	return left < 0 ? 0 : left > 60000 ? 60000 : (int)left;
}

void loop_run(struct init *in)
{
	for (;;) {
		struct pollfd pfd = { .fd = in->sigfd, .events = POLLIN };
		struct signalfd_siginfo si;
		int rc = poll(&pfd, 1, poll_timeout_ms(in));

		if (rc < 0 && errno != EINTR) {
			log_msg(&in->log, LOG_ERROR, "poll: %s", strerror(errno));
			sleep(1); /* never spin, never exit */
			continue;
		}
		while (read(in->sigfd, &si, sizeof si) == (ssize_t)sizeof si)
			on_signal(in, (int)si.ssi_signo);
		if (in->stop != STOP_NONE) {
			shutdown_run(in);
			in->stop = STOP_NONE; /* reboot(2) failed: keep running */
		}
		if (IS_ENABLED(CONFIG_INIT_CONSOLE_SHELL) && in->shell_respawn_ns &&
		    log_boottime_ns() >= in->shell_respawn_ns)
			console_shell_start(in);
	}
}

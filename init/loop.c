/* loop.c — reaping, and every fd and timer of PID 1 (the signalfd first)
 * as a registration in one lib/evloop. Nothing here allocates: the loop's
 * tables live in struct init. */
#include "init/loop.h"

#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "autoconf.h"
#include "init/boot_after.h"
#include "init/console.h"
#include "init/ctl.h"
#include "init/power.h"
#include "init/shutdown.h"
#include "init/signals.h"
#include "init/svc.h"
#include "init/svc_log.h"
#include "init/watchdog.h"
#include "lib/kconfig.h"
#include "lib/util.h"

#define SHELL_RESPAWN_MS 1000
#define SIGNAL_POLL_MS 100 /* without a signalfd: how often signals and children are looked at */
#define CONSOLE_RETRY_MS 50 /* while the console holds queued lines back */

/* Every callback gets the loop; the loop is a member of struct init. */
static struct init *init_of(struct evloop *l)
{
	return (struct init *)((char *)l - offsetof(struct init, loop));
}

/* ---- children ---- */

static void shell_exited(struct init *in, int status)
{
	in->shell_pid = 0;
	if (WIFSIGNALED(status))
		log_msg(&in->log, LOG_INFO, "console shell killed by signal %d", WTERMSIG(status));
	else
		log_msg(&in->log, LOG_INFO, "console shell exited with %d", WEXITSTATUS(status));
	if (in->stop == STOP_NONE && !in->stopping)
		evloop_timer_arm_in(&in->loop, in->t_shell, SHELL_RESPAWN_MS);
}

static void child_exited(struct init *in, pid_t pid, int status)
{
	if (shutdown_reaped(in, pid, status))
		return;
	if (svc_exited(in, pid, status))
		return;
	if (boot_after_reaped(in, pid))
		return;
	if (pid == in->shell_pid && pid != 0)
		shell_exited(in, status);
	/* else an orphan or a finished helper: reaped, nothing to do */
}

/* Reap every exited child (orphans included) without blocking. */
static void reap(struct init *in)
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
		break; /* 0: children left, none exited; -1 ECHILD: none left */
	}
	if (in->stopping)
		shutdown_advance(in);
}

/* ---- shutdown and signals ---- */

static void client_done(struct init *in);

static void begin_shutdown(struct init *in)
{
	evloop_timer_cancel(&in->loop, in->t_shell);
	client_done(in);
	evloop_fd_del(&in->loop, in->ctl_id);
	in->ctl_id = -1;
	shutdown_begin(in); /* closes the control socket */
}

static void ask_stop(struct init *in, int sig, enum init_stop want)
{
	if (in->stopping)
		log_msg(&in->log, LOG_INFO, "signal %d: shutdown already under way", sig);
	else
		in->stop = want;
}

/* Power signals count only from the kernel or a holder of CAP_SYS_BOOT. */
static int power_allowed(struct init *in, int sig, const struct signals_sender *from)
{
	int may = signals_sender_may_power(from);

	if (may == 2)
		log_msg(&in->log, LOG_INFO, "signal %d from pid %d uid 0, gone before its capabilities "
			"could be read: taken", sig, (int)from->pid);
	if (may)
		return 1;
	log_msg(&in->log, LOG_WARN, "signal %d from pid %d uid %u refused: sender lacks CAP_SYS_BOOT",
		sig, (int)from->pid, (unsigned)from->uid);
	return 0;
}

static void on_signal(struct init *in, int sig, const struct signals_sender *from)
{
	if ((sig == SIGUSR1 || sig == SIGUSR2 || sig == SIGINT || sig == SIGTERM) &&
	    !power_allowed(in, sig, from))
		return;
	switch (sig) {
	case SIGCHLD:
		reap(in);
		break;
	case SIGUSR2:
	case SIGINT:
		ask_stop(in, sig, STOP_POWEROFF);
		break;
	case SIGTERM:
		ask_stop(in, sig, STOP_REBOOT);
		break;
	case SIGUSR1:
		ask_stop(in, sig, STOP_HALT);
		break;
	case SIGHUP:
		if (in->stopping)
			break;
		log_msg(&in->log, LOG_INFO, "SIGHUP: looking for new services in %s", in->conf.services_dir);
		svc_start_all(in, svc_load(in, in->conf.services_dir, in->nsvcs));
		loop_watch(in);
		break;
	default:
		log_msg(&in->log, LOG_INFO, "signal %d ignored", sig);
		break;
	}
}

static void on_sigfd(struct evloop *l, int fd, unsigned events, void *arg)
{
	struct init *in = init_of(l);
	struct signalfd_siginfo si;

	(void)events;
	(void)arg;
	while (read(fd, &si, sizeof si) == (ssize_t)sizeof si) {
		struct signals_sender from = {
			.pid = si.ssi_code == SI_KERNEL ? 0 : (pid_t)si.ssi_pid,
			.uid = (uid_t)si.ssi_uid,
		};
		on_signal(in, (int)si.ssi_signo, &from);
	}
}

/* Without a signalfd (loop_init failed to make one): the signals are
 * still blocked, so take them by polling, and reap on every round in case
 * SIGCHLD was merged into one already taken. */
static void poll_signals(struct init *in)
{
	struct signals_sender from;
	int sig;

	while ((sig = signals_poll(&from)) > 0)
		on_signal(in, sig, &from);
	reap(in);
}

/* ---- control socket: one client at a time, with a deadline ---- */

static void client_done(struct init *in)
{
	struct berr e;

	evloop_fd_del(&in->loop, in->client_id);
	in->client_id = -1;
	evloop_timer_cancel(&in->loop, in->t_client);
	/* A busy control socket is not asked for more clients. */
	if (in->ctl_id >= 0 && evloop_fd_mod(&in->loop, in->ctl_id, EVLOOP_IN, &e) < 0)
		log_err(&in->log, &e);
}

static void serve(struct init *in)
{
	ctl_serve(in); /* answers, or waits for its request until the deadline */
	if (in->ctl_client < 0)
		client_done(in);
}

static void on_client(struct evloop *l, int fd, unsigned events, void *arg)
{
	(void)fd;
	(void)events;
	(void)arg;
	serve(init_of(l));
}

static void on_client_deadline(struct evloop *l, int id, void *arg)
{
	(void)id;
	(void)arg;
	serve(init_of(l));
}

static void on_ctl(struct evloop *l, int fd, unsigned events, void *arg)
{
	struct init *in = init_of(l);
	struct berr e;

	(void)fd;
	(void)events;
	(void)arg;
	ctl_accept(in);
	if (in->ctl_client < 0)
		return;
	in->client_id = evloop_fd_add(l, in->ctl_client, EVLOOP_IN, on_client, NULL, &e);
	if (in->client_id < 0 || evloop_fd_mod(l, in->ctl_id, 0, &e) < 0) {
		log_err(&in->log, &e);
		fd_close(&in->ctl_client);
		client_done(in);
		return;
	}
	evloop_timer_arm(l, in->t_client, in->ctl_deadline_ns);
}

/* ---- services and the console shell ---- */

static void on_svc_log(struct evloop *l, int fd, unsigned events, void *arg)
{
	(void)fd;
	(void)events;
	svc_log_drain(&init_of(l)->log, arg);
}

static void on_svc_due(struct evloop *l, int id, void *arg)
{
	(void)id;
	(void)arg;
	svc_tick(init_of(l), evloop_now(l));
}

/* svc.c keeps each service's due time; one timer follows the earliest. */
static void svc_timer_sync(struct init *in)
{
	long long due = svc_next_due(in);

	if (due)
		evloop_timer_arm(&in->loop, in->t_svc, due);
	else
		evloop_timer_cancel(&in->loop, in->t_svc);
}

static void on_shell_due(struct evloop *l, int id, void *arg)
{
	struct init *in = init_of(l);

	(void)arg;
	if (!in->stopping && console_shell_start(in) < 0)
		evloop_timer_arm_in(l, id, SHELL_RESPAWN_MS);
}

static void on_shutdown_due(struct evloop *l, int id, void *arg)
{
	(void)id;
	(void)arg;
	shutdown_advance(init_of(l));
}

void loop_console_shell(struct init *in)
{
	if (IS_ENABLED(CONFIG_INIT_CONSOLE_SHELL) && in->conf.console_shell[0])
		on_shell_due(&in->loop, in->t_shell, NULL);
}

/* ---- setup and the loop itself ---- */

/* The console took no more: try again (loop_run arms this while the
 * queue holds anything). */
static void on_log_due(struct evloop *l, int id, void *arg)
{
	(void)id;
	(void)arg;
	log_flush(&init_of(l)->log);
}

static int timers_init(struct init *in, struct berr *e)
{
	struct evloop *l = &in->loop;

	if ((in->t_svc = evloop_timer_new(l, on_svc_due, NULL, e)) < 0 ||
	    (in->t_shell = evloop_timer_new(l, on_shell_due, NULL, e)) < 0 ||
	    (in->t_client = evloop_timer_new(l, on_client_deadline, NULL, e)) < 0 ||
	    (in->t_log = evloop_timer_new(l, on_log_due, NULL, e)) < 0 ||
	    (in->sd.timer = evloop_timer_new(l, on_shutdown_due, NULL, e)) < 0)
		return -1;
	return 0;
}

int loop_init(struct init *in, struct berr *e)
{
	in->ctl_id = in->client_id = -1;
	if (evloop_init(&in->loop, CLOCK_BOOTTIME, in->loop_fds, INIT_LOOP_FDS, in->loop_timers,
			in->loop_heap, INIT_LOOP_TIMERS, e) < 0 ||
	    timers_init(in, e) < 0)
		return -1;
	if (IS_ENABLED(CONFIG_INIT_POWER_BUTTON) && power_init(in, e) < 0)
		return -1;
	if (IS_ENABLED(CONFIG_INIT_WATCHDOG) && watchdog_init(in, e) < 0)
		return -1;
	if ((in->sigfd = signals_to_fd(e)) < 0)
		return berr_prefix(e, "signals polled every %d ms instead", SIGNAL_POLL_MS);
	if (evloop_fd_add(&in->loop, in->sigfd, EVLOOP_IN, on_sigfd, NULL, e) < 0) {
		fd_close(&in->sigfd);
		return berr_prefix(e, "signals polled every %d ms instead", SIGNAL_POLL_MS);
	}
	return 0;
}

void loop_watch(struct init *in)
{
	struct berr e;

	if (in->ctl_fd >= 0 && in->ctl_id < 0) {
		in->ctl_id = evloop_fd_add(&in->loop, in->ctl_fd, EVLOOP_IN, on_ctl, NULL, &e);
		if (in->ctl_id < 0)
			log_err(&in->log, &e);
	}
	for (; in->svc_watched < in->nsvcs; in->svc_watched++) {
		struct svc *s = &in->svcs[in->svc_watched];

		if (s->log_r >= 0 && evloop_fd_add(&in->loop, s->log_r, EVLOOP_IN, on_svc_log, s, &e) < 0)
			log_msg(&in->log, LOG_ERROR, "service %s: log pipe: %s", s->c.name, e.msg);
	}
}

void loop_run(struct init *in)
{
	struct berr e;

	for (;;) {
		svc_timer_sync(in);
		if (in->console_queue.len && !evloop_timer_armed(&in->loop, in->t_log))
			evloop_timer_arm_in(&in->loop, in->t_log, CONSOLE_RETRY_MS);
		if (evloop_step(&in->loop, in->sigfd < 0 ? SIGNAL_POLL_MS : -1, &e) < 0) {
			log_err(&in->log, &e);
			sleep(1); /* never spin, never exit */
		}
		if (in->sigfd < 0)
			poll_signals(in);
		if (in->stop != STOP_NONE && !in->stopping)
			begin_shutdown(in);
	}
}

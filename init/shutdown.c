/* shutdown.c — SIGTERM, grace, SIGKILL, sync, reboot(2). */
#include "init/shutdown.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/reboot.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "autoconf.h"
#include "init/ctl.h"
#include "init/data.h"
#include "init/loop.h"
#include "init/svc.h"

#ifndef CONFIG_INIT_SHUTDOWN_GRACE_MS
#define CONFIG_INIT_SHUTDOWN_GRACE_MS 2000
#endif

static long long ms_since(long long t_ns)
{
	return (log_boottime_ns() - t_ns) / 1000000LL;
}

/* Reap until no child is left or timeout_ms passes; returns 1 if none left. */
static int wait_all(struct init *in, int timeout_ms)
{
	long long deadline = log_boottime_ns() + (long long)timeout_ms * 1000000LL;

	for (;;) {
		struct signalfd_siginfo si;
		struct pollfd pfd = { .fd = in->sigfd, .events = POLLIN };
		long long left;

		loop_reap(in);
		if (waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD)
			return 1;
		left = (deadline - log_boottime_ns()) / 1000000LL;
		if (left <= 0)
			return 0;
		poll(&pfd, 1, (int)(left > 100 ? 100 : left));
		while (read(in->sigfd, &si, sizeof si) == (ssize_t)sizeof si)
			; /* SIGCHLD: reaped at the top; other signals: already stopping */
	}
}

void shutdown_run(struct init *in)
{
	static const struct { const char *name; int cmd; } how[] = {
		[STOP_POWEROFF] = { "poweroff", RB_POWER_OFF },
		[STOP_REBOOT] = { "reboot", RB_AUTOBOOT },
		[STOP_HALT] = { "halt", RB_HALT_SYSTEM },
	};
	long long t0 = log_boottime_ns(), t;
	int clean;

	log_msg(&in->log, LOG_INFO, "shutdown: %s", how[in->stop].name);
	in->stopping = 1;
	in->shell_respawn_ns = 0;
	ctl_close(in);

	/* Services in reverse start order, each with its own stop signal and
	 * timeout (SIGKILL after it); the loop keeps reaping and logging. */
	t = log_boottime_ns();
	for (int i = in->nsvcs - 1; i >= 0; i--) {
		struct svc *s = &in->svcs[in->order[i]];

		long long give_up;

		svc_stop(in, s);
		/* SIGKILL follows the stop timeout; a process stuck in the kernel
		 * even then must not hold the shutdown: 5 s more, then move on. */
		give_up = log_boottime_ns() + ((long long)s->c.stop_timeout_ms + 5000) * 1000000LL;
		while (s->state == SVC_STOPPING && log_boottime_ns() < give_up)
			loop_step(in, 100);
		if (s->state == SVC_STOPPING)
			log_msg(&in->log, LOG_ERROR, "shutdown: service %s: pid %d survives SIGKILL; going on",
				s->c.name, (int)s->pid);
	}
	if (in->nsvcs)
		log_msg(&in->log, LOG_INFO, "shutdown: %d services stopped in %lld ms", in->nsvcs, ms_since(t));

	t = log_boottime_ns();
	/* The console shell's session gets a hangup, as from a closed terminal:
	 * interactive shells ignore SIGTERM but leave on SIGHUP. */
	if (in->shell_pid > 0)
		kill(-in->shell_pid, SIGHUP);
	kill(-1, SIGTERM);
	kill(-1, SIGCONT);
	clean = wait_all(in, CONFIG_INIT_SHUTDOWN_GRACE_MS);
	log_msg(&in->log, LOG_INFO, "shutdown: SIGTERM to all: %s in %lld ms",
		clean ? "all exited" : "some still running", ms_since(t));
	if (!clean) {
		t = log_boottime_ns();
		kill(-1, SIGKILL);
		clean = wait_all(in, 1000);
		log_msg(&in->log, LOG_INFO, "shutdown: SIGKILL to all: %s in %lld ms",
			clean ? "all gone" : "some unkillable", ms_since(t));
	}
	svc_cgroups_remove(in);
	if (in->data >= 0) {
		struct berr e;

		t = log_boottime_ns();
		if (data_seed_save(in->conf.data_dir, &e) < 0)
			log_err(&in->log, &e);
		else
			log_msg(&in->log, LOG_INFO, "shutdown: random seed saved in %lld ms", ms_since(t));
	}
	t = log_boottime_ns();
	sync();
	log_msg(&in->log, LOG_INFO, "shutdown: sync in %lld ms", ms_since(t));
	if (in->data >= 0) {
		struct berr e;

		t = log_boottime_ns();
		if (data_unmount(in->conf.data_dir, &e) < 0)
			log_err(&in->log, &e);
		else
			log_msg(&in->log, LOG_INFO, "shutdown: %s read-only and unmounted in %lld ms",
				in->conf.data_dir, ms_since(t));
	}
	log_msg(&in->log, LOG_INFO, "shutdown: %s after %lld ms", how[in->stop].name, ms_since(t0));
	reboot(how[in->stop].cmd);
	log_msg(&in->log, LOG_ERROR, "reboot(%s): %s", how[in->stop].name, strerror(errno));
}

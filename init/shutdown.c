/* shutdown.c — services in reverse order, SIGTERM, grace, SIGKILL, sync,
 * reboot(2): one step at a time, advanced by the loop. */
#include "init/shutdown.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/reboot.h>
#include <sys/wait.h>
#include <unistd.h>

#include "autoconf.h"
#include "init/console.h"
#include "init/ctl.h"
#include "init/data.h"
#include "init/svc.h"
#include "init/watchdog.h"
#include "lib/evloop.h"
#include "lib/kconfig.h"

#define MS 1000000LL
#define STUCK_GRACE_MS 5000      /* after a service's SIGKILL */
#define KILL_ALL_WAIT_MS 1000
#define RETRY_MARGIN_MS 1000     /* busy unmounts are retried until this before the deadline */
#define REBOOT_RETRIES 3         /* after a failed reboot(2), one a second */
#define CONSOLE_DRAIN_MS 250      /* before reboot(2), for the queued console lines */

static const struct {
	const char *name;
	int cmd;
} how[] = {
	[STOP_POWEROFF] = { "poweroff", RB_POWER_OFF },
	[STOP_REBOOT] = { "reboot", RB_AUTOBOOT },
	[STOP_HALT] = { "halt", RB_HALT_SYSTEM },
};

static long long ms_since(long long t_ns)
{
	return (log_boottime_ns() - t_ns) / MS;
}

/* Is no child left at all? Looks without reaping (the loop reaps). */
static int none_left(void)
{
	siginfo_t si;

	return waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) < 0 && errno == ECHILD;
}

static void next_step(struct init *in, enum shutdown_step step)
{
	in->sd.step = step;
	in->sd.entered = 0;
	in->sd.step_ns = log_boottime_ns();
	evloop_timer_cancel(&in->loop, in->sd.timer);
}

/* Wait for the current step until its deadline: 1 while waiting. */
static int wait_until_deadline(struct init *in)
{
	if (log_boottime_ns() >= in->sd.deadline_ns)
		return 0;
	evloop_timer_arm(&in->loop, in->sd.timer, in->sd.deadline_ns);
	return 1;
}

/* Step 1: one service at a time, last started first. 1 while waiting. */
static int stop_services(struct init *in)
{
	struct shutdown_state *sd = &in->sd;

	for (; sd->svc >= 0; sd->svc--, sd->entered = 0) {
		struct svc *s = &in->svcs[in->order[sd->svc]];

		if (!sd->entered) {
			svc_stop(in, s);
			sd->entered = 1;
			sd->deadline_ns = log_boottime_ns() +
					  ((long long)s->c.stop_timeout_ms + STUCK_GRACE_MS) * MS;
		}
		if (s->state != SVC_STOPPING)
			continue;
		if (wait_until_deadline(in))
			return 1;
		log_msg(&in->log, LOG_ERROR, "shutdown: service %s: pid %d survives SIGKILL; going on",
			s->c.name, (int)s->pid);
	}
	if (in->nsvcs)
		log_msg(&in->log, LOG_INFO, "shutdown: %d services stopped in %lld ms", in->nsvcs,
			ms_since(sd->step_ns));
	return 0;
}

/* Steps 2 and 3: signal every process once, then wait for none to be
 * left or for the deadline. 1 while waiting; *clean says how it ended. */
static int signal_all(struct init *in, int sig, int wait_ms, int *clean)
{
	if (!in->sd.entered) {
		in->sd.entered = 1;
		in->sd.deadline_ns = log_boottime_ns() + (long long)wait_ms * MS;
		kill(-1, sig);
		if (sig == SIGTERM)
			kill(-1, SIGCONT);
	}
	*clean = none_left();
	return !*clean && wait_until_deadline(in);
}

/* Seed, sync, read-only remount and unmount: what a disk that does not
 * answer (a suspended device-mapper target, a frozen filesystem, a dead
 * network block device) can hang for ever. Runs in a child; unmounting
 * busy filesystems is retried until retry_ns. Returns 0 when all was done. */
static int write_out(struct init *in, long long retry_ns)
{
	struct berr e;
	long long t;
	int rc = 0, busy;

	if (in->data >= 0) {
		t = log_boottime_ns();
		if (data_seed_save(in->conf.data_dir, &e) < 0) {
			log_err(&in->log, &e);
			rc = -1;
		} else {
			log_msg(&in->log, LOG_INFO, "shutdown: random seed saved in %lld ms", ms_since(t));
		}
	}
	t = log_boottime_ns();
	sync();
	log_msg(&in->log, LOG_INFO, "shutdown: sync in %lld ms", ms_since(t));
	if (in->data < 0)
		return rc;
	t = log_boottime_ns();
	if (data_unmount(in->conf.data_dir, retry_ns, &busy, &e) < 0) {
		log_msg(&in->log, LOG_ERROR, "shutdown: %s", e.msg);
		return -1;
	}
	if (busy)
		log_msg(&in->log, LOG_WARN, "shutdown: %s was busy %d times (retried every 100 ms)",
			in->conf.data_dir, busy);
	log_msg(&in->log, LOG_INFO, "shutdown: %s read-only and unmounted in %lld ms", in->conf.data_dir,
		ms_since(t));
	return rc;
}

/* Step 4a: write_out() in a child, as systemd-shutdown does, so that PID 1
 * goes on to reboot(2) when it hangs. 1 while waiting for it. */
static int write_out_bounded(struct init *in)
{
	struct shutdown_state *sd = &in->sd;

	if (!sd->entered) {
		sd->entered = 1;
		svc_cgroups_remove(in);
		sd->deadline_ns = log_boottime_ns() + (long long)CONFIG_INIT_SHUTDOWN_SYNC_MS * MS;
		sd->final_status = 0;
		sd->final_pid = fork();
		if (sd->final_pid == 0) {
			log_child(&in->log, &in->console_drops, CONSOLE_CHILD_WAIT_MS);
			_exit(write_out(in, sd->deadline_ns - RETRY_MARGIN_MS * MS) < 0);
		}
		if (sd->final_pid < 0) {
			log_msg(&in->log, LOG_ERROR, "shutdown: fork: %s; writing out the data unbounded",
				strerror(errno));
			sd->final_pid = 0;
			write_out(in, sd->deadline_ns - RETRY_MARGIN_MS * MS);
			return 0;
		}
	}
	if (sd->final_pid > 0) {
		if (wait_until_deadline(in))
			return 1;
		log_msg(&in->log, LOG_ERROR, "shutdown: seed, sync and unmount not done within %d ms "
			"(a disk that does not answer?); %s regardless", CONFIG_INIT_SHUTDOWN_SYNC_MS,
			how[in->stop].name);
		kill(sd->final_pid, SIGKILL); /* it may well be stuck in the kernel */
		sd->final_pid = 0;
	} else if (sd->final_status != 0) {
		log_msg(&in->log, LOG_WARN, "shutdown: writing out the data did not end cleanly (above)");
	}
	return 0;
}

/* Step 4b: nothing runs any more. reboot(2) returns only on failure. */
static void finish(struct init *in)
{
	log_msg(&in->log, LOG_INFO, "shutdown: %s after %lld ms", how[in->stop].name,
		ms_since(in->sd.t0_ns));
	if (IS_ENABLED(CONFIG_INIT_WATCHDOG))
		watchdog_before_reboot(in);
	log_drain(&in->log, CONSOLE_DRAIN_MS); /* the last lines, a bounded wait */
	reboot(how[in->stop].cmd);
	log_msg(&in->log, LOG_ERROR, "reboot(%s): %s: trying again %d times, a second apart",
		how[in->stop].name, strerror(errno), REBOOT_RETRIES);
	next_step(in, SHUTDOWN_HALTED);
	in->sd.deadline_ns = log_boottime_ns() + 1000 * MS;
	evloop_timer_arm(&in->loop, in->sd.timer, in->sd.deadline_ns);
}

/* After a failed reboot(2): nothing runs and the data is unmounted, so
 * there is nothing to go back to. Try again a few times, then stay halted:
 * the loop still reaps, nothing is restarted, no request is served. */
static void retry_reboot(struct init *in)
{
	if (in->sd.entered >= REBOOT_RETRIES || wait_until_deadline(in))
		return;
	reboot(how[in->stop].cmd);
	in->sd.entered++;
	if (in->sd.entered < REBOOT_RETRIES) {
		in->sd.deadline_ns = log_boottime_ns() + 1000 * MS;
		evloop_timer_arm(&in->loop, in->sd.timer, in->sd.deadline_ns);
		return;
	}
	log_msg(&in->log, LOG_ERROR, "reboot(%s): %s: halted; PID 1 only reaps now: power off by hand",
		how[in->stop].name, strerror(errno));
}

int shutdown_reaped(struct init *in, pid_t pid, int status)
{
	if (!in->stopping || pid <= 0 || pid != in->sd.final_pid)
		return 0;
	in->sd.final_pid = 0;
	in->sd.final_status = status;
	return 1;
}

void shutdown_begin(struct init *in)
{
	log_msg(&in->log, LOG_INFO, "shutdown: %s", how[in->stop].name);
	in->stopping = 1;
	ctl_close(in);
	in->sd.t0_ns = log_boottime_ns();
	in->sd.svc = in->nsvcs - 1;
	next_step(in, SHUTDOWN_SERVICES);
	shutdown_advance(in);
}

void shutdown_advance(struct init *in)
{
	int clean;

	if (!in->stopping)
		return;
	switch (in->sd.step) {
	case SHUTDOWN_SERVICES:
		if (stop_services(in))
			return;
		next_step(in, SHUTDOWN_TERM_ALL);
		/* The console shell's session gets a hangup, as from a closed
		 * terminal: interactive shells ignore SIGTERM but leave on SIGHUP. */
		if (in->shell_pid > 0)
			kill(-in->shell_pid, SIGHUP);
		/* fall through */
	case SHUTDOWN_TERM_ALL:
		if (signal_all(in, SIGTERM, CONFIG_INIT_SHUTDOWN_GRACE_MS, &clean))
			return;
		log_msg(&in->log, LOG_INFO, "shutdown: SIGTERM to all: %s in %lld ms",
			clean ? "all exited" : "some still running", ms_since(in->sd.step_ns));
		next_step(in, clean ? SHUTDOWN_FINAL : SHUTDOWN_KILL_ALL);
		if (clean)
			break;
		/* fall through */
	case SHUTDOWN_KILL_ALL:
		if (signal_all(in, SIGKILL, KILL_ALL_WAIT_MS, &clean))
			return;
		log_msg(&in->log, LOG_INFO, "shutdown: SIGKILL to all: %s in %lld ms",
			clean ? "all gone" : "some unkillable", ms_since(in->sd.step_ns));
		next_step(in, SHUTDOWN_FINAL);
		break;
	case SHUTDOWN_FINAL:
		break;
	case SHUTDOWN_HALTED:
		retry_reboot(in);
		return;
	}
	if (write_out_bounded(in))
		return;
	finish(in);
}

/* watchdog.c — open, configure and ping the watchdog from PID 1's loop. */
#include "init/watchdog.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/watchdog.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "autoconf.h"
#include "lib/util.h"

static int wd_open(struct init *in)
{
	int t = CONFIG_INIT_WATCHDOG_TIMEOUT_S;

	in->wd_fd = open(CONFIG_INIT_WATCHDOG_DEVICE, O_WRONLY | O_CLOEXEC);
	if (in->wd_fd < 0) {
		log_msg(&in->log, LOG_WARN, "watchdog: open %s: %s; not fed (add its driver, e.g. softdog, "
			"to the board's modules.after)", CONFIG_INIT_WATCHDOG_DEVICE, strerror(errno));
		return -1;
	}
	if (ioctl(in->wd_fd, WDIOC_SETTIMEOUT, &t) < 0)
		log_msg(&in->log, LOG_WARN, "watchdog: set timeout %d s: %s", CONFIG_INIT_WATCHDOG_TIMEOUT_S,
			strerror(errno));
	if (ioctl(in->wd_fd, WDIOC_GETTIMEOUT, &t) < 0 || t <= 0)
		t = CONFIG_INIT_WATCHDOG_TIMEOUT_S;
	in->wd_period_ms = t * 1000 / 3;
	log_msg(&in->log, LOG_INFO, "watchdog: %s armed, %d s, fed every %d ms", CONFIG_INIT_WATCHDOG_DEVICE, t,
		in->wd_period_ms);
	return 0;
}

static void on_feed(struct evloop *l, int id, void *arg)
{
	struct init *in = arg;
	int dummy = 0;

	if (in->wd_fd < 0 && wd_open(in) < 0)
		return; /* absent: not tried again */
	if (ioctl(in->wd_fd, WDIOC_KEEPALIVE, &dummy) < 0 && write(in->wd_fd, "\0", 1) != 1)
		log_msg(&in->log, LOG_WARN, "watchdog: ping: %s", strerror(errno));
	evloop_timer_arm_in(l, id, in->wd_period_ms);
}

int watchdog_init(struct init *in, struct berr *e)
{
	in->wd_fd = -1;
	in->t_wd = evloop_timer_new(&in->loop, on_feed, in, e);
	return in->t_wd < 0 ? -1 : 0;
}

void watchdog_start(struct init *in)
{
	evloop_timer_arm_in(&in->loop, in->t_wd, 0);
}

void watchdog_before_reboot(struct init *in)
{
	if (in->wd_fd < 0 || in->stop != STOP_HALT)
		return;
	if (write(in->wd_fd, "V", 1) != 1)
		log_msg(&in->log, LOG_WARN, "watchdog: magic close: %s", strerror(errno));
	fd_close(&in->wd_fd);
	evloop_timer_cancel(&in->loop, in->t_wd);
	log_msg(&in->log, LOG_INFO, "watchdog: disarmed for the halt");
}

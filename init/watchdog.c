/* watchdog.c — open, configure and ping the watchdog from PID 1's loop. */
#include "init/watchdog.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/watchdog.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "autoconf.h"
#include "lib/fs.h"
#include "lib/util.h"

/* The kernel numbers at most this many watchdogs (MAX_DOGS in
 * drivers/watchdog/watchdog_dev.c). */
#define WD_MAX 32
#define WD_SOFTDOG "Software Watchdog"

/* Does /sys/class/watchdog/watchdogN say it is softdog? -1: no such device. */
static int wd_is_softdog(int n)
{
	char path[64], id[64];
	struct berr e;
	ssize_t len;

	snprintf(path, sizeof(path), "/sys/class/watchdog/watchdog%d/identity", n);
	len = fs_read(path, id, sizeof(id), &e);
	if (len < 0)
		return -1;
	while (len > 0 && id[len - 1] == '\n')
		id[--len] = '\0';
	return strcmp(id, WD_SOFTDOG) == 0;
}

/* The device to feed: CONFIG_INIT_WATCHDOG_DEVICE, unless it is softdog (a
 * kernel timer: it misses a hung kernel) while the machine has a hardware
 * watchdog too. A board that names both drivers (pc-x86_64: the chipsets'
 * and softdog as the fallback) gets them numbered in the order their
 * probes finish, which the parallel module loaders do not fix. */
static void wd_pick(struct init *in, char *dev, size_t size)
{
	int n;

	snprintf(dev, size, "%s", CONFIG_INIT_WATCHDOG_DEVICE);
	if (sscanf(dev, "/dev/watchdog%d", &n) != 1 || wd_is_softdog(n) != 1)
		return;
	for (int i = 0; i < WD_MAX; i++) {
		if (i != n && wd_is_softdog(i) == 0) {
			snprintf(dev, size, "/dev/watchdog%d", i);
			log_msg(&in->log, LOG_INFO, "watchdog: %s is softdog; feeding the hardware one, %s",
				CONFIG_INIT_WATCHDOG_DEVICE, dev);
			return;
		}
	}
}

static int wd_open(struct init *in)
{
	int t = CONFIG_INIT_WATCHDOG_TIMEOUT_S;
	char dev[sizeof(CONFIG_INIT_WATCHDOG_DEVICE) + 16];

	wd_pick(in, dev, sizeof(dev));
	in->wd_fd = open(dev, O_WRONLY | O_CLOEXEC);
	if (in->wd_fd < 0) {
		log_msg(&in->log, LOG_WARN, "watchdog: open %s: %s; not fed (add its driver, e.g. softdog, "
			"to the board's modules.after)", dev, strerror(errno));
		return -1;
	}
	if (ioctl(in->wd_fd, WDIOC_SETTIMEOUT, &t) < 0)
		log_msg(&in->log, LOG_WARN, "watchdog: set timeout %d s: %s", CONFIG_INIT_WATCHDOG_TIMEOUT_S,
			strerror(errno));
	if (ioctl(in->wd_fd, WDIOC_GETTIMEOUT, &t) < 0 || t <= 0)
		t = CONFIG_INIT_WATCHDOG_TIMEOUT_S;
	in->wd_period_ms = t * 1000 / 3;
	log_msg(&in->log, LOG_INFO, "watchdog: %s armed, %d s, fed every %d ms", dev, t, in->wd_period_ms);
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

/* power.c — KEY_POWER from evdev devices asks PID 1 for a poweroff. */
#include "init/power.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/input.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/util.h"

#define INPUT_DIR "/dev/input"

int power_bits_have_key(const unsigned char *bits, size_t len)
{
	return len > KEY_POWER / 8 && (bits[KEY_POWER / 8] >> (KEY_POWER % 8) & 1);
}

static int dev_open(const struct power_state *p, dev_t rdev)
{
	for (int i = 0; i < POWER_DEVS_MAX; i++)
		if (p->fd[i] >= 0 && p->rdev[i] == rdev)
			return 1;
	return 0;
}

static void pressed(struct init *in, const char *why)
{
	if (in->stopping || in->stop != STOP_NONE) {
		log_msg(&in->log, LOG_INFO, "power button (%s): shutdown already under way", why);
		return;
	}
	log_msg(&in->log, LOG_INFO, "power button (%s): poweroff", why);
	in->stop = STOP_POWEROFF;
}

static void dev_close(struct init *in, int i)
{
	struct power_state *p = &in->power;

	evloop_fd_del(&in->loop, p->id[i]);
	p->id[i] = -1;
	fd_close(&p->fd[i]);
	evloop_timer_arm_in(&in->loop, p->timer, POWER_RESCAN_MS);
}

static void on_input(struct evloop *l, int fd, unsigned events, void *arg)
{
	struct init *in = arg;
	struct input_event ev[16];
	ssize_t n;
	int i;

	(void)l;
	(void)events;
	for (i = 0; i < POWER_DEVS_MAX && in->power.fd[i] != fd; i++)
		;
	while ((n = read(fd, ev, sizeof ev)) > 0)
		for (size_t k = 0; k < (size_t)n / sizeof ev[0]; k++)
			if (ev[k].type == EV_KEY && ev[k].code == KEY_POWER && ev[k].value == 1)
				pressed(in, in->power.name[i < POWER_DEVS_MAX ? i : 0]);
	if (n < 0 && errno != EAGAIN && errno != EINTR && i < POWER_DEVS_MAX) {
		log_msg(&in->log, LOG_INFO, "power button %s: %s; closed", in->power.name[i], strerror(errno));
		dev_close(in, i);
	}
}

/* Open name (an event device) when it has KEY_POWER and a slot is free. */
static void probe(struct init *in, const char *name)
{
	struct power_state *p = &in->power;
	unsigned char bits[KEY_MAX / 8 + 1];
	char path[64];
	struct stat st;
	struct berr e;
	int fd, i;

	snprintf(path, sizeof path, INPUT_DIR "/%s", name);
	if (stat(path, &st) < 0 || !S_ISCHR(st.st_mode) || dev_open(p, st.st_rdev))
		return;
	for (i = 0; i < POWER_DEVS_MAX && p->fd[i] >= 0; i++)
		;
	if (i == POWER_DEVS_MAX)
		return;
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return;
	memset(bits, 0, sizeof bits);
	if (ioctl(fd, EVIOCGBIT(EV_KEY, sizeof bits), bits) < 0 || !power_bits_have_key(bits, sizeof bits)) {
		close(fd);
		return;
	}
	p->id[i] = evloop_fd_add(&in->loop, fd, EVLOOP_IN, on_input, in, &e);
	if (p->id[i] < 0) {
		log_msg(&in->log, LOG_ERROR, "power button %s: %s", path, e.msg);
		close(fd);
		return;
	}
	p->fd[i] = fd;
	p->rdev[i] = st.st_rdev;
	snprintf(p->name[i], sizeof p->name[i], "%s", name);
	log_msg(&in->log, LOG_INFO, "power button: watching %s", path);
}

static void on_scan(struct evloop *l, int id, void *arg)
{
	struct init *in = arg;
	struct dirent *d;
	DIR *dp;
	int open_now = 0;

	(void)l;
	if ((dp = opendir(INPUT_DIR))) {
		while ((d = readdir(dp)))
			if (strncmp(d->d_name, "event", 5) == 0)
				probe(in, d->d_name);
		closedir(dp);
	}
	for (int i = 0; i < POWER_DEVS_MAX; i++)
		open_now += in->power.fd[i] >= 0;
	if (!open_now)
		evloop_timer_arm_in(&in->loop, id, POWER_RESCAN_MS);
}

int power_init(struct init *in, struct berr *e)
{
	struct power_state *p = &in->power;

	for (int i = 0; i < POWER_DEVS_MAX; i++) {
		p->fd[i] = p->id[i] = -1;
		p->name[i][0] = '\0';
	}
	p->timer = evloop_timer_new(&in->loop, on_scan, in, e);
	if (p->timer < 0)
		return -1;
	evloop_timer_arm_in(&in->loop, p->timer, 0);
	return 0;
}

void power_scan_now(struct init *in)
{
	evloop_timer_arm_in(&in->loop, in->power.timer, 0);
}

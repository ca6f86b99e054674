/* signals.c — PID 1's signal mask and dispositions, and their undoing. */
#include "init/signals.h"

#include <signal.h>
#include <stddef.h>
#include <sys/reboot.h>
#include <sys/signalfd.h>
#include <unistd.h>

static const int handled[] = { SIGCHLD, SIGINT, SIGTERM, SIGUSR1, SIGUSR2, SIGHUP };
static const int ignored[] = { SIGPIPE, SIGTTIN, SIGTTOU };

int signals_to_fd(struct berr *e)
{
	sigset_t set;
	int fd;

	sigemptyset(&set);
	for (size_t i = 0; i < sizeof handled / sizeof handled[0]; i++)
		sigaddset(&set, handled[i]);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return berr_sys(e, "sigprocmask");
	fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (fd < 0)
		return berr_sys(e, "signalfd");
	for (size_t i = 0; i < sizeof ignored / sizeof ignored[0]; i++)
		signal(ignored[i], SIG_IGN);
	reboot(RB_DISABLE_CAD);
	return fd;
}

void signals_child_reset(void)
{
	sigset_t none;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (size_t i = 0; i < sizeof ignored / sizeof ignored[0]; i++)
		signal(ignored[i], SIG_DFL);
}

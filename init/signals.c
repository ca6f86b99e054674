/* signals.c — PID 1's signal mask and dispositions, and their undoing. */
#include "init/signals.h"

#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/reboot.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "lib/fs.h"

#define CAP_SYS_BOOT_BIT 22 /* linux/capability.h's CAP_SYS_BOOT */

static const int handled[] = { SIGCHLD, SIGINT, SIGTERM, SIGUSR1, SIGUSR2, SIGHUP };
static const int ignored[] = { SIGPIPE, SIGTTIN, SIGTTOU };

static void handled_set(sigset_t *set)
{
	sigemptyset(set);
	for (size_t i = 0; i < sizeof handled / sizeof handled[0]; i++)
		sigaddset(set, handled[i]);
}

int signals_to_fd(struct berr *e)
{
	sigset_t set;
	int fd;

	handled_set(&set);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return berr_sys(e, "sigprocmask");
	for (size_t i = 0; i < sizeof ignored / sizeof ignored[0]; i++)
		signal(ignored[i], SIG_IGN);
	reboot(RB_DISABLE_CAD);
	/* Without a signalfd the signals stay blocked: signals_poll() takes
	 * them one by one, sender included, as the signalfd would have. */
	fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (fd < 0)
		return berr_sys(e, "signalfd");
	return fd;
}

int signals_poll(struct signals_sender *from)
{
	static const struct timespec now = { 0, 0 };
	sigset_t set;
	siginfo_t si;
	int sig;

	handled_set(&set);
	do
		sig = sigtimedwait(&set, &si, &now);
	while (sig < 0 && errno == EINTR);
	if (sig < 0)
		return 0;
	from->pid = si.si_pid;
	from->uid = si.si_uid;
	/* A signal the kernel raised (SI_KERNEL, ctrl-alt-del) names no
	 * sender; neither does SIGCHLD's si_pid name one (it is the child). */
	if (si.si_code == SI_KERNEL)
		from->pid = 0;
	return sig;
}

/* "Uid:\tREAL\t…" and "CapEff:\tHEX" of /proc/PID/status. */
static int status_fields(const char *text, unsigned long *ruid, unsigned long long *capeff)
{
	const char *u = strstr(text, "\nUid:"), *c = strstr(text, "\nCapEff:");
	char *end;

	if (!u || !c)
		return -1;
	*ruid = strtoul(u + 5, &end, 10);
	if (end == u + 5)
		return -1;
	*capeff = strtoull(c + 8, &end, 16);
	return end == c + 8 ? -1 : 0;
}

int signals_sender_may_power(const struct signals_sender *from)
{
	char path[32], text[2048];
	unsigned long ruid;
	unsigned long long capeff;
	struct berr e;

	if (from->pid == 0)
		return 1; /* the kernel, or a process outside our PID namespace */
	snprintf(path, sizeof path, "/proc/%d/status", (int)from->pid);
	if (fs_read(path, text, sizeof text, &e) < 0)
		/* Gone already (busybox poweroff exits right after its kill()):
		 * nothing left to read. Only root could signal PID 1 at all. */
		return e.errnum == ENOENT || e.errnum == ESRCH ? (from->uid == 0 ? 2 : 0) : 0;
	if (status_fields(text, &ruid, &capeff) < 0 || ruid != (unsigned long)from->uid)
		return 0; /* unreadable, or the PID was reused by another user's process */
	return (capeff >> CAP_SYS_BOOT_BIT) & 1;
}

void signals_child_reset(void)
{
	sigset_t none;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (size_t i = 0; i < sizeof ignored / sizeof ignored[0]; i++)
		signal(ignored[i], SIG_DFL);
}

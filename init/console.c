/* console.c — console fds and the development console shell. */
#include "init/console.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "init/signals.h"

#define SHELL_ARGS_MAX 16

static void fds_setup(void)
{
	int fd, i;

	if (fcntl(0, F_GETFD) >= 0 && fcntl(1, F_GETFD) >= 0 && fcntl(2, F_GETFD) >= 0)
		return;
	fd = open("/dev/console", O_RDWR | O_NOCTTY);
	if (fd < 0)
		fd = open("/dev/null", O_RDWR);
	if (fd < 0)
		return; /* nothing to write to; PID 1 keeps going regardless */
	for (i = 0; i < 3; i++)
		if (fd != i)
			dup2(fd, i);
	if (fd > 2)
		close(fd);
}

void console_log_open(struct init *in)
{
	const int flags = O_WRONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC;
	struct stat st;
	int fd = -1;

	in->log.drops = &in->console_drops;
	if (in->log.fd != 2 || fstat(2, &st) < 0 || S_ISREG(st.st_mode))
		return;
	if (S_ISCHR(st.st_mode) && st.st_rdev == makedev(5, 1))
		fd = open("/dev/console", flags);
	if (fd < 0)
		fd = open("/proc/self/fd/2", flags); /* a pipe or a pty: its own description */
	if (fd >= 0) {
		in->log.fd = fd;
		log_queue_init(&in->log, &in->console_queue);
	}
}

void console_setup(struct init *in)
{
	fds_setup();
	console_log_open(in);
}

/* In the child: undo what PID 1 changed for itself, then exec. */
static void exec_shell(char *const argv[])
{
	static char *const envp[] = {
		"PATH=/usr/sbin:/usr/bin:/sbin:/bin",
		"HOME=/root",
		"TERM=vt100",
		"ENV=/etc/profile",
		NULL,
	};

	signals_child_reset();
	setsid();
	if (isatty(0))
		ioctl(0, TIOCSCTTY, 1); /* job control when the console allows it */
	if (chdir("/") < 0) {
		/* stay in PID 1's directory, which is / as well */
	}
	execve(argv[0], argv, envp);
	_exit(127);
}

int console_shell_start(struct init *in)
{
	char buf[INIT_CONF_SHELL_MAX];
	char *argv[SHELL_ARGS_MAX + 1];
	char *save = NULL, *tok;
	int argc = 0;
	pid_t pid;

	memcpy(buf, in->conf.console_shell, sizeof buf);
	for (tok = strtok_r(buf, " \t", &save); tok && argc < SHELL_ARGS_MAX;
	     tok = strtok_r(NULL, " \t", &save))
		argv[argc++] = tok;
	argv[argc] = NULL;
	if (argc == 0)
		return 0;
	pid = fork();
	if (pid < 0) {
		log_msg(&in->log, LOG_ERROR, "console shell: fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0)
		exec_shell(argv);
	in->shell_pid = pid;
	log_msg(&in->log, LOG_INFO, "console shell %s started (pid %d)", argv[0], (int)pid);
	return 0;
}

/* spawn.c — shim_spawn (client.h): berth-shim started detached (fork,
 * setsid, fork: berthd never has it as a child), with /dev/null as its
 * stdio, nothing else inherited but the readiness pipe, and berthd's
 * signal mask undone; then its one answer read from that pipe. Only
 * async-signal-safe calls between fork and exec (berthd has threads). */
#include "runtime/shim/client.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/util.h"
#include "runtime/shim/shim-internal.h"

#define READY_FD 3
#define ANSWER_MAX (LAUNCH_WARN_MAX * (LAUNCH_WARN_LEN + 8) + BERR_MSG_MAX + 64)

static void grandchild(const struct shim_paths *p, int w) __attribute__((noreturn));
static void grandchild(const struct shim_paths *p, int w)
{
	char *argv[9];
	int n = 0, nul;
	sigset_t none;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (int sig = 1; sig < 32; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);
	nul = open("/dev/null", O_RDWR);
	if (nul < 0 || dup2(nul, 0) < 0 || dup2(nul, 1) < 0 || dup2(nul, 2) < 0)
		_exit(111);
	if (w == READY_FD ? fcntl(w, F_SETFD, 0) < 0 : dup2(w, READY_FD) < 0)
		_exit(111);
	syscall(SYS_close_range, READY_FD + 1, ~0U, 0);
	argv[n++] = (char *)"berth-shim";
	argv[n++] = (char *)"--ready-fd";
	argv[n++] = (char *)"3";
	if (p->cgroup) {
		argv[n++] = (char *)"--cgroup";
		argv[n++] = (char *)p->cgroup;
	}
	argv[n++] = (char *)p->dir;
	argv[n++] = (char *)p->ctl;
	argv[n] = NULL;
	execv(p->bin, argv);
	_exit(127);
}

/* Has the answer's last line (ok or err) come whole? */
static int answered(const char *a)
{
	for (const char *l = a; *l; l = strchr(l, '\n') + 1) {
		if (!strchr(l, '\n'))
			return 0;
		if (strncmp(l, "ok ", 3) == 0 || strncmp(l, "err ", 4) == 0)
			return 1;
	}
	return 0;
}

static void add_warn(struct launch_result *r, const char *w)
{
	int i = r->n_warn < LAUNCH_WARN_MAX ? r->n_warn++ : LAUNCH_WARN_MAX - 1;

	snprintf(r->warn[i], sizeof r->warn[i], "%s", w);
}

/* "warn …" lines into r, then "ok PID" or "err …". */
static int parse_answer(char *a, struct launch_result *r, struct berr *e)
{
	char *line = a, *nl;

	while ((nl = strchr(line, '\n'))) {
		*nl = '\0';
		if (strncmp(line, "warn ", 5) == 0)
			add_warn(r, line + 5);
		else if (strncmp(line, "ok ", 3) == 0) {
			r->class = LAUNCH_EXITED;
			return 0;
		} else if (strncmp(line, "err ", 4) == 0) {
			int errnum = 0, class = LAUNCH_ERR_SYS, status = 0, off = 0;
			if (sscanf(line, "err %d %d %d %n", &errnum, &class, &status, &off) < 3 || !off)
				break;
			r->class = (enum launch_class)class;
			r->status = status;
			return berr_set(e, errnum, "%s", line + off);
		}
		line = nl + 1;
	}
	r->class = LAUNCH_ERR_SYS;
	return berr_set(e, EPROTO, "berth-shim ended without saying it was ready");
}

int shim_spawn(const struct shim_paths *p, struct launch_result *r, struct berr *e)
{
	char *a = malloc(ANSWER_MAX + 1);
	size_t have = 0;
	int pp[2], status = 0, rc = -1;
	pid_t pid;

	memset(r, 0, sizeof *r);
	r->class = LAUNCH_ERR_SYS;
	if (!a)
		return berr_sys(e, "shim_spawn");
	if (pipe2(pp, O_CLOEXEC) < 0) {
		free(a);
		return berr_sys(e, "pipe");
	}
	pid = fork();
	if (pid == 0) {
		close(pp[0]);
		if (setsid() < 0)
			_exit(111);
		pid = fork();
		if (pid < 0)
			_exit(111);
		if (pid > 0)
			_exit(0);
		grandchild(p, pp[1]);
	}
	close(pp[1]);
	if (pid < 0) {
		berr_sys(e, "fork");
		goto out;
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	/* up to the "ok"/"err" line: EOF would wait for the container too,
	 * which holds the pipe until its exec */
	for (;;) {
		ssize_t n = read(pp[0], a + have, ANSWER_MAX - have);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		have += (size_t)n;
		a[have] = '\0';
		if (have == ANSWER_MAX || answered(a))
			break;
	}
	a[have] = '\0';
	if (have == 0 && WIFEXITED(status) && WEXITSTATUS(status) != 0)
		berr_set(e, ECHILD, "start %s: could not fork it", p->bin);
	else
		rc = parse_answer(a, r, e) < 0 ? berr_prefix(e, "berth-shim") : 0;
out:
	close(pp[0]);
	free(a);
	return rc;
}

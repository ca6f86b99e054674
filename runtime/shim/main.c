/* main.c — berth-shim: one per run of a container, started detached by
 * berthd (client.h shim_spawn). Parses its arguments, sets the container
 * up (shim.c), tells whoever started it that it is ready (or why not),
 * then serves the control socket and the container's stdio until the
 * container has exited and everything has been served. */
#define SHIM_DAEMON
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/util.h"
#include "runtime/shim/shim-internal.h"

static const char usage[] =
	"usage: berth-shim [--ready-fd N] [--cgroup DIR] CONTAINER_DIR CONTROL_SOCKET\n"
	"\n"
	"Create the container described by CONTAINER_DIR/spec.json (not started),\n"
	"listen on CONTROL_SOCKET (root only), record the container's state in\n"
	"CONTAINER_DIR/state.json and its output in CONTAINER_DIR/log.json; exit once\n"
	"the container has exited and every attached client and waiter is served.\n"
	"\n"
	"  --ready-fd N   write \"ok PID\" (or \"err ERRNO CLASS STATUS MESSAGE\") and\n"
	"                 any \"warn TEXT\" lines to fd N once ready, then close it\n"
	"  --cgroup DIR   move the shim into this cgroup v2 directory (made if missing)\n"
	"\n"
	"Exit codes: 0 the container ran and everything was served; 100 usage;\n"
	"111 the container could not be created or a system call failed.\n";

static void report(int fd, const struct launch_result *r, int ok, const struct berr *e)
{
	char line[BERR_MSG_MAX + LAUNCH_WARN_LEN + 64];
	struct berr ignore;
	int n;

	if (fd < 0)
		return;
	for (int i = 0; i < r->n_warn; i++) {
		n = snprintf(line, sizeof line, "warn %s\n", r->warn[i]);
		util_write_all(fd, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1, &ignore);
	}
	if (ok)
		n = snprintf(line, sizeof line, "ok %d\n", (int)getpid());
	else {
		n = proto_err(line, sizeof line - 1, e, r->class, r->status);
		if (n > (int)sizeof line - 2)
			n = (int)sizeof line - 2;
		line[n++] = '\n';
	}
	util_write_all(fd, line, (size_t)n, &ignore);
	close(fd);
}

int main(int argc, char **argv)
{
	struct shim *sh = calloc(1, sizeof *sh);
	const char *cgroup = NULL;
	struct launch_result r;
	struct berr e = { 0, "" };
	int ready = -1, i = 1, rc = 111;

	for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
		if (strcmp(argv[i], "--ready-fd") == 0 && i + 1 < argc)
			ready = atoi(argv[++i]);
		else if (strcmp(argv[i], "--cgroup") == 0 && i + 1 < argc)
			cgroup = argv[++i];
		else if (strcmp(argv[i], "--help") == 0) {
			fputs(usage, stdout);
			return 0;
		} else
			break;
	}
	if (argc - i != 2 || ready < -1 || !sh) {
		fputs(usage, stderr);
		return 100;
	}
	/* the container's first process must not hold it until its exec */
	if (ready >= 0 && fcntl(ready, F_SETFD, FD_CLOEXEC) < 0)
		ready = -1;
	sh->lg = (struct logger){ .prog = "berth-shim", .fd = 2, .level = LOG_INFO };
	signal(SIGPIPE, SIG_IGN);
	if (shim_setup(sh, argv[i], argv[i + 1], cgroup, &r, &e) < 0) {
		report(ready, &r, 0, &e);
		log_err(&sh->lg, &e);
		shim_teardown(sh);
		return 111;
	}
	report(ready, &r, 1, &e);
	if (evloop_run(&sh->loop, &e) < 0)
		log_err(&sh->lg, &e);
	else
		rc = 0;
	shim_teardown(sh);
	free(sh);
	return rc;
}

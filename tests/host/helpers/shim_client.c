/* shim_client.c — drives berth-shim through runtime/shim/client.h for
 * tests/host/shim_*.sh. One command per run; prints what it got.
 *
 *   shim_client spec DIR ROOTFS [--tty] [--stdin] [--once] [--log-max N] [--log-files N] -- CMD...
 *   shim_client spawn BIN DIR CTL            ok, or "error CLASS STATUS: message"
 *   shim_client start CTL                    ok, or "error CLASS STATUS: message"
 *   shim_client kill CTL SIG | resize CTL ROWS COLS
 *   shim_client wait CTL                     "exit CODE oom N"
 *   shim_client state DIR                    "STATUS exit CODE"
 *   shim_client attach CTL FLAGS [stdin]     the stream on stdout (our stdin sent when "stdin")
 *   shim_client exec CTL FLAGS TTY CMD...    the stream, then "exit CODE"
 * Exit codes: 0 done, 1 the call failed, 100 usage.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "runtime/shim/client.h"
#include "runtime/shim/spec.h"

static int fail(const char *what, const struct berr *e)
{
	printf("error %s: %s\n", what, e->msg);
	return 1;
}

static int cmd_spec(int argc, char **argv)
{
	struct launch_spec s;
	struct shim_opts o = { 0 };
	struct berr e;
	int i = 4, d;

	launch_spec_init(&s);
	s.rootfs = argv[3];
	for (; i < argc && strcmp(argv[i], "--"); i++) {
		if (!strcmp(argv[i], "--tty"))
			s.tty = 1;
		else if (!strcmp(argv[i], "--stdin"))
			o.open_stdin = 1;
		else if (!strcmp(argv[i], "--once"))
			o.stdin_once = 1;
		else if (!strcmp(argv[i], "--log-max") && i + 1 < argc)
			o.log_max = strtoull(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--log-files") && i + 1 < argc)
			o.log_files = atoi(argv[++i]);
	}
	if (i >= argc - 1)
		return 100;
	s.argv = argv + i + 1;
	s.argc = argc - i - 1;
	s.hostname = "shimtest";
	d = open(argv[2], O_RDONLY | O_DIRECTORY);
	if (d < 0 || shimspec_write(d, "spec.json", &s, &o, &e) < 0)
		return fail("spec", &e);
	return 0;
}

/* Copy the stream from sock to stdout (and, with in, our stdin to sock,
 * then a half-close); without in, half-close at once as the CLI does. */
static void pump(int sock, int in)
{
	char buf[65536];
	int in_open = in;

	if (!in)
		shutdown(sock, SHUT_WR);
	for (;;) {
		struct pollfd p[2] = { { sock, POLLIN, 0 }, { in_open ? 0 : -1, POLLIN, 0 } };
		ssize_t n;
		if (poll(p, 2, -1) < 0)
			continue;
		if (p[1].revents) {
			n = read(0, buf, sizeof buf);
			if (n <= 0) {
				in_open = 0;
				shutdown(sock, SHUT_WR);
			} else if (write(sock, buf, (size_t)n) < 0)
				in_open = 0;
		}
		if (p[0].revents) {
			n = read(sock, buf, sizeof buf);
			if (n <= 0)
				break;
			if (write(1, buf, (size_t)n) < 0)
				break;
			fflush(stdout);
		}
	}
}

/* exec CTL FLAGS TTY [-u USER] [-e K=V]... [-w DIR] [-r ROWS COLS] [-d] CMD... */
static int cmd_exec(int fd, int argc, char **argv)
{
	struct shim_exec_req x = { 0 };
	const char *env[16];
	struct berr e;
	int sp[2] = { -1, -1 }, no, running = 1, code, i = 5, detach = 0;
	unsigned rows = 0, cols = 0;
	pid_t pid;

	x.flags = (unsigned)atoi(argv[3]);
	x.tty = atoi(argv[4]);
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-u") && i + 1 < argc)
			x.user = argv[++i];
		else if (!strcmp(argv[i], "-e") && i + 1 < argc && x.n_env < 16)
			env[x.n_env++] = argv[++i];
		else if (!strcmp(argv[i], "-w") && i + 1 < argc)
			x.workdir = argv[++i];
		else if (!strcmp(argv[i], "-r") && i + 2 < argc) {
			rows = (unsigned)atoi(argv[++i]);
			cols = (unsigned)atoi(argv[++i]);
		} else if (!strcmp(argv[i], "-d"))
			detach = 1;
	}
	x.env = env;
	x.argv = argv + i;
	if (!detach && socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) < 0)
		return 1;
	if (shim_exec(fd, &x, sp[1], &no, &e) < 0)
		return fail("exec", &e);
	if (rows && shim_exec_resize(fd, no, rows, cols, &e) < 0)
		return fail("exec-resize", &e);
	if (!detach)
		pump(sp[0], (x.flags & SHIM_STDIN) != 0);
	for (int t = 0; t < 100 && running; t++) {
		if (shim_exec_status(fd, no, &running, &code, &pid, &e) < 0)
			return fail("exec-status", &e);
		if (running && detach)
			usleep(50000);
		else
			break;
	}
	printf("exit %d running %d\n", code, running);
	return 0;
}

static int cmd_ctl(int argc, char **argv)
{
	struct launch_result r;
	struct shim_state st;
	struct berr e;
	int fd = shim_connect(argv[2], &e), sp[2];

	if (fd < 0)
		return fail("connect", &e);
	if (!strcmp(argv[1], "start")) {
		if (shim_start(fd, &r, &e) < 0) {
			printf("error %d %d: %s\n", r.class, r.status, e.msg);
			return 1;
		}
	} else if (!strcmp(argv[1], "kill") && argc == 4) {
		if (shim_kill(fd, atoi(argv[3]), &e) < 0)
			return fail("kill", &e);
	} else if (!strcmp(argv[1], "resize") && argc == 5) {
		if (shim_resize(fd, (unsigned)atoi(argv[3]), (unsigned)atoi(argv[4]), &e) < 0)
			return fail("resize", &e);
	} else if (!strcmp(argv[1], "wait")) {
		fprintf(stderr, "connected\n");
		if (shim_wait(fd, &st, &e) < 0)
			return fail("wait", &e);
		printf("exit %d oom %d\n", st.exit_code, st.oom_killed);
		return 0;
	} else if (!strcmp(argv[1], "attach") && argc >= 4) {
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) < 0)
			return 1;
		if (shim_attach(fd, sp[1], (unsigned)atoi(argv[3]), &e) < 0)
			return fail("attach", &e);
		fprintf(stderr, "attached\n");
		pump(sp[0], argc > 4 && !strcmp(argv[4], "stdin"));
		return 0;
	} else if (!strcmp(argv[1], "exec") && argc >= 6) {
		return cmd_exec(fd, argc, argv);
	} else
		return 100;
	printf("ok\n");
	return 0;
}

int main(int argc, char **argv)
{
	struct launch_result r;
	struct shim_state st;
	struct berr e;

	signal(SIGPIPE, SIG_IGN);
	if (argc >= 5 && !strcmp(argv[1], "spec"))
		return cmd_spec(argc, argv);
	if (argc == 5 && !strcmp(argv[1], "spawn")) {
		struct shim_paths p = { argv[2], argv[3], argv[4], NULL };
		if (shim_spawn(&p, &r, &e) < 0) {
			printf("error %d %d: %s\n", r.class, r.status, e.msg);
			return 1;
		}
		printf("ok\n");
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "state")) {
		int d = open(argv[2], O_RDONLY | O_DIRECTORY);
		if (shim_state_read(d, &st, &e) < 0)
			return fail("state", &e);
		printf("%s exit %d\n", st.status == SHIM_CREATED ? "created" : st.status == SHIM_RUNNING ? "running" : "exited",
		       st.exit_code);
		return 0;
	}
	if (argc >= 3)
		return cmd_ctl(argc, argv);
	fprintf(stderr, "usage: see shim_client.c\n");
	return 100;
}

/* launch_api.c — runtime/launch through its library API (launch.h), as
 * berthd will call it: create leaves the first process waiting before
 * exec; start execs; wait reports exited/signalled; kill goes through the
 * pidfd; destroy ends a container that never started; every failure
 * carries its class. Prints TAP; built and run by launch_api.sh.
 *
 * Usage: launch_api ROOTFS (a tests/probe/mkroot.sh root) */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runtime/launch/launch.h"

static int n, failed;

static void check(int ok, const char *what, const struct berr *e)
{
	printf("%s %d - %s\n", ok ? "ok" : "not ok", ++n, what);
	if (!ok) {
		failed++;
		if (e && e->msg[0])
			printf("#   %s\n", e->msg);
	}
}

static void spec(struct launch_spec *s, const char *root, char **argv)
{
	launch_spec_init(s);
	s->rootfs = root;
	s->argv = argv;
	for (s->argc = 0; argv[s->argc]; s->argc++)
		;
}

int main(int argc, char **argv)
{
	char marker[512], *touch[] = { "/bin/touch", "/tmp/api-started", NULL },
			  *sleeper[] = { "/bin/sleep", "60", NULL }, *missing[] = { "/bin/no-such-command", NULL };
	struct launch_spec s;
	struct launch_result r;
	struct launch *l;
	struct berr e = { 0, "" };
	struct stat st;
	pid_t pid;

	if (argc != 2) {
		fprintf(stderr, "usage: launch_api ROOTFS\n");
		return 100;
	}
	signal(SIGPIPE, SIG_IGN);
	snprintf(marker, sizeof marker, "%s/tmp/api-started", argv[1]);
	unlink(marker);

	spec(&s, argv[1], touch);
	check(launch_create(&s, &l, &r, &e) == 0, "create", &e);
	if (!l)
		return 1;
	pid = launch_pid(l);
	usleep(200000);
	check(pid > 0 && kill(pid, 0) == 0 && stat(marker, &st) < 0,
	      "after create the first process exists and has not run the command", NULL);
	check(launch_start(l, &r, &e) == 0, "start", &e);
	check(launch_wait(l, -1, &r, &e) == 0 && r.class == LAUNCH_EXITED && r.status == 0,
	      "wait: exited with 0", &e);
	check(stat(marker, &st) == 0, "the command ran", NULL);
	launch_destroy(l);

	spec(&s, argv[1], sleeper);
	if (launch_create(&s, &l, &r, &e) == 0 && launch_start(l, &r, &e) == 0) {
		check(launch_kill(l, SIGKILL, &e) == 0, "kill through the pidfd", &e);
		check(launch_wait(l, -1, &r, &e) == 0 && r.class == LAUNCH_SIGNALED && r.status == 128 + SIGKILL,
		      "wait: killed by signal 9 (137)", &e);
		check(launch_kill(l, SIGKILL, &e) < 0 && e.errnum == ESRCH, "kill after the end: ESRCH", NULL);
	} else
		check(0, "create and start a sleeper", &e);
	launch_destroy(l);

	spec(&s, argv[1], sleeper);
	if (launch_create(&s, &l, &r, &e) == 0) {
		pid = launch_pid(l);
		launch_destroy(l);
		check(kill(pid, 0) < 0 && errno == ESRCH, "destroy ends a container that never started", NULL);
	} else
		check(0, "create a container to destroy", &e);

	spec(&s, argv[1], missing);
	check(launch_create(&s, &l, &r, &e) == 0, "create with a missing command", &e);
	check(l && launch_start(l, &r, &e) < 0 && r.class == LAUNCH_ERR_EXEC && r.status == 127,
	      "start: exec failed, class EXEC, status 127", &e);
	launch_destroy(l);

	spec(&s, "relative/root", touch);
	check(launch_create(&s, &l, &r, &e) < 0 && r.class == LAUNCH_ERR_SPEC && !l, "a relative root: class SPEC", NULL);
	spec(&s, argv[1], touch);
	s.user = "no-such-user";
	check(launch_create(&s, &l, &r, &e) < 0 && r.class == LAUNCH_ERR_IMAGE, "an unknown user: class IMAGE", NULL);
	spec(&s, "/nonexistent-root", touch);
	check(launch_create(&s, &l, &r, &e) < 0 && r.class == LAUNCH_ERR_IMAGE && e.errnum == ENOENT,
	      "a missing root: class IMAGE (an ENOENT, not a usage error)", NULL);

	printf("1..%d\n", n);
	return failed ? 1 : 0;
}

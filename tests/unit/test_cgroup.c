/* test_cgroup.c — lib/cgroup on fixture files in a temporary directory:
 * limits written at creation, the stat parsers and their bounds, kill and
 * wait against a cgroup.events file, removal. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/magic.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "lib/cgroup.h"
#include "lib/fs.h"
#include "tests/unit/unit.h"

static void put(const char *dir, const char *name, const char *v)
{
	char p[512];
	FILE *f;

	snprintf(p, sizeof p, "%s/%s", dir, name);
	f = fopen(p, "w");
	CHECK(f != NULL);
	fputs(v, f);
	fclose(f);
}

static const char *get(const char *dir, const char *name)
{
	static char buf[256];
	char p[512];
	struct berr e;

	snprintf(p, sizeof p, "%s/%s", dir, name);
	if (fs_read(p, buf, sizeof buf, &e) < 0)
		return NULL;
	return buf;
}

/* A parent directory and, inside it, the interface files a group of that
 * name would have (the kernel makes them at mkdir; here they must exist
 * before, so the group is "created" with exist_ok). */
static void fixture(char *dir, const char *const *files)
{
	strcpy(dir, "/tmp/berth-cg-XXXXXX");
	CHECK(mkdtemp(dir) != NULL);
	for (; files && *files; files++)
		put(dir, *files, "");
}

static void limits_are_written(void)
{
	static const char *const files[] = { "pids.max", "memory.max", "memory.swap.max", "memory.oom.group",
					     "cpu.max", "cpu.weight", "io.max", NULL };
	struct cgroup_limits l = { .memory_max = 1 << 20, .no_swap = 1, .oom_group = 1,
				   .cpu_quota_us = 50000, .cpu_period_us = 100000, .cpu_weight = 200,
				   .pids_max = 64, .io_max = "8:0 rbps=1048576" };
	char dir[64];
	struct berr e;
	int fd;

	fixture(dir, files);
	fd = cgroup_create(dir, &l, 1, &e);
	CHECK(fd >= 0);
	CHECK_STR(get(dir, "pids.max"), "64");
	CHECK_STR(get(dir, "memory.max"), "1048576");
	CHECK_STR(get(dir, "memory.swap.max"), "0");
	CHECK_STR(get(dir, "memory.oom.group"), "1");
	CHECK_STR(get(dir, "cpu.max"), "50000 100000");
	CHECK_STR(get(dir, "cpu.weight"), "200");
	CHECK_STR(get(dir, "io.max"), "8:0 rbps=1048576");
	close(fd);
}

static void existing_group_refused_and_failure_removes_what_it_made(void)
{
	struct cgroup_limits l = { .pids_max = 10 };
	char dir[64], sub[128];
	struct berr e;

	fixture(dir, NULL);
	CHECK_INT(cgroup_create(dir, &l, 0, &e), -1);
	CHECK_INT(e.errnum, EEXIST);
	/* a fresh directory has no pids.max: the write fails, the group goes */
	snprintf(sub, sizeof sub, "%s/g", dir);
	CHECK_INT(cgroup_create(sub, &l, 0, &e), -1);
	CHECK(strstr(e.msg, "pids.max") != NULL);
	CHECK(access(sub, F_OK) < 0);
}

static void missing_swap_file_is_fine(void)
{
	static const char *const files[] = { "memory.max", NULL };
	struct cgroup_limits l = { .memory_max = 4096, .no_swap = 1 };
	char dir[64];
	struct berr e;
	int fd;

	fixture(dir, files);
	fd = cgroup_create(dir, &l, 1, &e);
	CHECK(fd >= 0);
	close(fd);
}

static void enable_writes_plus_list(void)
{
	static const char *const files[] = { "cgroup.subtree_control", NULL };
	char dir[64];
	struct berr e;

	fixture(dir, files);
	CHECK_INT(cgroup_enable(dir, "memory pids  cpu", &e), 0);
	CHECK_STR(get(dir, "cgroup.subtree_control"), "+memory +pids +cpu");
}

static void reads_memory_cpu_pids_io(void)
{
	char dir[64];
	struct cgroup_memory m;
	struct cgroup_cpu c;
	struct cgroup_io io;
	long long pids;
	struct berr e;
	int fd;

	fixture(dir, NULL);
	put(dir, "memory.current", "123456\n");
	put(dir, "memory.peak", "200000\n");
	put(dir, "memory.events", "low 0\nhigh 1\nmax 2\noom 3\noom_kill 4\noom_group_kill 0\n");
	put(dir, "cpu.stat", "usage_usec 10\nuser_usec 6\nsystem_usec 4\ncore_sched.force_idle_usec 0\n"
			     "nr_periods 7\nnr_throttled 2\nthrottled_usec 99\nnr_bursts 0\nburst_usec 0\n");
	put(dir, "pids.current", "5\n");
	put(dir, "io.stat", "8:0 rbytes=1 wbytes=2 rios=3 wios=4 dbytes=0 dios=0\n"
			    "259:1 rbytes=10 wbytes=20 rios=30 wios=40 dbytes=0 dios=0\n");
	fd = open(dir, O_RDONLY | O_DIRECTORY);
	CHECK_INT(cgroup_read_memory(fd, &m, &e), 0);
	CHECK_INT(m.current, 123456);
	CHECK_INT(m.peak, 200000);
	CHECK_INT(m.high, 1);
	CHECK_INT(m.max, 2);
	CHECK_INT(m.oom, 3);
	CHECK_INT(m.oom_kill, 4);
	CHECK_INT(cgroup_read_cpu(fd, &c, &e), 0);
	CHECK_INT(c.usage_usec, 10);
	CHECK_INT(c.nr_throttled, 2);
	CHECK_INT(c.throttled_usec, 99);
	CHECK_INT(cgroup_read_pids(fd, &pids, &e), 0);
	CHECK_INT(pids, 5);
	put(dir, "pids.max", "max\n");
	put(dir, "memory.max", "52428800\n");
	put(dir, "memory.high", "12x\n");
	CHECK_INT(cgroup_read_value(fd, "pids.max", &pids, &e), 0);
	CHECK_INT(pids, -1);
	CHECK_INT(cgroup_read_value(fd, "memory.max", &pids, &e), 0);
	CHECK_INT(pids, 52428800);
	CHECK(cgroup_read_value(fd, "memory.high", &pids, &e) < 0);
	CHECK(cgroup_read_value(fd, "memory.low", &pids, &e) < 0 && e.errnum == ENOENT);
	CHECK_INT(cgroup_read_io(fd, &io, &e), 0);
	CHECK_INT(io.n, 2);
	CHECK_INT(io.dev[1].major, 259);
	CHECK_INT(io.dev[1].minor, 1);
	CHECK_INT(io.dev[1].wios, 40);
	/* memory.peak is new in 5.19: absent reads as -1 */
	put(dir, "memory.current", "1\n");
	{
		char p[128];
		snprintf(p, sizeof p, "%s/memory.peak", dir);
		unlink(p);
	}
	CHECK_INT(cgroup_read_memory(fd, &m, &e), 0);
	CHECK_INT(m.peak, -1);
	close(fd);
}

static void parsers_refuse_malformed_input(void)
{
	struct cgroup_memory m;
	struct cgroup_cpu c;
	static struct cgroup_io io;
	char many[2048] = "";
	struct berr e;

	CHECK_INT(cgroup_parse_cpu_stat("usage_usec\n", &c, &e), -1);
	CHECK_INT(cgroup_parse_cpu_stat("usage_usec 99999999999999999999999\n", &c, &e), -1);
	CHECK_INT(cgroup_parse_cpu_stat("usage_usec -1\n", &c, &e), -1);
	CHECK_INT(cgroup_parse_cpu_stat("usage_usec 1 2\n", &c, &e), -1);
	CHECK_INT(cgroup_parse_memory_events(" 1\n", &m, &e), -1);
	CHECK_INT(cgroup_parse_memory_events("a_key_that_is_far_too_long_to_be_real_ 1\n", &m, &e), -1);
	CHECK_INT(cgroup_parse_io_stat("8 rbytes=1\n", &io, &e), -1);
	CHECK_INT(cgroup_parse_io_stat("8:0 rbytes\n", &io, &e), -1);
	CHECK_INT(cgroup_parse_io_stat("8:0 rbytes=x\n", &io, &e), -1);
	CHECK_INT(cgroup_parse_io_stat("8:0 rbytes=1 junk\n", &io, &e), -1);
	for (int i = 0; i <= CGROUP_IO_DEVS_MAX; i++)
		snprintf(many + strlen(many), sizeof many - strlen(many), "8:%d rbytes=1\n", i);
	CHECK_INT(cgroup_parse_io_stat(many, &io, &e), -1);
	CHECK_INT(e.errnum, EOVERFLOW);
	CHECK_INT(cgroup_parse_io_stat("", &io, &e), 0);
	CHECK_INT(io.n, 0);
}

static void kill_waits_for_populated_0(void)
{
	char dir[64];
	struct berr e;
	int fd;

	fixture(dir, NULL);
	put(dir, "cgroup.kill", "");
	put(dir, "cgroup.events", "populated 1\nfrozen 0\n");
	fd = open(dir, O_RDONLY | O_DIRECTORY);
	CHECK_INT(cgroup_kill(fd, 60, &e), -1);
	CHECK_INT(e.errnum, ETIMEDOUT);
	CHECK_STR(get(dir, "cgroup.kill"), "1");
	put(dir, "cgroup.events", "populated 0\nfrozen 0\n");
	CHECK_INT(cgroup_kill(fd, 60, &e), 0);
	close(fd);
}

static void kill_without_cgroup_kill_signals_every_listed_pid(void)
{
	char dir[64], list[64];
	struct berr e;
	pid_t a, b;
	int fd, st;

	fixture(dir, NULL);
	a = fork();
	if (a == 0) {
		pause();
		_exit(0);
	}
	b = fork();
	if (b == 0) {
		pause();
		_exit(0);
	}
	snprintf(list, sizeof list, "%d\n%d", (int)a, (int)b); /* the last without '\n' */
	put(dir, "cgroup.procs", list);
	put(dir, "cgroup.events", "populated 0\n");
	fd = open(dir, O_RDONLY | O_DIRECTORY);
	CHECK_INT(cgroup_kill(fd, 0, &e), 0);
	CHECK_INT(waitpid(a, &st, 0), a);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	CHECK_INT(waitpid(b, &st, 0), b);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	close(fd);
}

static void remove_is_quiet_about_missing_groups(void)
{
	char dir[64], sub[128];
	struct berr e;

	fixture(dir, NULL);
	snprintf(sub, sizeof sub, "%s/g", dir);
	CHECK(mkdir(sub, 0755) == 0);
	CHECK_INT(cgroup_remove(sub, 0, &e), 0);
	CHECK_INT(cgroup_remove(sub, 0, &e), 0);
	put(dir, "file", "x");
	snprintf(sub, sizeof sub, "%s/file", dir);
	CHECK_INT(cgroup_remove(sub, 0, &e), -1);
}

/* On the real cgroup2 (the host's own, or the unified one of a hybrid
 * host): a group with two processes is killed, waited empty and removed. */
static void real_group_kill_wait_remove(void)
{
	static const char *const mounts[] = { "/sys/fs/cgroup", "/sys/fs/cgroup/unified" };
	static const struct cgroup_limits none;
	char path[128] = "";
	struct berr e;
	struct statfs sf;
	int fd, st;
	pid_t a;

	if (geteuid() != 0)
		UNIT_SKIP("needs root");
	for (size_t i = 0; i < sizeof mounts / sizeof mounts[0] && !path[0]; i++)
		if (statfs(mounts[i], &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC)
			snprintf(path, sizeof path, "%s/berth-unit-%d", mounts[i], (int)getpid());
	if (!path[0])
		UNIT_SKIP("no cgroup2 mount");
	fd = cgroup_create(path, &none, 0, &e);
	if (fd < 0 && (e.errnum == EACCES || e.errnum == EROFS || e.errnum == EPERM))
		UNIT_SKIP("cgroup2 not writable here");
	CHECK(fd >= 0);
	a = fork();
	if (a == 0) {
		if (cgroup_enter(fd, 0, &e) < 0)
			_exit(3);
		if (fork() == 0) /* a grandchild, not ours to wait for */
			pause();
		pause();
		_exit(0);
	}
	{
		long long n = 0;
		for (int i = 0; i < 200 && n < 2; i++) {
			usleep(5000);
			CHECK_INT(cgroup_read_pids(fd, &n, &e) == 0 || e.errnum == ENOENT, 1);
			if (e.errnum == ENOENT) {
				/* no pids controller: count cgroup.procs lines instead */
				char buf[256];
				if (fs_read_at(fd, "cgroup.procs", buf, sizeof buf, &e) >= 0) {
					n = 0;
					for (char *p = buf; (p = strchr(p, '\n')); p++)
						n++;
				}
				e.errnum = 0;
			}
		}
		CHECK_INT(n, 2);
	}
	CHECK_INT(cgroup_kill(fd, 2000, &e), 0);
	CHECK_INT(waitpid(a, &st, 0), a);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	close(fd);
	CHECK_INT(cgroup_remove(path, 1000, &e), 0);
	CHECK(access(path, F_OK) < 0);
}

UNIT_MAIN(UNIT(real_group_kill_wait_remove), UNIT(limits_are_written), UNIT(existing_group_refused_and_failure_removes_what_it_made),
	  UNIT(missing_swap_file_is_fine), UNIT(enable_writes_plus_list), UNIT(reads_memory_cpu_pids_io),
	  UNIT(parsers_refuse_malformed_input), UNIT(kill_waits_for_populated_0),
	  UNIT(kill_without_cgroup_kill_signals_every_listed_pid), UNIT(remove_is_quiet_about_missing_groups))

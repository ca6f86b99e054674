/* test_shim_spec.c — runtime/shim/spec.c: a full launch spec survives the
 * file, and a bad file is refused naming why. */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/resource.h>

#include "runtime/shim/client.h"
#include "runtime/shim/spec.h"
#include "lib/fs.h"
#include "tests/unit/unit.h"

/* One directory for the whole run (made and removed by the runner: the
 * tests run in children that _exit), one below it per tmpdir(). */
static char base[64] = "/tmp/test_shim_spec.XXXXXX";

__attribute__((constructor)) static void base_make(void)
{
	if (!mkdtemp(base))
		base[0] = '\0';
}

__attribute__((destructor)) static void base_remove(void)
{
	struct berr e;

	if (base[0])
		fs_rm_tree_at(AT_FDCWD, base, &e);
}

static int tmpdir(void)
{
	char d[96];
	int fd;

	CHECK(base[0]);
	snprintf(d, sizeof d, "%s/XXXXXX", base);
	CHECK(mkdtemp(d) != NULL);
	fd = open(d, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	CHECK(fd >= 0);
	return fd;
}

static void full_spec(struct launch_spec *s, struct shim_opts *o, char **argv)
{
	launch_spec_init(s);
	s->rootfs = "/var/lib/berth/containers/abc/rootfs";
	s->argv = argv;
	s->argc = 3;
	s->hostname = "web-1";
	s->env[0] = "PATH=/bin";
	s->env[1] = "A=b \"quoted\" \xc3\xa9";
	s->n_env = 2;
	s->workdir = "/srv";
	s->user = "app:app";
	s->groups_add[0] = "wheel";
	s->n_groups_add = 1;
	s->caps = 0xa80425fbULL;
	s->read_only = 1;
	s->mounts[0] = (struct launch_bind){ "/data/vol", "/data", 1, 0, 0 };
	s->mounts[1] = (struct launch_bind){ NULL, "/run", 0, 1, 65536 };
	s->n_mounts = 2;
	s->net = LAUNCH_NET_NS;
	s->netns = "/run/berth/netns/abc";
	s->memory = 64LL << 20;
	s->cpus_milli = 1500;
	s->pids_limit = 100;
	s->cgroup_parent = "berth";
	s->cgroup_name = "abc";
	s->require_cgroups = 1;
	s->remap_uid = 100000, s->remap_gid = 200000, s->remap_count = 65536;
	s->seccomp = LAUNCH_SECCOMP_FILE;
	s->seccomp_file = "/etc/berth/seccomp.bpf";
	s->no_new_privs = 1;
	s->tty = 1;
	s->sysctls[0] = (struct launch_sysctl){ "net.ipv4.ip_forward", "1" };
	s->n_sysctls = 1;
	s->rlimits[0] = (struct launch_rlimit){ RLIMIT_NOFILE, 1024, 4096 };
	s->n_rlimits = 1;
	*o = (struct shim_opts){ 1, 1, 1 << 20, 5 };
}

static void test_round_trip(void)
{
	char *argv[] = { "/bin/sh", "-c", "echo hi\n", NULL };
	struct launch_spec s;
	struct shim_opts o;
	struct shimspec *r = malloc(sizeof *r);
	struct berr e;
	int d = tmpdir();

	full_spec(&s, &o, argv);
	CHECK(r);
	CHECK_INT(shimspec_write(d, "spec.json", &s, &o, &e), 0);
	CHECK_INT(shimspec_read(d, "spec.json", r, &e), 0);
	CHECK_STR(r->spec.rootfs, s.rootfs);
	CHECK_INT(r->spec.argc, 3);
	CHECK_STR(r->spec.argv[2], "echo hi\n");
	CHECK(r->spec.argv[3] == NULL);
	CHECK_STR(r->spec.hostname, "web-1");
	CHECK_INT(r->spec.n_env, 2);
	CHECK_STR(r->spec.env[1], s.env[1]);
	CHECK_STR(r->spec.workdir, "/srv");
	CHECK_STR(r->spec.user, "app:app");
	CHECK_STR(r->spec.groups_add[0], "wheel");
	CHECK(r->spec.caps == s.caps);
	CHECK_INT(r->spec.read_only, 1);
	CHECK_INT(r->spec.n_mounts, 2);
	CHECK_STR(r->spec.mounts[0].src, "/data/vol");
	CHECK_INT(r->spec.mounts[0].ro, 1);
	CHECK(r->spec.mounts[1].src == NULL);
	CHECK_INT(r->spec.mounts[1].tmpfs, 1);
	CHECK_INT(r->spec.mounts[1].size, 65536);
	CHECK_INT(r->spec.net, LAUNCH_NET_NS);
	CHECK_STR(r->spec.netns, s.netns);
	CHECK_INT(r->spec.memory, 64LL << 20);
	CHECK_INT(r->spec.cpus_milli, 1500);
	CHECK_INT(r->spec.pids_limit, 100);
	CHECK_STR(r->spec.cgroup_parent, "berth");
	CHECK_STR(r->spec.cgroup_name, "abc");
	CHECK_INT(r->spec.require_cgroups, 1);
	CHECK_INT(r->spec.remap_uid, 100000);
	CHECK_INT(r->spec.remap_gid, 200000);
	CHECK_INT(r->spec.remap_count, 65536);
	CHECK_INT(r->spec.seccomp, LAUNCH_SECCOMP_FILE);
	CHECK_STR(r->spec.seccomp_file, s.seccomp_file);
	CHECK_INT(r->spec.no_new_privs, 1);
	CHECK_INT(r->spec.tty, 1);
	CHECK_STR(r->spec.sysctls[0].key, "net.ipv4.ip_forward");
	CHECK_STR(r->spec.sysctls[0].value, "1");
	CHECK_INT(r->spec.rlimits[0].resource, RLIMIT_NOFILE);
	CHECK_INT(r->spec.rlimits[0].soft, 1024);
	CHECK_INT(r->spec.rlimits[0].hard, 4096);
	CHECK_INT(r->spec.stdio[0], -1);
	CHECK_INT(r->spec.stdio[2], -1);
	CHECK_INT(r->opts.open_stdin, 1);
	CHECK_INT(r->opts.stdin_once, 1);
	CHECK_INT(r->opts.log_max, 1 << 20);
	CHECK_INT(r->opts.log_files, 5);
	free(r);
}

/* NULLs stay NULL; the defaults a minimal spec has come back. */
static void test_minimal(void)
{
	char *argv[] = { "true", NULL };
	struct launch_spec s;
	struct shim_opts o = { 0 };
	struct shimspec *r = malloc(sizeof *r);
	struct berr e;
	int d = tmpdir();

	launch_spec_init(&s);
	s.rootfs = "/r";
	s.argv = argv;
	s.argc = 1;
	CHECK_INT(shimspec_write(d, "spec.json", &s, &o, &e), 0);
	CHECK_INT(shimspec_read(d, "spec.json", r, &e), 0);
	CHECK(r->spec.hostname == NULL && r->spec.user == NULL && r->spec.workdir == NULL);
	CHECK(r->spec.cgroup_name == NULL && r->spec.netns == NULL);
	CHECK_INT(r->spec.net, LAUNCH_NET_NONE);
	CHECK_INT(r->spec.seccomp, LAUNCH_SECCOMP_DEFAULT);
	CHECK(r->spec.caps == s.caps);
	CHECK_INT(r->spec.n_env, 0);
	free(r);
}

static void expect_bad(const char *json, const char *want)
{
	struct shimspec *r = malloc(sizeof *r);
	struct berr e;
	int d = tmpdir();

	CHECK_INT(fs_write_atomic_at(d, "spec.json", json, strlen(json), 0600, &e), 0);
	CHECK_INT(shimspec_read(d, "spec.json", r, &e), -1);
	if (!strstr(e.msg, want))
		UNIT_FAIL_("'%s': error '%s' does not say '%s'", json, e.msg, want);
	free(r);
}

static void test_refused(void)
{
	expect_bad("{\"version\":2}", "version 2");
	expect_bad("{\"argv\":[\"a\"]}", "version 0");
	expect_bad("{\"version\":1,\"tty\":1}", "tty");
	expect_bad("{\"version\":1,\"net\":\"bridge\"}", "net: unknown value");
	expect_bad("{\"version\":1,\"argv\":[1]}", "argv: expected a string");
	expect_bad("{\"version\":1,\"user\":\"a\",\"user\":\"b\"}", "user");
	expect_bad("{\"version\":1,\"memory\":-1}", "memory");
	expect_bad("[1]", "not a JSON object");
	{
		/* one argument over the limit */
		size_t n = 32 + 4 * (CONFIG_SHIM_ARGV_MAX + 1);
		char *j = malloc(n), *p = j;
		p += sprintf(p, "{\"version\":1,\"argv\":[");
		for (int i = 0; i <= CONFIG_SHIM_ARGV_MAX; i++)
			p += sprintf(p, "%s\"a\"", i ? "," : "");
		strcpy(p, "]}");
		expect_bad(j, "argv: more than");
		free(j);
	}
}

/* Unknown keys are ignored (a newer berthd's file); absent ones keep
 * launch_spec_init's defaults (no_new_privs, the capabilities). */
static void test_unknown_defaults(void)
{
	const char *j = "{\"version\":1,\"rootfs\":\"/r\",\"argv\":[\"x\"],\"future\":{\"a\":[1,2]}}";
	struct shimspec *r = malloc(sizeof *r);
	struct berr e;
	int d = tmpdir();

	CHECK_INT(fs_write_atomic_at(d, "spec.json", j, strlen(j), 0600, &e), 0);
	CHECK_INT(shimspec_read(d, "spec.json", r, &e), 0);
	CHECK_STR(r->spec.argv[0], "x");
	{
		struct launch_spec d;
		launch_spec_init(&d);
		CHECK_INT(r->spec.no_new_privs, 1);
		CHECK(r->spec.caps == d.caps);
		CHECK_INT(r->spec.seccomp, LAUNCH_SECCOMP_DEFAULT);
	}
	free(r);
}

/* state.json: written and read back; malformed ones refused. */
static void test_state(void)
{
	struct shim_state a = { SHIM_EXITED, 12, 11, 137, 1, 1796000000000000001LL, 1796000000000000002LL, "exec x: \"q\" \xc3\xa9" }, b;
	struct berr e;
	char buf[1024];
	int n = shim_state_format(&a, buf, sizeof buf, &e);

	CHECK(n > 0);
	CHECK_INT(shim_state_parse(buf, (size_t)n, &b, &e), 0);
	CHECK(memcmp(&a, &b, sizeof a) == 0);
	CHECK_INT(shim_state_parse("{\"status\":\"paused\"}", 19, &b, &e), -1);
	CHECK_INT(shim_state_parse("{\"pid\":1}", 9, &b, &e), -1);
	CHECK_INT(shim_state_parse("{\"status\":\"running\",\"pid\":-4}", 29, &b, &e), -1);
	CHECK_INT(shim_state_parse("{\"status\":\"running\",\"pid\":4}", 28, &b, &e), 0);
	CHECK_INT(b.status, SHIM_RUNNING);
	CHECK_INT(b.pid, 4);
}

UNIT_MAIN(UNIT(test_round_trip), UNIT(test_minimal), UNIT(test_refused), UNIT(test_unknown_defaults), UNIT(test_state))

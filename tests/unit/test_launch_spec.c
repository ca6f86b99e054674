/* test_launch_spec.c — the launcher's value parsers and capability sets. */
#include <errno.h>
#include <sys/resource.h>

#include "lib/caps.h"
#include "runtime/launch/launch.h"
#include "tests/unit/unit.h"

static void test_sizes(void)
{
	struct berr e = { 0, "" };
	long long b = 0;

	CHECK_INT(launch_parse_size("4096", &b, &e), 0);
	CHECK_INT(b, 4096);
	CHECK_INT(launch_parse_size("64k", &b, &e), 0);
	CHECK_INT(b, 65536);
	CHECK_INT(launch_parse_size("256m", &b, &e), 0);
	CHECK_INT(b, 256LL << 20);
	CHECK_INT(launch_parse_size("2G", &b, &e), 0);
	CHECK_INT(b, 2LL << 30);
	CHECK(launch_parse_size("", &b, &e) < 0);
	CHECK(launch_parse_size("-1", &b, &e) < 0);
	CHECK(launch_parse_size("0", &b, &e) < 0);
	CHECK(launch_parse_size("12x", &b, &e) < 0);
	CHECK(launch_parse_size("99999999999999999999g", &b, &e) < 0);
	CHECK(strstr(e.msg, "99999999999999999999g") != NULL);
}

static void test_cpus(void)
{
	struct berr e = { 0, "" };
	long long m = 0;

	CHECK_INT(launch_parse_cpus("1.5", &m, &e), 0);
	CHECK_INT(m, 1500);
	CHECK_INT(launch_parse_cpus("2", &m, &e), 0);
	CHECK_INT(m, 2000);
	CHECK_INT(launch_parse_cpus("0.01", &m, &e), 0);
	CHECK_INT(m, 10);
	CHECK(launch_parse_cpus("0", &m, &e) < 0);
	CHECK(launch_parse_cpus("0.001", &m, &e) < 0);
	CHECK(launch_parse_cpus("-1", &m, &e) < 0);
	CHECK(launch_parse_cpus("1.5x", &m, &e) < 0);
	CHECK(launch_parse_cpus("abc", &m, &e) < 0);
}

static void test_mounts(void)
{
	struct berr e = { 0, "" };
	struct launch_bind b;
	char v1[] = "/src:/dst:ro", v2[] = "/src:/dst", v3[] = "rel:/dst", v4[] = "/src:dst",
	     v5[] = "/src:/a/../b", v6[] = "/src:/dst:rx", v7[] = "/t:64k", v8[] = "/src:/";

	CHECK_INT(launch_parse_mount(v1, &b, &e), 0);
	CHECK_STR(b.src, "/src");
	CHECK_STR(b.dst, "/dst");
	CHECK_INT(b.ro, 1);
	CHECK_INT(launch_parse_mount(v2, &b, &e), 0);
	CHECK_INT(b.ro, 0);
	CHECK(launch_parse_mount(v3, &b, &e) < 0);
	CHECK(launch_parse_mount(v4, &b, &e) < 0);
	CHECK(launch_parse_mount(v5, &b, &e) < 0);
	CHECK(strstr(e.msg, "..") != NULL);
	CHECK(launch_parse_mount(v6, &b, &e) < 0);
	CHECK(launch_parse_mount(v8, &b, &e) < 0);
	{
		char p1[] = "/src:/proc", p2[] = "/src:/sys/fs/cgroup", p3[] = "/src://dev/x", p4[] = "/src:/procx",
		     p5[] = "/t2:1m", p6[] = "/dev/shm";
		CHECK(launch_parse_mount(p1, &b, &e) < 0);
		CHECK_INT(e.errnum, EPERM);
		CHECK(launch_parse_mount(p2, &b, &e) < 0);
		CHECK(launch_parse_mount(p3, &b, &e) < 0);
		CHECK_INT(launch_parse_mount(p4, &b, &e), 0);
		CHECK_INT(launch_parse_tmpfs(p5, &b, &e), 0);
		CHECK(launch_parse_tmpfs(p6, &b, &e) < 0);
	}
	{	/* every spelling of a reserved target (issue 8 review) */
		char q1[] = "/./proc", q2[] = "//sys/.", q3[] = "/dev/./shm/", q4[] = "/src:/./dev/shm",
		     q5[] = "/src:/proc/", q6[] = "/src:/.//./sys//kernel", q7[] = "/./", q8[] = "/./devx";
		CHECK(launch_parse_tmpfs(q1, &b, &e) < 0);
		CHECK_INT(e.errnum, EPERM);
		CHECK(launch_parse_tmpfs(q2, &b, &e) < 0);
		CHECK_INT(e.errnum, EPERM);
		CHECK(launch_parse_tmpfs(q3, &b, &e) < 0);
		CHECK(launch_parse_mount(q4, &b, &e) < 0);
		CHECK_INT(e.errnum, EPERM);
		CHECK(launch_parse_mount(q5, &b, &e) < 0);
		CHECK(launch_parse_mount(q6, &b, &e) < 0);
		CHECK(launch_parse_tmpfs(q7, &b, &e) < 0);
		CHECK(strstr(e.msg, "root") != NULL);
		CHECK_INT(launch_parse_tmpfs(q8, &b, &e), 0);
	}
	CHECK_INT(launch_parse_tmpfs(v7, &b, &e), 0);
	CHECK_STR(b.dst, "/t");
	CHECK_INT(b.size, 65536);
	CHECK_INT(b.tmpfs, 1);
}

static void test_sysctls(void)
{
	struct berr e = { 0, "" };
	struct launch_sysctl s;
	char ok1[] = "net.ipv4.ip_forward=1", ok2[] = "kernel.shmmax=1000", ok3[] = "fs.mqueue.msg_max=20",
	     bad1[] = "kernel.panic=1", bad2[] = "vm.overcommit_memory=1", bad3[] = "net.ipv4/../x=1",
	     bad4[] = "net.x", bad5[] = "net..x=1";

	CHECK_INT(launch_parse_sysctl(ok1, &s, &e), 0);
	CHECK_STR(s.key, "net.ipv4.ip_forward");
	CHECK_STR(s.value, "1");
	CHECK_INT(launch_parse_sysctl(ok2, &s, &e), 0);
	CHECK_INT(launch_parse_sysctl(ok3, &s, &e), 0);
	CHECK(launch_parse_sysctl(bad1, &s, &e) < 0);
	CHECK_INT(e.errnum, EPERM);
	CHECK(launch_parse_sysctl(bad2, &s, &e) < 0);
	CHECK(launch_parse_sysctl(bad3, &s, &e) < 0);
	CHECK(launch_parse_sysctl(bad4, &s, &e) < 0);
	CHECK(launch_parse_sysctl(bad5, &s, &e) < 0);
}

static void test_rlimits(void)
{
	struct berr e = { 0, "" };
	struct launch_rlimit r;

	CHECK_INT(launch_parse_rlimit("nofile=1024:2048", &r, &e), 0);
	CHECK_INT(r.resource, RLIMIT_NOFILE);
	CHECK_INT(r.soft, 1024);
	CHECK_INT(r.hard, 2048);
	CHECK_INT(launch_parse_rlimit("core=0", &r, &e), 0);
	CHECK_INT(r.hard, 0);
	CHECK_INT(launch_parse_rlimit("stack=unlimited", &r, &e), 0);
	CHECK(r.soft == RLIM_INFINITY);
	CHECK(launch_parse_rlimit("nofile=2048:1024", &r, &e) < 0);
	CHECK(launch_parse_rlimit("bogus=1", &r, &e) < 0);
	CHECK(strstr(e.msg, "bogus") != NULL);
	CHECK(launch_parse_rlimit("nofile=x", &r, &e) < 0);
	CHECK(launch_parse_rlimit("nofile", &r, &e) < 0);
}

static void test_caps_policy(void)
{
	struct berr e = { 0, "" };
	uint64_t c = 0;
	const char *net_admin[] = { "NET_ADMIN" }, *all[] = { "ALL" }, *chown_[] = { "CAP_CHOWN" },
		   *bad[] = { "NOT_A_CAP" };

	CHECK_INT(launch_caps(NULL, 0, NULL, 0, &c, &e), 0);
	CHECK(c == CAPS_DOCKER_DEFAULT);
	CHECK_INT(launch_caps(net_admin, 1, chown_, 1, &c, &e), 0);
	CHECK(c == ((CAPS_DOCKER_DEFAULT | (1ULL << 12)) & ~1ULL));
	CHECK_INT(launch_caps(net_admin, 1, all, 1, &c, &e), 0);
	CHECK(c == (1ULL << 12));
	CHECK_INT(launch_caps(all, 1, chown_, 1, &c, &e), 0);
	CHECK((c & 1) == 0 && (c & (1ULL << 21)) != 0);
	CHECK(launch_caps(bad, 1, NULL, 0, &c, &e) < 0);
	CHECK(strstr(e.msg, "NOT_A_CAP") != NULL);
}

UNIT_MAIN(UNIT(test_sizes), UNIT(test_cpus), UNIT(test_mounts), UNIT(test_sysctls),
	  UNIT(test_rlimits), UNIT(test_caps_policy))

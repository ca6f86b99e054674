/* test_sandbox.c — lib/sandbox: the sets, ids, flags and filter a process
 * ends up with after sandbox_apply (read back from /proc/self/status in a
 * forked child, as root), capabilities the build has no name for dropped
 * too, and a failing step named. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/securebits.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "lib/caps.h"
#include "lib/sandbox.h"
#include "lib/seccomp.h"
#include "tests/unit/unit.h"

#define BIT(c) (UINT64_C(1) << (c))

static char status[8192];

/* /proc/self/status into status, with raw calls (a filter may be loaded). */
static void read_status(void)
{
	long fd = syscall(__NR_openat, AT_FDCWD, "/proc/self/status", O_RDONLY, 0), n = 0, k;

	status[0] = '\0';
	if (fd < 0)
		return;
	while (n < (long)sizeof status - 1 &&
	       (k = syscall(__NR_read, fd, status + n, sizeof status - 1 - n)) > 0)
		n += k;
	status[n] = '\0';
	syscall(__NR_close, fd);
}

/* The value after "key:" (hex or decimal as base says); ~0 when absent. */
static unsigned long long field(const char *key, int base)
{
	char k[32];
	const char *p;

	snprintf(k, sizeof k, "\n%s:", key);
	p = strstr(status, k);
	return p ? strtoull(p + strlen(k), NULL, base) : ~0ULL;
}

static void need_root(void)
{
	if (getuid() != 0 || !prctl(PR_CAPBSET_READ, CAP_SETPCAP, 0, 0, 0))
		UNIT_SKIP("needs root with CAP_SETPCAP");
}

/* Run apply in a child: it drops, reads its status and checks it; the exit
 * code is the checks' bits, or 100 + the failed step. */
static int in_child(const struct sandbox *sb, int (*check)(const struct sandbox *))
{
	struct berr e = { 0, "" };
	pid_t pid = fork();
	int st = 0, rc;

	if (pid < 0)
		return -1;
	if (pid == 0) {
		rc = sandbox_apply(sb, &e);
		if (rc < 0)
			syscall(__NR_exit_group, 100 - rc);
		read_status();
		/* straight out: the sanitizers' exit path may call what a filter refuses */
		syscall(__NR_exit_group, check(sb));
	}
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 200 + WTERMSIG(st);
}

static int check_sets(const struct sandbox *sb)
{
	int bad = 0, last = caps_kernel_last(&(struct berr){ 0, "" });
	uint64_t all = last >= 63 ? ~UINT64_C(0) : BIT(last + 1) - 1;
	uint64_t inh = sb->ambient ? sb->caps : 0;

	bad |= (field("CapBnd", 16) != (sb->caps & all)) << 0;
	bad |= (field("CapPrm", 16) != sb->caps || field("CapEff", 16) != sb->caps) << 1;
	bad |= (field("CapInh", 16) != inh || field("CapAmb", 16) != inh) << 2;
	bad |= (field("NoNewPrivs", 10) != (unsigned)sb->no_new_privs) << 3;
	bad |= (field("Seccomp", 10) != (sb->filter ? 2u : 0u)) << 4;
	bad |= (field("Uid", 10) != sb->uid || field("Gid", 10) != sb->gid) << 5;
	bad |= (getgroups(0, NULL) != (int)sb->n_groups) << 6;
	return bad;
}

#define SETS_BITS "1 Bnd, 2 Prm/Eff, 4 Inh/Amb, 8 NoNewPrivs, 16 Seccomp, 32 ids, 64 groups, 100+ step"

/* The container's profile: Docker's 14, another user, supplementary
 * groups, no_new_privs, the default filter. */
static void test_container_profile(void)
{
	static const gid_t groups[] = { 1000, 2000 };
	const struct sandbox sb = {
		.uid = 1000, .gid = 1000, .groups = groups, .n_groups = 2, .caps = CAPS_DOCKER_DEFAULT,
		.no_new_privs = 1, .filter = seccomp_default_filter, .filter_len = seccomp_default_len,
	};
	int rc;

	need_root();
	rc = in_child(&sb, check_sets);
	if (rc != 0)
		UNIT_FAIL_("child status %d (%s)", rc, SETS_BITS);
}

/* A service: its capabilities kept across execve as a non-root user
 * (inheritable and ambient), no filter. */
static void test_service_profile(void)
{
	const struct sandbox sb = {
		.uid = 65534, .gid = 65534, .caps = BIT(CAP_NET_ADMIN) | BIT(CAP_NET_RAW), .ambient = 1,
		.no_new_privs = 1,
	};
	int rc;

	need_root();
	rc = in_child(&sb, check_sets);
	if (rc != 0)
		UNIT_FAIL_("child status %d (%s)", rc, SETS_BITS);
}

static int check_securebits(const struct sandbox *sb)
{
	int bits = prctl(PR_GET_SECUREBITS, 0, 0, 0, 0);

	return check_sets(sb) | ((unsigned)bits != sb->securebits) << 7 |
	       (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) == 0) << 8 | /* locked off */
	       (prctl(PR_SET_SECUREBITS, 0, 0, 0, 0) == 0) << 9; /* locked */
}

/* berth-unpack's profile: uid 0 that regains nothing, securebits locked. */
static void test_locked_root_profile(void)
{
	const struct sandbox sb = {
		.caps = BIT(CAP_CHOWN) | BIT(CAP_FOWNER), .no_new_privs = 1,
		.securebits = SECBIT_NOROOT | SECBIT_NOROOT_LOCKED | SECBIT_NO_SETUID_FIXUP |
			      SECBIT_NO_SETUID_FIXUP_LOCKED | SECBIT_KEEP_CAPS_LOCKED |
			      SECBIT_NO_CAP_AMBIENT_RAISE | SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED,
	};
	int rc;

	need_root();
	rc = in_child(&sb, check_securebits);
	if (rc != 0)
		UNIT_FAIL_("child status %d (%s, 128 securebits, 256 keepcaps, 512 not locked)", rc,
			   SETS_BITS);
}

/* Every capability the kernel has and the mask lacks leaves the bounding
 * set, those above this build's CAP_LAST_CAP included; above the kernel's
 * last there is nothing to read. */
static int check_bounding(const struct sandbox *sb)
{
	int bad = 0, last = caps_kernel_last(&(struct berr){ 0, "" });

	for (int c = 0; c < 64; c++) {
		int r = prctl(PR_CAPBSET_READ, c, 0, 0, 0);
		if (c <= last && r != !!(sb->caps & BIT(c)))
			bad |= c > CAP_LAST_CAP ? 2 : 1;
		if (c > last && (r != -1 || errno != EINVAL))
			bad |= 4;
	}
	return bad;
}

static void test_bounding_against_kernel(void)
{
	const struct sandbox sb = { .caps = BIT(CAP_KILL) };
	struct berr e = { 0, "" };
	char buf[16];
	FILE *f = fopen("/proc/sys/kernel/cap_last_cap", "r");
	int rc, last;

	CHECK(f && fgets(buf, sizeof buf, f));
	fclose(f);
	last = caps_kernel_last(&e);
	CHECK_INT(last, atoi(buf));
	if (last > CAP_LAST_CAP) {
		printf("# the kernel has %d capabilities this build has no name for\n", last - CAP_LAST_CAP);
		fflush(stdout);
	}
	need_root();
	rc = in_child(&sb, check_bounding);
	if (rc != 0)
		UNIT_FAIL_("child status %d (1 known cap, 2 cap unknown to the build, 4 beyond the kernel)", rc);
}

static int nothing(const struct sandbox *sb)
{
	(void)sb;
	return 0;
}

/* A step that fails says which: the return value and the message. */
static void test_failed_step_named(void)
{
	static const struct sock_filter empty[1];
	const struct sandbox bad_bits = { .caps = CAPS_DOCKER_DEFAULT, .securebits = 1u << 30 };
	const struct sandbox bad_filter = { .caps = CAPS_DOCKER_DEFAULT, .no_new_privs = 1,
					    .filter = empty, .filter_len = 0 };

	need_root();
	CHECK_INT(in_child(&bad_bits, nothing), 100 + SANDBOX_SECUREBITS);
	CHECK_INT(in_child(&bad_filter, nothing), 100 + SANDBOX_SECCOMP);
	CHECK_STR(sandbox_step_name(SANDBOX_SECCOMP), "seccomp");
	CHECK_STR(sandbox_step_name(0), "?");
	{
		struct berr e = { 0, "" };
		pid_t pid = fork();
		int st = 0;
		if (pid == 0) {
			int rc = sandbox_apply(&bad_bits, &e);
			_exit(rc == -SANDBOX_SECUREBITS && strncmp(e.msg, "securebits: ", 12) == 0 ? 0 : 1);
		}
		waitpid(pid, &st, 0);
		CHECK_INT(WEXITSTATUS(st), 0);
	}
}

UNIT_MAIN(UNIT(test_container_profile), UNIT(test_service_profile), UNIT(test_locked_root_profile),
	  UNIT(test_bounding_against_kernel), UNIT(test_failed_step_named))

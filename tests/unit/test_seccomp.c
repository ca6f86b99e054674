/* test_seccomp.c — the seccomp generator and each program's filter: run
 * the emitted BPF on a tiny classic-BPF interpreter for a table of system
 * calls, arguments and arches, compare every number with the table, and load
 * each generated filter for real in a child (one allowed, several refused). */
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/sockios.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>

#include "lib/seccomp.h"
#include "tools/seccomp/gen.h"
#include "tests/unit/unit.h"

#define ALLOW SECCOMP_RET_ALLOW
#define EPERM_ (SECCOMP_RET_ERRNO | EPERM)
#define ENOSYS_ (SECCOMP_RET_ERRNO | ENOSYS)
#define KILL SECCOMP_RET_KILL_PROCESS
#define BAD 0xdeadbeefu /* the interpreter met an instruction it does not know */

/* Classic BPF as seccomp runs it: A, X, LD|W|ABS, LDX|IMM, ALU|AND|K, JMP
 * JA/JEQ/JGE/JGT/JSET with K, RET|K. Anything else or a jump out of the
 * program is BAD. */
static uint32_t run(const struct sock_filter *f, size_t n, const struct seccomp_data *d)
{
	uint32_t a = 0;
	size_t pc = 0;
	int steps = 0;

	while (pc < n && steps++ < 10000) {
		const struct sock_filter *i = &f[pc++];
		switch (i->code) {
		case BPF_LD | BPF_W | BPF_ABS:
			if (i->k > sizeof *d - 4 || i->k % 4)
				return BAD;
			memcpy(&a, (const char *)d + i->k, 4);
			break;
		case BPF_ALU | BPF_AND | BPF_K: a &= i->k; break;
		case BPF_JMP | BPF_JA: pc += i->k; break;
		case BPF_JMP | BPF_JEQ | BPF_K: pc += a == i->k ? i->jt : i->jf; break;
		case BPF_JMP | BPF_JGE | BPF_K: pc += a >= i->k ? i->jt : i->jf; break;
		case BPF_JMP | BPF_JGT | BPF_K: pc += a > i->k ? i->jt : i->jf; break;
		case BPF_JMP | BPF_JSET | BPF_K: pc += (a & i->k) ? i->jt : i->jf; break;
		case BPF_RET | BPF_K: return i->k;
		default: return BAD;
		}
	}
	return BAD;
}

static uint32_t decide(int nr, uint32_t arch, uint64_t arg0)
{
	struct seccomp_data d = { .nr = nr, .arch = arch, .args = { arg0 } };
	return run(seccomp_default_filter, seccomp_default_len, &d);
}

static uint32_t decide_args(const struct sock_filter *f, size_t n, int nr, uint64_t a0, uint64_t a1,
			    uint64_t a2, uint64_t a3)
{
	struct seccomp_data d = { .nr = nr, .arch = AUDIT_ARCH_X86_64, .args = { a0, a1, a2, a3 } };
	return run(f, n, &d);
}

static const struct {
	const struct sc_prog *prog;
	const struct sock_filter *filter;
	const unsigned short *len;
} programs[] = {
	{ &sc_prog_default, seccomp_default_filter, &seccomp_default_len },
	{ &sc_prog_unpack, seccomp_unpack_filter, &seccomp_unpack_len },
	{ &sc_prog_dhcpc, seccomp_dhcpc_filter, &seccomp_dhcpc_len },
	{ &sc_prog_proxy, seccomp_proxy_filter, &seccomp_proxy_len },
	{ &sc_prog_berthd, seccomp_berthd_filter, &seccomp_berthd_len },
	{ &sc_prog_fetch, seccomp_fetch_filter, &seccomp_fetch_len },
	{ &sc_prog_apid, seccomp_apid_filter, &seccomp_apid_len },
};

/* Each build/gen/seccomp_NAME.c is what the generator makes of its table,
 * and each checks the arch (x86_64 only) and refuses x32 numbers. */
static void test_generated_equals_generator(void)
{
	static struct sock_filter f[SECCOMP_FILTER_MAX];
	struct berr e = { 0, "" };

	for (size_t p = 0; p < sizeof programs / sizeof programs[0]; p++) {
		const struct sock_filter *g = programs[p].filter;
		unsigned short len = *programs[p].len;
		struct seccomp_data d = { .nr = __NR_read, .arch = AUDIT_ARCH_I386 };
		int n = sc_gen(programs[p].prog, f, SECCOMP_FILTER_MAX, &e);

		CHECK(n > 0);
		CHECK_INT(n, len);
		CHECK(memcmp(f, g, (size_t)n * sizeof f[0]) == 0);
		CHECK_INT(run(g, len, &d), KILL);
		d.arch = AUDIT_ARCH_X86_64;
		d.nr = 0x40000000 | __NR_read;
		CHECK_INT(run(g, len, &d), EPERM_);
		d.nr = __NR_exit_group;
		CHECK_INT(run(g, len, &d), ALLOW);
	}
}

static void test_decisions(void)
{
	static const struct {
		int nr;
		uint64_t arg0;
		uint32_t want;
	} cases[] = {
		{ __NR_read, 0, ALLOW }, { __NR_write, 0, ALLOW }, { __NR_execve, 0, ALLOW },
		{ __NR_exit_group, 0, ALLOW }, { __NR_openat2, 0, ALLOW }, { __NR_close_range, 0, ALLOW },
		{ __NR_mount, 0, EPERM_ }, { __NR_umount2, 0, EPERM_ }, { __NR_unshare, 0, EPERM_ },
		{ __NR_setns, 0, EPERM_ }, { __NR_pivot_root, 0, EPERM_ }, { __NR_bpf, 0, EPERM_ },
		{ __NR_keyctl, 0, EPERM_ }, { __NR_io_uring_setup, 0, EPERM_ }, { __NR_kcmp, 0, EPERM_ },
		{ __NR_pidfd_getfd, 0, EPERM_ }, { __NR_open_by_handle_at, 0, EPERM_ },
		{ __NR_move_mount, 0, EPERM_ }, { __NR_fsopen, 0, EPERM_ }, { __NR_reboot, 0, EPERM_ },
		{ __NR_clone3, 0, ENOSYS_ },
		{ __NR_clone, SIGCHLD, ALLOW },
		{ __NR_clone, 0x003d0f00 /* pthread_create's flags */, ALLOW },
		{ __NR_clone, SIGCHLD | 0x00020000 /* CLONE_NEWNS */, EPERM_ },
		{ __NR_clone, SIGCHLD | 0x10000000 /* CLONE_NEWUSER */, EPERM_ },
		{ __NR_clone, SIGCHLD | 0x40000000 /* CLONE_NEWNET */, EPERM_ },
		{ __NR_clone, SIGCHLD | 0x02000000 /* CLONE_NEWCGROUP */, EPERM_ },
		{ __NR_clone, 0xffffffff00000000ull | SIGCHLD /* high half ignored, as the kernel does */, ALLOW },
		{ __NR_socket, 2 /* AF_INET */, ALLOW }, { __NR_socket, 1 /* AF_UNIX */, ALLOW },
		{ __NR_socket, 16 /* AF_NETLINK */, ALLOW },
		{ __NR_socket, 38 /* AF_ALG */, EPERM_ }, { __NR_socket, 40 /* AF_VSOCK */, EPERM_ },
		{ __NR_personality, 0, ALLOW }, { __NR_personality, 8, ALLOW },
		{ __NR_personality, 0x20000, ALLOW }, { __NR_personality, 0x20008, ALLOW },
		{ __NR_personality, 0xffffffff, ALLOW }, { __NR_personality, 0x0040000 /* ADDR_NO_RANDOMIZE */, EPERM_ },
		{ __NR_personality, 1, EPERM_ },
		{ 1023, 0, EPERM_ }, { 1024, 0, EPERM_ }, { 100000, 0, EPERM_ }, { -1, 0, EPERM_ },
		{ 0x40000000 | __NR_read, 0, EPERM_ } /* x32 */, { 0x40000000 | 512, 0, EPERM_ },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		uint32_t got = decide(cases[i].nr, AUDIT_ARCH_X86_64, cases[i].arg0);
		if (got != cases[i].want)
			UNIT_FAIL_("nr %d arg0 %#llx: got %#x, want %#x", cases[i].nr,
				   (unsigned long long)cases[i].arg0, got, cases[i].want);
	}
}

static void test_foreign_arches_killed(void)
{
	CHECK_INT(decide(__NR_read, AUDIT_ARCH_I386, 0), KILL);
	CHECK_INT(decide(3 /* i386 read */, AUDIT_ARCH_I386, 0), KILL);
	CHECK_INT(decide(__NR_read, AUDIT_ARCH_AARCH64, 0), KILL);
	CHECK_INT(decide(__NR_read, 0, 0), KILL);
}

/* Every number 0..SC_NR_MAX+8 decides as the table says (default EPERM). */
static void test_every_number_matches_table(void)
{
	for (int nr = 0; nr <= SC_NR_MAX + 8; nr++) {
		uint32_t want = EPERM_, got;
		int kind = -1;
		for (size_t i = 0; i < sc_prog_default.n; i++)
			if (sc_prog_default.rules[i].nr == nr)
				kind = sc_prog_default.rules[i].kind;
		if (kind == SC_ALLOW || kind == SC_ARGS)
			want = ALLOW; /* clone, socket, personality: argument 0 is allowed */
		else if (kind == SC_ENOSYS)
			want = ENOSYS_;
		got = decide(nr, AUDIT_ARCH_X86_64, 0);
		if (got != want)
			UNIT_FAIL_("nr %d (kind %d): got %#x, want %#x", nr, kind, got, want);
	}
}

static void test_refused_list_of_security_md(void)
{
	static const char *const must[] = {
		"mount", "umount2", "open_tree", "move_mount", "fsopen", "fsconfig", "fsmount", "fspick",
		"pivot_root", "unshare", "setns", "bpf", "perf_event_open", "kexec_load", "kexec_file_load",
		"init_module", "finit_module", "delete_module", "keyctl", "add_key", "request_key",
		"userfaultfd", "io_uring_setup", "io_uring_enter", "io_uring_register", "open_by_handle_at",
		"kcmp", "pidfd_getfd", "iopl", "ioperm", "settimeofday", "clock_settime", "swapon",
		"swapoff", "acct", "quotactl", "reboot", "syslog",
	};
	for (size_t m = 0; m < sizeof must / sizeof must[0]; m++) {
		int found = 0;
		for (size_t i = 0; i < sc_prog_default.n; i++)
			if (strcmp(sc_prog_default.rules[i].name, must[m]) == 0) {
				found = 1;
				CHECK_INT(sc_prog_default.rules[i].kind, SC_REFUSE);
				CHECK_INT(decide(sc_prog_default.rules[i].nr, AUDIT_ARCH_X86_64, 0), EPERM_);
			}
		if (!found)
			UNIT_FAIL_("%s is not in the table", must[m]);
	}
}

static void test_generator_refuses_bad_tables(void)
{
	static struct sock_filter f[SECCOMP_FILTER_MAX];
	struct sc_rule dup[] = { { .name = "a", .nr = 1, .kind = SC_ALLOW },
				 { .name = "b", .nr = 1, .kind = SC_REFUSE } };
	struct sc_rule big[] = { { .name = "a", .nr = SC_NR_MAX + 1, .kind = SC_ALLOW } };
	struct sc_rule nochecks[] = { { .name = "a", .nr = 1, .kind = SC_ARGS } };
	struct sc_rule badarg[] = { { .name = "a", .nr = 1, .kind = SC_ARGS, .nchecks = 1,
				      .checks = { { .arg = 6, .op = SC_IN, .n = 1, .mask = ~0u } } } };
	struct sc_prog p = { .name = "t", .rules = dup, .n = 2 };
	struct berr e = { 0, "" };

	CHECK(sc_gen(&p, f, SECCOMP_FILTER_MAX, &e) < 0);
	CHECK(strstr(e.msg, "listed twice") != NULL);
	p = (struct sc_prog){ .name = "t", .rules = big, .n = 1 };
	CHECK(sc_gen(&p, f, SECCOMP_FILTER_MAX, &e) < 0);
	CHECK(strstr(e.msg, "out of") != NULL);
	p = (struct sc_prog){ .name = "t", .rules = nochecks, .n = 1 };
	CHECK(sc_gen(&p, f, SECCOMP_FILTER_MAX, &e) < 0);
	CHECK(strstr(e.msg, "argument checks") != NULL);
	p = (struct sc_prog){ .name = "t", .rules = badarg, .n = 1 };
	CHECK(sc_gen(&p, f, SECCOMP_FILTER_MAX, &e) < 0);
	CHECK(strstr(e.msg, "malformed") != NULL);
	CHECK(sc_gen(&sc_prog_default, f, 10, &e) < 0);
	CHECK_INT(e.errnum, ENOSPC);
}

/* The filter loaded for real in a child: refused calls fail as decided. */
static void test_loaded_filter(void)
{
	struct berr e = { 0, "" };
	pid_t pid = fork();
	int st = 0;

	CHECK(pid >= 0);
	if (pid == 0) {
		int bad = 0;
		if (seccomp_no_new_privs(&e) < 0 ||
		    seccomp_load(seccomp_default_filter, seccomp_default_len, &e) < 0)
			_exit(10);
		if (syscall(__NR_unshare, 0) != -1 || errno != EPERM)
			bad |= 1;
		if (syscall(__NR_clone3, NULL, 0) != -1 || errno != ENOSYS)
			bad |= 2;
		if (syscall(__NR_socket, 40, 1, 0) != -1 || errno != EPERM)
			bad |= 4;
		if (syscall(__NR_getpid) <= 0)
			bad |= 8;
		_exit(bad);
	}
	waitpid(pid, &st, 0);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		UNIT_FAIL_("child status %#x (bits: 1 unshare, 2 clone3, 4 vsock, 8 getpid, 10 load)", st);
}

/* berth-unpack: mknodat only for S_IFCHR/S_IFIFO with device 0. */
static void test_unpack_decisions(void)
{
	const struct sock_filter *f = seccomp_unpack_filter;
	size_t n = seccomp_unpack_len;

	CHECK_INT(decide_args(f, n, __NR_mknodat, 3, 0, S_IFCHR | 0, 0), ALLOW);
	CHECK_INT(decide_args(f, n, __NR_mknodat, 3, 0, S_IFIFO | 0644, 0), ALLOW);
	CHECK_INT(decide_args(f, n, __NR_mknodat, 3, 0, S_IFCHR | 0600, makedev(1, 3)), EPERM_);
	CHECK_INT(decide_args(f, n, __NR_mknodat, 3, 0, S_IFCHR | 0600, makedev(5, 1)), EPERM_);
	CHECK_INT(decide_args(f, n, __NR_mknodat, 3, 0, S_IFBLK | 0600, 0), EPERM_);
	CHECK_INT(decide_args(f, n, __NR_mknodat, 3, 0, S_IFBLK | 0600, makedev(8, 0)), EPERM_);
	CHECK_INT(decide_args(f, n, __NR_mknodat, 3, 0, S_IFREG | 0600, 0), EPERM_);
	CHECK_INT(decide_args(f, n, __NR_mknod, 0, S_IFCHR, 0, 0), EPERM_);
	CHECK_INT(decide_args(f, n, __NR_openat, 3, 0, 0, 0), ALLOW);
	CHECK_INT(decide_args(f, n, __NR_socket, AF_INET, 0, 0, 0), EPERM_);
	CHECK_INT(decide_args(f, n, __NR_execve, 0, 0, 0, 0), EPERM_);
	CHECK_INT(decide_args(f, n, __NR_unlinkat, 0, 0, 0, 0), EPERM_);
}

/* berth-dhcpc: netlink and AF_UNIX sockets only, SIOCGIFINDEX only. */
static void test_dhcpc_decisions(void)
{
	const struct sock_filter *f = seccomp_dhcpc_filter;
	size_t n = seccomp_dhcpc_len;

	CHECK_INT(decide_args(f, n, __NR_socket, AF_NETLINK, SOCK_RAW, 0, 0), ALLOW);
	CHECK_INT(decide_args(f, n, __NR_socket, AF_UNIX, SOCK_DGRAM, 0, 0), ALLOW);
	CHECK_INT(decide_args(f, n, __NR_socket, AF_INET, SOCK_DGRAM, 0, 0), EPERM_);
	CHECK_INT(decide_args(f, n, __NR_socket, AF_PACKET, SOCK_RAW, 0, 0), EPERM_);
	CHECK_INT(decide_args(f, n, __NR_ioctl, 3, SIOCGIFINDEX, 0, 0), ALLOW);
	CHECK_INT(decide_args(f, n, __NR_ioctl, 3, SIOCSIFFLAGS, 0, 0), EPERM_);
	CHECK_INT(decide_args(f, n, __NR_sendto, 3, 0, 0, 0), ALLOW);
	CHECK_INT(decide_args(f, n, __NR_execve, 0, 0, 0, 0), EPERM_);
	CHECK_INT(decide_args(f, n, __NR_connect, 3, 0, 0, 0), EPERM_);
	CHECK_INT(decide_args(f, n, __NR_ptrace, 0, 0, 0, 0), EPERM_);
}

/* berth-proxy: AF_INET sockets only, splice, no path or exec calls. */
static void test_proxy_decisions(void)
{
	const struct sock_filter *f = seccomp_proxy_filter;
	size_t n = seccomp_proxy_len;

	CHECK_INT(decide_args(f, n, __NR_socket, AF_INET, SOCK_STREAM, 0, 0), ALLOW);
	CHECK_INT(decide_args(f, n, __NR_socket, AF_INET6, SOCK_STREAM, 0, 0), EPERM_);
	CHECK_INT(decide_args(f, n, __NR_socket, AF_UNIX, SOCK_STREAM, 0, 0), EPERM_);
	CHECK_INT(decide_args(f, n, __NR_socket, AF_NETLINK, SOCK_RAW, 0, 0), EPERM_);
	CHECK_INT(decide_args(f, n, __NR_splice, 3, 0, 4, 0), ALLOW);
	CHECK_INT(decide_args(f, n, __NR_accept4, 3, 0, 0, 0), ALLOW);
	CHECK_INT(decide_args(f, n, __NR_openat, 0, 0, 0, 0), EPERM_);
	CHECK_INT(decide_args(f, n, __NR_open, 0, 0, 0, 0), EPERM_);
	CHECK_INT(decide_args(f, n, __NR_execve, 0, 0, 0, 0), EPERM_);
	CHECK_INT(decide_args(f, n, __NR_bind, 3, 0, 0, 0), EPERM_);
	CHECK_INT(decide_args(f, n, __NR_setuid, 0, 0, 0, 0), EPERM_);
	CHECK_INT(decide_args(f, n, __NR_ptrace, 0, 0, 0, 0), EPERM_);
}

/* berthd: a deny-list. Every number decides as its table says, with
 * unlisted ones allowed; what it lists the container default refuses too
 * (so no container loses a call it had); what its children need stays. */
static void test_berthd_decisions(void)
{
	const struct sock_filter *f = seccomp_berthd_filter;
	size_t n = seccomp_berthd_len;

	for (int nr = 0; nr <= SC_NR_MAX + 8; nr++) {
		uint32_t want = ALLOW, got = decide_args(f, n, nr, 0, 0, 0, 0);
		for (size_t i = 0; i < sc_prog_berthd.n; i++)
			if (sc_prog_berthd.rules[i].nr == nr)
				want = EPERM_;
		if (got != want)
			UNIT_FAIL_("berthd nr %d: got %#x, want %#x", nr, got, want);
	}
	for (size_t i = 0; i < sc_prog_berthd.n; i++) {
		uint32_t d = decide(sc_prog_berthd.rules[i].nr, AUDIT_ARCH_X86_64, 0);
		if (d == ALLOW)
			UNIT_FAIL_("%s: refused to berthd but allowed in containers", sc_prog_berthd.rules[i].name);
	}
	CHECK_INT(decide_args(f, n, __NR_bpf, 0, 0, 0, 0), ALLOW);
	CHECK_INT(decide_args(f, n, __NR_mount, 0, 0, 0, 0), ALLOW);
	CHECK_INT(decide_args(f, n, __NR_setns, 0, 0, 0, 0), ALLOW);
	CHECK_INT(decide_args(f, n, __NR_ptrace, 0, 0, 0, 0), ALLOW);
	CHECK_INT(decide_args(f, n, __NR_kexec_load, 0, 0, 0, 0), EPERM_);
	CHECK_INT(decide_args(f, n, __NR_finit_module, 0, 0, 0, 0), EPERM_);
	CHECK_INT(decide_args(f, n, __NR_open_by_handle_at, 0, 0, 0, 0), EPERM_);
	CHECK_INT(decide_args(f, n, 0x40000000 | __NR_read, 0, 0, 0, 0), EPERM_);
}

/* Load f in a child, then run the checks of which (bits of the exit code). */
static int in_child(const struct sock_filter *f, unsigned short len, int (*after)(void))
{
	struct berr e = { 0, "" };
	pid_t pid = fork();
	int st = 0;

	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (seccomp_no_new_privs(&e) < 0 || seccomp_load(f, len, &e) < 0)
			_exit(100);
		/* straight out: the sanitizers' exit path calls what the
		 * program filters refuse */
		syscall(__NR_exit_group, after());
	}
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 200 + WTERMSIG(st);
}

static char tmpdir[64];

static int unpack_checks(void)
{
	int bad = 0, dfd = (int)syscall(__NR_openat, AT_FDCWD, tmpdir, O_PATH | O_DIRECTORY, 0);

	if (dfd < 0)
		return 99;
	if (syscall(__NR_mknodat, dfd, "wh", S_IFCHR | 0, 0) != 0) /* a whiteout */
		bad |= 1;
	if (syscall(__NR_mknodat, dfd, "null", S_IFCHR | 0600, makedev(1, 3)) != -1 || errno != EPERM)
		bad |= 2;
	if (syscall(__NR_mknodat, dfd, "sda", S_IFBLK | 0600, makedev(8, 0)) != -1 || errno != EPERM)
		bad |= 4;
	if (syscall(__NR_socket, AF_UNIX, SOCK_STREAM, 0) != -1 || errno != EPERM)
		bad |= 8;
	if (syscall(__NR_getpid) != -1 || errno != EPERM)
		bad |= 16;
	return bad;
}

static int dhcpc_checks(void)
{
	int bad = 0;
	long fd = syscall(__NR_socket, AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, 0);

	if (fd < 0)
		bad |= 1;
	if (syscall(__NR_socket, AF_INET, SOCK_DGRAM, 0) != -1 || errno != EPERM)
		bad |= 2;
	if (syscall(__NR_ioctl, 0, SIOCSIFFLAGS, 0) != -1 || errno != EPERM)
		bad |= 4;
	if (syscall(__NR_execve, "/bin/true", NULL, NULL) != -1 || errno != EPERM)
		bad |= 8;
	return bad;
}

static void test_loaded_unpack_filter(void)
{
	int rc;

	if (getuid() != 0)
		UNIT_SKIP("mknod of 1:3 is refused without root anyway: needs root to tell the filter's EPERM");
	snprintf(tmpdir, sizeof tmpdir, "/tmp/test_seccomp.XXXXXX");
	CHECK(mkdtemp(tmpdir) != NULL);
	rc = in_child(seccomp_unpack_filter, seccomp_unpack_len, unpack_checks);
	for (const char *const *n = (const char *const[]){ "wh", "null", "sda", NULL }; *n; n++) {
		char p[96];
		snprintf(p, sizeof p, "%s/%s", tmpdir, *n);
		unlink(p); /* null and sda exist only if the filter let them through */
	}
	rmdir(tmpdir);
	if (rc != 0)
		UNIT_FAIL_("child status %d (1 whiteout, 2 mknod 1:3, 4 mknod b 8:0, 8 socket, 16 getpid, 100 load)", rc);
}

static void test_loaded_dhcpc_filter(void)
{
	int rc = in_child(seccomp_dhcpc_filter, seccomp_dhcpc_len, dhcpc_checks);

	if (rc != 0)
		UNIT_FAIL_("child status %d (1 netlink socket, 2 inet socket, 4 ioctl, 8 execve, 100 load)", rc);
}

UNIT_MAIN(UNIT(test_generated_equals_generator), UNIT(test_decisions),
	  UNIT(test_foreign_arches_killed), UNIT(test_every_number_matches_table),
	  UNIT(test_refused_list_of_security_md), UNIT(test_generator_refuses_bad_tables),
	  UNIT(test_loaded_filter), UNIT(test_unpack_decisions), UNIT(test_dhcpc_decisions), UNIT(test_proxy_decisions),
	  UNIT(test_loaded_unpack_filter), UNIT(test_loaded_dhcpc_filter), UNIT(test_berthd_decisions))

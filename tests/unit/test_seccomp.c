/* test_seccomp.c — the seccomp generator: run the emitted BPF on a tiny
 * classic-BPF interpreter for a table of system calls, arguments and
 * arches, compare every number with the table, and load it for real. */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "lib/seccomp.h"
#include "runtime/launch/seccomp_default.h"
#include "runtime/launch/seccomp_gen.h"
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

static void test_generated_equals_generator(void)
{
	static struct sock_filter f[SECCOMP_FILTER_MAX];
	struct berr e = { 0, "" };
	int n = sc_gen(sc_table, sc_table_len, f, SECCOMP_FILTER_MAX, &e);

	CHECK(n > 0);
	CHECK_INT(n, seccomp_default_len);
	CHECK(memcmp(f, seccomp_default_filter, (size_t)n * sizeof f[0]) == 0);
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
		for (size_t i = 0; i < sc_table_len; i++)
			if (sc_table[i].nr == nr)
				kind = sc_table[i].kind;
		if (kind == SC_ALLOW || kind == SC_CLONE || kind == SC_SOCKET || kind == SC_PERSONALITY)
			want = ALLOW; /* with a harmless argument 0 */
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
		for (size_t i = 0; i < sc_table_len; i++)
			if (strcmp(sc_table[i].name, must[m]) == 0) {
				found = 1;
				CHECK_INT(sc_table[i].kind, SC_REFUSE);
				CHECK_INT(decide(sc_table[i].nr, AUDIT_ARCH_X86_64, 0), EPERM_);
			}
		if (!found)
			UNIT_FAIL_("%s is not in the table", must[m]);
	}
}

static void test_generator_refuses_bad_tables(void)
{
	static struct sock_filter f[SECCOMP_FILTER_MAX];
	struct sc_rule dup[] = { { "a", 1, SC_ALLOW, 0 }, { "b", 1, SC_REFUSE, 0 } };
	struct sc_rule big[] = { { "a", SC_NR_MAX + 1, SC_ALLOW, 0 } };
	struct berr e = { 0, "" };

	CHECK(sc_gen(dup, 2, f, SECCOMP_FILTER_MAX, &e) < 0);
	CHECK(strstr(e.msg, "listed twice") != NULL);
	CHECK(sc_gen(big, 1, f, SECCOMP_FILTER_MAX, &e) < 0);
	CHECK(strstr(e.msg, "out of") != NULL);
	CHECK(sc_gen(sc_table, sc_table_len, f, 10, &e) < 0);
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

UNIT_MAIN(UNIT(test_generated_equals_generator), UNIT(test_decisions),
	  UNIT(test_foreign_arches_killed), UNIT(test_every_number_matches_table),
	  UNIT(test_refused_list_of_security_md), UNIT(test_generator_refuses_bad_tables),
	  UNIT(test_loaded_filter))

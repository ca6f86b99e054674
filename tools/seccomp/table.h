/* table.h — a seccomp profile as data (x86_64), one table per program.
 *
 * One row per system call the profile names; everything not listed is
 * refused with EPERM (an allowlist), or, in a table marked default_allow,
 * allowed (a deny-list: berthd's, whose children's needs it cannot list). Foreign audit arches are killed and x32 numbers
 * refused before the table is consulted. The generator (gen.h) turns each
 * table into classic BPF at build time (build/gen/seccomp_<name>.c, declared
 * in lib/seccomp.h); nothing compiles a filter at run time. The probe
 * (tests/probe) calls every SC_REFUSE row of the default table from inside a
 * container.
 */
#ifndef BERTH_TOOLS_SECCOMP_TABLE_H
#define BERTH_TOOLS_SECCOMP_TABLE_H

#include <asm/unistd.h> /* __NR_*: the tables name calls by these */
#include <stddef.h>
#include <stdint.h>

#if !defined(__x86_64__) || defined(__ILP32__)
#error "the seccomp tables hold x86_64 system call numbers"
#endif

enum sc_kind {
	SC_ALLOW,  /* allowed */
	SC_REFUSE, /* refused with EPERM (named for the record and the probe) */
	SC_ENOSYS, /* refused with ENOSYS (clone3: libcs fall back to clone) */
	SC_ARGS,   /* allowed when every check holds, else EPERM */
};

enum sc_op {
	SC_IN,     /* (argument & mask) is one of vals */
	SC_NOT_IN, /* (argument & mask) is none of vals */
};

#define SC_VALS_MAX 6

/* One argument check. Only the low 32 bits of the argument are compared:
 * every argument checked is an int or unsigned int in the kernel, which
 * ignores the high half too. */
struct sc_check {
	unsigned char arg;    /* 0..5 */
	unsigned char op;     /* enum sc_op */
	unsigned char n;      /* values in vals, 1..SC_VALS_MAX */
	uint32_t mask;
	uint32_t vals[SC_VALS_MAX];
};

#define SC_CHECKS_MAX 2

struct sc_rule {
	const char *name;
	int nr;                 /* x86_64 system call number */
	unsigned char kind;     /* enum sc_kind */
	unsigned char noprobe;  /* the probe must not call it even with zero args */
	unsigned char nchecks;  /* SC_ARGS: checks used, 1..SC_CHECKS_MAX */
	struct sc_check checks[SC_CHECKS_MAX];
};

/* A program's profile: build/gen/seccomp_<name>.c defines
 * seccomp_<name>_filter and seccomp_<name>_len. */
struct sc_prog {
	const char *name;
	const struct sc_rule *rules;
	size_t n;
	int default_allow;      /* numbers not listed are allowed (not refused) */
};

/* The container default (Docker's semantics, SECURITY.md), berth-unpack
 * (file creation only), berth-dhcpc (after its setup), berth-proxy (after
 * its setup) and berthd (a deny-list: what neither it nor anything it
 * starts ever needs). */
extern const struct sc_prog sc_prog_default, sc_prog_unpack, sc_prog_dhcpc, sc_prog_proxy,
	sc_prog_berthd, sc_prog_fetch, sc_prog_apid;

/* CLONE_NEWNS|NEWCGROUP|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET — Docker's mask. */
#define SC_CLONE_NS_MASK 0x7E020000u

#endif

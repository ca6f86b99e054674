/* seccomp_table.h — the default seccomp profile as data (x86_64).
 *
 * One row per system call the profile names. Everything not listed is
 * refused with EPERM (Docker's default action); x32 numbers and foreign
 * audit arches are refused before the table is consulted. The generator
 * (seccomp_gen.h) turns the table into classic BPF at build time; the probe
 * (tests/probe) calls every SC_REFUSE row from inside a container.
 */
#ifndef BERTH_LAUNCH_SECCOMP_TABLE_H
#define BERTH_LAUNCH_SECCOMP_TABLE_H

#include <stddef.h>

enum sc_kind {
	SC_ALLOW,       /* allowed */
	SC_REFUSE,      /* refused with EPERM (named for the record and the probe) */
	SC_ENOSYS,      /* refused with ENOSYS (clone3: libcs fall back to clone) */
	SC_CLONE,       /* allowed only when flags & SC_CLONE_NS_MASK == 0 */
	SC_SOCKET,      /* allowed unless the domain is AF_ALG or AF_VSOCK */
	SC_PERSONALITY, /* allowed only for the personas in sc_personas */
};

/* CLONE_NEWNS|NEWCGROUP|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET — Docker's mask. */
#define SC_CLONE_NS_MASK 0x7E020000u
#define SC_AF_ALG 38
#define SC_AF_VSOCK 40

struct sc_rule {
	const char *name;
	int nr;               /* x86_64 system call number */
	unsigned char kind;   /* enum sc_kind */
	unsigned char noprobe; /* the probe must not call it even with zero args */
};

extern const struct sc_rule sc_table[];
extern const size_t sc_table_len;

/* personality(2) values allowed: PER_LINUX, PER_LINUX32, UNAME26,
 * UNAME26|PER_LINUX32, and the query 0xffffffff. */
extern const unsigned sc_personas[];
extern const size_t sc_personas_len;

#endif

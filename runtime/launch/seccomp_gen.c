/* seccomp_gen.c — seccomp table → classic BPF (see seccomp_gen.h). */
#include "runtime/launch/seccomp_gen.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <string.h>

#define OFF_NR ((unsigned)offsetof(struct seccomp_data, nr))
#define OFF_ARCH ((unsigned)offsetof(struct seccomp_data, arch))
/* args[0], low 32 bits (x86_64 is little-endian); every argument checked is
 * an int or unsigned int in the kernel, so the high half is never looked at. */
#define OFF_ARG0_LO ((unsigned)offsetof(struct seccomp_data, args[0]))

#define RET_ALLOW SECCOMP_RET_ALLOW
#define RET_EPERM (SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA))
#define RET_ENOSYS (SECCOMP_RET_ERRNO | (ENOSYS & SECCOMP_RET_DATA))
#define RET_KILL SECCOMP_RET_KILL_PROCESS

/* Ranges of numbers sharing one rule; the default (refuse) is kind -1. */
struct range {
	unsigned lo;
	int kind;
	int nr; /* for special kinds: the one number */
};

struct gen {
	struct sock_filter *out;
	size_t max, len;
	struct berr *e;
};

static int emit(struct gen *g, unsigned short code, unsigned k, unsigned char jt, unsigned char jf)
{
	if (g->len >= g->max)
		return berr_set(g->e, ENOSPC, "seccomp filter longer than %zu instructions", g->max);
	g->out[g->len++] = (struct sock_filter){ code, jt, jf, k };
	return 0;
}

static int emit_ret(struct gen *g, unsigned v)
{
	return emit(g, BPF_RET | BPF_K, v, 0, 0);
}

static int emit_leaf(struct gen *g, int kind)
{
	int rc = 0;

	switch (kind) {
	case SC_ALLOW:
		return emit_ret(g, RET_ALLOW);
	case -1:
	case SC_REFUSE:
		return emit_ret(g, RET_EPERM);
	case SC_ENOSYS:
		return emit_ret(g, RET_ENOSYS);
	case SC_CLONE:
		rc |= emit(g, BPF_LD | BPF_W | BPF_ABS, OFF_ARG0_LO, 0, 0);
		rc |= emit(g, BPF_JMP | BPF_JSET | BPF_K, SC_CLONE_NS_MASK, 1, 0);
		rc |= emit_ret(g, RET_ALLOW);
		rc |= emit_ret(g, RET_EPERM);
		return rc;
	case SC_SOCKET:
		rc |= emit(g, BPF_LD | BPF_W | BPF_ABS, OFF_ARG0_LO, 0, 0);
		rc |= emit(g, BPF_JMP | BPF_JEQ | BPF_K, SC_AF_ALG, 2, 0);
		rc |= emit(g, BPF_JMP | BPF_JEQ | BPF_K, SC_AF_VSOCK, 1, 0);
		rc |= emit_ret(g, RET_ALLOW);
		rc |= emit_ret(g, RET_EPERM);
		return rc;
	case SC_PERSONALITY:
		rc |= emit(g, BPF_LD | BPF_W | BPF_ABS, OFF_ARG0_LO, 0, 0);
		for (size_t i = 0; i < sc_personas_len; i++)
			rc |= emit(g, BPF_JMP | BPF_JEQ | BPF_K, sc_personas[i],
				   (unsigned char)(sc_personas_len - i), 0);
		rc |= emit_ret(g, RET_EPERM);
		rc |= emit_ret(g, RET_ALLOW);
		return rc;
	}
	return berr_set(g->e, EINVAL, "seccomp table: unknown rule kind %d", kind);
}

/* Ranges r[a..b) (b - a >= 1): a leaf, or "nr >= r[mid].lo ? right : left".
 * The jump to the right half is a JA (32-bit offset), so subtrees of any
 * size fit; conditional jumps only ever skip one instruction. */
static int emit_tree(struct gen *g, const struct range *r, size_t a, size_t b)
{
	size_t mid, ja;

	if (b - a == 1)
		return emit_leaf(g, r[a].kind);
	mid = a + (b - a) / 2;
	if (emit(g, BPF_JMP | BPF_JGE | BPF_K, r[mid].lo, 0, 1) < 0)
		return -1;
	ja = g->len;
	if (emit(g, BPF_JMP | BPF_JA, 0, 0, 0) < 0 || emit_tree(g, r, a, mid) < 0)
		return -1;
	g->out[ja].k = (unsigned)(g->len - ja - 1);
	return emit_tree(g, r, mid, b);
}

int sc_gen(const struct sc_rule *table, size_t n, struct sock_filter *out, size_t max,
	   struct berr *e)
{
	signed char kind[SC_NR_MAX + 1];
	struct range r[SC_NR_MAX + 2];
	size_t nr_ranges = 0;
	struct gen g = { out, max, 0, e };

	memset(kind, -1, sizeof kind);
	for (size_t i = 0; i < n; i++) {
		int nr = table[i].nr;

		if (nr < 0 || nr > SC_NR_MAX)
			return berr_set(e, EINVAL, "seccomp table: %s: number %d out of 0..%d",
					table[i].name, nr, SC_NR_MAX);
		if (kind[nr] != -1)
			return berr_set(e, EINVAL, "seccomp table: %s: number %d listed twice",
					table[i].name, nr);
		if (table[i].kind > SC_PERSONALITY)
			return berr_set(e, EINVAL, "seccomp table: %s: unknown rule kind %d",
					table[i].name, table[i].kind);
		kind[nr] = (signed char)table[i].kind;
	}
	/* Ranges over 0..SC_NR_MAX, then "everything above" refused. Special
	 * kinds are never merged with a neighbour (their leaf checks args). */
	for (unsigned nr = 0; nr <= SC_NR_MAX; nr++) {
		int k = kind[nr];
		int special = k == SC_CLONE || k == SC_SOCKET || k == SC_PERSONALITY;

		if (nr_ranges > 0 && r[nr_ranges - 1].kind == k && !special)
			continue;
		r[nr_ranges++] = (struct range){ nr, k, (int)nr };
	}
	if (r[nr_ranges - 1].kind != -1)
		r[nr_ranges++] = (struct range){ SC_NR_MAX + 1, -1, -1 };

	if (emit(&g, BPF_LD | BPF_W | BPF_ABS, OFF_ARCH, 0, 0) < 0 ||
	    emit(&g, BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0) < 0 ||
	    emit_ret(&g, RET_KILL) < 0 ||
	    emit(&g, BPF_LD | BPF_W | BPF_ABS, OFF_NR, 0, 0) < 0 ||
	    emit(&g, BPF_JMP | BPF_JGE | BPF_K, SC_X32_BIT, 0, 1) < 0 ||
	    emit_ret(&g, RET_EPERM) < 0 ||
	    emit_tree(&g, r, 0, nr_ranges) < 0)
		return -1;
	return (int)g.len;
}

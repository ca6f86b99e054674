/* gen.c — seccomp table → classic BPF (see gen.h). */
#include "tools/seccomp/gen.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <string.h>

#define OFF_NR ((unsigned)offsetof(struct seccomp_data, nr))
#define OFF_ARCH ((unsigned)offsetof(struct seccomp_data, arch))
/* args[i], low 32 bits (x86_64 is little-endian); every argument checked is
 * an int or unsigned int in the kernel, so the high half is never looked at. */
#define OFF_ARG_LO(i) ((unsigned)(offsetof(struct seccomp_data, args) + 8 * (i)))

#define RET_ALLOW SECCOMP_RET_ALLOW
#define RET_EPERM (SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA))
#define RET_ENOSYS (SECCOMP_RET_ERRNO | (ENOSYS & SECCOMP_RET_DATA))
#define RET_KILL SECCOMP_RET_KILL_PROCESS

/* Ranges of numbers sharing one rule; the default (refuse) is kind -1. */
struct range {
	unsigned lo;
	int kind;
	const struct sc_rule *rule; /* SC_ARGS: the one row */
};

struct gen {
	struct sock_filter *out;
	size_t max, len;
	struct berr *e;
	unsigned dflt;              /* what a number no row names gets */
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

/* Load argument c->arg (& mask), then: SC_IN jumps over the EPERM return
 * when a value matches; SC_NOT_IN jumps onto it. Falls through when the
 * check holds. */
static int emit_check(struct gen *g, const struct sc_check *c)
{
	int rc = emit(g, BPF_LD | BPF_W | BPF_ABS, OFF_ARG_LO(c->arg), 0, 0);

	if (c->mask != ~0u)
		rc |= emit(g, BPF_ALU | BPF_AND | BPF_K, c->mask, 0, 0);
	/* a match skips the JEQs left and one more: the EPERM return (SC_IN),
	 * or the JA over it (SC_NOT_IN) */
	for (unsigned i = 0; i < c->n; i++)
		rc |= emit(g, BPF_JMP | BPF_JEQ | BPF_K, c->vals[i], (unsigned char)(c->n - i), 0);
	if (c->op == SC_NOT_IN)
		rc |= emit(g, BPF_JMP | BPF_JA, 1, 0, 0);
	return rc | emit_ret(g, RET_EPERM);
}

static int emit_leaf(struct gen *g, const struct range *r)
{
	int rc = 0;

	switch (r->kind) {
	case -1:
		return emit_ret(g, g->dflt);
	case SC_ALLOW:
		return emit_ret(g, RET_ALLOW);
	case SC_REFUSE:
		return emit_ret(g, RET_EPERM);
	case SC_ENOSYS:
		return emit_ret(g, RET_ENOSYS);
	case SC_ARGS:
		for (unsigned i = 0; i < r->rule->nchecks; i++)
			rc |= emit_check(g, &r->rule->checks[i]);
		return rc | emit_ret(g, RET_ALLOW);
	}
	return berr_set(g->e, EINVAL, "seccomp table: unknown rule kind %d", r->kind);
}

/* Ranges r[a..b) (b - a >= 1): a leaf, or "nr >= r[mid].lo ? right : left".
 * The jump to the right half is a JA (32-bit offset), so subtrees of any
 * size fit; conditional jumps only ever skip one instruction. */
static int emit_tree(struct gen *g, const struct range *r, size_t a, size_t b)
{
	size_t mid, ja;

	if (b - a == 1)
		return emit_leaf(g, &r[a]);
	mid = a + (b - a) / 2;
	if (emit(g, BPF_JMP | BPF_JGE | BPF_K, r[mid].lo, 0, 1) < 0)
		return -1;
	ja = g->len;
	if (emit(g, BPF_JMP | BPF_JA, 0, 0, 0) < 0 || emit_tree(g, r, a, mid) < 0)
		return -1;
	g->out[ja].k = (unsigned)(g->len - ja - 1);
	return emit_tree(g, r, mid, b);
}

static int check_rule(const struct sc_rule *r, struct berr *e)
{
	if (r->nr < 0 || r->nr > SC_NR_MAX)
		return berr_set(e, EINVAL, "seccomp table: %s: number %d out of 0..%d", r->name, r->nr,
				SC_NR_MAX);
	if (r->kind > SC_ARGS)
		return berr_set(e, EINVAL, "seccomp table: %s: unknown rule kind %d", r->name, r->kind);
	if (r->kind == SC_ARGS && (r->nchecks < 1 || r->nchecks > SC_CHECKS_MAX))
		return berr_set(e, EINVAL, "seccomp table: %s: %d argument checks (1..%d)", r->name,
				r->nchecks, SC_CHECKS_MAX);
	for (unsigned i = 0; r->kind == SC_ARGS && i < r->nchecks; i++) {
		const struct sc_check *c = &r->checks[i];

		if (c->arg > 5 || c->op > SC_NOT_IN || c->n < 1 || c->n > SC_VALS_MAX)
			return berr_set(e, EINVAL, "seccomp table: %s: malformed argument check %u",
					r->name, i);
	}
	return 0;
}

int sc_gen(const struct sc_prog *prog, struct sock_filter *out, size_t max, struct berr *e)
{
	const struct sc_rule *row[SC_NR_MAX + 1] = { 0 };
	struct range r[SC_NR_MAX + 2];
	size_t nr_ranges = 0;
	struct gen g = { out, max, 0, e, prog->default_allow ? RET_ALLOW : RET_EPERM };

	for (size_t i = 0; i < prog->n; i++) {
		const struct sc_rule *t = &prog->rules[i];

		if (check_rule(t, e) < 0)
			return -1;
		if (row[t->nr])
			return berr_set(e, EINVAL, "seccomp table: %s: number %d listed twice", t->name,
					t->nr);
		row[t->nr] = t;
	}
	/* Ranges over 0..SC_NR_MAX, then "everything above" refused. SC_ARGS
	 * rows are never merged with a neighbour (their leaf checks args). */
	for (unsigned nr = 0; nr <= SC_NR_MAX; nr++) {
		int k = row[nr] ? row[nr]->kind : -1;

		if (nr_ranges > 0 && r[nr_ranges - 1].kind == k && k != SC_ARGS)
			continue;
		r[nr_ranges++] = (struct range){ nr, k, row[nr] };
	}
	if (r[nr_ranges - 1].kind != -1)
		r[nr_ranges++] = (struct range){ SC_NR_MAX + 1, -1, NULL };

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

/* gen.h — turn a seccomp table (table.h) into classic BPF.
 *
 * Used at build time by the generator tool (main.c, which writes each
 * program's filter out as a C array) and by the unit tests; never at run
 * time.
 *
 * The program: check the audit arch (anything but x86_64 kills the process),
 * refuse x32 numbers (EPERM), then a balanced binary search over the ranges
 * of consecutive numbers with the same rule, whose leaves return the
 * decision or check arguments first (SC_ARGS rows). Numbers no row names
 * are refused, or allowed in a default_allow table; x32 numbers and foreign
 * arches are refused and killed either way.
 */
#ifndef BERTH_TOOLS_SECCOMP_GEN_H
#define BERTH_TOOLS_SECCOMP_GEN_H

#include <linux/filter.h>
#include <stddef.h>

#include "lib/err.h"
#include "tools/seccomp/table.h"

/* Numbers at or above this are x32 (__X32_SYSCALL_BIT). */
#define SC_X32_BIT 0x40000000u
/* Highest number a table row may name. */
#define SC_NR_MAX 1023

/* Write the filter for prog into out (at most max instructions).
 * Fails (EINVAL) on a number out of range or listed twice, an unknown kind
 * or a malformed check; ENOSPC when the program does not fit. Returns the
 * number of instructions. */
int sc_gen(const struct sc_prog *prog, struct sock_filter *out, size_t max, struct berr *e);

#endif

/* seccomp.h — no_new_privs and loading a prebuilt classic-BPF filter.
 *
 * berth never compiles a filter at run time: the launcher's default profile
 * is emitted as a C array at build time (runtime/launch/seccomp_gen) and a
 * custom one is read as raw struct sock_filter records.
 */
#ifndef BERTH_LIB_SECCOMP_H
#define BERTH_LIB_SECCOMP_H

#include <linux/filter.h>
#include <stddef.h>

#include "lib/err.h"

/* The kernel's limit on a filter's length (BPF_MAXINSNS). */
#define SECCOMP_FILTER_MAX 4096

/* prctl(PR_SET_NO_NEW_PRIVS, 1). */
int seccomp_no_new_privs(struct berr *e);

/* Install the filter for the calling thread (SECCOMP_SET_MODE_FILTER).
 * Needs no_new_privs or CAP_SYS_ADMIN. */
int seccomp_load(const struct sock_filter *prog, size_t len, struct berr *e);

/* Read a filter file (raw little-endian struct sock_filter records, 8 bytes
 * each) into buf (at most max records) and check it: length a multiple of
 * 8, 1..max records. Returns the number of records. */
int seccomp_read_file(const char *path, struct sock_filter *buf, size_t max, struct berr *e);

#endif

/* seccomp.h — no_new_privs, the prebuilt filters, and loading one.
 *
 * berth never compiles a filter at run time: each program's filter is
 * generated as a C array at build time from its table in tools/seccomp/
 * (build/gen/seccomp_NAME.c, in libberth.a), and a custom one for the
 * launcher is read as raw struct sock_filter records.
 */
#ifndef BERTH_LIB_SECCOMP_H
#define BERTH_LIB_SECCOMP_H

#include <linux/filter.h>
#include <stddef.h>

#include "lib/err.h"

/* The kernel's limit on a filter's length (BPF_MAXINSNS). */
#define SECCOMP_FILTER_MAX 4096

/* The generated filters. Each checks the audit arch (x86_64; others are
 * killed) and refuses x32 numbers before its table.
 * default: the container default profile (SECURITY.md);
 * unpack:  berth-unpack: reading a tar stream and creating files, mknodat
 *          only for whiteouts and FIFOs (dev 0);
 * dhcpc:   berth-dhcpc after its setup: its UDP socket, netlink, the
 *          resolver file;
 * proxy:   berth-proxy after its setup: AF_INET sockets, splice, epoll,
 *          no file system;
 * berthd:  a deny-list: what berthd and everything it starts (berth-unpack,
 *          berth-shim and containers, berth-proxy) never need;
 * apid:    berth-apid after its drop: a socket server (AF_UNIX sockets of its
 *          own, accept4, threads, the audit log through its directory fd). */
extern const struct sock_filter seccomp_default_filter[];
extern const unsigned short seccomp_default_len;
extern const struct sock_filter seccomp_unpack_filter[];
extern const unsigned short seccomp_unpack_len;
extern const struct sock_filter seccomp_dhcpc_filter[];
extern const unsigned short seccomp_dhcpc_len;
extern const struct sock_filter seccomp_proxy_filter[];
extern const unsigned short seccomp_proxy_len;
extern const struct sock_filter seccomp_berthd_filter[];
extern const unsigned short seccomp_berthd_len;
/* fetch:   berth-fetch once confined: its control socket, TCP (AF_INET,
 *          AF_INET6), threads, writing the blob descriptors it was handed;
 *          no path-based call, no exec. */
extern const struct sock_filter seccomp_fetch_filter[];
extern const unsigned short seccomp_fetch_len;
extern const struct sock_filter seccomp_apid_filter[];
extern const unsigned short seccomp_apid_len;

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

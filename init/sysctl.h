/* sysctl.h — host hardening and the [system] sysctl.* keys at boot. */
#ifndef BERTH_INIT_SYSCTL_H
#define BERTH_INIT_SYSCTL_H

#include "init/conf.h"
#include "lib/log.h"

/* Write NAME (dotted, "kernel.kptr_restrict") = VALUE under /proc/sys. */
int sysctl_write(const char *name, const char *value, struct berr *e);

/* The hardening table (docs/init.md lists it: kernel pointers, dmesg,
 * BPF, ptrace, kexec, perf, sysrq, core dumps of set-id programs, line
 * disciplines, link/FIFO protection), forwarding off unless
 * [system] ip_forward, and for all, default and every present interface:
 * no ICMP redirects either way, no source routing, strict reverse-path
 * filtering, IPv6 router advertisements as [system] ipv6_accept_ra.
 * Writes in the current namespaces whatever they are (the host tests run
 * it in a private network namespace). Returns how many writes failed
 * (each logged). */
int sysctl_harden(const struct init_conf *c, const struct logger *lg);

/* The network namespace's part of sysctl_harden (forwarding, redirects,
 * source routing, rp_filter, router advertisements): returns how many
 * were set, adds the failures to *failed. */
int sysctl_harden_net(const struct init_conf *c, const struct logger *lg, int *failed);

/* sysctl_harden, only when this is the machine's own PID 1 (kthreadd is
 * PID 2): init as PID 1 of a test's pid namespace must not change the
 * host; then the configured [system] sysctl.* ones, which win. Returns how
 * many writes failed (each logged). */
int sysctl_apply(const struct init_conf *c, const struct logger *lg);

/* RCU grace periods expedited while PID 1 boots (on: 1), back to normal
 * once it is ready (on: 0; only when on returned 1). Boot waits on many of
 * them (sysctl writes, link changes, cgroups, module loads); expedited,
 * each costs an interrupt to every CPU instead of several scheduler ticks.
 * Returns 1 when it turned them on: not when this is not the machine's
 * PID 1 or the kernel command line has them on already. */
int sysctl_boot_expedite(int on, const struct logger *lg);

#endif

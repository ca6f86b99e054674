/* sysctl.h — host hardening and the [system] sysctl.* keys at boot. */
#ifndef BERTH_INIT_SYSCTL_H
#define BERTH_INIT_SYSCTL_H

#include "init/conf.h"
#include "lib/log.h"

/* Write NAME (dotted, "kernel.kptr_restrict") = VALUE under /proc/sys. */
int sysctl_write(const char *name, const char *value, struct berr *e);

/* The hardening table (kptr_restrict=2, dmesg_restrict=1,
 * unprivileged_bpf_disabled=1, protected_* links/fifos/regular,
 * ip_forward=1), then the configured ones, which win. The hardening table
 * is applied only by the machine's own PID 1 (kthreadd is PID 2): init as
 * PID 1 of a test's pid namespace must not change the host. Returns how
 * many writes failed (each logged). */
int sysctl_apply(const struct init_conf *c, const struct logger *lg);

#endif

/* svc_exec.h — the child side of starting a service. */
#ifndef BERTH_INIT_SVC_EXEC_H
#define BERTH_INIT_SVC_EXEC_H

#include "init/state.h"

/* In the forked child: restore signals, new session, join the cgroup
 * directory cg (writing to its cgroup.procs), stdin from /dev/null and
 * stdout/stderr to the log pipe, drop privileges in the audited order
 * (bounding set → keepcaps → setgroups/setresgid/setresuid → capset →
 * ambient → no_new_privs), then exec. Never returns: a failure is written to
 * the service's log and ends the child with 111 (system call) or 126/127
 * (exec). */
void svc_exec(const struct svc *s, const char *cg) __attribute__((noreturn));

#endif

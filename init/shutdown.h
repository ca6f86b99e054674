/* shutdown.h — the orderly end of the system, as steps the loop advances.
 *
 * 1. SERVICES: each service in reverse start order gets its stop signal;
 *    the next one's turn comes when it is down (the loop's service timer
 *    sends SIGKILL after its stop timeout; a process stuck in the kernel
 *    even then holds the shutdown 5 s more at most).
 * 2. TERM_ALL: SIGHUP to the console shell's session, SIGTERM and SIGCONT
 *    to every process; on when none is left or after
 *    CONFIG_INIT_SHUTDOWN_GRACE_MS.
 * 3. KILL_ALL: SIGKILL to what is left; on when none is left or after 1 s.
 * 4. FINAL: services' cgroups removed; random seed saved, sync, data
 *    directory remounted read-only and unmounted (EBUSY retried every
 *    100 ms) in a child that PID 1 waits for at most
 *    CONFIG_INIT_SHUTDOWN_SYNC_MS (a disk that does not answer hangs it in
 *    the kernel, not PID 1); then reboot(2) regardless.
 * Each step is logged with its duration. The loop keeps running the whole
 * time (reaping, service logs, the SIGKILL timers); this module only uses
 * its own timer in in->loop (in->sd.timer) and never calls into the loop.
 */
#ifndef BERTH_INIT_SHUTDOWN_H
#define BERTH_INIT_SHUTDOWN_H

#include "init/state.h"

/* Start shutting down for in->stop (poweroff, reboot, halt): no more
 * restarts, the control socket closed, step 1 begun. The caller has
 * stopped watching the control socket. */
void shutdown_begin(struct init *in);

/* Move on as far as the state of the processes allows; called after every
 * reaping round and when in->sd.timer fires. Ends in reboot(2); if that
 * fails (logged), in->stop and in->stopping are cleared and PID 1 goes on
 * with its loop. */
void shutdown_advance(struct init *in);

/* The loop's reaper offers each child here first: 1 when it was step 4's
 * child (its status kept), 0 for any other. */
int shutdown_reaped(struct init *in, pid_t pid, int status);

#endif

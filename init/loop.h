/* loop.h — PID 1's event loop, on lib/evloop (CLOCK_BOOTTIME).
 *
 * Registrations: the signalfd (reap on SIGCHLD, shutdown on
 * SIGUSR2/SIGINT/SIGTERM/SIGUSR1, new services on SIGHUP), the control
 * socket and its one client, every service's log pipe. Timers: the
 * services' next due time (restart after back-off, SIGKILL after the stop
 * timeout), the console shell's respawn, the control client's deadline,
 * and the shutdown's current step (shutdown.h). Every table lives in
 * struct init; nothing here allocates.
 *
 * Shutdown is not a second loop: when a stop is asked the loop stops
 * watching the control socket and calls shutdown_begin(); from then on
 * each reaped child and the shutdown timer call shutdown_advance(), which
 * moves through its steps and ends in reboot(2). shutdown.c never calls
 * back into this module.
 */
#ifndef BERTH_INIT_LOOP_H
#define BERTH_INIT_LOOP_H

#include "init/state.h"
#include "lib/err.h"

/* Set up the event loop with its timers and the signalfd (signals.h). On failure PID 1 goes on:
 * the loop then only waits for its timers. */
int loop_init(struct init *in, struct berr *e);

/* Watch what was opened since the last call: the control socket, and the
 * log pipes of services added by svc_load(). */
void loop_watch(struct init *in);

/* Start the console shell now and again one second after each exit,
 * until shutdown. */
void loop_console_shell(struct init *in);

/* Run forever: dispatch the loop's events and timers. Never returns. */
void loop_run(struct init *in) __attribute__((noreturn));

#endif

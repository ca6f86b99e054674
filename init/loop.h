/* loop.h — PID 1's one signalfd + poll loop. */
#ifndef BERTH_INIT_LOOP_H
#define BERTH_INIT_LOOP_H

#include "init/state.h"
#include "lib/err.h"

/* Block the signals PID 1 handles and open in->sigfd for them; ignore
 * SIGPIPE, SIGTTIN and SIGTTOU; turn ctrl-alt-del into SIGINT. */
int loop_signals_init(struct init *in, struct berr *e);

/* Reap every exited child (orphans included) without blocking. */
void loop_reap(struct init *in);

/* One round: wait up to max_ms (-1: until something happens) for signals,
 * service output, the control socket and timers, and handle what came.
 * Used by loop_run and by the shutdown's waits. */
void loop_step(struct init *in, int max_ms);

/* Wait for signals and timers forever: reap children, supervise services,
 * serve the control socket, restart the console shell, and shut down on
 * SIGUSR2/SIGINT (poweroff), SIGTERM (reboot) or SIGUSR1 (halt). Never
 * returns. */
void loop_run(struct init *in) __attribute__((noreturn));

#endif

/* ctl.h — PID 1's control socket (wire format: lib/initctl.h).
 *
 * One client at a time; a client that sends no request within a second is
 * dropped. Requests: list services, restart one, reboot, poweroff, halt.
 * Only uid 0 (SO_PEERCRED, lib/sock.h) is served; a refused peer gets an
 * EPERM reply and is closed. Nothing here allocates. */
#ifndef BERTH_INIT_CTL_H
#define BERTH_INIT_CTL_H

#include "init/state.h"
#include "lib/err.h"

/* Create /run/berth (0700 root) and the socket (0600 root, replacing a
 * stale socket, never another file) in it; in->ctl_fd. */
int ctl_open(struct init *in, struct berr *e);

/* The listening socket is readable: take one client. */
void ctl_accept(struct init *in);

/* The client is readable (or its deadline passed): serve it and close. */
void ctl_serve(struct init *in);

/* Close the socket and remove its path (shutdown). */
void ctl_close(struct init *in);

#endif

/* ctl.h — PID 1's control socket (wire format: lib/initctl.h).
 *
 * One client at a time; a client that sends no request within a second is
 * dropped. Requests: list services, restart one, reboot, poweroff, halt.
 * A peer (lib/sock.h: SO_PEERCRED, SO_PEERGROUPS, /proc/PID/status) is
 * served when it is uid 0, in the CTL_ADMIN_GROUP group or holds
 * CAP_SYS_BOOT; restart and the power requests need CAP_SYS_BOOT or the
 * uid of CTL_API_USER (berth-apid, which has no capabilities), so root
 * without capabilities may only list. A refused peer or request gets an
 * EPERM reply and is closed. Nothing here allocates. */
#ifndef BERTH_INIT_CTL_H
#define BERTH_INIT_CTL_H

#include "init/state.h"
#include "lib/err.h"

#define CTL_ADMIN_GROUP "berth-admin" /* may list services (berthctl services) */
#define CTL_API_USER "berth-api"      /* may also restart, reboot, power off */

/* Create /run/berth (0710 root:berth-admin, or 0700 root without that
 * group) and the socket (0660 root:berth-admin, replacing a stale socket,
 * never another file) in it; in->ctl_fd. */
int ctl_open(struct init *in, struct berr *e);

/* The listening socket is readable: take one client. */
void ctl_accept(struct init *in);

/* The client is readable (or its deadline passed): serve it and close. */
void ctl_serve(struct init *in);

/* Close the socket and remove its path (shutdown). */
void ctl_close(struct init *in);

#endif

/* caps.h — capability sets for confined processes, through libcap.
 *
 * A set is a 64-bit mask, bit n = capability n (CAP_CHOWN = bit 0).
 * The launcher drops privileges in one audited order (STYLE 10):
 *
 *     caps_bound()          bounding set → mask
 *     caps_keep(1)          keep permitted caps across setresuid
 *     setgroups/setresgid/setresuid (the caller)
 *     caps_set()            permitted = effective = mask, inheritable = 0
 *     caps_ambient_clear()  ambient = 0
 *     no_new_privs, seccomp (lib/seccomp.h)
 */
#ifndef BERTH_LIB_CAPS_H
#define BERTH_LIB_CAPS_H

#include <stdint.h>

#include "lib/err.h"

/* Docker's 14: CHOWN DAC_OVERRIDE FSETID FOWNER MKNOD NET_RAW SETGID SETUID
 * SETFCAP SETPCAP NET_BIND_SERVICE SYS_CHROOT KILL AUDIT_WRITE. */
#define CAPS_DOCKER_DEFAULT UINT64_C(0xa80425fb)

/* The highest capability number this build knows (CAP_LAST_CAP). */
int caps_last(void);

/* "NET_ADMIN", "CAP_NET_ADMIN", "net_admin" → its number; "ALL" → -2.
 * Unknown names fail with EINVAL naming the value. */
int caps_from_name(const char *name, struct berr *e);

/* Write "CHOWN,DAC_OVERRIDE,…" for mask into buf (bounded, "" for 0). */
int caps_format(uint64_t mask, char *buf, unsigned long size, struct berr *e);

/* The calling process's permitted set as a mask. */
int caps_permitted(uint64_t *mask, struct berr *e);

/* Drop every capability not in mask from the bounding set. */
int caps_bound(uint64_t mask, struct berr *e);

/* PR_SET_KEEPCAPS on (1) or off (0). */
int caps_keep(int on, struct berr *e);

/* permitted = effective = mask, inheritable = 0 (capset through libcap). */
int caps_set(uint64_t mask, struct berr *e);

/* Empty the ambient set. */
int caps_ambient_clear(struct berr *e);

#endif

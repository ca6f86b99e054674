/* caps.h — capability sets for confined processes, through libcap.
 *
 * A set is a 64-bit mask, bit n = capability n (CAP_CHOWN = bit 0). These
 * are the steps; lib/sandbox.h puts them in the one audited order (STYLE 10).
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

/* The highest capability number the running kernel knows: from
 * /proc/sys/kernel/cap_last_cap, or (no /proc, as in a chroot) by asking
 * PR_CAPBSET_READ upwards until the kernel answers EINVAL. It may be above
 * caps_last() when the kernel is newer than the build. */
int caps_kernel_last(struct berr *e);

/* "NET_ADMIN", "CAP_NET_ADMIN", "net_admin" → its number; "ALL" → -2.
 * Unknown names fail with EINVAL naming the value. */
int caps_from_name(const char *name, struct berr *e);

/* Write "CHOWN,DAC_OVERRIDE,…" for mask into buf (bounded, "" for 0). */
int caps_format(uint64_t mask, char *buf, unsigned long size, struct berr *e);

/* The calling process's permitted set as a mask. */
int caps_permitted(uint64_t *mask, struct berr *e);

/* Drop every capability the kernel has (caps_kernel_last(), so those this
 * build has no name for too) and mask lacks from the bounding set. Needs
 * CAP_SETPCAP unless they are out already. */
int caps_bound(uint64_t mask, struct berr *e);

/* PR_SET_KEEPCAPS on (1) or off (0). */
int caps_keep(int on, struct berr *e);

/* permitted = effective = mask, inheritable = inh (capset through libcap;
 * bits above caps_last() are never set). */
int caps_set(uint64_t mask, uint64_t inh, struct berr *e);

/* Empty the ambient set. */
int caps_ambient_clear(struct berr *e);

/* Raise every capability of mask in the ambient set (each must be permitted
 * and inheritable already). */
int caps_ambient_raise(uint64_t mask, struct berr *e);

#endif

/* root_switch.h — leave the initramfs for a real tmpfs mount, once, at boot.
 *
 * The kernel unpacks the initramfs into "rootfs", the root of the whole
 * mount tree, which pivot_root(2) cannot move: every container started from
 * it could only be chrooted, and would have to lose CAP_SYS_CHROOT. So
 * before anything else runs, PID 1 does what switch_root does: copy the
 * initramfs into a tmpfs, delete the initramfs files (their memory comes
 * back), move the tmpfs over /, chroot into it and execute /sbin/init again.
 * The second init finds ROOT_SWITCH_ENV in its environment (removed at
 * once, so no service inherits it) holding the first one's start time.
 */
#ifndef BERTH_INIT_ROOT_SWITCH_H
#define BERTH_INIT_ROOT_SWITCH_H

#include "lib/log.h"

#define ROOT_SWITCH_ENV "BERTH_INIT_T0_NS"

/* If / is the kernel's rootfs (the initramfs), switch to a tmpfs and exec
 * /sbin/init with argv; returns only when there was nothing to do or a step
 * failed (logged: PID 1 then boots from the initramfs as it is). *t0_ns is
 * set to the first init's start time when this is the second one. */
void root_switch_to_tmpfs(const struct logger *lg, char **argv, long long *t0_ns);

#endif

/* root_switch.h — leave the initramfs for a mount pivot_root can move, once, at boot.
 *
 * The kernel unpacks the initramfs into "rootfs", the root of the whole
 * mount tree, which pivot_root(2) cannot move: every container started from
 * it could only be chrooted, and would have to lose CAP_SYS_CHROOT. So
 * before anything else runs, PID 1 bind-mounts / on a directory of its own,
 * moves that mount over / and chroots into it: / is then a mount with a
 * parent, which pivot_root moves like any other, and nothing is copied (the
 * files stay where the kernel unpacked them, seen through the bind). The
 * same is done when / is not a mount at all (PID 1 started in a chroot, as
 * a host test does), which pivot_root refuses for the same reason.
 */
#ifndef BERTH_INIT_ROOT_SWITCH_H
#define BERTH_INIT_ROOT_SWITCH_H

#include "lib/log.h"

/* If / is the kernel's rootfs or not a mount point, make it a bind mount of
 * itself moved over /; returns when done or when a step failed (logged: PID
 * 1 then boots from / as it is, with the initramfs untouched). */
void root_switch(const struct logger *lg);

#endif

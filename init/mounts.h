/* mounts.h — the filesystems PID 1 mounts before anything else runs. */
#ifndef BERTH_INIT_MOUNTS_H
#define BERTH_INIT_MOUNTS_H

#include "lib/log.h"

/* Mount /proc, /sys, /dev (devtmpfs), /dev/pts, /dev/shm, /run, /tmp and
 * cgroup2 on /sys/fs/cgroup, creating mount points as needed, then enable
 * the cgroup controllers for child groups. Each failure is logged and the
 * rest still mounted; returns how many mounts failed. */
int mounts_early(const struct logger *lg);

/* Make / read-only, once nothing of the boot writes to it any more (after
 * networking wrote /etc/resolv.conf, before the services start): what
 * stays writable is what is mounted on it (/run, /tmp, /dev/shm, /dev,
 * /var/lib/berth; /proc/sys and /sys/fs/cgroup by root). Only as the
 * machine's own PID 1 (kthreadd is PID 2): init in a test's pid namespace
 * must not make the host's root read-only. Returns 0, 1 when skipped, or
 * -1 (*e set). */
int mounts_root_readonly(struct berr *e);

/* Is this the machine's own PID 1 (kthreadd is PID 2)? Init as PID 1 of a
 * test's pid namespace must leave the host's kernel settings alone. */
int mounts_machine_pid1(void);

#endif

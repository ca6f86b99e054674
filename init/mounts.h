/* mounts.h — the filesystems PID 1 mounts before anything else runs. */
#ifndef BERTH_INIT_MOUNTS_H
#define BERTH_INIT_MOUNTS_H

#include "lib/log.h"

/* Mount /proc, /sys, /dev (devtmpfs), /dev/pts, /dev/shm, /run, /tmp and
 * cgroup2 on /sys/fs/cgroup, creating mount points as needed, then enable
 * the cgroup controllers for child groups. Each failure is logged and the
 * rest still mounted; returns how many mounts failed. */
int mounts_early(const struct logger *lg);

#endif

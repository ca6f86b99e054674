/* data.h — the data partition and the RNG seed kept on it.
 *
 * The partition is the ext4 filesystem labelled "berth-data", found by
 * reading the superblock of every device in /sys/class/block (no blkid),
 * mounted at the data directory (/var/lib/berth). Disks probed late are
 * waited for up to [system] data_wait, the loop still stepping (reaping).
 * The outcome is one of four states, each loud on the console and shown
 * by `berthctl status`: mounted; ephemeral (a tmpfs of [system]
 * data_ephemeral bytes, only when configured, the partition not looked
 * for); no-disk and mount-failed (the partition was found, by its primary
 * or a backup superblock, but cannot be mounted). In the last two the data
 * directory is an empty read-only tmpfs: nothing is silently kept in
 * memory, and nothing is written to a damaged disk.
 *
 * The RNG seed is DIR/random-seed: at boot it is read, consumed (zeros
 * written over it, made durable with fdatasync) and credited to the
 * kernel's pool (by the mount's child when there is one, before any
 * service starts), so that a seed is never credited twice even if the
 * machine loses power before a new one is written (a seed of zeros is
 * never credited); a fresh one is written as soon as getrandom() has
 * entropy (at once, or by a child that waits for it), and again at
 * shutdown.
 */
#ifndef BERTH_INIT_DATA_H
#define BERTH_INIT_DATA_H

#include <stddef.h>

#include "init/state.h"
#include "lib/err.h"
#include "lib/log.h"

#define DATA_LABEL "berth-data"
#define DATA_SB_OFFSET 1024     /* the ext superblock's place on the device */
#define DATA_SB_SIZE 1024
#define DATA_SEED_BYTES 512
#define DATA_POLL_MS 50         /* how often a missing partition is looked for */

enum data_state {
	DATA_MOUNTED,           /* the partition, read-write */
	DATA_EPHEMERAL,         /* configured: a size-limited tmpfs */
	DATA_NO_DISK,           /* no partition within data_wait */
	DATA_MOUNT_FAILED,      /* found, but damaged or refused by the kernel */
};

/* If sb (len bytes read at DATA_SB_OFFSET) is an ext2/3/4 superblock, copy
 * its volume label (at most 16 bytes) NUL-terminated into label[17] and
 * return 0; else -1. */
int data_sb_label(const unsigned char *sb, size_t len, char label[17]);

/* Find the berth-data device among the entries of sysfs ("/sys/class/block",
 * whose NAME/size must be non-zero) by reading devdir/NAME ("/dev"); write
 * its path into dev. Returns 0 when its primary superblock names it; 1 when
 * only a backup superblock does (the primary is damaged), *backup_block
 * then the backup's block number for e2fsck -b; -1 with ENOENT when no
 * device is labelled berth-data. */
int data_find(const char *sysfs, const char *devdir, char *dev, size_t size, long *backup_block,
	      struct berr *e);

/* Could the data partition be mounted right now without loading a module:
 * found among sysfs's devices (data_find), and ext4 in the kernel (a line
 * "\text4" in filesystems, "/proc/filesystems")? 1 yes, 0 no. */
int data_present(const char *sysfs, const char *devdir, const char *filesystems);

/* When the partition is there already (its primary superblock found), mount
 * it in a child while PID 1 does other work: the ext4 mount is about 30 ms
 * under qemu's emulation, mostly not PID 1's CPU. Sets in->data_mount_pid
 * (0: not started, data_setup mounts it itself) and in->data_dev. */
void data_mount_start(struct init *in);

/* Wait for, mount and report the data directory (in->conf: data_dir,
 * data_wait_ms, data_ephemeral); sets in->data (1 partition, 0 ephemeral,
 * -1 neither: nothing to save or unmount at shutdown) and
 * in->data_status; then the seed (data_seed_load). The mount is
 * data_mount_start's child's when there is one: its answer is waited for
 * here. */
void data_setup(struct init *in);

/* Read and consume dir's seed (durably) and credit it to the RNG; a forked
 * child writes a fresh one once the RNG is ready, while boot goes on.
 * Returns that child's pid (0: none could be made; written here then). */
pid_t data_seed_load(const char *dir, const struct logger *lg);

/* Write a fresh seed (shutdown). Returns <0 on failure (EAGAIN: the RNG is
 * not ready yet). */
int data_seed_save(const char *dir, struct berr *e);

/* Remount dir read-only, then unmount it (shutdown). Each step that fails
 * with EBUSY (a file still open for writing, a mount below dir) is tried
 * again every 100 ms until deadline_ns (CLOCK_BOOTTIME) — the unmount for
 * a second at most once the read-only remount worked; *busy counts the
 * EBUSY answers. Still busy then, dir is detached (MNT_DETACH) and -1
 * returned with EBUSY. */
int data_unmount(const char *dir, long long deadline_ns, int *busy, struct berr *e);

#endif

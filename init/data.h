/* data.h — the data partition and the RNG seed kept on it.
 *
 * The partition is the ext4 filesystem labelled "berth-data", found by
 * reading the superblock of every device in /sys/class/block (no blkid),
 * mounted at the data directory (/var/lib/berth). Without one, a tmpfs is
 * mounted there and a loud warning says that state will not survive a
 * reboot. The RNG seed is DIR/random-seed: mixed into /dev/urandom at boot
 * and replaced at once (a seed is never used twice), written again at
 * shutdown.
 */
#ifndef BERTH_INIT_DATA_H
#define BERTH_INIT_DATA_H

#include <stddef.h>

#include "lib/err.h"
#include "lib/log.h"

#define DATA_LABEL "berth-data"
#define DATA_SB_OFFSET 1024     /* the ext superblock's place on the device */
#define DATA_SB_SIZE 1024
#define DATA_SEED_BYTES 512

/* If sb (len bytes read at DATA_SB_OFFSET) is an ext2/3/4 superblock, copy
 * its volume label (at most 16 bytes) NUL-terminated into label[17] and
 * return 0; else -1. */
int data_sb_label(const unsigned char *sb, size_t len, char label[17]);

/* Find the berth-data device among the entries of sysfs ("/sys/class/block",
 * whose NAME/size must be non-zero) by reading devdir/NAME ("/dev"); write
 * its path into dev. Returns 0, or -1 with ENOENT when there is none. */
int data_find(const char *sysfs, const char *devdir, char *dev, size_t size, struct berr *e);

/* Mount the data partition (or the tmpfs fallback) at dir. Returns 1 when
 * persistent, 0 for the tmpfs fallback, -1 when even that failed. */
int data_mount(const char *dir, const struct logger *lg);

/* Mix dir's seed into the RNG and refresh it (boot). */
void data_seed_load(const char *dir, const struct logger *lg);

/* Write a fresh seed (shutdown). Returns <0 on failure. */
int data_seed_save(const char *dir, struct berr *e);

/* Remount dir read-only, then unmount it (shutdown). Each step that fails
 * with EBUSY (a file still open for writing, a mount below dir) is tried
 * again every 100 ms until deadline_ns (CLOCK_BOOTTIME) — the unmount for
 * a second at most once the read-only remount worked; *busy counts the
 * EBUSY answers. Still busy then, dir is detached (MNT_DETACH) and -1
 * returned with EBUSY. */
int data_unmount(const char *dir, long long deadline_ns, int *busy, struct berr *e);

#endif

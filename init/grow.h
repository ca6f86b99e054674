/* grow.h — first boot on a disk larger than the image: grow the data
 * partition and its filesystem to the end of the disk.
 *
 * The disk image (docs/disk.md) is a GPT disk whose last partition is the
 * ext4 filesystem labelled berth-data. Written onto a larger disk, its
 * backup GPT sits in the middle of the disk and the partition ends early.
 * grow_gpt moves the backup GPT to the disk's last sectors and extends
 * the last partition to the last usable sector (both tables' CRC32s
 * recomputed; the backup is written and synced before the primary, so a
 * power cut leaves a valid table either way); grow_data then tells the
 * kernel the partition's new size (BLKPG) and, once the filesystem is
 * mounted, grows it online (EXT4_IOC_RESIZE_FS). Nothing else on the disk
 * moves; a disk whose GPT is already at its end is left as it is.
 */
#ifndef BERTH_INIT_GROW_H
#define BERTH_INIT_GROW_H

#include <stdint.h>

#include "lib/err.h"

#define GROW_ENTRIES_MAX 32768  /* bytes of partition entries read (128 x 128 is usual) */

struct grow_result {
	uint64_t first_lba;     /* the partition's first sector */
	uint64_t old_last_lba;  /* its last sector before */
	uint64_t new_last_lba;  /* and after */
};

/* Grow partition partno (1-based, as in /sys/class/block/X/partition) of
 * the GPT disk open read-write on fd, whose size is disk_bytes, with
 * sector-byte sectors. The partition must end last of all partitions.
 * Returns 1 when it grew (r filled), 0 when there was nothing to do (the
 * backup GPT already at the end; r filled), -1 on an invalid or foreign
 * table (bad signature or CRC, entries beyond GROW_ENTRIES_MAX, a disk
 * smaller than the table says, partno not the last) or an I/O error. */
int grow_gpt(int fd, uint64_t disk_bytes, unsigned sector, unsigned partno, struct grow_result *r,
	     struct berr *e);

/* The CRC32 GPT uses (IEEE 802.3, as zlib's crc32). */
uint32_t grow_crc32(const void *buf, size_t len);

/* Before the data partition dev ("/dev/vda2") is mounted: if it is a GPT
 * partition (sysfs, "/sys/class/block") of a disk in devdir ("/dev") with
 * room after it, grow it (grow_gpt) and tell the kernel (BLKPG). Returns
 * 1 grown (msg says from and to what), 0 nothing to do, -1 error. */
int grow_partition(const char *sysfs, const char *devdir, const char *dev, char *msg, size_t msgsize,
		   struct berr *e);

/* After it is mounted on dir: grow the ext4 filesystem to fill dev.
 * Returns 1 grown (msg says how), 0 it fills it already, -1 error. */
int grow_fs(const char *dev, const char *dir, char *msg, size_t msgsize, struct berr *e);

#endif

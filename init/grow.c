/* grow.c — grow the data partition and its ext4 filesystem to the disk's end. */
#include "init/grow.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/blkpg.h>
#include <linux/fs.h>

#include "lib/fs.h"
#include "lib/util.h"

#define GPT_SIG "EFI PART"
#define GPT_HDR_MIN 92
#define GPT_SECTOR_MAX 4096
#define GPT_ENTRY_MIN 128
/* header fields */
#define H_SIZE 12
#define H_CRC 16
#define H_MY 24
#define H_ALT 32
#define H_FIRST 40
#define H_LAST 48
#define H_ENTRIES 72
#define H_NUM 80
#define H_ESIZE 84
#define H_ECRC 88
/* entry fields */
#define E_FIRST 32
#define E_LAST 40
/* ext4 superblock fields (from its start, 1024 bytes into the device) */
#define SB_BLOCKS_LO 0x04
#define SB_LOG_BLOCK 0x18
#define SB_MAGIC 0x38
#define SB_INCOMPAT 0x60
#define SB_BLOCKS_HI 0x150
#define SB_64BIT 0x80
#define EXT4_RESIZE_FS _IOW('f', 16, uint64_t)
#define GROW_MIN_BYTES (1 << 20) /* less room than this is not worth a resize */

uint32_t grow_crc32(const void *buf, size_t len)
{
	const unsigned char *p = buf;
	uint32_t c = 0xffffffffu;

	while (len--) {
		c ^= *p++;
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1)));
	}
	return c ^ 0xffffffffu;
}

static uint64_t get64(const unsigned char *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static uint32_t get32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++, v >>= 8)
		p[i] = (unsigned char)v;
}

static void put32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++, v >>= 8)
		p[i] = (unsigned char)v;
}

static int pread_all(int fd, void *buf, size_t len, uint64_t off, const char *what, struct berr *e)
{
	size_t done = 0;

	if (off > (uint64_t)LLONG_MAX - len)
		return berr_set(e, EINVAL, "%s: offset %llu out of range", what, (unsigned long long)off);
	while (done < len) {
		ssize_t n = pread(fd, (char *)buf + done, len - done, (off_t)(off + done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return berr_sys(e, "read %s", what);
		if (n == 0)
			return berr_set(e, EIO, "read %s: short (the disk ends there)", what);
		done += (size_t)n;
	}
	return 0;
}

static int pwrite_all(int fd, const void *buf, size_t len, uint64_t off, const char *what, struct berr *e)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = pwrite(fd, (const char *)buf + done, len - done, (off_t)(off + done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return berr_sys(e, "write %s", what);
		done += (size_t)n;
	}
	return 0;
}

/* The header's CRC over its size bytes, with the CRC field taken as 0. */
static uint32_t hdr_crc(const unsigned char *h, uint32_t size)
{
	unsigned char tmp[GPT_SECTOR_MAX];

	memcpy(tmp, h, size);
	put32(tmp + H_CRC, 0);
	return grow_crc32(tmp, size);
}

struct gpt {
	unsigned char hdr[GPT_SECTOR_MAX];
	unsigned char ent[GROW_ENTRIES_MAX];
	uint32_t hsize, num, esize;
	size_t ebytes;
	uint64_t esectors;
};

/* Read and check the primary header and its entries. */
static int gpt_read(int fd, unsigned sector, struct gpt *g, struct berr *e)
{
	if (pread_all(fd, g->hdr, sector, sector, "GPT header", e) < 0)
		return -1;
	if (memcmp(g->hdr, GPT_SIG, 8) != 0)
		return berr_set(e, EINVAL, "no GPT on the disk (no EFI PART signature in sector 1)");
	g->hsize = get32(g->hdr + H_SIZE);
	if (g->hsize < GPT_HDR_MIN || g->hsize > sector)
		return berr_set(e, EINVAL, "GPT header size %u is invalid", g->hsize);
	if (hdr_crc(g->hdr, g->hsize) != get32(g->hdr + H_CRC))
		return berr_set(e, EINVAL, "GPT header CRC32 does not match");
	if (get64(g->hdr + H_MY) != 1)
		return berr_set(e, EINVAL, "GPT header does not say it is in sector 1");
	g->num = get32(g->hdr + H_NUM);
	g->esize = get32(g->hdr + H_ESIZE);
	if (g->esize < GPT_ENTRY_MIN || g->esize % 8 || g->num == 0 ||
	    (uint64_t)g->num * g->esize > GROW_ENTRIES_MAX)
		return berr_set(e, EINVAL, "GPT has %u entries of %u bytes (at most %d bytes are read)",
				g->num, g->esize, GROW_ENTRIES_MAX);
	g->ebytes = (size_t)g->num * g->esize;
	g->esectors = (g->ebytes + sector - 1) / sector;
	if (get64(g->hdr + H_ENTRIES) > UINT64_MAX / sector)
		return berr_set(e, EINVAL, "GPT entries' sector is out of range");
	if (pread_all(fd, g->ent, g->ebytes, get64(g->hdr + H_ENTRIES) * sector, "GPT entries", e) < 0)
		return -1;
	if (grow_crc32(g->ent, g->ebytes) != get32(g->hdr + H_ECRC))
		return berr_set(e, EINVAL, "GPT entries' CRC32 does not match");
	return 0;
}

/* Is entry idx in use and the last partition of all? Fills first/last. */
static int gpt_last(const struct gpt *g, unsigned idx, uint64_t *first, uint64_t *last, struct berr *e)
{
	static const unsigned char zero[16];
	const unsigned char *p = g->ent + (size_t)idx * g->esize;

	if (idx >= g->num || memcmp(p, zero, 16) == 0)
		return berr_set(e, ENOENT, "GPT has no partition %u", idx + 1);
	*first = get64(p + E_FIRST);
	*last = get64(p + E_LAST);
	for (unsigned i = 0; i < g->num; i++) {
		const unsigned char *q = g->ent + (size_t)i * g->esize;
		if (i != idx && memcmp(q, zero, 16) != 0 && get64(q + E_LAST) >= *last)
			return berr_set(e, EINVAL, "partition %u is not the last on the disk (%u ends after it)",
					idx + 1, i + 1);
	}
	return 0;
}

/* Write the backup (entries, then header) at alt, then the primary, each synced. */
static int gpt_write(int fd, unsigned sector, struct gpt *g, uint64_t alt, struct berr *e)
{
	unsigned char b[GPT_SECTOR_MAX];
	uint64_t bent = alt - g->esectors;

	memset(b, 0, sector);
	memcpy(b, g->hdr, g->hsize);
	put64(b + H_MY, alt);
	put64(b + H_ALT, 1);
	put64(b + H_ENTRIES, bent);
	put32(b + H_CRC, hdr_crc(b, g->hsize));
	if (pwrite_all(fd, g->ent, g->ebytes, bent * sector, "backup GPT entries", e) < 0 ||
	    pwrite_all(fd, b, sector, alt * sector, "backup GPT header", e) < 0)
		return -1;
	if (fsync(fd) < 0)
		return berr_sys(e, "fsync the disk");
	memset(b, 0, sector);
	memcpy(b, g->hdr, g->hsize);
	if (pwrite_all(fd, g->ent, g->ebytes, get64(g->hdr + H_ENTRIES) * sector, "GPT entries", e) < 0 ||
	    pwrite_all(fd, b, sector, sector, "GPT header", e) < 0)
		return -1;
	if (fsync(fd) < 0)
		return berr_sys(e, "fsync the disk");
	return 0;
}

int grow_gpt(int fd, uint64_t disk_bytes, unsigned sector, unsigned partno, struct grow_result *r,
	     struct berr *e)
{
	struct gpt *g;
	uint64_t sectors = sector ? disk_bytes / sector : 0, alt, new_alt, new_last, first = 0, last = 0;
	unsigned char zero[GPT_SECTOR_MAX] = {0};
	int rc = -1;

	if (sector < 512 || sector > GPT_SECTOR_MAX || (sector & (sector - 1)))
		return berr_set(e, EINVAL, "sector size %u is not supported", sector);
	if (partno == 0)
		return berr_set(e, EINVAL, "partition number 0");
	g = malloc(sizeof *g);
	if (!g)
		return berr_set(e, ENOMEM, "out of memory");
	if (gpt_read(fd, sector, g, e) < 0 || gpt_last(g, partno - 1, &first, &last, e) < 0)
		goto out;
	alt = get64(g->hdr + H_ALT);
	if (sectors < 2 * g->esectors + 4 || alt >= sectors || alt < g->esectors + 3 ||
	    last >= alt - g->esectors || first > last) {
		berr_set(e, EINVAL, "the GPT does not fit the disk (%llu sectors, backup at %llu)",
			 (unsigned long long)sectors, (unsigned long long)alt);
		goto out;
	}
	new_alt = sectors - 1;
	new_last = new_alt - g->esectors - 1;
	*r = (struct grow_result){ first, last, last };
	rc = 0;
	if (alt == new_alt && last >= new_last)
		goto out;
	if (new_last < last) {
		rc = berr_set(e, EINVAL, "partition %u ends past the last usable sector", partno);
		goto out;
	}
	put64(g->ent + (size_t)(partno - 1) * g->esize + E_LAST, new_last);
	put64(g->hdr + H_ALT, new_alt);
	put64(g->hdr + H_LAST, new_last);
	put32(g->hdr + H_ECRC, grow_crc32(g->ent, g->ebytes));
	put32(g->hdr + H_CRC, hdr_crc(g->hdr, g->hsize));
	rc = gpt_write(fd, sector, g, new_alt, e);
	/* The old backup header would be a second, stale table: erase it. */
	if (rc == 0 && alt != new_alt) {
		rc = pwrite_all(fd, zero, sector, alt * sector, "old backup GPT header", e);
		if (rc == 0 && fsync(fd) < 0)
			rc = berr_sys(e, "fsync the disk");
	}
	if (rc == 0) {
		r->new_last_lba = new_last;
		rc = 1;
	}
out:
	free(g);
	return rc;
}

/* Read sysfs/name/file (a number) into *v. */
static int sys_num(const char *sysfs, const char *name, const char *file, unsigned long long *v,
		   struct berr *e)
{
	char path[PATH_MAX], buf[32], *end;

	snprintf(path, sizeof path, "%s/%s/%s", sysfs, name, file);
	if (fs_read(path, buf, sizeof buf, e) < 0)
		return -1;
	errno = 0;
	*v = strtoull(buf, &end, 10);
	if (errno || end == buf || (*end && *end != '\n'))
		return berr_set(e, EINVAL, "%s: not a number", path);
	return 0;
}

/* The disk a partition's sysfs entry lives under ("vda" for "vda2"). */
static int parent_disk(const char *sysfs, const char *name, char *disk, size_t size, struct berr *e)
{
	char path[PATH_MAX], link[PATH_MAX], *slash, *prev;
	ssize_t n;

	snprintf(path, sizeof path, "%s/%s", sysfs, name);
	n = readlink(path, link, sizeof link - 1);
	if (n < 0)
		return berr_sys(e, "readlink %s", path);
	link[n] = '\0';
	slash = strrchr(link, '/');
	if (!slash)
		return berr_set(e, EINVAL, "%s: no parent disk in %s", path, link);
	*slash = '\0';
	prev = strrchr(link, '/');
	prev = prev ? prev + 1 : link;
	if (!*prev || strlen(prev) >= size)
		return berr_set(e, EINVAL, "%s: no parent disk in %s", path, link);
	memcpy(disk, prev, strlen(prev) + 1);
	return 0;
}

int grow_partition(const char *sysfs, const char *devdir, const char *dev, char *msg, size_t msgsize,
		   struct berr *e)
{
	const char *name = strrchr(dev, '/') ? strrchr(dev, '/') + 1 : dev;
	char disk[64], path[PATH_MAX], probe[PATH_MAX];
	unsigned long long partno, lbs, size512;
	struct grow_result r;
	int fd, rc;

	snprintf(probe, sizeof probe, "%s/%s/partition", sysfs, name);
	if (access(probe, F_OK) < 0)
		return 0; /* a whole disk (data.img under -kernel): nothing to grow */
	if (sys_num(sysfs, name, "partition", &partno, e) < 0 ||
	    parent_disk(sysfs, name, disk, sizeof disk, e) < 0 ||
	    sys_num(sysfs, disk, "queue/logical_block_size", &lbs, e) < 0 ||
	    sys_num(sysfs, disk, "size", &size512, e) < 0)
		return -1;
	if (partno == 0 || partno > UINT_MAX || lbs > GPT_SECTOR_MAX || size512 > UINT64_MAX / 512)
		return berr_set(e, EINVAL, "%s: partition %llu, sectors of %llu bytes", name, partno, lbs);
	snprintf(path, sizeof path, "%s/%s", devdir, disk);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return berr_sys(e, "open %s", path);
	rc = grow_gpt(fd, size512 * 512, (unsigned)lbs, (unsigned)partno, &r, e);
	if (rc < 0)
		berr_prefix(e, "%s", path);
	if (rc == 1) {
		struct blkpg_partition p = {
			.start = (long long)(r.first_lba * lbs),
			.length = (long long)((r.new_last_lba - r.first_lba + 1) * lbs),
			.pno = (int)partno,
		};
		struct blkpg_ioctl_arg a = { .op = BLKPG_RESIZE_PARTITION, .datalen = sizeof p, .data = &p };
		if (ioctl(fd, BLKPG, &a) < 0)
			rc = berr_sys(e, "%s: tell the kernel partition %llu's new size (BLKPG)", path, partno);
		else
			snprintf(msg, msgsize, "partition %s grown from %llu to %llu MiB (to the end of %s)",
				 name, (unsigned long long)((r.old_last_lba - r.first_lba + 1) * lbs >> 20),
				 (unsigned long long)((r.new_last_lba - r.first_lba + 1) * lbs >> 20), disk);
	}
	fd_close(&fd);
	return rc;
}

int grow_fs(const char *dev, const char *dir, char *msg, size_t msgsize, struct berr *e)
{
	unsigned char sb[1024];
	uint64_t bytes = 0, blocks, want;
	unsigned log;
	int fd = open(dev, O_RDONLY | O_CLOEXEC), rc = 0;

	if (fd < 0)
		return berr_sys(e, "open %s", dev);
	if (pread_all(fd, sb, sizeof sb, 1024, dev, e) < 0) {
		fd_close(&fd);
		return -1;
	}
	if (ioctl(fd, BLKGETSIZE64, &bytes) < 0) {
		rc = berr_sys(e, "%s: size (BLKGETSIZE64)", dev);
		fd_close(&fd);
		return rc;
	}
	fd_close(&fd);
	log = get32(sb + SB_LOG_BLOCK);
	if ((sb[SB_MAGIC] | sb[SB_MAGIC + 1] << 8) != 0xef53 || log > 6)
		return berr_set(e, EINVAL, "%s: not an ext4 superblock", dev);
	blocks = get32(sb + SB_BLOCKS_LO);
	if (get32(sb + SB_INCOMPAT) & SB_64BIT)
		blocks |= (uint64_t)get32(sb + SB_BLOCKS_HI) << 32;
	want = bytes >> (10 + log);
	if (want <= blocks || (want - blocks) << (10 + log) < GROW_MIN_BYTES)
		return 0;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return berr_sys(e, "open %s", dir);
	if (ioctl(fd, EXT4_RESIZE_FS, &want) < 0)
		rc = berr_sys(e, "%s: grow the filesystem to %llu blocks (EXT4_IOC_RESIZE_FS)", dir,
			      (unsigned long long)want);
	else {
		snprintf(msg, msgsize, "filesystem on %s grown from %llu to %llu MiB", dev,
			 (unsigned long long)(blocks << (10 + log) >> 20), (unsigned long long)(bytes >> 20));
		rc = 1;
	}
	fd_close(&fd);
	return rc;
}

/* test_grow.c — grow_gpt on GPT disk images in temporary files. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "init/grow.h"
#include "tests/unit/unit.h"

#define SEC 512
#define ENTRIES 128
#define ESIZE 128
#define ESECT (ENTRIES * ESIZE / SEC) /* 32 */
#define MIB (1024 * 1024 / SEC)

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

/* A header as sgdisk writes it (92 bytes), my/alt/entries as given. */
static void mkhdr(unsigned char *h, uint64_t my, uint64_t alt, uint64_t ent, uint64_t last_usable,
		  uint32_t ecrc)
{
	memset(h, 0, SEC);
	memcpy(h, "EFI PART", 8);
	put32(h + 8, 0x10000);
	put32(h + 12, 92);
	put64(h + 24, my);
	put64(h + 32, alt);
	put64(h + 40, 34);
	put64(h + 48, last_usable);
	memset(h + 56, 0xab, 16);
	put64(h + 72, ent);
	put32(h + 80, ENTRIES);
	put32(h + 84, ESIZE);
	put32(h + 88, ecrc);
	put32(h + 16, grow_crc32(h, 92));
}

/* A disk of `sectors` sectors (file of file_sectors) with partitions 1
 * (1..2 MiB) and 2 (2 MiB .. the last usable sector), tables at both ends. */
static int mkdisk(uint64_t sectors, uint64_t file_sectors)
{
	char path[] = "/tmp/test_grow.XXXXXX";
	int fd = mkstemp(path);
	unsigned char ent[ENTRIES * ESIZE] = {0}, h[SEC];
	uint64_t alt = sectors - 1, last = alt - ESECT - 1;

	CHECK(fd >= 0);
	unlink(path);
	CHECK(ftruncate(fd, (off_t)(file_sectors * SEC)) == 0);
	for (int i = 0; i < 2; i++) {
		memset(ent + i * ESIZE, 0x11 * (i + 1), 32);
		put64(ent + i * ESIZE + 32, i ? 2 * MIB : MIB);
		put64(ent + i * ESIZE + 40, i ? last : 2 * MIB - 1);
	}
	mkhdr(h, 1, alt, 2, last, grow_crc32(ent, sizeof ent));
	CHECK(pwrite(fd, ent, sizeof ent, 2 * SEC) == (ssize_t)sizeof ent);
	CHECK(pwrite(fd, h, SEC, SEC) == SEC);
	mkhdr(h, alt, 1, alt - ESECT, last, grow_crc32(ent, sizeof ent));
	CHECK(pwrite(fd, ent, sizeof ent, (alt - ESECT) * SEC) == (ssize_t)sizeof ent);
	CHECK(pwrite(fd, h, SEC, alt * SEC) == SEC);
	return fd;
}

/* Is the header at lba valid, with its entries matching its CRC? */
static void check_hdr(int fd, uint64_t lba, uint64_t alt, uint64_t ent_lba, uint64_t last_usable)
{
	unsigned char h[SEC], ent[ENTRIES * ESIZE];
	uint32_t crc;

	CHECK(pread(fd, h, SEC, (off_t)(lba * SEC)) == SEC);
	CHECK(memcmp(h, "EFI PART", 8) == 0);
	crc = get32(h + 16);
	put32(h + 16, 0);
	CHECK_INT(grow_crc32(h, 92), crc);
	CHECK_INT(get64(h + 24), lba);
	CHECK_INT(get64(h + 32), alt);
	CHECK_INT(get64(h + 72), ent_lba);
	CHECK_INT(get64(h + 48), last_usable);
	CHECK(pread(fd, ent, sizeof ent, (off_t)(ent_lba * SEC)) == (ssize_t)sizeof ent);
	CHECK_INT(grow_crc32(ent, sizeof ent), get32(h + 88));
	CHECK_INT(get64(ent + ESIZE + 40), last_usable);
	CHECK_INT(get64(ent + 40), 2 * MIB - 1);
}

static void test_crc32(void)
{
	CHECK_INT(grow_crc32("123456789", 9), 0xcbf43926u);
}

static void test_grow_to_end(void)
{
	uint64_t small = 64 * MIB, big = 4096 * MIB, last = big - 1 - ESECT - 1;
	int fd = mkdisk(small, big);
	struct grow_result r;
	struct berr e;
	unsigned char h[SEC], zero[SEC] = {0};

	CHECK_INT(grow_gpt(fd, big * SEC, SEC, 2, &r, &e), 1);
	CHECK_INT(r.first_lba, 2 * MIB);
	CHECK_INT(r.old_last_lba, small - 1 - ESECT - 1);
	CHECK_INT(r.new_last_lba, last);
	check_hdr(fd, 1, big - 1, 2, last);
	check_hdr(fd, big - 1, 1, big - 1 - ESECT, last);
	CHECK(pread(fd, h, SEC, (off_t)((small - 1) * SEC)) == SEC);
	CHECK(memcmp(h, zero, SEC) == 0); /* the old backup header is gone */
	/* Done once: the second boot finds nothing to do. */
	CHECK_INT(grow_gpt(fd, big * SEC, SEC, 2, &r, &e), 0);
	CHECK_INT(r.new_last_lba, last);
	close(fd);
}

static void test_not_last(void)
{
	int fd = mkdisk(64 * MIB, 128 * MIB);
	struct grow_result r;
	struct berr e;

	CHECK_INT(grow_gpt(fd, 128ull * MIB * SEC, SEC, 1, &r, &e), -1);
	CHECK(strstr(e.msg, "not the last") != NULL);
	CHECK_INT(grow_gpt(fd, 128ull * MIB * SEC, SEC, 3, &r, &e), -1);
	close(fd);
}

static void test_refuses_bad_tables(void)
{
	int fd = mkdisk(64 * MIB, 128 * MIB);
	struct grow_result r;
	struct berr e;
	unsigned char b = 0x5a;

	/* a disk smaller than the table says */
	CHECK_INT(grow_gpt(fd, 32ull * MIB * SEC, SEC, 2, &r, &e), -1);
	/* an entry changed: its CRC no longer matches; nothing is written */
	CHECK(pwrite(fd, &b, 1, 2 * SEC + 200) == 1);
	CHECK_INT(grow_gpt(fd, 128ull * MIB * SEC, SEC, 2, &r, &e), -1);
	CHECK(strstr(e.msg, "CRC32") != NULL);
	check_hdr(fd, 64 * MIB - 1, 1, 64 * MIB - 1 - ESECT, 64 * MIB - 1 - ESECT - 1);
	/* no signature */
	CHECK(pwrite(fd, "XFI PART", 8, SEC) == 8);
	CHECK_INT(grow_gpt(fd, 128ull * MIB * SEC, SEC, 2, &r, &e), -1);
	CHECK(strstr(e.msg, "no GPT") != NULL);
	CHECK_INT(grow_gpt(fd, 128ull * MIB * SEC, 1000, 2, &r, &e), -1);
	close(fd);
}

UNIT_MAIN(UNIT(test_crc32), UNIT(test_grow_to_end), UNIT(test_not_last), UNIT(test_refuses_bad_tables))

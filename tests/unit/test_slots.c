/* test_slots.c — slot file names, systemd-boot's order, marking and
 * installing on a directory standing in for the ESP, UKI versions. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/slots.h"
#include "tests/unit/unit.h"

static void test_names(void)
{
	struct slot s;
	int slot;

	CHECK_INT(slots_parse_name("berth-1-a.efi", &slot, &s), 0);
	CHECK_INT(slot, 0);
	CHECK_INT(s.state, SLOT_GOOD);
	CHECK_INT(s.gen, 1);
	CHECK_INT(slots_parse_name("berth-12-b+3.efi", &slot, &s), 0);
	CHECK_INT(slot, 1);
	CHECK_INT(s.state, SLOT_TRYING);
	CHECK_INT(s.left, 3);
	CHECK_INT(slots_parse_name("berth-12-b+2-1.efi", &slot, &s), 0);
	CHECK_INT(s.left, 2);
	CHECK_INT(s.done, 1);
	CHECK_INT(slots_parse_name("berth-12-b+0-3.efi", &slot, &s), 0);
	CHECK_INT(s.state, SLOT_BAD);
	CHECK_INT(slots_parse_name("berth-1-c.efi", &slot, &s), -1);
	CHECK_INT(slots_parse_name("berth--a.efi", &slot, &s), -1);
	CHECK_INT(slots_parse_name("berth-1-a.efi.tmp", &slot, &s), -1);
	CHECK_INT(slots_parse_name("berth-1-a+.efi", &slot, &s), -1);
	CHECK_INT(slots_parse_name("berth-1234567890-a.efi", &slot, &s), -1);
	CHECK_INT(slots_parse_name("systemd-bootx64.efi", &slot, &s), -1);
}

static void test_next(void)
{
	struct slots sl = { .running = 0 };
	int slot;

	slots_parse_name("berth-1-a.efi", &slot, &sl.s[0]);
	slots_parse_name("berth-0-b.efi", &slot, &sl.s[1]);
	CHECK_INT(slots_next(&sl), 0);
	slots_parse_name("berth-2-b+3.efi", &slot, &sl.s[1]);
	CHECK_INT(slots_next(&sl), 1);
	slots_parse_name("berth-2-b+0-3.efi", &slot, &sl.s[1]);
	CHECK_INT(slots_next(&sl), 0); /* rolled back */
	sl.s[0].state = SLOT_EMPTY;
	CHECK_INT(slots_next(&sl), 1); /* a bad slot is still booted when it is all there is */
}

static int mkesp(char *dir)
{
	char path[256];
	int fd;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof path, "%s/EFI", dir);
	CHECK(mkdir(path, 0755) == 0);
	snprintf(path, sizeof path, "%s/EFI/Linux", dir);
	CHECK(mkdir(path, 0755) == 0);
	fd = open(dir, O_RDONLY | O_DIRECTORY);
	CHECK(fd >= 0);
	return fd;
}

static void touch(int espfd, const char *name, const char *text)
{
	char path[128];
	int fd;

	snprintf(path, sizeof path, "EFI/Linux/%s", name);
	fd = openat(espfd, path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	CHECK(fd >= 0);
	CHECK(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
	close(fd);
}

static int exists(int espfd, const char *name)
{
	char path[128];

	snprintf(path, sizeof path, "EFI/Linux/%s", name);
	return faccessat(espfd, path, F_OK, 0) == 0;
}

/* LoaderEntrySelected as systemd-boot writes it: attributes, UTF-16LE, NUL. */
static void selected(const char *dir, const char *id)
{
	char path[256], buf[256] = { 7, 0, 0, 0 };
	size_t n = 4;
	int fd;

	for (const char *p = id; *p; p++, n += 2)
		buf[n] = *p;
	n += 2;
	snprintf(path, sizeof path, "%s/LoaderEntrySelected-4a67b082-0a4c-41cf-b6c7-440b29bb8c4f", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	CHECK(fd >= 0);
	CHECK(write(fd, buf, n) == (ssize_t)n);
	close(fd);
}

static void test_mark_and_install(void)
{
	char dir[] = "/tmp/test_slots.XXXXXX";
	int esp = mkesp(dir), slot;
	struct slots sl;
	struct berr e;

	touch(esp, "berth-1-a.efi", "old");
	touch(esp, "berth-2-b+2-1.efi", "new");
	touch(esp, "berth-0-b.efi", "older b");
	/* running unknown: nothing is marked, nothing installed */
	CHECK_INT(slots_read(esp, NULL, &sl, &e), 0);
	CHECK_INT(sl.running, -1);
	CHECK_INT(sl.s[1].gen, 2);
	CHECK_INT(slots_mark_good(esp, &sl, &e), -1);
	touch(esp, "update.tmp", "newer");
	CHECK_INT(slots_install(esp, &sl, "update.tmp", &slot, &e), -1);
	/* b runs (its id as systemd-boot 252 gives it, counter and all) */
	selected(dir, "berth-2-b+2-1.efi");
	CHECK_INT(slots_read(esp, dir, &sl, &e), 0);
	CHECK_INT(sl.running, 1);
	CHECK_INT(slots_mark_good(esp, &sl, &e), 1);
	CHECK(exists(esp, "berth-2-b.efi"));
	CHECK(!exists(esp, "berth-2-b+2-1.efi"));
	CHECK_INT(slots_mark_good(esp, &sl, &e), 0);
	/* an update goes to a, generation 3, three tries; a's old file goes */
	CHECK_INT(slots_install(esp, &sl, "update.tmp", &slot, &e), 0);
	CHECK_INT(slot, 0);
	CHECK(exists(esp, "berth-3-a+3.efi"));
	CHECK(!exists(esp, "berth-1-a.efi"));
	CHECK(exists(esp, "berth-2-b.efi"));
	CHECK_INT(slots_read(esp, dir, &sl, &e), 0);
	CHECK_INT(slots_next(&sl), 0);
	CHECK_STR(slots_state_name(sl.s[0].state), "trying");
	close(esp);
}

/* A PE image: DOS header, PE header (no optional header), sections. */
static size_t mkpe(unsigned char *b, int with_linux, const char *osrel)
{
	size_t pe = 64, sec = pe + 24, data = 512;
	int n = 1 + with_linux;

	memset(b, 0, 1024);
	b[0] = 'M', b[1] = 'Z', b[0x3c] = (unsigned char)pe;
	memcpy(b + pe, "PE\0\0", 4);
	b[pe + 6] = (unsigned char)n;
	memcpy(b + sec, ".osrel", 6);
	b[sec + 8] = b[sec + 16] = (unsigned char)strlen(osrel);
	b[sec + 20] = data & 0xff, b[sec + 21] = data >> 8;
	memcpy(b + data, osrel, strlen(osrel));
	if (with_linux)
		memcpy(b + sec + 40, ".linux", 6);
	return 1024;
}

static void test_uki_version(void)
{
	unsigned char b[1024];
	char path[] = "/tmp/test_slots_pe.XXXXXX", ver[64];
	int fd = mkstemp(path);
	struct berr e;

	CHECK(fd >= 0);
	unlink(path);
	CHECK(pwrite(fd, b, mkpe(b, 1, "NAME=berth\nPRETTY_NAME=\"berth v1\"\nVERSION=\"v1.2-3\"\n"), 0) == 1024);
	CHECK_INT(slots_uki_version(fd, ver, sizeof ver, &e), 0);
	CHECK_STR(ver, "v1.2-3");
	CHECK(pwrite(fd, b, mkpe(b, 0, "VERSION=1\n"), 0) == 1024);
	CHECK_INT(slots_uki_version(fd, ver, sizeof ver, &e), -1);
	CHECK(strstr(e.msg, "unified kernel image") != NULL);
	CHECK(pwrite(fd, "not a PE", 8, 0) == 8);
	b[0] = 0;
	CHECK(pwrite(fd, b, 64, 64) == 64);
	CHECK_INT(slots_uki_version(fd, ver, sizeof ver, &e), -1);
	close(fd);
}

UNIT_MAIN(UNIT(test_names), UNIT(test_next), UNIT(test_mark_and_install), UNIT(test_uki_version))

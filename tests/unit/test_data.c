/* test_data.c — the berth-data partition is found by its ext4 superblock. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "init/data.h"
#include "tests/unit/unit.h"

static void label_from_superblock(void)
{
	unsigned char sb[DATA_SB_SIZE] = { 0 };
	char label[17];

	CHECK_INT(data_sb_label(sb, sizeof sb, label), -1);      /* no magic */
	sb[0x38] = 0x53;
	sb[0x39] = 0xef;
	memcpy(sb + 0x78, "berth-data", 10);
	CHECK_INT(data_sb_label(sb, sizeof sb, label), 0);
	CHECK_STR(label, "berth-data");
	memcpy(sb + 0x78, "0123456789abcdef", 16);                /* 16 bytes, no NUL */
	CHECK_INT(data_sb_label(sb, sizeof sb, label), 0);
	CHECK_STR(label, "0123456789abcdef");
	CHECK_INT(data_sb_label(sb, 0x80, label), -1);             /* too short */
}

static void writefile(const char *path, const char *s)
{
	FILE *f = fopen(path, "w");
	CHECK(f && fputs(s, f) >= 0 && fclose(f) == 0);
}

/* A fake /sys/class/block and /dev: "a" is zeros, "b" is ext4 labelled
 * something else, "c" is the berth-data one (made by mkfs.ext4). */
static void finds_the_labelled_device(void)
{
	char dir[] = "/tmp/berth-data-XXXXXX", path[256], cmd[512], dev[256];
	struct berr e;

	if (system("command -v mkfs.ext4 >/dev/null 2>&1") != 0)
		UNIT_SKIP("mkfs.ext4 is not installed (e2fsprogs)");
	CHECK(mkdtemp(dir));
	snprintf(cmd, sizeof cmd,
		 "cd %s && mkdir -p sys/a sys/b sys/c sys/loop0 dev && truncate -s 4M dev/a && "
		 "(mkfs.ext4 -q -F -L other dev/b 4M && mkfs.ext4 -q -F -L berth-data dev/c 4M) > /dev/null 2>&1 && "
		 "cp dev/c dev/loop0", dir);
	CHECK(system(cmd) == 0);
	const char *names[] = { "a", "b", "c", "loop0" };
	for (int i = 0; i < 4; i++) {
		snprintf(path, sizeof path, "%s/sys/%s/size", dir, names[i]);
		writefile(path, "8192\n");
	}
	char sys[128], devdir[128];
	snprintf(sys, sizeof sys, "%s/sys", dir);
	snprintf(devdir, sizeof devdir, "%s/dev", dir);
	CHECK_INT(data_find(sys, devdir, dev, sizeof dev, &e), 0);
	snprintf(path, sizeof path, "%s/dev/c", dir);
	CHECK_STR(dev, path);
	/* without c: none (loop devices are never the data partition) */
	snprintf(cmd, sizeof cmd, "rm -rf %s/sys/c", dir);
	CHECK(system(cmd) == 0);
	CHECK_INT(data_find(sys, devdir, dev, sizeof dev, &e), -1);
	CHECK(strstr(e.msg, "no ext4 filesystem labelled berth-data"));
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	CHECK(system(cmd) == 0);
}

static void seed_save_replaces_whole_file(void)
{
	char dir[] = "/tmp/berth-seed-XXXXXX", path[256], a[DATA_SEED_BYTES], b[DATA_SEED_BYTES];
	struct stat st;
	struct berr e;
	FILE *f;

	CHECK(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/random-seed", dir);
	CHECK_INT(data_seed_save(dir, &e), 0);
	CHECK_INT(stat(path, &st), 0);
	CHECK_INT(st.st_size, DATA_SEED_BYTES);
	CHECK_INT(st.st_mode & 07777, 0600);
	CHECK((f = fopen(path, "r")) && fread(a, 1, sizeof a, f) == sizeof a && fclose(f) == 0);
	CHECK_INT(data_seed_save(dir, &e), 0);
	CHECK((f = fopen(path, "r")) && fread(b, 1, sizeof b, f) == sizeof b && fclose(f) == 0);
	CHECK(memcmp(a, b, sizeof a) != 0);
	snprintf(path, sizeof path, "rm -r %s", dir);
	CHECK(system(path) == 0);
}

/* A FIFO where the seed should be is refused, never waited on (PID 1
 * would hang at boot), and replaced by a real seed. */
static void seed_load_does_not_hang_on_a_fifo(void)
{
	char dir[] = "/tmp/berth-seed-XXXXXX", path[256];
	struct logger lg = { .prog = "test", .fd = -1, .level = LOG_ERROR };
	struct stat st;

	CHECK(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/random-seed", dir);
	CHECK_INT(mkfifo(path, 0600), 0);
	alarm(5);
	data_seed_load(dir, &lg);
	alarm(0);
	CHECK_INT(stat(path, &st), 0);
	CHECK(S_ISREG(st.st_mode));
	CHECK_INT(st.st_size, DATA_SEED_BYTES);
	snprintf(path, sizeof path, "rm -r %s", dir);
	CHECK(system(path) == 0);
}

UNIT_MAIN(UNIT(label_from_superblock), UNIT(finds_the_labelled_device), UNIT(seed_save_replaces_whole_file),
	  UNIT(seed_load_does_not_hang_on_a_fifo))

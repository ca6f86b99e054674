/* test_data.c — the berth-data partition is found by its ext4 superblock. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
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
	long backup = 0;
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
	CHECK_INT(data_find(sys, devdir, dev, sizeof dev, &backup, &e), 0);
	snprintf(path, sizeof path, "%s/dev/c", dir);
	CHECK_STR(dev, path);
	/* present (the boot set may wait) only when the kernel has ext4 too */
	char fs[128];
	snprintf(fs, sizeof fs, "%s/filesystems", dir);
	writefile(fs, "nodev\tsysfs\nnodev\ttmpfs\n\text3\n\text2\n\text4\n\tvfat\n");
	CHECK_INT(data_present(sys, devdir, fs), 1);
	writefile(fs, "nodev\tsysfs\nnodev\ttmpfs\n\text4dev\n\tvfat\n");
	CHECK_INT(data_present(sys, devdir, fs), 0);
	CHECK_INT(data_present(sys, devdir, "/nonexistent/filesystems"), 0);
	/* without c: none (loop devices are never the data partition) */
	snprintf(cmd, sizeof cmd, "rm -rf %s/sys/c", dir);
	CHECK(system(cmd) == 0);
	CHECK_INT(data_find(sys, devdir, dev, sizeof dev, &backup, &e), -1);
	CHECK(strstr(e.msg, "no ext4 filesystem labelled berth-data"));
	writefile(fs, "\text4\n");
	CHECK_INT(data_present(sys, devdir, fs), 0);
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

static int read_seed(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "r");
	int ok = f && fread(buf, 1, size, f) == size;

	if (f)
		fclose(f);
	return ok;
}

/* data_seed_load's writer, waited for. */
static void seed_load_and_wait(const char *dir, const struct logger *lg)
{
	pid_t pid = data_seed_load(dir, lg);
	int status;

	if (pid > 0) {
		CHECK_INT(waitpid(pid, &status, 0), pid);
		CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
}

/* data_seed_load through a logger writing to logf (emptied first), waited
 * for; what it logged into buf. */
static void load_logged(const char *dir, const struct logger *lg, FILE *logf, char *buf, size_t size)
{
	size_t n;

	CHECK(ftruncate(fileno(logf), 0) == 0);
	rewind(logf);
	seed_load_and_wait(dir, lg);
	rewind(logf);
	n = fread(buf, 1, size - 1, logf);
	buf[n] = '\0';
}

/* A seed of zeros was consumed by a boot that ended before it wrote the
 * next one: it is said, never credited, and replaced by a fresh seed; an
 * empty file is replaced too. */
static void a_consumed_seed_is_not_credited_again(void)
{
	char dir[] = "/tmp/berth-seed-XXXXXX", path[256], buf[4096], seed[DATA_SEED_BYTES];
	struct logger lg = { .prog = "test", .level = LOG_INFO };
	FILE *logf = tmpfile();
	size_t n;

	CHECK(logf);
	lg.fd = fileno(logf);
	CHECK(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/random-seed", dir);
	memset(seed, 0, sizeof seed);
	FILE *f = fopen(path, "w");
	CHECK(f && fwrite(seed, 1, sizeof seed, f) == sizeof seed && fclose(f) == 0);
	load_logged(dir, &lg, logf, buf, sizeof buf);
	CHECK(strstr(buf, "was used already (the last boot ended before it wrote the next one): not credited again"));
	CHECK(!strstr(buf, "bytes from"));
	CHECK(read_seed(path, seed, sizeof seed));
	for (n = 0; n < sizeof seed && !seed[n]; n++)
		;
	CHECK(n < sizeof seed); /* a fresh one, not zeros */
	/* empty: replaced, not credited */
	f = fopen(path, "w");
	CHECK(f && fclose(f) == 0);
	load_logged(dir, &lg, logf, buf, sizeof buf);
	CHECK(strstr(buf, "is empty: replaced"));
	CHECK(!strstr(buf, "bytes from"));
	CHECK(read_seed(path, seed, sizeof seed));
	fclose(logf);
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
	seed_load_and_wait(dir, &lg);
	alarm(0);
	CHECK_INT(stat(path, &st), 0);
	CHECK(S_ISREG(st.st_mode));
	CHECK_INT(st.st_size, DATA_SEED_BYTES);
	snprintf(path, sizeof path, "rm -r %s", dir);
	CHECK(system(path) == 0);
}

/* A berth-data ext4 whose primary superblock is zeroed is still known by
 * its backup (block 8193 with 1 KiB blocks): found, flagged damaged. */
static void finds_a_damaged_one_by_its_backup_superblock(void)
{
	char dir[] = "/tmp/berth-data-XXXXXX", path[256], cmd[512], dev[256], sys[128], devdir[128];
	long backup = 0;
	struct berr e;

	if (system("command -v mkfs.ext4 >/dev/null 2>&1") != 0)
		UNIT_SKIP("mkfs.ext4 is not installed (e2fsprogs)");
	CHECK(mkdtemp(dir));
	snprintf(cmd, sizeof cmd,
		 "cd %s && mkdir -p sys/d dev && mkfs.ext4 -q -F -b 1024 -L berth-data dev/d 64M >/dev/null 2>&1 && "
		 "dd if=/dev/zero of=dev/d bs=1024 seek=1 count=1 conv=notrunc status=none", dir);
	CHECK(system(cmd) == 0);
	snprintf(path, sizeof path, "%s/sys/d/size", dir);
	writefile(path, "131072\n");
	snprintf(sys, sizeof sys, "%s/sys", dir);
	snprintf(devdir, sizeof devdir, "%s/dev", dir);
	CHECK_INT(data_find(sys, devdir, dev, sizeof dev, &backup, &e), 1);
	CHECK_INT(backup, 8193);
	snprintf(path, sizeof path, "%s/dev/d", dir);
	CHECK_STR(dev, path);
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	CHECK(system(cmd) == 0);
}

/* The seed that was credited is never on disk once data_seed_load
 * returns (the fresh one comes from a child, later): a power cut then
 * leaves no seed, never the same one for the next boot. The child then
 * writes a new one. */
static void seed_is_used_once(void)
{
	char dir[] = "/tmp/berth-seed-XXXXXX", path[256], a[DATA_SEED_BYTES], b[DATA_SEED_BYTES];
	struct logger lg = { .prog = "test", .fd = -1, .level = LOG_ERROR };
	struct berr e;
	struct stat st;
	int status;
	pid_t pid;

	CHECK(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/random-seed", dir);
	CHECK_INT(data_seed_save(dir, &e), 0);
	CHECK(read_seed(path, a, sizeof a));
	pid = data_seed_load(dir, &lg);
	/* consumed in place (zeros), or already replaced by the child */
	CHECK(stat(path, &st) < 0 || (read_seed(path, b, sizeof b) && memcmp(a, b, sizeof a) != 0));
	CHECK(pid > 0);
	CHECK_INT(waitpid(pid, &status, 0), pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	/* the fresh one is a new seed */
	CHECK(read_seed(path, b, sizeof b));
	CHECK(memcmp(a, b, sizeof a) != 0);
	seed_load_and_wait(dir, &lg);
	CHECK(read_seed(path, a, sizeof a));
	CHECK(memcmp(a, b, sizeof a) != 0);
	snprintf(path, sizeof path, "rm -r %s", dir);
	CHECK(system(path) == 0);
}

UNIT_MAIN(UNIT(seed_is_used_once), UNIT(a_consumed_seed_is_not_credited_again), UNIT(finds_a_damaged_one_by_its_backup_superblock), UNIT(label_from_superblock), UNIT(finds_the_labelled_device), UNIT(seed_save_replaces_whole_file),
	  UNIT(seed_load_does_not_hang_on_a_fifo))

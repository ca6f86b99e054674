/* test_fs.c — bounded reads refuse truncation and non-regular files;
 * atomic writes replace whole files; tree removal stays in the tree. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "lib/fs.h"
#include "tests/unit/unit.h"

static void write_tmp(char *path, const char *content)
{
	int fd = mkstemp(path);
	CHECK(fd >= 0);
	CHECK(write(fd, content, strlen(content)) == (ssize_t)strlen(content));
	close(fd);
}

static void reads_a_file_that_fits(void)
{
	char path[] = "/tmp/berth-unit-XXXXXX", buf[16];
	struct berr e;

	write_tmp(path, "hello\n");
	CHECK_INT(fs_read(path, buf, sizeof buf, &e), 6);
	CHECK_STR(buf, "hello\n");
	unlink(path);
}

static void exact_fit_is_not_truncation(void)
{
	char path[] = "/tmp/berth-unit-XXXXXX", buf[6];
	struct berr e;

	write_tmp(path, "12345");
	CHECK_INT(fs_read(path, buf, sizeof buf, &e), 5);
	CHECK_STR(buf, "12345");
	unlink(path);
}

static void too_big_is_an_error_not_a_cut(void)
{
	char path[] = "/tmp/berth-unit-XXXXXX", buf[6];
	struct berr e;

	write_tmp(path, "123456");
	CHECK_INT(fs_read(path, buf, sizeof buf, &e), -1);
	CHECK_INT(e.errnum, EFBIG);
	CHECK(strstr(e.msg, "larger than 5 bytes") != NULL);
	unlink(path);
}

static void missing_file_names_the_path(void)
{
	char buf[8];
	struct berr e;

	CHECK_INT(fs_read("/nonexistent/berth", buf, sizeof buf, &e), -1);
	CHECK_INT(e.errnum, ENOENT);
	CHECK_STR(e.msg, "open /nonexistent/berth: No such file or directory");
}

static char *tmpdir(void)
{
	static char d[] = "/tmp/berth-unit-fs-XXXXXX";
	CHECK(mkdtemp(d) != NULL);
	return d;
}

static void a_fifo_is_refused_without_waiting(void)
{
	char path[256], buf[8];
	struct berr e;

	snprintf(path, sizeof path, "%s/fifo", tmpdir());
	CHECK(mkfifo(path, 0600) == 0);
	alarm(5); /* a hang fails the test instead of the run */
	CHECK_INT(fs_read(path, buf, sizeof buf, &e), -1);
	CHECK_INT(e.errnum, EINVAL);
	CHECK(strstr(e.msg, "a FIFO") != NULL);
}

static void a_device_and_a_directory_are_refused(void)
{
	char buf[8];
	struct berr e;

	CHECK_INT(fs_read("/dev/null", buf, sizeof buf, &e), -1);
	CHECK(strstr(e.msg, "/dev/null: a character device") != NULL);
	CHECK_INT(fs_read("/tmp", buf, sizeof buf, &e), -1);
	CHECK(strstr(e.msg, "a directory") != NULL);
}

static void a_symlink_is_not_followed(void)
{
	char dir[64], path[256], buf[8];
	struct berr e;

	snprintf(dir, sizeof dir, "%s", tmpdir());
	snprintf(path, sizeof path, "%s/link", dir);
	CHECK(symlink("/etc/hostname", path) == 0);
	CHECK_INT(fs_read(path, buf, sizeof buf, &e), -1);
	CHECK_INT(e.errnum, ELOOP);
}

/* fs_read_follow: the appliance's /etc/resolv.conf is a symlink into /run */
static void read_follow_takes_a_symlink_but_not_a_fifo(void)
{
	char dir[64], file[256], link[256], fifo[256], flink[256], buf[32];
	struct berr e;

	snprintf(dir, sizeof dir, "%s", tmpdir());
	snprintf(file, sizeof file, "%s/resolv.XXXXXX", dir);
	snprintf(link, sizeof link, "%s/link", dir);
	write_tmp(file, "nameserver 10.0.2.3\n");
	CHECK(symlink(file, link) == 0);
	CHECK_INT(fs_read(link, buf, sizeof buf, &e), -1);
	CHECK_INT(fs_read_follow(link, buf, sizeof buf, &e), 20);
	CHECK_STR(buf, "nameserver 10.0.2.3\n");
	snprintf(fifo, sizeof fifo, "%s/fifo", dir);
	snprintf(flink, sizeof flink, "%s/flink", dir);
	CHECK(mkfifo(fifo, 0600) == 0);
	CHECK(symlink(fifo, flink) == 0);
	alarm(5); /* a hang fails the test instead of the run */
	CHECK_INT(fs_read_follow(flink, buf, sizeof buf, &e), -1);
	CHECK(strstr(e.msg, "a FIFO") != NULL);
	CHECK_INT(fs_read_follow("/nonexistent/berth", buf, sizeof buf, &e), -1);
	CHECK_INT(e.errnum, ENOENT);
}

static void read_at_is_relative_to_the_dir(void)
{
	char *d = tmpdir(), buf[16];
	struct berr e;
	int dfd = open(d, O_RDONLY | O_DIRECTORY);

	CHECK(dfd >= 0);
	CHECK_INT(fs_write_atomic_at(dfd, "f", "abc", 3, 0640, &e), 0);
	CHECK_INT(fs_read_at(dfd, "f", buf, sizeof buf, &e), 3);
	CHECK_STR(buf, "abc");
}

static void atomic_write_replaces_and_sets_mode(void)
{
	char path[256], buf[32];
	struct berr e;
	struct stat st;

	umask(077);
	snprintf(path, sizeof path, "%s/state", tmpdir());
	CHECK_INT(fs_write_atomic(path, "first", 5, 0644, &e), 0);
	CHECK_INT(fs_write_atomic(path, "second", 6, 0644, &e), 0);
	CHECK_INT(fs_read(path, buf, sizeof buf, &e), 6);
	CHECK_STR(buf, "second");
	CHECK(stat(path, &st) == 0);
	CHECK_INT(st.st_mode & 07777, 0644);
}

static void atomic_write_failure_keeps_the_old_file(void)
{
	char dir[64], path[256], buf[32];
	struct berr e;

	snprintf(dir, sizeof dir, "%s", tmpdir());
	snprintf(path, sizeof path, "%s/sub", dir);
	CHECK(mkdir(path, 0700) == 0);
	/* renaming a file over a directory fails: nothing may be left behind */
	CHECK_INT(fs_write_atomic(path, "x", 1, 0600, &e), -1);
	CHECK(strstr(e.msg, "rename") != NULL);
	snprintf(path, sizeof path, "%s/.sub.tmp.%ld", dir, (long)getpid());
	CHECK(access(path, F_OK) != 0);
	snprintf(path, sizeof path, "%s/keep", dir);
	CHECK_INT(fs_write_atomic(path, "old", 3, 0600, &e), 0);
	CHECK(chmod(dir, 0500) == 0);
	if (geteuid() != 0) { /* root ignores directory permissions */
		CHECK_INT(fs_write_atomic(path, "new", 3, 0600, &e), -1);
	}
	CHECK(chmod(dir, 0700) == 0);
	CHECK_INT(fs_read(path, buf, sizeof buf, &e), 3);
	CHECK_STR(buf, "old");
}

static void rm_tree_never_follows_symlinks(void)
{
	char dir[64], path[512], outside[512];
	struct berr e;
	int dfd;

	snprintf(dir, sizeof dir, "%s", tmpdir());
	snprintf(outside, sizeof outside, "%s/outside", dir);
	CHECK(mkdir(outside, 0700) == 0);
	snprintf(path, sizeof path, "%s/outside/precious", dir);
	CHECK(close(open(path, O_CREAT | O_WRONLY, 0600)) == 0);
	snprintf(path, sizeof path, "%s/tree", dir);
	CHECK(mkdir(path, 0700) == 0);
	snprintf(path, sizeof path, "%s/tree/a", dir);
	CHECK(mkdir(path, 0700) == 0);
	snprintf(path, sizeof path, "%s/tree/a/escape", dir);
	CHECK(symlink(outside, path) == 0);
	snprintf(path, sizeof path, "%s/tree/a/file", dir);
	CHECK(close(open(path, O_CREAT | O_WRONLY, 0600)) == 0);
	dfd = open(dir, O_RDONLY | O_DIRECTORY);
	CHECK_INT(fs_rm_tree_at(dfd, "tree", &e), 0);
	snprintf(path, sizeof path, "%s/tree", dir);
	CHECK(access(path, F_OK) != 0);
	snprintf(path, sizeof path, "%s/outside/precious", dir);
	CHECK(access(path, F_OK) == 0);
	CHECK_INT(fs_rm_tree_at(dfd, "tree", &e), 0); /* already gone: fine */
}

static void rm_tree_bounds_its_depth(void)
{
	char dir[64];
	struct berr e;
	int dfd, fd;

	snprintf(dir, sizeof dir, "%s", tmpdir());
	dfd = open(dir, O_RDONLY | O_DIRECTORY);
	fd = dup(dfd);
	for (int i = 0; i < FS_TREE_DEPTH_MAX + 2; i++) {
		int next;
		CHECK(mkdirat(fd, "d", 0700) == 0);
		next = openat(fd, "d", O_RDONLY | O_DIRECTORY);
		close(fd);
		fd = next;
	}
	close(fd);
	CHECK_INT(fs_rm_tree_at(dfd, "d", &e), -1);
	CHECK_INT(e.errnum, ELOOP); /* the message is all "d: " prefixes by now */
}

UNIT_MAIN(UNIT(reads_a_file_that_fits), UNIT(exact_fit_is_not_truncation),
	  UNIT(too_big_is_an_error_not_a_cut), UNIT(missing_file_names_the_path),
	  UNIT(a_fifo_is_refused_without_waiting), UNIT(a_device_and_a_directory_are_refused),
	  UNIT(a_symlink_is_not_followed), UNIT(read_follow_takes_a_symlink_but_not_a_fifo),
	  UNIT(read_at_is_relative_to_the_dir),
	  UNIT(atomic_write_replaces_and_sets_mode), UNIT(atomic_write_failure_keeps_the_old_file),
	  UNIT(rm_tree_never_follows_symlinks), UNIT(rm_tree_bounds_its_depth))

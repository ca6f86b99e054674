/* test_launch_user.c — exec user resolution against an image's passwd and
 * group files, and path resolution inside a root (openat2 RESOLVE_IN_ROOT). */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <pthread.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "runtime/launch/launch-internal.h"
#include "runtime/launch/mountfd.h"
#include "tests/unit/unit.h"

static char dir[64];

static int make_root(void)
{
	char p[128];
	FILE *f;

	strcpy(dir, "/tmp/berth-user.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(p, sizeof p, "%s/etc", dir);
	mkdir(p, 0755);
	snprintf(p, sizeof p, "%s/etc/passwd", dir);
	f = fopen(p, "w");
	fputs("root:x:0:0:root:/root:/bin/sh\n# comment\napp:x:1000:1001:App:/home/app:/bin/sh\n"
	      "short:x:5\nweird:x:77:abc:::\n", f);
	fclose(f);
	snprintf(p, sizeof p, "%s/etc/group", dir);
	f = fopen(p, "w");
	fputs("root:x:0:\napp:x:1001:\nwheel:x:10:root,app\naudio:x:29:app\nother:x:30:bob\n", f);
	fclose(f);
	/* an escape attempt: /escape → / on the host */
	snprintf(p, sizeof p, "%s/escape", dir);
	symlink("/", p);
	snprintf(p, sizeof p, "%s/etc/hostlink", dir);
	symlink("/etc/hostname-that-is-not-in-the-root", p);
	return open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
}

/* Remove the temporary root (each test runs in its own child). */
static void drop_root(void)
{
	char cmd[128];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "# could not remove %s\n", dir);
}

static void test_numeric(void)
{
	struct launch_user u;
	struct berr e = { 0, "" };
	int root = make_root();

	CHECK(root >= 0);
	CHECK_INT(launch_user_resolve(root, "1000:1000", NULL, 0, &u, &e), 0);
	CHECK_INT(u.uid, 1000);
	CHECK_INT(u.gid, 1000);
	CHECK_STR(u.home, "/home/app");
	CHECK_INT(u.n_groups, 2); /* wheel, audio */
	CHECK_INT(launch_user_resolve(root, "1000", NULL, 0, &u, &e), 0);
	CHECK_INT(u.gid, 1001); /* from passwd */
	CHECK_INT(launch_user_resolve(root, "4242", NULL, 0, &u, &e), 0);
	CHECK_INT(u.uid, 4242);
	CHECK_INT(u.gid, 0);
	CHECK_INT(u.n_groups, 0);
	CHECK_STR(u.home, "/");
	CHECK_INT(launch_user_resolve(root, NULL, NULL, 0, &u, &e), 0);
	CHECK_INT(u.uid, 0);
	CHECK_STR(u.home, "/root");
	drop_root();
}

static void test_names(void)
{
	struct launch_user u;
	struct berr e = { 0, "" };
	const char *add[] = { "audio", "4000" };
	int root = make_root();

	CHECK_INT(launch_user_resolve(root, "app", NULL, 0, &u, &e), 0);
	CHECK_INT(u.uid, 1000);
	CHECK_INT(u.gid, 1001);
	CHECK_INT(launch_user_resolve(root, "app:wheel", add, 2, &u, &e), 0);
	CHECK_INT(u.gid, 10);
	CHECK_INT(u.n_groups, 4);
	CHECK_INT(u.groups[3], 4000);
	CHECK_INT(launch_user_resolve(root, "root:1000", NULL, 0, &u, &e), 0);
	CHECK_INT(u.uid, 0);
	CHECK_INT(u.gid, 1000);
	drop_root();
}

static void test_malformed(void)
{
	static const char *const bad[] = {
		"1000:", ":1000", "1:2:3", "-1", "4294967295", "99999999999", "1000x", "app:nogroup",
		"nobody", "a b", "../x", "", "short", "weird",
	};
	struct launch_user u;
	int root = make_root();

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct berr e = { 0, "" };
		if (bad[i][0] == '\0')
			continue; /* empty means the default, root */
		if (launch_user_resolve(root, bad[i], NULL, 0, &u, &e) == 0)
			UNIT_FAIL_("user '%s' was accepted as %u:%u", bad[i], u.uid, u.gid);
		if (e.msg[0] == '\0')
			UNIT_FAIL_("user '%s': no message", bad[i]);
	}
	{
		struct berr e = { 0, "" };
		const char *add[] = { "nogroup" };
		CHECK(launch_user_resolve(root, "0", add, 1, &u, &e) < 0);
		CHECK(strstr(e.msg, "nogroup") != NULL);
	}
	drop_root();
}

static void test_resolution_stays_in_root(void)
{
	struct berr e = { 0, "" };
	struct stat a, b;
	char buf[64];
	int root = make_root(), fd;

	/* /escape/tmp resolves to the root's own /tmp (absent here), never the host's */
	fd = mfd_open(root, "/escape/etc/passwd", O_RDONLY, 0, &e);
	CHECK(fd >= 0);
	CHECK(fstat(fd, &a) == 0);
	{
		char p[128];
		snprintf(p, sizeof p, "%s/etc/passwd", dir);
		CHECK(stat(p, &b) == 0);
	}
	CHECK(a.st_ino == b.st_ino && a.st_dev == b.st_dev);
	close(fd);
	CHECK(mfd_open(root, "../../../../etc/os-release", O_RDONLY, 0, &e) < 0);
	CHECK(mfd_open(root, "/proc/self/root/etc/passwd", O_RDONLY, 0, &e) < 0);
	CHECK(mfd_open(root, "/escape", O_PATH, RESOLVE_NO_SYMLINKS, &e) < 0);
	CHECK_INT(e.errnum, ELOOP);
	/* bounded reads */
	CHECK(mfd_read(root, "/etc/passwd", buf, sizeof buf, &e) < 0);
	CHECK_INT(e.errnum, EFBIG);
	/* mkpath through the escaping symlink creates inside the root */
	fd = mfd_mkpath(root, "/escape/newdir/sub", 1, 0, &e);
	CHECK(fd >= 0);
	close(fd);
	{
		char p[128];
		snprintf(p, sizeof p, "%s/newdir/sub", dir);
		CHECK(stat(p, &a) == 0 && S_ISDIR(a.st_mode));
		CHECK(stat("/newdir", &a) < 0);
	}
	drop_root();
}

/* Untrusted image files and user strings: 2000 random passwd/group files
 * and specs (a fixed seed, so a failure repeats) never crash the parser
 * (ASan/UBSan watch), and whatever is accepted is a valid id set. */
static void test_random_inputs(void)
{
	static const char alphabet[] = "0123456789:::\n\n,abcxyz-_.#/ \t\xff";
	unsigned long long seed = 0x9e3779b97f4a7c15ULL;
	char p[128], buf[512], spec[24];
	int root = make_root();

	for (int round = 0; round < 2000; round++) {
		struct launch_user u;
		struct berr e = { 0, "" };
		const char *add[1];
		for (int f = 0; f < 2; f++) {
			size_t n;
			FILE *out;
			seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
			n = (size_t)(seed >> 33) % (sizeof buf - 1);
			for (size_t i = 0; i < n; i++) {
				seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
				buf[i] = alphabet[(seed >> 33) % (sizeof alphabet - 1)];
			}
			snprintf(p, sizeof p, "%s/etc/%s", dir, f ? "group" : "passwd");
			out = fopen(p, "w");
			CHECK(out != NULL);
			fwrite(buf, 1, n, out);
			fclose(out);
		}
		for (size_t i = 0; i < sizeof spec - 1; i++) {
			seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
			spec[i] = alphabet[(seed >> 33) % 16];
		}
		spec[(seed >> 40) % (sizeof spec)] = '\0';
		spec[sizeof spec - 1] = '\0';
		add[0] = spec + (strlen(spec) / 2);
		if (launch_user_resolve(root, spec, add, 1, &u, &e) == 0) {
			CHECK(u.uid != (uid_t)-1 && u.gid != (gid_t)-1);
			CHECK(u.n_groups >= 0 && u.n_groups <= LAUNCH_GROUPS_MAX);
			CHECK(u.home[0] == '/');
		} else {
			CHECK(e.msg[0] != '\0');
		}
	}
	drop_root();
}

/* /etc/passwd as a FIFO (an open for reading would wait for a writer)
 * or a device node (root would open the device): refused by type, found
 * through an O_PATH fd, never opened. */
static void test_passwd_not_regular(void)
{
	struct launch_user u;
	struct berr e = { 0, "" };
	char p[128];
	int root = make_root();

	snprintf(p, sizeof p, "%s/etc/passwd", dir);
	CHECK(unlink(p) == 0 && mkfifo(p, 0644) == 0);
	CHECK(launch_user_resolve(root, "app", NULL, 0, &u, &e) < 0);
	CHECK(strstr(e.msg, "a FIFO, not a regular file") != NULL);
	if (geteuid() == 0) {
		CHECK(unlink(p) == 0 && mknod(p, S_IFCHR | 0644, makedev(240, 77)) == 0);
		CHECK(launch_user_resolve(root, "app", NULL, 0, &u, &e) < 0);
		CHECK(strstr(e.msg, "a character device, not a regular file") != NULL);
	}
	/* a symlink to a regular file in the root is followed (in the root) */
	{
		char q[128];
		FILE *f;
		snprintf(q, sizeof q, "%s/etc/passwd.real", dir);
		f = fopen(q, "w");
		CHECK(f != NULL);
		fputs("app:x:1000:1001::/home/app:/bin/sh\n", f);
		fclose(f);
	}
	CHECK(unlink(p) == 0 && symlink("/etc/passwd.real", p) == 0);
	CHECK_INT(launch_user_resolve(root, "app", NULL, 0, &u, &e), 0);
	CHECK_INT(u.uid, 1000);
	drop_root();
}

/* The parser alone, fed buffers. */
static void test_parse_buffers(void)
{
	struct launch_user u;
	struct berr e = { 0, "" };

	CHECK_INT(launch_user_parse("a:x:5:6::/h:/bin/sh\n", "g:x:7:a\n", "a", NULL, 0, &u, &e), 0);
	CHECK_INT(u.uid, 5);
	CHECK_INT(u.gid, 6);
	CHECK_INT(u.n_groups, 1);
	CHECK_INT(u.groups[0], 7);
	CHECK_STR(u.home, "/h");
	CHECK(launch_user_parse("", "", "a", NULL, 0, &u, &e) < 0);
	CHECK_INT(launch_user_parse("", "", NULL, NULL, 0, &u, &e), 0);
	CHECK_INT(u.uid, 0);
}

/* Kconfig-sized buffers are not on the stack: the user lookup (two
 * CONFIG_LAUNCH_PASSWD_MAX buffers) and a 300-level mount point (one path
 * buffer per level when it recursed) both run on a 96 KiB thread stack. */
static int small_root;
static void *small_stack_work(void *arg)
{
	static struct launch_user u;
	struct berr e = { 0, "" };
	char deep[1300] = "";
	int fd;

	(void)arg;
	if (launch_user_resolve(small_root, "app", NULL, 0, &u, &e) < 0 || u.uid != 1000)
		return (void *)1;
	for (int i = 0; i < 300; i++)
		strcat(deep, "/d");
	fd = mfd_mkpath(small_root, deep, 1, 0, &e);
	if (fd < 0)
		return (void *)2;
	close(fd);
	return NULL;
}

static void test_small_stack(void)
{
	pthread_attr_t a;
	pthread_t t;
	void *rc = (void *)-1;

	small_root = make_root();
	CHECK(small_root >= 0);
	CHECK_INT(pthread_attr_init(&a), 0);
	CHECK_INT(pthread_attr_setstacksize(&a, 96 * 1024), 0);
	CHECK_INT(pthread_create(&t, &a, small_stack_work, NULL), 0);
	CHECK_INT(pthread_join(t, &rc), 0);
	CHECK(rc == NULL);
	drop_root();
}

UNIT_MAIN(UNIT(test_small_stack), UNIT(test_passwd_not_regular), UNIT(test_parse_buffers), UNIT(test_numeric), UNIT(test_names), UNIT(test_malformed),
	  UNIT(test_resolution_stays_in_root), UNIT(test_random_inputs))

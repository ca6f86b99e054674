/* dm_suspend.c — the few device-mapper ioctls tests/system/shutdown_hang.sh
 * needs, instead of dmsetup: built by the test (static, host gcc) and put
 * into the test's initramfs only.
 *   dm_suspend create NAME MAJ:MIN START LEN   a linear target over sectors
 *                                              START..START+LEN of MAJ:MIN,
 *                                              active; prints dm-MINOR
 *   dm_suspend suspend NAME                    suspend it without flushing or
 *                                              freezing the filesystem: I/O to
 *                                              it waits from now on
 * Exit codes: 0 ok, 1 an ioctl failed, 100 usage. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <linux/dm-ioctl.h>

#define BUF_SIZE 4096

struct dm_buf {
	struct dm_ioctl io;
	char data[BUF_SIZE];
};

static void dm_init(struct dm_buf *b, const char *name)
{
	memset(b, 0, sizeof *b);
	b->io.version[0] = DM_VERSION_MAJOR;
	b->io.version[1] = 0;
	b->io.version[2] = 0;
	b->io.data_size = sizeof *b;
	b->io.data_start = sizeof b->io;
	snprintf(b->io.name, sizeof b->io.name, "%s", name);
}

static int dm_call(int fd, unsigned long req, struct dm_buf *b, const char *what)
{
	if (ioctl(fd, req, b) < 0) {
		fprintf(stderr, "dm_suspend: %s %s: %s\n", what, b->io.name, strerror(errno));
		return -1;
	}
	return 0;
}

static int create(int fd, const char *name, const char *dev, const char *start, const char *len)
{
	struct dm_buf b;
	struct dm_target_spec *t = (struct dm_target_spec *)b.data;
	char *params = b.data + sizeof *t;

	dm_init(&b, name);
	if (dm_call(fd, DM_DEV_CREATE, &b, "create") < 0)
		return -1;
	dm_init(&b, name);
	b.io.target_count = 1;
	t->sector_start = 0;
	t->length = strtoull(len, NULL, 10);
	snprintf(t->target_type, sizeof t->target_type, "linear");
	snprintf(params, BUF_SIZE - sizeof *t, "%s %s", dev, start);
	t->next = 0;
	if (dm_call(fd, DM_TABLE_LOAD, &b, "load") < 0)
		return -1;
	dm_init(&b, name); /* no DM_SUSPEND_FLAG: resume, which activates the table */
	if (dm_call(fd, DM_DEV_SUSPEND, &b, "resume") < 0)
		return -1;
	printf("dm-%u\n", minor(b.io.dev));
	return 0;
}

int main(int argc, char **argv)
{
	struct dm_buf b;
	int fd, rc;

	if (!(argc == 6 && !strcmp(argv[1], "create")) && !(argc == 3 && !strcmp(argv[1], "suspend"))) {
		fprintf(stderr, "usage: dm_suspend create NAME MAJ:MIN START LEN | suspend NAME\n");
		return 100;
	}
	fd = open("/dev/mapper/control", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "dm_suspend: /dev/mapper/control: %s\n", strerror(errno));
		return 1;
	}
	if (argc == 6) {
		rc = create(fd, argv[2], argv[3], argv[4], argv[5]);
	} else {
		dm_init(&b, argv[2]);
		b.io.flags = DM_SUSPEND_FLAG | DM_SKIP_LOCKFS_FLAG | DM_NOFLUSH_FLAG;
		rc = dm_call(fd, DM_DEV_SUSPEND, &b, "suspend");
	}
	close(fd);
	return rc < 0 ? 1 : 0;
}

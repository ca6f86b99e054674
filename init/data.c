/* data.c — find the berth-data ext4 by its superblock, mount it; RNG seed. */
#include "init/data.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/fs.h"

#define EXT_MAGIC 0xEF53
#define SB_MAGIC_OFF 0x38
#define SB_LABEL_OFF 0x78
#define SB_LABEL_LEN 16

int data_sb_label(const unsigned char *sb, size_t len, char label[17])
{
	size_t n;

	if (len < SB_LABEL_OFF + SB_LABEL_LEN)
		return -1;
	if ((sb[SB_MAGIC_OFF] | sb[SB_MAGIC_OFF + 1] << 8) != EXT_MAGIC)
		return -1;
	for (n = 0; n < SB_LABEL_LEN && sb[SB_LABEL_OFF + n]; n++)
		label[n] = (char)sb[SB_LABEL_OFF + n];
	label[n] = '\0';
	return 0;
}

/* Is /dev/name an ext filesystem labelled berth-data? */
static int is_data(const char *sysfs, const char *devdir, const char *name, char *dev, size_t size)
{
	unsigned char sb[DATA_SB_SIZE];
	char path[320], num[32], label[17];
	struct berr e;
	int fd;
	ssize_t n;

	if (strncmp(name, "loop", 4) == 0 || strncmp(name, "ram", 3) == 0 ||
	    strncmp(name, "zram", 4) == 0 || strncmp(name, "nbd", 3) == 0)
		return 0;
	/* Empty drives (a cdrom without a disc) would only fail to read. */
	snprintf(path, sizeof path, "%s/%s/size", sysfs, name);
	if (fs_read(path, num, sizeof num, &e) < 0 || strtoll(num, NULL, 10) < 4)
		return 0;
	if ((size_t)snprintf(dev, size, "%s/%s", devdir, name) >= size)
		return 0;
	fd = open(dev, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return 0;
	n = pread(fd, sb, sizeof sb, DATA_SB_OFFSET);
	close(fd);
	return n == (ssize_t)sizeof sb && data_sb_label(sb, sizeof sb, label) == 0 &&
	       strcmp(label, DATA_LABEL) == 0;
}

int data_find(const char *sysfs, const char *devdir, char *dev, size_t size, struct berr *e)
{
	DIR *dp = opendir(sysfs);
	struct dirent *d;
	int found = 0;

	if (!dp)
		return berr_sys(e, "open %s", sysfs);
	while (!found && (d = readdir(dp)))
		if (d->d_name[0] != '.')
			found = is_data(sysfs, devdir, d->d_name, dev, size);
	closedir(dp);
	if (!found)
		return berr_set(e, ENOENT, "no ext4 filesystem labelled " DATA_LABEL);
	return 0;
}

int data_mount(const char *dir, const struct logger *lg)
{
	char dev[64];
	struct berr e;

	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		log_msg(lg, LOG_WARN, "mkdir %s: %s", dir, strerror(errno));
	if (data_find("/sys/class/block", "/dev", dev, sizeof dev, &e) == 0) {
		if (mount(dev, dir, "ext4", MS_NOSUID | MS_NODEV | MS_NOATIME, "errors=remount-ro") == 0) {
			log_msg(lg, LOG_INFO, "data partition %s (" DATA_LABEL ") mounted on %s", dev, dir);
			return 1;
		}
		log_msg(lg, LOG_ERROR, "mount %s on %s: %s", dev, dir, strerror(errno));
	} else {
		log_msg(lg, LOG_DEBUG, "data partition: %s", e.msg);
	}
	if (mount("berth-data", dir, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") < 0) {
		log_msg(lg, LOG_ERROR, "mount tmpfs on %s: %s", dir, strerror(errno));
		return -1;
	}
	log_msg(lg, LOG_WARN, "*** no data partition (ext4 labelled " DATA_LABEL "): %s is a tmpfs; "
		"state (containers, images, SSH host keys) will NOT survive a reboot ***", dir);
	return 0;
}

/* Mix the seed in, not credited: the kernel's own sources decide when the
 * pool is ready. */
static void seed_mix(const char *seed, size_t n, const char *path, const struct logger *lg)
{
	int fd = open("/dev/urandom", O_WRONLY | O_CLOEXEC);

	if (fd < 0 || write(fd, seed, n) != (ssize_t)n)
		log_msg(lg, LOG_WARN, "random seed: write /dev/urandom: %s", strerror(errno));
	if (fd >= 0)
		close(fd);
	log_msg(lg, LOG_INFO, "random seed: %zu bytes from %s mixed in", n, path);
}

void data_seed_load(const char *dir, const struct logger *lg)
{
	char seed[DATA_SEED_BYTES + 1]; /* fs_read's NUL */
	char path[256];
	struct berr e;
	ssize_t n;

	snprintf(path, sizeof path, "%s/random-seed", dir);
	n = fs_read(path, seed, sizeof seed, &e);
	if (n > 0)
		seed_mix(seed, (size_t)n, path, lg);
	else if (n == 0 || e.errnum == ENOENT)
		log_msg(lg, LOG_INFO, "random seed: none yet in %s", dir);
	else
		log_msg(lg, LOG_WARN, "random seed: %s: replaced", e.msg);
	explicit_bzero(seed, sizeof seed);
	if (data_seed_save(dir, &e) < 0)
		log_err(lg, &e);
}

int data_seed_save(const char *dir, struct berr *e)
{
	unsigned char seed[DATA_SEED_BYTES];
	char path[256];
	int rc;

	if (getrandom(seed, sizeof seed, GRND_NONBLOCK) != (ssize_t)sizeof seed)
		return berr_sys(e, "random seed: getrandom");
	snprintf(path, sizeof path, "%s/random-seed", dir);
	rc = fs_write_atomic(path, seed, sizeof seed, 0600, e);
	explicit_bzero(seed, sizeof seed);
	if (rc < 0)
		return berr_prefix(e, "random seed");
	return 0;
}

static long long boottime_ns(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_BOOTTIME, &ts) < 0)
		return 0;
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* mount(2)/umount2(2) again while EBUSY and before the deadline. */
static int retry_busy(int rc, long long deadline_ns, int *busy)
{
	if (rc == 0 || errno != EBUSY)
		return 0;
	(*busy)++;
	if (boottime_ns() >= deadline_ns)
		return 0;
	usleep(100000);
	return 1;
}

int data_unmount(const char *dir, long long deadline_ns, int *busy, struct berr *e)
{
	long long until;
	int rc;

	*busy = 0;
	while (retry_busy(rc = mount(NULL, dir, NULL, MS_REMOUNT | MS_RDONLY, NULL), deadline_ns, busy))
		;
	if (rc < 0)
		berr_sys(e, "remount %s read-only", dir); /* still try to unmount */
	/* Read-only already, the data is safe: a mount left below dir is
	 * given a second, not the whole deadline. */
	until = rc == 0 && boottime_ns() + 1000000000LL < deadline_ns ? boottime_ns() + 1000000000LL
								     : deadline_ns;
	while (retry_busy(rc = umount2(dir, 0), until, busy))
		;
	if (rc == 0)
		return 0;
	if (errno == EBUSY && umount2(dir, MNT_DETACH) == 0)
		return berr_set(e, EBUSY, "umount %s: still busy after %d tries; detached", dir, *busy);
	return berr_sys(e, "umount %s", dir);
}

/* data.c — find the berth-data ext4 by its superblock (or a backup's),
 * wait for it, mount it and say so; the RNG seed, used once. */
#include "init/data.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/random.h>
#include <signal.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/random.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "autoconf.h"
#include "init/console.h"
#include "init/grow.h"
#include "lib/evloop.h"
#include "lib/kconfig.h"
#include "lib/fs.h"
#include "lib/util.h"

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

/* Does the superblock at off of fd hold the berth-data label? */
static int labelled_at(int fd, off_t off)
{
	unsigned char sb[DATA_SB_SIZE];
	char label[17];

	return pread(fd, sb, sizeof sb, off) == (ssize_t)sizeof sb &&
	       data_sb_label(sb, sizeof sb, label) == 0 && strcmp(label, DATA_LABEL) == 0;
}

/* Where mke2fs puts the first backup superblock (group 1), for each block
 * size: 1 KiB blocks start at block 1, groups hold 8 × block size blocks. */
static const struct { long block; off_t off; } backups[] = {
	{ 8193, 8193L * 1024 },
	{ 16384, 16384L * 2048 },
	{ 32768, 32768L * 4096 },
	{ 65536, 65536L * 8192 },
};

/* Is devdir/name an ext filesystem labelled berth-data? 1 by its primary
 * superblock, 2 by a backup only (*backup_block set), 0 no. */
static int is_data(const char *sysfs, const char *devdir, const char *name, char *dev, size_t size,
		   long *backup_block)
{
	char path[320], num[32];
	struct berr e;
	int fd, found = 0;

	if (strncmp(name, "loop", 4) == 0 || strncmp(name, "ram", 3) == 0 ||
	    strncmp(name, "zram", 4) == 0 || strncmp(name, "nbd", 3) == 0)
		return 0;
	/* Empty drives (a cdrom without a disc) would only fail to read. */
	snprintf(path, sizeof path, "%s/%s/size", sysfs, name);
	if (fs_read(path, num, sizeof num, &e) < 0 || strtoll(num, NULL, 10) < 4)
		return 0;
	if ((size_t)snprintf(dev, size, "%s/%s", devdir, name) >= size)
		return 0;
	fd = open(dev, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return 0;
	if (labelled_at(fd, DATA_SB_OFFSET))
		found = 1;
	for (size_t i = 0; !found && i < ARRAY_SIZE(backups); i++)
		if (labelled_at(fd, backups[i].off)) {
			*backup_block = backups[i].block;
			found = 2;
		}
	close(fd);
	return found;
}

int data_find(const char *sysfs, const char *devdir, char *dev, size_t size, long *backup_block,
	      struct berr *e)
{
	DIR *dp = opendir(sysfs);
	struct dirent *d;
	int found = 0;

	if (!dp)
		return berr_sys(e, "open %s", sysfs);
	while (!found && (d = readdir(dp)))
		if (d->d_name[0] != '.')
			found = is_data(sysfs, devdir, d->d_name, dev, size, backup_block);
	closedir(dp);
	if (!found)
		return berr_set(e, ENOENT, "no ext4 filesystem labelled " DATA_LABEL);
	return found - 1;
}

int data_present(const char *sysfs, const char *devdir, const char *filesystems)
{
	char dev[256], fs[4096];
	long backup;
	struct berr e;

	if (data_find(sysfs, devdir, dev, sizeof dev, &backup, &e) < 0 ||
	    fs_read(filesystems, fs, sizeof fs, &e) < 0)
		return 0;
	return strstr(fs, "\text4\n") != NULL;
}

static const char *const state_names[] = {
	[DATA_MOUNTED] = "mounted",
	[DATA_EPHEMERAL] = "ephemeral",
	[DATA_NO_DISK] = "no-disk",
	[DATA_MOUNT_FAILED] = "mount-failed",
};

static void set_state(struct init *in, enum data_state st, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_state(struct init *in, enum data_state st, const char *fmt, ...)
{
	size_t n = sizeof in->data_status;
	int k = snprintf(in->data_status, n, "data %s: ", state_names[st]);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(in->data_status + k, n - (size_t)k, fmt, ap);
	va_end(ap);
	in->data = st == DATA_MOUNTED ? 1 : st == DATA_EPHEMERAL ? 0 : -1;
}

/* Look for the partition until data_wait has passed, stepping the loop
 * (signals, reaping) between looks. Returns data_find's answer. */
static int wait_for_disk(struct init *in, char *dev, size_t size, long *backup, struct berr *e)
{
	long long t0 = log_boottime_ns(), deadline = t0 + in->conf.data_wait_ms * 1000000LL;
	int rc, said = 0;
	struct berr ignored;

	while ((rc = data_find("/sys/class/block", "/dev", dev, size, backup, e)) < 0 &&
	       log_boottime_ns() < deadline && in->stop == STOP_NONE) {
		if (!said++)
			log_msg(&in->log, LOG_INFO, "data partition: waiting up to %lld ms for an ext4 "
				"labelled " DATA_LABEL, in->conf.data_wait_ms);
		if (evloop_step(&in->loop, DATA_POLL_MS, &ignored) < 0)
			poll(NULL, 0, DATA_POLL_MS); /* no loop: still a bounded wait */
	}
	if (rc >= 0 && said)
		log_msg(&in->log, LOG_INFO, "data partition: %s appeared after %lld ms", dev,
			(log_boottime_ns() - t0) / 1000000LL);
	return rc;
}

/* Not persistent and not configured to be ephemeral: an empty read-only
 * tmpfs, so that nothing meant to be kept lands in memory unnoticed. */
static void mount_nothing(struct init *in, const char *dir)
{
	if (mount("berth-nodata", dir, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  "size=4k,mode=0755") < 0)
		log_msg(&in->log, LOG_ERROR, "mount an empty read-only tmpfs on %s: %s", dir, strerror(errno));
	log_msg(&in->log, LOG_ERROR, "*** %s; %s is empty and read-only: containers, images and "
		"SSH host keys cannot be kept ***", in->data_status, dir);
}

static void mount_ephemeral(struct init *in, const char *dir)
{
	char opts[64];

	snprintf(opts, sizeof opts, "size=%lld,mode=0755", in->conf.data_ephemeral);
	if (mount("berth-ephemeral", dir, "tmpfs", MS_NOSUID | MS_NODEV, opts) < 0) {
		set_state(in, DATA_MOUNT_FAILED, "tmpfs: %s", strerror(errno));
		mount_nothing(in, dir);
		return;
	}
	set_state(in, DATA_EPHEMERAL, "tmpfs of %lld MiB (data_ephemeral)",
		  in->conf.data_ephemeral >> 20);
	log_msg(&in->log, LOG_WARN, "*** %s on %s: state (containers, images, SSH host keys) will "
		"NOT survive a reboot ***", in->data_status, dir);
}

/* First boot on a disk larger than the image: the partition before the
 * mount, the filesystem after it. A failure is said and the data
 * partition used as it is. */
static void grow(struct init *in, const char *dev, const char *dir)
{
	char msg[160];
	struct berr e;
	int rc = dir ? grow_fs(dev, dir, msg, sizeof msg, &e) :
		 grow_partition("/sys/class/block", "/dev", dev, msg, sizeof msg, &e);

	if (rc < 0)
		log_msg(&in->log, LOG_WARN, "data partition: not grown: %s", e.msg);
	else if (rc > 0)
		log_msg(&in->log, LOG_INFO, "data partition: %s", msg);
}

static void seed_use(const char *dir, const struct logger *lg);
static pid_t seed_save_later(const char *dir, const struct logger *lg);

static int mount_ext4(const char *dev, const char *dir)
{
	return mount(dev, dir, "ext4", MS_NOSUID | MS_NODEV | MS_NOATIME, "errors=remount-ro");
}

static void make_dir(struct init *in, const char *dir)
{
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		log_msg(&in->log, LOG_WARN, "mkdir %s: %s", dir, strerror(errno));
}

/* The mount child: mount, then the seed (read, consumed durably,
 * credited: PID 1 waits for this child before any service starts). Exits
 * 0 when both are done, else the mount's errno. */
static void mount_child(const char *dev, const char *dir, const struct logger *lg)
{
	struct logger clg = *lg;
	struct log_drops drops;
	sigset_t all;

	sigfillset(&all);
	sigprocmask(SIG_UNBLOCK, &all, NULL);
	log_child(&clg, &drops, CONSOLE_CHILD_WAIT_MS);
	if (mount_ext4(dev, dir) < 0)
		_exit(errno);
	seed_use(dir, &clg);
	_exit(0);
}

void data_mount_start(struct init *in)
{
	const char *dir = in->conf.data_dir;
	long backup = 0;
	struct berr e;
	pid_t pid;

	in->data_mount_pid = 0;
	if (in->conf.data_ephemeral ||
	    data_find("/sys/class/block", "/dev", in->data_dev, sizeof in->data_dev, &backup, &e) != 0)
		return; /* none yet, or damaged: data_setup waits, or says so */
	if (IS_ENABLED(CONFIG_INIT_DATA_GROW))
		grow(in, in->data_dev, NULL);
	make_dir(in, dir);
	pid = fork();
	if (pid == 0)
		mount_child(in->data_dev, dir, &in->log);
	if (pid < 0) {
		log_msg(&in->log, LOG_WARN, "data partition: fork: %s (PID 1 mounts it later)", strerror(errno));
		return;
	}
	in->data_mount_pid = pid;
	log_msg(&in->log, LOG_INFO, "data partition: mounting %s in a child while boot goes on", in->data_dev);
}

/* The mount child's answer: 0 mounted, else the mount's errno; -1 when it
 * gave none (said here). */
static int mount_child_wait(struct init *in)
{
	int status = 0;
	pid_t pid = in->data_mount_pid;

	in->data_mount_pid = 0;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			log_msg(&in->log, LOG_WARN, "data partition: waiting for the mount's child: %s "
				"(mounting here)", strerror(errno));
			return -1;
		}
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	log_msg(&in->log, LOG_WARN, "data partition: the mount's child was killed by signal %d "
		"(mounting here)", WTERMSIG(status));
	return -1;
}

/* The kernel refused dev's mount with err (here or in the mount's child). */
static void mount_refused(struct init *in, const char *dev, const char *dir, int err)
{
	set_state(in, DATA_MOUNT_FAILED, "%s: mount: %s", dev, strerror(err));
	mount_nothing(in, dir);
}

/* dev is mounted on dir (here or by the mount's child). */
static void mounted(struct init *in, const char *dev, const char *dir)
{
	if (IS_ENABLED(CONFIG_INIT_DATA_GROW))
		grow(in, dev, dir);
	set_state(in, DATA_MOUNTED, "%s on %s", dev, dir);
	log_msg(&in->log, LOG_INFO, "data partition %s (" DATA_LABEL ") mounted on %s", dev, dir);
}

static void mount_found(struct init *in, const char *dev, const char *dir)
{
	if (IS_ENABLED(CONFIG_INIT_DATA_GROW))
		grow(in, dev, NULL);
	if (mount_ext4(dev, dir) < 0)
		mount_refused(in, dev, dir, errno);
	else
		mounted(in, dev, dir);
}

/* 1 when data_mount_start's child mounted it and used the seed, else 0. */
static int mount_disk(struct init *in, const char *dir)
{
	char dev[64];
	long backup = 0;
	struct berr e;
	int rc;

	if (in->data_mount_pid > 0) {
		rc = mount_child_wait(in);
		if (rc == 0) {
			mounted(in, in->data_dev, dir);
			return 1;
		}
		if (rc > 0) {
			mount_refused(in, in->data_dev, dir, rc);
			return 0;
		}
	}
	rc = wait_for_disk(in, dev, sizeof dev, &backup, &e);

	if (rc < 0) {
		set_state(in, DATA_NO_DISK, "no ext4 labelled " DATA_LABEL " after %lld ms",
			  in->conf.data_wait_ms);
		mount_nothing(in, dir);
	} else if (rc == 1) {
		/* Mounting it as it is would fail or worse; leave it for e2fsck. */
		set_state(in, DATA_MOUNT_FAILED, "%s: superblock damaged (e2fsck -b %ld %s)", dev,
			  backup, dev);
		mount_nothing(in, dir);
	} else {
		mount_found(in, dev, dir);
	}
	return 0;
}

void data_setup(struct init *in)
{
	const char *dir = in->conf.data_dir;
	int seeded = 0;

	make_dir(in, dir);
	if (in->conf.data_ephemeral)
		mount_ephemeral(in, dir);
	else
		seeded = mount_disk(in, dir);
	if (in->data >= 0 && seeded)
		seed_save_later(dir, &in->log);
	else if (in->data >= 0)
		data_seed_load(dir, &in->log);
}

/* Credit the seed to the pool (it is used once: data_seed_load removed
 * it first); without CAP_SYS_ADMIN mix it in uncredited. */
static void seed_credit(const unsigned char *seed, size_t n, const char *path, const struct logger *lg)
{
	struct {
		struct rand_pool_info info;
		unsigned char buf[DATA_SEED_BYTES];
	} p;
	int fd = open("/dev/urandom", O_RDWR | O_CLOEXEC);

	p.info.entropy_count = (int)(n * 8);
	p.info.buf_size = (int)n;
	memcpy(p.buf, seed, n);
	if (fd >= 0 && ioctl(fd, RNDADDENTROPY, &p) == 0) {
		log_msg(lg, LOG_INFO, "random seed: %zu bytes from %s credited", n, path);
	} else if (fd >= 0 && write(fd, seed, n) == (ssize_t)n) {
		log_msg(lg, LOG_INFO, "random seed: %zu bytes from %s mixed in (not credited: %s)", n,
			path, strerror(errno));
	} else {
		log_msg(lg, LOG_WARN, "random seed: /dev/urandom: %s", strerror(errno));
	}
	explicit_bzero(&p, sizeof p);
	if (fd >= 0)
		close(fd);
}

/* Is every one of n bytes zero (a seed consumed already)? */
static int all_zero(const unsigned char *b, size_t n)
{
	size_t i;

	for (i = 0; i < n && !b[i]; i++)
		;
	return i == n;
}

/* Read dir's seed into seed and consume it, durably, before it is used:
 * zeros are written over it in place and fdatasync'd (the data block
 * only: no journal commit, unlike a removal, which cost 20-35 ms right
 * after the mount under TCG), so that after a power cut the next boot
 * finds a consumed seed rather than the same one. Anything else than a
 * regular file of at most DATA_SEED_BYTES is removed and not used.
 * Returns its length, 0 when there was none, it was consumed already, or
 * it could not be consumed. */
static size_t seed_take(const char *dir, unsigned char *seed, size_t size, const struct logger *lg)
{
	static const unsigned char zeros[DATA_SEED_BYTES];
	char path[256];
	struct berr e;
	ssize_t n;
	int fd;

	snprintf(path, sizeof path, "%s/random-seed", dir);
	/* O_NONBLOCK: a FIFO's open returns at once and is refused by type */
	fd = open(path, O_RDWR | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT) {
		log_msg(lg, LOG_INFO, "random seed: none in %s", dir);
		return 0;
	}
	n = fd < 0 ? berr_sys(&e, "open %s", path) : fs_read_fd(fd, path, (char *)seed, size, &e);
	if (n < 0 || n == 0) {
		if (n == 0)
			berr_set(&e, EINVAL, "%s is empty", path);
		log_msg(lg, LOG_WARN, "random seed: %s: replaced", e.msg);
		if (fd >= 0)
			close(fd);
		if (unlink(path) < 0 && errno != ENOENT)
			log_msg(lg, LOG_ERROR, "random seed: remove %s: %s", path, strerror(errno));
		return 0;
	}
	if (all_zero(seed, (size_t)n)) {
		log_msg(lg, LOG_WARN, "random seed: %s was used already (the last boot ended before "
			"it wrote the next one): not credited again", path);
		close(fd);
		return 0;
	}
	errno = 0;
	if ((size_t)n > sizeof zeros || pwrite(fd, zeros, (size_t)n, 0) != n || fdatasync(fd) < 0) {
		log_msg(lg, LOG_ERROR, "random seed: consume %s: %s: not used", path,
			errno ? strerror(errno) : "short write");
		n = 0;
	}
	close(fd);
	return n > 0 ? (size_t)n : 0;
}

/* Write the next boot's seed now, in PID 1 (no child could be made). */
static void seed_save_here(const char *dir, const struct logger *lg)
{
	struct berr e;

	if (data_seed_save(dir, &e) == 0)
		log_msg(lg, LOG_INFO, "random seed: a fresh one written");
	else if (e.errnum == EAGAIN)
		log_msg(lg, LOG_WARN, "random seed: the RNG is not ready: written at shutdown");
	else
		log_err(lg, &e);
}

/* The next boot's seed, written by a child (its fsyncs are two journal
 * commits that boot need not wait for), once the RNG is ready: it says
 * so and exits; PID 1 reaps it like any orphan, and shutdown's kill(-1)
 * ends it (the seed is then written at shutdown). */
static pid_t seed_save_later(const char *dir, const struct logger *lg)
{
	pid_t pid = fork();
	struct logger clg;
	struct log_drops drops;
	sigset_t all;
	struct berr e;
	unsigned char b;

	if (pid < 0) {
		seed_save_here(dir, lg);
		return 0;
	}
	if (pid > 0) {
		if (getrandom(&b, 1, GRND_NONBLOCK) != 1)
			log_msg(lg, LOG_INFO, "random seed: written once the RNG is ready (pid %d)", (int)pid);
		return pid;
	}
	sigfillset(&all);
	sigprocmask(SIG_UNBLOCK, &all, NULL);
	clg = *lg;
	log_child(&clg, &drops, CONSOLE_CHILD_WAIT_MS);
	if (getrandom(&b, 1, 0) != 1)
		berr_sys(&e, "random seed: getrandom");
	else if (data_seed_save(dir, &e) == 0) {
		log_msg(&clg, LOG_INFO, "random seed: a fresh one written");
		_exit(0);
	}
	log_err(&clg, &e);
	_exit(1);
}

/* Read dir's seed, consume it durably and credit it. */
static void seed_use(const char *dir, const struct logger *lg)
{
	unsigned char seed[DATA_SEED_BYTES + 1]; /* fs_read's NUL */
	char path[256];
	size_t n;

	snprintf(path, sizeof path, "%s/random-seed", dir);
	n = seed_take(dir, seed, sizeof seed, lg);
	if (n > 0)
		seed_credit(seed, n, path, lg);
	explicit_bzero(seed, sizeof seed);
}

pid_t data_seed_load(const char *dir, const struct logger *lg)
{
	seed_use(dir, lg);
	return seed_save_later(dir, lg);
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

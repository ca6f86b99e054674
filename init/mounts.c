/* mounts.c — early mounts from one table. */
#include "init/mounts.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cgroup.h"
#include "lib/fs.h"
#include "lib/util.h"

struct early_mount {
	const char *source, *target, *fstype;
	unsigned long flags;
	const char *data;
	mode_t dir_mode;
};

static const struct early_mount early_mounts[] = {
	{ "proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, 0555 },
	{ "sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, 0555 },
	{ "devtmpfs", "/dev", "devtmpfs", MS_NOSUID | MS_NOEXEC, "mode=0755", 0755 },
	{ "devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC, "gid=5,mode=0620,ptmxmode=0666", 0755 },
	{ "shm", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777", 01777 },
	{ "run", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755", 0755 },
	{ "tmp", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777", 01777 },
	{ "cgroup2", "/sys/fs/cgroup", "cgroup2", MS_NOSUID | MS_NODEV | MS_NOEXEC, "nsdelegate", 0555 },
};

/* Controllers child groups get: every one the root offers, so that services
 * and containers can be limited (issue: supervision, launcher). */
static void enable_controllers(const struct logger *lg)
{
	char avail[256];
	struct berr e;

	if (fs_read("/sys/fs/cgroup/cgroup.controllers", avail, sizeof avail, &e) < 0) {
		log_err(lg, &e);
		return;
	}
	avail[strcspn(avail, "\n")] = '\0';
	if (!avail[strspn(avail, " ")]) {
		log_msg(lg, LOG_WARN, "cgroup2 offers no controllers: no limits for services or containers");
		return;
	}
	if (cgroup_enable("/sys/fs/cgroup", avail, &e) < 0) {
		log_err(lg, &e);
		return;
	}
	log_msg(lg, LOG_INFO, "cgroup2 controllers enabled: %s", avail);
}

int mounts_early(const struct logger *lg)
{
	int failed = 0;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(early_mounts); i++) {
		const struct early_mount *m = &early_mounts[i];

		if (mkdir(m->target, m->dir_mode) < 0 && errno != EEXIST)
			log_msg(lg, LOG_WARN, "mkdir %s: %s", m->target, strerror(errno));
		if (mount(m->source, m->target, m->fstype, m->flags, m->data) < 0) {
			log_msg(lg, LOG_ERROR, "mount %s on %s: %s", m->fstype, m->target, strerror(errno));
			failed++;
		}
	}
	if (symlink("pts/ptmx", "/dev/ptmx") < 0 && errno != EEXIST)
		log_msg(lg, LOG_WARN, "symlink /dev/ptmx: %s", strerror(errno));
	enable_controllers(lg);
	return failed;
}

int mounts_machine_pid1(void)
{
	char comm[32];
	struct berr e;

	return fs_read("/proc/2/comm", comm, sizeof comm, &e) > 0 && strcmp(comm, "kthreadd\n") == 0;
}

int mounts_root_readonly(struct berr *e)
{
	if (!mounts_machine_pid1())
		return 1;
	/* The superblock (the rootfs, bound over / by root_switch): only
	 * CAP_SYS_ADMIN can remount it writable again. */
	if (mount(NULL, "/", NULL, MS_REMOUNT | MS_RDONLY, NULL) < 0)
		return berr_sys(e, "remount / read-only");
	return 0;
}

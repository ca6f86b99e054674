/* root_switch.c — make / a mount that pivot_root can move, without copying. */
#include "init/root_switch.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/magic.h>
#include <linux/stat.h>

#include "lib/err.h"

#define NEWROOT "berth-root" /* made in / during the switch, removed after */

/* Does / need the switch: is it the kernel's rootfs (a ramfs or tmpfs
 * superblock: at boot, before any other mount, that is the rootfs), or no
 * mount root at all (a chroot into a directory)? No procfs is mounted for
 * the question: an unmount waits for an RCU grace period, tens of ms under
 * emulation. Returns 1 or 0, or -1 when it cannot tell. */
static int root_needs_switch(struct berr *e)
{
	struct statfs fs;
	struct statx stx;

	if (syscall(SYS_statx, AT_FDCWD, "/", AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &stx) < 0)
		return berr_sys(e, "statx /");
	if (!(stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT))
		return berr_set(e, ENOSYS, "statx: no STATX_ATTR_MOUNT_ROOT (a kernel before 5.8)");
	if (!(stx.stx_attributes & STATX_ATTR_MOUNT_ROOT))
		return 1;
	if (statfs("/", &fs) < 0)
		return berr_sys(e, "statfs /");
	return fs.f_type == RAMFS_MAGIC || fs.f_type == TMPFS_MAGIC;
}

/* Bind / (recursively) on /NEWROOT, move that over / and chroot into it.
 * Returns 0; -1 (logged) with / as it was and /NEWROOT gone; -2 (logged)
 * moved but not chrooted. */
static int bind_over(const struct logger *lg)
{
	if (mkdir("/" NEWROOT, 0700) < 0 && errno != EEXIST) {
		log_msg(lg, LOG_ERROR, "root switch: mkdir /%s: %s: booting from the initramfs as it is",
			NEWROOT, strerror(errno));
		return -1;
	}
	if (mount("/", "/" NEWROOT, NULL, MS_BIND | MS_REC, NULL) < 0) {
		log_msg(lg, LOG_ERROR, "root switch: bind / on /%s: %s: booting from the initramfs as it is",
			NEWROOT, strerror(errno));
		rmdir("/" NEWROOT);
		return -1;
	}
	if (chdir("/" NEWROOT) < 0 || mount(".", "/", NULL, MS_MOVE, NULL) < 0) {
		log_msg(lg, LOG_ERROR, "root switch: move over /: %s: booting from the initramfs as it is",
			strerror(errno));
		if (chdir("/") < 0) {
			/* / is where we started: nothing to fix */
		}
		umount2("/" NEWROOT, MNT_DETACH);
		rmdir("/" NEWROOT);
		return -1;
	}
	if (chroot(".") < 0 || chdir("/") < 0) {
		/* The bind is over / already, but this init's root is still
		 * beneath it: go on from here. */
		log_msg(lg, LOG_ERROR, "root switch: chroot: %s", strerror(errno));
		return -2;
	}
	/* The directory the bind was first attached to, now empty. */
	if (rmdir("/" NEWROOT) < 0)
		log_msg(lg, LOG_WARN, "root switch: rmdir /%s: %s", NEWROOT, strerror(errno));
	return 0;
}

void root_switch(const struct logger *lg)
{
	struct berr e;
	long long t = log_boottime_ns();
	int need = root_needs_switch(&e);
	mode_t old;

	if (need <= 0) {
		if (need < 0)
			log_msg(lg, LOG_WARN, "cannot tell whether / is the initramfs: %s", e.msg);
		return;
	}
	old = umask(0);
	need = bind_over(lg);
	umask(old);
	if (need == 0)
		log_msg(lg, LOG_INFO, "root moved from the initramfs to a bind mount of it in %lld us",
			(log_boottime_ns() - t) / 1000LL);
}

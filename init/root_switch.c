/* root_switch.c — make / a mount that pivot_root can move, without copying. */
#include "init/root_switch.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/fs.h"

#define NEWROOT "berth-root" /* made in / during the switch, removed after */

/* Does / need the switch: is it the kernel's rootfs, or no mount point at
 * all (a chroot into a directory)? Read from a procfs mounted for the
 * purpose. Returns 1 or 0, or -1 when it cannot tell. */
static int root_needs_switch(struct berr *e)
{
	char buf[8192], *line, *save = NULL;
	int found = 0, rootfs = 0;

	if (mkdir("/proc", 0555) < 0 && errno != EEXIST)
		return berr_sys(e, "mkdir /proc");
	if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		return berr_sys(e, "mount proc");
	if (fs_read("/proc/self/mountinfo", buf, sizeof buf, e) < 0) {
		umount2("/proc", MNT_DETACH);
		return -1;
	}
	umount2("/proc", MNT_DETACH);
	/* "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS ... - FSTYPE SOURCE SUPER";
	 * only the mounts reachable from our root are listed. */
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char point[16], *dash = strstr(line, " - ");
		if (sscanf(line, "%*u %*u %*s %*s %15s", point) == 1 && strcmp(point, "/") == 0) {
			found = 1;
			rootfs = dash && strncmp(dash + 3, "rootfs ", 7) == 0;
		}
	}
	return !found || rootfs;
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

# busybox: Debian's source package built with musl, static, with the applet
# set of Debian's busybox-static (debian/config/pkg/static), less what musl
# or the appliance lacks: utmp/wtmp (no login records are kept), NFS mounts
# (Sun RPC), GNU regex extensions in grep and vi (glibc's re_ API), and the
# UBI/MTD flash tools (no flash here, no mtd headers in the sysroot). Used as
# the admin shell and applets; applets that would stand in for berth's own
# programs are not linked (rootfs/mkinitramfs.sh).
cp debian/config/pkg/static .config
for o in FEATURE_UTMP FEATURE_WTMP WHO USERS LAST RUNLEVEL WALL FEATURE_HAVE_RPC FEATURE_MOUNT_NFS \
	FEATURE_INETD_RPC PAM SELINUX STATIC_LIBGCC FEATURE_VI_REGEX_SEARCH EXTRA_COMPAT \
	UBIATTACH UBIDETACH UBIMKVOL UBIRMVOL UBIRSVOL UBIUPDATEVOL UBIRENAME \
	NANDWRITE NANDDUMP FLASHCP FLASH_ERASEALL FLASH_LOCK FLASH_UNLOCK; do
	sed -i "s/^CONFIG_$o=.*/# CONFIG_$o is not set/" .config
done
sed -i 's|^CONFIG_EXTRA_CFLAGS=.*|CONFIG_EXTRA_CFLAGS="-isystem '"$SYSROOT"'/include"|' .config
yes "" | make oldconfig > /dev/null
make -j"$JOBS" CC="$CC" HOSTCC=gcc busybox
cp busybox "$SYSROOT/bin/busybox"

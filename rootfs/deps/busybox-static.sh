# busybox: Debian's static build, used as the admin shell and applets.
cp bin/busybox "$SYSROOT/bin/busybox"

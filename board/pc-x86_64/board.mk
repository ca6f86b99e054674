# pc-x86_64: x86-64 servers and PCs, booted by UEFI from the disk image
# (`make disk`, docs/disk.md). The kernel is Debian's generic amd64 kernel,
# pinned in rootfs/deps.lock: the cloud kernel lacks real-hardware drivers
# (NVMe, AHCI, common NICs, hardware watchdogs).
BOARD_KERNEL_PKG := linux-image-6.1.0-50-amd64
BOARD_KERNEL_RELEASE := 6.1.0-50-amd64
# The console on the screen and on the first serial port (the last named is
# /dev/console); panic=-1 reboots on a panic, which is what lets systemd-boot
# count a broken slot's tries and fall back to the other one.
BOARD_CMDLINE := console=tty0 console=ttyS0,115200 panic=-1 quiet loglevel=4 rdinit=/sbin/init
BOARD_INITRAMFS_COMPRESS := lz4

# qemu-x86_64: a virtio VM under qemu's software emulation (KVM is not usable
# on the build machines). The kernel is Debian's cloud kernel, pinned in
# rootfs/deps.lock under this package name.
BOARD_KERNEL_PKG := linux-image-6.1.0-50-cloud-amd64
BOARD_KERNEL_RELEASE := 6.1.0-50-cloud-amd64
# ttyS0 is the serial console `make run` puts on the terminal; panic=-1
# makes a kernel panic reboot (and -no-reboot turns that into qemu exiting).
BOARD_CMDLINE := console=ttyS0 panic=-1 quiet loglevel=4 rdinit=/sbin/init
# The initramfs compressor: the kernel unpacks all of gzip, lz4 and zstd
# (CONFIG_RD_*); lz4 unpacks fastest under qemu's emulation (docs/init.md
# "Boot time": about half gzip's time for a 15% larger file).
BOARD_INITRAMFS_COMPRESS := lz4

# qemu-x86_64 — sourced (bash) by tools/qemu-run.sh. Fills the array
# qemu_args from KERNEL INITRD DATA_IMG CMDLINE MEM_MB CPUS SSH_PORT API_PORT.
# HOSTFWD (tests): more forwards, comma-separated in qemu's form
# ("tcp:127.0.0.1:12380-:8080"), for ports containers publish.
# DATA_BUS: the data disk's controller, nvme (the default: Debian's cloud
# kernel has its driver built in, as cloud VMs' NVMe disks need, so no
# module stands between PID 1 and the disk; /dev/nvme0n1) or virtio
# (virtio-blk, a module of the boot set; /dev/vda). The net and RNG devices
# are virtio.
# DATA_HOTPLUG=1 (tests): the data disk is only a backend (id data0) and a
# PCIe root port (id hp0) waits for it: monitor `device_add DEVICE,bus=hp0`
# with qemu_data_device's DEVICE plugs it in after boot starts.
QEMU=qemu-system-x86_64
qemu_data_device() {
	case ${DATA_BUS:-nvme} in
	nvme) echo "nvme,drive=data0,serial=berth-data,id=vd0" ;;
	virtio) echo "virtio-blk-pci,drive=data0,id=vd0" ;;
	*) echo "qemu.sh: DATA_BUS=$DATA_BUS: nvme or virtio" >&2; return 100 ;;
	esac
}
qemu_board_args() {
	local dev
	dev=$(qemu_data_device) || exit 100
	qemu_args=(
		-machine q35,accel=tcg -cpu max -m "$MEM_MB" -smp "$CPUS"
		-kernel "$KERNEL" -initrd "$INITRD" -append "$CMDLINE"
		-drive "file=$DATA_IMG,if=none,id=data0,format=raw,cache=writeback"
		-netdev "user,id=net0,hostfwd=tcp:127.0.0.1:$SSH_PORT-:22,hostfwd=tcp:127.0.0.1:$API_PORT-:2376${HOSTFWD:+,hostfwd=${HOSTFWD//,/,hostfwd=}}"
		-device virtio-net-pci,netdev=net0
		-device virtio-rng-pci
		-no-reboot
	)
	if [ "${DATA_HOTPLUG:-}" = 1 ]; then
		qemu_args+=(-device pcie-root-port,id=hp0,bus=pcie.0,chassis=1,slot=1)
	else
		qemu_args+=(-device "$dev")
	fi
}

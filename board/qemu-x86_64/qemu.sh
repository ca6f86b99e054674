# qemu-x86_64 — sourced (bash) by tools/qemu-run.sh. Fills the array
# qemu_args from KERNEL INITRD DATA_IMG CMDLINE MEM_MB CPUS SSH_PORT API_PORT.
# HOSTFWD (tests): more forwards, comma-separated in qemu's form
# ("tcp:127.0.0.1:12380-:8080"), for ports containers publish.
# DATA_HOTPLUG=1 (tests): the data disk is only a backend (id data0) and a
# PCIe root port (id hp0) waits for it: monitor `device_add
# virtio-blk-pci,drive=data0,id=vd0,bus=hp0` plugs it in after boot starts.
QEMU=qemu-system-x86_64
qemu_board_args() {
	qemu_args=(
		-machine q35,accel=tcg -cpu max -m "$MEM_MB" -smp "$CPUS"
		-kernel "$KERNEL" -initrd "$INITRD" -append "$CMDLINE"
		-drive "file=$DATA_IMG,if=virtio,format=raw,cache=writeback"
		-netdev "user,id=net0,hostfwd=tcp:127.0.0.1:$SSH_PORT-:22,hostfwd=tcp:127.0.0.1:$API_PORT-:2376${HOSTFWD:+,hostfwd=${HOSTFWD//,/,hostfwd=}}"
		-device virtio-net-pci,netdev=net0
		-device virtio-rng-pci
		-no-reboot
	)
	if [ "${DATA_HOTPLUG:-}" = 1 ]; then
		qemu_args=("${qemu_args[@]/file=$DATA_IMG,if=virtio,/file=$DATA_IMG,if=none,id=data0,}"
			-device pcie-root-port,id=hp0,bus=pcie.0,chassis=1,slot=1)
	fi
}

# pc-x86_64 — sourced (bash) by tools/qemu-run.sh for `make run` (-kernel):
# the generic kernel has the virtio drivers too, so the qemu-x86_64 VM
# serves. `make run-disk` boots the disk image through OVMF instead.
# shellcheck source=/dev/null
. "$BOARD_DIR/../qemu-x86_64/qemu.sh"

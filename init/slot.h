/* slot.h — PID 1's side of the A/B system slots (lib/slots.h, docs/disk.md).
 *
 * On a machine booted by systemd-boot from the disk image: slot_setup
 * mounts efivarfs and the EFI system partition (the FAT filesystem
 * labelled BERTH-ESP, found like the data partition, by reading every
 * block device) on /boot/efi, before the services start, so that berthd
 * sees it for updates. slot_mark_when_ready forks a child, once PID 1 is
 * ready, that waits until berthd's API answers on engine.sock (GET /_ping
 * → 200; at most CONFIG_INIT_SLOT_READY_S seconds) and then marks the
 * running slot good. A slot whose boot never gets there keeps its counter:
 * systemd-boot counts it down at each boot and then boots the other slot.
 * Elsewhere (qemu -kernel, no ESP) both do nothing.
 */
#ifndef BERTH_INIT_SLOT_H
#define BERTH_INIT_SLOT_H

#include "init/state.h"

#define SLOT_ENGINE_SOCK "/run/berth/engine.sock"

void slot_setup(struct init *in);
void slot_mark_when_ready(struct init *in);

#endif

# board/ — the selected board's kernel, and booting it.
-include $(BOARD_DIR)/board.mk

KERNEL_IMAGE := $(O)/images/vmlinuz
KMOD_DIR := $(O)/kmod/$(BOARD)
KERNEL_STAMP := $(O)/stamp/kernel-$(BOARD)

# The board's modules: those loaded at boot, before ready (modules), right
# after ready (modules.after, optional) and those of the engine, then the
# lock (modules.late, optional); the image carries all of them.
BOARD_MODULE_LISTS := $(BOARD_DIR)/modules $(wildcard $(BOARD_DIR)/modules.after $(BOARD_DIR)/modules.late)
$(KERNEL_STAMP): $(O)/pins/$(BOARD_KERNEL_PKG) $(BOARD_MODULE_LISTS) $(TOP)/rootfs/kernel.sh | host-tools
	@mkdir -p $(O)/kmod
	$(Q)cat $(BOARD_MODULE_LISTS) > $(O)/kmod/$(BOARD).modules
	$(Q)$(TOP)/rootfs/kernel.sh $(TOP) $(O) $(BOARD_KERNEL_PKG) $(BOARD_KERNEL_RELEASE) $(O)/kmod/$(BOARD).modules $(KMOD_DIR)
	$(Q)touch $@
$(KERNEL_IMAGE): $(KERNEL_STAMP)

QEMU_RUN := $(TOP)/tools/qemu-run.sh
QEMU_ENV = BOARD_DIR=$(BOARD_DIR) KERNEL=$(KERNEL_IMAGE) INITRD=$(INITRAMFS) DATA_IMG=$(DATA_IMG) \
	CMDLINE="$(BOARD_CMDLINE)" MEM_MB=$(CONFIG_BOARD_MEMORY_MB) CPUS=$(CONFIG_BOARD_CPUS)

.PHONY: run run-bg stop
run: image
	@echo "berth: booting the $(IMAGE_VARIANT) image $(INITRAMFS:$(TOP)/%=%)$(if $(filter production,$(IMAGE_VARIANT)), (no console shell: log in over SSH; make run DEV=1 boots the development image), (password-less root shell on the console))"
	$(Q)$(QEMU_ENV) $(QEMU_RUN) fg
run-bg: image
	@echo "berth: booting the $(IMAGE_VARIANT) image $(INITRAMFS:$(TOP)/%=%)"
	$(Q)$(QEMU_ENV) $(QEMU_RUN) bg $(O)/run
stop:
	$(Q)$(QEMU_RUN) stop $(O)/run

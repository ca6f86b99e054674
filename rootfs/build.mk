# rootfs/ — pinned third-party dependencies, and the image assembly.

# ------------------------------------------------------------ dependencies
DEPS := bearssl libcap2 zlib libjsmn-dev libinih
DEPS-$(CONFIG_ROOTFS_DROPBEAR) += dropbear
DEPS-$(CONFIG_ROOTFS_BUSYBOX) += busybox-static
DEPS += $(DEPS-y)
DEP_STAMPS := $(addprefix $(O)/stamp/,$(DEPS))

# build/pins/NAME changes only when NAME's line in deps.lock changes.
ifeq ($(filter $(NO_CONFIG_GOALS),$(MAKECMDGOALS)),)
$(shell $(TOP)/rootfs/deps/pins.sh $(TOP)/rootfs/deps.lock $(O))
endif

$(O)/stamp/%: $(O)/pins/% $(TOP)/rootfs/deps/%.sh | host-tools
	$(Q)$(TOP)/rootfs/deps/build.sh $(TOP) $(O) $*
# dropbear links the sysroot's zlib.
$(O)/stamp/dropbear: $(O)/stamp/zlib

.PHONY: deps
deps: $(DEP_STAMPS)

# --------------------------------------------------------- image assembly
IMAGES := $(O)/images
INITRAMFS := $(IMAGES)/initramfs.cpio.gz
DATA_IMG := $(IMAGES)/data.img
SKELETON := $(shell find $(TOP)/rootfs/skeleton -type f 2>/dev/null)
# Third-party binaries that go into build/bin next to berth's own (musl, stripped).
THIRD_BINS-$(CONFIG_ROOTFS_DROPBEAR) += $(O)/bin/dropbearmulti
$(O)/bin/dropbearmulti: $(O)/stamp/dropbear
	@mkdir -p $(dir $@)
	$(Q)$(STRIP) -o $@ $(SYSROOT)/bin/dropbearmulti

# SSH: root's authorized_keys come from the site (SITE=dir: dir/ssh/authorized_keys);
# without one, from the development key pair made once in build/pki/ssh.
SSH_DEVKEY := $(O)/pki/ssh/id_ed25519
$(SSH_DEVKEY) $(SSH_DEVKEY).pub &: | host-tools
	$(Q)$(TOP)/tools/ssh-devkey.sh $(dir $(SSH_DEVKEY))
AUTHORIZED_KEYS_SRC := $(if $(SITE),$(wildcard $(SITE)/ssh/authorized_keys))
AUTHORIZED_KEYS_SRC := $(if $(AUTHORIZED_KEYS_SRC),$(abspath $(AUTHORIZED_KEYS_SRC)),$(SSH_DEVKEY).pub)
# A copy that changes only when its content does: switching SITE (to an
# older file) still rebuilds the image.
AUTHORIZED_KEYS := $(if $(CONFIG_ROOTFS_DROPBEAR),$(O)/pki/authorized_keys)
$(O)/pki/authorized_keys: $(AUTHORIZED_KEYS_SRC) berth-always
	@mkdir -p $(dir $@)
	$(Q)cmp -s $< $@ 2>/dev/null || cp $< $@
.PHONY: berth-always

$(INITRAMFS): $(BINS) $(THIRD_BINS-y) $(MKCPIO) $(KERNEL_STAMP) $(SKELETON) \
		$(TOP)/rootfs/mkinitramfs.sh $(BOARD_DIR)/modules $(O)/config/auto.conf $(DEP_STAMPS) \
		$(AUTHORIZED_KEYS)
	@mkdir -p $(dir $@)
	@echo "  CPIO    $(@:$(TOP)/%=%)"
	$(Q)AUTHORIZED_KEYS="$(AUTHORIZED_KEYS)" \
		$(TOP)/rootfs/mkinitramfs.sh $(TOP) $(O) $(BOARD_DIR) $(BOARD_KERNEL_RELEASE) > $(O)/initramfs.spec
	$(Q)$(MKCPIO) < $(O)/initramfs.spec | gzip -n -9 > $@.tmp && mv $@.tmp $@

# The data disk is made once and then kept: it is the appliance's state.
$(DATA_IMG): | host-tools
	@mkdir -p $(dir $@)
	@echo "  MKFS    $(@:$(TOP)/%=%) ($(CONFIG_BOARD_DATA_IMG_MB) MiB ext4, label berth-data)"
	$(Q)rm -f $@.tmp && truncate -s $(CONFIG_BOARD_DATA_IMG_MB)M $@.tmp && \
		mkfs.ext4 -q -F -L berth-data -E root_owner=0:0 $@.tmp && mv $@.tmp $@

.PHONY: image
image: $(INITRAMFS) $(KERNEL_IMAGE) $(DATA_IMG)
	@echo "  SIZES"
	@cd $(O) && for f in $(BINS:$(O)/%=%) $(THIRD_BINS-y:$(O)/%=%) images/vmlinuz images/initramfs.cpio.gz; do \
		printf '    %-28s %9d bytes\n' "$$f" "$$(stat -c %s $$f)"; done
	@printf '    %-28s %9d bytes (uncompressed)\n' initramfs "$$(gzip -dc $(INITRAMFS) | wc -c)"
	@printf '    %-28s %9d bytes (sparse: %s used)\n' images/data.img "$$(stat -c %s $(DATA_IMG))" "$$(du -h $(DATA_IMG) | cut -f1)"

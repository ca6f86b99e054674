# rootfs/disk.mk — `make disk`: the raw GPT disk image for dedicated hosts
# (docs/disk.md), and `make run-disk`, which boots it under qemu with UEFI
# firmware. Included by rootfs/build.mk.

SDBOOT_DIR := $(O)/src/systemd-boot-efi/usr/lib/systemd/boot/efi
SDBOOT_STAMP := $(O)/stamp/systemd-boot-efi
$(SDBOOT_STAMP): $(O)/pins/systemd-boot-efi $(TOP)/rootfs/deps/fetch.sh | host-tools
	$(Q)$(TOP)/rootfs/deps/fetch.sh $(TOP)/rootfs/deps.lock $(O) systemd-boot-efi
	$(Q)touch $@

# The image's version (os-release in the slot images, GET /berth/v1/slots)
# and its timestamps: from git, so that two builds of one commit are equal.
DISK_VERSION ?= $(shell git -C $(TOP) describe --always --dirty 2>/dev/null || echo unknown)
DISK_EPOCH ?= $(or $(SOURCE_DATE_EPOCH),$(shell git -C $(TOP) log -1 --format=%ct 2>/dev/null),315532800)
# DEV=1 makes berth-dev.img from the development initramfs (the system tests).
DISK_SUFFIX = $(if $(filter-out 0,$(DEV)),-dev)
DISK_IMG_OUT = $(IMAGES)/berth$(DISK_SUFFIX).img
UKI = $(IMAGES)/berth$(DISK_SUFFIX).efi
DISK_RUN_IMG = $(O)/run-disk/disk$(DISK_SUFFIX).img

# Secure Boot (docs/disk.md "Secure Boot"): systemd-boot and the slot image
# are signed with sbsign, by SITE=dir's dir/secureboot/db.key + db.crt, else
# by the development key of build/pki/secureboot (tools/pki.sh: Debian's
# snakeoil pair, which OVMF's snakeoil firmware trusts). The copies in
# build/pki/image-secureboot change only with their content. The update key
# (below) signs the slot image too, as berth.efi.sig, when it is the
# development one: a site signs its updates where its private key is kept.
PKI_DEV_KEYS := $(O)/pki/secureboot/db.key $(O)/pki/secureboot/db.crt $(O)/pki/update/key.pem $(O)/pki/update/key.pub
$(PKI_DEV_KEYS) &: | $(PKI_DEV)
	$(Q)$(TOP)/tools/pki.sh $(O)/pki > /dev/null
SB_SITE := $(if $(SITE),$(wildcard $(SITE)/secureboot/db.key))
SB_SRC := $(if $(SB_SITE),$(abspath $(SITE)/secureboot/db.key $(SITE)/secureboot/db.crt),$(wordlist 1,2,$(PKI_DEV_KEYS)))
SB_KEYS := $(O)/pki/image-secureboot/db.key $(O)/pki/image-secureboot/db.crt
$(SB_KEYS) &: $(SB_SRC) berth-always
	@mkdir -p $(dir $@)
	$(Q)set -- $(SB_SRC); for f in db.key db.crt; do \
		[ -s "$$1" ] || { echo "disk: $$1 missing (SITE=dir needs dir/secureboot/db.key and db.crt)" >&2; exit 1; }; \
		cmp -s "$$1" $(O)/pki/image-secureboot/$$f 2>/dev/null || install -m 0600 "$$1" $(O)/pki/image-secureboot/$$f; shift; done
UPDATE_SIGN_KEY = $(if $(UPDATE_KEY_SITE),,$(O)/pki/update/key.pem)

$(IMAGES)/berth.efi $(IMAGES)/berth-dev.efi: $(IMAGES)/berth%.efi: $(KERNEL_IMAGE) $(SDBOOT_STAMP) \
		$(TOP)/rootfs/mkuki.sh $(TOP)/rootfs/sbsign.sh $(BOARD_DIR)/board.mk $(SB_KEYS)
	@echo "  UKI     $(@:$(TOP)/%=%) ($(DISK_VERSION), signed)"
	$(Q)SOURCE_DATE_EPOCH=$(DISK_EPOCH) SECUREBOOT_KEY=$(word 1,$(SB_KEYS)) SECUREBOOT_CERT=$(word 2,$(SB_KEYS)) \
		$(TOP)/rootfs/mkuki.sh $(SDBOOT_DIR)/linuxx64.efi.stub $(KERNEL_IMAGE) \
		$(if $*,$(INITRAMFS_DEV),$(INITRAMFS_PROD)) "$(BOARD_CMDLINE)" "$(DISK_VERSION)" $@
	$(Q)rm -f $@.sig; $(if $(UPDATE_SIGN_KEY),openssl dgst -sha256 -sign $(UPDATE_SIGN_KEY) -out $@.sig $@)
$(IMAGES)/berth.efi: $(INITRAMFS_PROD)
$(IMAGES)/berth-dev.efi: $(INITRAMFS_DEV)

$(IMAGES)/berth.img $(IMAGES)/berth-dev.img: $(IMAGES)/berth%.img: $(IMAGES)/berth%.efi \
		$(TOP)/rootfs/mkdisk.sh $(TOP)/rootfs/sbsign.sh $(O)/config/auto.conf $(SB_KEYS)
	@echo "  DISK    $(@:$(TOP)/%=%) (ESP $(CONFIG_DISK_ESP_MB) MiB, data $(CONFIG_DISK_DATA_MB) MiB)"
	$(Q)SOURCE_DATE_EPOCH=$(DISK_EPOCH) SECUREBOOT_KEY=$(word 1,$(SB_KEYS)) SECUREBOOT_CERT=$(word 2,$(SB_KEYS)) \
		$(TOP)/rootfs/mkdisk.sh $(SDBOOT_DIR)/systemd-bootx64.efi $< \
		"$(BOARD) $(DISK_VERSION)" $(CONFIG_DISK_ESP_MB) $(CONFIG_DISK_DATA_MB) $@.tmp
	$(Q)mv $@.tmp $@
	$(Q)if command -v bmaptool > /dev/null; then bmaptool -q create -o $@.bmap $@; \
		else echo "  DISK    no bmaptool: write it with dd (docs/disk.md)"; rm -f $@.bmap; fi

# The update key (SITE=dir: dir/update/key.pub, PEM ECDSA P-256; without
# one, the development key build/pki/update/key.pub, as TLS falls back to
# the development CA): its raw point goes into the image as
# /etc/berth/update-key, and berthd then takes only updates signed with it
# (runtime/engine/update_sig.h). build/pki/update-key changes only with its
# content, so that switching SITE rebuilds the image.
UPDATE_KEY_SITE := $(if $(SITE),$(wildcard $(SITE)/update/key.pub))
UPDATE_KEY_SRC := $(or $(UPDATE_KEY_SITE),$(O)/pki/update/key.pub)
UPDATE_KEY := $(O)/pki/update-key
$(UPDATE_KEY): $(abspath $(UPDATE_KEY_SRC)) berth-always
	@mkdir -p $(dir $@)
	$(Q)openssl pkey -pubin -in $(UPDATE_KEY_SRC) -noout -text 2>/dev/null | grep -q 'NIST CURVE: P-256' || \
		{ echo "disk: $(UPDATE_KEY_SRC) is not a PEM ECDSA P-256 public key" >&2; exit 1; }
	$(Q)openssl ec -pubin -in $(UPDATE_KEY_SRC) -outform DER 2>/dev/null | tail -c 65 > $@.tmp
	$(Q)cmp -s $@.tmp $@ && rm -f $@.tmp || mv $@.tmp $@
$(INITRAMFS_PROD) $(INITRAMFS_DEV): $(UPDATE_KEY)
$(INITRAMFS_PROD) $(INITRAMFS_DEV): export UPDATE_KEY := $(UPDATE_KEY)

.PHONY: disk run-disk
disk: $(DISK_IMG_OUT)
	@printf '    %-28s %9d bytes (sparse: %s used)\n' "$(DISK_IMG_OUT:$(O)/%=%)" \
		"$$(stat -c %s $(DISK_IMG_OUT))" "$$(du -h $(DISK_IMG_OUT) | cut -f1)"

# The machine's disk: a copy of the image, made when missing or older than
# the image (a new image is a new install), grown to DISK_SIZE (default 2G)
# so that first boot has room to grow into; then kept, like data.img.
DISK_SIZE ?= 2G
run-disk: $(DISK_IMG_OUT)
	@mkdir -p $(dir $(DISK_RUN_IMG))
	$(Q)if [ ! -f $(DISK_RUN_IMG) ] || [ $(DISK_RUN_IMG) -ot $(DISK_IMG_OUT) ]; then \
		echo "  DISK    fresh copy $(DISK_RUN_IMG:$(TOP)/%=%) ($(DISK_SIZE))"; \
		rm -f $(DISK_RUN_IMG) $(DISK_RUN_IMG).vars; \
		cp --sparse=always $(DISK_IMG_OUT) $(DISK_RUN_IMG) && truncate -s $(DISK_SIZE) $(DISK_RUN_IMG); fi
	$(Q)DISK_IMG=$(DISK_RUN_IMG) MEM_MB=$(CONFIG_BOARD_MEMORY_MB) CPUS=$(CONFIG_BOARD_CPUS) \
		BOARD_DIR=$(BOARD_DIR) $(QEMU_RUN) fg
# The tests use the development image's disk (berth-dev.img) whatever DEV
# says: DEV=1 of `check` is a target variable, which prerequisite lists
# never see.
.PHONY: disk-dev
disk-dev: $(IMAGES)/berth-dev.img
check check-host check-system: disk-dev

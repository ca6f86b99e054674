# rootfs/ — pinned third-party dependencies, and the image assembly.

# ------------------------------------------------------------ dependencies
DEPS := bearssl libcap2 zlib libjsmn-dev libinih libzstd
DEPS-$(CONFIG_ROOTFS_DROPBEAR) += dropbear
DEPS-$(CONFIG_ROOTFS_BUSYBOX) += busybox
DEPS-$(CONFIG_FETCH) += ca-certificates
DEPS += $(DEPS-y)
DEP_STAMPS := $(addprefix $(O)/stamp/,$(DEPS))

# build/pins/NAME changes only when NAME's line in deps.lock changes.
ifeq ($(filter $(NO_CONFIG_GOALS),$(MAKECMDGOALS)),)
$(shell $(TOP)/rootfs/deps/pins.sh $(TOP)/rootfs/deps.lock $(O))
endif

$(O)/stamp/%: $(O)/pins/% $(TOP)/rootfs/deps/%.sh | host-tools
	$(Q)$(TOP)/rootfs/deps/build.sh $(TOP) $(O) $*

.PHONY: deps
deps: $(DEP_STAMPS)

# --------------------------------------------------------- image assembly
IMAGES := $(O)/images
# Two initramfs images from the same binaries: production (the default: no
# shell on the console) and development (DEV=1: a password-less root shell
# on the console, which the system tests drive). `make image` builds both.
# The compressor is the board's (BOARD_INITRAMFS_COMPRESS, default gzip):
# one its kernel was built to decompress, checked against the kernel config.
INITRAMFS_COMPRESS := $(or $(BOARD_INITRAMFS_COMPRESS),gzip)
compress-gzip := gzip -n -9
compress-lz4 := lz4 -l -9 -q
compress-zstd := zstd -q -19 --no-progress
ext-gzip := gz
ext-lz4 := lz4
ext-zstd := zst
rdconf-gzip := GZIP
rdconf-lz4 := LZ4
rdconf-zstd := ZSTD
INITRAMFS_EXT := $(ext-$(INITRAMFS_COMPRESS))
INITRAMFS_PROD := $(IMAGES)/initramfs.cpio.$(INITRAMFS_EXT)
INITRAMFS_DEV := $(IMAGES)/initramfs-dev.cpio.$(INITRAMFS_EXT)
# The one `make run`, bench and the tests boot.
INITRAMFS = $(if $(filter-out 0,$(DEV)),$(INITRAMFS_DEV),$(INITRAMFS_PROD))
IMAGE_VARIANT = $(if $(filter-out 0,$(DEV)),development,production)
DATA_IMG := $(IMAGES)/data.img
SKELETON := $(shell find $(TOP)/rootfs/skeleton -type f 2>/dev/null)
# Third-party binaries that go into build/bin next to berth's own (musl, stripped).
THIRD_BINS-$(CONFIG_ROOTFS_DROPBEAR) += $(O)/bin/dropbearmulti
$(O)/bin/dropbearmulti: $(O)/stamp/dropbear
	@mkdir -p $(dir $@)
	$(Q)$(STRIP) -o $@ $(SYSROOT)/bin/dropbearmulti
THIRD_BINS-$(CONFIG_ROOTFS_BUSYBOX) += $(O)/bin/busybox
$(O)/bin/busybox: $(O)/stamp/busybox
	@mkdir -p $(dir $@)
	$(Q)$(STRIP) -o $@ $(SYSROOT)/bin/busybox

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

# TLS: /etc/berth/tls/{ca,cert,key}.pem from the site (SITE=dir: dir/tls/)
# or from the development PKI made once in build/pki (tools/pki.sh: the CA,
# the server certificate for 127.0.0.1 and localhost, the role clients).
PKI_DEV := $(O)/pki/ca.pem $(O)/pki/server/cert.pem $(O)/pki/server/key.pem
$(PKI_DEV) &: $(TOP)/tools/pki.sh | host-tools
	@echo "  PKI     $(O:$(TOP)/%=%)/pki (development CA, server, admin operator viewer monitor)"
	$(Q)$(TOP)/tools/pki.sh $(O)/pki > /dev/null
	$(Q)touch $(PKI_DEV)
.PHONY: pki
pki: $(PKI_DEV)
TLS_SITE := $(if $(SITE),$(wildcard $(SITE)/tls/cert.pem))
TLS_SRC := $(if $(TLS_SITE),$(abspath $(addprefix $(SITE)/tls/,ca.pem cert.pem key.pem)),$(PKI_DEV))
# Copies that change only when their content does (as authorized_keys).
TLS_FILES := $(if $(CONFIG_ROOTFS_TLS),$(addprefix $(O)/pki/image-tls/,ca.pem cert.pem key.pem))
$(O)/pki/image-tls/ca.pem $(O)/pki/image-tls/cert.pem $(O)/pki/image-tls/key.pem &: $(TLS_SRC) berth-always
	@mkdir -p $(O)/pki/image-tls
	$(Q)set -e; set -- $(TLS_SRC); for f in ca.pem cert.pem key.pem; do \
		[ -s "$$1" ] || { echo "rootfs: $$1 missing (SITE=dir needs dir/tls/ca.pem cert.pem key.pem)" >&2; exit 1; }; \
		cmp -s "$$1" $(O)/pki/image-tls/$$f 2>/dev/null || install -m 0600 "$$1" $(O)/pki/image-tls/$$f; shift; done

INITRAMFS_INPUTS := $(BINS) $(THIRD_BINS-y) $(MKCPIO) $(KERNEL_STAMP) $(SKELETON) \
	$(TOP)/rootfs/mkinitramfs.sh $(BOARD_MODULE_LISTS) $(BOARD_DIR)/board.mk $(O)/config/auto.conf \
	$(DEP_STAMPS) $(AUTHORIZED_KEYS) $(TLS_FILES)
KERNEL_CONFIG = $(O)/src/$(BOARD_KERNEL_PKG)/boot/config-$(BOARD_KERNEL_RELEASE)
# $(call mkinitramfs,VARIANT)
define mkinitramfs
	@mkdir -p $(dir $@)
	@echo "  CPIO    $(@:$(TOP)/%=%) ($(1), $(INITRAMFS_COMPRESS))"
	$(Q)grep -q '^CONFIG_RD_$(rdconf-$(INITRAMFS_COMPRESS))=y' $(KERNEL_CONFIG) || \
		{ echo "rootfs: the kernel cannot unpack a $(INITRAMFS_COMPRESS) initramfs" >&2; exit 1; }
	$(Q)VARIANT=$(1) AUTHORIZED_KEYS="$(AUTHORIZED_KEYS)" TLS_DIR="$(if $(TLS_FILES),$(O)/pki/image-tls)" \
		$(TOP)/rootfs/mkinitramfs.sh $(TOP) $(O) $(BOARD_DIR) $(BOARD_KERNEL_RELEASE) > $(O)/initramfs-$(1).spec
	$(Q)$(MKCPIO) < $(O)/initramfs-$(1).spec | $(compress-$(INITRAMFS_COMPRESS)) > $@.tmp && mv $@.tmp $@
	$(Q)rm -f $(filter-out %.$(INITRAMFS_EXT),$(wildcard $(IMAGES)/initramfs*.cpio.*))
endef
$(INITRAMFS_PROD): $(INITRAMFS_INPUTS)
	$(call mkinitramfs,production)
$(INITRAMFS_DEV): $(INITRAMFS_INPUTS)
	$(call mkinitramfs,development)

# The data disk is made once and then kept: it is the appliance's state.
$(DATA_IMG): | host-tools
	@mkdir -p $(dir $@)
	@echo "  MKFS    $(@:$(TOP)/%=%) ($(CONFIG_BOARD_DATA_IMG_MB) MiB ext4, label berth-data)"
	$(Q)rm -f $@.tmp && truncate -s $(CONFIG_BOARD_DATA_IMG_MB)M $@.tmp && \
		mkfs.ext4 -q -F -L berth-data -E root_owner=0:0 $@.tmp && mv $@.tmp $@

.PHONY: image
image: $(INITRAMFS_PROD) $(INITRAMFS_DEV) $(KERNEL_IMAGE) $(DATA_IMG)
	@echo "  SIZES"
	@cd $(O) && for f in $(BINS:$(O)/%=%) $(THIRD_BINS-y:$(O)/%=%) images/vmlinuz $(INITRAMFS_PROD:$(O)/%=%); do \
		printf '    %-28s %9d bytes\n' "$$f" "$$(stat -c %s $$f)"; done
	@printf '    %-28s %9d bytes (uncompressed)\n' initramfs "$$($(INITRAMFS_COMPRESS) -dc $(INITRAMFS_PROD) | wc -c)"
	@printf '    %-28s %9d bytes (sparse: %s used)\n' images/data.img "$$(stat -c %s $(DATA_IMG))" "$$(du -h $(DATA_IMG) | cut -f1)"

# A site's services and programs (SITE=dir: dir/services.d/*.conf and dir/bin/*,
# which rootfs/mkinitramfs.sh adds; docs/metrics.md "Agents").
SITE_FILES := $(if $(SITE),$(wildcard $(SITE)/services.d/*.conf $(SITE)/bin/*))
$(INITRAMFS_PROD) $(INITRAMFS_DEV): $(SITE_FILES)
include $(TOP)/rootfs/disk.mk
# The development image carries the example agent (rootfs/mkinitramfs.sh).
$(INITRAMFS_DEV): $(AGENT_EXAMPLE) $(TOP)/rootfs/examples/agent-example.conf

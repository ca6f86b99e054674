# berth — top-level Makefile. Non-recursive: every directory adds its parts
# through a build.mk included below; every output goes under build/.
#
#   make                      build everything (board/qemu-x86_64/defconfig
#                             when there is no .config yet)
#   make run                  build, then boot the appliance in qemu
#   make check                every test: unit, host, system
#   make help                 the other targets

TOP := $(CURDIR)
O := $(TOP)/build
override O := $(abspath $(O))
# The configuration: .config at the top for the default build directory;
# DIR/.config for another one, so that a second board builds beside the
# first (make O=build-pc pc_x86_64_defconfig && make O=build-pc disk).
CONFIG := $(if $(filter $(TOP)/build,$(O)),$(TOP)/.config,$(O)/.config)
SHELL := /bin/bash
.SHELLFLAGS := -eo pipefail -c
.DEFAULT_GOAL := all
.DELETE_ON_ERROR:
.SUFFIXES:
MAKEFLAGS += --no-builtin-rules
Q := $(if $(V),,@)
JOBS ?= $(shell nproc)
export JOBS

# ---------------------------------------------------------------- host tools
# Every target that builds or tests needs the host packages; the bootstrap
# returns at once when they are all there, and installs (as root) or prints
# the apt-get command (otherwise) when not.
.PHONY: host-tools
host-tools:
	$(Q)$(TOP)/tools/host-bootstrap.sh

# ------------------------------------------------------------------- Kconfig
KCONFIG_FILES := Kconfig $(wildcard */Kconfig */*/Kconfig)
BOARDS := $(notdir $(patsubst %/,%,$(dir $(wildcard board/*/defconfig))))
DEFAULT_BOARD := qemu-x86_64
KCONF_ENV := KCONFIG_CONFIG=$(CONFIG) srctree=$(TOP)
CONFIG_GOALS := menuconfig olddefconfig savedefconfig defconfig $(foreach b,$(BOARDS),$(subst -,_,$(b))_defconfig)
NO_CONFIG_GOALS := $(CONFIG_GOALS) clean distclean help host-tools

$(O)/config/.dir:
	$(Q)mkdir -p $(O)/config/include/config $(O)/config/include/generated && touch $@

# One rule per board: make qemu_x86_64_defconfig
define board_defconfig
$(subst -,_,$(1))_defconfig: | host-tools $(O)/config/.dir
	$(Q)cd $(O)/config && $(KCONF_ENV) kconfig-conf --defconfig=$(TOP)/board/$(1)/defconfig $(TOP)/Kconfig >/dev/null
	@echo "  CONFIG  .config from board/$(1)/defconfig"
endef
$(foreach b,$(BOARDS),$(eval $(call board_defconfig,$(b))))

defconfig: $(subst -,_,$(DEFAULT_BOARD))_defconfig

menuconfig: | host-tools $(O)/config/.dir
	$(Q)[ -f $(CONFIG) ] || $(MAKE) --no-print-directory defconfig
	$(Q)cd $(O)/config && $(KCONF_ENV) kconfig-mconf $(TOP)/Kconfig

olddefconfig: | host-tools $(O)/config/.dir
	$(Q)cd $(O)/config && $(KCONF_ENV) kconfig-conf --olddefconfig $(TOP)/Kconfig >/dev/null
	@echo "  CONFIG  .config updated with defaults for new options"

# Buildroot's way: the minimal config goes back to the board's defconfig.
savedefconfig: | host-tools $(O)/config/.dir
	$(Q)board=$$(sed -n 's/^CONFIG_BOARD_NAME="\(.*\)"/\1/p' $(CONFIG)); \
	cd $(O)/config && $(KCONF_ENV) kconfig-conf --savedefconfig=$(TOP)/board/$$board/defconfig $(TOP)/Kconfig >/dev/null && \
	echo "  CONFIG  saved board/$$board/defconfig"

$(CONFIG): | host-tools $(O)/config/.dir
	$(Q)cd $(O)/config && $(KCONF_ENV) kconfig-conf --defconfig=$(TOP)/board/$(DEFAULT_BOARD)/defconfig $(TOP)/Kconfig >/dev/null
	@echo "  CONFIG  no .config: using board/$(DEFAULT_BOARD)/defconfig"

# auto.conf and autoconf.h are written to temporary files and renamed by
# kconfig-conf, so a build never sees half of either.
# Options added to Kconfig since .config was written get their defaults
# (olddefconfig) rather than stopping a non-interactive build with questions.
$(O)/config/auto.conf $(O)/config/autoconf.h &: $(CONFIG) $(KCONFIG_FILES) | host-tools $(O)/config/.dir
	$(Q)cd $(O)/config && $(KCONF_ENV) kconfig-conf --olddefconfig $(TOP)/Kconfig > /dev/null
	$(Q)cd $(O)/config && $(KCONF_ENV) KCONFIG_AUTOCONFIG=$(O)/config/auto.conf \
		KCONFIG_AUTOHEADER=$(O)/config/autoconf.h kconfig-conf --silentoldconfig $(TOP)/Kconfig
	@echo "  CONFIG  build/config/auto.conf build/config/autoconf.h"
	$(Q)touch $(O)/config/auto.conf $(O)/config/autoconf.h

ifeq ($(filter $(NO_CONFIG_GOALS),$(MAKECMDGOALS)),)
include $(O)/config/auto.conf
endif
BOARD := $(patsubst "%",%,$(CONFIG_BOARD_NAME))
BOARD_DIR := $(TOP)/board/$(BOARD)

# --------------------------------------------------------------- compilers
SYSROOT := $(O)/sysroot
CC := musl-gcc
STRIP := strip
# musl has no _FORTIFY_SOURCE support of its own, so it is not set.
CFLAGS := -std=gnu11 -Os -Wall -Wextra -Werror -fstack-protector-strong \
	-ffunction-sections -fdata-sections -D_GNU_SOURCE \
	-I$(TOP) -I$(O)/config -isystem $(SYSROOT)/include
LDFLAGS := -static -Wl,--gc-sections -L$(SYSROOT)/lib

# Host compiler for unit tests and build-host tools.
HOSTCC := gcc
HOSTCFLAGS := -std=gnu11 -O1 -g -Wall -Wextra -Werror -D_GNU_SOURCE -I$(TOP) -I$(O)/config

# ------------------------------------------------------------ the parts
# Programs add themselves to progs-y; rootfs/build.mk (included after every
# program's build.mk) packs them all.
progs-y :=
unit-tests :=
fuzz-targets :=
BINS = $(addprefix $(O)/bin/,$(progs-y))
include lib/build.mk
include init/build.mk
include runtime/build.mk
include tools/build.mk
include board/build.mk
include rootfs/build.mk
include tests/build.mk
include bench/build.mk

# Objects: build/obj/<dir>/<file>.o, with header dependencies from -MMD.
$(O)/obj/%.o: $(TOP)/%.c $(O)/config/autoconf.h | deps
	@mkdir -p $(dir $@)
	@echo "  CC      $*.c"
	$(Q)$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

LIBBERTH := $(O)/obj/libberth.a
$(LIBBERTH): $(addprefix $(O)/obj/,$(lib-objs-y))
	@echo "  AR      libberth.a"
	$(Q)rm -f $@ && ar rcs $@ $^

# One static, stripped program per entry in progs-y: build/bin/NAME
# (the unstripped one, for debugging, stays in build/obj/NAME.elf).
define prog_rule
$(O)/obj/$(1).elf: $$(addprefix $(O)/obj/,$$($(1)-objs-y)) $(LIBBERTH)
	@echo "  LD      $(1)"
	$(Q)$(CC) $(LDFLAGS) -o $$@ $$(filter %.o,$$^) $(LIBBERTH) $$($(1)-libs)
$(O)/bin/$(1): $(O)/obj/$(1).elf
	@mkdir -p $$(dir $$@)
	$(Q)$(STRIP) -o $$@ $$<
endef
$(foreach p,$(progs-y),$(eval $(call prog_rule,$(p))))

-include $(shell find $(O)/obj $(O)/unit $(O)/fuzz -name '*.d' 2>/dev/null)

# --------------------------------------------------------------- goals
.PHONY: all bins
all: image
bins: $(BINS)

.PHONY: clean distclean help
# clean keeps what is slow to get and not ours: downloads, dependency builds,
# the kernel, and data.img (the appliance's persistent state).
clean:
	rm -rf $(O)/obj $(O)/bin $(O)/unit $(O)/fuzz $(O)/rootfs $(O)/test $(O)/images/initramfs*.cpio.* $(O)/images/berth*
distclean:
	rm -rf $(O) $(CONFIG) $(CONFIG).old

help:
	@echo "berth build targets"
	@echo "  all (default)        binaries, kernel and images under build/"
	@echo "  run                  build and boot the production image in qemu on this terminal (ctrl-a x quits); DEV=1: the development image, with a console shell"
	@echo "  run-bg / stop        boot in the background until 'berth: ready' / power it off"
	@echo "  check                unit, host and system tests (check-unit, check-host, check-system)"
	@echo "  check-system-uefi    the system tests booting the disk image through OVMF (not in check)"
	@echo "  check-pc             pc-x86_64's disk image (build/pc) booted as a PC: NVMe, e1000e (not in check)"
	@echo "  bench                benchmarks under bench/ (bench-boot; bench-boot-soak N=… counts hung boots)"
	@echo "  image                build/images/{vmlinuz,initramfs{,-dev}.cpio.lz4,data.img} and sizes"
	@echo "  disk                 build/images/berth.img (+ .bmap): the GPT disk image for hosts, UEFI, A/B slots (docs/disk.md); DEV=1: berth-dev.img"
	@echo "  run-disk             boot a copy of the disk image through UEFI firmware (OVMF) on this terminal; DISK_SIZE=2G"
	@echo "  deps                 fetch, verify and build the pinned dependencies"
	@echo "  <board>_defconfig    .config from board/<board>/defconfig: $(foreach b,$(BOARDS),$(subst -,_,$(b))_defconfig)"
	@echo "  menuconfig           edit .config"
	@echo "  olddefconfig         defaults for options .config does not set"
	@echo "  savedefconfig        write the minimal config back to the board's defconfig"
	@echo "  clean / distclean    remove outputs / everything including downloads and .config"
	@echo "Variables: V=1 shows commands; SITE=dir bakes a site's keys and settings in."

# tests/ — make check runs three layers (unit, host, system); each prints
# "LAYER: N passed, N failed, N skipped", then tests/check.sh the total.

# -------------------------------------------------------------- unit tests
# Built with the host gcc and ASan/UBSan; any sanitizer report fails the test.
UNIT_CFLAGS := $(HOSTCFLAGS) -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer -isystem $(SYSROOT)/include
UNIT_LDFLAGS := -fsanitize=address,undefined

# Each subsystem's build.mk adds its tests to unit-tests and lists, for a
# test named test_X (tests/unit/test_X.c), the sources it links in test_X-srcs.

$(O)/unit/obj/%.o: $(TOP)/%.c $(O)/config/autoconf.h | deps
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $*.c (unit)"
	$(Q)$(HOSTCC) $(UNIT_CFLAGS) -MMD -MP -c $< -o $@
# inih's own ini.c is compiled with the settings its installed header records.
$(O)/unit/obj/build/src/libinih/ini.o: UNIT_CFLAGS += -include $(SYSROOT)/include/ini.h -Wno-error

define unit_rule
$(O)/unit/$(1): $(O)/unit/obj/tests/unit/$(1).o $$(patsubst %.c,$(O)/unit/obj/%.o,$$($(1)-srcs))
	@echo "  HOSTLD  $(1)"
	$(Q)$(HOSTCC) $(UNIT_LDFLAGS) -o $$@ $$^
endef
$(foreach t,$(unit-tests),$(eval $(call unit_rule,$(t))))
UNIT_BINS := $(addprefix $(O)/unit/,$(unit-tests))

# ------------------------------------------------------------------ layers
# The tests boot the development image: they drive its console shell.
check check-host check-system check-system-uefi: DEV = 1
TEST_ENV = BERTH_TOP=$(TOP) BERTH_BUILD=$(O) FUZZ_BINS="$(FUZZ_BINS)" $(QEMU_ENV)
HOST_TESTS = $(sort $(wildcard $(TOP)/tests/host/*.sh))
SYSTEM_TESTS = $(sort $(wildcard $(TOP)/tests/system/*.sh))

.PHONY: check check-unit check-host check-system check-system-uefi unit-bins
unit-bins: $(UNIT_BINS)
check-unit: $(UNIT_BINS)
	$(Q)$(TOP)/tests/run-layer.sh unit $(UNIT_BINS)
check-host: image fuzz-bins
	$(Q)$(TEST_ENV) $(TOP)/tests/run-layer.sh host $(HOST_TESTS)
check-system: image
	$(Q)$(TEST_ENV) $(TOP)/tests/run-layer.sh system $(SYSTEM_TESTS)
# The same system tests booting the disk image through OVMF instead of
# -kernel (tests/lib/vm.sh, docs/testing-uefi.md); not part of check: it
# takes about as long again as the system layer.
check-system-uefi: image disk-dev $(IMAGES)/berth.img
	$(Q)$(TEST_ENV) BERTH_VM_BOOT=uefi $(TOP)/tests/run-layer.sh system-uefi $(SYSTEM_TESTS)
check: image $(UNIT_BINS) fuzz-bins | host-tools
	$(Q)$(TEST_ENV) UNIT_BINS="$(UNIT_BINS)" HOST_TESTS="$(HOST_TESTS)" \
		SYSTEM_TESTS="$(SYSTEM_TESTS)" $(TOP)/tests/check.sh

# -------------------------------------------------------------- fuzz targets
# A subsystem adds fuzz_X to fuzz-targets, with tests/fuzz/fuzz_X.c defining
# LLVMFuzzerTestOneInput, fuzz_X-srcs the sources it links and fuzz_X-libs
# any static libraries; seeds are the files in tests/fuzz/corpus/X/ and what
# tests/fuzz/seeds/X.sh DIR writes. tests/host/fuzz.sh builds nothing: make check builds
# them (when clang's libFuzzer is there) and the host layer runs each for
# FUZZ_SECONDS (default 10).
FUZZ_CC := clang-14
FUZZ_CFLAGS := -std=gnu11 -g -O1 -Wall -D_GNU_SOURCE -I$(TOP) -I$(O)/config -isystem $(SYSROOT)/include \
	-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
$(O)/fuzz/obj/%.o: $(TOP)/%.c $(O)/config/autoconf.h | deps
	@mkdir -p $(dir $@)
	@echo "  FUZZCC  $*.c"
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -MMD -MP -c $< -o $@
$(O)/fuzz/obj/build/src/libinih/ini.o: FUZZ_CFLAGS += -include $(SYSROOT)/include/ini.h
define fuzz_rule
$(O)/fuzz/$(1): $(O)/fuzz/obj/tests/fuzz/$(1).o $$(patsubst %.c,$(O)/fuzz/obj/%.o,$$($(1)-srcs))
	@echo "  FUZZLD  $(1)"
	$(Q)$(FUZZ_CC) -fsanitize=fuzzer,address,undefined -o $$@ $$^ $$($(1)-libs)
endef
$(foreach t,$(fuzz-targets),$(eval $(call fuzz_rule,$(t))))
FUZZ_BINS := $(addprefix $(O)/fuzz/,$(fuzz-targets))
.PHONY: fuzz-bins
fuzz-bins: $(FUZZ_BINS)

# ---------------------------------------------------------------- pc-x86_64
# make check-pc: the pc-x86_64 board's disk image (berth.img, what is
# flashed), built in $(O)/pc with its own .config, booted under OVMF as a PC
# would boot it: the disk on NVMe, an e1000e NIC, an i6300esb watchdog
# (tests/pc/pc_boot.sh, docs/testing-uefi.md). The userland dependencies are
# board-independent musl builds: $(O)/pc starts from a copy of this build's
# (sysroot, pins, stamps) and shares its downloads and apt state, so only
# berth's own code, the generic kernel's modules and the image are built.
# Not part of check: it costs minutes (the generic kernel is a 70 MB .deb).
PC_O := $(O)/pc
.PHONY: pc-disk check-pc
pc-disk: $(DEP_STAMPS) | host-tools
	$(Q)if [ ! -f $(PC_O)/.config ]; then \
		mkdir -p $(PC_O)/stamp && cp -a $(O)/sysroot $(O)/pins $(PC_O)/ && cp -a $(DEP_STAMPS) $(PC_O)/stamp/ && \
		ln -sfn $(O)/apt $(PC_O)/apt && \
		$(MAKE) --no-print-directory O=$(PC_O) pc_x86_64_defconfig; fi
	$(Q)BERTH_DL_DIR=$(O)/dl $(MAKE) --no-print-directory O=$(PC_O) DEV=0 disk
check-pc: pc-disk
	$(Q)$(TEST_ENV) PC_BUILD=$(PC_O) $(TOP)/tests/run-layer.sh pc $(TOP)/tests/pc/pc_boot.sh

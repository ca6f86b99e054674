# bench/ — benchmarks; each prints its numbers (and ratios against peers
# measured in the same run, where there are peers).
.PHONY: bench bench-boot
N ?= 5
bench-boot: image
	$(Q)BERTH_TOP=$(TOP) BERTH_BUILD=$(O) $(QEMU_ENV) $(TOP)/bench/boot $(N)
bench: bench-boot

# bench/ — benchmarks; each prints its numbers (and ratios against peers
# measured in the same run, where there are peers).
.PHONY: bench bench-boot bench-launch bench-image bench-engine
N ?= 5
bench-boot: image
	$(Q)BERTH_TOP=$(TOP) BERTH_BUILD=$(O) $(QEMU_ENV) $(TOP)/bench/boot $(N)
# bench/boot --soak: N boots, counting hung ones (SOAK_HOGS=K busy host loops).
.PHONY: bench-boot-soak
bench-boot-soak: image
	$(Q)BERTH_TOP=$(TOP) BERTH_BUILD=$(O) $(QEMU_ENV) $(TOP)/bench/boot --soak $(N)
# bench/launch: berth-run against crun and runc (needs root, crun, runc).
bench-launch: bins $(O)/host/seccomp_gen
	$(Q)BERTH_BUILD=$(O) $(TOP)/bench/launch/run.sh
# bench/image: berth-image load against gzip -dc | sha256sum + tar -x (needs root).
bench-image: bins
	$(Q)BERTH_TOP=$(TOP) BERTH_BUILD=$(O) $(TOP)/bench/image/run.sh
bench: bench-boot bench-launch bench-image bench-engine bench-pull
# bench/pull: docker pull from a loopback registry, berthd beside dockerd (needs root,
# docker-registry, skopeo).
.PHONY: bench-pull
bench-pull: bins
	$(Q)BERTH_BUILD=$(O) $(TOP)/bench/pull/run.sh
# bench/engine: berthd beside Debian's dockerd (keep-alive /_ping, idle RSS; needs root).
# The load clients (pingload, tlsload) share bench/lib/load.c's loop.
bench-load-srcs := $(TOP)/bench/lib/load.c $(TOP)/bench/lib/load.h
$(O)/host/pingload: $(TOP)/bench/engine/pingload.c $(bench-load-srcs) | host-tools
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  bench/engine/pingload.c"
	$(Q)$(HOSTCC) $(HOSTCFLAGS) -O2 -pthread -o $@ $< $(TOP)/bench/lib/load.c
.PHONY: bench-engine
bench-engine: bins $(O)/host/pingload
	$(Q)BERTH_BUILD=$(O) $(TOP)/bench/engine/run.sh
# bench/metrics: berthd's GET /metrics with 1 and 50 containers beside
# prometheus-node-exporter (latency, CPU per scrape, bytes, RSS; needs root).
.PHONY: bench-metrics
bench-metrics: bins
	$(Q)BERTH_BUILD=$(O) $(TOP)/bench/metrics/run.sh
bench: bench-metrics
# bench/api: berth-apid beside dockerd --tlsverify and openssl s_server (mTLS
# handshakes per server CPU-second, resumption, keep-alive /_ping with ab -k,
# RSS idle and with 200 connections; needs root, openssl, libssl-dev, ab,
# dockerd).
$(O)/host/tlsload: $(TOP)/bench/api/tlsload.c $(bench-load-srcs) | host-tools
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  bench/api/tlsload.c"
	$(Q)$(HOSTCC) $(HOSTCFLAGS) -O2 -pthread -o $@ $< $(TOP)/bench/lib/load.c -lssl -lcrypto
.PHONY: bench-api
bench-api: bins $(O)/host/tlsspeed $(O)/host/tlsload
	$(Q)BERTH_BUILD=$(O) $(TOP)/bench/api/run.sh
bench: bench-api

# runtime/engine/ — berthd, the engine: the Docker Engine API on a Unix
# socket (server, router, replies), images, volumes, events; E2's containers.
progs-$(CONFIG_ENGINE) += berthd
# recursive (=): the parts E2 links (NET_OBJS, POLICY_OBJS) are defined by
# build.mk files included after this one
berthd-objs-y = runtime/engine/main.o runtime/engine/conf.o runtime/engine/server.o \
	runtime/engine/reply.o runtime/engine/router.o runtime/engine/events.o \
	runtime/engine/filters.o runtime/engine/api_util.o runtime/engine/api_system.o \
	runtime/engine/images.o runtime/engine/api_images.o runtime/engine/api_images_load.o runtime/engine/api_pull.o runtime/engine/volumes.o runtime/engine/api_volumes.o runtime/engine/weak_ctr.o runtime/engine/sandbox.o \
	runtime/engine/ctr.o runtime/engine/ctr_rec.o runtime/engine/ctr_spec.o runtime/engine/ctr_run.o runtime/engine/ctr_stop.o \
	runtime/engine/ctr_json.o runtime/engine/ctr_logs.o runtime/engine/ctr_stats.o \
	runtime/engine/api_containers.o runtime/engine/api_exec.o runtime/engine/api_slots.o runtime/engine/api_networks.o \
	$(POLICY_OBJS) $(NET_OBJS) runtime/shim/client.o runtime/shim/spawn.o runtime/shim/proto.o runtime/shim/state.o runtime/shim/spec.o runtime/shim/logfile.o runtime/shim/logfile_w.o \
	runtime/launch/spec.o runtime/image/overlay.o \
	runtime/image/import.o runtime/image/import_layers.o runtime/image/archive.o \
	runtime/image/layer.o runtime/image/zs.o runtime/image/store.o runtime/image/store_gc.o runtime/image/imgconf.o \
	runtime/image/tar.o runtime/image/gz.o runtime/image/digest.o runtime/image/sha_ni.o \
	runtime/image/manifest.o runtime/fetch/dist.o runtime/fetch/dist_ref.o runtime/fetch/proto.o
berthd-libs := -lbearssl -lz -lzstd -lcap -linih -lpthread

# The request path without handlers (route tables of its own): parser,
# decoded path, version prefix, router.
fuzz-targets += fuzz_engine_route
fuzz_engine_route-srcs := runtime/engine/router.c lib/pathmatch.c lib/http.c lib/http_w.c lib/err.c
unit-tests += test_engine_router
test_engine_router-srcs := runtime/engine/router.c lib/pathmatch.c lib/err.c
unit-tests += test_engine_events
test_engine_events-srcs := runtime/engine/events.c runtime/engine/filters.c runtime/engine/api_util.c \
	lib/json.c lib/json_w.c lib/http.c lib/http_w.c lib/err.c

# E2: the containers — the record on disk.
unit-tests += test_ctr_rec
test_ctr_rec-srcs := runtime/engine/ctr_rec.c lib/json.c lib/json_w.c lib/fs.c lib/util.c lib/err.c
# container.json's reader, fed anything, and its round trip
fuzz-targets += fuzz_ctr_rec
fuzz_ctr_rec-srcs := runtime/engine/ctr_rec.c lib/json.c lib/json_w.c lib/fs.c lib/util.c lib/err.c

# Issue 12: GET /metrics (docs/metrics.md).
berthd-objs-y += runtime/engine/api_metrics.o runtime/engine/metrics_host.o \
	runtime/engine/metrics_ctr.o runtime/engine/metrics_ctr_out.o runtime/engine/metrics_svc.o
# berth_build_info's revision: `git describe --always --dirty` at build time,
# as os-release's VERSION_ID; the header is rewritten only when it changes.
$(O)/gen/berth_revision.h: FORCE
	@mkdir -p $(dir $@)
	$(Q)r=$$(git -C $(TOP) describe --always --dirty 2>/dev/null || echo unknown); \
	printf '#define BERTH_REVISION "%s"\n' "$$r" > $@.tmp; \
	if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi
$(O)/obj/runtime/engine/api_metrics.o: $(O)/gen/berth_revision.h
$(O)/obj/runtime/engine/api_metrics.o: CFLAGS += -I$(O)/gen
.PHONY: FORCE
FORCE:
unit-tests += test_metrics
test_metrics-srcs := runtime/engine/metrics_host.c runtime/engine/metrics_ctr_out.c runtime/engine/metrics_svc.c lib/sock.c lib/cgroup.c lib/prom.c lib/fs.c lib/util.c lib/err.c
# names are bounded by dist_ref_parse (≤ 255 + tag) and checked after formatting
$(O)/obj/runtime/engine/api_pull.o: CFLAGS += -Wno-format-truncation
# the site's signature on a system update (api_slots.c, docs/disk.md)
berthd-objs-y += runtime/engine/update_sig.o
unit-tests += test_update_sig
test_update_sig-srcs := runtime/engine/update_sig.c runtime/image/digest.c runtime/image/sha_ni.c lib/err.c
$(O)/unit/test_update_sig: $(SYSROOT)/lib/libbearssl.a

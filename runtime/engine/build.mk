# runtime/engine/ — berthd, the engine: the Docker Engine API on a Unix
# socket (server, router, replies), images, volumes, events; E2's containers.
progs-$(CONFIG_ENGINE) += berthd
# recursive (=): the parts E2 links (NET_OBJS, POLICY_OBJS) are defined by
# build.mk files included after this one
berthd-objs-y = runtime/engine/main.o runtime/engine/conf.o runtime/engine/server.o \
	runtime/engine/reply.o runtime/engine/router.o runtime/engine/events.o \
	runtime/engine/filters.o runtime/engine/api_util.o runtime/engine/api_system.o \
	runtime/engine/images.o runtime/engine/api_images.o runtime/engine/api_images_load.o runtime/engine/volumes.o runtime/engine/api_volumes.o runtime/engine/weak_ctr.o runtime/engine/sandbox.o \
	runtime/engine/ctr.o runtime/engine/ctr_rec.o runtime/engine/ctr_spec.o runtime/engine/ctr_run.o runtime/engine/ctr_stop.o \
	runtime/engine/ctr_json.o runtime/engine/ctr_logs.o runtime/engine/ctr_stats.o \
	runtime/engine/api_containers.o runtime/engine/api_exec.o runtime/engine/api_slots.o \
	$(POLICY_OBJS) $(NET_OBJS) runtime/shim/client.o runtime/shim/spawn.o runtime/shim/proto.o runtime/shim/state.o runtime/shim/spec.o runtime/shim/logfile.o runtime/shim/logfile_w.o \
	runtime/launch/spec.o runtime/image/overlay.o \
	runtime/image/import.o runtime/image/import_layers.o runtime/image/archive.o \
	runtime/image/layer.o runtime/image/store.o runtime/image/store_gc.o runtime/image/imgconf.o \
	runtime/image/tar.o runtime/image/gz.o runtime/image/digest.o runtime/image/sha_ni.o \
	runtime/image/manifest.o
berthd-libs := -lbearssl -lz -lcap -linih -lpthread

# The request path without handlers (route tables of its own): parser,
# decoded path, version prefix, router.
fuzz-targets += fuzz_engine_route
fuzz_engine_route-srcs := runtime/engine/router.c lib/http.c lib/http_w.c lib/err.c
unit-tests += test_engine_router
test_engine_router-srcs := runtime/engine/router.c lib/err.c
unit-tests += test_engine_events
test_engine_events-srcs := runtime/engine/events.c runtime/engine/filters.c runtime/engine/api_util.c \
	lib/json.c lib/http.c lib/http_w.c lib/err.c

# E2: the containers — the record on disk.
unit-tests += test_ctr_rec
test_ctr_rec-srcs := runtime/engine/ctr_rec.c lib/json.c lib/json_w.c lib/fs.c lib/util.c lib/err.c
# container.json's reader, fed anything, and its round trip
fuzz-targets += fuzz_ctr_rec
fuzz_ctr_rec-srcs := runtime/engine/ctr_rec.c lib/json.c lib/json_w.c lib/fs.c lib/util.c lib/err.c
# the site's signature on a system update (api_slots.c, docs/disk.md)
berthd-objs-y += runtime/engine/update_sig.o
unit-tests += test_update_sig
test_update_sig-srcs := runtime/engine/update_sig.c runtime/image/digest.c runtime/image/sha_ni.c lib/err.c
$(O)/unit/test_update_sig: $(SYSROOT)/lib/libbearssl.a

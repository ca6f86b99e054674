# runtime/image/ — image store: berth-image (import, store, overlay mounts)
# and berth-unpack (one sandboxed process per layer).
IMAGE_PARSE_OBJS := runtime/image/tar.o runtime/image/gz.o runtime/image/digest.o runtime/image/sha_ni.o \
	runtime/image/manifest.o

# Paths are built with snprintf into bounded buffers whose inputs are
# bounded first (data root <= STORE_PATH_MAX - 256, digests 71 bytes), so
# gcc's may-truncate guesses are noise here.
$(O)/obj/runtime/image/%.o: CFLAGS += -Wno-format-truncation
$(O)/unit/obj/runtime/image/%.o: UNIT_CFLAGS += -Wno-format-truncation

progs-$(CONFIG_IMAGE) += berth-unpack
berth-unpack-objs-y := runtime/image/unpack_main.o runtime/image/unpack.o \
	runtime/image/unpack_sandbox.o runtime/image/tar.o
berth-unpack-libs := -lcap

unit-tests += test_tar test_gz test_zs test_digest test_manifest test_unpack test_store
test_store-srcs := runtime/image/store.c runtime/image/store_gc.c runtime/image/manifest.c \
	lib/json.c runtime/image/digest.c runtime/image/sha_ni.c lib/util.c lib/fs.c lib/err.c
test_unpack-srcs := runtime/image/unpack.c runtime/image/tar.c lib/util.c lib/fs.c lib/err.c
test_tar-srcs := runtime/image/tar.c lib/err.c
test_gz-srcs := runtime/image/gz.c runtime/image/tar.c lib/err.c
test_zs-srcs := runtime/image/zs.c lib/err.c
test_digest-srcs := runtime/image/digest.c runtime/image/sha_ni.c lib/err.c
test_manifest-srcs := runtime/image/manifest.c lib/json.c runtime/image/digest.c runtime/image/sha_ni.c lib/err.c
# the unit tests link the pinned static libraries (built for musl; the parts
# used here are plain C)
$(O)/unit/test_gz: $(SYSROOT)/lib/libz.a
$(O)/unit/test_zs: $(SYSROOT)/lib/libzstd.a
$(O)/unit/test_digest: $(SYSROOT)/lib/libbearssl.a
$(O)/unit/test_manifest: $(SYSROOT)/lib/libbearssl.a
$(O)/unit/test_store: $(SYSROOT)/lib/libbearssl.a

progs-$(CONFIG_IMAGE) += berth-image
berth-image-objs-y := runtime/image/image_main.o runtime/image/import.o runtime/image/import_layers.o \
	runtime/image/archive.o \
	runtime/image/layer.o runtime/image/store.o runtime/image/store_gc.o \
	runtime/image/overlay.o runtime/image/zs.o $(IMAGE_PARSE_OBJS)
berth-image-libs := -lbearssl -lz -lzstd

fuzz-targets += fuzz_tar fuzz_manifest fuzz_archive
fuzz_tar-srcs := runtime/image/tar.c runtime/image/gz.c runtime/image/unpack.c lib/err.c lib/util.c lib/fs.c
fuzz_tar-libs := $(SYSROOT)/lib/libz.a
fuzz_archive-srcs := runtime/image/archive.c runtime/image/tar.c runtime/image/gz.c runtime/image/unpack.c \
	runtime/image/digest.c runtime/image/sha_ni.c lib/err.c lib/util.c lib/fs.c
fuzz_archive-libs := $(SYSROOT)/lib/libz.a $(SYSROOT)/lib/libbearssl.a
fuzz_manifest-srcs := runtime/image/manifest.c lib/json.c lib/json_w.c runtime/image/digest.c \
	runtime/image/sha_ni.c lib/err.c lib/util.c lib/fs.c
fuzz_manifest-libs := $(SYSROOT)/lib/libbearssl.a

# The image config reader berthd uses for inspect and container defaults.
unit-tests += test_imgconf
test_imgconf-srcs := runtime/image/imgconf.c lib/json.c lib/err.c
fuzz-targets += fuzz_imgconf
fuzz_imgconf-srcs := runtime/image/imgconf.c lib/json.c lib/err.c

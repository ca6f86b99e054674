# runtime/image/ — image store: berth-image (import, store, overlay mounts)
# and berth-unpack (one sandboxed process per layer).
IMAGE_PARSE_OBJS := runtime/image/tar.o runtime/image/gz.o runtime/image/digest.o \
	runtime/image/json.o runtime/image/manifest.o

unit-tests += test_tar test_gz test_digest test_manifest
test_tar-srcs := runtime/image/tar.c lib/err.c
test_gz-srcs := runtime/image/gz.c runtime/image/tar.c lib/err.c
test_digest-srcs := runtime/image/digest.c lib/err.c
test_manifest-srcs := runtime/image/manifest.c runtime/image/json.c runtime/image/digest.c lib/err.c
# the unit tests link the pinned static libraries (built for musl; the parts
# used here are plain C)
$(O)/unit/test_gz: $(SYSROOT)/lib/libz.a
$(O)/unit/test_digest: $(SYSROOT)/lib/libbearssl.a
$(O)/unit/test_manifest: $(SYSROOT)/lib/libbearssl.a

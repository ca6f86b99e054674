# runtime/fetch/ — docker pull: the distribution protocol (pure functions).
FETCH_DIST_OBJS := runtime/fetch/dist.o runtime/fetch/dist_ref.o

unit-tests += test_dist
test_dist-srcs := runtime/fetch/dist.c runtime/fetch/dist_ref.c runtime/image/manifest.c \
	runtime/image/digest.c runtime/image/sha_ni.c lib/json.c lib/err.c
$(O)/unit/test_dist: $(SYSROOT)/lib/libbearssl.a

fuzz-targets += fuzz_dist
fuzz_dist-srcs := runtime/fetch/dist.c runtime/fetch/dist_ref.c runtime/image/manifest.c \
	runtime/image/digest.c runtime/image/sha_ni.c lib/json.c lib/err.c
fuzz_dist-libs := $(SYSROOT)/lib/libbearssl.a

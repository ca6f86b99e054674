# runtime/fetch/ — docker pull: the distribution protocol (pure functions).
FETCH_DIST_OBJS := runtime/fetch/dist.o runtime/fetch/dist_ref.o

unit-tests += test_dist
test_dist-srcs := runtime/fetch/dist.c runtime/fetch/dist_ref.c runtime/image/manifest.c \
	runtime/image/digest.c runtime/image/sha_ni.c lib/json.c lib/err.c
$(O)/unit/test_dist: $(SYSROOT)/lib/libbearssl.a

fuzz-targets += fuzz_dist
fuzz_dist-srcs := runtime/fetch/dist.c runtime/fetch/dist_ref.c runtime/fetch/dns.c runtime/image/manifest.c \
	runtime/image/digest.c runtime/image/sha_ni.c lib/json.c lib/err.c
fuzz_dist-libs := $(SYSROOT)/lib/libbearssl.a

# berth-fetch: one per pull, started by berthd; its own uid, no capabilities,
# no_new_privs, its seccomp filter (tools/seccomp/table_fetch.c).
progs-$(CONFIG_FETCH) += berth-fetch
berth-fetch-objs-y := runtime/fetch/fetch_main.o runtime/fetch/client.o runtime/fetch/proto.o runtime/fetch/dns.o \
	$(FETCH_DIST_OBJS) runtime/image/manifest.o runtime/image/digest.o runtime/image/sha_ni.o
berth-fetch-libs := -lbearssl -lcap -lpthread

unit-tests += test_fetch_proto
test_fetch_proto-srcs := runtime/fetch/proto.c lib/err.c

unit-tests += test_dns
test_dns-srcs := runtime/fetch/dns.c lib/err.c

# runtime/api/ — berth-apid: the Docker Engine API over TLS with client
# certificates, roles, the parameter policy, and appliance endpoints.
API_CORE_SRCS := runtime/api/route.c lib/pathmatch.c runtime/api/gate.c runtime/api/conf.c
# What the host-built tests link with the core (policy's own list).
API_TEST_SRCS = $(API_CORE_SRCS) $(POLICY_TEST_SRCS) lib/conf.c build/src/libinih/ini.c

unit-tests += test_api_route
test_api_route-srcs = $(API_TEST_SRCS)
$(O)/unit/test_api_route: $(HOST_LIBCAP)

fuzz-targets += fuzz_api_route
fuzz_api_route-srcs = $(API_TEST_SRCS) lib/http.c lib/http_w.c
fuzz_api_route-libs := $(HOST_LIBCAP)

progs-$(CONFIG_API) += berth-apid
berth-apid-objs-y = runtime/api/main.o runtime/api/server.o runtime/api/proxy.o \
	runtime/api/relay.o runtime/api/local.o runtime/api/logs.o runtime/api/metrics.o runtime/api/audit.o \
	runtime/api/privsep.o $(API_CORE_SRCS:.c=.o) $(POLICY_OBJS)
berth-apid-libs := -lbearssl -lcap -linih -lpthread

# A client certificate through lib/tls's decoding and the role mapping.
fuzz-targets += fuzz_api_cert
fuzz_api_cert-srcs = runtime/api/conf.c runtime/api/route.c lib/pathmatch.c $(TLS_SRCS) $(POLICY_TEST_SRCS) \
	lib/conf.c build/src/libinih/ini.c
fuzz_api_cert-libs := $(HOST_LIBCAP) $(SYSROOT)/lib/libbearssl.a -lpthread

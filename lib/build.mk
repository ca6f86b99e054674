# lib/ — code shared by several programs, linked as build/obj/libberth.a.
lib-objs-y := lib/err.o lib/log.o lib/util.o lib/fs.o

unit-tests += test_err test_log test_util test_fs
test_err-srcs := lib/err.c
test_log-srcs := lib/log.c lib/err.c
test_util-srcs := lib/util.c lib/fs.c lib/err.c
# The sandbox: capability sets through libcap, seccomp, and the one
# privilege drop over both; the filters generated at build time from
# tools/seccomp's tables are archived here with them.
lib-objs-y += lib/caps.o lib/seccomp.o lib/sandbox.o
SECCOMP_PROGS := default unpack dhcpc proxy berthd fetch apid
lib-objs-y += $(foreach p,$(SECCOMP_PROGS),build/gen/seccomp_$(p).o)
unit-tests += test_caps test_sandbox test_sandbox_oldcaps
test_caps-srcs := lib/caps.c lib/fs.c lib/util.c lib/err.c
test_sandbox-srcs := lib/sandbox.c lib/caps.c lib/seccomp.c lib/fs.c lib/util.c lib/err.c \
	build/gen/seccomp_default.c
# the same tests with lib/caps built to know fewer capabilities than the kernel
test_sandbox_oldcaps-srcs := $(filter-out lib/caps.c,$(test_sandbox-srcs))
# libcap for the host-built tests: the system's shared library (the sysroot's
# is built for musl), with the sysroot's headers of the same version.
HOST_LIBCAP := $(firstword $(wildcard /usr/lib/*/libcap.so.2 /lib/*/libcap.so.2))
$(O)/unit/test_caps $(O)/unit/test_sandbox $(O)/unit/test_sandbox_oldcaps: $(HOST_LIBCAP)

# rtnetlink requests (link up, address, default route): init and berth-dhcpc.
lib-objs-y += lib/netlink.o
unit-tests += test_netlink
test_netlink-srcs := lib/netlink.c lib/err.c
test_fs-srcs := lib/fs.c lib/util.c lib/err.c
# JSON: jsmn reader checked strictly, bounded writer (issue 8).
lib-objs-y += lib/json.o lib/json_w.o
unit-tests += test_json
test_json-srcs := lib/json.c lib/json_w.c lib/err.c
fuzz-targets += fuzz_json
fuzz_json-srcs := lib/json.c lib/json_w.c lib/err.c
# HTTP/1.1: incremental bounded parser, writer, target and query helpers (issue 8).
lib-objs-y += lib/http.o lib/http_w.o lib/pathmatch.o
unit-tests += test_http
test_http-srcs := lib/http.c lib/http_w.c lib/err.c
fuzz-targets += fuzz_http
fuzz_http-srcs := lib/http.c lib/http_w.c lib/err.c

# One event loop (epoll fds, heap timers): PID 1 now, berthd and berth-apid later.
lib-objs-y += lib/evloop.o
unit-tests += test_evloop
test_evloop-srcs := lib/evloop.c lib/err.c

# ini configuration (inih) and typed values (capability names through libcap).
lib-objs-y += lib/conf.o lib/conf_value.o
# What a host-built test or fuzz target links for lib/conf: libcap is the
# system's shared library (the sysroot's is built for musl), with the
# sysroot's headers of the same version.
CONF_SRCS := lib/conf.c lib/conf_value.c lib/caps.c lib/fs.c lib/util.c lib/err.c \
	build/src/libinih/ini.c
unit-tests += test_lib_conf
test_lib_conf-srcs := $(CONF_SRCS)
$(O)/unit/test_lib_conf: $(HOST_LIBCAP)

# Unix sockets: listening with mode and owner set first, peer credentials.
lib-objs-y += lib/sock.o
unit-tests += test_sock
test_sock-srcs := lib/sock.c lib/fs.c lib/util.c lib/err.c

# cgroup v2 groups: the launcher's containers and init's services (issue 8).
lib-objs-y += lib/cgroup.o
unit-tests += test_cgroup
test_cgroup-srcs := lib/cgroup.c lib/fs.c lib/util.c lib/err.c

# TLS over BearSSL: credentials, anchors, CRL, server (client certificates
# required), client, one connection type (issue 11). Programs using it link
# -lbearssl -lpthread.
TLS_SRCS := lib/tls.c lib/tls_cache.c lib/tls_x509.c lib/tls_pem.c lib/tls_crl.c
lib-objs-y += $(TLS_SRCS:.c=.o)
unit-tests += test_tls
test_tls-srcs := $(TLS_SRCS) lib/fs.c lib/util.c lib/err.c
$(O)/unit/test_tls: $(SYSROOT)/lib/libbearssl.a
$(O)/unit/obj/tests/unit/test_tls.o: UNIT_CFLAGS += -DBERTH_TOP='"$(TOP)"'
fuzz-targets += fuzz_x509
fuzz_x509-srcs := $(TLS_SRCS) lib/fs.c lib/util.c lib/err.c
fuzz_x509-libs := $(SYSROOT)/lib/libbearssl.a -lpthread

# Prometheus text format: a bounded writer that flushes, histograms (issue 12).
lib-objs-y += lib/prom.o
unit-tests += test_prom
test_prom-srcs := lib/prom.c lib/err.c
# bench/api/tlsspeed: BearSSL's implementations measured on this CPU and
# lib/tls's handshakes (make bench-tls; docs/tls.md has a run).
$(O)/host/tlsspeed: $(TOP)/bench/api/tlsspeed.c $(O)/obj/libberth.a | deps
	@mkdir -p $(dir $@)
	@echo "  CC      bench/api/tlsspeed.c"
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(O)/obj/libberth.a -lbearssl -lpthread
.PHONY: bench-tls
bench-tls: $(O)/host/tlsspeed pki
	$(Q)$(O)/host/tlsspeed $(O)/pki
# the A/B system slots on the ESP (disk image, docs/disk.md): init and berthd
lib-objs-y += lib/slots.o
unit-tests += test_slots
test_slots-srcs := lib/slots.c lib/fs.c lib/util.c lib/err.c
fuzz-targets += fuzz_slots
fuzz_slots-srcs := lib/slots.c lib/fs.c lib/util.c lib/err.c

# lib/ — code shared by several programs, linked as build/obj/libberth.a.
lib-objs-y := lib/err.o lib/log.o lib/util.o lib/fs.o

unit-tests += test_err test_log test_util test_fs
test_err-srcs := lib/err.c
test_log-srcs := lib/log.c lib/err.c
test_util-srcs := lib/util.c lib/fs.c lib/err.c
# Sandbox primitives (issue 4): capability sets through libcap, seccomp.
lib-objs-y += lib/caps.o lib/seccomp.o

# rtnetlink requests (link up, address, default route): init and berth-dhcpc.
lib-objs-y += lib/netlink.o
unit-tests += test_netlink
test_netlink-srcs := lib/netlink.c lib/err.c
test_fs-srcs := lib/fs.c lib/util.c lib/err.c

# ini configuration (inih) and typed values (capability names through libcap).
lib-objs-y += lib/conf.o lib/conf_value.o
# What a host-built test or fuzz target links for lib/conf: libcap is the
# system's shared library (the sysroot's is built for musl), with the
# sysroot's headers of the same version.
HOST_LIBCAP := $(firstword $(wildcard /usr/lib/*/libcap.so.2 /lib/*/libcap.so.2))
CONF_SRCS := lib/conf.c lib/conf_value.c lib/caps.c lib/fs.c lib/util.c lib/err.c \
	build/src/libinih/ini.c
unit-tests += test_lib_conf
test_lib_conf-srcs := $(CONF_SRCS)
$(O)/unit/test_lib_conf: $(HOST_LIBCAP)

# Unix sockets: listening with mode and owner set first, peer credentials.
lib-objs-y += lib/sock.o
unit-tests += test_sock
test_sock-srcs := lib/sock.c lib/fs.c lib/util.c lib/err.c

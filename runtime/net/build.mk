# runtime/net/ — container networking: the bridge, a netns and veth per
# container, the address allocator, nf_tables over netlink, the /etc files,
# and berth-proxy (published ports). berthd links NET_OBJS (and -lcap, for
# lib/conf's value helpers).
NET_OBJS := runtime/net/conf.o runtime/net/alloc.o runtime/net/bridge.o runtime/net/nft.o \
	runtime/net/files.o runtime/net/spawn.o
# Built with the programs, so the host tests can link them before berthd does.
bins: $(addprefix $(O)/obj/,$(NET_OBJS))

# berth-proxy: one per container with published ports, detached from berthd;
# no capabilities, its own uid, its seccomp filter (tools/seccomp/table_proxy.c).
progs-$(CONFIG_NET) += berth-proxy
berth-proxy-objs-y := runtime/net/proxy_main.o runtime/net/proxy.o runtime/net/conf.o
berth-proxy-libs := -lcap

unit-tests += test_net_conf test_net_alloc
test_net_conf-srcs := runtime/net/conf.c lib/conf_value.c lib/caps.c lib/fs.c lib/util.c lib/err.c
test_net_alloc-srcs := runtime/net/alloc.c runtime/net/conf.c lib/conf_value.c lib/caps.c lib/fs.c \
	lib/util.c lib/err.c
$(O)/unit/test_net_conf $(O)/unit/test_net_alloc: $(HOST_LIBCAP)

fuzz-targets += fuzz_net_conf
fuzz_net_conf-srcs := runtime/net/conf.c lib/conf_value.c lib/caps.c lib/fs.c lib/util.c lib/err.c
fuzz_net_conf-libs := $(HOST_LIBCAP)

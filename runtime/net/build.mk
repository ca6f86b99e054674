# runtime/net/ — container networking: the bridge, a netns and veth per
# container, the address allocator, nf_tables over netlink, the /etc files,
# and berth-proxy (published ports). berthd links NET_OBJS.
NET_OBJS := runtime/net/conf.o runtime/net/alloc.o

unit-tests += test_net_conf test_net_alloc
test_net_conf-srcs := runtime/net/conf.c lib/conf_value.c lib/caps.c lib/fs.c lib/util.c lib/err.c
test_net_alloc-srcs := runtime/net/alloc.c runtime/net/conf.c lib/conf_value.c lib/caps.c lib/fs.c \
	lib/util.c lib/err.c
$(O)/unit/test_net_conf $(O)/unit/test_net_alloc: $(HOST_LIBCAP)

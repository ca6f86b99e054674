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

# cgroup v2 groups: the launcher's containers and init's services (issue 8).
lib-objs-y += lib/cgroup.o
unit-tests += test_cgroup
test_cgroup-srcs := lib/cgroup.c lib/fs.c lib/util.c lib/err.c

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
# JSON: jsmn reader checked strictly, bounded writer (issue 8).
lib-objs-y += lib/json.o lib/json_w.o
unit-tests += test_json
test_json-srcs := lib/json.c lib/json_w.c lib/err.c
fuzz-targets += fuzz_json
fuzz_json-srcs := lib/json.c lib/json_w.c lib/err.c
# HTTP/1.1: incremental bounded parser, writer, target and query helpers (issue 8).
lib-objs-y += lib/http.o lib/http_w.o
unit-tests += test_http
test_http-srcs := lib/http.c lib/http_w.c lib/err.c
fuzz-targets += fuzz_http
fuzz_http-srcs := lib/http.c lib/http_w.c lib/err.c

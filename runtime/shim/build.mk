# runtime/shim/ — berth-shim (one per container, detached from berthd), its
# client library for berthd, the spec file and the container's log.
unit-tests += test_shim_spec test_logfile
test_shim_spec-srcs := runtime/shim/spec.c runtime/launch/spec.c lib/json.c lib/json_w.c lib/fs.c lib/util.c \
	lib/caps.c lib/err.c
$(O)/unit/test_shim_spec: $(HOST_LIBCAP)
test_logfile-srcs := runtime/shim/logfile.c runtime/shim/logfile_w.c lib/json.c lib/json_w.c lib/util.c lib/err.c

# runtime/shim/ — berth-shim (one per container, detached from berthd), its
# client library for berthd, the spec file and the container's log.
unit-tests += test_shim_spec test_logfile
test_shim_spec-srcs := runtime/shim/spec.c runtime/shim/state.c runtime/launch/spec.c lib/json.c lib/json_w.c lib/fs.c lib/util.c \
	lib/caps.c lib/err.c
$(O)/unit/test_shim_spec: $(HOST_LIBCAP)
test_logfile-srcs := runtime/shim/logfile.c runtime/shim/logfile_w.c lib/json.c lib/json_w.c lib/fs.c lib/util.c \
	lib/err.c

progs-$(CONFIG_SHIM) += berth-shim
berth-shim-objs-y := runtime/shim/main.o runtime/shim/shim.o runtime/shim/io.o runtime/shim/ctl.o \
	runtime/shim/exec.o runtime/shim/spec.o runtime/shim/state.o runtime/shim/proto.o \
	runtime/shim/logfile_w.o runtime/launch/spec.o runtime/launch/run.o runtime/launch/exec.o \
	runtime/launch/child.o runtime/launch/mounts.o runtime/launch/mountfd.o runtime/launch/user.o \
	runtime/launch/limits.o runtime/launch/devices.o runtime/launch/prepare.o runtime/launch/tty.o
berth-shim-libs := -lcap

# spec.json and state.json readers, fed bytes.
fuzz-targets += fuzz_shimspec
fuzz_shimspec-srcs := runtime/shim/spec.c runtime/shim/state.c runtime/launch/spec.c lib/json.c lib/json_w.c \
	lib/fs.c lib/util.c lib/caps.c lib/err.c
fuzz_shimspec-libs := $(HOST_LIBCAP)

# runtime/launch/ — berth-run, the container launcher, and its seccomp
# generator (a build-host tool: the filter is compiled at build time).
progs-$(CONFIG_LAUNCH) += berth-run
berth-run-objs-y := runtime/launch/main.o runtime/launch/spec.o runtime/launch/run.o \
	runtime/launch/child.o runtime/launch/mounts.o runtime/launch/mountfd.o \
	runtime/launch/user.o runtime/launch/limits.o runtime/launch/devices.o runtime/launch/prepare.o runtime/launch/tty.o build/gen/seccomp_default.o
berth-run-libs := -lcap

SECCOMP_GEN := $(O)/host/seccomp_gen
SECCOMP_GEN_SRCS := runtime/launch/seccomp_gen_main.c runtime/launch/seccomp_gen.c \
	runtime/launch/seccomp_table.c lib/err.c
$(SECCOMP_GEN): $(addprefix $(TOP)/,$(SECCOMP_GEN_SRCS)) $(wildcard $(TOP)/runtime/launch/seccomp_*.h) | host-tools
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  runtime/launch/seccomp_gen"
	$(Q)$(HOSTCC) $(HOSTCFLAGS) -o $@ $(addprefix $(TOP)/,$(SECCOMP_GEN_SRCS))
$(O)/gen/seccomp_default.c: $(SECCOMP_GEN)
	@mkdir -p $(dir $@)
	@echo "  GEN     build/gen/seccomp_default.c"
	$(Q)$(SECCOMP_GEN) $@

unit-tests += test_seccomp test_launch_spec test_launch_user test_caps
test_seccomp-srcs := runtime/launch/seccomp_gen.c runtime/launch/seccomp_table.c \
	build/gen/seccomp_default.c lib/seccomp.c lib/err.c
test_launch_spec-srcs := runtime/launch/spec.c lib/caps.c lib/err.c
test_launch_user-srcs := runtime/launch/user.c runtime/launch/mountfd.c lib/util.c lib/fs.c lib/err.c
test_caps-srcs := lib/caps.c lib/err.c
# libcap for the host-built tests: the system's shared library (the sysroot's
# is built for musl), with the sysroot's headers of the same version.
HOST_LIBCAP := $(firstword $(wildcard /usr/lib/*/libcap.so.2 /lib/*/libcap.so.2))
$(O)/unit/test_caps $(O)/unit/test_launch_spec: $(HOST_LIBCAP)

# The static probe the host and system tests place inside containers
# (tests/probe); built here so that it is in build/bin and the image.
progs-$(CONFIG_LAUNCH) += berth-probe
berth-probe-objs-y := tests/probe/probe.o runtime/launch/seccomp_table.o
unit-tests += test_launch_devices
test_launch_devices-srcs := runtime/launch/devices.c lib/cgroup.c lib/fs.c lib/util.c lib/err.c

# The image's passwd/group parser (user.c), fed bytes.
fuzz-targets += fuzz_passwd
fuzz_passwd-srcs := runtime/launch/user.c runtime/launch/mountfd.c lib/fs.c lib/util.c lib/err.c

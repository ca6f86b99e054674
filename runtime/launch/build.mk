# runtime/launch/ — berth-run, the container launcher (its default seccomp
# filter is generated at build time by tools/seccomp).
progs-$(CONFIG_LAUNCH) += berth-run
berth-run-objs-y := runtime/launch/main.o runtime/launch/spec.o runtime/launch/run.o \
	runtime/launch/child.o runtime/launch/mounts.o runtime/launch/mountfd.o \
	runtime/launch/user.o runtime/launch/limits.o runtime/launch/devices.o runtime/launch/prepare.o runtime/launch/tty.o
berth-run-libs := -lcap

unit-tests += test_launch_spec test_launch_user
test_launch_spec-srcs := runtime/launch/spec.c lib/caps.c lib/fs.c lib/util.c lib/err.c
test_launch_user-srcs := runtime/launch/user.c runtime/launch/mountfd.c lib/util.c lib/fs.c lib/err.c
$(O)/unit/test_launch_spec: $(HOST_LIBCAP)

# The static probe the host and system tests place inside containers
# (tests/probe); built here so that it is in build/bin and the image.
progs-$(CONFIG_LAUNCH) += berth-probe
berth-probe-objs-y := tests/probe/probe.o tools/seccomp/table_default.o
unit-tests += test_launch_devices
test_launch_devices-srcs := runtime/launch/devices.c lib/cgroup.c lib/fs.c lib/util.c lib/err.c

# The image's passwd/group parser (user.c), fed bytes.
fuzz-targets += fuzz_passwd
fuzz_passwd-srcs := runtime/launch/user.c runtime/launch/mountfd.c lib/fs.c lib/util.c lib/err.c

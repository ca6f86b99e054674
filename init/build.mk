# init/ — berth-init, PID 1 (installed as /sbin/init).
progs-y += init
init-objs-y := init/main.o init/root_switch.o init/conf.o init/mounts.o init/console.o init/signals.o init/loop.o init/shutdown.o \
	init/svc_conf.o init/svc.o init/svc_exec.o init/svc_log.o init/ctl.o \
	init/boot_after.o init/data.o init/grow.o init/slot.o init/sysctl.o init/net.o
init-objs-$(CONFIG_INIT_MODULES) += init/modules.o
init-objs-$(CONFIG_INIT_POWER_BUTTON) += init/power.o
init-objs-$(CONFIG_INIT_WATCHDOG) += init/watchdog.o
init-libs := -linih -lcap

unit-tests += test_modules test_conf
test_modules-srcs := init/modules.c lib/err.c lib/log.c lib/util.c lib/fs.c
test_conf-srcs := init/conf.c $(CONF_SRCS) lib/log.c

fuzz-targets += fuzz_modules_dep
fuzz_modules_dep-srcs := init/modules.c lib/err.c lib/log.c lib/util.c lib/fs.c
unit-tests += test_svc_conf
$(O)/unit/test_conf $(O)/unit/test_svc_conf: $(HOST_LIBCAP)
test_svc_conf-srcs := init/svc_conf.c $(CONF_SRCS) lib/log.c
unit-tests += test_data test_sysctl
test_sysctl-srcs := init/sysctl.c init/mounts.c lib/cgroup.c lib/err.c lib/log.c lib/util.c lib/fs.c
test_data-srcs := init/data.c init/grow.c lib/err.c lib/log.c lib/util.c lib/fs.c lib/evloop.c
include init/dhcpc/build.mk

fuzz-targets += fuzz_svc_conf fuzz_conf
fuzz_svc_conf-srcs := init/svc_conf.c $(CONF_SRCS) lib/log.c
fuzz_conf-srcs := init/conf.c $(CONF_SRCS) lib/log.c
fuzz_svc_conf-libs := $(HOST_LIBCAP)
fuzz_conf-libs := $(HOST_LIBCAP)
unit-tests += test_power
test_power-srcs := init/power.c lib/evloop.c lib/log.c lib/err.c lib/util.c
unit-tests += test_grow
test_grow-srcs := init/grow.c lib/err.c lib/util.c lib/fs.c
fuzz-targets += fuzz_grow
fuzz_grow-srcs := init/grow.c lib/err.c lib/util.c lib/fs.c

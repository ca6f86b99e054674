# init/ — berth-init, PID 1 (installed as /sbin/init).
progs-y += init
init-objs-y := init/main.o init/conf.o init/mounts.o init/console.o init/loop.o init/shutdown.o
init-objs-$(CONFIG_INIT_MODULES) += init/modules.o
init-libs := -linih

unit-tests += test_modules test_conf
test_modules-srcs := init/modules.c lib/err.c lib/log.c lib/util.c
test_conf-srcs := init/conf.c lib/err.c lib/log.c build/src/libinih/ini.c

fuzz-targets += fuzz_modules_dep
fuzz_modules_dep-srcs := init/modules.c lib/err.c lib/log.c lib/util.c

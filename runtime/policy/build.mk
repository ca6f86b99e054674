# runtime/policy/ — the strict reader of create/exec bodies and the
# parameter policy of berth.conf [policy]: a library for berthd and
# berth-apid (they list POLICY_OBJS in their objects).
POLICY_SRCS := runtime/policy/reader.c runtime/policy/create.c runtime/policy/create_mounts.c \
	runtime/policy/exec.c runtime/policy/update.c runtime/policy/policy.c
POLICY_OBJS := $(POLICY_SRCS:.c=.o)
# What a host-built test or fuzz target links with it (libcap: lib/caps).
POLICY_TEST_SRCS := $(POLICY_SRCS) lib/json.c lib/conf_value.c lib/caps.c lib/fs.c lib/util.c lib/err.c

unit-tests += test_policy_create test_policy
test_policy_create-srcs := $(POLICY_TEST_SRCS)
test_policy-srcs := $(POLICY_TEST_SRCS)
$(O)/unit/test_policy_create $(O)/unit/test_policy: $(HOST_LIBCAP)

fuzz-targets += fuzz_create
fuzz_create-srcs := $(POLICY_TEST_SRCS)
fuzz_create-libs := $(HOST_LIBCAP)

# tools/ — build-host helpers (compiled with the host gcc) and, later, berthctl.
MKCPIO := $(O)/host/mkcpio
$(MKCPIO): $(TOP)/tools/mkcpio.c | host-tools
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  tools/mkcpio.c"
	$(Q)$(HOSTCC) -std=gnu11 -O2 -Wall -Wextra -Werror -o $@ $<

# berthctl: the local control-socket client (static, in the image as
# /usr/bin/berthctl) and, with -H, berth-apid's HTTPS client (lib/tls).
progs-y += berthctl
berthctl-objs-y := tools/berthctl.o tools/berthctl_remote.o tools/berthctl_update.o runtime/image/digest.o runtime/image/sha_ni.o
berthctl-libs := -lbearssl -lpthread
berthctl-objs-y += tools/berthctl_top.o
unit-tests += test_berthctl_top
test_berthctl_top-srcs := tools/berthctl_top.c lib/http.c lib/sock.c lib/fs.c lib/util.c lib/err.c

# berth-dial: `docker system dial-stdio` for DOCKER_HOST=ssh:// (the image
# links /usr/bin/docker to it).
progs-y += berth-dial
berth-dial-objs-y := tools/dial.o

# tools/seccomp: one seccomp table per program, turned into classic BPF on
# the build host; build/gen/seccomp_NAME.c goes into libberth.a
# (lib/seccomp.h). Nothing compiles a filter at run time. SECCOMP_PROGS,
# the programs with a table, is set in lib/build.mk.
SECCOMP_GEN := $(O)/host/seccomp_gen
SECCOMP_GEN_SRCS := tools/seccomp/main.c tools/seccomp/gen.c \
	$(foreach p,$(SECCOMP_PROGS),tools/seccomp/table_$(p).c) lib/err.c
$(SECCOMP_GEN): $(addprefix $(TOP)/,$(SECCOMP_GEN_SRCS)) $(wildcard $(TOP)/tools/seccomp/*.h) \
		$(TOP)/lib/seccomp.h | host-tools
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  tools/seccomp"
	$(Q)$(HOSTCC) $(HOSTCFLAGS) -o $@ $(addprefix $(TOP)/,$(SECCOMP_GEN_SRCS))
$(O)/gen/seccomp_%.c: $(SECCOMP_GEN)
	@mkdir -p $(dir $@)
	@echo "  GEN     build/gen/seccomp_$*.c"
	$(Q)$(SECCOMP_GEN) $* $@

unit-tests += test_seccomp
test_seccomp-srcs := tools/seccomp/gen.c $(foreach p,$(SECCOMP_PROGS),tools/seccomp/table_$(p).c \
	build/gen/seccomp_$(p).c) lib/seccomp.c lib/err.c
# kept, not removed as intermediates: the unit tests compile them too
.SECONDARY: $(foreach p,$(SECCOMP_PROGS),$(O)/gen/seccomp_$(p).c)

# An operator's agent, as an example (docs/metrics.md "Agents"): static, not
# in the image; SITE=dir puts dir/bin/* there. Built with bins for the tests.
AGENT_EXAMPLE := $(O)/examples/berth-agent-example
$(AGENT_EXAMPLE): $(O)/obj/tools/agent-example.o $(O)/obj/libberth.a
	@mkdir -p $(dir $@)
	@echo "  LD      examples/berth-agent-example"
	$(Q)$(CC) $(LDFLAGS) -s -o $@ $< $(O)/obj/libberth.a
.PHONY: agent-example
agent-example bins: $(AGENT_EXAMPLE)
fuzz-targets += fuzz_top
fuzz_top-srcs := tools/berthctl_top.c lib/http.c lib/sock.c lib/fs.c lib/util.c lib/err.c

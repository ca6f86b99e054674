# tools/ — build-host helpers (compiled with the host gcc) and, later, berthctl.
MKCPIO := $(O)/host/mkcpio
$(MKCPIO): $(TOP)/tools/mkcpio.c | host-tools
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  tools/mkcpio.c"
	$(Q)$(HOSTCC) -std=gnu11 -O2 -Wall -Wextra -Werror -o $@ $<

# berthctl: the local control-socket client (static, in the image as /usr/bin/berthctl).
progs-y += berthctl
berthctl-objs-y := tools/berthctl.o

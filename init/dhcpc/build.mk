# init/dhcpc/ — berth-dhcpc: the DHCPv4 client PID 1 runs as a service per
# [network] IFNAME = dhcp. It parses network input, so it is not in PID 1.
progs-y += berth-dhcpc
berth-dhcpc-objs-y := init/dhcpc/main.o init/dhcpc/dhcp.o
berth-dhcpc-libs := -lcap

unit-tests += test_dhcp
test_dhcp-srcs := init/dhcpc/dhcp.c lib/err.c

fuzz-targets += fuzz_dhcp
fuzz_dhcp-srcs := init/dhcpc/dhcp.c lib/err.c

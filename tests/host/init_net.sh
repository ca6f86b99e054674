#!/bin/bash
# init_net.sh — init as PID 1 of fresh pid+mount+net namespaces configures
# interfaces itself through rtnetlink: loopback up; a static [network]
# interface gets its address, link up, default route, and DNS servers in
# resolv_conf; a static interface that does not exist is reported and the
# boot goes on; a dhcp interface is handed to its client's service, which
# waits for it (tests/host/init_dhcpc.sh), without PID 1 waiting.
. "$(dirname "$0")/../lib/env.sh"
. "$TOP/tests/lib/init.sh"
INIT=$BIN/init

init_need "networking under init" || { tap_done; exit; }
command -v ip > /dev/null || { tap_skip "networking under init" "no ip(8) (iproute2) to set up a veth link and check"; tap_done; exit; }
if ! unshare --net ip link add d0 type veth peer name d1 2> "$WORK/dummy.err"; then
	tap_skip "networking under init" "no veth links here: $(cat "$WORK/dummy.err")"; tap_done; exit
fi

cat > "$WORK/console.sh" <<SH
#!/bin/sh
{ ip -4 addr show dev lo; ip -4 addr show dev d0; ip link show dev d0; ip -4 route show; } > $WORK/ip.txt 2>&1
kill -USR2 1
sleep 30
SH
chmod +x "$WORK/console.sh"
cat > "$WORK/berth.conf" <<CONF
[system]
data = $WORK/data
data_ephemeral = 16M
services = $WORK/none
resolv_conf = $WORK/resolv.conf
console_shell = $WORK/console.sh
[network]
d0 = static 10.9.8.7/24 gateway 10.9.8.1 dns 192.0.2.53 dns 192.0.2.54
eth9 = dhcp
eth8 = static 10.1.1.1/24
CONF
# The veth link must exist before init configures it: a shell is PID 1
# first, makes it, and execs init (which stays PID 1).
init_run --net init 60 sh -c "ip link add d0 type veth peer name d1 && exec '$INIT' --config '$WORK/berth.conf'"
rc=$INIT_RC
[ "$rc" = 130 ] && tap_ok "init booted and powered off" || tap_fail "init booted and powered off" "exit $rc: $(tail -5 "$WORK/init.log")"
ip=$(cat "$WORK/ip.txt" 2>/dev/null)
grep -q 'inet 127.0.0.1/8' <<< "$ip" && tap_ok "loopback is up" || tap_fail "loopback is up" "$ip"
grep -q 'inet 10.9.8.7/24 brd 10.9.8.255' <<< "$ip" && tap_ok "static address with its broadcast" ||
	tap_fail "static address with its broadcast" "$ip"
grep -qE 'd0@d1: <([A-Z_-]+,)*UP[,>]' <<< "$ip" && tap_ok "static interface is up" || tap_fail "static interface is up" "$ip"
grep -q 'default via 10.9.8.1 dev d0' <<< "$ip" && tap_ok "default route via the gateway" ||
	tap_fail "default route via the gateway" "$ip"
want=$'nameserver 192.0.2.53\nnameserver 192.0.2.54'
[ "$(grep nameserver "$WORK/resolv.conf" 2>/dev/null)" = "$want" ] && tap_ok "DNS servers written to resolv_conf" ||
	tap_fail "DNS servers written to resolv_conf" "$(cat "$WORK/resolv.conf" 2>&1)"
tap_check "static setup logged" grep -q 'network: d0 up, 10.9.8.7/24, gateway 10.9.8.1' "$WORK/init.log"
tap_check "a missing static interface is reported, the boot goes on" \
	bash -c "grep -q 'interface eth8: No such device' '$WORK/init.log' && grep -q 'berth: ready' '$WORK/init.log'"
# (the client's service itself is skipped here: this host has no user
# berth-dhcp; tests/system/init_ssh.sh boots the image's)
tap_check "a dhcp interface is its client's to bring up: PID 1 neither waits for it nor reports it missing" \
	bash -c "! grep -q 'eth9: No such device' '$WORK/init.log' && grep -q 'berth: ready' '$WORK/init.log'"
tap_done

#!/bin/bash
# init_dhcpc.sh — berth-dhcpc against a small DHCP server on a veth pair in
# a private network namespace: DISCOVER/OFFER/REQUEST/ACK, the address,
# default route and DNS it sets, and renewal at T1 (a 6 s lease, T1 2 s:
# a unicast REQUEST with ciaddr, answered by an ACK).
. "$(dirname "$0")/../lib/env.sh"
DHCPC=$BIN/berth-dhcpc

need_root "berth-dhcpc in a network namespace" || { tap_done; exit; }
for t in ip nsenter; do
	command -v $t > /dev/null || { tap_skip "berth-dhcpc in a network namespace" "no $t here"; tap_done; exit; }
done
if ! unshare --net ip link add d0 type veth peer name d1 2> "$WORK/veth.err"; then
	tap_skip "berth-dhcpc in a network namespace" "no veth links here: $(cat "$WORK/veth.err")"; tap_done; exit
fi
gcc -std=gnu11 -O1 -Wall -Wextra -Werror -o "$WORK/fake_dhcpd" "$TOP/tests/host/helpers/fake_dhcpd.c" ||
	{ tap_fail "the test's DHCP server builds"; tap_done; exit; }

# The server's side (d1) and the client's (d0) are in two namespaces: with
# both in one, the DISCOVER would leave with d1's address as its source
# and be dropped there as a martian.
# The client's side filters by strict reverse path, as init/sysctl.c sets
# it, and berth-dhcpc gets only CAP_NET_ADMIN and CAP_NET_BIND_SERVICE in
# its bounding set, as its service entry (init/net.c) has: no CAP_NET_RAW.
# scenario NAME LEASE_S T1_S SERVER_LIFETIME_S LOOK_AT_S [ROUTER [RENEW_DNS RENEW_ADDR]]:
# WORK/NAME.{server,dhcpc,ip}
scenario() {
	local name=$1 lease=$2 t1=$3 life=$4 look=$5 router=${6:-10.77.0.1} renew=${7:+$7 $8}
	cat > "$WORK/$name.sh" <<SH
unshare --net sleep 30 &
client=\$!
sleep 0.2
ip link add d0 type veth peer name d1
ip link set d0 netns \$client
ip link set lo up
ip link set d1 up
ip addr add 10.77.0.1/24 dev d1
nsenter -t \$client -n ip link set lo up
nsenter -t \$client -n ip link set d0 up
nsenter -t \$client -n sh -c 'for f in all default d0; do echo 1 > /proc/sys/net/ipv4/conf/\$f/rp_filter; done'
"$WORK/fake_dhcpd" d1 10.77.0.1 10.77.0.50 $router 10.77.0.53 $lease $t1 $renew > "$WORK/$name.server" 2>&1 &
srv=\$!
sleep 0.2
nsenter -t \$client -n setpriv --bounding-set=-all,+net_admin,+net_bind_service "$DHCPC" --resolv "$WORK/$name.resolv" d0 > "$WORK/$name.dhcpc" 2>&1 &
cli=\$!
sleep $life
grep -E '^(CapEff|NoNewPrivs|Seccomp):' /proc/\$cli/status > "$WORK/$name.status" 2>&1
kill \$srv
sleep $((look - life))
nsenter -t \$client -n sh -c 'ip -4 addr show dev d0; ip -4 route show' > "$WORK/$name.ip"
if kill -0 \$cli 2>/dev/null; then kill \$cli; else wait \$cli; echo "exit \$?" >> "$WORK/$name.dhcpc"; fi
kill \$client
SH
	timeout 30 unshare --net bash "$WORK/$name.sh"
}
scenario renew 6 2 5 5
cp "$WORK/renew.server" "$WORK/server.log"; cp "$WORK/renew.dhcpc" "$WORK/dhcpc.log"
cp "$WORK/renew.ip" "$WORK/ip.txt"; cp "$WORK/renew.resolv" "$WORK/resolv.conf" 2>/dev/null
srv=$(cat "$WORK/server.log" 2>/dev/null)
[ "$(sed -n 1,2p <<< "$srv" | tr '\n' ' ')" = "DISCOVER REQUEST select " ] &&
	tap_ok "DISCOVER, then REQUEST for the offered address" || tap_fail "DISCOVER, then REQUEST for the offered address" "$srv"
ip=$(cat "$WORK/ip.txt" 2>/dev/null)
grep -q 'inet 10.77.0.50/24' <<< "$ip" && tap_ok "the ACKed address is set (10.77.0.50/24)" || tap_fail "the ACKed address is set" "$ip"
grep -q 'default via 10.77.0.1 dev d0' <<< "$ip" && tap_ok "the router is the default route" ||
	tap_fail "the router is the default route" "$ip"
grep -q '^nameserver 10.77.0.53$' "$WORK/resolv.conf" 2>/dev/null && tap_ok "the DNS server is written to the resolver file" ||
	tap_fail "the DNS server is written to the resolver file" "$(cat "$WORK/resolv.conf" 2>&1)"
grep -q '^REQUEST renew 10.77.0.50$' <<< "$srv" && tap_ok "renewal at T1: a unicast REQUEST with ciaddr" ||
	tap_fail "renewal at T1: a unicast REQUEST with ciaddr" "$srv"
tap_check "the renewal's ACK is taken" grep -q 'd0: renewed for 6 s' "$WORK/dhcpc.log"
# confined once its socket is bound: CAP_NET_ADMIN (12) only, its filter
st=$(tr -s '\t ' ' ' < "$WORK/renew.status" 2>&1)
[ "$(tr '\n' ' ' <<< "$st")" = "CapEff: 0000000000001000 NoNewPrivs: 1 Seccomp: 2 " ] &&
	tap_ok "berth-dhcpc runs with CAP_NET_ADMIN only, no_new_privs and its seccomp filter" ||
	tap_fail "berth-dhcpc runs with CAP_NET_ADMIN only, no_new_privs and its seccomp filter" "$st"
tap_check "the lease is logged" grep -q 'd0: lease 10.77.0.50/24 router 10.77.0.1 dns 1 from 10.77.0.1 for 6 s (renew at 2 s)' "$WORK/dhcpc.log"

# The server goes away after the first lease: renewal fails, the lease (4 s)
# ends, the address is removed and berth-dhcpc exits 1 for PID 1 to restart it.
scenario expire 4 2 1 6
tap_check "without renewal the lease expires" grep -q 'd0: lease expired' "$WORK/expire.dhcpc"
tap_check "its address is removed" bash -c "grep -q 'd0: address removed' '$WORK/expire.dhcpc' && ! grep -q 'inet 10.77' '$WORK/expire.ip'"
tap_check "berth-dhcpc exits 1 for its supervisor" grep -qx 'exit 1' "$WORK/expire.dhcpc"

# A renewal whose ACK hands another DNS server and another address: the
# resolver file is rewritten, the new address set and the old one removed.
scenario change 30 2 5 5 10.77.0.1 10.77.0.54 10.77.0.51
tap_check "a renewal that changes the DNS server rewrites the resolver file" \
	bash -c "grep -qx 'nameserver 10.77.0.54' '$WORK/change.resolv' && ! grep -q 10.77.0.53 '$WORK/change.resolv'"
if grep -q 'inet 10.77.0.51/24' "$WORK/change.ip" && ! grep -q 'inet 10.77.0.50/' "$WORK/change.ip" &&
	grep -q 'd0: old address 10.77.0.50/24 removed' "$WORK/change.dhcpc"; then
	tap_ok "a renewal that changes the address sets the new one and removes the old"
else
	tap_fail "a renewal that changes the address sets the new one and removes the old" \
		"$(cat "$WORK/change.ip" "$WORK/change.dhcpc")"
fi
tap_check "the changed lease is logged" grep -q 'd0: lease changed: 10.77.0.51/24 router 10.77.0.1 dns 1' "$WORK/change.dhcpc"
tap_check "no on-link route for acquiring is left once bound" \
	bash -c "! grep -q 'metric 4294967280' '$WORK/change.ip'"

# The interface appears (down) 0.3 s after berth-dhcpc starts, as a NIC
# whose driver loads after ready does: it waits, brings the link up and
# takes a lease. Before, it exited at once ("interface d0: No such device").
cat > "$WORK/late.sh" <<SH
unshare --net sleep 30 &
client=\$!
sleep 0.2
nsenter -t \$client -n ip link set lo up
nsenter -t \$client -n sh -c 'for f in all default; do echo 1 > /proc/sys/net/ipv4/conf/\$f/rp_filter; done'
nsenter -t \$client -n setpriv --bounding-set=-all,+net_admin,+net_bind_service "$DHCPC" --resolv "$WORK/late.resolv" --wait 5 d0 > "$WORK/late.dhcpc" 2>&1 &
cli=\$!
sleep 0.3
ip link set lo up
ip link add d0 type veth peer name d1
ip addr add 10.77.0.1/24 dev d1
ip link set d1 up
"$WORK/fake_dhcpd" d1 10.77.0.1 10.77.0.50 10.77.0.1 10.77.0.53 30 10 > "$WORK/late.server" 2>&1 &
srv=\$!
ip link set d0 netns \$client
for _ in \$(seq 50); do grep -q 'd0: lease ' "$WORK/late.dhcpc" && break; sleep 0.1; done
nsenter -t \$client -n ip -4 addr show dev d0 > "$WORK/late.ip"
kill \$cli \$srv \$client
SH
timeout 30 unshare --net bash "$WORK/late.sh"
tap_check "an interface that appears after berth-dhcpc started is waited for" grep -q 'd0: appeared after [0-9]* ms' "$WORK/late.dhcpc"
if grep -q 'state UP\|,UP' "$WORK/late.ip" && grep -q 'inet 10.77.0.50/24' "$WORK/late.ip"; then
	tap_ok "and brought up by berth-dhcpc, which takes a lease for it"
else
	tap_fail "and brought up by berth-dhcpc, which takes a lease for it" "$(cat "$WORK/late.ip" "$WORK/late.dhcpc")"
fi
unshare --net "$DHCPC" --wait 1 nosuch0 > "$WORK/never.out" 2>&1
rc=$?
[ "$rc" = 2 ] && grep -q 'nosuch0: no such interface after 1 s' "$WORK/never.out" &&
	tap_ok "an interface that never appears: exit 2, named in the log" ||
	tap_fail "an interface that never appears: exit 2, named in the log" "rc $rc: $(cat "$WORK/never.out")"
"$DHCPC" --wait 9999 d0 > "$WORK/badwait.out" 2>&1
rc=$?
[ "$rc" = 100 ] && grep -q -- "--wait: want a whole number from 0 to 600: '9999'" "$WORK/badwait.out" &&
	tap_ok "--wait out of range is refused (exit 100), named" ||
	tap_fail "--wait out of range is refused (exit 100), named" "rc $rc: $(cat "$WORK/badwait.out")"

# A server whose router is off the leased subnet: the lease is refused and
# named in the log; no address is set.
scenario offlink 30 10 3 3 10.99.0.1
tap_check "a lease with an off-link router is refused, named in the log" \
	grep -q 'd0: OFFER lease refused: router 10.99.0.1 is not on the leased subnet from 10.77.0.1' "$WORK/offlink.dhcpc"
tap_check "no address is taken from it" bash -c "! grep -q 'inet 10.77' '$WORK/offlink.ip'"
tap_done

#!/bin/bash
# net_proxy.sh — published ports: net_proxy_spawn binds 127.0.0.1:HPORT
# (the test's publish address) and starts berth-proxy, which relays to
# servers inside a container's namespace on the bridge: TCP both ways with
# a half-close and a 3 MB round trip, UDP; it runs without capabilities, as
# nobody, with no_new_privs and its filter, outliving the process that
# started it; a port in use and an unlisted address are clear errors; stop
# ends it and frees the port.
. "$(dirname "$0")/../lib/env.sh"

need_root "berth-proxy in a network namespace" || { tap_done; exit; }
for t in ip nsenter musl-gcc gcc; do
	command -v $t > /dev/null || { tap_skip "berth-proxy in a network namespace" "no $t here"; tap_done; exit; }
done
objs=()
for o in conf alloc bridge nft files spawn; do objs+=("$BUILD/obj/runtime/net/$o.o"); done
if ! musl-gcc -static -std=gnu11 -D_GNU_SOURCE -I"$TOP" -I"$BUILD/config" -isystem "$BUILD/sysroot/include" \
	-o "$WORK/net_tool" "$TOP/tests/host/net_tool.c" "${objs[@]}" "$BUILD/obj/libberth.a" \
	-L"$BUILD/sysroot/lib" -lcap 2> "$WORK/cc.err" ||
	! gcc -std=gnu11 -O1 -Wall -Wextra -Werror -o "$WORK/net_echo" "$TOP/tests/host/helpers/net_echo.c" 2>> "$WORK/cc.err"; then
	tap_fail "build net_tool and net_echo" "$(head -n 5 "$WORK/cc.err")"
	tap_done
	exit
fi
mkdir -p "$WORK/r" "$WORK/data" "$WORK/run"
head -c 3000000 /dev/urandom > "$WORK/big"

cat > "$WORK/inner.sh" <<'SH'
W=$1 PROXY=$2 R=$1/r NE=$1/net_echo
NT="$1/net_tool -o bridge_subnet=10.124.0.0/24 -o publish_addresses=127.0.0.1 -o proxy_user=65534"
ip link set lo up
$NT bridge-up && $NT up $W/data $W/run c1 > /dev/null || exit 1
nsenter --net=$W/run/netns/c1 $NE tcp 0.0.0.0 8000 & s1=$!
nsenter --net=$W/run/netns/c1 $NE udp 0.0.0.0 8001 & s2=$!
sleep 0.3
$NT proxy $PROXY 10.124.0.2 - 18080:8000 127.0.0.1:18081:8001/udp > $R/pid 2> $R/spawn
pid=$(cat $R/pid)
grep -E '^(Uid|Gid|CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs|Seccomp):' /proc/$pid/status | tr -s '\t' ' ' > $R/status
$NE tcp-client 127.0.0.1 18080 hello > $R/tcp 2>&1
$NE tcp-client 127.0.0.1 18080 - < $W/big > $R/big 2>&1
$NE udp-client 127.0.0.1 18081 ping > $R/udp 2>&1
$NE udp-client 127.0.0.1 18081 pong >> $R/udp 2>&1
$NT proxy $PROXY 10.124.0.2 - 18080:8000 > $R/inuse 2>&1; echo "rc=$?" >> $R/inuse
$NT proxy $PROXY 10.124.0.2 - 18090:8000 18081:8001/udp > $R/inuse.udp 2>&1; echo "rc=$?" >> $R/inuse.udp
$NT proxy $PROXY 10.124.0.2 - 0.0.0.0:18082:8000 > $R/unlisted 2>&1; echo "rc=$?" >> $R/unlisted
$NT proxy /nonexistent/berth-proxy 10.124.0.2 - 18083:8000 > $R/noexec 2>&1; echo "rc=$?" >> $R/noexec
$NT proxy-stop $pid > $R/stop 2>&1; echo "rc=$?" >> $R/stop
sed -n 's/^State:\t*//p' /proc/$pid/status > $R/state 2>/dev/null
$NT proxy-stop $pid >> $R/stop 2>&1; echo "rc=$?" >> $R/stop
$NE tcp-client 127.0.0.1 18080 after > $R/after 2>&1
$NT proxy $PROXY 10.124.0.2 - 18080:8000 > $R/again 2>&1 && $NT proxy-stop $(cat $R/again)
# in a cgroup: cgroup2 mounted in this mount namespace (a group of the
# host's hierarchy, removed again)
mkdir -p $W/cg
if mount -t cgroup2 none $W/cg 2> $R/cg; then
	g=berth-net-test-$$
	mkdir $W/cg/$g
	$NT proxy $PROXY 10.124.0.2 $W/cg/$g/proxies 18084:8000 > $R/cgpid 2>> $R/cg &&
		tail -n 1 /proc/$(cat $R/cgpid)/cgroup > $R/cgroup &&
		$NT proxy-stop $(cat $R/cgpid)
	sleep 0.2
	rmdir $W/cg/$g/proxies $W/cg/$g 2>> $R/cg
	umount $W/cg
else
	echo skip > $R/cgroup
fi
kill $s1 $s2
SH
timeout 60 unshare -n -m bash "$WORK/inner.sh" "$WORK" "$BIN/berth-proxy" > "$WORK/inner.log" 2>&1
R=$WORK/r

grep -qE '^[0-9]+$' "$R/pid" && tap_ok "net_proxy_spawn starts berth-proxy and returns its pid" ||
	tap_fail "net_proxy_spawn starts berth-proxy and returns its pid" "$(cat "$R/spawn" "$WORK/inner.log")"
want="Uid: 65534 65534 65534 65534 Gid: 65534 65534 65534 65534 CapInh: 0000000000000000 CapPrm: 0000000000000000 CapEff: 0000000000000000 CapBnd: 0000000000000000 CapAmb: 0000000000000000 NoNewPrivs: 1 Seccomp: 2 "
[ "$(tr '\n' ' ' < "$R/status")" = "$want" ] && tap_ok "berth-proxy: proxy_user, no capabilities at all, no_new_privs, seccomp" ||
	tap_fail "berth-proxy: proxy_user, no capabilities at all, no_new_privs, seccomp" "$(cat "$R/status")"
tap_check "TCP both ways with a half-close: the server answers after the client's end of file" \
	grep -qx 'from=10.124.0.1 hello' "$R/tcp"
{ printf 'from=10.124.0.1 '; cat "$WORK/big"; } | cmp -s - "$R/big" && tap_ok "3 MB through splice and back, intact" ||
	tap_fail "3 MB through splice and back, intact" "$(head -c 200 "$R/big")"
[ "$(cat "$R/udp")" = "from=10.124.0.1 pingfrom=10.124.0.1 pong" ] && tap_ok "UDP relayed both ways, twice" ||
	tap_fail "UDP relayed both ways, twice" "$(cat "$R/udp")"
grep -qx 'net_tool: 127.0.0.1:18080: address in use' "$R/inuse" && grep -qx 'rc=1' "$R/inuse" &&
	tap_ok "a TCP port in use: '127.0.0.1:18080: address in use'" || tap_fail "a TCP port in use is a clear error" "$(cat "$R/inuse")"
grep -qx 'net_tool: 127.0.0.1:18081/udp: address in use' "$R/inuse.udp" && tap_ok "a UDP port in use names it" ||
	tap_fail "a UDP port in use names it" "$(cat "$R/inuse.udp")"
grep -qx 'net_tool: 0.0.0.0: not a publish address on this appliance (berth.conf \[container_network\] publish_addresses)' "$R/unlisted" &&
	tap_ok "an address publish_addresses does not list is refused, naming the key" ||
	tap_fail "an address publish_addresses does not list is refused, naming the key" "$(cat "$R/unlisted")"
grep -q 'net_tool: berth-proxy: exec /nonexistent/berth-proxy: No such file' "$R/noexec" && tap_ok "an exec failure comes back as the error" ||
	tap_fail "an exec failure comes back as the error" "$(cat "$R/noexec")"
st=$(cat "$R/state" 2> /dev/null)
[ "$(grep -c '^rc=0$' "$R/stop")" = 2 ] && { [ -z "$st" ] || [ "${st:0:1}" = Z ]; } &&
	tap_ok "stop ends it (twice: the second finds it gone)" ||
	tap_fail "stop ends it (twice: the second finds it gone)" "$(cat "$R/stop" "$R/state")"
grep -q 'from=' "$R/after" && tap_fail "nothing listens after stop" "$(cat "$R/after")" || tap_ok "nothing listens after stop"
grep -qE '^[0-9]+$' "$R/again" && tap_ok "the port can be published again" || tap_fail "the port can be published again" "$(cat "$R/again")"
if [ "$(cat "$R/cgroup" 2>/dev/null)" = skip ]; then
	tap_skip "berth-proxy in its cgroup" "no cgroup2 here: $(cat "$R/cg")"
else
	grep -qx '0::/berth-net-test-[0-9]*/proxies' "$R/cgroup" && tap_ok "berth-proxy in its cgroup (made when missing)" ||
		tap_fail "berth-proxy in its cgroup (made when missing)" "$(cat "$R/cgroup" "$R/cg")"
fi
tap_done

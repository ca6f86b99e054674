#!/bin/bash
# net_bridge.sh — runtime/net without the engine (tests/host/net_tool.c
# makes its calls), in a network and mount namespace of its own: the
# bridge and its gateway address, two containers' namespaces reaching each
# other and the gateway, the nf_tables table as `nft list ruleset` shows
# it, masqueraded traffic out of an uplink, nothing forwarded between two
# other interfaces or from outside into the bridge, addresses kept across
# a re-up and released by down; the /etc files. net_tool calls
# net_container_up from a second thread, as berthd does, and fails unless
# every thread is back in the engine's namespace afterwards.
. "$(dirname "$0")/../lib/env.sh"

need_root "runtime/net in a network namespace" || { tap_done; exit; }
for t in ip nsenter nft musl-gcc gcc; do
	command -v $t > /dev/null || { tap_skip "runtime/net in a network namespace" "no $t here"; tap_done; exit; }
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
mkdir -p "$WORK/r" "$WORK/data" "$WORK/run" "$WORK/ctr"

cat > "$WORK/inner.sh" <<'SH'
W=$1 NT="$1/net_tool -o bridge_subnet=10.123.0.0/24" NE=$1/net_echo R=$1/r
ip link set lo up
# wait_port PORT CMD...: until something listens on PORT where CMD runs ss
# (a fixed sleep loses the race on a loaded machine)
wait_port() { local p=$1; shift; for _ in $(seq 100); do "$@" ss -Hltn "sport = :$p" | grep -q . && return; sleep 0.05; done; }
# an uplink and a second host interface, each to a namespace of its own
unshare --net sleep 60 & ext=$!
unshare --net sleep 60 & lan=$!
sleep 0.3
ip link add up0 type veth peer name up1 && ip link set up1 netns $ext
ip link add lan0 type veth peer name lan1 && ip link set lan1 netns $lan
ip addr add 192.168.77.1/24 dev up0 && ip link set up0 up
ip addr add 192.168.88.1/24 dev lan0 && ip link set lan0 up
nsenter -t $ext -n sh -c 'ip link set lo up; ip addr add 192.168.77.2/24 dev up1; ip link set up1 up
	ip route add default via 192.168.77.1'
nsenter -t $lan -n sh -c 'ip link set lo up; ip addr add 192.168.88.2/24 dev lan1; ip link set lan1 up
	ip route add default via 192.168.88.1'
nsenter -t $ext -n $NE tcp 0.0.0.0 7002 & srv1=$!
wait_port 7002 nsenter -t $ext -n
# the control: forwarding on and no table: lan reaches ext (so the check
# after bridge-up can fail)
echo 1 > /proc/sys/net/ipv4/ip_forward
timeout 3 nsenter -t $lan -n $NE tcp-client 192.168.77.2 7002 x > $R/control 2>&1
echo 0 > /proc/sys/net/ipv4/ip_forward

ip link add notbr type veth peer name notbr1
$NT -o bridge=notbr bridge-up > $R/notbr 2>&1; echo "rc=$?" >> $R/notbr
$1/net_tool -o bridge_subnet=10.99.0.0/16 bridge-up > $R/up 2>&1; echo "rc=$?" >> $R/up
$NT bridge-up >> $R/up 2>&1; echo "rc=$?" >> $R/up
$NT bridge-up >> $R/up 2>&1; echo "rc=$?" >> $R/up
ip -br -4 addr show berth0 > $R/brip 2>&1
cat /proc/sys/net/ipv4/ip_forward > $R/fwd
nft list ruleset > $R/ruleset 2>&1
# without CAP_NET_ADMIN the kernel refuses the whole batch with one answer:
# a clear error at once, not a wait for answers that never come
t0=$(date +%s%N)
setpriv --inh-caps=-net_admin --bounding-set=-net_admin $NT nft > $R/nocap 2>&1; echo "rc=$?" >> $R/nocap
echo "ms=$((($(date +%s%N) - t0) / 1000000))" >> $R/nocap
$NT up $W/data $W/run c1 > $R/c1 2>&1
$NT up $W/data $W/run c2 > $R/c2 2>&1
nsenter --net=$W/run/netns/c1 sh -c 'ip -br -4 addr; ip -4 route' > $R/c1.ip 2>&1
nsenter --net=$W/run/netns/c2 $NE tcp 0.0.0.0 7000 & srv2=$!
$NE tcp 10.123.0.1 7001 & srv3=$!
wait_port 7000 nsenter --net=$W/run/netns/c2
wait_port 7001
nsenter --net=$W/run/netns/c1 $NE tcp-client 10.123.0.3 7000 c1-to-c2 > $R/c1c2 2>&1
nsenter --net=$W/run/netns/c1 $NE tcp-client 10.123.0.1 7001 c1-to-gw > $R/c1gw 2>&1
nsenter --net=$W/run/netns/c1 $NE tcp-client 192.168.77.2 7002 c1-out > $R/c1out 2>&1
timeout 3 nsenter -t $lan -n $NE tcp-client 192.168.77.2 7002 lan-out > $R/lanout 2>&1; echo "rc=$?" >> $R/lanout
nsenter -t $ext -n ip route add 10.123.0.0/24 via 192.168.77.1
timeout 3 nsenter -t $ext -n $NE tcp-client 10.123.0.3 7000 ext-in > $R/extin 2>&1; echo "rc=$?" >> $R/extin
# a re-up keeps the address (the namespace is made again); down releases it
$NT up $W/data $W/run c2 > $R/c2again 2>&1
cp $W/data/net/leases $R/leases.2
$NT down $W/data $W/run c1 > $R/down 2>&1; echo "rc=$?" >> $R/down
$NT down $W/data $W/run c1 >> $R/down 2>&1; echo "rc=$?" >> $R/down
{ ls $W/run/netns; ip -br link; } > $R/after.down 2>&1
$NT up $W/data $W/run c3 > $R/c3 2>&1
kill $srv1 $srv2 $srv3 $ext $lan 2> /dev/null
SH
timeout 60 unshare -n -m bash "$WORK/inner.sh" "$WORK" > "$WORK/inner.log" 2>&1
R=$WORK/r

grep -q '^from=192.168.88.2 x$' "$R/control" && tap_ok "control: without the table, forwarding between two host interfaces works" ||
	tap_fail "control: without the table, forwarding between two host interfaces works" "$(cat "$R/control")"
[ "$(grep -c '^rc=0$' "$R/up")" = 3 ] && tap_ok "bridge-up, three times (another subnet first)" ||
	tap_fail "bridge-up, three times (another subnet first)" "$(cat "$R/up")"
grep -qx "net_tool: bridge notbr: a link of that name exists and is not a bridge (kind 'veth')" "$R/notbr" &&
	tap_ok "a link of the bridge's name that is no bridge is refused, naming its kind" ||
	tap_fail "a link of the bridge's name that is no bridge is refused, naming its kind" "$(cat "$R/notbr")"
grep -q '^berth0 .*10.123.0.1/24' "$R/brip" && ! grep -q 10.99 "$R/brip" &&
	tap_ok "berth0 is up with the gateway address, an earlier subnet's gone" ||
	tap_fail "berth0 is up with the gateway address, an earlier subnet's gone" "$(cat "$R/brip")"
[ "$(cat "$R/fwd")" = 1 ] && tap_ok "ip_forward on in the engine's namespace" || tap_fail "ip_forward on" "$(cat "$R/fwd")"
cat > "$WORK/ruleset.want" <<'NFT'
table ip berth {
	chain forward {
		type filter hook forward priority filter; policy drop;
		iifname "berth0" accept
		oifname "berth0" ct state established,related accept
	}

	chain postrouting {
		type nat hook postrouting priority srcnat; policy accept;
		ip saddr 10.123.0.0/24 oifname != "berth0" masquerade
	}
}
NFT
diff -u "$WORK/ruleset.want" "$R/ruleset" > "$WORK/ruleset.diff" && tap_ok "nft list ruleset: table ip berth, one copy, as designed" ||
	tap_fail "nft list ruleset: table ip berth, one copy, as designed" "$(cat "$WORK/ruleset.diff")"
# no timing threshold: the old code waited out its 10 s receive timeout and
# then said "Resource temporarily unavailable", which the message excludes
grep -qx 'net_tool: nf_tables: batch: Operation not permitted' "$R/nocap" && grep -qx 'rc=1' "$R/nocap" &&
	tap_ok "without CAP_NET_ADMIN: the batch's refusal, named at once ($(sed -n 's/^ms=//p' "$R/nocap") ms)" ||
	tap_fail "without CAP_NET_ADMIN: the batch's refusal, named at once" "$(cat "$R/nocap")"
[ "$(cat "$R/c1")" = "10.123.0.2/24 10.123.0.1 bthc1" ] && [ "$(cat "$R/c2")" = "10.123.0.3/24 10.123.0.1 bthc2" ] &&
	tap_ok "two containers get the two lowest addresses" || tap_fail "two containers get the two lowest addresses" "$(cat "$R/c1" "$R/c2")"
c1ip=$(cat "$R/c1.ip")
grep -q '^lo .*UNKNOWN.*127.0.0.1/8' <<< "$c1ip" && grep -q '^eth0@.* UP .*10.123.0.2/24' <<< "$c1ip" &&
	grep -q '^default via 10.123.0.1 dev eth0' <<< "$c1ip" && tap_ok "inside: lo up, eth0 with its address, default route via the gateway" ||
	tap_fail "inside: lo up, eth0 with its address, default route via the gateway" "$c1ip"
tap_check "a container reaches another over the bridge" grep -qx 'from=10.123.0.2 c1-to-c2' "$R/c1c2"
tap_check "a container reaches the gateway" grep -qx 'from=10.123.0.2 c1-to-gw' "$R/c1gw"
grep -qx 'from=192.168.77.1 c1-out' "$R/c1out" && tap_ok "out of the uplink, masqueraded to the uplink's address" ||
	tap_fail "out of the uplink, masqueraded to the uplink's address" "$(cat "$R/c1out")"
grep -q 'from=' "$R/lanout" && tap_fail "nothing forwarded between two other interfaces" "$(cat "$R/lanout")" ||
	tap_ok "nothing forwarded between two other interfaces"
grep -q 'from=' "$R/extin" && tap_fail "no new connection from outside into the bridge" "$(cat "$R/extin")" ||
	tap_ok "no new connection from outside into the bridge"
[ "$(cat "$R/c2again")" = "10.123.0.3/24 10.123.0.1 bthc2" ] && tap_ok "a re-up keeps the container's address" ||
	tap_fail "a re-up keeps the container's address" "$(cat "$R/c2again")"
grep -qx 'c1 10.123.0.2' "$R/leases.2" && grep -qx 'c2 10.123.0.3' "$R/leases.2" && tap_ok "leases on disk under data_root/net" ||
	tap_fail "leases on disk under data_root/net" "$(cat "$R/leases.2")"
[ "$(grep -c '^rc=0$' "$R/down")" = 2 ] && tap_ok "down, twice (idempotent)" || tap_fail "down, twice (idempotent)" "$(cat "$R/down")"
grep -qE '^(c1$|bthc1)' "$R/after.down" && tap_fail "down removes the namespace and the veth" "$(cat "$R/after.down")" ||
	tap_ok "down removes the namespace and the veth"
[ "$(cat "$R/c3")" = "10.123.0.2/24 10.123.0.1 bthc3" ] && tap_ok "the released address is the next one handed out" ||
	tap_fail "the released address is the next one handed out" "$(cat "$R/c3")"
grep -qx 'c3 10.123.0.2' "$WORK/data/net/leases" && ! grep -q '^c1 ' "$WORK/data/net/leases" &&
	tap_ok "the lease file: c1 gone, c3 in its place" || tap_fail "the lease file: c1 gone, c3 in its place" "$(cat "$WORK/data/net/leases")"

# /etc files: a host resolver file with a loopback server (dropped)
printf 'nameserver 127.0.0.53\nnameserver 10.0.0.53\nsearch example.org\noptions ndots:2\n# x\n' > "$WORK/host.resolv"
NT="$WORK/net_tool -o resolv_conf=$WORK/host.resolv"
$NT files "$WORK/ctr" web1 10.123.0.9 > "$WORK/files.out" 2>&1
printf '10.0.0.53\nsearch example.org\noptions ndots:2\n' | sed 's/^10/nameserver 10/' > "$WORK/resolv.want"
diff -u "$WORK/resolv.want" "$WORK/ctr/resolv.conf" > "$WORK/resolv.diff" 2>&1 &&
	tap_ok "resolv.conf: the host's servers but loopback ones, its search and options" ||
	tap_fail "resolv.conf: the host's servers but loopback ones, its search and options" "$(cat "$WORK/files.out" "$WORK/resolv.diff")"
grep -qP '^10\.123\.0\.9\tweb1$' "$WORK/ctr/hosts" && grep -qP '^127\.0\.0\.1\tlocalhost$' "$WORK/ctr/hosts" &&
	[ "$(cat "$WORK/ctr/hostname")" = web1 ] && tap_ok "hosts and hostname" || tap_fail "hosts and hostname" "$(cat "$WORK/ctr/hosts" "$WORK/ctr/hostname")"
$NT -o dns=9.9.9.9 files "$WORK/ctr" web1 > "$WORK/files.out" 2>&1
grep -qx 'nameserver 9.9.9.9' "$WORK/ctr/resolv.conf" && ! grep -q 10.0.0.53 "$WORK/ctr/resolv.conf" &&
	! grep -q web1 "$WORK/ctr/hosts" && tap_ok "[container_network] dns replaces the host's servers; network none: no address line" ||
	tap_fail "[container_network] dns replaces the host's servers; network none: no address line" "$(cat "$WORK/files.out" "$WORK/ctr/resolv.conf" "$WORK/ctr/hosts")"
$NT -o bridge_subnet=10.123.0.0/24 files "$WORK/ctr" web1 10.123.0.9 dns=2001:db8::53 dns=1.1.1.1 search=corp.example \
	host=db:10.1.2.3 host=host.docker.internal:host-gateway host=v6:2001:db8::1 domain=example.net > "$WORK/files.out" 2>&1
printf 'nameserver 2001:db8::53\nnameserver 1.1.1.1\nsearch corp.example\noptions ndots:2\n' > "$WORK/resolv.want"
diff -u "$WORK/resolv.want" "$WORK/ctr/resolv.conf" > "$WORK/resolv.diff" 2>&1 &&
	tap_ok "a container's Dns and DnsSearch replace the host's servers and search, options kept" ||
	tap_fail "a container's Dns and DnsSearch replace the host's servers and search, options kept" "$(cat "$WORK/files.out" "$WORK/resolv.diff")"
printf '10.123.0.9\tweb1.example.net web1\n10.1.2.3\tdb\n10.123.0.1\thost.docker.internal\n2001:db8::1\tv6\n' > "$WORK/hosts.want"
tail -n 4 "$WORK/ctr/hosts" | diff -u "$WORK/hosts.want" - > "$WORK/hosts.diff" 2>&1 &&
	tap_ok "Domainname and ExtraHosts (host-gateway is the gateway) in hosts" ||
	tap_fail "Domainname and ExtraHosts (host-gateway is the gateway) in hosts" "$(cat "$WORK/files.out" "$WORK/hosts.diff")"
bad=""
for x in host=nocolon host=:1.2.3.4 host=a:notanip 'host=a b:1.2.3.4' dns=8.8.8 search=bad_domain! domain=-x; do
	$NT files "$WORK/ctr" web1 "$x" > /dev/null 2>&1 && bad="$bad $x"
done
[ -z "$bad" ] && tap_ok "bad ExtraHosts, Dns, DnsSearch, Domainname entries are refused" ||
	tap_fail "bad ExtraHosts, Dns, DnsSearch, Domainname entries are refused" "accepted:$bad"
out=$($NT files "$WORK/ctr" $'evil\n1.2.3.4 bank' 2>&1) && tap_fail "a hostname with a newline is refused" "$out" ||
	tap_ok "a hostname with a newline is refused"
tap_done

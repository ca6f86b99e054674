#!/bin/bash
# api.sh — berth-apid in the booted appliance, driven from the build machine
# the way an operator does: the stock docker CLI over mutual TLS through the
# forwarded API port with the development certificates (build/pki), berthctl
# over the same port, a role refused, and `berthctl reboot` over TLS: the
# machine goes down in order and, booted again from the same data disk, the
# API answers again.
. "$(dirname "$0")/../lib/env.sh"
. "$TOP/tests/lib/vm.sh"
. "$TOP/tests/lib/image.sh"
export SSH_PORT=12242 API_PORT=12396
PKI=$BUILD/pki

if ! command -v docker > /dev/null; then
	tap_skip "the API over TLS" "no docker CLI on this machine"; tap_done; exit
fi
if [ ! -x "$BUILD/bin/berth-apid" ] || [ ! -f "$PKI/admin/cert.pem" ]; then
	tap_skip "the API over TLS" "berth-apid or the development PKI is not built"; tap_done; exit
fi
export DOCKER_CONFIG=$WORK/docker-config
dk() { DOCKER_HOST=tcp://127.0.0.1:$API_PORT DOCKER_TLS_VERIFY=1 DOCKER_CERT_PATH=$PKI/admin timeout 300 docker "$@"; }
dkv() { DOCKER_HOST=tcp://127.0.0.1:$API_PORT DOCKER_TLS_VERIFY=1 DOCKER_CERT_PATH=$PKI/viewer timeout 120 docker "$@"; }
bctl() { timeout 120 "$BUILD/bin/berthctl" -H "tcp://127.0.0.1:$API_PORT" --tlsdir "$PKI/admin" "$@"; }

img_rootfs "$WORK/rootfs"
for a in sleep cat; do ln -sf busybox "$WORK/rootfs/bin/$a"; done
img_layer "$WORK/rootfs" "$WORK/l1.tar"
img_docker "$WORK/img" appliance/tls:latest "$WORK/l1.tar"
img_pack "$WORK/img" "$WORK/img.tar"

wait_api() { # SECS: until `docker version` answers over TLS
	local i
	for i in $(seq "$1"); do
		dk version --format '{{.Server.APIVersion}}' > /dev/null 2>&1 && return 0
		sleep 1
	done
	return 1
}

vm_start api; rc=$?
if [ $rc = 2 ]; then
	tap_skip "the API in qemu" "CONFIG_INIT_CONSOLE_SHELL is off"; tap_done; exit
fi
[ $rc = 0 ] || { tap_fail "boots to 'berth: ready'" "$(tail -20 "$VM_DIR/console.log")"; tap_done; exit; }
t0=$(date +%s%N)
if wait_api 120; then
	tap_ok "docker version over mTLS answers $(( ($(date +%s%N) - t0) / 1000000 )) ms after ready"
else
	tap_fail "docker version over mTLS answers" "$(dk version 2>&1 | tail -3); $(vm_run 'berthctl services' 2>&1)"
	vm_stop > /dev/null; tap_done; exit
fi
st=$(vm_run 'grep -E "^(Uid|CapEff|NoNewPrivs|Seccomp):" /proc/$(pidof berth-apid)/status | tr -s "\t " " " | tr "\n" " "; echo')
[[ $st == "Uid: 100 100 100 100 CapEff: 0000000000000000 NoNewPrivs: 1 Seccomp: 2 " ]] &&
	tap_ok "berth-apid runs as uid 100 with no capabilities, no_new_privs and seccomp" ||
	tap_fail "berth-apid runs unprivileged" "$st"
out=$(dk load -i "$WORK/img.tar" 2>&1)
grep -q 'Loaded image: appliance/tls:latest' <<< "$out" && tap_ok "docker load over mTLS" || tap_fail "docker load over mTLS" "$out"
out=$(dk run --rm appliance/tls echo hi over tls 2>&1); rc=$?
[ $rc = 0 ] && [ "$out" = "hi over tls" ] && tap_ok "docker run --rm over mTLS prints its output" ||
	tap_fail "docker run --rm over mTLS prints its output" "exit $rc: $out"
out=$(echo piped | dk run --rm -i appliance/tls cat 2>&1)
[ "$out" = piped ] && tap_ok "docker run -i over mTLS: stdin reaches the container and ends" ||
	tap_fail "docker run -i over mTLS" "$out"
id=$(dk run -d --name logger appliance/tls sh -c 'echo line one; echo line two >&2; sleep 1000' 2>&1)
sleep 2
out=$(dk logs logger 2>&1)
[ "$out" = $'line one\nline two' ] && tap_ok "docker logs over mTLS" || tap_fail "docker logs over mTLS" "$id / $out"
out=$(dkv run --rm appliance/tls true 2>&1); rc=$?
[ $rc != 0 ] && grep -q 'viewer' <<< "$out" && tap_ok "the viewer certificate may not create a container (403 naming the role)" ||
	tap_fail "the viewer certificate may not create a container" "exit $rc: $out"
out=$(dkv ps --format '{{.Names}}' 2>&1)
[ "$out" = logger ] && tap_ok "the viewer certificate lists containers" || tap_fail "the viewer certificate lists containers" "$out"
out=$(bctl services 2>&1)
grep -q apid <<< "$out" && grep -q berthd <<< "$out" && tap_ok "berthctl -H services over mTLS lists apid and berthd" ||
	tap_fail "berthctl -H services over mTLS" "$out"
# Monitoring through the same port: the monitor certificate scrapes
# /metrics (berthd's families and apid's) and reaches nothing else.
mon=(--cacert "$PKI/monitor/ca.pem" --cert "$PKI/monitor/cert.pem" --key "$PKI/monitor/key.pem" -s --max-time 60)
curl "${mon[@]}" -o "$WORK/metrics.txt" "https://127.0.0.1:$API_PORT/metrics"
grep -q '^berth_build_info' "$WORK/metrics.txt" && grep -q '^berth_api_requests_total' "$WORK/metrics.txt" &&
	grep -q '^berth_container_' "$WORK/metrics.txt" &&
	tap_ok "a scrape of /metrics with the monitor certificate through the forwarded port ($(wc -c < "$WORK/metrics.txt") bytes)" ||
	tap_fail "a scrape of /metrics with the monitor certificate" "$(head -c 300 "$WORK/metrics.txt")"
if command -v promtool > /dev/null; then
	out=$(promtool check metrics < "$WORK/metrics.txt" 2>&1)
	[ $? = 0 ] && tap_ok "promtool check metrics accepts the appliance's scrape" || tap_fail "promtool check metrics" "$out"
else
	tap_skip "promtool check metrics" "promtool is missing (apt-get install prometheus)"
fi
# Values against their sources, where containers have cgroups: one holding
# 50 MiB in its /dev/shm (tmpfs pages are charged to its memory cgroup), one
# spinning.
sample() { # FAMILY NAME: the sample's value for container NAME
	curl "${mon[@]}" "https://127.0.0.1:$API_PORT/metrics" | awk -v f="$1" -v n="name=\"$2\"" \
		'index($0, f "{") == 1 && index($0, n) { print $NF; exit }'
}
dk run -d --name hold appliance/tls sh -c 'dd if=/dev/zero of=/dev/shm/x bs=1M count=50 2>/dev/null; sleep 1000' > /dev/null 2>&1
dk run -d --name spin appliance/tls sh -c 'while :; do :; done' > /dev/null 2>&1
sleep 3
hid=$(dk inspect -f '{{.Id}}' hold 2>&1)
cur=$(vm_run "cat /sys/fs/cgroup/berth/$hid/memory.current")
mem=$(sample berth_container_memory_bytes hold)
awk -v m="$mem" -v c="$cur" 'BEGIN { t = 50 * 1048576; exit !(m > 0.9 * t && m < 1.1 * t && m > 0.9 * c && m < 1.1 * c) }' &&
	tap_ok "a container holding 50 MiB: berth_container_memory_bytes $mem, memory.current $cur (within 10%)" ||
	tap_fail "a container holding 50 MiB shows its memory" "metric '$mem', memory.current '$cur'"
c1=$(sample berth_container_cpu_seconds_total spin); sleep 2; c2=$(sample berth_container_cpu_seconds_total spin)
awk -v a="$c1" -v b="$c2" 'BEGIN { exit !(b - a > 0.5) }' &&
	tap_ok "cpu seconds of a spinning container grow ($c1 → $c2 in 2 s)" ||
	tap_fail "cpu seconds of a spinning container grow" "'$c1' → '$c2'"
dk rm -f hold spin > /dev/null 2>&1
code=$(curl "${mon[@]}" -o /dev/null -w '%{http_code}' "https://127.0.0.1:$API_PORT/containers/json")
[ "$code" = 403 ] && tap_ok "the monitor certificate gets 403 on /containers/json" || tap_fail "the monitor certificate gets 403" "$code"
# The example agent (in the development image as an operator adds one):
# a supervised service, unprivileged, in its own cgroup with its limits.
out=$(vm_run 'p=$(pidof berth-agent-example) && grep -E "^(Uid|CapEff|NoNewPrivs):" /proc/$p/status | tr -s "\t " " " | tr "\n" " " && cat /proc/$p/cgroup && cat /sys/fs/cgroup/system/agent-example/memory.max; echo' 2>&1)
[[ $out == "Uid: 103 103 103 103 CapEff: 0000000000000000 NoNewPrivs: 1 0::/system/agent-example"*8388608* ]] &&
	tap_ok "the example agent runs as berth-svc without capabilities in its own cgroup (memory.max 8 MiB)" ||
	tap_fail "the example agent runs contained" "$out"
out=$(vm_run 'ls /var/lib/berth/audit/ && tail -3 /var/lib/berth/audit/api.log' 2>&1)
grep -q 'POST' <<< "$out" && grep -q 'admin' <<< "$out" && tap_ok "mutating requests are in the audit log on the data partition" ||
	tap_fail "mutating requests are in the audit log" "$out"

# berthctl reboot over TLS: an orderly shutdown (qemu runs with -no-reboot,
# so the reboot ends qemu), then the same data disk boots and the API and the
# container record are back.
out=$(bctl reboot 2>&1); rc=$?
if [ $rc = 0 ] && vm_wait_exit 120; then
	grep -q 'shutdown: reboot' "$VM_DIR/console.log" && tap_ok "berthctl reboot over mTLS: an orderly reboot" ||
		tap_fail "berthctl reboot over mTLS: an orderly reboot" "$(tail -5 "$VM_DIR/console.log")"
else
	tap_fail "berthctl reboot over mTLS ends the machine" "exit $rc: $out; $(tail -5 "$VM_DIR/console.log")"
	vm_stop > /dev/null
fi
if "$TOP/tools/qemu-run.sh" bg "$VM_DIR" > /dev/null && wait_api 120; then
	out=$(dk ps -a --format '{{.Names}}' 2>&1)
	[ "$out" = logger ] && tap_ok "after the reboot the API answers again and the container record is there" ||
		tap_fail "after the reboot the container record is there" "$out"
else
	tap_fail "after the reboot the API answers again" "$(tail -10 "$VM_DIR/console.log")"
fi
vm_stop > /dev/null
rm -f "$DATA_IMG"
tap_done

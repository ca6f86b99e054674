#!/bin/bash
# engine.sh — the engine in the booted appliance, driven from the build
# machine with the stock docker CLI the ways an operator would:
#   - DOCKER_HOST=ssh://root@127.0.0.1:PORT with the development key (the
#     CLI runs `docker system dial-stdio` on the appliance: berth-dial);
#   - `ssh -L` of /run/berth/engine.sock to a local socket;
#   - a published port reached through a qemu hostfwd on 127.0.0.1;
#   - a restart=always container running again after the appliance is
#     powered off and booted from the same data disk;
#   - a fork bomb under a memory and pids limit while the API answers.
. "$(dirname "$0")/../lib/env.sh"
. "$TOP/tests/lib/vm.sh"
. "$TOP/tests/lib/image.sh"
export SSH_PORT=12232 API_PORT=12386 WEB_PORT=12380
export HOSTFWD="tcp:127.0.0.1:$WEB_PORT-:8080"
KEY=$BUILD/pki/ssh/id_ed25519

if ! command -v docker > /dev/null; then
	tap_skip "the engine over SSH" "no docker CLI on this machine"; tap_done; exit
fi
if [ ! -x "$BUILD/bin/berthd" ] || [ ! -f "$KEY" ]; then
	tap_skip "the engine over SSH" "berthd or the development SSH key is not built"; tap_done; exit
fi

vm_docker "$KEY"

# The image: busybox (sh, echo, httpd), tagged appliance/web.
img_rootfs "$WORK/rootfs"
for a in httpd sleep seq cat head mkdir; do ln -sf busybox "$WORK/rootfs/bin/$a"; done
mkdir -p "$WORK/rootfs/www" && echo "hello from a container" > "$WORK/rootfs/www/index.html"
img_layer "$WORK/rootfs" "$WORK/l1.tar"
img_docker "$WORK/img" appliance/web:latest "$WORK/l1.tar"
img_pack "$WORK/img" "$WORK/web.tar"

vm_start engine; rc=$?
if [ $rc = 2 ]; then
	tap_skip "the engine in qemu" "CONFIG_INIT_CONSOLE_SHELL is off"; tap_done; exit
fi
[ $rc = 0 ] || { tap_fail "boots to 'berth: ready'" "$(tail -20 "$VM_DIR/console.log")"; tap_done; exit; }
for _ in $(seq 300); do vm_run 'test -S /run/berth/engine.sock' > /dev/null && break; sleep 0.2; done
tap_check "berthd runs as a service and its socket is there" vm_run 'test -S /run/berth/engine.sock'
# docker over ssh:// needs SSH to answer, which comes after "berth: ready"
# on a fresh data disk (vm_wait_ssh)
vm_wait_ssh "$KEY" 120 || tap_fail "SSH answers within 120 s of ready" "$(tr -d '\r' < "$VM_DIR/console.log" | grep -E 'dropbear|dhcpc' | tail -6)"
modes=$(vm_run 'stat -c "%a %U %G" /run/berth/engine.sock')
[ "$modes" = "660 root berth" ] && tap_ok "engine.sock is 0660 root:berth" || tap_fail "engine.sock is 0660 root:berth" "$modes"

out=$(dk version --format '{{.Server.Os}} {{.Server.APIVersion}}' 2>&1)
[[ $out == "linux 1."* ]] && tap_ok "docker version over ssh:// ($out)" || tap_fail "docker version over ssh://" "$out"
out=$(dk load -i "$WORK/web.tar" 2>&1)
grep -q 'Loaded image: appliance/web:latest' <<< "$out" && tap_ok "docker load over ssh://" ||
	tap_fail "docker load over ssh://" "$out"
out=$(dk run --rm appliance/web echo hi over ssh 2>&1); rc=$?
[ $rc = 0 ] && [ "$out" = "hi over ssh" ] && tap_ok "docker run --rm over ssh:// prints its output" ||
	tap_fail "docker run --rm over ssh:// prints its output" "exit $rc: $out"
dk run --rm appliance/web sh -c 'exit 7' > /dev/null 2>&1; rc=$?
[ $rc = 7 ] && tap_ok "docker run --rm: the exit code comes back" || tap_fail "docker run --rm: the exit code comes back" "exit $rc"
# the appliance's /etc/resolv.conf is a symlink to the DHCP client's file:
# before, berthd refused to read it and containers got no name server
out=$(dk run --rm appliance/web sh -c 'while read -r l; do echo "$l"; done < /etc/resolv.conf' 2>&1)
grep -qx 'nameserver 10.0.2.3' <<< "$out" && tap_ok "a container on the bridge gets the appliance's name server from DHCP (10.0.2.3)" ||
	tap_fail "a container on the bridge gets the appliance's name server from DHCP" "$out"
id=$(dk run -d --name logger appliance/web sh -c 'echo line one; echo line two >&2; sleep 1000' 2>&1)
sleep 2
out=$(dk logs logger 2>&1)
[ "$out" = $'line one\nline two' ] && tap_ok "docker logs over ssh://" || tap_fail "docker logs over ssh://" "$id / $out"

# ssh -L of the engine socket.
rm -f "$WORK/fwd.sock"
ssh -N -L "$WORK/fwd.sock:/run/berth/engine.sock" -p "$SSH_PORT" root@127.0.0.1 &
fwd=$!
for _ in $(seq 100); do [ -S "$WORK/fwd.sock" ] && break; sleep 0.1; done
out=$(DOCKER_HOST=unix://$WORK/fwd.sock timeout 60 docker ps --format '{{.Names}}' 2>&1)
[ "$out" = logger ] && tap_ok "docker ps through ssh -L of engine.sock" || tap_fail "docker ps through ssh -L of engine.sock" "$out"
out=$(DOCKER_HOST=unix://$WORK/fwd.sock timeout 60 docker run --rm appliance/web echo forwarded 2>&1)
[ "$out" = forwarded ] && tap_ok "docker run --rm through ssh -L" || tap_fail "docker run --rm through ssh -L" "$out"
kill "$fwd" 2>/dev/null; wait "$fwd" 2>/dev/null

# A published port, reached from the build machine through qemu's hostfwd.
out=$(dk run -d --name web --restart=always -p 8080:8080 appliance/web httpd -f -p 8080 -h /www 2>&1)
body=""
for _ in $(seq 50); do body=$(curl -s --max-time 2 "http://127.0.0.1:$WEB_PORT/" 2>&1) && [ -n "$body" ] && break; sleep 0.2; done
[ "$body" = "hello from a container" ] && tap_ok "a published port answers through the appliance" ||
	tap_fail "a published port answers through the appliance" "$out / $body"

# PID 1 restarts berthd (its whole service group is killed): the
# containers live in cgroups of their own and keep running; berthd finds
# them again.
shim=$(vm_run 'pidof berth-shim | wc -w')
vm_run 'berthctl restart berthd' > /dev/null
sleep 1
for _ in $(seq 100); do vm_run 'test -S /run/berth/engine.sock' > /dev/null && break; sleep 0.2; done
body=$(curl -s --max-time 5 "http://127.0.0.1:$WEB_PORT/" 2>&1)
out=$(dk ps --format '{{.Names}} {{.State}}' 2>&1 | sort | tr '\n' ' ')
[ "$body" = "hello from a container" ] && [ "$out" = "logger running web running " ] &&
	[ "$(vm_run 'pidof berth-shim | wc -w')" = "$shim" ] &&
	tap_ok "berthctl restart berthd: both containers and their $shim shims still run, the port still answers" ||
	tap_fail "berthctl restart berthd leaves the containers running" "ps: $out; body: $body; shims $shim → $(vm_run 'pidof berth-shim')"
out=$(dk logs logger 2>&1)
[ "$out" = $'line one\nline two' ] && tap_ok "docker logs after berthd's restart" || tap_fail "docker logs after berthd's restart" "$out"

# A fork bomb under a memory and pids limit; the API keeps answering.
dk run -d --name bomb -m 32m --pids-limit 64 appliance/web sh -c 'b() { b | b & }; b; sleep 1000' > /dev/null 2>&1
sleep 5
t0=$(date +%s%N)
out=$(dk ps --format '{{.Names}}' 2>&1)
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
grep -q bomb <<< "$out" && tap_ok "the API answers beside a fork bomb (docker ps in $ms ms)" ||
	tap_fail "the API answers beside a fork bomb" "$out"
bid=$(dk inspect -f '{{.Id}}' bomb 2>&1)
mem=$(vm_run "cat /sys/fs/cgroup/berth/$bid/memory.max")
[ "$mem" = 33554432 ] && tap_ok "the bomb's cgroup has memory.max 32 MiB" || tap_fail "the bomb's cgroup has memory.max 32 MiB" "$bid: $mem"
pids=$(vm_run "cat /sys/fs/cgroup/berth/$bid/pids.current")
[ -n "$pids" ] && [ "$pids" -le 64 ] && tap_ok "the bomb is held at its pids limit ($pids)" ||
	tap_fail "the bomb is held at its pids limit" "pids.current: $pids"
dk rm -f bomb > /dev/null 2>&1

# Power off (the button: an orderly shutdown), boot again from the same
# data disk: the restart=always container runs again, the others are there.
"$TOP/tools/qemu-run.sh" stop "$VM_DIR" > /dev/null
"$TOP/tools/qemu-run.sh" bg "$VM_DIR" > /dev/null || tap_fail "boots again from the same data disk" "$(tail -20 "$VM_DIR/console.log")"
rm -f "$VM_DIR/seq"
body=""
for _ in $(seq 150); do body=$(curl -s --max-time 2 "http://127.0.0.1:$WEB_PORT/" 2>&1) && [ -n "$body" ] && break; sleep 0.2; done
[ "$body" = "hello from a container" ] && tap_ok "after a power cycle the restart=always container serves again" ||
	tap_fail "after a power cycle the restart=always container serves again" "$body"
out=$(dk ps -a --format '{{.Names}} {{.State}}' 2>&1 | sort)
grep -q '^logger exited$' <<< "$out" && grep -q '^web running$' <<< "$out" &&
	tap_ok "docker ps -a after the power cycle: web running, logger exited" ||
	tap_fail "docker ps -a after the power cycle: web running, logger exited" "$out"
vm_stop > /dev/null
rm -f "$DATA_IMG"
tap_done

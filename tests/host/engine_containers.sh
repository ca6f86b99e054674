#!/bin/bash
# engine_containers.sh — berthd's containers end to end: berthd as root on a
# temporary data root, run dir and socket, inside mount and network
# namespaces of its own (its bridge, veths, nf_tables rules and mounts stay
# private), driven by the stock docker CLI, curl and python3's docker
# module: run -d, ps, logs (-f), exec (with and without a terminal), stop,
# kill, restart, rm, inspect, run --rm (exit codes, 100 runs), stats, a
# named volume, the policy's refusals, an engine killed with -9 and started
# again, and a restart=always container coming back.
if [ -z "${ENGINE_CTR_NS:-}" ] && [ "$(id -u)" = 0 ] && command -v unshare >/dev/null; then
	ENGINE_CTR_NS=1 exec unshare -m -n --propagation private "$0" "$@"
fi
. "$(dirname "$0")/../lib/env.sh"
. "$TOP/tests/lib/image.sh"

if [ "${CONFIG_ENGINE:-}" != y ]; then tap_skip "engine containers" "CONFIG_ENGINE is off"; tap_done; exit; fi
need_root "engine containers" || { tap_done; exit; }
for t in curl python3 docker; do
	command -v $t >/dev/null || { tap_skip "engine containers" "$t is missing"; tap_done; exit; }
done
ip link set lo up 2>/dev/null

. "$TOP/tests/lib/daemons.sh"
daemons_init bR
printf '[container_network]\npublish_addresses = 127.0.0.1\ndns = 192.0.2.53\n' >"$WORK/berth.conf"
c() { curl -s --max-time 20 --unix-socket "$S" "$@"; }
py() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
export -f py
export DOCKER_HOST=unix://$S

# the data root on a small tmpfs of this mount namespace, for the full-disk case
mkdir -p "$D"
mount -t tmpfs -o size=96m tmpfs "$D" || tap_skip "a tmpfs data root" "mount failed"
start_berthd || { tap_fail "berthd starts" "$(cat "$WORK/berthd.log")"; tap_done; exit; }
tap_ok "berthd starts in its own mount and network namespaces"

# an image with the applets the flows need
mkdir -p "$WORK/img"
img_rootfs "$WORK/img/r"
for a in sleep kill ps wc touch head seq env hostname grep tty stty test httpd; do ln -sf busybox "$WORK/img/r/bin/$a"; done
img_layer "$WORK/img/r" "$WORK/img/l.tar"
img_docker "$WORK/img/ds" appliance/ctr:latest "$WORK/img/l.tar"
img_pack "$WORK/img/ds" "$WORK/ctr.tar"
IMG=appliance/ctr
tap_check "docker load" test "$(docker load -i "$WORK/ctr.tar" 2>&1)" = "Loaded image: $IMG:latest"

# ------------------------------------------------------------------ run -d
id=$(docker run -d --name web $IMG sleep 1000)
tap_check "docker run -d prints a 64-digit id" grep -qE '^[0-9a-f]{64}$' <<<"$id"
tap_check "docker ps lists it as Up" bash -c 'docker ps --format "{{.Names}} {{.Status}}" | grep -qE "^web Up"'
tap_check "the container's first process runs (inspect Pid is alive)" bash -c \
	'p=$(docker inspect -f "{{.State.Pid}}" web); [ "$p" -gt 0 ] && kill -0 "$p"'
out=$(docker run --name x $IMG true 2>&1)
tap_check "a one-character name is refused as dockerd does" grep -q 'Invalid container name (x)' <<<"$out"
out=$(docker run -d --name web $IMG true 2>&1)
tap_check "a name in use: 409 Conflict naming the other container" grep -q "The container name \"/web\" is already in use by container \"$id\"" <<<"$out"
out=$(docker create --name nothere nope/nope 2>&1)
tap_check "a missing image: 404 (the CLI tries to pull)" grep -q "Unable to find image 'nope/nope:latest' locally" <<<"$out"

# ------------------------------------------------------------------ inspect
j=$(c "http://x/v1.47/containers/web/json")
tap_check "inspect: Id, Name /web, State running, Created RFC 3339, Config.Tty false, Path/Args" bash -c '
	[ "$(py "d[\"Id\"], d[\"Name\"], d[\"State\"][\"Status\"], d[\"State\"][\"Running\"], d[\"Created\"][:2], d[\"Config\"][\"Tty\"], d[\"Path\"], d[\"Args\"][0]" <<<"$1")" = "$2 /web running True 20 False sleep 1000" ]' _ "$j" "$id"
tap_check "inspect: NetworkSettings.IPAddress on the bridge subnet, Gateway .1" bash -c '
	[ "$(py "d[\"NetworkSettings\"][\"IPAddress\"][:7], d[\"NetworkSettings\"][\"Gateway\"], d[\"NetworkSettings\"][\"Networks\"][\"bridge\"][\"IPAddress\"] == d[\"NetworkSettings\"][\"IPAddress\"]" <<<"$1")" = "172.29. 172.29.0.1 True" ]' _ "$j"
tap_check "inspect by a 12-digit prefix" test "$(docker inspect -f '{{.Id}}' "${id:0:12}")" = "$id"
l=$(c "http://x/v1.47/containers/json")
tap_check "list: Names /web, Created int, State running, Status Up" bash -c '
	[ "$(py "[\" \".join([x[\"Names\"][0], type(x[\"Created\"]).__name__, x[\"State\"], x[\"Status\"][:2]]) for x in d][0]" <<<"$1")" = "/web int running Up" ]' _ "$l"

# --------------------------------------------------------------------- logs
docker run -d --name talker $IMG sh -c 'echo out; echo err >&2; sleep 1000' >/dev/null
sleep 1
tap_check "docker logs: stdout and stderr" test "$(docker logs talker 2>&1 | sort | tr '\n' ' ')" = "err out "
tap_check "docker logs: stderr goes to stderr" test "$(docker logs talker 2>/dev/null)" = out
tap_check "docker logs --tail 1" test "$(docker logs --tail 1 talker 2>&1 | wc -l)" = 1
tap_check "docker logs -t: RFC 3339 stamps with 9 digits" bash -c \
	'docker logs -t talker 2>/dev/null | grep -qE "^20[0-9-]+T[0-9:]+\.[0-9]{9}Z out$"'
docker run -d --name follow $IMG sh -c 'echo a; sleep 2; echo b' >/dev/null
out=$(timeout 20 docker logs -f follow 2>&1; echo "rc=$?")
tap_check "docker logs -f: history, new lines, ends with the container" test "$(tr '\n' ' ' <<<"$out")" = "a b rc=0 "

# --------------------------------------------------------------------- exec
tap_check "docker exec echo" test "$(docker exec web echo hi 2>&1)" = hi
docker exec web sh -c 'exit 3'
tap_check "docker exec: the exit code propagates" test $? = 3
out=$(docker exec web nosuchcmd 2>&1)
rc=$?
tap_check "docker exec of a missing command: 127 and dockerd's text" bash -c \
	'[ "$1" = 127 ] && grep -q "executable file not found" <<<"$2"' _ "$rc" "$out"
out=$(script -qec "docker exec -t web sh -c 'tty; echo ok'" /dev/null 2>&1 | tr -d '\r')
tap_check "docker exec -t: a terminal inside" bash -c 'grep -q "^/dev/pts/" <<<"$1" && grep -qx ok <<<"$1"' _ "$out"
tap_check "docker exec -d" docker exec -d web sh -c 'touch /tmp/detached'
sleep 0.5
tap_check "the detached exec ran" docker exec web test -e /tmp/detached

# ---------------------------------------------------------- stop, kill, rm
out=$(docker rm web 2>&1)
tap_check "docker rm of a running container: 409" grep -q "container is running: stop the container before removing or force remove" <<<"$out"
t0=$(date +%s)
tap_check "docker stop" test "$(docker stop -t 5 web 2>&1)" = web
tap_check "stop sent SIGTERM first (sleep as pid 1 ignores it: SIGKILL after 5 s)" test $(($(date +%s) - t0)) -ge 4
tap_check "after stop: exited (137)" test "$(docker inspect -f '{{.State.Status}} {{.State.ExitCode}}' web)" = "exited 137"
tap_check "stop of a stopped container: success (304)" test "$(docker stop web 2>&1)" = web
out=$(docker kill web 2>&1)
tap_check "kill of a stopped container: 409 is not running" grep -q "is not running" <<<"$out"
tap_check "docker start" test "$(docker start web 2>&1)" = web
tap_check "docker kill" test "$(docker kill web 2>&1)" = web
tap_check "after kill: exited 137" test "$(docker inspect -f '{{.State.Status}} {{.State.ExitCode}}' web)" = "exited 137"
# dockerd answers a SIGKILL kill once the exit is recorded: the inspect sent
# right after it (one curl, no CLI start-up between) sees it exited
docker start web >/dev/null
out=$(c -o /dev/null -w '%{http_code}\n' -X POST http://x/containers/web/kill --next \
	--unix-socket "$S" -s --max-time 20 http://x/containers/web/json | tr -d '\n')
tap_check "kill (SIGKILL) answers once exited: an inspect right after says so" \
	bash -c 'grep -q "^204{" <<<"$1" && grep -q "\"Status\":\"exited\"" <<<"$1" && grep -q "\"ExitCode\":137" <<<"$1"' _ "$out"
docker start web >/dev/null
p1=$(docker inspect -f '{{.State.Pid}}' web)
tap_check "docker restart" test "$(docker restart -t 1 web 2>&1)" = web
p2=$(docker inspect -f '{{.State.Pid}}' web)
tap_check "restart: a new process, running" bash -c '[ "$1" != "$2" ] && [ "$(docker inspect -f "{{.State.Running}}" web)" = true ]' _ "$p1" "$p2"
tap_check "docker ps -a shows exited containers" bash -c 'docker ps -a --format "{{.Names}} {{.Status}}" | grep -qE "^follow Exited \(0\)"'
tap_check "ps --filter status=exited" test "$(docker ps -a --filter status=exited --format '{{.Names}}')" = follow
tap_check "docker rm -f" test "$(docker rm -f web 2>&1)" = web
out=$(docker inspect web 2>&1)
tap_check "removed: No such object" grep -q "No such object: web" <<<"$out"

# ------------------------------------------------------------- run --rm
tap_check "docker run --rm echo hi" test "$(docker run --rm $IMG echo hi 2>&1)" = hi
docker run --rm $IMG sh -c 'exit 7'
tap_check "run --rm: the exit code propagates" test $? = 7
out=$(docker run --rm $IMG nosuchcmd 2>&1)
rc=$?
tap_check "run --rm of a missing command: 127 ($out)" test "$rc" = 127
before=$(docker ps -aq | wc -l)
bad=0
for i in $(seq 100); do
	o=$(docker run --rm $IMG echo hi 2>&1)
	[ "$o" = hi ] || { bad=$((bad + 1)); echo "# run $i: $o"; }
done
tap_check "100 runs of docker run --rm echo hi all print hi" test $bad = 0
tap_check "and leave no container behind" test "$(docker ps -aq | wc -l)" = "$before"

# ------------------------------------------------------------------ stats
docker run -d --name st $IMG sleep 1000 >/dev/null
out=$(timeout 10 docker stats --no-stream --format '{{.Name}} {{.PIDs}}' st 2>&1)
tap_check "docker stats --no-stream" grep -q "^st " <<<"$out"
j=$(c "http://x/v1.47/containers/st/stats?stream=0")
tap_check "stats: id, name, cpu_stats, memory_stats, networks.eth0" bash -c \
	'[ "$(py "d[\"name\"], \"total_usage\" in d[\"cpu_stats\"][\"cpu_usage\"], \"usage\" in d[\"memory_stats\"], \"rx_bytes\" in d[\"networks\"][\"eth0\"]" <<<"$1")" = "/st True True True" ]' _ "$j"
out=$(docker top st 2>&1)
tap_check "docker top lists sleep" grep -q "sleep 1000" <<<"$out"
docker rm -f st >/dev/null

# ---------------------------------------------------------------- volumes
out=$(docker run --rm -v data:/data $IMG sh -c 'echo persisted >/data/f' 2>&1)
tap_check "a container writes to a named volume" test "$(cat "$D/volumes/data/_data/f" 2>/dev/null)" = persisted
tap_check "another container reads it" test "$(docker run --rm -v data:/data $IMG cat /data/f 2>&1)" = persisted
docker run -d --name vuser -v data:/data $IMG sleep 1000 >/dev/null
out=$(docker volume rm data 2>&1)
tap_check "a volume in use cannot be removed" grep -q "volume is in use" <<<"$out"
docker rm -f vuser >/dev/null

# ---------------------------------------------------------------- refusals
refused() {
	local what=$1 field=$2
	shift 2
	out=$(docker run --rm "$@" $IMG true 2>&1)
	rc=$?
	tap_check "refused: $what (125, naming $field)" bash -c '[ "$1" = 125 ] && grep -qF "$2" <<<"$3"' _ "$rc" "$field" "$out"
}
refused "--privileged" "HostConfig.Privileged" --privileged
refused "-v /:/host" "HostConfig.Binds" -v /:/host
refused "--cap-add SYS_ADMIN" "HostConfig.CapAdd" --cap-add SYS_ADMIN
refused "--pid host" "HostConfig.PidMode" --pid host
refused "--security-opt seccomp=unconfined" "HostConfig.SecurityOpt" --security-opt seccomp=unconfined
# What the engine cannot do is refused, never silently left out.
refused "--volumes-from (not supported)" "HostConfig.VolumesFrom: --volumes-from is not supported" --volumes-from vuser
refused "--link (not supported)" "HostConfig.Links: --link is not supported" --link vuser:v
refused "--network container:X (not supported)" "HostConfig.NetworkMode: network container:vuser is not supported" --network container:vuser
refused "--network of a user-defined network" "HostConfig.NetworkMode: network mynet is not supported" --network mynet
refused "--ipc container:X (not supported)" "HostConfig.IpcMode: container:vuser is not supported" --ipc container:vuser
refused "--init (not supported)" "HostConfig.Init: --init is not supported" --init
out=$(c -X POST -H 'Content-Type: application/json' -d "{\"Image\":\"$IMG\",\"HostConfig\":{\"Privil\\u0065ged\":true,\"Privileged\":true}}" http://x/v1.47/containers/create)
tap_check "a create body with Privileged twice (one escaped) is refused" bash -c '! grep -q "\"Id\"" <<<"$1"' _ "$out"
tap_check "refusals left nothing behind" test "$(docker ps -aq | wc -l)" = 2

# ------------------------------------------------------------ python3-docker
out=$(python3 - "$S" "$IMG" <<'PY' 2>&1
import sys, docker
cl = docker.DockerClient(base_url="unix://" + sys.argv[1])
c = cl.containers.create(sys.argv[2], ["sleep", "1000"], name="pyctr")
c.start(); c.reload()
print(c.status, c.attrs["Name"], c.attrs["Config"]["Cmd"][0])
c.remove(force=True)
print(len([x for x in cl.containers.list(all=True) if x.name == "pyctr"]))
PY
)
tap_check "python3-docker: create, start, inspect, remove" test "$(tr '\n' ' ' <<<"$out")" = "running /pyctr sleep 0 "

# ------------------------------------------------------------ engine restart
for n in k1 k2 k3; do docker run -d --name $n $IMG sh -c 'i=0; while :; do echo tick $i; i=$((i+1)); sleep 0.2; done' >/dev/null; done
docker run -d --name bootal --restart=always $IMG sleep 1000 >/dev/null
sleep 1
kpids=$(for n in k1 k2 k3; do docker inspect -f '{{.State.Pid}}' $n; done)
bpid=$(docker inspect -f '{{.State.Pid}}' bootal)
{ kill -9 "$BERTHD"; wait "$BERTHD"; } 2>/dev/null
sleep 1
tap_check "with berthd killed (-9), the three containers' processes still run" bash -c \
	'for p in $1; do kill -0 "$p" || exit 1; done' _ "$kpids"
# while berthd is away, a restart=always container dies: its next start runs it again
kill -9 "$bpid"
sleep 0.5
start_berthd || tap_fail "berthd starts again" "$(tail -5 "$WORK/berthd.log")"
tap_check "after the restart: all three running" test "$(docker ps --filter name=^k --format '{{.Names}}' | sort | tr '\n' ' ')" = "k1 k2 k3 "
n1=$(docker logs k1 2>&1 | wc -l)
sleep 1
n2=$(docker logs k1 2>&1 | wc -l)
tap_check "their logs continue ($n1 → $n2 lines)" test "$n2" -gt "$n1"
tap_check "stop works after the restart" test "$(docker stop -t 1 k1 2>&1)" = k1
tap_check "and records the exit" test "$(docker inspect -f '{{.State.Status}}' k1)" = exited
docker rm -f k1 k2 k3 >/dev/null
ok=0
for _ in $(seq 25); do
	[ "$(docker inspect -f '{{.State.Running}}' bootal)" = true ] && [ "$(docker inspect -f '{{.State.Pid}}' bootal)" != "$bpid" ] && ok=1 && break
	sleep 0.2
done
tap_check "a restart=always container that died while berthd was away runs again at its start" test $ok = 1
docker rm -f bootal >/dev/null

# ------------------------------------------------- attach, stdin, network
tap_check "docker run attached (no --rm): output, then the exit code" bash -c \
	'[ "$(docker run --name att $1 sh -c "echo one; echo two >&2; exit 4" 2>&1 | sort | tr "\n" " ")" = "one two " ] &&
	 [ "$(docker inspect -f "{{.State.ExitCode}}" att)" = 4 ]' _ "$IMG"
docker rm att >/dev/null
tap_check "docker run -i: stdin reaches the container" test "$(echo piped | docker run -i --rm $IMG cat 2>&1)" = piped
tap_check "docker start -a: attached before the start" test "$(docker create --name sa $IMG echo started >/dev/null; docker start -a sa 2>&1)" = started
docker rm sa >/dev/null
out=$(docker run --rm --network none $IMG cat /proc/net/dev 2>&1)
tap_check "--network none: only lo" bash -c '! grep -q eth0 <<<"$1" && grep -q "lo:" <<<"$1"' _ "$out"
tap_check "bridge: eth0 and a default route via the gateway" bash -c \
	'docker run --rm $1 cat /proc/net/route | grep -qE "^eth0[[:space:]]+00000000[[:space:]]+01001DAC"' _ "$IMG"
tap_check "the container's /etc/hosts and hostname" bash -c \
	'[ "$(docker run --rm --hostname box1 $1 hostname)" = box1 ] && docker run --rm --hostname box1 $1 cat /etc/hosts | grep -q box1' _ "$IMG"
docker run -d --name web2 -p 127.0.0.1:18080:8080 $IMG sh -c 'echo hello-from-ctr >/tmp/index.html; httpd -f -p 8080 -h /tmp' >/dev/null
sleep 1
out=$(curl -s --max-time 5 http://127.0.0.1:18080/index.html)
tap_check "a published port reaches the container (-p 127.0.0.1:18080:8080)" test "$out" = hello-from-ctr
tap_check "docker ps shows the port" bash -c 'docker ps --format "{{.Ports}}" --filter name=web2 | grep -q "127.0.0.1:18080->8080/tcp"'
docker rm -f web2 >/dev/null
docker create --name web3 -p 0.0.0.0:18081:8080 $IMG true >/dev/null
out=$(docker start web3 2>&1)
tap_check "berth.conf [container_network] is read: a host address it does not list is refused" \
	grep -q "publish_addresses" <<<"$out"
docker rm -f web3 >/dev/null

# ------------------------------------------------------------ restart=always
docker run -d --name alw --restart=always $IMG sleep 1000 >/dev/null
p=$(docker inspect -f '{{.State.Pid}}' alw)
kill -9 "$p"
ok=0
for _ in $(seq 50); do
	q=$(docker inspect -f '{{.State.Running}} {{.State.Pid}} {{.RestartCount}}' alw)
	case $q in "true "*" 1") [ "${q#true }" != "$p 1" ] && ok=1 && break ;; esac
	sleep 0.2
done
tap_check "a restart=always container comes back after its process is killed ($q)" test $ok = 1
tap_check "stop ends it for good" bash -c 'docker stop -t 1 alw >/dev/null; sleep 1; [ "$(docker inspect -f "{{.State.Status}}" alw)" = exited ]'
docker rm -f alw >/dev/null

# ------------------------------------------------- rename, wait, filters
docker run -d --name old1 --label tier=web $IMG sh -c 'sleep 1; exit 5' >/dev/null
tap_check "docker rename" bash -c 'docker rename old1 new1 && [ "$(docker inspect -f "{{.Name}}" new1)" = /new1 ]'
out=$(docker rename new1 talker 2>&1)
tap_check "rename onto a used name: 409" grep -q 'is already in use by container' <<<"$out"
tap_check "docker wait: the exit code" test "$(timeout 20 docker wait new1 2>&1)" = 5
tap_check "ps --filter label=tier=web" test "$(docker ps -a --filter label=tier=web --format '{{.Names}}')" = new1
tap_check "ps --filter exited=5" test "$(docker ps -a --filter exited=5 --format '{{.Names}}')" = new1
tap_check "ps -n 1: the newest only" test "$(docker ps -a -n 1 --format '{{.Names}}')" = new1
tap_check "ps --filter ancestor" bash -c '[ "$(docker ps -a --filter ancestor=$1 --format "{{.Names}}" | grep -c new1)" = 1 ]' _ "$IMG"
docker rm new1 >/dev/null

# ------------------------------------------------------------ a full disk
tty_out=$(script -qec "docker run --rm -t $IMG tty" /dev/null 2>&1 | tr -d '\r')
tap_check "docker run -t: a terminal inside ($tty_out)" grep -q "^/dev/pts/" <<<"$tty_out"
n0=$(ls "$D/containers" | wc -l)
dd if=/dev/zero of="$D/fill" bs=1M 2>/dev/null
dd if=/dev/zero of="$D/fill2" bs=4k 2>/dev/null
out=$(docker create --name full $IMG true 2>&1)
rc=$?
tap_check "create on a full data disk: a clear error ($out)" bash -c '[ "$1" != 0 ] && grep -qi "space" <<<"$2"' _ "$rc" "$out"
tap_check "and no half container left" test "$(ls "$D/containers" | wc -l)" = "$n0"
rm -f "$D/fill" "$D/fill2"
tap_check "with room again, create works" bash -c 'docker create --name full "$1" true >/dev/null && docker rm full >/dev/null' _ "$IMG"

tap_check "the engine log has no error lines" bash -c '! grep -q "error" "$1"' _ "$WORK/berthd.log"
tap_done

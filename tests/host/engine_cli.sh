#!/bin/bash
# engine_cli.sh — what the stock docker CLI asks that berthd used to ignore
# or answer unclearly: -p with no host port (a free port, shown by docker
# port, ps and inspect, kept across a restart of berthd), -P, --add-host,
# --dns, --dns-search, --dns-option, --domainname (checked at create),
# the create fields berthd cannot honour (refused naming the field, with
# what to do instead), --platform, and the Docker routes berthd does not
# serve (404 naming the command). berthd as root in its own mount and
# network namespaces, as engine_containers.sh.
if [ -z "${ENGINE_CLI_NS:-}" ] && [ "$(id -u)" = 0 ] && command -v unshare >/dev/null; then
	ENGINE_CLI_NS=1 exec unshare -m -n --propagation private "$0" "$@"
fi
. "$(dirname "$0")/../lib/env.sh"
. "$TOP/tests/lib/image.sh"

if [ "${CONFIG_ENGINE:-}" != y ]; then tap_skip "engine CLI" "CONFIG_ENGINE is off"; tap_done; exit; fi
need_root "engine CLI" || { tap_done; exit; }
for t in curl python3 docker; do
	command -v $t >/dev/null || { tap_skip "engine CLI" "$t is missing"; tap_done; exit; }
done
ip link set lo up 2>/dev/null

. "$TOP/tests/lib/daemons.sh"
daemons_init bC
printf '[container_network]\npublish_addresses = 127.0.0.1\ndns = 192.0.2.53\n' >"$WORK/berth.conf"
c() { curl -s --max-time 20 --unix-socket "$S" "$@"; }
export DOCKER_HOST=unix://$S
start_berthd || { tap_fail "berthd starts" "$(cat "$WORK/berthd.log")"; tap_done; exit; }

# an image with httpd and ExposedPorts 8082/tcp in its config
mkdir -p "$WORK/img"
img_rootfs "$WORK/img/r"
for a in sleep httpd wget grep; do ln -sf busybox "$WORK/img/r/bin/$a"; done
img_layer "$WORK/img/r" "$WORK/img/l.tar"
img_docker "$WORK/img/ds" appliance/cli:latest "$WORK/img/l.tar"
python3 - "$WORK/img/ds" <<'PY'
import hashlib, json, os, sys
d = sys.argv[1]
m = json.load(open(d + "/manifest.json"))
old = m[0]["Config"]
c = json.load(open(d + "/" + old))
c["config"]["ExposedPorts"] = {"8082/tcp": {}}
b = json.dumps(c).encode()
new = hashlib.sha256(b).hexdigest() + ".json"
open(d + "/" + new, "wb").write(b)
os.remove(d + "/" + old)
m[0]["Config"] = new
json.dump(m, open(d + "/manifest.json", "w"))
PY
img_pack "$WORK/img/ds" "$WORK/cli.tar"
IMG=appliance/cli
tap_check "docker load" test "$(docker load -i "$WORK/cli.tar" 2>&1)" = "Loaded image: $IMG:latest"
HTTPD='echo hi-$0 >/tmp/index.html; httpd -f -p 8080 -h /tmp & httpd -f -p 8081 -h /tmp & httpd -f -p 8082 -h /tmp & wait'

# ------------------------------------------------- -p with no host port
docker run -d --name pub -p 127.0.0.1::8080 $IMG sh -c "$HTTPD" >/dev/null
sleep 1
hp=$(docker port pub 8080/tcp | head -1)
tap_check "-p 127.0.0.1::8080: docker port shows a free port, not 8080 ($hp)" bash -c \
	'[[ "$1" =~ ^127\.0\.0\.1:([0-9]+)$ ]] && [ "${BASH_REMATCH[1]}" != 8080 ] && [ "${BASH_REMATCH[1]}" -gt 1023 ]' _ "$hp"
tap_check "the free port reaches the container" test "$(curl -s --max-time 5 "http://$hp/index.html")" = hi-sh
tap_check "docker ps shows it" bash -c 'docker ps --format "{{.Ports}}" --filter name=pub | grep -qF "$1->8080/tcp"' _ "$hp"
tap_check "inspect: HostConfig.PortBindings keeps HostPort \"\", NetworkSettings.Ports the bound one" bash -c '
	[ "$(docker inspect -f "{{json .HostConfig.PortBindings}} {{(index (index .NetworkSettings.Ports \"8080/tcp\") 0).HostPort}}" pub)" = \
	  "{\"8080/tcp\":[{\"HostIp\":\"127.0.0.1\",\"HostPort\":\"\"}]} ${1#*:}" ]' _ "$hp"
restart_berthd || tap_fail "berthd starts again" "$(tail -5 "$WORK/berthd.log")"
tap_check "after a restart of berthd docker port shows the same port" test "$(docker port pub 8080/tcp | head -1)" = "$hp"
docker stop -t 1 pub >/dev/null
tap_check "a stopped container shows no bound port" test -z "$(docker port pub 2>/dev/null)"
docker start pub >/dev/null
sleep 1
hp2=$(docker port pub 8080/tcp | head -1)
tap_check "started again it gets a port that reaches it ($hp2)" test "$(curl -s --max-time 5 "http://$hp2/index.html")" = hi-sh
docker rm -f pub >/dev/null

# ------------------------------------------------------------------- -P
docker run -d --name all -P --expose 8081 $IMG sh -c "$HTTPD" >/dev/null
sleep 1
ports=$(docker port all | sort | tr '\n' ' ')
tap_check "-P publishes the body's and the image's exposed ports ($ports)" bash -c \
	'[[ "$1" =~ ^8081/tcp\ -\>\ 127\.0\.0\.1:[0-9]+\ 8082/tcp\ -\>\ 127\.0\.0\.1:[0-9]+\ $ ]]' _ "$ports"
p82=$(docker port all 8082/tcp | head -1)
tap_check "-P: the image's 8082 reaches the container" test "$(curl -s --max-time 5 "http://$p82/index.html")" = hi-sh
tap_check "inspect: HostConfig.PublishAllPorts true" test "$(docker inspect -f '{{.HostConfig.PublishAllPorts}}' all)" = true
docker rm -f all >/dev/null

# ------------------------------------------------ /etc/hosts, resolv.conf
out=$(docker run --rm --add-host db:10.1.2.3 --add-host gw:host-gateway --dns 192.0.2.9 --dns-search corp.example \
	--dns-option ndots:2 --hostname box --domainname example.org $IMG sh -c 'cat /etc/hosts /etc/resolv.conf' 2>&1)
tap_check "--add-host NAME:ADDRESS is in /etc/hosts" grep -qP '^10\.1\.2\.3\tdb$' <<<"$out"
tap_check "--add-host NAME:host-gateway is the bridge's gateway" grep -qP '^172\.29\.0\.1\tgw$' <<<"$out"
tap_check "--domainname: the hosts line has the full name" grep -qP '\tbox\.example\.org box$' <<<"$out"
tap_check "--dns replaces the servers" bash -c 'grep -q "^nameserver 192.0.2.9$" <<<"$1" && ! grep -q 192.0.2.53 <<<"$1"' _ "$out"
tap_check "--dns-search and --dns-option" bash -c 'grep -q "^search corp.example$" <<<"$1" && grep -q "^options ndots:2$" <<<"$1"' _ "$out"
n=$(docker ps -aq | wc -l)
out=$(docker create --add-host 'bad name:1.2.3.4' $IMG true 2>&1)
tap_check "a bad --add-host is refused at create, naming the field" grep -q "HostConfig.ExtraHosts: .*'bad name'" <<<"$out"
out=$(docker create --dns-option 'a b' $IMG true 2>&1)
tap_check "a bad --dns-option is refused at create" grep -q 'DnsOptions' <<<"$out"
out=$(c -X POST -H 'Content-Type: application/json' -d "{\"Image\":\"$IMG\",\"Cmd\":[\"true\"],\"HostConfig\":{\"Dns\":[\"not-an-ip\"]}}" \
	-w ' %{http_code}' http://x/v1.47/containers/create)
tap_check "a bad Dns is 400 at create, naming HostConfig.Dns" bash -c '[[ "$1" == *"HostConfig.Dns: '"'"'not-an-ip'"'"': not an IP address"*" 400" ]]' _ "$out"
tap_check "the refused creates left no container" test "$(docker ps -aq | wc -l)" = "$n"

# ------------------------------------------------ fields berth cannot honour
refused() {
	local what=$1 field=$2 out rc
	shift 2
	out=$(docker create "$@" $IMG true 2>&1)
	rc=$?
	tap_check "refused: $what (naming $field)" bash -c '[ "$1" = 1 ] && grep -qF "$2" <<<"$3"' _ "$rc" "$field" "$out"
}
refused "--health-cmd, saying how to drop it" "Config.Healthcheck: health checks are not run on this appliance; drop it (docker run --no-healthcheck" --health-cmd true
refused "--log-driver syslog" "HostConfig.LogConfig.Type: log driver syslog" --log-driver syslog
refused "--log-opt max-size=1m" "HostConfig.LogConfig.Config" --log-opt max-size=1m
refused "--cpuset-cpus 0" "HostConfig.CpusetCpus: CPU pinning" --cpuset-cpus 0
refused "--blkio-weight 500" "HostConfig.BlkioWeight" --blkio-weight 500
refused "--shm-size 128m" "HostConfig.ShmSize" --shm-size 128m
refused "--cpu-shares 512" "HostConfig.CpuShares" --cpu-shares 512
refused "--memory-swap 64m with -m 32m" "HostConfig.MemorySwap" -m 32m --memory-swap 64m
refused "--memory-reservation 16m" "HostConfig.MemoryReservation" --memory-reservation 16m
refused "--ip (the allocator gives addresses)" "NetworkingConfig.EndpointsConfig[bridge].IPAMConfig: addresses come from berthd's allocator" --network bridge --ip 172.29.0.50
refused "--platform linux/arm64 of an amd64 image" "does not match the specified platform (linux/arm64)" --platform linux/arm64
out=$(c -X POST -H 'Content-Type: application/json' -w ' %{http_code}' -d "{\"Image\":\"$IMG\",\"Cmd\":[\"true\"],\"NetworkingConfig\":{\"EndpointsConfig\":{\"bridge\":{\"Aliases\":[\"db\"],\"MacAddress\":\"\"}}}}" \
	http://x/v1.47/containers/create)
tap_check "an endpoint's Aliases: 400 naming them" bash -c '[[ "$1" == *"EndpointsConfig[bridge].Aliases: network aliases are not supported"*" 400" ]]' _ "$out"
ok_create() {
	local what=$1 out
	shift
	out=$(docker create "$@" $IMG true 2>&1)
	tap_check "accepted: $what" grep -qE '^[0-9a-f]{64}$' <<<"$out"
}
ok_create "--no-healthcheck (Test [\"NONE\"])" --no-healthcheck
ok_create "--log-driver json-file" --log-driver json-file
ok_create "--platform linux/amd64" --platform linux/amd64
ok_create "--memory-swap equal to -m" -m 32m --memory-swap 32m
ok_create "--shm-size 64m (what /dev/shm is)" --shm-size 64m
docker rm -f $(docker ps -aq --filter status=created) >/dev/null 2>&1

# ----------------------------------------------- routes berthd does not serve
notserved() {
	local cmd=$1 out
	shift
	out=$("$@" 2>&1)
	tap_check "$cmd: 404 naming it" grep -qF "$cmd is not supported on this appliance" <<<"$out"
}
docker run -d --name idle $IMG sleep 100 >/dev/null
notserved "docker pause" docker pause idle
notserved "docker unpause" docker unpause idle
notserved "docker diff" docker diff idle
notserved "docker export" docker export -o "$WORK/export.tar" idle
notserved "docker cp" docker cp idle:/etc/passwd "$WORK/passwd.out"
notserved "docker commit" docker commit idle
notserved "docker container prune" docker container prune -f
notserved "docker image prune" docker image prune -f
notserved "docker network create" docker network create n1
tap_check "docker network ls: bridge, host, none" test "$(docker network ls --format '{{.Name}} {{.Driver}}' | sort | tr '\n' ' ')" = "bridge bridge host host none null "
tap_check "docker network inspect bridge: the bridge's subnet and gateway" test \
	"$(docker network inspect -f '{{(index .IPAM.Config 0).Subnet}} {{(index .IPAM.Config 0).Gateway}}' bridge)" = "172.29.0.0/16 172.29.0.1"
tap_check "networks: a label filter matches none of them (compose's project lookup)" test \
	"$(c -G --data-urlencode 'filters={"label":{"com.docker.compose.project=p":true}}' http://x/v1.47/networks)" = "[]"
tap_check "docker network inspect of another name fails" bash -c '! docker network inspect n1 >/dev/null 2>&1'
notserved "docker search" docker search busybox
notserved "docker swarm" docker swarm init
tap_check "docker inspect of a missing name still walks the types to 'No such object'" bash -c \
	'docker inspect nosuchthing 2>&1 | grep -q "No such object: nosuchthing"'
out=$(c -w ' %{http_code}' http://x/v1.47/no/such/route)
tap_check "an unknown route keeps 404 page not found" bash -c '[[ "$1" == *"page not found"*" 404" ]]' _ "$out"
docker rm -f idle >/dev/null

tap_done

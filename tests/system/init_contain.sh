#!/bin/bash
# init_contain.sh — a service left at the defaults is contained (issue 9
# point 1). In the booted image a service without `user =` runs as
# berth-svc without capabilities and tries the five ways out that uid 0
# had: a key added to root's authorized_keys, a `capabilities = all` file
# dropped into services.d and SIGHUP, kernel.core_pattern, leaving its
# cgroup, and a reboot by signal to PID 1 (and by berthctl); and a user
# namespace of its own (every capability inside it). Each must fail.
# The root filesystem is read-only (root's console may remount it) while
# /run, /tmp and /var/lib/berth stay writable; root's own berthctl still
# works. (Root without CAP_SYS_BOOT: tests/host/init_faults.sh.)
. "$(dirname "$0")/../lib/env.sh"
. "$TOP/tests/lib/vm.sh"

vm_start contain; rc=$?
if [ $rc = 2 ]; then
	tap_skip "containment in qemu" "CONFIG_INIT_CONSOLE_SHELL is off: system tests drive the console shell"
	tap_done; exit
fi
[ $rc = 0 ] || { tap_fail "boots" "$(tail -20 "$VM_DIR/console.log" 2>/dev/null)"; tap_done; exit; }

# --- the root filesystem after boot
root=$(vm_run "awk '\$2 == \"/\" { print \$4 }' /proc/mounts")
[[ ,$root, == *,ro,* ]] && tap_ok "/ is mounted read-only ($root)" || tap_fail "/ is mounted read-only" "$root"
out=$(vm_run "touch /etc/x 2>&1; echo \$?")
grep -q 'Read-only file system' <<< "$out" && tap_ok "root itself cannot write /etc" || tap_fail "root itself cannot write /etc" "$out"
tap_check "/run, /tmp, /dev/shm and /var/lib/berth stay writable" \
	vm_run "for d in /run /tmp /dev/shm /var/lib/berth; do touch \$d/.w && rm \$d/.w || exit 1; done"

# --- the attacker: a default service
cat > "$WORK/attack.sh" <<'SH'
#!/bin/sh
# Each attempt prints "NAME ok" when it got through, "NAME refused" when not.
o=/tmp/attack.out
try() { name=$1; shift; if "$@" 2>/dev/null; then echo "$name ok"; else echo "$name refused"; fi >> $o; }
: > $o
grep -E '^(Uid|Gid|CapEff):' /proc/self/status | tr -s '\t' ' ' >> $o
try authorized_keys sh -c 'echo "ssh-ed25519 AAAA attacker" >> /root/.ssh/authorized_keys'
try services.d sh -c 'printf "[service]\ncommand = /bin/sh -c \"sleep 1000\"\nuser = root\ncapabilities = all\n" > /etc/berth/services.d/evil.conf'
try sighup kill -HUP 1
try core_pattern sh -c 'echo "|/tmp/evil %p" > /proc/sys/kernel/core_pattern'
try cgroup_root sh -c 'echo $$ > /sys/fs/cgroup/cgroup.procs'
try cgroup_system sh -c 'echo $$ > /sys/fs/cgroup/system/cgroup.procs'
try sigterm kill -TERM 1
try sigusr2 kill -USR2 1
try berthctl berthctl reboot
# a user namespace of its own would give it every capability over a network
# namespace of its own, and with them nf_tables' netlink interface
try userns unshare -r -n true
echo done >> $o
exec sleep 100000
SH
# Typed on the console in pieces: a terminal line holds at most 4095 bytes.
vm_run ": > /tmp/attack.b64" > /dev/null
base64 -w 512 < "$WORK/attack.sh" | while read -r l; do vm_run "echo $l >> /tmp/attack.b64" > /dev/null; done
tap_check "root can still remount / to add a service" vm_run "base64 -d /tmp/attack.b64 > /tmp/attack.sh &&
chmod 0755 /tmp/attack.sh && mount -o remount,rw / &&
printf '[service]\ncommand = /bin/sh /tmp/attack.sh\nrestart = never\n' > /etc/berth/services.d/attack.conf &&
mount -o remount,ro / && kill -HUP 1"
shut() { tr -d '\r' < "$VM_DIR/console.log" | grep -q 'shutdown: '; }
for _ in $(seq 100); do
	shut && break # the attack got through to PID 1 (as before the containment)
	vm_run "grep -qx done /tmp/attack.out" > /dev/null && break
	sleep 0.3
done
if shut; then
	tap_fail "the default service leaves PID 1 running" "$(tr -d '\r' < "$VM_DIR/console.log" | grep 'shutdown: ' | head -3)"
	"$TOP/tools/qemu-run.sh" stop "$VM_DIR" > /dev/null
	tap_done; exit
fi
vm_run "cat /tmp/attack.out" > "$WORK/attack.out"
sleep 1 # a reboot the attack might have caused would be under way by now
res() { awk -v n="$1" '$1 == n { print $2 }' "$WORK/attack.out"; }

grep -q '^done$' "$WORK/attack.out" && tap_ok "the default service ran its attempts" ||
	tap_fail "the default service ran its attempts" "$(cat "$WORK/attack.out"; tail -5 "$VM_DIR/console.log")"
uid=$(awk '$1 == "Uid:" { print $2 }' "$WORK/attack.out")
eff=$(awk '$1 == "CapEff:" { print $2 }' "$WORK/attack.out")
[ "$uid" = 103 ] && [ "$eff" = 0000000000000000 ] && tap_ok "it runs as berth-svc (uid 103) without capabilities" ||
	tap_fail "it runs as berth-svc (uid 103) without capabilities" "$(head -3 "$WORK/attack.out")"
for t in authorized_keys services.d sighup core_pattern cgroup_root cgroup_system sigterm sigusr2 berthctl userns; do
	[ "$(res $t)" = refused ] && tap_ok "default service: $t refused" ||
		tap_fail "default service: $t refused" "got '$(res $t)'"
done
tap_check "root's authorized_keys is unchanged" bash -c "! vm_run 'cat /root/.ssh/authorized_keys' | grep -q attacker"
tap_check "no evil.conf in services.d" vm_run "test ! -e /etc/berth/services.d/evil.conf"
cp=$(vm_run "cat /proc/sys/kernel/core_pattern")
[[ $cp != *evil* ]] && tap_ok "kernel.core_pattern unchanged ($cp)" || tap_fail "kernel.core_pattern unchanged" "$cp"
cg=$(vm_run 'for p in $(cat /sys/fs/cgroup/system/attack/cgroup.procs); do cat /proc/$p/cgroup; done')
[ -n "$cg" ] && ! grep -qv '^0::/system/attack$' <<< "$cg" && tap_ok "its processes are all still in /system/attack" ||
	tap_fail "its processes are all still in /system/attack" "$cg"
tap_check "PID 1 is up and no shutdown began" bash -c "! tr -d '\r' < '$VM_DIR/console.log' | grep -q 'shutdown: '"

# --- root's berthctl
out=$(vm_run "berthctl services")
grep -qE '^attack +running' <<< "$out" && tap_ok "root's berthctl services lists the services" ||
	tap_fail "root's berthctl services lists the services" "$out"
out=$(vm_run "berthctl restart attack; echo \$?")
[ "$(tail -1 <<< "$out")" = 0 ] && tap_ok "root's berthctl restart works" || tap_fail "root's berthctl restart works" "$out"

vm_stop && tap_ok "root's poweroff ends qemu" || tap_fail "root's poweroff ends qemu" "$(tail -5 "$VM_DIR/console.log")"
tap_done

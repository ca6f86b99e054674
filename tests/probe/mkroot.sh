#!/bin/bash
# mkroot.sh — make a busybox root filesystem for launcher tests:
# static busybox with its applet links, berth-probe, /etc/passwd and
# /etc/group (root, app 1000:1001, nobody), /tmp.
#
# Usage: tests/probe/mkroot.sh BUILDDIR DIR
# Exit codes: 0 made, 100 usage, 1 an input is missing.
set -euo pipefail
[ $# = 2 ] || { echo "usage: $0 BUILDDIR DIR" >&2; exit 100; }
BUILD=$1 DIR=$2
bb=$BUILD/sysroot/bin/busybox probe=$BUILD/bin/berth-probe
for f in "$bb" "$probe"; do [ -x "$f" ] || { echo "mkroot: $f missing (run make)" >&2; exit 1; }; done
mkdir -p "$DIR"/{bin,sbin,usr/bin,usr/sbin,etc,tmp,root,home/app,proc,sys,dev}
chmod 1777 "$DIR/tmp"
cp "$bb" "$DIR/bin/busybox"
cp "$probe" "$DIR/bin/berth-probe"
"$bb" --list-full | while read -r a; do
	case $a in bin/busybox|linuxrc) continue ;; esac
	[ -e "$DIR/$a" ] || ln -s /bin/busybox "$DIR/$a"
done
cat > "$DIR/etc/passwd" <<P
root:x:0:0:root:/root:/bin/sh
app:x:1000:1001:app:/home/app:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
P
cat > "$DIR/etc/group" <<G
root:x:0:
app:x:1001:
wheel:x:10:root,app
audio:x:29:app
nogroup:x:65534:
G

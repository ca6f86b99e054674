#!/bin/bash
# board_modules.sh — every other board's module lists (board/*/modules,
# modules.after and modules.late) name modules its pinned kernel package
# has, as a .ko file or built in: the build checks this for the configured
# board only (rootfs/kernel.sh), so a list of a board nobody builds here
# (pc-x86_64's ~45 names against Debian's generic kernel) would rot unseen.
# Reads the verified .deb from the download cache (build/dl) without
# unpacking it to disk; a board whose package is not cached yet gets it
# fetched once (rootfs/deps/fetch.sh: pinned version and sha256, 70 MB for
# the generic kernel). A list with a name that does not exist fails (checked
# with a made-up name).
. "$(dirname "$0")/../lib/env.sh"
dl=${BERTH_DL_DIR:-$BUILD/dl}

# board_var BOARD_DIR VAR: VAR's value in the board's board.mk
board_var() { sed -n "s/^$2 *:*= *//p" "$1/board.mk" | head -1; }

# names LIST…: the module names in module list files (comments, blanks out)
names() { sed 's/#.*//' "$@" | tr -s ' \t' '\n\n' | grep -v '^$'; }

# missing DEB RELEASE NAME…: prints each NAME that is neither a .ko in DEB
# nor in its modules.builtin ('-' and '_' are the same in module names).
missing() {
	python3 - "$@" <<'EOF'
import re, subprocess, sys, tarfile
deb, rel, names = sys.argv[1], sys.argv[2], sys.argv[3:]
norm = lambda n: n.replace('-', '_')
p = subprocess.Popen(['dpkg-deb', '--fsys-tarfile', deb], stdout=subprocess.PIPE)
have, builtin = set(), ''
with tarfile.open(fileobj=p.stdout, mode='r|') as t:
    for m in t:
        b = m.name.rsplit('/', 1)[-1]
        k = re.match(r'(.*)\.ko(\.[a-z]+)?$', b)
        if k and '/lib/modules/%s/' % rel in m.name:
            have.add(norm(k.group(1)))
        elif m.name.endswith('/lib/modules/%s/modules.builtin' % rel):
            builtin = t.extractfile(m).read().decode()
for line in builtin.split():
    have.add(norm(re.sub(r'\.ko$', '', line.rsplit('/', 1)[-1])))
if p.wait() != 0 or len(have) < 10:
    sys.exit('cannot read the modules of %s' % deb)
print('\n'.join(n for n in names if norm(n) not in have))
EOF
}

for bdir in "$TOP"/board/*/; do
	bdir=${bdir%/}
	board=$(basename "$bdir")
	[ -f "$bdir/board.mk" ] && [ -f "$bdir/modules" ] || continue
	# The configured board's lists: rootfs/kernel.sh checked them in the build.
	[ "$board" != "$CONFIG_BOARD_NAME" ] || continue
	pkg=$(board_var "$bdir" BOARD_KERNEL_PKG) rel=$(board_var "$bdir" BOARD_KERNEL_RELEASE)
	ver=$(awk -v n="$pkg" '$1 !~ /^#/ && $2 == n { print $3; exit }' "$TOP/rootfs/deps.lock")
	[ -n "$ver" ] || { tap_fail "$board: its kernel $pkg is pinned in rootfs/deps.lock"; continue; }
	deb=$dl/${pkg}_${ver//:/%3a}_amd64.deb
	if [ ! -f "$deb" ]; then
		# fetch.sh unpacks what it fetched into its build dir: a scratch one
		# sharing the build's private apt state.
		mkdir -p "$WORK/fetch"
		[ -d "$BUILD/apt" ] && ln -sfn "$BUILD/apt" "$WORK/fetch/apt"
		out=$(BERTH_DL_DIR=$dl "$TOP/rootfs/deps/fetch.sh" "$TOP/rootfs/deps.lock" "$WORK/fetch" "$pkg" 2>&1) ||
			{ tap_fail "$board: fetch $pkg $ver" "$out"; continue; }
		rm -rf "$WORK/fetch/src"
	fi
	lists=("$bdir/modules")
	for l in after late; do [ -f "$bdir/modules.$l" ] && lists+=("$bdir/modules.$l"); done
	mapfile -t want < <(names "${lists[@]}")
	if ! out=$(missing "$deb" "$rel" "${want[@]}" berth-no-such-module 2>&1); then
		tap_fail "$board: read $pkg's modules" "$out"
		continue
	fi
	if [ "$out" = berth-no-such-module ]; then
		tap_ok "$board: all ${#want[@]} modules of its lists are in $pkg $ver (a made-up name is not)"
	else
		tap_fail "$board: all ${#want[@]} modules of its lists are in $pkg $ver" \
			"missing: $(grep -v '^berth-no-such-module$' <<< "$out" | tr '\n' ' ')"
	fi
done
tap_done

#!/bin/sh
# kernel.sh — the board's kernel and the modules it needs, from a pinned .deb.
#
# Usage: rootfs/kernel.sh TOP BUILDDIR PACKAGE RELEASE MODULE_LIST OUTDIR
# Writes BUILDDIR/images/vmlinuz and OUTDIR/lib/modules/RELEASE/ holding the
# modules MODULE_LIST names plus everything they depend on, with a
# modules.dep that depmod generated for exactly that set.
# Exit codes: 0 ok, 1 a listed module does not exist, 100 usage, 111 tool failed.
set -eu
[ $# = 6 ] || { echo "usage: $0 TOP BUILDDIR PACKAGE RELEASE MODULE_LIST OUTDIR" >&2; exit 100; }
TOP=$1 BUILD=$2 PKG=$3 REL=$4 LIST=$5 OUT=$6

"$TOP/rootfs/deps/fetch.sh" "$TOP/rootfs/deps.lock" "$BUILD" "$PKG"
src=$BUILD/src/$PKG
[ -f "$src/boot/vmlinuz-$REL" ] || { echo "kernel: $PKG has no boot/vmlinuz-$REL (is BOARD_KERNEL_RELEASE right?)" >&2; exit 1; }
mkdir -p "$BUILD/images"
cp "$src/boot/vmlinuz-$REL" "$BUILD/images/vmlinuz.tmp"
mv "$BUILD/images/vmlinuz.tmp" "$BUILD/images/vmlinuz"

# modules.dep of the whole package, to find what each listed module needs.
depmod -b "$src" "$REL" || { echo "kernel: depmod on $PKG failed" >&2; exit 111; }
full=$src/lib/modules/$REL
names=$(sed 's/#.*//' "$LIST" | tr -s ' \t' '\n\n' | grep -v '^$' || true)
files=""
for name in $names; do
	# '-' and '_' are the same in module names.
	pat=$(echo "$name" | sed 's/[-_]/[-_]/g')
	line=$(grep -E "(^|/)$pat\.ko(\.[a-z]+)?:" "$full/modules.dep" || true)
	if [ -z "$line" ]; then
		if grep -qE "(^|/)$pat\.ko$" "$full/modules.builtin"; then
			echo "  KMOD    $name is built into the kernel"
			continue
		fi
		echo "kernel: module '$name' (from ${LIST#"$TOP"/}) is not in $PKG" >&2
		exit 1
	fi
	files="$files ${line%%:*} ${line#*:}"
done

rm -rf "$OUT"
dst=$OUT/lib/modules/$REL
mkdir -p "$dst"
for f in $files; do
	mkdir -p "$dst/$(dirname "$f")"
	cp "$full/$f" "$dst/$f"
done
cp "$full/modules.builtin" "$full/modules.builtin.modinfo" "$full/modules.order" "$dst/"
depmod -b "$OUT" "$REL" || { echo "kernel: depmod on the module subset failed" >&2; exit 111; }
# init needs modules.dep, and of modules.alias only the PCI lines: a module
# with PCI aliases is loaded only when one matches a device the machine has
# (init/modules.c). The rest of depmod's output stays out of the image.
grep '^alias pci:' "$dst/modules.alias" > "$dst/modules.alias.pci" || :
mv "$dst/modules.alias.pci" "$dst/modules.alias"
find "$dst" -maxdepth 1 -name 'modules.*' ! -name modules.dep ! -name modules.alias -delete
echo "  KMOD    $(echo "$files" | wc -w) module files ($(du -sk "$dst" | cut -f1) KiB) for $REL"

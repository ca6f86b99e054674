#!/bin/bash
# kconfig.sh — the configuration targets, in a scratch copy of the tree:
# <board>_defconfig, olddefconfig, savedefconfig (round trip to the same
# defconfig), auto.conf/autoconf.h generation, and Kconfig ranges.
. "$(dirname "$0")/../lib/env.sh"
src=$WORK/src
mkdir -p "$src"
(cd "$TOP" && git ls-files -z 2>/dev/null | xargs -0 -I{} cp --parents {} "$src/") ||
	(cd "$TOP" && tar --exclude=./build --exclude=./.config -cf - . | tar -xf - -C "$src")
m() { make -s -C "$src" "$@" > "$WORK/make.log" 2>&1; }

if m qemu_x86_64_defconfig && grep -qx 'CONFIG_BOARD_QEMU_X86_64=y' "$src/.config"; then
	tap_ok "make qemu_x86_64_defconfig writes .config"
else
	tap_fail "make qemu_x86_64_defconfig writes .config" "$(cat "$WORK/make.log")"
fi
cp "$src/board/qemu-x86_64/defconfig" "$WORK/defconfig.orig"
if m savedefconfig && cmp -s "$WORK/defconfig.orig" "$src/board/qemu-x86_64/defconfig"; then
	tap_ok "savedefconfig gives back the board's defconfig"
else
	tap_fail "savedefconfig gives back the board's defconfig" "$(diff "$WORK/defconfig.orig" "$src/board/qemu-x86_64/defconfig"; cat "$WORK/make.log")"
fi
# An option set out of its range is put back in range by olddefconfig.
sed -i 's/^CONFIG_INIT_MODULES_MAX=.*/CONFIG_INIT_MODULES_MAX=99999/' "$src/.config"
grep -q '^CONFIG_INIT_MODULES_MAX=' "$src/.config" || echo 'CONFIG_INIT_MODULES_MAX=99999' >> "$src/.config"
if m olddefconfig && grep -qx 'CONFIG_INIT_MODULES_MAX=128' "$src/.config"; then
	tap_ok "olddefconfig puts an out-of-range int back to its default"
else
	tap_fail "olddefconfig puts an out-of-range int back to its default" "$(grep MODULES_MAX "$src/.config"; cat "$WORK/make.log")"
fi
# A bool turned off reaches both outputs.
sed -i 's/^CONFIG_INIT_CONSOLE_SHELL=y/# CONFIG_INIT_CONSOLE_SHELL is not set/' "$src/.config"
if make -s -C "$src" "$src/build/config/auto.conf" > "$WORK/make.log" 2>&1 &&
	! grep -q CONFIG_INIT_CONSOLE_SHELL "$src/build/config/auto.conf" &&
	! grep -q 'define CONFIG_INIT_CONSOLE_SHELL' "$src/build/config/autoconf.h" &&
	grep -q 'define CONFIG_INIT_MODULES 1' "$src/build/config/autoconf.h"; then
	tap_ok "auto.conf and autoconf.h follow .config"
else
	tap_fail "auto.conf and autoconf.h follow .config" "$(cat "$WORK/make.log")"
fi
# Another build directory has its own .config: a second board beside the
# first (make O=DIR pc_x86_64_defconfig) leaves the top .config alone.
top_before=$(sha256sum < "$src/.config")
if m O="$WORK/pc" pc_x86_64_defconfig && grep -qx 'CONFIG_BOARD_PC_X86_64=y' "$WORK/pc/.config" &&
	[ "$(sha256sum < "$src/.config")" = "$top_before" ]; then
	tap_ok "make O=DIR pc_x86_64_defconfig writes DIR/.config, not the top one"
else
	tap_fail "make O=DIR pc_x86_64_defconfig writes DIR/.config, not the top one" "$(cat "$WORK/make.log"; ls -la "$WORK/pc")"
fi
leftover=$(ls -a "$src/build/config" | grep -E 'tmp' || true)
[ -z "$leftover" ] && tap_ok "no temporary files left beside auto.conf" || tap_fail "no temporary files left beside auto.conf" "$leftover"
# IS_ENABLED: 1 for a set option, 0 for an unset one, usable in if().
cat > "$WORK/ie.c" <<'C'
#include "lib/kconfig.h"
#define CONFIG_ON 1
int main(void) { return (IS_ENABLED(CONFIG_ON) == 1 && IS_ENABLED(CONFIG_OFF) == 0) ? 0 : 1; }
C
if gcc -I"$TOP" -Wall -Werror -o "$WORK/ie" "$WORK/ie.c" && "$WORK/ie"; then tap_ok "IS_ENABLED is 1 for set, 0 for unset options"; else tap_fail "IS_ENABLED is 1 for set, 0 for unset options"; fi
tap_done

#!/bin/bash
# Seeds for fuzz_conf: berth.conf with every [system] and [network] key, and
# the image's template.
set -eu
out=$1 top=$(cd "$(dirname "$0")/../../.." && pwd)
printf '[system]\nhostname = h\nmodules = a b\nsysctl.net.core.x = 1\nservices = /s\ndata = /d\n[network]\neth0 = dhcp\neth1 = static 10.1.2.3/24 gateway 10.1.2.1 dns 1.1.1.1 dns 8.8.8.8\n' > "$out/every-key.conf"
cp "$top/rootfs/skeleton/etc/berth/berth.conf.in" "$out/"

#!/bin/bash
# Seeds for fuzz_svc_conf: the image's own services and one using every key.
set -eu
out=$1 top=$(cd "$(dirname "$0")/../../.." && pwd)
cp "$top"/rootfs/skeleton/etc/berth/services.d/*.conf "$out/"
printf '[service]\ncommand = /bin/sh -c x\nuser = nobody\ngroup = 0\ncapabilities = cap_net_admin, kill\nrestart = on-failure\nafter = a b\nmemory_max = 16M\npids_max = 9\nenv = A=b\nstop_signal = SIGINT\nstop_timeout = 250ms\nconsole = all\n' > "$out/every-key.conf"

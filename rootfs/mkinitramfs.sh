#!/bin/bash
# mkinitramfs.sh — print the initramfs spec (tools/mkcpio's format) for the
# configured image: berth's binaries, dropbear, busybox, the board's kernel
# modules and the skeleton, every file owned by root.
#
# Usage: rootfs/mkinitramfs.sh TOP BUILDDIR BOARD_DIR KERNEL_RELEASE > SPEC
# Reads the configuration from BUILDDIR/config/auto.conf; AUTHORIZED_KEYS
# (environment), when set, is installed as /root/.ssh/authorized_keys;
# TLS_DIR (environment), when set, holds ca.pem cert.pem key.pem for
# /etc/berth/tls (the key 0600 root: berth-apid reads it before dropping root).
# VARIANT (environment): production (default) or development; only a
# development image names a console shell in berth.conf (and only when
# CONFIG_INIT_CONSOLE_SHELL built PID 1 able to start one). Generated files
# (berth.conf, os-release) are written under BUILDDIR/rootfs/VARIANT/.
# Exit codes: 0 ok, 100 usage, 1 an input is missing.
set -euo pipefail
[ $# = 4 ] || { echo "usage: $0 TOP BUILDDIR BOARD_DIR KERNEL_RELEASE" >&2; exit 100; }
TOP=$1 BUILD=$2 BOARD_DIR=$3 REL=$4
. "$BUILD/config/auto.conf"
board=$(basename "$BOARD_DIR")
VARIANT=${VARIANT:-production}
case $VARIANT in production|development) ;; *) echo "mkinitramfs: VARIANT: production or development" >&2; exit 100 ;; esac
gen=$BUILD/rootfs/$VARIANT
rm -rf "$gen" && mkdir -p "$gen"

entries() {
	# The root itself: 0755 (the kernel's rootfs is 1777 otherwise, and sshd
	# refuses keys under a world-writable /). "/." names the cpio's ".".
	echo "dir /. 0755 0 0"
	# Directories every image has (mount points, state, home).
	for d in /bin /sbin /usr /usr/bin /usr/sbin /lib /etc /etc/berth /etc/berth/services.d \
		/dev /proc /sys /run /tmp /var /var/lib /var/lib/berth /var/empty /boot /boot/efi; do
		echo "dir $d 0755 0 0"
	done
	echo "dir /root 0700 0 0"
	# The kernel opens /dev/console for PID 1 before devtmpfs is mounted.
	echo "nod /dev/console 0600 0 0 c 5 1"

	echo "file /sbin/init $BUILD/bin/init 0755 0 0"
	for f in "$BUILD"/bin/*; do
		n=$(basename "$f")
		case $n in
		init|busybox) ;;
		dropbearmulti)
			echo "file /usr/sbin/dropbearmulti $f 0755 0 0"
			for l in dropbear dropbearkey; do echo "slink /usr/sbin/$l dropbearmulti 0777 0 0"; done
			echo "slink /usr/bin/scp ../sbin/dropbearmulti 0777 0 0"
			;;
		berth-dial)
			echo "file /usr/bin/$n $f 0755 0 0"
			# what the docker CLI runs over SSH: `docker system dial-stdio`
			echo "slink /usr/bin/docker berth-dial 0777 0 0"
			;;
		*) echo "file /usr/bin/$n $f 0755 0 0" ;;
		esac
	done

	# docker pull: the system CA bundle (rootfs/deps/ca-certificates.sh)
	if [ "${CONFIG_FETCH:-}" = y ]; then
		ca=$BUILD/sysroot/share/ca-certificates.crt
		[ -s "$ca" ] || { echo "mkinitramfs: $ca missing" >&2; exit 1; }
		for d in /etc/ssl /etc/ssl/certs /etc/berth/certs.d; do echo "dir $d 0755 0 0"; done
		echo "file /etc/ssl/certs/ca-certificates.crt $ca 0644 0 0"
	fi

	if [ "${CONFIG_ROOTFS_BUSYBOX:-}" = y ]; then
		bb=$BUILD/bin/busybox
		[ -x "$bb" ] || { echo "mkinitramfs: $bb missing" >&2; exit 1; }
		echo "file /bin/busybox $bb 0755 0 0"
		# Applet links, except those that would stand in for berth's own.
		"$bb" --list-full | while read -r a; do
			case /$a in
			/bin/busybox|/sbin/init|/linuxrc|/usr/sbin/dropbear*|/usr/bin/scp) continue ;;
			esac
			[ -e "$BUILD/bin/$(basename "$a")" ] && continue
			depth=$(echo "$a" | tr -cd / | wc -c)
			up=""; i=0; while [ $i -lt "$depth" ]; do up="../$up"; i=$((i + 1)); done
			echo "slink /$a ${up}bin/busybox 0777 0 0"
		done
	fi

	# Kernel modules with their modules.dep.
	kmod=$BUILD/kmod/$board
	if [ -d "$kmod/lib/modules/$REL" ]; then
		(cd "$kmod" && find lib -type d) | while read -r d; do echo "dir /$d 0755 0 0"; done
		(cd "$kmod" && find lib -type f) | while read -r f; do echo "file /$f $kmod/$f 0644 0 0"; done
	fi

	# Skeleton files: executable ones keep 0755, the rest 0644.
	(cd "$TOP/rootfs/skeleton" && find . -type d ! -name .) | while read -r d; do
		echo "dir ${d#.} 0755 0 0"
	done
	(cd "$TOP/rootfs/skeleton" && find . -type f ! -name '*.in') | while read -r f; do
		case $f in
		./etc/berth/services.d/dropbear.conf|./usr/libexec/berth/dropbear-start)
			[ "${CONFIG_ROOTFS_DROPBEAR:-}" = y ] || continue ;;
		./etc/berth/services.d/berthd.conf)
			[ -x "$BUILD/bin/berthd" ] || continue ;;
		./etc/berth/services.d/apid.conf)
			[ -x "$BUILD/bin/berth-apid" ] && [ -n "${TLS_DIR:-}" ] || continue ;;
		esac
		mode=0644; [ -x "$TOP/rootfs/skeleton/$f" ] && mode=0755
		case $f in ./etc/shadow) mode=0600 ;; esac
		echo "file ${f#.} $TOP/rootfs/skeleton/$f $mode 0 0"
	done

	# root's SSH keys (public keys only: root has no password).
	if [ -n "${AUTHORIZED_KEYS:-}" ]; then
		[ -s "$AUTHORIZED_KEYS" ] || { echo "mkinitramfs: $AUTHORIZED_KEYS missing" >&2; exit 1; }
		echo "dir /root/.ssh 0700 0 0"
		echo "file /root/.ssh/authorized_keys $AUTHORIZED_KEYS 0600 0 0"
	fi
	# the site's update key (docs/disk.md; an empty file: none): berthd
	# then takes signed updates only
	if [ -s "${UPDATE_KEY:-}" ]; then
		echo "file /etc/berth/update-key $UPDATE_KEY 0644 0 0"
	fi

	# berth-apid's certificate, key and client CA.
	if [ -n "${TLS_DIR:-}" ]; then
		echo "dir /etc/berth/tls 0755 0 0"
		for f in ca.pem cert.pem key.pem; do
			[ -s "$TLS_DIR/$f" ] || { echo "mkinitramfs: $TLS_DIR/$f missing" >&2; exit 1; }
		done
		echo "file /etc/berth/tls/ca.pem $TLS_DIR/ca.pem 0644 0 0"
		echo "file /etc/berth/tls/cert.pem $TLS_DIR/cert.pem 0644 0 0"
		echo "file /etc/berth/tls/key.pem $TLS_DIR/key.pem 0600 0 0"
	fi

	# Generated files.
	modules=$(sed 's/#.*//' "$BOARD_DIR/modules" | tr -s ' \t\n' '   ' | sed 's/^ *//; s/ *$//')
	after="" late=""
	[ -f "$BOARD_DIR/modules.after" ] &&
		after=$(sed 's/#.*//' "$BOARD_DIR/modules.after" | tr -s ' \t\n' '   ' | sed 's/^ *//; s/ *$//')
	[ -f "$BOARD_DIR/modules.late" ] &&
		late=$(sed 's/#.*//' "$BOARD_DIR/modules.late" | tr -s ' \t\n' '   ' | sed 's/^ *//; s/ *$//')
	shell=""
	[ "${CONFIG_INIT_CONSOLE_SHELL:-}" = y ] && [ "$VARIANT" = development ] && shell="console_shell = /bin/sh"
	sed -e "s|@HOSTNAME@|${CONFIG_ROOTFS_HOSTNAME:-berth}|" -e "s|@MODULES@|$modules|" -e "s|@MODULES_AFTER@|$after|" -e "s|@MODULES_LATE@|$late|" \
		-e "s|@CONSOLE_SHELL@|$shell|" "$TOP/rootfs/skeleton/etc/berth/berth.conf.in" > "$gen/berth.conf"
	echo "file /etc/berth/berth.conf $gen/berth.conf 0644 0 0"
	version=$(git -C "$TOP" describe --always --dirty 2>/dev/null || echo unknown)
	cat > "$gen/os-release" <<OS
NAME=berth
ID=berth
PRETTY_NAME="berth appliance ($board, $VARIANT)"
VARIANT_ID=$VARIANT
VERSION_ID=$version
HOME_URL=https://berth.invalid/
OS
	echo "file /etc/os-release $gen/os-release 0644 0 0"

	# A site's own services and their programs (make SITE=dir, SITE from
	# make's command line): dir/services.d/*.conf into /etc/berth/services.d,
	# dir/bin/* into /usr/local/bin (docs/metrics.md "Agents").
	if [ -n "${SITE:-}" ] && [ -d "$SITE/bin" ]; then
		echo "dir /usr/local 0755 0 0"
		echo "dir /usr/local/bin 0755 0 0"
		for f in "$SITE"/bin/*; do
			[ -f "$f" ] && echo "file /usr/local/bin/${f##*/} $(realpath "$f") 0755 0 0"
		done
	fi
	if [ -n "${SITE:-}" ] && [ -d "$SITE/services.d" ]; then
		for f in "$SITE"/services.d/*.conf; do
			[ -f "$f" ] && echo "file /etc/berth/services.d/${f##*/} $(realpath "$f") 0644 0 0"
		done
	fi
	# The development image runs the example agent as an operator would add
	# it (rootfs/examples/agent-example.conf), so that the system tests see
	# an agent contained; a production image has it only through SITE.
	if [ "$VARIANT" = development ] && [ -x "$BUILD/examples/berth-agent-example" ]; then
		echo "dir /usr/local 0755 0 0"
		echo "dir /usr/local/bin 0755 0 0"
		echo "file /usr/local/bin/berth-agent-example $BUILD/examples/berth-agent-example 0755 0 0"
		echo "file /etc/berth/services.d/agent-example.conf $TOP/rootfs/examples/agent-example.conf 0644 0 0"
	fi
}

# Parents before children: sort by path (a prefix sorts first), one entry
# per path (the later, more specific line wins for directories' modes).
entries | awk '{ print $2 "\t" $0 }' | LC_ALL=C sort -t "$(printf '\t')" -k1,1 -s |
	awk -F '\t' '$1 != prev { if (line != "") print line } { line = $2; prev = $1 } END { if (line != "") print line }'

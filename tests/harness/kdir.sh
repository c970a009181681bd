#!/bin/bash
# Prints where to build modules for test kernel $1 (a Debian kernel version,
# amd64 or arm64, or "debug"); with --image the kernel image to boot; with
# --make-args the extra kbuild arguments (cross-compiling for arm64).  For
# "debug" this builds the debug kernel first if it is not cached; for an
# arm64 kernel it fetches Debian's packages first (tests/harness/arm64.sh).
set -euo pipefail
what=dir
case "${1:-}" in
--image) what=image; shift ;;
--make-args) what=args; shift ;;
esac
kver=$1
here=$(dirname "$0")
case "$kver" in
debug)
	[ "$what" = args ] && exit 0
	dir=$("$here/debug-kernel.sh")
	[ "$what" = image ] && echo "$dir/arch/x86/boot/bzImage" || echo "$dir"
	;;
*-arm64)
	if [ "$what" = args ]; then
		echo "ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-"
		exit 0
	fi
	root=$("$here/arm64.sh" "$kver")
	[ "$what" = image ] && echo "$root/boot/vmlinuz-$kver" ||
		echo "$root/usr/src/linux-headers-$kver"
	;;
*)
	[ "$what" = args ] && exit 0
	[ "$what" = image ] && echo "/boot/vmlinuz-$kver" || echo "/usr/src/linux-headers-$kver"
	;;
esac

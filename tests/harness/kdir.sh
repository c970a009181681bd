#!/bin/bash
# Prints where to build modules for test kernel $1 (a Debian kernel version,
# amd64 or arm64, or "debug"); with
#   --image     the kernel image to boot
#   --make-args the extra kbuild arguments (cross-compiling for arm64)
#   --run       the command to run that build under: empty for the host's
#               own kernels (their headers installed here) and their arm64
#               builds, or debian-root.sh --run SUITE for another suite's
#               kernel, built in that suite's root with its compiler
#   --sysroot   where the kernel's packages are unpacked (its modules, and
#               an arm64 busybox): / for the host's own kernels
#   --suite     the Debian suite of the kernel: bookworm, trixie or sid,
#               from the "+debNN" of its version
# For "debug" this builds the debug kernel first if it is not cached; for
# another kernel it fetches Debian's packages first (arm64.sh,
# kernel-root.sh) and installs its headers in its suite's root.
set -euo pipefail
what=dir
case "${1:-}" in
--image) what=image; shift ;;
--make-args) what=args; shift ;;
--run) what=run; shift ;;
--sysroot) what=sysroot; shift ;;
--suite) what=suite; shift ;;
esac
kver=$1
here=$(dirname "$0")
arch=amd64
case "$kver" in *-arm64) arch=arm64 ;; esac
case "$kver" in
*+deb13-*) suite=trixie gcc=14 ;;
*+deb14-*) suite=sid gcc=16 ;;
*) suite=bookworm gcc=12 ;;
esac

# The host's own kernels (their amd64 headers are installed here, by
# deps.sh) build here; arm64 builds of them use those headers' kbuild tools.
own=0
[ "$kver" != debug ] && [ -d "/usr/src/linux-headers-${kver%-"$arch"}-amd64" ] && own=1

case "$what" in
suite)	echo "$suite"; exit 0 ;;
args)	[ "$arch" = arm64 ] && echo "ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-"; exit 0 ;;
run)	[ "$own" = 1 ] || [ "$kver" = debug ] ||
		echo "$(cd "$here" && pwd)/debian-root.sh --run $suite"
	exit 0 ;;
esac

if [ "$kver" = debug ]; then
	[ "$what" = sysroot ] && { echo /; exit 0; }
	dir=$("$here/debug-kernel.sh")
	[ "$what" = image ] && echo "$dir/arch/x86/boot/bzImage" || echo "$dir"
	exit 0
fi

if [ "$own" = 1 ]; then
	if [ "$arch" = arm64 ]; then
		root=$("$here/arm64.sh" "$kver")
		case "$what" in
		image)	 echo "$root/boot/vmlinuz-$kver" ;;
		sysroot) echo "$root" ;;
		*)	 echo "$root/usr/src/linux-headers-$kver" ;;
		esac
	else
		case "$what" in
		image)	 echo "/boot/vmlinuz-$kver" ;;
		sysroot) echo / ;;
		*)	 echo "/usr/src/linux-headers-$kver" ;;
		esac
	fi
	exit 0
fi

# Another suite's kernel (Debian 13's newest on Debian 12, sid's): packages
# unpacked in the cache, headers in the suite's build root (with the amd64
# twin, whose kbuild tools serve both arches).
if [ "$what" != dir ]; then
	root=$("$here/kernel-root.sh" "$kver")
	if [ "$what" = sysroot ]; then
		echo "$root"
	elif [ -f "$root/usr/lib/modules/$kver/vmlinuz" ]; then
		echo "$root/usr/lib/modules/$kver/vmlinuz"
	else
		echo "$root/boot/vmlinuz-$kver"
	fi
	exit 0
fi
abi=${kver%-"$arch"}
# perl: W=1 runs the headers' kernel-doc, a perl script before 7.x.
pkgs=(make perl "gcc-$gcc" libc6-dev libdrm-dev "gcc-$gcc-aarch64-linux-gnu" "linux-headers-$abi-amd64")
[ "$suite" = trixie ] && pkgs+=(--target-release=trixie-backports)
root=$("$here/debian-root.sh" "$suite" "${pkgs[@]}")
if [ "$arch" = arm64 ] && [ ! -d "$root/usr/src/linux-headers-$kver" ]; then
	cache=${SMAF_CACHE:-/var/cache/smaf}/debs/$suite
	opts=$("$here/debian-root.sh" --apt "$suite")
	mkdir -p "$cache" && chown _apt "$cache" 2>/dev/null || true
	# shellcheck disable=SC2086
	(cd "$cache" && apt-get $opts download -q "linux-headers-$kver:arm64" >&2)
	dpkg -x "$cache/linux-headers-${kver}_"*_arm64.deb "$root"
fi
[ -d "$root/usr/src/linux-headers-$kver" ] || {
	echo "kdir.sh: no headers for $kver in the $suite root" >&2
	exit 1
}
# The path inside the root, where the build runs (--run).
echo "/usr/src/linux-headers-$kver"

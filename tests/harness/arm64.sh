#!/bin/bash
# Prepares Debian's arm64 kernel KVER (e.g. 6.1.0-57-arm64) for the arm64
# test lanes, once per machine, and prints its root: the kernel image
# (boot/vmlinuz-KVER), its modules (lib/modules/KVER, with modules.dep),
# the headers to build modules against (usr/src/linux-headers-KVER), and an
# arm64 busybox (bin/busybox).
#
# Nothing is installed system-wide for arm64: the packages are fetched with
# `apt-get download` and unpacked with `dpkg -x`.  The headers' build tools
# (fixdep, modpost, ...) are arm64 binaries; the x86 builds of the same
# version come from linux-kbuild-VERSION:amd64, which the amd64 headers
# already installed, and the headers' relative `scripts` and `tools` links
# are pointed at them.
#   SMAF_CACHE   cache root (default /var/cache/smaf)
set -euo pipefail

kver=$1
cache=${SMAF_CACHE:-/var/cache/smaf}
root=$cache/arm64/$kver
case "$kver" in
*-arm64) ;;
*) echo "arm64.sh: $kver is not an arm64 kernel version" >&2; exit 1 ;;
esac
if [ -f "$root/.smaf-ready" ]; then
	echo "$root"
	exit 0
fi

# The amd64 twin provides the -common headers and the x86 kbuild tools.
amd64=${kver%-arm64}-amd64
kbuild=$(readlink "/usr/src/linux-headers-$amd64/scripts" 2>/dev/null | sed -n 's,^\.\./\.\./lib/\([^/]*\)/scripts$,\1,p')
if [ -z "$kbuild" ] || [ ! -d "/usr/lib/$kbuild/scripts" ]; then
	echo "arm64.sh: linux-headers-$amd64 (and its kbuild tools) must be installed first" >&2
	exit 1
fi

if ! dpkg --print-foreign-architectures | grep -qx arm64; then
	if [ "$(id -u)" != 0 ]; then
		echo "arm64.sh: run as root once (dpkg --add-architecture arm64)" >&2
		exit 1
	fi
	dpkg --add-architecture arm64
	apt-get update -q >&2
fi

echo "arm64.sh: fetching Debian's arm64 kernel $kver" >&2
rm -rf "$root"
mkdir -p "$root/.debs"
chown _apt "$root/.debs" 2>/dev/null || true	# apt downloads as _apt
image=linux-image-$kver-unsigned
apt-cache show "$image:arm64" > /dev/null 2>&1 || image=linux-image-$kver
(cd "$root/.debs" &&
 apt-get download -q "$image:arm64" "linux-headers-$kver:arm64" busybox-static:arm64 >&2)
for deb in "$root"/.debs/*.deb; do
	dpkg -x "$deb" "$root"
done
rm -rf "$root/.debs"

# x86 build tools of the same version, where the headers look for them.
mkdir -p "$root/usr/lib"
ln -sfn "/usr/lib/$kbuild" "$root/usr/lib/$kbuild"
[ -x "$root/usr/src/linux-headers-$kver/scripts/basic/fixdep" ] || {
	echo "arm64.sh: the headers' build tools are missing" >&2
	exit 1
}
depmod -b "$root" "$kver"
# bin/busybox, or usr/bin/busybox from Debian 13 on.
[ -x "$root/bin/busybox" ] || [ -x "$root/usr/bin/busybox" ] ||
	{ echo "arm64.sh: no arm64 busybox" >&2; exit 1; }
touch "$root/.smaf-ready"
echo "$root"

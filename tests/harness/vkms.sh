#!/bin/bash
# Prints the path of a vkms.ko for test kernel $1, built from Debian's own
# source of that kernel (linux-source-X.Y of the same version), or nothing
# where the real-client lane has no use for one.  vkms is the display the
# device-pipeline check of r-libcamera hands SMAF buffers to: cam --display
# needs a primary plane that scans out NV12, the only format of libcamera's
# virtual camera.  Debian does not build vkms, and its NV12 planes are in
# the newer kernels only (not in 6.1 or 6.12), so this builds it for the
# amd64 kernels of Debian 13 and sid, and only when their vkms has NV12.
# Built once per kernel, cached: SMAF_CACHE/vkms/KVER/vkms.ko.
#   SMAF_CACHE   cache root (default /var/cache/smaf)
set -euo pipefail

kver=$1
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
cache=${SMAF_CACHE:-/var/cache/smaf}
out=$cache/vkms/$kver

case "$kver" in
debug|*-arm64) exit 0 ;;
esac
suite=$("$here/kdir.sh" --suite "$kver")
[ "$suite" = bookworm ] && exit 0
if [ -f "$out/vkms.ko" ]; then
	echo "$out/vkms.ko"
	exit 0
fi
[ -f "$out/no-nv12" ] && exit 0

opts=$("$here/debian-root.sh" --apt "$suite")
# The source package of the kernel's version: linux-source-7.3 for 7.3.4.
ver=${kver%%-*}
ver=${ver%%+*}
src=linux-source-${ver%.*}
# shellcheck disable=SC2086
pkgver=$(apt-cache $opts show "linux-headers-$kver" 2>/dev/null |
	 awk '/^Version:/ { print $2; exit }')
[ -n "$pkgver" ] || { echo "vkms.sh: no package of $kver in $suite" >&2; exit 1; }

echo "vkms.sh: building vkms for $kver from $src $pkgver (once)" >&2
work=$top/build/vkms-$kver
rm -rf "$work" "$out"
mkdir -p "$work/debs" "$out"
chown _apt "$work/debs" 2>/dev/null || true	# apt downloads as _apt
# shellcheck disable=SC2086
(cd "$work/debs" && apt-get $opts download -q "$src=$pkgver" >&2)
dpkg-deb --fsys-tarfile "$work"/debs/*.deb |
	tar -xO --wildcards "*/$src.tar.xz" |
	tar -xJ -C "$work" --strip-components=5 --wildcards "$src/drivers/gpu/drm/vkms/*"
rm -rf "$work/debs"
if ! grep -q DRM_FORMAT_NV12 "$work/vkms_plane.c"; then
	echo "vkms.sh: $kver's vkms has no NV12 plane; not built" >&2
	touch "$out/no-nv12"
	exit 0
fi
# The kernel's own Makefile, without its KUnit tests.
sed -i '/KUNIT_TEST/d' "$work/Makefile"
kdir=$("$here/kdir.sh" "$kver")
run=$("$here/kdir.sh" --run "$kver")
$run make -C "$kdir" M="$work" CONFIG_DRM_VKMS=m modules >&2
cp "$work/vkms.ko" "$out/vkms.ko"
echo "$out/vkms.ko"

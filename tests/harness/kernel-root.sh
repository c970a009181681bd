#!/bin/bash
# Prepares a Debian 13 or sid kernel KVER (e.g. 7.3.4+deb13-amd64,
# 7.3.4+deb13-arm64) for a test lane, once per machine, and prints the root
# its packages are unpacked in: the kernel image
# (usr/lib/modules/KVER/vmlinuz, from linux-binary-KVER in 7.x, or
# boot/vmlinuz-KVER before), its modules (usr/lib/modules/KVER, with the
# modules.dep that 7.x's packages leave out), and for arm64 an arm64
# busybox (bin/busybox).  The headers to build against are in the suite's
# build root (kdir.sh).  Nothing is installed on the host.
#   SMAF_CACHE   cache root (default /var/cache/smaf)
set -euo pipefail

kver=$1
here=$(dirname "$0")
cache=${SMAF_CACHE:-/var/cache/smaf}
root=$cache/kernels/$kver
if [ -f "$root/.smaf-ready" ]; then
	echo "$root"
	exit 0
fi
suite=$("$here/kdir.sh" --suite "$kver")
arch=${kver##*-}
opts=$("$here/debian-root.sh" --apt "$suite")

echo "kernel-root.sh: fetching Debian's kernel $kver" >&2
rm -rf "$root"
mkdir -p "$root/.debs"
chown _apt "$root/.debs" 2>/dev/null || true	# apt downloads as _apt
pkgs=()
# shellcheck disable=SC2086
if apt-cache $opts show "linux-binary-$kver:$arch" > /dev/null 2>&1; then
	pkgs+=("linux-binary-$kver:$arch" "linux-modules-$kver:$arch")
elif apt-cache $opts show "linux-image-$kver-unsigned:$arch" > /dev/null 2>&1; then
	pkgs+=("linux-image-$kver-unsigned:$arch")
else
	pkgs+=("linux-image-$kver:$arch")
fi
[ "$arch" = arm64 ] && pkgs+=(busybox-static:arm64)	# (usr/)bin/busybox
# shellcheck disable=SC2086
(cd "$root/.debs" && apt-get $opts download -q "${pkgs[@]}" >&2)
for deb in "$root"/.debs/*.deb; do
	dpkg -x "$deb" "$root"
done
rm -rf "$root/.debs"
# Where the modules are: usr/lib/modules (7.x) or lib/modules.
mods=$root/usr/lib/modules
[ -d "$mods/$kver" ] || mods=$root/lib/modules
if [ ! -e "$root/lib/modules" ]; then
	mkdir -p "$root/lib" && ln -s ../usr/lib/modules "$root/lib/modules"
fi
depmod -b "$root" "$kver"
[ -f "$mods/$kver/modules.dep" ] || { echo "kernel-root.sh: depmod failed" >&2; exit 1; }
touch "$root/.smaf-ready"
echo "$root"

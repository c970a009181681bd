#!/bin/bash
# Installs the Debian packages SMAF needs to build and to test in QEMU.
# Does nothing when everything is already installed.
set -euo pipefail

# Debian 12 or 13 (host-suite.sh): the test kernels are the host's own,
# and the debug kernel comes from the host's linux-source.
read -r suite series < <("$(dirname "$0")/host-suite.sh")
pkgs=(build-essential gcc make libc6-dev libdrm-dev linux-libc-dev
      linux-image-amd64 linux-headers-amd64
      qemu-system-x86 busybox-static cpio kmod xz-utils zstd gzip
      "linux-source-$series" bc bison flex libelf-dev libssl-dev
      gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-system-arm
      device-tree-compiler trinity python3-pyelftools python3-cryptography
      debhelper dh-dkms dkms dpkg-dev lintian debootstrap groff-base)
# Debian 12 also tests its 6.12 kernel (bookworm-security's meta-package).
[ "$suite" = bookworm ] && pkgs+=(linux-image-6.12-amd64 linux-headers-6.12-amd64)
# Debian's arm64 kernels themselves are fetched by tests/harness/arm64.sh;
# the packaging lane's clean root by debootstrap (tests/harness/package.sh).

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
		missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "deps.sh: missing packages: ${missing[*]}; run as root or install them" >&2
	exit 1
fi
echo "deps.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"

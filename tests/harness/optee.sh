#!/bin/bash
# Prepares a secure world for the arm64 `secure` profile (QEMU's virt
# machine with secure=on), once per machine, and prints its directory:
#   qemu_fw.bios  the firmware QEMU boots (-bios): TF-A for PLAT=qemu,
#                 built here from Debian's arm-trusted-firmware source
#                 (Debian ships no qemu platform), with OP-TEE as its
#                 secure payload, built here from Debian's optee-os source
#                 for vexpress-qemu_armv8a with the secure data path
#                 (Debian builds it without) and SMAF's pseudo-TA
#                 (secure/optee/pta/) in its core, and Debian's U-Boot
#                 (u-boot-qemu, qemu_arm64), which boots QEMU's -kernel,
#                 -initrd and -append, as the normal world's loader
#   root/         what the guest runs beside it, to copy into an arm64
#                 initramfs: tee-supplicant, OP-TEE's test suite xtest
#                 with its trusted applications (optee-test-qemu), and the
#                 arm64 libraries they load
# OP-TEE and its tests come from sid (their versions must match: xtest
# loads TAs built with that OP-TEE's kit), TF-A from trixie's source.
# Nothing is installed on the host but build tools (deps.sh): packages are
# fetched with `apt-get download` and `apt-get source` and unpacked here.
# The directory is named for OP-TEE's version and the pseudo-TA's sources,
# so a change to either builds it again.
#   SMAF_CACHE   cache root (default /var/cache/smaf)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cache=${SMAF_CACHE:-/var/cache/smaf}
bin=$("$here/debian-root.sh" --apt sid)
cand() {	# the candidate version of a sid package
	# shellcheck disable=SC2086
	apt-cache $bin policy "$1" | sed -n 's/^ *Candidate: //p'
}
os=$(cand optee-os:arm64)
xtest=$(cand optee-test-qemu:arm64)
if [ -z "$os" ] || [ "${os%-*}" != "${xtest%-*}" ]; then
	echo "optee.sh: sid's optee-os ($os) and optee-test ($xtest) do not match" >&2
	exit 1
fi
pta=$here/../../secure/optee/pta
dir=$cache/optee/$os-$(cat "$pta"/* | sha256sum | cut -c1-16)
if [ -f "$dir/.smaf-ready" ]; then
	touch "$dir"	# in use: see the pruning below
	echo "$dir"
	exit 0
fi

echo "optee.sh: preparing OP-TEE $os for QEMU in $dir" >&2
rm -rf "$dir"
# Other builds go once unused for a day (another run may be using one).
find "$cache/optee" -mindepth 1 -maxdepth 1 -type d -mtime +1 -exec rm -rf {} + 2>/dev/null || true
mkdir -p "$dir/debs" "$dir/src" "$dir/fw" "$dir/root"
chown _apt "$dir/debs" "$dir/src" 2>/dev/null || true	# apt downloads as _apt
# The normal world's side and every arm64 library it loads.
# shellcheck disable=SC2086
deps=$(apt-cache $bin depends --recurse --no-recommends --no-suggests --no-conflicts \
	--no-breaks --no-replaces --no-enhances tee-supplicant:arm64 optee-test-qemu:arm64 |
	grep '^[a-z].*:arm64$' | sort -u)
# shellcheck disable=SC2086
(cd "$dir/debs" && apt-get $bin download -q u-boot-qemu $deps >&2)
for deb in "$dir"/debs/*.deb; do
	case "$(basename "$deb")" in
	u-boot-qemu_*) dpkg -x "$deb" "$dir/fw" ;;
	*) dpkg -x "$deb" "$dir/root" ;;
	esac
done
# The guest's /lib holds its modules: the loader, the libraries and the
# TAs tee-supplicant looks for under /lib are links into /usr/lib.
mkdir -p "$dir/root/lib"
ln -s /usr/lib/ld-linux-aarch64.so.1 "$dir/root/lib/ld-linux-aarch64.so.1"
ln -s /usr/lib/aarch64-linux-gnu "$dir/root/lib/aarch64-linux-gnu"
ln -s /usr/lib/optee_armtz "$dir/root/lib/optee_armtz"
# Nothing else is used: not the character set converters (20 MiB).
rm -rf "$dir/root/usr/share" "$dir/root/etc" "$dir/root/usr/lib/systemd" \
	"$dir/root/usr/lib/aarch64-linux-gnu/gconv"

# OP-TEE from sid's source, the same version as xtest: Debian's options
# for this platform, plus the secure data path and SMAF's pseudo-TA.
src=$("$here/debian-root.sh" --apt-src sid)
# shellcheck disable=SC2086
(cd "$dir/src" && apt-get $src source -q --download-only "optee-os=$os" >&2 &&
	dpkg-source -x --no-check ./optee-os_*.dsc optee-os >&2)
os_src=$dir/src/optee-os
mkdir -p "$os_src/core/pta/smaf"
cp "$pta"/* "$os_src/core/pta/smaf/"
printf '\nsubdirs-y += smaf\n' >> "$os_src/core/pta/sub.mk"
# OP-TEE's scripts need Debian's python3 (pyelftools, cryptography).
make -C "$os_src" -j"$(nproc)" PYTHON3=/usr/bin/python3 \
	CROSS_COMPILE=aarch64-linux-gnu- CROSS_COMPILE_core=aarch64-linux-gnu- \
	CROSS_COMPILE_ta_arm64=aarch64-linux-gnu- PLATFORM=vexpress-qemu_armv8a \
	O=out CFG_ARM64_core=y CFG_ARM_GICV3=y CFG_USER_TA_TARGETS=ta_arm64 \
	CFG_TEE_CORE_LOG_LEVEL=2 CFG_TEE_BENCHMARK=n CFG_NS_VIRTUALIZATION=n \
	CFG_SECURE_DATA_PATH=y > "$dir/optee-os.log" 2>&1 || {
	tail -n 30 "$dir/optee-os.log" >&2
	echo "optee.sh: OP-TEE build failed, see $dir/optee-os.log" >&2
	exit 1
}
opt=$os_src/out/core

src=$("$here/debian-root.sh" --apt-src trixie)
# shellcheck disable=SC2086
(cd "$dir/src" && apt-get $src source -q --download-only arm-trusted-firmware >&2 &&
	dpkg-source -x --no-check ./arm-trusted-firmware_*.dsc tf-a >&2)
make -C "$dir/src/tf-a" -j"$(nproc)" CROSS_COMPILE=aarch64-linux-gnu- PLAT=qemu \
	QEMU_USE_GIC_DRIVER=QEMU_GICV3 SPD=opteed BL32_RAM_LOCATION=tdram \
	BL32="$opt/tee-header_v2.bin" BL32_EXTRA1="$opt/tee-pager_v2.bin" \
	BL32_EXTRA2="$opt/tee-pageable_v2.bin" \
	BL33="$dir/fw/usr/lib/u-boot/qemu_arm64/u-boot.bin" all fip \
	> "$dir/tf-a.log" 2>&1 || {
	tail -n 30 "$dir/tf-a.log" >&2
	echo "optee.sh: TF-A build failed, see $dir/tf-a.log" >&2
	exit 1
}
cp "$dir/src/tf-a/build/qemu/release/qemu_fw.bios" "$dir/"
rm -rf "$dir/debs" "$dir/src"
touch "$dir/.smaf-ready"
echo "$dir"

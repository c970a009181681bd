#!/bin/bash
# Builds the busybox initramfs that tests SMAF on kernel $1, into $2.
# It holds busybox, smaf.ko built for that kernel, the in-tree modules the
# tests import with (vivid, vgem and their dependencies, from Debian's
# package), 9p (the real-client lane's shared root), vkms where vkms.sh
# builds one (the real-client lane's display: r-libcamera loads it, its
# dependencies load at boot), the statically linked test programs and
# smafctl, and for the debug kernel the host's trinity.  For a kernel other
# than the host's the modules come from its unpacked packages (kdir.sh
# --sysroot); for arm64 also busybox, the programs come from BUILDDIR/arm64,
# and the virtio serial modules that carry the TAP output are loaded first.
# With SMAF_OPTEE (tests/harness/optee.sh's directory) it also holds the
# kernel's TEE and OP-TEE drivers (lib/modules/optee.list, loaded when the
# guest boots beside OP-TEE), OP-TEE's normal-world programs and SMAF's
# OP-TEE secure module (smaf-optee.ko) and its test probe (smaf-teeprobe.ko).
#   [SMAF_KO=path/smaf.ko] [SMAF_OPTEE=DIR] mkinitramfs.sh KVER OUT.cpio.gz BUILDDIR
set -euo pipefail

kver=$1 out=$2 build=$3
here=$(cd "$(dirname "$0")" && pwd)
sysroot=$("$here/kdir.sh" --sysroot "$kver")
# 9p: the real-client lane's Debian root, shared by the host.
progs=$build mods="virtio_pci vgem vivid 9pnet_virtio 9p"
case "$kver" in
*-arm64)
	progs=$build/arm64
	mods="virtio_mmio virtio_console vgem vivid 9pnet_virtio 9p"
	;;
esac
[ -n "${SMAF_OPTEE:-}" ] && mods="$mods optee"
vkms=$("$here/vkms.sh" "$kver")
[ -z "$vkms" ] || mods="$mods $(modinfo -F depends "$vkms" | tr , ' ')"
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
chmod 755 "$root"	# mktemp makes it 0700: the guest's / must be searchable

mkdir -p "$root"/{bin,dev,proc,sys,tmp,run,lib/modules,tests,etc}
# The kernel's packages bring an arm64 busybox; amd64 uses the host's.
if [ "${kver##*-}" = arm64 ]; then
	# bin/busybox, or usr/bin/busybox from Debian 13 on.
	cp "$sysroot/bin/busybox" "$root/bin/busybox" 2>/dev/null ||
		cp "$sysroot/usr/bin/busybox" "$root/bin/busybox"
else
	cp /bin/busybox "$root/bin/busybox"
fi
ln -s busybox "$root/bin/sh"
cp "$here/guest/init" "$root/init"
cp "$here/guest/run-tests.sh" "$root/bin/run-tests.sh"
chmod 755 "$root/init" "$root/bin/run-tests.sh"

# In-tree modules in load order, decompressed (busybox insmod wants .ko).
# The debug kernel has them built in.
: > "$root/lib/modules/load.list"
: > "$root/lib/modules/console.list"
: > "$root/lib/modules/optee.list"
# A console module with no file is built in (7.x's packages ship no
# modules.builtin to tell).
[ "$kver" = debug ] || for m in $mods; do
	case "$m" in
	virtio*) [ -n "$(find "$sysroot/lib/modules/$kver/" -name "$m.ko*" | head -n 1)" ] ||
			continue ;;
	esac
	modprobe -d "$sysroot" -S "$kver" --show-depends "$m" | awk '$1 == "insmod" { print $2 }'
done | awk '!seen[$0]++' | while read -r path; do
	name=$(basename "$path")
	case "$name" in
	*.ko.xz)  xz -dc "$path" > "$root/lib/modules/${name%.xz}"; name=${name%.xz} ;;
	*.ko.zst) zstd -qdc "$path" > "$root/lib/modules/${name%.zst}"; name=${name%.zst} ;;
	*.ko)     cp "$path" "$root/lib/modules/$name" ;;
	*)        echo "mkinitramfs.sh: unexpected module $path" >&2; exit 1 ;;
	esac
	# The virtio modules load first, in init, before any output (arm64's
	# console is a virtio port).
	case "$name" in
	virtio*) echo "$name" >> "$root/lib/modules/console.list" ;;
	tee.ko|optee.ko) echo "$name" >> "$root/lib/modules/optee.list" ;;
	*)       echo "$name" >> "$root/lib/modules/load.list" ;;
	esac
done

# Whether this kernel's vgem maps a dma-buf at PRIME import (Debian's 6.1
# and 6.12) or only attaches (it imports with
# drm_gem_shmem_prime_import_no_map: Debian's 7.x): the tests that need a
# device mapping by vgem read it here.
vgem=map
if [ -f "$root/lib/modules/vgem.ko" ] &&
   grep -q drm_gem_shmem_prime_import_no_map "$root/lib/modules/vgem.ko"; then
	vgem=attach
fi
echo "$vgem" > "$root/etc/smaf-vgem"
[ -z "$vkms" ] || cp "$vkms" "$root/lib/modules/vkms.ko"

# SMAF_KO: another smaf.ko for this kernel (the packaging lane's, DKMS-built);
# SMAF_EXT_DIR: the modules that extend it, built against that one.
ext=${SMAF_EXT_DIR:-$build/kernel/$kver}
cp "${SMAF_KO:-$build/kernel/$kver/smaf.ko}" "$root/lib/modules/smaf.ko"
cp "$build/kernel/$kver/smaf-edu.ko" "$build/kernel/$kver/smaf-ptprobe.ko" \
   "$build/kernel/$kver/smaf-importer.ko" \
   "$build/kernel/$kver/smaf-bench.ko" "$ext/smaf-testsecure.ko" "$ext/smaf-testsecure-b.ko" \
   "$ext/smaf-testalloc.ko" "$root/lib/modules/"
cp "$progs"/tests/t-* "$progs"/tests/d-* "$progs"/tests/r-* "$progs"/tests/s-* "$root/tests/"
if [ -n "${SMAF_OPTEE:-}" ]; then
	cp -a "$SMAF_OPTEE/root/." "$root/"
	cp "$build/kernel/$kver/smaf-optee.ko" "$build/kernel/$kver/smaf-teeprobe.ko" "$root/lib/modules/"
fi
cp "$progs/tools/smafctl" "$progs/examples/smaf-demo" "$progs/bench/smaf-bench" "$root/bin/"

# The host's trinity (Debian's, dynamically linked) for d-trinity, which
# runs on the debug kernel, with the libraries it loads, and user nobody
# for its --dropprivs.
if [ "$kver" = debug ] && [ -x /usr/bin/trinity ]; then
	mkdir -p "$root/usr/bin"
	cp /usr/bin/trinity "$root/usr/bin/"
	ldd /usr/bin/trinity | grep -o '/[^ ]*' | while read -r lib; do
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done
	printf 'root:x:0:0:root:/:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' \
		> "$root/etc/passwd"
	printf 'root:x:0:\nnogroup:x:65534:\n' > "$root/etc/group"
fi

(cd "$root" && find . | cpio -o -H newc --quiet) | gzip -1 > "$out"

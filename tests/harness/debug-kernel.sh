#!/bin/bash
# Builds the debug test kernel (KASAN, lockdep, kmemleak, DMA-API debug,
# UBSAN, fault injection, CMA, vivid/vgem/vkms built in) from Debian's
# linux-source of the host's suite (6.1 on Debian 12, 6.12 on Debian 13)
# with tinyconfig + tests/harness/debug-kernel.config, once
# per machine.  The build is cached outside the source tree, keyed by the
# linux-source version and the fragment's hash; a cold build takes about 9
# minutes on 2 cores.  Prints the build directory (bzImage in
# arch/x86/boot/, usable as KERNELDIR for out-of-tree modules).
#   SMAF_CACHE   cache root (default /var/cache/smaf)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
fragment=$here/debug-kernel.config
series=$("$here/host-suite.sh" --source)
tarball=/usr/src/linux-source-$series.tar.xz
cache=${SMAF_CACHE:-/var/cache/smaf}

[ -f "$tarball" ] || { echo "debug-kernel.sh: $tarball missing (apt-get install linux-source-$series)" >&2; exit 1; }
srcver=$(dpkg-query -W -f='${Version}' "linux-source-$series")
key=$(printf '%s\n' "$srcver" | cat - "$fragment" | sha256sum | cut -c1-16)
dir=$cache/debug-kernel-$series-$key

if [ -f "$dir/.smaf-built" ]; then
	echo "$dir"
	exit 0
fi

echo "debug-kernel.sh: building the debug kernel in $dir (about 9 minutes)" >&2
rm -rf "$dir"
mkdir -p "$dir"
tar -xJf "$tarball" -C "$dir" --strip-components=1
{
	make -C "$dir" tinyconfig
	(cd "$dir" && ./scripts/kconfig/merge_config.sh -m .config "$fragment")
	make -C "$dir" olddefconfig
	# The fragment must have survived olddefconfig: a missing dependency
	# silently drops an option.
	missing=0
	while IFS= read -r line; do
		case "$line" in
		CONFIG_*=y) grep -qx "$line" "$dir/.config" || { echo "not set: $line"; missing=1; } ;;
		esac
	done < "$fragment"
	[ "$missing" = 0 ] || { echo "debug-kernel.sh: options dropped by olddefconfig" >&2; exit 1; }
	make -C "$dir" -j"$(nproc)" bzImage modules
} > "$dir/build.log" 2>&1 || {
	tail -n 40 "$dir/build.log" >&2
	echo "debug-kernel.sh: build failed, see $dir/build.log" >&2
	exit 1
}
touch "$dir/.smaf-built"
# Older builds (another fragment or source version) are not needed any more.
for old in "$cache"/debug-kernel-"$series"-*; do
	[ "$old" = "$dir" ] || rm -rf "$old"
done
echo "$dir"

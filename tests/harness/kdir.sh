#!/bin/bash
# Prints where to build modules for test kernel $1 (a Debian kernel version,
# or "debug"), or with --image the kernel image to boot.  For "debug" this
# builds the debug kernel first if it is not cached.
set -euo pipefail
image=0
if [ "${1:-}" = --image ]; then
	image=1
	shift
fi
kver=$1
if [ "$kver" = debug ]; then
	dir=$("$(dirname "$0")/debug-kernel.sh")
	[ "$image" = 1 ] && echo "$dir/arch/x86/boot/bzImage" || echo "$dir"
else
	[ "$image" = 1 ] && echo "/boot/vmlinuz-$kver" || echo "/usr/src/linux-headers-$kver"
fi

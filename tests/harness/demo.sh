#!/bin/bash
# make demo: boot Debian's 6.1 kernel and run the SMAF demo scenario.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=$top/build
kver=$("$top/tests/harness/kernels.sh" 6.1)
initrd=$build/initramfs-$kver.cpio.gz
"$top/tests/harness/mkinitramfs.sh" "$kver" "$initrd" "$build"
echo "Booting Debian $kver in QEMU (software emulation, about a minute)..."
exec "$top/tests/harness/run-vm.sh" demo "$kver" "$initrd" "$build/logs"

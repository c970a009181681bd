#!/bin/sh
# DKMS pre-build step of smaf-dkms: builds smaf.ko for kernel KVER from the
# headers in KDIR, in the DKMS build directory (the current directory).
# If that fails, the kernel is one SMAF cannot be built for: say so and
# exit 77, "skipped", so that DKMS lets the kernel install without SMAF.
# DKMS's own build step then finds the module already built.
#   dkms-try-build.sh KDIR KVER
kdir=$1
kver=$2
if make -C "$kdir" M="$PWD" SMAF_UAPI="$PWD/include/uapi" modules; then
	exit 0
fi
cat <<MSG

smaf: cannot be built for kernel $kver (the compiler's errors are above).
smaf: skipped: the kernel installs without SMAF.  Please report this, with
smaf: this file, to the maintainer of smaf-dkms (dpkg -s smaf-dkms).
MSG
exit 77

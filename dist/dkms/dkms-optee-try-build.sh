#!/bin/sh
# DKMS pre-build step of smaf-optee-dkms: builds smaf-optee.ko for kernel
# KVER from the headers in KDIR, in the DKMS build directory (the current
# directory), against SYMVERS, the Module.symvers smaf-dkms kept for that
# kernel.  Without it (SMAF itself was skipped for this kernel), or if the
# build fails, say so and exit 77, "skipped", so that DKMS lets the kernel
# install without smaf-optee.
#   dkms-optee-try-build.sh KDIR KVER SYMVERS
kdir=$1
kver=$2
symvers=$3
if [ ! -f "$symvers" ]; then
	echo "smaf-optee: skipped: SMAF is not built for kernel $kver ($symvers)."
	exit 77
fi
if make -C "$kdir" M="$PWD" SMAF_INCLUDE="$PWD/include" SMAF_UAPI="$PWD/include/uapi" \
	KBUILD_EXTRA_SYMBOLS="$symvers" modules; then
	exit 0
fi
cat <<MSG

smaf-optee: cannot be built for kernel $kver (the compiler's errors are above).
smaf-optee: skipped: the kernel installs without it.  Please report this,
smaf-optee: with this file, to the maintainer of smaf-optee-dkms.
MSG
exit 77

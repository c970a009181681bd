#!/bin/sh
# DKMS pre-build step of smaf-dkms: builds smaf.ko (and smaf-optee.ko) for
# kernel KVER from the headers in KDIR, in the DKMS build directory (the current directory).
# If that fails, the kernel is one SMAF cannot be built for: say so and
# exit 77, "skipped", so that DKMS lets the kernel install without SMAF.
# DKMS's own build step then finds the module already built.
#   dkms-try-build.sh KDIR KVER
kdir=$1
kver=$2
# smaf-optee (optee/) after it, against its symbols, where the kernel has
# the TEE subsystem (dkms.conf then expects it).
if make -C "$kdir" M="$PWD" SMAF_UAPI="$PWD/include/uapi" modules &&
   { ! grep -qs '^CONFIG_TEE=[ym]' "$kdir/.config" ||
     make -C "$kdir" M="$PWD/optee" SMAF_INCLUDE="$PWD/include" \
	SMAF_UAPI="$PWD/include/uapi" KBUILD_EXTRA_SYMBOLS="$PWD/Module.symvers" modules; }; then
	exit 0
fi
cat <<MSG

smaf: cannot be built for kernel $kver (the compiler's errors are above).
smaf: skipped: the kernel installs without SMAF.  Please report this, with
smaf: this file, to the maintainer of smaf-dkms (dpkg -s smaf-dkms).
MSG
exit 77

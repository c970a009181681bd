#!/bin/sh
# DKMS post-build step of smaf-dkms: keeps the build's Module.symvers (the
# versions of SMAF's exported symbols for this kernel) beside the built
# module, in DIR = DKMS_TREE/smaf/VERSION/KVER/ARCH, which DKMS removes with
# the module.  A module that extends SMAF builds with
#   KBUILD_EXTRA_SYMBOLS=/var/lib/dkms/smaf/kernel-KVER-ARCH/Module.symvers
# (docs/extending.md).  Runs in the DKMS build directory.
#   dkms-keep-symvers.sh DIR
set -e
mkdir -p "$1"
cp Module.symvers "$1/Module.symvers"

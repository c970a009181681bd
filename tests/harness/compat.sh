#!/bin/bash
# make compat: SMAF builds with zero warnings (W=1, -Werror) against every
# kernel and compiler Debian's users have.  For each kernel, smaf.ko, the
# test secure modules and the test drivers are built from its Debian header
# packages, with the compiler the kernel was built with, in a root of its
# suite (tests/harness/debian-root.sh; nothing is installed on the host);
# libsmaf, smafctl, the tests and the benchmark are built with each
# suite's gcc.
#
#   the host's (Debian 12) 6.1 and 6.12, amd64 and arm64        gcc 12
#   Debian 13              6.12, amd64 and arm64                 gcc 14
#   Debian 13 backports    the newest kernel (7.x), both arches  gcc 14
#   sid                    its kernel (7.x), both arches         gcc 16
#
# The Debian 13 and sid kernels are resolved at run time from their
# meta-packages, as the test kernels are.  Prints "[compat] ok - ..." per
# build and "[compat] N passed, N failed"; writes "N N" to
# build/logs/result-compat.
#   COMPAT="trixie sid"   only these suites (host, trixie, backports, sid)
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
here=$top/tests/harness
build=$top/build
logdir=$build/logs
log=$logdir/compat.log
mkdir -p "$logdir"
: > "$log"
passed=0 failed=0

ok() {
	if [ "$1" = 0 ]; then
		passed=$((passed + 1))
		echo "[compat] ok - $2"
	else
		failed=$((failed + 1))
		echo "[compat] not ok - $2 (see $log)"
	fi
}

finish() {
	echo "[compat] $passed passed, $failed failed (log: $log)"
	echo "$passed $failed" > "$logdir/result-compat"
}
trap finish EXIT

# Builds every module for KVER (make modules: the same build, into
# build/kernel/KVER, that a test lane of that kernel uses, so a kernel that
# also has a lane is built once), in the root of its suite with its
# compiler (kdir.sh --run).
modules() {	# modules KVER
	make -C "$top" modules KVERS="$1" >> "$log" 2>&1
}

suites=${COMPAT:-host trixie backports sid}

# ---- the host's kernels (Debian 12: 6.1, 6.12), with its gcc ----------------
if [[ " $suites " == *" host "* ]]; then
	for kver in $("$here/kernels.sh" debian) $("$here/kernels.sh" arm64); do
		modules "$kver"
		ok $? "$kver (the host's kernel and gcc): smaf.ko and the test modules, W=1 -Werror"
	done
fi

# ---- Debian 13, its backports and sid, in their roots ----------------------
for s in trixie backports sid; do
	[[ " $suites " == *" $s "* ]] || continue
	case "$s" in
	trixie) release=trixie-security gcc=14 name="Debian 13" ;;
	backports) release=trixie-backports gcc=14 name="Debian 13 backports" ;;
	sid) release=sid gcc=16 name=sid ;;
	esac
	abi=$("$here/kernels.sh" abi "$release" 2>> "$log")
	# Debian 13's own kernel: trixie-security, or trixie before any update.
	[ -n "$abi" ] || [ "$s" != trixie ] || abi=$("$here/kernels.sh" abi trixie 2>> "$log")
	if [ -z "$abi" ]; then
		ok 1 "$name: resolve its kernel (linux-headers-amd64 in $release)"
		continue
	fi
	for arch in amd64 arm64; do
		modules "$abi-$arch"
		ok $? "$abi-$arch ($name, gcc $gcc): smaf.ko and the test modules, W=1 -Werror"
	done
	# Userspace: once per compiler.
	[ "$s" = backports ] && continue
	$("$here/kdir.sh" --run "$abi-amd64") make -C "$top" BUILD="$build/gcc-$gcc" \
		CC="gcc-$gcc" KVERS= lib tools tests vm-programs >> "$log" 2>&1
	ok $? "libsmaf, smafctl, the tests and the benchmark build with gcc $gcc ($name), -Werror"
done

#!/bin/bash
# make compat: SMAF builds with zero warnings (W=1, -Werror) against every
# kernel and compiler Debian's users have.  For each kernel, smaf.ko, the
# test secure module and the test drivers are built from its Debian header
# packages, with the compiler the kernel was built with, in a root of its
# suite (tests/harness/debian-root.sh; nothing is installed on the host);
# libsmaf, smafctl, the tests and the benchmark are built with each
# suite's gcc.
#
#   Debian 12 (host)       6.1 and 6.12, amd64 and arm64        gcc 12
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
cache=${SMAF_CACHE:-/var/cache/smaf}

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

# The kernel ABI (e.g. 7.3.4+deb13) that linux-headers-amd64 of SUITE's
# distribution RELEASE (trixie, trixie-backports, sid) depends on.
resolve() {	# resolve SUITE RELEASE
	local opts version
	opts=$("$here/debian-root.sh" --apt "$1") || return 1
	# shellcheck disable=SC2086
	version=$(apt-cache $opts madison linux-headers-amd64 |
		awk -F'|' -v r="$2" '$3 ~ " "r"/" { gsub(/ /, "", $2); print $2; exit }')
	[ -n "$version" ] || return 1
	# shellcheck disable=SC2086
	apt-cache $opts show "linux-headers-amd64=$version" |
		sed -n 's/^Depends:.*linux-headers-\([^ ,]*\)-amd64.*/\1/p' | head -n 1
}

# Unpacks the arm64 headers of ABI into ROOT (once): the package is fetched
# on the host; its build tools are the root's amd64 ones (linux-kbuild).
arm64_headers() {	# arm64_headers SUITE ABI ROOT
	local opts dir=$cache/debs/$1
	[ -d "$3/usr/src/linux-headers-$2-arm64" ] && return 0
	opts=$("$here/debian-root.sh" --apt "$1") || return 1
	mkdir -p "$dir" && chown _apt "$dir" 2>/dev/null
	# shellcheck disable=SC2086
	(cd "$dir" && apt-get $opts download -q "linux-headers-$2-arm64:arm64") >> "$log" 2>&1 &&
		dpkg -x "$dir"/linux-headers-"$2"-arm64_*_arm64.deb "$3"
}

# A copy of the tree (with uncommitted changes) in ROOT's /build/smaf.
copy_tree() {	# copy_tree ROOT
	rm -rf "$1/build/smaf" && mkdir -p "$1/build/smaf" &&
		tar -C "$top" --exclude=./build --exclude=./.git -cf - . |
		tar -C "$1/build/smaf" -xf -
}

# Builds the modules for one kernel, in SUITE's root ("host": here).
modules() {	# modules SUITE KDIR OUT KARGS
	local cmd=(make -C "$4" compat-modules KDIR="$2" OUT="$3" KARGS="${5:-}")
	if [ "$1" = host ]; then
		"${cmd[@]}" >> "$log" 2>&1
	else
		"$here/debian-root.sh" --run "$1" "${cmd[@]}" >> "$log" 2>&1
	fi
}

suites=${COMPAT:-host trixie backports sid}

# ---- Debian 12: the test kernels' headers, on the host (gcc 12) ------------
if [[ " $suites " == *" host "* ]]; then
	for kver in $("$here/kernels.sh" debian) $("$here/kernels.sh" arm64); do
		args=$("$here/kdir.sh" --make-args "$kver")
		if kdir=$("$here/kdir.sh" "$kver" 2>> "$log"); then
			modules host "$kdir" "$build/compat/$kver" "$top" "$args"
			ok $? "$kver (Debian 12, gcc 12): smaf.ko and the test modules, W=1 -Werror"
		else
			ok 1 "$kver (Debian 12): headers"
		fi
	done
fi

# ---- Debian 13, its backports and sid, in their roots ----------------------
for s in trixie backports sid; do
	[[ " $suites " == *" $s "* ]] || continue
	case "$s" in
	trixie) suite=trixie release=trixie-security gcc=14 name="Debian 13" ;;
	backports) suite=trixie release=trixie-backports gcc=14 name="Debian 13 backports" ;;
	sid) suite=sid release=sid gcc=16 name=sid ;;
	esac
	abi=$(resolve "$suite" "$release" 2>> "$log")
	# Debian 13's own kernel: trixie-security, or trixie before any update.
	[ -n "$abi" ] || [ "$s" != trixie ] || abi=$(resolve trixie trixie 2>> "$log")
	if [ -z "$abi" ]; then
		ok 1 "$name: resolve its kernel (linux-headers-amd64)"
		continue
	fi
	pkgs=(make "gcc-$gcc" libc6-dev libdrm-dev "gcc-$gcc-aarch64-linux-gnu"
	      "linux-headers-$abi-amd64")
	[ "$s" = backports ] && pkgs+=(--target-release=trixie-backports)
	root=$("$here/debian-root.sh" "$suite" "${pkgs[@]}" 2>> "$log")
	if [ -z "$root" ]; then
		ok 1 "$name: a $suite root with gcc-$gcc and linux-headers-$abi-amd64"
		continue
	fi
	copy_tree "$root"
	modules "$suite" "/usr/src/linux-headers-$abi-amd64" "/build/compat/$abi-amd64" /build/smaf
	ok $? "$abi-amd64 ($name, gcc $gcc): smaf.ko and the test modules, W=1 -Werror"
	if arm64_headers "$suite" "$abi" "$root"; then
		modules "$suite" "/usr/src/linux-headers-$abi-arm64" "/build/compat/$abi-arm64" \
			/build/smaf "ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-"
		ok $? "$abi-arm64 ($name, gcc $gcc): smaf.ko and the test modules, W=1 -Werror"
	else
		ok 1 "$abi-arm64 ($name): fetch its headers"
	fi
	# Userspace: once per compiler.
	[ "$s" = backports ] && continue
	"$here/debian-root.sh" --run "$suite" make -C /build/smaf BUILD=/build/gcc-$gcc \
		CC="gcc-$gcc" KVERS= lib tools tests vm-programs >> "$log" 2>&1
	ok $? "libsmaf, smafctl, the tests and the benchmark build with gcc $gcc ($name), -Werror"
done

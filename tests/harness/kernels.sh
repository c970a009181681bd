#!/bin/bash
# Prints the kernels SMAF is tested on: the exact versions of Debian's amd64
# kernels, resolved from their meta-packages (their targets move with
# security updates); "debug", the debug kernel built from linux-source-6.1
# (tests/harness/debug-kernel.sh); the arm64 builds of the same Debian
# kernels (tests/harness/arm64.sh fetches them); and Debian's newest kernel,
# trixie-backports', amd64 and arm64 (kernel-root.sh fetches them).
#   kernels.sh              all test kernels
#   kernels.sh debian       the host's Debian amd64 kernels only (Debian 12:
#                           6.1 and 6.12; Debian 13: 6.12)
#   kernels.sh newest       Debian's newest amd64 kernel (7.x); newest-arm64
#   kernels.sh abi RELEASE  the kernel ABI (e.g. 7.3.4+deb13) that
#                           linux-headers-amd64 of RELEASE (trixie,
#                           trixie-security, trixie-backports, sid) points to
#   kernels.sh 6.1          the amd64 kernel whose version is 6.1.* (or 6.12, debug)
#   kernels.sh arm64        both arm64 kernels
#   kernels.sh arm64-6.12   the arm64 kernel whose version is 6.12.*
set -euo pipefail

resolve() {
	# linux-image-amd64 depends on linux-image-<version>-amd64
	dpkg-query -W -f='${Depends}\n' "$1" 2>/dev/null |
		tr ',' '\n' | sed -n 's/^ *linux-image-\([^ ]*\).*/\1/p' | head -n 1
}

# The ABI linux-headers-amd64 of RELEASE depends on (its newest version
# there), from the archive, with a private apt configuration.
abi() {
	local suite=${1%%-*} opts version
	opts=$("$(dirname "$0")/debian-root.sh" --apt "$suite") || return 1
	# shellcheck disable=SC2086
	version=$(apt-cache $opts madison linux-headers-amd64 |
		awk -F'|' -v r="$1" '$3 ~ " "r"/" { gsub(/ /, "", $2); print $2; exit }')
	[ -n "$version" ] || return 1
	# shellcheck disable=SC2086
	apt-cache $opts show "linux-headers-amd64=$version" |
		sed -n 's/^Depends:.*linux-headers-\([^ ,]*\)-amd64.*/\1/p' | head -n 1
}

# Debian's newest kernel for ARCH, or "newest-ARCH" (which no lane can
# build: the failure shows) when the archive cannot tell.
newest() {
	local a
	a=$(abi trixie-backports 2>/dev/null) && [ -n "$a" ] && echo "$a-$1" && return
	echo "kernels.sh: cannot resolve trixie-backports' newest kernel" >&2
	echo "newest-$1"
}

sel=${1:-all}
if [ "$sel" = abi ]; then
	abi "$2"
	exit
fi
case "$sel" in
newest) newest amd64; exit 0 ;;
newest-arm64) newest arm64; exit 0 ;;
esac
# The host's kernels: Debian 12's 6.1 and 6.12, or Debian 13's 6.12.
metas=(linux-image-amd64)
[ "$("$(dirname "$0")/host-suite.sh")" = "bookworm 6.1" ] && metas+=(linux-image-6.12-amd64)
amd64=()
for meta in "${metas[@]}"; do
	v=$(resolve "$meta")
	if [ -z "$v" ]; then
		echo "kernels.sh: $meta is not installed (run: make deps)" >&2
		exit 1
	fi
	amd64+=("$v")
done

matches() {	# matches VERSION PREFIX
	case "$1" in "$2".*|"$2"-*|"$2") return 0 ;; esac
	return 1
}

case "$sel" in
all)
	printf '%s\n' "${amd64[@]}" debug
	for v in "${amd64[@]}"; do echo "${v%-amd64}-arm64"; done
	newest amd64
	newest arm64
	;;
debian)
	printf '%s\n' "${amd64[@]}"
	;;
debug)
	echo debug
	;;
arm64|arm64-*)
	for v in "${amd64[@]}"; do
		[ "$sel" = arm64 ] || matches "$v" "${sel#arm64-}" || continue
		echo "${v%-amd64}-arm64"
	done
	;;
*)
	for v in "${amd64[@]}"; do
		matches "$v" "$sel" && echo "$v"
	done
	;;
esac
exit 0

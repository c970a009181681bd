#!/bin/bash
# Prints the kernels SMAF is tested on: the exact versions of Debian's amd64
# kernels, resolved from their meta-packages (their targets move with
# security updates); "debug", the debug kernel built from linux-source-6.1
# (tests/harness/debug-kernel.sh); and the arm64 builds of the same Debian
# kernels (tests/harness/arm64.sh fetches them).
#   kernels.sh              all test kernels
#   kernels.sh debian       Debian's amd64 kernels only
#   kernels.sh 6.1          the amd64 kernel whose version is 6.1.* (or 6.12, debug)
#   kernels.sh arm64        both arm64 kernels
#   kernels.sh arm64-6.12   the arm64 kernel whose version is 6.12.*
set -euo pipefail

resolve() {
	# linux-image-amd64 depends on linux-image-<version>-amd64
	dpkg-query -W -f='${Depends}\n' "$1" 2>/dev/null |
		tr ',' '\n' | sed -n 's/^ *linux-image-\([^ ]*\).*/\1/p' | head -n 1
}

sel=${1:-all}
amd64=()
for meta in linux-image-amd64 linux-image-6.12-amd64; do
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

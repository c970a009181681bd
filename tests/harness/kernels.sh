#!/bin/bash
# Prints the kernels SMAF is tested on: the exact versions of Debian's
# kernels, resolved from their meta-packages (their targets move with
# security updates), and "debug", the debug kernel built from
# linux-source-6.1 (tests/harness/debug-kernel.sh).
#   kernels.sh            all test kernels
#   kernels.sh debian     Debian's kernels only
#   kernels.sh 6.1        only the one whose version is 6.1.*  (or 6.12, debug)
set -euo pipefail

resolve() {
	# linux-image-amd64 depends on linux-image-<version>-amd64
	dpkg-query -W -f='${Depends}\n' "$1" 2>/dev/null |
		tr ',' '\n' | sed -n 's/^ *linux-image-\([^ ]*\).*/\1/p' | head -n 1
}

if [ "${1:-}" = debug ]; then
	echo debug
	exit 0
fi
with_debug=1
if [ "${1:-}" = debian ]; then
	with_debug=0
	set --
fi
for meta in linux-image-amd64 linux-image-6.12-amd64; do
	v=$(resolve "$meta")
	if [ -z "$v" ]; then
		echo "kernels.sh: $meta is not installed (run: make deps)" >&2
		exit 1
	fi
	[ -z "${1:-}" ] || case "$v" in "$1".*|"$1"-*|"$1") ;; *) continue ;; esac
	echo "$v"
done
if [ -z "${1:-}" ] && [ "$with_debug" = 1 ]; then
	echo debug
fi
exit 0

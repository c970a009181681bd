#!/bin/bash
# Prints the exact versions of the kernels SMAF is tested on, resolved from
# Debian's meta-packages (their targets move with security updates).
#   kernels.sh            all test kernels
#   kernels.sh 6.1        only the one whose version starts with 6.1
set -euo pipefail

resolve() {
	# linux-image-amd64 depends on linux-image-<version>-amd64
	dpkg-query -W -f='${Depends}\n' "$1" 2>/dev/null |
		tr ',' '\n' | sed -n 's/^ *linux-image-\([^ ]*\).*/\1/p' | head -n 1
}

for meta in linux-image-amd64 linux-image-6.12-amd64; do
	v=$(resolve "$meta")
	if [ -z "$v" ]; then
		echo "kernels.sh: $meta is not installed (run: make deps)" >&2
		exit 1
	fi
	[ -z "${1:-}" ] || case "$v" in "$1".*|"$1"-*|"$1") ;; *) continue ;; esac
	echo "$v"
done

#!/bin/bash
# Prints the Debian suite of this host and the kernel series of its
# linux-source package, which the debug kernel and checkpatch come from:
# "bookworm 6.1" on Debian 12, "trixie 6.12" on Debian 13.
#   host-suite.sh           both
#   host-suite.sh --source  the series only
set -euo pipefail
suite=$(. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}")
case "$suite" in
bookworm) series=6.1 ;;
trixie) series=6.12 ;;
*)
	echo "host-suite.sh: this harness runs on Debian 12 (bookworm) or 13 (trixie), not '${suite:-unknown}'" >&2
	exit 1
	;;
esac
if [ "${1:-}" = --source ]; then
	echo "$series"
else
	echo "$suite $series"
fi

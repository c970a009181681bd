#!/bin/bash
# Prints a Debian root of another suite, for building and testing against
# what that suite's users have: Debian 13 (trixie, with trixie-updates,
# -security and -backports) or sid.  Nothing of it is installed on the host.
#   debian-root.sh --base SUITE    a minbase tarball of SUITE (debootstrap,
#                                  cached): the packaging lane's clean root
#   debian-root.sh SUITE [PKG...]  a persistent build root of SUITE with
#                                  PKG installed in it (apt inside the root;
#                                  an argument such as
#                                  "--target-release=trixie-backports"
#                                  is passed to apt-get install)
#   debian-root.sh --run SUITE CMD...
#                                  runs CMD in that root, in a clean
#                                  environment, with /proc, /sys, /dev and
#                                  this source tree (at its own path)
#                                  mounted while it runs
#   debian-root.sh --apt SUITE     prints apt-get options for querying and
#                                  downloading SUITE's packages (amd64 and
#                                  arm64) from the host, with a private
#                                  configuration (never the host's sources)
#   debian-root.sh --apt-src SUITE the same for `apt-get source` of SUITE's
#                                  source packages
# sid's Release files may be out of date in the archive this runs against:
# apt checks no Valid-Until for it.
#   SMAF_CACHE   cache root (default /var/cache/smaf)
set -euo pipefail

cache=${SMAF_CACHE:-/var/cache/smaf}
mode=root
case "${1:-}" in
--base) mode=base; shift ;;
--run) mode=run; shift ;;
--apt) mode=apt; shift ;;
--apt-src) mode=apt-src; shift ;;
esac
suite=${1:?usage: debian-root.sh [--base|--run|--apt|--apt-src] trixie|sid ...}
shift
case "$suite" in
trixie|sid) ;;
*) echo "debian-root.sh: unknown suite $suite (trixie or sid)" >&2; exit 1 ;;
esac

# The archive the host uses (its mirror and proxy), for other suites.
# (either file may be missing: no pipeline may fail here)
mirror=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null |
	sed -n 's/^URIs: *\([^ ]*\/debian\/*\)$/\1/p' | head -n 1) || true
[ -n "$mirror" ] || mirror=$(sed -n 's/^deb \(http[^ ]*\/debian\/*\) .*/\1/p' \
	/etc/apt/sources.list 2>/dev/null | head -n 1) || true
mirror=${mirror:-http://deb.debian.org/debian}
mirror=${mirror%/}
eval "$(apt-config shell http_proxy Acquire::http::Proxy)"
[ -n "${http_proxy:-}" ] && export http_proxy

sources() {	# sources.list lines of SUITE
	case "$suite" in
	trixie)
		for s in trixie trixie-updates trixie-backports; do
			echo "deb $mirror $s main"
		done
		echo "deb ${mirror%/debian}/debian-security trixie-security main"
		;;
	sid)
		echo "deb [check-valid-until=no] $mirror sid main"
		;;
	esac
}

# ---- apt on the host with a private configuration --------------------------
if [ "$mode" = apt ] || [ "$mode" = apt-src ]; then
	dir=$cache/apt/$suite
	if [ "$mode" = apt ]; then
		line='deb [arch=amd64,arm64 check-valid-until=no] '
	else
		dir=$dir-src line='deb-src [check-valid-until=no] '
	fi
	mkdir -p "$dir/lists/partial" "$dir/archives/partial"
	sources | sed "s/^deb \(\[[^]]*\] \)\?/$line/" > "$dir/sources.list"
	opts="-o Dir::Etc::SourceList=$dir/sources.list -o Dir::Etc::SourceParts=/nonexistent
	      -o Dir::State::Lists=$dir/lists -o Dir::Cache=$dir -o Dir::Cache::archives=$dir/archives
	      -o Dir::State::status=/dev/null -o Acquire::Check-Valid-Until=false
	      -o APT::Architecture=amd64 -o APT::Architectures::=amd64 -o APT::Architectures::=arm64
	      -o Debug::NoLocking=true"
	# Lists younger than a day are reused.
	if [ -z "$(find "$dir/lists" -maxdepth 1 \( -name '*Packages*' -o -name '*Sources*' \) \
		   -mmin -1440 2>/dev/null)" ]; then
		# shellcheck disable=SC2086
		apt-get $opts update -q >&2
	fi
	echo $opts
	exit 0
fi

# ---- the minbase tarball ---------------------------------------------------
base=$cache/roots/$suite-minbase.tar
if [ ! -s "$base" ]; then
	mkdir -p "$cache/roots"
	new=$cache/roots/$suite-new
	rm -rf "$new" && mkdir -p "$new"
	echo "debian-root.sh: debootstrap $suite (once)" >&2
	debootstrap --variant=minbase "$suite" "$new" "$mirror" >&2
	sources > "$new/etc/apt/sources.list"
	if [ "$suite" = sid ]; then
		echo 'Acquire::Check-Valid-Until "false";' \
			> "$new/etc/apt/apt.conf.d/99smaf-valid-until"
	fi
	echo 'APT::Install-Recommends "false";' > "$new/etc/apt/apt.conf.d/99smaf-no-recommends"
	{ grep -ls Proxy /etc/apt/apt.conf.d/* 2>/dev/null || true; } |
		xargs -r cp -t "$new/etc/apt/apt.conf.d/"
	tar -C "$new" -cf "$base.tmp" . && mv "$base.tmp" "$base"
	rm -rf "$new"
fi
if [ "$mode" = base ]; then
	echo "$base"
	exit 0
fi

# ---- the build root --------------------------------------------------------
root=$cache/roots/$suite
if [ ! -f "$root/.smaf-ready" ]; then
	if grep -q " $root/" /proc/mounts; then
		echo "debian-root.sh: something is mounted in $root" >&2
		exit 1
	fi
	rm -rf "$root" && mkdir -p "$root"
	tar -C "$root" -xf "$base"
	touch "$root/.smaf-ready"
fi
cp /etc/resolv.conf "$root/etc/resolv.conf"

mounted=()
umount_all() {
	local i
	for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
		umount -l "${mounted[i]}" 2>/dev/null || true
	done
}
trap umount_all EXIT
mount_in() {	# mount_in ARGS... TARGET
	local target=${*: -1}
	mountpoint -q "$target" && return 0
	mount "$@" && mounted+=("$target")
}

# Mounted here, in this shell, and not in in_root(): a call of it in a
# pipeline runs in a subshell, whose record of what it mounted is lost.
mount_in -t proc proc "$root/proc"
mount_in --bind /sys "$root/sys"
mount_in --bind /dev "$root/dev"

in_root() {
	chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
		DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8 \
		${http_proxy:+http_proxy=$http_proxy} "$@"
}

if [ "$mode" = run ]; then
	top=$(cd "$(dirname "$0")/../.." && pwd)
	mkdir -p "$root$top"
	mount_in --bind "$top" "$root$top"
	in_root sh -c 'cd "$1" 2>/dev/null || cd /; shift; exec "$@"' sh "$PWD" "$@"
	exit $?
fi

# Installs what is missing (an update at most once a day).
opts=()
missing=()
for p in "$@"; do
	case "$p" in -*) opts+=("$p"); continue ;; esac
	in_root dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
		missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	if [ -z "$(find "$root/.smaf-apt-updated" -mmin -1440 2>/dev/null)" ]; then
		in_root apt-get update -q >&2
		touch "$root/.smaf-apt-updated"
	fi
	echo "debian-root.sh: installing ${missing[*]} in the $suite root" >&2
	in_root apt-get install -y -q "${opts[@]}" "${missing[@]}" >&2
fi
echo "$root"

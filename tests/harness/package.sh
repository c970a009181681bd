#!/bin/bash
# The packaging lane of make check: builds the Debian packages (make deb),
# checks them with lintian, installs them into a clean root of the host's
# suite, Debian 12 or 13 (debootstrap --variant=minbase, cached in
# /var/cache/smaf), installs the headers of the host's test kernels (6.1
# and 6.12 on Debian 12) there so that DKMS builds
# the module for each (as it does on a kernel upgrade), boots each
# DKMS-built smaf.ko in the test VM with the base tests, then purges the
# packages and checks that nothing is left.  Then the upgrade case on Debian
# 13: the packages installed in a clean Debian 13 root, the newest kernel
# (trixie-backports) and its headers installed after them must configure,
# get their initrd and SMAF built by DKMS, and a kernel SMAF cannot be
# built for must still install (DKMS skips it).  Also checks that make
# install and make uninstall, into a staging directory, leave nothing
# behind.
# Prints TAP-like lines and "[package] N passed, N failed"; writes
# "N N" to build/logs/result-package.
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
build=$top/build
logdir=$build/logs
cache=/var/cache/smaf/pkgroot
root=$build/pkgroot
log=$logdir/package.log
mkdir -p "$logdir" "$cache/archives"
: > "$log"
passed=0 failed=0

ok() {
	if [ "$1" = 0 ]; then
		passed=$((passed + 1))
		echo "[package] ok - $2"
	else
		failed=$((failed + 1))
		echo "[package] not ok - $2 (see $log)"
	fi
}

# Runs a command in the root, with a clean environment (but the host's
# proxy, if it reaches the archive through one).
in_root() {
	chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
		DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8 \
		${http_proxy:+http_proxy=$http_proxy} ${https_proxy:+https_proxy=$https_proxy} \
		"$@" >> "$log" 2>&1
}

umount_root() {
	for m in var/cache/apt/archives dev/pts dev proc sys; do
		mountpoint -q "$root/$m" && umount -l "$root/$m"
	done
	return 0
}

# What is left of the packages in the root: listed by dpkg, or files named
# smaf* or libsmaf* where they install (nothing after a clean purge).
leftovers() {
	(in_root dpkg -L smaf-dkms libsmaf1 libsmaf-dev smaf-tools && echo listed)
	find "$root/lib/modules" "$root/usr/src" "$root/var/lib/dkms" "$root/etc" \
		"$root/lib/udev" "$root/usr/lib" "$root/usr/include" "$root/usr/share/man" \
		\( -name 'smaf*' -o -name 'libsmaf*' \) 2>/dev/null
}

finish() {
	umount_root
	echo "[package] $passed passed, $failed failed (logs: $log)"
	echo "$passed $failed" > "$logdir/result-package"
}
trap finish EXIT

kvers=$("$top/tests/harness/kernels.sh" debian | grep -v arm64)

# ---- the packages ----------------------------------------------------------
make -C "$top" -s deb >> "$log" 2>&1
ok $? "make deb builds smaf-dkms, libsmaf1, libsmaf-dev and smaf-tools"
debs=$(ls "$build"/deb/{smaf-dkms,libsmaf1,libsmaf-dev,smaf-tools}_*.deb 2>/dev/null)
[ "$(echo "$debs" | wc -w)" = 4 ] || exit 0
tags=$(lintian --allow-root "$build"/deb/smaf_*.changes 2>&1 | grep -E '^[EW]: ')
echo "$tags" >> "$log"
[ -z "$tags" ]
ok $? "lintian: no error, no warning"

# ---- a clean root of the host's suite ------------------------------------------
suite=$("$top/tests/harness/host-suite.sh" | cut -d' ' -f1)
base=$cache/$suite-minbase.tar
if [ ! -s "$base" ]; then
	rm -rf "$cache/new" && mkdir -p "$cache/new"
	# The host's mirror and proxy, if it has them.
	mirror=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null |
		sed -n 's/^URIs: *\([^ ]*\/debian\/*\)$/\1/p' | head -n 1)
	[ -n "$mirror" ] || mirror=$(sed -n 's/^deb \(http[^ ]*\/debian\/*\) .*/\1/p' \
		/etc/apt/sources.list 2>/dev/null | head -n 1)
	eval "$(apt-config shell http_proxy Acquire::http::Proxy)"
	[ -n "${http_proxy:-}" ] && export http_proxy
	debootstrap --variant=minbase "$suite" "$cache/new" "${mirror:-http://deb.debian.org/debian}" \
		>> "$log" 2>&1 &&
		tar -C "$cache/new" -cf "$base.tmp" . && mv "$base.tmp" "$base"
	rm -rf "$cache/new"
fi
[ -s "$base" ]
ok $? "a clean $suite root (debootstrap minbase, cached in $cache)"
[ -s "$base" ] || exit 0
umount_root
rm -rf "$root" && mkdir -p "$root" && tar -C "$root" -xf "$base"
# The host's archive (the suite, -updates, -security: the test kernels).
rm -f "$root/etc/apt/sources.list"
cp /etc/apt/sources.list.d/*.sources /etc/apt/sources.list "$root/etc/apt/" 2>/dev/null
cp /etc/apt/sources.list.d/*.sources "$root/etc/apt/sources.list.d/" 2>/dev/null
cp /etc/resolv.conf "$root/etc/resolv.conf"
grep -ls Proxy /etc/apt/apt.conf.d/* 2>/dev/null | xargs -r cp -t "$root/etc/apt/apt.conf.d/"
mount -t proc proc "$root/proc" && mount --bind /sys "$root/sys" &&
	mount --bind /dev "$root/dev" && mount --bind /dev/pts "$root/dev/pts" &&
	mount --bind "$cache/archives" "$root/var/cache/apt/archives"
mkdir -p "$root/tmp/debs" && cp $debs "$root/tmp/debs/"

in_root apt-get update -q &&
	in_root apt-get install -y -q --no-install-recommends \
		$(for d in $debs; do echo "/tmp/debs/${d##*/}"; done)
ok $? "the four packages install into it (with dkms and what it needs)"
in_root getent group smaf
ok $? "smaf-dkms created group smaf"
[ -f "$root/usr/lib/udev/rules.d/60-smaf.rules" ] && [ -f "$root/etc/modprobe.d/smaf.conf" ] &&
	! grep -q '^[^#]' "$root/etc/modprobe.d/smaf.conf" "$root/etc/modules-load.d/smaf.conf"
ok $? "udev rule installed; modprobe.d and modules-load.d files all comments"
in_root smafctl --help &&
	[ -f "$root/usr/share/man/man1/smafctl.1.gz" ] && [ -f "$root/usr/share/man/man3/libsmaf.3.gz" ] &&
	[ -f "$root/usr/share/man/man4/smaf.4.gz" ] &&
	grep -q "^Version: $(sed -n '1s/^[^ ]* (\([^)]*\)).*/\1/p' "$top/debian/changelog")" \
		"$root"/usr/lib/*/pkgconfig/libsmaf.pc
ok $? "smafctl runs; the man pages and libsmaf.pc (the package's version) are installed"

# Installing a kernel's headers makes DKMS build the module for it.  (6.12's
# headers pull its image in: no initramfs is built for it here.)
in_root dpkg-divert --local --rename --add /usr/sbin/update-initramfs &&
	ln -sf /bin/true "$root/usr/sbin/update-initramfs"
for kver in $kvers; do
	in_root apt-get install -y -q --no-install-recommends "linux-headers-$kver"
	ko=$(ls "$root/lib/modules/$kver/updates/dkms/smaf.ko"* 2>/dev/null | head -n 1)
	[ -n "$ko" ]
	ok $? "$kver: DKMS built smaf.ko when the headers were installed"
	[ -n "$ko" ] || continue
	# smaf-optee: built with smaf, against its symbols, where the kernel
	# has the TEE subsystem; left out elsewhere.
	optee=$(ls "$root/lib/modules/$kver/updates/dkms/smaf-optee.ko"* 2>/dev/null | head -n 1)
	if grep -qs '^CONFIG_TEE=' "$root/usr/src/linux-headers-$kver/.config"; then
		[ -n "$optee" ]
		ok $? "$kver: DKMS built smaf-optee.ko with it (the kernel has TEE)"
	else
		[ -z "$optee" ]
		ok $? "$kver: no TEE subsystem: DKMS leaves smaf-optee out"
	fi
	case "$ko" in
	*.xz) xz -dc "$ko" > "$build/pkg-smaf-$kver.ko" ;;
	*.zst) zstd -qdc "$ko" > "$build/pkg-smaf-$kver.ko" ;;
	*) cp "$ko" "$build/pkg-smaf-$kver.ko" ;;
	esac
	# The test allocator and secure modules, built as a module outside the
	# tree would be: against the package's headers and the Module.symvers
	# DKMS kept for this kernel, not against the tree.
	ext=$build/pkg-ext-$kver
	rm -rf "$ext" "$root/tmp/ext" && mkdir -p "$ext" "$root/tmp/ext"
	cp -r "$top/tests/drivers/smaf-testalloc" "$top/tests/drivers/smaf-testsecure" "$root/tmp/ext/"
	src=$(ls -d "$root"/usr/src/smaf-[0-9]* | head -n 1)
	for d in smaf-testalloc smaf-testsecure; do
		in_root make -C "/lib/modules/$kver/build" M="/tmp/ext/$d" \
			SMAF_INCLUDE="/usr/src/${src##*/}/include" \
			KBUILD_EXTRA_SYMBOLS="/var/lib/dkms/smaf/kernel-$kver-x86_64/Module.symvers" \
			modules || break
	done
	cp "$root"/tmp/ext/*/*.ko "$ext/" 2>> "$log" &&
		[ -f "$ext/smaf-testalloc.ko" ] && [ -f "$ext/smaf-testsecure-b.ko" ]
	ok $? "$kver: the test allocator and secure modules build against the installed smaf-dkms"
	initrd=$build/initramfs-pkg-$kver.cpio.gz
	make -s -C "$top" modules KVERS="$kver" >> "$log" 2>&1
	SMAF_KO=$build/pkg-smaf-$kver.ko SMAF_EXT_DIR=$ext "$top/tests/harness/mkinitramfs.sh" \
		"$kver" "$initrd" "$build" >> "$log" 2>&1 &&
		"$top/tests/harness/run-vm.sh" check "$kver" "$initrd" "$logdir" \
			t-v10,t-vgem,t-deferred,t-edu,t-heap,t-extalloc,t-secure pkg >> "$log" 2>&1
	read -r p f < "$logdir/result-$kver-pkg" 2>/dev/null || { p=0 f=1; }
	[ "$f" = 0 ] && [ "$p" -gt 0 ]
	ok $? "$kver: the DKMS-built module and the modules built against it pass in the VM ($p passed, $f failed)"
done

in_root apt-get purge -y -q smaf-dkms libsmaf1 libsmaf-dev smaf-tools
ok $? "the packages purge"
left=$(leftovers)
echo "$left" >> "$log"
[ -z "$left" ]
ok $? "nothing is left: no package listed, no smaf.ko, sources, config or man page"

# ---- the upgrade case on Debian 13 --------------------------------------------
# (the same root helpers, now on a clean Debian 13 root)
umount_root
root=$build/pkgroot-trixie
base=$("$top/tests/harness/debian-root.sh" --base trixie 2>> "$log")
[ -s "$base" ]
ok $? "a clean Debian 13 root (debootstrap minbase, cached)"
if [ -s "$base" ]; then
	mkdir -p "$cache/archives-trixie"
	rm -rf "$root" && mkdir -p "$root" && tar -C "$root" -xf "$base"
	cp /etc/resolv.conf "$root/etc/resolv.conf"
	mount -t proc proc "$root/proc" && mount --bind /sys "$root/sys" &&
		mount --bind /dev "$root/dev" && mount --bind /dev/pts "$root/dev/pts" &&
		mount --bind "$cache/archives-trixie" "$root/var/cache/apt/archives"
	mkdir -p "$root/tmp/debs" && cp $debs "$root/tmp/debs/"
	in_root apt-get update -q &&
		in_root apt-get install -y -q $(for d in $debs; do echo "/tmp/debs/${d##*/}"; done)
	ok $? "Debian 13: the four packages install (with its dkms)"
	# The newest kernel, resolved as the compat lane does.
	new=$(chroot "$root" apt-cache depends -t trixie-backports linux-headers-amd64 2>/dev/null |
		sed -n 's/^ *Depends: linux-headers-\(.*\)-amd64$/\1/p' | head -n 1)
	kver=$new-amd64
	# initramfs-tools, as a Debian 13 system has (apt would pick dracut).
	in_root apt-get install -y -q -t trixie-backports initramfs-tools \
		"linux-image-$kver" "linux-headers-$kver"
	st=$?
	cfg=$(chroot "$root" dpkg-query -W -f='${db:Status-Abbrev}' "linux-image-$kver" \
		"linux-headers-$kver" 2>/dev/null)
	[ -n "$new" ] && [ "$st" = 0 ] && [ "$cfg" = "ii ii " ]
	ok $? "Debian 13: the newest kernel ${new:-?} and its headers install and configure"
	[ -s "$root/boot/initrd.img-$kver" ]
	ok $? "Debian 13: its initrd is generated"
	ls "$root/lib/modules/$kver/updates/dkms/smaf.ko"* > /dev/null 2>&1 &&
		{ ! grep -qs '^CONFIG_TEE=' "$root/usr/src/linux-headers-$kver/.config" ||
		  ls "$root/lib/modules/$kver/updates/dkms/smaf-optee.ko"* > /dev/null 2>&1; }
	ok $? "Debian 13: DKMS built smaf.ko for it (and smaf-optee.ko: it has TEE)"

	# A kernel SMAF cannot be built for: here, sources that do not compile.
	src=$(ls -d "$root"/usr/src/smaf-[0-9]* | head -n 1)
	ver=${src##*/smaf-}
	in_root dkms unbuild "smaf/$ver" -k "$kver" &&
		cp "$src/smaf-main.c" "$root/tmp/smaf-main.c" &&
		echo '#error "a kernel SMAF cannot be built for"' >> "$src/smaf-main.c"
	in_root apt-get install -y -q --reinstall -t trixie-backports "linux-headers-$kver"
	st=$?
	cfg=$(chroot "$root" dpkg-query -W -f='${db:Status-Abbrev}' "linux-headers-$kver" 2>/dev/null)
	[ "$st" = 0 ] && [ "$cfg" = "ii " ] &&
		! ls "$root/lib/modules/$kver/updates/dkms/smaf.ko"* > /dev/null 2>&1 &&
		grep -q "smaf: skipped: the kernel installs without SMAF" \
			"$root/var/lib/dkms/smaf/$ver/build/make.log" &&
		tail -n 40 "$log" | grep -q "skipped for module(s) smaf" &&
		! ls "$root/lib/modules/$kver/updates/dkms/smaf-optee.ko"* > /dev/null 2>&1
	ok $? "Debian 13: a kernel SMAF cannot build for still installs; DKMS says it skipped smaf"
	cp "$root/tmp/smaf-main.c" "$src/smaf-main.c"

	in_root apt-get purge -y -q smaf-dkms libsmaf1 libsmaf-dev smaf-tools
	st=$?
	left=$(leftovers)
	echo "$left" >> "$log"
	[ "$st" = 0 ] && [ -z "$left" ]
	ok $? "Debian 13: the packages purge and leave nothing"
	umount_root
fi

# ---- make install / make uninstall --------------------------------------------
stage=$build/install-stage
kver=$(echo "$kvers" | head -n 1)
rm -rf "$stage"
make -C "$top" -s install DESTDIR="$stage" PREFIX=/usr KVER="$kver" >> "$log" 2>&1 &&
	ls "$stage/lib/modules/$kver/updates/smaf.ko"* > /dev/null 2>&1 && [ -f "$stage/usr/bin/smafctl" ] &&
	{ ! grep -qs '^CONFIG_TEE=' "/lib/modules/$kver/build/.config" ||
	  ls "$stage/lib/modules/$kver/updates/smaf-optee.ko"* > /dev/null 2>&1; } &&
	[ -f "$stage/usr/share/man/man4/smaf.4" ] && [ -f "$stage/usr/lib/libsmaf.so.1" ]
ok $? "make install KVER=$kver installs the modules (smaf; smaf-optee with TEE), libsmaf, smafctl and the man pages"
make -C "$top" -s uninstall DESTDIR="$stage" PREFIX=/usr KVER="$kver" >> "$log" 2>&1 &&
	[ -z "$(find "$stage" -type f)" ]
ok $? "make uninstall removes every file make install put there"

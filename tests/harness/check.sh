#!/bin/bash
# make check: build everything, then run the VM tests on every test kernel.
#   KERNELS="6.1 arm64-6.12"   only these kernels (see kernels.sh)
#   TESTS="t-vgem,t-v10"   only these test programs
#   KERNELS=package        only the packaging lane (tests/harness/package.sh),
#                          which runs by default when neither is set
#   KERNELS=compat         only the build matrix (tests/harness/compat.sh),
#                          which also runs by default when neither is set
# The last line is "N passed, N failed" summed over all kernels.
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
build=$top/build
logdir=$build/logs
mkdir -p "$logdir"

kvers=()
package=0 compat=0
[ -z "${KERNELS:-}" ] && [ -z "${TESTS:-}" ] && package=1 compat=1
for k in ${KERNELS:-}; do
	[ "$k" = package ] && { package=1; continue; }
	[ "$k" = compat ] && { compat=1; continue; }
	while read -r v; do kvers+=("$v"); done < <("$top/tests/harness/kernels.sh" "$k")
done
if [ -z "${KERNELS:-}" ]; then
	while read -r v; do kvers+=("$v"); done < <("$top/tests/harness/kernels.sh")
fi
if [ ${#kvers[@]} -eq 0 ] && [ "$package" = 0 ] && [ "$compat" = 0 ]; then
	echo "check.sh: no test kernel found" >&2
	echo "0 passed, 1 failed"
	exit 1
fi

total_pass=0 total_fail=0
# Every lane's own lines, so that the failures can be said again at the end,
# where a log cut to its tail still shows them.
rm -f "$logdir"/lane-*.out
# Adds the "PASSED FAILED" a lane wrote to LOGDIR/result-TAG to the totals
# (a lane that wrote none counts as a failure).
add_result() {
	local p f
	if read -r p f < "$logdir/result-$1"; then
		total_pass=$((total_pass + p))
		total_fail=$((total_fail + f))
	else
		total_fail=$((total_fail + 1))
	fi
	rm -f "$logdir/result-$1"
}
# The real-client lane: Debian roots with Debian's libcamera and GStreamer
# (Debian 13's, sid's), shared with the amd64 guests of Debian's kernels
# (the debug kernel has no 9p), whose r-* tests run them unmodified.
client_roots=
for kver in "${kvers[@]}"; do
	case "$kver" in debug|*-arm64) continue ;; esac
	if ! client_roots=$("$top/tests/harness/client-root.sh" 2> "$logdir/client-root.log"); then
		tail -n 20 "$logdir/client-root.log"
		echo "[client] FAIL: cannot prepare the real-client roots" | tee -a "$logdir/lane-check.out"
		total_fail=$((total_fail + 1))
		client_roots=
	fi
	break
done
for kver in "${kvers[@]}"; do
	initrd=$build/initramfs-$kver.cpio.gz
	profiles="default iommu"
	progs=(true)
	optee=
	case "$kver" in
	debug)	profiles="default iommu cma-low" ;;
	*-arm64)
		profiles="default no-iommu cma-large"
		progs=(make -s -C "$top" vm-programs BUILD="$build/arm64"
		       CC=aarch64-linux-gnu-gcc AR=aarch64-linux-gnu-ar)
		# A secure world (OP-TEE) beside 6.12 and the newest kernel.
		case "$kver" in
		6.1.*) ;;
		*)	if optee=$("$top/tests/harness/optee.sh" 2> "$logdir/optee.log"); then
				profiles="$profiles secure"
			else
				tail -n 20 "$logdir/optee.log"
				echo "[$kver] FAIL: cannot prepare OP-TEE" | tee -a "$logdir/lane-check.out"
				total_fail=$((total_fail + 1))
				optee=
			fi ;;
		esac ;;
	esac
	# The debug kernel's modules are built here (and the kernel itself,
	# once), and the arm64 kernels' (fetched once) with the arm64 programs.
	if ! make -s -C "$top" modules KVERS="$kver" > "$logdir/build-$kver.log" 2>&1 ||
	   ! "${progs[@]}" >> "$logdir/build-$kver.log" 2>&1 ||
	   ! SMAF_OPTEE=$optee "$top/tests/harness/mkinitramfs.sh" "$kver" "$initrd" "$build"; then
		tail -n 20 "$logdir/build-$kver.log"
		echo "[$kver] FAIL: cannot build the modules or the initramfs" |
			tee -a "$logdir/lane-check.out"
		total_fail=$((total_fail + 1))
		continue
	fi
	for profile in $profiles; do
		tag=$kver
		tests=${TESTS:-}
		if [ "$profile" != default ]; then
			tag=$kver-$profile
			# With or without an IOMMU only the edu tests (DMA
			# engine, late attach) change; with another CMA area,
			# only the CMA test; with a secure world, the s-* tests
			# run there alone.
			only=t-edu,t-late-attach
			case "$profile" in
			cma-*)	only=d-cma ;;
			secure)	only=s-optee,s-grants,s-content ;;
			esac
			tests=
			for t in ${only//,/ }; do
				case ",${TESTS:-$only}," in *,$t,*) tests=${tests:+$tests,}$t ;; esac
			done
			[ -n "$tests" ] || continue
		fi
		echo "[$tag] booting (TCG, 6 GiB, $profile); console: $logdir/console-$tag.log"
		start=$(date +%s)
		share=
		case "$kver" in debug|*-arm64) ;; *) [ "$profile" = default ] && share=$client_roots ;; esac
		SMAF_CLIENT_ROOTS=$share SMAF_OPTEE=$optee \
		"$top/tests/harness/run-vm.sh" check "$kver" "$initrd" "$logdir" "$tests" "$profile" |
			tee "$logdir/lane-$tag.out"
		echo "[$tag] took $(($(date +%s) - start)) s"
		add_result "$tag"
	done
done

# Packages: build, lintian, install in a clean root, DKMS, boot, purge.
if [ "$package" = 1 ]; then
	start=$(date +%s)
	"$top/tests/harness/package.sh" | tee "$logdir/lane-package.out"
	echo "[package] took $(($(date +%s) - start)) s"
	add_result package
fi

# The build matrix: every supported Debian kernel and compiler, W=1 -Werror.
if [ "$compat" = 1 ]; then
	start=$(date +%s)
	"$top/tests/harness/compat.sh" | tee "$logdir/lane-compat.out"
	echo "[compat] took $(($(date +%s) - start)) s"
	add_result compat
fi

# Native unit tests of the pure logic (ASan/UBSan builds).
for unit in "$build"/tests/unit/test-*; do
	name=$(basename "$unit")
	"$unit" > "$logdir/$name.log" 2>&1
	status=$?
	read -r p f < <(awk -v status=$status '/^ok /{p++} /^not ok /{f++} /^1\.\./{plan=substr($1,4)+0}
		END{ if (plan != p + f || (status && !f)) f++; print p + 0, f + 0 }' "$logdir/$name.log")
	echo "[$name] $p passed, $f failed"
	grep -E '^not ok|ERROR|runtime error' "$logdir/$name.log" | sed "s/^/[$name] /" |
		tee -a "$logdir/lane-check.out"
	total_pass=$((total_pass + p))
	total_fail=$((total_fail + f))
done

# The failures once more, last: what failed, in one place.
failures=$(cat "$logdir"/lane-*.out 2>/dev/null | grep -E '^\[[^]]*\] (not ok|FAIL)')
if [ -n "$failures" ]; then
	echo "The failures again:"
	echo "$failures"
fi
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]

#!/bin/bash
# make bench: boots the benchmark kernel(s) in QEMU (x86: a Q35 machine with
# an Intel IOMMU in front of the edu device; arm64: its SMMUv3), runs
# bench/smaf-bench inside twice (SMAF's pre-zeroed pool on, then off) and
# writes build/bench/results.json (both passes) and, per pass,
# build/bench/results-PASS.json (every case, allocator and size: median,
# p10, p90, ratio to the system heap), .md (the same as a table), .dat and
# .png and .txt (latency of create + first use + close against buffer size,
# per allocator; gnuplot), and the fixed-cost and sustained tables
# (results-KVER-PASS-fixed.md, -sustain.md).
#   KERNELS="6.12"         kernels to run on (default 6.12: it has the
#                          system heap and udmabuf)
#   SMAF_BENCH_ROUNDS=11   rounds per measurement
#   SMAF_BENCH_CASES=a,b   only these cases
#   SMAF_BENCH_SECONDS=2   length of one sustained run
#   SMAF_BENCH_REPEATS=3   sustained runs per median (at most 9)
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=$top/build
out=$build/bench
mkdir -p "$out"
rm -f "$out"/results*
if ! command -v gnuplot > /dev/null && [ "$(id -u)" = 0 ]; then
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
		gnuplot-nox > /dev/null || echo "bench: no gnuplot, no plot" >&2
fi

status=0
for k in ${KERNELS:-6.12}; do
	for kver in $("$top/tests/harness/kernels.sh" "$k"); do
		initrd=$build/initramfs-$kver.cpio.gz
		# An arm64 guest runs the arm64 build of the programs.
		progs=(true)
		case "$kver" in *-arm64)
			progs=(make -s -C "$top" vm-programs BUILD="$build/arm64"
			       CC=aarch64-linux-gnu-gcc AR=aarch64-linux-gnu-ar) ;;
		esac
		if ! make -s -C "$top" modules KVERS="$kver" > "$out/build-$kver.log" 2>&1 ||
		   ! "${progs[@]}" >> "$out/build-$kver.log" 2>&1 ||
		   ! "$top/tests/harness/mkinitramfs.sh" "$kver" "$initrd" "$build"; then
			tail -n 20 "$out/build-$kver.log"
			echo "bench: cannot build for $kver" >&2
			status=1
			continue
		fi
		# The map cases measure a device behind an IOMMU.
		profile=iommu tag=$kver-iommu
		case "$kver" in *-arm64) profile=default tag=$kver ;; esac
		echo "[$kver] benchmarking (TCG, 6 GiB, $profile): console in $out/console-$tag.log"
		if ! SMAF_VM_TIMEOUT=${SMAF_VM_TIMEOUT:-1800} \
		     "$top/tests/harness/run-vm.sh" bench "$kver" "$initrd" "$out" "" "$profile"; then
			status=1
			continue
		fi
		for pass in pool nopool; do
			res=$out/results-$kver-$pass
			for sec in JSON MD DAT; do
				ext=${sec,,}
				sed -n "/^BENCH-$sec-BEGIN pass=$pass\$/,/^BENCH-$sec-END/p" \
					"$out/tap-$tag.log" | sed '1d;$d' > "$res.$ext"
			done
			for sec in FIXED SUSTAIN; do
				ext=${sec,,}
				sed -n "/^BENCH-$sec-BEGIN pass=$pass\$/,/^BENCH-$sec-END/p" \
					"$out/tap-$tag.log" | sed '1d;$d' > "$res-$ext.md"
			done
			echo "## $kver, SMAF's pre-zeroed pool $([ $pass = pool ] && echo on || echo off)"
			cat "$res.md"
			echo
			echo "Fixed cost (4 KiB made, used, closed; batches in pairs):"
			cat "$res-fixed.md"
			echo
			echo "Sustained (buffers made, used, closed for a fixed time):"
			cat "$res-sustain.md"
			# The plot is of the "use" case: none when it was not measured.
			if command -v gnuplot > /dev/null && grep -q '^[0-9]' "$res.dat"; then
				title="$kver, SMAF pool $([ $pass = pool ] && echo on || echo off) (TCG: compare ratios only)"
				gnuplot -e "dat='$res.dat'; png='$res.png'; title='$title'" \
					"$top/bench/plot.gp" || status=1
				gnuplot -e "dat='$res.dat'; txt='$res.txt'; title='$title'" \
					"$top/bench/plot.gp" || status=1
			fi
			# The first kernel's results are the default ones.
			[ -e "$out/results-$pass.json" ] || for ext in json md dat png txt; do
				[ -e "$res.$ext" ] && cp "$res.$ext" "$out/results-$pass.$ext"
			done
		done
		grep '^# ' "$out/tap-$tag.log"
	done
done
# Both passes of the first kernel in one file.
[ -s "$out/results-pool.json" ] && [ -s "$out/results-nopool.json" ] &&
	printf '{"pool": %s,\n "nopool": %s}\n' "$(cat "$out/results-pool.json")" \
		"$(cat "$out/results-nopool.json")" > "$out/results.json"
[ "$status" = 0 ] && echo "bench: results in $out/results.json and results-{pool,nopool}.{json,md,png,txt}"
exit "$status"

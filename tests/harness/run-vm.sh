#!/bin/bash
# Boots kernel $1 in QEMU with the SMAF initramfs, runs the tests (or the
# demo) inside and judges the run.
#   run-vm.sh check KVER INITRAMFS LOGDIR [TESTS [PROFILE]]
#   run-vm.sh demo  KVER INITRAMFS LOGDIR
#   run-vm.sh bench KVER INITRAMFS LOGDIR   (output in LOGDIR/tap-KVER.log)
# Profiles (the machine the tests run on):
#   default  PC machine, 6 GiB, QEMU's edu DMA device without IOMMU, 64 MiB
#            reserved at 512 MiB with memmap= and given to SMAF's carveout
#   iommu    Q35 machine with an Intel IOMMU in front of the edu device,
#            and the same carveout
#   cma-low  (debug kernel) default, with the CMA area below 4 GiB
# An arm64 kernel (KVER ending in -arm64) boots in qemu-system-aarch64's
# virt machine (cortex-a57, 6 GiB from 1 GiB up, CMA as Debian configures
# it) with the edu device and a 64 MiB carveout at 0x60000000, a
# reserved-memory node with no-map added to QEMU's own device tree:
#   default   an SMMUv3 in front of the PCI devices, as on real SoCs
#   no-iommu  no SMMU: edu, which would reach no RAM with 28 bits, is
#             given 32 (smaf_edu_bits=32)
#   cma-large default, with a 256 MiB CMA area (cma=256M)
#   secure    default with QEMU's secure world (secure=on, GICv3): TF-A,
#             OP-TEE and U-Boot (SMAF_OPTEE, from tests/harness/optee.sh)
#             boot before the kernel, which finds OP-TEE (smaf_optee=1);
#             a second edu device, which the secure world does not allow
# The guest learns the platform from its command line, which init exports:
# smaf_iommu=1 when edu is behind an IOMMU, smaf_carveout=SIZE@BASE, and
# smaf_cma=low|high where the tests may check the CMA area's placement.
# KVER "debug" is the debug kernel: vivid and vgem are built in, so their
# parameters go on the command line, and kmemleak runs after the tests.
# The run fails on a failing test point, a test program whose TAP plan does
# not match or that exits non-zero, a missing success marker, a timeout, or
# any kernel BUG/WARNING/Oops/Call Trace/lockdep/KASAN/UBSAN line in the
# console.  SMAF_KVM=1 uses KVM instead of TCG (nested KVM hangs on some
# hosts, so it is opt-in); SMAF_VM_TIMEOUT sets the limit in seconds.
set -uo pipefail

mode=$1 kver=$2 initrd=$3 logdir=$4 tests=${5:-} profile=${6:-default}
mkdir -p "$logdir"
tag=$kver
[ "$profile" = default ] || tag=$kver-$profile
console=$logdir/console-$tag.log
tap=$logdir/tap-$tag.log
: > "$console"
: > "$tap"

accel="-accel tcg"
[ "${SMAF_KVM:-0}" = 1 ] && accel="-accel kvm -cpu host"
image=$("$(dirname "$0")/kdir.sh" --image "$kver")

case "$kver" in
*-arm64)
	qemu=qemu-system-aarch64
	carveout=64M@0x60000000
	mach=virt,iommu=smmuv3
	extra="smaf_iommu=1 smaf_cma=low"
	edu=edu
	# No SMMU: the DMA API refuses a 28-bit mask where no RAM is below
	# 256 MiB, so edu gets 32 bits (RAM from 1 GiB to 4 GiB, CMA).
	[ "$profile" = no-iommu ] && mach=virt edu=edu,dma_mask=0xffffffff \
		extra="smaf_iommu=0 smaf_edu_bits=32"
	[ "$profile" = cma-large ] && extra="$extra cma=256M"
	# A secure world: TF-A, OP-TEE and U-Boot (tests/harness/optee.sh)
	# boot first, from QEMU's secure flash; the kernel then finds OP-TEE.
	# A second edu (/dev/smaf-edu1) at 00:03.0 is a bus master the
	# secure world's policy does not allow (it allows 00:02.0).
	# The secure world's own console (QEMU's second UART) goes to
	# secure-$tag.log.
	firmware=()
	edu2=()
	suart=()
	if [ "$profile" = secure ]; then
		mach=virt,secure=on,gic-version=3,acpi=off,iommu=smmuv3
		firmware=(-bios "${SMAF_OPTEE:?the secure profile needs SMAF_OPTEE}/qemu_fw.bios")
		extra="$extra smaf_optee=1"
		edu=edu,addr=0x2
		edu2=(-device edu,addr=0x3)
		suart=(-serial "file:$logdir/secure-$tag.log")
	fi
	[ "${SMAF_KVM:-0}" = 1 ] || accel="-accel tcg -cpu cortex-a57"
	# QEMU's device tree for this machine, plus the carveout.
	dtb=$logdir/virt-$profile.dtb
	qemu-system-aarch64 -M "$mach,dumpdtb=$dtb.orig" -m 6G -smp 2 -display none \
		> /dev/null 2>&1 || { echo "[$tag] FAIL: cannot dump QEMU's device tree"; exit 1; }
	{ dtc -q -I dtb -O dts "$dtb.orig"
	  cat <<-DTS
	/ {
		reserved-memory {
			#address-cells = <2>;
			#size-cells = <2>;
			ranges;
			smaf-carveout@60000000 {
				reg = <0x0 0x60000000 0x0 0x4000000>;
				no-map;
			};
		};
	};
	DTS
	} | dtc -q -I dts -O dtb -o "$dtb" - || { echo "[$tag] FAIL: cannot add the carveout"; exit 1; }
	machine=(-M "$mach" "${firmware[@]}" -dtb "$dtb" -device "$edu" "${edu2[@]}"
		 -device virtio-serial-device -chardev "file,id=tap,path=$tap"
		 -device virtserialport,chardev=tap,name=smaf.tap -serial "file:$console"
		 "${suart[@]}")
	extra="$extra console=ttyAMA0"
	;;
*)
	qemu=qemu-system-x86_64
	carveout=64M@0x20000000
	machine=(-device edu)
	extra='memmap=64M$0x20000000 smaf_iommu=0'
	case "$profile" in
	iommu)	machine=(-M q35 -device intel-iommu -device edu)
		extra="intel_iommu=on memmap=64M\$0x20000000 smaf_iommu=1" ;;
	cma-low) extra="$extra cma=64M@0-4G smaf_cma=low" ;;
	*)	[ "$kver" = debug ] && extra="$extra smaf_cma=high" ;;
	esac
	machine+=(-serial "file:$console" -serial "file:$tap")
	extra="$extra console=ttyS0"
	;;
esac
extra="$extra smaf_profile=$profile smaf_carveout=$carveout smaf_args=carveout=$carveout"
[ "$kver" = debug ] && extra="$extra vivid.n_devs=2 vivid.allocators=0,1 smaf_debug=1"
# TCG is slow, the debug kernel (KASAN stack collection) even more: a 20 s
# ACPI evaluation at PCI probe is emulation, not a hang.  RCU stalls, soft
# lockups (2 x watchdog_thresh) and hung tasks (120 s) are still reported,
# and fail the run, at thresholds no healthy emulated run reaches.
# init_on_alloc=0: Debian's kernels zero every page at allocation, which
# would hide a SMAF allocator that forgets to zero.
extra="$extra rcupdate.rcu_cpu_stall_timeout=120 watchdog_thresh=30"
# Benchmarks measure the kernel as users run it.
if [ "$mode" = bench ]; then
	extra="$extra smaf_bench_rounds=${SMAF_BENCH_ROUNDS:-11}"
	[ -n "${SMAF_BENCH_CASES:-}" ] && extra="$extra smaf_bench_cases=$SMAF_BENCH_CASES"
	[ -n "${SMAF_BENCH_SECONDS:-}" ] && extra="$extra smaf_bench_seconds=$SMAF_BENCH_SECONDS"
	[ -n "${SMAF_BENCH_REPEATS:-}" ] && extra="$extra smaf_bench_repeats=$SMAF_BENCH_REPEATS"
else
	extra="$extra init_on_alloc=0"
fi
# Randomized tests take their seed from the environment: pass it to init.
[ -n "${SMAF_SEED:-}" ] && extra="$extra SMAF_SEED=$SMAF_SEED"
[ -n "${SMAF_FUZZ_SECONDS:-}" ] && extra="$extra SMAF_FUZZ_SECONDS=$SMAF_FUZZ_SECONDS"
# SMAF_CLIENT_ROOTS: Debian roots shared read-only with the guest (9p, tags
# smafclient0, 1...), for the real-client tests (r-*).
if [ -n "${SMAF_CLIENT_ROOTS:-}" ] && [ "$mode" = check ]; then
	n=0
	for r in $SMAF_CLIENT_ROOTS; do
		machine+=(-virtfs "local,path=$r,mount_tag=smafclient$n,security_model=none,readonly=on")
		n=$((n + 1))
	done
	extra="$extra smaf_client=$n"
fi
# SMAF_VM_APPEND: more kernel parameters, for experiments (iommu.strict=1).
[ -n "${SMAF_VM_APPEND:-}" ] && extra="$extra $SMAF_VM_APPEND"

for attempt in 1 2; do
	timeout "${SMAF_VM_TIMEOUT:-900}" $qemu $accel -m 6G -smp 2 \
		-display none -monitor none -no-reboot "${machine[@]}" \
		-kernel "$image" -initrd "$initrd" \
		-append "loglevel=7 panic=-1 oops=panic smaf_mode=$mode smaf_tests=$tests $extra" \
		</dev/null
	qemu_status=$?
	# A kernel that dies before running /init has met no SMAF code (the
	# modules load from /init): an emulation flake, seen once as an int3
	# Oops in TCG's text patching at boot.  Boot again, once; the first
	# console is kept.
	if [ "$attempt" = 1 ] && ! grep -q 'Run /init as init process' "$console" &&
	   grep -qE 'Oops|Kernel panic' "$console"; then
		mv "$console" "$logdir/console-first-boot-$tag.log"
		echo "[$tag] the kernel died before /init, where no SMAF code runs (see $logdir/console-first-boot-$tag.log): booting again" >&2
		continue
	fi
	break
done

if [ "$mode" = bench ]; then
	sed -i 's/\r$//' "$tap"
	grep -q '^SMAF-BENCH-DONE' "$tap" || { echo "bench did not finish (see $console, $tap)" >&2; exit 1; }
	exit 0
fi
if [ "$mode" = demo ]; then
	grep -v '^#' "$tap" | sed 's/\r$//'
	grep -q '^SMAF-DEMO-DONE' "$tap" || { echo "demo did not finish (see $console)" >&2; exit 1; }
	exit 0
fi

# Judge the TAP sections.
sed -i 's/\r$//' "$tap"
awk -v kver="$kver" '
function close_section(status) {
	if (name == "")
		return
	if (plan < 0 || plan != count) {
		printf "not ok - %s: plan %d but %d test points (crashed?)\n", name, plan, count
		failed++
	} else if (status != 0 && secfail == 0) {
		printf "not ok - %s: exited with status %d\n", name, status
		failed++
	}
	name = ""
}
/^# smaf-test-begin: / { name = $3; plan = -1; count = 0; secfail = 0; print; next }
/^# smaf-test-end: / { split($4, a, "="); close_section(a[2] + 0); print; next }
name != "" && /^ok / {
	count++
	if ($0 ~ /# *(SKIP|TODO)/) { failed++; secfail++; print $0 " (skips count as failures)" }
	else { passed++; print }
	next
}
name != "" && /^not ok / { count++; failed++; secfail++; print; next }
name != "" && /^1\.\.[0-9]+/ { plan = substr($1, 4) + 0; print; next }
name != "" && /^Bail out!/ { print; next }
{ print }
END {
	if (name != "") {
		printf "not ok - %s: never finished (timeout or crash)\n", name
		failed++
	}
	printf "%d %d\n", passed, failed > "/dev/stderr"
}' "$tap" 2> "$logdir/counts-$tag" > "$logdir/tap-judged-$tag.log"
read -r passed failed < "$logdir/counts-$tag"

problems=()
grep -q '^SMAF-TESTS-DONE' "$tap" || problems+=("no success marker (timeout, crash or hang; qemu exit $qemu_status)")
# A test may announce a kernel warning it provokes on purpose, with the
# function that warns ("# smaf-expect-warning: dma_buf_vmap": the dma-buf
# core warns once when an exporter refuses a vmap, as SMAF must for a secure
# buffer).  Each announcement excuses one such warning block, no more.
# A test that runs a memory hog into the OOM killer on purpose names it
# ("# smaf-expect-oom: t-pool-hog"): the OOM reports whose victim is that
# process are excused (the killer dumps a stack with each).
expected=$(sed -n 's/^# smaf-expect-warning: \([a-z0-9_]*\).*/\1/p' "$tap" | tr '\n' ' ')
oom_victims=$(sed -n 's/^# smaf-expect-oom: \([a-z0-9_-]*\).*/\1/p' "$tap" | sort -u | tr '\n' ' ')
awk -v expected="$expected" -v oom_victims="$oom_victims" '
BEGIN {
	n = split(expected, e, " "); for (i = 1; i <= n; i++) want[e[i]]++
	n = split(oom_victims, e, " "); for (i = 1; i <= n; i++) victim[e[i]] = 1
}
/invoked oom-killer:/ { inoom = 1; oomblock = $0 "\n"; next }
inoom {
	oomblock = oomblock $0 "\n"
	if ($0 ~ /Killed process [0-9]+ \(/) {
		inoom = 0
		comm = $0; sub(/.*Killed process [0-9]+ \(/, "", comm); sub(/\).*/, "", comm)
		if (comm in victim) print "[expected OOM report excused: " comm "]"
		else printf "%s", oomblock
	}
	next
}
/-+\[ cut here \]-+/ { inblock = 1; block = $0 "\n"; excuse = 0; next }
inblock {
	block = block $0 "\n"
	# "WARNING: CPU: 1 PID: 2 at FILE:LINE FN+0x..." or, from 7.x,
	# "WARNING: FILE:LINE at FN+0x..., CPU#1: ...": the FN+0x token.
	if ($0 ~ /WARNING: .* at / && match($0, / [a-z0-9_]+\+0x/)) {
		fn = substr($0, RSTART + 1, RLENGTH - 4)
		if (want[fn] > 0) { want[fn]--; excuse = 1 }
	}
	if ($0 ~ /---\[ end trace/) {
		inblock = 0
		if (excuse) print "[expected warning excused: " fn "]"
		else printf "%s", block
	}
	next
}
{ print }
END { if (inblock) printf "%s", block; if (inoom) printf "%s", oomblock }' "$console" > "$logdir/console-judged-$tag.log"
# Kernel reports: BUG/WARNING/Oops and their traces (x86 prints "Call Trace",
# arm64 "Call trace"), lockdep's findings, KASAN, UBSAN, DMA-API debug (its
# two banner lines at boot aside), kmemleak, RCU stalls, soft lockups and
# hung tasks.
bad=$(grep -E 'BUG:|WARNING:|Oops|Call [Tt]race|rcu: INFO|detected stalls? on|soft lockup|hard LOCKUP|blocked for more than|possible (circular|recursive) locking|inconsistent lock state|suspicious RCU usage|lock held when returning|KASAN|UBSAN|DMA-API:|kmemleak:.*suspected|general protection fault|Kernel panic' "$logdir/console-judged-$tag.log" |
	grep -vE 'DMA-API: (preallocated [0-9]+ debug entries|debugging enabled by kernel config)' | head -n 20)
[ -n "$bad" ] && problems+=("kernel reported problems in $console:"$'\n'"$bad")

grep -E '^(not ok|ok|# smaf-test-begin|Bail out)' "$logdir/tap-judged-$tag.log" |
	grep -E '^not ok|^Bail out' | sed "s/^/[$tag] /"
for p in "${problems[@]}"; do
	echo "[$tag] FAIL: $p"
	failed=$((failed + 1))
done
echo "[$tag] $passed passed, $failed failed (logs: $logdir)"
echo "$passed $failed" > "$logdir/result-$tag"

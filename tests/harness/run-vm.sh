#!/bin/bash
# Boots kernel $1 in QEMU with the SMAF initramfs, runs the tests (or the
# demo) inside and judges the run.
#   run-vm.sh check KVER INITRAMFS LOGDIR [TESTS [PROFILE]]
#   run-vm.sh demo  KVER INITRAMFS LOGDIR
# Profiles (the machine the tests run on):
#   default  PC machine, 6 GiB, QEMU's edu DMA device without IOMMU, 64 MiB
#            reserved at 512 MiB with memmap= and given to SMAF's carveout
#   iommu    Q35 machine with an Intel IOMMU in front of the edu device,
#            and the same carveout
#   cma-low  (debug kernel) default, with the CMA area below 4 GiB
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

case "$profile" in
iommu)
	machine=(-M q35 -device intel-iommu -device edu)
	extra='intel_iommu=on smaf_profile=iommu memmap=64M$0x20000000'
	extra="$extra smaf_args=carveout=64M@0x20000000"
	;;
*)
	machine=(-device edu)
	extra='memmap=64M$0x20000000 smaf_args=carveout=64M@0x20000000'
	[ "$profile" = cma-low ] && extra="$extra cma=64M@0-4G smaf_profile=cma-low"
	;;
esac
image=$("$(dirname "$0")/kdir.sh" --image "$kver")
[ "$kver" = debug ] && extra="$extra vivid.n_devs=2 vivid.allocators=0,1 smaf_debug=1"
# TCG is slow, the debug kernel (KASAN stack collection) even more: a 20 s
# ACPI evaluation at PCI probe is emulation, not a hang.  RCU stalls, soft
# lockups (2 x watchdog_thresh) and hung tasks (120 s) are still reported,
# and fail the run, at thresholds no healthy emulated run reaches.
# init_on_alloc=0: Debian's kernels zero every page at allocation, which
# would hide a SMAF allocator that forgets to zero.
extra="$extra rcupdate.rcu_cpu_stall_timeout=120 watchdog_thresh=30 init_on_alloc=0"
# Randomized tests take their seed from the environment: pass it to init.
[ -n "${SMAF_SEED:-}" ] && extra="$extra SMAF_SEED=$SMAF_SEED"
[ -n "${SMAF_FUZZ_SECONDS:-}" ] && extra="$extra SMAF_FUZZ_SECONDS=$SMAF_FUZZ_SECONDS"

timeout "${SMAF_VM_TIMEOUT:-900}" qemu-system-x86_64 $accel -m 6G -smp 2 \
	-display none -monitor none -no-reboot "${machine[@]}" \
	-kernel "$image" -initrd "$initrd" \
	-append "console=ttyS0 loglevel=7 panic=-1 oops=panic smaf_mode=$mode smaf_tests=$tests $extra" \
	-serial "file:$console" -serial "file:$tap" </dev/null
qemu_status=$?

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
expected=$(sed -n 's/^# smaf-expect-warning: \([a-z0-9_]*\).*/\1/p' "$tap" | tr '\n' ' ')
awk -v expected="$expected" '
BEGIN { n = split(expected, e, " "); for (i = 1; i <= n; i++) want[e[i]]++ }
/-+\[ cut here \]-+/ { inblock = 1; block = $0 "\n"; excuse = 0; next }
inblock {
	block = block $0 "\n"
	if ($0 ~ /WARNING: .* at .* [a-z0-9_]+\+0x/) {
		fn = $0; sub(/.* at [^ ]+ /, "", fn); sub(/\+0x.*/, "", fn)
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
END { if (inblock) printf "%s", block }' "$console" > "$logdir/console-judged-$tag.log"
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

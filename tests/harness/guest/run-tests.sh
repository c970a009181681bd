#!/bin/sh
# Runs inside the test VM: loads the modules, runs the tests (or the demo)
# and prints TAP sections the host harness parses:
#   # smaf-test-begin: NAME ... TAP ... # smaf-test-end: NAME exit=N
# and finally the marker SMAF-TESTS-DONE.
mode=$1
only=$2

load_modules() {
	for m in $(cat /lib/modules/load.list); do
		args=
		case "$m" in
		vivid.ko) args="n_devs=2 allocators=0,1" ;;
		# No fbdev console on vkms: r-libcamera's cam is its only user.
		drm_kms_helper.ko) args="fbdev_emulation=0" ;;
		esac
		insmod "/lib/modules/$m" $args || echo "# insmod $m failed"
	done
}

# $only: the tests to run, comma-separated, or "-A,B": every test but these.
selected() {
	[ -z "$only" ] && return 0
	case "$only" in
	-*)	case ",${only#-}," in *",$1,"*) return 1 ;; esac
		return 0 ;;
	esac
	case ",$only," in *",$1,"*) return 0 ;; esac
	return 1
}

echo "# smaf-kernel: $(uname -r)"
load_modules

export SMAF_PROFILE="${smaf_profile:-default}"
echo "# smaf-profile: $SMAF_PROFILE"

if [ "$mode" = bench ]; then
	# Two passes: SMAF as loaded by default (pre-zeroed pool on), and
	# with the pool off (first use pays the zeroing).
	insmod /lib/modules/smaf-bench.ko || exit 0
	# A camera-like importer: no 64 KiB segment limit.
	insmod /lib/modules/smaf-edu.ko dma_bits=${smaf_edu_bits:-28} max_segment=4294967295 ||
		echo "# no edu driver: the map cases are not measured"
	for pass in pool nopool; do
		args=$smaf_args
		[ "$pass" = nopool ] && args="$args pool_mib=0"
		insmod /lib/modules/smaf.ko $args || exit 0
		sleep 3	# let the pool fill
		SMAF_BENCH_PASS=$pass SMAF_BENCH_ROUNDS=${smaf_bench_rounds:-11} \
			SMAF_BENCH_CASES=${smaf_bench_cases:-} \
			SMAF_BENCH_SECONDS=${smaf_bench_seconds:-} \
			SMAF_BENCH_REPEATS=${smaf_bench_repeats:-} smaf-bench ||
			exit 0
		rmmod smaf || exit 0
	done
	echo "SMAF-BENCH-DONE"
	exit 0
fi
if [ "$mode" = demo ]; then
	insmod /lib/modules/smaf.ko $smaf_args
	if smaf-demo; then
		echo "SMAF-DEMO-DONE"
	else
		echo "SMAF-DEMO-FAILED"
	fi
	exit 0
fi

echo "# smaf-test-begin: load"
n=0
if insmod /lib/modules/smaf.ko $smaf_args; then
	echo "ok 1 - smaf.ko loads ($smaf_args)"
else
	echo "not ok 1 - smaf.ko loads ($smaf_args)"
fi
[ -c /dev/smaf ] && echo "ok 2 - /dev/smaf exists" || echo "not ok 2 - /dev/smaf exists"
# The edu test driver binds to QEMU's edu device, present in every profile.
insmod /lib/modules/smaf-edu.ko dma_bits=${smaf_edu_bits:-28} && [ -c /dev/smaf-edu ] &&
	echo "ok 3 - smaf-edu test driver bound to the edu device" ||
	echo "not ok 3 - smaf-edu test driver bound to the edu device"
insmod /lib/modules/smaf-ptprobe.ko && [ -c /dev/smaf-ptprobe ] &&
	echo "ok 4 - smaf-ptprobe test driver loaded" ||
	echo "not ok 4 - smaf-ptprobe test driver loaded"
insmod /lib/modules/smaf-importer.ko && [ -c /dev/smaf-importer ] &&
	echo "ok 5 - smaf-importer test driver loaded" ||
	echo "not ok 5 - smaf-importer test driver loaded"
echo "1..5"
echo "# smaf-test-end: load exit=0"

# kmemleak (debug kernel): forget what boot and module loading left.
kmemleak=/sys/kernel/debug/kmemleak
if [ -w "$kmemleak" ]; then
	echo scan > "$kmemleak"
	echo clear > "$kmemleak"
fi

# The real-client lane's Debian roots, when the host shares them (9p).
i=0
while [ "$i" -lt "${smaf_client:-0}" ]; do
	mkdir -p "/mnt/client/$i"
	mount -t 9p -o trans=virtio,version=9p2000.L,ro "smafclient$i" "/mnt/client/$i" ||
		echo "# cannot mount client root $i"
	i=$((i + 1))
done

# The secure world's normal-world side: the TEE drivers, and
# tee-supplicant, which serves OP-TEE (trusted applications from
# /lib/optee_armtz, secure storage).
if [ "${smaf_optee:-0}" = 1 ]; then
	for m in $(cat /lib/modules/optee.list); do
		insmod "/lib/modules/$m" || echo "# insmod $m failed"
	done
	mkdir -p /var/lib/optee-client/data/tee
	/usr/sbin/tee-supplicant -d || echo "# tee-supplicant did not start"
fi

# d-* tests need the debug kernel (fault injection), except d-cma, which
# needs a CMA area whose placement the harness knows (smaf_cma); r-* tests
# need the client root; s-* tests a secure world (smaf_optee).
for t in /tests/t-* /tests/d-* /tests/r-* /tests/s-*; do
	[ -e "$t" ] || continue
	name=$(basename "$t")
	case "$name" in
	d-cma)	[ -n "${smaf_cma:-}" ] || continue ;;
	d-*)	[ "${smaf_debug:-0}" = 1 ] || continue ;;
	r-*)	[ "${smaf_client:-0}" -gt 0 ] || continue ;;
	s-*)	[ "${smaf_optee:-0}" = 1 ] || continue ;;
	esac
	selected "$name" || continue
	echo "# smaf-test-begin: $name"
	timeout 300 "$t" 2>&1
	echo "# smaf-test-end: $name exit=$?"
done

# A test asked for by name that is not in the initramfs fails the run.
for name in $(echo "${only#-}" | tr ',' ' '); do
	[ -x "/tests/$name" ] && continue
	echo "# smaf-test-begin: $name"
	echo "not ok 1 - $name: no such test program in the VM"
	echo "1..1"
	echo "# smaf-test-end: $name exit=1"
done

echo "# smaf-test-begin: unload"
buffers=$(wc -l < /sys/kernel/debug/smaf/buffers)
contexts=$(sed -n 's/.*contexts=\([0-9]*\).*/\1/p' /sys/kernel/debug/smaf/secure)
[ "$buffers" = 0 ] && [ "$contexts" = 0 ] &&
	echo "ok 1 - no SMAF buffer and no secure context left ($buffers, $contexts)" ||
	{ echo "not ok 1 - no SMAF buffer and no secure context left ($buffers, $contexts)"; cat /sys/kernel/debug/smaf/buffers; }
rmmod smaf-edu
if rmmod smaf; then
	echo "ok 2 - smaf.ko unloads"
else
	echo "not ok 2 - smaf.ko unloads"
fi
[ ! -e /dev/smaf ] && echo "ok 3 - /dev/smaf is gone" || echo "not ok 3 - /dev/smaf is gone"
if [ -w "$kmemleak" ]; then
	# Unreferenced objects are reported after two scans.
	echo scan > "$kmemleak"
	sleep 1
	echo scan > "$kmemleak"
	leaks=$(grep -c "^unreferenced object" "$kmemleak")
	if [ "$leaks" = 0 ]; then
		echo "ok 4 - kmemleak: no leak"
	else
		echo "not ok 4 - kmemleak: $leaks leaks"
		sed 's/^/# /' "$kmemleak" | head -n 60
	fi
	echo "1..4"
else
	echo "1..3"
fi
echo "# smaf-test-end: unload exit=0"
echo "SMAF-TESTS-DONE"

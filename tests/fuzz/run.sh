#!/bin/sh
# run.sh: run libFuzzer harnesses, each for $FUZZ_SECONDS (default 30), and
# print one TAP result per harness (make fuzz; HACKING.md section 4.2).
#
#   sh tests/fuzz/run.sh SEED_DIR WORK_DIR HARNESS...
#
# Each harness NAME starts from SEED_DIR/NAME (read only) and writes the
# inputs it finds to WORK_DIR/corpus/NAME, so that a later run goes on
# from there; a crash, leak, timeout or broken invariant leaves its input
# as WORK_DIR/crash-NAME-* and the run's log as WORK_DIR/NAME.log, whose
# tail goes into the TAP output.
set -u
seeds=$1 work=$2
shift 2
: "${FUZZ_SECONDS:=30}"
# A report stops the harness: an ASan or UBSan finding is a failure.
ASAN_OPTIONS="abort_on_error=1:halt_on_error=1:detect_leaks=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
UBSAN_OPTIONS="halt_on_error=1:abort_on_error=1:print_stacktrace=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
export ASAN_OPTIONS UBSAN_OPTIONS

echo "1..$#"
n=0 failed=0
for h in "$@"; do
	n=$((n + 1))
	name=$(basename "$h")
	mkdir -p "$work/corpus/$name"
	set -- "$work/corpus/$name"
	[ -d "$seeds/$name" ] && set -- "$@" "$seeds/$name"
	log="$work/$name.log"
	if "$h" -max_total_time="$FUZZ_SECONDS" -timeout=10 -rss_limit_mb=2048 \
	    -max_len=65536 -print_final_stats=1 \
	    -artifact_prefix="$work/crash-$name-" "$@" >"$log" 2>&1; then
		runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
		cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1)
		echo "ok $n - $name: ${FUZZ_SECONDS} s, ${runs:-?} inputs, $cov"
	else
		echo "not ok $n - $name: see $log"
		# the end of the log without libFuzzer's progress and the stack
		# frames (both stay in the log)
		grep -av -e '^#[0-9]' -e '^ *#[0-9]' "$log" | tail -n 20 |
		    sed 's/^/#   /'
		failed=$((failed + 1))
	fi
done
[ "$failed" -eq 0 ]

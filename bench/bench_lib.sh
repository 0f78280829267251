# bench_lib.sh: what the shell benches share, sourced after `set -eu`.
# bench_init NAME sets here (bench/), top (the source tree), BUILDDIR,
# PYTHON3 (exported) and FERNCON, and stops with exit 2 and one line naming
# the bench when ferncon is not built or GNU time (/usr/bin/time, for the
# peak RSS) is missing.
bench_init() {
	here=$top/bench
	: "${BUILDDIR:=$top/build}"
	: "${PYTHON3:=/usr/bin/python3}"
	export PYTHON3
	FERNCON="$BUILDDIR/ferncon"
	[ -x "$FERNCON" ] || { echo "$1: no $FERNCON (build first)" >&2; exit 2; }
	[ -x /usr/bin/time ] || { echo "$1: needs GNU time (/usr/bin/time)" >&2; exit 2; }
}

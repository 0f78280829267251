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

# bench_pg_start NAME OPTS: a throwaway PostgreSQL server (tests/pg_server.sh)
# with PostgreSQL's default shared_buffers and the server options OPTS (each
# may be set in the environment instead: PG_SHARED_BUFFERS, PG_SERVER_OPTS),
# and a private directory $T; both are removed at exit. Stops with exit 2
# and one line naming the bench when the server cannot start.
bench_pg_start() {
	. "$top/tests/pg_server.sh"
	: "${PG_SHARED_BUFFERS:=128MB}"
	: "${PG_SERVER_OPTS:=$2}"
	export PG_SHARED_BUFFERS PG_SERVER_OPTS
	if ! pg_start; then
		echo "$1: cannot start PostgreSQL: $PG_SKIP" >&2
		exit 2
	fi
	T=$(mktemp -d "${TMPDIR:-/tmp}/ferncon-$1.XXXXXX")
	trap '_pg_exit' EXIT
}

# What the rotation benches (pg_rotate_bench.sh, my_rotate_bench.sh) share
# after their runs. bench_fc_parse: from ferncon's output ($T/fc.out) and
# the times around it ($start, $end), fc_tokens, fc_rot (BEGIN to the last
# write), fc_commit, fc_verify and fc_secs (the whole command).
bench_fc_parse() {
	fc_tokens=$(sed -n 's/^rotated \([0-9]*\) values.*/\1/p' "$T/fc.out")
	fc_rot=$(sed -n 's/^rotated [0-9]* values in \([0-9.]*\) s.*/\1/p' "$T/fc.out")
	fc_secs=$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')
	fc_commit=$(sed -n 's/^rotated .*commit \([0-9.]*\) s.*/\1/p' "$T/fc.out")
	fc_verify=$(sed -n 's/^verify: .*(\([0-9.]*\) s)$/\1/p' "$T/fc.out")
}

# bench_floor URL: bench/floor_bench on URL; fl = "write commit read-back"
# (seconds).
bench_floor() {
	"$BUILDDIR/bench/floor_bench" "$1" > "$T/floor.out"
	fl=$(sed -n 's/^floor: values [0-9]* write \([0-9.]*\) s commit \([0-9.]*\) s read-back \([0-9.]*\) s.*/\1 \2 \3/p' "$T/floor.out")
}

# bench_row N: the table row of size N (the rates, ratios, the floor and
# peak RSS from $T/py.rss and $T/fc.rss), then the phases of the whole
# command beside the floor's and the load average. Python's tokens and
# seconds: py_tokens, py_secs (one UPDATE a row), pyb_secs (batched).
bench_row() {
	awk -v n="$1" -v pt="$py_tokens" -v ps="$py_secs" -v bs="$pyb_secs" \
	    -v ft="$fc_tokens" -v fs="$fc_secs" -v fx="$fc_rot" -v pr="$(cat "$T/py.rss")" \
	    -v fr="$(cat "$T/fc.rss")" -v fc="$fc_commit" -v fv="$fc_verify" -v fl="$fl" \
	    -v loadavg="$(cut -d' ' -f1 /proc/loadavg)" 'BEGIN {
		split(fl, w, " ")
		p = pt / ps; b = pt / bs; f = ft / (fx + fc); e = ft / fs
		printf "%7d %7d %11.0f %11.0f %11.0f %6.1fx/%5.1fx %11.0f %7.1fx/%5.1fx %11.0f %5.1fMiB %5.1fMiB\n",
		    n, ft, p, b, f, f / p, f / b, e, e / p, e / b, ft / (w[1] + w[2] + w[3]),
		    pr / 1024, fr / 1024
		printf "%7s phases (s): start-up %.3f, rotate %.3f, commit %.3f, verify %.3f; floor: write %.3f, commit %.3f, read-back %.3f; load %s\n",
		    "", fs - fx - fc - fv, fx, fc, fv, w[1], w[2], w[3], loadavg
	}'
}

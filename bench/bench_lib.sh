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

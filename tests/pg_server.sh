# pg_server.sh: a throwaway PostgreSQL server for ferncon's tests and benchmarks
# (sourced, POSIX sh).
#
#   . "$top_srcdir/tests/pg_server.sh"
#   pg_start_or_skip	# no server binaries: "1..0 # SKIP ...", exit 0;
#			# binaries that fail: "Bail out!", exit 1
#   ... tests against "$PG_URL" ...
#
# pg_start finds Debian's server binaries (/usr/lib/postgresql/*/bin, the
# newest; FERNCON_PG_BINDIR=DIR picks another directory), runs
# initdb into a new temporary directory (scram-sha-256 for every connection,
# the superuser's password from a file, never argv), starts the server on a
# free loopback port with its socket in that directory, and creates the
# role `airflow` (password with URL-special characters) and the database
# `airflow` it owns, with an ICU collation when the server has ICU (so that
# conn_id order differs from byte order, as on a production en_US DB). A trap
# stops the server and removes the directory when the script exits, on
# failure and on SIGINT/SIGTERM too (pg_stop is idempotent; the caller's own
# temporary directory $T, if any, is removed as lib.sh does).
#
# initdb and postgres refuse to run as root: as root they run as the
# `postgres` system user (created by the postgresql package) through
# setpriv or runuser, with the directory owned by it.
#
# After pg_start:
#   PG_URL        postgresql://airflow:<password, URL-encoded>@127.0.0.1:PORT/airflow
#   PG_HOST PG_PORT PG_DB PG_USER PG_PASSWORD   the same pieces (password decoded)
#   PG_ADMIN_PASSWORD   the superuser `postgres`'s password
#   PG_DIR PG_BIN PG_SOCKDIR
#   pg_admin SQL [DB]   run SQL as the superuser through psql (ON_ERROR_STOP)
#   pg_sql SQL [DB]     run SQL as `airflow`; prints rows unaligned, tab-separated
# The passwords are passed to psql through PGPASSWORD in its environment only.
# A skip reason is left in PG_SKIP when pg_start returns 1. The tests' server
# is small and unsafe (fsync off); PG_SHARED_BUFFERS (default 32MB) and
# PG_SERVER_OPTS ("-c name=value ...") change it, e.g. for the benchmark.

PG_DIR=""
PG_SKIP=""

_pg_find_bin() {
	_dirs=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5 -n -r)
	[ -n "${FERNCON_PG_BINDIR:-}" ] && _dirs=$FERNCON_PG_BINDIR
	for _d in $_dirs; do
		if [ -x "$_d/initdb" ] && [ -x "$_d/pg_ctl" ] && [ -x "$_d/postgres" ] &&
		    [ -x "$_d/psql" ]; then
			echo "$_d"
			return 0
		fi
	done
	return 1
}

# Run a server binary as the owner of the data directory.
_pg_as_owner() {
	if [ -n "$_pg_runas" ]; then
		if command -v setpriv >/dev/null 2>&1; then
			setpriv --reuid="$_pg_runas" --regid="$_pg_runas" --init-groups "$@"
		else
			runuser -u "$_pg_runas" -- "$@"
		fi
	else
		"$@"
	fi
}

# A port nothing listens on now (the kernel's pick), else a random one; a
# port taken in between makes pg_ctl fail and pg_start try another.
_pg_free_port() {
	"${PYTHON3:-python3}" -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()' \
	    2>/dev/null && return 0
	echo $((20000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 40000))
}

_pg_random() {
	od -An -N12 -tx1 /dev/urandom | tr -d ' \n'
}

pg_stop() {
	[ -n "$PG_DIR" ] || return 0
	if [ -f "$PG_DIR/data/postmaster.pid" ]; then
		(cd "$PG_DIR" && _pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_DIR/data" \
		    -m immediate -w -t 20 stop >/dev/null 2>&1)
	fi
	rm -rf "$PG_DIR"
	PG_DIR=""
}

_pg_exit() {
	pg_stop
	[ -n "${T:-}" ] && rm -rf "$T"
}

# Start, or end the test script: a skip only when the binaries are missing.
pg_start_or_skip() {
	pg_start
	case $? in
	0)	return 0 ;;
	1)	echo "1..0 # SKIP PostgreSQL tests: $PG_SKIP"
		exit 0 ;;
	*)	echo "Bail out! the PostgreSQL test server did not start${PG_SKIP:+: $PG_SKIP}"
		exit 1 ;;
	esac
}

pg_admin() {
	PGPASSWORD="$PG_ADMIN_PASSWORD" PGCONNECT_TIMEOUT=10 "$PG_BIN/psql" -X -q \
	    -v ON_ERROR_STOP=1 -h "$PG_SOCKDIR" -p "$PG_PORT" -U postgres \
	    -d "${2:-postgres}" -At -F '	' -c "$1"
}

pg_sql() {
	PGPASSWORD="$PG_PASSWORD" PGCONNECT_TIMEOUT=10 "$PG_BIN/psql" -X -q \
	    -v ON_ERROR_STOP=1 -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" \
	    -d "${2:-$PG_DB}" -At -F '	' -c "$1"
}

pg_start() {
	_pg_runas=""
	if ! PG_BIN=$(_pg_find_bin); then
		PG_SKIP="no PostgreSQL server binaries (initdb, pg_ctl, postgres, psql) in ${FERNCON_PG_BINDIR:-/usr/lib/postgresql/*/bin}; install Debian's postgresql package"
		return 1
	fi
	if [ "$(id -u)" -eq 0 ]; then
		if ! id postgres >/dev/null 2>&1; then
			PG_SKIP="running as root and there is no 'postgres' user to run the server as"
			return 1
		fi
		if ! command -v setpriv >/dev/null 2>&1 && ! command -v runuser >/dev/null 2>&1; then
			PG_SKIP="running as root without setpriv or runuser to drop to 'postgres'"
			return 1
		fi
		_pg_runas=postgres
	fi
	PG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/ferncon-pg.XXXXXX") || return 2
	trap '_pg_exit' EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	chmod 700 "$PG_DIR"
	PG_SOCKDIR="$PG_DIR/sock"
	mkdir "$PG_SOCKDIR"
	PG_ADMIN_PASSWORD=$(_pg_random)
	(umask 077; printf '%s\n' "$PG_ADMIN_PASSWORD" > "$PG_DIR/pwfile")
	[ -n "$_pg_runas" ] && chown -R "$_pg_runas:" "$PG_DIR"
	if ! (cd "$PG_DIR" && _pg_as_owner "$PG_BIN/initdb" -D "$PG_DIR/data" \
	    -U postgres --pwfile="$PG_DIR/pwfile" --auth=scram-sha-256 -E UTF8 \
	    --locale=C.UTF-8 --no-sync >"$PG_DIR/initdb.log" 2>&1); then
		echo "# initdb failed:" >&2
		sed 's/^/#   /' "$PG_DIR/initdb.log" >&2
		PG_SKIP="initdb failed"
		return 2
	fi
	rm -f "$PG_DIR/pwfile"
	PG_HOST=127.0.0.1
	_try=0
	while :; do
		_try=$((_try + 1))
		PG_PORT=$(_pg_free_port) || return 2
		if (cd "$PG_DIR" && _pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_DIR/data" \
		    -l "$PG_DIR/server.log" -w -t 60 -o "-c listen_addresses=$PG_HOST \
		    -p $PG_PORT -c unix_socket_directories=$PG_SOCKDIR -c fsync=off \
		    -c full_page_writes=off -c synchronous_commit=off \
		    -c max_connections=40 -c shared_buffers=${PG_SHARED_BUFFERS:-32MB} \
		    ${PG_SERVER_OPTS:-}" start >/dev/null 2>&1); then
			break
		fi
		if [ $_try -ge 5 ]; then
			echo "# the PostgreSQL server did not start:" >&2
			tail -n 20 "$PG_DIR/server.log" 2>/dev/null | sed 's/^/#   /' >&2
			PG_SKIP="pg_ctl start failed 5 times"
			return 2
		fi
	done
	PG_USER=airflow
	PG_DB=airflow
	PG_PASSWORD="$(_pg_random)@:/%"
	PG_URL="postgresql://$PG_USER:$(printf '%s' "$PG_PASSWORD" |
	    sed 's/%/%25/g; s/@/%40/g; s/:/%3A/g; s/\//%2F/g')@$PG_HOST:$PG_PORT/$PG_DB"
	pg_admin "CREATE ROLE airflow LOGIN PASSWORD '$PG_PASSWORD'" || return 2
	# An ICU collation, as a production en_US database sorts (not byte order).
	if ! pg_admin "CREATE DATABASE airflow OWNER airflow TEMPLATE template0 \
	    LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'" 2>/dev/null; then
		pg_admin "CREATE DATABASE airflow OWNER airflow" || return 2
	fi
	export PG_URL PG_HOST PG_PORT PG_DB PG_USER PG_PASSWORD PG_ADMIN_PASSWORD \
	    PG_DIR PG_BIN PG_SOCKDIR
	return 0
}

# pg_tap NAME COMMAND...: run a program that prints TAP and fold its results
# into this script's stream, renumbered and prefixed with NAME (several
# programs share one server and one plan); a skipped program is one skipped
# test, a crash or a non-zero exit without a failed test is one failure.
# pg_tap_plan prints the plan at the end.
_pg_tap_n=0
_pg_tap_failed=0
pg_tap() {
	_name=$1; shift
	_out=$(mktemp "${TMPDIR:-/tmp}/ferncon-tap.XXXXXX")
	"$@" > "$_out" 2>&1
	_rc=$?
	_bad=0
	_seen=0
	while IFS= read -r _line; do
		case $_line in
		"ok "*|"not ok "*)
			_pg_tap_n=$((_pg_tap_n + 1))
			_seen=$((_seen + 1))
			case $_line in "not ok "*)
				_bad=1
				_pg_tap_failed=$((_pg_tap_failed + 1))
				_status="not ok" ;;
			*)	_status="ok" ;;
			esac
			_rest=$(printf '%s\n' "$_line" | sed 's/^\(not \)\{0,1\}ok [0-9]* *-\{0,1\} *//')
			echo "$_status $_pg_tap_n - $_name: $_rest" ;;
		"1..0"*"SKIP"*)
			_pg_tap_n=$((_pg_tap_n + 1))
			_seen=$((_seen + 1))
			echo "ok $_pg_tap_n - $_name # SKIP ${_line#*SKIP}" ;;
		"1.."*) ;;
		"Bail out!"*)
			echo "# $_name: $_line" ;;
		"#"*)	echo "$_line" ;;
		*)	echo "# $_line" ;;
		esac
	done < "$_out"
	rm -f "$_out"
	if [ $_rc -ne 0 ] && [ $_bad -eq 0 ] || [ $_seen -eq 0 ]; then
		_pg_tap_n=$((_pg_tap_n + 1))
		_pg_tap_failed=$((_pg_tap_failed + 1))
		echo "not ok $_pg_tap_n - $_name exited with status $_rc"
	fi
}

pg_tap_plan() {
	echo "1..$_pg_tap_n"
	[ "$_pg_tap_failed" -eq 0 ]
}

#!/bin/sh
# bench/pg_var_bench.sh: `variables list` on a PostgreSQL metadata DB whose
# collation is not byte order (tests/pg_server.sh: ICU), ferncon against
# the Python reference, side by side. Not a test: it prints seconds, the
# ratio and peak RSS, and asserts nothing about time (it fails only when
# the two list different keys).
#
#   bench/pg_var_bench.sh [N...]           (from anywhere; default N: 100000)
#   BUILDDIR=build PYTHON3=/usr/bin/python3 bench/pg_var_bench.sh 100000
#
# For each N: Airflow 3.2's schema (data/schema-pg-3.2.sql) with N
# connections and N variables, encrypted, written by tests/airflow_db.py as
# Airflow writes them; then, each timed from outside (start-up included):
#   python:  bench/py_vars_pg.py: psycopg2 + MultiFernet, one SELECT in byte
#            order (COLLATE "C", one sort), every value decrypted
#   ferncon: `ferncon variables list -o plain`: every value decrypted,
#            masked by the audit's rules, in byte order through one sorted
#            cursor (src/store_pg_rows.c), not a sort per page
# ratio = python seconds / ferncon seconds; RSS is the peak resident set
# (GNU time %M). Both must list the same keys in the same order.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/bench/bench_lib.sh"
bench_init pg_var_bench
sizes=${*:-100000}

bench_pg_start pg_var_bench "-c autovacuum=off"

key=$("$PYTHON3" -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')
url_of() { printf '%s' "$PG_URL" | sed "s|/$PG_DB\$|/$1|"; }
# secs CMD...: run CMD with stdout to $T/out, peak RSS to $T/rss; prints seconds.
secs() {
	_s=$(date +%s.%N)
	/usr/bin/time -f '%M' -o "$T/rss" "$@" > "$T/out" 2>"$T/err" || { cat "$T/err" >&2; exit 1; }
	_e=$(date +%s.%N)
	awk -v a="$_s" -v b="$_e" 'BEGIN { printf "%.3f", b - a }'
}
echo "== variables list on PostgreSQL $("$PG_BIN/postgres" --version |
	sed 's/^postgres (PostgreSQL) \([^ ]*\).*/\1/') (local, an ICU collation): ferncon" \
	"-o plain vs psycopg2 + MultiFernet"
printf '%8s %10s %10s %8s %10s %10s\n' N "python s" "ferncon s" ratio "py RSS" "fc RSS"
for n in $sizes; do
	pg_admin "DROP DATABASE IF EXISTS bench_vars" >/dev/null 2>&1
	pg_admin "CREATE DATABASE bench_vars OWNER airflow" >/dev/null
	db=$(url_of bench_vars)
	AIRFLOW_DB_URL=$db "$PYTHON3" "$top/tests/airflow_db.py" create - \
	    --schema "$top/data/schema-pg-3.2.sql"
	AIRFLOW_DB_URL=$db FERNET_KEY=$key "$PYTHON3" "$top/tests/airflow_db.py" \
	    bulk - "$n" --variables
	pg_admin "VACUUM ANALYZE" bench_vars >/dev/null
	mkdir -p "$T/home"
	{
		printf '[core]\nfernet_key = %s\n\n[database]\nsql_alchemy_conn = ' "$key"
		printf '%s' "$db" | sed 's/%/%%/g'
		printf '\n\n[console]\naction_log = %s/actions.log\n' "$T"
	} > "$T/home/airflow.cfg"
	chmod 600 "$T/home/airflow.cfg"
	py=$(AIRFLOW_DB_URL=$db FERNET_KEY=$key secs "$PYTHON3" "$here/py_vars_pg.py")
	py_rss=$(cat "$T/rss")
	cut -f 1 "$T/out" > "$T/py.keys"
	fc=$(AIRFLOW_HOME="$T/home" secs "$FERNCON" variables list -o plain)
	fc_rss=$(cat "$T/rss")
	cut -f 1 "$T/out" > "$T/fc.keys"
	if ! cmp -s "$T/py.keys" "$T/fc.keys"; then
		echo "pg_var_bench: python and ferncon list different keys" >&2
		exit 1
	fi
	awk -v n="$n" -v p="$py" -v f="$fc" -v pr="$py_rss" -v fr="$fc_rss" 'BEGIN {
		printf "%8d %10.3f %10.3f %7.1fx %8.1fMiB %8.1fMiB\n", n, p, f, p / f,
		    pr / 1024, fr / 1024
	}'
done

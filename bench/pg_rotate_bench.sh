#!/bin/sh
# bench/pg_rotate_bench.sh: Fernet key rotation on a PostgreSQL metadata DB,
# ferncon against the Python reference on Airflow's own stack, side by side.
# Not a test: it prints rates, ratios and peak RSS, and asserts nothing
# about time (it fails only if a rotation fails or leaves a value that the
# new key alone does not open).
#
#   bench/pg_rotate_bench.sh [N...]        (from anywhere; default N: 10000 100000)
#   BUILDDIR=build PYTHON3=/usr/bin/python3 bench/pg_rotate_bench.sh 10000
#
# For each N: a throwaway server (tests/pg_server.sh; one for the whole run)
# gets Airflow 3.2's schema (data/schema-pg-3.2.sql) and N connections with
# a password and an extra, and N variables, all under the old key (3N
# tokens), written by tests/airflow_db.py as Airflow writes them. The
# database is copied (CREATE DATABASE ... TEMPLATE), so that both sides
# rotate the same rows:
#   python:  bench/py_rotate_pg.py (python3-cryptography + python3-psycopg2,
#            one transaction, MultiFernet.rotate); its own timer, BEGIN to
#            COMMIT (start-up not counted). Twice: "airflow" sends one UPDATE
#            per row (cursor.executemany, as SQLAlchemy's ORM flush does on
#            psycopg2, so as `airflow rotate-fernet-key` does), "batch" sends
#            a page per round trip (execute_batch: a faster Python than
#            Airflow's). The ratio is against each.
#   ferncon: `ferncon rotate-fernet-key`: its rotation, BEGIN to COMMIT
#            (from its summary, as bench/rotate_bench.py reads it), and the
#            whole command timed from outside ("e2e": start-up, connecting,
#            the one pass that checks and rotates, COMMIT, and the check
#            after COMMIT that reads the values back and compares their
#            digest with what was written).
#   floor:   bench/floor_bench on a third copy: the same rows read and
#            written back unchanged in one transaction, COMMIT, and read
#            back once, through ferncon's store with no cryptography: the
#            limit of this machine and server.
# tokens/s is rotated tokens over those seconds; peak RSS is the process's
# maximum resident set (GNU time %M). Under each row: the seconds of each
# phase of the whole command (start-up and exit, rotate, commit, verify),
# the floor's, and the load average. The targets (doc/perf.md section 4):
# the whole command >= 25x py-airflow and >= 14x py-batch at 100 k, and
# ferncon's RSS flat from 10 k to 100 k.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/bench/bench_lib.sh"
bench_init pg_rotate_bench
sizes=${*:-10000 100000}

# PostgreSQL's default shared_buffers, and no checkpoint in the middle of a
# run, no autovacuum cleaning up after one side while the other runs; still
# fsync off (tests/pg_server.sh): the same server for both sides.
bench_pg_start pg_rotate_bench \
    "-c max_wal_size=4GB -c checkpoint_timeout=30min -c autovacuum=off"

key() { "$PYTHON3" -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'; }
new=$(key); old=$(key)
url_of() { printf '%s' "$PG_URL" | sed "s|/$PG_DB\$|/$1|"; }
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n 1)
echo "== Fernet key rotation on PostgreSQL $("$PG_BIN/postgres" --version |
	sed 's/^postgres (PostgreSQL) \([^ ]*\).*/\1/') (a local server on 127.0.0.1," \
	"fsync off), ring new,old"
echo "cpu: ${cpu:-unknown}, $(nproc) cores"
echo "tokens/s, BEGIN to COMMIT: py-airflow (python, one UPDATE per row as Airflow's"
echo "ORM flush sends it), py-batch (python, a page per round trip), ferncon; ratio ="
echo "ferncon / py-airflow and / py-batch; fc e2e: the whole ferncon command (start-up,"
echo "one pass that checks and rotates, check after COMMIT); floor: the same rows read,"
echo "written back and read again with no cryptography; RSS: peak resident memory"
printf '%7s %7s %11s %11s %11s %14s %11s %14s %11s %8s %8s\n' N tokens "py-airflow" \
	"py-batch" "ferncon" "ratio a/b" "fc e2e" "e2e ratio a/b" "floor" "py RSS" "fc RSS"
status=0
for n in $sizes; do
	for db in bench_py bench_pyb bench_fc bench_fl bench_src; do
		pg_admin "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1
	done
	pg_admin "CREATE DATABASE bench_src OWNER airflow" >/dev/null
	AIRFLOW_DB_URL=$(url_of bench_src) "$PYTHON3" "$top/tests/airflow_db.py" create - \
	    --schema "$top/data/schema-pg-3.2.sql"
	AIRFLOW_DB_URL=$(url_of bench_src) FERNET_KEY=$old "$PYTHON3" \
	    "$top/tests/airflow_db.py" bulk - "$n" --extra --variables
	pg_admin "VACUUM ANALYZE" bench_src >/dev/null
	for db in bench_py bench_pyb bench_fc bench_fl; do
		pg_admin "CREATE DATABASE $db TEMPLATE bench_src OWNER airflow" >/dev/null
	done
	pg_admin "CHECKPOINT" >/dev/null

	# Python, as Airflow sends its updates, and batched.
	AIRFLOW_DB_URL=$(url_of bench_py) FERNET_KEY="$new,$old" PY_UPDATES=executemany \
	    /usr/bin/time -f '%M' -o "$T/py.rss" "$PYTHON3" "$here/py_rotate_pg.py" > "$T/py.out"
	AIRFLOW_DB_URL=$(url_of bench_pyb) FERNET_KEY="$new,$old" PY_UPDATES=batch \
	    /usr/bin/time -f '%M' -o "$T/pyb.rss" "$PYTHON3" "$here/py_rotate_pg.py" > "$T/pyb.out"
	py_tokens=$(awk '{ print $2 }' "$T/py.out")
	py_secs=$(awk '{ print $4 }' "$T/py.out")
	pyb_secs=$(awk '{ print $4 }' "$T/pyb.out")

	# ferncon, configured as Airflow is (the URL in sql_alchemy_conn).
	mkdir -p "$T/home"
	{
		printf '[core]\nfernet_key = %s,%s\n\n[database]\nsql_alchemy_conn = ' "$new" "$old"
		url_of bench_fc | sed 's/%/%%/g'
		printf '\n'
	} > "$T/home/airflow.cfg"
	chmod 600 "$T/home/airflow.cfg"
	start=$(date +%s.%N)
	AIRFLOW_HOME="$T/home" /usr/bin/time -f '%M' -o "$T/fc.rss" "$FERNCON" \
	    rotate-fernet-key > "$T/fc.out" 2>&1 || { cat "$T/fc.out" >&2; status=1; continue; }
	end=$(date +%s.%N)
	bench_fc_parse
	bench_floor "$(url_of bench_fl)"

	# Both left every value under the new key alone.
	for db in bench_py bench_pyb bench_fc; do
		left=$( { AIRFLOW_DB_URL=$(url_of $db) FERNET_KEY=$new "$PYTHON3" \
		    "$top/tests/airflow_db.py" dump -; AIRFLOW_DB_URL=$(url_of $db) \
		    FERNET_KEY=$new "$PYTHON3" "$top/tests/airflow_db.py" dump-variables -; } |
		    grep -c undecryptable || true)
		if [ "$left" -ne 0 ]; then
			echo "pg_rotate_bench: $db: $left rows the new key does not open" >&2
			status=1
		fi
	done
	bench_row "$n"
	if [ "$py_tokens" != "$fc_tokens" ]; then
		echo "pg_rotate_bench: python rotated $py_tokens tokens, ferncon $fc_tokens" >&2
		status=1
	fi
done
exit $status

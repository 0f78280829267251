#!/bin/sh
# bench/my_rotate_bench.sh: Fernet key rotation on a MySQL metadata DB,
# ferncon against the Python reference on Airflow's own stack, side by side.
# Not a test: it prints rates, ratios and peak RSS, and asserts nothing
# about time (it fails only if a rotation fails or leaves a value that the
# new key alone does not open).
#
#   bench/my_rotate_bench.sh [N...]        (from anywhere; default N: 10000 100000)
#
# bench/pg_rotate_bench.sh on MySQL: a throwaway MariaDB server
# (tests/my_server.sh, InnoDB, a 256 MiB buffer pool, flush at commit
# relaxed as the tests' server) and Airflow 3.2's MySQL schema
# (data/schema-my-3.2.sql); for each N, four databases filled alike
# (tests/airflow_db.py bulk through PyMySQL: N connections with a password
# and an extra, N variables, all under the old key: 3N tokens), one for each
# side:
#   python:  bench/py_rotate_my.py (python3-cryptography + python3-pymysql,
#            one transaction, MultiFernet.rotate), its own timer BEGIN to
#            COMMIT. "airflow": one UPDATE per row (PyMySQL's executemany
#            batches INSERTs only, so SQLAlchemy's ORM flush sends an UPDATE
#            per row, as `airflow rotate-fernet-key` does on MySQL); "batch":
#            a page per round trip (UPDATE ... JOIN of the page).
#   ferncon: `ferncon rotate-fernet-key`: its rotation BEGIN to COMMIT (its
#            summary) and the whole command timed from outside (e2e: start-
#            up, connecting, one pass that checks and rotates, check after
#            COMMIT).
#   floor:   bench/floor_bench on a fourth copy: the same rows read and
#            written back through ferncon's own store (the same batched
#            statements) in one transaction with no cryptography at all,
#            then read back once: the limit this machine and server set.
# tokens/s, ratios against each Python, the floor's tokens/s, peak RSS (GNU
# time %M), and on a second line the phases of the whole command against
# the floor's and the load average (the machine may be shared: say so
# beside any figure). Target: the whole command >= 20x Airflow-style Python
# at 100 k, RSS flat.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/bench/bench_lib.sh"
bench_init my_rotate_bench
sizes=${*:-10000 100000}

top_srcdir=$top
. "$top/tests/my_server.sh"
: "${MY_BUFFER_POOL:=256M}"
export MY_BUFFER_POOL
if ! my_start; then
	echo "my_rotate_bench: cannot start MariaDB: $MY_SKIP" >&2
	exit 2
fi
T=$(mktemp -d "${TMPDIR:-/tmp}/ferncon-mybench.XXXXXX")
trap '_my_exit' EXIT

key() { "$PYTHON3" -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'; }
new=$(key); old=$(key)
url_of() { printf '%s' "$MY_URL" | sed "s|/$MY_DB\$|/$1|"; }
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n 1)
echo "== Fernet key rotation on MySQL: MariaDB $(my_admin "SELECT VERSION()") (a local" \
	"server on 127.0.0.1, InnoDB), ring new,old"
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
	for db in bench_py bench_pyb bench_fc bench_fl; do
		my_admin "DROP DATABASE IF EXISTS $db; CREATE DATABASE $db CHARACTER SET utf8mb4
		    COLLATE utf8mb4_unicode_ci; GRANT ALL ON $db.* TO 'airflow'@'%'"
		AIRFLOW_DB_URL=$(url_of $db) "$PYTHON3" "$top/tests/airflow_db.py" create - \
		    --schema "$top/data/schema-my-3.2.sql"
		AIRFLOW_DB_URL=$(url_of $db) FERNET_KEY=$old "$PYTHON3" \
		    "$top/tests/airflow_db.py" bulk - "$n" --extra --variables --seed 7
	done

	# Python, as Airflow sends its updates, and batched.
	AIRFLOW_DB_URL=$(url_of bench_py) FERNET_KEY="$new,$old" PY_UPDATES=executemany \
	    /usr/bin/time -f '%M' -o "$T/py.rss" "$PYTHON3" "$here/py_rotate_my.py" > "$T/py.out"
	AIRFLOW_DB_URL=$(url_of bench_pyb) FERNET_KEY="$new,$old" PY_UPDATES=batch \
	    /usr/bin/time -f '%M' -o "$T/pyb.rss" "$PYTHON3" "$here/py_rotate_my.py" > "$T/pyb.out"
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
			echo "my_rotate_bench: $db: $left rows the new key does not open" >&2
			status=1
		fi
	done
	bench_row "$n"
	if [ "$py_tokens" != "$fc_tokens" ]; then
		echo "my_rotate_bench: python rotated $py_tokens tokens, ferncon $fc_tokens" >&2
		status=1
	fi
done
exit $status

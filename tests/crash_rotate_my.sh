#!/bin/sh
# crash_rotate_my.sh: kill -9 in the middle of rotate-fernet-key on MySQL
# (InnoDB), as tests/crash_rotate.sh does on SQLite and PostgreSQL. A
# throwaway MariaDB server (tests/my_server.sh); 100 000 tokens written by
# PyMySQL under key B (tests/airflow_db.py bulk, Airflow's rules), Python's
# reference of every plaintext and timestamp (tests/rotate_oracle.py
# digest). Then a full rotation B -> A (timed, to place the kills), and ten
# rotations killed with SIGKILL at random moments once ferncon's session has
# begun writing (InnoDB shows its transaction in INNODB_TRX). After each
# kill, once the server has ended the session (the client is gone: InnoDB
# rolls back what was not committed): every token opens with the ring, to
# its reference plaintext and timestamp, and every one is under the same
# key (the whole rotation or none of it), read by tests/rotate_check
# through ferncon's store. A rerun after each kill completes. At the end:
# the row counts are unchanged, no session and no transaction is left, and
# CHECK TABLE finds the tables sound. Set CRASH_SEED to replay the kill
# moments of a run (printed as a comment). Skips with a clear message when
# the server binaries are missing.
: "${top_srcdir:=.}"
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/my_server.sh"
my_start_or_skip
plan 30

: "${ROTATE_CHECK:=${top_builddir:-.}/tests/rotate_check}"
db=-; url=$MY_URL
AIRFLOW_DB_URL=$MY_URL; export AIRFLOW_DB_URL
a=$(py_key); b=$(py_key)
tool() { "$PYTHON3" "$top_srcdir/tests/airflow_db.py" "$@"; }
oracle() { "$PYTHON3" "$top_srcdir/tests/rotate_oracle.py" "$@"; }
now() { date +%s.%N; }

tool create "$db" --schema "$top_srcdir/data/schema-my-2.10.sql"
FERNET_KEY=$b tool bulk "$db" 50000 --variables
printf '[core]\nfernet_key = unused\n[database]\nsql_alchemy_conn = %s\n' \
	"$(printf '%s' "$url" | sed 's/%/%%/g')" > "$AIRFLOW_HOME/airflow.cfg"
FERNET_KEY=$b oracle digest "$db" | sort > "$T/ref"
is "$(wc -l < "$T/ref" | tr -d ' ')" 100000 "Python's reference: 100000 tokens, all under key B"

# check RING: every token opens with RING, to its reference plaintext and
# timestamp, and all under one key; sets $under to that key's index.
check() {
	FERNET_KEY=$1 "$ROTATE_CHECK" "$db" > "$T/got.raw" || return 1
	awk '{ print $1, $2, $4, $5 }' "$T/got.raw" | sort > "$T/got"
	under=$(awk '{ print $3 }' "$T/got.raw" | sort -u | tr '\n' ' ')
	cmp -s "$T/ref" "$T/got" || { echo "# plaintexts or timestamps differ"; return 1; }
	case $under in
	"0 "|"1 ") return 0 ;;
	*) echo "# keys in use: $under"; return 1 ;;
	esac
}
# ferncon's sessions (user airflow; the test's own statements run as root).
sessions() {
	my_admin "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE USER = 'airflow'"
}
# Wait (up to 60 s) until the server has ended every session of ferncon.
sessions_gone() {
	_i=0
	while [ $_i -lt 1200 ]; do
		[ "$(sessions)" = 0 ] && return 0
		sleep 0.05
		_i=$((_i + 1))
	done
	return 1
}

t0=$(now)
o=$(AIRFLOW__CORE__FERNET_KEY="$a,$b" "$FERNCON" rotate-fernet-key 2>&1); rc=$?
t1=$(now)
is "$rc" 0 "a full rotation of 100000 values completes"
printf '%s\n' "$o" | grep -E '^(rotated|verify)' | sed 's/^/# /'
rot=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
echo "# run $rot s"
check "$a,$b"
is "$?:$under" "0:0 " "after it every value is under A, with its plaintext and timestamp"

seed=${CRASH_SEED:-$(date +%s)}
echo "# CRASH_SEED=$seed"
fracs=$(awk -v s="$seed" 'BEGIN { srand(s);
	for (i = 0; i < 10; i++) printf "%.6f ", rand() }')
cur=$a; other=$b; i=0; seen_new=0; seen_old=0
for f in $fracs; do
	i=$((i + 1))
	ring="$other,$cur"
	d=$(awk -v f="$f" -v r="$rot" 'BEGIN { printf "%.3f", f * r * 0.8 }')
	AIRFLOW__CORE__FERNET_KEY=$ring "$FERNCON" rotate-fernet-key > "$T/out" 2>&1 &
	pid=$!
	# Once its transaction has written (InnoDB counts the rows it changed).
	# Polled no faster than every 100 ms: InnoDB renews the snapshot behind
	# INNODB_TRX only when it was not read for that long, so a faster poll
	# keeps reading an old one (see cli_rotate.sh's watcher).
	w=0
	while [ $w -lt 300 ] && [ "$(my_admin "SELECT COUNT(*) FROM
	    information_schema.INNODB_TRX WHERE trx_rows_modified > 0")" = 0 ] &&
	    kill -0 "$pid" 2>/dev/null; do
		sleep 0.12
		w=$((w + 1))
	done
	sleep "$d"
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	sessions_gone
	check "$ring"
	rc=$?
	is "$rc" 0 "kill $i (${d} s into the writes): every token opens to its plaintext, all under one key ($under)"
	case $under in
	"0 ") seen_new=$((seen_new + 1)) ;;
	*) seen_old=$((seen_old + 1)) ;;
	esac
	# Finish it: a rerun completes, everything under the ring's first key.
	o=$(AIRFLOW__CORE__FERNET_KEY="$ring" "$FERNCON" rotate-fernet-key 2>&1); rc=$?
	is "$rc" 0 "the rerun after kill $i completes"
	[ $rc -eq 0 ] || printf '%s\n' "$o" | sed 's/^/# /'
	tmp=$cur; cur=$other; other=$tmp
done
echo "# kills that left the old key: $seen_old; that had committed: $seen_new"
ok "every kill left one key or the other (the whole rotation or none)" test $((seen_old + seen_new)) -eq 10

check "$cur,$other"
is "$?:$under" "0:0 " "after the last rerun every value is under one key, with its plaintext and timestamp"
is "$(my_sql "SELECT COUNT(*) FROM connection")" 50000 "no connection row lost or added"
is "$(my_sql "SELECT COUNT(*) FROM variable")" 50000 "no variable row lost or added"
is "$(sessions)" 0 "no session of ferncon is left"
is "$(my_admin "SELECT COUNT(*) FROM information_schema.INNODB_TRX")" 0 "and no transaction"
chk=$(my_sql "CHECK TABLE connection, variable" | awk '$3 == "status" { print $4 }' | sort -u)
is "$chk" "OK" "CHECK TABLE finds the tables sound"
done_testing

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
# through ferncon's store. A rerun after each kill completes. Then two
# kills inside COMMIT, made certain by a gate (BACKUP STAGE BLOCK_COMMIT
# held by a root session) and the hook FERNCON_TEST_KILL_DURING_COMMIT: the
# server either finishes that COMMIT (all new) or rolls it back (all old),
# both checked. At the end:
# the row counts are unchanged, no session and no transaction is left, and
# CHECK TABLE finds the tables sound. Set CRASH_SEED to replay the kill
# moments of a run (printed as a comment). Skips with a clear message when
# the server binaries are missing.
: "${top_srcdir:=.}"
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/my_server.sh"
my_start_or_skip
plan 33

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

# Two kills inside COMMIT. The gate: a root session holds BACKUP STAGE
# BLOCK_COMMIT (MariaDB 10.4+), which lets ferncon's UPDATEs run but makes
# its COMMIT wait for the backup lock (PROCESSLIST: INFO "COMMIT", state
# "Waiting for backup lock"). The hook FERNCON_TEST_KILL_DURING_COMMIT
# (cli/cmd-rotate.c) kills ferncon 300 ms after COMMIT begins, so while the
# gate is closed: the kill is inside COMMIT. The gate's session watches
# PROCESSLIST every 50 ms and says whether it saw ferncon's session waiting
# there, and whether it was still there when the gate opened (gate.out).
# What the server then does with the dead client's COMMIT:
#  1. the gate opens at once after the kill: the waiting COMMIT proceeds and
#     commits (the server learns of the lost client only when it answers);
#  2. the gate stays closed: the server, waiting for the lock, notices the
#     lost client (within about a second here; else lock_wait_timeout ends
#     the wait) and abandons the COMMIT, which rolls back.
# Either way every value is under one key, with its plaintext and timestamp.
gate_close() {
	rm -f "$T/gate.held" "$T/gate.open" "$T/gate.out"
	"$PYTHON3" - "$T/gate.held" "$T/gate.open" "$T/gate.out" <<'PY' &
import os, sys, time
import pymysql
db = pymysql.connect(unix_socket=os.environ["MY_SOCKET"], user="root",
                     password=os.environ["MY_ADMIN_PASSWORD"], autocommit=True)
cur = db.cursor()
for stage in ("START", "FLUSH", "BLOCK_DDL", "BLOCK_COMMIT"):
    cur.execute("BACKUP STAGE " + stage)
open(sys.argv[1], "w").close()
def waiting():
    cur.execute("SELECT COUNT(*) FROM information_schema.PROCESSLIST"
                " WHERE USER = 'airflow' AND INFO = 'COMMIT'"
                " AND STATE = 'Waiting for backup lock'")
    return cur.fetchone()[0]
seen = 0
end = time.time() + 120
while not os.path.exists(sys.argv[2]) and time.time() < end:
    seen = seen or waiting()
    time.sleep(0.05)
present = waiting()
seen = seen or present
cur.execute("BACKUP STAGE END")
with open(sys.argv[3], "w") as f:
    f.write("seen=%d present=%d\n" % (bool(seen), bool(present)))
PY
	gate=$!
	while [ ! -e "$T/gate.held" ] && kill -0 "$gate" 2>/dev/null; do sleep 0.02; done
}
# gate_open: sets g to what the gate saw.
gate_open() { : > "$T/gate.open"; wait "$gate"; g=$(cat "$T/gate.out" 2>/dev/null); }
# commit_kill: a rotation whose hook kills it 300 ms after COMMIT begins;
# sets st (its exit status).
commit_kill() {
	{ FERNCON_TEST_KILL_DURING_COMMIT=300000 AIRFLOW__CORE__FERNET_KEY=$ring \
		"$FERNCON" rotate-fernet-key > "$T/out" 2>&1; st=$?; } 2>/dev/null
}
# 1. Opened at once: the server finishes the dead client's COMMIT. Should
# the test be slower than the server's check (a second), the COMMIT rolls
# back and it is tried again.
tries=0; g=""
while [ "$g" != "seen=1 present=1" ] && [ $tries -lt 3 ]; do
	tries=$((tries + 1))
	ring="$other,$cur"
	gate_close
	commit_kill
	gate_open
	if sessions_gone; then gone=yes; else gone=no; fi
	check "$ring"; rc=$?
	[ "$g" = "seen=1 present=1" ] ||
	    echo "# the gate saw: $g (exit $st, keys $under): trying again"
	case $under in "0 ") tmp=$cur; cur=$other; other=$tmp ;; esac
done
is "$st:$g:$rc:$under:$gone" "137:seen=1 present=1:0:0 :yes" "killed inside COMMIT (waiting at the gate), the gate opened: the server finishes that COMMIT, every value under the new key, equal to its plaintext and timestamp"
# 2. Kept closed until the server has ended the session: it rolls back.
ring="$other,$cur"
gate_close
commit_kill
if sessions_gone; then gone=yes; else gone=no; fi
gate_open
check "$ring"; rc=$?
is "$st:$g:$gone:$rc:$under" "137:seen=1 present=0:yes:0:1 " "killed inside COMMIT, the gate kept closed: the server finds the client gone and rolls the COMMIT back, every value under the old key, equal to its plaintext and timestamp"
o=$(AIRFLOW__CORE__FERNET_KEY="$ring" "$FERNCON" rotate-fernet-key 2>&1); rc=$?
check "$ring"
is "$rc:$?:$under" "0:0:0 " "the rerun after it completes"
tmp=$cur; cur=$other; other=$tmp

check "$cur,$other"
is "$?:$under" "0:0 " "after the last rerun every value is under one key, with its plaintext and timestamp"
is "$(my_sql "SELECT COUNT(*) FROM connection")" 50000 "no connection row lost or added"
is "$(my_sql "SELECT COUNT(*) FROM variable")" 50000 "no variable row lost or added"
# A client that has just closed (the last rerun, the Python oracle) may
# still be listed for a moment while the server ends its thread: wait for
# it (up to 60 s), then count.
sessions_gone
is "$(sessions)" 0 "no session of ferncon is left"
is "$(my_admin "SELECT COUNT(*) FROM information_schema.INNODB_TRX")" 0 "and no transaction"
chk=$(my_sql "CHECK TABLE connection, variable" | awk '$3 == "status" { print $4 }' | sort -u)
is "$chk" "OK" "CHECK TABLE finds the tables sound"
done_testing

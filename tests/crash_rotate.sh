#!/bin/sh
# crash_rotate.sh: kill -9 `ferncon rotate-fernet-key` on a 100 k-row
# metadata DB (50 000 connections and 50 000 variables written by Python as
# Airflow writes them) at 10 random moments inside the rotation and once
# during COMMIT. After each kill, every value opens with the key list, equals
# its original plaintext with its original timestamp (against a reference
# made by Python's cryptography), and all values sit under ONE key: the
# rotation happened entirely or not at all (SQLite's journal). Then a rerun
# completes. Each round rotates to the other key (rings A,B and B,A
# alternate), so "all old" and "all new" are told apart by the key.
#
# The commit kill uses the test hook FERNCON_TEST_KILL_DURING_COMMIT: the
# process sends itself SIGKILL that many microseconds after COMMIT begins.
# Set CRASH_SEED to replay the kill moments of a run (printed as a comment).
#
# With FERNCON_TEST_BACKEND=postgresql (tests/crash_rotate_pg.sh) the same
# rounds run against a throwaway PostgreSQL server (tests/pg_server.sh),
# with the same 100 k rows (a rotation there takes about as long as on
# SQLite). There is no journal: "inside the transaction" is what the server
# says of ferncon's session (pg_stat_activity). The wait is for the session
# to have a transaction id (it has locked its first page); at the kill
# moment ferncon is stopped (SIGSTOP), the server finishes what it was sent,
# and the session's state is read before SIGKILL, so each kill has one
# right outcome: a session still in its transaction (it has a transaction
# id) must be rolled back; one without (ferncon was verifying, or had
# ended) has committed. The COMMIT kill is made
# certain by a gate: a deferred constraint trigger (test-only, on one
# variable row) makes COMMIT wait for an advisory lock the test holds, so
# the hook's SIGKILL lands while the server is inside COMMIT, which the
# test sees in pg_stat_activity. Opened, the gate lets that COMMIT finish
# (everything committed); once more with client_connection_check_interval
# set, the server notices the lost client inside COMMIT and rolls it back
# (nothing committed; its log says so). At the end, instead of SQLite's
# integrity_check: the row counts are unchanged, no session is left (none
# idle in a transaction), and amcheck finds the tables and indexes sound.
. "$top_srcdir/tests/lib.sh"
backend=${FERNCON_TEST_BACKEND:-sqlite}
if [ "$backend" = postgresql ]; then
	. "$top_srcdir/tests/pg_server.sh"
	pg_start_or_skip
	plan 32
else
	plan 28
fi

: "${ROTATE_CHECK:=${top_builddir:-.}/tests/rotate_check}"
if [ "$backend" = postgresql ]; then
	# The URL (it holds the password) reaches the tools by environment.
	db=-; url=$PG_URL; schema=schema-pg-2.10.sql
	AIRFLOW_DB_URL=$PG_URL; export AIRFLOW_DB_URL
else
	db="$AIRFLOW_HOME/airflow.db"; url="sqlite:///$db"; schema=schema-2.10.sql
fi
a=$(py_key); b=$(py_key)
tool() { "$PYTHON3" "$top_srcdir/tests/airflow_db.py" "$@"; }
oracle() { "$PYTHON3" "$top_srcdir/tests/rotate_oracle.py" "$@"; }
now() { date +%s.%N; }

tool create "$db" --schema "$top_srcdir/data/$schema"
FERNET_KEY=$b tool bulk "$db" 50000 --variables
printf '[core]\nfernet_key = unused\n[database]\nsql_alchemy_conn = %s\n' \
	"$(printf '%s' "$url" | sed 's/%/%%/g')" > "$AIRFLOW_HOME/airflow.cfg"
FERNET_KEY=$b oracle digest "$db" | sort > "$T/ref"
is "$(wc -l < "$T/ref" | tr -d ' ')" 100000 "Python's reference: 100000 tokens, all under key B"

# check RING WHAT: every token opens with RING, to its reference plaintext and
# timestamp, and all under one key; sets $under to that key's index.
check() {
	FERNET_KEY=$1 PGAPPNAME=rotate_check "$ROTATE_CHECK" "$db" > "$T/got.raw" || return 1
	awk '{ print $1, $2, $4, $5 }' "$T/got.raw" | sort > "$T/got"
	under=$(awk '{ print $3 }' "$T/got.raw" | sort -u | tr '\n' ' ')
	cmp -s "$T/ref" "$T/got" || { echo "# plaintexts or timestamps differ"; return 1; }
	case $under in
	"0 "|"1 ") return 0 ;;
	*) echo "# keys in use: $under"; return 1 ;;
	esac
}
hot() { if [ -s "$db-journal" ]; then echo yes; else echo no; fi; }

# PostgreSQL: ferncon's session as the server sees it.
session() {
	pg_sql "SELECT state, backend_xid IS NOT NULL, wait_event_type,
	    split_part(ltrim(query), ' ', 1) FROM pg_stat_activity
	    WHERE application_name = 'ferncon'" | tr '\t\n' '| ' | sed 's/ $//'
}
# Wait (up to 60 s) until the server has no session of ferncon left.
sessions_gone() {
	_i=0
	while [ $_i -lt 1200 ]; do
		[ "$(pg_sql "SELECT count(*) FROM pg_stat_activity
		    WHERE application_name = 'ferncon'")" = 0 ] && return 0
		sleep 0.05
		_i=$((_i + 1))
	done
	return 1
}

# Calibration: a full run from B to A, to time its phases.
t0=$(now)
o=$(AIRFLOW__CORE__FERNET_KEY="$a,$b" "$FERNCON" rotate-fernet-key 2>&1); rc=$?
t1=$(now)
is "$rc" 0 "a full rotation of 100000 values completes"
printf '%s\n' "$o" | grep -E '^(rotated|verify)' | sed 's/^/# /'
window=$(printf '%s\n' "$o" | awk -v t0="$t0" -v t1="$t1" '
	/^rotated/ { for (i = 1; i <= NF; i++) if ($i == "in") rot = $(i + 1);
		     for (i = 1; i <= NF; i++) if ($i == "commit") com = $(i + 1) + 0 }
	/^verify/  { v = $NF; gsub(/[()s]/, "", v); ver = $(NF - 1); sub(/\(/, "", ver) }
	END { wall = t1 - t0; pre = wall - rot - com - ver; if (pre < 0) pre = 0;
	      printf "%.3f %.3f %.4f\n", pre, rot, com }')
set -- $window
pre=$1; rot=$2; com=$3
echo "# run $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }') s: preflight ~${pre} s, rotation ${rot} s, commit ${com} s"
check "$a,$b"
is "$?:$under" "0:0 " "after it every value is under A, with its plaintext and timestamp"

# Ten kills at random moments of the rotation: once the journal exists (the
# transaction has written its first page), after a random part of the
# rotation's measured time. On PostgreSQL: once the session has its
# transaction id; the session's state at the kill decides the outcome. The
# time is the shortest rotation measured so far (the calibration's, then
# each rerun's): a run that is quicker than one measured under a heavier
# load (other tests run at the same time) would outrun later moments.
seed=${CRASH_SEED:-$(date +%s)}
echo "# CRASH_SEED=$seed"
fracs=$(awk -v s="$seed" 'BEGIN { srand(s);
	for (i = 0; i < 10; i++) printf "%.6f ", rand() }')
cur=$a; other=$b; hot_n=0; i=0
for f in $fracs; do
	i=$((i + 1))
	ring="$other,$cur"
	d=$(awk -v f="$f" -v r="$rot" 'BEGIN { printf "%.3f", f * r * 0.9 }')
	AIRFLOW__CORE__FERNET_KEY=$ring "$FERNCON" rotate-fernet-key > "$T/out" 2>&1 &
	pid=$!
	if [ "$backend" = postgresql ]; then
		w=0
		while [ $w -lt 3000 ] && [ "$(pg_sql "SELECT count(*) FROM pg_stat_activity
		    WHERE application_name = 'ferncon' AND backend_xid IS NOT NULL")" != 1 ]; do
			sleep 0.005
			w=$((w + 1))
		done
		sleep "$d"
		# Freeze ferncon; once the server has done what it was sent
		# (no statement running, or one blocked sending its rows to
		# the frozen client), the session's state is final: with a
		# transaction id it is inside the rotation's transaction, which
		# can then only roll back; without, ferncon had committed.
		kill -STOP "$pid" 2>/dev/null
		w=0
		while s=$(session); case $s in "active|"*"|Client|"*) false ;;
		    active*) true ;; *) false ;; esac && [ $w -lt 600 ]; do
			sleep 0.05
			w=$((w + 1))
		done
		kill -9 "$pid" 2>/dev/null
		{ wait "$pid"; st=$?; } 2>/dev/null
		case $s in
		*"|t|"*) h=yes; want="0:1 :yes" ;;
		*) h=no; want="0:0 :yes" ;;
		esac
		[ "$h" = yes ] && hot_n=$((hot_n + 1))
		if sessions_gone; then gone=yes; else gone=no; fi
		check "$ring"; rc=$?
		case $under in "0 ") state=committed ;; *) state="rolled back" ;; esac
		[ "$st" -ne 137 ] && state="$state, the run had ended (exit $st)"
		is "$rc:$under:$gone" "$want" "kill $i ${d} s into the transaction (session: ${s:-none}; $state, the server ended the session): every value opens, equals its plaintext and timestamp, one key$(
		    [ "$h" = yes ] && echo ", nothing of the open transaction kept")"
	else
		while [ ! -e "$db-journal" ] && kill -0 "$pid" 2>/dev/null; do
			sleep 0.005
		done
		sleep "$d"
		kill -9 "$pid" 2>/dev/null
		{ wait "$pid"; st=$?; } 2>/dev/null
		h=$(hot); [ "$h" = yes ] && hot_n=$((hot_n + 1))
		check "$ring"; rc=$?
		case $under in "0 ") state=committed ;; *) state="rolled back" ;; esac
		[ "$st" -ne 137 ] && state="$state, the run had ended (exit $st)"
		is "$rc" 0 "kill $i ${d} s into the transaction ($state; hot journal: $h): every value opens, equals its plaintext and timestamp, one key"
	fi
	AIRFLOW__CORE__FERNET_KEY=$ring "$FERNCON" rotate-fernet-key > "$T/out" 2>&1; rc=$?
	check "$ring"
	is "$rc:$?:$under" "0:0:0 " "rerun $i completes: every value under the new key"
	t=$cur; cur=$other; other=$t
	r=$(sed -n 's/^rotated [0-9]* values in \([0-9.]*\) s.*/\1/p' "$T/out")
	rot=$(awk -v a="$rot" -v b="${r:-$rot}" 'BEGIN { print (b < a ? b : a) }')
done
if [ "$backend" = postgresql ]; then
	ok "kills landed inside the transaction ($hot_n of 10 found its session inside it)" test "$hot_n" -ge 5
else
	ok "kills landed inside the transaction ($hot_n of 10 left a hot journal)" test "$hot_n" -ge 5
fi

if [ "$backend" = postgresql ]; then
# One kill during COMMIT, twice. The gate: COMMIT runs the deferred trigger
# on variable row 1, which waits (no lock_timeout) for advisory lock 4711;
# a Python session holds that lock until the file gate.open appears.
pg_sql "CREATE FUNCTION ferncon_test_gate() RETURNS trigger LANGUAGE plpgsql
    SET lock_timeout = 0 AS \$\$ BEGIN PERFORM pg_advisory_xact_lock(4711); RETURN NULL; END \$\$"
pg_sql "CREATE CONSTRAINT TRIGGER ferncon_test_gate AFTER UPDATE ON variable
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.id = 1)
    EXECUTE FUNCTION ferncon_test_gate()"
gate_close() {
	rm -f "$T/gate.held" "$T/gate.open"
	"$PYTHON3" - "$T/gate.held" "$T/gate.open" <<'PY' &
import os, sys, time
import psycopg2
db = psycopg2.connect("postgresql://" + os.environ["AIRFLOW_DB_URL"].split("://", 1)[1],
                      application_name="ferncon_test_gate")
db.autocommit = True
db.cursor().execute("SELECT pg_advisory_lock(4711)")
open(sys.argv[1], "w").close()
end = time.time() + 120
while not os.path.exists(sys.argv[2]) and time.time() < end:
    time.sleep(0.02)
PY
	gate=$!
	while [ ! -e "$T/gate.held" ] && kill -0 "$gate" 2>/dev/null; do sleep 0.02; done
}
gate_open() { : > "$T/gate.open"; wait "$gate"; }
# commit_kill: a rotation whose hook kills it $us after COMMIT begins; sets
# st (its exit status) and s (its session as the server shows it then).
commit_kill() {
	{ FERNCON_TEST_KILL_DURING_COMMIT=$us AIRFLOW__CORE__FERNET_KEY=$ring \
		"$FERNCON" rotate-fernet-key > "$T/out" 2>&1; st=$?; } 2>/dev/null
	s=$(session)
}
logged() { tail -c +$(($1 + 1)) "$PG_DIR/server.log" | grep -c "$2"; }

# 1. The gate opens after the kill: the server finishes the COMMIT that the
# dead client sent, so everything is committed. The kill is inside COMMIT
# when the session, after ferncon died, still waits in COMMIT at the gate;
# when not (the hook fired before COMMIT was sent), it is tried later.
us=300000; tries=0; inside=no
while [ "$inside" = no ] && [ $tries -lt 3 ]; do
	tries=$((tries + 1))
	ring="$other,$cur"
	gate_close
	commit_kill
	case $s in "active|t|Lock|COMMIT") inside=yes ;; esac
	gate_open
	if sessions_gone; then gone=yes; else gone=no; fi
	check "$ring"; rc=$?
	case $under in "0 ") state=committed ;; *) state="rolled back" ;; esac
	if [ "$st:$inside" != 137:yes ] && [ "$st:$rc" = 137:0 ]; then
		echo "# the kill ${us} us into COMMIT found the session ${s:-gone} ($state): trying later"
		AIRFLOW__CORE__FERNET_KEY=$ring "$FERNCON" rotate-fernet-key > "$T/out" 2>&1
		t=$cur; cur=$other; other=$t
		us=$((us * 4))
	fi
done
is "$st:$rc:$inside:$under:$gone" "137:0:yes:0 :yes" "killed ${us} us into COMMIT (the session then: $s), the server finishes that COMMIT: every value under the new key, equal to its plaintext and timestamp"
AIRFLOW__CORE__FERNET_KEY=$ring "$FERNCON" rotate-fernet-key > "$T/out" 2>&1; rc=$?
check "$ring"
is "$rc:$?:$under" "0:0:0 " "the rerun completes"
t=$cur; cur=$other; other=$t

# 2. The server checks the client inside COMMIT (client_connection_check_
# interval, for the role's new sessions): it finds it gone and rolls the
# COMMIT back. Its log says where: "connection to client lost" with
# STATEMENT: COMMIT (a kill before COMMIT would log an EOF "with an open
# transaction" instead).
pg_admin "ALTER ROLE airflow SET client_connection_check_interval = '100ms'"
us=300000; tries=0; inside=no
while [ "$inside" = no ] && [ $tries -lt 3 ]; do
	tries=$((tries + 1))
	ring="$other,$cur"
	mark=$(wc -c < "$PG_DIR/server.log")
	gate_close
	commit_kill
	if sessions_gone; then gone=yes; else gone=no; fi
	gate_open
	[ "$(logged "$mark" 'connection to client lost')" -ge 1 ] &&
	    [ "$(logged "$mark" 'STATEMENT:  COMMIT')" -ge 1 ] && inside=yes
	check "$ring"; rc=$?
	case $under in "0 ") state=committed ;; *) state="rolled back" ;; esac
	if [ "$st:$inside" != 137:yes ] && [ "$st:$rc" = 137:0 ]; then
		echo "# the kill ${us} us into COMMIT did not find the server in COMMIT ($state): trying later"
		[ "$state" = committed ] && { t=$cur; cur=$other; other=$t; }
		us=$((us * 4))
	fi
done
pg_admin "ALTER ROLE airflow RESET client_connection_check_interval"
is "$st:$rc:$inside:$under:$gone" "137:0:yes:1 :yes" "killed ${us} us into COMMIT, the server finds the client gone inside COMMIT and rolls back: every value under the old key, equal to its plaintext and timestamp"
AIRFLOW__CORE__FERNET_KEY=$ring "$FERNCON" rotate-fernet-key > "$T/out" 2>&1; rc=$?
check "$ring"
is "$rc:$?:$under" "0:0:0 " "the rerun completes"
t=$cur; cur=$other; other=$t
pg_sql "DROP TRIGGER ferncon_test_gate ON variable; DROP FUNCTION ferncon_test_gate()"
else
# One kill during COMMIT. The hook starts its timer as COMMIT begins; the
# kill lands inside COMMIT when the hot journal is still there afterwards
# (the journal's deletion is SQLite's commit point). Half-way through the
# measured COMMIT first, then earlier if COMMIT was quicker this time.
us=$(awk -v c="$com" 'BEGIN { u = c * 1e6 / 2; if (u < 200) u = 200; printf "%d", u }')
inside=no; tries=0
while [ "$inside" = no ] && [ $tries -lt 4 ]; do
	tries=$((tries + 1))
	ring="$other,$cur"
	{ FERNCON_TEST_KILL_DURING_COMMIT=$us AIRFLOW__CORE__FERNET_KEY=$ring \
		"$FERNCON" rotate-fernet-key > "$T/out" 2>&1; st=$?; } 2>/dev/null
	h=$(hot)
	check "$ring"; rc=$?
	case $under in "0 ") state=committed ;; *) state="rolled back" ;; esac
	[ "$st:$rc" = "137:0" ] || break
	if [ "$h" = yes ]; then
		inside=yes
	else
		echo "# the kill ${us} us into COMMIT came after it ($state): trying earlier"
		AIRFLOW__CORE__FERNET_KEY=$ring "$FERNCON" rotate-fernet-key > "$T/out" 2>&1
		t=$cur; cur=$other; other=$t
		us=$((us / 4)); [ $us -lt 200 ] && us=200
	fi
done
is "$st:$rc:$inside" "137:0:yes" "killed ${us} us into COMMIT ($state; hot journal: $h): every value opens, equals its plaintext, one key"
AIRFLOW__CORE__FERNET_KEY=$ring "$FERNCON" rotate-fernet-key > "$T/out" 2>&1; rc=$?
check "$ring"
is "$rc:$?:$under" "0:0:0 " "the rerun completes"
t=$cur; cur=$other; other=$t
fi

# Python's cryptography has the last word: the new key alone opens every
# value, to the reference plaintext and timestamp; the DB is sound.
FERNET_KEY=$cur oracle digest "$db" | sort > "$T/final"
ok "Python: the final key alone opens all 100000 values, plaintexts and timestamps as before" cmp -s "$T/ref" "$T/final"
if [ "$backend" = postgresql ]; then
	is "$(pg_sql "SELECT (SELECT count(*) FROM connection), (SELECT count(*) FROM variable)")" \
		"50000	50000" "the row counts are unchanged: 50000 connections, 50000 variables"
	# Client sessions that end are gone within moments; one left idle in
	# a transaction would stay.
	w=0
	while n=$(pg_sql "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()
	    AND backend_type = 'client backend' AND pid <> pg_backend_pid()") &&
	    [ "$n" != 0 ] && [ $w -lt 200 ]; do
		sleep 0.05
		w=$((w + 1))
	done
	is "$n:$(pg_sql "SELECT count(*) FROM pg_stat_activity WHERE state LIKE 'idle in transaction%'")" \
		0:0 "no client session is left (none idle in a transaction)"
	if [ "$(pg_admin "SELECT count(*) FROM pg_available_extensions WHERE name = 'amcheck'")" = 1 ]; then
		pg_admin "CREATE EXTENSION IF NOT EXISTS amcheck" "$PG_DB"
		# bt_index_check fails the statement on a bad index; verify_heapam
		# returns one row per problem in the table.
		r=$(pg_admin "SELECT (SELECT count(*) FROM verify_heapam('connection'))
		    + (SELECT count(*) FROM verify_heapam('variable')),
		    (SELECT count(*) FROM (SELECT bt_index_check(indexrelid, true) FROM pg_index
		     WHERE indrelid IN ('connection'::regclass, 'variable'::regclass)) x)" "$PG_DB" 2>&1)
		ok "amcheck: the tables connection and variable and their indexes are sound (heap problems, indexes checked: ${r%%	*}, ${r#*	})" \
			test "${r%%	*}" = 0 -a "${r#*	}" -ge 2
	else
		ok "amcheck # SKIP the amcheck extension is not installed" true
	fi
else
	r=$("$PYTHON3" -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("PRAGMA integrity_check").fetchone()[0])' "$db")
	is "$r" ok "SQLite's integrity_check: ok"
fi
done_testing

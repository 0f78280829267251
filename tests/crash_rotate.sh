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
. "$top_srcdir/tests/lib.sh"
plan 28

: "${ROTATE_CHECK:=${top_builddir:-.}/tests/rotate_check}"
db="$AIRFLOW_HOME/airflow.db"
a=$(py_key); b=$(py_key)
tool() { "$PYTHON3" "$top_srcdir/tests/airflow_db.py" "$@"; }
oracle() { "$PYTHON3" "$top_srcdir/tests/rotate_oracle.py" "$@"; }
now() { date +%s.%N; }

tool create "$db" --schema "$top_srcdir/data/schema-2.10.sql"
FERNET_KEY=$b tool bulk "$db" 50000 --variables
printf '[core]\nfernet_key = unused\n[database]\nsql_alchemy_conn = sqlite:///%s\n' \
	"$db" > "$AIRFLOW_HOME/airflow.cfg"
FERNET_KEY=$b oracle digest "$db" | sort > "$T/ref"
is "$(wc -l < "$T/ref" | tr -d ' ')" 100000 "Python's reference: 100000 tokens, all under key B"

# check RING WHAT: every token opens with RING, to its reference plaintext and
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
hot() { if [ -s "$db-journal" ]; then echo yes; else echo no; fi; }

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
# rotation's measured time.
seed=${CRASH_SEED:-$(date +%s)}
echo "# CRASH_SEED=$seed"
delays=$(awk -v s="$seed" -v r="$rot" 'BEGIN { srand(s);
	for (i = 0; i < 10; i++) printf "%.3f ", rand() * r * 0.9 }')
cur=$a; other=$b; hot_n=0; i=0
for d in $delays; do
	i=$((i + 1))
	ring="$other,$cur"
	AIRFLOW__CORE__FERNET_KEY=$ring "$FERNCON" rotate-fernet-key > "$T/out" 2>&1 &
	pid=$!
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
	AIRFLOW__CORE__FERNET_KEY=$ring "$FERNCON" rotate-fernet-key > "$T/out" 2>&1; rc=$?
	check "$ring"
	is "$rc:$?:$under" "0:0:0 " "rerun $i completes: every value under the new key"
	t=$cur; cur=$other; other=$t
done
ok "kills landed inside the transaction ($hot_n of 10 left a hot journal)" test "$hot_n" -ge 5

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

# Python's cryptography has the last word: the new key alone opens every
# value, to the reference plaintext and timestamp; the DB is sound.
FERNET_KEY=$cur oracle digest "$db" | sort > "$T/final"
ok "Python: the final key alone opens all 100000 values, plaintexts and timestamps as before" cmp -s "$T/ref" "$T/final"
r=$("$PYTHON3" -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("PRAGMA integrity_check").fetchone()[0])' "$db")
is "$r" ok "SQLite's integrity_check: ok"
done_testing

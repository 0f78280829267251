#!/bin/sh
# cli_signals.sh: a rotation or an encrypt-plaintext stopped by a signal
# rolls back and exits as the shell expects (issue 15): Ctrl-C (SIGINT)
# 130, SIGTERM 143, with one line saying that nothing was changed; the DB
# is as it was (every token still under the old key, every plaintext still
# plain: checked by Python's cryptography through tests/rotate_check).
#
# The signal is sent once ferncon has installed its handler (its SigCgt in
# /proc shows it catching SIGINT) and while it is stopped (SIGSTOP), so it
# lands inside the job, whatever the load of the machine: a job of 40 000
# rows runs for seconds, far longer than the poll.
. "$top_srcdir/tests/lib.sh"
plan 10

: "${ROTATE_CHECK:=${top_builddir:-.}/tests/rotate_check}"
db="$AIRFLOW_HOME/airflow.db"
tool() { "$PYTHON3" "$top_srcdir/tests/airflow_db.py" "$@"; }
a=$(py_key); b=$(py_key)
tool create "$db" --schema "$top_srcdir/data/schema-2.10.sql"
FERNET_KEY=$b tool bulk "$db" 20000 --variables

# catching PID: 0 once the process catches SIGINT (bit 2 of SigCgt).
catching() {
	m=$(sed -n 's/^SigCgt:[[:space:]]*//p' "/proc/$1/status" 2>/dev/null)
	[ -n "$m" ] && [ $((0x$m & 2)) -ne 0 ]
}

# stop_job SIGNAL COMMAND...: run COMMAND, send SIGNAL inside its job; sets
# $rc and $err.
stop_job() {
	sig=$1; shift
	"$@" >"$T/out" 2>"$T/err" &
	pid=$!
	i=0
	while ! catching $pid && [ $i -lt 600 ]; do sleep 0.05; i=$((i + 1)); done
	kill -STOP $pid
	kill "-$sig" $pid
	kill -CONT $pid
	wait $pid
	rc=$?
	err=$(cat "$T/err")
}

under() { FERNET_KEY=$1 "$ROTATE_CHECK" "$db" | awk '{ print $3 }' | sort -u | tr '\n' ' '; }

printf '[core]\nfernet_key = %s,%s\n' "$a" "$b" > "$AIRFLOW_HOME/airflow.cfg"
stop_job INT "$FERNCON" rotate-fernet-key
is "$rc" 130 "a rotation stopped by Ctrl-C (SIGINT) exits 130"
contains "$err" "nothing was changed" "and says that nothing was changed"
is "$(printf '%s\n' "$err" | grep -c .)" 1 "in one line"
is "$(under "$a,$b")" "1 " "every token is still under the old key (rolled back)"

stop_job TERM "$FERNCON" rotate-fernet-key
is "$rc" 143 "a rotation stopped by SIGTERM exits 143"
contains "$err" "nothing was changed" "and says that nothing was changed"
is "$(under "$a,$b")" "1 " "every token is still under the old key"

# encrypt-plaintext over plain rows (written while fernet_key was empty).
rm -f "$db"
tool create "$db" --schema "$top_srcdir/data/schema-2.10.sql"
FERNET_KEY= tool bulk "$db" 20000 --variables
stop_job TERM "$FERNCON" encrypt-plaintext
is "$rc" 143 "encrypt-plaintext stopped by SIGTERM exits 143"
contains "$err" "nothing was changed" "and says that nothing was changed"
plain=$("$PYTHON3" -c 'import sqlite3,sys
c = sqlite3.connect(sys.argv[1])
print(c.execute("select count(*) from variable where is_encrypted").fetchone()[0] +
      c.execute("select count(*) from connection where is_encrypted").fetchone()[0])' "$db")
is "$plain" 0 "no value was given a token (rolled back)"

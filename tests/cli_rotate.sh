#!/bin/sh
# cli_rotate.sh: `ferncon rotate-fernet-key`, `encrypt-plaintext` and `key
# probe` against a metadata DB written by Python the way Airflow writes it
# (tests/airflow_db.py), every result checked by Python's cryptography
# (tests/rotate_oracle.py): MultiFernet.rotate semantics (same plaintext,
# same timestamp, a new token under the first key alone, flags unchanged,
# plaintext and legacy `{...}` trigger rows untouched); the refusal that
# names a row no key opens, and --skip-undecryptable; --dry-run; an empty
# key; a read-only DB; another process holding the DB's write lock (a clear
# message after the busy timeout, nothing lost on either side); roles; the
# action log; no secret in any output. Besides the demo rows, 1200 bulk
# connections (password and extra) and variables under the old key, so
# that a rotation spans more than one page and one batch of updates.
#
# With FERNCON_TEST_BACKEND=postgresql (tests/cli_rotate_pg.sh) the same
# checks run against a throwaway PostgreSQL server (tests/pg_server.sh),
# with Airflow 3.2's schema, written and read by Python through psycopg2.
# The SQLite-only cases become their PostgreSQL counterparts: the lock is
# another session's lock on `variable` (the rotation does connections
# first, so it fails inside its transaction, after lock_timeout, and rolls
# back whole); the read-only DB is a user with SELECT only. One case is
# PostgreSQL's own: the session killed while it waits for that lock
# (pg_terminate_backend, as a DBA or a server restart would) gives "lost
# the connection" and exit 3, and not one value changed. With
# FERNCON_TEST_BACKEND=mysql (tests/cli_rotate_my.sh) the same on MariaDB:
# the lock is another session's variable rows FOR UPDATE (InnoDB row and
# gap locks), the kill is KILL of the waiting session.
. "$top_srcdir/tests/lib.sh"
backend=${FERNCON_TEST_BACKEND:-sqlite}
if [ "$backend" = postgresql ]; then
	. "$top_srcdir/tests/pg_server.sh"
	pg_start_or_skip
	plan 81
elif [ "$backend" = mysql ]; then
	. "$top_srcdir/tests/my_server.sh"
	my_start_or_skip
	plan 81
else
	plan 76
fi

if [ "$backend" = postgresql ]; then
	# The URL (it holds the password) reaches the tools by environment.
	db=-; url=$PG_URL; schema=schema-pg-3.2.sql
	AIRFLOW_DB_URL=$PG_URL; export AIRFLOW_DB_URL
elif [ "$backend" = mysql ]; then
	db=-; url=$MY_URL; schema=schema-my-3.2.sql
	AIRFLOW_DB_URL=$MY_URL; export AIRFLOW_DB_URL
else
	db="$AIRFLOW_HOME/airflow.db"; url="sqlite:///$db"; schema=schema-2.10.sql
fi
# airflow.cfg interpolates "%": a URL-encoded password needs "%%" there.
cfg_url() { printf '%s' "$1" | sed 's/%/%%/g'; }
new=$(py_key); old=$(py_key); lost=$(py_key)
tool() { "$PYTHON3" "$top_srcdir/tests/airflow_db.py" "$@"; }
oracle() { "$PYTHON3" "$top_srcdir/tests/rotate_oracle.py" "$@"; }
FERNET_KEY="$new,$old" DEMO_OLD_KEY="$old" DEMO_LOST_KEY="$lost" \
	tool create "$db" --schema "$top_srcdir/data/$schema"
FERNET_KEY="$new,$old" DEMO_OLD_KEY="$old" DEMO_LOST_KEY="$lost" \
	tool fill "$db" --connections "$top_srcdir/data/demo-connections.json" \
	--variables "$top_srcdir/data/demo-variables.json" --triggers 3 2>/dev/null
FERNET_KEY="$old" tool bulk "$db" 1200 --extra --variables
# A trigger row from before Airflow 2.9: plain JSON, never a token.
if [ "$backend" = postgresql ]; then
	pg_sql "INSERT INTO trigger (classpath, kwargs, created_date) VALUES
	  ('airflow.triggers.temporal.TimeDeltaTrigger', '{\"__var\": {\"delta\": 60.0}, \"__type\": \"dict\"}',
	   '2024-01-01 00:00:00+00')"
elif [ "$backend" = mysql ]; then
	my_sql "INSERT INTO \`trigger\` (classpath, kwargs, created_date) VALUES
	  ('airflow.triggers.temporal.TimeDeltaTrigger', '{\"__var\": {\"delta\": 60.0}, \"__type\": \"dict\"}',
	   '2024-01-01 00:00:00')"
else
"$PYTHON3" - "$db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("""INSERT INTO "trigger" (classpath, kwargs, created_date) VALUES
  ('airflow.triggers.temporal.TimeDeltaTrigger', '{"__var": {"delta": 60.0}, "__type": "dict"}',
   '2024-01-01 00:00:00.000000')""")
db.commit()
PY
fi
cat > "$AIRFLOW_HOME/airflow.cfg" <<CFG
[core]
fernet_key = $new,$old

[database]
sql_alchemy_conn = $(cfg_url "$url")
CFG
snap() { FERNET_KEY="$new,$old" oracle snapshot "$db" "$T/$1.json"; }
passwords=$("$PYTHON3" -c 'import json,sys
for c in json.load(open(sys.argv[1])):
    p = c.get("password")
    if p and len(p) > 5: print(p)' "$top_srcdir/data/demo-connections.json")
# no_secret TEXT DESCRIPTION: no key, no demo password (and not the
# PostgreSQL user's password) in TEXT
no_secret() {
	_leak=0
	for _k in "$new" "$old" "$lost" ${PG_PASSWORD:+"$PG_PASSWORD"} \
	    ${MY_PASSWORD:+"$MY_PASSWORD"}; do
		case $1 in *"$_k"*) _leak=1 ;; esac
	done
	printf '%s\n' "$passwords" | {
		while IFS= read -r _p; do
			case $1 in *"$_p"*) exit 1 ;; esac
		done
		exit 0
	} || _leak=1
	is "$_leak" 0 "$2"
}

# -- the refusal: a row no key opens -----------------------------------------
snap before
o=$("$FERNCON" rotate-fernet-key 2>"$T/err"); rc=$?; e=$(cat "$T/err")
is "$rc" 1 "rotate refuses while a value opens with no key: exit 1"
contains "$o" "connection.password of 'legacy_reporting_db'" "the preflight names the row"
contains "$e" "refusing to rotate: 2 values open with no key of [core] fernet_key" "and says why on stderr (password and extra of that row)"
contains "$e" "--skip-undecryptable" "and how to go on"
contains "$o" "key 2" "the preflight counts per key"
contains "$o" "trigger rows in plain JSON" "and reports the plain-JSON trigger row"
is "$(FERNET_KEY="$new,$old" oracle check-unchanged "$T/before.json" "$db")" "ok unchanged $(
	"$PYTHON3" -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$T/before.json")" \
	"the refusal changed nothing"
no_secret "$o$e" "no key or password in the preflight and refusal"

# -- dry run -----------------------------------------------------------------
o=$("$FERNCON" rotate-fernet-key --dry-run --skip-undecryptable 2>&1); rc=$?
is "$rc" 0 "--dry-run exits 0"
contains "$o" "dry run:" "and says it is one"
contains "$o" "nothing was changed" "and that nothing changed"
is "$(FERNET_KEY="$new,$old" oracle check-unchanged "$T/before.json" "$db" | cut -c1-12)" "ok unchanged" \
	"--dry-run changed nothing"

# -- roles -------------------------------------------------------------------
o=$("$FERNCON" --as-role Op rotate-fernet-key 2>&1); rc=$?
is "$rc" 1 "an Op may not rotate: exit 1"
contains "$o" "may not" "with the role's refusal"
o=$("$FERNCON" --as-role Op encrypt-plaintext 2>&1); rc=$?
is "$rc" 1 "an Op may not encrypt plaintext"
o=$(printf '%s\n' "$lost" | "$FERNCON" --as-role Viewer key probe 2>&1); rc=$?
is "$rc" 1 "a Viewer may not probe keys"

# -- rotate --skip-undecryptable ---------------------------------------------
o=$("$FERNCON" rotate-fernet-key --skip-undecryptable 2>"$T/err"); rc=$?; e=$(cat "$T/err")
is "$rc" 0 "rotate --skip-undecryptable exits 0"
is "$e" "" "nothing on stderr when it is not a terminal (no progress line)"
contains "$o" "rotated " "a summary on stdout"
contains "$o" "left as they are (no key opens them):" "the skipped rows are reported"
contains "$o" "connection.password of 'legacy_reporting_db'" "by name"
contains "$o" "verify:" "the verify pass reports"
vline=$(printf '%s\n' "$o" | grep '^verify:')
n_ok=$(printf '%s\n' "$vline" | awk '{print $2}')
n_rot=$(printf '%s\n' "$o" | sed -n 's/^rotated \([0-9]*\) values.*/\1/p')
ok "every rotated value ($n_rot) opens with key 1 alone ($vline)" test "$n_ok" = "$n_rot" -a "$n_ok" -gt 0
contains "$vline" "the 2 left as they are still open with no key" "the verify line accounts for the skipped values"
r=$(FERNET_KEY="$new,$old" oracle check-rotated "$T/before.json" "$db")
contains "$r" "ok rotated" "Python: same plaintexts and timestamps, new tokens under the new key alone, flags and other rows unchanged"
printf '# %s\n' "$r"
ts_old=$(FERNET_KEY="$new,$old" "$PYTHON3" -c 'import json,sys
b = json.load(open(sys.argv[1]))
print(sum(1 for v in b.values() if v["key"] == 1))' "$T/before.json")
ok "the old-key rows ($ts_old) are among them" test "$ts_old" -gt 0
no_secret "$o" "no key or password in the rotation summary"
log=$(cat "$AIRFLOW_HOME/ferncon-actions.log" 2>/dev/null)
contains "$log" '"rotate-fernet-key"' "the rotation is in the action log"
no_secret "$log" "and the log holds no secret"
o=$("$FERNCON" key status 2>&1)
contains "$o" "key 2:       0 values" "key status: nothing is left under the old key"

# A second run: everything is under key 1 already and is rotated again.
snap before2
o=$("$FERNCON" rotate-fernet-key --skip-undecryptable 2>&1); rc=$?
is "$rc" 0 "a rerun completes"
r=$(FERNET_KEY="$new" oracle check-rotated "$T/before2.json" "$db")
contains "$r" "ok rotated" "Python: a rerun rotates again, keeping plaintexts and timestamps"

# -- encrypt-plaintext -------------------------------------------------------
snap before3
o=$("$FERNCON" encrypt-plaintext --dry-run 2>&1); rc=$?
is "$rc" 0 "encrypt-plaintext --dry-run exits 0"
want=$("$PYTHON3" -c 'import json,sys
b = json.load(open(sys.argv[1]))
print(sum(1 for v in b.values() if v["field"] != "trigger.kwargs" and not v["flag"] and v["raw"] is not None and (v["raw"] != "" or v["field"] == "variable.val")))' "$T/before3.json")
contains "$o" "dry run: $want plaintext value" "and counts the $want plaintext values"
is "$(FERNET_KEY="$new" oracle check-unchanged "$T/before3.json" "$db" | cut -c1-12)" "ok unchanged" \
	"and changes nothing"
START=$(date +%s); export START
o=$("$FERNCON" encrypt-plaintext 2>"$T/err"); rc=$?
is "$rc" 0 "encrypt-plaintext exits 0"
contains "$o" "encrypted $want values" "and says how many"
r=$(FERNET_KEY="$new" oracle check-encrypted "$T/before3.json" "$db")
contains "$r" "ok encrypted $want" "Python: each has its flag set and opens with the new key to the old text; nothing else changed"
printf '# %s\n' "$r"
no_secret "$o$(cat "$T/err")" "no key or password in its output"
o=$("$FERNCON" key status 2>&1)
contains "$o" "plaintext:   0 values" "key status: no plaintext value is left"
contains "$o" "plain JSON:  1 trigger rows" "and the plain-JSON trigger row is still reported"

# -- key status: ages --------------------------------------------------------
# Token times are kept by a rotation: the rows written under the old key 400
# days ago are still that old.
stale=$("$PYTHON3" -c 'import json,sys,time
b = json.load(open(sys.argv[1])); cut = time.time() - 90 * 86400
print(sum(1 for v in b.values() if v["key"] is not None and v["ts"] < cut))' "$T/before3.json")
contains "$o" "older than 90 days: $stale values" "key status: $stale values have tokens older than rotation_max_age_days"
o=$(AIRFLOW__CONSOLE__ROTATION_MAX_AGE_DAYS=100000 "$FERNCON" key status 2>&1)
contains "$o" "older than 100000 days: 0 values" "[console] rotation_max_age_days is honoured"

# -- key probe ---------------------------------------------------------------
o=$(printf '# candidates\n%s\n\n%s\n' "$old" "$lost" | "$FERNCON" key probe 2>&1); rc=$?
is "$rc" 0 "key probe exits 0 when a candidate opens every lost value"
contains "$o" "no configured key opens: 2 values (connection.password 1, connection.extra 1)" "it counts the values no configured key opens"
contains "$o" "candidate 2 (line 4): opens 2 values" "and names the candidate that opens them, by line"
contains "$o" "connection.password of 'legacy_reporting_db' (id" "and the row"
no_secret "$o" "no key in the probe's output"
printf '%s\n' "$new" > "$T/cands"
o=$("$FERNCON" key probe --from "$T/cands" 2>&1); rc=$?
is "$rc" 1 "key probe --from FILE exits 1 when the values stay unopened"
contains "$o" "still unopened: 2 values" "and says so"
# Issue 15: a malformed line is skipped with a warning naming its line.
printf 'not-a-key\n%s\n' "$lost" > "$T/cands"
o=$("$FERNCON" key probe --from "$T/cands" 2>&1); rc=$?
is "$rc" 0 "key probe skips a malformed candidate and goes on"
contains "$o" "ferncon: warning: candidate key on line 1 is not a Fernet key (32 url-safe base64-encoded bytes); skipped" \
	"with a warning naming its line"
contains "$o" "candidate 1 (line 2): opens 2 values" "the next line is probed"
lacks "$o" "not-a-key" "the malformed line's text is not echoed"
printf 'bad1\nbad2\n' > "$T/cands"
o=$("$FERNCON" key probe --from "$T/cands" 2>&1); rc=$?
is "$rc" 2 "no well-formed candidate at all: exit 2"
contains "$o" "candidate key on line 2 is not a Fernet key" "each line is named"
o=$("$FERNCON" key probe "$lost" 2>&1); rc=$?
is "$rc" 2 "a candidate key in argv is refused"
lacks "$o" "$lost" "and not echoed"

# -- the undecryptable row can be fixed: add the found key, rotate -----------
o=$(AIRFLOW__CORE__FERNET_KEY="$new,$lost" "$FERNCON" rotate-fernet-key 2>&1); rc=$?
is "$rc" 0 "with the found key in the ring the rotation goes through without --skip"
# Issue 15: on a terminal the progress line has the console bar's words
# (phase, rows done of total, rows/s, ETA); the summary gives rows/s too.
script -qec "AIRFLOW__CORE__FERNET_KEY='$new,$lost' '$FERNCON' rotate-fernet-key" /dev/null \
	</dev/null > "$T/tty.out" 2>&1
o=$(tr '\r' '\n' < "$T/tty.out")
contains "$o" " rows (100%), " "the progress line: rows done of total (percent)"
ok "then the rate in rows/s and the ETA" eval 'printf "%s\n" "$o" | grep -Eq "^(.\[K)?rotate: [0-9]+ of [0-9]+ rows \(100%\), [0-9]+ rows/s, ETA "'
ok "the summary gives rows read and rows/s" eval 'printf "%s\n" "$o" | grep -Eq "rotated [0-9]+ values in [0-9.]+ s \([0-9]+ rows read, [0-9]+ rows/s; commit"'

# -- an empty key ------------------------------------------------------------
snap before4
o=$(AIRFLOW__CORE__FERNET_KEY= "$FERNCON" rotate-fernet-key 2>&1); rc=$?
is "$rc" 2 "an empty fernet_key: rotate exits 2"
contains "$o" "encryption is off" "with a clear message"
o=$(AIRFLOW__CORE__FERNET_KEY= "$FERNCON" encrypt-plaintext 2>&1); rc=$?
is "$rc" 2 "an empty fernet_key: encrypt-plaintext exits 2"
contains "$o" "encryption is off" "with a clear message"

# -- another process holds the write lock ------------------------------------
# hold_lock WRITE: Python, as another Airflow process, takes the lock and
# keeps its transaction open until the file $T/release appears (at most
# 2 min), then commits; with WRITE it first writes a variable. On SQLite
# the lock is the DB's write lock (BEGIN IMMEDIATE); on PostgreSQL an
# EXCLUSIVE lock on `variable`, which reads pass but the rotation's FOR
# UPDATE of variable rows waits for (after it has done the connections).
# Sets $holder; returns once the lock is held.
hold_lock() {
	rm -f "$T/locked" "$T/release"
	TOP_SRCDIR=$top_srcdir "$PYTHON3" - "$db" "$T/locked" "$T/release" "$1" <<'PY' &
import os, sqlite3, sys, time
write = """INSERT INTO variable ("key", val, is_encrypted) VALUES ('written_while_locked', 'x', %s)"""
if sys.argv[1] == "-" and os.environ["AIRFLOW_DB_URL"].startswith("mysql"):
    # Every variable row and the gap after it, as an Airflow write holds
    # them: reads pass, the rotation's FOR UPDATE waits.
    sys.path.insert(0, os.environ["TOP_SRCDIR"] + "/tests")
    from airflow_db import MyDB
    db = MyDB(os.environ["AIRFLOW_DB_URL"])
    if sys.argv[4] == "write":
        db.execute(write % "0")
    db.execute("SELECT id FROM variable FOR UPDATE").fetchall()
elif sys.argv[1] == "-":
    import psycopg2
    db = psycopg2.connect("postgresql://" + os.environ["AIRFLOW_DB_URL"].split("://", 1)[1],
                          application_name="ferncon_test_holder")
    if sys.argv[4] == "write":
        db.cursor().execute(write % "false")
    db.cursor().execute("LOCK TABLE variable IN EXCLUSIVE MODE")
else:
    db = sqlite3.connect(sys.argv[1], isolation_level=None)
    db.execute("BEGIN IMMEDIATE")
    if sys.argv[4] == "write":
        db.execute(write % "0")
# The file says the lock is held; on MySQL it holds the holder's session id.
with open(sys.argv[2], "w") as f:
    if sys.argv[1] == "-" and os.environ["AIRFLOW_DB_URL"].startswith("mysql"):
        f.write("%d\n" % db.execute("SELECT CONNECTION_ID()").fetchone()[0])
end = time.time() + 120
while not os.path.exists(sys.argv[3]) and time.time() < end:
    time.sleep(0.05)
if sys.argv[1] == "-":
    db.commit()
else:
    db.execute("COMMIT")
PY
	holder=$!
	while [ ! -f "$T/locked" ] && kill -0 "$holder" 2>/dev/null; do sleep 0.05; done
}
release_lock() { : > "$T/release"; wait "$holder"; }
# ferncon waits its 5 s busy timeout (lock_timeout), fails with one clear
# line and changes nothing; Python's write survives.
hold_lock write
t0=$(date +%s)
o=$("$FERNCON" rotate-fernet-key 2>&1); rc=$?
t1=$(date +%s)
release_lock
is "$rc" 3 "the DB locked by another process: exit 3"
contains "$o" "is locked" "with a clear message"
contains "$o" "nothing was changed" "that says nothing changed"
ok "after waiting the busy timeout ($((t1 - t0)) s)" test $((t1 - t0)) -ge 4
if [ "$backend" = postgresql ]; then
	n=$(pg_sql "SELECT count(*) FROM variable WHERE key = 'written_while_locked'")
	pg_sql "DELETE FROM variable WHERE key = 'written_while_locked'"
elif [ "$backend" = mysql ]; then
	n=$(my_sql "SELECT count(*) FROM variable WHERE \`key\` = 'written_while_locked'")
	my_sql "DELETE FROM variable WHERE \`key\` = 'written_while_locked'"
else
n=$("$PYTHON3" -c 'import sqlite3,sys
db = sqlite3.connect(sys.argv[1])
print(db.execute("select count(*) from variable where key = ?", ("written_while_locked",)).fetchone()[0])
db.execute("delete from variable where key = ?", ("written_while_locked",)); db.commit()' "$db")
fi
is "$n" 1 "Python's write under the lock committed"
r=$(FERNET_KEY="$new,$lost" oracle check-unchanged "$T/before4.json" "$db" | cut -c1-12)
is "$r" "ok unchanged" "and nothing else changed"

# -- PostgreSQL: the session killed in the middle of the transaction ---------
# While the rotation waits for the lock (it has done the connections: it
# holds a transaction id), its session is ended; the test ends it the
# moment the server shows it waiting, well within lock_timeout.
if [ "$backend" = postgresql ]; then
hold_lock
"$FERNCON" rotate-fernet-key > "$T/kill.out" 2>&1 &
job=$!
w=0; n=0
while [ $w -lt 1500 ]; do
	n=$(pg_sql "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
	    WHERE application_name = 'ferncon' AND backend_xid IS NOT NULL
	    AND wait_event_type = 'Lock'")
	[ "$n" = 1 ] && break
	sleep 0.02
	w=$((w + 1))
done
wait "$job"; rc=$?
release_lock
o=$(cat "$T/kill.out")
is "$n" 1 "the rotation, inside its transaction and waiting for the lock, has its session ended"
is "$rc" 3 "the session killed mid-rotation: exit 3"
contains "$o" "lost the connection to PostgreSQL at $PG_HOST:$PG_PORT/$PG_DB" "with the 'lost the connection' message"
lacks "$o" "$PG_PASSWORD" "that holds no password"
r=$(FERNET_KEY="$new,$lost" oracle check-unchanged "$T/before4.json" "$db" | cut -c1-12)
is "$r" "ok unchanged" "and not one value changed: the transaction rolled back whole"
elif [ "$backend" = mysql ]; then
# The same on MySQL: KILL of the session that waits for the holder's lock.
# The watcher (one admin session) is connected and polling before ferncon
# starts, so nothing is missed however fast the rotation reaches the lock.
# It takes for the rotation the one session that InnoDB shows blocked by
# the holder's session (INNODB_LOCK_WAITS), and checks in PROCESSLIST that
# it is the `airflow` user's and that its statement is the rotation's
# locking read; it kills it at once (KILL, as a DBA would), well within
# the 5 s lock wait, and writes what it did to $T/watch.out. When it finds
# no such session, it writes what the server showed instead; any error of
# its own is in $T/watch.err; both are shown below as TAP comments.
# It polls every 0.25 s, not faster (see the comment in the loop).
hold_lock
rm -f "$T/watch.ready" "$T/watch.stop" "$T/watch.out"
"$PYTHON3" - "$(cat "$T/locked")" "$T/watch.ready" "$T/watch.stop" \
    > "$T/watch.out" 2> "$T/watch.err" <<'PY' &
import os, sys, time
import pymysql
holder = int(sys.argv[1])
c = pymysql.connect(user="root", password=os.environ["MY_ADMIN_PASSWORD"],
                    unix_socket=os.environ["MY_SOCKET"], autocommit=True)
cur = c.cursor()
open(sys.argv[2], "w").close()
blocked = ("SELECT r.trx_mysql_thread_id, p.USER, p.INFO, p.TIME_MS"
           " FROM information_schema.INNODB_LOCK_WAITS w"
           " JOIN information_schema.INNODB_TRX r ON r.trx_id = w.requesting_trx_id"
           " JOIN information_schema.INNODB_TRX b ON b.trx_id = w.blocking_trx_id"
           " JOIN information_schema.PROCESSLIST p ON p.ID = r.trx_mysql_thread_id"
           " WHERE b.trx_mysql_thread_id = %d AND r.trx_state = 'LOCK WAIT'"
           " AND p.ID <> CONNECTION_ID()" % holder)
end = time.time() + 60
while time.time() < end and not os.path.exists(sys.argv[3]):
    cur.execute(blocked)
    rows = cur.fetchall()
    if rows:
        tid, user, info, ms = rows[0]
        if len(rows) != 1 or user != os.environ["MY_USER"] or \
                not (info or "").rstrip().endswith("FOR UPDATE"):
            sys.exit("not the rotation's session: %r" % (rows,))
        cur.execute("KILL %d" % tid)
        print("killed %d after %d ms waiting in: ...%s" % (tid, int(ms), info[-50:]))
        sys.exit(0)
    # InnoDB serves INNODB_TRX and INNODB_LOCK_WAITS from a snapshot it
    # renews only when they were not read for 100 ms: polled every 10 ms,
    # MariaDB 10.11 showed the first snapshot (no waiting session) until
    # the rotation had given up (the CI failure of checks 73 and 75).
    time.sleep(0.25)
cur.execute("SELECT ID, USER, COMMAND, STATE, LEFT(INFO, 80), TIME_MS"
            " FROM information_schema.PROCESSLIST")
print("found none waiting on session %d; PROCESSLIST %r" % (holder, cur.fetchall()))
cur.execute("SELECT trx_mysql_thread_id, trx_state, LEFT(trx_query, 80)"
            " FROM information_schema.INNODB_TRX")
print("INNODB_TRX %r" % (cur.fetchall(),))
sys.exit(1)
PY
watch=$!
while [ ! -f "$T/watch.ready" ] && kill -0 "$watch" 2>/dev/null; do sleep 0.02; done
"$FERNCON" rotate-fernet-key > "$T/kill.out" 2>&1 &
job=$!
wait "$job"; rc=$?
: > "$T/watch.stop"
wait "$watch"; wrc=$?
release_lock
o=$(cat "$T/kill.out")
sed 's/^/# watcher: /' "$T/watch.out" "$T/watch.err"
ok "the rotation, inside its transaction and waiting for the lock, has its session killed" \
	eval '[ "$wrc" = 0 ] && grep -q "^killed .* FOR UPDATE" "$T/watch.out"'
is "$rc" 3 "the session killed mid-rotation: exit 3"
contains "$o" "lost the connection to MySQL at $MY_HOST:$MY_PORT/$MY_DB" "with the 'lost the connection' message"
lacks "$o" "$MY_PASSWORD" "that holds no password"
r=$(FERNET_KEY="$new,$lost" oracle check-unchanged "$T/before4.json" "$db" | cut -c1-12)
is "$r" "ok unchanged" "and not one value changed: the transaction rolled back whole"
fi

# -- a read-only DB ----------------------------------------------------------
if [ "$backend" = postgresql ]; then
	# A user who may only read.
	pg_admin "CREATE ROLE ferncon_ro LOGIN PASSWORD 'ro-pw'"
	pg_sql "GRANT SELECT ON ALL TABLES IN SCHEMA public TO ferncon_ro"
	ro="postgresql://ferncon_ro:ro-pw@$PG_HOST:$PG_PORT/$PG_DB"
	asuser() { env AIRFLOW__DATABASE__SQL_ALCHEMY_CONN="$ro" "$@"; }
	ro_ferncon="$FERNCON"
elif [ "$backend" = mysql ]; then
	my_admin "CREATE USER 'ferncon_ro'@'%' IDENTIFIED BY 'ro-pw'; GRANT SELECT ON airflow.* TO 'ferncon_ro'@'%'"
	ro="mysql://ferncon_ro:ro-pw@$MY_HOST:$MY_PORT/$MY_DB"
	asuser() { env AIRFLOW__DATABASE__SQL_ALCHEMY_CONN="$ro" "$@"; }
	ro_ferncon="$FERNCON"
elif [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null 2>&1; then
	chmod 755 "$T" "$AIRFLOW_HOME"; chmod 644 "$db" "$AIRFLOW_HOME/airflow.cfg"
	asuser() { setpriv --reuid=nobody --regid=nogroup --clear-groups env "$@"; }
	# nobody may not reach the build tree (a clone under a 0700 dir): use a copy
	cp "$FERNCON" "$T/ferncon-ro" && chmod 755 "$T/ferncon-ro"
	ro_ferncon="$T/ferncon-ro"
else
	chmod 555 "$AIRFLOW_HOME"; chmod 444 "$db"
	asuser() { env "$@"; }
	ro_ferncon="$FERNCON"
fi
snap before5
o=$(asuser AIRFLOW_HOME="$AIRFLOW_HOME" "$ro_ferncon" rotate-fernet-key 2>&1); rc=$?
is "$rc" 1 "a read-only DB: rotate exits 1"
contains "$o" "read-only" "and says the DB is read-only"
o=$(asuser AIRFLOW_HOME="$AIRFLOW_HOME" "$ro_ferncon" rotate-fernet-key --dry-run --skip-undecryptable 2>&1); rc=$?
is "$rc" 0 "a read-only DB: --dry-run still works"
r=$(FERNET_KEY="$new" oracle check-unchanged "$T/before5.json" "$db" | cut -c1-12)
is "$r" "ok unchanged" "the read-only DB is unchanged"
[ "$backend" != sqlite ] || { chmod 700 "$AIRFLOW_HOME"; chmod 600 "$db"; }
done_testing

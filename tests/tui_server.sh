#!/bin/sh
# tui_server.sh: the console on a server metadata DB, PostgreSQL (tui_pg.sh:
# issue 7, it must work as on SQLite) or MySQL (tui_my.sh), through tmux,
# against a throwaway server (tests/pg_server.sh with an ICU collation,
# tests/my_server.sh with utf8mb4_unicode_ci: neither orders conn_id in
# byte order) that Python wrote the way Airflow writes it (tests/airflow_db.py
# through psycopg2 or PyMySQL). FERNCON_TEST_BACKEND names the server.
# Every result is read back by Python: the first screen is in Python's byte
# order of conn_id (not the server's collation), the status line names the
# DB as user@host:port/db without its password and counts plaintext and
# undecryptable values as Python does; detail masked, reveal as Admin; a
# password re-typed in the edit form, an add and a delete are seen by Python
# (a token of key 0, is_encrypted true); the rotation screen, after which
# every value opens with the new key alone with its time kept; the audit
# screen counts as `ferncon audit --format json --min-severity info` (the
# console lists info findings too); a Viewer sees no password and may not
# rotate or edit. Then a DBA ends the console's sessions
# (pg_terminate_backend, KILL): the next action reconnects and an edit is
# saved. On PostgreSQL, the server also stops under the console: the next
# action says in one message that the connection is lost, nothing is written
# over the screen (libpq's notices on stderr would be), q restores the
# terminal; a search then says on the list that it failed (never "no
# connection matches"), after the next key too. With the server started
# again, at 80x24: the status line keeps user@host and the db at 80, 100
# and 120 columns without wrapping or overlapping the counts; a page read
# (End) and a search on the filter's own session fail on the list in place
# of the rows, and once the server is back Enter reads them again and End
# works. No capture shows the DB password; only the reveal shows a demo
# password.
#
# Both: the tmux server and the DB server go at exit.
: "${top_srcdir:=.}"
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/tui_lib.sh"
backend=${FERNCON_TEST_BACKEND:-postgresql}
if [ "$backend" = mysql ]; then
	. "$top_srcdir/tests/my_server.sh"
	my_start_or_skip
	trap 'tm kill-server >/dev/null 2>&1; _my_exit' EXIT
	plan 62
	DBMS=MySQL; SRV_URL=$MY_URL; SRV_HOST=$MY_HOST; SRV_PORT=$MY_PORT
	SRV_PASSWORD=$MY_PASSWORD; SRV_ADMIN_PASSWORD=$MY_ADMIN_PASSWORD
	collation=utf8mb4_unicode_ci; schema=my-3.2
	is_true=1; is_true_said="is_encrypted is 1 (BOOL on MySQL)"
	db_sql() { my_sql "$@"; }
	# ferncon's sessions as the server sees them, and a DBA ending them.
	backends() { my_admin "SELECT count(*) FROM information_schema.PROCESSLIST WHERE USER = 'airflow'"; }
	end_sessions() {
		for id in $(my_admin "SELECT ID FROM information_schema.PROCESSLIST WHERE USER = 'airflow'"); do
			my_admin "KILL $id"
		done
	}
	ender=KILL
else
	. "$top_srcdir/tests/pg_server.sh"
	pg_start_or_skip
	trap 'tm kill-server >/dev/null 2>&1; _pg_exit' EXIT
	plan 98
	DBMS=PostgreSQL; SRV_URL=$PG_URL; SRV_HOST=$PG_HOST; SRV_PORT=$PG_PORT
	SRV_PASSWORD=$PG_PASSWORD; SRV_ADMIN_PASSWORD=$PG_ADMIN_PASSWORD
	collation="an ICU collation"; schema=pg-3.2
	is_true=t; is_true_said="is_encrypted is true (a boolean on PostgreSQL)"
	db_sql() { pg_sql "$@"; }
	backends() { pg_admin "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'ferncon'"; }
	end_sessions() {
		pg_admin "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
		    WHERE application_name = 'ferncon'" >/dev/null
	}
	ender=pg_terminate_backend
fi

TUI_WAIT=30
new=$(py_key); old=$(py_key); lost=$(py_key)
AIRFLOW_DB_URL=$SRV_URL; export AIRFLOW_DB_URL
tool() { "$PYTHON3" "$top_srcdir/tests/airflow_db.py" "$@"; }
# conn_ids that sort one way in bytes and another in the DB's collation.
cat > "$T/more.json" <<'JSON'
[
 {"conn_id": "AWS_main", "conn_type": "aws", "description": "upper case"},
 {"conn_id": "Beta-api", "conn_type": "http", "host": "beta.demo.internal",
  "login": "beta", "password": "Beta-pw-4471!x"},
 {"conn_id": "Zeta_ops", "conn_type": "http", "host": "zeta.demo.internal"},
 {"conn_id": "aws-zz", "conn_type": "aws"},
 {"conn_id": "_scratch", "conn_type": "generic", "password": "Scr4tch-pw-0099"}
]
JSON
FERNET_KEY="$new,$old" tool create - --schema "$top_srcdir/data/schema-$schema.sql"
FERNET_KEY="$new" DEMO_OLD_KEY="$old" DEMO_LOST_KEY="$lost" \
	tool fill - --connections "$top_srcdir/data/demo-connections.json" \
	--variables "$top_srcdir/data/demo-variables.json" --triggers 3 2>/dev/null
FERNET_KEY="$new" tool fill - --connections "$T/more.json" 2>/dev/null
# airflow.cfg interpolates "%": the URL-encoded password needs "%%" there.
printf '[core]\nfernet_key = %s\n\n[database]\nsql_alchemy_conn = %s\n' "$new,$old" \
    "$(printf '%s' "$SRV_URL" | sed 's/%/%%/g')" > "$AIRFLOW_HOME/airflow.cfg"
actions="$AIRFLOW_HOME/ferncon-actions.log"

# Python's view of the DB: tests/tui_oracle.py (ids, counts, snapshot,
# check-rotated; keys from FERNET_KEY only).
oracle() { top_srcdir=$top_srcdir "$PYTHON3" "$top_srcdir/tests/tui_oracle.py" "$@"; }
# "encrypted key_index" of a connection's password as Python reads it.
tokinfo() { FERNET_KEY=$1 tool token-info - "$2" password |
	"$PYTHON3" -c 'import json,sys; i = json.load(sys.stdin); print(i["encrypted"], i.get("key_index"))'; }
field() { FERNET_KEY=$1 tool dump - | grep "\"conn_id\": \"$2\"" |
	"$PYTHON3" -c 'import json,sys; r = json.load(sys.stdin); print(r[sys.argv[1]])' "$3"; }

# What must never be on a screen: the DB's passwords, and every password
# of the demo and of the extra rows (the reveal's screens go to their own
# log, checked for the DB's passwords only).
tui_demo_passwords > "$T/passwords"
printf '%s\n' 'Beta-pw-4471!x' 'Scr4tch-pw-0099' 'Pg-t3sted-N3w!pw' >> "$T/passwords"
printf '%s\n' "${SRV_PASSWORD%%@*}" "$SRV_ADMIN_PASSWORD" > "$T/db-passwords"
pw_hex=${SRV_PASSWORD%%@*}

roles='alice:Admin, carol:Viewer'
run() {	# run USER [REDIRECT]: the console as USER on the server's DB
	tui_run "clear; AIRFLOW__CONSOLE__ROLES='$(roles_as "$1" "$roles")' TERM=tmux-256color '$FERNCON' --config '$AIRFLOW_HOME/airflow.cfg' ${2:-}"
}
# The conn_ids on the screen (rows 4 to 28 of 30: the list's 25 rows).
page=25
shown() { tm capture-pane -p -t t | tee -a "$TUI_LOG" |
	awk -v n=$page 'NR >= 4 && NR < 4 + n { s = substr($0, 4); sub(/ .*/, "", s); if (s != "") print s }' |
	tr '\n' ' '; }
tui_start 120 30

# -- the list: byte order, the status line -----------------------------------
oracle ids > "$T/ids"
db_sql "SELECT conn_id FROM connection ORDER BY conn_id LIMIT $page" | tr '\n' ' ' > "$T/collated"
want=$(sed -n "1,${page}p" "$T/ids" | tr '\n' ' ')
ok "the server's own ORDER BY conn_id differs from byte order ($collation)" \
	test "$(cat "$T/collated")" != "$want"
run alice
ok "Admin opens the console on $DBMS" tui_wait 'Connections  by conn_id'
tui_is_shown "$want" "the first screen is the first $page conn_ids in Python's byte order"
ok "the status line names the $DBMS DB as user@host:port/db" \
	tui_wait "$ME Admin  2 keys  airflow@$SRV_HOST:$SRV_PORT/airflow"
counts=$(FERNET_KEY="$new,$old" oracle counts)
np=$(echo "$counts" | cut -d' ' -f2); nu=$(echo "$counts" | cut -d' ' -f4)
nconn=$(tool count -)
ok "and counts what Python counts: $np plaintext, $nu undecryptable, $nconn conns" \
	tui_wait "plaintext $np  undecryptable $nu  $nconn conns"

tui_keys /
tui_type legacy_rep
tui_keys Enter
ok "the row that no key opens is marked undecryptable" tui_until eval \
	'tm capture-pane -p -t t | grep -q "^ ! legacy_reporting_db .* undecryptable"'

# -- detail and reveal -------------------------------------------------------
tui_keys / C-u
tui_type warehouse_pg
tui_keys Enter Enter
ok "Enter opens a connection read from $DBMS" tui_wait 'Connection warehouse_pg'
ok "its password masked" tui_wait 'password       ***'
ok "its extra as indented JSON" tui_wait '    "sslmode": "require"'
main_log=$TUI_LOG
TUI_LOG="$T/reveal.log"
tui_keys r
ok "r reveals as Admin" tui_wait 'Wh-demo-2024!Pass'
tui_keys j
ok "the next key hides it again" tui_wait_gone 'Wh-demo-2024!Pass'
TUI_LOG=$main_log
contains "$(cat "$actions" 2>/dev/null)" '"action":"reveal","conn_id":"warehouse_pg"' \
	"the reveal is in the action log"

# -- edit: a password re-typed twice -----------------------------------------
tui_keys Escape /
tui_keys C-u
tui_type ftp_arch
tui_keys Enter
tui_wait 'filter: ftp_arch' >/dev/null
is "$(tokinfo "$new,$old" ftp_archive)" "False None" "ftp_archive's password is plain text in $DBMS"
tui_keys e
ok "e opens the edit form" tui_wait 'Edit connection ftp_archive'
tui_keys Tab Tab Tab Tab Tab
tui_type 'Pg-t3sted-N3w!pw'
tui_keys Tab
tui_type 'Pg-t3sted-N3w!pw'
tui_keys F2
ok "the password typed twice is saved" tui_wait 'Successfully updated `conn_id`=ftp_archive'
is "$(field "$new" ftp_archive password)" 'Pg-t3sted-N3w!pw' \
	"Python decrypts the new password from $DBMS with key 0 alone"
is "$(tokinfo "$new,$old" ftp_archive)" "True 0" "a token of key 0"
is "$(db_sql "SELECT is_encrypted FROM connection WHERE conn_id = 'ftp_archive'")" "$is_true" \
	"$is_true_said"

# -- add and delete ----------------------------------------------------------
tui_keys a
ok "a opens the add form" tui_wait 'Add a connection'
tui_type 'postgresql://bob:s3cr%40t@db.example.com:6543/sales?sslmode=require'
tui_keys Tab
tui_wait 'filled from the URI' >/dev/null
tui_type 'added_on_pg'
tui_keys F2
ok "a connection is added from a URI" tui_wait 'Successfully added `conn_id`=added_on_pg'
is "$(FERNET_KEY="$new" tool dump - | grep '"conn_id": "added_on_pg"' |
	"$PYTHON3" -c 'import json,sys; r = json.load(sys.stdin); print(r["conn_type"], r["host"], r["port"], r["login"], r["password"], r["extra"], r["is_encrypted"])')" \
	'postgres db.example.com 6543 bob s3cr@t {"sslmode": "require"} 1' \
	"Python reads it from $DBMS, every field, the password under key 0"
tui_keys / C-u
tui_type added_on
tui_keys Enter
tui_wait 'filter: added_on' >/dev/null
tui_keys d
ok "d asks first" tui_wait "Delete connection 'added_on_pg'?"
tui_keys y
ok "y deletes it" tui_wait 'Successfully deleted connection with `conn_id`=added_on_pg'
is "$(db_sql "SELECT count(*) FROM connection WHERE conn_id = 'added_on_pg'")" 0 \
	"it is gone from $DBMS"
is "$(tool count -)" "$nconn" "and the table has its $nconn rows again"
tui_keys Escape
tui_wait_gone 'filter: added_on' >/dev/null

# -- rotation ----------------------------------------------------------------
FERNET_KEY="$new,$old" oracle snapshot "$T/before.json"
tui_keys R
ok "R shows the preflight per field and key" tui_wait 'connection.password'
ok "naming the row no key opens" \
	tui_wait "connection.password of 'legacy_reporting_db'"
tui_keys Enter
ok "Enter is refused while a row no key opens" tui_wait 'rotation refused: '
tui_keys s
ok "s chooses skip undecryptable" tui_wait 'skip undecryptable: ON'
tui_keys Enter
tui_wait 'type it here:' >/dev/null
tui_type rotate
tui_keys Enter
ok "typing rotate runs it to the commit" tui_wait 'rotation committed'
ok "the verify pass is OK" tui_wait 'verify OK'
ok "the skipped row is named" \
	tui_wait "skipped: connection.password of 'legacy_reporting_db'"
contains "$(FERNET_KEY="$new" oracle check-rotated "$T/before.json")" "ok " \
	"every value opens with the new key alone, same text, same time (Python)"
is "$(FERNET_KEY="$old" tool token-info - warehouse_pg_replica password |
	"$PYTHON3" -c 'import json,sys; print(json.load(sys.stdin)["key_index"])')" None \
	"the old key opens no rotated row"
is "$(grep -c '"action":"rotate"' "$actions")" 1 "one rotate line in the action log"
tui_keys Escape

# -- audit -------------------------------------------------------------------
# The console counts as `ferncon audit` does by default (issue 15).
"$FERNCON" audit --format json > "$T/audit.json" 2>/dev/null
sum=$("$PYTHON3" -c 'import json,sys
s = json.load(open(sys.argv[1]))["summary"]
print("%d finding%s (%d critical, %d high, %d medium, %d low%s) in %d of %d connections; minimum severity shown: low" % (
    s["findings"], "" if s["findings"] == 1 else "s", s["critical"], s["high"], s["medium"],
    s["low"], ", %d info" % s["info"] if s["info"] else "", s["connections_with_findings"],
    s["connections"]))
for sev in ("critical", "high", "medium", "low"):
    print("%s (%d)" % (sev, s[sev]))' "$T/audit.json")
tui_keys A
ok "A shows the audit of the $DBMS DB" tui_wait 'Audit: findings by severity'
ok "the counts of 'ferncon audit --format json' and the minimum severity" \
	tui_wait "$(echo "$sum" | head -n 1)"
ok "grouped by severity, critical first, with its count" \
	tui_wait "$(echo "$sum" | sed -n 2p)"
ok "then high" tui_wait "$(echo "$sum" | sed -n 3p)"
ok "evidence redacted" tui_wait 'AKIA... [20 chars]'
tui_keys Escape q
ok "q quits (exit 0)" tui_wait 'EXIT=0'
is "$(tui_alternate)" 0 "the terminal is restored"
ok "no screen of Admin showed a demo password (but the reveal)" \
	tui_no_password_in "$TUI_LOG" "$T/passwords"

# -- Viewer ------------------------------------------------------------------
TUI_LOG="$T/viewer.log"
run carol
ok "Viewer opens the console on $DBMS" tui_wait "$ME Viewer"
tui_keys R
ok "R is refused, with the reason" \
	tui_wait "role Viewer ($ME) may not rotate the Fernet key"
tui_keys /
tui_type warehouse_pg
tui_keys Enter
tui_wait 'filter: warehouse_pg' >/dev/null
tui_keys e
ok "e is refused" tui_wait 'may not edit connections'
tui_keys Enter
ok "Viewer opens a connection" tui_wait 'Connection warehouse_pg'
ok "its password masked" tui_wait 'password       ***'
tui_keys r
ok "r is refused" tui_wait "role Viewer ($ME) may not reveal passwords"
tui_keys q
tui_wait 'EXIT=0' >/dev/null
ok "no screen of Viewer showed a password" tui_no_password_in "$T/viewer.log" "$T/passwords"
is "$(FERNET_KEY="$new" tool token-info - warehouse_pg password |
	"$PYTHON3" -c 'import json,sys; print(json.load(sys.stdin)["key_index"])')" 0 \
	"and nothing was rotated by a Viewer"

# -- a DBA ends the console's sessions ---------------------------------------
# stderr goes to a file: anything there was written over the curses screen.
TUI_LOG="$T/kill.log"
run alice "2>'$T/stderr1'"
tui_wait "$ME Admin" >/dev/null
tui_wait "undecryptable $nu  $nconn conns" >/dev/null
ok "the console holds a session" tui_until eval 'test "$(backends)" -ge 1'
end_sessions
ok "$ender ends it" tui_until eval 'test "$(backends)" -eq 0'
tui_keys /
tui_type ftp_arch
tui_keys Enter
tui_wait 'filter: ftp_arch' >/dev/null
tui_keys e
tui_wait 'Edit connection ftp_archive' >/dev/null
tui_keys Tab C-u
tui_type 'after-kill'
tui_keys F2
ok "the next action reconnects: the edit is saved" tui_wait 'Successfully updated `conn_id`=ftp_archive'
is "$(db_sql "SELECT description FROM connection WHERE conn_id = 'ftp_archive'")" \
	'after-kill' "Python sees the change"
ok "nothing was written over the screen (stderr empty)" test ! -s "$T/stderr1"
tui_keys Escape q
ok "q quits (exit 0)" tui_wait 'EXIT=0'

if [ "$backend" = postgresql ]; then
# Stop the server at once (as a crash would), and start it again with the
# options it last ran with (postmaster.opts: the same port), as its owner.
server_stop() {
	(cd "$PG_DIR" && _pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate \
	    -w -t 30 stop >/dev/null 2>&1)
}
server_start() {
	(cd "$PG_DIR" && _pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_DIR/data" \
	    -l "$PG_DIR/server.log" -w -t 60 restart >/dev/null 2>&1)
}

# -- the server stops under the console --------------------------------------
# stderr to the pane this time: whatever reaches it is written over the screen.
run alice
tui_wait "$ME Admin" >/dev/null
tui_wait "undecryptable $nu  $nconn conns" >/dev/null
server_stop
ok "the server is stopped" test ! -f "$PG_DIR/data/postmaster.pid"
tui_keys e
ok "e (which reads the row) says the connection is lost, in one message" \
	tui_wait "lost the connection to PostgreSQL at $PG_HOST:$PG_PORT/airflow and cannot reconnect"
top() { tm capture-pane -p -t t | tee -a "$TUI_LOG" | sed -n "$1p"; }
contains "$(top 1)" " $ME Admin  2 keys  airflow@" "the screen is intact: the status line is still on top"
contains "$(top 30)" "Enter Open  / Filter" "and the function bar at the bottom"
lacks "$(tm capture-pane -p -t t)" "terminating connection" "no server notice is written over the screen"
tui_keys Escape
tui_wait_gone 'and cannot reconnect' >/dev/null
tui_keys Enter
ok "so does Enter (the detail reads the row)" tui_wait 'and cannot reconnect'
# No search thread yet: it cannot connect, and the list searches on its own
# session, which cannot reconnect.
gone="lost the connection to PostgreSQL at $PG_HOST:$PG_PORT/airflow"
tui_keys /
tui_type ftp_arch
tui_keys Enter
ok "a search says on the list that it failed, and why" \
	tui_wait "search failed: $gone and cannot reconnect"
lacks "$(tm capture-pane -p -t t | tee -a "$TUI_LOG")" "no connection matches" \
	"not that no connection matches"
tui_keys s
tui_wait 'by conn_id, descending' >/dev/null
scr=$(tm capture-pane -p -t t | tee -a "$TUI_LOG")
contains "$scr" "search failed: $gone" \
	"after the next key (a new order) the list still says so"
lacks "$scr" "no connection matches" "and still not that no connection matches"
tui_keys R
ok "R says it cannot connect" tui_wait "cannot connect to PostgreSQL at $PG_HOST:$PG_PORT/airflow"
tui_keys q
ok "q quits (exit 0)" tui_wait 'EXIT=0'
is "$(tui_alternate)" 0 "the terminal is restored"

# -- the server back: the DB label; reads that fail on the list --------------
TUI_LOG="$T/fail.log"
server_start
ok "the server is started again, on its port" tui_until eval 'pg_sql "SELECT 1" >/dev/null 2>&1'
tm resize-window -t t -x 80 -y 24
run alice
tui_wait "$ME Admin" >/dev/null
ok "the console opens at 80x24" tui_wait "$nconn conns"
# status_is COLS: the status line as drawn at COLS columns: the role and
# keys, the label (user@host, maybe :port, then /db), the counts ending one
# column from the edge, and the title below it (nothing wrapped).
host_re=$(printf '%s' "$PG_HOST" | sed 's/\./\\./g')
status_is() {
	_s=$(tm capture-pane -p -t t | tee -a "$TUI_LOG" | sed -n 1,2p)
	[ "$(printf '%s\n' "$_s" | sed -n 1p | wc -L)" -eq $(($1 - 1)) ] &&
	printf '%s\n' "$_s" | tr '\n' '|' |
	    grep -Eq "^ $ME Admin  2 keys  airflow@$host_re(:$PG_PORT)?/airflow +(plaintext|plain) [0-9]+  (undecryptable|undecr) $nu  $nconn conns(  [0-9]+ vars)?\| Connections  by conn_id"
}
status() {
	tm resize-window -t t -x "$1" -y 24
	tui_until status_is "$1" || { tm capture-pane -p -t t | sed -n 1p | sed 's/^/#   | /'; false; }
}
for c in 120 100 80; do
	ok "at $c columns the DB label keeps user@host and the db, and fits" status $c
done
is "$(tm capture-pane -p -t t | sed -n 1p | grep -o 'airflow@[^ ]*')" \
	"airflow@$PG_HOST/airflow" "at 80 the port gives way first (never cut from the left)"
tm resize-window -t t -x 100 -y 24
ok "at 100 the label is whole" tui_wait "  airflow@$PG_HOST:$PG_PORT/airflow  "
status 80 >/dev/null
page=19		# 24 lines: 19 rows, fewer than the table (End reads a page)
# The first and the last rows, as 80 columns show conn_id (26 columns; a
# longer one cut to 25 and the mark '~').
cut80() { awk '{ if (length($0) > 26) print substr($0, 1, 25) "~"; else print }'; }
sed -n "1,${page}p" "$T/ids" | cut80 | tr '\n' ' ' > "$T/first80"
tail -n $page "$T/ids" | cut80 | tr '\n' ' ' > "$T/last80"
tui_keys /
tui_type ftp_arch
tui_keys Enter
tui_is_shown "ftp_archive " "a search works (the search thread has a session of its own)"
tui_keys Escape
tui_is_shown "$(cat "$T/first80")" "Esc shows the first rows again"
server_stop
ok "the server is stopped again" test ! -f "$PG_DIR/data/postmaster.pid"
tui_keys End
ok "End (a page read) says on the list that reading failed" \
	tui_wait "reading the connections failed: lost the connection to PostgreSQL"
scr=$(tm capture-pane -p -t t | tee -a "$TUI_LOG")
contains "$scr" "Enter reads them again" "in place of the rows, with what to do"
lacks "$scr" " $(sed -n 1p "$T/ids") " "the rows read before are not shown as the DB's"
tui_keys /
tui_type ftp_arch
tui_keys Enter
ok "the search thread's failed search says so on the list" \
	tui_wait "search failed: $gone"
lacks "$(tm capture-pane -p -t t | tee -a "$TUI_LOG")" "no connection matches" \
	"never that no connection matches"
tui_keys s
tui_wait 'by conn_id, descending' >/dev/null
contains "$(tm capture-pane -p -t t | tee -a "$TUI_LOG")" "search failed: " \
	"it stays after the next key"
tui_keys s
tui_wait_gone 'descending' >/dev/null
tui_wait_gone 'searching...' >/dev/null	# its search ran (and failed)
server_start
ok "the server is started again" tui_until eval 'pg_sql "SELECT 1" >/dev/null 2>&1'
tui_keys Enter
tui_is_shown "ftp_archive " "Enter searches again: the search thread reconnects"
ok "and the failure is gone" tui_wait_gone 'search failed'
tui_keys Escape
tui_is_shown "$(cat "$T/first80")" \
	"Esc reads the first rows: the console's own session reconnects"
tui_keys End
tui_is_shown "$(cat "$T/last80")" "End reads the last page"
tui_keys q
ok "q quits (exit 0)" tui_wait 'EXIT=0'
fi

# -- never the DB password ---------------------------------------------------
cat "$T/screens.log" "$T/reveal.log" "$T/viewer.log" "$T/kill.log" "$T/fail.log" \
    > "$T/all.log" 2>/dev/null
ok "the captures are not empty" test -s "$T/all.log"
ok "no capture shows the DB password" tui_no_password_in "$T/all.log" "$T/db-passwords"
ok "none but the reveal's shows a demo password" \
	tui_no_password_in "$T/kill.log" "$T/passwords"
[ "$backend" != postgresql ] ||
	ok "nor do the captures of the failed reads" tui_no_password_in "$T/fail.log" "$T/passwords"
lacks "$(cat "$actions" "$T/stderr1" 2>/dev/null)" "$pw_hex" \
	"nor does the action log or stderr"
ok "no sanitizer report" tui_no_sanitizer_report
done_testing

#!/bin/sh
# tui_paging.sh: the list pages from the DB by key, through tmux, on 5000
# connections written by tests/airflow_db.py: the first screen, End, Home,
# PgDn and PgUp across the rows kept in memory, j held down, the sort in
# both directions and the filter, each screen compared with the order that
# Python's sqlite3 gives. Then a search stopped: on a million rows a
# filter that matches nothing searches for seconds; a newer filter and Esc
# stop it, Esc goes back to the unfiltered rows, and neither "no
# connection matches" nor a failure is ever shown; quitting while it
# searches. Then the terminals the console must work on (xterm-256color,
# screen, tmux-256color, vt100) at 80x24, and SIGTERM and SIGHUP restoring
# the terminal.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/tui_lib.sh"
plan 32

db="$T/big.db"
key=$(py_key)
tool() { "$PYTHON3" "$top_srcdir/tests/airflow_db.py" "$@"; }
tool create "$db" --schema "$top_srcdir/data/schema-3.2.sql"
FERNET_KEY="$key" tool bulk "$db" 5000
cat > "$AIRFLOW_HOME/airflow.cfg" <<CFG
[core]
fernet_key = $key
[database]
sql_alchemy_conn = sqlite:///$db
CFG
# The conn_ids in the DB's order, and those a filter keeps (as the store's
# case-insensitive substring match on conn_id, conn_type and host).
"$PYTHON3" -c 'import sqlite3,sys
for (i,) in sqlite3.connect(sys.argv[1]).execute("SELECT conn_id FROM connection ORDER BY conn_id"): print(i)' "$db" > "$T/ids"
"$PYTHON3" -c 'import sqlite3,sys
for (i, t, h) in sqlite3.connect(sys.argv[1]).execute("SELECT conn_id, conn_type, host FROM connection ORDER BY conn_id"):
    if any("0004" in (v or "").lower() for v in (i, t, h)): print(i)' "$db" > "$T/ids-0004"
n=$(wc -l < "$T/ids" | tr -d ' ')
page=25		# 30 lines: status, title, headers, 25 rows, message, bar

# The conn_ids on the screen, and lines a..b of a file, one per line.
# (A row's audit mark, '!', '*' or '.', comes before its conn_id.)
shown() { tm capture-pane -p -t t | tee -a "$TUI_LOG" | awk 'NR >= 4 && NR < 4 + 25 && $1 != "" { print ($1 ~ /^[!*.]$/ ? $2 : $1) }' | tr '\n' ' '; }
ids() { sed -n "$2,$3p" "$1" | tr '\n' ' '; }
# Wait until the screen's first row is $1.
first_is() { tui_wait " $1 " >/dev/null; [ "$(shown | cut -d' ' -f1)" = "$1" ]; }

tui_start 100 30
tui_run "TERM=tmux-256color '$FERNCON'"
ok "the console opens on 5000 rows" tui_wait 'Connections  by conn_id'
tui_is_shown "$(ids "$T/ids" 1 $page)" "the first screen is the first $page conn_ids"
tui_keys End
first_is "$(sed -n "$((n - page + 1))p" "$T/ids")"
tui_is_shown "$(ids "$T/ids" $((n - page + 1)) "$n")" "End shows the last $page"
ok "and says Bot" tui_wait '  Bot'
tui_keys Home
first_is "$(sed -n 1p "$T/ids")"
tui_is_shown "$(ids "$T/ids" 1 $page)" "Home goes back to the first"
tui_keys NPage NPage NPage
first_is "$(sed -n "$((3 * page + 1))p" "$T/ids")"
tui_is_shown "$(ids "$T/ids" $((3 * page + 1)) $((4 * page)))" "PgDn three times: rows 76-100"
tui_keys Home
first_is "$(sed -n 1p "$T/ids")"
tui_keys -N 40 j
first_is "$(sed -n 17p "$T/ids")"
tui_is_shown "$(ids "$T/ids" 17 $((16 + page)))" "j held 40 times scrolls a row at a time"
tui_keys End
first_is "$(sed -n "$((n - page + 1))p" "$T/ids")"
tui_keys -N 10 PPage
first_is "$(sed -n "$((n - 11 * page + 1))p" "$T/ids")"
tui_is_shown "$(ids "$T/ids" $((n - 11 * page + 1)) $((n - 10 * page)))" \
	"PgUp ten times from the end crosses the pages kept in memory"
tui_keys s
ok "s sorts descending" tui_wait 'by conn_id, descending'
tui_keys Home
first_is "$(sed -n "${n}p" "$T/ids")"
tui_is_shown "$(sed -n "$((n - page + 1)),${n}p" "$T/ids" | sort -r | tr '\n' ' ')" \
	"descending: the last conn_ids first"
tui_keys End
first_is "$(sed -n "${page}p" "$T/ids")"
tui_is_shown "$(sed -n "1,${page}p" "$T/ids" | sort -r | tr '\n' ' ')" \
	"and End shows the first ones, last"
tui_keys s Home /
tui_type 0004
ok "the filter applies as it is typed" tui_wait 'filter: 0004'
first_is "$(sed -n 1p "$T/ids-0004")"
tui_is_shown "$(ids "$T/ids-0004" 1 $page)" \
	"it keeps the rows whose conn_id, type or host holds the text"
tui_type zzz
ok "a filter that matches nothing says so" tui_wait "no connection matches '0004zzz'"
tui_keys Escape
first_is "$(sed -n 1p "$T/ids")"
tui_is_shown "$(ids "$T/ids" 1 $page)" "Esc clears the filter"
tui_keys q
tui_wait 'EXIT=0' >/dev/null

# -- a search stopped --------------------------------------------------------
huge="$T/huge.db"
tool create "$huge" --schema "$top_srcdir/data/schema-3.2.sql"
"$PYTHON3" -c 'import sqlite3,sys
c = sqlite3.connect(sys.argv[1])
c.execute("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000000) INSERT INTO connection (conn_id, conn_type, host, is_encrypted, is_extra_encrypted) SELECT printf(\"huge_%07d\", i), \"http\", \"h\", 0, 0 FROM n")
c.commit()' "$huge"
huge_first=$(i=1; while [ $i -le $page ]; do printf 'huge_%07d ' $i; i=$((i + 1)); done)
mark=$(wc -l < "$TUI_LOG")
tui_run "clear; AIRFLOW__DATABASE__SQL_ALCHEMY_CONN='sqlite:///$huge' TERM=xterm-256color '$FERNCON'"
tui_wait 'Connections  by conn_id' >/dev/null
tui_is_shown "$huge_first" "a million rows open at once"
tui_keys /
tui_type nomatch
ok "a filter that matches nothing searches" tui_wait 'searching... (Esc stops)'
tui_type x
ok "a newer filter while it searches" tui_wait 'filter: nomatchx'
tui_keys Escape
tui_is_shown "$huge_first" "Esc while it searches goes back to the unfiltered rows"
ok "and the search is stopped" tui_wait_gone 'filter:'
tui_keys / && tui_type huge_00099
tui_is_shown "$(i=9900; while [ $i -lt $((9900 + page)) ]; do printf 'huge_%07d ' $i; i=$((i + 1)); done)" \
	"the next filter is searched and shown"
lacks "$(tail -n +"$((mark + 1))" "$TUI_LOG")" "no connection matches" \
	"a stopped search never says that no connection matches"
lacks "$(tail -n +"$((mark + 1))" "$TUI_LOG")" "search failed" \
	"nor that the search failed"
tui_keys C-u
tui_type zzzz
tui_wait 'searching...' >/dev/null
tui_keys Enter
tui_keys q
ok "q while it searches quits at once and cleanly" tui_wait 'EXIT=0'

# -- terminals ---------------------------------------------------------------
tm resize-window -t t -x 80 -y 24
for term in xterm-256color screen tmux-256color vt100; do
	tui_run "clear; TERM=$term '$FERNCON' --no-color"
	tui_wait 'Connections  by conn_id' >/dev/null &&
	tui_wait 'K Keys  ? Help  q Quit' >/dev/null
	tui_keys q
	tui_wait 'EXIT=0' >/dev/null
	ok "TERM=$term: opens at 80x24, quits, and leaves the screen clean" \
		eval '[ "$(tui_alternate)" = 0 ] && ! tui_screen | grep -q "Connections  by conn_id"'
done

# -- signals -----------------------------------------------------------------
tui_run "clear; TERM=xterm-256color '$FERNCON'"
tui_wait 'Connections  by conn_id' >/dev/null
kill -TERM "$(tui_child_pid)"
ok "SIGTERM ends it with status 143" tui_wait 'EXIT=143'
is "$(tui_alternate)" 0 "and the terminal is restored"
tui_run "clear; TERM=xterm-256color '$FERNCON'"
tui_wait 'Connections  by conn_id' >/dev/null
kill -HUP "$(tui_child_pid)"
ok "SIGHUP too (status 129)" tui_wait 'EXIT=129'
ok "no sanitizer report" tui_no_sanitizer_report
done_testing

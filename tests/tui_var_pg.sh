#!/bin/sh
# tui_var_pg.sh: the Variables screen of the console (V) on a PostgreSQL
# metadata DB of Airflow 3.2 (tests/pg_server.sh, an ICU collation), as Op,
# through tmux; the DB written by Python as Airflow writes it
# (tests/airflow_db.py, data/demo-variables.json and keys that sort one way
# in bytes and another in the server's collation). Every result is read
# back by Python: the list is in Python's byte order of key (not the
# server's), the filter keeps the matching keys; Op sees a sensitive value
# masked and may not reveal it (doc/design.md section 4: only with
# show_connection_password), edits a value (Python opens the new one with
# the primary key, and the row keeps its id: Airflow 3's upsert), adds a
# variable typed twice, and deletes one. Enter on a variable's finding of
# the audit screen opens that variable. No sensitive value is on any
# screen.
: "${top_srcdir:=.}"
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/tui_lib.sh"
. "$top_srcdir/tests/pg_server.sh"
pg_start_or_skip
# Both: the tmux server and the PostgreSQL server go at exit.
trap 'tm kill-server >/dev/null 2>&1; _pg_exit' EXIT
plan 20

TUI_WAIT=30
new=$(py_key); old=$(py_key); lost=$(py_key)
AIRFLOW_DB_URL=$PG_URL; export AIRFLOW_DB_URL
tool() { "$PYTHON3" "$top_srcdir/tests/airflow_db.py" "$@"; }
dump() { FERNET_KEY="$new,$old" tool dump-variables -; }
# row KEY FIELD: one field of a variable as Python reads it ("" if none).
row() { dump | "$PYTHON3" -c 'import json, sys
for line in sys.stdin:
    r = json.loads(line)
    if r["key"] == sys.argv[1]:
        print(r[sys.argv[2]])' "$1" "$2"; }
# Keys that sort one way in bytes and another in the DB's ICU collation.
"$PYTHON3" -c 'import json, sys
v = json.load(open(sys.argv[1]))
v += [{"key": "Zeta_var", "val": "zeta", "description": None, "storage": "plain"},
      {"key": "_scratch_var", "val": "scratch", "description": None, "storage": "primary"},
      {"key": "alpha_var", "val": "alpha", "description": None, "storage": "primary"}]
json.dump(v, open(sys.argv[2], "w"))' "$top_srcdir/data/demo-variables.json" "$T/vars.json"
FERNET_KEY="$new,$old" tool create - --schema "$top_srcdir/data/schema-pg-3.2.sql"
FERNET_KEY="$new" DEMO_OLD_KEY="$old" DEMO_LOST_KEY="$lost" \
	tool fill - --connections "$top_srcdir/data/demo-connections.json" \
	--variables "$T/vars.json" 2>/dev/null
printf '[core]\nfernet_key = %s\n\n[database]\nsql_alchemy_conn = %s\n' "$new,$old" \
    "$(printf '%s' "$PG_URL" | sed 's/%/%%/g')" > "$AIRFLOW_HOME/airflow.cfg"
printf '%s\n' x-live-EXAMPLE-demo-5f2b8c1e9a7d4 Var-demo-EXAMPLE-pw! \
	sftp-var-demo-EXAMPLE-77 op-EXAMPLE-typed-pw "${PG_PASSWORD%%@*}" > "$T/secrets"

# The keys on the Variables screen (rows 4 to 28 of 30), one line.
shown() { tm capture-pane -p -t t | tee -a "$TUI_LOG" |
	awk 'NR >= 4 && NR < 29 { s = substr($0, 2); sub(/ .*/, "", s); if (s != "") print s }' |
	tr '\n' ' '; }

tui_start 120 30
TUI_LOG="$T/op.log"
tui_run "clear; AIRFLOW__CONSOLE__ROLES='$ME:Op' TERM=screen '$FERNCON' --config '$AIRFLOW_HOME/airflow.cfg'"
ok "Op opens the console on PostgreSQL" tui_wait "$ME Op"
ok "the status line counts the variables" tui_wait "$(dump | wc -l | tr -d ' ') vars"

# -- the list: Python's byte order, the filter -------------------------------
want=$(dump | "$PYTHON3" -c 'import json, sys
print(" ".join(sorted((json.loads(l)["key"] for l in sys.stdin), key=lambda k: k.encode())))')
collated=$(pg_sql 'SELECT "key" FROM variable ORDER BY "key"' | tr '\n' ' ')
ok "the server's ORDER BY key differs from byte order (an ICU collation)" test "$collated" != "$want "
tui_keys V
ok "V opens the Variables screen" tui_wait 'Variables  by key'
tui_is_shown "$want " "the keys are listed in Python's byte order"
tui_keys /
tui_type a
tui_keys Enter
tui_is_shown "$(dump | "$PYTHON3" -c 'import json, sys
print(" ".join(sorted((k for k in (json.loads(l)["key"] for l in sys.stdin) if "a" in k.lower()), key=lambda k: k.encode())))') " \
	"the filter keeps the keys holding the text, case-blind, as Python finds them"
tui_keys / C-u Enter

# -- Op: masked, no reveal; edit, add, delete ---------------------------------
tui_keys / C-u
tui_type api_key_for_x
tui_keys Enter Enter
ok "Enter opens the detail" tui_wait 'Variable api_key_for_x'
ok "a sensitive value is *** for Op" tui_wait '***'
tui_keys r
ok "Op may not reveal, and is told why" tui_wait 'may not reveal variable values'
tui_keys Escape / C-u
tui_type environment
tui_keys Enter Enter
tui_wait 'Variable environment' >/dev/null
id0=$(row environment id)
desc0=$(row environment description)
tui_keys e
tui_wait 'Edit variable environment' >/dev/null
tui_type 'production'
tui_keys F2
ok "Op edits a value" tui_wait 'Variable environment saved'
is "$(row environment val):$(row environment is_encrypted):$(row environment description)" \
	"production:1:$desc0" \
	"Python opens the new value with the primary key; the description is kept"
is "$(row environment id)" "$id0" "the row keeps its id (Airflow 3's upsert)"
tui_keys Escape a
tui_wait 'Add a variable' >/dev/null
tui_type 'op_token'
tui_keys Tab
tui_type 'op-EXAMPLE-typed-pw'
tui_keys Tab
tui_type 'op-EXAMPLE-typed-pw'
tui_keys F2
ok "Op adds a variable, its value typed twice" tui_wait 'Variable op_token saved'
is "$(row op_token val):$(row op_token is_encrypted)" "op-EXAMPLE-typed-pw:1" \
	"Python opens the added value with the primary key"
tui_keys / C-u
tui_type alpha_var
tui_keys Enter d
tui_wait 'Delete variable' >/dev/null
tui_keys y
ok "Op deletes a variable after being asked" tui_wait 'Variable alpha_var deleted'
is "$(row alpha_var key)" "" "Python no longer finds it"

# -- the audit screen: Enter on a variable's finding --------------------------
tui_keys Escape / C-u Enter Escape A
tui_wait 'findings' >/dev/null
ok "the audit lists db_password's variable finding; it is selected" \
	tui_audit_select ' db_password +variable-sensitive-name'
tui_keys Enter
ok "Enter on it opens the variable" tui_wait 'Variable db_password'
tui_keys Escape q
tui_wait 'EXIT=0' >/dev/null
ok "no sensitive value nor the DB password on any Op screen" tui_no_password_in "$T/op.log" "$T/secrets"
ok "no sanitizer report" tui_no_sanitizer_report
done_testing

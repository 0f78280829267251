#!/bin/sh
# tui_var.sh: the Variables screen of the console (V), through tmux, on the
# demo DB (data/demo-variables.json, written as Airflow writes it). A Viewer
# sees the list, every variable's detail and the audit's variable findings
# with no sensitive value on any screen, and may not reveal, add, edit or
# delete; an Admin reveals (logged), adds a value typed twice hidden, edits
# with an empty value keeping the stored one, and deletes; values ferncon
# stored are opened by Python with the primary key. Enter on a variable's
# finding of the audit screen opens the variable.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/tui_lib.sh"
plan 29

demo="$T/demo"
"$FERNCON" demo "$demo" > "$T/demo.out" 2>&1
roles='alice:Admin, bob:Op, carol:Viewer'
printf '%s\n' x-live-EXAMPLE-demo-5f2b8c1e9a7d4 Var-demo-EXAMPLE-pw! \
	sftp-var-demo-EXAMPLE-77 > "$T/secrets"
run() {	# run USER: the console as USER on the demo
	tui_run "clear; AIRFLOW__CONSOLE__ROLES='$(roles_as "$1" "$roles")' TERM=screen '$FERNCON' --config '$demo/airflow.cfg' --airflow-home '$demo'"
}
open_var() {	# open_var KEY: filter the Variables screen and open KEY
	tui_keys /
	tui_type "$1"
	tui_keys Enter Enter
	tui_wait "Variable $1" >/dev/null
}

tui_start 160 30

# -- Viewer ------------------------------------------------------------------
TUI_LOG="$T/viewer.log"
run carol
ok "the Viewer opens the console" tui_wait "$ME Viewer"
ok "the status line counts variables apart from connections" tui_wait "9 vars"
tui_keys '?'
ok "the help lists V" tui_wait "Airflow's Variables: keys, state"
tui_keys Escape V
ok "V opens the Variables screen" tui_wait 'Variables  by key'
ok "the list shows each key" tui_wait 'partner_sftp_secret'
ok "with its state" tui_wait 'encrypted'
ok "a public plain value is shown" tui_wait 'staging'
for k in api_key_for_x db_password partner_sftp_secret etl_config environment; do
	open_var "$k"
	tui_screen >/dev/null
	tui_keys Escape
	tui_keys /
	tui_keys Escape
done
open_var api_key_for_x
ok "a sensitive value is *** in the detail" tui_wait '***'
tui_keys r
ok "the Viewer may not reveal, and is told why" tui_wait 'may not reveal variable values'
tui_keys e
ok "nor edit" tui_wait 'may not set variables'
tui_keys Escape f
ok "f filters by state" tui_wait 'state: plain'
tui_keys f f f s
ok "s turns the order" tui_wait 'by key (desc)'
tui_keys Escape A
ok "the audit screen opens" tui_wait 'findings'
ok "it lists db_password's variable finding; it is selected" \
	tui_audit_select ' db_password +variable-sensitive-name'
tui_keys Enter
ok "Enter on a variable's finding opens the variable" tui_wait 'Variable db_password'
ok "masked for the Viewer" tui_wait '***'
tui_keys Escape
tui_wait 'findings' >/dev/null
tui_keys /
tui_screen >/dev/null
tui_keys Escape Escape q
ok "the Viewer quits" tui_wait 'EXIT=0'
ok "no sensitive variable value on any Viewer screen" tui_no_password_in "$T/viewer.log" "$T/secrets"

# -- Admin -------------------------------------------------------------------
TUI_LOG="$T/admin.log"
run alice
tui_wait "$ME Admin" >/dev/null
tui_keys V
tui_wait 'Variables  by key' >/dev/null
open_var db_password
tui_keys r
ok "Admin reveals the value (the old key opens it)" tui_wait 'Var-demo-EXAMPLE-pw!'
ok "and the reveal is logged" grep -q '"action":"variable-reveal"' "$demo/ferncon-actions.log"
tui_keys x
ok "the next key hides it again" tui_wait_gone 'Var-demo-EXAMPLE-pw!'
# Edit: an empty value keeps the stored one, the description changes.
tui_keys e
tui_wait 'Edit variable db_password' >/dev/null
tui_keys Down Down C-u
tui_type 'new description'
tui_keys F2
ok "an edit saves" tui_wait 'Variable db_password saved'
row=$(FERNET_KEY=$(sed -n 's/^fernet_key = //p' "$demo/airflow.cfg") \
	"$PYTHON3" "$top_srcdir/tests/airflow_db.py" dump-variables "$demo/airflow.db" | grep '"key": "db_password"')
contains "$row" '"val": "Var-demo-EXAMPLE-pw!"' "an empty value kept the stored value (Python opens it)"
contains "$row" '"description": "new description"' "and the description was saved"
# Add: the value is typed twice, hidden.
tui_keys Escape a
tui_wait 'Add a variable' >/dev/null
tui_type 'new_token'
tui_keys Tab
tui_type 'tok-EXAMPLE-typed'
tui_keys Tab
tui_type 'tok-EXAMPLE-typo'
tui_keys F2
ok "two different values are refused" tui_wait 'the two values differ'
tui_keys C-u
tui_type 'tok-EXAMPLE-typed'
tui_keys F2
ok "the same value twice is saved" tui_wait 'Variable new_token saved'
row=$(FERNET_KEY=$(sed -n 's/^fernet_key = //p' "$demo/airflow.cfg") \
	"$PYTHON3" "$top_srcdir/tests/airflow_db.py" dump-variables "$demo/airflow.db" | grep '"key": "new_token"')
contains "$row" '"val": "tok-EXAMPLE-typed", "description": null, "is_encrypted": 1' \
	"Python opens the new value with the primary key"
# Delete.
tui_keys / C-u
tui_type new_token
tui_keys Enter d
tui_wait 'Delete variable' >/dev/null
tui_keys y
ok "d deletes after asking" tui_wait 'Variable new_token deleted'
tui_keys q
tui_wait 'EXIT=0' >/dev/null
ok "no sanitizer report" tui_no_sanitizer_report
done_testing

#!/bin/sh
# tui_roles_airflow.sh: the console with role_source = airflow (doc/design.md
# section 4, "Roles from Airflow"), through tmux, on the demo DB (Airflow 3,
# [core] auth_manager set to the FAB provider's) with FAB's
# tables, roles and users made by tests/fab_db.py. The status line names the
# Airflow user, their roles and the source; the keys a custom role lacks are
# dimmed and say which permission is missing (ConnReader: can_read only;
# ConnEditor: no can_delete); FAB's Viewer, without can_read on
# Connections, sees no connection and is told why; Admin reveals. No screen
# of a role that may not reveal ever shows a password. Then airflow_login =
# password: the console asks in its own hidden field (stars only), a wrong
# one is refused and the right one opens the console; three wrong ones end
# it with exit 1; every try is logged, never the password. With
# FERNCON_TEST_BACKEND=postgresql (tests/tui_roles_airflow_pg.sh) the same
# on a throwaway PostgreSQL server (tests/pg_server.sh), the FAB tables in
# the 3.x provider's layout; with FERNCON_TEST_BACKEND=mysql
# (tests/tui_roles_airflow_my.sh) on a throwaway MariaDB server
# (tests/my_server.sh), those tables in MySQL's DDL.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/tui_lib.sh"
backend=${FERNCON_TEST_BACKEND:-sqlite}
if [ "$backend" = postgresql ]; then
	. "$top_srcdir/tests/pg_server.sh"
	pg_start_or_skip
	stop=_pg_exit; db_url=$PG_URL; schema=schema-pg-3.2.sql
elif [ "$backend" = mysql ]; then
	. "$top_srcdir/tests/my_server.sh"
	my_start_or_skip
	stop=_my_exit; db_url=$MY_URL; schema=schema-my-3.2.sql
fi
if [ "$backend" != sqlite ]; then
	trap "tm kill-server >/dev/null 2>&1; $stop" EXIT
	TUI_WAIT=30
fi
plan 23

if [ "$backend" != sqlite ]; then
	# The demo's connections on the server, and an AIRFLOW_HOME naming it.
	demo="$T/dbhome"
	mkdir -p "$demo"
	key=$(py_key); old=$(py_key)
	AIRFLOW_DB_URL=$db_url; export AIRFLOW_DB_URL
	tool() { FERNET_KEY="$key,$old" DEMO_OLD_KEY="$old" "$PYTHON3" "$top_srcdir/tests/airflow_db.py" "$@"; }
	tool create - --schema "$top_srcdir/data/$schema"
	tool fill - --connections "$top_srcdir/data/demo-connections.json"
	"$PYTHON3" "$top_srcdir/tests/fab_db.py" --layout fab3 -
	cat > "$demo/airflow.cfg" <<CFG
[core]
fernet_key = $key,$old

[database]
sql_alchemy_conn = $(printf '%s' "$db_url" | sed 's/%/%%/g')
CFG
else
	demo="$T/demo"
	"$FERNCON" demo "$demo" > "$T/demo.out" 2>&1
	"$PYTHON3" "$top_srcdir/tests/fab_db.py" "$demo/airflow.db"
fi
tui_demo_passwords > "$T/passwords"
run() {	# run AIRFLOW_USER [ENV...]: the console as that Airflow user
	_u=$1; shift
	tui_run "clear; AIRFLOW__CORE__AUTH_MANAGER=airflow.providers.fab.auth_manager.fab_auth_manager.FabAuthManager AIRFLOW__CONSOLE__ROLE_SOURCE=airflow AIRFLOW__CONSOLE__AIRFLOW_USERS='$ME:$_u' TERM=screen $* '$FERNCON' --config '$demo/airflow.cfg' --airflow-home '$demo'"
}
bar() { tm capture-pane -e -p -t t | grep -F 'Quit' | tail -n 1; }
dim() { bar | grep -q "2m[^ ]*$1"; }
open_wh() {
	tui_keys /
	tui_type warehouse_pg
	tui_keys Enter Enter
	tui_wait 'Connection warehouse_pg' >/dev/null
}

tui_start 120 30

# -- ConnReader: can_read on Connections only ----------------------------------
TUI_LOG="$T/reader.log"
run reader
ok "the status line names the Airflow user, roles and source" \
	tui_wait "$ME ConnReader (Airflow user reader, FAB)"
ok "e, a and d are dimmed for a read-only role" \
	tui_until eval 'dim "e Edit" && dim "a Add" && dim "d Delete"'
tui_keys a
ok "a says which permission is missing" tui_wait 'no can_create on Connections'
open_wh
ok "r is dimmed" tui_until dim 'r Reveal'
tui_keys r
ok "r is refused" tui_wait 'may not reveal passwords'
tui_keys q q
ok "the reader quits" tui_wait 'EXIT=0'
ok "no demo password on any screen of the reader" tui_no_password_in "$T/reader.log" "$T/passwords"

# -- ConnEditor: edit without delete ---------------------------------------------
TUI_LOG="$T/editor.log"
run editor
tui_wait "$ME ConnEditor" >/dev/null
ok "the editor may add and edit, not delete" \
	tui_until eval '! dim "e Edit" && ! dim "a Add" && dim "d Delete"'
tui_keys d
ok "d says can_delete is missing" tui_wait 'no can_delete on Connections in the roles of Airflow user editor'
open_wh
ok "r is dimmed: can_edit reveals only for Admin or with show_connection_password" tui_until dim 'r Reveal'
tui_keys q q
tui_wait 'EXIT=0' >/dev/null
ok "no demo password on any screen of the editor" tui_no_password_in "$T/editor.log" "$T/passwords"

# -- FAB Viewer: no permission on Connections ---------------------------------------
TUI_LOG="$T/viewer.log"
run viewer
ok "FAB's Viewer is told why no connection is shown" tui_wait 'no can_read on Connections'
ok "and sees none" eval '! tui_screen | grep -q warehouse_pg'
tui_keys q
tui_wait 'EXIT=0' >/dev/null
ok "no demo password on any screen of the viewer" tui_no_password_in "$T/viewer.log" "$T/passwords"

# -- Admin reveals ----------------------------------------------------------------
TUI_LOG="$T/admin.log"
run admin
tui_wait "$ME Admin" >/dev/null
open_wh
tui_keys r
ok "Admin reveals" tui_wait 'Wh-demo-2024!Pass'
tui_keys q q
tui_wait 'EXIT=0' >/dev/null

# -- password login ------------------------------------------------------------------
TUI_LOG="$T/login.log"
run admin AIRFLOW__CONSOLE__AIRFLOW_LOGIN=password
ok "the console asks for the Airflow password in its own field" tui_wait 'Airflow password for admin'
tui_type 'wrong-pw'
ok "the field shows stars, never the text" tui_wait ' ******** '
tui_keys Enter
ok "a wrong one is refused and asked again" tui_wait 'wrong Airflow password for admin (1 of 3)'
tui_type 'admin-pw'
tui_keys Enter
ok "the right one opens the console" tui_wait "$ME Admin"
tui_keys q
tui_wait 'EXIT=0' >/dev/null
TUI_LOG="$T/login3.log"
run op AIRFLOW__CONSOLE__AIRFLOW_LOGIN=password
tui_wait 'Airflow password for op' >/dev/null
for pw in bad-one bad-two bad-three; do
	tui_type "$pw"
	tui_keys Enter
done
ok "three wrong passwords end the console with exit 1" tui_wait 'EXIT=1'
ok "saying so" tui_wait 'wrong Airflow password for op (3 of 3)'
ok "no password was ever on the screen" \
	eval '! grep -q "admin-pw\|wrong-pw\|bad-one\|bad-two\|bad-three" "$T/login.log" "$T/login3.log"'
ok "each try is in the action log, without the password" \
	eval '[ "$(grep -c "\"action\":\"airflow_login\"" "$demo/ferncon-actions.log")" -eq 5 ] && ! grep -q "bad-one\|admin-pw" "$demo/ferncon-actions.log"'
tm kill-server >/dev/null 2>&1

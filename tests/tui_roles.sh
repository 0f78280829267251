#!/bin/sh
# tui_roles.sh: the console by role (doc/design.md section 4), through tmux.
# Op with show_connection_password False cannot reveal (the key is dimmed
# and pressing it says why) but can edit; Op with it True can reveal;
# Viewer can only look; --as-role lowers an Admin and cannot raise an Op.
# No screen of a role that may not see a password ever shows one (every
# capture is searched for the demo passwords). NO_COLOR and --no-color
# give an attribute-only screen.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/tui_lib.sh"
plan 33

demo="$T/demo"
"$FERNCON" demo "$demo" > "$T/demo.out" 2>&1
is "$?" 0 "ferncon demo without a terminal prints and exits 0"
contains "$(cat "$T/demo.out")" "demo AIRFLOW_HOME: $demo" \
	"it still prints where the demo is (for scripts)"
tui_demo_passwords > "$T/passwords"
roles='alice:Admin, bob:Op, carol:Viewer'
ARGS=
run() {	# run USER [ENV...]: the console as USER, with options $ARGS
	_u=$1; shift
	tui_run "clear; AIRFLOW__CONSOLE__ROLES='$(roles_as "$_u" "$roles")' TERM=screen $* '$FERNCON' --config '$demo/airflow.cfg' --airflow-home '$demo' $ARGS"
}
# The function bar line with its attributes, and whether a key in it is dim.
bar() { tm capture-pane -e -p -t t | grep -F 'Quit' | tail -n 1; }
dim() { bar | grep -q "2m[^ ]*$1"; }

tui_start 100 30

# -- Op, show_connection_password False --------------------------------------
TUI_LOG="$T/op.log"
run bob
ok "Op opens the console" tui_wait "$ME Op"
tui_keys /
tui_type warehouse_pg
tui_keys Enter Enter
tui_wait 'Connection warehouse_pg' >/dev/null
ok "r is dimmed for Op" tui_until dim 'r Reveal'
ok "e is not" eval '! dim "e Edit"'
tui_keys r
ok "r says why it is refused" tui_wait 'may not reveal passwords'
ok "naming show_connection_password" tui_wait 'show_connection_password is True'
tui_keys e
ok "Op may edit" tui_wait 'Edit connection warehouse_pg'
tui_keys Escape Escape K
ok "and see the key status" tui_wait 'Key status'
tui_keys Escape q
ok "Op quits" tui_wait 'EXIT=0'
ok "no demo password on any screen of Op" tui_no_password_in "$T/op.log" "$T/passwords"
lacks "$(cat "$demo/ferncon-actions.log" 2>/dev/null)" '"action":"reveal"' \
	"a refused reveal writes no reveal line"

# -- Op, show_connection_password True ---------------------------------------
TUI_LOG="$T/op-show.log"
run bob AIRFLOW__WEBSERVER__SHOW_CONNECTION_PASSWORD=True
tui_wait "$ME Op" >/dev/null
tui_keys /
tui_type warehouse_pg
tui_keys Enter Enter
tui_wait 'Connection warehouse_pg' >/dev/null
ok "with show_connection_password True, r is not dimmed" eval '! dim "r Reveal"'
tui_keys r
ok "and Op reveals" tui_wait 'Wh-demo-2024!Pass'
contains "$(cat "$demo/ferncon-actions.log")" '"role":"Op","action":"reveal","conn_id":"warehouse_pg"' \
	"the reveal is logged with the role"
tui_keys q q
tui_wait 'EXIT=0' >/dev/null

# -- Viewer ------------------------------------------------------------------
TUI_LOG="$T/viewer.log"
run carol
ok "Viewer opens the console" tui_wait "$ME Viewer"
ok "e, a and d are dimmed for Viewer" \
	tui_until eval 'dim "e Edit" && dim "a Add" && dim "d Delete"'
tui_keys e
ok "e says why" tui_wait 'may not edit connections: only Op and Admin may change connections'
tui_keys a
ok "a says why" tui_wait 'may not add connections'
tui_keys d
ok "d says why" tui_wait 'may not delete connections'
tui_keys Enter
tui_wait 'Connection ' >/dev/null
tui_keys r
ok "r says why" tui_wait "role Viewer ($ME) may not reveal passwords"
tui_keys Escape '?'
ok "help says why a dimmed key is not available" \
	tui_wait 'not for Viewer (only Op and Admin may change connections): edit'
tui_keys q
tui_wait 'EXIT=0' >/dev/null
ok "no demo password on any screen of Viewer" tui_no_password_in "$T/viewer.log" "$T/passwords"

# -- --as-role ---------------------------------------------------------------
TUI_LOG="$T/as-role.log"
ARGS="--as-role Viewer"
run alice
ok "--as-role lowers Admin to Viewer for the session" \
	tui_wait "$ME Viewer (--as-role; own role Admin)"
tui_keys e
ok "and Viewer's limits apply" tui_wait 'may not edit connections'
tui_keys q
tui_wait 'EXIT=0' >/dev/null
ok "no demo password on any screen of the lowered role" \
	tui_no_password_in "$T/as-role.log" "$T/passwords"
ARGS="--as-role Admin"
run bob
ok "--as-role cannot raise Op (exit 2, before the screen is taken)" tui_wait 'EXIT=2'
ok "with one line that says so" tui_wait "--as-role may only lower a role"

# -- NO_COLOR and --no-color -------------------------------------------------
ARGS=
colours() { tm capture-pane -e -p -t t | grep -Eq '\[([34][0-7]|[34]8;5;[0-9]+)m'; }
run alice
tui_wait "$ME Admin" >/dev/null
ok "with colours by default" tui_until colours
tui_keys q
tui_wait 'EXIT=0' >/dev/null
run alice NO_COLOR=1
tui_wait "$ME Admin" >/dev/null
ok "NO_COLOR=1: attributes only, no colour" eval '! colours'
tui_keys q
tui_wait 'EXIT=0' >/dev/null
ARGS="--no-color"
run alice
tui_wait "$ME Admin" >/dev/null
ok "--no-color: attributes only, no colour" eval '! colours'
ok "the selected row is still marked (reverse video)" eval \
	"tm capture-pane -e -p -t t | grep -q '[[;]7m'"
tui_keys q
tui_wait 'EXIT=0' >/dev/null
ok "no sanitizer report" tui_no_sanitizer_report
done_testing

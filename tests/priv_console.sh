#!/bin/sh
# priv_console.sh: the console through the pinned sudo line, with real
# accounts (doc/design.md section 4, "Trust model"; tests/priv_lib.sh),
# driven in tmux (tests/tui_lib.sh). Restricted mode is the core's, so the
# console gets it as the commands do: the Viewer's console names the
# Viewer with the role from the service account's map, though the caller's
# HOME and AIRFLOW_HOME (kept by sudo's env_keep) point at a configuration
# of their own with no role map (which would have made them Admin); it
# refuses a reveal naming the Viewer, and no screen shows a password.
# --config is refused before the console starts. The Admin's console
# reveals, and the action log names the Admin. The caller's
# AIRFLOW_CONN_WAREHOUSE_PG, which the drop-in lets through sudo, neither
# adds an env row to the list nor shadows the DB row (issue 14 item 8:
# restricted mode reads the account's own environment).
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/priv_lib.sh"
priv_setup_or_skip
. "$top_srcdir/tests/tui_lib.sh"
# tui_lib.sh set its own EXIT trap: both clean-ups, on every way out.
both_cleanup() { tm kill-server >/dev/null 2>&1; priv_cleanup; }
trap 'both_cleanup' EXIT
trap 'both_cleanup; trap - EXIT; exit 130' INT
trap 'both_cleanup; trap - EXIT; exit 143' TERM
trap 'both_cleanup; trap - EXIT; exit 129' HUP

secret='Wh-demo-2024!Pass'
printf '%s\n' "$secret" > "$T/passwords"

# The Viewer's own configuration: no role map, a _cmd that leaves a mark.
vh=$PRIV/home/$VWR
mkdir -p "$vh/airflow"
printf '[core]\nfernet_key_cmd = /usr/bin/touch %s/ran\n' "$MARK" > "$vh/airflow/airflow.cfg"
chown -R "$VWR:$VWR" "$vh/airflow"

# run USER [ARGS]: USER's console through `sudo -n -u SVC ferncon`.
run() {
	_h=$PRIV/home/$1
	tui_run "clear; setpriv --reuid=$1 --regid=$1 --init-groups env -i HOME=$_h AIRFLOW_HOME=$_h/airflow AIRFLOW_CONN_WAREHOUSE_PG=http://caller-env-host USER=$1 LOGNAME=$1 PATH=/usr/bin:/bin TERM=tmux-256color LC_ALL=C.UTF-8 sudo -n -u $SVC $PF ${2:-}"
}

tui_start 100 30

TUI_LOG="$T/viewer.log"
run "$VWR"
ok "the Viewer's console opens through sudo" tui_wait "$VWR Viewer"
tui_keys /
tui_type warehouse_pg
tui_keys Enter Enter
tui_wait 'Connection warehouse_pg' >/dev/null
tui_keys r
ok "r is refused, naming the Viewer" tui_wait "role Viewer ($VWR) may not reveal passwords"
tui_keys Escape q
ok "the Viewer quits" tui_wait 'EXIT=0'
ok "no screen of the Viewer's shows the password" tui_no_password_in "$T/viewer.log" "$T/passwords"
ok "the Viewer's _cmd did not run" test ! -e "$MARK/ran"

tm send-keys -t t -l 'clear' && tm send-keys -t t Enter
run "$VWR" "--config $vh/airflow/airflow.cfg"
ok "--config is refused before the console starts" tui_wait "ferncon: --config is refused"
ok "exit 2" tui_wait 'EXIT=2'

tm send-keys -t t -l 'clear' && tm send-keys -t t Enter
TUI_LOG="$T/admin.log"
run "$ADM"
ok "the Admin's console opens through sudo" tui_wait "$ADM Admin"
tui_wait 'aws_athena' >/dev/null
# The control: sudo did hand the variable to ferncon (its initial
# environment, which restricted mode then replaces).
svc_env() {
	for _p in $(pgrep -x -u "$SVC" ferncon); do
		tr '\0' '\n' < "/proc/$_p/environ"
	done
}
contains "$(svc_env)" "AIRFLOW_CONN_WAREHOUSE_PG=http://caller-env-host" "sudo hands the caller's AIRFLOW_CONN_WAREHOUSE_PG to ferncon"
lacks "$(tui_screen | sed -n '4,28p')" " env " "restricted mode lists no env row for it"
tui_keys /
tui_type warehouse_pg
tui_keys Enter Enter
tui_wait 'Connection warehouse_pg' >/dev/null
tui_keys r
ok "the Admin reveals" tui_wait "$secret"
lacks "$(tui_screen)" "AIRFLOW_CONN_WAREHOUSE_PG" "and the DB row is not shadowed there"
tui_keys Escape q
tui_wait 'EXIT=0' >/dev/null
contains "$(cat "$SVC_LOG")" "\"user\":\"$ADM\",\"role\":\"Admin\",\"action\":\"reveal\",\"conn_id\":\"warehouse_pg\"" "the action log names the Admin"
lacks "$(cat "$SVC_LOG")" "\"user\":\"$VWR\"" "and not the Viewer, refused"
ok "no command ran as $SVC" test -z "$(find "$MARK" -user "$SVC" -print)"
echo "1..$_n"
done_testing

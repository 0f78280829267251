#!/bin/sh
# tui_env.sh: the console lists the connections of the environment
# (AIRFLOW_CONN_<ID>, issue 14 item 8), through tmux on the demo DB.
# Airflow's lookup reads the environment before the DB
# (airflow-core/src/airflow/secrets/__init__.py line 36 in 3.x,
# DEFAULT_SECRETS_SEARCH_PATH: EnvironmentVariablesBackend, then
# MetastoreBackend; later moved to secrets/base_secrets.py); the variable is
# CONN_ENV_PREFIX + conn_id.upper() (secrets/environment_variables.py,
# get_conn_value(), line 53 at apache/airflow 0310104). So the list shows each such variable as a row of its
# own above the DB's, marked "env"; the DB row of the same conn_id is
# marked "shadowed"; the env row is read-only: edit and delete are refused
# with the core's message from the list and from its detail, and the DB is
# unchanged. A variable whose name has a lower-case letter names no
# conn_id (upper() never gives one) and is not listed. The env row's
# password is masked like the DB's. Restricted mode lists none
# (priv_console.sh).
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/tui_lib.sh"
plan 21

TUI_WAIT=20
demo="$T/demo"
"$FERNCON" demo "$demo" >/dev/null 2>&1
cfg="$demo/airflow.cfg"
env_pw='Env-Only-Secret-4711'
printf '%s\n' "$env_pw" > "$T/passwords"
tui_demo_passwords >> "$T/passwords"

db_before=$("$FERNCON" --config "$cfg" connections get postgres_default -o json 2>&1)
contains "$db_before" '"host": "localhost"' "the demo has a DB row postgres_default (host localhost)"
n_before=$("$FERNCON" --config "$cfg" connections list -o plain 2>/dev/null | wc -l)

tui_start 140 30
tui_run "clear; AIRFLOW_CONN_POSTGRES_DEFAULT='postgres://envuser:$env_pw@env-db:5433/envschema' AIRFLOW_CONN_ZZ_ENV_ONLY='{\"conn_type\": \"http\", \"host\": \"json-host\"}' AIRFLOW_CONN_lower_case='http://nobody-reads-this' TERM=tmux-256color '$FERNCON' --config '$cfg'"
ok "the console opens" tui_wait 'Connections  by conn_id'

env_rows() {
	tui_screen | sed -n '4,28p' | awk '$0 ~ / env / { print $1 }' | tr '\n' ' '
}
# The environment's block comes first, sorted by conn_id.
tui_until eval '[ "$(env_rows)" = "postgres_default zz_env_only " ]'
is "$(env_rows)" "postgres_default zz_env_only " "the env rows are listed first, by conn_id, marked env"
contains "$(tui_screen | sed -n 4p)" "postgres_default" "the first row is the env's postgres_default"
contains "$(tui_screen | sed -n 4p)" "env-db" "with the variable's host"
lacks "$(tui_screen)" "lower_case" "a variable with a lower-case letter is not listed (conn_id.upper() cannot name it)"

tui_keys /
tui_type postgres_default
tui_keys Enter
tui_wait 'filter: postgres_default' >/dev/null
shadow_line() { tui_screen | sed -n '4,28p' | grep -E 'postgres_default +postgres +localhost'; }
tui_until shadow_line >/dev/null
contains "$(shadow_line)" "shadowed" "the DB row of the same conn_id is marked shadowed"

# Enter on the first row: the environment's connection, masked.
tui_keys Enter
ok "Enter opens the env row" tui_wait 'source         the environment variable AIRFLOW_CONN_POSTGRES_DEFAULT'
contains "$(tui_screen)" "envschema" "its detail shows the variable's values"
contains "$(tui_screen)" "password       ***" "its password is masked"
tui_keys e
ok "e on its detail is refused with the core's message" tui_wait "it cannot be edited here"
tui_keys d
ok "d on its detail is refused" tui_wait "it cannot be deleted here"
tui_keys Escape
tui_wait 'filter: postgres_default' >/dev/null

# From the list: e and d on the env row.
tui_keys g e
ok "e on the env row of the list is refused" tui_wait "'postgres_default' comes from the environment variable AIRFLOW_CONN_POSTGRES_DEFAULT"
lacks "$(tui_screen)" "Edit connection" "and no edit form opens"
tui_keys d
ok "d on the env row of the list is refused" tui_wait "it cannot be deleted here"

# The DB row: its detail says it is shadowed.
tui_keys j Enter
ok "the shadowed DB row's detail names the variable" tui_wait "shadowed       AIRFLOW_CONN_POSTGRES_DEFAULT is set"
tui_keys Escape Escape q
ok "the console quits" tui_wait 'EXIT=0'

is "$("$FERNCON" --config "$cfg" connections get postgres_default -o json 2>&1)" "$db_before" \
	"the DB row is unchanged"
is "$("$FERNCON" --config "$cfg" connections list -o plain 2>/dev/null | wc -l)" "$n_before" \
	"no connection was added or deleted"
ok "no screen showed a password" tui_no_password_in "$TUI_LOG" "$T/passwords"
ok "no sanitizer report" tui_no_sanitizer_report
done_testing

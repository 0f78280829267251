#!/bin/sh
# tui_probe.sh: the console's lost-key probe and its "add keys" (issue 15),
# through tmux. Two connections are written by Python under key L, which
# the configuration does not hold (a lost key); the probe is given L in two
# fields (a paste repeated) and the key list "N,L" in a third, which is
# refused as the focus leaves it, with the reason on the field. F2 finds L
# once; a (Yes) appends it to [core] fernet_key exactly once, and the probe
# runs again on the new ring: nothing is left unopened; a second a adds
# nothing. The keys are never on the screen.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/tui_lib.sh"
plan 14

TUI_WAIT=20
n=$(py_key); l=$(py_key)
cat > "$T/conns.json" <<'J'
[{"conn_id": "lost_a", "conn_type": "postgres", "host": "a", "password": "pw-a"},
 {"conn_id": "lost_b", "conn_type": "http", "host": "b", "password": "pw-b",
  "extra": "{\"token\": \"t\"}"}]
J
"$PYTHON3" "$top_srcdir/tests/airflow_db.py" create "$AIRFLOW_HOME/airflow.db" \
	--schema "$top_srcdir/data/schema-3.2.sql"
FERNET_KEY=$l "$PYTHON3" "$top_srcdir/tests/airflow_db.py" fill "$AIRFLOW_HOME/airflow.db" \
	--connections "$T/conns.json" 2>/dev/null
cfg="$AIRFLOW_HOME/airflow.cfg"
printf '[core]\n# the key\nfernet_key = %s\n[database]\nsql_alchemy_conn = sqlite:///%s/airflow.db\n' \
	"$n" "$AIRFLOW_HOME" > "$cfg"
chmod 600 "$cfg"
o=$("$FERNCON" --config "$cfg" key status)
contains "$o" "undecryptable: 3 values" "three values no configured key opens"

tui_start 100 30
tui_run "TERM=tmux-256color '$FERNCON' --config '$cfg'"
ok "the console opens" tui_wait 'Connections  by conn_id'
tui_keys K
tui_wait 'Key status' >/dev/null
tui_keys p
ok "p opens the probe, whose button says what it does" tui_wait '[ Probe ]'
stars=$(printf '%44s' '' | tr ' ' '*')
tui_type "$l"
tui_wait "$stars" >/dev/null
tui_keys Enter
tui_type "$l"
tui_keys Enter
tui_type "$n,$l"
tui_keys Tab
ok "a key list in one field is refused as the focus leaves it" \
	tui_wait '2 keys here: one key per field'
tui_keys C-u
tui_type "not-a-key"
tui_keys Tab
ok "so is text that is no key" tui_wait 'not a Fernet key'
tui_keys C-u F2
ok "F2 probes: the values no configured key opens are counted" \
	tui_wait '3 that no configured key opens, 0 that no candidate opens either'
ok "the first copy of the key opens them" tui_wait 'candidate 1 (field 1): opens 3 values'
ok "the repeated copy opens none (found once)" tui_wait 'candidate 2 (field 2): opens 0 values'
tui_keys a
ok "a asks first" tui_wait 'Add the found keys'
tui_keys y
ok "after the add the probe runs again: nothing is left unopened" \
	tui_wait '0 that no configured key opens'
ok "and the key is in the list now" tui_wait 'opens 0 values (already in the key list)'
is "$(sed -n 's/^fernet_key = //p' "$cfg")" "$n,$l" "the key was appended once, after the primary key"
tui_keys a
ok "a second a adds nothing" tui_wait 'no candidate that is not in the key list opened a value'
tui_keys Escape Escape q
tui_wait 'EXIT=0' >/dev/null
ok "no key was ever on the screen" eval '! grep -qF -e "$l" -e "$n" "$TUI_LOG"'

#!/bin/sh
# tui_hostile.sh: hostile data on the console's screens and on the CLI run
# in a real terminal (issue 13, part 1), through tmux.
#
# A connection written the way Airflow writes it (tests/airflow_db.py) has
# OSC 0, 2 and 52, CSI, CR, BS, U+009B and U+202E in every text column and
# in its extra's key names and values; a variable's key has them too. The
# list, the detail screen, the edit form, the audit screen and the key
# status are opened, and the CLI's table and plain list are printed in the
# same pane. Every screen is captured with its attributes (capture-pane -e):
# past tmux's own SGR sequences it must hold no control character and no
# bidi control (the console draws them as '?', doc/console.md section 10).
# What a terminal would act on is checked where tmux keeps it: the pane's
# title (OSC 0 and 2) must stay as it was and no paste buffer may appear
# (OSC 52, with set-clipboard on so that tmux would take one).
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/tui_lib.sh"

if ! "$PYTHON3" -c 'import cryptography' 2>/dev/null; then
	echo "1..0 # SKIP $PYTHON3 has no cryptography (apt-get install python3-cryptography)"
	exit 0
fi
plan 21

db="$AIRFLOW_HOME/airflow.db"
key=$(py_key)
tool() { FERNET_KEY=$key "$PYTHON3" "$top_srcdir/tests/airflow_db.py" "$@"; }
"$PYTHON3" - "$T" <<'PY'
import json, sys
H = "\x1b]0;T0\x07\x1b]2;T2\x07\x1b]52;c;cHduZWQ=\x07\x1b[2J\r\b\u009b31m\u202e"
def f(name):
    return name + H + "end"
conns = [{
    "conn_id": f("id"), "conn_type": f("type"), "description": f("desc"),
    "host": f("host"), "schema": f("schema"), "login": f("login"),
    "password": f("pw"), "port": 5432,
    "extra": json.dumps({f("key"): f("val"), "password" + H: f("Sup3rSecret99x"),
                         "token": "ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"}),
}, {"conn_id": "plain_ok", "conn_type": "http", "host": "example.org"}]
variables = [{"key": f("var"), "val": "ghp_Z1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r9"}]
json.dump(conns, open(sys.argv[1] + "/conns.json", "w"))
json.dump(variables, open(sys.argv[1] + "/vars.json", "w"))
PY
tool create "$db" --schema "$top_srcdir/data/schema-3.2.sql"
tool fill "$db" --connections "$T/conns.json" --variables "$T/vars.json" 2>/dev/null
cat > "$AIRFLOW_HOME/airflow.cfg" <<CFG
[core]
fernet_key = $key

[database]
sql_alchemy_conn = sqlite:///$db
CFG

# raw_on_screen: "clean", or the control and bidi characters on the pane
# once tmux's own SGR sequences (ESC [ ... m) are taken out.
raw_on_screen() {
	tm capture-pane -e -p -t t > "$T/pane"
	cat "$T/pane" >> "$TUI_LOG"
	"$PYTHON3" - "$T/pane" <<'PY'
import re, sys
text = open(sys.argv[1], "rb").read().decode("utf-8", "surrogateescape")
text = re.sub(r"\x1b\[[0-9;:]*m", "", text)
bad = set()
for ch in text:
    o = ord(ch)
    if ch == "\n":
        continue
    if (o < 0x20 or 0x7f <= o <= 0x9f or o in (0x61c, 0x200e, 0x200f)
            or 0x202a <= o <= 0x202e or 0x2066 <= o <= 0x2069
            or 0xdc80 <= o <= 0xdcff):
        bad.add("U+%04X" % o)
print("clean" if not bad else "raw " + " ".join(sorted(bad)))
PY
}
title() { tm display -p -t t '#{pane_title}'; }
buffers() { tm list-buffers 2>/dev/null | wc -l | tr -d ' '; }

tui_start 120 35
tm set -g set-clipboard on
title0=$(title)
run() { tui_run "clear; TERM=screen '$FERNCON' --airflow-home '$AIRFLOW_HOME' $*"; }

# -- the CLI in a terminal ---------------------------------------------------
run connections list
tui_wait 'EXIT=0' >/dev/null
is "$(raw_on_screen)" clean "CLI table: no raw control or bidi character on the screen"
run connections list -o plain
tui_wait 'EXIT=0' >/dev/null
is "$(raw_on_screen)" clean "CLI plain list: none either"
run audit --format text
tui_wait 'EXIT=' >/dev/null
is "$(raw_on_screen)" clean "CLI audit text: none either"
is "$(title)" "$title0" "the CLI left the pane's title alone (OSC 0 and 2)"
is "$(buffers)" 0 "and set no paste buffer (OSC 52)"

# -- the console -------------------------------------------------------------
run
ok "the console opens on the hostile DB" tui_wait 'Connections  by conn_id'
ok "the list shows the conn_id with '?' for each control" tui_wait 'id?]0;T0?'
is "$(raw_on_screen)" clean "list: no raw control or bidi character on the screen"
tui_keys Enter
ok "Enter opens the hostile connection" tui_wait 'login?]0;T0?'
ok "its extra's key names are shown as JSON escapes" tui_wait '"key\u001b]0;T0\u0007'
is "$(raw_on_screen)" clean "detail: no raw control or bidi character on the screen"
tui_keys e
ok "e opens the edit form" tui_wait 'Edit connection'
is "$(raw_on_screen)" clean "edit form: none either"
tui_keys Escape
tui_wait_gone 'Edit connection' >/dev/null
tui_keys Escape
tui_wait 'Connections  by conn_id' >/dev/null
tui_keys A
ok "A opens the audit" tui_wait 'var?]0;T0?' 30
is "$(raw_on_screen)" clean "audit: no raw control or bidi character on the screen"
tui_keys Escape
tui_wait 'Connections  by conn_id' >/dev/null
tui_keys K
ok "K opens the key status" tui_wait 'Key status'
is "$(raw_on_screen)" clean "key status: none either"
tui_keys Escape q
ok "the console quits" tui_wait 'EXIT=0'
is "$(title)" "$title0" "the console left the pane's title alone (OSC 0 and 2)"
is "$(buffers)" 0 "and set no paste buffer (OSC 52)"
ok "no sanitizer report" tui_no_sanitizer_report
done_testing

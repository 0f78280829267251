#!/bin/sh
# tui_lifecycle.sh: the console's encryption lifecycle screens, through
# tmux (doc/design.md sections 6 and 7). As Admin on the demo: R shows the
# preflight and refuses, naming the row no key opens; s chooses "skip
# undecryptable", `rotate` is typed to confirm, the result and the verify
# pass show, and an old-key row is then under key 0 with its original
# timestamp (checked with Python cryptography); one line in the action log.
# A shows the findings grouped by severity and Enter opens the connection;
# on a configuration finding it shows its fix (and where it was set); the
# list marks connections with findings. As Viewer, R is refused with
# the reason. The key wizard (K then w) writes `new,old` into a copy of the
# demo's airflow.cfg, keeping its comments and mode, and shows the new key
# once. The lost-key probe takes a hidden candidate and never shows it.
# No screen shows a demo password.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/tui_lib.sh"
plan 58

TUI_WAIT=20
demo="$T/demo"
"$FERNCON" demo "$demo" > "$T/demo.out" 2>&1
is "$?" 0 "ferncon demo writes the demo"
key=$(sed -n 's/^fernet_key = //p' "$demo/airflow.cfg")
tool() { FERNET_KEY="$key" "$PYTHON3" "$top_srcdir/tests/airflow_db.py" "$@"; }
# "key_index timestamp" of a connection's password token.
tokinfo() { tool token-info "$demo/airflow.db" "$1" password |
	"$PYTHON3" -c 'import json,sys; i = json.load(sys.stdin); print(i.get("key_index"), i.get("timestamp"))'; }
tui_demo_passwords > "$T/passwords"

# An old-key row (key index 1) before the rotation, and its timestamp.
old=
for c in inventory_mysql sftp_partner warehouse_pg_replica; do
	case $(tokinfo "$c") in 1\ *) old=$c; break ;; esac
done
ok "the demo has a connection password under the old key" test -n "$old"
ts=$(tokinfo "$old" | cut -d' ' -f2)

run() {	# run USER: the console as USER on the demo
	tui_run "clear; AIRFLOW__CONSOLE__ROLES='$(roles_as "$1" 'alice:Admin, carol:Viewer')' TERM=tmux-256color '$FERNCON' --config '$demo/airflow.cfg' --airflow-home '$demo'"
}

tui_start 100 30

# -- rotation as Admin -------------------------------------------------------
run alice
ok "Admin opens the console" tui_wait "$ME Admin"
ok "the list marks connections with findings" tui_wait ' ! aws_default'
tui_keys R
ok "R shows the preflight table per field and key" \
	tui_wait 'connection.password'
ok "naming the row no key opens" \
	tui_wait "connection.password of 'legacy_reporting_db'"
tui_keys Enter
ok "Enter is refused while a row no key opens, naming it" \
	tui_wait "rotation refused: "
tui_keys s
ok "s chooses skip undecryptable" tui_wait 'skip undecryptable: ON'
tui_keys Enter
ok "Enter asks for the word" tui_wait 'type it here:'
tui_type rotat
tui_keys Enter
ok "a wrong word does not rotate" tui_wait "type 'rotate' to confirm"
tui_type e
tui_keys Enter
ok "typing rotate runs it to the commit" tui_wait 'rotation committed'
ok "the progress bar ends full" tui_wait '100%'
ok "the verify pass is OK" tui_wait 'verify OK'
ok "the skipped row is named" \
	tui_wait "skipped: connection.password of 'legacy_reporting_db'"
is "$(tokinfo "$old")" "0 $ts" \
	"$old is now under key 0 with its original timestamp"
log=$(grep -c '"action":"rotate"' "$demo/ferncon-actions.log")
is "$log" 1 "one line in the action log"
# Issue 15: one vocabulary for progress; the bar ends on the summary's rate;
# the table is counted again after the action.
rate=$(tui_screen | sed -n 's/.*rows read, \([0-9]*\) rows\/s; commit.*/\1/p' | head -n 1)
ok "the summary gives rows read and rows/s ($rate)" test -n "$rate"
ok "the bar's line ends on the same rate, in the CLI's words" \
	tui_wait "rotate: $(tui_screen | sed -n 's/.*s: \([0-9]*\) rows read.*/\1/p' | head -n 1) of "
ok "and the same rows/s" tui_wait "rows (100%), $rate rows/s"
ok "the table is counted again after the rotation" \
	tui_wait 'the table above is the state after the rotation'
ok "it shows every value under key 1 now (none under key 2)" \
	tui_wait 'k1 '
tui_keys Escape
# E encrypts the plaintext values; the table then has none left.
ok "E encrypts the plaintext values" tui_encrypt_plaintext 'encryption committed: 8 values encrypted'
ok "then the table says so: no plaintext left" tui_wait 'plaintext: 0; undecryptable: 2'
ok "and offers no 'E: encrypt' any more" eval '! tui_screen | grep -q "E: encrypt the"'
tui_keys Escape
ok "the status line counts again: plaintext 0" tui_wait 'plaintext 0'

# -- audit -------------------------------------------------------------------
tui_keys A
ok "A shows the findings, critical first" tui_wait 'critical ('
# Issue 15: the console counts what `ferncon audit` counts by default, and
# both say the minimum severity shown.
sum=$("$FERNCON" --config "$demo/airflow.cfg" audit --format text 2>/dev/null |
	grep 'minimum severity shown: low$')
ok "the console's summary is the line of 'ferncon audit' ($sum)" \
	eval '[ -n "$sum" ] && tui_wait "${sum%%;*}" && tui_wait "minimum severity shown: low"'
ok "then high" tui_wait 'high ('
ok "evidence is redacted" tui_wait 'AKIA... [20 chars]'
tui_keys Enter
ok "Enter opens the finding's connection" tui_wait 'Connection aws_athena'
tui_keys Escape Escape q
tui_wait 'EXIT=' >/dev/null

# -- Viewer ------------------------------------------------------------------
run carol
tui_wait "$ME Viewer" >/dev/null
bar() { tm capture-pane -e -p -t t | grep -F 'Quit' | tail -n 1; }
dim() { bar | grep -q "2m[^ ]*$1"; }
bar_has() { tm capture-pane -p -t t | tail -n 1 | grep -qF -- "$1"; }
ok "R is dimmed for a Viewer" tui_until dim 'R Rotate'
tui_keys R
ok "and refused with the reason" \
	tui_wait "role Viewer ($ME) may not rotate the Fernet key"
ok "A is not dimmed: every role audits" eval '! dim "A Audit"'
tui_keys q
tui_wait 'EXIT=0' >/dev/null

# -- the key wizard on a copy of airflow.cfg ---------------------------------
mkdir "$T/copy"
cp "$demo/airflow.cfg" "$T/copy/airflow.cfg"
chmod 640 "$T/copy/airflow.cfg"
tui_run "clear; TERM=tmux-256color '$FERNCON' --config '$T/copy/airflow.cfg' --airflow-home '$demo'"
tui_wait 'Admin (no role map)' >/dev/null
tui_keys K
tui_wait 'Key status' >/dev/null
tui_keys w
ok "w on the key screen opens the wizard, saying where the key comes from" \
	tui_wait "the key comes from  $T/copy/airflow.cfg:7"
ok "with the reminder for every Airflow component" \
	tui_wait 'every Airflow component'
tui_keys w y
ok "w then y writes the list" tui_wait 'wrote the new key list to'
new=$(sed -n 's/^fernet_key = //p' "$T/copy/airflow.cfg")
is "${new#*,}" "$key" "airflow.cfg now has new,old"
ok "the new key was shown on the screen" tui_wait "${new%%,*}"
ok "the file's comments are kept" \
	grep -q '^# second is the old key, still needed' "$T/copy/airflow.cfg"
is "$(stat -c %a "$T/copy/airflow.cfg")" 640 "and its mode"
is "$(grep -v '^fernet_key = ' "$T/copy/airflow.cfg")" \
	"$(grep -v '^fernet_key = ' "$demo/airflow.cfg")" "and every other line"
ok "the console took the new list: 3 keys" tui_wait ' 3 keys '
# Issue 15: the wizard says when the old key may be dropped, and only then
# offers D.
ok "before the rotation the wizard says to keep the old key" \
	tui_wait 'Keep the old key: '
ok "and D is not offered" eval '! bar_has "D Drop old"'
tui_keys R
tui_wait 'connection.password' >/dev/null
tui_keys s Enter
tui_wait 'type it here:' >/dev/null
tui_type rotate
tui_keys Enter
ok "R in the wizard rotates to the new key" tui_wait 'verify OK'
tui_keys Escape
ok "then the wizard says the old key may be dropped now" \
	tui_wait 'The old key may be dropped now: no value opens only under an old key'
ok "and offers D" tui_until bar_has 'D Drop old'
st=$("$FERNCON" --config "$T/copy/airflow.cfg" key status)
contains "$st" "old keys:    0 values only they open (the key list may be cut to key 1 alone)" \
	"key status says so too"
tui_keys D y
ok "D writes the new key alone" tui_wait 'dropped the old keys'
is "$(sed -n 's/^fernet_key = //p' "$T/copy/airflow.cfg")" "${new%%,*}" \
	"airflow.cfg holds the new key alone"

# -- the lost-key probe: keys typed hidden, never on the screen --------------
tui_keys Escape
tui_wait 'Key status' >/dev/null
tui_keys p
ok "p on the key screen opens the probe" tui_wait 'Lost-key probe'
oldk=${new%%,*}	# the only key now (the wizard dropped the old ones)
tui_type "$oldk"
# The field shows one * per character typed: wait for all 44 before F2.
tui_wait "$(printf '%44s' '' | tr ' ' '*')" >/dev/null
tui_keys F2
ok "F2 probes: the rows no key opens are counted" \
	tui_wait '2 that no configured key opens'
ok "a candidate already in the ring is said so" \
	tui_wait 'opens 0 values (already in the key list)'
ok "the candidate is never shown" eval '! tui_screen | grep -qF -- "$oldk"'
tui_keys Escape q
tui_wait 'EXIT=0' >/dev/null

# -- a configuration finding on the audit screen ------------------------------
# An empty DB and an airflow.cfg whose only critical finding is the
# published secret_key: Enter on it shows the fix, then where it was set.
mkdir "$T/cfg"
tool create "$T/cfg/airflow.db" --schema "$top_srcdir/data/schema-3.2.sql"
printf '[core]\nfernet_key = %s\n[database]\nsql_alchemy_conn = sqlite:///%s\n[webserver]\nsecret_key = temporary_key\nweb_server_ssl_cert = /etc/airflow/tls.crt\n' \
	"${key%%,*}" "$T/cfg/airflow.db" > "$T/cfg/airflow.cfg"
chmod 600 "$T/cfg/airflow.cfg"
tui_run "clear; TERM=tmux-256color '$FERNCON' --config '$T/cfg/airflow.cfg' --airflow-home '$T/cfg'"
tui_wait 'Admin (no role map)' >/dev/null
tui_keys A
ok "the audit lists the configuration finding" tui_wait 'secret-key-default'
tui_keys Enter
ok "Enter on it shows its fix (then where it was set, cut at the pane's width)" \
	tui_wait 'fix: set a long random value, the same on every webserver/API server'
tui_keys Escape q
tui_wait 'EXIT=0' >/dev/null

ok "no screen showed a demo password" tui_no_password_in "$TUI_LOG" "$T/passwords"
ok "no sanitizer report" tui_no_sanitizer_report
done_testing

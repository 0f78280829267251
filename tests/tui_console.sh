#!/bin/sh
# tui_console.sh: the console as an Admin, driven through tmux: `ferncon
# demo` opens it, filter, open a connection, reveal its password (logged),
# re-type a password to encrypt a plaintext row (checked with Python
# cryptography: a token of the new password under the primary key), keep a
# password by leaving the field empty, fix a row that no key opens, an
# extra that is not JSON refused at its byte, add from a pasted URI,
# delete (No is the default), resize to 80x24 and 40x10, quit and find the
# terminal restored; Ctrl-C quits cleanly too; no TTY, no console.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/tui_lib.sh"
plan 65

demo="$T/demo"
tool() { FERNET_KEY="$key" "$PYTHON3" "$top_srcdir/tests/airflow_db.py" "$@"; }
row() { tool dump "$demo/airflow.db" | grep "\"conn_id\": \"$1\""; }
field() { row "$1" | "$PYTHON3" -c 'import json,sys; r = json.load(sys.stdin); print(r[sys.argv[1]])' "$2"; }
tokinfo() { tool token-info "$demo/airflow.db" "$1" password |
	"$PYTHON3" -c 'import json,sys; i = json.load(sys.stdin); print(i["encrypted"], i.get("key_index"))'; }

# -- no terminal, no console -------------------------------------------------
o=$("$FERNCON" </dev/null 2>&1); rc=$?
is "$rc" 2 "without a TTY on stdin the console refuses (exit 2)"
contains "$o" "standard input is not a TTY" "with one clear line"

# -- open the demo -----------------------------------------------------------
tui_start 100 30
# A terminal that cannot move the cursor is refused with one line, as no TTY.
"$FERNCON" demo "$demo" </dev/null >/dev/null 2>&1
tui_run "TERM=dumb '$FERNCON' --config '$demo/airflow.cfg'"
ok "TERM=dumb: the console refuses with one line" \
	tui_wait "terminal type 'dumb' cannot move the cursor"
ok "and exits 2" tui_wait 'EXIT=2'
tui_run clear
tui_wait_gone 'EXIT=2'
tui_run "TERM=no-such-terminal '$FERNCON' --config '$demo/airflow.cfg'"
ok "an unknown terminfo entry is refused with one line" \
	tui_wait "'no-such-terminal' is not known to terminfo"
ok "and exits 2 too" tui_wait 'EXIT=2'
tui_run clear
tui_wait_gone 'EXIT=2'
tui_run "TERM=tmux-256color '$FERNCON' demo '$demo'"
ok "ferncon demo opens the console on a terminal" tui_wait 'Connections  by conn_id'
key=$(sed -n 's/^fernet_key = //p' "$demo/airflow.cfg")
is "$(tui_alternate)" 1 "it runs on the alternate screen"
ok "the status line has the user, role and DB" tui_wait 'Admin (no role map)'
ok "and the counts of plaintext and undecryptable values once scanned" \
	tui_wait 'undecryptable 2'
ok "the list shows the row that no key opens, marked undecryptable" \
	tui_until eval 'tui_screen | grep -qE "^ ! legacy_reporting_db +postgres +reporting\.[a-z.]*~? +report_user +5432 undecryptable"'
ok "the function-key bar" \
	tui_wait "Enter Open  / Filter  s Sort  e Edit  a Add  d Delete  K Keys  R Rotate  A Audit  ? Help  q Quit"
tui_keys K
ok "K shows the key status, naming the rows no key opens" \
	tui_wait "connection.password of 'legacy_reporting_db'"
status=$("$FERNCON" --config "$demo/airflow.cfg" key status)
plain=$(printf '%s\n' "$status" | sed -n 's/^plaintext: *\([0-9]*\) values.*/\1/p')
k2=$(printf '%s\n' "$status" | sed -n 's/^key 2: *\([0-9]*\) values.*/\1/p')
ok "with the counts of 'ferncon key status' ($plain plaintext, $k2 under key 2)" \
	eval "tui_wait 'plaintext       $plain values' && tui_wait 'key 2            $k2 values'"
tui_keys Escape

# -- filter, open, reveal ----------------------------------------------------
tui_keys /
tui_type warehouse
tui_keys Enter
ok "/ filters as you type" tui_wait 'filter: warehouse'
ok "matching rows stay" tui_wait "warehouse_pg_replica"
ok "others go" tui_wait_gone "aws_default"
tui_keys Enter
ok "Enter opens the connection" tui_wait 'Connection warehouse_pg'
ok "the password is masked" tui_wait "password       ***"
ok "the extra is indented JSON" tui_wait '    "sslmode": "require"'

tui_keys r
ok "r reveals as Admin" tui_wait 'Wh-demo-2024!Pass'
contains "$(cat "$demo/ferncon-actions.log")" '"action":"reveal","conn_id":"warehouse_pg"' \
	"the reveal is in the action log"
tui_keys j
ok "the next key hides it again" tui_wait_gone 'Wh-demo-2024!Pass'

# -- re-type a password: the plaintext row ftp_archive gets a token ----------
tui_keys Escape /
tui_keys C-u
tui_type ftp_arch
tui_keys Enter
tui_wait 'filter: ftp_arch' >/dev/null
is "$(tokinfo ftp_archive)" "False None" "ftp_archive's password is plain text in the DB"
tui_keys e
ok "e opens the edit form" tui_wait 'Edit connection ftp_archive'
tui_keys Tab Tab Tab Tab Tab
tui_type 'N3w-pässword!'
tui_keys Tab
tui_type 'N0t-the-same'
tui_keys F2
ok "two different passwords are refused" tui_wait 'the two passwords differ'
tui_keys C-u
tui_type 'N3w-pässword!'
tui_keys F2
ok "the same password twice is saved" tui_wait 'Successfully updated `conn_id`=ftp_archive'
is "$(field ftp_archive password)" 'N3w-pässword!' "Python decrypts the new password"
is "$(tokinfo ftp_archive)" "True 0" "as a token of the primary key"
is "$(field ftp_archive is_encrypted)" 1 "with is_encrypted set"
log=$(cat "$demo/ferncon-actions.log")
contains "$log" '"action":"edit","conn_id":"ftp_archive","detail":"console; password re-typed"' \
	"the edit is in the action log"
lacks "$log" 'N3w-p' "which holds no password"

# -- an empty password keeps the stored one; a bad extra is refused ----------
before=$(tool token-info "$demo/airflow.db" ftp_archive password)
tui_keys e
tui_wait 'Edit connection ftp_archive' >/dev/null
tui_keys Tab
tui_type 'renamed'
tui_keys F2
ok "a change without a password is saved" tui_wait 'Successfully updated `conn_id`=ftp_archive'
is "$(tool token-info "$demo/airflow.db" ftp_archive password)" "$before" \
	"the stored password token is kept as it was"
tui_keys e
tui_wait 'Edit connection ftp_archive' >/dev/null
tui_keys Tab Tab Tab Tab Tab Tab Tab Tab End
tui_type ', oops'
tui_keys F2
ok "an extra that is not JSON is refused at its byte" tui_wait '(at byte 17)'
tui_keys Escape
tui_wait 'not saved' >/dev/null
# Issue 15: a port with a letter is refused on its field, not cut silently.
port_before=$(field ftp_archive port)
tui_keys e
tui_wait 'Edit connection ftp_archive' >/dev/null
tui_keys Tab Tab Tab Tab Tab Tab Tab End
tui_type '1x'
tui_keys Tab
ok "a port with a letter is refused as the focus leaves it, on the field" \
	tui_wait 'digits only: a number'
tui_keys F2
ok "and F2 does not save it" tui_wait 'digits only: a number'
tui_keys Escape
tui_wait 'not saved' >/dev/null
is "$(field ftp_archive port)" "$port_before" "the stored port is unchanged"
is "$(field ftp_archive extra)" '{"passive": true}' "and the DB keeps the extra"

# -- a row that no key opens: re-type its password ---------------------------
tui_keys / C-u
tui_type legacy_rep
tui_keys Enter Enter
ok "the undecryptable row opens" tui_wait 'undecryptable: no configured key opens this token'
tui_keys e
tui_wait 'Edit connection legacy_reporting_db' >/dev/null
tui_keys Tab Tab Tab Tab Tab
tui_type 'fixed-by-hand-1'
tui_keys Tab
tui_type 'fixed-by-hand-1'
tui_keys F2
tui_wait 'Successfully updated' >/dev/null
is "$(field legacy_reporting_db password)" 'fixed-by-hand-1' \
	"its password opens again (a token of the new password)"
is "$(row legacy_reporting_db | grep -c '"extra": {"undecryptable": true}')" 1 \
	"its extra, left empty, keeps the token no key opens"
tui_keys d
tui_wait "Delete connection 'legacy_reporting_db'?" >/dev/null
tui_keys y
ok "a row that no key opens can be deleted" \
	tui_wait 'Successfully deleted connection with `conn_id`=legacy_reporting_db'
is "$(row legacy_reporting_db | wc -l | tr -d ' ')" 0 "it is gone from the DB"

# -- add from a pasted URI, delete -------------------------------------------
tui_keys a
ok "a opens the add form" tui_wait 'Add a connection'
tui_type 'postgresql://bob:s3cr%40t@db.example.com:6543/sales?sslmode=require'
tui_keys Tab
tui_wait 'filled from the URI' >/dev/null
tui_type 'added_from_uri'
tui_keys F2
ok "the connection is added from the URI" tui_wait 'Successfully added `conn_id`=added_from_uri'
is "$(row added_from_uri | "$PYTHON3" -c 'import json,sys; r = json.load(sys.stdin); print(r["conn_type"], r["host"], r["port"], r["login"], r["password"], r["extra"])')" \
	'postgres db.example.com 6543 bob s3cr@t {"sslmode": "require"}' \
	"with every field of the URI (Python's reading)"
is "$(tokinfo added_from_uri)" "True 0" "its password a token of the primary key"
tui_keys / C-u
tui_type added_from
tui_keys Enter d
ok "d asks first" tui_wait 'Delete connection '"'"'added_from_uri'"'"'?'
tui_keys Enter
tui_wait_gone 'Delete connection ' >/dev/null
is "$(row added_from_uri | wc -l | tr -d ' ')" 1 "Enter on the default (No) keeps it"
tui_keys d
tui_wait 'Delete connection ' >/dev/null
tui_keys y
ok "y deletes it" tui_wait 'Successfully deleted connection with `conn_id`=added_from_uri'
is "$(row added_from_uri | wc -l | tr -d ' ')" 0 "it is gone from the DB"

# -- a password with a NUL (issue 14 item 11) ----------------------------------
# Kept as Airflow keeps it (tests/cli_compat.sh): revealed, it is drawn
# as a?b, a control character as '?' (doc/console.md section 10); an edit that leaves the password fields empty keeps it; a URI with
# %00 in its password is refused by the form, whose password fields are C
# strings (README, "Where ferncon differs from Airflow").
printf 'http://u:a%%00b@nul.example\n' |
    "$FERNCON" --config "$demo/airflow.cfg" connections add nul_pw --conn-uri - >/dev/null 2>&1
nulpw() { row nul_pw | "$PYTHON3" -c 'import json,sys; print(repr(json.load(sys.stdin)["password"]))'; }
want=$("$PYTHON3" -c 'from urllib.parse import urlsplit, unquote
print(repr(unquote(urlsplit("http://u:a%00b@nul.example").password)))')
tui_keys / C-u
tui_type nul_pw
tui_keys Enter Enter
tui_wait 'Connection nul_pw' >/dev/null
tui_keys r
ok "r reveals a password with a NUL, the NUL drawn as '?'" tui_wait 'a?b'
tui_keys e
tui_wait 'Edit connection nul_pw' >/dev/null
tui_keys Tab
tui_type 'kept'
tui_keys F2
tui_wait 'Successfully updated `conn_id`=nul_pw' >/dev/null
is "$(nulpw)" "$want" "an edit without a password keeps the one with a NUL (Python decrypts it)"
tui_keys Escape
tui_wait_gone 'Connection nul_pw' >/dev/null
tui_keys a
tui_wait 'Add a connection' >/dev/null
tui_type 'http://u:a%00b@h'
tui_keys Tab
ok "the form refuses a URI whose password holds a NUL" tui_wait 'password holds a NUL character'
tui_keys Escape
tui_wait_gone 'Add a connection' >/dev/null
"$FERNCON" --config "$demo/airflow.cfg" connections delete nul_pw >/dev/null 2>&1

# -- resize ------------------------------------------------------------------
tui_keys Escape
tm resize-window -t t -x 80 -y 24
ok "80x24 shows the list and every key in the bar, labels shortened" \
	tui_wait 'Enter Open / Filt s Sort e Edit a Add d Dele K Keys R Rota A Audi ? Help q Quit'
# The DB label at 80: the SQLite path whole, or cut from the left so that
# the file name stays (or left out, when the user's name leaves no room).
sqlite_label() {
	_l1=$(tm capture-pane -p -t t | sed -n 1p)
	case $_l1 in
	*"  $demo/airflow.db  "*|*"  ..."*"/airflow.db  "*|*" keys  plain"*) return 0 ;;
	esac
	echo "# status line: $_l1"
	return 1
}
ok "at 80 columns the SQLite path keeps its file name" sqlite_label
tm resize-window -t t -x 40 -y 10
ok "40x10 says the terminal is too small" tui_wait 'terminal too small: 40x10'
tm resize-window -t t -x 100 -y 30
ok "and the console comes back at 100x30" tui_wait 'Connections  by conn_id'

# -- quit --------------------------------------------------------------------
tui_keys q
ok "q quits" tui_wait 'EXIT=0'
is "$(tui_alternate)" 0 "the alternate screen is gone: the terminal is restored"
ok "the shell's screen is back" tui_wait "demo AIRFLOW_HOME: $demo"

# -- Ctrl-C ------------------------------------------------------------------
tui_run "clear; TERM=xterm-256color '$FERNCON' --config '$demo/airflow.cfg'"
tui_wait 'Connections  by conn_id' >/dev/null
tui_keys C-c
ok "Ctrl-C quits cleanly (exit 0)" tui_wait 'EXIT=0'
is "$(tui_alternate)" 0 "and restores the terminal"
ok "no sanitizer report" tui_no_sanitizer_report
done_testing

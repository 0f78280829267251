#!/bin/sh
# tui_filter.sh: finding rows by state in the console's list (issue 15):
# `/` takes terms joined by AND (is:plaintext, is:undecryptable, key:N,
# type:NAME, age:>N, is:flagged, with free text); the status line's counts
# are keys (P, U) that apply those filters; a malformed term says why; after
# encrypt-plaintext (R, then E) the filtered list and the counts are read
# again. The rows expected come from `ferncon connections list -o json`
# (password_state / extra_state) and, for is:flagged, from `ferncon audit
# --format json`, not from the console.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/tui_lib.sh"
plan 21

TUI_WAIT=20
demo="$T/demo"
"$FERNCON" demo "$demo" >/dev/null 2>&1
# conn_ids with a value in a state, by the CLI's own account.
ids() {
	"$FERNCON" --config "$demo/airflow.cfg" connections list -o json 2>/dev/null |
	"$PYTHON3" -c 'import json,sys
for c in json.load(sys.stdin):
    if sys.argv[1] in (c.get("password_state"), c.get("extra_state")):
        print(c["conn_id"])' "$1"
}
plain=$(ids plain)
lost=$(ids undecryptable)
ok "the demo has plaintext and undecryptable rows" eval '[ -n "$plain" ] && [ -n "$lost" ]'

tui_start 100 30
tui_run "TERM=tmux-256color '$FERNCON' --config '$demo/airflow.cfg'"
ok "the console opens" tui_wait 'Connections  by conn_id'
tui_keys '?'
ok "the help names the keys of the status line's counts" \
	eval "tui_wait \"P             rows of the status line's plaintext count (is:plaintext)\" && tui_wait 'U             rows of its undecryptable count (is:undecryptable)'"
tui_keys Escape

# shown: the conn_ids of the list's rows on the screen (sorted).
shown() {
	tui_screen | sed -n '4,28p' | grep -E '^ [!*. ] [A-Za-z0-9_]' |
	awk '{ print ($1 ~ /^[!*.]$/) ? $2 : $1 }' | sort
}
rows_are() { [ "$(shown)" = "$(printf '%s\n' "$1" | sort)" ]; }
# of_type NAME: the conn_ids of that conn_type, by the CLI's account.
of_type() {
	"$FERNCON" --config "$demo/airflow.cfg" connections list -o json 2>/dev/null |
	"$PYTHON3" -c 'import json,sys
for c in json.load(sys.stdin):
    if c["conn_type"] == sys.argv[1]: print(c["conn_id"])' "$1" | LC_ALL=C sort
}

tui_keys /
tui_type is:plaintext
tui_keys Enter
ok "/is:plaintext lists exactly the rows with a plaintext value" tui_until rows_are "$plain"
tui_keys Escape
# Paged past the first fetch, the rows still obey the filter (the window
# keeps its terms after the search thread hands it over).
tui_keys /
tui_type 'is:encrypted'
tui_keys Enter
tui_wait 'filter: is:encrypted' >/dev/null
tui_keys G
only_encrypted() {
	_rows=$(tui_screen | sed -n '4,28p' | grep -E '^ [!*. ] [A-Za-z0-9_]')
	[ -n "$_rows" ] && ! printf '%s\n' "$_rows" | grep -qE ' (plaintext|undecryptable|-) ' &&
	    printf '%s\n' "$_rows" | grep -q 'zz_\|warehouse\|wasb\|trino\|vault\|tableau\|ssh\|snowflake\|slack\|sftp'
}
ok "is:encrypted paged to the end (G) shows only encrypted rows" tui_until only_encrypted
tui_keys Escape
tui_keys /
tui_type 'is:plaintext ftp'
tui_keys Enter
ok "a state and free text are joined by AND" tui_until rows_are "$(printf '%s\n' "$plain" | grep ftp)"
tui_keys Escape
tui_keys /
tui_type 'key:2 type:aws'
tui_keys Enter
k2aws=$(of_type aws)
ok "key:2 type:aws: the aws rows whose token is under key 2" tui_until rows_are "aws_athena"
contains "$k2aws" "aws_athena" "(aws_athena is an aws connection)"
tui_keys Escape

# is:flagged: the rows the audit reports findings for, by the rules of
# `ferncon audit` (its connection findings at every severity: the list's
# marks '!', '*' and '.' count info too).
flagged=$("$FERNCON" --config "$demo/airflow.cfg" audit --format json \
	--min-severity info 2>/dev/null | "$PYTHON3" -c 'import json,sys
for i in sorted({f["conn_id"] for f in json.load(sys.stdin)["findings"]
        if f["scope"] == "connection"}): print(i)' | LC_ALL=C sort)
printf '%s\n' "$flagged" >"$T/flagged"
nflagged=$(printf '%s\n' "$flagged" | grep -c .)
nall=$("$FERNCON" --config "$demo/airflow.cfg" connections list -o json \
	2>/dev/null | "$PYTHON3" -c 'import json,sys; print(len(json.load(sys.stdin)))')
ok "the demo has rows with and without audit findings ($nflagged of $nall)" \
	eval '[ "$nflagged" -gt 20 ] && [ "$nflagged" -lt "$nall" ]'
# The rows on the screen are the first (or last) of the flagged ones, in
# conn_id order, a full screen of them, each with its audit mark.
flagged_end() {
	_k=$(shown | grep -c .)
	[ "$_k" -ge 20 ] && rows_are "$(printf '%s\n' "$flagged" | "$1" -n "$_k")" &&
	    ! tui_screen | sed -n '4,28p' | grep -E '^ [!*. ] [A-Za-z0-9_]' |
	    grep -q '^   '
}
tui_keys /
tui_type 'is:flagged'
tui_keys Enter
ok "/is:flagged lists the rows with audit findings, each marked" \
	tui_until flagged_end head
tui_keys G
ok "paged to the end (G), the last flagged rows" tui_until flagged_end tail
tui_keys Escape
tui_keys /
tui_type 'type:postgres is:flagged'
tui_keys Enter
pgrows=$(of_type postgres)
pgflagged=$(printf '%s\n' "$pgrows" | grep -Fxf "$T/flagged")
ok "with type:postgres (AND): the flagged postgres rows only" \
	eval '[ -n "$pgflagged" ] && [ "$pgflagged" != "$pgrows" ] && tui_until rows_are "$pgflagged"'
tui_keys Escape
tui_keys /
tui_type 'is:plain'
ok "a malformed term says why" tui_wait "unknown state 'plain'"
tui_keys Escape Escape
tui_keys U
ok "U (the undecryptable count) lists the rows no key opens" tui_until rows_are "$lost"
ok "and says its filter" tui_wait 'is:undecryptable'
tui_keys Escape
tui_keys P
ok "P (the plaintext count) lists the plaintext rows" tui_until rows_are "$plain"

# Encrypt them in the console; the filtered list and the counts follow.
ok "E encrypts the plaintext values" tui_encrypt_plaintext 'encryption committed'
tui_keys Escape
ok "back on the list, the plaintext filter matches nothing now" tui_until rows_are ""
ok "and the status line counts plaintext 0" tui_wait 'plaintext 0'
tui_keys Escape
ok "without the filter the rows are back" tui_wait 'ftp_archive'
row_says() { tui_screen | grep -E " ftp_archive " | grep -q 'encrypted'; }
ok "showing the former plaintext row as encrypted" tui_until row_says
tui_keys q
tui_wait 'EXIT=0' >/dev/null

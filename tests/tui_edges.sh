#!/bin/sh
# tui_edges.sh: the right edge of the help, edit and key wizard screens
# (issue 15): at 80x24 and 100x30 no text runs into the last column; a
# help text or a wizard line longer than the screen is wrapped, never cut,
# so that the help of a narrow terminal holds word for word what a wide
# one shows (a Viewer's dimmed keys, which say why, included); a field
# value wider than its field shows where it is cut ('<' on the left, '>'
# on the right, as readline's horizontal scrolling marks it); a long hint
# below the form is wrapped.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/tui_lib.sh"
plan 24

TUI_WAIT=20
demo="$T/demo"
"$FERNCON" demo "$demo" >/dev/null 2>&1
cfg="$demo/airflow.cfg"
# The extra of the first row, as the CLI shows it (masked, as the form
# does): wider than the form's field at 80 and 100 columns (79 wide).
extra=$("$FERNCON" --config "$cfg" connections get aws_athena -o json 2>/dev/null |
	"$PYTHON3" -c 'import json,sys
c = json.load(sys.stdin)
print(json.dumps(c[0]["extra_dejson"]))')
ok "the first row's extra is wider than a field at 100 columns (${#extra})" \
	eval '[ "${#extra}" -gt 80 ]'

# words: the screen's text below the title, as one line of words (so
# that where a line was wrapped does not matter; the new key, which is
# new on each visit, as KEY).
words() {
	tui_screen | sed '1,2d;$d' |
	sed -E 's/[A-Za-z0-9_-]{43}=/KEY/g' | tr -s ' \n' '  ' | sed 's/^ //; s/ $//'
}
open_console() {
	tui_start "$1" "$2"
	tui_run "TERM=tmux-256color '$FERNCON' --config '$cfg' $3"
	tui_wait 'Connections  by conn_id' >/dev/null
	tui_wait 'undecr' >/dev/null
}
quit_console() {
	tui_keys Escape Escape Escape q
	tui_wait 'EXIT=0' >/dev/null
	tm kill-server >/dev/null 2>&1
}

for size in 80x24 100x30; do
	cols=${size%x*}
	lines=${size#*x}
	open_console "$cols" "$lines"
	tui_keys '?'
	ok "$size help: nothing runs into the right edge" \
		eval 'tui_wait "Help: the keys of the list screen" >/dev/null && tui_edge_clear "$cols"'
	tui_keys End
	ok "$size help, its end: the last note, to its end" \
		eval 'tui_wait "(d)." >/dev/null && tui_edge_clear "$cols"'
	tui_keys Escape g e
	ok "$size edit: nothing runs into the right edge" \
		eval 'tui_wait "Edit connection aws_athena" >/dev/null && tui_edge_clear "$cols"'
	# Tab to the extra field (its hint shows), the cursor to its end.
	for _i in 1 2 3 4 5 6 7 8 9 10 11 12; do
		tui_screen | grep -q 'a JSON object; each' && break
		tui_keys Tab
		sleep 0.2
	done
	tui_keys End
	ok "$size edit: the extra, cut on the left with the cursor at its end, shows '<'" \
		tui_wait 'extra (JSON)      <'
	tui_keys Home
	ok "$size edit: at its start, cut on the right, it shows '>'" \
		eval 'tui_wait "extra (JSON)      {\"" >/dev/null && tui_screen | grep -q "^ extra (JSON)      {.*>$"'
	tui_keys Escape K
	tui_wait 'Key status' >/dev/null
	tui_keys w
	ok "$size key wizard: nothing runs into the right edge" \
		eval 'tui_wait "Key wizard" >/dev/null && tui_wait "R rotates and verifies" >/dev/null && tui_edge_clear "$cols"'
	ok "$size key wizard: the new key's line, wrapped, is whole" \
		eval 'words | grep -qF "new key (shown while this screen is open; give it to every Airflow component): KEY"'
	quit_console
done

# A tall pane holds a whole help screen: the words of 80 and 100 columns
# are those of 160 (where no help line is long enough to wrap), for an
# Admin, for a Viewer whose dimmed keys say why, and for the key wizard.
help_words() {
	open_console "$1" 60 "$2"
	tui_keys '?'
	tui_wait 'Help: the keys of the list screen' >/dev/null
	words
	_e=0
	tui_edge_clear "$1" || _e=1
	quit_console
	return $_e
}
for who in Admin Viewer; do
	role=
	[ "$who" = Viewer ] && role='--as-role Viewer'
	wide=$(help_words 160 "$role")
	case $who in
	Admin) ok "160 columns: the '/' help whole, in one line" \
		eval 'printf "%s\n" "$wide" | grep -qF "age:>90d (AND)"' ;;
	Viewer) ok "160 columns: a dimmed key says why" \
		eval 'printf "%s\n" "$wide" | grep -qF "not for Viewer ("' ;;
	esac
	for cols in 80 100; do
		narrow=$(help_words "$cols" "$role") ||
			narrow="(a line ran into the right edge) $narrow"
		is "$narrow" "$wide" \
			"$who's help at $cols columns: the words of 160, wrapped, none cut"
	done
done
# The key wizard's screen (K, then w).
wizard_words() {
	open_console "$1" 60
	tui_keys K
	tui_wait 'Key status' >/dev/null
	tui_keys w
	tui_wait 'R rotates and verifies' >/dev/null
	words
	_e=0
	tui_edge_clear "$1" || _e=1
	quit_console
	return $_e
}
wide=$(wizard_words 160)
for cols in 80 100; do
	narrow=$(wizard_words "$cols") || narrow="(a line ran into the right edge) $narrow"
	is "$narrow" "$wide" \
		"key wizard at $cols columns: the words of 160, wrapped, none cut"
done
ok "no sanitizer report" tui_no_sanitizer_report

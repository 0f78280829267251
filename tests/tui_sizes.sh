#!/bin/sh
# tui_sizes.sh: every screen at 80x24, 100x30 and 160x48 (issue 15): the
# function bar holds every key the role may use (labels shortened when
# narrow, as htop does), no text runs into the last column (a line cut at
# the right edge shows there), a conn_id longer than its column ends in
# the truncation mark '~', and the widest terminal shows more columns
# (description).
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/tui_lib.sh"
plan 37

TUI_WAIT=20
demo="$T/demo"
"$FERNCON" demo "$demo" >/dev/null 2>&1
long=a_connection_with_a_very_long_conn_id_for_the_column
"$FERNCON" --config "$demo/airflow.cfg" connections add "$long" --conn-type http \
	--conn-host h.example --conn-description 'described at length' >/dev/null 2>&1

# bar_has KEYS...: the last line holds each key name.
bar_has() {
	_bar=$(tm capture-pane -p -t t | tail -n 1)
	for _k in "$@"; do
		printf '%s\n' "$_bar" | grep -qF -- "$_k " || printf '%s\n' "$_bar" | grep -qE -- "(^| )$_k( |$)" || return 1
	done
}

for size in 80x24 100x30 160x48; do
	cols=${size%x*}
	lines=${size#*x}
	tui_start "$cols" "$lines"
	tui_run "TERM=tmux-256color '$FERNCON' --config '$demo/airflow.cfg'"
	tui_wait 'Connections  by conn_id' >/dev/null
	tui_wait 'undecr' >/dev/null
	ok "$size list: the bar has every key of an Admin" \
		tui_until bar_has Enter / s e a d K R A '?' q
	ok "$size list: nothing runs into the right edge" tui_edge_clear "$cols"
	if [ "$cols" -lt 160 ]; then
		ok "$size list: a long conn_id ends in the truncation mark" \
			tui_wait 'a_connection_with_a_very_'
		ok "$size list: ... with '~'" eval 'tui_screen | grep -q "a_connection_with_a_very_[a-z_]*~"'
	else
		ok "$size list: a wide terminal shows the description column" \
			tui_wait 'description'
		ok "$size list: ... with the description" tui_wait 'described at length'
	fi
	# Each screen from the list, then back.
	tui_keys g Enter
	ok "$size detail: nothing runs into the right edge" \
		eval 'tui_wait "Connection " >/dev/null && tui_edge_clear "$cols"'
	tui_keys Escape
	tui_keys K
	ok "$size key status: nothing runs into the right edge" \
		eval 'tui_wait "Key status" >/dev/null && tui_edge_clear "$cols"'
	tui_keys w
	ok "$size key wizard: the bar has w and R" \
		eval 'tui_wait "Key wizard" >/dev/null && tui_until bar_has w R'
	tui_keys Escape p
	ok "$size probe: nothing runs into the right edge" \
		eval 'tui_wait "Lost-key probe" >/dev/null && tui_edge_clear "$cols"'
	tui_keys Escape Escape R
	ok "$size rotation: nothing runs into the right edge" \
		eval 'tui_wait "Rotate the Fernet key" >/dev/null && tui_wait "keys in the ring" >/dev/null && tui_edge_clear "$cols"'
	tui_keys Escape A
	ok "$size audit: nothing runs into the right edge" \
		eval 'tui_wait "minimum severity shown" >/dev/null && tui_edge_clear "$cols"'
	tui_keys Escape '?'
	ok "$size help: the screen opens" tui_wait 'Help: the keys of the list screen'
	tui_keys Escape q
	ok "$size: q quits" tui_wait 'EXIT=0'
	tm kill-server >/dev/null 2>&1
done
ok "no sanitizer report" tui_no_sanitizer_report

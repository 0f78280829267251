# tui_lib.sh: helpers for the console tests, which drive the real ferncon
# in a tmux pane (sourced after lib.sh, POSIX sh).
#
#   tui_start 100 30 'TERM=tmux-256color "$FERNCON" demo "$T/demo"'
#   tui_wait 'Connections' || ...      # poll the pane, up to TUI_WAIT seconds
#   tui_keys / w a r Enter             # tmux send-keys
#   tui_type 'text'                    # send-keys -l (literal)
#   screen=$(tui_screen)               # capture-pane -p (also appended to $TUI_LOG)
#
# Each test has its own tmux server (its socket in the test's temporary
# directory, so nothing is left behind; no config file) with one session of
# a fixed size running an interactive sh, so that after ferncon quits the
# pane shows the shell again; the server is killed at exit. Waits poll the screen every 0.1 s up to $TUI_WAIT seconds (10 by
# default) instead of sleeping a fixed time, so a loaded machine only makes
# the test slower.

: "${TUI_WAIT:=10}"
TUI_SOCK="$T/tmux-ferncon-test-$$"
TUI_LOG="$T/screens.log"
: > "$TUI_LOG"

if ! command -v tmux >/dev/null 2>&1; then
	echo "1..0 # SKIP tmux is not installed"
	exit 0
fi

tm() { tmux -S "$TUI_SOCK" -f /dev/null "$@"; }

# LeakSanitizer would report ncurses' screen memory, which ncurses keeps on
# purpose (curs_memleaks(3X)); sanitizer reports go to files to be checked.
LSAN_OPTIONS="suppressions=$top_srcdir/tests/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
ASAN_OPTIONS="log_path=$T/asan${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
UBSAN_OPTIONS="log_path=$T/ubsan${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
export LSAN_OPTIONS ASAN_OPTIONS UBSAN_OPTIONS

trap 'tm kill-server >/dev/null 2>&1; rm -rf "$T"' EXIT

# tui_start COLS LINES: a session running sh, with the prompt "tui$ ".
tui_start() {
	tm kill-server >/dev/null 2>&1
	tm new-session -d -x "$1" -y "$2" -s t "exec env PS1='tui\$ ' sh -i" &&
	tui_wait 'tui$'
}

# tui_run COMMAND: type a command line into the pane's shell; its exit
# status is printed as "EXIT=n" when it ends.
tui_run() {
	tm send-keys -t t -l "$1; echo EXIT=\$?" && tm send-keys -t t Enter
}

tui_keys() { tm send-keys -t t "$@"; }

# tui_encrypt_plaintext TEXT: from the list, R then E, type 'encrypt'; 0
# once TEXT (the result) is on the screen.
tui_encrypt_plaintext() {
	tui_keys R
	tui_wait 'E: encrypt the ' >/dev/null
	tui_keys E
	tui_wait 'type it here:' >/dev/null
	tui_type encrypt
	tui_keys Enter
	tui_wait "$1"
}
tui_type() { tm send-keys -t t -l "$1"; }

# The pane as text (and kept in $TUI_LOG for the leak checks).
tui_screen() {
	tm capture-pane -p -t t | tee -a "$TUI_LOG"
}

# tui_wait TEXT [SECONDS]: 0 once TEXT is on the screen.
tui_wait() {
	_w=0
	_max=$(( ${2:-$TUI_WAIT} * 10 ))
	while [ "$_w" -lt "$_max" ]; do
		if tm capture-pane -p -t t 2>/dev/null | grep -qF -- "$1"; then
			tm capture-pane -p -t t >> "$TUI_LOG"
			return 0
		fi
		sleep 0.1
		_w=$((_w + 1))
	done
	echo "# timed out waiting for: $1"
	tm capture-pane -p -t t | sed 's/^/#   | /'
	return 1
}

# tui_wait_gone TEXT [SECONDS]: 0 once TEXT is no longer on the screen.
tui_wait_gone() {
	_w=0
	_max=$(( ${2:-$TUI_WAIT} * 10 ))
	while [ "$_w" -lt "$_max" ]; do
		if ! tm capture-pane -p -t t 2>/dev/null | grep -qF -- "$1"; then
			tm capture-pane -p -t t >> "$TUI_LOG"
			return 0
		fi
		sleep 0.1
		_w=$((_w + 1))
	done
	echo "# timed out waiting for this to go: $1"
	tm capture-pane -p -t t | sed 's/^/#   | /'
	return 1
}

# tui_until COMMAND...: 0 once COMMAND succeeds (polled like tui_wait).
tui_until() {
	_w=0
	while [ "$_w" -lt $((TUI_WAIT * 10)) ]; do
		"$@" && return 0
		sleep 0.1
		_w=$((_w + 1))
	done
	return 1
}

# tui_edge_clear COLS: no line of the pane, but the top status line and
# the key bar, has text in its last column (a line cut at the right edge
# shows there).
tui_edge_clear() {
	tui_screen | sed '1d;$d' | awk -v w="$1" 'length($0) >= w && substr($0, w, 1) != " " { bad = 1 } END { exit bad }'
}

# tui_is_shown WANT DESCRIPTION: the rows that the script's own shown()
# reads off the screen become WANT (polled, so that a frame still being
# drawn is not compared); one TAP result.
tui_is_shown() {
	tui_until _tui_shown_is "$1"
	is "$(shown)" "$1" "$2"
}
_tui_shown_is() { [ "$(shown)" = "$1" ]; }

# 1 while the pane shows the alternate screen (a curses program runs).
tui_alternate() { tm display -p -t t '#{alternate_on}'; }

# tui_audit_select PATTERN: on the audit screen (its list from row 4, not
# scrolled), select the first row matching the awk PATTERN once the audit
# shows it (polled): Home, then Down as many times as the row is below the
# list's first. 1 if no row matches in time.
tui_audit_select() {
	tui_until _tui_audit_row "$1" || return 1
	tui_keys Home
	_tas_i=0
	while [ "$_tas_i" -lt "$_tas_rows" ]; do tui_keys Down; _tas_i=$((_tas_i + 1)); done
}
_tui_audit_row() {
	_tas_rows=$(tm capture-pane -p -t t | awk -v p="$1" '$0 ~ p { print NR - 4; exit }')
	[ -n "$_tas_rows" ]
}

# The pid of the program the pane's shell runs (ferncon), if any.
tui_child_pid() {
	ps -o pid= --ppid "$(tm display -p -t t '#{pane_pid}')" | tr -d ' ' |
	    head -n 1
}

# 0 when no sanitizer wrote a report.
tui_no_sanitizer_report() {
	for _f in "$T"/asan.* "$T"/ubsan.*; do
		[ -e "$_f" ] || continue
		cat "$T"/asan.* "$T"/ubsan.* 2>/dev/null | sed 's/^/# /' | head -n 40
		return 1
	done
	return 0
}

# The demo passwords that never appear in a non-secret field, one a line.
tui_demo_passwords() {
	"$PYTHON3" -c 'import json,sys
cs = json.load(open(sys.argv[1]))
public = " ".join(str(v) for c in cs for k, v in c.items() if k != "password")
for c in cs:
    p = c.get("password")
    if p and len(p) > 5 and p not in public: print(p)' \
	    "$top_srcdir/data/demo-connections.json"
}

# 0 when no line of file $2 (passwords) occurs in file $1.
tui_no_password_in() {
	_leak=0
	while IFS= read -r _p; do
		if grep -qF -- "$_p" "$1"; then
			echo "# leaked on screen: a demo password (${#_p} characters)"
			_leak=1
		fi
	done < "$2"
	[ "$_leak" -eq 0 ]
}

#!/bin/sh
# tui_files.sh: the files the console writes, through tmux.
#
# The key wizard's temporary file: ferncon is killed with SIGKILL in the
# middle of writing `new,old` into airflow.cfg (the test hook
# FERNCON_TEST_KILL_IN_CFGWRITE makes it kill itself once the temporary
# file is written, before the rename: the moment a kill -9 can leave it);
# airflow.cfg is unchanged and `.ferncon-cfg-XXXXXX`, holding the keys, is
# left. The wizard's next start removes it and says so, and leaves alone
# what is not its own: a name of another pattern, a symbolic link, a file
# locked by a rewrite under way, another user's file (as root). A write
# then leaves no temporary file; nor does a SIGTERM mid-write (the write
# ends first) or a SIGQUIT (its handler removes the file).
#
# FERNCON_UI_TRACE: an existing file or a symbolic link is refused with
# one line; a new trace is mode 0600 and records no event (no key, no
# paint) while a hidden field (the add form's URI) has the keys, and
# records again once the focus leaves it.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/tui_lib.sh"
plan 26

TUI_WAIT=20
demo="$T/demo"
"$FERNCON" demo "$demo" > "$T/demo.out" 2>&1
is "$?" 0 "ferncon demo writes the demo"
mkdir "$T/copy"
cp "$demo/airflow.cfg" "$T/copy/airflow.cfg"
chmod 640 "$T/copy/airflow.cfg"
cp "$T/copy/airflow.cfg" "$T/orig.cfg"
console() {	# console [ENV...]: the console on the copy, as its owner (Admin)
	tui_run "clear; $* TERM=tmux-256color '$FERNCON' --config '$T/copy/airflow.cfg' --airflow-home '$demo'"
}
wizard() {	# wizard [ENV...]: the console, K, then w: the wizard
	console "$@"
	tui_wait 'Admin (no role map)' >/dev/null
	tui_keys K
	tui_wait 'Key status' >/dev/null
	tui_keys w
}
stale() { find "$T/copy" -maxdepth 1 -name '.ferncon-cfg-??????' -type f | sort; }
tui_start 100 30

# -- killed while writing ----------------------------------------------------
wizard FERNCON_TEST_KILL_IN_CFGWRITE=KILL
tui_wait 'every Airflow component' >/dev/null
tui_keys w y
ok "the wizard's write is killed (SIGKILL)" tui_wait 'EXIT=137'
# The killed console left the terminal raw: Ctrl-J ends the line there.
tui_type "stty sane; tput rmcup; clear"
tui_keys C-j
tui_wait_gone 'EXIT=137' >/dev/null
ok "airflow.cfg is unchanged" cmp -s "$T/copy/airflow.cfg" "$T/orig.cfg"
left=$(stale)
is "$(printf '%s\n' "$left" | grep -c .)" 1 "the kill left one .ferncon-cfg-XXXXXX"
ok "holding the new and the old keys" \
	grep -q "^fernet_key = [^,]*,$(sed -n 's/^fernet_key = //p' "$T/orig.cfg")\$" "$left"

# Not its own: another pattern, a link, a file locked by a write under way
# (flock(1) holds it while a FIFO keeps it waiting), another user's.
: > "$T/copy/.ferncon-cfg-abc"
printf 'victim\n' > "$T/victim"
ln -s "$T/victim" "$T/copy/.ferncon-cfg-LINK00"
: > "$T/copy/.ferncon-cfg-LOCKED"
mkfifo "$T/hold"
have_flock=no
if command -v flock > /dev/null 2>&1; then
	have_flock=yes
	flock "$T/copy/.ferncon-cfg-LOCKED" cat "$T/hold" > /dev/null &
	exec 8> "$T/hold"	# cat waits on the FIFO until fd 8 closes
	tui_until sh -c '! flock -n "$1" true' sh "$T/copy/.ferncon-cfg-LOCKED"
fi
as_root=no
if [ "$(id -u)" = 0 ] && id nobody > /dev/null 2>&1; then
	as_root=yes
	: > "$T/copy/.ferncon-cfg-NOBODY"
	chown nobody "$T/copy/.ferncon-cfg-NOBODY"
fi

wizard
ok "the wizard's next start says it removed the stale file" \
	tui_wait 'removed 1 temporary file (.ferncon-cfg-*, with keys)'
ok "it is gone" test ! -e "$left"
ok "a name of another pattern stays" test -e "$T/copy/.ferncon-cfg-abc"
ok "a symbolic link stays, its target untouched" \
	test -L "$T/copy/.ferncon-cfg-LINK00" -a "$(cat "$T/victim")" = victim
if [ $have_flock = yes ]; then
	ok "a file locked by a write under way stays" test -e "$T/copy/.ferncon-cfg-LOCKED"
	exec 8>&-
else
	_n=$((_n + 1)); echo "ok $_n - a locked file stays # SKIP flock(1) is not installed"
fi
if [ $as_root = yes ]; then
	ok "another user's file stays" test -e "$T/copy/.ferncon-cfg-NOBODY"
else
	_n=$((_n + 1)); echo "ok $_n - another user's file stays # SKIP needs root and a nobody user"
fi
rm -f "$T/copy/.ferncon-cfg-abc" "$T/copy/.ferncon-cfg-LINK00" \
	"$T/copy/.ferncon-cfg-LOCKED" "$T/copy/.ferncon-cfg-NOBODY"
tui_keys w y
ok "then the write succeeds" tui_wait 'wrote the new key list to'
is "$(stale | grep -c .)" 0 "and leaves no temporary file"
ok "airflow.cfg has new,old" \
	grep -q "^fernet_key = [^,]*,$(sed -n 's/^fernet_key = //p' "$T/orig.cfg")\$" "$T/copy/airflow.cfg"
tui_keys Escape Escape q
tui_wait 'EXIT=' >/dev/null

# -- signals it catches, mid-write ---------------------------------------------
# SIGTERM (as SIGINT and SIGHUP) asks the console to end: the write finishes
# first. SIGQUIT ends it at once: its handler removes the temporary file.
wizard_write() {	# wizard_write SIGNAL: w, y with the hook set to SIGNAL
	cp "$T/orig.cfg" "$T/copy/airflow.cfg"
	tui_run "clear"
	wizard FERNCON_TEST_KILL_IN_CFGWRITE=$1
	tui_wait 'every Airflow component' >/dev/null
	tui_keys w y
}
wizard_write TERM
ok "SIGTERM mid-write: the console ends" tui_wait 'EXIT='
ok "after the write, complete: airflow.cfg has new,old" \
	grep -q "^fernet_key = [^,]*,$(sed -n 's/^fernet_key = //p' "$T/orig.cfg")\$" "$T/copy/airflow.cfg"
is "$(stale | grep -c .)" 0 "no temporary file is left"
wizard_write QUIT
ok "SIGQUIT mid-write: the console dies of it" tui_wait 'EXIT=131'
ok "airflow.cfg is unchanged" cmp -s "$T/copy/airflow.cfg" "$T/orig.cfg"
is "$(stale | grep -c .)" 0 "its handler removed the temporary file"
tui_type "stty sane; clear"
tui_keys C-j

# -- FERNCON_UI_TRACE ----------------------------------------------------------
printf 'mine\n' > "$T/exists"
tui_run "clear; FERNCON_UI_TRACE='$T/exists' TERM=tmux-256color '$FERNCON' --config '$demo/airflow.cfg'"
ok "an existing trace file is refused with one line" \
	tui_wait "ferncon: FERNCON_UI_TRACE: cannot create '$T/exists': it exists"
tui_wait 'EXIT=' >/dev/null
ln -s "$T/victim" "$T/tracelink"
tui_run "clear; FERNCON_UI_TRACE='$T/tracelink' TERM=tmux-256color '$FERNCON' --config '$demo/airflow.cfg'"
ok "a symbolic link is refused" \
	tui_wait "ferncon: FERNCON_UI_TRACE: cannot create '$T/tracelink': it exists"
tui_wait 'EXIT=' >/dev/null
is "$(cat "$T/exists") $(cat "$T/victim")" "mine victim" "neither file is written"

trace="$T/trace"
lines() { wc -l < "$trace" | tr -d ' '; }
tui_run "clear; FERNCON_UI_TRACE='$trace' TERM=tmux-256color '$FERNCON' --config '$demo/airflow.cfg'"
tui_wait 'Admin (no role map)' >/dev/null
is "$(stat -c %a "$trace")" 600 "the trace is created mode 0600"
tui_keys a
tui_wait 'Add a connection' >/dev/null
n1=$(lines)
tui_type 'postgresql://u:QZJ@h/db'
tui_wait '***********************' >/dev/null
is "$(lines)" "$n1" "no event while the hidden URI field has the keys"
tui_keys Tab
tui_wait 'filled from the URI' >/dev/null
tui_type 'W'
tui_until sh -c '[ "$(grep -c "key char" "$1")" -ge 2 ]' sh "$trace"
is "$(grep -c 'key char' "$trace")" 2 "keys are recorded again outside it: a and W, not the 23 typed hidden"
done_testing

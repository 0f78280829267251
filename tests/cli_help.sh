#!/bin/sh
# cli_help.sh: --help for every command and command group (issue 15): exit
# 0, on stdout, nothing on stderr, with the usage line, the arguments and
# options, an example and the exit codes; an unknown command names the
# nearest one, as git's "did you mean".
. "$top_srcdir/tests/lib.sh"

cmds=$("$FERNCON" --help | sed -n '/^commands:/,/^$/p' | sed -n 's/^  \([a-z-]*\( [a-z]*\)\{0,1\}\)  .*/\1/p' | sed 's/ *$//')
n=$(printf '%s\n' "$cmds" | grep -c .)
groups="connections key token"
plan $((n * 5 + 3 * 3 + 8))

nl='
'
oldifs=$IFS
IFS=$nl
for c in $cmds; do
	IFS=$oldifs
	# shellcheck disable=SC2086
	"$FERNCON" $c --help >"$T/out" 2>"$T/err"
	rc=$?
	out=$(cat "$T/out")
	ok "$c --help: exit 0, nothing on stderr" eval '[ "$rc" = 0 ] && [ ! -s "$T/err" ]'
	contains "$out" "usage: ferncon $c" "$c --help: the usage line"
	contains "$out" "arguments and options:" "$c --help: its arguments and options"
	contains "$(printf '%s\n' "$out" | sed -n '/^example:/{n;p;}')" "ferncon " \
		"$c --help: an example"
	contains "$out" "exit codes:
  0 " "$c --help: the exit codes"
	IFS=$nl
done
IFS=$oldifs

for g in $groups; do
	"$FERNCON" "$g" --help >"$T/out" 2>"$T/err"
	rc=$?
	ok "$g --help: exit 0 on stdout" eval '[ "$rc" = 0 ] && [ ! -s "$T/err" ] && [ -s "$T/out" ]'
	contains "$(cat "$T/out")" "usage: ferncon $g <command>" "$g --help: its commands' usage"
	contains "$(cat "$T/out")" "exit codes:" "$g --help: the exit codes"
done

o=$("$FERNCON" --help)
contains "$o" "encrypt-plaintext" "the main --help lists the commands"
o=$("$FERNCON" conections list 2>&1); rc=$?
is "$rc" 2 "an unknown command: exit 2"
contains "$o" "ferncon: unknown command 'conections'; did you mean 'connections'?" \
	"a misspelt command: the nearest one is suggested"
o=$("$FERNCON" connections lst 2>&1)
contains "$o" "ferncon: unknown command 'connections lst'; did you mean 'connections list'?" \
	"a misspelt verb: the nearest command"
o=$("$FERNCON" rotate 2>&1)
contains "$o" "did you mean 'rotate-fernet-key'?" "a prefix: the command it begins"
o=$("$FERNCON" key stauts 2>&1)
contains "$o" "did you mean 'key status'?" "two letters swapped"
o=$("$FERNCON" xyzzy 2>&1)
lacks "$o" "did you mean" "nothing near: no suggestion"
contains "$o" "ferncon: unknown command 'xyzzy'" "just the unknown command"

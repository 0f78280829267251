#!/bin/sh
# cli_options.sh: the commands' options, parsed from their tables
# (struct cli_opt in cli/cli.h) by one parser: an unknown option or an
# unexpected argument gives one line, the usage line and exit 2; a bad
# value is reported where it stands on the command line; long options
# may be abbreviated, and aliases share a value; global options go
# before or after the command; --keys never stays in argv; a command's
# own hint follows "unknown option". (Issue 11: the options as data.)
. "$top_srcdir/tests/lib.sh"
plan 30

# run COMMAND...: $got is the first line of its stderr, $rc its exit code.
run() {
	"$@" </dev/null >/dev/null 2>"$T/err"
	rc=$?
	got=$(head -n 1 "$T/err")
}

run "$FERNCON" key status --bogus
is "$got" "ferncon: unknown option '--bogus'" "an unknown option is named"
is "$rc" 2 "an unknown option: exit 2"
is "$(sed -n 2p "$T/err")" "usage: ferncon key status " \
	"and the command's usage line follows"

run "$FERNCON" key generate extra
is "$got" "ferncon: unexpected argument 'extra'" "an operand where none is taken"
is "$rc" 2 "an unexpected argument: exit 2"

run "$FERNCON" connections list -o
is "$got" "ferncon: unknown option '-o'" "an option without its value"

run "$FERNCON" connections list -o xml
is "$got" "ferncon: -o: unknown output format 'xml' (table, json, yaml or plain)" \
	"a bad value: the option's own message"

run "$FERNCON" audit --format xml --bogus
is "$got" "ferncon: --format: unknown format 'xml' (text, json or sarif)" \
	"the first problem on the command line is reported (a value)"
run "$FERNCON" audit --bogus --format xml
is "$got" "ferncon: unknown option '--bogus'" \
	"the first problem on the command line is reported (an option)"
run "$FERNCON" audit --min-sev loud
is "$got" "ferncon: --min-severity: unknown severity 'loud' (critical, high, medium, low or info)" \
	"an abbreviated long option is the option"

run "$FERNCON" encrypt-plaintext --skip-undecryptable
is "$got" "ferncon: unknown option '--skip-undecryptable'" \
	"an option of another command is unknown here"

run "$FERNCON" key probe --keys x
is "$got" "ferncon: unknown option '--keys' (candidate keys are read from stdin or --from FILE, never from argv)" \
	"a command's hint follows the unknown option"
is "$rc" 2 "exit 2"

run "$FERNCON" token decrypt foo
is "$got" "ferncon: unexpected argument 'foo' (the token is read from standard input)" \
	"token: an operand is refused with the reason"
run "$FERNCON" token inspect -- --keys
is "$got" "ferncon: unexpected argument '--keys' (the token is read from standard input)" \
	"token: after --, an option name is an operand"
run "$FERNCON" token inspect x --keys y
is "$got" "ferncon: unexpected argument 'x' (the token is read from standard input)" \
	"token: options only before the operands"

run "$FERNCON" connections get
is "$got" "ferncon: expected a conn_id" "get: the conn_id is missing"
run "$FERNCON" connections export --format json
is "$got" "ferncon: expected one FILE (or -)" "export: the FILE is missing"

# Global options after the command words, abbreviated too.
run "$FERNCON" key status --config "$T/none.cfg"
is "$got" "ferncon: cannot read airflow.cfg '$T/none.cfg': No such file or directory" \
	"a global option after the command"
is "$rc" 2 "and its error's exit code"
run "$FERNCON" connections list --co "$T/none.cfg"
is "$got" "ferncon: cannot read airflow.cfg '$T/none.cfg': No such file or directory" \
	"an abbreviated global option"
run "$FERNCON" --as-role nobody connections list
is "$got" "ferncon: --as-role: unknown role 'nobody' (Viewer, User, Op or Admin)" \
	"a global option before the command"
# Issue 15: an unknown role is a usage error even where no role is read.
run "$FERNCON" --as-role Superuser key generate
is "$got" "ferncon: --as-role: unknown role 'Superuser' (Viewer, User, Op or Admin)" \
	"--as-role with no such role, on a command that reads no role"
is "$rc" 2 "is a usage error (exit 2)"
run "$FERNCON" key generate --as-role superuser
is "$rc" 2 "after the command words too"
run "$FERNCON" --as-role viewer key generate
is "$rc" 0 "a role name in any case is taken"

# --file-format and --format are one option of export: the last one counts.
"$PYTHON3" "$top_srcdir/tests/airflow_db.py" create "$AIRFLOW_HOME/airflow.db" \
	--schema "$top_srcdir/data/schema-2.10.sql"
printf '[core]\nfernet_key = %s\n' "$("$FERNCON" key generate)" \
	> "$AIRFLOW_HOME/airflow.cfg"
"$FERNCON" connections add c1 --conn-uri 'http://h:1' >/dev/null 2>&1
out=$("$FERNCON" connections export --file-format json --format env - 2>/dev/null)
is "$out" "c1=http://h:1" "aliases share one value (the last given)"

# --keys is read from argv once and wiped there (ps shows no key).
key=$("$FERNCON" key generate)
mkfifo "$T/in"
"$FERNCON" token encrypt --keys "$key" <"$T/in" >"$T/tok" 2>&1 &
pid=$!
exec 3>"$T/in"
# Once ferncon runs (its argv holds --keys), the key must go from it.
i=0
while [ $i -lt 100 ]; do
	cmdline=$(tr '\0' ' ' </proc/$pid/cmdline 2>/dev/null)
	case $cmdline in
	*--keys*"$key"*) ;;
	*--keys*) break ;;
	esac
	sleep 0.05
	i=$((i + 1))
done
printf 'hello' >&3
exec 3>&-
wait $pid
is "$?" 0 "token encrypt with --keys works"
lacks "$cmdline" "$key" "the key is not in the process's argv"
tok=$(cat "$T/tok")
got=$(printf '%s' "$tok" | "$FERNCON" token decrypt --keys "$key" 2>&1)
is "$got" "hello" "and the token opens with it"

done_testing

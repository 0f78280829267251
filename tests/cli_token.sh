#!/bin/sh
# cli_token.sh: `ferncon token encrypt|decrypt|inspect` with --keys and with
# the configured ring: stdin in, stdout out, exit 1 on an invalid token and
# 2 on a bad key; argv never carries the token or plaintext.
. "$top_srcdir/tests/lib.sh"
plan 16

new=$(py_key); old=$(py_key)
tok=$(printf 'hunter2' | "$FERNCON" token encrypt --keys "$old"); rc=$?
is "$rc" 0 "token encrypt exits 0"
got=$(printf '%s' "$tok" | "$FERNCON" token decrypt --keys "$new,$old")
is "$got" "hunter2" "a token under the old key opens with new,old"
printf '%s' "$tok" | "$FERNCON" token decrypt --keys "$new" >/dev/null 2>"$T/err"; rc=$?
is "$rc" 1 "with the new key alone: exit 1"
is "$(cat "$T/err")" "ferncon: invalid token" "one line: invalid token"

out=$(printf '%s\n' "$tok" | "$FERNCON" token inspect --keys "$new,$old"); rc=$?
is "$rc" 0 "inspect exits 0 when a key opens it"
contains "$out" "key:        key 2 of 2" "inspect names the second key"
lacks "$out" "hunter2" "inspect never prints the plaintext"
out=$(printf '%s' "$tok" | "$FERNCON" token inspect --keys "$new"); rc=$?
is "$rc" 1 "inspect exits 1 when no key opens it"
contains "$out" "none of the configured keys opens it" "and says so"
printf 'garbage' | "$FERNCON" token inspect --keys "$new" >/dev/null 2>&1; rc=$?
is "$rc" 1 "inspect of garbage exits 1"

printf '%s' "$tok" | "$FERNCON" token decrypt --keys "nope" >/dev/null 2>"$T/err"; rc=$?
is "$rc" 2 "a bad --keys exits 2"
contains "$(cat "$T/err")" "--keys: Could not create Fernet object" "and names --keys"

"$FERNCON" token decrypt --keys "$new" "$tok" >/dev/null 2>"$T/err" </dev/null; rc=$?
is "$rc" 2 "a token in argv is refused (usage, exit 2)"

# The configured ring is the default.
printf '[core]\nfernet_key = %s,%s\n' "$new" "$old" > "$AIRFLOW_HOME/airflow.cfg"
got=$(printf '%s' "$tok" | "$FERNCON" token decrypt)
is "$got" "hunter2" "without --keys the ring comes from airflow.cfg"
tok2=$(printf 'x' | "$FERNCON" token encrypt)
got=$(printf '%s' "$tok2" | "$FERNCON" token decrypt --keys "$new")
is "$got" "x" "token encrypt uses the primary (first) key"

printf '[core]\nfernet_key =\n' > "$AIRFLOW_HOME/airflow.cfg"
printf 'x' | "$FERNCON" token encrypt >/dev/null 2>&1; rc=$?
is "$rc" 2 "encrypt with encryption off exits 2"
done_testing

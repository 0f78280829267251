#!/bin/sh
# cli_files.sh: the files ferncon writes, and what it leaves in
# /proc/PID/cmdline, on a real SQLite metadata DB written by Python the way
# Airflow writes it (tests/airflow_db.py).
#
# - `connections export FILE` creates a new regular file, mode 0600, and
#   refuses an existing path with one line, leaving it as it was: a 0666
#   file made by someone else, a symbolic link, a device; --overwrite
#   replaces only a regular file of our own uid (not a link, a device, or,
#   when run as root, a file chowned to another user);
# - a stored value that is not valid UTF-8 (a plain password, an encrypted
#   one) stops every export format naming the connection and leaves no file
#   and no temporary file: Python's sqlite3 cannot read such a column
#   ("Could not decode to UTF-8 column"), and Airflow's
#   models/connection.py get_password() decodes the decrypted bytes with
#   .decode(), which raises; `list -o yaml|json` names the connection too;
# - a SIGTERM while exporting removes the temporary file (the export is
#   held on an action log that is a FIFO, so no timing is involved);
# - --conn-uri, --conn-json and --conn-extra are wiped from
#   /proc/PID/cmdline once parsed (the add is held on the same FIFO).
. "$top_srcdir/tests/lib.sh"
plan 43

db="$AIRFLOW_HOME/airflow.db"
key=$(py_key); old=$(py_key)
me=$(id -un)
tool() { "$PYTHON3" "$top_srcdir/tests/airflow_db.py" "$@"; }
tool create "$db" --schema "$top_srcdir/data/schema-2.10.sql"
FERNET_KEY="$key,$old" DEMO_OLD_KEY=$old tool fill "$db" \
	--connections "$top_srcdir/data/demo-connections.json"
log="$T/actions.log"
write_cfg() {
	cat > "$AIRFLOW_HOME/airflow.cfg" <<CFG
[core]
fernet_key = $key,$old

[database]
sql_alchemy_conn = sqlite:///$db

[console]
roles = $me:Admin
action_log = $1
CFG
}
write_cfg "$log"
out="$T/out"
mkdir "$out"
# tmp_left DIR: the temporary files ferncon left there (none expected).
tmp_left() { find "$1" -maxdepth 1 -name '.ferncon-out-*' | wc -l | tr -d ' '; }

# -- a new file --------------------------------------------------------------
"$FERNCON" connections export "$out/c.json" > "$T/o" 2> "$T/e"; rc=$?
n=$(grep -c '^  "' "$out/c.json")
is "$rc" 1 "export exits 1 (the demo has a row that no key opens)"
is "$(cat "$T/o")" "$n Connections successfully exported to $out/c.json." "Airflow's message"
contains "$(cat "$T/e")" "ferncon: skipped connection 'legacy_reporting_db': no key opens its" \
	"the row no key opens is named on stderr"
is "$(stat -c '%a %F' "$out/c.json")" "600 regular file" "a new regular file, mode 0600"
is "$(tmp_left "$out")" 0 "no temporary file is left"

# -- an existing path is refused ----------------------------------------------
printf 'not mine\n' > "$out/taken.json"
chmod 0666 "$out/taken.json"
"$FERNCON" connections export "$out/taken.json" > "$T/o" 2> "$T/e"; rc=$?
is "$rc" 1 "export onto an existing file: exit 1"
is "$(cat "$T/e")" "ferncon: cannot write '$out/taken.json': it exists (give --overwrite to replace it)" \
	"one line says why"
is "$(cat "$out/taken.json")" "not mine" "the file is not written"
is "$(stat -c %a "$out/taken.json")" 666 "nor chmod'ed"
lines=$(wc -l < "$log")
"$FERNCON" connections export "$out/taken.json" >/dev/null 2>&1
is "$(wc -l < "$log")" "$lines" "a refused export is not logged"

printf 'target\n' > "$out/target"
ln -s "$out/target" "$out/link.json"
"$FERNCON" connections export "$out/link.json" --overwrite > /dev/null 2> "$T/e"; rc=$?
is "$rc" 1 "a symbolic link is refused, even with --overwrite"
is "$(cat "$T/e")" "ferncon: cannot write '$out/link.json': it is a symbolic link" "one line"
is "$(cat "$out/target")" "target" "the link's target is untouched"
ln -s "$out/nowhere" "$out/dangling.json"
"$FERNCON" connections export "$out/dangling.json" > /dev/null 2>&1; rc=$?
ok "a dangling symbolic link is refused, nothing created behind it" \
	test "$rc" = 1 -a ! -e "$out/nowhere"

before=$(stat -c %a /dev/null)
"$FERNCON" connections export /dev/null --file-format json --overwrite > /dev/null 2> "$T/e"; rc=$?
is "$rc" 1 "a device is refused with --overwrite"
is "$(cat "$T/e")" "ferncon: cannot write '/dev/null': it is not a regular file" "one line"
is "$(stat -c %a /dev/null)" "$before" "its mode is unchanged"

# --overwrite replaces a regular file of ours, through a new file.
ino=$(stat -c %i "$out/taken.json")
"$FERNCON" connections export "$out/taken.json" --overwrite > /dev/null 2>&1; rc=$?
is "$rc" 1 "--overwrite replaces a regular file of ours (exit 1: the skipped row)"
cmp -s "$out/taken.json" "$out/c.json"; same=$?
is "$same" 0 "it holds the export"
ok "it is a new file (another inode), mode 0600" \
	test "$(stat -c %i "$out/taken.json")" != "$ino" -a "$(stat -c %a "$out/taken.json")" = 600

if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1; then
	printf 'theirs\n' > "$out/theirs.json"
	chown nobody "$out/theirs.json"
	"$FERNCON" connections export "$out/theirs.json" --overwrite > /dev/null 2> "$T/e"; rc=$?
	is "$(cat "$T/e")" "ferncon: cannot write '$out/theirs.json': it belongs to another user" \
		"--overwrite refuses another user's file"
	is "$(cat "$out/theirs.json")" "theirs" "and leaves it as it was"
else
	_n=$((_n + 1)); echo "ok $_n - another user's file # SKIP needs root and a nobody user"
	_n=$((_n + 1)); echo "ok $_n - left as it was # SKIP needs root and a nobody user"
fi

"$FERNCON" connections export "$T/missing-dir/x.json" > /dev/null 2> "$T/e"; rc=$?
is "$(cat "$T/e")" "ferncon: cannot write '$T/missing-dir/x.json': No such file or directory" \
	"a missing directory: one line"

# -- a value that is not valid UTF-8 ------------------------------------------
# One plain password with a 0xff byte, one encrypted password whose
# plaintext has one: Airflow reads neither (see the top of this file).
facts=$(FERNET_KEY=$key "$PYTHON3" - "$db" <<'PY'
import os, sqlite3, sys
from cryptography.fernet import Fernet
db = sqlite3.connect(sys.argv[1])
tok = Fernet(os.environ["FERNET_KEY"].encode()).encrypt(b"-----BEGIN KEY\xff\xfe-----").decode()
db.execute("INSERT INTO connection (conn_id, conn_type, host, password, is_encrypted, is_extra_encrypted) "
           "VALUES ('bad_plain', 'ssh', 'h', CAST(X'7077FF' AS TEXT), 0, 0)")
db.execute("INSERT INTO connection (conn_id, conn_type, host, password, is_encrypted, is_extra_encrypted) "
           "VALUES ('bad_token', 'ssh', 'h', ?, 1, 0)", (tok,))
db.commit()
# What Airflow's reads do with them.
try:
    db.execute("SELECT password FROM connection WHERE conn_id = 'bad_plain'").fetchall()
    print("read")
except sqlite3.OperationalError as e:
    print("sqlite3 refuses" if "decode" in str(e) else e)
try:
    Fernet(os.environ["FERNET_KEY"].encode()).decrypt(tok.encode()).decode()
    print("decoded")
except UnicodeDecodeError:
    print("decode refuses")
PY
)
is "$facts" "sqlite3 refuses
decode refuses" "Python reads neither value (the oracle)"
for fmt in json yaml env; do
	"$FERNCON" connections export "$out/bad.$fmt" > "$T/o" 2> "$T/e"; rc=$?
	is "$(tail -n 1 "$T/e")" "ferncon: cannot export connection 'bad_plain': its password is not valid UTF-8 (Airflow cannot read it either)" \
		"$fmt: the export stops naming the connection"
	ok "$fmt: exit 1, no file, no temporary file" \
		test "$rc" = 1 -a ! -e "$out/bad.$fmt" -a "$(tmp_left "$out")" = 0
done
"$PYTHON3" -c 'import sqlite3,sys; sqlite3.connect(sys.argv[1]).execute("DELETE FROM connection WHERE conn_id = ?", ("bad_plain",)).connection.commit()' "$db"
"$FERNCON" connections export "$out/bad2.yaml" > /dev/null 2> "$T/e"; rc=$?
is "$(tail -n 1 "$T/e")" "ferncon: cannot export connection 'bad_token': its password is not valid UTF-8 (Airflow cannot read it either)" \
	"an encrypted value that decrypts to bytes that are not UTF-8: the same"
"$FERNCON" connections export - > "$T/stdout.json" 2> "$T/e"; rc=$?
ok "to stdout: exit 1 and the message" test "$rc" = 1 -a -n "$(grep -F "'bad_token'" "$T/e")"
for o in yaml json; do
	"$FERNCON" connections list -o $o --reveal > /dev/null 2> "$T/e"; rc=$?
	is "$(cat "$T/e")" "ferncon: cannot show connection 'bad_token': its password is not valid UTF-8 (Airflow cannot read it either)" \
		"list -o $o --reveal names the connection"
done
"$FERNCON" connections list -o yaml > /dev/null 2>&1; rc=$?
is "$rc" 0 "list -o yaml without --reveal: the password is masked, nothing to refuse"

# -- SIGTERM while exporting --------------------------------------------------
# The action log is a FIFO: ferncon creates its temporary file, then blocks
# opening the log, until it is killed.
mkfifo "$T/fifo"
write_cfg "$T/fifo"
"$FERNCON" connections export "$out/killed.json" > /dev/null 2>&1 &
pid=$!
i=0
while [ "$(tmp_left "$out")" = 0 ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i + 1)); done
is "$(tmp_left "$out")" 1 "the export's temporary file exists while it runs"
kill -TERM $pid
wait $pid; rc=$?
is "$rc" 143 "SIGTERM ends it"
ok "no file and no temporary file is left" test ! -e "$out/killed.json" -a "$(tmp_left "$out")" = 0

# -- secrets in argv ------------------------------------------------------------
# cmdline_of ARGS...: /proc/PID/cmdline of `ferncon connections add ARGS`,
# read while it is held on the FIFO log, NULs as spaces; then the FIFO is
# drained so that it ends.
cmdline_of() {
	_id=$1; shift
	"$FERNCON" connections add "$_id" "$@" > /dev/null 2>&1 &
	_pid=$!
	# The row is committed before the log is opened: once it is there,
	# argv was parsed long ago and ferncon waits on the FIFO.
	"$PYTHON3" -c 'import sqlite3, sys, time
for _ in range(1200):
    if sqlite3.connect(sys.argv[1]).execute(
            "SELECT 1 FROM connection WHERE conn_id = ?", (sys.argv[2],)).fetchall():
        break
    time.sleep(0.05)' "$db" "$_id"
	tr '\0' ' ' < /proc/$_pid/cmdline
	cat "$T/fifo" > /dev/null
	wait $_pid
}
c=$(cmdline_of argv_uri --conn-uri 'postgres://u:Uri-S3cret@h/db')
lacks "$c" "Uri-S3cret" "--conn-uri is wiped from /proc/PID/cmdline"
contains "$c" "--conn-uri" "the option name stays"
c=$(cmdline_of argv_json --conn-json '{"conn_type": "http", "password": "Json-S3cret"}')
lacks "$c" "Json-S3cret" "--conn-json is wiped"
c=$(cmdline_of argv_extra --conn-type http --conn-extra='{"token": "Extra-S3cret"}')
lacks "$c" "Extra-S3cret" "--conn-extra=VALUE is wiped"
write_cfg "$log"
got=$("$FERNCON" connections get argv_json -o json --reveal 2>&1)
contains "$got" '"password": "Json-S3cret"' "the wiped value was still used"
done_testing

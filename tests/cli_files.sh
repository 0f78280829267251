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
#   .decode(), which raises (apache/airflow commit c873bd5, 2.10:
#   airflow/models/connection.py line 343); `list -o yaml|json` names the
#   connection too;
# - a SIGTERM while exporting removes the temporary file (the export is
#   held on an action log that is a FIFO, so no timing is involved); the
#   one a SIGKILL leaves is removed by the next export into that directory;
# - --conn-uri, --conn-json and --conn-extra are wiped from
#   /proc/PID/cmdline once parsed (the add is held on the same FIFO);
# - `demo` without DIR makes a fresh private directory (never a name another
#   user could have made first); with DIR it refuses a directory that is
#   not ours or that others may write, and remakes an earlier demo's files
#   as new files (a symbolic link planted there is replaced, not followed).
. "$top_srcdir/tests/lib.sh"
plan 60

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
# SIGKILL cannot be caught: its temporary file (plaintext) stays, until the
# next export into that directory removes it and says so.
"$FERNCON" connections export "$out/killed.json" > /dev/null 2>&1 &
pid=$!
i=0
while [ "$(tmp_left "$out")" = 0 ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i + 1)); done
kill -KILL $pid
wait $pid
is "$(tmp_left "$out")" 1 "SIGKILL leaves the temporary file"
write_cfg "$log"
"$FERNCON" connections export "$out/after.json" > /dev/null 2> "$T/e"
contains "$(cat "$T/e")" "ferncon: removed 1 temporary file that an interrupted export left beside '$out/after.json'" \
	"the next export into that directory removes it and says so"
is "$(tmp_left "$out")" 0 "none is left"
write_cfg "$T/fifo"

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

# -- demo -------------------------------------------------------------------------
mkdir -m 0777 "$T/tmpd"
mkdir -m 0777 "$T/tmpd/ferncon-demo-$me"	# the old fixed name, made by "someone"
TMPDIR="$T/tmpd" "$FERNCON" demo > "$T/o" 2>&1; rc=$?
home=$(sed -n 's/^demo AIRFLOW_HOME: //p' "$T/o")
is "$rc" 0 "demo without DIR: exit 0"
case $home in
"$T/tmpd/ferncon-demo-"??????) ok "in a fresh directory of its own ($home)" test "$home" != "$T/tmpd/ferncon-demo-$me" ;;
*) ok "in a fresh directory of its own (got '$home')" false ;;
esac
is "$(stat -c '%a %U' "$home")" "700 $me" "mode 0700, ours"
is "$(ls -A "$T/tmpd/ferncon-demo-$me" | wc -l | tr -d ' ')" 0 "the pre-made directory is not used"
is "$(stat -c %a "$home/airflow.cfg") $(stat -c %a "$home/airflow.db")" "600 600" \
	"airflow.cfg and airflow.db are mode 0600"

mkdir -m 0777 "$T/open"
"$FERNCON" demo "$T/open" > /dev/null 2> "$T/e"; rc=$?
is "$(cat "$T/e")" "ferncon: '$T/open' is writable by other users: ferncon did not make it; name a new directory" \
	"demo refuses a world-writable DIR with one line"
is "$rc:$(ls -A "$T/open" | wc -l | tr -d ' ')" "2:0" "exit 2, nothing written there"
mkdir -m 0770 "$T/group"
"$FERNCON" demo "$T/group" > /dev/null 2> "$T/e"; rc=$?
contains "$(cat "$T/e")" "is writable by other users" "a group-writable DIR too"
ln -s "$home" "$T/demolink"
"$FERNCON" demo "$T/demolink" > /dev/null 2> "$T/e"; rc=$?
contains "$(cat "$T/e")" "'$T/demolink' is a symbolic link" "a symbolic link to a demo is refused"
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1; then
	mkdir -m 0700 "$T/theirs"
	chown nobody "$T/theirs"
	"$FERNCON" demo "$T/theirs" > /dev/null 2> "$T/e"; rc=$?
	contains "$(cat "$T/e")" "'$T/theirs' belongs to another user" "another user's DIR is refused"
else
	_n=$((_n + 1)); echo "ok $_n - another user's DIR # SKIP needs root and a nobody user"
fi

# An earlier demo is remade with new files: a link planted as airflow.cfg
# is removed, its target untouched.
printf 'victim\n' > "$T/victim"
chmod 0644 "$T/victim"
ln "$home/airflow.db" "$T/old.db"	# kept alive: its inode is not reused
sum=$(md5sum < "$T/old.db")
rm "$home/airflow.cfg"
ln -s "$T/victim" "$home/airflow.cfg"
"$FERNCON" demo "$home" > /dev/null 2>&1; rc=$?
is "$rc" 0 "an earlier demo is made anew"
is "$(cat "$T/victim") $(stat -c %a "$T/victim")" "victim 644" "the link's target is neither written nor chmod'ed"
is "$(stat -c '%F %a' "$home/airflow.cfg")" "regular file 600" "airflow.cfg is a new regular file, mode 0600"
ok "airflow.db is a new file, the old one not written" \
	test "$(stat -c %i "$home/airflow.db")" != "$(stat -c %i "$T/old.db")" -a "$(md5sum < "$T/old.db")" = "$sum"
rm -rf "$home"
done_testing

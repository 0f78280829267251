#!/bin/sh
# priv_sudo.sh: the `sudo -u SERVICE` deployment as a trust boundary, with
# real accounts and Debian's sudo (doc/design.md section 4, "Trust model";
# README.md, SECURITY; issue 12). A Viewer and an Op run each attack of the
# issue through the pinned sudoers line (and the spoofs outside sudo): each
# fails with one line on stderr that says why, the service account's files
# and DB are unchanged, no command of the attacker's runs (their
# fernet_key_cmd would leave a file in $MARK), no file of the service
# account's is read out or written, and the action log names only the real
# people. Then the Admin does everything through the same line, and the
# log names the Admin.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/priv_lib.sh"
priv_setup_or_skip

secret='Wh-demo-2024!Pass'	# warehouse_pg's password in the demo DB

# one_line OUT: stderr of the last run had exactly one line
lines() { printf '%s\n' "$1" | grep -c .; }

# The attacker's tools, in their own home: a configuration whose _cmd
# leaves a mark, and no role map (which made its writer Admin before).
evil_setup() {	# evil_setup USER
	_h=$PRIV/home/$1
	mkdir -p "$_h/airflow"
	cat > "$_h/airflow/airflow.cfg" <<CFG
[core]
fernet_key_cmd = /usr/bin/touch $MARK/ran-$1

[database]
sql_alchemy_conn = sqlite:///$_h/airflow/airflow.db
CFG
	cp "$_h/airflow/airflow.cfg" "$_h/evil.cfg"
	chown -R "$1:$1" "$_h"
	chmod 644 "$_h/evil.cfg" "$_h/airflow/airflow.cfg"
	chmod 755 "$_h" "$_h/airflow"
}
evil_setup "$VWR"
evil_setup "$OPR"

# A file only the service account may read: a secret it holds besides
# airflow.cfg (an env file with the key).
printf 'AIRFLOW__CORE__FERNET_KEY=%s\n' "${SVC_KEYS%%,*}" > "$SVC_HOME/airflow.env"
chown "$SVC:$SVC" "$SVC_HOME/airflow.env"
chmod 600 "$SVC_HOME/airflow.env"
envsecret=${SVC_KEYS%%,*}

# The service account's ~/.pgpass, and a server of the caller's on
# loopback that --db would send it to: it counts the connections it gets.
printf '*:*:*:airflow:svc-db-secret\n' > "$SVC_HOME/.pgpass"
chown "$SVC:$SVC" "$SVC_HOME/.pgpass"; chmod 600 "$SVC_HOME/.pgpass"
mkfifo "$T/listen.ctl"
"$PYTHON3" -c '
import socket, sys
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(16)
print(s.getsockname()[1], flush=True)
sys.stdin.readline()
s.setblocking(False)
n = 0
try:
    while True:
        s.accept(); n += 1
except BlockingIOError:
    pass
print("connections:", n, flush=True)
' < "$T/listen.ctl" > "$T/listen.out" &
LISTENER=$!
exec 9> "$T/listen.ctl"
while [ ! -s "$T/listen.out" ] && kill -0 "$LISTENER" 2>/dev/null; do sleep 0.05; done
lport=$(head -1 "$T/listen.out")

tok=$(sqlite3 "$SVC_AF/airflow.db" "select password from connection where conn_id='warehouse_pg'")
ok "the DB holds warehouse_pg's password as a token" test -n "$tok"
state0=$(svc_state)

for who in "$VWR" "$OPR"; do
	role=Viewer; [ "$who" = "$OPR" ] && role=Op
	h=$PRIV/home/$who
	log0=$(cat "$SVC_LOG")

	# --config and --airflow-home: the caller's _cmd would run as $SVC.
	o=$(via_sudo "$who" -- --config "$h/evil.cfg" connections list 2>&1 >/dev/null); rc=$?
	is "$rc" 2 "$role: sudo ferncon --config FILE exits 2"
	contains "$o" "ferncon: --config is refused: ferncon acts for $who as $SVC (sudo)" "$role: --config: one line that names it and why"
	is "$(lines "$o")" 1 "$role: --config: one line"
	o=$(via_sudo "$who" -- --airflow-home "$h/airflow" key status 2>&1 >/dev/null); rc=$?
	is "$rc" 2 "$role: sudo ferncon --airflow-home DIR exits 2"
	contains "$o" "ferncon: --airflow-home is refused" "$role: --airflow-home: named"
	is "$(lines "$o")" 1 "$role: --airflow-home: one line"

	# HOME, AIRFLOW_HOME, AIRFLOW_CONFIG, a _CMD kept by env_keep: ignored;
	# the service account's own configuration (its role map) decides.
	o=$(via_sudo "$who" HOME="$h" AIRFLOW_HOME="$h/airflow" AIRFLOW_CONFIG="$h/evil.cfg" \
		AIRFLOW__CORE__FERNET_KEY_CMD="/usr/bin/touch $MARK/ran-env-$who" -- whoami 2>&1); rc=$?
	is "$rc" 0 "$role: whoami with the caller's HOME and AIRFLOW_* kept by sudo"
	contains "$o" "login:      $who" "$role: whoami names the caller"
	contains "$o" "account:    $SVC" "$role: and the account ferncon runs as"
	contains "$o" "identity:   sudo" "$role: identity from sudo"
	contains "$o" "restricted: yes" "$role: restricted mode"
	contains "$o" "role:       $role (from [console] roles)" "$role: the role from the service account's map, not Admin from the caller's file"
	o=$(via_sudo "$who" HOME="$h" AIRFLOW_HOME="$h/airflow" \
		AIRFLOW__CORE__FERNET_KEY_CMD="/usr/bin/touch $MARK/ran-env-$who" -- connections list -o plain 2>&1); rc=$?
	is "$rc" 0 "$role: connections list reads the service account's DB"
	contains "$o" "warehouse_pg" "$role: its connections"
	lacks "$o" "$secret" "$role: no password in the list"

	# --db: the service account's ~/.pgpass would go to the caller's server.
	o=$(via_sudo "$who" -- --db "postgresql://airflow@db.internal/airflow?hostaddr=127.0.0.1&port=$lport&connect_timeout=2" connections list 2>&1 >/dev/null); rc=$?
	is "$rc" 2 "$role: sudo ferncon --db URL exits 2"
	contains "$o" "ferncon: --db is refused" "$role: --db: named"
	is "$(lines "$o")" 1 "$role: --db: one line"

	# import FILE: a file the service account may read, read into the DB.
	o=$(via_sudo "$who" -- connections import "$SVC_HOME/airflow.env" 2>&1); rc=$?
	is "$rc" 1 "$role: connections import FILE exits 1"
	contains "$o" "ferncon: connections import FILE is refused" "$role: import FILE: named"
	is "$(lines "$o")" 1 "$role: import FILE: one line"
	lacks "$o" "$envsecret" "$role: import FILE: nothing of the file is shown"

	# export FILE: over the service account's airflow.cfg.
	o=$(via_sudo "$who" -- connections export --file-format json "$SVC_AF/airflow.cfg" 2>&1); rc=$?
	is "$rc" 1 "$role: connections export FILE exits 1"
	contains "$o" "ferncon: connections export FILE is refused" "$role: export FILE: named"
	is "$(lines "$o")" 1 "$role: export FILE: one line"

	# token decrypt/encrypt with the configured ring: Admin only.
	o=$(printf '%s' "$tok" | via_sudo "$who" -- token decrypt 2>&1); rc=$?
	is "$rc" 1 "$role: token decrypt with the configured ring exits 1"
	contains "$o" "ferncon: role $role ($who) may not decrypt or encrypt tokens with the configured key ring" "$role: token decrypt: why"
	lacks "$o" "$secret" "$role: token decrypt: no plaintext"
	is "$(lines "$o")" 1 "$role: token decrypt: one line"
	o=$(printf 'forged' | via_sudo "$who" -- token encrypt 2>&1); rc=$?
	is "$rc" 1 "$role: token encrypt with the configured ring exits 1"
	is "$(lines "$o")" 1 "$role: token encrypt: one line"
	# With a ring of one's own, no role is needed (and no secret is had).
	own=$(py_key)
	t2=$(printf 'mine' | via_sudo "$who" -- token encrypt --keys "$own" 2>/dev/null)
	o=$(printf '%s' "$t2" | via_sudo "$who" -- token decrypt --keys "$own" 2>&1)
	is "$o" "mine" "$role: token encrypt/decrypt with --keys of one's own"

	# demo, key probe --from: files as the service account.
	o=$(via_sudo "$who" -- demo "$MARK/demo-$who" 2>&1); rc=$?
	is "$rc" 1 "$role: sudo ferncon demo exits 1"
	contains "$o" "ferncon: demo is refused" "$role: demo: named"
	ok "$role: demo wrote nothing" test ! -e "$MARK/demo-$who"
	o=$(via_sudo "$who" -- key probe --from "$SVC_HOME/airflow.env" 2>&1); rc=$?
	is "$rc" 1 "$role: key probe --from exits 1"
	contains "$o" "ferncon: key probe --from is refused" "$role: key probe --from: named"
	is "$(lines "$o")" 1 "$role: key probe --from: one line"

	o=$(via_sudo "$who" -- audit --baseline "$SVC_HOME/airflow.env" 2>&1); rc=$?
	is "$rc" 2 "$role: audit --baseline FILE exits 2"
	contains "$o" "ferncon: audit --baseline/--ignore FILE is refused" "$role: audit --baseline: named"
	lacks "$o" "$envsecret" "$role: audit --baseline: nothing of the file is shown"

	# --login under sudo (SSH_CONNECTION kept, too): refused.
	o=$(via_sudo "$who" SSH_CONNECTION='192.0.2.1 1 192.0.2.2 22' -- --login "$ADM" connections get warehouse_pg --reveal 2>&1); rc=$?
	is "$rc" 2 "$role: sudo ferncon --login ADMIN exits 2"
	contains "$o" "ferncon: --login is refused" "$role: --login: named"
	contains "$o" "under sudo the person is SUDO_USER" "$role: --login: and why"
	lacks "$o" "$secret" "$role: --login: no password"

	# Reveal and delete as themselves: the role map decides.
	o=$(via_sudo "$who" -- connections delete warehouse_pg 2>&1); rc=$?
	if [ "$role" = Viewer ]; then
		is "$rc" 1 "Viewer: delete refused"
		contains "$o" "role Viewer ($who) may not" "Viewer: delete: names the caller"
	fi

	ok "$role: no command of the caller's ran as $SVC" test -z "$(find "$MARK" -mindepth 1 -print)"
	# An Op's delete is allowed: that one attempt aside, nothing changed.
	if [ "$role" = Viewer ]; then
		is "$(svc_state)" "$state0" "$role: the service account's files and DB are unchanged"
		is "$(cat "$SVC_LOG")" "$log0" "$role: nothing was logged for refused actions"
	fi
done

# The caller's server got no connection (a made connection waits in its
# backlog once ferncon has exited).
echo check >&9; exec 9>&-
wait "$LISTENER"
is "$(tail -1 "$T/listen.out")" "connections: 0" "--db: no connection reached the caller's server on loopback"

# The Op's delete went through, logged with the Op's own name.
contains "$(cat "$SVC_LOG")" "\"user\":\"$OPR\",\"role\":\"Op\",\"action\":\"delete\",\"conn_id\":\"warehouse_pg\"" "the Op's delete is logged under the Op's name"
lacks "$(cat "$SVC_LOG")" "\"user\":\"$SVC\"" "the log never names the service account"

# -- SUDO_USER and --login outside sudo --------------------------------------
# A configuration the Viewer may read (a careless one), with the role map.
mkdir -p "$PRIV/shared"
cp "$SVC_AF/airflow.db" "$PRIV/shared/airflow.db"
cat > "$PRIV/shared/airflow.cfg" <<CFG
[core]
fernet_key = $SVC_KEYS

[database]
sql_alchemy_conn = sqlite:///$PRIV/shared/airflow.db

[console]
roles = $ADM:Admin, $VWR:Viewer
action_log = $PRIV/shared-log/actions.log
CFG
mkdir -p "$PRIV/shared-log"; chmod 1777 "$PRIV/shared-log"
chmod 755 "$PRIV/shared"; chmod 644 "$PRIV/shared/airflow.cfg" "$PRIV/shared/airflow.db"
admuid=$(id -u "$ADM")
# (a) The Viewer has no configuration of their own: SUDO_USER with the
# right SUDO_UID looks like sudo's, and restricted mode would have nothing
# of the account's to read: one line, and nothing read or written.
mv "$PRIV/home/$VWR/airflow" "$PRIV/home/$VWR/airflow.off"
o=$(as_user "$VWR" env SUDO_USER="$ADM" SUDO_UID="$admuid" SUDO_GID="$admuid" \
	AIRFLOW_HOME="$PRIV/shared" "$PF" connections get warehouse_pg --reveal 2>&1); rc=$?
is "$rc" 2 "outside sudo, a Viewer's SUDO_USER=ADMIN (no config of their own): exit 2"
contains "$o" "ferncon: ferncon runs as $VWR for $ADM (sudo), but $PRIV/home/$VWR/airflow/airflow.cfg does not exist" "in one line that says why"
lacks "$o" "$secret" "without the password"
is "$(lines "$o")" 1 "one line"
printf '{"spoof_conn": {"conn_type": "http"}}\n' | as_user "$VWR" env SUDO_USER="$ADM" \
	SUDO_UID="$admuid" AIRFLOW_HOME="$PRIV/shared" "$PF" connections import - >/dev/null 2>&1
ok "the spoofed import changed nothing" \
	test "$(sqlite3 "$PRIV/shared/airflow.db" "select count(*) from connection where conn_id='spoof_conn'")" = 0
# SUDO_UID not the Admin's: ignored; the Viewer as themselves, on the
# configuration they may read, with the role it gives them.
o=$(as_user "$VWR" env SUDO_USER="$ADM" SUDO_UID=0 AIRFLOW_HOME="$PRIV/shared" \
	"$PF" whoami 2>&1); rc=$?
contains "$o" "login:      $VWR" "SUDO_USER with a wrong SUDO_UID: the Viewer is still the Viewer"
contains "$o" "role:       Viewer (from [console] roles)" "with the Viewer's role"
contains "$o" "SUDO_USER=$ADM ignored" "and whoami says SUDO_USER was ignored"
o=$(as_user "$VWR" env SUDO_USER="$ADM" SUDO_UID=0 AIRFLOW_HOME="$PRIV/shared" \
	"$PF" connections get billing_pg --reveal 2>&1); rc=$?
is "$rc" 1 "the spoofed reveal is refused"
contains "$o" "ferncon: role Viewer ($VWR) may not reveal passwords" "in one line naming the real person"
lacks "$o" "$secret" "without the password"
# (b) With a configuration of their own, SUDO_USER counts, but only into
# the Viewer's own files: restricted, nothing of the shared one is read.
mv "$PRIV/home/$VWR/airflow.off" "$PRIV/home/$VWR/airflow"
o=$(as_user "$VWR" env SUDO_USER="$ADM" SUDO_UID="$admuid" AIRFLOW_HOME="$PRIV/shared" \
	"$PF" whoami 2>&1); rc=$?
contains "$o" "account:    $VWR" "with a config of their own: the account is still the Viewer's"
contains "$o" "restricted: yes" "restricted to the Viewer's own files"
contains "$o" "role:       Viewer (no [console] roles, and ferncon acts for another person" "and no Admin without a role map"
lacks "$(cat "$PRIV/shared-log/actions.log" 2>/dev/null)" "\"user\":\"$ADM\"" "the shared action log never names the Admin for the Viewer's runs"
o=$(as_user "$VWR" env SSH_CONNECTION='192.0.2.1 1 192.0.2.2 22' AIRFLOW_HOME="$PRIV/shared" \
	"$PF" --login "$ADM" connections get warehouse_pg --reveal 2>&1); rc=$?
ok "outside sudo, a Viewer's own --login ADMIN is refused" test "$rc" -ne 0
lacks "$o" "$secret" "without the password"
is "$(lines "$o")" 1 "in one line"
ok "no command ran as $SVC" test -z "$(find "$MARK" -user "$SVC" -print)"

# -- the Admin, through the same pinned line ----------------------------------
o=$(via_sudo "$ADM" -- whoami 2>&1)
contains "$o" "role:       Admin (from [console] roles)" "Admin: whoami says Admin"
o=$(via_sudo "$ADM" -- connections get billing_pg --reveal -o json 2>&1); rc=$?
is "$rc" 0 "Admin: reveal through sudo"
contains "$o" '"password": "' "Admin: the password is shown"
o=$(printf '%s' "$tok" | via_sudo "$ADM" -- token decrypt 2>&1); rc=$?
is "$rc" 0 "Admin: token decrypt with the configured ring"
via_sudo "$ADM" -- connections export - 2>"$T/err" > "$T/export.json"
lacks "$(cat "$T/err")" "refused" "Admin: export to stdout (rows no key opens are skipped, said on stderr)"
contains "$(cat "$T/export.json")" '"billing_pg"' "Admin: the export holds the connections"
printf '{"priv_new": {"conn_type": "http", "host": "example.com", "password": "p4ss"}}\n' |
	via_sudo "$ADM" -- connections import - > "$T/out" 2>&1; rc=$?
is "$rc" 0 "Admin: import from stdin"
ok "Admin: the imported connection is in the DB" \
	test "$(sqlite3 "$SVC_AF/airflow.db" "select count(*) from connection where conn_id='priv_new'")" = 1
o=$(via_sudo "$ADM" -- --config "$SVC_AF/airflow.cfg" key status 2>&1); rc=$?
is "$rc" 2 "Admin: --config is refused for the Admin too (restricted mode is for everyone)"
log=$(cat "$SVC_LOG")
contains "$log" "\"user\":\"$ADM\",\"role\":\"Admin\",\"action\":\"reveal\"" "the Admin's reveal is logged under the Admin's name"
contains "$log" "\"user\":\"$ADM\",\"role\":\"Admin\",\"action\":\"export\"" "and the export"
contains "$log" "\"user\":\"$ADM\",\"role\":\"Admin\",\"action\":\"import\",\"conn_id\":\"priv_new\"" "and the import"
lacks "$log" "\"user\":\"$VWR\"" "the Viewer, refused every time, is not in the log"
ok "no command ran as $SVC, at the end" test -z "$(find "$MARK" -user "$SVC" -print)"
echo "1..$_n"
done_testing

#!/bin/sh
# priv_ssh.sh: the SSH ForceCommand deployment (doc/design.md section 4,
# "Trust model"; README.md, SECURITY), against a real sshd (Debian's
# openssh-server) that the test starts on 127.0.0.1 on a high port, with a
# configuration, host key and client keys of its own, and stops at exit.
#
# The service account's authorized_keys names the person per key, as the
# README says: `restrict,command="ferncon --login NAME"`, here through the
# README's wrapper that passes the client's words on as ferncon's command
# after the pinned --login. What the client sends (its command, so
# SSH_ORIGINAL_COMMAND; variables that AcceptEnv lets through) never names
# the person or points ferncon elsewhere; the action log names the key's
# person; a key pinned to one command runs that command whatever is asked.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/priv_lib.sh"
[ -x /usr/sbin/sshd ] && command -v ssh >/dev/null 2>&1 && command -v ssh-keygen >/dev/null 2>&1 ||
	{ echo "1..0 # SKIP openssh-server or openssh-client is not installed (scripts/install-deps installs them)"; exit 0; }
priv_setup_or_skip

SSHD_PID=
RUN_SSHD=
ssh_cleanup() {
	[ -n "$SSHD_PID" ] && kill "$SSHD_PID" 2>/dev/null && wait "$SSHD_PID" 2>/dev/null
	[ -n "$RUN_SSHD" ] && rmdir /run/sshd 2>/dev/null
	priv_cleanup
}
trap 'ssh_cleanup' EXIT
trap 'ssh_cleanup; trap - EXIT; exit 130' INT
trap 'ssh_cleanup; trap - EXIT; exit 143' TERM
trap 'ssh_cleanup; trap - EXIT; exit 129' HUP

secret_of() { sqlite3 "$SVC_AF/airflow.db" "select password from connection where conn_id='$1'"; }

# The service account's map names people who have no account here.
sed -i "s/^roles = .*/roles = alice:Admin, bob:Viewer, carol:Op/" "$SVC_AF/airflow.cfg"
# sshd refuses a locked account ("!" in shadow) without PAM: no password.
usermod -p '*' "$SVC"

S=$PRIV/sshd
mkdir -p "$S"
chmod 755 "$S"
ssh-keygen -q -t ed25519 -N '' -f "$S/host_key" -C host >/dev/null
for p in alice bob carol; do
	ssh-keygen -q -t ed25519 -N '' -f "$T/id_$p" -C "$p@laptop" >/dev/null
done

# The README's wrapper: the client's words, split without globbing, after
# the pinned --login.
cat > "$PRIV/bin/ferncon-ssh" <<SH
#!/bin/sh
set -f
exec $PF --login "\$1" \${SSH_ORIGINAL_COMMAND:-}
SH
chmod 755 "$PRIV/bin/ferncon-ssh"
{
	printf 'restrict,command="%s alice" %s\n' "$PRIV/bin/ferncon-ssh" "$(cat "$T/id_alice.pub")"
	printf 'restrict,command="%s bob" %s\n' "$PRIV/bin/ferncon-ssh" "$(cat "$T/id_bob.pub")"
	printf 'restrict,command="%s --login carol whoami" %s\n' "$PF" "$(cat "$T/id_carol.pub")"
} > "$T/authorized_keys"
# In the account's home: sshd's StrictModes checks the path up to it.
install -d -m 700 -o "$SVC" -g "$SVC" "$SVC_HOME/.ssh"
install -m 600 -o "$SVC" -g "$SVC" "$T/authorized_keys" "$SVC_HOME/.ssh/authorized_keys"

if [ ! -d /run/sshd ]; then
	mkdir -p /run/sshd && chmod 755 /run/sshd && RUN_SSHD=1
fi
PORT=$((40000 + $$ % 20000))
cat > "$S/sshd_config" <<CFG
Port $PORT
ListenAddress 127.0.0.1
HostKey $S/host_key
PidFile none
AuthorizedKeysFile .ssh/authorized_keys
AuthenticationMethods publickey
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes yes
PermitRootLogin no
AllowUsers $SVC
# The worst case a site could configure: the client's variables get in.
AcceptEnv LANG LC_* AIRFLOW_HOME AIRFLOW_CONFIG AIRFLOW__* HOME SUDO_USER SUDO_UID
PermitUserEnvironment no
LogLevel INFO
CFG
/usr/sbin/sshd -t -f "$S/sshd_config" 2>"$T/sshd-t" ||
	{ echo "1..0 # SKIP sshd refuses the test's configuration: $(head -1 "$T/sshd-t")"; exit 0; }
/usr/sbin/sshd -D -e -f "$S/sshd_config" 2>"$T/sshd.log" &
SSHD_PID=$!
# Until it listens (or is gone): a wait, not a timed assertion.
i=0
while ! grep -q "Server listening" "$T/sshd.log" 2>/dev/null; do
	kill -0 "$SSHD_PID" 2>/dev/null || break
	i=$((i + 1)); [ "$i" -gt 600 ] && break
	sleep 0.1
done
ok "sshd listens on 127.0.0.1:$PORT" grep -q "Server listening" "$T/sshd.log"

# essh PERSON [ssh options] -- WORDS...: as the key of PERSON
essh() {
	_p=$1; shift
	ssh -F /dev/null -p "$PORT" -i "$T/id_$_p" -o IdentitiesOnly=yes \
		-o BatchMode=yes -o StrictHostKeyChecking=no \
		-o UserKnownHostsFile=/dev/null -o LogLevel=ERROR "$@"
}
lines() { printf '%s\n' "$1" | grep -c .; }

o=$(essh alice "$SVC@127.0.0.1" -- whoami 2>&1); rc=$?
is "$rc" 0 "alice's key: whoami runs"
contains "$o" "login:      alice" "the person is the key's --login"
contains "$o" "account:    $SVC" "the account is the service account"
contains "$o" "identity:   ssh --login" "told by the forced command's --login"
contains "$o" "restricted: yes" "in restricted mode"
contains "$o" "role:       Admin (from [console] roles)" "alice's role from the map"

o=$(essh alice "$SVC@127.0.0.1" -- connections get billing_pg --reveal -o json 2>&1); rc=$?
is "$rc" 0 "alice (Admin) reveals over SSH"
contains "$o" '"password": "' "the password is shown to the Admin"

# bob (Viewer) tries the client's ways to be someone else.
state0=$(svc_state)
log0=$(cat "$SVC_LOG")
o=$(essh bob "$SVC@127.0.0.1" -- connections get billing_pg --reveal 2>&1); rc=$?
is "$rc" 1 "bob (Viewer): reveal refused"
contains "$o" "ferncon: role Viewer (bob) may not reveal passwords" "naming bob"
o=$(essh bob "$SVC@127.0.0.1" -- --login alice connections get billing_pg --reveal 2>&1); rc=$?
is "$rc" 2 "bob sends --login alice in his command: refused"
contains "$o" "ferncon: --login is refused: it is given more than once" "one line that says why"
is "$(lines "$o")" 1 "one line"
o=$(essh bob "$SVC@127.0.0.1" -- connections get billing_pg --reveal --login alice 2>&1); rc=$?
is "$rc" 2 "--login alice after the command words: refused too"
o=$(SUDO_USER=alice SUDO_UID=0 AIRFLOW_HOME=/tmp essh bob -o SendEnv=SUDO_USER \
	-o SendEnv=SUDO_UID -o SendEnv=AIRFLOW_HOME "$SVC@127.0.0.1" -- whoami 2>&1); rc=$?
contains "$o" "login:      bob" "SUDO_USER and AIRFLOW_HOME sent by the client: bob is still bob"
contains "$o" "role:       Viewer" "with bob's role"
o=$(AIRFLOW__CORE__FERNET_KEY_CMD="/usr/bin/touch $MARK/ran" essh bob \
	-o SendEnv=AIRFLOW__CORE__FERNET_KEY_CMD "$SVC@127.0.0.1" -- key status 2>&1)
ok "the client's AIRFLOW__..._CMD did not run" test ! -e "$MARK/ran"
o=$(essh bob "$SVC@127.0.0.1" -- --config "$T/none.cfg" connections list 2>&1); rc=$?
is "$rc" 2 "bob's --config: refused"
contains "$o" "ferncon: --config is refused: ferncon acts for bob as $SVC (ssh --login)" "naming the option and who"
o=$(secret_of billing_pg | essh bob "$SVC@127.0.0.1" -- token decrypt 2>&1); rc=$?
is "$rc" 1 "bob's token decrypt with the configured ring: refused"
contains "$o" "may not decrypt or encrypt tokens" "says why"
o=$(essh bob "$SVC@127.0.0.1" -- connections import "$SVC_AF/airflow.cfg" 2>&1); rc=$?
contains "$o" "ferncon: connections import FILE is refused" "bob's import FILE: refused"
o=$(essh bob "$SVC@127.0.0.1" -- connections export "$T/out.json" 2>&1); rc=$?
contains "$o" "ferncon: connections export FILE is refused" "bob's export FILE: refused"
ok "and no file was written" test ! -e "$T/out.json"
is "$(svc_state)" "$state0" "bob changed nothing of the service account's"
is "$(cat "$SVC_LOG")" "$log0" "and nothing was logged for his refused tries"

# carol's key runs one command, whatever the client asks.
o=$(essh carol "$SVC@127.0.0.1" -- connections delete billing_pg 2>&1); rc=$?
contains "$o" "login:      carol" "carol's pinned key runs whoami, not the client's delete"
ok "billing_pg is still there" test -n "$(secret_of billing_pg)"

log=$(cat "$SVC_LOG")
contains "$log" '"user":"alice","role":"Admin","action":"reveal","conn_id":"billing_pg"' "the action log names alice for her reveal"
lacks "$log" "\"user\":\"$SVC\"" "and never the service account"
lacks "$log" '"user":"bob"' "bob, refused every time, is not in it"
ok "no command ran as $SVC" test -z "$(find "$MARK" -user "$SVC" -print)"

# Without SSH, the same account's --login is refused (a local session).
o=$(as_user "$SVC" "$PF" --login alice whoami 2>&1); rc=$?
is "$rc" 2 "outside SSH, --login is refused"
contains "$o" "only in an SSH forced command" "saying where it counts"
echo "1..$_n"
done_testing

# priv_lib.sh: real users and a real sudo for the trust-model tests
# (doc/design.md section 4, "Trust model"; README.md, SECURITY). Sourced
# after lib.sh, POSIX sh, as root.
#
#   priv_setup_or_skip	# not root, no sudo, no useradd: "1..0 # SKIP why"
#
# makes, with names of its own (fct<pid><letter>), removed again at exit,
# also on SIGINT, SIGTERM and SIGHUP:
#   - four throwaway accounts: $SVC (the service account that owns the
#     Airflow configuration), $ADM, $OPR and $VWR (an Admin, an Op and a
#     Viewer in its role map), homes 0700 under $PRIV/home;
#   - $SVC's ~/airflow: airflow.cfg and airflow.db (the demo's data, Airflow
#     3.2 schema), both 0600, and the action log $SVC_LOG;
#   - a copy of the ferncon under test, $PF, in $PRIV/bin (0755 all the way
#     up), since the build tree need not be reachable by other users;
#   - the sudoers drop-in /etc/sudoers.d/ferncon-test-<pid>: README.md's
#     pinned line (the three may run $PF, and only it, as $SVC) plus an
#     env_keep of every variable a caller could use to point ferncon
#     elsewhere (HOME, AIRFLOW_HOME, AIRFLOW_CONFIG, a _CMD, PGPASSFILE,
#     SSH_CONNECTION), the worst case a site could configure;
#   - $MARK: a directory every account may write, where an attacker's
#     command would leave a file (the tests check that none does).
#
# as_user USER CMD...	run CMD as USER, with a login-like environment
# via_sudo USER ARGS...	USER runs `sudo -n -u $SVC $PF ARGS` (the pinned line)

priv_skip() {
	echo "1..0 # SKIP $1"
	exit 0
}

priv_cleanup() {
	for _u in ${PRIV_USERS:-}; do
		# userdel refuses a user with a process left (a session the
		# server had not ended yet): end them first, or the account stays.
		command -v pkill >/dev/null 2>&1 && pkill -KILL -u "$_u" 2>/dev/null || :
		userdel "$_u" >/dev/null 2>&1 || { sleep 1; userdel "$_u" >/dev/null 2>&1; }
		groupdel "$_u" >/dev/null 2>&1
	done
	[ -n "${PRIV_SUDOERS:-}" ] && rm -f "$PRIV_SUDOERS"
	[ -n "${PRIV:-}" ] && rm -rf "$PRIV"
	rm -rf "$T"
}

priv_setup_or_skip() {
	[ "$(id -u)" -eq 0 ] || priv_skip "needs root (creates users and a sudoers drop-in)"
	command -v sudo >/dev/null 2>&1 && command -v visudo >/dev/null 2>&1 ||
		priv_skip "sudo is not installed (scripts/install-deps installs it)"
	command -v useradd >/dev/null 2>&1 && command -v setpriv >/dev/null 2>&1 ||
		priv_skip "useradd or setpriv is missing"
	[ -d /etc/sudoers.d ] || priv_skip "no /etc/sudoers.d"
	grep -Eq '^[@#]includedir[[:space:]]+/etc/sudoers.d' /etc/sudoers ||
		priv_skip "/etc/sudoers does not include /etc/sudoers.d"

	trap 'priv_cleanup' EXIT
	trap 'priv_cleanup; trap - EXIT; exit 130' INT
	trap 'priv_cleanup; trap - EXIT; exit 143' TERM
	trap 'priv_cleanup; trap - EXIT; exit 129' HUP

	_p=fct$$
	SVC=${_p}s ADM=${_p}a OPR=${_p}o VWR=${_p}v
	PRIV=$(mktemp -d /tmp/ferncon-priv.XXXXXX)
	chmod 755 "$PRIV"
	mkdir -p "$PRIV/bin" "$PRIV/home" "$PRIV/mark"
	chmod 755 "$PRIV/bin" "$PRIV/home"
	chmod 1777 "$PRIV/mark"
	MARK=$PRIV/mark
	cp "$FERNCON" "$PRIV/bin/ferncon"
	chmod 755 "$PRIV/bin/ferncon"
	PF=$PRIV/bin/ferncon
	for _u in "$SVC" "$ADM" "$OPR" "$VWR"; do
		useradd -M -d "$PRIV/home/$_u" -s /bin/sh -U "$_u" ||
			priv_skip "useradd $_u failed"
		PRIV_USERS="${PRIV_USERS:-} $_u"
		mkdir -p "$PRIV/home/$_u"
		chown "$_u:$_u" "$PRIV/home/$_u"
		chmod 700 "$PRIV/home/$_u"
	done
	SVC_HOME=$PRIV/home/$SVC
	SVC_AF=$SVC_HOME/airflow
	SVC_LOG=$SVC_AF/ferncon-actions.log

	# The service account's Airflow: the demo's DB and keys, a role map.
	"$FERNCON" demo "$T/demo" >/dev/null 2>&1 || priv_skip "ferncon demo failed"
	mkdir -p "$SVC_AF"
	cp "$T/demo/airflow.db" "$SVC_AF/airflow.db"
	SVC_KEYS=$(sed -n 's/^fernet_key = //p' "$T/demo/airflow.cfg")
	cat > "$SVC_AF/airflow.cfg" <<CFG
[core]
fernet_key = $SVC_KEYS

[database]
sql_alchemy_conn = sqlite:///$SVC_AF/airflow.db

[webserver]
show_connection_password = True

[console]
roles = $ADM:Admin, $OPR:Op, $VWR:Viewer
CFG
	: > "$SVC_LOG"
	chown -R "$SVC:$SVC" "$SVC_AF"
	chmod 700 "$SVC_AF"
	chmod 600 "$SVC_AF/airflow.cfg" "$SVC_AF/airflow.db" "$SVC_LOG"

	PRIV_SUDOERS=/etc/sudoers.d/ferncon-test-$$
	cat > "$T/sudoers" <<SUDO
Defaults:$ADM,$OPR,$VWR env_keep += "HOME AIRFLOW_HOME AIRFLOW_CONFIG AIRFLOW__CORE__FERNET_KEY_CMD AIRFLOW_CONN_WAREHOUSE_PG PGPASSFILE SSH_CONNECTION"
$ADM,$OPR,$VWR ALL=($SVC) NOPASSWD: $PF
SUDO
	visudo -cqf "$T/sudoers" || priv_skip "visudo refuses the test's drop-in"
	install -m 0440 -o root -g root "$T/sudoers" "$PRIV_SUDOERS"
}

# as_user USER CMD...: CMD as USER (uid, gid, groups), with HOME, USER,
# LOGNAME and PATH of a login and nothing else of the test's environment
# but LC_ALL.
as_user() {
	_u=$1; shift
	setpriv --reuid="$_u" --regid="$_u" --init-groups \
		env -i HOME="$PRIV/home/$_u" USER="$_u" LOGNAME="$_u" \
		PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C.UTF-8 "$@"
}

# via_sudo USER [VAR=VALUE...] -- ARGS...: USER runs the pinned sudo line
# with the variables set in their own environment (sudo keeps those the
# drop-in lists).
via_sudo() {
	_u=$1; shift
	_len=$# _i=0 _seen=0
	while [ "$_i" -lt "$_len" ]; do
		_a=$1; shift
		if [ "$_seen" = 0 ] && [ "$_a" = "--" ]; then
			set -- "$@" sudo -n -u "$SVC" "$PF"
			_seen=1
		else
			set -- "$@" "$_a"
		fi
		_i=$((_i + 1))
	done
	as_user "$_u" env "$@"
}

# A digest of the service account's files but the action log: what an
# attack must leave unchanged.
svc_state() {
	(cd "$SVC_AF" && find . -path ./ferncon-actions.log -prune -o -type f -print |
		LC_ALL=C sort | xargs sha256sum; ls -la . | grep -v ferncon-actions) 2>&1 |
		sha256sum
}

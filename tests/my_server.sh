# my_server.sh: a throwaway MySQL-protocol server (Debian's mariadb-server)
# for ferncon's tests and benchmarks (sourced, POSIX sh).
#
#   . "$top_srcdir/tests/my_server.sh"
#   my_start_or_skip	# no server binaries: "1..0 # SKIP ...", exit 0;
#			# binaries that fail: "Bail out!", exit 1
#   ... tests against "$MY_URL" ...
#
# my_start runs mariadb-install-db into a new temporary directory and starts
# mariadbd on a free loopback port (socket in that directory, InnoDB, no
# networking beyond 127.0.0.1), then creates the database `airflow` as
# Airflow's documentation says (CHARACTER SET utf8mb4 COLLATE
# utf8mb4_unicode_ci, a case-insensitive collation) and the user `airflow`
# (password with URL-special characters) with every privilege on it. As
# root the server runs as the `mysql` system user (mariadbd --user). A trap
# stops the server and removes the directory when the script exits, on
# failure and on SIGINT/SIGTERM too. The passwords are written to client
# option files (mode 600) in the directory, never to argv.
#
# After my_start:
#   MY_URL        mysql+pymysql://airflow:<password, URL-encoded>@127.0.0.1:PORT/airflow
#   MY_HOST MY_PORT MY_DB MY_USER MY_PASSWORD MY_SOCKET MY_DIR
#   MY_ADMIN_PASSWORD     root's password
#   my_admin SQL [DB]     run SQL as root through the mariadb client
#   my_sql SQL [DB]       run SQL as `airflow`; rows tab-separated, no header
#   my_sql_stdin [DB]     the same with the SQL on stdin
# A skip reason is left in MY_SKIP when my_start returns 1. pg_tap and
# pg_tap_plan (tests/pg_server.sh) fold several TAP programs into one stream.

. "${top_srcdir:-.}/tests/pg_server.sh"

MY_DIR=""
MY_SKIP=""

my_stop() {
	[ -n "$MY_DIR" ] || return 0
	if [ -f "$MY_DIR/server.pid" ]; then
		_pid=$(cat "$MY_DIR/server.pid" 2>/dev/null)
		if [ -n "$_pid" ] && kill "$_pid" 2>/dev/null; then
			_i=0
			while kill -0 "$_pid" 2>/dev/null && [ $_i -lt 100 ]; do
				sleep 0.1
				_i=$((_i + 1))
			done
			kill -9 "$_pid" 2>/dev/null || :
		fi
	fi
	rm -rf "$MY_DIR"
	MY_DIR=""
}

_my_exit() {
	my_stop
	pg_stop
	[ -n "${T:-}" ] && rm -rf "$T"
}

my_start_or_skip() {
	my_start
	case $? in
	0)	return 0 ;;
	1)	echo "1..0 # SKIP MySQL tests: $MY_SKIP"
		exit 0 ;;
	*)	echo "Bail out! the MySQL test server did not start${MY_SKIP:+: $MY_SKIP}"
		exit 1 ;;
	esac
}

my_admin() {
	"$MY_CLIENT" --defaults-extra-file="$MY_DIR/root.cnf" --batch \
	    --skip-column-names -e "$1" ${2:-}
}

my_sql() {
	"$MY_CLIENT" --defaults-extra-file="$MY_DIR/airflow.cnf" --batch \
	    --skip-column-names -e "$1" "${2:-$MY_DB}"
}

# my_sql_stdin [DB]: SQL from stdin as `airflow` (DELIMITER works there).
my_sql_stdin() {
	"$MY_CLIENT" --defaults-extra-file="$MY_DIR/airflow.cnf" --batch \
	    --skip-column-names "${1:-$MY_DB}"
}

_my_find() {
	for _c in "$@"; do
		command -v "$_c" 2>/dev/null && return 0
		[ -x "/usr/sbin/$_c" ] && { echo "/usr/sbin/$_c"; return 0; }
	done
	return 1
}

my_start() {
	if ! MY_SERVER=$(_my_find mariadbd mysqld) ||
	    ! MY_INSTALL=$(_my_find mariadb-install-db mysql_install_db) ||
	    ! MY_CLIENT=$(_my_find mariadb mysql); then
		MY_SKIP="no MariaDB server binaries (mariadbd, mariadb-install-db, mariadb); install Debian's mariadb-server and mariadb-client"
		return 1
	fi
	_my_user=""
	if [ "$(id -u)" -eq 0 ]; then
		if ! id mysql >/dev/null 2>&1; then
			MY_SKIP="running as root and there is no 'mysql' user to run the server as"
			return 1
		fi
		_my_user=mysql
	fi
	MY_DIR=$(mktemp -d "${TMPDIR:-/tmp}/ferncon-my.XXXXXX") || return 2
	trap '_my_exit' EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	chmod 711 "$MY_DIR"
	mkdir "$MY_DIR/data" "$MY_DIR/tmp"
	[ -n "$_my_user" ] && chown "$_my_user:" "$MY_DIR/data" "$MY_DIR/tmp" "$MY_DIR"
	if ! "$MY_INSTALL" --no-defaults --datadir="$MY_DIR/data" \
	    ${_my_user:+--user=$_my_user} --auth-root-authentication-method=normal \
	    --skip-test-db >"$MY_DIR/install.log" 2>&1; then
		echo "# mariadb-install-db failed:" >&2
		tail -n 20 "$MY_DIR/install.log" | sed 's/^/#   /' >&2
		MY_SKIP="mariadb-install-db failed"
		return 2
	fi
	MY_HOST=127.0.0.1
	MY_SOCKET="$MY_DIR/mysqld.sock"
	_try=0
	while :; do
		_try=$((_try + 1))
		MY_PORT=$(_pg_free_port) || return 2
		"$MY_SERVER" --no-defaults --datadir="$MY_DIR/data" \
		    ${_my_user:+--user=$_my_user} --bind-address=$MY_HOST \
		    --port="$MY_PORT" --socket="$MY_SOCKET" \
		    --pid-file="$MY_DIR/server.pid" --log-error="$MY_DIR/server.log" \
		    --tmpdir="$MY_DIR/tmp" \
		    --skip-name-resolve --innodb-buffer-pool-size=${MY_BUFFER_POOL:-64M} \
		    --innodb-log-file-size=48M --innodb-flush-log-at-trx-commit=2 \
		    --max-connections=60 --skip-log-bin ${MY_SERVER_OPTS:-} \
		    >/dev/null 2>&1 &
		_i=0
		while [ $_i -lt 300 ] && ! [ -S "$MY_SOCKET" ]; do
			sleep 0.1
			_i=$((_i + 1))
		done
		if [ -S "$MY_SOCKET" ] && "$MY_CLIENT" --no-defaults -uroot \
		    --socket="$MY_SOCKET" -e 'SELECT 1' >/dev/null 2>&1; then
			break
		fi
		[ -f "$MY_DIR/server.pid" ] && kill -9 "$(cat "$MY_DIR/server.pid")" 2>/dev/null
		if [ $_try -ge 3 ]; then
			echo "# the MariaDB server did not start:" >&2
			tail -n 20 "$MY_DIR/server.log" 2>/dev/null | sed 's/^/#   /' >&2
			MY_SKIP="mariadbd did not start 3 times"
			return 2
		fi
	done
	MY_ADMIN_PASSWORD=$(_pg_random)
	MY_USER=airflow
	MY_DB=airflow
	MY_PASSWORD="$(_pg_random)@:/%"
	(umask 077
	 printf '[client]\nuser=root\npassword=%s\nsocket=%s\n' \
	    "$MY_ADMIN_PASSWORD" "$MY_SOCKET" > "$MY_DIR/root.cnf"
	 printf '[client]\nuser=%s\npassword=%s\nhost=%s\nport=%s\n' \
	    "$MY_USER" "$MY_PASSWORD" "$MY_HOST" "$MY_PORT" > "$MY_DIR/airflow.cnf")
	# The first statement runs as the passwordless root of a new install.
	"$MY_CLIENT" --no-defaults -uroot --socket="$MY_SOCKET" <<EOF || return 2
ALTER USER root@localhost IDENTIFIED BY '$MY_ADMIN_PASSWORD';
CREATE DATABASE airflow CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER 'airflow'@'%' IDENTIFIED BY '$MY_PASSWORD';
GRANT ALL PRIVILEGES ON airflow.* TO 'airflow'@'%';
EOF
	MY_URL="mysql+pymysql://$MY_USER:$(printf '%s' "$MY_PASSWORD" |
	    sed 's/%/%25/g; s/@/%40/g; s/:/%3A/g; s/\//%2F/g')@$MY_HOST:$MY_PORT/$MY_DB"
	export MY_URL MY_HOST MY_PORT MY_DB MY_USER MY_PASSWORD MY_ADMIN_PASSWORD \
	    MY_DIR MY_SOCKET MY_CLIENT
	return 0
}

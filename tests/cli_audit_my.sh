#!/bin/sh
# cli_audit_my.sh: `ferncon audit` on a MySQL metadata DB (a throwaway
# MariaDB server from tests/my_server.sh, with TLS on: a self-signed
# certificate made here). The demo data is written the way Airflow writes it
# (tests/airflow_db.py through PyMySQL) into MySQL and, with the same keys,
# into an SQLite file: the json reports of the two are the same findings,
# and the plaintext findings name exactly the rows SQL finds. Then the checks
# of the metadata DB's own URL as the MySQL drivers read it (myurl.c): the
# password written in airflow.cfg; TLS to a network server (no TLS option,
# ssl_mode=PREFERRED or DISABLED, PyMySQL's ssl_disabled are findings; a
# certificate option, ssl_mode=REQUIRED or VERIFY_IDENTITY with the CA are
# not); a loopback server or a unix_socket needs none. The "network" name is
# this machine's host name when it resolves to a loopback address (the
# audit counts only localhost, 127.* and ::1 as local by name); the server
# listens on 127.0.0.1 and on that address too when it is another one
# (Debian's installer maps the host name to 127.0.1.1 in /etc/hosts).
# No demo secret, Fernet key or DB password
# appears in any report or message. Skips when the server binaries are
# missing.
: "${top_srcdir:=.}"
. "$top_srcdir/tests/lib.sh"
plan 15

py() { "$PYTHON3" -c "$@"; }
tool() { "$PYTHON3" "$top_srcdir/tests/airflow_db.py" "$@"; }
cfg_url() { printf '%s' "$1" | sed 's/%/%%/g'; }

# TLS for the server: a self-signed certificate for this host's name.
name=$(hostname)
chmod 711 "$T"
mkdir "$T/tls" && chmod 755 "$T/tls"
tls=no
if command -v openssl >/dev/null 2>&1 &&
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=$name" \
    -addext "subjectAltName=DNS:$name" -keyout "$T/tls/server.key" \
    -out "$T/tls/server.crt" >/dev/null 2>&1; then
	chmod 644 "$T/tls/server.key" "$T/tls/server.crt"
	MY_SERVER_OPTS="--ssl-cert=$T/tls/server.crt --ssl-key=$T/tls/server.key"
	tls=yes
fi
addr=$(getent hosts "$name" | awk 'NR == 1 { print $1 }')
case $addr in
127.0.0.1) ;;
127.*)	MY_SERVER_OPTS="${MY_SERVER_OPTS:+$MY_SERVER_OPTS }--bind-address=127.0.0.1,$addr" ;;
esac
. "$top_srcdir/tests/my_server.sh"
my_start_or_skip

new=$(py_key); old=$(py_key); lost=$(py_key)
sq="$T/airflow.db"
AIRFLOW_DB_URL=$MY_URL; export AIRFLOW_DB_URL
for db in - "$sq"; do
	schema=schema-3.2.sql
	[ "$db" = - ] && schema=schema-my-3.2.sql
	tool create "$db" --schema "$top_srcdir/data/$schema"
	FERNET_KEY="$new,$old" DEMO_OLD_KEY="$old" DEMO_LOST_KEY="$lost" \
		tool fill "$db" --connections "$top_srcdir/data/demo-connections.json" \
		--variables "$top_srcdir/data/demo-variables.json" 2>/dev/null
done
mkdir "$T/out"
audit() { # NAME URL ARGS...: the report in $T/out/NAME, the exit code in $rc
	_name=$1 _url=$2; shift 2
	AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=$_url "$FERNCON" audit "$@" \
	    >"$T/out/$_name" 2>"$T/out/$_name.err"
	rc=$?
}
strip() { # the report without its clock and the days of the old tokens
	py 'import json, re, sys
d = json.load(open(sys.argv[1]))
d.pop("generated_at", None)
print(re.sub(r"(oldest |encrypted on )\d{4}-\d\d-\d\d", r"\1DATE",
      json.dumps(d, indent=1, sort_keys=True)))' "$1"
}

# -- the same data on both backends: the same findings -----------------------
printf '[core]\nfernet_key = %s\n' "$new,$old" >"$AIRFLOW_HOME/airflow.cfg"
chmod 600 "$AIRFLOW_HOME/airflow.cfg"
audit my.json "$MY_URL" --format json --min-severity info; rc_my=$rc
audit sq.json "sqlite:///$sq" --format json --min-severity info; rc_sq=$rc
is "$rc_my $rc_sq" "1 1" "findings at or above high: exit 1 on MySQL as on SQLite"
strip "$T/out/my.json" >"$T/my.n"; strip "$T/out/sq.json" >"$T/sq.n"
if cmp -s "$T/my.n" "$T/sq.n"; then ok "the same findings, fingerprints, evidence and summary" true
else ok "the same findings, fingerprints, evidence and summary" false
	diff "$T/sq.n" "$T/my.n" | head -n 20 | sed 's/^/#   /'; fi
got=$(py 'import json,sys
for f in json.load(open(sys.argv[1]))["findings"]:
    if f["rule_id"] in ("plaintext-password", "plaintext-extra", "plaintext-variable"):
        print(f["subject"], f["field"])' "$T/out/my.json" | sort)
want=$(my_sql "SELECT conn_id, 'password' FROM connection WHERE NOT is_encrypted
	    AND password <> ''
	    UNION ALL SELECT conn_id, 'extra' FROM connection WHERE NOT is_extra_encrypted
	    AND extra <> ''
	    UNION ALL SELECT \`key\`, 'val' FROM variable WHERE NOT is_encrypted AND val <> ''" |
	tr '\t' ' ' | sort)
ok "there are plaintext values in the DB" test "$(printf '%s\n' "$want" | wc -l)" -ge 8
is "$got" "$want" "plaintext findings: exactly the rows stored with their flag off"

# -- the metadata DB's own URL -----------------------------------------------
AIRFLOW__CORE__FERNET_KEY=$new; export AIRFLOW__CORE__FERNET_KEY
pw=${MY_URL#mysql+pymysql://"$MY_USER":}; pw=${pw%%@*}	# URL-encoded
dbcheck() { # NAME URL: in airflow.cfg; the config findings in $got
	printf '[database]\nsql_alchemy_conn = %s\n' "$(cfg_url "$2")" >"$AIRFLOW_HOME/airflow.cfg"
	chmod 600 "$AIRFLOW_HOME/airflow.cfg"
	"$FERNCON" audit --format json >"$T/out/$1.json" 2>"$T/out/$1.err"
	rc=$?
	got=$(py 'import json,sys
try:
    d = json.load(open(sys.argv[1]))
except ValueError:
    print("no report"); sys.exit()
print(" ".join(sorted("%s:%s" % (f["rule_id"], f["severity"]) for f in d["findings"]
      if f["scope"] == "config" and f["rule_id"] != "webserver-no-tls")) or "none")' "$T/out/$1.json")
}
dbcheck local "mysql://airflow:$pw@127.0.0.1:$MY_PORT/airflow"
is "$got" "sql-alchemy-conn-password-in-config-file:medium" \
	"loopback server, password in airflow.cfg: that finding only (no TLS needed)"
dbcheck socket "mysql+mysqldb://airflow:$pw@localhost/airflow?unix_socket=$MY_SOCKET"
is "$got" "sql-alchemy-conn-password-in-config-file:medium" "a unix_socket: no TLS needed"

if getent hosts "$name" | grep -q '^127\.'; then
	remote="airflow:$pw@$name:$MY_PORT/airflow"
	dbcheck remote "mysql://$remote"
	is "$got" "sql-alchemy-conn-no-ssl:high sql-alchemy-conn-password-in-config-file:medium" \
		"network server without TLS options: no-ssl (high, a password crosses it)"
	contains "$(cat "$T/out/remote.json")" "ssl_mode REQUIRED" "the message says what is missing"
	dbcheck preferred "mysql://$remote?ssl_mode=PREFERRED"
	is "$got" "sql-alchemy-conn-no-ssl:high sql-alchemy-conn-password-in-config-file:medium" \
		"ssl_mode=PREFERRED (falls back to plaintext): still no-ssl"
	dbcheck disabled "mysql+pymysql://$remote?ssl_ca=$T/tls/server.crt&ssl_disabled=true"
	is "$got" "sql-alchemy-conn-no-ssl:high sql-alchemy-conn-password-in-config-file:medium" \
		"PyMySQL's ssl_disabled=true beats its ssl_ca: no-ssl"
	if [ $tls = yes ]; then
		dbcheck required "mysql://$remote?ssl_mode=REQUIRED"
		is "$got" "sql-alchemy-conn-password-in-config-file:medium" \
			"ssl_mode=REQUIRED on a server with TLS: only the password in the file"
		dbcheck verify "mysql://$remote?ssl_mode=VERIFY_IDENTITY&ssl_ca=$T/tls/server.crt"
		is "$got" "sql-alchemy-conn-password-in-config-file:medium" \
			"ssl_mode=VERIFY_IDENTITY with the server's CA: the same"
		dbcheck pyca "mysql+pymysql://$remote?ssl_ca=$T/tls/server.crt"
		is "$got" "sql-alchemy-conn-password-in-config-file:medium" \
			"PyMySQL with ssl_ca (it verifies): the same"
		openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=other" \
		    -keyout "$T/tls/other.key" -out "$T/tls/other.crt" >/dev/null 2>&1
		dbcheck wrongca "mysql://$remote?ssl_mode=VERIFY_CA&ssl_ca=$T/tls/other.crt"
		is "$rc" 2 "a CA that did not sign the server's certificate: the audit cannot connect, exit 2"
	else
		for d in required verify pyca wrongca; do
			_n=$((_n + 1)); echo "ok $_n - $d # SKIP no TLS on the test server (openssl?)"
		done
	fi
else
	for d in remote message preferred disabled required verify pyca wrongca; do
		_n=$((_n + 1)); echo "ok $_n - $d # SKIP the host name '$name' does not resolve to a loopback address"
	done
fi

# -- no secret in any output -------------------------------------------------
found=$(cd "$T/out" && grep -F -e "$new" -e "$old" -e "$lost" -e "$MY_PASSWORD" \
	-e "$MY_ADMIN_PASSWORD" -- * | head -n 3)
is "$found" "" "no Fernet key or DB password in any report or message"
done_testing

#!/bin/sh
# cli_audit_pg.sh: `ferncon audit` on a PostgreSQL metadata DB (a throwaway
# server from tests/pg_server.sh). The demo data is written the way Airflow
# writes it (tests/airflow_db.py through psycopg2) into PostgreSQL and, with
# the same keys, into an SQLite file: the json, sarif and text reports of
# the two are the same findings (rule, subject, pointer, severity,
# fingerprint, evidence, HMAC), so are the exit codes; the plaintext and
# undecryptable findings name exactly the rows that SQL and Python's
# cryptography find. Then the checks of the metadata DB's own URL, as an
# Airflow operator expects them on PostgreSQL: the password written in
# airflow.cfg (not when sql_alchemy_conn comes from _cmd or the
# environment), TLS to a network server (sslmode unset, prefer or disable is
# a finding; require and verify-full on a server with TLS on are not; a
# loopback or Unix-socket server needs none; a host given in the URL's query
# counts), and airflow.cfg's mode. No demo secret, Fernet key or the DB
# password appears in any report or message. Skips when the server
# binaries are missing.
: "${top_srcdir:=.}"
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/pg_server.sh"
pg_start_or_skip
plan 45

py() { "$PYTHON3" -c "$@"; }
tool() { "$PYTHON3" "$top_srcdir/tests/airflow_db.py" "$@"; }
# airflow.cfg interpolates "%": a URL-encoded password needs "%%" there.
cfg_url() { printf '%s' "$1" | sed 's/%/%%/g'; }
new=$(py_key); old=$(py_key); lost=$(py_key)
sq="$T/airflow.db"
AIRFLOW_DB_URL=$PG_URL; export AIRFLOW_DB_URL
for db in - "$sq"; do
	schema=schema-3.2.sql
	[ "$db" = - ] && schema=schema-pg-3.2.sql
	tool create "$db" --schema "$top_srcdir/data/$schema"
	FERNET_KEY="$new,$old" DEMO_OLD_KEY="$old" DEMO_LOST_KEY="$lost" \
		tool fill "$db" --connections "$top_srcdir/data/demo-connections.json" \
		--variables "$top_srcdir/data/demo-variables.json" 2>/dev/null
done
mkdir "$T/out"
# Every report and message of this script goes to $T/out, for the leak check.
audit() { # NAME BACKEND ARGS...: the report in $T/out/NAME, the exit code in $rc
	_name=$1 _url=$PG_URL; shift
	[ "$1" = sqlite ] && _url="sqlite:///$sq"
	shift
	AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=$_url "$FERNCON" audit "$@" \
	    >"$T/out/$_name" 2>"$T/out/$_name.err"
	rc=$?
}
# The reports without their clock, and with the days of the "old" tokens
# (made 400 days before each fill, and the fills are seconds apart) as DATE:
# canonical JSON, or the text.
norm() {
	"$PYTHON3" - "$1" <<'PY'
import json, re, sys
text = open(sys.argv[1], encoding="utf-8").read()
day = lambda s: re.sub(r"(oldest |encrypted on )\d{4}-\d\d-\d\d", r"\1DATE", s)
try:
    d = json.loads(text)
except ValueError:
    sys.stdout.write(day(text))
    sys.exit(0)
def walk(v):
    if isinstance(v, dict):
        return {k: walk(x) for k, x in v.items()
                if k not in ("generated_at", "endTimeUtc", "startTimeUtc")}
    if isinstance(v, list):
        return [walk(x) for x in v]
    return day(v) if isinstance(v, str) else v
print(json.dumps(walk(d), indent=1, sort_keys=True, ensure_ascii=False))
PY
}
same() { # A B DESCRIPTION: normalised reports equal; the first lines of a diff else
	norm "$T/out/$1" >"$T/$1.n"
	norm "$T/out/$2" >"$T/$2.n"
	if cmp -s "$T/$1.n" "$T/$2.n"; then
		ok "$3" true
	else
		ok "$3" false
		diff "$T/$2.n" "$T/$1.n" | head -n 20 | sed 's/^/#   /'
	fi
}

# -- the same data on both backends: the same findings -----------------------
printf '[core]\nfernet_key = %s\n' "$new,$old" >"$AIRFLOW_HOME/airflow.cfg"
chmod 600 "$AIRFLOW_HOME/airflow.cfg"
audit pg.json postgresql --format json; rc_pg=$rc
audit sq.json sqlite --format json; rc_sq=$rc
is "$rc_pg $rc_sq" "1 1" "json: findings at or above high, exit 1 on PostgreSQL as on SQLite"
shape=$(py 'import json,sys
d = json.load(open(sys.argv[1])); s = d["summary"]
print(s["connections"], s["variables"], s["complete"], len(d["findings"]) > 30,
      sorted(set(f["scope"] for f in d["findings"])))' "$T/out/pg.json")
is "$shape" "42 9 True True ['config', 'connection', 'variable']" \
	"PostgreSQL: 42 connections, 9 variables, complete, findings of every scope"
same pg.json sq.json "json: the same findings (rule, subject, pointer, severity, fingerprint, evidence, hash) and summary"
audit pg-info.json postgresql --format json --min-severity info
audit sq-info.json sqlite --format json --min-severity info
same pg-info.json sq-info.json "json --min-severity info: the same, token ages and key paths included"
audit pg.sarif postgresql --format sarif; rc_pg=$rc
audit sq.sarif sqlite --format sarif; rc_sq=$rc
is "$rc_pg $rc_sq" "1 1" "sarif: exit 1 on both"
same pg.sarif sq.sarif "sarif: the same rules and results"
fp=$(py 'import json,sys
a = sorted(f["fingerprint"] for f in json.load(open(sys.argv[1]))["findings"])
b = sorted(r["partialFingerprints"]["connExtraFingerprint/v1"] for r in json.load(open(sys.argv[2]))["runs"][0]["results"])
print(a == b)' "$T/out/pg.json" "$T/out/pg.sarif")
is "$fp" True "PostgreSQL: json and sarif report the same fingerprints"
audit pg.txt postgresql --format text; rc_pg=$rc
audit sq.txt sqlite --format text; rc_sq=$rc
is "$rc_pg $rc_sq" "1 1" "text: exit 1 on both"
same pg.txt sq.txt "text: the same blocks and summary line"
audit pg-none.json postgresql --format json --fail-on none; rc_pg=$rc
audit sq-none.json sqlite --format json --fail-on none; rc_sq=$rc
is "$rc_pg $rc_sq" "0 0" "--fail-on none: exit 0 on both"
audit pg-base.json postgresql --format json --baseline "$T/out/sq.json"; rc_pg=$rc
n=$(py 'import json,sys; d=json.load(open(sys.argv[1])); print(len(d["findings"]), d["summary"]["suppressed"]["baseline"] > 30)' "$T/out/pg-base.json")
is "$rc_pg $n" "0 0 True" "the SQLite report is a complete baseline for the PostgreSQL DB: exit 0"

# -- plaintext and undecryptable values: the rows SQL and Python find --------
got=$(py 'import json,sys
for f in json.load(open(sys.argv[1]))["findings"]:
    if f["rule_id"] in ("plaintext-password", "plaintext-extra", "plaintext-variable"):
        print(f["subject"], f["field"])' "$T/out/pg-info.json" | sort)
want=$({ pg_sql "SELECT conn_id, 'password' FROM connection WHERE NOT is_encrypted
	    AND password <> ''
	    UNION ALL SELECT conn_id, 'extra' FROM connection WHERE NOT is_extra_encrypted
	    AND extra <> ''
	    UNION ALL SELECT key, 'val' FROM variable WHERE NOT is_encrypted AND val <> ''"; } |
	tr '\t' ' ' | sort)
ok "there are plaintext values in the DB ($(printf '%s\n' "$want" | wc -l))" \
	test "$(printf '%s\n' "$want" | wc -l)" -ge 8
is "$got" "$want" "plaintext findings: exactly the rows stored with their flag off"
got=$(py 'import json,sys
for f in json.load(open(sys.argv[1]))["findings"]:
    if f["rule_id"] == "undecryptable-value": print(f["subject"], f["field"])' "$T/out/pg-info.json" | sort)
want=$({ FERNET_KEY="$new,$old" tool dump -; FERNET_KEY="$new,$old" tool dump-variables -; } |
	py 'import json,sys
for line in sys.stdin:
    r = json.loads(line)
    for f in ("password", "extra", "val"):
        if isinstance(r.get(f), dict): print(r.get("conn_id") or r["key"], f)' | sort)
is "$got" "$want" "undecryptable findings: exactly the values Python's cryptography cannot open"
contains "$want" "legacy_reporting_db extra" "(the lost-key row is among them)"

# -- the metadata DB's own URL -----------------------------------------------
# An empty metadata DB: the only findings are about the configuration.
pg_admin "CREATE DATABASE cfgdb OWNER airflow"
cfg_db="${PG_URL%/*}/cfgdb"
AIRFLOW_DB_URL=$cfg_db tool create - --schema "$top_srcdir/data/schema-pg-3.2.sql"
pw=${PG_URL#postgresql://"$PG_USER":}; pw=${pw%%@*}	# URL-encoded
# A host name that is not loopback: libpq's hostaddr takes it to this server.
remote="airflow:$pw@db.corp.example:$PG_PORT/cfgdb?hostaddr=$PG_HOST"
AIRFLOW__CORE__FERNET_KEY=$new; export AIRFLOW__CORE__FERNET_KEY
# dbcheck NAME: the audit with airflow.cfg as it is; the DB's findings in
# $got, the exit code in $rc.
dbcheck() {
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
in_file() { # URL [SECTION]: sql_alchemy_conn written in airflow.cfg
	printf '[%s]\nsql_alchemy_conn = %s\n' "${2:-database}" "$(cfg_url "$1")" \
	    >"$AIRFLOW_HOME/airflow.cfg"
	chmod 600 "$AIRFLOW_HOME/airflow.cfg"
}
from_cmd() { # URL: sql_alchemy_conn_cmd in airflow.cfg prints it
	printf '%s' "$1" >"$T/url"
	chmod 600 "$T/url"
	printf '[database]\nsql_alchemy_conn_cmd = cat %s\n' "$T/url" >"$AIRFLOW_HOME/airflow.cfg"
	chmod 600 "$AIRFLOW_HOME/airflow.cfg"
}

in_file "postgresql://$PG_USER:$pw@$PG_HOST:$PG_PORT/cfgdb"
dbcheck local
is "$rc $got" "0 sql-alchemy-conn-password-in-config-file:medium" \
	"loopback server, password in airflow.cfg: that finding only (no TLS needed), exit 0"
"$FERNCON" audit --format sarif >"$T/out/local.sarif" 2>"$T/out/local-sarif.err"
loc=$(py 'import json,sys
for r in json.load(open(sys.argv[1]))["runs"][0]["results"]:
    if r["ruleId"] == "sql-alchemy-conn-password-in-config-file":
        l = r["locations"][0]["physicalLocation"]
        print(l["artifactLocation"]["uri"], l["region"]["startLine"])' "$T/out/local.sarif")
is "$loc" "file://$AIRFLOW_HOME/airflow.cfg 2" "sarif: it points at airflow.cfg, line 2"

in_file "postgresql://$remote"
dbcheck remote
is "$rc $got" "1 sql-alchemy-conn-no-ssl:high sql-alchemy-conn-password-in-config-file:medium" \
	"network server without sslmode: no-ssl (high, a password crosses it) and the password in the file, exit 1"
contains "$(cat "$T/out/remote.json")" "without TLS: sslmode is not set" "the message says sslmode is not set"
in_file "postgresql+psycopg2://$remote"
dbcheck psycopg2
is "$rc $got" "1 sql-alchemy-conn-no-ssl:high sql-alchemy-conn-password-in-config-file:medium" \
	"postgresql+psycopg2:// (Airflow's documented form): the same"
in_file "postgresql://$remote&sslmode=prefer"
dbcheck prefer
is "$rc $got" "1 sql-alchemy-conn-no-ssl:high sql-alchemy-conn-password-in-config-file:medium" \
	"sslmode=prefer (falls back to plaintext): still no-ssl"
in_file "postgresql://$remote&sslmode=disable"
dbcheck disable
is "$rc $got" "1 sql-alchemy-conn-no-ssl:high sql-alchemy-conn-password-in-config-file:medium" \
	"sslmode=disable: no-ssl"
in_file "postgresql://airflow:$pw@/cfgdb?host=db.corp.example&hostaddr=$PG_HOST&port=$PG_PORT"
dbcheck qhost
is "$rc $got" "1 sql-alchemy-conn-no-ssl:high sql-alchemy-conn-password-in-config-file:medium" \
	"the network host in the URL's query (?host=, as SQLAlchemy allows): no-ssl too"
in_file "postgresql://airflow@db.corp.example:$PG_PORT/cfgdb?hostaddr=$PG_HOST&password=$pw"
dbcheck qpass
is "$rc $got" "1 sql-alchemy-conn-no-ssl:high sql-alchemy-conn-password-in-config-file:medium" \
	"the password in the URL's query (?password=): in the file, and it crosses the network"
in_file "postgresql://airflow:$pw@/cfgdb?host=$PG_SOCKDIR&port=$PG_PORT"
dbcheck socket
is "$rc $got" "0 sql-alchemy-conn-password-in-config-file:medium" \
	"a Unix socket (?host=/dir): no TLS needed"
# cfgdb is an Airflow 3.2 DB: Airflow 3 no longer reads the deprecated
# [core] sql_alchemy_conn (3.0 dropped it from deprecated_options), so
# neither does ferncon once the DB says 3.x; here Airflow 3's default DB
# does not exist (issue 14 item 6, tests/cli_compat.sh).
in_file "postgresql://$remote" core
dbcheck core
is "$rc $got" "2 no report" "the deprecated [core] sql_alchemy_conn naming a 3.x DB: not used, as Airflow 3"
contains "$(cat "$T/out/core.err")" "Airflow 3 ignores [core] sql_alchemy_conn" "and ferncon says why"

# Where the URL comes from.
from_cmd "postgresql://$remote"
dbcheck cmd
is "$rc $got" "1 sql-alchemy-conn-no-ssl:high" \
	"sql_alchemy_conn_cmd: no password in the file, but still no TLS to a network server"
printf '[core]\nunit_test_mode = False\n' >"$AIRFLOW_HOME/airflow.cfg"
AIRFLOW__DATABASE__SQL_ALCHEMY_CONN="postgresql://$remote"
export AIRFLOW__DATABASE__SQL_ALCHEMY_CONN
dbcheck env
unset AIRFLOW__DATABASE__SQL_ALCHEMY_CONN
is "$rc $got" "1 sql-alchemy-conn-no-ssl:high" "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN: the same"
AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_CMD="cat $T/url"
export AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_CMD
dbcheck envcmd
unset AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_CMD
is "$rc $got" "1 sql-alchemy-conn-no-ssl:high" "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_CMD: the same"

# airflow.cfg readable by others: worse when it holds the password.
in_file "postgresql://$remote"
chmod 644 "$AIRFLOW_HOME/airflow.cfg"
dbcheck perm-file
contains "$got" "config-file-permissions:high" "mode 0644 with the DB password in it: high"
contains "$(cat "$T/out/perm-file.json")" "is mode 0644 and holds a secret" "and says it holds a secret"
from_cmd "postgresql://$remote"
chmod 644 "$AIRFLOW_HOME/airflow.cfg"
dbcheck perm-cmd
contains "$got" "config-file-permissions:medium" "mode 0644 with only a _cmd in it: medium"

# A DB the audit cannot reach: exit 2, a message without the password.
from_cmd "postgresql://$remote&sslmode=require"
if pg_sql "SHOW ssl" | grep -qx off; then
	dbcheck nossl
	is "$rc" 2 "sslmode=require against a server without TLS: exit 2 (could not complete)"
	contains "$(cat "$T/out/nossl.err")" "SSL" "with libpq's reason"
else
	_n=$((_n + 2)); echo "ok $((_n - 1)) - # SKIP the server has TLS on"; echo "ok $_n - # SKIP"
fi
from_cmd "postgresql://$PG_USER:wrong-$pw@db.corp.example:$PG_PORT/cfgdb?hostaddr=$PG_HOST"
dbcheck badpw
is "$rc" 2 "a wrong password: exit 2"
contains "$(cat "$T/out/badpw.err")" "password authentication failed" "with PostgreSQL's reason"

# TLS on: a self-signed certificate for db.corp.example, the server reloaded.
tls=""
owner=$(stat -c %U "$PG_DIR/data")
if command -v openssl >/dev/null 2>&1 &&
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=db.corp.example \
    -addext "subjectAltName=DNS:db.corp.example" -keyout "$PG_DIR/data/server.key" \
    -out "$PG_DIR/data/server.crt" >/dev/null 2>&1; then
	chmod 600 "$PG_DIR/data/server.key"
	cp "$PG_DIR/data/server.crt" "$T/ca.crt"
	[ "$owner" != "$(id -un)" ] && chown "$owner" "$PG_DIR/data/server.key" "$PG_DIR/data/server.crt"
	pg_admin "ALTER SYSTEM SET ssl = on" && pg_admin "SELECT pg_reload_conf()" >/dev/null
	# The postmaster rereads its files on SIGHUP: wait until it takes TLS.
	i=0
	while [ $i -lt 100 ]; do
		tls=$(PGSSLMODE=require pg_sql "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()" 2>/dev/null) && break
		i=$((i + 1))
		sleep 0.1
	done
fi
if [ "$tls" = t ]; then
	from_cmd "postgresql://$remote&sslmode=require"
	dbcheck require
	is "$rc $got" "0 none" "sql_alchemy_conn_cmd with sslmode=require (server with TLS): no DB finding, exit 0"
	in_file "postgresql://$remote&sslmode=require"
	dbcheck require-file
	is "$rc $got" "0 sql-alchemy-conn-password-in-config-file:medium" \
		"sslmode=require in airflow.cfg: only the password in the file"
	in_file "postgresql://$remote&sslmode=verify-full&sslrootcert=$T/ca.crt"
	dbcheck verify
	is "$rc $got" "0 sql-alchemy-conn-password-in-config-file:medium" \
		"sslmode=verify-full with the server's CA: only the password in the file"
else
	for d in require require-file verify-full; do
		_n=$((_n + 1)); echo "ok $_n - $d # SKIP no TLS on the test server (openssl?)"
	done
fi

# -- no secret in any output -------------------------------------------------
demo_secret_windows "$new" "$old" "$lost" "$PG_PASSWORD" "$pw" "$PG_ADMIN_PASSWORD" >"$T/secrets"
ok "there are secret windows to look for ($(wc -l <"$T/secrets"))" test "$(wc -l <"$T/secrets")" -gt 500
for kind in json sarif txt; do
	found=$(cd "$T/out" && grep -F -f "$T/secrets" *."$kind" | head -n 3)
	is "$found" "" "no demo secret, Fernet key or DB password in any $kind report ($(ls "$T/out"/*."$kind" | wc -l))"
done
found=$(cd "$T/out" && grep -F -f "$T/secrets" *.err | head -n 3)
is "$found" "" "nor in any message on stderr"
done_testing

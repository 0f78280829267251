#!/bin/sh
# cli_conn.sh: `ferncon connections ...` and `key status` against a real
# SQLite metadata DB written by Python the way Airflow writes it
# (tests/airflow_db.py with python3-cryptography), and rows written by
# ferncon read back by Python. Covers masking and roles, add/delete with
# Airflow's messages, a row that no key opens, and bad input that must leave
# the DB as it was.
#
# With FERNCON_TEST_BACKEND=postgresql (tests/cli_conn_pg.sh) the same
# checks run against a throwaway PostgreSQL server (tests/pg_server.sh),
# the DB written by Python through psycopg2; the SQLite-only checks at the
# end (a corrupt file, a read-only file) become a bad password, a missing
# database and a user with SELECT only. With FERNCON_TEST_BACKEND=mysql
# (tests/cli_conn_my.sh) the same on a throwaway MariaDB server
# (tests/my_server.sh), the DB written through PyMySQL.
. "$top_srcdir/tests/lib.sh"
backend=${FERNCON_TEST_BACKEND:-sqlite}
if [ "$backend" = postgresql ]; then
	. "$top_srcdir/tests/pg_server.sh"
	pg_start_or_skip
elif [ "$backend" = mysql ]; then
	. "$top_srcdir/tests/my_server.sh"
	my_start_or_skip
fi
plan 65

if [ "$backend" = postgresql ]; then
	# The URL (it holds the password) reaches airflow_db.py by environment.
	db=-; url=$PG_URL; schema=schema-pg-2.10.sql
	AIRFLOW_DB_URL=$PG_URL; export AIRFLOW_DB_URL
elif [ "$backend" = mysql ]; then
	db=-; url=$MY_URL; schema=schema-my-2.10.sql
	AIRFLOW_DB_URL=$MY_URL; export AIRFLOW_DB_URL
else
	db="$AIRFLOW_HOME/airflow.db"; url="sqlite:///$db"; schema=schema-2.10.sql
fi
# airflow.cfg interpolates "%": a URL-encoded password needs "%%" there.
cfg_url() { printf '%s' "$1" | sed 's/%/%%/g'; }
new=$(py_key); old=$(py_key)
FERNET_KEY="$new,$old"; DEMO_OLD_KEY="$old"
export FERNET_KEY DEMO_OLD_KEY
tool() { "$PYTHON3" "$top_srcdir/tests/airflow_db.py" "$@"; }
tool create "$db" --schema "$top_srcdir/data/$schema"
tool fill "$db" --connections "$top_srcdir/data/demo-connections.json" \
	--variables "$top_srcdir/data/demo-variables.json"
unset FERNET_KEY DEMO_OLD_KEY
cat > "$AIRFLOW_HOME/airflow.cfg" <<CFG
[core]
fernet_key = $new,$old

[database]
sql_alchemy_conn = $(cfg_url "$url")
CFG
dump() { FERNET_KEY="$new,$old" tool dump "$db"; }
count() { tool count "$db"; }
n0=$(count)

# -- list and get ------------------------------------------------------------
out=$("$FERNCON" connections list -o plain); rc=$?
is "$rc" 0 "connections list exits 0 with an undecryptable row in the DB"
is "$(printf '%s\n' "$out" | wc -l | tr -d ' ')" "$n0" "it lists every row"
contains "$out" "legacy_reporting_db	postgres" "the undecryptable row is listed"
lost_line=$(printf '%s\n' "$out" | grep '^legacy_reporting_db')
contains "$lost_line" "undecryptable" "and marked undecryptable"

# No password appears without --reveal, in any output format.
# (passwords that also occur in a non-secret field of the demo are left out)
passwords=$("$PYTHON3" -c 'import json,sys
cs = json.load(open(sys.argv[1]))
public = " ".join(str(v) for c in cs for k, v in c.items() if k != "password")
for c in cs:
    p = c.get("password")
    if p and len(p) > 5 and p not in public: print(p)' "$top_srcdir/data/demo-connections.json")
leaked=0
for fmt in table json plain; do
	o=$("$FERNCON" connections list -o "$fmt")
	printf '%s\n' "$passwords" | while IFS= read -r p; do
		case $o in *"$p"*) echo "leak"; break ;; esac
	done | grep -q leak && leaked=1
done
is "$leaked" 0 "no password in list output (table, json, plain) without --reveal"

o=$("$FERNCON" connections get warehouse_pg -o json)
contains "$o" '"password": "***"' "get shows the password as ***"
contains "$o" '"password_state": "encrypted"' "and says it is encrypted"
o=$("$FERNCON" connections get aws_prod -o json)
lacks "$o" "EXAMPLEKEY" "a sensitive extra value is masked"
"$FERNCON" connections list -o yaml > "$T/list.yaml"
y=$("$PYTHON3" -c 'import sys, yaml; d = yaml.safe_load(open(sys.argv[1])); print(len(d), sorted(set(c["password"] for c in d if c["password"])))' "$T/list.yaml")
is "$y" "$n0 ['***']" "-o yaml is a YAML list of every connection, passwords masked"

# --reveal as Admin (no role map): every password equals what Python decrypts.
"$FERNCON" connections list -o json --reveal > "$T/list.json"
is "$?" 0 "list --reveal as Admin exits 0"
"$PYTHON3" - "$T/list.json" <<PY > "$T/cmp" 2>&1
import json, subprocess, sys, os
ours = {c["conn_id"]: c for c in json.load(open(sys.argv[1]))}
env = dict(os.environ, FERNET_KEY="$new,$old")
theirs = [json.loads(l) for l in subprocess.run(["$PYTHON3", "$top_srcdir/tests/airflow_db.py", "dump", "$db"], env=env, capture_output=True, text=True).stdout.splitlines()]
bad = []
for t in theirs:
    o = ours[t["conn_id"]]
    pw = t["password"]
    if isinstance(pw, dict):
        if o["password"] is not None or o["password_state"] != "undecryptable": bad.append(t["conn_id"])
        continue
    if o["password"] != pw: bad.append(t["conn_id"])
    ex = t["extra"]
    if isinstance(ex, str) and o["extra_dejson"] != json.loads(ex): bad.append(t["conn_id"] + ".extra")
    for k in ("host", "login", "schema", "port", "description", "conn_type"):
        if o[k] != t[k]: bad.append(t["conn_id"] + "." + k)
print("OK" if not bad and len(theirs) == len(ours) else "BAD %s" % bad)
PY
is "$(cat "$T/cmp")" "OK" "every field ferncon reveals equals what Python decrypts"
log=$(cat "$AIRFLOW_HOME/ferncon-actions.log" 2>/dev/null)
contains "$log" '"action":"reveal"' "the reveal is in the action log"
lacks "$log" "Wh-demo-2024" "the action log holds no password"

# -- roles -------------------------------------------------------------------
cat >> "$AIRFLOW_HOME/airflow.cfg" <<CFG

[console]
roles = alice:Admin, bob:Op, carol:Viewer
CFG
map='alice:Admin, bob:Op, carol:Viewer'
o=$(AIRFLOW__CONSOLE__ROLES=$(roles_as carol "$map") "$FERNCON" connections get warehouse_pg --reveal 2>&1); rc=$?
is "$rc" 1 "Viewer --reveal exits 1"
contains "$o" "role Viewer ($ME) may not reveal passwords" "and says why"
lacks "$o" "Wh-demo-2024" "without the password"
o=$(AIRFLOW__CONSOLE__ROLES=$(roles_as bob "$map") "$FERNCON" connections get warehouse_pg --reveal 2>&1); rc=$?
is "$rc" 1 "Op --reveal with show_connection_password False exits 1"
contains "$o" "show_connection_password" "and names the option"
o=$(AIRFLOW__CONSOLE__ROLES=$(roles_as bob "$map") AIRFLOW__WEBSERVER__SHOW_CONNECTION_PASSWORD=True "$FERNCON" connections get warehouse_pg -o json --reveal 2>&1)
contains "$o" '"password": "Wh-demo-2024!Pass"' "Op reveals when show_connection_password is True"
o=$(AIRFLOW__CONSOLE__ROLES=$(roles_as dave "$map") "$FERNCON" connections delete warehouse_pg 2>&1); rc=$?
is "$rc" 1 "a user missing from the map gets default_role Viewer: delete refused"
o=$(AIRFLOW__CONSOLE__ROLES=$(roles_as alice "$map") "$FERNCON" --as-role Op connections get warehouse_pg --reveal 2>&1); rc=$?
is "$rc" 1 "--as-role Op lowers Admin for the run"
o=$(AIRFLOW__CONSOLE__ROLES=$(roles_as bob "$map") "$FERNCON" --as-role Admin connections list 2>&1); rc=$?
is "$rc" 2 "--as-role cannot raise a role"
is "$(count)" "$n0" "refused actions changed nothing"
AIRFLOW__CONSOLE__ROLES=$(roles_as alice "$map"); export AIRFLOW__CONSOLE__ROLES	# Admin from here on

# -- add ---------------------------------------------------------------------
printf '%s\n' 'postgresql://etl:n3w%2Fp%40ss@Db.Example.COM:5432/dwh?sslmode=require' |
	AIRFLOW__CONSOLE__ROLES=$(roles_as bob "$map") "$FERNCON" connections add new_pg --conn-uri - > "$T/out" 2>&1; rc=$?
is "$rc" 0 "Op adds a connection from a URI on stdin"
is "$(cat "$T/out")" 'Successfully added `conn_id`=new_pg : postgres://etl:******@db.example.com:5432/dwh' "Airflow's message, password masked"
row=$(dump | grep '"conn_id": "new_pg"')
contains "$row" '"password": "n3w/p@ss"' "Python decrypts the password ferncon stored"
contains "$row" '"extra": "{\"sslmode\": \"require\"}"' "the query became Airflow's extra JSON"
contains "$row" '"is_encrypted": 1' "with is_encrypted set"
ti=$(FERNET_KEY="$new,$old" tool token-info "$db" new_pg password)
contains "$ti" '"key_index": 0' "under the primary key"

printf 'typed-pw\n' | "$FERNCON" connections add typed --conn-type http --conn-host example.org --conn-port 8080 --conn-password-stdin >/dev/null 2>&1
row=$(dump | grep '"conn_id": "typed"')
contains "$row" '"password": "typed-pw"' "--conn-password-stdin stores the password read from stdin"

o=$("$FERNCON" connections add 'bad id!' --conn-type http 2>&1); rc=$?
is "$rc" 2 "an invalid conn_id exits 2"
contains "$o" "has to be made of alphanumeric characters, dashes, dots and underscores exclusively" "with Airflow's message"
# This is a 2.10 DB: Airflow 2's _validate_extra() only warns on an extra
# that is not a JSON object (apache/airflow commit c873bd5, 2.10:
# airflow/models/connection.py lines 186-211, the warnings at 197-210); the
# 3.x refusal is checked in tests/cli_compat.sh (issue 14 item 10).
o=$("$FERNCON" connections add badextra --conn-type http --conn-extra '{"a": ' 2>&1); rc=$?
is "$rc" 0 "2.10: a malformed extra is stored"
contains "$o" "Airflow 2 warns" "with a warning, as Airflow 2 warns"
o=$("$FERNCON" connections add listextra --conn-type http --conn-extra '[1, 2]' 2>&1)
contains "$o" "Airflow 2 warns" "an extra that is not an object too"
o=$("$FERNCON" connections add new_pg --conn-type http 2>&1); rc=$?
is "$o" 'ferncon: A connection with `conn_id`=new_pg already exists.' "a duplicate conn_id: Airflow's message"
o=$("$FERNCON" connections add x --conn-uri 'a://h' --conn-json '{}' 2>&1); rc=$?
contains "$o" "Cannot supply both conn-uri and conn-json" "uri and json together are refused"
is "$(count)" "$((n0 + 4))" "only the four adds changed the DB"

# --conn-json is read as json.loads reads it and the extra stored as
# json.dumps writes it: integers exact (issue 11: 3 became 3.0 and the big
# one 1.2345678901234567e+19).
"$FERNCON" connections add jsonint --conn-json '{"conn_type":"http","extra":{"retries":3,"big":12345678901234567890}}' >/dev/null 2>&1
row=$(dump | grep '"conn_id": "jsonint"')
contains "$row" '"extra": "{\"retries\": 3, \"big\": 12345678901234567890}"' "--conn-json stores the extra as Python's json.dumps(json.loads(x)), integers exact"
# -o json shows extra numbers as stored, also when the extra is masked.
"$FERNCON" connections add maskint --conn-type http --conn-extra '{"retries": 3, "password": "x"}' >/dev/null 2>&1
o=$("$FERNCON" connections get maskint -o json 2>&1)
contains "$o" '"retries": 3,' "get -o json shows a stored 3 as 3 under a masked extra"
contains "$o" '"password": "***"' "with the sensitive value masked"
"$FERNCON" connections delete jsonint >/dev/null 2>&1
"$FERNCON" connections delete maskint >/dev/null 2>&1

# -- delete ------------------------------------------------------------------
o=$("$FERNCON" connections delete legacy_reporting_db 2>&1); rc=$?
is "$rc" 0 "a row that no key opens can be deleted"
is "$o" 'Successfully deleted connection with `conn_id`=legacy_reporting_db' "with Airflow's message"
o=$("$FERNCON" connections delete legacy_reporting_db 2>&1); rc=$?
is "$o" 'ferncon: Did not find a connection with `conn_id`=legacy_reporting_db' "deleting it again: not found"

# -- import ------------------------------------------------------------------
# One transaction, all of the file or none of it (Airflow commits each
# connection on its own). A trigger in the DB refuses the last row: the
# earlier ones must not stay.
cat > "$T/imp.json" <<'JSON'
{
  "imp_a": {"conn_type": "http", "host": "a.example", "password": "imp-a-pw", "extra": "{\"k\": \"v\"}"},
  "warehouse_pg": {"conn_type": "postgres", "host": "other.example"},
  "imp_bad": {"conn_type": "http", "extra": "[1, 2]"},
  "imp_b": {"conn_type": "http", "login": "b", "password": "imp-b-pw"}
}
JSON
if [ "$backend" = postgresql ]; then
	pg_sql "CREATE FUNCTION refuse_imp() RETURNS trigger LANGUAGE plpgsql AS \$\$
	  BEGIN IF NEW.conn_id = 'imp_b' THEN RAISE EXCEPTION 'refused by a test trigger'; END IF;
	  RETURN NEW; END \$\$;
	  CREATE TRIGGER refuse_imp BEFORE INSERT ON connection FOR EACH ROW EXECUTE FUNCTION refuse_imp()" >/dev/null
	untrigger() { pg_sql "DROP TRIGGER refuse_imp ON connection" >/dev/null; }
elif [ "$backend" = mysql ]; then
	my_sql_stdin <<'SQL'
DELIMITER //
CREATE TRIGGER refuse_imp BEFORE INSERT ON connection FOR EACH ROW
BEGIN IF NEW.conn_id = 'imp_b' THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'refused by a test trigger'; END IF; END//
SQL
	untrigger() { my_sql "DROP TRIGGER refuse_imp"; }
else
	"$PYTHON3" -c 'import sqlite3,sys; c = sqlite3.connect(sys.argv[1]); c.execute("""CREATE TRIGGER refuse_imp BEFORE INSERT ON connection WHEN NEW.conn_id = '"'"'imp_b'"'"' BEGIN SELECT RAISE(ABORT, '"'"'refused by a test trigger'"'"'); END"""); c.commit()' "$db"
	untrigger() { "$PYTHON3" -c 'import sqlite3,sys; c = sqlite3.connect(sys.argv[1]); c.execute("DROP TRIGGER refuse_imp"); c.commit()' "$db"; }
fi
n2=$(count)
"$FERNCON" connections import "$T/imp.json" > "$T/imp.out" 2> "$T/imp.err"; rc=$?
is "$rc" 3 "an import that the DB refuses half-way exits 3"
contains "$(cat "$T/imp.err")" "refused by a test trigger" "with the DB's reason"
is "$(count)" "$n2" "and not one of its connections stayed in the DB"
lacks "$(cat "$T/imp.out")" "Imported connection" "nothing is reported imported"
untrigger
"$FERNCON" connections import "$T/imp.json" > "$T/imp.out" 2>&1; rc=$?
is "$rc" 0 "the import again: exit 0 (2.10 only warns on the list extra)"
is "$(sed -n '1p;2p;4p' "$T/imp.out")" 'Imported connection imp_a
Could not import connection warehouse_pg: connection already exists.
Imported connection imp_b' "Airflow's lines, in the file's order"
contains "$(sed -n 3p "$T/imp.out")" "Imported connection imp_bad" "the list extra is imported, as Airflow 2 does"
is "$(count)" "$((n2 + 3))" "three connections were added"
rows=$(dump | grep -E '"conn_id": "(imp_a|imp_b|warehouse_pg)"')
contains "$rows" '"password": "imp-a-pw"' "Python decrypts an imported password"
contains "$rows" '"password": "imp-b-pw"' "and the other"
lacks "$rows" "other.example" "the existing connection was not overwritten"
is "$(grep -c '"action":"import"' "$AIRFLOW_HOME/ferncon-actions.log")" 3 "three imports in the action log"

# -- key status --------------------------------------------------------------
o=$("$FERNCON" key status)
contains "$o" "plaintext:" "key status counts plaintext values"
want_plain=$("$PYTHON3" -c 'import json,sys
c=json.load(open(sys.argv[1])); v=json.load(open(sys.argv[2]))
n=sum(1 for x in c if x.get("storage")=="plain" and x.get("password"))+sum(1 for x in c if x.get("storage")=="plain" and x.get("extra"))
n+=sum(1 for x in v if x.get("storage")=="plain" and x.get("val"))
print(n)' "$top_srcdir/data/demo-connections.json" "$top_srcdir/data/demo-variables.json")
contains "$o" "plaintext:   $want_plain values" "as many as the demo stored in plain text"
contains "$o" "undecryptable: 0 values" "no undecryptable row is left after the delete"

# -- bad databases -----------------------------------------------------------
if [ "$backend" = postgresql ]; then
bad="postgresql://$PG_USER:wrong-pw@$PG_HOST:$PG_PORT/$PG_DB"
o=$(AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=$bad "$FERNCON" connections list 2>&1); rc=$?
is "$rc" 3 "a bad password exits 3"
is "$o" "ferncon: cannot connect to PostgreSQL at $PG_HOST:$PG_PORT/$PG_DB: password authentication failed for user '$PG_USER'" "with one line that names the user, not the password"
o=$(AIRFLOW__DATABASE__SQL_ALCHEMY_CONN="postgresql://$PG_USER@$PG_HOST:$PG_PORT/none" PGPASSWORD=$PG_PASSWORD "$FERNCON" connections list 2>&1)
contains "$o" "database 'none' does not exist" "a missing database is named"

# A user who may only read: open for reading, refuse writes, change nothing.
pg_admin "CREATE ROLE ferncon_ro LOGIN PASSWORD 'ro-pw'"
pg_sql "GRANT SELECT ON ALL TABLES IN SCHEMA public TO ferncon_ro"
ro="postgresql://ferncon_ro:ro-pw@$PG_HOST:$PG_PORT/$PG_DB"
asuser() { env AIRFLOW__DATABASE__SQL_ALCHEMY_CONN="$ro" "$@"; }
ro_ferncon="$FERNCON"
elif [ "$backend" = mysql ]; then
bad="mysql://$MY_USER:wrong-pw@$MY_HOST:$MY_PORT/$MY_DB"
o=$(AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=$bad "$FERNCON" connections list 2>&1); rc=$?
is "$rc" 3 "a bad password exits 3"
is "$o" "ferncon: cannot connect to MySQL at $MY_HOST:$MY_PORT/$MY_DB: Access denied for user '$MY_USER'@'$MY_HOST' (using password: YES)" "with one line that names the user, not the password"
o=$(AIRFLOW__DATABASE__SQL_ALCHEMY_CONN="$(printf '%s' "$MY_URL" | sed 's|/airflow$|/none|')" "$FERNCON" connections list 2>&1)
contains "$o" "'none'" "a missing database is named"

# A user who may only read: open for reading, refuse writes, change nothing.
my_admin "CREATE USER 'ferncon_ro'@'%' IDENTIFIED BY 'ro-pw'; GRANT SELECT ON airflow.* TO 'ferncon_ro'@'%'"
ro="mysql://ferncon_ro:ro-pw@$MY_HOST:$MY_PORT/$MY_DB"
asuser() { env AIRFLOW__DATABASE__SQL_ALCHEMY_CONN="$ro" "$@"; }
ro_ferncon="$FERNCON"
else
printf 'not a database at all, not even close to one..........................................................' > "$T/corrupt.db"
o=$("$FERNCON" --db "sqlite:///$T/corrupt.db" connections list 2>&1); rc=$?
is "$rc" 3 "a corrupt DB exits 3"
is "$(printf '%s\n' "$o" | wc -l | tr -d ' ')" 1 "with one line"
o=$("$FERNCON" --db "sqlite:///$T/none.db" connections list 2>&1); rc=$?
contains "$o" "cannot open database '$T/none.db'" "a missing DB names the file"

# A read-only DB: open for reading, refuse writes, change nothing.
printf '[core]\nfernet_key = %s,%s\n' "$new" "$old" > "$AIRFLOW_HOME/airflow.cfg"
printf '[database]\nsql_alchemy_conn = sqlite:///%s\n' "$db" >> "$AIRFLOW_HOME/airflow.cfg"
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null 2>&1; then
	chmod 755 "$T" "$AIRFLOW_HOME"; chmod 644 "$db" "$AIRFLOW_HOME/airflow.cfg"
	asuser() { setpriv --reuid=nobody --regid=nogroup --clear-groups env -u AIRFLOW__CONSOLE__ROLES "$@"; }
	# nobody may not reach the build tree (a clone under a 0700 dir): use a copy
	cp "$FERNCON" "$T/ferncon-ro" && chmod 755 "$T/ferncon-ro"
	ro_ferncon="$T/ferncon-ro"
else
	chmod 555 "$AIRFLOW_HOME"; chmod 444 "$db"
	asuser() { env "$@"; }
	ro_ferncon="$FERNCON"
fi
fi
n1=$(count)
o=$(asuser AIRFLOW_HOME="$AIRFLOW_HOME" "$ro_ferncon" --config "$AIRFLOW_HOME/airflow.cfg" connections list -o plain 2>&1); rc=$?
is "$rc" 0 "a read-only DB can be listed"
o=$(asuser AIRFLOW_HOME="$AIRFLOW_HOME" "$ro_ferncon" --config "$AIRFLOW_HOME/airflow.cfg" connections delete warehouse_pg 2>&1); rc=$?
contains "$o" "read-only" "a write to a read-only DB is refused: read-only"
is "$(count)" "$n1" "and the DB is unchanged"
[ "$backend" != sqlite ] || { chmod 700 "$AIRFLOW_HOME"; chmod 600 "$db"; }
unset AIRFLOW__CONSOLE__ROLES
done_testing

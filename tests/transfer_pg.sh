#!/bin/sh
# transfer_pg.sh: `ferncon connections export` and `import` on a PostgreSQL
# metadata DB (a throwaway server from tests/pg_server.sh). The demo data
# and a set of awkward connections (unicode, newlines, quotes, empty
# strings, NULLs, odd ports, conn_ids that the DB's ICU collation orders
# otherwise than bytes) are written the way Airflow writes them
# (tests/airflow_db.py) into PostgreSQL and, with the same keys, into an
# SQLite file. Export: each file equals what Python makes of the same rows
# with Airflow's rules (tests/transfer_ref.py, with json and PyYAML), the
# rows taken in the order Airflow's export reads them,
# select(Connection).order_by(Connection.conn_id): the DB's own ORDER BY
# conn_id. On SQLite that is byte order; on PostgreSQL the reference's
# order comes from the server (ORDER BY conn_id through psycopg2), so json
# and env list the conn_ids in the ICU collation's order, and the test
# shows that this differs from byte order (so the comparison can fail).
# yaml is byte-identical from both (PyYAML sorts the keys). The row no key
# opens is skipped with exit 1 on both. Import into an empty PostgreSQL DB: Python
# reads back the same connections, every password and extra encrypted under
# key 0 with its flag set; an existing conn_id is refused without
# --overwrite and replaced with it (id kept); a malformed file changes
# nothing; an import that a lock held by another session (past
# lock_timeout) interrupts fails with exit 3, leaves no half-written row,
# and a rerun completes it. Skips when the server binaries are missing.
: "${top_srcdir:=.}"
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/pg_server.sh"
if ! "$PYTHON3" -c 'import yaml' 2>/dev/null; then
	echo "1..0 # SKIP $PYTHON3 has no PyYAML (apt-get install python3-yaml)"
	exit 0
fi
pg_start_or_skip
plan 44

py() { "$PYTHON3" -c "$@"; }
tool() { "$PYTHON3" "$top_srcdir/tests/airflow_db.py" "$@"; }
ref() { "$PYTHON3" "$top_srcdir/tests/transfer_ref.py" "$@"; }
cfg_url() { printf '%s' "$1" | sed 's/%/%%/g'; }
new=$(py_key); old=$(py_key); lost=$(py_key)
sq="$T/airflow.db"
AIRFLOW_DB_URL=$PG_URL; export AIRFLOW_DB_URL

# Awkward connections, on top of the demo's 42.
cat >"$T/awkward.json" <<'EOF'
[
{"conn_id": "quotes", "conn_type": "http", "description": "it's \"quoted\": a: b - x #x", "host": " lead", "schema": "trail ", "login": "- x", "password": "p@ss:w/rd?&=%+ 'q' \"dq\" \\", "port": 443, "extra": "{\"k\": \"it's\", \"q\": \"\\\"\"}"},
{"conn_id": "newlines", "conn_type": "generic", "description": "line1\nline2\n\nline4\n", "host": "h", "schema": "s", "login": "tab\there", "password": "cr\r\nlf", "port": null, "extra": "{\"multi\": \"a\\nb\"}"},
{"conn_id": "unicode", "conn_type": "postgres", "description": "Gr\u00fc\u00dfe \u65e5\u672c \ud83d\ude00 caf\u00e9", "host": "\u00fcn\u00efcode.example", "schema": "sch\u00e9ma", "login": "\u00e9", "password": "p\u00e4ss\u2028word", "port": 5432, "extra": "{\"na\u00efve\": \"caf\u00e9\"}"},
{"conn_id": "empty_strings", "conn_type": "", "description": "", "host": "", "schema": "", "login": "", "password": "", "port": 0, "extra": ""},
{"conn_id": "nulls", "conn_type": "x", "storage": "plain"},
{"conn_id": "looks_like_scalars", "conn_type": "yes", "description": "2001-12-14", "host": "1e3", "schema": "~", "login": "null", "password": "0x10", "port": -1, "extra": "{}"},
{"conn_id": "Zeta_upper", "conn_type": "http", "host": "z.example", "port": 65535},
{"conn_id": "a1_digit", "conn_type": "http", "host": "a1.example"},
{"conn_id": "a_under", "conn_type": "http", "host": "a.example", "storage": "old", "password": "old-key-pw"},
{"conn_id": "cr\u00e8me_br\u00fbl\u00e9e", "conn_type": "http", "host": "c.example", "password": "cr\u00e8me-pw"}
]
EOF
for db in - "$sq"; do
	schema=schema-3.2.sql
	[ "$db" = - ] && schema=schema-pg-3.2.sql
	tool create "$db" --schema "$top_srcdir/data/$schema"
	for f in "$top_srcdir/data/demo-connections.json" "$T/awkward.json"; do
		FERNET_KEY="$new,$old" DEMO_OLD_KEY="$old" DEMO_LOST_KEY="$lost" \
			tool fill "$db" --connections "$f" 2>/dev/null
	done
done
cfg() { # URL: airflow.cfg with the keys and that DB
	printf '[core]\nfernet_key = %s\n\n[database]\nsql_alchemy_conn = %s\n' "$new,$old" \
	    "$(cfg_url "$1")" >"$AIRFLOW_HOME/airflow.cfg"
	chmod 600 "$AIRFLOW_HOME/airflow.cfg"
}
# -- export ------------------------------------------------------------------
# export_to NAME URL ARGS...: the file in $T/NAME, the messages in $T/NAME.out and .err
export_to() {
	_name=$1; cfg "$2"; shift 2
	"$FERNCON" connections export "$T/$_name" "$@" >"$T/$_name.out" 2>"$T/$_name.err"
	rc=$?
}
# Python: the rows as Airflow reads them (no key opens one: left out, as
# ferncon skips it), through Airflow's rules; airflow_db.py dumps them in
# byte order, which is SQLite's ORDER BY conn_id.
FERNET_KEY="$new,$old" tool dump - | py 'import json,sys
for line in sys.stdin:
    r = json.loads(line)
    if not any(isinstance(r[f], dict) for f in ("password", "extra")):
        sys.stdout.write(line)' >"$T/rows.jsonl"
n_rows=$(wc -l <"$T/rows.jsonl")
ok "Python reads $n_rows connections that a key opens (of 52)" test "$n_rows" -eq 51
# The same rows in the order of Airflow's export query on PostgreSQL: the
# server's ORDER BY conn_id (its collation), read through psycopg2; the URL
# comes through the environment, never argv.
py 'import os, sys, json
import psycopg2
conn = psycopg2.connect("postgresql://" + os.environ["AIRFLOW_DB_URL"].split("://", 1)[1])
cur = conn.cursor()
cur.execute("SELECT conn_id FROM connection ORDER BY conn_id")
rows = {}
for line in open(sys.argv[1], "rb"):
    rows[json.loads(line)["conn_id"]] = line
sys.stdout.buffer.write(b"".join(rows[r[0]] for r in cur if r[0] in rows))' \
	"$T/rows.jsonl" >"$T/rows-db.jsonl"
is "$(sort "$T/rows-db.jsonl" | cksum)" "$(sort "$T/rows.jsonl" | cksum)" \
	"the server's order holds the same $n_rows rows"
icu=$(pg_sql "SELECT datlocprovider FROM pg_database WHERE datname = current_database()" 2>/dev/null)
cmp_files() { # A B DESCRIPTION
	if cmp -s "$1" "$2"; then
		ok "$3" true
	else
		ok "$3" false
		diff "$2" "$1" | head -n 20 | sed 's/^/#   /'
	fi
}
for fmt in json yaml env env-json; do
	ext=$fmt; args=""
	[ "$fmt" = env-json ] && { ext=env; args="--serialization-format json"; }
	# shellcheck disable=SC2086
	export_to "pg-$fmt.$ext" "$PG_URL" $args; rc_pg=$rc
	# shellcheck disable=SC2086
	export_to "sq-$fmt.$ext" "sqlite:///$sq" $args; rc_sq=$rc
	is "$rc_pg $rc_sq" "1 1" "$fmt: exit 1 on both (one row no key opens)"
	rfmt=$fmt
	[ "$fmt" = env ] && rfmt=env-uri
	ref "$rfmt" <"$T/rows.jsonl" >"$T/py-$fmt"
	ref "$rfmt" <"$T/rows-db.jsonl" >"$T/py-db-$fmt"
	cmp_files "$T/sq-$fmt.$ext" "$T/py-$fmt" \
		"$fmt: SQLite export equal to Python's $rfmt of the rows in byte order (SQLite's ORDER BY)"
	cmp_files "$T/pg-$fmt.$ext" "$T/py-db-$fmt" \
		"$fmt: PostgreSQL export equal to Python's $rfmt of the rows in the server's ORDER BY conn_id"
	if [ "$fmt" = yaml ]; then
		cmp_files "$T/pg-$fmt.$ext" "$T/sq-$fmt.$ext" \
			"yaml: PostgreSQL and SQLite exports are byte-identical (PyYAML sorts the keys)"
	elif [ "$icu" = i ]; then
		ok "$fmt: and not Python's of the rows in byte order (the ICU collation orders them otherwise)" \
			eval '! cmp -s "$T/pg-$fmt.$ext" "$T/py-$fmt"'
	else
		_n=$((_n + 1)); echo "ok $_n - $fmt: byte order told apart # SKIP the server has no ICU"
	fi
done
contains "$(cat "$T/pg-json.json.err")" "skipped connection 'legacy_reporting_db'" \
	"the skipped row is named"
is "$(cat "$T/pg-json.json.out")" "51 Connections successfully exported to $T/pg-json.json." \
	"Airflow's message with the count"
is "$(stat -c %a "$T/pg-json.json")" 600 "the export file is mode 0600"
# conn_ids that the DB's ICU collation orders otherwise than bytes: json and
# env list them as the server's ORDER BY conn_id does (as Airflow's export),
# SQLite's in byte order.
ids="Zeta_upper a1_digit a_under crm_pg cr$(printf '\303\250')me_br$(printf '\303\273')l$(printf '\303\251')e"
in_file() { # FILE: the ids, in the order FILE lists them
	py 'import json,sys
want = sys.argv[2].split()
f = sys.argv[1]
keys = json.load(open(f, encoding="utf-8")) if f.endswith(".json") else \
    [l.split("=", 1)[0] for l in open(f, encoding="utf-8")]
print(" ".join(k for k in keys if k in want))' "$1" "$ids"
}
coll=$(pg_sql "SELECT string_agg(conn_id, ' ' ORDER BY conn_id) FROM connection
	WHERE conn_id IN ('$(printf '%s' "$ids" | sed "s/ /', '/g")')")
is "$(in_file "$T/pg-json.json") | $(in_file "$T/pg-env.env")" "$coll | $coll" \
	"json and env list them in the server's ORDER BY conn_id: $coll"
is "$(in_file "$T/sq-json.json")" "$ids" "SQLite's json in byte order: $ids"
if [ "$icu" = i ]; then
	ok "(the DB's ICU collation orders them otherwise than bytes)" test "$coll" != "$ids"
else
	_n=$((_n + 1)); echo "ok $_n - the DB's collation # SKIP the server has no ICU"
fi

# -- import into an empty PostgreSQL DB --------------------------------------
pg_admin "CREATE DATABASE imp OWNER airflow"
imp_url="${PG_URL%/*}/imp"
AIRFLOW_DB_URL=$imp_url; export AIRFLOW_DB_URL
tool create - --schema "$top_srcdir/data/schema-pg-3.2.sql"
cfg "$imp_url"
"$FERNCON" connections import "$T/sq-json.json" >"$T/imp.out" 2>&1; rc=$?
is "$rc" 0 "import of the json export into an empty DB: exit 0"
is "$(grep -c '^Imported connection ' "$T/imp.out")" 51 "Imported connection ... for each of the 51"
# What Python reads back with key 0 alone, against the rows it came from
# (Airflow stores an empty password as NULL; a set value is encrypted).
FERNET_KEY="$new" tool dump - >"$T/imp.jsonl"
cmpres=$("$PYTHON3" - "$T/rows.jsonl" "$T/imp.jsonl" <<'PY'
import json, sys
F = ("conn_id", "conn_type", "description", "host", "schema", "login", "password", "port", "extra")
want = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
got = [json.loads(l) for l in open(sys.argv[2], encoding="utf-8")]
bad = []
for w, g in zip(want, got):
    for f in F:
        if w[f] != g[f]:
            bad.append("%s.%s" % (w["conn_id"], f))
    if g["is_encrypted"] != (1 if g["password"] else 0) or \
       g["is_extra_encrypted"] != (1 if g["extra"] else 0):
        bad.append("%s flags" % w["conn_id"])
print("same %d" % len(got) if len(want) == len(got) and not bad else
      "%d vs %d: %s" % (len(want), len(got), " ".join(bad[:8])))
PY
)
is "$cmpres" "same 51" "Python reads back every field with key 0 alone, flags set where a value is"
n=$(pg_sql "SELECT count(*) FROM connection WHERE (password <> '' AND (NOT is_encrypted
	OR password NOT LIKE 'gAAAAA%')) OR (extra <> '' AND (NOT is_extra_encrypted
	OR extra NOT LIKE 'gAAAAA%'))" imp)
is "$n" 0 "no password or extra stored in plain text"
ti=$(FERNET_KEY="$new,$old" tool token-info - a_under password)
contains "$ti" '"key_index": 0' "a value that was under the old key is now under key 0"
# This DB has the cluster's C.UTF-8 collation: code point order, SQLite's.
export_to "imp.json" "$imp_url"
cmp_files "$T/imp.json" "$T/sq-json.json" "the imported DB (collation C.UTF-8) exports the same bytes as SQLite"

# -- an existing conn_id: refused, then --overwrite --------------------------
# The stored rows, every column (a new token is a change), in the import DB.
raw() {
	pg_sql "SELECT count(*) || ' ' || md5(string_agg(concat_ws('|', id, conn_id, conn_type,
	    description, host, schema, login, password, port, extra, is_encrypted,
	    is_extra_encrypted, team_name), ',' ORDER BY id)) FROM connection $1" imp
}
raw0=$(raw)
others0=$(raw "WHERE conn_id <> 'warehouse_pg'")
id0=$(pg_sql "SELECT id FROM connection WHERE conn_id = 'warehouse_pg'" imp)
cat >"$T/over.json" <<'EOF'
{"warehouse_pg": {"conn_type": "postgres", "host": "pg-new.demo.internal", "login": "etl",
  "password": "N3w-Overwritten-Pw", "port": 5433, "schema": "dw",
  "extra": "{\"sslmode\": \"verify-full\"}"}}
EOF
"$FERNCON" connections import "$T/over.json" >"$T/over.out" 2>&1; rc=$?
is "$rc" 0 "an existing conn_id without --overwrite: exit 0, as Airflow"
is "$(cat "$T/over.out")" "Could not import connection warehouse_pg: connection already exists." \
	"with Airflow's message"
is "$(raw)" "$raw0" "and not one byte of the table changed"
"$FERNCON" connections import "$T/over.json" --overwrite >"$T/over.out" 2>&1; rc=$?
is "$rc $(cat "$T/over.out")" "0 Imported connection warehouse_pg" "--overwrite: imported"
got=$(FERNET_KEY="$new" tool dump - | py 'import json,sys
for l in sys.stdin:
    r = json.loads(l)
    if r["conn_id"] == "warehouse_pg":
        print(r["id"], r["host"], r["password"], r["port"], r["extra"], r["description"],
              r["is_encrypted"], r["is_extra_encrypted"])')
is "$got" "$id0 pg-new.demo.internal N3w-Overwritten-Pw 5433 {\"sslmode\": \"verify-full\"} None 1 1" \
	"the row is the file's, under its old id, encrypted"
is "$(raw "WHERE conn_id <> 'warehouse_pg'")" "$others0" "the other rows are untouched"

# -- a malformed file changes nothing ----------------------------------------
# Each has a good new connection before the bad part: the whole file is read
# before anything is written.
printf '%s' '{"mal_ok": {"conn_type": "http", "host": "ok.example"}, "mal_bad": {"conn_type": "ht' \
	>"$T/trunc.json"
printf '%s\n' '{"mal_ok": {"conn_type": "http", "password": "Mal-Ok-Pw-1"},' \
	' "mal_bad": {"conn_type": "http", "port": "eighty"}}' >"$T/port.json"
printf '%s\n' '{"mal_ok": {"conn_type": "http"},' \
	' "mal_bad": {"conn_type": "http", "passwd": "Mal-Typo-Pw-2"}}' >"$T/key.json"
printf 'mal_ok:\n  conn_type: http\nmal_bad: [1, 2\n' >"$T/bad.yaml"
printf 'mal_ok=http://ok.example\nmal_bad\n' >"$T/bad.env"
raw1=$(raw)
bad=""
for f in trunc.json port.json key.json bad.yaml bad.env; do
	"$FERNCON" connections import "$T/$f" >"$T/$f.out" 2>&1; rc=$?
	if [ "$rc" -eq 0 ] || ! grep -q "$f" "$T/$f.out"; then
		bad="$bad $f(exit $rc: $(head -c 200 "$T/$f.out"))"
	fi
	[ "$(raw)" = "$raw1" ] || bad="$bad $f(changed the DB)"
done
is "$bad" "" "5 malformed files (json cut short, bad port, unknown key, yaml, env): an error naming the file, the DB unchanged"
lacks "$(cat "$T"/*.json.out "$T"/bad.*.out)" "Mal-Typo-Pw-2" "no value of the file in the messages"

# -- an import interrupted by the server -------------------------------------
# Another session (an Airflow process) inserts int_3 and keeps its
# transaction open: ferncon's insert of int_3 waits on the unique index
# until lock_timeout (5 s) and fails. The holder ends when we terminate it.
cat >"$T/int.json" <<'EOF'
{"int_1": {"conn_type": "http", "host": "one.example", "password": "Int-One-Pw-1"},
 "int_2": {"conn_type": "http", "host": "two.example", "password": "Int-Two-Pw-2"},
 "int_3": {"conn_type": "http", "host": "three.example", "password": "Int-Three-Pw-3"},
 "int_4": {"conn_type": "http", "host": "four.example", "password": "Int-Four-Pw-4"}}
EOF
PGAPPNAME=ferncon_test_holder PGPASSWORD=$PG_PASSWORD "$PG_BIN/psql" -X -q -h "$PG_HOST" \
    -p "$PG_PORT" -U "$PG_USER" -d imp -c "BEGIN; INSERT INTO connection (conn_id, conn_type,
    is_encrypted, is_extra_encrypted) VALUES ('int_3', 'x', false, false); SELECT pg_sleep(60)" \
    >/dev/null 2>&1 &
holder=$!
# Wait until it has written (it has an xid) and sleeps.
i=0
while [ $i -lt 200 ]; do
	w=$(pg_sql "SELECT count(*) FROM pg_stat_activity WHERE application_name =
	    'ferncon_test_holder' AND backend_xid IS NOT NULL AND wait_event = 'PgSleep'")
	[ "$w" = 1 ] && break
	sleep 0.05
	i=$((i + 1))
done
is "$w" 1 "another session holds an uncommitted int_3"
"$FERNCON" connections import "$T/int.json" >"$T/int.out" 2>"$T/int.err"; rc=$?
pg_sql "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
    WHERE application_name = 'ferncon_test_holder'" >/dev/null
wait "$holder"
is "$rc" 3 "the import fails when the lock outlasts lock_timeout: exit 3"
contains "$(cat "$T/int.err")" "is locked" "with the 'database ... is locked' message"
got=$(FERNET_KEY="$new" tool dump - | py 'import json,sys
for l in sys.stdin:
    r = json.loads(l)
    if r["conn_id"].startswith("int_"): print(r["conn_id"], r["password"], r["is_encrypted"])')
# Airflow commits each connection of an import on its own
# (doc/airflow-compat.md section 5);
# ferncon imports a file in one transaction: int_1 and int_2, written
# before the wait, are rolled back with the rest.
is "$got" "" "no int_* row is there: int_1 and int_2 were rolled back with the rest"
is "$(grep -c '^Imported connection' "$T/int.out")" 0 "and the output names none as imported"
"$FERNCON" connections import "$T/int.json" >"$T/int2.out" 2>&1; rc=$?
got=$(FERNET_KEY="$new" tool dump - | py 'import json,sys
print(" ".join(r["conn_id"] for r in map(json.loads, sys.stdin) if r["conn_id"].startswith("int_")))')
is "$rc $got" "0 int_1 int_2 int_3 int_4" "run again, the import completes"
done_testing

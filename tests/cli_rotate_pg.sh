#!/bin/sh
# cli_rotate_pg.sh: `ferncon rotate-fernet-key` and `encrypt-plaintext` on a
# PostgreSQL metadata DB (a throwaway server from tests/pg_server.sh) that
# Python wrote the way Airflow writes it (tests/airflow_db.py through
# psycopg2), every result read back by Python's cryptography: the refusal
# when a value opens with no key; --skip-undecryptable; every other value
# opens with the new key alone, to the same plaintext, with its flag and
# its token time kept; the legacy plain `{...}` trigger row untouched;
# encrypt-plaintext. Then the failures, made deterministic with a lock
# that another session holds on `variable` (the rotation does connections
# first, so it is inside its transaction when it waits for that lock):
# the lock held past lock_timeout gives "database ... is locked" and exit
# 3; the session killed while it waits (pg_terminate_backend, as a DBA or a
# server restart would) gives "lost the connection" and exit 3; in both
# cases not one value changed. Skips when the server binaries are missing.
: "${top_srcdir:=.}"
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/pg_server.sh"
pg_start_or_skip
plan 24

new=$(py_key); old=$(py_key); lost=$(py_key); newer=$(py_key)
AIRFLOW_DB_URL=$PG_URL; export AIRFLOW_DB_URL
tool() { "$PYTHON3" "$top_srcdir/tests/airflow_db.py" "$@"; }
FERNET_KEY="$new,$old" DEMO_OLD_KEY="$old" DEMO_LOST_KEY="$lost" \
	tool create - --schema "$top_srcdir/data/schema-pg-3.2.sql"
FERNET_KEY="$old" DEMO_OLD_KEY="$old" DEMO_LOST_KEY="$lost" \
	tool fill - --connections "$top_srcdir/data/demo-connections.json" \
	--variables "$top_srcdir/data/demo-variables.json" --triggers 3 2>/dev/null
FERNET_KEY="$old" tool bulk - 300 --extra --variables
# A trigger row from before Airflow 2.9: plain JSON, never a token.
pg_sql "INSERT INTO trigger (classpath, kwargs, created_date) VALUES
  ('airflow.triggers.temporal.TimeDeltaTrigger', '{\"__var\": {\"delta\": 60.0}, \"__type\": \"dict\"}',
   '2024-01-01 00:00:00+00')"
cfg() {
	printf '[core]\nfernet_key = %s\n\n[database]\nsql_alchemy_conn = %s\n' "$1" \
	    "$(printf '%s' "$PG_URL" | sed 's/%/%%/g')" > "$AIRFLOW_HOME/airflow.cfg"
}
# Everything as Python reads it with a key list (into a file), and the raw rows.
view() {
	{ FERNET_KEY=$1 tool dump -; FERNET_KEY=$1 tool dump-variables -
	  FERNET_KEY=$1 tool dump-triggers -; } 2>&1
}
raw() {
	pg_sql "SELECT md5(string_agg(concat_ws('|', id, password, extra, is_encrypted,
	    is_extra_encrypted), ',' ORDER BY id)) FROM connection" &&
	pg_sql "SELECT md5(string_agg(concat_ws('|', id, val, is_encrypted), ',' ORDER BY id))
	    FROM variable" &&
	pg_sql "SELECT md5(string_agg(concat_ws('|', id, kwargs), ',' ORDER BY id)) FROM trigger"
}
cfg "$new,$old"
view "$new,$old" > "$T/before"
raw0=$(raw)

# -- refusal, then --skip-undecryptable -----------------------------------------
o=$("$FERNCON" rotate-fernet-key 2>&1); rc=$?
is "$rc" 1 "a value no key opens: rotation refuses (exit 1)"
contains "$o" "legacy_reporting_db" "and names its row"
is "$(raw)" "$raw0" "and changes nothing"
ts0=$(FERNET_KEY="$new,$old" tool token-info - warehouse_pg password)
o=$("$FERNCON" rotate-fernet-key --skip-undecryptable 2>&1); rc=$?
is "$rc" 0 "--skip-undecryptable rotates (exit 0)"
contains "$o" "verify:" "and verifies"
lacks "$o" "Wh-demo-2024!Pass" "no password in the output"
view "$new" > "$T/after"
"$PYTHON3" - "$T/before" "$T/after" <<'PY' > "$T/cmp" 2>&1
import json, sys
def rows(path):
    out = {}
    for line in open(path).read().splitlines():
        r = json.loads(line)
        out[(r.get("conn_id") or r.get("key") or r.get("classpath"), r["id"])] = r
    return out
b, a = rows(sys.argv[1]), rows(sys.argv[2])
bad = [k for k in b if k not in a]
for k, rb in b.items():
    ra = a.get(k)
    if ra is None:
        continue
    for f in ("password", "extra", "val", "kwargs", "is_encrypted", "is_extra_encrypted"):
        if f not in rb:
            continue
        vb, va = rb[f], ra[f]
        if isinstance(vb, dict):          # no key opened it before: still none
            if not isinstance(va, dict): bad.append((k, f, "opened"))
        elif vb != va:
            bad.append((k, f))
print("OK %d" % len(b) if not bad else "BAD %s" % bad[:5])
PY
contains "$(cat "$T/cmp")" "OK" "every value opens with the new key alone, to the same plaintext and flags"
ts1=$(FERNET_KEY="$new" tool token-info - warehouse_pg password)
is "$(printf '%s' "$ts1" | sed 's/.*"timestamp": \([0-9]*\).*/\1/')" \
	"$(printf '%s' "$ts0" | sed 's/.*"timestamp": \([0-9]*\).*/\1/')" "the token time is kept"
contains "$ts1" '"key_index": 0' "under the new key"
is "$(pg_sql "SELECT count(*) FROM trigger WHERE kwargs LIKE '{%'")" 1 "the legacy plain trigger row is untouched"
is "$(pg_sql "SELECT count(*) FROM trigger WHERE kwargs LIKE 'gAAAA%'")" 3 "the other triggers are tokens"
o=$("$FERNCON" key status 2>&1)
contains "$o" "key 2:       0 values" "key status: nothing left under the old key"

# -- encrypt-plaintext ------------------------------------------------------------------
nplain=$(pg_sql "SELECT (SELECT count(*) FROM connection WHERE NOT is_encrypted AND password <> '')
	+ (SELECT count(*) FROM connection WHERE NOT is_extra_encrypted AND extra <> '')
	+ (SELECT count(*) FROM variable WHERE NOT is_encrypted AND val <> '')")
o=$("$FERNCON" encrypt-plaintext 2>&1); rc=$?
is "$rc" 0 "encrypt-plaintext exits 0"
is "$(pg_sql "SELECT (SELECT count(*) FROM connection WHERE NOT is_encrypted AND password <> '')
	+ (SELECT count(*) FROM connection WHERE NOT is_extra_encrypted AND extra <> '')
	+ (SELECT count(*) FROM variable WHERE NOT is_encrypted AND val <> '')")" 0 \
	"no plaintext value is left ($nplain were)"
view "$new" > "$T/after2"
"$PYTHON3" - "$T/after" "$T/after2" <<'PY' > "$T/cmp2" 2>&1
import json, sys
a = [json.loads(l) for l in open(sys.argv[1]).read().splitlines()]
b = [json.loads(l) for l in open(sys.argv[2]).read().splitlines()]
bad = [x.get("conn_id") or x.get("key") for x, y in zip(a, b)
       if any(x.get(f) != y.get(f) for f in ("password", "extra", "val", "kwargs"))]
print("OK" if len(a) == len(b) and not bad else "BAD %s" % bad[:5])
PY
is "$(cat "$T/cmp2")" "OK" "and Python reads every value as before"

# -- a lock held past lock_timeout: a clear message, nothing changed ---------------------
cfg "$newer,$new"
raw1=$(raw)
# Another session (an Airflow process) holds variable; it lets go after 7 s,
# past ferncon's lock_timeout of 5 s.
PGPASSWORD=$PG_PASSWORD "$PG_BIN/psql" -X -q -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" \
    -d "$PG_DB" -c "BEGIN; LOCK TABLE variable IN EXCLUSIVE MODE; SELECT pg_sleep(7); COMMIT" \
    >/dev/null 2>&1 &
holder=$!
sleep 1
o=$("$FERNCON" rotate-fernet-key --skip-undecryptable 2>&1); rc=$?
is "$rc" 3 "a lock held by another process past lock_timeout: exit 3"
contains "$o" "is locked" "with the 'database ... is locked' message"
contains "$o" "nothing was changed" "that says nothing was changed"
is "$(raw)" "$raw1" "and nothing was changed"
wait "$holder"

# -- the session killed in the middle of the transaction -------------------------------
PGPASSWORD=$PG_PASSWORD "$PG_BIN/psql" -X -q -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" \
    -d "$PG_DB" -c "BEGIN; LOCK TABLE variable IN EXCLUSIVE MODE; SELECT pg_sleep(6); COMMIT" \
    >/dev/null 2>&1 &
holder=$!
sleep 1
"$FERNCON" rotate-fernet-key --skip-undecryptable > "$T/kill.out" 2>&1 &
job=$!
# Wait until ferncon has written (it has an xid) and waits for the lock.
i=0
while [ $i -lt 40 ]; do
	w=$(pg_sql "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'ferncon'
	    AND backend_xid IS NOT NULL AND wait_event_type = 'Lock'")
	[ "$w" = 1 ] && break
	sleep 0.1
	i=$((i + 1))
done
is "$w" 1 "the rotation is inside its transaction, waiting"
pg_sql "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'ferncon'" >/dev/null
wait "$job"; rc=$?
o=$(cat "$T/kill.out")
is "$rc" 3 "the session killed mid-rotation: exit 3"
contains "$o" "lost the connection to PostgreSQL at $PG_HOST:$PG_PORT/$PG_DB" "with the 'lost the connection' message"
lacks "$o" "$PG_PASSWORD" "that holds no password"
wait "$holder"
is "$(raw)" "$raw1" "and not one value changed: the transaction rolled back whole"
done_testing

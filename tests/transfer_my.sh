#!/bin/sh
# transfer_my.sh: `ferncon connections export` on MySQL writes the
# connections in the database's own ORDER BY conn_id, as Airflow's export
# reads them (select(Connection).order_by(Connection.conn_id), airflow
# cli/commands/connection_command.py connections_export(), apache/airflow
# commit c873bd5 line 191; commit e0b55c2 line 189): on a
# utf8mb4_unicode_ci DB (Airflow's documented setting, tests/my_server.sh)
# and on the utf8mb3_bin conn_id of a DB upgraded from 1.10. conn_ids that
# differ only in case or in '_' against '-', more than a page of them (the
# store pages by 1000): each once, in the server's order, which is not byte
# order; the plaintexts are what Python wrote (PyMySQL). Skips when the
# server binaries are missing.
: "${top_srcdir:=.}"
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/my_server.sh"
my_start_or_skip
plan 10

key=$(py_key)
AIRFLOW_DB_URL=$MY_URL; export AIRFLOW_DB_URL
tool() { "$PYTHON3" "$top_srcdir/tests/airflow_db.py" "$@"; }
printf '[core]\nfernet_key = %s\n[database]\nsql_alchemy_conn = %s\n' "$key" \
	"$(printf '%s' "$MY_URL" | sed 's/%/%%/g')" > "$AIRFLOW_HOME/airflow.cfg"

# conn_ids: 1200 of them, mixing case, '_' and '-', accents; on the
# case-insensitive DB only one of each case-variant exists (Airflow could
# not add the second either).
ids() { # CI: 1 for the case-insensitive DB
	"$PYTHON3" - "$1" <<'PY'
import json, sys
ci = sys.argv[1] == "1"
seen, out = set(), []
for i in range(400):
    for form in ("db_%03d" % i, "DB-%03d" % i, "Db_%03d" % i, "d\u00e9_%03d" % i):
        k = form.lower() if ci else form
        if k in seen:
            continue
        seen.add(k)
        out.append({"conn_id": form, "conn_type": "mysql", "host": "h%d" % i,
                    "password": "pw-%s" % form})
json.dump(out, open("conns.json", "w"))
print(len(out))
PY
}
for layout in 3.2 2.x-upgraded; do
	ci=1; [ "$layout" = 2.x-upgraded ] && ci=0
	my_sql "SET FOREIGN_KEY_CHECKS = 0; DROP TABLE IF EXISTS connection, variable, \`trigger\`, log, alembic_version, team"
	tool create - --schema "$top_srcdir/data/schema-my-$layout.sql"
	n=$(cd "$T" && ids $ci)
	FERNET_KEY=$key tool fill - --connections "$T/conns.json" 2>/dev/null
	rm -f "$T/out.json"
	"$FERNCON" connections export "$T/out.json" >"$T/out.txt" 2>&1; rc=$?
	is "$rc" 0 "$layout: export exits 0"
	got=$("$PYTHON3" -c 'import json,sys; print("\n".join(json.load(open(sys.argv[1]))))' "$T/out.json")
	want=$(my_sql "SELECT conn_id FROM connection ORDER BY conn_id")
	is "$(printf '%s\n' "$got" | wc -l | tr -d ' ')" "$n" "$layout: every one of the $n connections, once"
	is "$got" "$want" "$layout: in the server's ORDER BY conn_id (the column's collation)"
	bytes=$(printf '%s\n' "$want" | LC_ALL=C sort)
	if [ $ci = 1 ]; then
		ok "$layout: which is not byte order" test "$got" != "$bytes"
	else
		is "$got" "$bytes" "$layout: utf8mb3_bin orders by code point: byte order"
	fi
	pw=$("$PYTHON3" -c 'import json,sys
d = json.load(open(sys.argv[1]))
print(all(v["password"] == "pw-" + k for k, v in d.items()))' "$T/out.json")
	is "$pw" True "$layout: every password is the one Python wrote"
done
done_testing

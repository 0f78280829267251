#!/bin/sh
# cli_compat.sh: issue 14, Airflow compatibility second pass, end to end on
# a real SQLite metadata DB written by Python as Airflow writes it
# (tests/airflow_db.py). Each check names the Airflow code it follows
# (apache/airflow, 2.10 = airflow/... at commit c873bd5, 3.2 =
# airflow-core/src/airflow/... at commit e0b55c2, as summarised in
# doc/airflow-compat.md; line numbers are at those commits) or runs
# Python's standard library as the oracle.
. "$top_srcdir/tests/lib.sh"
plan 78

db="$AIRFLOW_HOME/airflow.db"
key=$(py_key)
tool() { FERNET_KEY="$key" "$PYTHON3" "$top_srcdir/tests/airflow_db.py" "$@"; }
tool create "$db" --schema "$top_srcdir/data/schema-2.10.sql"
cat > "$T/seed.json" <<'JSON'
[{"conn_id": "m_obj", "conn_type": "postgres", "host": "old-obj", "login": "u",
  "password": "Stored-Obj-Pw", "port": 5432, "schema": "s", "description": "d",
  "extra": "{\"sslmode\": \"require\"}"},
 {"conn_id": "m_uri", "conn_type": "http", "host": "old-uri", "login": "u",
  "password": "Stored-Uri-Pw", "extra": "{\"timeout\": 30}"},
 {"conn_id": "m_query", "conn_type": "http", "host": "old-q",
  "password": "Stored-Q-Pw", "extra": "{\"a\": \"1\"}"},
 {"conn_id": "m_pw", "conn_type": "http", "host": "old-pw",
  "password": "Stored-Pw-Pw", "extra": "{\"b\": \"2\"}"}]
JSON
tool fill "$db" --connections "$T/seed.json" 2>/dev/null
cat > "$AIRFLOW_HOME/airflow.cfg" <<CFG
[core]
fernet_key = $key

[database]
sql_alchemy_conn = sqlite:///$db
CFG
# One row as Airflow reads it back: the fields a merge may keep or replace.
row() {
	tool dump "$db" | "$PYTHON3" -c 'import json,sys
for l in sys.stdin:
    r = json.loads(l)
    if r["conn_id"] == sys.argv[1]:
        print(r["id"], r["host"], r["password"], r["extra"], r["description"], r["is_encrypted"], r["is_extra_encrypted"])' "$1"
}
id_of() { row "$1" | cut -d' ' -f1; }

# -- item 1: import --overwrite merges as session.merge() does ---------------
# airflow/cli/commands/connection_command.py _import_helper() (c873bd5,
# lines 329-355): the existing id is given to the new Connection (line 351)
# and session.merge(conn) (line 353) copies onto the row only the
# attributes that Connection.__init__ assigned (airflow/models/
# connection.py lines 144-183): set_password() assigns nothing for a falsy
# value (lines 347-352); _parse_from_uri() assigns extra only for a
# non-empty query (lines 258-263); the object form assigns extra (None
# clears it) and description (lines 159 and 177).
i_obj=$(id_of m_obj); i_uri=$(id_of m_uri); i_q=$(id_of m_query); i_pw=$(id_of m_pw)
cat > "$T/hosts.env" <<'ENV'
m_uri=http://u@new-uri
m_query=http://new-q?c=3
ENV
cat > "$T/hosts.json" <<'JSON'
{"m_obj": {"conn_type": "postgres", "host": "new-obj", "login": "u", "port": 5432},
 "m_pw": {"conn_type": "http", "host": "new-pw", "password": "New-Pw-Pw",
  "extra": "{\"b\": \"3\"}"}}
JSON
out=$("$FERNCON" connections import "$T/hosts.env" --overwrite 2>&1); rc=$?
is "$rc $out" "0 Imported connection m_uri
Imported connection m_query" "env --overwrite imports both"
is "$(row m_uri)" "$i_uri new-uri Stored-Uri-Pw {\"timeout\": 30} None 1 1" \
	"a URI without password or query keeps the stored password, its flag and the stored extra"
is "$(row m_query)" "$i_q new-q Stored-Q-Pw {\"c\": \"3\"} None 1 1" \
	"a URI with a query replaces the extra, keeps the password"
out=$("$FERNCON" connections import "$T/hosts.json" --overwrite 2>&1); rc=$?
is "$rc" 0 "json --overwrite exits 0"
is "$(row m_obj)" "$i_obj new-obj Stored-Obj-Pw None None 1 0" \
	"an object without password keeps it; its absent extra and description clear the row's"
is "$(row m_pw)" "$i_pw new-pw New-Pw-Pw {\"b\": \"3\"} None 1 1" \
	"an object with a password and extra replaces both"

# -- item 2: every conn_id goes through helpers.validate_key(max_length=200) -
# _import_helper() prints "Could not import connection. {e}" and goes on
# (c873bd5: airflow/cli/commands/connection_command.py lines 338-342);
# airflow/utils/helpers.py validate_key() (c873bd5, lines 50-60; the
# message at 57-59): "The key {k!r} has to be made of alphanumeric
# characters, dashes, dots and underscores exclusively".
long=$("$PYTHON3" -c 'print("x" * 201)')
{
	echo 'e8 =http://h8'
	echo 'bad id=http://h9'
	echo 'a/b=http://h10'
	echo "$long=http://h11"
	echo 'good_one=http://h12'
} > "$T/ids.env"
n0=$(tool count "$db")
out=$("$FERNCON" connections import "$T/ids.env" 2>&1); rc=$?
printf '%s\n' "$out" > "$T/ids.out"
is "$rc" 0 "bad ids are skipped, the import exits 0 as Airflow's"
is "$(printf '%s\n' "$out" | sed -n 1,3p)" "Could not import connection. The key 'e8 ' has to be made of alphanumeric characters, dashes, dots and underscores exclusively
Could not import connection. The key 'bad id' has to be made of alphanumeric characters, dashes, dots and underscores exclusively
Could not import connection. The key 'a/b' has to be made of alphanumeric characters, dashes, dots and underscores exclusively" \
	"each bad id with validate_key's message"
contains "$(printf '%s\n' "$out" | sed -n 4p)" "Could not import connection. The key" \
	"the 201-character id is refused"
contains "$(printf '%s\n' "$out" | sed -n 4p)" "has to be less than 200 characters" "for its length"
is "$(printf '%s\n' "$out" | sed -n 5p)" "Imported connection good_one" "the good one after them is imported"
is "$(tool count "$db")" "$((n0 + 1))" "one row more: only the good one"

# -- item 9: `connections get -o json|yaml` is a list of one -----------------
# airflow/cli/commands/connection_command.py connections_get() (c873bd5,
# lines 67-77): AirflowConsole().print_as(data=[conn], ...) at lines 73-74.
"$FERNCON" connections get m_query -o json > "$T/get.json" 2>"$T/get.err"; rc=$?
r=$("$PYTHON3" -c 'import json,sys
d = json.load(open(sys.argv[1]))
print(type(d).__name__, len(d), d[0]["conn_id"], d[0]["host"])' "$T/get.json")
is "$rc $r" "0 list 1 m_query new-q" "get -o json: json.load gives a list of one"
"$FERNCON" connections get m_query -o yaml > "$T/get.yaml" 2>&1
r=$("$PYTHON3" -c 'import yaml,sys
d = yaml.safe_load(open(sys.argv[1]))
print(type(d).__name__, len(d), d[0]["conn_id"])' "$T/get.yaml")
is "$r" "list 1 m_query" "get -o yaml: yaml.safe_load gives a list of one"

# -- item 15: a missing id in get -------------------------------------------
# connections_get(): AirflowNotFoundException -> SystemExit("Connection not
# found."), which Python prints on stderr with exit status 1.
"$FERNCON" connections get no_such_conn > "$T/o" 2> "$T/e"; rc=$?
is "$rc|$(cat "$T/o")|$(cat "$T/e")" "1||Connection not found." "get of a missing id: Airflow's message, exit 1"

# -- item 8: get reads AIRFLOW_CONN_<ID> first --------------------------------
# BaseHook.get_connection() -> Connection.get_connection_from_secrets()
# (c873bd5: airflow/hooks/base.py line 83; airflow/models/connection.py
# lines 508-537, the backends in order at 524): the environment variables
# backend before the metastore (airflow/secrets/__init__.py lines 34-37,
# DEFAULT_SECRETS_SEARCH_PATH); the value is stripped and read as JSON
# when it starts with "{" (airflow/secrets/base_secrets.py lines 54-70,
# deserialize_connection(): strip() at 66, from_json() at 67-68).
o=$(AIRFLOW_CONN_M_QUERY='  http://env-host:81/db  ' "$FERNCON" connections get m_query -o json 2>"$T/e"); rc=$?
r=$(printf '%s' "$o" | "$PYTHON3" -c 'import json,sys
d = json.load(sys.stdin)[0]
print(d["host"], d["port"], d["schema"])')
is "$rc $r" "0 env-host 81 db" "get: the environment's connection, not the DB row"
contains "$(cat "$T/e")" "from the environment variable AIRFLOW_CONN_M_QUERY" "and says where it came from"
o=$(AIRFLOW_CONN_ENV_ONLY='{"conn_type": "http", "host": "json-host", "password": "Env-Pw"}' \
	"$FERNCON" connections get env_only -o json 2>/dev/null); rc=$?
r=$(printf '%s' "$o" | "$PYTHON3" -c 'import json,sys
d = json.load(sys.stdin)[0]
print(d["conn_type"], d["host"], d["password"])')
is "$rc $r" "0 http json-host ***" "an id only in the environment, JSON form, password masked"
o=$(AIRFLOW_CONN_M_QUERY='http://env-host' "$FERNCON" connections list -o plain 2>&1)
contains "$o" "new-q" "connections list stays the DB's, as Airflow's"
lacks "$o" "env-host" "without the environment's connection"

# -- item 4: key status and the audit say the text is not a clean key --------
# (what Airflow accepts is checked against Python in tests/cli_keytext.sh)
o=$(AIRFLOW__CORE__FERNET_KEY="\"$key\"  # the key" "$FERNCON" key status 2>&1); rc=$?
is "$rc" 0 "key status runs with a quoted, commented fernet_key, as Airflow does"
contains "$o" "fernet_key text is not a clean key" "key status says it is not a clean key"
o=$(AIRFLOW__CORE__FERNET_KEY="\"$key\"  # the key" "$FERNCON" audit --format text 2>&1)
contains "$o" "fernet_key text is not a clean key" "so does the audit"

# -- item 3: the older list form, one value per conn_id -----------------------
# airflow/secrets/local_filesystem.py load_connections_dict() (c873bd5,
# lines 256-281; the list at 269-274): a list value of one element is that
# element, an empty list gives no connection, two or more raise
# ConnectionNotUnique. Python's json and yaml read the files.
printf '%s' '{"lst_uri": ["http://list-uri:80"], "lst_obj": [{"conn_type": "http", "host": "list-obj"}], "lst_none": []}' > "$T/list.json"
printf 'lsty_uri:\n- http://list-yaml:81\nlsty_none: []\n' > "$T/list.yaml"
cp "$T/list.yaml" "$T/list2.yml"
sed -i 's/lsty_/lstyml_/' "$T/list2.yml"
out=""
for f in list.json list.yaml list2.yml; do
	out="$out$("$FERNCON" connections import "$T/$f" 2>&1; echo "rc=$?")
"
done
want=$("$PYTHON3" -c 'import json, sys, yaml
for f in sys.argv[1:]:
    d = json.load(open(f)) if f.endswith(".json") else yaml.safe_load(open(f))
    print("\n".join("Imported connection " + k for k, v in d.items() if len(v) == 1))
    print("rc=0")' \
	"$T/list.json" "$T/list.yaml" "$T/list2.yml")
is "$out" "$want
" "json, yaml and yml: a list of one is imported, an empty list is skipped"
is "$(row lst_obj | cut -d' ' -f2) $(row lsty_uri | cut -d' ' -f2)" "list-obj list-yaml" "with the list's value"

# -- item 5: --conn-uri needs a scheme that urlsplit() finds -----------------
# cli/commands/connection_command.py connections_add() refuses a URI when
# _valid_uri() is false (c873bd5, lines 241-242): urlsplit(uri).scheme ==
# "" (_valid_uri() at lines 144-146). urllib.parse is the oracle for each
# URI.
bad=""; n=0
for u in 'google_cloud_platform://u:p@h' '1db://h' 'my-type://h:1' 'a.b+c://h' \
	' http://h' 'x:' ':x' 'h_1:80' 'ÿ://h'; do
	n=$((n + 1))
	want=$("$PYTHON3" -c 'import sys; from urllib.parse import urlsplit
print("ok" if urlsplit(sys.argv[1]).scheme != "" else "invalid")' "$u")
	o=$("$FERNCON" connections add "u$n" --conn-uri "$u" 2>&1); rc=$?
	got=$([ "$rc" -eq 0 ] && echo ok || echo invalid)
	[ "$got" = invalid ] && case $o in *"The URI provided to --conn-uri is invalid"*) ;; *) got="other: $o" ;; esac
	[ "$got" = "$want" ] || bad="$bad [$u: want $want, got $got]"
done
is "$bad" "" "--conn-uri: refused exactly when urlsplit() finds no scheme ($n URIs)"
lacks "$("$FERNCON" connections add u99 --conn-uri 'a_b://u:Uri-S3cret@h' 2>&1)" "Uri-S3cret" \
	"the refusal does not echo the password"

# -- item 7: --conn-json as Connection.from_json() and connections_add() -----
# airflow/models/connection.py from_json() (c873bd5, lines 568-582) passes
# every other key to Connection(conn_id=..., **kwargs) (line 582), which
# takes uri= and parses it as --conn-uri would (refusing a URI mixed with
# true values, lines 162-167); connections_add() builds a --conn-json
# connection from the JSON alone (airflow/cli/commands/
# connection_command.py lines 261-264), so --conn-description is not used.
fields() {
	"$FERNCON" connections get "$1" -o json 2>/dev/null | "$PYTHON3" -c 'import json,sys
d = json.load(sys.stdin)[0]
print(d["conn_type"], d["host"], d["port"], d["schema"], d["login"], d["description"])'
}
"$FERNCON" connections add cj_uri --conn-json '{"uri": "postgresql://u@db-h:5433/dw?a=1", "description": "from json"}' >/dev/null 2>&1
"$FERNCON" connections add cj_ref --conn-uri 'postgresql://u@db-h:5433/dw?a=1' --conn-description 'from json' >/dev/null 2>&1
is "$(fields cj_uri)" "$(fields cj_ref)" "a \"uri\" key is parsed as --conn-uri parses it"
o=$("$FERNCON" connections add cj_mix --conn-json '{"uri": "http://h", "host": "other"}' 2>&1); rc=$?
is "$rc" 2 "a URI mixed with a true value is refused"
contains "$o" "You can't mix these two ways" "with Connection.__init__'s message"
"$FERNCON" connections add cj_desc --conn-json '{"conn_type": "http", "port": 0, "extra": {}}' \
	--conn-description 'Ignored-Desc' >/dev/null 2>&1
r=$("$FERNCON" connections get cj_desc -o json | "$PYTHON3" -c 'import json,sys
d = json.load(sys.stdin)[0]
print(d["description"], d["port"], d["extra_state"])')
is "$r" "None None empty" "--conn-description beside --conn-json is not used; a false port and extra are dropped"

# -- item 14: a 2.10 .env line that starts with "=" --------------------------
# Airflow 2.10's _parse_env_file() takes it as the conn_id "" (only an empty
# value is an error there); _import_helper() then skips it with
# validate_key()'s message and imports the rest. (3.x refuses the file:
# tests/test_transfer.c test_bad_env.)
printf 'eq_ok=http://eq-ok\n=http://eq-none\n' > "$T/eq.env"
out=$("$FERNCON" connections import "$T/eq.env" 2>&1); rc=$?
is "$rc $out" "0 Imported connection eq_ok
Could not import connection. The key '' has to be made of alphanumeric characters, dashes, dots and underscores exclusively" \
	"2.10: the line is skipped with Airflow's message, the rest imported"

# -- item 6: deprecated names follow the detected Airflow version -------------
# Airflow 2.10's deprecated_options map (c873bd5: airflow/configuration.py
# lines 328-396) reads [database] sql_alchemy_conn from [core] (line 375)
# and the masking options from [admin] (lines 368-369); Airflow 3.0
# removed these entries (e0b55c2: the map at shared/configuration/src/
# airflow_shared/configuration/parser.py lines 159-198 has neither), so on
# a 3.x DB they are not read: Airflow 3 then uses its default DB,
# $AIRFLOW_HOME/airflow.db.
h3="$T/h3"; mkdir -p "$h3"
tool create "$h3/airflow.db" --schema "$top_srcdir/data/schema-3.2.sql"
tool create "$h3/other.db" --schema "$top_srcdir/data/schema-3.2.sql"
printf '[{"conn_id": "in_default", "conn_type": "http"}]' > "$T/d.json"
printf '[{"conn_id": "in_other", "conn_type": "http", "extra": "{\\"passphrase\\": \\"Pp-1\\"}"}]' > "$T/o.json"
tool fill "$h3/airflow.db" --connections "$T/d.json" 2>/dev/null
tool fill "$h3/other.db" --connections "$T/o.json" 2>/dev/null
printf '[core]\nfernet_key = %s\nsql_alchemy_conn = sqlite:///%s\n' "$key" "$h3/other.db" > "$h3/airflow.cfg"
o=$(AIRFLOW_HOME="$h3" "$FERNCON" connections list -o plain 2>&1)
contains "$o" "in_default" "3.x: [core] sql_alchemy_conn is not followed; Airflow 3's default DB is used"
lacks "$o" "in_other" "and the DB the removed option names is not touched"
contains "$o" "Airflow 3 does not read that option" "with a warning saying why"
# On 2.x the alias is still Airflow's: the 2.10 DB above through [core].
h2="$T/h2"; mkdir -p "$h2"
printf '[core]\nfernet_key = %s\nsql_alchemy_conn = sqlite:///%s\n' "$key" "$db" > "$h2/airflow.cfg"
o=$(AIRFLOW_HOME="$h2" "$FERNCON" connections list -o plain 2>&1)
contains "$o" "m_obj" "2.x: the [core] alias is followed"
# [admin] sensitive_variable_fields on 3.x: not read, the value stays masked.
printf '[core]\nfernet_key = %s\nhide_sensitive_var_conn_fields = True\n[admin]\nhide_sensitive_variable_fields = False\n' "$key" > "$h3/airflow.cfg"
cp "$h3/other.db" "$h3/airflow.db"
o=$(AIRFLOW_HOME="$h3" "$FERNCON" connections get in_other -o json 2>&1)
lacks "$o" "Pp-1" "3.x: [admin] hide_sensitive_variable_fields does not unmask"
contains "$o" '"passphrase": "***"' "the value is masked"

# -- item 13: masking compares names with Python's str.lower() ---------------
# airflow/utils/log/secrets_masker.py should_hide_value_for_key() (c873bd5,
# lines 90-101; strip().lower() at 99, the `in` test at 100): a name of
# DEFAULT_SENSITIVE_FIELDS (line 57; 2.x: the 12 of doc/airflow-compat.md
# section 6) in key.strip().lower(). Python computes which keys are
# sensitive.
"$PYTHON3" - "$T/mk.json" <<'PY'
import json, sys
keys = ["api_\u212aey", "PASS\u212aWORD", "\u00a0Token\u2003", "pa\u017fsword", "\u0130access_token",
        "SECRET", "s\u0130cret", "plain", "\u0391PI_KEY", "ke\u212ayfile_dict"]
json.dump({k: "v-%d" % i for i, k in enumerate(keys)}, open(sys.argv[1], "w"))
PY
"$FERNCON" connections add mk --conn-type http --conn-extra "$(cat "$T/mk.json")" >/dev/null 2>&1
"$FERNCON" connections get mk -o json > "$T/mk.out" 2>&1
r=$("$PYTHON3" - "$T/mk.json" "$T/mk.out" <<'PY'
import json, sys
names = ["access_token", "api_key", "apikey", "authorization", "passphrase", "passwd",
         "password", "private_key", "secret", "token", "keyfile_dict", "service_account"]
src = json.load(open(sys.argv[1]))
got = json.load(open(sys.argv[2]))[0]["extra_dejson"]
bad = [k.encode("unicode_escape").decode() for k in src
       if (got[k] == "***") != any(n in k.strip().lower() for n in names)]
print("same" if not bad else "differs: " + " ".join(bad))
PY
)
is "$r" same "each extra key is masked exactly when Python's key.strip().lower() holds a sensitive name"

# -- item 12: a non-ASCII host lower-cased as Python's str.lower() -----------
# Connection._parse_from_uri() takes urlsplit(...).hostname, which is
# str.lower() of the host (Lib/urllib/parse.py _NetlocResultMixinStr);
# urllib.parse is the oracle.
bad=""; n=0
for u in 'http://HÉST:8080/db' 'http://ÀÉÎ.Example.ORG' 'http://İSTANBUL' 'http://KELVIN.Host'; do
	n=$((n + 1))
	want=$("$PYTHON3" -c 'import sys; from urllib.parse import urlsplit, unquote
print(unquote(urlsplit(sys.argv[1]).hostname))' "$u")
	"$FERNCON" connections add "lh$n" --conn-uri "$u" >/dev/null 2>&1
	got=$("$FERNCON" connections get "lh$n" -o json | "$PYTHON3" -c 'import json,sys; print(json.load(sys.stdin)[0]["host"])')
	[ "$got" = "$want" ] || bad="$bad [$u: want $want, got $got]"
done
is "$bad" "" "hosts lower-cased as urlsplit().hostname does ($n URIs)"

# -- item 12: the NFKC check of a non-ASCII netloc ----------------------------
# urlsplit() ends with _checknetloc() (CPython 3.11's Lib/urllib/parse.py,
# defined at line 421, called at line 505 of 3.11.7): a non-ASCII
# netloc without its '@:#?' that NFKC changes must not gain one of "/?#@:",
# else ValueError. Python decides for each URI (a password in the netloc,
# fullwidth and small forms, U+2100, a change without such a character, a
# path that holds one); ferncon refuses exactly those, and keeps the others
# with urlsplit().hostname as their host.
bad=""; n=0
for u in 'http://a℀b/x' 'http://u:p℀w@h/' 'http://h/℀' 'http://ＥＸ.com' \
    'http://ho﹫st' 'http://h：80' 'http://＃x' 'http://？q' 'http://ho／st' \
    'http://éx' 'http://⑴h' 'http://ｕ:ｐ@ｈ'; do
	n=$((n + 1))
	want=$("$PYTHON3" -c 'import sys; from urllib.parse import urlsplit, unquote
try: print(unquote(urlsplit(sys.argv[1]).hostname))
except ValueError: print("ValueError")' "$u")
	o=$("$FERNCON" connections add "nf$n" --conn-uri "$u" 2>&1) &&
	got=$("$FERNCON" connections get "nf$n" -o json | "$PYTHON3" -c 'import json,sys; print(json.load(sys.stdin)[0]["host"])') ||
	case $o in
	*"netloc contains invalid characters under NFKC normalization"*) got=ValueError ;;
	*) got="other error: $o" ;;
	esac
	[ "$got" = "$want" ] || bad="$bad [$u: want $want, got $got]"
done
is "$bad" "" "a netloc refused exactly as urlsplit()'s NFKC check refuses it, else its host kept ($n URIs)"
lacks "$("$FERNCON" connections add nfpw --conn-uri 'http://u:Sec℀ret@h' 2>&1)" "Sec" \
	"the refusal does not show the netloc (it holds the password)"
o=$(AIRFLOW_CONN_NF_ENV='http://a℀b' "$FERNCON" connections get nf_env 2>&1); rc=$?
is "$rc:$(printf '%s' "$o" | grep -c 'NFKC')" "1:1" "an AIRFLOW_CONN_ value gets the same check"

# -- item 16: the exact release, for the alembic head 3.1.0 to 3.1.7 share -----
# 3.1.6 changed URI query typing (PR #59339: json.loads of each query
# value) and added the proxy names to DEFAULT_SENSITIVE_FIELDS (PR #59688);
# doc/airflow-compat.md sections 4.1 and 6.
h31="$T/h31"; mkdir -p "$h31"
tool create "$h31/airflow.db" --schema "$top_srcdir/data/schema-3.1.sql"
printf '[core]\nfernet_key = %s\n' "$key" > "$h31/airflow.cfg"
o=$(AIRFLOW_HOME="$h31" "$FERNCON" key status 2>&1)
contains "$o" "airflow:     3.1.0 (alembic head cc92b33c6709, which later 3.1 releases share" \
	"key status: the version assumed and why"
o=$(AIRFLOW_HOME="$h31" "$FERNCON" --airflow-version 3.1.6 key status 2>&1)
contains "$o" "airflow:     3.1.6 (from --airflow-version)" "--airflow-version names the release"
AIRFLOW_HOME="$h31" "$FERNCON" connections add q0 --conn-uri 'http://h?n=123' >/dev/null 2>&1
AIRFLOW_HOME="$h31" AIRFLOW__CONSOLE__AIRFLOW_VERSION=3.1.6 "$FERNCON" connections add q6 \
	--conn-uri 'http://h?n=123&proxy=Px-1' >/dev/null 2>&1
x0=$(AIRFLOW_HOME="$h31" "$FERNCON" connections get q0 -o json | "$PYTHON3" -c 'import json,sys; print(json.dumps(json.load(sys.stdin)[0]["extra_dejson"]))')
x6=$(AIRFLOW_HOME="$h31" AIRFLOW__CONSOLE__AIRFLOW_VERSION=3.1.6 "$FERNCON" connections get q6 -o json | "$PYTHON3" -c 'import json,sys; print(json.dumps(json.load(sys.stdin)[0]["extra_dejson"]))')
is "$x0 | $x6" '{"n": "123"} | {"n": 123, "proxy": "***"}' \
	"3.1.0 keeps query values as text; [console] airflow_version = 3.1.6 types them and masks proxy"
o=$(AIRFLOW_HOME="$h31" "$FERNCON" --airflow-version 3.2.0 key status 2>&1); rc=$?
is "$rc" 2 "a release that cannot have written the DB's head is refused"
contains "$o" "Airflow 3.2.0 cannot have written this DB (alembic head cc92b33c6709" "saying why"

# -- item 12: lone surrogate escapes in typed query values (3.1.6+) -----------
# From 3.1.6 each query value goes through json.loads (PR #59339), which
# reads "\ud800" into a str with a lone surrogate (CPython 3.11.7's
# Lib/json/decoder.py, py_scanstring() at line 69; only a pair is joined,
# line 119), and _parse_from_uri() stores json.dumps(query)
# (airflow-core/src/airflow/models/connection.py, as since 3.1.6: commit
# e0b55c2, json.loads of each value at line 255, json.dumps(query) at
# line 258), which writes it back as the escape (Lib/json/encoder.py,
# py_encode_basestring_ascii() at line 49).
# ferncon keeps it (pyjson_loads_kept()): the stored extra is Python's,
# byte for byte; so is a \u0000 and a %00.
is "$("$PYTHON3" -c 'import json; print(repr(json.loads("\"\\ud800\"")))')" "'\\ud800'" \
	"Python's json.loads reads a lone surrogate escape"
# typed QUERY: json.dumps() of the query dict as 3.1.6 builds it
typed() {
	"$PYTHON3" -c 'import json, sys; from urllib.parse import parse_qsl
d = {}
for k, v in parse_qsl(sys.argv[1], keep_blank_values=True):
    try: d[k] = json.loads(v)
    except ValueError: d[k] = v
print(json.dumps(d))' "$1"
}
# stored HOME ID: the extra that the DB holds, read and decrypted by Python
stored() {
	tool dump "$1/airflow.db" | "$PYTHON3" -c 'import json,sys
for l in sys.stdin:
    r = json.loads(l)
    if r["conn_id"] == sys.argv[1]:
        print(r["extra"])' "$2"
}
o=$(AIRFLOW_HOME="$h31" "$FERNCON" --airflow-version 3.1.6 connections add qs1 \
	--conn-uri 'http://h?x=%22%5Cud800%22' 2>&1); rc=$?
is "$rc $(stored "$h31" qs1)" "0 $(typed 'x=%22%5Cud800%22')" \
	"a lone surrogate escape is kept: the stored extra is Python's json.dumps(query)"
bad=""; n=0
for q in 'x=%22%5Cud83d%5Cude00%22' 'x=%22%5Cud800' 'x=%22a%5C%5Cud800%22' \
    'x=%22%5Cudfff%5Cud800%22' 'x=%22%5CuDBFF%5CuDBFF%5CuDFFF%22' \
    'x=%7B%22%5Cud800k%22%3A%5B%22%5Cu0000%22%2C%22%5CuDC00%22%5D%7D' \
    'x=%22%5Cu0000%22&y=a%00b' 'a%00=%22%5Cudc00%22'; do
	n=$((n + 1))
	want=$(typed "$q")
	AIRFLOW_HOME="$h31" "$FERNCON" --airflow-version 3.1.6 connections add "qt$n" \
	    --conn-uri "http://h?$q" >/dev/null 2>&1
	got=$(stored "$h31" "qt$n")
	[ "$got" = "$want" ] || bad="$bad [$q: want $want, got $got]"
done
is "$bad" "" "pairs, lone surrogates, \\u0000, %00 and texts json.loads refuses are stored as Python stores them ($n URIs)"

# -- item 11: a NUL in an extra or a password is kept; elsewhere refused -----
# Airflow keeps a NUL (Python's unquote() gives '\x00' for %00, json.loads
# gives it for \u0000). In an extra it is written back by json.dumps
# (ensure_ascii, as Airflow calls it) as the six characters \u0000, so the
# stored extra holds no NUL byte: _parse_from_uri() (c873bd5:
# airflow/models/connection.py line 263), from_json() (line 572), and
# _create_connection() (airflow/secrets/local_filesystem.py line 211,
# json.dumps of an extra_dejson; a non-str extra is dumped by
# Connection.__init__, connection.py line 161). ferncon keeps those. A NUL
# in the password is kept too (below). In the other fields it stays
# refused with conn_refuse_nul()'s one message (README, "Where ferncon
# differs from Airflow"), and a lone surrogate there too (Airflow's Fernet
# and DB drivers encode the str to UTF-8, which raises): nothing is
# written.
is "$("$PYTHON3" -c 'import json; from urllib.parse import urlsplit, unquote
print(repr(unquote(urlsplit("http://u:a%00b@h").password)), repr(json.loads("\"a\\u0000b\"")))')" \
	"'a\x00b' 'a\x00b'" "Python keeps a NUL from %00 and from \\u0000 (what Airflow stores)"
nul='holds a NUL character, which ferncon refuses'
before=$("$FERNCON" connections list -o plain 2>/dev/null)
bad=""; n=0
route() {	# route NAME OUTPUT: OUTPUT must be the refusal
	n=$((n + 1))
	case $2 in *"$nul"*) ;; *) bad="$bad [$1: $2]" ;; esac
}
for u in 'http://a%00b/s' 'http://u%00:p@h' 'http://h/a%00' \
    'http://h?__extra__=%7B%7D%00'; do
	route "--conn-uri $u" "$("$FERNCON" connections add z0 --conn-uri "$u" 2>&1)"
done
route "--conn-json" "$("$FERNCON" connections add z0 --conn-json '{"conn_type": "http", "login": "a\u0000b"}' 2>&1)"
route "--conn-uri -" "$(printf 'http://u:a\000b@h\n' | "$FERNCON" connections add z0 --conn-uri - 2>&1)"
printf '{"z0": {"conn_type": "http", "host": "a\\u0000b"}}\n' > "$T/nul.json"
printf 'z0:\n  conn_type: http\n  schema: "a\\0b"\n' > "$T/nul.yaml"
printf 'z0=http://u%%00:p@h\n' > "$T/nul.env"
for f in nul.json nul.yaml nul.env; do
	route "import $f" "$("$FERNCON" connections import "$T/$f" 2>&1)"
done
route "AIRFLOW_CONN_Z0" "$(AIRFLOW_CONN_Z0='http://a%00b@h' "$FERNCON" connections get z0 2>&1)"
nul='holds a lone surrogate (such as \ud800), which UTF-8 cannot encode'
route "--conn-json host" "$("$FERNCON" connections add z0 --conn-json '{"conn_type": "http", "host": "\ud800"}' 2>&1)"
printf '{"z0": {"conn_type": "http", "login": "\\udfff"}}\n' > "$T/sur.json"
route "import sur.json" "$("$FERNCON" connections import "$T/sur.json" 2>&1)"
route "--conn-json password" "$("$FERNCON" connections add z0 --conn-json '{"conn_type": "http", "password": "\udc00"}' 2>&1)"
is "$bad" "" "every route that puts a NUL in a field other than the extra and the password, or a lone surrogate in a field, refuses it with one message ($n routes)"
is "$("$FERNCON" connections list -o plain 2>/dev/null)" "$before" "and nothing was written"

# Each route that carries an extra keeps it: the stored extra against
# Python's result for the same input.
cat > "$T/kx.json" <<'JSON'
{"k3": {"conn_type": "http", "extra": {"k": "a\u0000b", "\udc00": ["\ud800", 1]}},
 "k4": {"conn_type": "http", "extra_dejson": {"n\u0000": "\u0000"}}}
JSON
printf 'k5:\n  conn_type: http\n  extra:\n    k: "a\\0b"\n    "n\\0": [1, "\\0"]\n' > "$T/kx.yaml"
printf 'k6=http://h?x=a%%00b&a%%00=1\n' > "$T/kx.env"
kx='{"k": "a\u0000b", "\ud800": ["\udfff", 1], "p": "\ud83d\ude00"}'
kj='{"conn_type": "http", "extra": {"k": "a\u0000b", "s": "\udbff", "n": {"\u0000": 1}}}'
"$FERNCON" connections add k1 --conn-uri 'http://h?x=a%00b&a%00=1' >/dev/null 2>&1
"$FERNCON" connections add k2 --conn-type http --conn-extra "$kx" >/dev/null 2>&1
"$FERNCON" connections add k7 --conn-json "$kj" >/dev/null 2>&1
for f in kx.json kx.yaml kx.env; do
	"$FERNCON" connections import "$T/$f" >/dev/null 2>&1
done
got=""; for i in 1 2 3 4 5 6 7; do got="$got$(stored "$AIRFLOW_HOME" "k$i");"; done
want=$("$PYTHON3" -c 'import json, sys, yaml
from urllib.parse import parse_qsl
q = json.dumps(dict(parse_qsl("x=a%00b&a%00=1", keep_blank_values=True)))
f = json.load(open(sys.argv[1]))
y = yaml.safe_load(open(sys.argv[2]))
print(";".join([q, sys.argv[3], json.dumps(f["k3"]["extra"]),
    json.dumps(f["k4"]["extra_dejson"]), json.dumps(y["k5"]["extra"]), q,
    json.dumps(json.loads(sys.argv[4])["extra"])]) + ";")' "$T/kx.json" "$T/kx.yaml" "$kx" "$kj")
is "$got" "$want" "--conn-uri, --conn-extra, --conn-json and json, yaml and env imports store the extra as Airflow does"

# Shown: masked as Airflow masks it (should_hide_value_for_key(),
# airflow/utils/log/secrets_masker.py at c873bd5 line 90, strips and
# lower-cases the name, line 99, and 'password\x00' holds 'password'), and
# get_uri() quotes a NUL as %00 (urlencode(): c873bd5
# airflow/models/connection.py line 324, e0b55c2 line 344). A lone
# surrogate in a key or a str value makes urlencode() raise, which
# get_uri() does not catch (only TypeError: c873bd5 line 325, e0b55c2
# line 345);
# ferncon writes the __extra__ form there, as for any extra that does not
# round-trip (README, "Where ferncon differs from Airflow").
"$FERNCON" connections add km --conn-type http \
	--conn-extra '{"password\u0000": "s3", "n": {"k\ud800": "a\u0000b"}}' >/dev/null 2>&1
x=$("$FERNCON" connections get km -o json 2>/dev/null | "$PYTHON3" -c 'import json,sys; print(json.dumps(json.load(sys.stdin)[0]["extra_dejson"]))')
u=$("$FERNCON" connections get k1 -o json 2>/dev/null | "$PYTHON3" -c 'import json,sys; print(json.load(sys.stdin)[0]["get_uri"])')
is "$x | $u" "$("$PYTHON3" -c 'import json; from urllib.parse import urlencode, parse_qsl
print(json.dumps({"password\x00": "***", "n": {"k\ud800": "a\x00b"}}), "|",
    "http://h/?" + urlencode(dict(parse_qsl("x=a%00b&a%00=1", keep_blank_values=True))))')" \
	"get masks a kept extra as Airflow does, and get_uri() quotes a NUL as %00"
u=$("$FERNCON" connections get k2 -o json 2>/dev/null | "$PYTHON3" -c 'import json,sys; print(json.load(sys.stdin)[0]["get_uri"])')
is "$u" "$("$PYTHON3" -c 'import sys; from urllib.parse import urlencode
try: urlencode({"\ud800": "x"})
except UnicodeEncodeError: print("http:///?" + urlencode({"__extra__": sys.argv[1]}))' "$(stored "$AIRFLOW_HOME" k2)")" \
	"a top-level lone surrogate, where urlencode() raises: get_uri() is the __extra__ form"
# -o yaml: the NUL as PyYAML writes it (CSafeDumper, as Airflow's yaml
# output); a lone surrogate, where CSafeDumper raises, as U+FFFD.
y=$( ("$FERNCON" connections get k1 -o yaml; "$FERNCON" connections get k7 -o yaml) 2>/dev/null |
    grep -E '^ +(x|"a\\0"|s):' | sed 's/^ *//' | sort)
w=$("$PYTHON3" -c 'import yaml; print(yaml.dump({"x": "a\x00b", "a\x00": "1", "s": "\ufffd"}, Dumper=yaml.CSafeDumper), end="")' | sort)
is "$y" "$w" "-o yaml writes a kept NUL as PyYAML does, a lone surrogate as U+FFFD"

# -- item 11 (c): a NUL in the password is kept, as Airflow keeps it ---------
# _parse_from_uri() sets password = unquote(...) (c873bd5:
# airflow/models/connection.py line 256; e0b55c2:
# airflow-core/src/airflow/models/connection.py line 246), '\x00' for %00;
# from_json() and _create_connection() pass a json.loads or yaml str on
# (lines 568-572; airflow/secrets/local_filesystem.py line 189);
# set_password() encrypts the str's UTF-8 bytes with Fernet (c873bd5
# lines 347-352, e0b55c2 lines 366-370), NUL included. get_uri() quotes
# it (quote(password, safe=""), c873bd5 line 300, e0b55c2 line 313) and
# export writes it with json.dumps or yaml.dump (CSafeDumper). ferncon
# keeps the password's length on every route (conn.h, password_len).
# Its own DB, so that the export holds these rows alone.
hp="$T/hp"; mkdir -p "$hp"
tool create "$hp/airflow.db" --schema "$top_srcdir/data/schema-2.10.sql"
printf '[core]\nfernet_key = %s\n' "$key" > "$hp/airflow.cfg"
fp() { AIRFLOW_HOME="$hp" "$FERNCON" "$@"; }
fp connections add p1 --conn-uri 'http://u:a%00b@h' >/dev/null 2>&1
fp connections add p2 --conn-json '{"conn_type": "http", "password": "\u0000c\u0000"}' >/dev/null 2>&1
printf 'd\000e\n' | fp connections add p3 --conn-type http --conn-password-stdin >/dev/null 2>&1
printf '{"p4": {"conn_type": "http", "password": "f\\u0000"}}\n' > "$T/pw.json"
printf 'p5:\n  conn_type: http\n  password: "\\0g"\n' > "$T/pw.yaml"
printf 'p6=http://u:h%%00i@h\n' > "$T/pw.env"
for f in pw.json pw.yaml pw.env; do
	fp connections import "$T/$f" >/dev/null 2>&1
done
# The stored token as Python's Fernet opens it, and the flag.
got=$("$PYTHON3" -c 'import sqlite3, sys; from cryptography.fernet import Fernet
f = Fernet(sys.argv[2])
for i, p, e in sqlite3.connect(sys.argv[1]).execute("SELECT conn_id, password, is_encrypted FROM connection ORDER BY conn_id"):
    print(i, repr(f.decrypt(p.encode())), e)' "$hp/airflow.db" "$key")
want=$("$PYTHON3" -c 'import json, sys, yaml; from urllib.parse import urlsplit, unquote
pw = [unquote(urlsplit("http://u:a%00b@h").password),
    json.loads(sys.argv[1])["password"], "d\x00e",
    json.load(open(sys.argv[2]))["p4"]["password"],
    yaml.safe_load(open(sys.argv[3]))["p5"]["password"],
    unquote(urlsplit(open(sys.argv[4]).read().strip().split("=", 1)[1]).password)]
for i, p in enumerate(pw):
    print("p%d" % (i + 1), repr(p.encode("utf-8")), 1)' \
	'{"conn_type": "http", "password": "\u0000c\u0000"}' "$T/pw.json" "$T/pw.yaml" "$T/pw.env")
is "$got" "$want" "--conn-uri %00, --conn-json, --conn-password-stdin and json, yaml and env imports store the password with its NUL, as Fernet(bytes(value, 'utf-8')) does"
# get -o json --reveal: the password as json.dumps writes it, get_uri()
# with quote(); an AIRFLOW_CONN_ URI the same; masked, it is '***'.
got=$( (fp connections get p1 -o json --reveal; fp connections get p2 -o json --reveal
    AIRFLOW_CONN_P7='http://u:j%00@h' fp connections get p7 -o json --reveal
    fp connections get p1 -o json) 2>/dev/null | "$PYTHON3" -c 'import json, sys
d = json.JSONDecoder()
t = sys.stdin.read().strip()
while t:
    v, n = d.raw_decode(t)
    t = t[n:].strip()
    print(repr(v[0]["password"]), v[0]["get_uri"])')
want=$("$PYTHON3" -c 'from urllib.parse import quote
for login, pw, host in (("u", "a\x00b", "h"), ("", "\x00c\x00", ""), ("u", "j\x00", "h")):
    print(repr(pw), "http://%s:%s@%s" % (quote(login, safe=""), quote(pw, safe=""), quote(host, safe="")))
print(repr("***"), "http://u:%s@h" % quote("***", safe=""))')
is "$got" "$want" "get -o json: the password with its NUL, get_uri() quotes it %00 (DB and AIRFLOW_CONN_), masked '***'"
got=$(fp connections get p2 -o yaml --reveal 2>/dev/null | grep '^  password:' | sed 's/^ *//')
is "$got" "$("$PYTHON3" -c 'import yaml; print(yaml.dump({"password": "\x00c\x00"}, Dumper=yaml.CSafeDumper), end="")')" \
	"get -o yaml: the password as CSafeDumper writes it"
# export: json.dumps, yaml.dump and get_uri() lines, read back by Python.
for f in json yaml env; do
	fp connections export "$T/pw-out.$f" >/dev/null 2>&1
done
got=$("$PYTHON3" -c 'import json, sys, yaml
j = json.load(open(sys.argv[1])); y = yaml.safe_load(open(sys.argv[2]))
print([repr(j[k]["password"]) for k in sorted(j)], [repr(y[k]["password"]) for k in sorted(y)])
print(open(sys.argv[3]).read(), end="")' "$T/pw-out.json" "$T/pw-out.yaml" "$T/pw-out.env")
want=$("$PYTHON3" -c 'from urllib.parse import quote
rows = [("p1", "u", "a\x00b", "h"), ("p2", "", "\x00c\x00", ""), ("p3", "", "d\x00e", ""),
    ("p4", "", "f\x00", ""), ("p5", "", "\x00g", ""), ("p6", "u", "h\x00i", "h")]
print([repr(r[2]) for r in rows], [repr(r[2]) for r in rows])
for i, login, pw, host in rows:
    print("%s=http://%s:%s@%s" % (i, login, quote(pw, safe=""), host))')
is "$got" "$want" "export json, yaml and env write the password whole"
# Encryption off: the stores write plain text as a C string, which would
# cut it (PostgreSQL refuses a NUL in text, under Airflow too): refused.
hn="$T/hn"; mkdir -p "$hn"
tool create "$hn/airflow.db" --schema "$top_srcdir/data/schema-2.10.sql"
: > "$hn/airflow.cfg"
o=$(AIRFLOW_HOME="$hn" "$FERNCON" connections add n1 --conn-uri 'http://u:a%00b@h' 2>&1); rc=$?
is "$rc $(AIRFLOW_HOME="$hn" "$FERNCON" connections list -o plain 2>/dev/null)" "1 " \
	"with encryption off a password with a NUL is refused, nothing written"
contains "$o" "\`password\` holds a NUL character, which ferncon stores only encrypted" "saying why"
# A plain password that Airflow wrote with NullFernet on SQLite is read whole.
"$PYTHON3" -c 'import sqlite3, sys
d = sqlite3.connect(sys.argv[1])
d.execute("INSERT INTO connection (conn_id, conn_type, password, is_encrypted, is_extra_encrypted) VALUES (?, ?, ?, 0, 0)", ("n2", "http", "x\x00y"))
d.commit()' "$hn/airflow.db"
got=$(AIRFLOW_HOME="$hn" "$FERNCON" connections get n2 -o json --reveal 2>/dev/null |
    "$PYTHON3" -c 'import json, sys; print(repr(json.load(sys.stdin)[0]["password"]))')
is "$got" "$("$PYTHON3" -c 'print(repr("x\x00y"))')" "a stored plain password with a NUL is read whole"
# An update that would keep it, plain, is refused too: it would be cut.
printf '{"n2": {"conn_type": "http", "host": "h2"}}' > "$T/n2.json"
o=$(AIRFLOW_HOME="$hn" "$FERNCON" connections import "$T/n2.json" --overwrite 2>&1)
got=$(AIRFLOW_HOME="$hn" "$FERNCON" connections get n2 -o json --reveal 2>/dev/null |
    "$PYTHON3" -c 'import json, sys; r = json.load(sys.stdin)[0]; print(repr(r["password"]), r["host"])')
is "$got" "$("$PYTHON3" -c 'print(repr("x\x00y"), None)')" \
	"an import --overwrite that would keep it in plain text is refused, the row untouched"
# encrypt-plaintext reads the stored value with its length: the token
# opens, with Python's Fernet, to the three bytes.
printf '[core]\nfernet_key = %s\n' "$key" > "$hn/airflow.cfg"
AIRFLOW_HOME="$hn" "$FERNCON" encrypt-plaintext </dev/null >/dev/null 2>&1
got=$("$PYTHON3" -c 'import sqlite3, sys; from cryptography.fernet import Fernet
p, e = sqlite3.connect(sys.argv[1]).execute("SELECT password, is_encrypted FROM connection WHERE conn_id = ?", ("n2",)).fetchone()
print(repr(Fernet(sys.argv[2]).decrypt(p.encode())), e)' "$hn/airflow.db" "$key")
is "$got" "$("$PYTHON3" -c 'print(repr("x\x00y".encode()), 1)')" "encrypt-plaintext encrypts it whole"

# -- item 10: a non-object extra on Airflow 2 ----------------------------------
# airflow/models/connection.py (2.10, c873bd5) _validate_extra() only warns
# (RemovedInAirflow3Warning, lines 197-202) on an extra that is not a JSON
# object, and extra_dejson is json.loads(extra) (line 493), a list
# included; 3.x raises instead (e0b55c2: airflow-core/src/airflow/models/
# connection.py lines 203-207).
o=$("$FERNCON" connections add lx --conn-type http --conn-extra '[1, {"a": 2}]' 2>&1); rc=$?
is "$rc" 0 "2.10: a list extra is added"
contains "$o" "Airflow 2 warns" "with Airflow 2's warning"
x=$("$FERNCON" connections get lx -o json --reveal 2>/dev/null | "$PYTHON3" -c 'import json,sys; print(json.dumps(json.load(sys.stdin)[0]["extra_dejson"]))')
is "$x" "$("$PYTHON3" -c 'import json; print(json.dumps(json.loads("[1, {\"a\": 2}]")))')" \
	"revealed, extra_dejson is the list, as json.loads gives it"
printf '{"lx_imp": {"conn_type": "http", "extra": "[3]"}}' > "$T/lx.json"
o=$("$FERNCON" connections import "$T/lx.json" 2>&1); rc=$?
is "$rc" 0 "2.10: import of a list extra"
contains "$o" "Imported connection lx_imp" "imports it"
# On 3.x (the 3.2 DB of item 6) Connection._validate_extra() raises.
printf '[core]\nfernet_key = %s\n' "$key" > "$h3/airflow.cfg"
o=$(AIRFLOW_HOME="$h3" "$FERNCON" connections add lx3 --conn-type http --conn-extra '{"a": ' 2>&1); rc=$?
is "$rc" 1 "3.x: a malformed extra is refused"
contains "$o" "Encountered non-JSON in \`extra\`" "with Airflow 3's message"
o=$(AIRFLOW_HOME="$h3" "$FERNCON" connections add lx3 --conn-type http --conn-extra '[1, 2]' 2>&1)
contains "$o" "does not parse as a dictionary" "3.x: an extra that is not an object is refused"

# -- item 15: validate_key's messages as Python writes them --------------------
# airflow/utils/helpers.py validate_key() (c873bd5, lines 57-59): f"The key
# {k!r} has to be ...", Python's repr() (run here as the oracle); on 2.x a
# long key gives "The key has to be less than {max_length} characters"
# (lines 54-55).
printf '{"it'"'"'s": "http://h", "tab\\there": "http://h"}' > "$T/repr.json"
out=$("$FERNCON" connections import "$T/repr.json" 2>&1)
want=$("$PYTHON3" -c 'import json,sys
for k in json.load(open(sys.argv[1])):
    print("Could not import connection. The key %r has to be made of alphanumeric characters, dashes, dots and underscores exclusively" % k)' "$T/repr.json")
is "$out" "$want" "the key in Python's repr()"
is "$(sed -n 4p "$T/ids.out")" "Could not import connection. The key has to be less than 200 characters" \
	"2.10: Airflow 2's length message"
# cli/commands/connection_command.py connections_add() (c873bd5, lines
# 239-255): the args that do not go with --conn-uri/--conn-json are named
# as alternative_conn_specs (line 204) names them, in a Python list's repr:
# f"... flag: {invalid_args!r}" (line 254).
o=$("$FERNCON" connections add inc --conn-json '{"conn_type": "http"}' --conn-host h --conn-port 1 \
	--conn-extra '{}' 2>&1)
contains "$o" "The following args are not compatible with the --conn-json flag: ['conn_host', 'conn_port', '--conn-extra']" \
	"incompatible options in Airflow's form"

#!/bin/sh
# cli_key.sh: `ferncon key generate` and `ferncon key status` from the
# command line: where the key comes from (env, env _CMD, airflow.cfg,
# cfg _cmd), never the key itself; no-encryption mode; bad keys and a
# missing --config file give one clear line and exit 2; without an
# airflow.cfg the environment and defaults apply, as for Airflow.
. "$top_srcdir/tests/lib.sh"
plan 28

"$PYTHON3" "$top_srcdir/tests/airflow_db.py" create "$AIRFLOW_HOME/airflow.db" \
	--schema "$top_srcdir/data/schema-2.10.sql"

k=$("$FERNCON" key generate); rc=$?
is "$rc" 0 "key generate exits 0"
is "${#k}" 44 "key generate prints 44 characters"
case $k in *=) ok "the key ends in '='" true ;; *) ok "the key ends in '='" false ;; esac
lacks "$k" "+" "no '+' in a generated key"
"$PYTHON3" -c 'import sys; from cryptography.fernet import Fernet; Fernet(sys.argv[1].encode())' "$k"
is "$?" 0 "Python's Fernet accepts the generated key"
k2=$("$FERNCON" key generate)
ok "two generated keys differ" test "$k" != "$k2"

# airflow.cfg with a key ring new,old
cat > "$AIRFLOW_HOME/airflow.cfg" <<CFG
[core]
# the Fernet key
fernet_key = $k,$k2

[database]
sql_alchemy_conn = sqlite:///$AIRFLOW_HOME/airflow.db
CFG
out=$("$FERNCON" key status 2>&1); rc=$?
is "$rc" 0 "key status exits 0"
contains "$out" "fernet_key:  $AIRFLOW_HOME/airflow.cfg:3" "status names the file and line of the key"
contains "$out" "keys:        2" "status counts two keys"
contains "$out" "encryption:  on" "status says encryption is on"
lacks "$out" "$k" "status never prints the key"
contains "$out" "database:    $AIRFLOW_HOME/airflow.db (sqlite, Airflow 2.10.0)" "status names the DB and its Airflow version"
contains "$out" "rows:        0 connections, 0 variables" "and counts its rows"

# The environment beats the file; _CMD too (sensitive option).
out=$(AIRFLOW__CORE__FERNET_KEY="$k" "$FERNCON" key status 2>&1)
contains "$out" "env AIRFLOW__CORE__FERNET_KEY" "env AIRFLOW__CORE__FERNET_KEY wins over the file"
contains "$out" "keys:        1" "the env value has one key"
# Issue 15: a key listed twice is called a duplicate, naming both places.
out=$(AIRFLOW__CORE__FERNET_KEY="$k2,$k,$k" "$FERNCON" key status 2>&1)
contains "$out" "warning:     key 3 is a duplicate of key 2 (the same key listed twice in fernet_key)" \
	"key status calls a key listed twice a duplicate"
lacks "$out" "signing half" "not only 'two keys share a signing half'"
contains "$out" "old keys:    0 values only they open" "and counts the values only old keys open"
out=$(AIRFLOW__CORE__FERNET_KEY_CMD="printf %s $k2" "$FERNCON" key status 2>&1)
contains "$out" "AIRFLOW__CORE__FERNET_KEY_CMD" "the _CMD variable wins over the file"

# Empty key: Airflow's no-encryption mode.
printf '[core]\nfernet_key =\n' > "$AIRFLOW_HOME/airflow.cfg"
out=$("$FERNCON" key status 2>&1)
contains "$out" "encryption:  off" "an empty fernet_key means encryption off"

# A trailing comma: Airflow's message, exit 2, no key text.
printf '[core]\nfernet_key = %s,\n' "$k" > "$AIRFLOW_HOME/airflow.cfg"
out=$("$FERNCON" key status 2>&1); rc=$?
is "$rc" 2 "a trailing comma exits 2"
contains "$out" "Could not create Fernet object: Fernet key must be 32 url-safe base64-encoded bytes." "with Airflow's message"
lacks "$out" "$k" "and without the key text"

# No airflow.cfg: as Airflow, the environment and the defaults (a container
# configured by AIRFLOW__* alone); the default DB is $AIRFLOW_HOME/airflow.db.
rm -f "$AIRFLOW_HOME/airflow.cfg"
out=$(AIRFLOW__CORE__FERNET_KEY=$k "$FERNCON" key status 2>&1); rc=$?
is "$rc" 0 "without airflow.cfg, key status runs on the environment: exit 0"
contains "$out" "config:      $AIRFLOW_HOME/airflow.cfg (not found: the environment and defaults)" "and says the file was not found"
contains "$out" "fernet_key:  env AIRFLOW__CORE__FERNET_KEY" "the key comes from the environment"
# A file named by --config must exist.
out=$("$FERNCON" --config "$AIRFLOW_HOME/none.cfg" key status 2>&1); rc=$?
is "$rc" 2 "a missing --config file exits 2"
is "$out" "ferncon: cannot read airflow.cfg '$AIRFLOW_HOME/none.cfg': No such file or directory" "with one line that names the file"
done_testing

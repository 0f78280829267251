#!/bin/sh
# cli_roles.sh: role_source = airflow (doc/design.md section 4, "Roles from
# Airflow") through the CLI, on a real metadata DB whose FAB tables, roles
# and users Python made as Airflow makes them (tests/fab_db.py: hashes by
# Debian's werkzeug and hashlib.scrypt). The person is this test's login,
# mapped to an Airflow user through [console] airflow_users. Checked: the
# built-in roles (Viewer holds nothing on Connections in Airflow's
# ROLE_CONFIGS, Op and Admin all of it; only Admin rotates), the custom
# roles ConnReader (can_read on Connections only: lists, adds nothing, its
# audit reads no variable) and ConnEditor (no
# can_delete), reveal only for Admin or with show_connection_password, an
# inactive and an unknown user (the default role), a DB without the FAB
# tables (a configuration error), whoami; then airflow_login = password:
# pbkdf2 with and without a count and scrypt accepted, three wrong
# passwords refused and logged without the password, an LDAP user without
# a hash told why; then SimpleAuthManager's users, all_admins and
# passwords file (apache/airflow airflow-core/src/airflow/api_fastapi/auth/
# managers/simple/simple_auth_manager.py at 0377fd7c: SimpleAuthManagerRole
# VIEWER 0 .. ADMIN 3 at lines 62-81; get_generated_password_file() 92-97;
# get_users() splits "user:role" at 100-102; all_admins at 111;
# is_authorized_connection() at 173-180 and is_authorized_variable() at
# 253-260 pass allow_role=OP and no allow_get_role, so _is_authorized()
# lets only op and admin read or change them, and admin everything).
# FAB's user lookup is lower(username) = lower(name) in both branches of
# find_user() (providers/fab/.../security_manager/override.py).
#
# With FERNCON_TEST_BACKEND=postgresql (tests/cli_roles_pg.sh) the same
# checks run on a throwaway PostgreSQL server (tests/pg_server.sh); with
# FERNCON_TEST_BACKEND=mysql (tests/cli_roles_my.sh) on a throwaway MariaDB
# server (tests/my_server.sh), the FAB tables in MySQL's DDL.
. "$top_srcdir/tests/lib.sh"
backend=${FERNCON_TEST_BACKEND:-sqlite}
if [ "$backend" = postgresql ]; then
	. "$top_srcdir/tests/pg_server.sh"
	pg_start_or_skip
elif [ "$backend" = mysql ]; then
	. "$top_srcdir/tests/my_server.sh"
	my_start_or_skip
fi
plan 74

if [ "$backend" = postgresql ]; then
	db=-; url=$PG_URL; schema=schema-pg-2.10.sql
	AIRFLOW_DB_URL=$PG_URL; export AIRFLOW_DB_URL
elif [ "$backend" = mysql ]; then
	db=-; url=$MY_URL; schema=schema-my-2.10.sql
	AIRFLOW_DB_URL=$MY_URL; export AIRFLOW_DB_URL
else
	db="$AIRFLOW_HOME/airflow.db"; url="sqlite:///$db"; schema=schema-2.10.sql
fi
cfg_url() { printf '%s' "$1" | sed 's/%/%%/g'; }
key=$(py_key); old=$(py_key)
FERNET_KEY="$key,$old"; DEMO_OLD_KEY="$old"; export FERNET_KEY DEMO_OLD_KEY
tool() { "$PYTHON3" "$top_srcdir/tests/airflow_db.py" "$@"; }
tool create "$db" --schema "$top_srcdir/data/$schema"
tool fill "$db" --connections "$top_srcdir/data/demo-connections.json" \
	--variables "$top_srcdir/data/demo-variables.json"
unset FERNET_KEY DEMO_OLD_KEY
log="$T/actions.log"
cat > "$AIRFLOW_HOME/airflow.cfg" <<CFG
[core]
fernet_key = $key,$old

[database]
sql_alchemy_conn = $(cfg_url "$url")

[console]
action_log = $log
CFG
n0=$(tool count "$db")

# -- no FAB tables yet: a configuration error ---------------------------------
o=$(AIRFLOW__CONSOLE__ROLE_SOURCE=airflow "$FERNCON" connections list -o plain 2>&1); rc=$?
is "$rc" 2 "role_source = airflow on a DB without the FAB tables: exit 2"
contains "$o" "has no FAB tables" "saying the tables are missing"
o=$(AIRFLOW__CONSOLE__ROLE_SOURCE=bogus "$FERNCON" whoami 2>&1); rc=$?
is "$rc" 2 "an unknown role_source is a configuration error"

"$PYTHON3" "$top_srcdir/tests/fab_db.py" "$db"

# as USER CMD...: the command as this login mapped to Airflow user USER
as() {
	u=$1; shift
	AIRFLOW__CONSOLE__ROLE_SOURCE=airflow \
	AIRFLOW__CONSOLE__AIRFLOW_USERS="$ME:$u" setsid -w "$FERNCON" "$@"
}

o=$(AIRFLOW__CONSOLE__ROLE_SOURCE=airflow AIRFLOW__CONSOLE__AIRFLOW_USERS="$ME" "$FERNCON" whoami 2>&1); rc=$?
is "$rc" 2 "an airflow_users entry without ':' is a configuration error"
o=$(AIRFLOW__CONSOLE__ROLE_SOURCE=airflow AIRFLOW__CONSOLE__AIRFLOW_USERS="$ME:admin, $ME:viewer" "$FERNCON" whoami 2>&1); rc=$?
is "$rc" 2 "so is a login listed twice"
contains "$o" "listed more than once" "saying so"

# -- FAB: built-in roles -------------------------------------------------------
o=$(as admin whoami 2>&1); rc=$?
is "$rc" 0 "whoami as Airflow user admin"
contains "$o" "airflow:    user admin (FAB), roles: Admin" "names the Airflow user, roles and source"
contains "$o" "can_delete on Connections  yes (FAB permissions)" "each right with its source"
contains "$o" "rotate, encrypt, wizard, probe yes" "Admin may manage keys"
o=$(as ADMIN whoami 2>&1)
contains "$o" "roles: Admin" "the user name is matched case-insensitively, as FAB's find_user()"
o=$(as admin connections get warehouse_pg -o json --reveal 2>&1); rc=$?
is "$rc" 0 "Admin reveals"
lacks "$o" '"password": "***"' "and the password is shown"

o=$(as viewer connections list -o plain 2>&1); rc=$?
is "$rc" 1 "FAB Viewer (no permission on Connections) may not list"
contains "$o" "no can_read on Connections in the roles of Airflow user viewer" "and is told why"
o=$(as viewer connections get warehouse_pg 2>&1); rc=$?
is "$rc" 1 "nor open one"

o=$(as op connections list -o plain 2>&1); rc=$?
is "$rc" 0 "Op lists"
is "$(printf '%s\n' "$o" | wc -l | tr -d ' ')" "$n0" "every row"
o=$(as op connections get warehouse_pg -o json --reveal 2>&1); rc=$?
is "$rc" 1 "Op may not reveal without show_connection_password"
o=$(AIRFLOW__WEBSERVER__SHOW_CONNECTION_PASSWORD=True as op connections get warehouse_pg -o json --reveal 2>&1); rc=$?
is "$rc" 0 "Op reveals with show_connection_password = True"
o=$(as op connections add op_added --conn-uri 'http://h:1' 2>&1); rc=$?
is "$rc" 0 "Op adds"
o=$(as op connections delete op_added 2>&1); rc=$?
is "$rc" 0 "Op deletes"
o=$(as op rotate-fernet-key 2>&1); rc=$?
is "$rc" 1 "Op may not rotate"
contains "$o" "only the Airflow role named Admin" "only Admin manages keys"

# -- FAB: custom roles ----------------------------------------------------------
o=$(as reader connections list -o plain 2>&1); rc=$?
is "$rc" 0 "ConnReader (can_read on Connections only) lists"
o=$(as reader connections get warehouse_pg -o json 2>&1); rc=$?
is "$rc" 0 "and opens"
contains "$o" '"password": "***"' "with the password masked"
o=$(as reader connections add r_added --conn-uri 'http://h:1' 2>&1); rc=$?
is "$rc" 1 "ConnReader may not add"
contains "$o" "no can_create on Connections" "for want of can_create"
o=$(as reader connections delete warehouse_pg 2>&1); rc=$?
is "$rc" 1 "nor delete"
o=$(as reader connections get warehouse_pg --reveal 2>&1); rc=$?
is "$rc" 1 "nor reveal"
o=$(as reader audit --format json 2>/dev/null)
contains "$o" '"variables": 0' "its audit reads no variable (no can_read on Variables)"
o=$(as op audit --format json 2>/dev/null)
lacks "$o" '"variables": 0' "Op's audit reads the variables"
o=$(as reader variables list -o plain 2>&1); rc=$?
is "$rc" 1 "ConnReader (no can_read on Variables) may not read variables"
contains "$o" "no can_read on Variables" "for want of can_read on Variables"
o=$(as op variables list -o plain 2>&1); rc=$?
is "$rc" 0 "Op (can_read on Variables) lists the variables"
o=$(as editor variables set e_var x 2>&1); rc=$?
is "$rc" 1 "ConnEditor (nothing on Variables) may not set a variable"
contains "$o" "no can_edit on Variables" "for want of can_edit on Variables"

o=$(as editor connections add e_added --conn-uri 'http://h:1' 2>&1); rc=$?
is "$rc" 0 "ConnEditor (no can_delete) adds"
o=$(as editor connections delete e_added 2>&1); rc=$?
is "$rc" 1 "but may not delete"
contains "$o" "no can_delete on Connections in the roles of Airflow user editor" "for want of can_delete"
o=$(as editor connections get warehouse_pg --reveal 2>&1); rc=$?
is "$rc" 1 "nor reveal: can_edit reveals only for Admin or with show_connection_password"
o=$(AIRFLOW__WEBSERVER__SHOW_CONNECTION_PASSWORD=True as editor connections get warehouse_pg -o json --reveal 2>&1); rc=$?
is "$rc" 0 "which then allows it"

# -- inactive and unknown users: the default role --------------------------------
o=$(as gone whoami 2>&1)
contains "$o" "user gone (FAB, inactive)" "an inactive user is named so"
contains "$o" "role:       Viewer" "and has the default role, not Admin"
o=$(as gone rotate-fernet-key 2>&1); rc=$?
is "$rc" 1 "the inactive Admin may not rotate"
o=$(as nosuch whoami 2>&1)
contains "$o" "user nosuch (FAB, no such user)" "an unknown user is named so"
contains "$o" "role:       Viewer" "with the default role"
o=$(AIRFLOW__CONSOLE__DEFAULT_ROLE=User as nosuch connections add u --conn-uri 'http://h:1' 2>&1); rc=$?
is "$rc" 1 "[console] default_role User may not add"

# -- password login ----------------------------------------------------------------
pw() { AIRFLOW__CONSOLE__AIRFLOW_LOGIN=password as "$@"; }
: > "$log"
o=$(printf 'admin-pw\n' | pw admin connections list -o plain 2>&1); rc=$?
is "$rc" 0 "the right password (pbkdf2:sha256:260000) is accepted"
o=$(printf 'op-pw\n' | pw op whoami 2>&1); rc=$?
is "$rc" 0 "scrypt:32768:8:1 is accepted"
o=$(printf 'nocount-pw\n' | pw nocount whoami 2>&1); rc=$?
is "$rc" 0 "pbkdf2:sha256 without a count: werkzeug's default count"
o=$(printf 'wrong1\nwrong2\nwrong3\nadmin-pw\n' | pw admin connections list -o plain 2>&1); rc=$?
is "$rc" 1 "three wrong passwords: refused"
contains "$o" "wrong Airflow password for admin (3 of 3)" "after the third"
lacks "$o" "warehouse_pg" "and nothing is listed"
o=$(printf 'wrong1\nadmin-pw\n' | pw admin connections list -o plain 2>&1); rc=$?
is "$rc" 0 "a wrong one, then the right one: accepted"
o=$(printf 'x\n' | pw ldap whoami 2>&1); rc=$?
is "$rc" 2 "a user without a hash (LDAP): a clear refusal"
contains "$o" "password login cannot serve them" "saying why"
o=$(printf 'x\n' | pw nosuch whoami 2>&1); rc=$?
is "$rc" 0 "an unknown user is asked nothing: the default role"
n=$(grep -c '"action":"airflow_login"' "$log")
is "$n" 9 "every attempt is logged"
is "$(grep -c 'wrong password' "$log")" 4 "the wrong ones as such"
lacks "$(cat "$log")" "wrong1" "never with the password"
lacks "$(cat "$log")" "admin-pw" "right or wrong"
o=$(AIRFLOW__CONSOLE__AIRFLOW_LOGIN=password as admin whoami 2>&1 </dev/null); rc=$?
is "$rc" 1 "no password given: refused"

# -- SimpleAuthManager ---------------------------------------------------------------
sam_as() { users=$1; shift; AIRFLOW__CORE__AUTH_MANAGER=airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager \
	AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS="$users" AIRFLOW__CONSOLE__ROLE_SOURCE=airflow setsid -w "$FERNCON" "$@"; }
o=$(sam_as "bob:admin, $ME:viewer" connections list -o plain 2>&1); rc=$?
is "$rc" 1 "SimpleAuthManager viewer may not list connections (OP, no GET exception)"
o=$(sam_as "$ME:op" connections add s_added --conn-uri 'http://h:1' 2>&1); rc=$?
is "$rc" 0 "op adds"
o=$(sam_as "$ME:op" rotate-fernet-key 2>&1); rc=$?
is "$rc" 1 "op may not rotate"
o=$(sam_as "$ME:ADMIN" whoami 2>&1)
contains "$o" "rotate, encrypt, wizard, probe yes" "admin (any case) is Admin"
o=$(AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS=True sam_as "bob:viewer" whoami 2>&1)
contains "$o" "rotate, encrypt, wizard, probe yes" "simple_auth_manager_all_admins makes everyone admin"
o=$(sam_as "bob:viewer:team_a, $ME:op:team_a|team_b" whoami 2>&1); rc=$?
is "$rc" 0 "a user:role:teams entry (multi-team) is read"
contains "$o" "roles: op" "with its role"
o=$(sam_as "$ME:root" whoami 2>&1); rc=$?
is "$rc" 2 "an unknown SimpleAuthManager role is a configuration error"
printf '{"%s": "GenPw23abcdefgh"}\n' "$ME" > "$AIRFLOW_HOME/simple_auth_manager_passwords.json.generated"
o=$(printf 'GenPw23abcdefgh\n' | AIRFLOW__CONSOLE__AIRFLOW_LOGIN=password sam_as "$ME:op" whoami 2>&1); rc=$?
is "$rc" 0 "the generated passwords file's password is accepted"
o=$(printf 'GenPw23abcdefgX\nx\ny\n' | AIRFLOW__CONSOLE__AIRFLOW_LOGIN=password sam_as "$ME:op" whoami 2>&1); rc=$?
is "$rc" 1 "a wrong one three times is refused"

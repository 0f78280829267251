#!/bin/sh
# cli_rotate.sh: `ferncon rotate-fernet-key`, `encrypt-plaintext` and `key
# probe` against a metadata DB written by Python the way Airflow writes it
# (tests/airflow_db.py), every result checked by Python's cryptography
# (tests/rotate_oracle.py): MultiFernet.rotate semantics (same plaintext,
# same timestamp, a new token under the first key alone, flags unchanged,
# plaintext and legacy `{...}` trigger rows untouched); the refusal that
# names a row no key opens, and --skip-undecryptable; --dry-run; an empty
# key; a read-only DB; another process holding the DB's write lock (a clear
# message after the busy timeout, nothing lost on either side); roles; the
# action log; no secret in any output.
. "$top_srcdir/tests/lib.sh"
plan 66

db="$AIRFLOW_HOME/airflow.db"
new=$(py_key); old=$(py_key); lost=$(py_key)
tool() { "$PYTHON3" "$top_srcdir/tests/airflow_db.py" "$@"; }
oracle() { "$PYTHON3" "$top_srcdir/tests/rotate_oracle.py" "$@"; }
FERNET_KEY="$new,$old" DEMO_OLD_KEY="$old" DEMO_LOST_KEY="$lost" \
	tool create "$db" --schema "$top_srcdir/data/schema-2.10.sql"
FERNET_KEY="$new,$old" DEMO_OLD_KEY="$old" DEMO_LOST_KEY="$lost" \
	tool fill "$db" --connections "$top_srcdir/data/demo-connections.json" \
	--variables "$top_srcdir/data/demo-variables.json" --triggers 3 2>/dev/null
# A trigger row from before Airflow 2.9: plain JSON, never a token.
"$PYTHON3" - "$db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("""INSERT INTO "trigger" (classpath, kwargs, created_date) VALUES
  ('airflow.triggers.temporal.TimeDeltaTrigger', '{"__var": {"delta": 60.0}, "__type": "dict"}',
   '2024-01-01 00:00:00.000000')""")
db.commit()
PY
cat > "$AIRFLOW_HOME/airflow.cfg" <<CFG
[core]
fernet_key = $new,$old

[database]
sql_alchemy_conn = sqlite:///$db
CFG
snap() { FERNET_KEY="$new,$old" oracle snapshot "$db" "$T/$1.json"; }
passwords=$("$PYTHON3" -c 'import json,sys
for c in json.load(open(sys.argv[1])):
    p = c.get("password")
    if p and len(p) > 5: print(p)' "$top_srcdir/data/demo-connections.json")
# no_secret TEXT DESCRIPTION: no key and no demo password in TEXT
no_secret() {
	_leak=0
	for _k in "$new" "$old" "$lost"; do
		case $1 in *"$_k"*) _leak=1 ;; esac
	done
	printf '%s\n' "$passwords" | {
		while IFS= read -r _p; do
			case $1 in *"$_p"*) exit 1 ;; esac
		done
		exit 0
	} || _leak=1
	is "$_leak" 0 "$2"
}

# -- the refusal: a row no key opens ------------------------------------------
snap before
o=$("$FERNCON" rotate-fernet-key 2>"$T/err"); rc=$?; e=$(cat "$T/err")
is "$rc" 1 "rotate refuses while a value opens with no key: exit 1"
contains "$o" "connection.password of 'legacy_reporting_db'" "the preflight names the row"
contains "$e" "refusing to rotate: 2 values open with no key of [core] fernet_key" "and says why on stderr (password and extra of that row)"
contains "$e" "--skip-undecryptable" "and how to go on"
contains "$o" "key 2" "the preflight counts per key"
contains "$o" "trigger rows in plain JSON" "and reports the plain-JSON trigger row"
is "$(FERNET_KEY="$new,$old" oracle check-unchanged "$T/before.json" "$db")" "ok unchanged $(
	"$PYTHON3" -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$T/before.json")" \
	"the refusal changed nothing"
no_secret "$o$e" "no key or password in the preflight and refusal"

# -- dry run --------------------------------------------------------------------
o=$("$FERNCON" rotate-fernet-key --dry-run --skip-undecryptable 2>&1); rc=$?
is "$rc" 0 "--dry-run exits 0"
contains "$o" "dry run:" "and says it is one"
contains "$o" "nothing was changed" "and that nothing changed"
is "$(FERNET_KEY="$new,$old" oracle check-unchanged "$T/before.json" "$db" | cut -c1-12)" "ok unchanged" \
	"--dry-run changed nothing"

# -- roles ----------------------------------------------------------------------
o=$("$FERNCON" --as-role Op rotate-fernet-key 2>&1); rc=$?
is "$rc" 1 "an Op may not rotate: exit 1"
contains "$o" "may not" "with the role's refusal"
o=$("$FERNCON" --as-role Op encrypt-plaintext 2>&1); rc=$?
is "$rc" 1 "an Op may not encrypt plaintext"
o=$(printf '%s\n' "$lost" | "$FERNCON" --as-role Viewer key probe 2>&1); rc=$?
is "$rc" 1 "a Viewer may not probe keys"

# -- rotate --skip-undecryptable ----------------------------------------------------
o=$("$FERNCON" rotate-fernet-key --skip-undecryptable 2>"$T/err"); rc=$?; e=$(cat "$T/err")
is "$rc" 0 "rotate --skip-undecryptable exits 0"
is "$e" "" "nothing on stderr when it is not a terminal (no progress line)"
contains "$o" "rotated " "a summary on stdout"
contains "$o" "left as they are (no key opens them):" "the skipped rows are reported"
contains "$o" "connection.password of 'legacy_reporting_db'" "by name"
contains "$o" "verify:" "the verify pass reports"
vline=$(printf '%s\n' "$o" | grep '^verify:')
n_ok=$(printf '%s\n' "$vline" | awk '{print $2}')
n_rot=$(printf '%s\n' "$o" | sed -n 's/^rotated \([0-9]*\) values.*/\1/p')
ok "every rotated value ($n_rot) opens with key 1 alone ($vline)" test "$n_ok" = "$n_rot" -a "$n_ok" -gt 0
contains "$vline" "the 2 left as they are still open with no key" "the verify line accounts for the skipped values"
r=$(FERNET_KEY="$new,$old" oracle check-rotated "$T/before.json" "$db")
contains "$r" "ok rotated" "Python: same plaintexts and timestamps, new tokens under the new key alone, flags and other rows unchanged"
printf '# %s\n' "$r"
ts_old=$(FERNET_KEY="$new,$old" "$PYTHON3" -c 'import json,sys
b = json.load(open(sys.argv[1]))
print(sum(1 for v in b.values() if v["key"] == 1))' "$T/before.json")
ok "the old-key rows ($ts_old) are among them" test "$ts_old" -gt 0
no_secret "$o" "no key or password in the rotation summary"
log=$(cat "$AIRFLOW_HOME/ferncon-actions.log" 2>/dev/null)
contains "$log" '"rotate-fernet-key"' "the rotation is in the action log"
no_secret "$log" "and the log holds no secret"

# A second run: everything is under key 1 already and is rotated again.
snap before2
o=$("$FERNCON" rotate-fernet-key --skip-undecryptable 2>&1); rc=$?
is "$rc" 0 "a rerun completes"
r=$(FERNET_KEY="$new" oracle check-rotated "$T/before2.json" "$db")
contains "$r" "ok rotated" "Python: a rerun rotates again, keeping plaintexts and timestamps"

# -- encrypt-plaintext --------------------------------------------------------------
snap before3
o=$("$FERNCON" encrypt-plaintext --dry-run 2>&1); rc=$?
is "$rc" 0 "encrypt-plaintext --dry-run exits 0"
want=$("$PYTHON3" -c 'import json,sys
b = json.load(open(sys.argv[1]))
print(sum(1 for v in b.values() if v["field"] != "trigger.kwargs" and not v["flag"] and v["raw"] is not None and (v["raw"] != "" or v["field"] == "variable.val")))' "$T/before3.json")
contains "$o" "dry run: $want plaintext value" "and counts the $want plaintext values"
is "$(FERNET_KEY="$new" oracle check-unchanged "$T/before3.json" "$db" | cut -c1-12)" "ok unchanged" \
	"and changes nothing"
START=$(date +%s); export START
o=$("$FERNCON" encrypt-plaintext 2>"$T/err"); rc=$?
is "$rc" 0 "encrypt-plaintext exits 0"
contains "$o" "encrypted $want values" "and says how many"
r=$(FERNET_KEY="$new" oracle check-encrypted "$T/before3.json" "$db")
contains "$r" "ok encrypted $want" "Python: each has its flag set and opens with the new key to the old text; nothing else changed"
printf '# %s\n' "$r"
no_secret "$o$(cat "$T/err")" "no key or password in its output"
o=$("$FERNCON" key status 2>&1)
contains "$o" "plaintext:   0 values" "key status: no plaintext value is left"
contains "$o" "plain JSON:  1 trigger rows" "and the plain-JSON trigger row is still reported"

# -- key status: ages -------------------------------------------------------------------
# Token times are kept by a rotation: the rows written under the old key 400
# days ago are still that old.
stale=$("$PYTHON3" -c 'import json,sys,time
b = json.load(open(sys.argv[1])); cut = time.time() - 90 * 86400
print(sum(1 for v in b.values() if v["key"] is not None and v["ts"] < cut))' "$T/before3.json")
contains "$o" "older than 90 days: $stale values" "key status: $stale values have tokens older than rotation_max_age_days"
o=$(AIRFLOW__CONSOLE__ROTATION_MAX_AGE_DAYS=100000 "$FERNCON" key status 2>&1)
contains "$o" "older than 100000 days: 0 values" "[console] rotation_max_age_days is honoured"

# -- key probe ------------------------------------------------------------------------
o=$(printf '# candidates\n%s\n\n%s\n' "$old" "$lost" | "$FERNCON" key probe 2>&1); rc=$?
is "$rc" 0 "key probe exits 0 when a candidate opens every lost value"
contains "$o" "no configured key opens: 2 values (connection.password 1, connection.extra 1)" "it counts the values no configured key opens"
contains "$o" "candidate 2 (line 4): opens 2 values" "and names the candidate that opens them, by line"
contains "$o" "connection.password of 'legacy_reporting_db' (id" "and the row"
no_secret "$o" "no key in the probe's output"
printf '%s\n' "$new" > "$T/cands"
o=$("$FERNCON" key probe --from "$T/cands" 2>&1); rc=$?
is "$rc" 1 "key probe --from FILE exits 1 when the values stay unopened"
contains "$o" "still unopened: 2 values" "and says so"
o=$("$FERNCON" key probe "$lost" 2>&1); rc=$?
is "$rc" 2 "a candidate key in argv is refused"
lacks "$o" "$lost" "and not echoed"

# -- the undecryptable row can be fixed: add the found key, rotate ----------------------------
o=$(AIRFLOW__CORE__FERNET_KEY="$new,$lost" "$FERNCON" rotate-fernet-key 2>&1); rc=$?
is "$rc" 0 "with the found key in the ring the rotation goes through without --skip"

# -- an empty key ---------------------------------------------------------------------------
snap before4
o=$(AIRFLOW__CORE__FERNET_KEY= "$FERNCON" rotate-fernet-key 2>&1); rc=$?
is "$rc" 2 "an empty fernet_key: rotate exits 2"
contains "$o" "encryption is off" "with a clear message"
o=$(AIRFLOW__CORE__FERNET_KEY= "$FERNCON" encrypt-plaintext 2>&1); rc=$?
is "$rc" 2 "an empty fernet_key: encrypt-plaintext exits 2"
contains "$o" "encryption is off" "with a clear message"

# -- another process holds the write lock ------------------------------------------------
# Python takes the lock (BEGIN IMMEDIATE), writes a variable, keeps the
# transaction open for 7 s, then commits. ferncon waits its 5 s busy timeout,
# fails with one clear line and changes nothing; Python's write survives.
"$PYTHON3" - "$db" "$T/locked" <<'PY' &
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN IMMEDIATE")
db.execute("""INSERT INTO variable ("key", val, is_encrypted) VALUES ('written_while_locked', 'x', 0)""")
open(sys.argv[2], "w").close()
time.sleep(7)
db.execute("COMMIT")
PY
writer=$!
while [ ! -f "$T/locked" ]; do sleep 0.05; done
t0=$(date +%s)
o=$("$FERNCON" rotate-fernet-key 2>&1); rc=$?
t1=$(date +%s)
wait "$writer"
is "$rc" 3 "the DB locked by another process: exit 3"
contains "$o" "is locked" "with a clear message"
contains "$o" "nothing was changed" "that says nothing changed"
ok "after waiting the busy timeout ($((t1 - t0)) s)" test $((t1 - t0)) -ge 4
n=$("$PYTHON3" -c 'import sqlite3,sys
db = sqlite3.connect(sys.argv[1])
print(db.execute("select count(*) from variable where key = ?", ("written_while_locked",)).fetchone()[0])
db.execute("delete from variable where key = ?", ("written_while_locked",)); db.commit()' "$db")
is "$n" 1 "Python's write under the lock committed"
r=$(FERNET_KEY="$new,$lost" oracle check-unchanged "$T/before4.json" "$db" | cut -c1-12)
is "$r" "ok unchanged" "and nothing else changed"

# -- a read-only DB -------------------------------------------------------------------------
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null 2>&1; then
	chmod 755 "$T" "$AIRFLOW_HOME"; chmod 644 "$db" "$AIRFLOW_HOME/airflow.cfg"
	asuser() { setpriv --reuid=nobody --regid=nogroup --clear-groups env SUDO_USER= "$@"; }
	# nobody may not reach the build tree (a clone under a 0700 dir): use a copy
	cp "$FERNCON" "$T/ferncon-ro" && chmod 755 "$T/ferncon-ro"
	ro_ferncon="$T/ferncon-ro"
else
	chmod 555 "$AIRFLOW_HOME"; chmod 444 "$db"
	asuser() { env "$@"; }
	ro_ferncon="$FERNCON"
fi
snap before5
o=$(asuser AIRFLOW_HOME="$AIRFLOW_HOME" "$ro_ferncon" rotate-fernet-key 2>&1); rc=$?
is "$rc" 1 "a read-only DB: rotate exits 1"
contains "$o" "read-only" "and says the DB is read-only"
o=$(asuser AIRFLOW_HOME="$AIRFLOW_HOME" "$ro_ferncon" rotate-fernet-key --dry-run --skip-undecryptable 2>&1); rc=$?
is "$rc" 0 "a read-only DB: --dry-run still works"
r=$(FERNET_KEY="$new" oracle check-unchanged "$T/before5.json" "$db" | cut -c1-12)
is "$r" "ok unchanged" "the read-only DB is unchanged"
chmod 700 "$AIRFLOW_HOME"; chmod 600 "$db"
done_testing

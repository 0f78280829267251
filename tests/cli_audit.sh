#!/bin/sh
# cli_audit.sh: `ferncon audit` on the demo home (`ferncon demo DIR`): the
# findings its data was built to show, the SARIF 2.1.0 shape (checked with
# python3's json), baseline and ignore file, exit codes 0/1/2, the
# AIRFLOW_CONN_* check, that no secret of the demo data (passwords,
# extras, variables) appears in any output format, and the hardening
# guides' settings of airflow.cfg (Celery, SMTP, secret_key, the TLS key
# file, the secrets backend) in each format, each with its safe form.
. "$top_srcdir/tests/lib.sh"
plan 62

export AIRFLOW_HOME="$T/demo"
"$FERNCON" demo "$AIRFLOW_HOME" >/dev/null 2>&1
py() { "$PYTHON3" -c "$@"; }

# -- the demo's findings -----------------------------------------------------
"$FERNCON" audit --format json >"$T/a.json"; rc=$?
is "$rc" 1 "findings at or above high: exit 1"
pairs=$(py 'import json,sys
for f in json.load(open(sys.argv[1]))["findings"]:
    print("%s %s %s" % (f["subject"], f["rule_id"], f["severity"]))' "$T/a.json")
missing=$(printf '%s\n' \
	"aws_default aws-access-token critical" \
	"aws_default aws-secret-access-key critical" \
	"aws_default plaintext-extra high" \
	"aws_athena aws-secret-access-key critical" \
	"google_cloud_default gcp-service-account-key critical" \
	"gcp_ml_legacy gcp-service-account-key critical" \
	"snowflake_dw snowflake-private-key-content critical" \
	"ssh_bastion private-key critical" \
	"ssh_bastion ssh-private-key-passphrase high" \
	"ssh_legacy_rsa private-key critical" \
	"wasb_default azure-storage-connection-string critical" \
	"slack_api_default slack-bot-token high" \
	"databricks_default databricks-api-token high" \
	"http_partner_api http-authorization-header high" \
	"http_partner_api basic-auth-url high" \
	"http_intranet transport-http-plain high" \
	"smtp_default transport-smtp-tls medium" \
	"billing_pg transport-postgres-sslmode high" \
	"crm_pg transport-postgres-sslmode high" \
	"mysql_default transport-mysql-ssl high" \
	"inventory_mysql transport-mysql-ssl high" \
	"redis_cache transport-redis-ssl high" \
	"ldap_corp transport-ldap-tls high" \
	"postgres_default plaintext-password high" \
	"mysql_default plaintext-password high" \
	"ftp_archive plaintext-password high" \
	"legacy_reporting_db undecryptable-value high" \
	"db_password variable-sensitive-name high" \
	"api_key_for_x variable-sensitive-name medium" \
	"partner_sftp_secret variable-sensitive-name high" \
	"[core] fernet_key fernet-key-in-config-file medium" \
	"[core] fernet_key key-rotation-overdue medium" |
	while IFS= read -r want; do
		printf '%s\n' "$pairs" | grep -qxF "$want" || echo "$want"
	done)
is "$missing" "" "the demo yields the findings it was built to show"
clean=$(printf '%s\n' "$pairs" | grep -E '^(warehouse_pg|warehouse_pg_replica|shop_mysql|aws_role_prod|gcp_key_path|fs_default|fs_incoming|kubernetes_default|azure_data_factory|mongo_events|oracle_erp|smtp_sendgrid|github_default|openai_default|sqlite_local) ')
is "$clean" "" "connections built clean (or holding secrets only in the password) have no finding"
is "$(printf '%s\n' "$pairs" | grep -c '^legacy_reporting_db ')" 2 \
	"the undecryptable row: password and extra"
hk=$(py 'import json,sys
print([f["rule_id"] for f in json.load(open(sys.argv[1]))["findings"] if f["json_pointer"] in ("/host_key", "/key_path", "/path")])' "$T/a.json")
is "$hk" "[]" "a public host_key, a key path and a directory are not findings"
summary=$(py 'import json,sys; s=json.load(open(sys.argv[1]))["summary"]; print(s["connections"], s["variables"], s["complete"], s["failed"], s["findings"] == len(json.load(open(sys.argv[1]))["findings"]))' "$T/a.json")
is "$summary" "42 9 True True True" "summary: 42 connections, 9 variables, complete, failed, counts match"
h=$(py 'import json,sys; print(all(f["secret_hash"] is None or f["secret_hash"].startswith("hmac-sha256:") for f in json.load(open(sys.argv[1]))["findings"]))' "$T/a.json")
is "$h" True "secret hashes are HMAC-SHA256"
is "$(stat -c %a "$AIRFLOW_HOME/ferncon-audit.key")" 600 "the per-install HMAC key is made with mode 0600"

# -- formats -----------------------------------------------------------------
"$FERNCON" audit >"$T/default.out"
is "$(head -c 1 "$T/default.out")" "{" "not a terminal: json by default"
"$FERNCON" audit --format text >"$T/a.txt"
last=$(tail -n 2 "$T/a.txt" | head -n 1)
ok "text ends with the summary line ($last)" \
	sh -c 'printf "%s\n" "$1" | grep -Eq "^[0-9]+ findings \([0-9]+ critical, [0-9]+ high, [0-9]+ medium, [0-9]+ low\) in [0-9]+ of 42 connections; minimum severity shown: low$"' _ "$last"
contains "$(cat "$T/a.txt")" "Fingerprint: gcp_ml_legacy:/extra__google_cloud_platform__keyfile_dict/private_key:gcp-service-account-key" \
	"text blocks carry the fingerprint"
contains "$(cat "$T/a.txt")" "Evidence:    -----BEGIN OPENSSH PRIVATE KEY----- [REDACTED" "a PEM shows only its BEGIN line"

"$FERNCON" audit --format sarif >"$T/a.sarif"; rc=$?
is "$rc" 1 "sarif: exit 1"
shape=$(py 'import json,sys
d = json.load(open(sys.argv[1]))
errs = []
def need(c, what):
    if not c: errs.append(what)
need(d.get("version") == "2.1.0", "version")
need(isinstance(d.get("$schema"), str) and "sarif" in d["$schema"], "$schema")
need(isinstance(d.get("runs"), list) and len(d["runs"]) == 1, "runs")
run = d["runs"][0]
drv = run["tool"]["driver"]
need(drv.get("name") == "ferncon", "driver.name")
rules = drv.get("rules")
need(isinstance(rules, list) and rules, "driver.rules")
levels = {"none", "note", "warning", "error"}
for r in rules:
    need(isinstance(r.get("id"), str), "rule.id")
    need(isinstance(r.get("shortDescription", {}).get("text"), str), "rule.shortDescription")
    need(r.get("defaultConfiguration", {}).get("level") in levels, "rule.level")
ids = [r["id"] for r in rules]
need(len(set(ids)) == len(ids), "unique rule ids")
res = run.get("results")
need(isinstance(res, list) and len(res) > 30, "results")
for x in res:
    need(x.get("ruleId") in ids, "result.ruleId")
    need(ids[x["ruleIndex"]] == x["ruleId"], "result.ruleIndex")
    need(x.get("level") in levels, "result.level")
    need(isinstance(x.get("message", {}).get("text"), str), "result.message.text")
    locs = x.get("locations")
    need(isinstance(locs, list) and locs, "result.locations")
    for l in locs:
        need(isinstance(l["physicalLocation"]["artifactLocation"]["uri"], str) or
             isinstance(l["logicalLocations"][0]["fullyQualifiedName"], str), "location")
    pf = x.get("partialFingerprints")
    need(isinstance(pf, dict) and pf and all(isinstance(v, str) for v in pf.values()),
         "partialFingerprints")
sev = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "none"}
need(all(sev[x["properties"]["severity"]] == x["level"] for x in res), "severity to level")
need(run["invocations"][0]["executionSuccessful"] is True, "invocations")
print(" ".join(sorted(set(errs))) or "ok")' "$T/a.sarif")
is "$shape" ok "SARIF 2.1.0 shape: version, \$schema, driver.rules, results, levels, fingerprints"
same=$(py 'import json,sys
a = sorted(f["fingerprint"] for f in json.load(open(sys.argv[1]))["findings"])
b = sorted(r["partialFingerprints"]["connExtraFingerprint/v1"] for r in json.load(open(sys.argv[2]))["runs"][0]["results"])
print(a == b)' "$T/a.json" "$T/a.sarif")
is "$same" True "json and sarif report the same findings"

# -- no secret in any output -------------------------------------------------
demo_secret_windows >"$T/secrets"
ok "there are secret windows to look for ($(wc -l <"$T/secrets"))" test "$(wc -l <"$T/secrets")" -gt 500
for f in a.json a.txt a.sarif; do
	found=$(grep -F -f "$T/secrets" "$T/$f" | head -n 3)
	is "$found" "" "no secret of the demo data in the $f report"
done

# -- baseline ----------------------------------------------------------------
out=$("$FERNCON" audit --format json --baseline "$T/a.json"); rc=$?
is "$rc" 0 "against its own baseline: exit 0"
n=$(printf '%s' "$out" | py 'import json,sys; d=json.load(sys.stdin); print(len(d["findings"]), d["summary"]["suppressed"]["baseline"] > 30)')
is "$n" "0 True" "nothing new; the baseline ones are counted as suppressed"
printf '%s' '{"conn_type": "http", "host": "https://api.example.com", "extra": {"token": "ghp_N3wT0kenAddedAfterTheBaseline0000000"}}' |
	"$FERNCON" connections add new_api --conn-json - >/dev/null
"$FERNCON" connections delete slack_api_default >/dev/null
printf '%s' '{"conn_type": "slack", "extra": {"token": "xoxb-1234567890-9876543210123-R0tatedTokenXyzXyzXyzAbc", "timeout": 30}}' |
	"$FERNCON" connections add slack_api_default --conn-json - >/dev/null
"$FERNCON" audit --format json --baseline "$T/a.json" >"$T/b.json"; rc=$?
is "$rc" 1 "a new secret after the baseline: exit 1"
got=$(py 'import json,sys
for f in json.load(open(sys.argv[1]))["findings"]: print(f["fingerprint"], ",".join(f["tags"]))' "$T/b.json")
is "$got" "new_api:/token:github-pat 
slack_api_default:/token:slack-bot-token changed-since-baseline" \
	"only the new secret and the rotated one (same fingerprint, new secret_hash) are reported"
lacks "$(cat "$T/b.json")" "ghp_N3wT0kenAddedAfterTheBaseline" "the new secret is not in the report"
sarif_base=$("$FERNCON" audit --format sarif >"$T/b.sarif"; "$FERNCON" audit --format json --baseline "$T/b.sarif" | py 'import json,sys; print(len(json.load(sys.stdin)["findings"]))')
is "$sarif_base" 0 "a SARIF report works as a baseline too"

# -- ignore file -------------------------------------------------------------
cat >"$T/ignore" <<'EOF'
# accepted risks, reviewed 2026-11
new_api:/token:github-pat # sandbox token of the CI, scoped read-only
slack_api_default:/token:slack-bot-token   # rotated monthly by the chat team
EOF
out=$("$FERNCON" audit --format json --baseline "$T/a.json" --ignore "$T/ignore"); rc=$?
is "$rc" 0 "baseline + ignore file cover everything: exit 0"
is "$(printf '%s' "$out" | py 'import json,sys; print(json.load(sys.stdin)["summary"]["suppressed"]["ignored"])')" 2 \
	"both ignored findings are counted"
printf 'new_api:/token:github-pat\n' >"$T/noreason"
err=$("$FERNCON" audit --format json --ignore "$T/noreason" 2>&1 >/dev/null); rc=$?
is "$rc" 2 "an ignore line without a reason: exit 2"
contains "$err" "line 1: a reason is required" "and the message says which line"

# -- exit codes and options --------------------------------------------------
"$FERNCON" audit --format json --fail-on none >/dev/null; is "$?" 0 "--fail-on none: exit 0"
"$FERNCON" audit --format json --baseline "$T/a.json" --fail-on low >/dev/null; is "$?" 1 \
	"--fail-on low counts the new findings"
out=$("$FERNCON" audit --format json --min-severity critical)
is "$(printf '%s' "$out" | py 'import json,sys; print(sorted(set(f["severity"] for f in json.load(sys.stdin)["findings"])))')" \
	"['critical']" "--min-severity critical shows only critical findings"
out=$("$FERNCON" audit --format json --min-severity info)
contains "$out" '"rule_id": "stale-token"' "--min-severity info shows token ages"
contains "$out" '"rule_id": "credential-file-path"' "and credential file paths"
"$FERNCON" audit --format xml >/dev/null 2>&1; is "$?" 2 "an unknown format: exit 2"
"$FERNCON" audit --fail-on severe >/dev/null 2>&1; is "$?" 2 "an unknown severity: exit 2"
"$FERNCON" audit --format json --db "sqlite:///$T/nothing-here.db" >/dev/null 2>&1; is "$?" 2 \
	"a DB that cannot be opened: exit 2 (could not complete)"
"$FERNCON" audit --format json --baseline "$T/missing.json" >/dev/null 2>&1; is "$?" 2 \
	"a missing baseline: exit 2"
"$FERNCON" --as-role Viewer audit --format json >/dev/null 2>&1; is "$?" 1 "a Viewer may audit"

# -- environment and configuration -------------------------------------------
out=$(AIRFLOW_CONN_ENV_PG='postgres://etl:Env-Only-Pw-4711@db.corp.example/dw' \
	"$FERNCON" audit --format json)
contains "$out" '"fingerprint": "env:AIRFLOW_CONN_ENV_PG:password:env-connection-password"' \
	"an AIRFLOW_CONN_* variable with a password is reported"
lacks "$out" "Env-Only-Pw-4711" "without its password"
chmod 644 "$AIRFLOW_HOME/airflow.cfg"
out=$("$FERNCON" audit --format json)
contains "$out" '"fingerprint": "config:airflow.cfg:config-file-permissions"' \
	"airflow.cfg readable by others is reported"
chmod 600 "$AIRFLOW_HOME/airflow.cfg"

# -- the hardening guides' settings (doc/audit-rules.md section 7) -----------
out=$("$FERNCON" audit --format json --min-severity info)
got=$(printf '%s' "$out" | py 'import json,sys
for f in json.load(sys.stdin)["findings"]:
    if f["rule_id"] == "secrets-backend-unset": print(f["severity"], f["subject"], f["message"])')
contains "$got" "info [secrets] backend" "[secrets] backend unset while connections keep passwords: info"
contains "$got" "connections would move: " "naming the connections that would move"
contains "$got" "billing_pg" "(billing_pg keeps a password)"
rules() { py 'import json,sys
print(" ".join(f["rule_id"] for f in json.load(sys.stdin)["findings"]))'; }
lacks "$("$FERNCON" audit --format json | rules)" "secrets-backend-unset" "info is not shown by default"
cp "$AIRFLOW_HOME/airflow.cfg" "$T/demo.cfg"
printf '\n[secrets]\nbackend = airflow.providers.hashicorp.secrets.vault.VaultBackend\n' \
	>>"$AIRFLOW_HOME/airflow.cfg"
lacks "$("$FERNCON" audit --format json --min-severity info | rules)" "secrets-backend-unset" \
	"with a secrets backend: no finding"
cp "$T/demo.cfg" "$AIRFLOW_HOME/airflow.cfg"

printf '%s\n' '-----BEGIN PRIVATE KEY-----' >"$T/tls.key"
chmod 644 "$T/tls.key"
cat >>"$AIRFLOW_HOME/airflow.cfg" <<EOF

[celery]
broker_url = amqp://airflow:Amqp-Pass-5150@rabbit.corp.example:5672//
result_backend = db+postgresql://celery:Celery-Db-Pass-6060@pg.corp.example/celery

[smtp]
smtp_host = smtp.corp.example
smtp_starttls = False
smtp_ssl = False
smtp_user = alerts
smtp_password = Smtp-Pass-7070

[api]
secret_key = temporary_key
ssl_cert = /etc/airflow/tls.crt
ssl_key = $T/tls.key
EOF
export AIRFLOW__CORE__EXECUTOR=CeleryExecutor
"$FERNCON" audit --format json >"$T/g.json"
"$FERNCON" audit --format text >"$T/g.txt"
"$FERNCON" audit --format sarif >"$T/g.sarif"
line_of() { grep -n "^$1 " "$AIRFLOW_HOME/airflow.cfg" | tail -n 1 | cut -d: -f1; }
got=$(py 'import json,sys
for f in json.load(open(sys.argv[1]))["findings"]:
    if f["scope"] == "config" and f["line"] is not None:
        print(f["rule_id"], f["severity"], f["line"])' "$T/g.json" | sort)
for want in "celery-broker-no-tls high $(line_of broker_url)" \
	"celery-broker-password-in-config-file medium $(line_of broker_url)" \
	"celery-result-backend-no-tls high $(line_of result_backend)" \
	"celery-result-backend-password-in-config-file medium $(line_of result_backend)" \
	"smtp-password-in-config-file medium $(line_of smtp_password)" \
	"secret-key-default critical $(line_of secret_key)" \
	"tls-key-file-permissions high $(line_of ssl_key)"; do
	contains "$got" "$want" "json: $want"
done
fix=$(py 'import json,sys
print(all(f["fix"] for f in json.load(open(sys.argv[1]))["findings"]))' "$T/g.json")
is "$fix" True "json: every finding carries a fix line"
contains "$(cat "$T/g.txt")" "File:        $AIRFLOW_HOME/airflow.cfg:$(line_of smtp_password)
Evidence:    [REDACTED, 14 chars]" "text: the file and line, redacted evidence"
contains "$(cat "$T/g.txt")" "Fix:         use AIRFLOW__CELERY__BROKER_URL, broker_url_cmd or broker_url_secret" \
	"text: the fix line"
# The demo DB is Airflow 3.2: SMTP credentials come from the connection only.
contains "$(cat "$T/g.txt")" "[smtp] smtp_password is written in airflow.cfg: Airflow 3 does not read it: delete it" \
	"Airflow 3: a password left in [smtp] is dead weight to delete"
lacks "$(py 'import json,sys
print(" ".join(f["rule_id"] for f in json.load(open(sys.argv[1]))["findings"]))' "$T/g.json")" "smtp-no-tls" \
	"Airflow 3: smtp_starttls is the connection's business (transport-smtp-tls)"
sarif=$(py 'import json,sys
d = json.load(open(sys.argv[1]))["runs"][0]
rules = d["tool"]["driver"]["rules"]
for r in d["results"]:
    if r["ruleId"] == "secret-key-default":
        loc = r["locations"][0]["physicalLocation"]
        print(r["level"], loc["artifactLocation"]["uri"].endswith("airflow.cfg"), loc["region"]["startLine"],
              bool(rules[r["ruleIndex"]]["help"]["text"]))' "$T/g.sarif")
is "$sarif" "error True $(line_of secret_key) True" "sarif: level, airflow.cfg and line, the rule's help"
found=$(grep -l -e Amqp-Pass-5150 -e Celery-Db-Pass-6060 -e Smtp-Pass-7070 "$T/g.json" "$T/g.txt" "$T/g.sarif")
is "$found" "" "no password of airflow.cfg in any report"

# The safe forms: TLS, passwords from _cmd and the environment, a random key, mode 0600.
cp "$T/demo.cfg" "$AIRFLOW_HOME/airflow.cfg"
chmod 600 "$T/tls.key"
cat >>"$AIRFLOW_HOME/airflow.cfg" <<EOF

[celery]
broker_url_cmd = echo amqps://airflow:Amqp-Pass-5150@rabbit.corp.example:5671//
result_backend = db+postgresql://celery@pg.corp.example/celery?sslmode=verify-full

[smtp]
smtp_host = smtp.corp.example
smtp_starttls = True
smtp_user = alerts

[api]
ssl_cert = /etc/airflow/tls.crt
ssl_key = $T/tls.key
EOF
out=$(AIRFLOW__SMTP__SMTP_PASSWORD=Smtp-Pass-7070 AIRFLOW__API__SECRET_KEY=3c0f9e8d7b6a5f4e3d2c1b0a99887766 \
	"$FERNCON" audit --format json)
got=$(printf '%s' "$out" | py 'import json,sys
print(sorted(set(f["rule_id"] for f in json.load(sys.stdin)["findings"] if f["scope"] == "config") &
    {"celery-broker-no-tls", "celery-broker-password-in-config-file", "celery-result-backend-no-tls",
     "celery-result-backend-password-in-config-file", "smtp-no-tls", "smtp-password-in-config-file",
     "secret-key-default", "secret-key-empty", "secret-key-in-config-file", "tls-key-file-permissions"}))')
is "$got" "[]" "the safe forms: no finding"
unset AIRFLOW__CORE__EXECUTOR
cp "$T/demo.cfg" "$AIRFLOW_HOME/airflow.cfg"

done_testing

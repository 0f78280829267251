"""secret_corpus.py: realistic Airflow connection extras for the side-by-side
comparison of `ferncon audit` and secretlint (bench/secretlint_compare.py).

Each case is a connection (conn_id, conn_type, extra) and the JSON Pointers
of the secrets planted in its extra; every other leaf is a near miss or an
ordinary setting, so a finding there is a false positive. The extras use the
providers' real extra field names (the amazon, google, microsoft.azure,
snowflake, ssh, slack, http, databricks, openai... connection docs under
providers/*/docs/connections/ of apache/airflow; doc/audit-rules.md
section 5 lists them). Secrets are synthetic: random characters in each
vendor's published shape (prefix, length, alphabet), never real
credentials. The near misses are what extras hold beside secrets: paths,
templates, Airflow's "***", UUIDs, public keys and certificates, ARNs,
digests, URLs without credentials, vendor example keys.

cases() is deterministic (a fixed seed): the same corpus on every run.
"""
import base64
import json
import random
import urllib.parse

R = random.Random(20261207)

UP = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
LOW = "abcdefghijklmnopqrstuvwxyz"
DIG = "0123456789"
ALNUM = UP + LOW + DIG
B64 = ALNUM + "+/"
URLSAFE = ALNUM + "-_"
HEX = "0123456789abcdef"


def rnd(alphabet, n):
    return "".join(R.choice(alphabet) for _ in range(n))


def uuid():
    h = rnd(HEX, 32)
    return "%s-%s-4%s-a%s-%s" % (h[:8], h[8:12], h[13:16], h[17:20], h[20:])


# How real DER bodies start (an ASN.1 SEQUENCE and the algorithm's OID), so
# that a scanner that checks the body (secretlint does) sees a real shape.
DER_START = {
    "RSA PRIVATE KEY": "MIIEowIBAAKCAQEA",
    "PRIVATE KEY": "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQ",
    "ENCRYPTED PRIVATE KEY": "MIIFHDBOBgkqhkiG9w0BBQ0wQTApBgkqhkiG9w0BBQwwHAQI",
    "CERTIFICATE": "MIIDdzCCAl+gAwIBAgIE",
}


def pem(kind="PRIVATE KEY", lines=25):
    text = DER_START[kind] + rnd(B64, 64 * lines - len(DER_START[kind]))
    body = "\n".join(text[i:i + 64] for i in range(0, len(text), 64)) + "\n" + rnd(B64, 40) + "=="
    return "-----BEGIN %s-----\n%s\n-----END %s-----\n" % (kind, body, kind)


def openssh_key():
    text = "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW" + rnd(B64, 350)
    body = "\n".join(text[i:i + 70] for i in range(0, len(text), 70))
    return "-----BEGIN OPENSSH PRIVATE KEY-----\n%s\n-----END OPENSSH PRIVATE KEY-----\n" % body


def cert():
    return pem("CERTIFICATE", 18)


def ssh_pub():
    return R.choice(["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI" + rnd(B64, 43),
                     "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ" + rnd(B64, 340)])


def aws_key_id(prefix="AKIA"):
    return prefix + rnd(UP + "234567", 16)


def aws_secret():
    return rnd(ALNUM + "/+", 40)


def aws_session():
    return "IQoJb3JpZ2luX2VjE" + rnd(B64, 380) + "=="


def arn(kind):
    acct = rnd(DIG, 12)
    return {
        "role": "arn:aws:iam::%s:role/airflow-%s" % (acct, R.choice(["etl", "dq", "ml"])),
        "kms": "arn:aws:kms:eu-west-1:%s:key/%s" % (acct, uuid()),
        "secret": "arn:aws:secretsmanager:eu-west-1:%s:secret:prod/airflow/db-%s"
        % (acct, rnd(ALNUM, 6)),
        "sns": "arn:aws:sns:us-east-1:%s:airflow-alerts" % acct,
    }[kind]


def gcp_sa(project):
    return {
        "type": "service_account",
        "project_id": project,
        "private_key_id": rnd(HEX, 40),
        "private_key": pem(),
        "client_email": "airflow@%s.iam.gserviceaccount.com" % project,
        "client_id": rnd(DIG, 21),
        "auth_uri": "https://accounts.google.com/o/oauth2/auth",
        "token_uri": "https://oauth2.googleapis.com/token",
        "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
    }


def azure_account_key():
    return rnd(B64, 86) + "=="


def azure_client_secret():
    return rnd(ALNUM, 3) + R.choice(DIG) + "Q~" + rnd(ALNUM + "_~.-", 34)


def sas():
    return "sv=2022-11-02&ss=b&srt=sco&sp=rl&se=2026-12-31T00:00:00Z&st=2026-01-01T00:00:00Z" \
        "&spr=https&sig=" + rnd(ALNUM, 40) + "%3D"


def slack_bot():
    return "xoxb-%s-%s-%s" % (rnd(DIG, 12), rnd(DIG, 13), rnd(ALNUM, 24))


def slack_hook():
    return "https://hooks.slack.com/services/T%s/B%s/%s" % (rnd(UP + DIG, 8), rnd(UP + DIG, 10),
                                                            rnd(ALNUM, 24))


def jwt():
    def seg(d):
        return base64.urlsafe_b64encode(json.dumps(d).encode()).decode().rstrip("=")
    return "%s.%s.%s" % (seg({"alg": "RS256", "typ": "JWT"}),
                         seg({"sub": "airflow", "iss": "https://idp.corp.example",
                              "exp": 1893456000, "jti": rnd(HEX, 16)}),
                         rnd(URLSAFE, 86))


def openai_key():
    if R.random() < 0.5:
        return "sk-proj-" + rnd(URLSAFE, 74) + "T3BlbkFJ" + rnd(URLSAFE, 74)
    return "sk-" + rnd(ALNUM, 20) + "T3BlbkFJ" + rnd(ALNUM, 20)


def basic(user, pw, host, scheme="https"):
    """A URL with credentials, the password percent-encoded as a URL needs it."""
    return "%s://%s:%s@%s" % (scheme, user, urllib.parse.quote(pw, safe=""), host)


def password():
    return rnd(ALNUM, 10) + R.choice("!#%^*-_") + rnd(ALNUM, 7)


# -- cases: (conn_type, extra, planted pointers) -----------------------------

def planted_cases():
    out = []
    add = out.append
    for i in range(8):	# aws: key pair, session token, beside ARNs and a region
        e = {"aws_access_key_id": aws_key_id(R.choice(["AKIA", "ASIA"])),
             "aws_secret_access_key": aws_secret(), "region_name": "eu-west-%d" % (i % 3 + 1),
             "role_arn": arn("role")}
        p = ["/aws_access_key_id", "/aws_secret_access_key"]
        if i % 2:
            e["aws_session_token"] = aws_session()
            p.append("/aws_session_token")
        if i % 3 == 0:
            e["config_kwargs"] = {"signature_version": "s3v4", "retries": {"max_attempts": 5}}
        add(("aws", e, p))
    for i in range(3):	# aws proxies with a password
        add(("aws", {"role_arn": arn("role"), "region_name": "us-east-1",
                     "config_kwargs": {"proxies": {"https": basic("svc-proxy", password(),
                                                                  "proxy.corp.example:3128", "http")}}},
             ["/config_kwargs/proxies/https"]))
    for i in range(10):	# google: keyfile_dict as an object, as a string, legacy prefix
        proj = "data-%s-%d" % (rnd(LOW, 5), R.randint(100, 999))
        sa = gcp_sa(proj)
        mode = i % 3
        if mode == 0:
            e = {"keyfile_dict": sa, "project": proj, "num_retries": 5}
        elif mode == 1:
            e = {"keyfile_dict": json.dumps(sa), "project": proj,
                 "scope": "https://www.googleapis.com/auth/cloud-platform"}
        else:
            e = {"extra__google_cloud_platform__keyfile_dict": json.dumps(sa, indent=2),
                 "extra__google_cloud_platform__project": proj}
        key = "extra__google_cloud_platform__keyfile_dict" if mode == 2 else "keyfile_dict"
        add(("google_cloud_platform", e, ["/%s/private_key" % key]))
    for i in range(3):	# google api key in an http connection
        add(("http", {"headers": {"x-goog-api-key": "AIza" + rnd(URLSAFE, 35)},
                      "endpoint": "https://maps.googleapis.com"}, ["/headers/x-goog-api-key"]))
    for i in range(6):	# wasb: connection string, sas, shared key
        acct = "st%s%d" % (rnd(LOW, 6), i)
        kind = i % 3
        if kind == 0:
            e = {"connection_string": "DefaultEndpointsProtocol=https;AccountName=%s;AccountKey=%s;"
                 "EndpointSuffix=core.windows.net" % (acct, azure_account_key())}
            p = ["/connection_string"]
        elif kind == 1:
            e = {"sas_token": sas(), "account_name": acct}
            p = ["/sas_token"]
        else:
            e = {"shared_access_key": azure_account_key(), "account_name": acct,
                 "tenant_id": uuid()}
            p = ["/shared_access_key"]
        add(("wasb", e, p))
    for i in range(5):	# azure service principal: client secret in key_json or extra
        if i % 2:
            e = {"key_json": {"clientId": uuid(), "clientSecret": azure_client_secret(),
                              "tenantId": uuid(), "subscriptionId": uuid()}}
            p = ["/key_json/clientSecret"]
        else:
            e = {"tenantId": uuid(), "subscriptionId": uuid(), "client_secret": azure_client_secret()}
            p = ["/client_secret"]
        add(("azure" if i % 2 else "azure_data_factory", e, p))
    for i in range(8):	# snowflake: key content (PEM or base64 PEM), passphrase, OAuth
        k = pem("ENCRYPTED PRIVATE KEY" if i % 2 else "PRIVATE KEY", 20)
        if i % 4 == 3:
            k = base64.b64encode(k.encode()).decode()
        e = {"account": "xy%s.eu-central-1" % rnd(DIG, 5), "warehouse": "ETL_WH",
             "database": "ANALYTICS", "role": "TRANSFORMER", "private_key_content": k}
        p = ["/private_key_content"]
        if i % 2:
            e["private_key_passphrase"] = password()
            p.append("/private_key_passphrase")
        add(("snowflake", e, p))
    for i in range(3):
        add(("snowflake", {"account": "ab%s" % rnd(DIG, 5), "authenticator": "oauth",
                           "client_id": rnd(ALNUM, 28), "client_secret": rnd(B64, 44),
                           "refresh_token": "ver:2-hint:" + rnd(DIG, 10) + "-did:" + rnd(DIG, 4) +
                           "-ETMsDgAAAY" + rnd(B64, 120)},
             ["/client_secret", "/refresh_token"]))
    for i in range(8):	# ssh / sftp: private key inline, passphrase, beside a host key
        k = openssh_key() if i % 2 else pem("RSA PRIVATE KEY", 25)
        e = {"private_key": k, "host_key": ssh_pub(), "no_host_key_check": False,
             "conn_timeout": 10}
        p = ["/private_key"]
        if i % 3 == 0:
            e["private_key_passphrase"] = password()
            p.append("/private_key_passphrase")
        add(("sftp" if i % 2 else "ssh", e, p))
    for i in range(6):	# slack: api token, webhook
        if i % 2:
            add(("slackwebhook", {"webhook_token": slack_hook().split("/services/")[1],
                                  "timeout": 30}, ["/webhook_token"]))
        else:
            add(("slack", {"token": slack_bot(), "timeout": 30, "base_url": "https://slack.com/api/"},
                 ["/token"]))
    for i in range(3):
        add(("http", {"webhook_url": slack_hook(), "channel": "#data-alerts"}, ["/webhook_url"]))
    for i in range(12):	# http: headers with bearer, basic, api keys
        kind = i % 6
        if kind == 0:
            e = {"headers": {"Authorization": "Bearer " + rnd(URLSAFE, 40),
                             "Content-Type": "application/json"}}
            p = ["/headers/Authorization"]
        elif kind == 1:
            e = {"Authorization": "Basic " + base64.b64encode(("svc_airflow:" + password()).encode()).decode()}
            p = ["/Authorization"]
        elif kind == 2:
            e = {"headers": {"X-Api-Key": rnd(HEX, 32), "Accept": "application/json"},
                 "timeout": 60}
            p = ["/headers/X-Api-Key"]
        elif kind == 3:
            e = {"headers": {"Authorization": "token ghp_" + rnd(ALNUM, 36)},
                 "endpoint": "https://api.github.com"}
            p = ["/headers/Authorization"]
        elif kind == 4:
            e = {"proxies": {"https": basic("etl", password(), "proxy.corp.example:8080", "http")},
                 "verify": True}
            p = ["/proxies/https"]
        else:
            e = {"headers": {"X-Shopify-Access-Token": "shpat_" + rnd(HEX, 32)}}
            p = ["/headers/X-Shopify-Access-Token"]
        add(("http", e, p))
    for i in range(5):	# databricks
        e = {"token": "dapi" + rnd(HEX, 32) + R.choice(["", "-2"]),
             "http_path": "/sql/1.0/warehouses/" + rnd(HEX, 16),
             "host": "adb-%s.%d.azuredatabricks.net" % (rnd(DIG, 16), R.randint(1, 9))}
        add(("databricks", e, ["/token"]))
    for i in range(5):	# openai / anthropic / huggingface / cohere-like
        kind = i % 3
        if kind == 0:
            e = {"openai_client_kwargs": {"api_key": openai_key(), "organization": "org-" + rnd(ALNUM, 24)}}
            p = ["/openai_client_kwargs/api_key"]
        elif kind == 1:
            e = {"api_key": "sk-ant-api03-" + rnd(URLSAFE, 93) + "AA", "model": "claude-3-5-sonnet"}
            p = ["/api_key"]
        else:
            e = {"token": "hf_" + rnd(UP + LOW, 34), "endpoint": "https://api-inference.huggingface.co"}
            p = ["/token"]
        add(("openai" if kind == 0 else "http", e, p))
    for i in range(6):	# vendor tokens in generic connections
        kind = i % 6
        tok, key = [("ghp_" + rnd(ALNUM, 36), "token"),
                    ("glpat-" + rnd(URLSAFE, 20), "private_token"),
                    ("sk_live_" + rnd(ALNUM, 24), "api_key"),
                    ("SG." + rnd(URLSAFE, 22) + "." + rnd(URLSAFE, 43), "api_key"),
                    ("hvs." + rnd(URLSAFE, 95), "token"),
                    ("npm_" + rnd(ALNUM, 36), "npm_token")][kind]
        add((R.choice(["http", "generic"]), {key: tok}, ["/" + key]))
    for i in range(6):	# URLs with passwords: mongo, postgres dsn, redis, elastic
        kind = i % 3
        if kind == 0:
            e = {"srv": True, "uri": basic("etl", password(), "cluster0.%s.mongodb.net/events"
                                           % rnd(LOW, 5), "mongodb+srv")}
            p = ["/uri"]
        elif kind == 1:
            e = {"dsn": basic("reporting", password(), "pg.corp.example:5432/dw?sslmode=require",
                              "postgresql")}
            p = ["/dsn"]
        else:
            e = {"hosts": ["https://es1.corp.example:9200"], "http_auth": "elastic:" + password(),
                 "api_key": base64.b64encode((rnd(ALNUM, 20) + ":" + rnd(URLSAFE, 22)).encode()).decode()}
            p = ["/http_auth", "/api_key"]
        add(("mongo" if kind == 0 else "generic", e, p))
    for i in range(4):	# datadog, pagerduty, opsgenie, twilio
        kind = i % 4
        if kind == 0:
            e = {"api_key": rnd(HEX, 32), "app_key": rnd(HEX, 40), "api_host": "https://api.datadoghq.eu"}
            p = ["/api_key", "/app_key"]
        elif kind == 1:
            e = {"routing_key": rnd(HEX, 32)}
            p = ["/routing_key"]
        elif kind == 2:
            e = {"account_sid": "AC" + rnd(HEX, 32), "auth_token": rnd(HEX, 32)}
            p = ["/auth_token"]
        else:
            e = {"api_key": "SK" + rnd(HEX, 32), "api_secret": rnd(ALNUM, 32)}
            p = ["/api_key", "/api_secret"]
        add((["datadog", "pagerduty_events", "twilio", "twilio"][kind], e, p))
    for i in range(4):	# kubernetes: inline kube_config with a token and client key
        e = {"kube_config": {"apiVersion": "v1", "kind": "Config",
                             "clusters": [{"name": "prod", "cluster": {
                                 "server": "https://10.0.0.%d:6443" % (i + 1),
                                 "certificate-authority-data": base64.b64encode(cert().encode()).decode()}}],
                             "users": [{"name": "airflow", "user": {"token": jwt()}}]},
             "namespace": "airflow", "in_cluster": False}
        add(("kubernetes", e, ["/kube_config/users/0/user/token"]))
    for i in range(3):	# salesforce, tableau, jira
        kind = i % 3
        if kind == 0:
            e = {"security_token": rnd(ALNUM, 25), "consumer_key": "3MVG9" + rnd(ALNUM + "._", 80),
                 "consumer_secret": rnd(HEX.upper(), 64), "domain": "login"}
            p = ["/security_token", "/consumer_secret"]
        elif kind == 1:
            e = {"token_name": "airflow-refresh", "personal_access_token": rnd(URLSAFE, 22) + ":" + rnd(ALNUM, 32),
                 "site_id": "analytics"}
            p = ["/personal_access_token"]
        else:
            e = {"api_token": "ATATT3xFfGF0" + rnd(URLSAFE, 180) + "=" + rnd(HEX.upper(), 8),
                 "verify": True}
            p = ["/api_token"]
        add((["salesforce", "tableau", "jira"][kind], e, p))
    for i in range(2):	# 1Password and Linear service tokens in generic connections
        e = ({"op_service_account_token": "ops_eyJ" + rnd(URLSAFE, 300)} if i == 0 else
             {"api_key": "lin_api_" + rnd(ALNUM, 40)})
        add(("generic", e, ["/" + next(iter(e))]))
    return out


def near_miss_cases():
    out = []
    add = out.append
    templ = ["{{ var.value.api_token }}", "{{ conn.warehouse.password }}", "${SNOWFLAKE_PASSWORD}",
             "$DATABRICKS_TOKEN", "<your-api-key>", "{{ var.json.slack.token }}", "%API_KEY%"]
    for i in range(10):
        add(("aws", {"role_arn": arn("role"), "region_name": "eu-west-1",
                     "aws_access_key_id": R.choice(["AKIAIOSFODNN7EXAMPLE", "***"]),
                     "aws_secret_access_key": R.choice(["***", "{{ var.value.aws_secret }}"]),
                     "kms_key_id": arn("kms"), "s3_bucket": "s3://corp-datalake-%d/raw/" % i,
                     "secret_arn": arn("secret"), "sns_topic": arn("sns"),
                     "assume_role_method": "assume_role_with_web_identity",
                     "external_id": uuid()}, []))
    for i in range(8):
        proj = "analytics-%s" % rnd(LOW, 6)
        add(("google_cloud_platform", {"key_path": "/opt/airflow/secrets/%s-sa.json" % proj,
                                       "project": proj, "key_secret_name": "airflow-gcp-sa",
                                       "scope": "https://www.googleapis.com/auth/cloud-platform",
                                       "private_key_id": rnd(HEX, 40),
                                       "client_email": "etl@%s.iam.gserviceaccount.com" % proj,
                                       "impersonation_chain": "svc-etl@%s.iam.gserviceaccount.com" % proj},
             []))
    for i in range(8):
        add(("azure", {"tenantId": uuid(), "subscriptionId": uuid(), "client_id": uuid(),
                       "managed_identity_client_id": uuid(), "workload_identity_tenant_id": uuid(),
                       "key_path": "/etc/airflow/azure/sp.json", "resource_group": "rg-data-prod"}, []))
    for i in range(8):
        add(("ssh", {"key_file": R.choice(["~/.ssh/id_ed25519", "/home/airflow/.ssh/id_rsa"]),
                     "host_key": ssh_pub(), "no_host_key_check": False, "allow_host_key_change": False,
                     "look_for_keys": False}, []))
    for i in range(6):
        add(("postgres", {"sslmode": "verify-full", "sslrootcert": "/etc/ssl/certs/rds-ca-2019-root.pem",
                          "sslcert": "/etc/airflow/pg/client.crt", "sslkey": "/etc/airflow/pg/client.key",
                          "ca_cert": cert(), "iam": True, "aws_conn_id": "aws_default"}, []))
    for i in range(8):
        add(("http", {"headers": {"Authorization": R.choice(["***", templ[i % len(templ)]]),
                                  "Content-Type": "application/json",
                                  "X-Request-Id": uuid()},
                      "endpoint": "https://api.partner.example/v2", "timeout": 30}, []))
    for i in range(8):
        add(("snowflake", {"account": "xy%s.eu-central-1" % rnd(DIG, 5), "warehouse": "ETL_WH",
                           "private_key_file": "/opt/airflow/keys/snowflake_rsa_key.p8",
                           "private_key_content": R.choice(["***", templ[(i + 2) % len(templ)]]),
                           "authenticator": "snowflake_jwt", "insecure_mode": False,
                           "session_parameters": {"QUERY_TAG": "airflow"}}, []))
    for i in range(6):
        add(("databricks", {"host": "adb-%s.%d.azuredatabricks.net" % (rnd(DIG, 16), R.randint(1, 9)),
                            "http_path": "/sql/1.0/warehouses/" + rnd(HEX, 16),
                            "cluster_id": "%s-%s-%s" % (rnd(DIG, 4), rnd(DIG, 6), rnd(LOW + DIG, 8)),
                            "token": R.choice(["***", "{{ var.value.dbx_token }}"]),
                            "azure_resource_id": "/subscriptions/%s/resourceGroups/rg/providers/"
                            "Microsoft.Databricks/workspaces/ws" % uuid()}, []))
    for i in range(6):
        add(("docker", {"image": "registry.corp.example/etl/runner@sha256:" + rnd(HEX, 64),
                        "email": "ci@corp.example", "reauth": True}, []))
    for i in range(4):
        add(("slack", {"timeout": 30, "base_url": "https://slack.com/api/",
                       "proxy": "http://proxy.corp.example:3128", "channel_id": "C" + rnd(UP + DIG, 10)}, []))
    for i in range(4):
        add(("wasb", {"account_name": "stcorp%d" % i, "tenant_id": uuid(), "client_id": uuid(),
                      "account_url": "https://stcorp%d.blob.core.windows.net" % i,
                      "sas_token": "***"}, []))
    return out


def cases():
    """The new cases as dicts: conn_id, conn_type, extra, planted (pointers)."""
    out = []
    for n, (ct, extra, planted) in enumerate(planted_cases() + near_miss_cases()):
        out.append({"conn_id": "b%03d_%s" % (n, ct), "conn_type": ct, "extra": extra,
                    "planted": planted})
    return out


if __name__ == "__main__":
    cs = cases()
    print("%d cases, %d planted secrets, %d without any" % (
        len(cs), sum(len(c["planted"]) for c in cs), sum(1 for c in cs if not c["planted"])))

/*
 * audit_rules.c: the audit's rule set as data (doc/audit-rules.md).
 * Everything the engine (audit.c) decides from is in the tables below: the
 * rules with their severity and rank, the gitleaks/detect-secrets regular
 * expressions (translated to PCRE2, quoted from config/gitleaks.toml and the
 * plugins of detect_secrets/plugins/), the key-name rules, the word lists,
 * and the transport table where a new conn_type is one row.
 *
 * Rank decides which rule wins when several match the same pointer: a rule
 * that knows the provider's structure (a GCP service-account object, an
 * AWS secret under its Airflow key) beats a vendor token pattern, which
 * beats a context pattern (a URL with a password, a JWT), which beats the
 * name-only rules, which beat the generic and entropy fallbacks.
 */
#include "config.h"

#include "audit_int.h"

#define SECRET		AUDIT_CAT_SECRET
#define STORAGE		AUDIT_CAT_STORAGE
#define TRANSPORT	AUDIT_CAT_TRANSPORT
#define CONFIG		AUDIT_CAT_CONFIG
#define CRIT		AUDIT_SEV_CRITICAL
#define HIGH		AUDIT_SEV_HIGH
#define MED		AUDIT_SEV_MEDIUM
#define LOW		AUDIT_SEV_LOW
#define INFO		AUDIT_SEV_INFO

/* gitleaks' "unique token" tail: the token ends at a quote, blank, ';', \n or the end. */
#define TAIL "(?:[\\x60'\"\\s;]|\\\\[nr]|$)"

#define MOVE_TO_PASSWORD "move it to the connection's password (encrypted, never shown) " \
	"or a secrets backend, and rotate it"

/* -- the rules ----------------------------------------------------------- */

const struct audit_rule audit_rule_table[] = {
	/* Secrets in extras (doc/audit-rules.md section 3, rules 1 to 28). */
	{ "private-key", "private key (PEM, PuTTY or SSH2)",
	    CRIT, SECRET, 80, "keep the key in a file or a secrets backend; rotate it" },
	{ "gcp-service-account-key", "GCP service-account key with private_key",
	    CRIT, SECRET, 95, "use key_path or workload identity; delete and rotate the key" },
	{ "aws-secret-access-key", "AWS secret access key",
	    CRIT, SECRET, 95, "use login/password, a role (role_arn) or a secrets backend; rotate the key" },
	{ "aws-access-token", "AWS access key id",
	    HIGH, SECRET, 85, "the key id is half a credential: rotate the pair" },
	{ "aws-session-token", "AWS session token",
	    HIGH, SECRET, 90, "session tokens expire: do not store them" },
	{ "azure-storage-account-key", "Azure storage account key",
	    CRIT, SECRET, 90, "use a managed identity or a SAS in a secrets backend; rotate the key" },
	{ "azure-storage-connection-string", "Azure storage connection string with an AccountKey or SAS",
	    CRIT, SECRET, 95, "use a managed identity; rotate the account key" },
	{ "azure-sas-token", "Azure shared access signature",
	    HIGH, SECRET, 88, "use short-lived SAS tokens from a secrets backend" },
	{ "azure-ad-client-secret", "Azure AD client secret",
	    HIGH, SECRET, 85, MOVE_TO_PASSWORD },
	{ "azure-key-json", "Azure key_json with a client secret",
	    HIGH, SECRET, 92, "Airflow does not mask key_json: " MOVE_TO_PASSWORD },
	{ "snowflake-private-key-content", "Snowflake private key content",
	    CRIT, SECRET, 96, "use private_key_file on the workers or a secrets backend" },
	{ "ssh-private-key-passphrase", "SSH private key passphrase",
	    HIGH, SECRET, 90, MOVE_TO_PASSWORD },
	{ "databricks-api-token", "Databricks personal access token",
	    HIGH, SECRET, 88, "Databricks documents the token in the password field: move it there" },
	{ "github-pat", "GitHub personal access token", HIGH, SECRET, 85, MOVE_TO_PASSWORD },
	{ "github-fine-grained-pat", "GitHub fine-grained personal access token",
	    HIGH, SECRET, 85, MOVE_TO_PASSWORD },
	{ "github-oauth", "GitHub OAuth access token", HIGH, SECRET, 85, MOVE_TO_PASSWORD },
	{ "github-app-token", "GitHub app token", HIGH, SECRET, 85, MOVE_TO_PASSWORD },
	{ "github-refresh-token", "GitHub refresh token", HIGH, SECRET, 85, MOVE_TO_PASSWORD },
	{ "gitlab-pat", "GitLab personal access token", HIGH, SECRET, 85, MOVE_TO_PASSWORD },
	{ "slack-bot-token", "Slack bot token", HIGH, SECRET, 85, MOVE_TO_PASSWORD },
	{ "slack-user-token", "Slack user token", HIGH, SECRET, 85, MOVE_TO_PASSWORD },
	{ "slack-app-token", "Slack app-level token", HIGH, SECRET, 85, MOVE_TO_PASSWORD },
	{ "slack-legacy-token", "Slack legacy token", HIGH, SECRET, 84, MOVE_TO_PASSWORD },
	{ "slack-legacy-bot-token", "Slack legacy bot token", HIGH, SECRET, 84, MOVE_TO_PASSWORD },
	{ "slack-legacy-workspace-token", "Slack legacy workspace token",
	    HIGH, SECRET, 84, MOVE_TO_PASSWORD },
	{ "slack-config-access-token", "Slack configuration access token",
	    HIGH, SECRET, 85, MOVE_TO_PASSWORD },
	{ "slack-config-refresh-token", "Slack configuration refresh token",
	    HIGH, SECRET, 85, MOVE_TO_PASSWORD },
	{ "slack-webhook-url", "Slack incoming webhook URL", MED, SECRET, 85,
	    "the URL is the credential: keep it in the password field" },
	{ "microsoft-teams-webhook", "Microsoft Teams incoming webhook URL", MED, SECRET, 85,
	    "the URL is the credential: keep it in the password field" },
	{ "webhook-url", "webhook URL", MED, SECRET, 60,
	    "the URL is the credential: keep it in the password field" },
	{ "stripe-access-token", "Stripe secret or restricted key", HIGH, SECRET, 85, MOVE_TO_PASSWORD },
	{ "sendgrid-api-token", "SendGrid API key", HIGH, SECRET, 85, MOVE_TO_PASSWORD },
	{ "twilio-api-key", "Twilio API key", HIGH, SECRET, 85, MOVE_TO_PASSWORD },
	{ "gcp-api-key", "Google Cloud API key", HIGH, SECRET, 85, MOVE_TO_PASSWORD },
	{ "openai-api-key", "OpenAI API key", HIGH, SECRET, 85, MOVE_TO_PASSWORD },
	{ "anthropic-api-key", "Anthropic API key", HIGH, SECRET, 85, MOVE_TO_PASSWORD },
	{ "huggingface-access-token", "Hugging Face access token", HIGH, SECRET, 85, MOVE_TO_PASSWORD },
	{ "vault-service-token", "HashiCorp Vault service token", HIGH, SECRET, 85, MOVE_TO_PASSWORD },
	{ "jwt", "JSON Web Token", MED, SECRET, 70,
	    "tokens should come from the provider at run time, not be stored" },
	{ "basic-auth-url", "URL with a user and password",
	    HIGH, SECRET, 75, "put the credentials in login/password or a secrets backend" },
	{ "basic-auth-pair", "user:password pair under an HTTP auth key",
	    HIGH, SECRET, 74, "put the user in login and the password in the password field" },
	{ "http-authorization-header", "HTTP authorization header value",
	    HIGH, SECRET, 72, "Airflow stores headers in extra: " MOVE_TO_PASSWORD },
	{ "airflow-unmasked-secret-key", "secret-bearing provider key that Airflow does not mask",
	    HIGH, SECRET, 45, "Airflow's UI, API and logs show this key: add it to "
	    "[core] sensitive_var_conn_names or move the value to the password" },
	{ "airflow-sensitive-key", "value under a key that Airflow treats as sensitive",
	    MED, SECRET, 40, "secrets belong in the password field or a secrets backend" },
	{ "generic-api-key", "generic API key or secret (key name and high entropy)",
	    MED, SECRET, 30, "check the value; if it is a secret, move it to the password field" },
	{ "high-entropy-base64", "high-entropy base64 string", LOW, SECRET, 10,
	    "check the value; if it is a secret, move it to the password field" },
	{ "high-entropy-hex", "high-entropy hex string", LOW, SECRET, 10,
	    "check the value; if it is a secret, move it to the password field" },
	{ "credential-file-path", "path to a credential file on the workers",
	    INFO, SECRET, 5, "make sure the file is readable by the Airflow user only" },
	{ "variable-sensitive-name", "secret in an Airflow Variable under a sensitive name",
	    MED, SECRET, 40, "keep secrets in connections or a secrets backend; "
	    "Variables are shown to every user who may read them" },

	/* How values are stored. */
	{ "plaintext-password", "connection password stored in plain text while a Fernet key is set",
	    HIGH, STORAGE, 50, "run `ferncon encrypt-plaintext`" },
	{ "plaintext-extra", "connection extra stored in plain text while a Fernet key is set",
	    MED, STORAGE, 50, "run `ferncon encrypt-plaintext`" },
	{ "plaintext-variable", "variable stored in plain text while a Fernet key is set",
	    LOW, STORAGE, 50, "run `ferncon encrypt-plaintext`" },
	{ "undecryptable-value", "value that no configured Fernet key opens",
	    HIGH, STORAGE, 50, "find the old key (`ferncon key probe`) or re-enter the value" },
	{ "stale-token", "value encrypted longer ago than rotation_max_age_days",
	    INFO, STORAGE, 50, "rotate the Fernet key (`ferncon rotate-fernet-key`)" },
	{ "env-connection-password", "AIRFLOW_CONN_* environment variable that carries a password",
	    MED, STORAGE, 50, "environment variables are readable by child processes and "
	    "/proc; prefer a secrets backend" },
	{ "password-in-host", "password inside the connection's host field",
	    HIGH, SECRET, 90, "Airflow shows the host everywhere: put the password in the password field" },

	/* Configuration. */
	{ "fernet-key-empty", "[core] fernet_key is empty: secrets are stored in plain text",
	    CRIT, CONFIG, 50, "generate a key (`ferncon key generate`), set it, then "
	    "`ferncon encrypt-plaintext`" },
	{ "fernet-key-in-config-file", "[core] fernet_key is written in airflow.cfg",
	    MED, CONFIG, 50, "use AIRFLOW__CORE__FERNET_KEY, or fernet_key_cmd with a secrets store" },
	{ "config-file-permissions", "airflow.cfg is readable or writable by group or others",
	    MED, CONFIG, 50, "chmod 600 airflow.cfg" },
	{ "sql-alchemy-conn-no-ssl", "sql_alchemy_conn reaches a network database without TLS",
	    MED, CONFIG, 50, "add sslmode=verify-full (PostgreSQL) or ssl settings (MySQL) to the URL" },
	{ "sql-alchemy-conn-password-in-config-file", "the metadata DB password is written in airflow.cfg",
	    MED, CONFIG, 50, "use AIRFLOW__DATABASE__SQL_ALCHEMY_CONN or sql_alchemy_conn_cmd" },
	{ "show-connection-password", "[webserver] show_connection_password is True",
	    MED, CONFIG, 50, "set it to False unless operators must reveal passwords" },
	{ "webserver-no-tls", "webserver / API server without TLS settings",
	    LOW, CONFIG, 50, "set ssl_cert and ssl_key, or make sure a proxy terminates TLS" },
	{ "hide-sensitive-fields-disabled", "[core] hide_sensitive_var_conn_fields is False",
	    MED, CONFIG, 50, "set it to True so that Airflow masks sensitive values" },
	/* The hardening guides' settings (doc/audit-rules.md section 7). */
	{ "celery-broker-no-tls", "[celery] broker_url reaches a network broker without TLS",
	    MED, CONFIG, 50, "use rediss:// or amqps://, or set [celery] ssl_active = True "
	    "with ssl_key, ssl_cert and ssl_cacert" },
	{ "celery-broker-password-in-config-file", "the Celery broker password is written in airflow.cfg",
	    MED, CONFIG, 50, "use AIRFLOW__CELERY__BROKER_URL, broker_url_cmd or broker_url_secret" },
	{ "celery-result-backend-no-tls",
	    "[celery] result_backend reaches a network server without TLS",
	    MED, CONFIG, 50, "add sslmode=verify-full to a db+postgresql:// URL (ssl settings "
	    "for db+mysql://), or use rediss://" },
	{ "celery-result-backend-password-in-config-file",
	    "the Celery result backend password is written in airflow.cfg",
	    MED, CONFIG, 50, "use AIRFLOW__CELERY__RESULT_BACKEND, result_backend_cmd or "
	    "result_backend_secret" },
	{ "smtp-no-tls", "[smtp] sends smtp_user's credentials without STARTTLS or SSL",
	    MED, CONFIG, 50, "set smtp_starttls = True (port 587) or smtp_ssl = True (port 465)" },
	{ "smtp-password-in-config-file", "[smtp] smtp_password is written in airflow.cfg",
	    MED, CONFIG, 50, "use smtp_password_cmd, smtp_password_secret or "
	    "AIRFLOW__SMTP__SMTP_PASSWORD (or the email_conn_id connection)" },
	{ "secret-key-default", "the webserver/API secret_key is a published default: "
	    "anyone can sign session cookies", CRIT, CONFIG, 50,
	    "set a long random value, the same on every webserver/API server, through the "
	    "environment or secret_key_cmd" },
	{ "secret-key-empty", "the webserver/API secret_key is empty",
	    HIGH, CONFIG, 50, "set a long random value through the environment or secret_key_cmd" },
	{ "secret-key-in-config-file", "the webserver/API secret_key is written in airflow.cfg",
	    MED, CONFIG, 50, "use AIRFLOW__WEBSERVER__SECRET_KEY / AIRFLOW__API__SECRET_KEY, "
	    "secret_key_cmd or secret_key_secret" },
	{ "tls-key-file-permissions", "the UI's TLS private key file is readable by group or others",
	    HIGH, CONFIG, 50, "chmod 600 the key file, owned by the Airflow user" },
	{ "secrets-backend-unset", "[secrets] backend is unset while connections keep "
	    "passwords in the metadata DB", INFO, CONFIG, 50,
	    "set [secrets] backend (Vault, AWS Secrets Manager, GCP Secret Manager...) and move "
	    "these connections there" },
	{ "key-rotation-overdue", "values encrypted longer ago than rotation_max_age_days",
	    MED, CONFIG, 50, "rotate the Fernet key (`ferncon rotate-fernet-key`); guidance: every 90 days" },
};
const size_t audit_rule_table_len = sizeof audit_rule_table / sizeof audit_rule_table[0];

/* -- value patterns ------------------------------------------------------ */

const struct audit_pattern audit_patterns[] = {
	/* gitleaks private-key, and detect-secrets' other markers. */
	{ "private-key",
	    "(?i)-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----[\\s\\S-]{64,}?KEY(?: BLOCK)?-----",
	    0, 0, "-----begin", NULL, AP_NO_PREFILTER },
	{ "private-key", "PuTTY-User-Key-File-[23]: [^\\r\\n]+[\\s\\S]*", 0, 0,
	    "putty-user-key-file", NULL, AP_NO_PREFILTER },
	{ "private-key", "---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----[\\s\\S]*", 0, 0,
	    "begin ssh2 encrypted private key", NULL, AP_NO_PREFILTER },
	{ "aws-access-token", "\\b((?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16})\\b",
	    1, 3, "a3t|akia|asia|abia|acca", NULL, AP_AWS_KEYID },
	{ "azure-storage-account-key", "AccountKey=([a-zA-Z0-9+/=]{88})", 1, 0,
	    "accountkey=", NULL, AP_NO_PREFILTER },
	{ "azure-sas-token", "(?:^|[?&;])sig=([A-Za-z0-9%+/=_-]{16,})", 1, 0,
	    "sig=", "sv=", 0 },
	{ "azure-ad-client-secret",
	    "(?:^|[\\\\'\"\\x60\\s>=:(,)])([a-zA-Z0-9_~.]{3}\\dQ~[a-zA-Z0-9_~.-]{31,34})(?:$|[\\\\'\"\\x60\\s<),])",
	    1, 3, "q~", NULL, 0 },
	{ "databricks-api-token", "\\b(dapi[a-f0-9]{32}(?:-\\d)?)" TAIL, 1, 3, "dapi", NULL, 0 },
	{ "github-pat", "ghp_[0-9a-zA-Z]{36}", 0, 3, "ghp_", NULL, 0 },
	{ "github-fine-grained-pat", "github_pat_\\w{82}", 0, 3, "github_pat_", NULL, 0 },
	{ "github-oauth", "gho_[0-9a-zA-Z]{36}", 0, 3, "gho_", NULL, 0 },
	{ "github-app-token", "(?:ghu|ghs)_[0-9a-zA-Z]{36}", 0, 3, "ghu_|ghs_", NULL, 0 },
	{ "github-refresh-token", "ghr_[0-9a-zA-Z]{36}", 0, 3, "ghr_", NULL, 0 },
	{ "gitlab-pat", "glpat-[\\w-]{20}", 0, 3, "glpat-", NULL, 0 },
	{ "slack-bot-token", "xoxb-[0-9]{10,13}-[0-9]{10,13}[a-zA-Z0-9-]*", 0, 3, "xoxb", NULL, 0 },
	{ "slack-user-token", "xox[pe](?:-[0-9]{10,13}){3}-[a-zA-Z0-9-]{28,34}", 0, 2,
	    "xoxp-|xoxe-", NULL, 0 },
	{ "slack-app-token", "(?i)xapp-\\d-[A-Z0-9]+-\\d+-[a-z0-9]+", 0, 2, "xapp", NULL, 0 },
	{ "slack-legacy-token", "xox[os]-\\d+-\\d+-\\d+-[a-fA-F\\d]+", 0, 2, "xoxo|xoxs", NULL, 0 },
	{ "slack-legacy-bot-token", "xoxb-[0-9]{8,14}-[a-zA-Z0-9]{18,26}", 0, 2, "xoxb", NULL, 0 },
	{ "slack-legacy-workspace-token", "xox[ar]-(?:\\d-)?[0-9a-zA-Z]{8,48}", 0, 2,
	    "xoxa|xoxr", NULL, 0 },
	{ "slack-config-access-token", "(?i)xoxe.xox[bp]-\\d-[A-Z0-9]{163,166}", 0, 2,
	    "xoxe.xoxb-|xoxe.xoxp-", NULL, 0 },
	{ "slack-config-refresh-token", "(?i)xoxe-\\d-[A-Z0-9]{146}", 0, 2, "xoxe-", NULL, 0 },
	{ "slack-webhook-url",
	    "(?:https?://)?hooks.slack.com/(?:services|workflows|triggers)/[A-Za-z0-9+/]{43,56}",
	    0, 0, "hooks.slack.com", NULL, AP_NO_PREFILTER },
	{ "microsoft-teams-webhook",
	    "https://[a-z0-9]+\\.webhook\\.office\\.com/webhookb2/[a-z0-9]{8}-(?:[a-z0-9]{4}-){3}"
	    "[a-z0-9]{12}@[a-z0-9]{8}-(?:[a-z0-9]{4}-){3}[a-z0-9]{12}/IncomingWebhook/[a-z0-9]{32}/"
	    "[a-z0-9]{8}-(?:[a-z0-9]{4}-){3}[a-z0-9]{12}",
	    0, 0, "webhook.office.com|webhookb2|incomingwebhook", NULL, AP_NO_PREFILTER },
	{ "stripe-access-token", "\\b((?:sk|rk)_(?:test|live|prod)_[a-zA-Z0-9]{10,99})" TAIL, 1, 2,
	    "sk_test|sk_live|sk_prod|rk_test|rk_live|rk_prod", NULL, AP_STRIPE },
	{ "sendgrid-api-token", "\\b(SG\\.(?i)[a-z0-9=_\\-\\.]{66})" TAIL, 1, 2, "sg.", NULL, 0 },
	/* gitleaks' keyword "sk" is broad: the token must stand alone. */
	{ "twilio-api-key", "(?:^|[^0-9A-Za-z_])(SK[0-9a-fA-F]{32})(?![0-9A-Za-z_])", 1, 3,
	    "sk", NULL, 0 },
	{ "gcp-api-key", "\\b(AIza[\\w-]{35})" TAIL, 1, 4, "aiza", NULL, 0 },
	{ "openai-api-key",
	    "\\b(sk-(?:proj|svcacct|admin)-(?:[A-Za-z0-9_-]{74}|[A-Za-z0-9_-]{58})T3BlbkFJ"
	    "(?:[A-Za-z0-9_-]{74}|[A-Za-z0-9_-]{58})\\b|sk-[a-zA-Z0-9]{20}T3BlbkFJ[a-zA-Z0-9]{20})" TAIL,
	    1, 3, "t3blbkfj", NULL, 0 },
	{ "anthropic-api-key", "\\b(sk-ant-api03-[a-zA-Z0-9_\\-]{93}AA)" TAIL, 1, 0,
	    "sk-ant-api03", NULL, 0 },
	{ "huggingface-access-token", "\\b(hf_(?i:[a-z]{34}))" TAIL, 1, 2, "hf_", NULL, 0 },
	/* gitleaks allowlists s\.[A-Za-z]{24} (letters only): a negative look-ahead here. */
	{ "vault-service-token",
	    "\\b((?:hvs\\.[\\w-]{90,120}|s\\.(?![A-Za-z]{24}" TAIL ")(?i:[a-z0-9]{24})))" TAIL,
	    1, 3.5, "hvs.|s.", NULL, 0 },
	{ "jwt",
	    "\\b(ey[a-zA-Z0-9]{17,}\\.ey[a-zA-Z0-9/\\\\_-]{17,}\\.(?:[a-zA-Z0-9/\\\\_-]{10,}={0,2})?)" TAIL,
	    1, 3, "ey", NULL, AP_JWT },
	/* detect-secrets basic_auth: no reserved character in user or password. */
	{ "basic-auth-url",
	    "://[^:/?#\\[\\]@!$&'()*+,;=\\s]+:([^:/?#\\[\\]@!$&'()*+,;=\\s]+)@",
	    1, 0, "://", NULL, AP_NO_PREFIX },
};
const size_t audit_patterns_len = sizeof audit_patterns / sizeof audit_patterns[0];

/* -- key-name rules ------------------------------------------------------ */

const struct audit_key_rule audit_key_rules[] = {
	{ "aws-secret-access-key", "secret_access_key", AK_SUFFIX, 0, NULL,
	    "^[A-Za-z0-9/+=]{40}$", 0, 0 },
	{ "aws-session-token", "aws_session_token", AK_EXACT, 0, NULL, NULL, 0, 0 },
	{ "azure-storage-account-key", "account_key|shared_access_key", AK_EXACT, 0, NULL,
	    "^[A-Za-z0-9+/]{86}==$", 0, 0 },
	{ "azure-storage-connection-string", "connection_string", AK_EXACT, 0, NULL,
	    "(?i)AccountKey=|SharedAccessSignature=", 0, 0 },
	{ "azure-sas-token", "sas_token", AK_EXACT, 0, NULL, NULL, 0, 0 },
	{ "snowflake-private-key-content", "private_key_content", AK_EXACT, 0, NULL, NULL, 0, 0 },
	{ "ssh-private-key-passphrase", "private_key_passphrase", AK_EXACT, 0, NULL, NULL, 0,
	    AP_NO_PREFIX },
	{ "databricks-api-token", "token", AK_EXACT, 0, "databricks", NULL, 0, 0 },
	{ "webhook-url", "webhook_url", AK_EXACT, 0, NULL, NULL, 0, 0 },
	{ "http-authorization-header",
	    "authorization|proxy-authorization|x-api-key|api-key|x-auth-token", AK_EXACT, 1, NULL,
	    NULL, 8, AP_NO_PREFIX },
	/* The Elasticsearch/requests "http_auth" form: "user:password" (not a URL). */
	{ "basic-auth-pair", "http_auth|basic_auth|auth", AK_EXACT, 0, NULL,
	    "^[^:\\s/@]{1,64}:(?!//)\\S{6,}$", 0, AP_NO_PREFIX },
};
const size_t audit_key_rules_len = sizeof audit_key_rules / sizeof audit_key_rules[0];

/* -- word lists ---------------------------------------------------------- */

/*
 * Airflow's DEFAULT_SENSITIVE_FIELDS across versions (the 12 of 2.x,
 * proxy_password of 3.1.6, access_key and connection_string of 3.2) and
 * the further names of the newest masker: doc/audit-rules.md section 5.
 */
const char *const audit_sensitive_names[] = {
	"access_token", "api_key", "apikey", "authorization", "passphrase", "passwd",
	"password", "private_key", "secret", "token", "keyfile_dict", "service_account",
	"proxy_password", "access_key", "connection_string", "auth_header", "bearer",
	"service_key", "webhook_url", "dsn",
};
const size_t audit_sensitive_names_len =
    sizeof audit_sensitive_names / sizeof audit_sensitive_names[0];

const char *const audit_sensitive_high[] = {
	"password", "passwd", "secret", "private_key", "passphrase",
};
const size_t audit_sensitive_high_len =
    sizeof audit_sensitive_high / sizeof audit_sensitive_high[0];

const char *const audit_provider_secret_keys[] = {
	"aws_secret_access_key", "aws_session_token", "keyfile_dict", "key_json",
	"connection_string", "shared_access_key", "sas_token", "account_key",
	"client_secret", "client_secret_auth_config", "private_key_content",
	"private_key_passphrase", "private_key", "refresh_token", "token", "proxy_password",
	"credential_config_file", "secret_key", "api_token", "access_token",
};
const size_t audit_provider_secret_keys_len =
    sizeof audit_provider_secret_keys / sizeof audit_provider_secret_keys[0];

/*
 * Public material and identifiers: the name-only rules never fire on them
 * (gitleaks' generic-api-key allowlist has the same idea: api_version,
 * key_id, public_key, token_url, key_file ...). Names ending in _id, _url,
 * _uri, _name, _type, _public_key or _cert are treated the same (audit.c).
 */
const char *const audit_public_names[] = {
	"host_key", "public_key", "pub_key", "pubkey", "cert", "certificate", "ca",
	"ssl_cert", "sslcert", "sslrootcert", "sslkey", "ssl_key", "key_id", "keyid",
	"kid", "keyring", "api_version", "auth_type", "auth_method", "authenticator",
	"auth_mechanism", "auth_plugin", "token_endpoint", "token_expiry", "keepalive",
	"key_secret_name", "secret_name", "key_vault_name", "private_key_id",
	"service_account_email", "organization", "consumer_key",
};
const size_t audit_public_names_len =
    sizeof audit_public_names / sizeof audit_public_names[0];

const char *const audit_public_prefixes[] = {
	"ssh-rsa ", "ssh-ed25519 ", "ssh-dss ", "ecdsa-sha2-", "sk-ssh-",
	"AAAAB3NzaC1yc2E", "AAAAC3NzaC1lZDI1NTE5", "AAAAE2VjZHNhLXNoYTItbmlzdH",
	"AAAAB3NzaC1kc3M", "-----BEGIN PUBLIC KEY-----", "-----BEGIN RSA PUBLIC KEY-----",
	"-----BEGIN CERTIFICATE-----", "-----BEGIN OPENSSH PUBLIC KEY-----",
	/* the same PEM headers in base64 (kubeconfig's certificate-authority-data) */
	"LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t", "LS0tLS1CRUdJTiBQVUJMSUMgS0VZLS0tLS0",
	/* AWS resource names: identifiers (role_arn, secret_arn, kms keys) */
	"arn:aws:", "arn:aws-cn:", "arn:aws-us-gov:",
};
const size_t audit_public_prefixes_len =
    sizeof audit_public_prefixes / sizeof audit_public_prefixes[0];

/* A sample of gitleaks' 1,446 stopwords: the ones seen in connection extras. */
const char *const audit_stopwords[] = {
	"example", "sample", "dummy", "placeholder", "fake", "lorem", "redacted",
	"masked", "demo", "foobar", "xxxxxx", "your_", "insert_",
};
const size_t audit_stopwords_len = sizeof audit_stopwords / sizeof audit_stopwords[0];

/* gitleaks generic-api-key, on the normalised (lower-case) key and on the value. */
const char audit_generic_key_re[] =
    "access|auth|api|credential|creds|key|passw(?:or)?d|secret|token";
const char audit_generic_value_re[] =
    "(?i)^(?:[\\w.=-]{10,150}|[a-z0-9][a-z0-9+/]{11,}={0,3})$";

/* user:password@ at the start of a host, with or without a scheme. */
const char audit_host_password_re[] =
    "(?i)^(?:[a-z][a-z0-9+.-]*://)?[^:/?#@\\s]+:([^/?#@\\s]+)@";

/* -- transport, one row per conn_type setting ---------------------------- */

/*
 * Severity is for a connection without a password; one with a password
 * (sent over the wire) is one level higher, at most high. local_ok skips
 * hosts on this machine (localhost, 127.0.0.0/8, ::1, a socket path).
 */
const struct audit_transport audit_transports[] = {
	{ { "transport-postgres-sslmode", "PostgreSQL connection without TLS (sslmode)",
	    MED, TRANSPORT, 50, "set extra sslmode to verify-full (or at least require)" },
	    "postgres|postgresql", TT_VALUE_IN, "sslmode", "require|verify-ca|verify-full",
	    "disable|allow|prefer", NULL, 0, 1 },
	{ { "transport-mysql-ssl", "MySQL connection without TLS (ssl)",
	    MED, TRANSPORT, 50, "set extra ssl (ca, cert, key) or ssl_mode REQUIRED / VERIFY_IDENTITY" },
	    "mysql", TT_TRUTHY, "ssl|ssl_mode|client_ssl", NULL,
	    "disabled|preferred|false|0|no|off|none", NULL, 0, 1 },
	{ { "transport-smtp-tls", "SMTP connection without SSL or STARTTLS",
	    MED, TRANSPORT, 50, "leave disable_ssl or disable_tls False" },
	    "smtp|email", TT_NOT_ALL_TRUE, "disable_ssl|disable_tls", NULL, NULL, NULL, 0, 1 },
	{ { "transport-http-plain", "HTTP connection to an http:// URL",
	    MED, TRANSPORT, 50, "use https:// in the host (or schema https)" },
	    "http|https", TT_SCHEME, NULL, "https", NULL, NULL, 0, 1 },
	{ { "transport-ldap-tls", "LDAP connection without LDAPS or StartTLS",
	    MED, TRANSPORT, 50, "use ldaps:// (port 636) or set use_ssl / start_tls" },
	    "ldap", TT_TRUTHY, "use_ssl|start_tls|use_tls|starttls", NULL, "false|0|no|off|none",
	    "ldaps", 636, 1 },
	{ { "transport-redis-ssl", "Redis connection without TLS (ssl)",
	    MED, TRANSPORT, 50, "set extra ssl true (and ssl_cert_reqs required)" },
	    "redis", TT_TRUTHY, "ssl", NULL, "false|0|no|off|none", "rediss", 0, 1 },
	{ { "transport-ftp-plain", "FTP connection (plain FTP unless used through FTPSHook)",
	    LOW, TRANSPORT, 50, "use SFTP or FTPS" },
	    "ftp", TT_ALWAYS, NULL, NULL, NULL, "ftps", 990, 1 },
	{ { "ssh-host-key-check-disabled", "SSH/SFTP connection with no_host_key_check true",
	    MED, TRANSPORT, 50, "set host_key (the server's public key) and no_host_key_check false" },
	    "ssh|sftp", TT_NOT_TRUE, "no_host_key_check", NULL, NULL, NULL, 0, 1 },
};
const size_t audit_transports_len = sizeof audit_transports / sizeof audit_transports[0];

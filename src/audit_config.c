/*
 * audit_config.c: what the audit checks outside the metadata database:
 * the connections that Airflow reads from AIRFLOW_CONN_* variables (URI
 * or JSON, audited as the table's rows are) and airflow.cfg with its
 * environment (where the Fernet key is set, sql_alchemy_conn's
 * password and TLS, the file's mode, show_connection_password,
 * hide_sensitive_var_conn_fields, TLS of the UI), and the settings the
 * hardening guides name: Celery's broker and result backend, SMTP, the
 * webserver/API secret_key, the TLS key file's mode, and a secrets backend
 * while connections keep passwords in the DB. A value from `_cmd`,
 * `_secret` or the environment is the safe form of a secret option.
 */
#include "config.h"

#include "audit_int.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "myurl.h"
#include "pgurl.h"
#include "pyjson.h"
#include "uri.h"

/* -- AIRFLOW_CONN_* ------------------------------------------------------ */

/* Connection.from_json(): the JSON form of an AIRFLOW_CONN_* value. */
static int
conn_from_env_json(struct conn *c, const char *text, struct err *e)
{
	static const char *const names[] = { "conn_type", "host", "login", "password",
	    "schema" };
	char **slots[] = { &c->conn_type, &c->host, &c->login, &c->password, &c->schema };
	struct pyjson_opts po = { -1, 0, 1 };
	cJSON *j = pyjson_loads(text, strlen(text)), *v;
	struct buf b;
	size_t i;
	int rc = 1;	/* 1: not a connection, skip it */

	buf_init(&b, 1);
	if (j == NULL && errno == ENOMEM) {
		rc = err_nomem(e);	/* not "not a connection" */
		goto out;
	}
	if (j == NULL || !cJSON_IsObject(j))
		goto out;
	rc = -1;
	for (i = 0; i < ARRAY_LEN(names); i++) {
		v = cJSON_GetObjectItemCaseSensitive(j, names[i]);
		if (cJSON_IsString(v) && conn_set_str(c, slots[i], v->valuestring, e) != 0)
			goto out;
	}
	v = cJSON_GetObjectItemCaseSensitive(j, "port");
	if (cJSON_IsNumber(v) || cJSON_IsRaw(v)) {
		c->has_port = 1;
		c->port = cJSON_IsRaw(v) ? strtol(v->valuestring, NULL, 10) : (long)v->valuedouble;
	}
	v = cJSON_GetObjectItemCaseSensitive(j, "extra");
	if (cJSON_IsString(v)) {
		if (conn_set_str(c, &c->extra, v->valuestring, e) != 0)
			goto out;
	} else if (cJSON_IsObject(v)) {
		if (pyjson_dumps(v, &po, &b, e) != 0 ||
		    conn_set(c, &c->extra, buf_str(&b), b.len, e) != 0)
			goto out;
	}
	if (c->conn_type != NULL)
		conn_normalize_type(c->conn_type);
	rc = 0;
out:
	buf_release(&b);
	pyjson_free(j);
	return rc;
}

int
audit_env(struct audit *a, audit_cb cb, void *arg, struct err *e)
{
	char *const *p;

	if (a->o.environ == NULL)
		return 0;
	for (p = a->o.environ; *p != NULL; p++) {
		const char *eq = strchr(*p, '='), *value;
		char name[256], conn_id[256];
		struct conn *c;
		struct err ignore;
		size_t n, i;
		int rc;

		if (strncmp(*p, "AIRFLOW_CONN_", 13) != 0 || eq == NULL)
			continue;
		n = (size_t)(eq - *p);
		if (n <= 13 || n >= sizeof name)
			continue;
		memcpy(name, *p, n);
		name[n] = '\0';
		for (i = 13; i <= n; i++)
			conn_id[i - 13] = (char)tolower((unsigned char)name[i]);
		value = eq + 1;
		while (*value == ' ' || *value == '\t' || *value == '\n')
			value++;
		if ((c = conn_new()) == NULL) {
			err_nomem(e);
			return -1;
		}
		err_clear(&ignore);
		if (*value == '{')
			rc = conn_from_env_json(c, value, e);
		else
			rc = uri_parse(value, a->o.version, c, &ignore) == 0 ? 0 :
			    ignore.code == ERR_NOMEM ? -1 : 1;
		if (rc == 0)
			rc = conn_set_str(c, &c->conn_id, conn_id, e);
		if (rc < 0 && e->code == ERR_NONE)
			err_nomem(e);
		if (rc != 0) {
			conn_free(c);
			if (rc < 0)
				return -1;
			continue;	/* not a connection Airflow would read either */
		}
		a->sub.scope = AUDIT_SCOPE_ENV;
		a->sub.name = name;
		a->sub.conn_id = c->conn_id;
		a->sub.conn_type = c->conn_type;
		a->st.env_connections++;
		rc = 0;
		if (c->password_len > 0 &&
		    audit_pend_add(a, audit_rule_get("env-connection-password"), AUDIT_SEV_MEDIUM, "password",
		    NULL, c->password, c->password_len, 0, 1, e) == NULL)
			rc = -1;
		if (rc == 0)
			rc = audit_conn_checks(a, c, 0, e);
		rc = audit_flush(a, cb, arg, rc != 0, e);
		conn_free(c);
		if (rc != 0)
			return -1;
	}
	return 0;
}

/* -- configuration ------------------------------------------------------- */

/* The line number in an origin such as "/h/airflow.cfg:12 (fernet_key_cmd)". */
static int
origin_line(const char *origin)
{
	const char *end, *colon;
	int line = 0;

	if (origin == NULL)
		return 0;
	end = strstr(origin, " (");
	if (end == NULL)
		end = origin + strlen(origin);
	for (colon = end; colon > origin && colon[-1] != ':'; colon--)
		;
	if (colon == origin || colon == end)
		return 0;
	for (; colon < end; colon++) {
		if (!isdigit((unsigned char)*colon))
			return 0;
		line = line * 10 + (*colon - '0');
		if (line > 10000000)
			return 0;
	}
	return line;
}

static int
from_file(enum config_source s)
{
	return s == CONFIG_SRC_FILE || s == CONFIG_SRC_FILE_CMD;
}

/* One configuration finding about subject, emitted at once. */
int
audit_config_finding(struct audit *a, audit_cb cb, void *arg, const char *subject,
    const char *rule_id, enum audit_severity sev, const char *detail,
    const struct config_value *v, const char *secret, int about_file, struct err *e)
{
	struct pending *p;

	a->sub.scope = AUDIT_SCOPE_CONFIG;
	a->sub.name = subject;
	a->sub.conn_id = NULL;
	a->sub.conn_type = NULL;
	if ((p = audit_pend_add(a, audit_rule_get(rule_id), sev, "option", detail, secret,
	    secret ? strlen(secret) : 0, 0, 1, e)) == NULL)
		return audit_flush(a, cb, arg, 1, e);
	if (v != NULL && from_file(v->source) && a->o.cfg != NULL) {
		if ((p->file = strdup(config_path(a->o.cfg))) == NULL) {
			err_nomem(e);
			return audit_flush(a, cb, arg, -1, e);
		}
		p->line = origin_line(v->origin);
	} else if (about_file && a->o.cfg != NULL &&
	    (p->file = strdup(config_path(a->o.cfg))) == NULL) {
		err_nomem(e);
		return audit_flush(a, cb, arg, -1, e);
	}
	return audit_flush(a, cb, arg, 0, e);
}

/*
 * libpq also takes host and hostaddr from a postgresql:// URL's query (SQLAlchemy
 * passes them on: ?host= is its form for a Unix socket or for several hosts, as
 * "h1:port,h2" or repeated): *local is 1 only when every host that pgurl.c hands
 * libpq is local. A URL that SQLAlchemy refuses counts as remote. 0, or -1 with
 * e set when out of memory.
 */
static int
pg_hosts_local(const char *url, int *local, struct err *e)
{
	struct pgurl *u = NULL;
	const char *const *hosts;
	struct err refused;
	size_t i, n;

	*local = 0;
	err_clear(&refused);
	if (pgurl_parse(url, &u, &refused) != 0) {
		if (refused.code != ERR_NOMEM)
			return 0;
		*e = refused;
		return -1;
	}
	hosts = pgurl_hosts(u, &n);
	for (i = 0; i < n && audit_host_is_local(hosts[i]); i++)
		;
	*local = i == n;
	pgurl_free(u);
	return 0;
}

/*
 * A mysql:// URL as the driver it names takes it (myurl.c): *local is 1 when
 * it reaches the server over a Unix socket (unix_socket, host localhost or
 * none), *tls when it makes TLS required (a certificate option, ssl_mode
 * REQUIRED or VERIFY_*, a verify option), with what it asks in detail. A
 * URL that the driver refuses leaves both 0 and *refused 1. 0, or -1 with e
 * set when out of memory.
 */
static int
my_url_checks(const char *url, int *local, int *tls, int *refused,
    char *detail, size_t cap, struct err *e)
{
	static const char *const what[] = { "ssl_mode DISABLED or ssl_disabled",
	    "no ssl_ca, ssl_cert, ssl_key or ssl_mode REQUIRED/VERIFY_*", "", "" };
	struct myurl *u = NULL;
	struct err bad;

	*local = *tls = *refused = 0;
	err_clear(&bad);
	if (myurl_parse(url, &u, &bad) != 0) {
		if (bad.code != ERR_NOMEM) {
			*refused = 1;
			return 0;
		}
		*e = bad;
		return -1;
	}
	*local = myurl_socket(u) != NULL && (myurl_host(u) == NULL ||
	    strcmp(myurl_host(u), "localhost") == 0);
	*tls = myurl_tls(u) >= MYURL_TLS_REQUIRED;
	snprintf(detail, cap, "%s (driver %s)", what[myurl_tls(u)],
	    myurl_driver(u));
	myurl_free(u);
	return 0;
}

/*
 * A SQLAlchemy URL (sql_alchemy_conn, or a Celery result_backend after
 * its "db+"), set by u: a password written in airflow.cfg (rule_pw) and,
 * when tls, TLS to a network DB (rule_tls). *pw_in_file says whether the
 * first fired.
 */
static int
check_sql_url(struct audit *a, audit_cb cb, void *arg, const char *subject,
    const struct config_value *u, const char *url, const char *rule_pw,
    const char *rule_tls, int tls, int *pw_in_file, struct err *e)
{
	struct conn *c = NULL;
	struct err ignore;
	char detail[200], scheme[32];
	cJSON *q = NULL;
	const cJSON *v;
	const char *pw;
	size_t n;
	int rc = -1, pg, my, local, my_local = 0, my_tls = 0, my_refused = 0;

	*pw_in_file = 0;
	n = strcspn(url, ":+");
	if (n >= sizeof scheme)
		return 0;
	memcpy(scheme, url, n);
	scheme[n] = '\0';
	pg = strncasecmp(scheme, "postgres", 8) == 0;
	my = strncasecmp(scheme, "mysql", 5) == 0;
	if (!pg && !my)
		return 0;
	if ((c = conn_new()) == NULL) {
		err_nomem(e);
		return -1;
	}
	err_clear(&ignore);
	if (uri_parse(url, NULL, c, &ignore) != 0) {
		if (ignore.code == ERR_NOMEM)
			err_nomem(e);
		else
			rc = 0;	/* SQLAlchemy will say more than we can */
		goto out;
	}
	if (c->extra != NULL &&
	    (q = pyjson_loads(c->extra, strlen(c->extra))) == NULL &&
	    errno == ENOMEM) {
		err_nomem(e);
		goto out;
	}
	/* libpq takes ?password= too. */
	pw = c->password;
	if (pg && (pw == NULL || *pw == '\0') &&
	    cJSON_IsString(v = cJSON_GetObjectItemCaseSensitive(q, "password")))
		pw = v->valuestring;
	if (pw != NULL && *pw != '\0' && u->source == CONFIG_SRC_FILE) {
		*pw_in_file = 1;
		if (audit_config_finding(a, cb, arg, subject, rule_pw, AUDIT_SEV_MEDIUM, NULL,
		    u, pw, 0, e) != 0)
			goto out;
	}
	if (my && my_url_checks(url, &my_local, &my_tls, &my_refused, detail,
	    sizeof detail, e) != 0)
		goto out;
	if (my_refused) {
		rc = 0;	/* the driver will say more than we can */
		goto out;
	}
	local = audit_host_is_local(c->host) || my_local;
	if (local && pg && pg_hosts_local(url, &local, e) != 0)
		goto out;
	if (tls && !local) {
		int ok;

		if (pg) {
			v = cJSON_GetObjectItemCaseSensitive(q, "sslmode");
			ok = cJSON_IsString(v) && audit_in_list("require|verify-ca|verify-full",
			    v->valuestring, strlen(v->valuestring));
			snprintf(detail, sizeof detail, "sslmode %s", v == NULL ? "is not set" :
			    audit_shown_value(v) ? audit_shown_value(v) : "has an unexpected value");
		} else {
			/* detail: my_url_checks() said what the URL asks. */
			ok = my_tls;
		}
		if (!ok && audit_config_finding(a, cb, arg, subject, rule_tls,
		    pw != NULL && *pw != '\0' ? AUDIT_SEV_HIGH : AUDIT_SEV_MEDIUM, detail, u,
		    NULL, 0, e) != 0)
			goto out;
	}
	rc = 0;
out:
	pyjson_free(q);
	conn_free(c);
	return rc;
}

/* sql_alchemy_conn: TLS to a network DB, and a password written in the file. */
static int
check_db_url(struct audit *a, audit_cb cb, void *arg, int *db_pw_in_file, struct err *e)
{
	struct config_value u;

	*db_pw_in_file = 0;
	if (config_db_url(a->o.cfg, &u, e) != 0)
		return -1;
	if (u.value == NULL)
		return 0;
	return check_sql_url(a, cb, arg, "[database] sql_alchemy_conn", &u, u.value,
	    "sql-alchemy-conn-password-in-config-file", "sql-alchemy-conn-no-ssl", 1,
	    db_pw_in_file, e);
}

/* -- the hardening guides' settings -------------------------------------- */

/*
 * Look [section] key up. A value that Airflow would take from a secrets
 * backend (key_secret, which ferncon cannot read) is credited as the safe
 * form: *via_secret 1 and v->value NULL, v->origin naming the _secret
 * option. Only when no _cmd form comes first, so that a failing command is
 * still an error. 0, or -1 with e set.
 */
static int
get_credited(struct audit *a, const char *section, const char *key,
    struct config_value *v, int *via_secret, struct err *e)
{
	struct config_value sv, cv;
	struct err ce;
	char name[96];

	*via_secret = 0;
	err_clear(&ce);
	if (config_get(a->o.cfg, section, key, v, &ce) == 0)
		return 0;
	if (ce.code == ERR_NOMEM) {
		*e = ce;
		return -1;
	}
	snprintf(name, sizeof name, "%s_secret", key);
	if (config_get(a->o.cfg, section, name, &sv, e) != 0)
		return -1;
	snprintf(name, sizeof name, "%s_cmd", key);
	if (config_get(a->o.cfg, section, name, &cv, e) != 0)
		return -1;
	if (sv.value == NULL || cv.value != NULL) {
		*e = ce;
		return -1;
	}
	*via_secret = 1;
	memset(v, 0, sizeof *v);
	v->source = sv.source;
	v->origin = sv.origin;
	return 0;
}

/* " (set by env X)" for a value from the environment, "" otherwise. */
static void
env_note(const struct config_value *v, char *out, size_t cap)
{
	if (v != NULL && (v->source == CONFIG_SRC_ENV || v->source == CONFIG_SRC_ENV_CMD) &&
	    v->origin != NULL)
		snprintf(out, cap, " (set by %s)", v->origin);
	else if (cap > 0)
		*out = '\0';
}

/*
 * [celery] broker_url or result_backend: a password written in airflow.cfg,
 * and, when Celery runs (celery_on), a plain transport to a network host.
 * Celery takes several broker URLs separated by ';': the first one names
 * the transport. ssl_active is [celery] ssl_active, which Airflow's Celery
 * config turns into broker_use_ssl for amqp:// and redis:// brokers.
 * *in_file: a password is written in airflow.cfg.
 */
static int
check_celery_url(struct audit *a, audit_cb cb, void *arg, int broker, int celery_on,
    int ssl_active, int *in_file, struct err *e)
{
	const char *key, *rule_pw, *rule_tls;
	struct config_value v;
	struct conn *c = NULL;
	struct buf first;
	struct err ignore;
	char subject[64], detail[300], note[200], scheme[32];
	const char *url;
	size_t n, i;
	int via_secret, rc = -1, plain, has_pw;

	key = broker ? "broker_url" : "result_backend";
	rule_pw = broker ? "celery-broker-password-in-config-file" :
	    "celery-result-backend-password-in-config-file";
	rule_tls = broker ? "celery-broker-no-tls" : "celery-result-backend-no-tls";
	snprintf(subject, sizeof subject, "[celery] %s", key);
	if (get_credited(a, "celery", key, &v, &via_secret, e) != 0)
		return -1;
	if (v.value == NULL || *v.value == '\0')
		return 0;
	buf_init(&first, 1);
	n = strcspn(v.value, ";");
	buf_add(&first, v.value, n);
	if (buf_check(&first, e) != 0)
		goto out;
	url = buf_str(&first);
	if (strncasecmp(url, "db+", 3) == 0) {
		rc = check_sql_url(a, cb, arg, subject, &v, url + 3, rule_pw, rule_tls,
		    celery_on, in_file, e);
		goto out;
	}
	n = strcspn(url, ":");
	if (n >= sizeof scheme || strncmp(url + n, "://", 3) != 0) {
		rc = 0;	/* not a URL Celery would take either */
		goto out;
	}
	for (i = 0; i <= n; i++)
		scheme[i] = i < n ? (char)tolower((unsigned char)url[i]) : '\0';
	if ((c = conn_new()) == NULL) {
		err_nomem(e);
		goto out;
	}
	err_clear(&ignore);
	if (uri_parse(url, NULL, c, &ignore) != 0 && ignore.code == ERR_NOMEM) {
		err_nomem(e);
		goto out;
	}
	has_pw = c->password_len > 0;
	*in_file = has_pw && v.source == CONFIG_SRC_FILE;
	if (*in_file &&
	    audit_config_finding(a, cb, arg, subject, rule_pw, AUDIT_SEV_MEDIUM, NULL, &v,
	    c->password, 0, e) != 0)
		goto out;
	/* Transports that Celery and kombu run without TLS unless told. */
	plain = audit_in_list("redis|amqp|pyamqp|librabbitmq|sentinel|mongodb", scheme, n);
	if (broker && ssl_active && audit_in_list("redis|amqp|pyamqp", scheme, n))
		plain = 0;
	if (celery_on && plain && !audit_host_is_local(url)) {
		env_note(&v, note, sizeof note);
		snprintf(detail, sizeof detail, "%s:// is not encrypted%s%s", scheme,
		    broker ? " and [celery] ssl_active is off" : "", note);
		if (audit_config_finding(a, cb, arg, subject, rule_tls, has_pw ? AUDIT_SEV_HIGH :
		    AUDIT_SEV_MEDIUM, detail, &v, NULL, 0, e) != 0)
			goto out;
	}
	rc = 0;
out:
	conn_free(c);
	buf_release(&first);
	return rc;
}

/*
 * [smtp]: credentials in clear, and smtp_password written in airflow.cfg.
 * Airflow 2 falls back on smtp_user and smtp_password when the SMTP
 * connection has none (airflow/utils/email.py, RemovedInAirflow3Warning;
 * apache/airflow commit c873bd5 lines 257-266); Airflow 3 reads the
 * connection only (commit e0b55c2: airflow-core/src/airflow/utils/email.py
 * lines 244-257; its config.yml has no smtp_user), so on
 * 3.x (v2 0) a password left in the file is still reported, as dead
 * weight to delete, and the transport check is the connection's
 * (transport-smtp-tls).
 */
static int
check_smtp(struct audit *a, audit_cb cb, void *arg, int v2, int *in_file, struct err *e)
{
	struct config *cfg = a->o.cfg;
	struct config_value user, pw, host, starttls;
	char detail[300], note[200];
	int via_secret, tls, ssl, has_pw;

	if (get_credited(a, "smtp", "smtp_password", &pw, &via_secret, e) != 0)
		return -1;
	has_pw = via_secret || (pw.value != NULL && *pw.value != '\0');
	*in_file = pw.value != NULL && *pw.value != '\0' && pw.source == CONFIG_SRC_FILE;
	if (*in_file &&
	    audit_config_finding(a, cb, arg, "[smtp] smtp_password", "smtp-password-in-config-file",
	    AUDIT_SEV_MEDIUM, v2 ? NULL : "Airflow 3 does not read it: delete it", &pw,
	    pw.value, 0, e) != 0)
		return -1;
	if (!v2)
		return 0;
	if (config_get(cfg, "smtp", "smtp_user", &user, e) != 0)
		return -1;
	if (user.value == NULL || user.value[strspn(user.value, " \t")] == '\0')
		return 0;
	if (config_get_bool(cfg, "smtp", "smtp_starttls", 1, &tls, e) != 0 ||
	    config_get_bool(cfg, "smtp", "smtp_ssl", 0, &ssl, e) != 0 ||
	    config_get(cfg, "smtp", "smtp_host", &host, e) != 0 ||
	    config_get(cfg, "smtp", "smtp_starttls", &starttls, e) != 0)
		return -1;
	if (tls || ssl || audit_host_is_local(host.value))	/* default host: localhost */
		return 0;
	env_note(&starttls, note, sizeof note);
	snprintf(detail, sizeof detail, "smtp_starttls and smtp_ssl are both False and "
	    "smtp_user is set%s%s", has_pw ? ": the password crosses the network in clear" : "",
	    note);
	return audit_config_finding(a, cb, arg, "[smtp] smtp_starttls", "smtp-no-tls",
	    has_pw ? AUDIT_SEV_HIGH : AUDIT_SEV_MEDIUM, detail,
	    starttls.value != NULL ? &starttls : NULL, NULL, 0, e);
}

/*
 * Published values of the Flask secret_key: Airflow 1.10's airflow.cfg
 * template shipped "temporary_key" (CVE-2020-17526); config.yml's default
 * "{SECRET_KEY}" is a placeholder that Airflow replaces with random bytes
 * when it writes airflow.cfg, so the literal text means it was copied by
 * hand (doc/audit-rules.md section 7).
 */
static const char *const secret_key_defaults[] = {
	"temporary_key", "{SECRET_KEY}", "{JWT_SECRET_KEY}",
};

/* [webserver] or [api] secret_key: a known default, empty, or in the file. */
static int
check_secret_key(struct audit *a, audit_cb cb, void *arg, const char *section,
    int *in_file, struct err *e)
{
	struct config_value v;
	char subject[64], detail[300], note[200];
	size_t i;
	int via_secret;

	*in_file = 0;
	snprintf(subject, sizeof subject, "[%s] secret_key", section);
	if (get_credited(a, section, "secret_key", &v, &via_secret, e) != 0)
		return -1;
	if (via_secret || v.value == NULL)	/* unset: a random key per process */
		return 0;
	env_note(&v, note, sizeof note);
	if (v.value[strspn(v.value, " \t\r\n")] == '\0') {
		snprintf(detail, sizeof detail, "set to an empty value%s", note);
		return audit_config_finding(a, cb, arg, subject, "secret-key-empty",
		    AUDIT_SEV_HIGH, detail, &v, NULL, 0, e);
	}
	for (i = 0; i < ARRAY_LEN(secret_key_defaults); i++) {
		if (strcmp(v.value, secret_key_defaults[i]) != 0)
			continue;
		/* A published default is no secret: the report may name it. */
		snprintf(detail, sizeof detail, "it is the published default '%s'%s",
		    secret_key_defaults[i], note);
		return audit_config_finding(a, cb, arg, subject, "secret-key-default",
		    AUDIT_SEV_CRITICAL, detail, &v, NULL, 0, e);
	}
	if ((*in_file = v.source == CONFIG_SRC_FILE))
		return audit_config_finding(a, cb, arg, subject, "secret-key-in-config-file",
		    AUDIT_SEV_MEDIUM, NULL, &v, v.value, 0, e);
	return 0;
}

/* The UI's TLS key file ([webserver] web_server_ssl_key, [api] ssl_key). */
static int
check_tls_key(struct audit *a, audit_cb cb, void *arg, const char *section,
    const char *key, struct err *e)
{
	struct config_value v;
	struct stat st;
	char subject[64], detail[600];

	if (config_get(a->o.cfg, section, key, &v, e) != 0)
		return -1;
	if (v.value == NULL || *v.value == '\0' || stat(v.value, &st) != 0 ||
	    !S_ISREG(st.st_mode) || (st.st_mode & 0066) == 0)
		return 0;
	snprintf(subject, sizeof subject, "[%s] %s", section, key);
	snprintf(detail, sizeof detail, "'%s' is mode %04o", v.value,
	    (unsigned)(st.st_mode & 07777));
	return audit_config_finding(a, cb, arg, subject, "tls-key-file-permissions",
	    (st.st_mode & 0044) ? AUDIT_SEV_HIGH : AUDIT_SEV_MEDIUM, detail, &v, NULL, 0, e);
}

/*
 * The hardening guides' settings: Celery, SMTP, secret_key, the TLS key.
 * *in_file: one of their secrets is written in airflow.cfg.
 */
static int
check_guides(struct audit *a, audit_cb cb, void *arg, int need_v2, int need_v3,
    int *in_file, struct err *e)
{
	struct config_value ex;
	int celery_on, ssl_active, f[5] = { 0, 0, 0, 0, 0 };

	if (config_get(a->o.cfg, "core", "executor", &ex, e) != 0 ||
	    config_get_bool(a->o.cfg, "celery", "ssl_active", 0, &ssl_active, e) != 0)
		return -1;
	/* CeleryExecutor, CeleryKubernetesExecutor, a module path, or a 3.x list. */
	celery_on = ex.value != NULL && strcasestr(ex.value, "celery") != NULL;
	if (check_celery_url(a, cb, arg, 1, celery_on, ssl_active, &f[0], e) != 0 ||
	    check_celery_url(a, cb, arg, 0, celery_on, ssl_active, &f[1], e) != 0 ||
	    check_smtp(a, cb, arg, need_v2, &f[2], e) != 0 ||
	    check_secret_key(a, cb, arg, "webserver", &f[3], e) != 0 ||
	    (need_v3 && check_secret_key(a, cb, arg, "api", &f[4], e) != 0) ||
	    (need_v2 && check_tls_key(a, cb, arg, "webserver", "web_server_ssl_key", e) != 0) ||
	    (need_v3 && check_tls_key(a, cb, arg, "api", "ssl_key", e) != 0))
		return -1;
	*in_file = f[0] || f[1] || f[2] || f[3] || f[4];
	return 0;
}

int
audit_config_backend(struct audit *a, audit_cb cb, void *arg, struct err *e)
{
	struct config_value v;
	char detail[600];

	if (a->o.cfg == NULL || a->pw_conns == 0)
		return 0;
	if (config_get(a->o.cfg, "secrets", "backend", &v, e) != 0)
		return -1;
	if (v.value != NULL && v.value[strspn(v.value, " \t")] != '\0')
		return 0;
	snprintf(detail, sizeof detail, "%zu connection%s would move: %s%s", a->pw_conns,
	    a->pw_conns == 1 ? "" : "s", buf_str(&a->pw_names),
	    a->pw_conns > AUDIT_PW_NAMES ? ", ..." : "");
	return audit_config_finding(a, cb, arg, "[secrets] backend", "secrets-backend-unset",
	    AUDIT_SEV_INFO, detail, v.value != NULL ? &v : NULL, NULL, 0, e);
}

int
audit_config(struct audit *a, audit_cb cb, void *arg, struct err *e)
{
	struct config_value key, v1, v2;
	struct config *cfg = a->o.cfg;
	struct stat st;
	char detail[200];
	int key_in_file = 0, db_pw_in_file = 0, guide_in_file = 0, b, need_v2, need_v3, secret;
	const struct airflow_version *ver = a->o.version;

	if (cfg == NULL)
		return 0;
	if (config_fernet_key(cfg, &key, e) != 0)
		return -1;
	if (key.value == NULL || key.value[strspn(key.value, " \t\r\n")] == '\0') {
		snprintf(detail, sizeof detail, "%s", key.value == NULL ? "unset" :
		    "set to an empty value");
		if (audit_config_finding(a, cb, arg, "[core] fernet_key", "fernet-key-empty",
		    AUDIT_SEV_CRITICAL, detail, &key, NULL, 0, e) != 0)
			return -1;
	} else if (key.source == CONFIG_SRC_FILE) {
		key_in_file = 1;
		if (audit_config_finding(a, cb, arg, "[core] fernet_key", "fernet-key-in-config-file",
		    AUDIT_SEV_MEDIUM, key.origin, &key, NULL, 0, e) != 0)
			return -1;
	}
	if (check_db_url(a, cb, arg, &db_pw_in_file, e) != 0)
		return -1;
	if (config_get_bool(cfg, "webserver", "show_connection_password", 0, &b, e) != 0)
		return -1;
	if (b && (config_get(cfg, "webserver", "show_connection_password", &v1, e) != 0 ||
	    audit_config_finding(a, cb, arg, "[webserver] show_connection_password",
	    "show-connection-password", AUDIT_SEV_MEDIUM, NULL, &v1, NULL, 0, e) != 0))
		return -1;
	if (config_get_bool(cfg, "core", "hide_sensitive_var_conn_fields", 1, &b, e) != 0)
		return -1;
	if (!b && (config_get(cfg, "core", "hide_sensitive_var_conn_fields", &v1, e) != 0 ||
	    audit_config_finding(a, cb, arg, "[core] hide_sensitive_var_conn_fields",
	    "hide-sensitive-fields-disabled", AUDIT_SEV_MEDIUM, NULL, &v1, NULL, 0, e) != 0))
		return -1;

	/* TLS of the UI: [webserver] web_server_ssl_* (2.x), [api] ssl_* (3.x). */
	need_v2 = ver == NULL || ver->major == 0 || ver->major < 3;
	need_v3 = ver == NULL || ver->major == 0 || ver->major >= 3;
	memset(&v1, 0, sizeof v1);
	memset(&v2, 0, sizeof v2);
	if ((need_v2 && config_get(cfg, "webserver", "web_server_ssl_cert", &v1, e) != 0) ||
	    (need_v3 && config_get(cfg, "api", "ssl_cert", &v2, e) != 0))
		return -1;
	if ((v1.value == NULL || *v1.value == '\0') && (v2.value == NULL || *v2.value == '\0')) {
		snprintf(detail, sizeof detail, "%s%s%s is not set", need_v3 ? "[api] ssl_cert" : "",
		    need_v2 && need_v3 ? " nor " : "",
		    need_v2 ? "[webserver] web_server_ssl_cert" : "");
		if (audit_config_finding(a, cb, arg, need_v3 ? "[api] ssl_cert" :
		    "[webserver] web_server_ssl_cert", "webserver-no-tls", AUDIT_SEV_LOW, detail,
		    NULL, NULL, 0, e) != 0)
			return -1;
	}
	if (check_guides(a, cb, arg, need_v2, need_v3, &guide_in_file, e) != 0)
		return -1;
	/* Last: whether the file holds a secret is known by now. */
	secret = key_in_file || db_pw_in_file || guide_in_file;
	if (stat(config_path(cfg), &st) == 0 && (st.st_mode & 0066) != 0) {
		snprintf(detail, sizeof detail, "'%s' is mode %04o%s", config_path(cfg),
		    (unsigned)(st.st_mode & 07777), secret ? " and holds a secret" : "");
		if (audit_config_finding(a, cb, arg, "airflow.cfg", "config-file-permissions",
		    secret || (st.st_mode & 0022) ? AUDIT_SEV_HIGH : AUDIT_SEV_MEDIUM, detail,
		    NULL, NULL, 1, e) != 0)
			return -1;
	}
	return 0;
}

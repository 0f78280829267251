/*
 * audit.h: the secret audit (doc/audit-rules.md): a rule engine over each
 * connection's decrypted extra, row checks (plaintext and undecryptable
 * values, secrets in variables, AIRFLOW_CONN_* variables with a password,
 * token age), transport checks per conn_type, configuration checks, and the
 * text/json/SARIF reports with baseline and ignore-file suppression.
 *
 * Model. An engine (struct audit) is built once: it compiles the rule set's
 * regular expressions (PCRE2, JIT when available) and loads the per-install
 * HMAC key. It is then fed connections one at a time (audit_conn) or runs a
 * whole audit over a store (audit_run); either way each finding is handed
 * to a callback as soon as its connection is done, so memory does not grow
 * with the table. Findings are passed by const pointer and valid only
 * during the callback: copy what you keep (audit_list does).
 *
 * Extras. Every leaf of the extra is visited with its JSON Pointer
 * (RFC 6901), its key normalised (lower case, runs of non-word characters
 * made '_', the legacy `extra__<conn_type>__` prefix stripped); a string
 * that holds a JSON object or array is walked too (tag decoded:json-string)
 * and base64 under a key-ish name is decoded once and rescanned (tag
 * decoded:base64). Pre-filters drop values that cannot be secrets (short,
 * `***`, true/false/null, one repeated character, templates and variable
 * references, UUIDs; for name-based rules also paths and plain URLs). One
 * finding per (subject, pointer): the most specific rule wins, the others
 * are listed in also_matched.
 *
 * Secrets. Evidence is always redacted: a PEM block shows its BEGIN line, a
 * token at most its first 4 characters and never more than 20 % of it,
 * a value under 12 characters shows REDACTED; password-class rules show no
 * prefix at all. secret_hash is HMAC-SHA256 keyed with a random per-install
 * key (a 0600 file, default $AIRFLOW_HOME/ferncon-audit.key, made on first
 * use); when that file cannot be read or made, findings carry no hash.
 * Decrypted values live in locked or wiped memory and are wiped after use.
 *
 * The engine is not thread-safe; use one per thread.
 */
#ifndef FERNCON_AUDIT_H
#define FERNCON_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include "airflow.h"
#include "buf.h"
#include "cfg.h"
#include "compiler.h"
#include "conn.h"
#include "err.h"
#include "keyring.h"
#include "mask.h"
#include "store.h"

/* -- severities and rules ------------------------------------------------ */

enum audit_severity {
	AUDIT_SEV_INFO = 0,
	AUDIT_SEV_LOW,
	AUDIT_SEV_MEDIUM,
	AUDIT_SEV_HIGH,
	AUDIT_SEV_CRITICAL,
};
#define AUDIT_SEV_COUNT	5

/*
 * The least severe finding reported unless asked otherwise: the default
 * of `audit --min-severity` and the console's audit, so that both count
 * the same (README, Audit).
 */
#define AUDIT_MIN_SEVERITY_DEFAULT	AUDIT_SEV_LOW
/* For --fail-on none: above every severity, so nothing fails. */
#define AUDIT_SEV_NEVER	5

/* "info", "low", "medium", "high", "critical". */
const char *audit_severity_name(enum audit_severity s);

/* Parse a severity name (any case; "none" gives AUDIT_SEV_NEVER when
 * allow_none). 0, or -1 when unknown. */
int audit_severity_parse(const char *s, int allow_none, int *out);

/* The SARIF level: critical and high "error", medium "warning", low
 * "note", info "none". */
const char *audit_severity_sarif(enum audit_severity s);

enum audit_category {
	AUDIT_CAT_SECRET,	/* a secret in an extra or a variable */
	AUDIT_CAT_STORAGE,	/* how a value is stored (plaintext, undecryptable, age) */
	AUDIT_CAT_TRANSPORT,	/* a connection that does not use TLS */
	AUDIT_CAT_CONFIG,	/* airflow.cfg and the environment */
};

/* One rule of the rule set (the tables are in audit_rules.c). */
struct audit_rule {
	const char		*id;		/* gitleaks-style kebab-case */
	const char		*description;	/* one line */
	enum audit_severity	 severity;	/* default; a finding may differ */
	enum audit_category	 category;
	int			 rank;		/* specificity: higher wins on one pointer */
	const char		*help;		/* what to do about it */
};

/* The rule set: every rule, in report order. */
size_t audit_rule_count(void);
const struct audit_rule *audit_rule_at(size_t i);

/* A rule by id, or NULL. */
const struct audit_rule *audit_rule_find(const char *id);

/* -- findings ------------------------------------------------------------ */

enum audit_scope {
	AUDIT_SCOPE_CONNECTION,	/* a row of the connection table */
	AUDIT_SCOPE_VARIABLE,	/* a row of the variable table */
	AUDIT_SCOPE_ENV,	/* an AIRFLOW_CONN_* environment variable */
	AUDIT_SCOPE_CONFIG,	/* an option of airflow.cfg / the environment */
};

/* "connection", "variable", "env", "config". */
const char *audit_scope_name(enum audit_scope s);

#define AUDIT_MAX_TAGS	4
#define AUDIT_MAX_ALSO	8

/*
 * One finding. Every string is owned by the engine (or by an audit_list)
 * and never holds a secret. NULL means "not applicable".
 */
struct audit_finding {
	const struct audit_rule	*rule;
	enum audit_severity	 severity;
	enum audit_scope	 scope;
	const char		*subject;	/* conn_id, variable key, env variable, option */
	const char		*conn_id;	/* connection and env scopes */
	const char		*conn_type;
	const char		*field;		/* extra, password, host, val, transport, ... */
	const char		*json_pointer;	/* inside extra or the variable's value */
	const char		*key;		/* the leaf's normalised key */
	const char		*message;	/* one sentence */
	const char		*evidence;	/* redacted */
	double			 entropy;	/* Shannon entropy of the secret; < 0: none */
	const char		*secret_hash;	/* "hmac-sha256:<hex>" */
	const char		*fingerprint;	/* stable id for baseline and ignore file */
	const char		*location;	/* "connection/<id>/extra/<pointer>" and so on */
	const char		*uri;		/* "airflow-connection://<id>", a file path... */
	int			 line;		/* line in the file of uri, 0 when none */
	const char		*tags[AUDIT_MAX_TAGS];
	size_t			 ntags;
	const char		*also_matched[AUDIT_MAX_ALSO];
	size_t			 nalso;
	int			 masked_by_airflow;	/* 1, 0, or -1 when not applicable */
};

/*
 * Fingerprints: "<conn_id>:<where>:<rule_id>" for connections, where
 * <where> is the JSON Pointer in the extra (it starts with '/') or the
 * field ("password", "host", "extra", "transport"); "var:<key>:<where>:
 * <rule_id>", "env:<NAME>:<where>:<rule_id>" and "config:<section.key>:
 * <rule_id>" for the other scopes. conn_ids cannot hold ':', so the forms
 * never collide. Stable across key rotations and re-encryption.
 */

typedef void (*audit_cb)(const struct audit_finding *f, void *arg);

/* -- the engine ---------------------------------------------------------- */

struct audit;

struct audit_opts {
	struct config		*cfg;		/* for configuration checks; may be NULL */
	struct keyring		*kr;		/* decrypts variables; NULL: encryption off */
	const struct mask	*mask;		/* Airflow's masking (masked_by_airflow); may be NULL */
	const struct airflow_version *version;	/* of the DB; NULL: unknown */
	char *const		*environ;	/* scanned for AIRFLOW_CONN_*; NULL: skipped */
	const char		*hash_key_path;	/* NULL: $AIRFLOW_HOME/ferncon-audit.key from cfg */
	int			 no_hash;	/* 1: never hash (no key file) */
	uint64_t		 now;		/* 0: time(NULL) */
	long			 max_age_days;	/* 0: [console] rotation_max_age_days, else 90 */
	enum audit_severity	 min_severity;	/* findings below are not reported */
	int			 no_variables;	/* 1: the variable table is not read
						   (the role may not read variables) */
};

/*
 * Build an engine. o is copied; what it points to is borrowed and must
 * outlive the engine. 0 with *out set (free with audit_free()), or -1 with
 * e set (a bad configuration value, out of memory, a rule that does not
 * compile).
 */
int audit_new(struct audit **out, const struct audit_opts *o, struct err *e) ATTR_WUR;

/* NULL does nothing. Wipes the HMAC key and the scratch buffers. */
void audit_free(struct audit *a);

/* 1 when findings carry a secret_hash (the key file was read or made). */
int audit_has_hash(const struct audit *a);

/*
 * Suppression. A baseline is a previous JSON report of `ferncon audit`:
 * a finding is then reported only when its fingerprint is not in it, or
 * when both have a secret_hash and they differ (tag "changed"). An ignore
 * file lists fingerprints, one a line, each followed by " # " and a reason:
 *
 *     aws_default:/aws_access_key_id:aws-access-token # rotated weekly by Vault
 *
 * Blank lines and lines starting with '#' are comments; a line without a
 * reason is an error (ERR_USAGE naming file and line). Both may be called
 * once each, before any audit. 0, or -1 with e set.
 */
int audit_load_baseline(struct audit *a, const char *path, struct err *e) ATTR_WUR;
int audit_load_ignore(struct audit *a, const char *path, struct err *e) ATTR_WUR;

/* Counts of one run (or of every call since the engine was made). */
struct audit_stats {
	size_t	connections;		/* connections examined */
	size_t	connections_with_findings;	/* with at least one reported finding */
	size_t	variables;
	size_t	env_connections;
	size_t	findings;		/* reported */
	size_t	by_severity[AUDIT_SEV_COUNT];	/* reported, per severity */
	size_t	below_min_severity;	/* not reported: below min_severity */
	size_t	baseline_suppressed;	/* not reported: in the baseline, unchanged */
	size_t	ignored;		/* not reported: in the ignore file */
	enum audit_severity min_severity;	/* the least severe reported */
};

/*
 * Audit one connection (plaintext, as conn_decrypt() leaves it): row checks
 * (plaintext while a key is set, undecryptable fields, token age), the host,
 * the transport table and every leaf of the extra. cb is called for each
 * reported finding, in a stable order. This is the per-connection API for
 * the console (a marker in the list, the audit screen). 0, or -1 with e set
 * (out of memory).
 */
int audit_conn(struct audit *a, const struct conn *c, audit_cb cb, void *arg,
    struct err *e) ATTR_WUR;

/*
 * The worst reported severity of one connection, or -1 when it has no
 * reported finding; *count (may be NULL) gets the number of findings. For
 * the list marker. 0, or -1 with e set.
 */
int audit_conn_worst(struct audit *a, const struct conn *c, int *worst,
    size_t *count, struct err *e) ATTR_WUR;

/*
 * Whether the value rules find a secret (a finding of AUDIT_CAT_SECRET at
 * any severity, baseline and ignore file not applied) in val (len bytes,
 * plaintext) of the variable key: *found 1 or 0. The masking of variables
 * (session_var.c) shows a value to a role that may not reveal only when
 * this finds none. 0, or -1 with e set (out of memory).
 */
int audit_var_secret(struct audit *a, const char *key, const char *val,
    size_t len, int *found, struct err *e) ATTR_WUR;

/*
 * The configuration checks (fernet_key empty or in airflow.cfg, the file's
 * mode, sql_alchemy_conn without TLS, show_connection_password, webserver or
 * API without TLS, masking turned off). 0, or -1 with e set (a `_cmd` that
 * fails, a malformed option).
 */
int audit_config(struct audit *a, audit_cb cb, void *arg, struct err *e) ATTR_WUR;

/* The AIRFLOW_CONN_* variables of opts.environ. 0, or -1 with e set. */
int audit_env(struct audit *a, audit_cb cb, void *arg, struct err *e) ATTR_WUR;

/*
 * The whole audit, streaming: configuration, every connection of s (read,
 * decrypted with opts.kr, audited, wiped, one at a time), every variable,
 * the AIRFLOW_CONN_* variables, then the key-age summary. st (may be NULL)
 * gets the counts of this run. 0, or -1 with e set (the DB failed).
 */
int audit_run(struct audit *a, struct store *s, audit_cb cb, void *arg,
    struct audit_stats *st, struct err *e) ATTR_WUR;

/* Counts since the engine was made (or since audit_stats_reset()). */
void audit_stats_get(const struct audit *a, struct audit_stats *st);
void audit_stats_reset(struct audit *a);

/* -- pieces, exposed for tests and reuse --------------------------------- */

/* Shannon entropy (bits per byte) over the bytes present in s. */
double audit_entropy(const char *s, size_t len);

/*
 * The redacted form of a secret of len bytes, written to out (at least
 * 96 bytes): "-----BEGIN RSA PRIVATE KEY----- [REDACTED, 1704 chars]",
 * "AKIA... [20 chars]", "REDACTED" (under 12 bytes), or with no_prefix
 * "[REDACTED, 24 chars]".
 */
void audit_redact(const char *s, size_t len, int no_prefix, char *out, size_t cap);

/* -- a list of findings, for callers that keep them ---------------------- */

/* Owns deep copies of findings. Initialise with memset 0. */
struct audit_list {
	struct audit_finding	*items;
	size_t			 n, cap;
	int			 failed;	/* a copy ran out of memory */
};

/* An audit_cb that appends a copy of f to the audit_list *arg. */
void audit_list_collect(const struct audit_finding *f, void *arg);

/* Sort by severity (worst first), then subject and fingerprint. */
void audit_list_sort(struct audit_list *l);

/* Free every copy; the list is empty and usable again. */
void audit_list_release(struct audit_list *l);

/* -- reports ------------------------------------------------------------- */

enum audit_format {
	AUDIT_FORMAT_TEXT,	/* gitleaks-style blocks and a summary line */
	AUDIT_FORMAT_JSON,	/* {tool, version, generated_at, rules_used, findings, summary} */
	AUDIT_FORMAT_SARIF,	/* SARIF 2.1.0 */
};

/* "text" (or "human"), "json", "sarif". 0, or -1 when unknown. */
int audit_format_parse(const char *s, enum audit_format *out);

struct audit_report_opts {
	const char		*version;	/* the tool's version */
	uint64_t		 generated_at;	/* 0: now */
	enum audit_severity	 min_severity;
	int			 fail_on;	/* a severity, or AUDIT_SEV_NEVER */
	const char		*baseline;	/* the baseline file, or NULL */
	const char		*ignore;	/* the ignore file, or NULL */
	int			 hashed;	/* findings carry secret_hash */
};

struct audit_report;

/* A streaming report writer; o is copied. Free with audit_report_free(). */
int audit_report_new(struct audit_report **out, enum audit_format f,
    const struct audit_report_opts *o, struct err *e) ATTR_WUR;
void audit_report_free(struct audit_report *r);

/*
 * The report, in three steps, each appending text to out (the caller
 * writes and resets out between steps, so memory stays flat): the head, one
 * piece per finding, and the tail with the summary. failure, when not
 * NULL, says the audit could not complete: the JSON tail then carries
 * "error" and SARIF's invocation executionSuccessful false. 0, or -1 with e
 * set (out of memory).
 */
int audit_report_begin(struct audit_report *r, struct buf *out, struct err *e) ATTR_WUR;
int audit_report_finding(struct audit_report *r, const struct audit_finding *f,
    struct buf *out, struct err *e) ATTR_WUR;
int audit_report_end(struct audit_report *r, const struct audit_stats *st,
    const struct err *failure, struct buf *out, struct err *e) ATTR_WUR;

/*
 * The summary line: "N findings (c critical, h high, m medium, l low) in K
 * of M connections; minimum severity shown: low".
 */
void audit_summary_line(const struct audit_stats *st, char *out, size_t cap);

#endif

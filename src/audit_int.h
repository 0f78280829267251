/*
 * audit_int.h: the shapes of the audit's data tables (audit_rules.c), shared
 * by the engine (audit.c) and the tests. Not part of the public API: the
 * console and the CLI use audit.h only.
 *
 * A rule's matching is described by one of these tables:
 *   - audit_patterns[]: gitleaks/detect-secrets regular expressions run on
 *     every string value (PCRE2 syntax), with a capture group for the
 *     secret, a minimum entropy and cheap keyword pre-filters;
 *   - audit_key_rules[]: rules anchored on a key name (exact or suffix,
 *     normalised or raw), optionally a conn_type and a value pattern;
 *   - audit_transports[]: one row per conn_type setting that must be on.
 * The structural and name-list rules (GCP service account, azure key_json,
 * Airflow's sensitive names, the generic and entropy rules) are code in
 * audit_scan.c, fed by the word lists declared here.
 *
 * The second half declares the engine's state and what its files share,
 * as SQLite's sqliteInt.h does for its own: audit.c (the engine: rules
 * compiled once, extras walked, findings held per subject and emitted),
 * audit_scan.c (the value rules on one string), audit_baseline.c (the
 * HMAC key, baseline and ignore file), audit_transport.c (transport rules
 * per conn_type) and audit_config.c (AIRFLOW_CONN_* and airflow.cfg).
 */
#ifndef FERNCON_AUDIT_INT_H
#define FERNCON_AUDIT_INT_H

#include <stddef.h>
#include <stdint.h>

#ifndef PCRE2_CODE_UNIT_WIDTH
#define PCRE2_CODE_UNIT_WIDTH 8
#endif
#include <pcre2.h>
#include <cjson/cJSON.h>

#include "audit.h"
#include "buf.h"
#include "cfg.h"
#include "conn.h"

/* audit_pattern.flags */
#define AP_NO_PREFILTER	0x01	/* the secret is structured: skip the value pre-filters */
#define AP_JWT		0x02	/* header and payload must decode to JSON objects */
#define AP_STRIPE	0x04	/* *_test_* keys are low */
#define AP_AWS_KEYID	0x08	/* gitleaks allowlist: drop ids ending in EXAMPLE */
#define AP_NO_PREFIX	0x10	/* evidence shows no prefix (passwords) */

struct audit_pattern {
	const char	*rule_id;
	const char	*regex;		/* PCRE2 */
	int		 group;		/* capture group of the secret; 0: whole match */
	double		 min_entropy;	/* of the secret; 0: no check */
	const char	*keywords;	/* '|'-separated, lower case; one must occur; NULL: none */
	const char	*require;	/* a lower-case substring that must also occur, or NULL */
	unsigned	 flags;
};

enum audit_key_match {
	AK_EXACT,	/* the key is one of names */
	AK_SUFFIX,	/* the key ends with one of names */
};

struct audit_key_rule {
	const char		*rule_id;
	const char		*names;		/* '|'-separated */
	enum audit_key_match	 match;
	int			 raw;		/* match the raw key lower-cased (HTTP headers) */
	const char		*conn_types;	/* '|'-separated, or NULL for any */
	const char		*value_regex;	/* PCRE2 the value must match; NULL: any value */
	size_t			 min_len;	/* the value is at least this long */
	unsigned		 flags;		/* AP_NO_PREFILTER, AP_NO_PREFIX */
};

/* How a transport row decides that a connection is not protected. */
enum audit_transport_test {
	TT_VALUE_IN,	/* the first present key's value must be one of good */
	TT_TRUTHY,	/* some key must be true (a value in bad counts as false) */
	TT_NOT_ALL_TRUE, /* flagged when every key is true (switches that disable TLS) */
	TT_NOT_TRUE,	/* flagged when any key is true (a switch that disables a check) */
	TT_SCHEME,	/* the URL scheme (host "x://", else schema, else default) must be in good */
	TT_ALWAYS,	/* the protocol has no TLS option in this conn_type */
};

struct audit_transport {
	struct audit_rule		 rule;
	const char			*types;		/* conn_types, '|'-separated */
	enum audit_transport_test	 test;
	const char			*keys;		/* extra keys, '|'-separated */
	const char			*good;		/* '|'-separated, lower case */
	const char			*bad;		/* '|'-separated, lower case */
	const char			*secure_scheme;	/* host "scheme://" that means TLS, or NULL */
	long				 secure_port;	/* a port that means TLS, or 0 */
	int				 local_ok;	/* skip hosts on this machine */
};

extern const struct audit_rule audit_rule_table[];
extern const size_t audit_rule_table_len;
extern const struct audit_pattern audit_patterns[];
extern const size_t audit_patterns_len;
extern const struct audit_key_rule audit_key_rules[];
extern const size_t audit_key_rules_len;
extern const struct audit_transport audit_transports[];
extern const size_t audit_transports_len;

/* Rule 25: names Airflow masks in any version (DEFAULT_SENSITIVE_FIELDS). */
extern const char *const audit_sensitive_names[];
extern const size_t audit_sensitive_names_len;
/* ... of which these make a name "high" (the rest are "medium"). */
extern const char *const audit_sensitive_high[];
extern const size_t audit_sensitive_high_len;
/* Rule 26: provider extra keys that hold secrets (doc/audit-rules.md
 * section 5). */
extern const char *const audit_provider_secret_keys[];
extern const size_t audit_provider_secret_keys_len;
/* Names that hold public material or identifiers, never secrets. */
extern const char *const audit_public_names[];
extern const size_t audit_public_names_len;
/* Value prefixes of public keys and certificates. */
extern const char *const audit_public_prefixes[];
extern const size_t audit_public_prefixes_len;
/* gitleaks generic-api-key: stopwords (a secret holding one is dropped). */
extern const char *const audit_stopwords[];
extern const size_t audit_stopwords_len;
/* gitleaks generic-api-key: the key words and the value shapes. */
extern const char audit_generic_key_re[];
extern const char audit_generic_value_re[];
/* A credential (user:password@) in a host or URL. */
extern const char audit_host_password_re[];

/* -- the engine's state (audit.c and its parts) -------------------------- */

/* pending.tags: how a value was found (audit.c names them in findings). */
#define TAG_JSON_STRING	0x1u
#define TAG_BASE64	0x2u
#define TAG_CHANGED	0x4u

#define KEYNAME_MAX	128	/* bytes of a normalised key name */
#define AUDIT_PW_NAMES	10	/* conn_ids named by secrets-backend-unset */

/* A keyword of a pattern, with its first and last two bytes as bigrams. */
struct kw {
	const char	*s;	/* into the pattern's keyword list */
	size_t		 len;
	unsigned	 first, last;
};

struct cpat {
	const struct audit_pattern	*p;
	const struct audit_rule		*rule;
	pcre2_code			*re;
	struct kw			*kws;	/* one must occur; none: always run */
	size_t				 nkws;
	struct kw			 req;	/* must occur too when len > 0 */
};

struct ckey {
	const struct audit_key_rule	*k;
	const struct audit_rule		*rule;
	pcre2_code			*re;	/* NULL: any value */
};

/* A set of fingerprints (baseline or ignore file), open addressing. */
struct fpent {
	char	*fp;
	char	*hash;		/* baseline: the secret_hash, or NULL */
};

struct fpset {
	struct fpent	*slots;
	size_t		 cap, n;
};

/* A finding waiting for its subject to be complete. Owns its strings. */
struct pending {
	const struct audit_rule	*rule;
	enum audit_severity	 sev;
	const char		*field;		/* a literal */
	char			*pointer;
	char			*key;
	char			*message;
	char			*evidence;
	char			*hash;
	char			*file;		/* config findings: airflow.cfg */
	int			 line;
	double			 entropy;
	unsigned		 tags;
	const struct audit_rule	*also[AUDIT_MAX_ALSO];
	size_t			 nalso;
	int			 masked;
};

/* What is being audited now. */
struct subject {
	enum audit_scope	 scope;
	const char		*name;
	const char		*conn_id;
	const char		*conn_type;
};

/* Where a leaf sits. */
struct walkctx {
	const char	*raw_key;	/* the key as written, or NULL */
	const char	*key;		/* normalised, "" when none */
	int		 masked;	/* Airflow masks it */
	int		 in_sjson;	/* levels of JSON-in-a-string */
	int		 under_key_json;
	int		 in_sa;		/* member of a GCP service-account object */
	unsigned	 tags;
};

struct audit {
	struct audit_opts	 o;
	struct mask		*own_mask;
	const struct mask	*mask;		/* Airflow's, for masked_by_airflow */
	int			 mask_all;	/* Airflow's mask hides every key */
	int			 encryption_on;

	struct cpat		*pats;
	size_t			 npats;
	struct ckey		*keys;
	size_t			 nkeys;
	pcre2_code		*re_generic_key, *re_generic_value, *re_host_pw;
	pcre2_match_data	*md;
	pcre2_match_context	*mctx;
	pcre2_jit_stack		*jstack;

	unsigned char		*hkey;		/* sodium_malloc, NULL: no hashes */
	struct fpset		 baseline, ignore;
	int			 have_baseline, have_ignore;

	char			*lc, *dec, *var;	/* sodium_malloc scratch */
	unsigned char		 bigrams[65536 / 8];	/* bigrams present in lc */
	size_t			 lc_cap, dec_cap, var_cap;
	struct buf		 ptr;		/* the JSON Pointer being walked */
	struct buf		 fp, loc, uri;	/* for emitting */

	struct pending		*pend;
	size_t			 npend, pend_cap;
	struct subject		 sub;
	struct audit_stats	 st;

	/* Connections of the DB with a password: the secrets-backend check. */
	size_t			 pw_conns;
	struct buf		 pw_names;	/* the first AUDIT_PW_NAMES, ", "-separated */

	uint64_t		 now;
	long			 max_age_days;
	size_t			 stale_values;
	uint64_t		 stale_oldest;
};

/* -- shared by the engine's files ---------------------------------------- */

/*
 * audit.c: small helpers. audit_in_list(): the '|'-separated list holds
 * exactly the len bytes of s; audit_in_list_suffix(): an item that s ends
 * with; audit_in_words(): s is one of n words; audit_ends_with() on C
 * strings.
 */
int audit_in_list(const char *list, const char *s, size_t len);
int audit_in_list_suffix(const char *list, const char *s, size_t len);
int audit_in_words(const char *const *words, size_t n, const char *s);
int audit_ends_with(const char *s, const char *suffix);

/*
 * Grow a sodium_malloc scratch buffer *p of *cap bytes to hold need bytes
 * (the old contents are wiped, not kept). 0, or -1 out of memory.
 */
int audit_scratch(char **p, size_t *cap, size_t need);

/* t (seconds since the epoch) as YYYY-MM-DD in UTC, into out. */
void audit_format_date(uint64_t t, char *out, size_t cap);

/* The rule with that id; every id the engine names is in the table. */
const struct audit_rule *audit_rule_get(const char *id);

/*
 * audit.c: a pending finding of the current subject (a->sub): rule r at
 * severity sev on field, its message the rule's description, then detail
 * when not NULL; when s is not NULL, redacted evidence (keep bytes of a
 * public prefix shown as is), entropy and the HMAC of s. Owned by a until
 * audit_flush(); NULL with e set when out of memory.
 */
struct pending *audit_pend_add(struct audit *a, const struct audit_rule *r,
    enum audit_severity sev, const char *field, const char *detail,
    const char *s, size_t len, size_t keep, int no_prefix, struct err *e);

/*
 * audit.c: filter the subject's pending findings (baseline, ignore file,
 * minimum severity) and hand them to cb, then free them. With fail set
 * (the subject could not be audited, e already says why) they are only
 * freed and -1 returned; else 0, or -1 with e set.
 */
int audit_flush(struct audit *a, audit_cb cb, void *arg, int fail, struct err *e);

/*
 * audit.c: the host, transport and extra checks of one connection (rows:
 * also the storage checks of a database row), as pending findings.
 */
int audit_conn_checks(struct audit *a, const struct conn *c, int rows,
    struct err *e);

/*
 * audit_scan.c: every value rule on one string leaf (s, len bytes,
 * NUL-terminated or not) at ctx, then one pending finding for its JSON
 * Pointer (a->ptr) when anything matched. 0, or -1 with e set.
 */
int audit_scan_leaf(struct audit *a, const char *s, size_t len,
    const struct walkctx *ctx, struct err *e);

/* audit_scan.c: the bigram of the two bytes at s (keyword pre-filters). */
unsigned audit_bigram(const char *s);

/*
 * audit_scan.c: compile pat (PCRE2, JIT when available); NULL with e set
 * naming rule_id when it does not compile.
 */
pcre2_code *audit_re_compile(const char *pat, const char *rule_id,
    struct err *e);

/*
 * audit_scan.c: find re in s from start. 1 with so..eo the span of group
 * (the whole match when the group did not take part) and mo..me the whole
 * match, else 0 (no match, or a match or JIT limit hit, which counts as
 * none).
 */
int audit_re_find(struct audit *a, pcre2_code *re, const char *s, size_t len,
    size_t start, int group, size_t *so, size_t *eo, size_t *mo, size_t *me);

/*
 * audit_baseline.c: read the per-install HMAC key into a->hkey, or make it
 * (32 random bytes, mode 0600, O_EXCL|O_NOFOLLOW). Any failure leaves the
 * engine without hashes (a->hkey NULL).
 */
void audit_hash_key_load(struct audit *a);

/*
 * audit_baseline.c: "hmac-sha256:<hex>" of the secret (caller frees), or
 * NULL without a key or memory.
 */
char *audit_hash_secret(struct audit *a, const char *s, size_t len);

/* audit_baseline.c: the entry of fingerprint fp in set, or NULL. */
const struct fpent *audit_fpset_get(const struct fpset *set, const char *fp);

/* audit_baseline.c: free a set's entries; the set is empty again. */
void audit_fpset_release(struct fpset *set);

/*
 * audit_transport.c: a host on this machine (empty, localhost,
 * 127.0.0.0/8, ::1, a socket path; a URL's host is read out of it).
 */
int audit_host_is_local(const char *host);

/* audit_transport.c: is a setting on? A value in bad counts as off. */
int audit_truthy(const cJSON *v, const char *bad);

/*
 * audit_transport.c: a setting's value for a message: short plain strings
 * only, else NULL.
 */
const char *audit_shown_value(const cJSON *v);

/*
 * audit_transport.c: the transport rules of c's conn_type on its extra
 * (the parsed tree, or NULL), as pending findings.
 */
int audit_transport_checks(struct audit *a, const struct conn *c,
    const cJSON *extra, struct err *e);

/*
 * audit_config.c: one configuration finding about subject (rule_id at
 * sev, with detail), emitted at once; v, when it comes from airflow.cfg,
 * gives the file and line, and about_file names airflow.cfg without a
 * line. secret (or NULL) is hashed, never shown.
 */
int audit_config_finding(struct audit *a, audit_cb cb, void *arg,
    const char *subject, const char *rule_id, enum audit_severity sev,
    const char *detail, const struct config_value *v, const char *secret,
    int about_file, struct err *e);

/*
 * audit_config.c: after the connections, [secrets] backend unset while
 * a->pw_conns connections keep a password in the DB (info, naming the
 * first of them). 0, or -1 with e set.
 */
int audit_config_backend(struct audit *a, audit_cb cb, void *arg,
    struct err *e);

#endif

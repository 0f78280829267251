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
 * audit.c, fed by the word lists declared here.
 */
#ifndef FERNCON_AUDIT_INT_H
#define FERNCON_AUDIT_INT_H

#include <stddef.h>

#include "audit.h"

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
/* Rule 26: provider extra keys that hold secrets (AUDIT.md A3). */
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

#endif

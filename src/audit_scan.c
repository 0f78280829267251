/*
 * audit_scan.c: the value rules on one string of an extra or a variable:
 * cheap pre-filters (identifiers, UUIDs, paths, public keys), the
 * gitleaks-style regular expressions behind keyword bigrams, the key-name
 * rules, the generic-api-key and entropy rules, JWTs and base64 decoded
 * once, and Airflow's sensitive names. The candidates of one leaf are
 * reduced to one pending finding for its JSON Pointer; audit.c walks the
 * tree and calls audit_scan_leaf() on each string.
 */
#include "config.h"

#include "audit_int.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "pyjson.h"

#define MAX_CANDS	24
#define SCAN_MAX	((size_t)1 << 20)	/* bytes of one value the regexes see */

/* One candidate match on a leaf. s points into the leaf or a->dec. */
struct cand {
	const struct audit_rule	*rule;
	enum audit_severity	 sev;
	const char		*s;
	size_t			 len;
	size_t			 keep;	/* a public prefix shown as is ("Bearer ") */
	unsigned		 tags;
	int			 no_prefix;
	char			 note[64];
};

struct cands {
	struct cand	c[MAX_CANDS];
	size_t		n;
};

/* -- pre-filters --------------------------------------------------------- */

static int
all_same(const char *s, size_t len)
{
	size_t i;

	for (i = 1; i < len; i++)
		if (s[i] != s[0])
			return 0;
	return 1;
}

static int
is_ident(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || !(isalpha((unsigned char)s[0]) || s[0] == '_'))
		return 0;
	for (i = 1; i < len; i++)
		if (!(isalnum((unsigned char)s[i]) || s[i] == '_'))
			return 0;
	return 1;
}

static int
is_uuid(const char *s, size_t len)
{
	size_t i;

	if (len != 36)
		return 0;
	for (i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return 0;
		} else if (!isxdigit((unsigned char)s[i])) {
			return 0;
		}
	}
	return 1;
}

/*
 * 1 if a candidate value cannot be a secret (doc/audit-rules.md section 2):
 * shorter than 5, one repeated character (incl. Airflow's ***),
 * true/false/null/none, a template or an environment reference, a
 * <placeholder>, a UUID.
 */
static int
prefilter_drop(const char *s, size_t len)
{
	const char *o, *c;

	if (len < 5 || all_same(s, len))
		return 1;
	if ((len == 5 && strncasecmp(s, "false", 5) == 0))
		return 1;
	if ((o = memmem(s, len, "{{", 2)) != NULL &&
	    (c = memmem(o, len - (size_t)(o - s), "}}", 2)) != NULL)
		return 1;
	if (s[0] == '$') {
		if (s[1] == '{' && s[len - 1] == '}' && memchr(s + 2, '}', len - 3) == NULL)
			return 1;
		if (is_ident(s + 1, len - 1))
			return 1;
	}
	if ((s[0] == '%' && s[len - 1] == '%' && is_ident(s + 1, len - 2)) ||
	    (s[0] == '@' && s[len - 1] == '@' && is_ident(s + 1, len - 2)))
		return 1;
	if (s[0] == '<' && s[len - 1] == '>' && memchr(s + 1, '<', len - 2) == NULL &&
	    memchr(s + 1, '>', len - 2) == NULL)
		return 1;
	return is_uuid(s, len);
}

static int
looks_like_path(const char *s, size_t len)
{
	if (len == 0 || memchr(s, '\n', len) != NULL)
		return 0;
	if (s[0] == '/' || strncmp(s, "~/", 2) == 0 || strncmp(s, "./", 2) == 0 ||
	    strncmp(s, "../", 3) == 0)
		return 1;
	return len > 3 && isalpha((unsigned char)s[0]) && s[1] == ':' &&
	    (s[2] == '\\' || s[2] == '/');
}

/* A URL with no user:password (other rules look at those). */
static int
is_plain_url(const char *s, size_t len)
{
	const char *p = memmem(s, len, "://", 3);
	size_t i;

	if (p == NULL || p == s)
		return 0;
	for (i = 0; s + i < p; i++)
		if (!(isalnum((unsigned char)s[i]) || s[i] == '+' || s[i] == '.' || s[i] == '-'))
			return 0;
	for (i = 0; i < len; i++)
		if (s[i] == '@' || isspace((unsigned char)s[i]))
			return 0;
	return 1;
}

/* Names that hold identifiers, URLs or public material. */
static int
is_public_name(const char *key)
{
	static const char *const suffixes[] = {
		"_id", "_url", "_uri", "_name", "_type", "_public_key", "_cert",
		"_region", "_endpoint", "_arn", "_sid",
	};
	size_t i;

	if (*key == '\0')
		return 0;
	if (strcmp(key, "id") == 0 || audit_in_words(audit_public_names, audit_public_names_len, key))
		return 1;
	for (i = 0; i < ARRAY_LEN(suffixes); i++)
		if (audit_ends_with(key, suffixes[i]))
			return 1;
	return 0;
}

static int
is_public_value(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < audit_public_prefixes_len; i++) {
		size_t n = strlen(audit_public_prefixes[i]);

		if (len >= n && memcmp(s, audit_public_prefixes[i], n) == 0)
			return 1;
	}
	return 0;
}

/* tenantId, subscriptionID: identifiers in camelCase. */
static int
is_camel_id(const char *raw)
{
	size_t n = raw != NULL ? strlen(raw) : 0;

	return n > 2 && islower((unsigned char)raw[n - 3]) &&
	    (strcmp(raw + n - 2, "Id") == 0 || strcmp(raw + n - 2, "ID") == 0);
}

/* *_path, *_file, key_file, token_file_path: a value there names a file. */
static int
is_path_key(const char *key)
{
	return audit_ends_with(key, "_path") || audit_ends_with(key, "_file") ||
	    strcmp(key, "path") == 0 || strcmp(key, "file") == 0;
}

static int
is_credential_word(const char *key)
{
	return strstr(key, "key") != NULL || strstr(key, "token") != NULL ||
	    strstr(key, "secret") != NULL || strstr(key, "cred") != NULL ||
	    strstr(key, "pass") != NULL || strstr(key, "cert") != NULL;
}

/* -- regular expressions ------------------------------------------------- */

pcre2_code *
audit_re_compile(const char *pat, const char *rule_id, struct err *e)
{
	PCRE2_UCHAR msg[256];
	PCRE2_SIZE off;
	pcre2_code *re;
	int code;

	re = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED, 0, &code, &off, NULL);
	if (re == NULL) {
		pcre2_get_error_message(code, msg, sizeof msg);
		err_set(e, ERR_CONFIG, "audit rule '%s': pattern does not compile at "
		    "offset %zu: %s", rule_id, (size_t)off, (const char *)msg);
		return NULL;
	}
	(void)pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);	/* the interpreter otherwise */
	return re;
}

/*
 * Find re in s from start. 1 with so..eo the span of group (the whole
 * match when the group did not take part) and mo..me the whole match,
 * else 0 (no match, or a match or JIT limit hit, which counts as none).
 */
int
audit_re_find(struct audit *a, pcre2_code *re, const char *s, size_t len, size_t start,
    int group, size_t *so, size_t *eo, size_t *mo, size_t *me)
{
	PCRE2_SIZE *ov;
	int rc;

	rc = pcre2_match(re, (PCRE2_SPTR)s, len, start, 0, a->md, a->mctx);
	if (rc <= 0)
		return 0;
	ov = pcre2_get_ovector_pointer(a->md);
	if (group >= rc || ov[2 * group] == PCRE2_UNSET)
		group = 0;
	*so = ov[2 * group];
	*eo = ov[2 * group + 1];
	*mo = ov[0];
	*me = ov[1];
	return 1;
}

static int
re_test(struct audit *a, pcre2_code *re, const char *s, size_t len)
{
	size_t so, eo, mo, me;

	return audit_re_find(a, re, s, len, 0, 0, &so, &eo, &mo, &me);
}

/* -- value rules on a leaf ----------------------------------------------- */

static struct cand *
cand_add(struct cands *cs, const struct audit_rule *r, enum audit_severity sev,
    const char *s, size_t len, unsigned tags)
{
	struct cand *c;

	if (cs->n == MAX_CANDS)
		return NULL;
	c = &cs->c[cs->n++];
	memset(c, 0, sizeof *c);
	c->rule = r;
	c->sev = sev;
	c->s = s;
	c->len = len;
	c->tags = tags;
	return c;
}

/* base64url JSON object of a JWT part, or NULL. The decoded bytes are wiped. */
static cJSON *
jwt_part(const char *s, size_t len)
{
	unsigned char buf[4096];
	size_t bin = 0;
	cJSON *j;

	while (len > 0 && s[len - 1] == '=')
		len--;
	if (len == 0 || len > 5000)
		return NULL;
	if (sodium_base642bin(buf, sizeof buf - 1, s, len, NULL, &bin, NULL,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
		return NULL;
	j = cJSON_ParseWithLength((const char *)buf, bin);
	sodium_memzero(buf, bin);
	if (j != NULL && !cJSON_IsObject(j)) {
		pyjson_free(j);
		j = NULL;
	}
	return j;
}

/* detect-secrets' is_formally_valid: header and payload are JSON objects. */
static int
jwt_valid(struct audit *a, const char *s, size_t len, char *note, size_t cap)
{
	const char *d1 = memchr(s, '.', len), *d2;
	cJSON *h = NULL, *p = NULL, *exp;
	int ok = 0;

	if (d1 == NULL || (d2 = memchr(d1 + 1, '.', len - (size_t)(d1 + 1 - s))) == NULL)
		return 0;
	if ((h = jwt_part(s, (size_t)(d1 - s))) == NULL ||
	    (p = jwt_part(d1 + 1, (size_t)(d2 - d1 - 1))) == NULL)
		goto out;
	ok = 1;
	exp = cJSON_GetObjectItemCaseSensitive(p, "exp");
	if (cJSON_IsNumber(exp) && exp->valuedouble > 0 && exp->valuedouble < 2.5e11) {
		char date[32];

		audit_format_date((uint64_t)exp->valuedouble, date, sizeof date);
		snprintf(note, cap, "exp %s%s", date,
		    (uint64_t)exp->valuedouble < a->now ? ", expired" : "");
	}
out:
	pyjson_free(h);
	pyjson_free(p);
	return ok;
}

unsigned
audit_bigram(const char *s)
{
	return (unsigned)(unsigned char)s[0] << 8 | (unsigned char)s[1];
}

static void
bigrams_mark(struct audit *a, size_t len, int on)
{
	size_t k;

	for (k = 0; k + 1 < len; k++) {
		unsigned b = audit_bigram(a->lc + k);

		if (on)
			a->bigrams[b >> 3] |= (unsigned char)(1u << (b & 7));
		else
			a->bigrams[b >> 3] = 0;
	}
}

/* Does the keyword occur in a->lc? Its bigrams first, then memmem. */
static int
kw_occurs(const struct audit *a, const struct kw *k, size_t len)
{
	if (k->len > len)
		return 0;
	if (!(a->bigrams[k->first >> 3] & (1u << (k->first & 7))) ||
	    !(a->bigrams[k->last >> 3] & (1u << (k->last & 7))))
		return 0;
	return memmem(a->lc, len, k->s, k->len) != NULL;
}

/* Run the value patterns over s (len bytes); candidates point into s. */
static void
run_patterns(struct audit *a, const char *s, size_t len, unsigned tags, struct cands *cs)
{
	size_t i, k;

	if (len == 0 || audit_scratch(&a->lc, &a->lc_cap, len + 1) != 0)
		return;
	for (k = 0; k < len; k++)
		a->lc[k] = (char)tolower((unsigned char)s[k]);
	bigrams_mark(a, len, 1);
	for (i = 0; i < a->npats; i++) {
		const struct cpat *cp = &a->pats[i];
		const struct audit_pattern *p = cp->p;
		size_t start = 0, so, eo, mo, me;
		int hit = cp->nkws == 0;

		for (k = 0; k < cp->nkws && !hit; k++)
			hit = kw_occurs(a, &cp->kws[k], len);
		if (!hit || (cp->req.len > 0 && !kw_occurs(a, &cp->req, len)))
			continue;
		while (start <= len &&
		    audit_re_find(a, cp->re, s, len, start, p->group, &so, &eo, &mo, &me)) {
			const char *sec = s + so;
			size_t slen = eo - so;
			enum audit_severity sev = cp->rule->severity;
			char note[64] = "";
			int ok = slen > 0;

			if (ok && !(p->flags & AP_NO_PREFILTER) && prefilter_drop(sec, slen))
				ok = 0;
			if (ok && p->min_entropy > 0 && audit_entropy(sec, slen) < p->min_entropy)
				ok = 0;
			if (ok && (p->flags & AP_AWS_KEYID) && slen > 7 &&
			    memcmp(sec + slen - 7, "EXAMPLE", 7) == 0)
				ok = 0;
			if (ok && (p->flags & AP_JWT) && !jwt_valid(a, sec, slen, note, sizeof note))
				ok = 0;
			if (ok && (p->flags & AP_STRIPE) && memmem(sec, slen, "_test_", 6) != NULL)
				sev = AUDIT_SEV_LOW;
			if (ok) {
				struct cand *c = cand_add(cs, cp->rule, sev, sec, slen, tags);

				if (c != NULL) {
					c->no_prefix = (p->flags & AP_NO_PREFIX) != 0;
					snprintf(c->note, sizeof c->note, "%s", note);
				}
				break;
			}
			start = me > mo ? me : mo + 1;
		}
	}
	bigrams_mark(a, len, 0);
	sodium_memzero(a->lc, len);
}

/* The key-name rules of audit_key_rules[]. */
static void
run_key_rules(struct audit *a, const struct walkctx *ctx, const char *s, size_t len,
    struct cands *cs)
{
	char rawlc[KEYNAME_MAX];
	size_t i, k;

	if (ctx->raw_key == NULL)
		return;
	for (k = 0; ctx->raw_key[k] != '\0' && k + 1 < sizeof rawlc; k++)
		rawlc[k] = (char)tolower((unsigned char)ctx->raw_key[k]);
	rawlc[k] = '\0';
	for (i = 0; i < a->nkeys; i++) {
		const struct ckey *ck = &a->keys[i];
		const struct audit_key_rule *kr = ck->k;
		const char *name = kr->raw ? rawlc : ctx->key;
		size_t nlen = strlen(name), keep = 0;
		struct cand *c;

		if (kr->match == AK_EXACT ? !audit_in_list(kr->names, name, nlen) :
		    !audit_in_list_suffix(kr->names, name, nlen))
			continue;
		if (kr->conn_types != NULL && (a->sub.conn_type == NULL ||
		    !audit_in_list(kr->conn_types, a->sub.conn_type, strlen(a->sub.conn_type))))
			continue;
		if (len == 0 || len < kr->min_len)
			continue;
		if (!(kr->flags & AP_NO_PREFILTER) && prefilter_drop(s, len))
			continue;
		if (ck->re != NULL && !re_test(a, ck->re, s, len))
			continue;
		/* An authorization header keeps its scheme word visible. */
		if (kr->raw) {
			static const char *const schemes[] = { "Bearer ", "Basic ", "Token ",
			    "Digest ", "Bot ", "ApiKey " };

			for (k = 0; k < ARRAY_LEN(schemes); k++)
				if (strncasecmp(s, schemes[k], strlen(schemes[k])) == 0)
					keep = strlen(schemes[k]);
			if (prefilter_drop(s + keep, len - keep))
				continue;
		}
		if ((c = cand_add(cs, ck->rule, ck->rule->severity, s, len, 0)) != NULL) {
			c->keep = keep;
			c->no_prefix = (kr->flags & AP_NO_PREFIX) != 0;
		}
	}
}

/* gitleaks generic-api-key on key and value. */
static int
generic_match(struct audit *a, const char *key, const char *s, size_t len)
{
	size_t i;
	int letters_only = 1;

	if (!re_test(a, a->re_generic_key, key, strlen(key)) ||
	    !re_test(a, a->re_generic_value, s, len) || audit_entropy(s, len) < 3.5)
		return 0;
	for (i = 0; i < len; i++)
		if (!(isalpha((unsigned char)s[i]) || s[i] == '_' || s[i] == '.' || s[i] == '-'))
			letters_only = 0;
	if (letters_only)
		return 0;
	if (audit_scratch(&a->lc, &a->lc_cap, len + 1) != 0)
		return 0;
	for (i = 0; i < len; i++)
		a->lc[i] = (char)tolower((unsigned char)s[i]);
	for (i = 0; i < audit_stopwords_len; i++) {
		if (memmem(a->lc, len, audit_stopwords[i], strlen(audit_stopwords[i])) != NULL) {
			sodium_memzero(a->lc, len);
			return 0;
		}
	}
	sodium_memzero(a->lc, len);
	return 1;
}

/* A run at i that follows "sha256:" and the like: a content digest, public. */
static int
after_digest_label(const char *s, size_t i)
{
	static const char *const labels[] = { "sha1:", "sha256:", "sha384:", "sha512:", "md5:" };
	size_t k, n;

	for (k = 0; k < ARRAY_LEN(labels); k++) {
		n = strlen(labels[k]);
		if (i >= n && strncasecmp(s + i - n, labels[k], n) == 0)
			return 1;
	}
	return 0;
}

/*
 * detect-secrets' high-entropy strings over each run of the base64 charset
 * of at least 20 characters: hex runs above 3.0 (less 1.2/log2(len) for an
 * all-digit run), others above 4.5.
 */
static void
entropy_rule(const char *s, size_t len, struct cands *cs)
{
	size_t i = 0;

	while (i < len) {
		size_t j = i, k;
		int hex = 1, digits = 1;
		double h;

		while (j < len && (isalnum((unsigned char)s[j]) || s[j] == '+' ||
		    s[j] == '/' || s[j] == '=' || s[j] == '_' || s[j] == '-'))
			j++;
		if (j - i >= 20 && !after_digest_label(s, i)) {
			for (k = i; k < j; k++) {
				if (!isxdigit((unsigned char)s[k]))
					hex = 0;
				if (!isdigit((unsigned char)s[k]))
					digits = 0;
			}
			h = audit_entropy(s + i, j - i);
			if (hex && digits)
				h -= 1.2 / log2((double)(j - i));
			if (hex ? h > 3.0 : h > 4.5) {
				cand_add(cs, audit_rule_get(hex ? "high-entropy-hex" : "high-entropy-base64"),
				    AUDIT_SEV_LOW, s + i, j - i, 0);
				return;
			}
		}
		i = j + 1;
	}
}

static int
printable_text(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!(c == '\t' || c == '\n' || c == '\r' || (c >= 0x20 && c < 0x7f)))
			return 0;
	}
	return len > 0;
}

static int
base64_shaped(const char *s, size_t len)
{
	size_t i;

	if (len < 64)
		return 0;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!(isalnum(c) || c == '+' || c == '/' || c == '=' || c == '\n' ||
		    c == '\r' || c == ' ' || c == '\t'))
			return 0;
	}
	return 1;
}

/* Decode base64 (the original alphabet, padding optional) into a->dec; 0 or -1. */
static int
decode_base64(struct audit *a, const char *s, size_t len, size_t *out)
{
	if (audit_scratch(&a->dec, &a->dec_cap, len / 4 * 3 + 4) != 0)
		return -1;
	if (sodium_base642bin((unsigned char *)a->dec, a->dec_cap, s, len, " \t\r\n", out,
	    NULL, sodium_base64_VARIANT_ORIGINAL) == 0)
		return 0;
	return sodium_base642bin((unsigned char *)a->dec, a->dec_cap, s, len, " \t\r\n",
	    out, NULL, sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
}

/* 1 if one of the n names is a substring of key. */
static int
name_contains_any(const char *key, const char *const *names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strstr(key, names[i]) != NULL)
			return 1;
	return 0;
}

/* Rule 25's names: any Airflow version's sensitive names, as substrings. */
static int
sensitive_name(const char *key)
{
	return name_contains_any(key, audit_sensitive_names,
	    audit_sensitive_names_len);
}

static int
is_high_name(const char *key)
{
	return name_contains_any(key, audit_sensitive_high,
	    audit_sensitive_high_len);
}

/* Reduce the candidates of one leaf to one pending finding. */
static int
leaf_finding(struct audit *a, const struct walkctx *ctx, struct cands *cs, struct err *e)
{
	const char *field = a->sub.scope == AUDIT_SCOPE_VARIABLE ? "val" : "extra";
	struct cand *w = &cs->c[0];
	struct pending *p;
	unsigned tags = ctx->tags;
	size_t i, j;

	for (i = 1; i < cs->n; i++) {
		struct cand *c = &cs->c[i];

		if (c->rule->rank > w->rule->rank ||
		    (c->rule->rank == w->rule->rank && c->sev > w->sev))
			w = c;
	}
	for (i = 0; i < cs->n; i++)
		tags |= cs->c[i].tags;
	if ((p = audit_pend_add(a, w->rule, w->sev, field, w->note, w->len ? w->s : NULL, w->len,
	    w->keep, w->no_prefix, e)) == NULL)
		return -1;
	p->tags = tags;
	p->masked = ctx->masked;
	if ((p->pointer = strdup(buf_str(&a->ptr))) == NULL ||
	    (*ctx->key != '\0' && (p->key = strdup(ctx->key)) == NULL)) {
		err_nomem(e);
		return -1;
	}
	for (i = 0; i < cs->n && p->nalso < AUDIT_MAX_ALSO; i++) {
		const struct audit_rule *r = cs->c[i].rule;
		int seen = r == w->rule || strcmp(r->id, w->rule->id) == 0;

		for (j = 0; j < p->nalso && !seen; j++)
			seen = strcmp(p->also[j]->id, r->id) == 0;
		if (!seen)
			p->also[p->nalso++] = r;
	}
	return 0;
}

/*
 * Every rule on one string leaf (s, len bytes, NUL-terminated or not),
 * then one finding for its pointer when anything matched.
 */
int
audit_scan_leaf(struct audit *a, const char *s, size_t len, const struct walkctx *ctx,
    struct err *e)
{
	struct cands cs;
	const char *key = ctx->key;
	size_t scan = len > SCAN_MAX ? SCAN_MAX : len, dlen = 0, dwipe = 0;
	int name_ok = 1, is_var_root = a->sub.scope == AUDIT_SCOPE_VARIABLE && a->ptr.len == 0;
	int rc = 0;

	cs.n = 0;
	if (len == 0)
		return 0;
	if (is_public_name(key) || is_public_value(s, len) || is_camel_id(ctx->raw_key))
		name_ok = 0;
	if (is_path_key(key)) {
		name_ok = 0;
		if (looks_like_path(s, len) && is_credential_word(key))
			cand_add(&cs, audit_rule_get("credential-file-path"), AUDIT_SEV_INFO, s, 0, 0);
	}
	if (looks_like_path(s, len) || is_plain_url(s, len))
		name_ok = 0;

	run_patterns(a, s, scan, 0, &cs);
	run_key_rules(a, ctx, s, len, &cs);

	/* Structure: a GCP service account's private_key; azure key_json's secret. */
	if (ctx->in_sa && strcmp(key, "private_key") == 0 && !prefilter_drop(s, len))
		cand_add(&cs, audit_rule_get("gcp-service-account-key"), AUDIT_SEV_CRITICAL, s, len, 0);
	if (ctx->under_key_json && (strcmp(key, "client_secret") == 0 ||
	    strcmp(key, "clientsecret") == 0) && !prefilter_drop(s, len))
		cand_add(&cs, audit_rule_get("azure-key-json"), AUDIT_SEV_HIGH, s, len, 0);

	/* base64 under a key-ish name: decode once and rescan (decoded:base64). */
	if ((strstr(key, "key") != NULL || strstr(key, "pem") != NULL) &&
	    base64_shaped(s, scan)) {
		dwipe = scan / 4 * 3 + 4;	/* a failed decode may leave bytes too */
		if (decode_base64(a, s, scan, &dlen) == 0 && printable_text(a->dec, dlen))
			run_patterns(a, a->dec, dlen, TAG_BASE64, &cs);
	}

	/* Name-only rules (25, 26, 27) and the entropy fallback (28). */
	if (name_ok && *key != '\0' && !prefilter_drop(s, len)) {
		int sens = sensitive_name(key) ||
		    (a->mask != NULL && !a->mask_all &&
		    mask_is_sensitive(a->mask, ctx->raw_key ? ctx->raw_key : key));

		if (sens) {
			int high = is_high_name(key);
			struct cand *c = cand_add(&cs, audit_rule_get(is_var_root ?
			    "variable-sensitive-name" : "airflow-sensitive-key"),
			    high ? AUDIT_SEV_HIGH : AUDIT_SEV_MEDIUM, s, len, 0);

			if (c != NULL)
				c->no_prefix = high;
		}
		if (!ctx->masked && audit_in_words(audit_provider_secret_keys,
		    audit_provider_secret_keys_len, key))
			cand_add(&cs, audit_rule_get("airflow-unmasked-secret-key"), AUDIT_SEV_HIGH, s,
			    len, 0);
		if (generic_match(a, key, s, scan))
			cand_add(&cs, audit_rule_get("generic-api-key"), AUDIT_SEV_MEDIUM, s, len, 0);
	}
	if (cs.n == 0 && name_ok && len >= 20)
		entropy_rule(s, scan, &cs);

	if (cs.n > 0)
		rc = leaf_finding(a, ctx, &cs, e);
	if (dwipe > 0 && a->dec != NULL)
		sodium_memzero(a->dec, dwipe < a->dec_cap ? dwipe : a->dec_cap);
	return rc;
}

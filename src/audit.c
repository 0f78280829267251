/*
 * audit.c: the audit engine (see audit.h): rules compiled once, connections
 * walked leaf by leaf, candidates per leaf reduced to one finding per
 * pointer, row/transport/configuration checks, suppression by baseline and
 * ignore file, and findings handed to a callback one subject at a time.
 *
 * Per subject (a connection, a variable, an AIRFLOW_CONN_* variable, a
 * configuration option) the engine collects pending findings, adjusts them
 * once the subject is complete (an AWS key id becomes critical when its
 * secret sits beside it; a plaintext extra that holds a secret is high),
 * then filters and emits them and frees them. Nothing is kept across
 * subjects except counters, so memory is flat in the number of rows.
 *
 * Secret handling: values are read where they already live (the decrypted
 * extra tree, wiped by pyjson_free; the connection's locked fields), and
 * every copy the engine makes (the lower-cased text for keyword filters,
 * a decoded base64 value, a decrypted variable, JWT parts) is in
 * sodium_malloc memory or on the stack and wiped after use. A pending
 * finding holds only redacted evidence and an HMAC.
 */
#include "config.h"

#include "audit.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <cjson/cJSON.h>
#include <sodium.h>

#include "audit_int.h"
#include "fernet.h"
#include "pgurl.h"
#include "pyjson.h"
#include "uri.h"

#define TAG_JSON_STRING	0x1u
#define TAG_BASE64	0x2u
#define TAG_CHANGED	0x4u

#define MAX_CANDS	24
#define MAX_DEPTH	48	/* JSON nesting walked */
#define MAX_SJSON	3	/* JSON-in-a-string levels walked */
#define SCAN_MAX	((size_t)1 << 20)	/* bytes of one value the regexes see */
#define KEYNAME_MAX	128
#define HKEY_BYTES	crypto_auth_hmacsha256_KEYBYTES
#define HASH_PREFIX	"hmac-sha256:"

static const char *const tag_names[] = {
	"decoded:json-string", "decoded:base64", "changed-since-baseline",
};

/* -- internal types ------------------------------------------------------------- */

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

	uint64_t		 now;
	long			 max_age_days;
	size_t			 stale_values;
	uint64_t		 stale_oldest;
};

static int scan_leaf(struct audit *a, const char *s, size_t len,
    const struct walkctx *ctx, struct err *e);
static int visit(struct audit *a, cJSON *node, const struct walkctx *ctx,
    int depth, struct err *e);

/* -- names ------------------------------------------------------------------------ */

const char *
audit_severity_name(enum audit_severity s)
{
	static const char *const names[] = { "info", "low", "medium", "high", "critical" };

	return (unsigned)s < AUDIT_SEV_COUNT ? names[s] : "none";
}

int
audit_severity_parse(const char *s, int allow_none, int *out)
{
	int i;

	for (i = 0; i < AUDIT_SEV_COUNT; i++) {
		if (strcasecmp(s, audit_severity_name((enum audit_severity)i)) == 0) {
			*out = i;
			return 0;
		}
	}
	if (allow_none && strcasecmp(s, "none") == 0) {
		*out = AUDIT_SEV_NEVER;
		return 0;
	}
	return -1;
}

const char *
audit_severity_sarif(enum audit_severity s)
{
	switch (s) {
	case AUDIT_SEV_CRITICAL:
	case AUDIT_SEV_HIGH:
		return "error";
	case AUDIT_SEV_MEDIUM:
		return "warning";
	case AUDIT_SEV_LOW:
		return "note";
	default:
		return "none";
	}
}

const char *
audit_scope_name(enum audit_scope s)
{
	switch (s) {
	case AUDIT_SCOPE_VARIABLE:
		return "variable";
	case AUDIT_SCOPE_ENV:
		return "env";
	case AUDIT_SCOPE_CONFIG:
		return "config";
	default:
		return "connection";
	}
}

size_t
audit_rule_count(void)
{
	return audit_rule_table_len + audit_transports_len;
}

const struct audit_rule *
audit_rule_at(size_t i)
{
	if (i < audit_rule_table_len)
		return &audit_rule_table[i];
	i -= audit_rule_table_len;
	return i < audit_transports_len ? &audit_transports[i].rule : NULL;
}

const struct audit_rule *
audit_rule_find(const char *id)
{
	size_t i;

	for (i = 0; i < audit_rule_table_len; i++)
		if (strcmp(audit_rule_table[i].id, id) == 0)
			return &audit_rule_table[i];
	for (i = 0; i < audit_transports_len; i++)
		if (strcmp(audit_transports[i].rule.id, id) == 0)
			return &audit_transports[i].rule;
	return NULL;
}

/* -- small helpers --------------------------------------------------------------- */

double
audit_entropy(const char *s, size_t len)
{
	size_t counts[256], i;
	double h = 0.0;

	if (len == 0)
		return 0.0;
	memset(counts, 0, sizeof counts);
	for (i = 0; i < len; i++)
		counts[(unsigned char)s[i]]++;
	for (i = 0; i < 256; i++) {
		if (counts[i] != 0) {
			double p = (double)counts[i] / (double)len;

			h -= p * log2(p);
		}
	}
	return h;
}

void
audit_redact(const char *s, size_t len, int no_prefix, char *out, size_t cap)
{
	const char *b = len >= 10 ? memmem(s, len, "-----BEGIN", 10) : NULL;
	size_t k;

	if (b != NULL) {
		size_t rest = len - (size_t)(b - s) - 10;
		const char *end = memmem(b + 10, rest, "-----", 5);

		if (end != NULL && end - b < 100 && memchr(b, '\n', (size_t)(end - b)) == NULL) {
			snprintf(out, cap, "%.*s----- [REDACTED, %zu chars]", (int)(end - b), b, len);
			return;
		}
	}
	if (len < 12) {
		snprintf(out, cap, "REDACTED");
		return;
	}
	if (no_prefix) {
		snprintf(out, cap, "[REDACTED, %zu chars]", len);
		return;
	}
	/* At most 4 characters and at most 20 %, on a character boundary. */
	k = len / 5;
	if (k > 4)
		k = 4;
	while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80)
		k--;
	for (size_t i = 0; i < k; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			k = 0;
	snprintf(out, cap, "%.*s... [%zu chars]", (int)k, s, len);
}

/*
 * 1 if the '|'-separated list holds exactly the len bytes of s or, with
 * suffix, an item that s ends with.
 */
static int
list_match(const char *list, const char *s, size_t len, int suffix)
{
	const char *p = list;

	while (p != NULL && *p != '\0') {
		size_t n = strcspn(p, "|");

		if (suffix ? n <= len && memcmp(s + len - n, p, n) == 0 :
		    n == len && memcmp(p, s, len) == 0)
			return 1;
		p += n;
		if (*p == '|')
			p++;
	}
	return 0;
}

static int
list_has(const char *list, const char *s, size_t len)
{
	return list_match(list, s, len, 0);
}

static int
list_has_suffix(const char *list, const char *s, size_t len)
{
	return list_match(list, s, len, 1);
}

static int
words_has(const char *const *words, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(words[i], s) == 0)
			return 1;
	return 0;
}

static int
ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && memcmp(s + a - b, suffix, b) == 0;
}

static int
is_word(unsigned char c)
{
	return isalnum(c) || c == '_' || c >= 0x80;
}

/*
 * The normalised key: lower case, every run of non-word characters made
 * one '_', a legacy `extra__<conn_type>__` prefix removed.
 */
static void
key_normalise(const char *raw, char *out, size_t cap)
{
	const char *p = raw;
	size_t n = 0;
	int gap = 0;

	if (strncmp(p, "extra__", 7) == 0) {
		const char *sep = strstr(p + 7, "__");

		if (sep != NULL && sep[2] != '\0')
			p = sep + 2;
	}
	for (; *p != '\0' && n + 1 < cap; p++) {
		unsigned char c = (unsigned char)*p;

		if (is_word(c)) {
			if (gap && n + 2 < cap)
				out[n++] = '_';
			gap = 0;
			out[n++] = (char)tolower(c);
		} else {
			gap = 1;
		}
	}
	if (gap && n + 1 < cap)
		out[n++] = '_';
	out[n] = '\0';
}

/* Grow a sodium_malloc scratch buffer to hold need bytes (old contents wiped). */
static int
scratch(char **p, size_t *cap, size_t need)
{
	char *q;
	size_t c;

	if (*cap >= need)
		return 0;
	for (c = *cap ? *cap : 1024; c < need; c *= 2)
		;
	if ((q = sodium_malloc(c)) == NULL)
		return -1;
	sodium_free(*p);
	*p = q;
	*cap = c;
	return 0;
}

static void
format_date(uint64_t t, char *out, size_t cap)
{
	struct tm tm;
	time_t tt = (time_t)t;

	if (t > (uint64_t)253402300799 || gmtime_r(&tt, &tm) == NULL)
		snprintf(out, cap, "beyond year 9999");
	else
		strftime(out, cap, "%Y-%m-%d", &tm);
}

/* -- pre-filters ------------------------------------------------------------------- */

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
 * 1 if a candidate value cannot be a secret (AUDIT.md A4 pre-filters):
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
		"_region", "_endpoint",
	};
	size_t i;

	if (*key == '\0')
		return 0;
	if (strcmp(key, "id") == 0 || words_has(audit_public_names, audit_public_names_len, key))
		return 1;
	for (i = 0; i < ARRAY_LEN(suffixes); i++)
		if (ends_with(key, suffixes[i]))
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
	return ends_with(key, "_path") || ends_with(key, "_file") ||
	    strcmp(key, "path") == 0 || strcmp(key, "file") == 0;
}

static int
is_credential_word(const char *key)
{
	return strstr(key, "key") != NULL || strstr(key, "token") != NULL ||
	    strstr(key, "secret") != NULL || strstr(key, "cred") != NULL ||
	    strstr(key, "pass") != NULL || strstr(key, "cert") != NULL;
}

/* -- regular expressions ------------------------------------------------------------ */

static pcre2_code *
re_compile(const char *pat, const char *rule_id, struct err *e)
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
static int
re_find(struct audit *a, pcre2_code *re, const char *s, size_t len, size_t start,
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

	return re_find(a, re, s, len, 0, 0, &so, &eo, &mo, &me);
}

/* -- the HMAC key and hashes ----------------------------------------------------------- */

static int
read_full(int fd, void *p, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = read(fd, (char *)p + got, n - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		got += (size_t)r;
	}
	return 0;
}

static int
write_full(int fd, const void *p, size_t n)
{
	size_t put = 0;

	while (put < n) {
		ssize_t w = write(fd, (const char *)p + put, n - put);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		put += (size_t)w;
	}
	return 0;
}

/*
 * Read the per-install key, or make it (32 random bytes, mode 0600,
 * O_EXCL|O_NOFOLLOW). Any failure leaves the engine without hashes.
 */
static void
hash_key_load(struct audit *a)
{
	char path[4200];
	const char *p = a->o.hash_key_path, *home;
	struct stat st;
	int fd;

	if (a->o.no_hash)
		return;
	if (p == NULL) {
		home = a->o.cfg != NULL ? config_airflow_home(a->o.cfg) : NULL;
		if (home == NULL || *home == '\0')
			return;
		snprintf(path, sizeof path, "%s/ferncon-audit.key", home);
		p = path;
	}
	if ((a->hkey = sodium_malloc(HKEY_BYTES)) == NULL)
		return;
	fd = open(p, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT) {
		fd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd >= 0) {
			randombytes_buf(a->hkey, HKEY_BYTES);
			if (write_full(fd, a->hkey, HKEY_BYTES) == 0 && fsync(fd) == 0 &&
			    close(fd) == 0)
				return;
			(void)unlink(p);
			goto fail;
		}
		if (errno == EEXIST)	/* made meanwhile by another run */
			fd = open(p, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	}
	if (fd < 0)
		goto fail;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    st.st_size != (off_t)HKEY_BYTES || read_full(fd, a->hkey, HKEY_BYTES) != 0) {
		close(fd);
		goto fail;
	}
	close(fd);
	return;
fail:
	sodium_free(a->hkey);
	a->hkey = NULL;
}

/* "hmac-sha256:<hex>" of the secret, or NULL without a key (or memory). */
static char *
hash_secret(struct audit *a, const char *s, size_t len)
{
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	char *out;
	size_t plen = sizeof HASH_PREFIX - 1;

	if (a->hkey == NULL)
		return NULL;
	if ((out = malloc(plen + 2 * sizeof mac + 1)) == NULL)
		return NULL;
	crypto_auth_hmacsha256(mac, (const unsigned char *)s, len, a->hkey);
	memcpy(out, HASH_PREFIX, plen);
	sodium_bin2hex(out + plen, 2 * sizeof mac + 1, mac, sizeof mac);
	return out;
}

int
audit_has_hash(const struct audit *a)
{
	return a->hkey != NULL;
}

/* -- fingerprint sets ---------------------------------------------------------------------- */

static uint64_t
fnv1a(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

static const struct fpent *
fpset_get(const struct fpset *set, const char *fp)
{
	size_t i;

	if (set->cap == 0)
		return NULL;
	for (i = fnv1a(fp) & (set->cap - 1); set->slots[i].fp != NULL;
	    i = (i + 1) & (set->cap - 1))
		if (strcmp(set->slots[i].fp, fp) == 0)
			return &set->slots[i];
	return NULL;
}

static int
fpset_put(struct fpset *set, const char *fp, const char *hash)
{
	size_t i;

	if ((set->n + 1) * 2 > set->cap) {
		struct fpset bigger;
		size_t j;

		bigger.cap = set->cap ? set->cap * 2 : 64;
		bigger.n = 0;
		if ((bigger.slots = calloc(bigger.cap, sizeof *bigger.slots)) == NULL)
			return -1;
		for (j = 0; j < set->cap; j++) {
			if (set->slots[j].fp == NULL)
				continue;
			for (i = fnv1a(set->slots[j].fp) & (bigger.cap - 1);
			    bigger.slots[i].fp != NULL; i = (i + 1) & (bigger.cap - 1))
				;
			bigger.slots[i] = set->slots[j];
			bigger.n++;
		}
		free(set->slots);
		*set = bigger;
	}
	for (i = fnv1a(fp) & (set->cap - 1); set->slots[i].fp != NULL;
	    i = (i + 1) & (set->cap - 1)) {
		if (strcmp(set->slots[i].fp, fp) == 0)
			return 0;	/* first entry wins */
	}
	if ((set->slots[i].fp = strdup(fp)) == NULL)
		return -1;
	if (hash != NULL && (set->slots[i].hash = strdup(hash)) == NULL) {
		free(set->slots[i].fp);
		set->slots[i].fp = NULL;
		return -1;
	}
	set->n++;
	return 0;
}

static void
fpset_release(struct fpset *set)
{
	size_t i;

	for (i = 0; i < set->cap; i++) {
		free(set->slots[i].fp);
		free(set->slots[i].hash);
	}
	free(set->slots);
	memset(set, 0, sizeof *set);
}

static int
baseline_add(struct audit *a, const cJSON *fp, const cJSON *hash)
{
	if (!cJSON_IsString(fp))
		return 0;
	return fpset_put(&a->baseline, fp->valuestring,
	    cJSON_IsString(hash) ? hash->valuestring : NULL);
}

int
audit_load_baseline(struct audit *a, const char *path, struct err *e)
{
	struct buf text;
	cJSON *root = NULL, *list, *item, *runs, *res;
	int rc = -1;

	buf_init(&text, 0);
	if (buf_read_file(&text, path, "baseline", 0, ERR_USAGE, NULL, e) != 0)
		goto out;
	if ((root = cJSON_Parse(buf_str(&text))) == NULL)
		goto bad;
	/* Our JSON report ({"findings": [...]}, or a bare array of findings)... */
	list = cJSON_IsArray(root) ? root : cJSON_GetObjectItemCaseSensitive(root, "findings");
	if (cJSON_IsArray(list)) {
		cJSON_ArrayForEach(item, list)
			if (baseline_add(a, cJSON_GetObjectItemCaseSensitive(item, "fingerprint"),
			    cJSON_GetObjectItemCaseSensitive(item, "secret_hash")) != 0)
				goto oom;
		goto done;
	}
	/* ... or our SARIF report. */
	runs = cJSON_GetObjectItemCaseSensitive(root, "runs");
	if (!cJSON_IsArray(runs))
		goto bad;
	cJSON_ArrayForEach(item, runs) {
		cJSON_ArrayForEach(res, cJSON_GetObjectItemCaseSensitive(item, "results")) {
			cJSON *pf = cJSON_GetObjectItemCaseSensitive(res, "partialFingerprints");
			cJSON *pr = cJSON_GetObjectItemCaseSensitive(res, "properties");

			if (baseline_add(a, cJSON_GetObjectItemCaseSensitive(pf,
			    "connExtraFingerprint/v1"),
			    cJSON_GetObjectItemCaseSensitive(pr, "secret_hash")) != 0)
				goto oom;
		}
	}
done:
	a->have_baseline = 1;
	rc = 0;
	goto out;
oom:
	err_set(e, ERR_NOMEM, "out of memory");
	goto out;
bad:
	err_set(e, ERR_USAGE, "baseline '%s' is not a JSON or SARIF report of ferncon audit",
	    path);
out:
	cJSON_Delete(root);
	buf_release(&text);
	return rc;
}

int
audit_load_ignore(struct audit *a, const char *path, struct err *e)
{
	struct buf text;
	char *line, *next;
	int lineno = 0, rc = -1;

	buf_init(&text, 0);
	if (buf_read_file(&text, path, "ignore file", 0, ERR_USAGE, NULL, e) != 0)
		goto out;
	/* Cut in place into lines (text.p is NULL for an empty file). */
	for (line = text.p; line != NULL; line = next) {
		char *end, *hash, *reason;

		lineno++;
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		while (isspace((unsigned char)*line))
			line++;
		if (*line == '\0' || *line == '#')
			continue;
		/* "FINGERPRINT # reason": the first '#' after a blank. */
		for (hash = line + 1; *hash != '\0'; hash++)
			if (*hash == '#' && isspace((unsigned char)hash[-1]))
				break;
		reason = *hash == '#' ? hash + 1 : hash;
		while (isspace((unsigned char)*reason))
			reason++;
		end = hash;
		while (end > line && isspace((unsigned char)end[-1]))
			end--;
		*end = '\0';
		if (*hash == '\0' || *reason == '\0') {
			err_set(e, ERR_USAGE, "ignore file '%s' line %d: a reason is required "
			    "('FINGERPRINT # reason')", path, lineno);
			goto out;
		}
		if (fpset_put(&a->ignore, line, NULL) != 0) {
			err_set(e, ERR_NOMEM, "out of memory");
			goto out;
		}
	}
	a->have_ignore = 1;
	rc = 0;
out:
	buf_release(&text);
	return rc;
}

/* -- pending findings ------------------------------------------------------------------ */

static struct pending *
pend_new(struct audit *a, const struct audit_rule *rule, enum audit_severity sev,
    const char *field)
{
	struct pending *p;

	if (a->npend == a->pend_cap) {
		size_t cap = a->pend_cap ? a->pend_cap * 2 : 16;
		struct pending *grown = realloc(a->pend, cap * sizeof *grown);

		if (grown == NULL)
			return NULL;
		a->pend = grown;
		a->pend_cap = cap;
	}
	p = &a->pend[a->npend++];
	memset(p, 0, sizeof *p);
	p->rule = rule;
	p->sev = sev;
	p->field = field;
	p->entropy = -1.0;
	p->masked = -1;
	return p;
}

static void
pend_clear(struct audit *a)
{
	size_t i;

	for (i = 0; i < a->npend; i++) {
		struct pending *p = &a->pend[i];

		free(p->pointer);
		free(p->key);
		free(p->message);
		free(p->evidence);
		free(p->hash);
		free(p->file);
	}
	a->npend = 0;
}

static const struct audit_rule *
rule(const char *id)
{
	const struct audit_rule *r = audit_rule_find(id);

	/* Every id used in this file is in the table; the tests check it. */
	return r != NULL ? r : &audit_rule_table[0];
}

/*
 * A pending finding with a message (the rule's description, then detail
 * when not NULL) and, when s is not NULL, redacted evidence, entropy and
 * the secret's hash.
 */
static struct pending *
pend_add(struct audit *a, const struct audit_rule *r, enum audit_severity sev,
    const char *field, const char *detail, const char *s, size_t len, size_t keep,
    int no_prefix, struct err *e)
{
	struct pending *p = pend_new(a, r, sev, field);
	char ev[256], red[160];

	if (p == NULL)
		goto oom;
	if (detail != NULL && *detail != '\0') {
		if (asprintf(&p->message, "%s: %s", r->description, detail) < 0) {
			p->message = NULL;
			goto oom;
		}
	} else if ((p->message = strdup(r->description)) == NULL) {
		goto oom;
	}
	if (s != NULL) {
		if (keep > 0 && keep < len && keep < 32) {
			audit_redact(s + keep, len - keep, no_prefix, red, sizeof red);
			snprintf(ev, sizeof ev, "%.*s%s", (int)keep, s, red);
		} else {
			audit_redact(s, len, no_prefix, ev, sizeof ev);
		}
		if ((p->evidence = strdup(ev)) == NULL)
			goto oom;
		p->entropy = audit_entropy(s + keep, len - keep);
		p->hash = hash_secret(a, s + keep, len - keep);
		if (p->hash == NULL && a->hkey != NULL)
			goto oom;
	}
	return p;
oom:
	err_nomem(e);
	return NULL;
}

/* -- emitting ------------------------------------------------------------------------- */

/* "[core] fernet_key" -> "core.fernet_key"; anything else as is. */
static void
option_id(struct buf *b, const char *name)
{
	const char *close;

	if (name[0] == '[' && (close = strchr(name, ']')) != NULL && close[1] == ' ') {
		buf_add(b, name + 1, (size_t)(close - name - 1));
		buf_addc(b, '.');
		buf_adds(b, close + 2);
	} else {
		buf_adds(b, name);
	}
}

/* Where a finding sits inside its subject, for the fingerprint. */
static const char *
where(const struct pending *p)
{
	return p->pointer != NULL && *p->pointer != '\0' ? p->pointer : p->field;
}

static void
build_ids(struct audit *a, const struct pending *p)
{
	const struct subject *s = &a->sub;

	buf_reset(&a->fp);
	buf_reset(&a->loc);
	buf_reset(&a->uri);
	switch (s->scope) {
	case AUDIT_SCOPE_CONNECTION:
		buf_addf(&a->fp, "%s:%s:%s", s->name, where(p), p->rule->id);
		buf_adds(&a->loc, "connection/");
		buf_adds(&a->loc, s->name);
		buf_addf(&a->loc, "/%s%s", p->field, p->pointer ? p->pointer : "");
		buf_adds(&a->uri, "airflow-connection://");
		uri_quote(&a->uri, s->name, strlen(s->name));
		break;
	case AUDIT_SCOPE_VARIABLE:
		buf_addf(&a->fp, "var:%s:%s:%s", s->name, where(p), p->rule->id);
		buf_adds(&a->loc, "variable/");
		buf_adds(&a->loc, s->name);
		buf_addf(&a->loc, "/%s%s", p->field, p->pointer ? p->pointer : "");
		buf_adds(&a->uri, "airflow-variable://");
		uri_quote(&a->uri, s->name, strlen(s->name));
		break;
	case AUDIT_SCOPE_ENV:
		buf_addf(&a->fp, "env:%s:%s:%s", s->name, where(p), p->rule->id);
		buf_addf(&a->loc, "env/%s/%s%s", s->name, p->field,
		    p->pointer ? p->pointer : "");
		buf_adds(&a->uri, "airflow-env://");
		uri_quote(&a->uri, s->name, strlen(s->name));
		break;
	case AUDIT_SCOPE_CONFIG:
		buf_adds(&a->fp, "config:");
		option_id(&a->fp, s->name);
		buf_addf(&a->fp, ":%s", p->rule->id);
		buf_adds(&a->loc, "config/");
		option_id(&a->loc, s->name);
		if (p->file != NULL) {
			buf_adds(&a->uri, p->file[0] == '/' ? "file://" : "");
			buf_adds(&a->uri, p->file);
		} else {
			buf_adds(&a->uri, "airflow-config://");
			option_id(&a->uri, s->name);
		}
		break;
	}
}

/* Adjust the subject's findings once it is complete (AUDIT.md A4 rules 4, 25). */
static void
post_process(struct audit *a)
{
	int aws_secret = 0, secret_in_extra = 0, secret_in_val = 0;
	size_t i;

	for (i = 0; i < a->npend; i++) {
		const struct pending *p = &a->pend[i];

		if (strcmp(p->rule->id, "aws-secret-access-key") == 0)
			aws_secret = 1;
		if (p->rule->category == AUDIT_CAT_SECRET && p->sev >= AUDIT_SEV_MEDIUM) {
			if (strcmp(p->field, "extra") == 0)
				secret_in_extra = 1;
			if (strcmp(p->field, "val") == 0)
				secret_in_val = 1;
		}
	}
	for (i = 0; i < a->npend; i++) {
		struct pending *p = &a->pend[i];

		if (aws_secret && strcmp(p->rule->id, "aws-access-token") == 0)
			p->sev = AUDIT_SEV_CRITICAL;
		if (secret_in_extra && strcmp(p->rule->id, "plaintext-extra") == 0)
			p->sev = AUDIT_SEV_HIGH;
		if (secret_in_val && strcmp(p->rule->id, "plaintext-variable") == 0)
			p->sev = AUDIT_SEV_HIGH;
	}
}

/*
 * Filter and hand out the subject's findings, then free them. With fail
 * set (the subject could not be audited) they are only freed.
 */
static int
flush(struct audit *a, audit_cb cb, void *arg, int fail, struct err *e)
{
	struct audit_finding f;
	size_t i, t, reported = 0;

	if (fail) {
		pend_clear(a);
		return -1;
	}
	post_process(a);
	for (i = 0; i < a->npend; i++) {
		struct pending *p = &a->pend[i];
		const struct fpent *base;

		build_ids(a, p);
		if (buf_check(&a->fp, e) != 0 || buf_check(&a->loc, e) != 0 ||
		    buf_check(&a->uri, e) != 0) {
			pend_clear(a);
			return -1;
		}
		if (p->sev < a->o.min_severity) {
			a->st.below_min_severity++;
			continue;
		}
		if (a->have_ignore && fpset_get(&a->ignore, buf_str(&a->fp)) != NULL) {
			a->st.ignored++;
			continue;
		}
		if (a->have_baseline && (base = fpset_get(&a->baseline, buf_str(&a->fp))) != NULL) {
			if (base->hash == NULL || p->hash == NULL ||
			    strcmp(base->hash, p->hash) == 0) {
				a->st.baseline_suppressed++;
				continue;
			}
			p->tags |= TAG_CHANGED;
		}
		memset(&f, 0, sizeof f);
		f.rule = p->rule;
		f.severity = p->sev;
		f.scope = a->sub.scope;
		f.subject = a->sub.name;
		f.conn_id = a->sub.conn_id;
		f.conn_type = a->sub.conn_type;
		f.field = p->field;
		f.json_pointer = p->pointer;
		f.key = p->key;
		f.message = p->message;
		f.evidence = p->evidence;
		f.entropy = p->entropy;
		f.secret_hash = p->hash;
		f.fingerprint = buf_str(&a->fp);
		f.location = buf_str(&a->loc);
		f.uri = buf_str(&a->uri);
		f.line = p->line;
		for (t = 0; t < ARRAY_LEN(tag_names); t++)
			if (p->tags & (1u << t))
				f.tags[f.ntags++] = tag_names[t];
		for (t = 0; t < p->nalso; t++)
			f.also_matched[f.nalso++] = p->also[t]->id;
		f.masked_by_airflow = p->masked;
		a->st.findings++;
		a->st.by_severity[p->sev]++;
		reported++;
		if (cb != NULL)
			cb(&f, arg);
	}
	if (reported > 0 && a->sub.scope == AUDIT_SCOPE_CONNECTION)
		a->st.connections_with_findings++;
	pend_clear(a);
	return 0;
}

/* -- value rules on a leaf ------------------------------------------------------------------ */

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

		format_date((uint64_t)exp->valuedouble, date, sizeof date);
		snprintf(note, cap, "exp %s%s", date,
		    (uint64_t)exp->valuedouble < a->now ? ", expired" : "");
	}
out:
	pyjson_free(h);
	pyjson_free(p);
	return ok;
}

static unsigned
bigram(const char *s)
{
	return (unsigned)(unsigned char)s[0] << 8 | (unsigned char)s[1];
}

static void
bigrams_mark(struct audit *a, size_t len, int on)
{
	size_t k;

	for (k = 0; k + 1 < len; k++) {
		unsigned b = bigram(a->lc + k);

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

	if (len == 0 || scratch(&a->lc, &a->lc_cap, len + 1) != 0)
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
		    re_find(a, cp->re, s, len, start, p->group, &so, &eo, &mo, &me)) {
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

		if (kr->match == AK_EXACT ? !list_has(kr->names, name, nlen) :
		    !list_has_suffix(kr->names, name, nlen))
			continue;
		if (kr->conn_types != NULL && (a->sub.conn_type == NULL ||
		    !list_has(kr->conn_types, a->sub.conn_type, strlen(a->sub.conn_type))))
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
	if (scratch(&a->lc, &a->lc_cap, len + 1) != 0)
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
		if (j - i >= 20) {
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
				cand_add(cs, rule(hex ? "high-entropy-hex" : "high-entropy-base64"),
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
	if (scratch(&a->dec, &a->dec_cap, len / 4 * 3 + 4) != 0)
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
	if ((p = pend_add(a, w->rule, w->sev, field, w->note, w->len ? w->s : NULL, w->len,
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
static int
scan_leaf(struct audit *a, const char *s, size_t len, const struct walkctx *ctx,
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
			cand_add(&cs, rule("credential-file-path"), AUDIT_SEV_INFO, s, 0, 0);
	}
	if (looks_like_path(s, len) || is_plain_url(s, len))
		name_ok = 0;

	run_patterns(a, s, scan, 0, &cs);
	run_key_rules(a, ctx, s, len, &cs);

	/* Structure: a GCP service account's private_key; azure key_json's secret. */
	if (ctx->in_sa && strcmp(key, "private_key") == 0 && !prefilter_drop(s, len))
		cand_add(&cs, rule("gcp-service-account-key"), AUDIT_SEV_CRITICAL, s, len, 0);
	if (ctx->under_key_json && (strcmp(key, "client_secret") == 0 ||
	    strcmp(key, "clientsecret") == 0) && !prefilter_drop(s, len))
		cand_add(&cs, rule("azure-key-json"), AUDIT_SEV_HIGH, s, len, 0);

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
			struct cand *c = cand_add(&cs, rule(is_var_root ?
			    "variable-sensitive-name" : "airflow-sensitive-key"),
			    high ? AUDIT_SEV_HIGH : AUDIT_SEV_MEDIUM, s, len, 0);

			if (c != NULL)
				c->no_prefix = high;
		}
		if (!ctx->masked && words_has(audit_provider_secret_keys,
		    audit_provider_secret_keys_len, key))
			cand_add(&cs, rule("airflow-unmasked-secret-key"), AUDIT_SEV_HIGH, s,
			    len, 0);
		if (generic_match(a, key, s, scan))
			cand_add(&cs, rule("generic-api-key"), AUDIT_SEV_MEDIUM, s, len, 0);
	}
	if (cs.n == 0 && name_ok && len >= 20)
		entropy_rule(s, scan, &cs);

	if (cs.n > 0)
		rc = leaf_finding(a, ctx, &cs, e);
	if (dwipe > 0 && a->dec != NULL)
		sodium_memzero(a->dec, dwipe < a->dec_cap ? dwipe : a->dec_cap);
	return rc;
}

/* -- walking extras -------------------------------------------------------------------- */

static int
ptr_push(struct audit *a, const char *key)
{
	size_t n;

	buf_addc(&a->ptr, '/');
	for (;;) {
		n = strcspn(key, "~/");
		buf_add(&a->ptr, key, n);
		if (key[n] == '\0')
			break;
		buf_adds(&a->ptr, key[n] == '~' ? "~0" : "~1");
		key += n + 1;
	}
	return a->ptr.failed ? -1 : 0;
}

static void
ptr_pop(struct audit *a, size_t mark)
{
	a->ptr.len = mark;
	if (a->ptr.p != NULL)
		a->ptr.p[mark] = '\0';
}

/* A GCP service-account object: "type": "service_account" and a private_key. */
static int
is_service_account(const cJSON *o)
{
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(o, "type");
	const cJSON *k = cJSON_GetObjectItemCaseSensitive(o, "private_key");

	return cJSON_IsString(t) && strcmp(t->valuestring, "service_account") == 0 &&
	    cJSON_IsString(k) && k->valuestring[0] != '\0';
}

static int
visit_string(struct audit *a, const char *s, const struct walkctx *ctx, int depth,
    struct err *e)
{
	size_t len = strlen(s);
	const char *p = s;

	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	if ((*p == '{' || *p == '[') && ctx->in_sjson < MAX_SJSON) {
		cJSON *tree = pyjson_loads(s, len);

		if (tree != NULL && (cJSON_IsObject(tree) || cJSON_IsArray(tree))) {
			struct walkctx c2 = *ctx;
			int rc;

			c2.in_sjson++;
			c2.tags |= TAG_JSON_STRING;
			rc = visit(a, tree, &c2, depth + 1, e);
			pyjson_free(tree);
			return rc;
		}
		pyjson_free(tree);
	}
	return scan_leaf(a, s, len, ctx, e);
}

static int
visit(struct audit *a, cJSON *node, const struct walkctx *ctx, int depth, struct err *e)
{
	cJSON *child;
	size_t mark, i = 0;

	if (depth > MAX_DEPTH)
		return 0;
	if (cJSON_IsString(node))
		return visit_string(a, node->valuestring, ctx, depth, e);
	if (!cJSON_IsObject(node) && !cJSON_IsArray(node))
		return 0;	/* numbers, booleans, null: no value rules */
	if (cJSON_IsObject(node)) {
		int sa = is_service_account(node);

		cJSON_ArrayForEach(child, node) {
			char norm[KEYNAME_MAX];
			struct walkctx c2 = *ctx;
			int rc;

			if (child->string == NULL)
				continue;
			mark = a->ptr.len;
			if (ptr_push(a, child->string) != 0) {
				err_nomem(e);
				return -1;
			}
			key_normalise(child->string, norm, sizeof norm);
			c2.raw_key = child->string;
			c2.key = norm;
			if (!ctx->in_sjson && a->mask != NULL &&
			    mask_is_sensitive(a->mask, child->string))
				c2.masked = 1;
			if (strcmp(norm, "key_json") == 0)
				c2.under_key_json = 1;
			c2.in_sa = sa;
			rc = visit(a, child, &c2, depth + 1, e);
			ptr_pop(a, mark);
			if (rc != 0)
				return -1;
		}
		return 0;
	}
	cJSON_ArrayForEach(child, node) {
		struct walkctx c2 = *ctx;
		int rc;

		mark = a->ptr.len;
		buf_addf(&a->ptr, "/%zu", i++);
		if (a->ptr.failed) {
			err_nomem(e);
			return -1;
		}
		c2.in_sa = 0;	/* array items keep the key they sit under */
		rc = visit(a, child, &c2, depth + 1, e);
		ptr_pop(a, mark);
		if (rc != 0)
			return -1;
	}
	return 0;
}

/* -- row checks --------------------------------------------------------------------------- */

static void
note_stale(struct audit *a, uint64_t ts)
{
	a->stale_values++;
	if (a->stale_oldest == 0 || ts < a->stale_oldest)
		a->stale_oldest = ts;
}

static int
is_stale(const struct audit *a, uint64_t ts)
{
	return ts < a->now && (a->now - ts) / 86400 > (uint64_t)a->max_age_days;
}

/* plaintext, undecryptable and age of one stored value. */
static int
storage_checks(struct audit *a, const char *field, const struct conn_secret_info *info,
    const char *value, const char *plain_rule, struct err *e)
{
	char detail[160], date[32];

	switch (info->state) {
	case CONN_SECRET_PLAIN:
		if (!a->encryption_on)
			return 0;
		if (strcmp(plain_rule, "plaintext-extra") == 0 ||
		    strcmp(plain_rule, "plaintext-variable") == 0)
			value = NULL;	/* the whole text is not one secret */
		return pend_add(a, rule(plain_rule), rule(plain_rule)->severity, field, NULL,
		    value, value ? strlen(value) : 0, 0, 1, e) ? 0 : -1;
	case CONN_SECRET_UNDECRYPTABLE:
		detail[0] = '\0';
		if (info->has_timestamp) {
			format_date(info->timestamp, date, sizeof date);
			snprintf(detail, sizeof detail, "%s token made %s", field, date);
		} else {
			snprintf(detail, sizeof detail, "%s", field);
		}
		return pend_add(a, rule("undecryptable-value"), AUDIT_SEV_HIGH, field, detail,
		    NULL, 0, 0, 0, e) ? 0 : -1;
	case CONN_SECRET_ENCRYPTED:
		if (!info->has_timestamp || !is_stale(a, info->timestamp))
			return 0;
		note_stale(a, info->timestamp);
		format_date(info->timestamp, date, sizeof date);
		snprintf(detail, sizeof detail, "%s encrypted on %s, %llu days ago (limit %ld)",
		    field, date, (unsigned long long)((a->now - info->timestamp) / 86400),
		    a->max_age_days);
		return pend_add(a, rule("stale-token"), AUDIT_SEV_INFO, field, detail, NULL, 0,
		    0, 0, e) ? 0 : -1;
	default:
		return 0;
	}
}

/* user:password@ in the host. */
static int
host_check(struct audit *a, const char *host, struct err *e)
{
	size_t so, eo, mo, me;

	if (host == NULL || *host == '\0' ||
	    !re_find(a, a->re_host_pw, host, strlen(host), 0, 1, &so, &eo, &mo, &me) ||
	    eo == so)
		return 0;
	return pend_add(a, rule("password-in-host"), AUDIT_SEV_HIGH, "host", NULL, host + so,
	    eo - so, 0, 1, e) ? 0 : -1;
}

/* -- transport -------------------------------------------------------------------------------- */

/* A host on this machine: empty, localhost, 127.0.0.0/8, ::1, a socket path. */
static int
host_is_local(const char *host)
{
	char name[256];
	const char *p, *at;
	size_t n;

	if (host == NULL || *host == '\0' || host[0] == '/')
		return 1;
	p = (p = strstr(host, "://")) != NULL ? p + 3 : host;
	n = strcspn(p, "/?#");
	if ((at = memchr(p, '@', n)) != NULL) {
		n -= (size_t)(at + 1 - p);
		p = at + 1;
	}
	if (*p == '[') {
		n = strcspn(p, "]");
		p++;
		n = n > 0 ? n - 1 : 0;
	} else {
		n = strcspn(p, ":/?#");
	}
	if (n == 0)
		return 1;
	if (n >= sizeof name)
		return 0;
	memcpy(name, p, n);
	name[n] = '\0';
	return strcasecmp(name, "localhost") == 0 || strncmp(name, "127.", 4) == 0 ||
	    strcmp(name, "::1") == 0;
}

/* A top-level extra setting, also under the legacy extra__<type>__ prefix. */
static const cJSON *
extra_get(const cJSON *root, const char *key, size_t klen, const char *conn_type)
{
	char name[256];
	const cJSON *v;

	if (root == NULL || !cJSON_IsObject(root) || klen + 1 > sizeof name)
		return NULL;
	memcpy(name, key, klen);
	name[klen] = '\0';
	if ((v = cJSON_GetObjectItemCaseSensitive(root, name)) != NULL)
		return v;
	if (conn_type == NULL)
		return NULL;
	snprintf(name, sizeof name, "extra__%s__%.*s", conn_type, (int)klen, key);
	return cJSON_GetObjectItemCaseSensitive(root, name);
}

/* Is a setting on? A value in bad counts as off. */
static int
truthy(const cJSON *v, const char *bad)
{
	char low[64];
	size_t i, n;

	if (v == NULL || cJSON_IsNull(v) || cJSON_IsFalse(v))
		return 0;
	if (cJSON_IsTrue(v))
		return 1;
	if (cJSON_IsNumber(v))
		return v->valuedouble != 0;
	if (cJSON_IsRaw(v))	/* pyjson's exact integers */
		return strcmp(v->valuestring, "0") != 0;
	if (cJSON_IsString(v)) {
		n = strlen(v->valuestring);
		if (n == 0 || n >= sizeof low)
			return n != 0;
		for (i = 0; i <= n; i++)
			low[i] = (char)tolower((unsigned char)v->valuestring[i]);
		if (list_has("false|0|no|off|none|disable|disabled", low, n))
			return 0;
		return bad == NULL || !list_has(bad, low, n);
	}
	return cJSON_GetArraySize(v) > 0;	/* a non-empty object (ssl: {ca: ...}) */
}

/* A setting's value for a message: short plain strings only, else NULL. */
static const char *
shown_value(const cJSON *v)
{
	const char *s;

	if (cJSON_IsTrue(v))
		return "true";
	if (cJSON_IsFalse(v))
		return "false";
	if (!cJSON_IsString(v))
		return NULL;
	for (s = v->valuestring; *s != '\0'; s++)
		if (!(isalnum((unsigned char)*s) || *s == '_' || *s == '-'))
			return NULL;
	return strlen(v->valuestring) <= 24 ? v->valuestring : NULL;
}

static int
conn_has_password(const struct conn *c)
{
	return (c->password != NULL && *c->password != '\0') ||
	    c->password_info.state == CONN_SECRET_UNDECRYPTABLE;
}

/* The URL scheme a connection uses: host "x://", an http(s) schema, else dflt. */
static void
url_scheme(const struct conn *c, const char *dflt, char *out, size_t cap)
{
	const char *h = c->host, *p = h ? strstr(h, "://") : NULL;
	size_t n;

	if (p != NULL && p > h) {
		n = (size_t)(p - h);
	} else if (c->schema != NULL && (strcasecmp(c->schema, "http") == 0 ||
	    strcasecmp(c->schema, "https") == 0)) {
		h = c->schema;
		n = strlen(h);
	} else {
		h = dflt;
		n = strlen(h);
	}
	if (n >= cap)
		n = cap - 1;
	for (size_t i = 0; i < n; i++)
		out[i] = (char)tolower((unsigned char)h[i]);
	out[n] = '\0';
}

static void
first_key(const char *list, size_t *len)
{
	*len = strcspn(list, "|");
}

/* Evaluate one transport row; detail gets why it is flagged. 1 when flagged. */
static int
transport_flagged(const struct audit_transport *t, const struct conn *c,
    const cJSON *extra, char *detail, size_t cap)
{
	const char *k = t->keys;
	const cJSON *v;
	char scheme[32], low[64];
	size_t klen, n, all = 0, present = 0;

	switch (t->test) {
	case TT_VALUE_IN:
		for (; *k != '\0'; k += klen + (k[klen] == '|')) {
			klen = strcspn(k, "|");
			if ((v = extra_get(extra, k, klen, c->conn_type)) == NULL)
				continue;
			if (cJSON_IsString(v) && (n = strlen(v->valuestring)) < sizeof low) {
				for (size_t i = 0; i <= n; i++)
					low[i] = (char)tolower((unsigned char)v->valuestring[i]);
				if (list_has(t->good, low, n))
					return 0;
			}
			if (shown_value(v) != NULL)
				snprintf(detail, cap, "%.*s is '%s'", (int)klen, k, shown_value(v));
			else
				snprintf(detail, cap, "%.*s has an unexpected value", (int)klen, k);
			return 1;
		}
		first_key(t->keys, &klen);
		snprintf(detail, cap, "%.*s is not set", (int)klen, t->keys);
		return 1;
	case TT_TRUTHY:
		for (; *k != '\0'; k += klen + (k[klen] == '|')) {
			klen = strcspn(k, "|");
			if ((v = extra_get(extra, k, klen, c->conn_type)) == NULL)
				continue;
			if (truthy(v, t->bad))
				return 0;
			if (!present++) {
				if (shown_value(v) != NULL)
					snprintf(detail, cap, "%.*s is '%s'", (int)klen, k,
					    shown_value(v));
				else
					snprintf(detail, cap, "%.*s is off", (int)klen, k);
			}
		}
		if (!present) {
			first_key(t->keys, &klen);
			snprintf(detail, cap, "%.*s is not set", (int)klen, t->keys);
		}
		return 1;
	case TT_NOT_ALL_TRUE:
		for (; *k != '\0'; k += klen + (k[klen] == '|')) {
			klen = strcspn(k, "|");
			all++;
			if (truthy(extra_get(extra, k, klen, c->conn_type), t->bad))
				present++;
		}
		if (all == 0 || present < all)
			return 0;
		/* "a|b|c" -> "a, b and c are true" */
		for (k = t->keys, n = 0; *k != '\0' && n + 1 < cap; k++) {
			if (*k != '|') {
				detail[n++] = *k;
				continue;
			}
			n += (size_t)snprintf(detail + n, cap - n, "%s",
			    strchr(k + 1, '|') ? ", " : " and ");
			if (n >= cap)
				n = cap - 1;
		}
		detail[n] = '\0';
		snprintf(detail + n, cap - n, " are true");
		return 1;
	case TT_NOT_TRUE:
		for (; *k != '\0'; k += klen + (k[klen] == '|')) {
			klen = strcspn(k, "|");
			if (truthy(extra_get(extra, k, klen, c->conn_type), t->bad)) {
				snprintf(detail, cap, "%.*s is true", (int)klen, k);
				return 1;
			}
		}
		return 0;
	case TT_SCHEME:
		url_scheme(c, c->conn_type ? c->conn_type : "http", scheme, sizeof scheme);
		if (list_has(t->good, scheme, strlen(scheme)))
			return 0;
		snprintf(detail, cap, "the URL scheme is %s", scheme);
		return 1;
	case TT_ALWAYS:
		snprintf(detail, cap, "%s has no TLS", c->conn_type ? c->conn_type : "it");
		return 1;
	}
	return 0;
}

static int
transport_checks(struct audit *a, const struct conn *c, const cJSON *extra, struct err *e)
{
	char detail[160];
	size_t i, slen;

	if (c->conn_type == NULL)
		return 0;
	for (i = 0; i < audit_transports_len; i++) {
		const struct audit_transport *t = &audit_transports[i];
		enum audit_severity sev = t->rule.severity;

		if (!list_has(t->types, c->conn_type, strlen(c->conn_type)))
			continue;
		if (t->local_ok && host_is_local(c->host))
			continue;
		if (c->extra_info.state == CONN_SECRET_UNDECRYPTABLE &&
		    t->test != TT_SCHEME && t->test != TT_ALWAYS)
			continue;	/* the settings are in the extra nobody can read */
		if (t->secure_scheme != NULL && c->host != NULL &&
		    strncasecmp(c->host, t->secure_scheme, slen = strlen(t->secure_scheme)) == 0 &&
		    strncmp(c->host + slen, "://", 3) == 0)
			continue;
		if (t->secure_port != 0 && c->has_port && c->port == t->secure_port)
			continue;
		detail[0] = '\0';
		if (!transport_flagged(t, c, extra, detail, sizeof detail))
			continue;
		if (conn_has_password(c) && sev < AUDIT_SEV_HIGH) {
			sev++;
			snprintf(detail + strlen(detail), sizeof detail - strlen(detail), "%s",
			    t->test == TT_NOT_TRUE ? "; a man in the middle can take the password" :
			    "; the password crosses the network in clear");
		}
		if (pend_add(a, &t->rule, sev, "transport", detail, NULL, 0, 0, 0, e) == NULL)
			return -1;
	}
	return 0;
}

/* -- connections -------------------------------------------------------------------------- */

static void
walk_root(struct walkctx *ctx)
{
	memset(ctx, 0, sizeof *ctx);
	ctx->key = "";
}

/* Host, transport and extra checks (rows: also the storage checks). */
static int
conn_checks(struct audit *a, const struct conn *c, int rows, struct err *e)
{
	struct walkctx ctx;
	cJSON *tree = NULL;
	int rc = -1;

	if (rows && (storage_checks(a, "password", &c->password_info, c->password,
	    "plaintext-password", e) != 0 || storage_checks(a, "extra", &c->extra_info,
	    c->extra, "plaintext-extra", e) != 0))
		return -1;
	if (host_check(a, c->host, e) != 0)
		return -1;
	if (c->extra != NULL && *c->extra != '\0')
		tree = pyjson_loads(c->extra, strlen(c->extra));
	if (transport_checks(a, c, tree, e) != 0)
		goto out;
	buf_reset(&a->ptr);
	walk_root(&ctx);
	if (tree != NULL)
		rc = visit(a, tree, &ctx, 0, e);
	else if (c->extra != NULL && *c->extra != '\0')	/* not JSON: the text as one value */
		rc = scan_leaf(a, c->extra, strlen(c->extra), &ctx, e);
	else
		rc = 0;
out:
	pyjson_free(tree);
	return rc;
}

int
audit_conn(struct audit *a, const struct conn *c, audit_cb cb, void *arg, struct err *e)
{
	int rc;

	a->sub.scope = AUDIT_SCOPE_CONNECTION;
	a->sub.name = c->conn_id != NULL ? c->conn_id : "";
	a->sub.conn_id = a->sub.name;
	a->sub.conn_type = c->conn_type;
	a->st.connections++;
	rc = conn_checks(a, c, 1, e);
	return flush(a, cb, arg, rc != 0, e);
}

struct worst {
	int	worst;
	size_t	n;
};

static void
worst_cb(const struct audit_finding *f, void *arg)
{
	struct worst *w = arg;

	if ((int)f->severity > w->worst)
		w->worst = (int)f->severity;
	w->n++;
}

int
audit_conn_worst(struct audit *a, const struct conn *c, int *worst, size_t *count,
    struct err *e)
{
	struct worst w = { -1, 0 };

	if (audit_conn(a, c, worst_cb, &w, e) != 0)
		return -1;
	*worst = w.worst;
	if (count != NULL)
		*count = w.n;
	return 0;
}

/* -- variables ------------------------------------------------------------------------------ */

static int
audit_var(struct audit *a, const struct store_var *v, audit_cb cb, void *arg, struct err *e)
{
	struct conn_secret_info info;
	struct fernet_info fi;
	struct walkctx ctx;
	char norm[KEYNAME_MAX];
	const char *value = v->val;
	size_t len = v->val_len, outlen = 0, wipe = 0;
	int rc = 0;

	a->sub.scope = AUDIT_SCOPE_VARIABLE;
	a->sub.name = v->key != NULL ? v->key : "";
	a->sub.conn_id = NULL;
	a->sub.conn_type = NULL;
	a->st.variables++;
	memset(&info, 0, sizeof info);
	if (value == NULL || len == 0)
		return flush(a, cb, arg, 0, e);
	if (!v->is_encrypted) {
		info.state = CONN_SECRET_PLAIN;
	} else if (a->o.kr != NULL && keyring_enabled(a->o.kr) &&
	    scratch(&a->var, &a->var_cap, (wipe = fernet_plain_max(len) + 1)) == 0 &&
	    keyring_decrypt(a->o.kr, value, len, (uint8_t *)a->var, a->var_cap - 1, &outlen,
	    &fi, NULL) == 0) {
		a->var[outlen] = '\0';
		value = a->var;
		len = outlen;
		info.state = CONN_SECRET_ENCRYPTED;
		info.timestamp = fi.timestamp;
		info.has_timestamp = 1;
	} else {
		info.state = CONN_SECRET_UNDECRYPTABLE;
		if (fernet_inspect(NULL, 0, value, len, &fi, NULL) == 0) {
			info.timestamp = fi.timestamp;
			info.has_timestamp = 1;
		}
	}
	if (storage_checks(a, "val", &info, NULL, "plaintext-variable", e) != 0) {
		rc = -1;
		goto out;
	}
	if (info.state != CONN_SECRET_UNDECRYPTABLE) {
		const char *p = value;

		buf_reset(&a->ptr);
		walk_root(&ctx);
		key_normalise(a->sub.name, norm, sizeof norm);
		ctx.raw_key = a->sub.name;
		ctx.key = norm;
		ctx.masked = a->mask != NULL && mask_is_sensitive(a->mask, a->sub.name);
		while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r')
			p++;
		if (*p == '{' || *p == '[') {
			cJSON *tree = pyjson_loads(value, len);

			if (tree != NULL && (cJSON_IsObject(tree) || cJSON_IsArray(tree)))
				rc = visit(a, tree, &ctx, 0, e);
			else
				rc = scan_leaf(a, value, len, &ctx, e);
			pyjson_free(tree);
		} else {
			rc = scan_leaf(a, value, len, &ctx, e);
		}
	}
out:
	if (wipe > 0 && a->var != NULL)
		sodium_memzero(a->var, wipe < a->var_cap ? wipe : a->var_cap);
	return flush(a, cb, arg, rc != 0, e);
}

/* -- AIRFLOW_CONN_* ------------------------------------------------------------------------- */

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
		if (c->password != NULL && *c->password != '\0' &&
		    pend_add(a, rule("env-connection-password"), AUDIT_SEV_MEDIUM, "password",
		    NULL, c->password, strlen(c->password), 0, 1, e) == NULL)
			rc = -1;
		if (rc == 0)
			rc = conn_checks(a, c, 0, e);
		rc = flush(a, cb, arg, rc != 0, e);
		conn_free(c);
		if (rc != 0)
			return -1;
	}
	return 0;
}

/* -- configuration -------------------------------------------------------------------------- */

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
static int
config_finding(struct audit *a, audit_cb cb, void *arg, const char *subject,
    const char *rule_id, enum audit_severity sev, const char *detail,
    const struct config_value *v, const char *secret, int about_file, struct err *e)
{
	struct pending *p;

	a->sub.scope = AUDIT_SCOPE_CONFIG;
	a->sub.name = subject;
	a->sub.conn_id = NULL;
	a->sub.conn_type = NULL;
	if ((p = pend_add(a, rule(rule_id), sev, "option", detail, secret,
	    secret ? strlen(secret) : 0, 0, 1, e)) == NULL)
		return flush(a, cb, arg, 1, e);
	if (v != NULL && from_file(v->source) && a->o.cfg != NULL) {
		if ((p->file = strdup(config_path(a->o.cfg))) == NULL) {
			err_nomem(e);
			return flush(a, cb, arg, -1, e);
		}
		p->line = origin_line(v->origin);
	} else if (about_file && a->o.cfg != NULL &&
	    (p->file = strdup(config_path(a->o.cfg))) == NULL) {
		err_nomem(e);
		return flush(a, cb, arg, -1, e);
	}
	return flush(a, cb, arg, 0, e);
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
	for (i = 0; i < n && host_is_local(hosts[i]); i++)
		;
	*local = i == n;
	pgurl_free(u);
	return 0;
}

/* sql_alchemy_conn: TLS to a network DB, and a password written in the file. */
static int
check_db_url(struct audit *a, audit_cb cb, void *arg, int *db_pw_in_file, struct err *e)
{
	struct config_value u;
	struct conn *c = NULL;
	struct err ignore;
	char detail[200], scheme[32];
	cJSON *q = NULL;
	const cJSON *v;
	const char *pw;
	size_t n;
	int rc = -1, pg, my, local;

	*db_pw_in_file = 0;
	if (config_db_url(a->o.cfg, &u, e) != 0)
		return -1;
	if (u.value == NULL)
		return 0;
	n = strcspn(u.value, ":+");
	if (n >= sizeof scheme)
		return 0;
	memcpy(scheme, u.value, n);
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
	if (uri_parse(u.value, NULL, c, &ignore) != 0) {
		rc = 0;	/* SQLAlchemy will say more than we can */
		goto out;
	}
	if (c->extra != NULL)
		q = pyjson_loads(c->extra, strlen(c->extra));
	/* libpq takes ?password= too. */
	pw = c->password;
	if (pg && (pw == NULL || *pw == '\0') &&
	    cJSON_IsString(v = cJSON_GetObjectItemCaseSensitive(q, "password")))
		pw = v->valuestring;
	if (pw != NULL && *pw != '\0' && u.source == CONFIG_SRC_FILE) {
		*db_pw_in_file = 1;
		if (config_finding(a, cb, arg, "[database] sql_alchemy_conn",
		    "sql-alchemy-conn-password-in-config-file", AUDIT_SEV_MEDIUM, NULL, &u,
		    pw, 0, e) != 0)
			goto out;
	}
	local = host_is_local(c->host);
	if (local && pg && pg_hosts_local(u.value, &local, e) != 0)
		goto out;
	if (!local) {
		int ok;

		if (pg) {
			v = cJSON_GetObjectItemCaseSensitive(q, "sslmode");
			ok = cJSON_IsString(v) && list_has("require|verify-ca|verify-full",
			    v->valuestring, strlen(v->valuestring));
			snprintf(detail, sizeof detail, "sslmode %s", v == NULL ? "is not set" :
			    shown_value(v) ? shown_value(v) : "has an unexpected value");
		} else {
			ok = truthy(cJSON_GetObjectItemCaseSensitive(q, "ssl"), NULL) ||
			    truthy(cJSON_GetObjectItemCaseSensitive(q, "ssl_ca"), NULL) ||
			    truthy(cJSON_GetObjectItemCaseSensitive(q, "ssl_mode"),
			    "disabled|preferred");
			snprintf(detail, sizeof detail, "no ssl, ssl_ca or ssl_mode in the URL");
		}
		if (!ok && config_finding(a, cb, arg, "[database] sql_alchemy_conn",
		    "sql-alchemy-conn-no-ssl", pw != NULL && *pw != '\0' ? AUDIT_SEV_HIGH :
		    AUDIT_SEV_MEDIUM, detail, &u, NULL, 0, e) != 0)
			goto out;
	}
	rc = 0;
out:
	pyjson_free(q);
	conn_free(c);
	return rc;
}

int
audit_config(struct audit *a, audit_cb cb, void *arg, struct err *e)
{
	struct config_value key, v1, v2;
	struct config *cfg = a->o.cfg;
	struct stat st;
	char detail[200];
	int key_in_file = 0, db_pw_in_file = 0, b, need_v2, need_v3;
	const struct airflow_version *ver = a->o.version;

	if (cfg == NULL)
		return 0;
	if (config_fernet_key(cfg, &key, e) != 0)
		return -1;
	if (key.value == NULL || key.value[strspn(key.value, " \t\r\n")] == '\0') {
		snprintf(detail, sizeof detail, "%s", key.value == NULL ? "unset" :
		    "set to an empty value");
		if (config_finding(a, cb, arg, "[core] fernet_key", "fernet-key-empty",
		    AUDIT_SEV_CRITICAL, detail, &key, NULL, 0, e) != 0)
			return -1;
	} else if (key.source == CONFIG_SRC_FILE) {
		key_in_file = 1;
		if (config_finding(a, cb, arg, "[core] fernet_key", "fernet-key-in-config-file",
		    AUDIT_SEV_MEDIUM, key.origin, &key, NULL, 0, e) != 0)
			return -1;
	}
	if (check_db_url(a, cb, arg, &db_pw_in_file, e) != 0)
		return -1;
	if (stat(config_path(cfg), &st) == 0 && (st.st_mode & 0066) != 0) {
		snprintf(detail, sizeof detail, "'%s' is mode %04o%s", config_path(cfg),
		    (unsigned)(st.st_mode & 07777), key_in_file || db_pw_in_file ?
		    " and holds a secret" : "");
		if (config_finding(a, cb, arg, "airflow.cfg", "config-file-permissions",
		    key_in_file || db_pw_in_file || (st.st_mode & 0022) ? AUDIT_SEV_HIGH :
		    AUDIT_SEV_MEDIUM, detail, NULL, NULL, 1, e) != 0)
			return -1;
	}
	if (config_get_bool(cfg, "webserver", "show_connection_password", 0, &b, e) != 0)
		return -1;
	if (b && (config_get(cfg, "webserver", "show_connection_password", &v1, e) != 0 ||
	    config_finding(a, cb, arg, "[webserver] show_connection_password",
	    "show-connection-password", AUDIT_SEV_MEDIUM, NULL, &v1, NULL, 0, e) != 0))
		return -1;
	if (config_get_bool(cfg, "core", "hide_sensitive_var_conn_fields", 1, &b, e) != 0)
		return -1;
	if (!b && (config_get(cfg, "core", "hide_sensitive_var_conn_fields", &v1, e) != 0 ||
	    config_finding(a, cb, arg, "[core] hide_sensitive_var_conn_fields",
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
		if (config_finding(a, cb, arg, need_v3 ? "[api] ssl_cert" :
		    "[webserver] web_server_ssl_cert", "webserver-no-tls", AUDIT_SEV_LOW, detail,
		    NULL, NULL, 0, e) != 0)
			return -1;
	}
	return 0;
}

/* -- the whole audit ------------------------------------------------------------------------ */

int
audit_run(struct audit *a, struct store *s, audit_cb cb, void *arg,
    struct audit_stats *st, struct err *e)
{
	struct store_iter *it = NULL;
	struct store_var v;
	struct conn c;
	char detail[200], date[32];
	int rc = -1, r;

	memset(&c, 0, sizeof c);
	audit_stats_reset(a);
	a->stale_values = 0;
	a->stale_oldest = 0;
	if (audit_config(a, cb, arg, e) != 0)
		goto out;
	if (store_conn_iter(s, NULL, &it, e) != 0)
		goto out;
	while ((r = store_iter_next(it, &c, e)) == 1) {
		if (conn_decrypt(&c, a->o.kr, e) != 0 || audit_conn(a, &c, cb, arg, e) != 0)
			goto out;
	}
	if (r < 0)
		goto out;
	store_iter_free(it);
	it = NULL;
	if (store_has_table(s, "variable")) {
		if (store_var_iter(s, &it, e) != 0)
			goto out;
		while ((r = store_var_next(it, &v, e)) == 1)
			if (audit_var(a, &v, cb, arg, e) != 0)
				goto out;
		if (r < 0)
			goto out;
		store_iter_free(it);
		it = NULL;
	}
	if (audit_env(a, cb, arg, e) != 0)
		goto out;
	if (a->stale_values > 0) {
		format_date(a->stale_oldest, date, sizeof date);
		snprintf(detail, sizeof detail, "%zu values are older than %ld days (oldest "
		    "%s)", a->stale_values, a->max_age_days, date);
		if (config_finding(a, cb, arg, "[core] fernet_key", "key-rotation-overdue",
		    AUDIT_SEV_MEDIUM, detail, NULL, NULL, 0, e) != 0)
			goto out;
	}
	rc = 0;
out:
	store_iter_free(it);
	conn_clear(&c);
	if (st != NULL)
		audit_stats_get(a, st);
	return rc;
}

void
audit_stats_get(const struct audit *a, struct audit_stats *st)
{
	*st = a->st;
}

void
audit_stats_reset(struct audit *a)
{
	memset(&a->st, 0, sizeof a->st);
}

/* -- lifecycle ------------------------------------------------------------------------------ */

static void
kw_set(struct kw *k, const char *s, size_t len)
{
	k->s = s;
	k->len = len;
	k->first = len >= 2 ? bigram(s) : 0;
	k->last = len >= 2 ? bigram(s + len - 2) : 0;
}

/* The pattern's keyword list as kw entries (each at least 2 bytes). */
static int
kw_split(struct cpat *cp, struct err *e)
{
	const char *p = cp->p->keywords;
	size_t n = 0;

	if (cp->p->require != NULL)
		kw_set(&cp->req, cp->p->require, strlen(cp->p->require));
	if (p == NULL)
		return 0;
	for (const char *q = p; *q != '\0'; q++)
		n += *q == '|';
	if ((cp->kws = calloc(n + 1, sizeof *cp->kws)) == NULL) {
		err_nomem(e);
		return -1;
	}
	while (*p != '\0') {
		size_t len = strcspn(p, "|");

		if (len < 2) {
			err_set(e, ERR_CONFIG, "audit rule '%s': keywords need 2 characters",
			    cp->p->rule_id);
			return -1;
		}
		kw_set(&cp->kws[cp->nkws++], p, len);
		p += len + (p[len] == '|');
	}
	return 0;
}

int
audit_new(struct audit **out, const struct audit_opts *o, struct err *e)
{
	struct audit *a;
	size_t i;

	*out = NULL;
	if ((a = calloc(1, sizeof *a)) == NULL) {
		err_nomem(e);
		return -1;
	}
	a->o = *o;
	buf_init(&a->ptr, 0);
	buf_init(&a->fp, 0);
	buf_init(&a->loc, 0);
	buf_init(&a->uri, 0);
	a->now = o->now ? o->now : (uint64_t)time(NULL);
	a->max_age_days = o->max_age_days;
	if (a->max_age_days <= 0 && o->cfg != NULL &&
	    config_get_int(o->cfg, "console", "rotation_max_age_days", 90,
	    &a->max_age_days, e) != 0)
		goto fail;
	if (a->max_age_days <= 0)
		a->max_age_days = 90;
	a->encryption_on = o->kr != NULL && keyring_enabled(o->kr);
	a->mask = o->mask;
	if (a->mask == NULL) {
		if (mask_new(&a->own_mask, o->cfg, o->version, e) != 0)
			goto fail;
		a->mask = a->own_mask;
	}
	/* A mask that hides a key made of no name at all hides every key. */
	a->mask_all = mask_is_sensitive(a->mask, "\x01");

	if ((a->pats = calloc(audit_patterns_len, sizeof *a->pats)) == NULL ||
	    (a->keys = calloc(audit_key_rules_len, sizeof *a->keys)) == NULL)
		goto oom;
	for (i = 0; i < audit_patterns_len; i++) {
		struct cpat *cp = &a->pats[a->npats];

		cp->p = &audit_patterns[i];
		if ((cp->rule = audit_rule_find(cp->p->rule_id)) == NULL) {
			err_set(e, ERR_CONFIG, "audit pattern for unknown rule '%s'", cp->p->rule_id);
			goto fail;
		}
		if ((cp->re = re_compile(cp->p->regex, cp->p->rule_id, e)) == NULL)
			goto fail;
		a->npats++;
		if (kw_split(cp, e) != 0)
			goto fail;
	}
	for (i = 0; i < audit_key_rules_len; i++) {
		struct ckey *ck = &a->keys[a->nkeys];

		ck->k = &audit_key_rules[i];
		if ((ck->rule = audit_rule_find(ck->k->rule_id)) == NULL) {
			err_set(e, ERR_CONFIG, "audit key rule for unknown rule '%s'",
			    ck->k->rule_id);
			goto fail;
		}
		if (ck->k->value_regex != NULL &&
		    (ck->re = re_compile(ck->k->value_regex, ck->k->rule_id, e)) == NULL)
			goto fail;
		a->nkeys++;
	}
	if ((a->re_generic_key = re_compile(audit_generic_key_re, "generic-api-key", e)) == NULL ||
	    (a->re_generic_value = re_compile(audit_generic_value_re, "generic-api-key",
	    e)) == NULL ||
	    (a->re_host_pw = re_compile(audit_host_password_re, "password-in-host", e)) == NULL)
		goto fail;
	if ((a->md = pcre2_match_data_create(16, NULL)) == NULL ||
	    (a->mctx = pcre2_match_context_create(NULL)) == NULL ||
	    (a->jstack = pcre2_jit_stack_create(32 * 1024, 1024 * 1024, NULL)) == NULL)
		goto oom;
	pcre2_set_match_limit(a->mctx, 5000000);
	pcre2_jit_stack_assign(a->mctx, NULL, a->jstack);
	hash_key_load(a);
	*out = a;
	return 0;
oom:
	err_nomem(e);
fail:
	audit_free(a);
	return -1;
}

void
audit_free(struct audit *a)
{
	size_t i;

	if (a == NULL)
		return;
	for (i = 0; i < a->npats; i++) {
		pcre2_code_free(a->pats[i].re);
		free(a->pats[i].kws);
	}
	for (i = 0; i < a->nkeys; i++)
		pcre2_code_free(a->keys[i].re);
	free(a->pats);
	free(a->keys);
	pcre2_code_free(a->re_generic_key);
	pcre2_code_free(a->re_generic_value);
	pcre2_code_free(a->re_host_pw);
	pcre2_match_data_free(a->md);
	pcre2_match_context_free(a->mctx);
	pcre2_jit_stack_free(a->jstack);
	sodium_free(a->hkey);
	sodium_free(a->lc);
	sodium_free(a->dec);
	sodium_free(a->var);
	fpset_release(&a->baseline);
	fpset_release(&a->ignore);
	pend_clear(a);
	free(a->pend);
	buf_release(&a->ptr);
	buf_release(&a->fp);
	buf_release(&a->loc);
	buf_release(&a->uri);
	mask_free(a->own_mask);
	free(a);
}

/* -- lists --------------------------------------------------------------------------------- */

static int
dup_str(const char **dst, const char *src)
{
	if (src == NULL) {
		*dst = NULL;
		return 0;
	}
	return (*dst = strdup(src)) != NULL ? 0 : -1;
}

static void
finding_release(struct audit_finding *f)
{
	free((char *)f->subject);
	free((char *)f->conn_id);
	free((char *)f->conn_type);
	free((char *)f->json_pointer);
	free((char *)f->key);
	free((char *)f->message);
	free((char *)f->evidence);
	free((char *)f->secret_hash);
	free((char *)f->fingerprint);
	free((char *)f->location);
	free((char *)f->uri);
}

void
audit_list_collect(const struct audit_finding *f, void *arg)
{
	struct audit_list *l = arg;
	struct audit_finding *d;

	if (l->failed)
		return;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 32;
		struct audit_finding *grown = realloc(l->items, cap * sizeof *grown);

		if (grown == NULL) {
			l->failed = 1;
			return;
		}
		l->items = grown;
		l->cap = cap;
	}
	d = &l->items[l->n];
	*d = *f;	/* rule, field, tags and also_matched are static strings */
	if (dup_str(&d->subject, f->subject) || dup_str(&d->conn_id, f->conn_id) ||
	    dup_str(&d->conn_type, f->conn_type) ||
	    dup_str(&d->json_pointer, f->json_pointer) || dup_str(&d->key, f->key) ||
	    dup_str(&d->message, f->message) || dup_str(&d->evidence, f->evidence) ||
	    dup_str(&d->secret_hash, f->secret_hash) ||
	    dup_str(&d->fingerprint, f->fingerprint) ||
	    dup_str(&d->location, f->location) || dup_str(&d->uri, f->uri)) {
		finding_release(d);
		l->failed = 1;
		return;
	}
	l->n++;
}

static int
finding_cmp(const void *x, const void *y)
{
	const struct audit_finding *a = x, *b = y;
	int c;

	if (a->severity != b->severity)
		return a->severity > b->severity ? -1 : 1;
	if ((c = strcmp(a->subject, b->subject)) != 0)
		return c;
	return strcmp(a->fingerprint, b->fingerprint);
}

void
audit_list_sort(struct audit_list *l)
{
	if (l->n > 1)
		qsort(l->items, l->n, sizeof *l->items, finding_cmp);
}

void
audit_list_release(struct audit_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		finding_release(&l->items[i]);
	free(l->items);
	memset(l, 0, sizeof *l);
}

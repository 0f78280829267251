/*
 * audit.c: the audit engine (see audit.h): rules compiled once, connections
 * walked leaf by leaf, the row checks, suppression by baseline and ignore
 * file, and findings handed to a callback one subject at a time. Its parts
 * share the engine's state through audit_int.h: audit_scan.c reduces the
 * candidates of one leaf to one finding per pointer, audit_baseline.c
 * holds the HMAC key and fingerprint sets, audit_transport.c the transport
 * rules, audit_config.c the AIRFLOW_CONN_* and airflow.cfg checks.
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

#include <sodium.h>

#include "audit_int.h"
#include "fernet.h"
#include "pyjson.h"
#include "uri.h"

#define MAX_DEPTH	48	/* JSON nesting walked */
#define MAX_SJSON	3	/* JSON-in-a-string levels walked */

static const char *const tag_names[] = {
	"decoded:json-string", "decoded:base64", "changed-since-baseline",
};

static int visit(struct audit *a, cJSON *node, const struct walkctx *ctx,
    int depth, struct err *e);

/* -- names --------------------------------------------------------------- */

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

/* -- small helpers ------------------------------------------------------- */

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

int
audit_in_list(const char *list, const char *s, size_t len)
{
	return list_match(list, s, len, 0);
}

int
audit_in_list_suffix(const char *list, const char *s, size_t len)
{
	return list_match(list, s, len, 1);
}

int
audit_in_words(const char *const *words, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(words[i], s) == 0)
			return 1;
	return 0;
}

int
audit_ends_with(const char *s, const char *suffix)
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
int
audit_scratch(char **p, size_t *cap, size_t need)
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

void
audit_format_date(uint64_t t, char *out, size_t cap)
{
	struct tm tm;
	time_t tt = (time_t)t;

	if (t > (uint64_t)253402300799 || gmtime_r(&tt, &tm) == NULL)
		snprintf(out, cap, "beyond year 9999");
	else
		strftime(out, cap, "%Y-%m-%d", &tm);
}

/* -- pending findings ---------------------------------------------------- */

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

const struct audit_rule *
audit_rule_get(const char *id)
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
struct pending *
audit_pend_add(struct audit *a, const struct audit_rule *r, enum audit_severity sev,
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
		p->hash = audit_hash_secret(a, s + keep, len - keep);
		if (p->hash == NULL && a->hkey != NULL)
			goto oom;
	}
	return p;
oom:
	err_nomem(e);
	return NULL;
}

/* -- emitting ------------------------------------------------------------ */

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

/* Adjust a complete subject's findings (doc/audit-rules.md section 4). */
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
int
audit_flush(struct audit *a, audit_cb cb, void *arg, int fail, struct err *e)
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
		if (a->have_ignore && audit_fpset_get(&a->ignore, buf_str(&a->fp)) != NULL) {
			a->st.ignored++;
			continue;
		}
		if (a->have_baseline && (base = audit_fpset_get(&a->baseline, buf_str(&a->fp))) != NULL) {
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

/* -- walking extras ------------------------------------------------------ */

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

		if (tree == NULL && errno == ENOMEM)
			return err_nomem(e);	/* not "not JSON" */
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
	return audit_scan_leaf(a, s, len, ctx, e);
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

/* -- row checks ---------------------------------------------------------- */

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

/* plaintext, undecryptable and age of one stored value (len bytes). */
static int
storage_checks(struct audit *a, const char *field, const struct conn_secret_info *info,
    const char *value, size_t len, const char *plain_rule, struct err *e)
{
	char detail[160], date[32];

	switch (info->state) {
	case CONN_SECRET_PLAIN:
		if (!a->encryption_on)
			return 0;
		if (strcmp(plain_rule, "plaintext-extra") == 0 ||
		    strcmp(plain_rule, "plaintext-variable") == 0)
			value = NULL;	/* the whole text is not one secret */
		return audit_pend_add(a, audit_rule_get(plain_rule), audit_rule_get(plain_rule)->severity, field, NULL,
		    value, value ? len : 0, 0, 1, e) ? 0 : -1;
	case CONN_SECRET_UNDECRYPTABLE:
		detail[0] = '\0';
		if (info->has_timestamp) {
			audit_format_date(info->timestamp, date, sizeof date);
			snprintf(detail, sizeof detail, "%s token made %s", field, date);
		} else {
			snprintf(detail, sizeof detail, "%s", field);
		}
		return audit_pend_add(a, audit_rule_get("undecryptable-value"), AUDIT_SEV_HIGH, field, detail,
		    NULL, 0, 0, 0, e) ? 0 : -1;
	case CONN_SECRET_ENCRYPTED:
		if (!info->has_timestamp || !is_stale(a, info->timestamp))
			return 0;
		note_stale(a, info->timestamp);
		audit_format_date(info->timestamp, date, sizeof date);
		snprintf(detail, sizeof detail, "%s encrypted on %s, %llu days ago (limit %ld)",
		    field, date, (unsigned long long)((a->now - info->timestamp) / 86400),
		    a->max_age_days);
		return audit_pend_add(a, audit_rule_get("stale-token"), AUDIT_SEV_INFO, field, detail, NULL, 0,
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
	    !audit_re_find(a, a->re_host_pw, host, strlen(host), 0, 1, &so, &eo, &mo, &me) ||
	    eo == so)
		return 0;
	return audit_pend_add(a, audit_rule_get("password-in-host"), AUDIT_SEV_HIGH, "host", NULL, host + so,
	    eo - so, 0, 1, e) ? 0 : -1;
}

/* -- connections --------------------------------------------------------- */

static void
walk_root(struct walkctx *ctx)
{
	memset(ctx, 0, sizeof *ctx);
	ctx->key = "";
}

/* Host, transport and extra checks (rows: also the storage checks). */
int
audit_conn_checks(struct audit *a, const struct conn *c, int rows, struct err *e)
{
	struct walkctx ctx;
	cJSON *tree = NULL;
	int rc = -1;

	if (rows && (storage_checks(a, "password", &c->password_info, c->password,
	    c->password_len, "plaintext-password", e) != 0 ||
	    storage_checks(a, "extra", &c->extra_info, c->extra, 0,
	    "plaintext-extra", e) != 0))
		return -1;
	if (host_check(a, c->host, e) != 0)
		return -1;
	if (c->extra != NULL && *c->extra != '\0' &&
	    (tree = pyjson_loads(c->extra, strlen(c->extra))) == NULL &&
	    errno == ENOMEM) {
		err_nomem(e);	/* not "not JSON" */
		goto out;
	}
	if (audit_transport_checks(a, c, tree, e) != 0)
		goto out;
	buf_reset(&a->ptr);
	walk_root(&ctx);
	if (tree != NULL)
		rc = visit(a, tree, &ctx, 0, e);
	else if (c->extra != NULL && *c->extra != '\0')	/* not JSON: the text as one value */
		rc = audit_scan_leaf(a, c->extra, strlen(c->extra), &ctx, e);
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
	if (c->password_len > 0 && a->pw_conns++ < AUDIT_PW_NAMES) {
		if (a->pw_names.len > 0)
			buf_adds(&a->pw_names, ", ");
		buf_adds(&a->pw_names, a->sub.name);
	}
	rc = audit_conn_checks(a, c, 1, e);
	return audit_flush(a, cb, arg, rc != 0, e);
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

/* -- variables ----------------------------------------------------------- */

static int
audit_var(struct audit *a, const struct store_var *v, audit_cb cb, void *arg, struct err *e)
{
	struct conn_secret_info info;
	struct fernet_info fi;
	struct walkctx ctx;
	struct err de;
	char norm[KEYNAME_MAX];
	const char *value = v->val;
	size_t len = v->val_len, outlen = 0, wipe = 0;
	int rc = 0, oom = 0;

	a->sub.scope = AUDIT_SCOPE_VARIABLE;
	a->sub.name = v->key != NULL ? v->key : "";
	a->sub.conn_id = NULL;
	a->sub.conn_type = NULL;
	a->st.variables++;
	memset(&info, 0, sizeof info);
	err_clear(&de);
	if (value == NULL || len == 0)
		return audit_flush(a, cb, arg, 0, e);
	if (!v->is_encrypted) {
		info.state = CONN_SECRET_PLAIN;
	} else if (a->o.kr != NULL && keyring_enabled(a->o.kr) &&
	    (oom = audit_scratch(&a->var, &a->var_cap,
	    (wipe = fernet_plain_max(len) + 1))) == 0 &&
	    keyring_decrypt(a->o.kr, value, len, (uint8_t *)a->var, a->var_cap - 1, &outlen,
	    &fi, &de) == 0) {
		a->var[outlen] = '\0';
		value = a->var;
		len = outlen;
		info.state = CONN_SECRET_ENCRYPTED;
		info.timestamp = fi.timestamp;
		info.has_timestamp = 1;
	} else {
		/* No memory to try the keys is not "no key opens it". */
		if (!oom && de.code != ERR_NOMEM &&
		    fernet_inspect(NULL, 0, value, len, &fi, &de) == 0) {
			info.timestamp = fi.timestamp;
			info.has_timestamp = 1;
		}
		if (oom || de.code == ERR_NOMEM) {
			rc = err_nomem(e);
			goto out;
		}
		info.state = CONN_SECRET_UNDECRYPTABLE;
	}
	if (storage_checks(a, "val", &info, NULL, 0, "plaintext-variable", e) != 0) {
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

			if (tree == NULL && errno == ENOMEM)
				rc = err_nomem(e);	/* not "not JSON" */
			else if (tree != NULL && (cJSON_IsObject(tree) ||
			    cJSON_IsArray(tree)))
				rc = visit(a, tree, &ctx, 0, e);
			else
				rc = audit_scan_leaf(a, value, len, &ctx, e);
			pyjson_free(tree);
		} else {
			rc = audit_scan_leaf(a, value, len, &ctx, e);
		}
	}
out:
	if (wipe > 0 && a->var != NULL)
		sodium_memzero(a->var, wipe < a->var_cap ? wipe : a->var_cap);
	return audit_flush(a, cb, arg, rc != 0, e);
}

static void
secret_cb(const struct audit_finding *f, void *arg)
{
	if (f->rule->category == AUDIT_CAT_SECRET)
		*(int *)arg = 1;
}

int
audit_var_secret(struct audit *a, const char *key, const char *val, size_t len,
    int *found, struct err *e)
{
	struct store_var v;
	struct audit_stats keep = a->st;
	int rc, min = (int)a->o.min_severity, have_b = a->have_baseline,
	    have_i = a->have_ignore;

	memset(&v, 0, sizeof v);
	v.key = (char *)key;
	v.val = (char *)val;
	v.val_len = len;
	*found = 0;
	/* Every secret counts here, whatever a report would leave out. */
	a->o.min_severity = (enum audit_severity)0;
	a->have_baseline = a->have_ignore = 0;
	rc = audit_var(a, &v, secret_cb, found, e);
	a->o.min_severity = (enum audit_severity)min;
	a->have_baseline = have_b;
	a->have_ignore = have_i;
	a->st = keep;	/* a look for the mask is not part of any run */
	return rc;
}

/* -- the whole audit ----------------------------------------------------- */

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
	a->pw_conns = 0;
	buf_reset(&a->pw_names);
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
	if (!a->o.no_variables && store_has_table(s, "variable")) {
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
	if (audit_env(a, cb, arg, e) != 0 || buf_check(&a->pw_names, e) != 0 ||
	    audit_config_backend(a, cb, arg, e) != 0)
		goto out;
	if (a->stale_values > 0) {
		audit_format_date(a->stale_oldest, date, sizeof date);
		snprintf(detail, sizeof detail, "%zu values are older than %ld days (oldest "
		    "%s)", a->stale_values, a->max_age_days, date);
		if (audit_config_finding(a, cb, arg, "[core] fernet_key", "key-rotation-overdue",
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
	st->min_severity = a->o.min_severity;
}

void
audit_stats_reset(struct audit *a)
{
	memset(&a->st, 0, sizeof a->st);
}

/* -- lifecycle ----------------------------------------------------------- */

static void
kw_set(struct kw *k, const char *s, size_t len)
{
	k->s = s;
	k->len = len;
	k->first = len >= 2 ? audit_bigram(s) : 0;
	k->last = len >= 2 ? audit_bigram(s + len - 2) : 0;
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
	buf_init(&a->pw_names, 0);
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
		if ((cp->re = audit_re_compile(cp->p->regex, cp->p->rule_id, e)) == NULL)
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
		    (ck->re = audit_re_compile(ck->k->value_regex, ck->k->rule_id, e)) == NULL)
			goto fail;
		a->nkeys++;
	}
	if ((a->re_generic_key = audit_re_compile(audit_generic_key_re, "generic-api-key", e)) == NULL ||
	    (a->re_generic_value = audit_re_compile(audit_generic_value_re, "generic-api-key",
	    e)) == NULL ||
	    (a->re_host_pw = audit_re_compile(audit_host_password_re, "password-in-host", e)) == NULL)
		goto fail;
	if ((a->md = pcre2_match_data_create(16, NULL)) == NULL ||
	    (a->mctx = pcre2_match_context_create(NULL)) == NULL ||
	    (a->jstack = pcre2_jit_stack_create(32 * 1024, 1024 * 1024, NULL)) == NULL)
		goto oom;
	pcre2_set_match_limit(a->mctx, 5000000);
	pcre2_jit_stack_assign(a->mctx, NULL, a->jstack);
	audit_hash_key_load(a);
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
	audit_fpset_release(&a->baseline);
	audit_fpset_release(&a->ignore);
	pend_clear(a);
	free(a->pend);
	buf_release(&a->ptr);
	buf_release(&a->fp);
	buf_release(&a->loc);
	buf_release(&a->uri);
	buf_release(&a->pw_names);
	mask_free(a->own_mask);
	free(a);
}

/* -- lists --------------------------------------------------------------- */

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
	/* f's strings are the engine's: a failed copy must not free them. */
	d->subject = d->conn_id = d->conn_type = d->json_pointer = d->key =
	    d->message = d->evidence = d->secret_hash = d->fingerprint =
	    d->location = d->uri = NULL;
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

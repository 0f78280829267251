/*
 * audit_report.c: the audit's reports (doc/audit-rules.md section 6): text
 * (gitleaks-style blocks and a summary line), JSON (a detect-secrets-like
 * envelope around gitleaks-like finding records) and SARIF 2.1.0 (rules with
 * their default level, results with logical and physical locations and a
 * partial fingerprint).
 *
 * The writer streams: begin() writes the head, finding() one record, end()
 * the tail with the summary, each appended to a buffer that the caller
 * writes out and resets, so a report of a million findings needs no more
 * memory than one. JSON pieces are built as cJSON trees and written with
 * pyjson (Python's json.dumps layout, indent 2); the envelope's brackets
 * are the only text written by hand. Findings never hold a secret (see
 * audit.h), so nothing here needs wiping. The text report shows its data
 * fields (subjects, paths, evidence) terminal-safe (src/termsafe.h); JSON
 * and SARIF hold them exact.
 */
#include "config.h"

#include "audit.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "core.h"
#include "pyjson.h"
#include "termsafe.h"

#define TOOL_NAME	"ferncon"
#define TOOL_URI	"https://github.com/ferncon/ferncon"
#define SARIF_SCHEMA	"https://json.schemastore.org/sarif-2.1.0.json"
#define SARIF_FP_KEY	"connExtraFingerprint/v1"


struct audit_report {
	enum audit_format		 f;
	struct audit_report_opts	 o;
	char				 generated[32];
	size_t				 n;	/* findings written */
	struct buf			 tmp;	/* one JSON piece, reused */
};

/*
 * Add v to object o under key k, or to array a. A tree is built without a
 * check at each step: when o or a is NULL (its allocation failed) v is
 * freed here, never orphaned, and the caller checks the result once (see
 * json_complete()). Every key in this file is a literal or a static string,
 * so add() uses cJSON's CS form, which does not copy the key and cannot
 * fail on its own (cJSON_AddItemToObject() copies it and, when that copy
 * fails, neither adds nor frees v).
 */
static void
add(cJSON *o, const char *k, cJSON *v)
{
	if (!cJSON_AddItemToObjectCS(o, k, v))
		cJSON_Delete(v);
}

static void
push(cJSON *a, cJSON *v)
{
	if (!cJSON_AddItemToArray(a, v))
		cJSON_Delete(v);
}

int
audit_format_parse(const char *s, enum audit_format *out)
{
	if (strcmp(s, "text") == 0 || strcmp(s, "human") == 0)
		*out = AUDIT_FORMAT_TEXT;
	else if (strcmp(s, "json") == 0)
		*out = AUDIT_FORMAT_JSON;
	else if (strcmp(s, "sarif") == 0)
		*out = AUDIT_FORMAT_SARIF;
	else
		return -1;
	return 0;
}

int
audit_report_new(struct audit_report **out, enum audit_format f,
    const struct audit_report_opts *o, struct err *e)
{
	struct audit_report *r = calloc(1, sizeof *r);
	struct tm tm;
	time_t t;

	*out = NULL;
	if (r == NULL) {
		err_nomem(e);
		return -1;
	}
	r->f = f;
	r->o = *o;
	buf_init(&r->tmp, 0);
	if (r->o.version == NULL)
		r->o.version = PACKAGE_VERSION;
	t = o->generated_at ? (time_t)o->generated_at : time(NULL);
	if (gmtime_r(&t, &tm) != NULL)
		strftime(r->generated, sizeof r->generated, "%Y-%m-%dT%H:%M:%SZ", &tm);
	*out = r;
	return 0;
}

void
audit_report_free(struct audit_report *r)
{
	if (r == NULL)
		return;
	buf_release(&r->tmp);
	free(r);
}

void
audit_summary_line(const struct audit_stats *st, char *out, size_t cap)
{
	const size_t *s = st->by_severity;
	char info[48] = "";

	if (s[AUDIT_SEV_INFO] > 0)
		snprintf(info, sizeof info, ", %zu info", s[AUDIT_SEV_INFO]);
	snprintf(out, cap, "%zu finding%s (%zu critical, %zu high, %zu medium, %zu low%s) "
	    "in %zu of %zu connections; minimum severity shown: %s", st->findings,
	    st->findings == 1 ? "" : "s",
	    s[AUDIT_SEV_CRITICAL], s[AUDIT_SEV_HIGH], s[AUDIT_SEV_MEDIUM], s[AUDIT_SEV_LOW],
	    info, st->connections_with_findings, st->connections,
	    audit_severity_name(st->min_severity));
}

/* -- JSON helpers -------------------------------------------------------- */

static cJSON *
str_or_null(const char *s)
{
	return s != NULL ? cJSON_CreateString(s) : cJSON_CreateNull();
}

static cJSON *
int_node(size_t n)
{
	return pyjson_create_int((long long)n);
}

/* Entropy with two decimals (5.91), or null. */
static cJSON *
entropy_node(double h)
{
	return h >= 0 ? cJSON_CreateNumber(round(h * 100.0) / 100.0) : cJSON_CreateNull();
}

static cJSON *
str_array(const char *const *v, size_t n)
{
	cJSON *a = cJSON_CreateArray();
	size_t i;

	for (i = 0; a != NULL && i < n; i++)
		push(a, cJSON_CreateString(v[i]));
	return a;
}

static cJSON *
masked_node(int m)
{
	return m < 0 ? cJSON_CreateNull() : cJSON_CreateBool(m);
}

/*
 * Append v (consumed) as Python's json.dumps(v, indent=2), every line after
 * the first indented by pad more; tmp is scratch space.
 */
static int
dump_at(struct buf *out, struct buf *tmp, cJSON *v, int pad, struct err *e)
{
	static const char spaces[] = "                ";
	struct pyjson_opts po = { 2, 0, 0 };
	const char *p, *nl;
	int rc;

	if (v == NULL) {
		err_nomem(e);
		return -1;
	}
	buf_reset(tmp);
	if ((rc = pyjson_dumps(v, &po, tmp, e)) == 0) {
		for (p = buf_str(tmp); (nl = strchr(p, '\n')) != NULL; p = nl + 1) {
			buf_add(out, p, (size_t)(nl + 1 - p));
			buf_add(out, spaces, (size_t)pad < sizeof spaces ? (size_t)pad :
			    sizeof spaces - 1);
		}
		buf_adds(out, p);
		rc = buf_check(out, e);
	}
	cJSON_Delete(v);
	return rc;
}

/* "  \"name\": " then v at the same indentation. */
static int
member(struct audit_report *r, struct buf *out, const char *name, cJSON *v, int pad,
    int last, struct err *e)
{
	buf_addf(out, "%*s", pad, "");
	pyjson_dump_str(out, name, strlen(name), 0);
	buf_adds(out, ": ");
	if (dump_at(out, &r->tmp, v, pad, e) != 0)
		return -1;
	buf_adds(out, last ? "\n" : ",\n");
	return buf_check(out, e);
}

static size_t
rule_index(const struct audit_rule *r)
{
	size_t i, n = audit_rule_count();

	for (i = 0; i < n; i++)
		if (audit_rule_at(i) == r)
			return i;
	return 0;
}

static int
failed(const struct audit_report *r, const struct audit_stats *st)
{
	int s;

	for (s = r->o.fail_on; s < AUDIT_SEV_COUNT; s++)
		if (st->by_severity[s] > 0)
			return 1;
	return 0;
}

static cJSON *
summary_node(const struct audit_report *r, const struct audit_stats *st,
    const struct err *failure)
{
	cJSON *o = cJSON_CreateObject(), *sup = cJSON_CreateObject();
	int s;

	if (o == NULL || sup == NULL) {
		cJSON_Delete(o);
		cJSON_Delete(sup);
		return NULL;
	}
	add(o, "findings", int_node(st->findings));
	for (s = AUDIT_SEV_CRITICAL; s >= AUDIT_SEV_INFO; s--)
		add(o, audit_severity_name((enum audit_severity)s),
		    int_node(st->by_severity[s]));
	add(o, "connections", int_node(st->connections));
	add(o, "connections_with_findings",
	    int_node(st->connections_with_findings));
	add(o, "variables", int_node(st->variables));
	add(o, "env_connections", int_node(st->env_connections));
	add(sup, "baseline", int_node(st->baseline_suppressed));
	add(sup, "ignored", int_node(st->ignored));
	add(sup, "below_min_severity", int_node(st->below_min_severity));
	add(o, "suppressed", sup);
	add(o, "min_severity",
	    cJSON_CreateString(audit_severity_name(r->o.min_severity)));
	add(o, "fail_on", cJSON_CreateString(r->o.fail_on >= AUDIT_SEV_NEVER ?
	    "none" : audit_severity_name((enum audit_severity)r->o.fail_on)));
	add(o, "failed", cJSON_CreateBool(failed(r, st)));
	add(o, "complete", cJSON_CreateBool(failure == NULL));
	if (failure != NULL)
		add(o, "error", cJSON_CreateString(failure->msg));
	return o;
}

/* -- JSON ---------------------------------------------------------------- */

static cJSON *
finding_node(const struct audit_finding *f)
{
	cJSON *o = cJSON_CreateObject();

	if (o == NULL)
		return NULL;
	add(o, "conn_id", str_or_null(f->conn_id));
	add(o, "conn_type", str_or_null(f->conn_type));
	add(o, "scope", cJSON_CreateString(audit_scope_name(f->scope)));
	add(o, "subject", str_or_null(f->subject));
	add(o, "field", str_or_null(f->field));
	add(o, "json_pointer", str_or_null(f->json_pointer));
	add(o, "key", str_or_null(f->key));
	add(o, "rule_id", cJSON_CreateString(f->rule->id));
	add(o, "description", cJSON_CreateString(f->rule->description));
	add(o, "severity",
	    cJSON_CreateString(audit_severity_name(f->severity)));
	add(o, "message", str_or_null(f->message));
	add(o, "evidence", str_or_null(f->evidence));
	add(o, "entropy", entropy_node(f->entropy));
	add(o, "secret_hash", str_or_null(f->secret_hash));
	add(o, "fingerprint", cJSON_CreateString(f->fingerprint));
	add(o, "location", cJSON_CreateString(f->location));
	add(o, "uri", str_or_null(f->uri));
	add(o, "line", f->line > 0 ? int_node((size_t)f->line) : cJSON_CreateNull());
	add(o, "fix", str_or_null(f->rule->help));
	add(o, "tags", str_array(f->tags, f->ntags));
	add(o, "also_matched", str_array(f->also_matched, f->nalso));
	add(o, "masked_by_airflow", masked_node(f->masked_by_airflow));
	return o;
}

static cJSON *
rules_used_node(void)
{
	cJSON *a = cJSON_CreateArray();
	size_t i, n = audit_rule_count();
	static const char *const cats[] = { "secret", "storage", "transport", "config" };

	for (i = 0; a != NULL && i < n; i++) {
		const struct audit_rule *r = audit_rule_at(i);
		cJSON *o = cJSON_CreateObject();

		if (o == NULL)
			break;
		add(o, "id", cJSON_CreateString(r->id));
		add(o, "severity",
		    cJSON_CreateString(audit_severity_name(r->severity)));
		add(o, "category", cJSON_CreateString(cats[r->category]));
		push(a, o);
	}
	return a;
}

static int
json_begin(struct audit_report *r, struct buf *out, struct err *e)
{
	buf_adds(out, "{\n");
	if (member(r, out, "tool", cJSON_CreateString(TOOL_NAME), 2, 0, e) != 0 ||
	    member(r, out, "version", cJSON_CreateString(r->o.version), 2, 0, e) != 0 ||
	    member(r, out, "generated_at", cJSON_CreateString(r->generated), 2, 0, e) != 0 ||
	    member(r, out, "baseline", str_or_null(r->o.baseline), 2, 0, e) != 0 ||
	    member(r, out, "ignore_file", str_or_null(r->o.ignore), 2, 0, e) != 0 ||
	    member(r, out, "secret_hash", cJSON_CreateString(r->o.hashed ?
	    "hmac-sha256 with a per-install key" : "none"), 2, 0, e) != 0 ||
	    member(r, out, "rules_used", rules_used_node(), 2, 0, e) != 0)
		return -1;
	buf_adds(out, "  \"findings\": [");
	return buf_check(out, e);
}

static int
json_finding(struct audit_report *r, const struct audit_finding *f, struct buf *out,
    struct err *e)
{
	buf_adds(out, r->n ? ",\n    " : "\n    ");
	return dump_at(out, &r->tmp, finding_node(f), 4, e);
}

static int
json_end(struct audit_report *r, const struct audit_stats *st, const struct err *failure,
    struct buf *out, struct err *e)
{
	buf_adds(out, r->n ? "\n  ],\n" : "],\n");
	if (member(r, out, "summary", summary_node(r, st, failure), 2, 1, e) != 0)
		return -1;
	buf_adds(out, "}\n");
	return buf_check(out, e);
}

/* -- SARIF --------------------------------------------------------------- */

static cJSON *
text_node(const char *s)
{
	cJSON *o = cJSON_CreateObject();

	if (o != NULL)
		add(o, "text", cJSON_CreateString(s));
	return o;
}

static cJSON *
sarif_tool(const struct audit_report *r)
{
	static const char *const cats[] = { "secret", "storage", "transport", "config" };
	cJSON *tool = cJSON_CreateObject(), *driver = cJSON_CreateObject();
	cJSON *rules = cJSON_CreateArray();
	size_t i, n = audit_rule_count();

	if (tool == NULL || driver == NULL || rules == NULL) {
		cJSON_Delete(tool);
		cJSON_Delete(driver);
		cJSON_Delete(rules);
		return NULL;
	}
	add(driver, "name", cJSON_CreateString(TOOL_NAME));
	add(driver, "version", cJSON_CreateString(r->o.version));
	add(driver, "semanticVersion", cJSON_CreateString(r->o.version));
	add(driver, "informationUri", cJSON_CreateString(TOOL_URI));
	for (i = 0; i < n; i++) {
		const struct audit_rule *ru = audit_rule_at(i);
		cJSON *o = cJSON_CreateObject(), *cfg = cJSON_CreateObject();
		cJSON *props = cJSON_CreateObject();
		const char *tags[2] = { "security", cats[ru->category] };

		if (o == NULL || cfg == NULL || props == NULL) {
			cJSON_Delete(o);
			cJSON_Delete(cfg);
			cJSON_Delete(props);
			cJSON_Delete(tool);
			cJSON_Delete(driver);
			cJSON_Delete(rules);
			return NULL;
		}
		add(o, "id", cJSON_CreateString(ru->id));
		add(o, "shortDescription", text_node(ru->description));
		add(o, "help", text_node(ru->help));
		add(cfg, "level",
		    cJSON_CreateString(audit_severity_sarif(ru->severity)));
		add(o, "defaultConfiguration", cfg);
		add(props, "severity",
		    cJSON_CreateString(audit_severity_name(ru->severity)));
		add(props, "tags", str_array(tags, 2));
		add(o, "properties", props);
		push(rules, o);
	}
	add(driver, "rules", rules);
	add(tool, "driver", driver);
	return tool;
}

static cJSON *
sarif_result(const struct audit_finding *f)
{
	cJSON *res = cJSON_CreateObject(), *locs, *loc, *phys, *art, *logs, *lg, *fp, *props;
	struct buf msg;

	if (res == NULL)
		return NULL;
	buf_init(&msg, 0);
	buf_addf(&msg, "%s at %s", f->message, f->location);
	if (f->evidence != NULL)
		buf_addf(&msg, " (%s)", f->evidence);
	if (msg.failed) {	/* not an empty message: no memory */
		buf_release(&msg);
		cJSON_Delete(res);
		return NULL;
	}
	add(res, "ruleId", cJSON_CreateString(f->rule->id));
	add(res, "ruleIndex", int_node(rule_index(f->rule)));
	add(res, "level", cJSON_CreateString(audit_severity_sarif(f->severity)));
	add(res, "message", text_node(buf_str(&msg)));
	buf_release(&msg);

	/* A child is filled before push() or add(), which may free it. */
	locs = cJSON_AddArrayToObject(res, "locations");
	loc = cJSON_CreateObject();
	phys = cJSON_AddObjectToObject(loc, "physicalLocation");
	art = cJSON_AddObjectToObject(phys, "artifactLocation");
	add(art, "uri", cJSON_CreateString(f->uri));
	if (f->line > 0) {
		cJSON *region = cJSON_AddObjectToObject(phys, "region");

		add(region, "startLine", int_node((size_t)f->line));
	}
	logs = cJSON_AddArrayToObject(loc, "logicalLocations");
	lg = cJSON_CreateObject();
	add(lg, "fullyQualifiedName", cJSON_CreateString(f->location));
	add(lg, "kind", cJSON_CreateString("member"));
	push(logs, lg);
	push(locs, loc);

	fp = cJSON_AddObjectToObject(res, "partialFingerprints");
	add(fp, SARIF_FP_KEY, cJSON_CreateString(f->fingerprint));

	props = cJSON_AddObjectToObject(res, "properties");
	add(props, "severity",
	    cJSON_CreateString(audit_severity_name(f->severity)));
	add(props, "scope", cJSON_CreateString(audit_scope_name(f->scope)));
	add(props, "conn_id", str_or_null(f->conn_id));
	add(props, "json_pointer", str_or_null(f->json_pointer));
	add(props, "evidence", str_or_null(f->evidence));
	add(props, "entropy", entropy_node(f->entropy));
	add(props, "secret_hash", str_or_null(f->secret_hash));
	add(props, "tags", str_array(f->tags, f->ntags));
	add(props, "also_matched", str_array(f->also_matched, f->nalso));
	add(props, "masked_by_airflow", masked_node(f->masked_by_airflow));
	if (locs == NULL || phys == NULL || art == NULL || logs == NULL || fp == NULL ||
	    props == NULL) {
		cJSON_Delete(res);
		return NULL;
	}
	return res;
}

static int
sarif_begin(struct audit_report *r, struct buf *out, struct err *e)
{
	buf_adds(out, "{\n");
	if (member(r, out, "$schema", cJSON_CreateString(SARIF_SCHEMA), 2, 0, e) != 0 ||
	    member(r, out, "version", cJSON_CreateString("2.1.0"), 2, 0, e) != 0)
		return -1;
	buf_adds(out, "  \"runs\": [\n    {\n");
	if (member(r, out, "tool", sarif_tool(r), 6, 0, e) != 0)
		return -1;
	buf_adds(out, "      \"results\": [");
	return buf_check(out, e);
}

static int
sarif_finding(struct audit_report *r, const struct audit_finding *f, struct buf *out,
    struct err *e)
{
	buf_adds(out, r->n ? ",\n        " : "\n        ");
	return dump_at(out, &r->tmp, sarif_result(f), 8, e);
}

static int
sarif_end(struct audit_report *r, const struct audit_stats *st, const struct err *failure,
    struct buf *out, struct err *e)
{
	cJSON *inv = cJSON_CreateArray(), *one = cJSON_CreateObject(), *props;

	if (inv == NULL || one == NULL) {
		cJSON_Delete(inv);
		cJSON_Delete(one);
		err_nomem(e);
		return -1;
	}
	push(inv, one);
	add(one, "executionSuccessful", cJSON_CreateBool(failure == NULL));
	add(one, "endTimeUtc", cJSON_CreateString(r->generated));
	if (failure != NULL) {
		cJSON *notes = cJSON_AddArrayToObject(one, "toolExecutionNotifications");
		cJSON *n = cJSON_CreateObject();

		add(n, "level", cJSON_CreateString("error"));
		add(n, "message", text_node(failure->msg));
		push(notes, n);
	}
	buf_adds(out, r->n ? "\n      ],\n" : "],\n");
	if (member(r, out, "invocations", inv, 6, 0, e) != 0)
		return -1;
	if ((props = cJSON_CreateObject()) == NULL) {
		err_nomem(e);
		return -1;
	}
	add(props, "summary", summary_node(r, st, failure));
	if (member(r, out, "properties", props, 6, 1, e) != 0)
		return -1;
	buf_adds(out, "    }\n  ]\n}\n");
	return buf_check(out, e);
}

/* -- text ---------------------------------------------------------------- */

static const char *
subject_label(enum audit_scope s)
{
	switch (s) {
	case AUDIT_SCOPE_VARIABLE:
		return "Variable:";
	case AUDIT_SCOPE_ENV:
		return "Env:";
	case AUDIT_SCOPE_CONFIG:
		return "Option:";
	default:
		return "Conn:";
	}
}

/*
 * A data field of the text report, terminal-safe (src/termsafe.h): a
 * subject, a key name or a file path can hold anything that a row or a
 * file put there.
 */
static void
text_field(struct buf *out, const char *label, const char *s)
{
	if (label != NULL)
		buf_addf(out, "%-13s", label);
	if (s != NULL)
		termsafe_add(out, s, strlen(s), 0);
}

static int
text_finding(struct audit_report *r, const struct audit_finding *f, struct buf *out,
    struct err *e)
{
	size_t i;

	(void)r;
	text_field(out, "Finding:", f->message);
	buf_addc(out, '\n');
	buf_addf(out, "%-13s%s", "Rule:", f->rule->id);
	for (i = 0; i < f->nalso; i++)
		buf_addf(out, "%s%s", i ? ", " : " (also: ", f->also_matched[i]);
	buf_adds(out, f->nalso ? ")\n" : "\n");
	buf_addf(out, "%-13s%s\n", "Severity:", audit_severity_name(f->severity));
	text_field(out, subject_label(f->scope), f->subject);
	if (f->scope == AUDIT_SCOPE_ENV && f->conn_id != NULL) {
		buf_adds(out, " (conn_id ");
		text_field(out, NULL, f->conn_id);
		buf_addc(out, ')');
	}
	if (f->conn_type != NULL) {
		buf_adds(out, " (");
		text_field(out, NULL, f->conn_type);
		buf_addc(out, ')');
	}
	buf_addc(out, '\n');
	if (f->scope != AUDIT_SCOPE_CONFIG) {
		text_field(out, "Path:", f->field);
		if (f->json_pointer && *f->json_pointer) {
			buf_addc(out, ' ');
			text_field(out, NULL, f->json_pointer);
		}
		buf_addc(out, '\n');
	} else if (f->uri != NULL && strncmp(f->uri, "file://", 7) == 0) {
		text_field(out, "File:", f->uri + 7);
		if (f->line > 0)
			buf_addf(out, ":%d", f->line);
		buf_addc(out, '\n');
	}
	if (f->evidence != NULL) {
		text_field(out, "Evidence:", f->evidence);
		buf_addc(out, '\n');
	}
	if (f->entropy >= 0)
		buf_addf(out, "%-13s%.2f\n", "Entropy:", f->entropy);
	if (f->masked_by_airflow >= 0)
		buf_addf(out, "%-13s%s\n", "Masked:", f->masked_by_airflow ?
		    "yes (Airflow hides this key)" : "no (Airflow shows this key)");
	for (i = 0; i < f->ntags; i++)
		buf_addf(out, "%s%s", i ? ", " : "Tags:        ", f->tags[i]);
	if (f->ntags)
		buf_addc(out, '\n');
	text_field(out, "Fix:", f->rule->help);
	buf_addc(out, '\n');
	text_field(out, "Fingerprint:", f->fingerprint);
	buf_adds(out, "\n\n");
	return buf_check(out, e);
}

static int
text_end(struct audit_report *r, const struct audit_stats *st, const struct err *failure,
    struct buf *out, struct err *e)
{
	char line[256];

	audit_summary_line(st, line, sizeof line);
	buf_addf(out, "%s\n", line);
	if (st->baseline_suppressed || st->ignored || st->below_min_severity)
		buf_addf(out, "not shown: %zu in the baseline, %zu in the ignore file, %zu "
		    "below --min-severity %s\n", st->baseline_suppressed, st->ignored,
		    st->below_min_severity, audit_severity_name(r->o.min_severity));
	if (failure != NULL) {
		text_field(out, NULL, "the audit did not complete: ");
		text_field(out, NULL, failure->msg);
		buf_addc(out, '\n');
	}
	return buf_check(out, e);
}

/* -- dispatch ------------------------------------------------------------ */

/*
 * The builders above add members without checking each one; a step whose
 * tree lost a member to a refused allocation fails here as a whole.
 */
static int
json_complete(unsigned long failures_before, int rc, struct err *e)
{
	if (rc == 0 && core_json_failures() != failures_before)
		return err_nomem(e);
	return rc;
}

int
audit_report_begin(struct audit_report *r, struct buf *out, struct err *e)
{
	unsigned long before = core_json_failures();

	switch (r->f) {
	case AUDIT_FORMAT_JSON:
		return json_complete(before, json_begin(r, out, e), e);
	case AUDIT_FORMAT_SARIF:
		return json_complete(before, sarif_begin(r, out, e), e);
	default:
		return 0;
	}
}

int
audit_report_finding(struct audit_report *r, const struct audit_finding *f,
    struct buf *out, struct err *e)
{
	unsigned long before = core_json_failures();
	int rc;

	switch (r->f) {
	case AUDIT_FORMAT_JSON:
		rc = json_finding(r, f, out, e);
		break;
	case AUDIT_FORMAT_SARIF:
		rc = sarif_finding(r, f, out, e);
		break;
	default:
		rc = text_finding(r, f, out, e);
		break;
	}
	rc = json_complete(before, rc, e);
	if (rc == 0)
		r->n++;
	return rc;
}

int
audit_report_end(struct audit_report *r, const struct audit_stats *st,
    const struct err *failure, struct buf *out, struct err *e)
{
	unsigned long before = core_json_failures();

	switch (r->f) {
	case AUDIT_FORMAT_JSON:
		return json_complete(before, json_end(r, st, failure, out, e), e);
	case AUDIT_FORMAT_SARIF:
		return json_complete(before, sarif_end(r, st, failure, out, e), e);
	default:
		return text_end(r, st, failure, out, e);
	}
}

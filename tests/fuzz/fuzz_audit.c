/*
 * fuzz_audit.c: the audit's value scan (src/audit_scan.c, through
 * audit_conn(): pre-filters, regular expressions, key names, entropy, JWT
 * and base64 checks on every leaf) and the JSON report of its findings.
 * The first byte picks the field (bit 0: the extra, walked as JSON, else
 * the password) and the conn_type (bit 1: postgres, else generic); the
 * rest is the value. Invariants: the JSON report of the findings is JSON;
 * a password of 16 bytes or more (and no PEM armour) is in no finding's
 * evidence, fingerprint or location (the evidence is redacted; the whole
 * report is not checked, as a password may equal a rule's name, which a
 * 180 s run found); the engine survives the input for the next one.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "audit.h"
#include "buf.h"
#include "conn.h"
#include "err.h"
#include "fuzz.h"

static struct audit *engine;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_init();
	engine = fuzz_audit_new();
	return 0;
}

static int
holds(const char *field, const char *value, size_t size)
{
	return field != NULL && memmem(field, strlen(field), value, size) != NULL;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct audit_report_opts ro;
	struct audit_report *r = NULL;
	struct audit_list l;
	struct audit_stats st;
	struct conn *c;
	struct buf out;
	struct err e;
	cJSON *report;
	const char *value;
	size_t i;
	int in_extra;

	if (size < 1)
		return 0;
	in_extra = data[0] & 1;
	value = (const char *)data + 1;
	size--;
	if (memchr(value, '\0', size) != NULL)
		return 0;	/* a stored value is text */
	err_clear(&e);
	c = conn_new();
	FUZZ_CHECK(c != NULL, "out of memory");
	FUZZ_CHECK(conn_set_str(c, &c->conn_id, "fuzz", &e) == 0 &&
	    conn_set_str(c, &c->conn_type, data[0] & 2 ? "postgres" : "generic",
	    &e) == 0 && conn_set_str(c, &c->host, "db.example.com", &e) == 0 &&
	    conn_set(c, in_extra ? &c->extra : &c->password, value, size, &e) == 0,
	    "conn_set failed");

	memset(&l, 0, sizeof l);
	audit_stats_reset(engine);
	FUZZ_CHECK(audit_conn(engine, c, audit_list_collect, &l, &e) == 0,
	    "audit_conn failed");
	FUZZ_CHECK(!l.failed, "out of memory");

	memset(&ro, 0, sizeof ro);
	ro.version = "fuzz";
	ro.generated_at = 1800000000;
	ro.min_severity = AUDIT_SEV_INFO;
	ro.fail_on = AUDIT_SEV_NEVER;
	buf_init(&out, 0);
	FUZZ_CHECK(audit_report_new(&r, AUDIT_FORMAT_JSON, &ro, &e) == 0 &&
	    audit_report_begin(r, &out, &e) == 0, "report begin");
	for (i = 0; i < l.n; i++)
		FUZZ_CHECK(audit_report_finding(r, &l.items[i], &out, &e) == 0,
		    "report finding");
	audit_stats_get(engine, &st);
	FUZZ_CHECK(audit_report_end(r, &st, NULL, &out, &e) == 0, "report end");
	FUZZ_CHECK((report = cJSON_Parse(buf_str(&out))) != NULL,
	    "the JSON report is not JSON");
	cJSON_Delete(report);
	if (!in_extra && size >= 16 && memmem(value, size, "-----", 5) == NULL)
		for (i = 0; i < l.n; i++)
			FUZZ_CHECK(!holds(l.items[i].evidence, value, size) &&
			    !holds(l.items[i].fingerprint, value, size) &&
			    !holds(l.items[i].location, value, size),
			    "a finding holds the password");

	audit_report_free(r);
	buf_release(&out);
	audit_list_release(&l);
	conn_free(c);
	return 0;
}

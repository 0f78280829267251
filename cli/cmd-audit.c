/*
 * cmd-audit.c: `ferncon audit`: the secret audit of doc/audit-rules.md over
 * the configured metadata DB, its configuration and the AIRFLOW_CONN_*
 * variables of this environment, as text (the default on a terminal), json
 * (the default otherwise) or SARIF 2.1.0 on stdout.
 *
 * Exit codes are the audit's own, so that CI can tell a leak from a broken
 * run: 0 no reported finding at or above --fail-on (default high), 1 such
 * findings, 2 the audit could not complete (bad flags, configuration, key
 * or DB; a DB error is 2 here, not 3). Evidence is always redacted; every
 * role may audit.
 */
#include "config.h"

#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit.h"
#include "buf.h"

enum { OPT_FORMAT, OPT_FAIL_ON, OPT_MIN_SEVERITY, OPT_BASELINE, OPT_IGNORE };

static int
check_format(const struct cli_cmd *cmd, const char *arg)
{
	enum audit_format f;

	if (audit_format_parse(arg, &f) != 0)
		return cli_usage_error(cmd, "--format: unknown format '%s' (text, "
		    "json or sarif)", arg);
	return 0;
}

static int
check_fail_on(const struct cli_cmd *cmd, const char *arg)
{
	int sev;

	if (audit_severity_parse(arg, 1, &sev) != 0)
		return cli_usage_error(cmd, "--fail-on: unknown severity '%s' "
		    "(critical, high, medium, low, info or none)", arg);
	return 0;
}

static int
check_min_severity(const struct cli_cmd *cmd, const char *arg)
{
	int sev;

	if (audit_severity_parse(arg, 0, &sev) != 0)
		return cli_usage_error(cmd, "--min-severity: unknown severity '%s' "
		    "(critical, high, medium, low or info)", arg);
	return 0;
}

static const struct cli_opt audit_options[] = {
	{ "format", 'f', OPT_FORMAT, CLI_OPT_ARG, check_format },
	{ "fail-on", 0, OPT_FAIL_ON, CLI_OPT_ARG, check_fail_on },
	{ "min-severity", 0, OPT_MIN_SEVERITY, CLI_OPT_ARG, check_min_severity },
	{ "baseline", 0, OPT_BASELINE, CLI_OPT_ARG, NULL },
	{ "ignore", 0, OPT_IGNORE, CLI_OPT_ARG, NULL },
	{ NULL, 0, 0, 0, NULL }
};

struct audit_args {
	enum audit_format	 format;
	int			 fail_on;
	int			 min_severity;
	const char		*baseline;
	const char		*ignore;
};

/* What the finding callback needs: the report, its buffer, a write error. */
struct emit {
	struct audit_report	*rep;
	struct buf		 out;
	struct err		 e;
	int			 failed;
};

/* The parsed options as values (each was checked while parsing). */
static void
read_args(struct cli_args *ca, struct audit_args *a)
{
	const char *v;

	a->fail_on = AUDIT_SEV_HIGH;
	a->min_severity = AUDIT_MIN_SEVERITY_DEFAULT;
	a->baseline = ca->opt[OPT_BASELINE];
	a->ignore = ca->opt[OPT_IGNORE];
	if ((v = ca->opt[OPT_FORMAT]) != NULL)
		(void)audit_format_parse(v, &a->format);
	else
		a->format = isatty(STDOUT_FILENO) ? AUDIT_FORMAT_TEXT :
		    AUDIT_FORMAT_JSON;
	if ((v = ca->opt[OPT_FAIL_ON]) != NULL)
		(void)audit_severity_parse(v, 1, &a->fail_on);
	if ((v = ca->opt[OPT_MIN_SEVERITY]) != NULL)
		(void)audit_severity_parse(v, 0, &a->min_severity);
}

/* Write and empty the buffer; 0, or -1 with e set. */
static int
flush_out(struct buf *b, struct err *e)
{
	int rc = cli_write(buf_str(b), b->len, e);

	buf_reset(b);
	return rc;
}

static void
on_finding(const struct audit_finding *f, void *arg)
{
	struct emit *em = arg;

	if (em->failed)
		return;
	if (audit_report_finding(em->rep, f, &em->out, &em->e) != 0 ||
	    flush_out(&em->out, &em->e) != 0)
		em->failed = 1;
}

/* Every error of the audit is exit 2: "could not complete". */
static int
audit_error(const struct err *e)
{
	(void)cli_error(e);
	return EXIT_USAGE;
}

static int
audit_cmd(struct session *s, struct cli_args *ca)
{
	extern char **environ;
	struct audit_args args;
	struct audit_opts ao;
	struct audit_report_opts ro;
	struct audit *a = NULL;
	struct audit_stats st;
	struct emit em;
	struct err e, run;
	int rc, sev;

	err_clear(&e);
	err_clear(&run);
	memset(&em, 0, sizeof em);
	buf_init(&em.out, 0);
	read_args(ca, &args);
	if (((args.baseline != NULL || args.ignore != NULL) &&
	    session_restricted(s, SESSION_GUARD_AUDIT_FILE, &e) != 0) ||
	    session_config(s, &e) != 0 || session_policy(s, &e) != 0 ||
	    cli_keyring(s, NULL, &e) != 0)
		return audit_error(&e);

	memset(&ao, 0, sizeof ao);
	ao.kr = s->keys->kr;
	ao.environ = environ;
	ao.min_severity = (enum audit_severity)args.min_severity;
	if (session_audit_new(s, &ao, &a, &e) != 0 ||
	    (args.baseline != NULL && audit_load_baseline(a, args.baseline, &e) != 0) ||
	    (args.ignore != NULL && audit_load_ignore(a, args.ignore, &e) != 0))
		goto fail;

	memset(&ro, 0, sizeof ro);
	ro.min_severity = (enum audit_severity)args.min_severity;
	ro.fail_on = args.fail_on;
	ro.baseline = args.baseline;
	ro.ignore = args.ignore;
	ro.hashed = audit_has_hash(a);
	if (audit_report_new(&em.rep, args.format, &ro, &e) != 0 ||
	    audit_report_begin(em.rep, &em.out, &e) != 0 || flush_out(&em.out, &e) != 0)
		goto fail;

	/* A failed run still ends the report (JSON/SARIF say it did not complete). */
	rc = audit_run(a, s->store, on_finding, &em, &st, &run);
	if (audit_report_end(em.rep, &st, rc != 0 ? &run : NULL, &em.out, &e) != 0 ||
	    flush_out(&em.out, &e) != 0)
		goto fail;
	if (fflush(stdout) != 0) {
		err_set(&e, ERR_IO, "cannot write standard output");
		goto fail;
	}
	if (em.failed) {
		e = em.e;
		goto fail;
	}
	if (rc != 0) {
		e = run;
		goto fail;
	}
	rc = EXIT_OK;
	for (sev = args.fail_on; sev < AUDIT_SEV_COUNT; sev++)
		if (st.by_severity[sev] > 0)
			rc = EXIT_FAILED;
	audit_report_free(em.rep);
	audit_free(a);
	buf_release(&em.out);
	return rc;
fail:
	fflush(stdout);
	audit_report_free(em.rep);
	audit_free(a);
	buf_release(&em.out);
	return audit_error(&e);
}

const struct cli_cmd cmd_audit = {
	"audit", NULL,
	"[--format text|json|sarif] [--fail-on SEV] [--min-severity SEV] "
	"[--baseline FILE] [--ignore FILE]",
	"audit extras, stored values, transport and configuration for exposed secrets",
	audit_options, CLI_CMD_NO_OPERANDS, NULL, audit_cmd
};

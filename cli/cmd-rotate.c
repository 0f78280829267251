/*
 * cmd-rotate.c: `ferncon rotate-fernet-key [--dry-run] [--skip-undecryptable]`
 * and `ferncon encrypt-plaintext [--dry-run]`, on top of the lifecycle jobs
 * (lifecycle.h). Both are Admin-only and, like Airflow's command, never
 * prompt: the console is where a confirmation is asked.
 *
 * rotate-fernet-key runs a preflight first (counts per field and per key,
 * the rows no key opens) and refuses, naming those rows, unless
 * --skip-undecryptable; then it rotates everything in one transaction and
 * verifies after COMMIT that every value opens with the primary key alone.
 * encrypt-plaintext gives every flag-false password, extra and variable a
 * token from the primary key. Progress goes to stderr, only when it is a
 * terminal (at most 10 updates a second); a summary always goes to stdout.
 * Ctrl-C (or SIGTERM) cancels between pages and rolls back, and the command
 * exits 128 + the signal (130, 143); a second one
 * kills the process, which SQLite's journal also survives.
 *
 * Test hook (used by tests/crash_rotate.sh and crash_rotate_my.sh only):
 * when FERNCON_TEST_KILL_DURING_COMMIT is set to a number of microseconds,
 * a thread sends SIGKILL to the process that long after COMMIT has begun.
 * It can only make the process die; it changes nothing else.
 */
#include "config.h"

#include "cli.h"

#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lifecycle.h"

enum { OPT_DRY_RUN, OPT_SKIP_UNDECRYPTABLE };

/* encrypt-plaintext takes the first one only. */
static const struct cli_opt rotate_options[] = {
	{ "dry-run", 0, OPT_DRY_RUN, 0, NULL },
	{ "skip-undecryptable", 0, OPT_SKIP_UNDECRYPTABLE, 0, NULL },
	{ NULL, 0, 0, 0, NULL }
};
static const struct cli_opt encrypt_options[] = {
	{ "dry-run", 0, OPT_DRY_RUN, 0, NULL },
	{ NULL, 0, 0, 0, NULL }
};

/* The signal that asked the job to stop, or 0. */
static volatile sig_atomic_t interrupted;

/* -- signals ------------------------------------------------------------- */

static void
on_signal(int sig)
{
	if (interrupted) {
		/* A second Ctrl-C: die now (the journal keeps the DB as it was). */
		signal(sig, SIG_DFL);
		raise(sig);
		return;
	}
	interrupted = sig;
}

struct saved_signals {
	struct sigaction	 intr, term;
};

static void
signals_catch(struct saved_signals *sv)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	interrupted = 0;
	sigaction(SIGINT, &sa, &sv->intr);
	sigaction(SIGTERM, &sa, &sv->term);
}

static void
signals_restore(const struct saved_signals *sv)
{
	sigaction(SIGINT, &sv->intr, NULL);
	sigaction(SIGTERM, &sv->term, NULL);
}

/* -- progress on stderr -------------------------------------------------- */

struct show {
	int	tty;		/* stderr is a terminal */
	int	drawn;		/* a progress line is on screen */
};

/* The test hook: SIGKILL ourselves some microseconds into COMMIT. */
static void *
kill_later(void *arg)
{
	struct timespec ts;
	long us = (long)(intptr_t)arg;

	ts.tv_sec = us / 1000000;
	ts.tv_nsec = us % 1000000 * 1000;
	nanosleep(&ts, NULL);
	raise(SIGKILL);
	return NULL;
}

static void
test_hook_commit(void)
{
	const char *v = getenv("FERNCON_TEST_KILL_DURING_COMMIT");
	pthread_t t;
	long us;

	if (v == NULL || *v == '\0')
		return;
	us = strtol(v, NULL, 10);
	if (us < 0)
		us = 0;
	if (pthread_create(&t, NULL, kill_later, (void *)(intptr_t)us) == 0)
		pthread_detach(t);
}

static int
on_progress(const struct lifecycle_progress *p, void *arg)
{
	struct show *sh = arg;
	char line[160];

	if (p->phase == LIFECYCLE_COMMIT)
		test_hook_commit();
	if (!sh->tty)
		return 0;
	lifecycle_progress_format(p, line, sizeof line);
	fprintf(stderr, "\r\033[K%s", line);
	fflush(stderr);
	sh->drawn = 1;
	return 0;
}

static void
show_clear(struct show *sh)
{
	if (sh->drawn) {
		fprintf(stderr, "\r\033[K");
		fflush(stderr);
		sh->drawn = 0;
	}
}

/* -- shared set-up ------------------------------------------------------- */

/*
 * The session's job (role checked: Admin) with progress on stderr, and the
 * preflight and result records; refused when encryption is off ("cannot
 * <what>: encryption is off ...<hint>; nothing was changed"). 0, or -1 with
 * e set; *j, *pf and *res are the caller's to free either way.
 */
static int
open_job(struct session *s, const char *what, const char *nokey_hint,
    struct show *sh, struct session_job **j, struct lifecycle_preflight **pf,
    struct lifecycle_result **res, struct err *e)
{
	struct session_job_opts o;
	const char *w;

	*pf = calloc(1, sizeof **pf);
	*res = calloc(1, sizeof **res);
	if (*pf == NULL || *res == NULL) {
		err_nomem(e);
		return -1;
	}
	memset(&o, 0, sizeof o);
	sh->tty = isatty(STDERR_FILENO);
	o.progress = on_progress;
	o.progress_arg = sh;
	o.cancel = &interrupted;
	if (session_job_open(s, what, &o, j, e) != 0)
		return -1;
	if ((w = session_warning(s)) != NULL)
		cli_line(stderr, "ferncon: warning: %s", w);
	if (lifecycle_key_count((*j)->lc) == 0) {
		err_set(e, ERR_CONFIG, "cannot %s: encryption is off ([core] "
		    "fernet_key is empty)%s; nothing was changed", what,
		    nokey_hint);
		return -1;
	}
	return 0;
}

/* A log line that could not be written: the action stands; say so. */
static void
log_warning(const struct err *log_err)
{
	if (log_err->code != ERR_NONE)
		cli_line(stderr, "ferncon: warning: %s", log_err->msg);
}

static void
print_rows(const char *title, const struct lifecycle_row *rows, size_t n,
    size_t total)
{
	char what[400];
	size_t i;

	if (total == 0)
		return;
	printf("%s\n", title);
	for (i = 0; i < n; i++) {
		lifecycle_row_format(&rows[i], what, sizeof what);
		cli_line(stdout, "  %s", what);
	}
	if (total > n)
		printf("  ... and %zu more\n", total - n);
}

static void
print_preflight(struct session *s, const struct lifecycle_preflight *pf)
{
	size_t f, k;

	printf("preflight:   %s (%s), %zu key%s in [core] fernet_key\n",
	    store_name(s->store), store_backend(s->store), pf->nkeys,
	    pf->nkeys == 1 ? "" : "s");
	printf("%-20s %9s %9s %9s", "field", "rows", "empty", "plaintext");
	for (k = 0; k < pf->nkeys; k++)
		printf(" %8s%-2zu", "key ", k + 1);
	printf(" %9s\n", "no key");
	for (f = 0; f < STORE_FIELD_MAX; f++) {
		const struct lifecycle_stats *st = &pf->field[f];

		if (!pf->present[f]) {
			printf("%-20s %9s\n", store_field_name((enum store_field)f),
			    "(no table)");
			continue;
		}
		printf("%-20s %9zu %9zu %9zu", store_field_name((enum store_field)f),
		    st->rows, st->empty, st->plaintext);
		for (k = 0; k < pf->nkeys; k++)
			printf(" %10zu", st->per_key[k]);
		printf(" %9zu\n", st->undecryptable);
	}
	print_rows("values no key opens:", pf->bad, pf->nbad, pf->undecryptable);
	print_rows("trigger rows in plain JSON (from before Airflow 2.9), left "
	    "alone:", pf->legacy_rows, pf->nlegacy_rows, pf->legacy);
}

static void
print_changed(const char *verb, const struct lifecycle_result *r, size_t nf)
{
	size_t f;

	printf("%s %zu value%s in %.3f s (%zu rows read, %.0f rows/s; commit "
	    "%.3f s):", verb, r->total_changed, r->total_changed == 1 ? "" : "s",
	    r->seconds, r->rows, lifecycle_result_rate(r), r->commit_seconds);
	for (f = 0; f < nf; f++)
		printf("%s %s %zu", f ? "," : "", store_field_name((enum store_field)f),
		    r->changed[f]);
	printf("\n");
}

/*
 * Map a job's failure to an exit code, after the progress line: a job
 * stopped by a signal (rolled back: the message says nothing was changed)
 * exits as the shell expects of it, 128 + the signal (130 for Ctrl-C, 143
 * for SIGTERM).
 */
static int
job_error(struct show *sh, const struct err *e)
{
	int rc;

	show_clear(sh);
	fflush(stdout);
	rc = cli_error(e);
	return interrupted ? 128 + (int)interrupted : rc;
}

/* -- rotate-fernet-key --------------------------------------------------- */

/* The refusal when values no key opens were found (listed above it). */
static int
refuse_undecryptable(const struct lifecycle_preflight *pf)
{
	fflush(stdout);
	fprintf(stderr, "ferncon: refusing to rotate: %zu value%s open%s "
	    "with no key of [core] fernet_key (listed above); nothing was "
	    "changed. Find their key with 'ferncon key probe', re-type "
	    "them, or use --skip-undecryptable to leave them as they are\n",
	    pf->undecryptable, pf->undecryptable == 1 ? "" : "s",
	    pf->undecryptable == 1 ? "s" : "");
	return EXIT_FAILED;
}

static int
rotate(struct session *s, struct cli_args *a)
{
	struct lifecycle_preflight *pf = NULL;
	struct lifecycle_result *res = NULL;
	struct session_job *j = NULL;
	struct saved_signals sv;
	struct show sh = { 0, 0 };
	struct err e, log_err;
	int dry_run = a->opt[OPT_DRY_RUN] != NULL, rc,
	    skip = a->opt[OPT_SKIP_UNDECRYPTABLE] != NULL;

	err_clear(&e);
	if (open_job(s, "rotate the Fernet key", "", &sh, &j, &pf, &res,
	    &e) != 0) {
		rc = cli_error(&e);
		goto out;
	}
	if (!dry_run && store_readonly(s->store)) {
		err_set(&e, ERR_DENIED, "database '%s' is read-only for this user; "
		    "cannot rotate the Fernet key; nothing was changed",
		    store_name(s->store));
		rc = cli_error(&e);
		goto out;
	}
	signals_catch(&sv);
	if (dry_run) {
		rc = session_job_preflight(j, pf, &e);
		signals_restore(&sv);
		show_clear(&sh);
		if (rc != 0) {
			rc = job_error(&sh, &e);
			goto out;
		}
		print_preflight(s, pf);
		if (pf->undecryptable > 0 && !skip) {
			rc = refuse_undecryptable(pf);
			goto out;
		}
		printf("dry run: %zu value%s would be rotated to key 1%s; nothing "
		    "was changed\n", pf->tokens, pf->tokens == 1 ? "" : "s",
		    pf->undecryptable ? " (the values no key opens would be left "
		    "as they are)" : "");
		rc = fflush(stdout) == 0 ? EXIT_OK : EXIT_FAILED;
		goto out;
	}
	/* One pass checks and rotates; its preflight table is the pass's. */
	rc = session_job_rotate(j, skip ? LIFECYCLE_SKIP_UNDECRYPTABLE : 0, res,
	    &log_err, &e);
	signals_restore(&sv);
	show_clear(&sh);
	if (rc != 0 && !res->committed) {
		if (res->preflight.undecryptable > 0 && !skip &&
		    !res->cancelled) {
			print_preflight(s, &res->preflight);
			rc = refuse_undecryptable(&res->preflight);
			goto out;
		}
		rc = job_error(&sh, &e);
		goto out;
	}
	print_preflight(s, &res->preflight);
	log_warning(&log_err);
	print_changed("rotated", res, STORE_FIELD_MAX);
	print_rows("left as they are (no key opens them):", res->skipped_rows,
	    res->nskipped_rows, res->total_skipped);
	if (rc != 0) {
		fflush(stdout);
		fprintf(stderr, "ferncon: the rotation is committed, but the verify "
		    "pass failed: %s\n", e.msg);
		rc = EXIT_FAILED;
		goto out;
	}
	printf("verify:      %zu of %zu value%s open with key 1 alone",
	    res->verify.primary, res->verify.checked,
	    res->verify.checked == 1 ? "" : "s");
	if (res->verify.ok && res->verify.undecryptable > 0)
		printf("; the %zu left as they are still open with no key",
		    res->verify.undecryptable);
	printf(" (%.3f s)\n", res->verify.seconds);
	print_rows("changed since the rotation (written after the COMMIT by "
	    "another process; key 1 alone opens them):", res->verify.since_rows,
	    res->verify.nsince_rows, res->verify.since);
	fflush(stdout);
	if (!res->verify.ok) {
		print_rows("values not as this rotation wrote them that key 1 "
		    "does not open, or gone:", res->verify.rows,
		    res->verify.nrows, res->verify.bad);
		fflush(stdout);
		fprintf(stderr, "ferncon: verify failed: the database does not "
		    "hold the values this rotation wrote: since the COMMIT, %zu "
		    "value%s open only with another key (written by a process "
		    "with the old key list?), %zu with none, %zu gone\n",
		    res->verify.other, res->verify.other == 1 ? "" : "s",
		    res->verify.bad - res->verify.other - res->verify.missing,
		    res->verify.missing);
		rc = EXIT_FAILED;
		goto out;
	}
	rc = fflush(stdout) == 0 ? EXIT_OK : EXIT_FAILED;
out:
	session_job_free(j);
	free(pf);
	free(res);
	return rc;
}

/* -- encrypt-plaintext --------------------------------------------------- */

static int
encrypt_plaintext(struct session *s, struct cli_args *a)
{
	struct lifecycle_preflight *pf = NULL;
	struct lifecycle_result *res = NULL;
	struct session_job *j = NULL;
	struct saved_signals sv;
	struct show sh = { 0, 0 };
	struct err e, log_err;
	int dry_run = a->opt[OPT_DRY_RUN] != NULL, rc;

	err_clear(&e);
	if (open_job(s, "encrypt plaintext values", "; set a key first "
	    "(ferncon key generate)", &sh, &j, &pf, &res, &e) != 0) {
		rc = cli_error(&e);
		goto out;
	}
	if (dry_run) {
		rc = session_job_preflight(j, pf, &e);
		show_clear(&sh);
		if (rc != 0) {
			rc = job_error(&sh, &e);
			goto out;
		}
		printf("dry run: %zu plaintext value%s would be encrypted with key 1 "
		    "(connection.password %zu, connection.extra %zu, variable.val "
		    "%zu); nothing was changed\n", pf->plaintext,
		    pf->plaintext == 1 ? "" : "s",
		    pf->field[STORE_CONN_PASSWORD].plaintext,
		    pf->field[STORE_CONN_EXTRA].plaintext,
		    pf->field[STORE_VAR_VAL].plaintext);
		rc = fflush(stdout) == 0 ? EXIT_OK : EXIT_FAILED;
		goto out;
	}
	signals_catch(&sv);
	rc = session_job_encrypt(j, res, &log_err, &e);
	signals_restore(&sv);
	show_clear(&sh);
	if (rc != 0) {
		rc = job_error(&sh, &e);
		goto out;
	}
	log_warning(&log_err);
	print_changed("encrypted", res, STORE_VAR_VAL + 1);
	rc = fflush(stdout) == 0 ? EXIT_OK : EXIT_FAILED;
out:
	session_job_free(j);
	free(pf);
	free(res);
	return rc;
}

const struct cli_cmd cmd_rotate = {
	"rotate-fernet-key", NULL, "[--dry-run] [--skip-undecryptable]",
	"re-encrypt every secret under the first key of fernet_key (Admin)",
	rotate_options, CLI_CMD_NO_OPERANDS, NULL, rotate
};

const struct cli_cmd cmd_encrypt = {
	"encrypt-plaintext", NULL, "[--dry-run]",
	"encrypt the values stored in plain text with the first key (Admin)",
	encrypt_options, CLI_CMD_NO_OPERANDS, NULL, encrypt_plaintext
};

/*
 * cmd-key.c: `ferncon key generate`, `ferncon key status` and `ferncon key
 * probe`.
 *
 * generate prints a new key in the shape of Fernet.generate_key(). status
 * says where [core] fernet_key comes from (never the key itself), how many
 * keys the ring has, whether encryption is on, and what the DB holds: the
 * values each key opens with their oldest and newest token times, the
 * plaintext and undecryptable values, and the values whose token is older
 * than [console] rotation_max_age_days. probe (Admin) reads candidate keys,
 * one per line, from stdin or --from FILE (never argv) and says which of
 * them open the values no configured key opens.
 */
#include "config.h"

#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "airflow.h"
#include "lifecycle.h"


static int
key_generate(struct session *s, struct cli_args *a)
{
	char key[FERNET_KEY_B64LEN + 1];
	int rc;

	(void)s;
	(void)a;
	keyring_generate(key);
	printf("%s\n", key);
	rc = fflush(stdout) == 0 ? EXIT_OK : EXIT_FAILED;
	sodium_memzero(key, sizeof key);
	return rc;
}

static size_t
total_for_key(const struct lifecycle_preflight *pf, size_t k)
{
	size_t f, n = 0;

	for (f = 0; f < STORE_FIELD_MAX; f++)
		n += pf->field[f].per_key[k];
	return n;
}

static void
print_status(struct session *s, const struct lifecycle_preflight *pf,
    long max_age_days)
{
	const struct airflow_version *v = store_airflow_version(s->store);
	const struct lifecycle_stats *pw = &pf->field[STORE_CONN_PASSWORD],
	    *ex = &pf->field[STORE_CONN_EXTRA], *var = &pf->field[STORE_VAR_VAL],
	    *tr = &pf->field[STORE_TRIGGER_KWARGS];
	char old[32], new[32], ver[48] = "", why[200];
	size_t k, n;
	struct err e;

	if (v->major != 0)
		snprintf(ver, sizeof ver, ", Airflow %d.%d.%d", v->major,
		    v->minor, v->patch);
	err_clear(&e);
	cli_line(stdout, "database:    %s (%s%s%s)", store_name(s->store),
	    store_backend(s->store), ver,
	    store_readonly(s->store) ? ", read-only" : "");
	if (session_airflow_version(s, why, sizeof why, &e) == 0)
		cli_line(stdout, "airflow:     %s", why);
	printf("rows:        %zu connections", pw->rows);
	if (pf->present[STORE_VAR_VAL])
		printf(", %zu variables", var->rows);
	if (pf->present[STORE_TRIGGER_KWARGS])
		printf(", %zu triggers", tr->rows);
	printf("\n");
	for (k = 0; k < pf->nkeys; k++) {
		n = total_for_key(pf, k);
		printf("key %zu:       %zu values%s", k + 1, n,
		    k == 0 ? " (primary)" : "");
		if (n > 0) {
			airflow_format_time(pf->oldest[k], old, sizeof old);
			airflow_format_time(pf->newest[k], new, sizeof new);
			printf(", tokens from %s to %s", old, new);
		}
		/* Connections and variables apart (issue: Variables). */
		printf("; connections %zu, variables %zu\n",
		    pw->per_key[k] + ex->per_key[k], var->per_key[k]);
	}
	if (pf->nkeys > 1) {
		n = lifecycle_old_key_values(pf);
		printf("old keys:    %zu values only they open%s\n", n, n == 0 ?
		    " (the key list may be cut to key 1 alone)" : " (rotate "
		    "before dropping them)");
	}
	printf("plaintext:   %zu values (passwords %zu, extras %zu, variables "
	    "%zu)\n", pf->plaintext, pw->plaintext, ex->plaintext,
	    var->plaintext);
	if (pf->legacy > 0)
		printf("plain JSON:  %zu trigger rows (written before Airflow 2.9)\n",
		    pf->legacy);
	printf("undecryptable: %zu values (passwords %zu, extras %zu, variables "
	    "%zu", pf->undecryptable, pw->undecryptable, ex->undecryptable,
	    var->undecryptable);
	if (pf->present[STORE_TRIGGER_KWARGS])
		printf(", triggers %zu", tr->undecryptable);
	printf(")\n");
	if (max_age_days <= 0)
		return;
	printf("older than %ld days: %zu values ([console] rotation_max_age_days; "
	    "passwords %zu, extras %zu, variables %zu", max_age_days, pf->stale,
	    pw->stale, ex->stale, var->stale);
	if (pf->present[STORE_TRIGGER_KWARGS])
		printf(", triggers %zu", tr->stale);
	printf(")\n");
	if (pf->stale > 0)
		printf("             a token's time is when its value was last set; "
		    "a rotation keeps it, so re-type those secrets to renew them\n");
}

static int
key_status(struct session *s, struct cli_args *a)
{
	struct lifecycle_preflight *pf = NULL;
	struct lifecycle *lc = NULL;
	struct lifecycle_opts o;
	uint64_t stale_before = 0, now = (uint64_t)time(NULL);
	long days = 0;
	struct err e;
	size_t n, dup1, dup2;
	int rc;

	err_clear(&e);
	if (cli_keyring(s, NULL, &e) != 0)
		return cli_error(&e);
	n = keyring_count(s->keys->kr);
	cli_line(stdout, "config:      %s%s", config_path(s->keys->cfg),
	    config_file_found(s->keys->cfg) ? "" : " (not found: the environment and defaults)");
	cli_line(stdout, "fernet_key:  %s", s->keys->origin.value == NULL ?
	    "not set" : s->keys->origin.origin);
	if (n == 0) {
		printf("encryption:  off (values are stored in plain text)\n");
		printf("keys:        0\n");
	} else {
		printf("encryption:  on\n");
		printf("keys:        %zu (key 1 encrypts%s)\n", n,
		    n > 1 ? ", all decrypt" : "");
		if (keyring_duplicate(s->keys->kr, &dup1, &dup2))
			printf("warning:     key %zu is a duplicate of key %zu (the "
			    "same key listed twice in fernet_key)\n", dup2 + 1,
			    dup1 + 1);
		else if (keyring_shared_signing(s->keys->kr))
			printf("warning:     two keys share a signing half\n");
	}
	fflush(stdout);
	if (config_get_int(s->keys->cfg, "console", "rotation_max_age_days", 90,
	    &days, &e) != 0)
		return cli_error(&e);
	if (days > 0 && (uint64_t)days < now / 86400)
		stale_before = now - (uint64_t)days * 86400;
	memset(&o, 0, sizeof o);
	if ((pf = calloc(1, sizeof *pf)) == NULL) {
		err_nomem(&e);
		return cli_error(&e);
	}
	if (session_store(s, &e) != 0 ||
	    lifecycle_new(&lc, s->store, s->keys->origin.value ?
	    s->keys->origin.value : "", s->keys->origin.value ?
	    s->keys->origin.len : 0, &o, &e) != 0 ||
	    lifecycle_preflight(lc, stale_before, pf, &e) != 0) {
		rc = cli_error(&e);
		goto out;
	}
	print_status(s, pf, days);
	rc = fflush(stdout) == 0 ? EXIT_OK : EXIT_FAILED;
out:
	lifecycle_free(lc);
	free(pf);
	return rc;
}

/* -- key probe ----------------------------------------------------------- */

#define PROBE_MAX_INPUT	((size_t)1 << 20)	/* README, Limits */

static struct termios probe_saved_tty;

/* Ctrl-C while echo is off: give the terminal back, then die as asked. */
static void
probe_restore_tty(int sig)
{
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &probe_saved_tty);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Read candidate keys from stdin; on a terminal, without echo. */
static int
read_candidates_stdin(char **out, size_t *len, struct err *e)
{
	struct sigaction sa, old_int, old_term;
	struct termios quiet;
	int caught = 0, restore = 0, rc;

	if (isatty(STDIN_FILENO)) {
		fprintf(stderr, "candidate keys, one per line (not echoed); end "
		    "with Ctrl-D:\n");
		if (tcgetattr(STDIN_FILENO, &probe_saved_tty) == 0) {
			memset(&sa, 0, sizeof sa);
			sa.sa_handler = probe_restore_tty;
			sigemptyset(&sa.sa_mask);
			sigaction(SIGINT, &sa, &old_int);
			sigaction(SIGTERM, &sa, &old_term);
			caught = 1;
			quiet = probe_saved_tty;
			quiet.c_lflag &= ~(tcflag_t)ECHO;
			restore = tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
		}
	}
	rc = cli_read_stdin(out, len, PROBE_MAX_INPUT, e);
	if (restore)
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &probe_saved_tty);
	if (caught) {
		sigaction(SIGINT, &old_int, NULL);
		sigaction(SIGTERM, &old_term, NULL);
	}
	return rc;
}

static void
print_probe(const struct lifecycle_probe *pr)
{
	char what[400];
	size_t c, i, f;
	int first = 1;

	printf("checked:     %zu encrypted values\n", pr->checked);
	printf("no configured key opens: %zu value%s", pr->unopened,
	    pr->unopened == 1 ? "" : "s");
	for (f = 0; f < STORE_FIELD_MAX; f++) {
		if (pr->per_field[f] == 0)
			continue;
		printf("%s%s %zu", first ? " (" : ", ",
		    store_field_name((enum store_field)f), pr->per_field[f]);
		first = 0;
	}
	printf("%s\n", first ? "" : ")");
	if (pr->unopened == 0) {
		printf("nothing to probe: every value opens with a key of "
		    "fernet_key\n");
		return;
	}
	for (c = 0; c < pr->ncand; c++) {
		printf("candidate %zu (line %u): opens %zu value%s", c + 1,
		    pr->cand_line[c], pr->opened[c], pr->opened[c] == 1 ? "" : "s");
		if (pr->cand_in_ring[c] >= 0)
			printf(" (it is key %d of fernet_key already)",
			    pr->cand_in_ring[c] + 1);
		printf("\n");
	}
	printf("still unopened: %zu value%s\n", pr->still_unopened,
	    pr->still_unopened == 1 ? "" : "s");
	for (i = 0; i < pr->nrows; i++) {
		lifecycle_row_format(&pr->rows[i], what, sizeof what);
		if (pr->rows[i].key >= 0)
			cli_line(stdout, "  %s: candidate %d (line %u)", what,
			    pr->rows[i].key + 1, pr->cand_line[pr->rows[i].key]);
		else
			cli_line(stdout, "  %s: no candidate", what);
	}
	if (pr->unopened > pr->nrows)
		printf("  ... and %zu more\n", pr->unopened - pr->nrows);
	if (pr->still_unopened < pr->unopened)
		printf("next: append the key that opens them to [core] fernet_key "
		    "(new,old,found) in every Airflow component, restart them, "
		    "then run 'ferncon rotate-fernet-key' to move those values to "
		    "key 1\n");
	if (pr->still_unopened > 0)
		printf("next: re-type the values that no key opens (ferncon "
		    "connections add ... --conn-password-stdin, or the console), "
		    "or import them from an export\n");
}

enum { OPT_FROM };

static const struct cli_opt probe_options[] = {
	{ "from", 0, OPT_FROM, CLI_OPT_ARG, NULL },
	{ NULL, 0, 0, 0, NULL }
};

static int
key_probe(struct session *s, struct cli_args *a)
{
	struct lifecycle_probe *pr = NULL;
	struct session_job *j = NULL;
	const char *from = a->opt[OPT_FROM], *w;
	char *cands = NULL;
	size_t clen = 0, i;
	struct err e, log_err;
	int rc;

	err_clear(&e);
	if (a->argc != 0)
		return cli_usage_error(&cmd_key_probe, "unexpected argument: "
		    "candidate keys are read from stdin or --from FILE, never "
		    "from argv");
	if ((from != NULL && session_restricted(s, SESSION_GUARD_PROBE_FROM,
	    &e) != 0) || session_job_open(s, "probe keys", NULL, &j, &e) != 0)
		return cli_error(&e);
	if ((w = session_warning(s)) != NULL)
		cli_line(stderr, "ferncon: warning: %s", w);
	if ((from != NULL ? cli_read_file(from, "key file", PROBE_MAX_INPUT,
	    &cands, &clen, &e) : read_candidates_stdin(&cands, &clen, &e)) !=
	    0) {
		rc = cli_error(&e);
		goto out;
	}
	if ((pr = calloc(1, sizeof *pr)) == NULL) {
		err_nomem(&e);
		rc = cli_error(&e);
		goto out;
	}
	rc = session_job_probe(j, cands, clen, pr, &log_err, &e);
	for (i = 0; i < pr->nskipped && i < LIFECYCLE_MAX_CANDIDATES; i++)
		cli_line(stderr, "ferncon: warning: candidate key on line %u is "
		    "not a Fernet key (32 url-safe base64-encoded bytes); "
		    "skipped", pr->skipped_line[i]);
	if (pr->nskipped > LIFECYCLE_MAX_CANDIDATES)
		cli_line(stderr, "ferncon: warning: and %zu more lines skipped",
		    pr->nskipped - LIFECYCLE_MAX_CANDIDATES);
	if (rc != 0) {
		rc = cli_error(&e);
		goto out;
	}
	if (log_err.code != ERR_NONE)
		cli_line(stderr, "ferncon: warning: %s", log_err.msg);
	print_probe(pr);
	rc = fflush(stdout) == 0 && pr->still_unopened == 0 ? EXIT_OK :
	    EXIT_FAILED;
out:
	session_job_free(j);
	free(pr);
	if (cands != NULL)
		sodium_free(cands);
	return rc;
}

const struct cli_cmd cmd_key_generate = {
	"key", "generate", "",
	"print a new Fernet key (as Fernet.generate_key())",
	NULL, CLI_CMD_OPTS_FIRST | CLI_CMD_NO_OPERANDS, NULL, key_generate
};

const struct cli_cmd cmd_key_status = {
	"key", "status", "",
	"where fernet_key comes from, its keys, and the rows each key opens",
	NULL, CLI_CMD_OPTS_FIRST | CLI_CMD_NO_OPERANDS, NULL, key_status
};

const struct cli_cmd cmd_key_probe = {
	"key", "probe", "[--from FILE]",
	"which candidate keys (stdin or FILE) open the values no key opens (Admin)",
	probe_options, 0, " (candidate keys are read from stdin or --from FILE, "
	"never from argv)", key_probe
};

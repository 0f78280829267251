/*
 * help.c: `ferncon COMMAND --help` and `ferncon GROUP --help` (on stdout,
 * exit 0): the usage line, what the command does, its arguments and
 * options, an example and its exit codes; and, for a command that does not
 * exist, the nearest one ("did you mean", as git does, by edit distance).
 *
 * The texts are data, one entry per command, keyed by its words; a command
 * without an entry still gets its usage line, its option names from its
 * table and the common exit codes (tests/cli_help.sh asks every command
 * listed by `ferncon --help` for an example, so a new command needs one).
 */
#include "config.h"

#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct cmd_help {
	const char	*words;		/* "connections list", "audit" */
	const char	*args;		/* arguments and options, one per line */
	const char	*example;	/* one or more command lines */
	const char	*exits;		/* exit codes, or NULL: the common ones */
};

#define EXITS_COMMON \
	"  0 ok; 1 the thing asked for failed; 2 bad usage or configuration;\n" \
	"  3 a database error\n"
#define EXITS_JOB \
	"  0 done and verified; 1 refused (values no key opens) or verify\n" \
	"  failed; 2 bad usage or configuration; 3 a database error;\n" \
	"  130 / 143 stopped by Ctrl-C / SIGTERM (rolled back: nothing changed)\n"
#define KEYS_ARG \
	"  --keys K1,K2    use this key list instead of [core] fernet_key\n" \
	"                  (test vectors only: argv is visible to others)\n"

static const struct cmd_help helps[] = {
	{ "connections list",
	  "  -o, --output FORMAT  table (default), json, yaml or plain\n"
	  "  --reveal             show passwords and sensitive extra values\n"
	  "                       (the role must allow it; logged)\n",
	  "ferncon connections list -o json", NULL },
	{ "connections get",
	  "  ID                   the conn_id\n"
	  "  -o, --output FORMAT  table (default), json, yaml or plain\n"
	  "  --reveal             show the password and sensitive extra values\n",
	  "ferncon connections get postgres_default -o yaml", NULL },
	{ "connections add",
	  "  ID                        the new conn_id\n"
	  "  --conn-uri URI|-          the connection as an Airflow URI (-: stdin)\n"
	  "  --conn-json JSON|-        the connection as Airflow's JSON (-: stdin)\n"
	  "  --conn-type T             or field by field: type, then\n"
	  "  --conn-host H, --conn-login L, --conn-schema S, --conn-port P,\n"
	  "  --conn-extra JSON, --conn-description D\n"
	  "  --conn-password-stdin     read the password from stdin (never argv)\n",
	  "printf '%s' \"$PW\" | ferncon connections add db1 --conn-type postgres \\\n"
	  "      --conn-host db.example --conn-password-stdin", NULL },
	{ "connections delete",
	  "  ID                   the conn_id (a row no key opens can be deleted)\n",
	  "ferncon connections delete legacy_db", NULL },
	{ "connections export",
	  "  FILE|-                      a new file (mode 0600), or - for stdout\n"
	  "  --file-format json|yaml|env (also --format) the file's format\n"
	  "  --serialization-format json|uri  for env files\n"
	  "  --overwrite                 replace a regular file of your own\n",
	  "ferncon connections export conns.json",
	  "  0 ok; 1 rows no key opens were skipped (named); 2 bad usage;\n"
	  "  3 a database error\n" },
	{ "connections import",
	  "  FILE|-               an Airflow json, yaml or env file (-: json on stdin)\n"
	  "  --overwrite          replace connections that exist\n",
	  "ferncon connections import conns.json", NULL },
	{ "key generate", "  (no arguments)\n", "ferncon key generate", NULL },
	{ "key status", "  (no arguments)\n", "ferncon key status", NULL },
	{ "key probe",
	  "  --from FILE          read the candidate keys from FILE (default:\n"
	  "                       stdin, not echoed), one per line; a malformed\n"
	  "                       line is skipped with a warning naming it\n",
	  "ferncon key probe --from old-keys.txt",
	  "  0 a candidate opens values; 1 none does; 2 bad usage or\n"
	  "  configuration; 3 a database error\n" },
	{ "token inspect", KEYS_ARG "  (the token is read from stdin)\n",
	  "printf '%s' \"$TOKEN\" | ferncon token inspect", NULL },
	{ "token decrypt", KEYS_ARG "  (the token is read from stdin)\n",
	  "printf '%s' \"$TOKEN\" | ferncon token decrypt", NULL },
	{ "token encrypt", KEYS_ARG "  (the plaintext is read from stdin, verbatim)\n",
	  "printf '%s' 'new password' | ferncon token encrypt", NULL },
	{ "demo", "  DIR                  where to make it (default: a new private\n"
	  "                       directory under $TMPDIR)\n",
	  "ferncon demo /tmp/demo-home", NULL },
	{ "variables list",
	  "  -o, --output FORMAT  table (default), json, yaml or plain\n"
	  "  --reveal             show values unmasked (the role must allow it;\n"
	  "                       logged)\n",
	  "ferncon variables list -o json", NULL },
	{ "variables get",
	  "  KEY                  the variable's key\n"
	  "  --reveal             show the value unmasked (logged)\n"
	  "  -d, --default V      print V when the key does not exist\n"
	  "  -j, --json           print the value as Python's repr of its JSON\n",
	  "ferncon variables get environment", NULL },
	{ "variables set",
	  "  KEY                  the variable's key\n"
	  "  VALUE|-              the value (-: read it from stdin, never argv)\n"
	  "  --description D      its description\n"
	  "  -j, --json           store VALUE as JSON, as Airflow's --json\n",
	  "printf '%s' \"$TOKEN\" | ferncon variables set api_token -", NULL },
	{ "variables delete", "  KEY                  the variable's key\n",
	  "ferncon variables delete old_setting", NULL },
	{ "variables import",
	  "  FILE|-               an Airflow variables file: json; from Airflow\n"
	  "                       3.1 also .yaml, .yml, .env (-: json on stdin)\n"
	  "  -a, --action-on-existing-key overwrite|fail|skip\n",
	  "ferncon variables import vars.json -a skip", NULL },
	{ "variables export",
	  "  FILE|-               a new file (mode 0600), or - for stdout\n"
	  "  --overwrite          replace a regular file of your own\n",
	  "ferncon variables export vars.json", NULL },
	{ "whoami", "  (no arguments)\n", "ferncon whoami", NULL },
	{ "audit",
	  "  -f, --format F       text (default on a terminal), json or sarif\n"
	  "  --min-severity SEV   the least severe shown (default low; info\n"
	  "                       shows everything)\n"
	  "  --fail-on SEV        exit 1 when a finding is at least this severe\n"
	  "  --baseline FILE      leave out the findings of an earlier json run\n"
	  "  --ignore FILE        fingerprints to leave out, one per line\n",
	  "ferncon audit --format sarif --fail-on high > audit.sarif",
	  "  0 no finding at or above --fail-on; 1 such findings; 2 the audit\n"
	  "  could not complete\n" },
	{ "encrypt-plaintext",
	  "  --dry-run            count the plaintext values and change nothing\n",
	  "ferncon encrypt-plaintext --dry-run && ferncon encrypt-plaintext",
	  EXITS_JOB },
	{ "rotate-fernet-key",
	  "  --dry-run            the preflight only: change nothing\n"
	  "  --skip-undecryptable leave the values no key opens as they are\n",
	  "ferncon rotate-fernet-key --dry-run && ferncon rotate-fernet-key",
	  EXITS_JOB },
};

/* The entry for cmd's words, or NULL. */
static const struct cmd_help *
help_find(const struct cli_cmd *cmd)
{
	char words[64];
	size_t i;

	snprintf(words, sizeof words, "%s%s%s", cmd->noun, cmd->verb ? " " : "",
	    cmd->verb ? cmd->verb : "");
	for (i = 0; i < ARRAY_LEN(helps); i++)
		if (strcmp(helps[i].words, words) == 0)
			return &helps[i];
	return NULL;
}

void
cli_print_help(const struct cli_cmd *cmd, FILE *f)
{
	const struct cmd_help *h = help_find(cmd);
	const struct cli_opt *o;

	cli_print_usage(cmd, f);
	fprintf(f, "\n%s\n\narguments and options:\n", cmd->summary);
	if (h != NULL) {
		fputs(h->args, f);
	} else {
		for (o = cmd->opts; o != NULL && o->name != NULL; o++)
			fprintf(f, "  --%s%s\n", o->name,
			    (o->flags & CLI_OPT_ARG) ? " VALUE" : "");
	}
	fprintf(f, "  (and the global options: --config FILE, --airflow-home "
	    "DIR, --db URL,\n   --as-role ROLE; see ferncon --help)\n");
	if (h != NULL)
		fprintf(f, "\nexample:\n  %s\n", h->example);
	fprintf(f, "\nexit codes:\n%s", h != NULL && h->exits != NULL ?
	    h->exits : EXITS_COMMON);
}

void
cli_print_group_help(const struct cli_cmd *const *cmds, size_t n,
    const char *noun, FILE *f)
{
	const struct cmd_help *h = NULL;
	size_t i;

	fprintf(f, "usage: ferncon %s <command> [options]\n\ncommands:\n", noun);
	for (i = 0; i < n; i++) {
		if (strcmp(cmds[i]->noun, noun) != 0)
			continue;
		fprintf(f, "  %-9s %s\n", cmds[i]->verb ? cmds[i]->verb : "",
		    cmds[i]->summary);
		if (h == NULL)
			h = help_find(cmds[i]);
	}
	fprintf(f, "\n'ferncon %s <command> --help' shows a command's arguments "
	    "and options.\n", noun);
	if (h != NULL)
		fprintf(f, "\nexample:\n  %s\n", h->example);
	fprintf(f, "\nexit codes:\n%s", EXITS_COMMON);
}

/*
 * Levenshtein distance between a and b, at most 63 bytes each (longer
 * words are not compared: -1).
 */
static int
distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	int row[64], prev, tmp, best;

	if (la >= ARRAY_LEN(row) || lb >= ARRAY_LEN(row))
		return -1;
	for (j = 0; j <= lb; j++)
		row[j] = (int)j;
	for (i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = (int)i;
		for (j = 1; j <= lb; j++) {
			tmp = row[j];
			best = prev + (a[i - 1] != b[j - 1]);
			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			prev = tmp;
		}
	}
	return row[lb];
}

const char *
cli_suggest(const char *word, const char *const *names, size_t n)
{
	const char *best = NULL;
	int bd = 0, d, limit;
	size_t i;

	/* As git: close enough to be a slip, not a different word. */
	limit = strlen(word) <= 4 ? 1 : (int)strlen(word) / 3 + 1;
	for (i = 0; i < n; i++) {
		if (names[i] == NULL)
			continue;
		if (strncmp(names[i], word, strlen(word)) == 0 && *word != '\0' &&
		    strlen(word) >= 3)
			d = 0;	/* a prefix of the name: "conn" */
		else if ((d = distance(word, names[i])) < 0)
			continue;
		if (d <= limit && (best == NULL || d < bd)) {
			best = names[i];
			bd = d;
		}
	}
	return best;
}

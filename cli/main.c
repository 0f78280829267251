/*
 * main.c: ferncon's entry point. It hardens the process (no core dumps, not
 * ptrace-able by other users' processes), initialises libsodium, parses the
 * global options, finds the command in the table, parses the command's
 * options from its table and runs it.
 *
 *   ferncon [global options] NOUN [VERB] [options]
 *   ferncon [global options]            the console (ui/)
 */
#include "config.h"

#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#ifdef HAVE_SYS_PRCTL_H
#include <sys/prctl.h>
#endif

#include "core.h"

static const struct cli_cmd *const commands[] = {
	&cmd_key_generate,
	&cmd_key_status,
	&cmd_key_probe,
	&cmd_token_inspect,
	&cmd_token_decrypt,
	&cmd_token_encrypt,
	&cmd_conn_list,
	&cmd_conn_get,
	&cmd_conn_add,
	&cmd_conn_delete,
	&cmd_conn_export,
	&cmd_conn_import,
	&cmd_var_list,
	&cmd_var_get,
	&cmd_var_set,
	&cmd_var_delete,
	&cmd_var_import,
	&cmd_var_export,
	&cmd_demo,
	&cmd_whoami,
	&cmd_audit,
	&cmd_encrypt,
	&cmd_rotate,
};

static const struct option main_options[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	CLI_GLOBAL_OPTIONS,
	{ NULL, 0, NULL, 0 }
};

static void
usage(FILE *f)
{
	size_t i;

	fprintf(f,
	    "usage: ferncon [global options] <command> [options]\n"
	    "       ferncon [global options]      (the console)\n"
	    "\n"
	    "A console for the secrets in Apache Airflow's metadata database.\n"
	    "\n"
	    "commands:\n");
	for (i = 0; i < ARRAY_LEN(commands); i++) {
		char words[64];

		snprintf(words, sizeof words, "%s %s", commands[i]->noun,
		    commands[i]->verb ? commands[i]->verb : "");
		fprintf(f, "  %-18s %s\n", words, commands[i]->summary);
	}
	fprintf(f,
	    "\n"
	    "global options:\n"
	    "  --config FILE        airflow.cfg to read (default $AIRFLOW_CONFIG,\n"
	    "                       else $AIRFLOW_HOME/airflow.cfg)\n"
	    "  --airflow-home DIR   AIRFLOW_HOME (default $AIRFLOW_HOME, else ~/airflow)\n"
	    "  --db URL             metadata DB URL (default [database] sql_alchemy_conn)\n"
	    "  --airflow-version X.Y.Z  the exact Airflow release (default\n"
	    "                       [console] airflow_version, else the DB's head)\n"
	    "  --as-role ROLE       act with a lower role for this run\n"
	    "  --login NAME         the person, in an SSH forced command only\n"
	    "                       (authorized_keys command=; see ferncon(1) SECURITY)\n"
	    "  --no-color           no colours in the console (also NO_COLOR)\n"
	    "  --version            print the version\n"
	    "  --help               this help; 'ferncon COMMAND --help' for one command\n"
	    "\n"
	    "Secrets are never taken from argv: tokens, plaintexts and candidate\n"
	    "keys are read from standard input. See ferncon(1).\n");
}

/* No core dumps, and no ptrace attach by same-uid processes, where possible. */
static void
harden(void)
{
	struct rlimit rl = { 0, 0 };

	(void)setrlimit(RLIMIT_CORE, &rl);
#if defined(HAVE_SYS_PRCTL_H) && defined(PR_SET_DUMPABLE)
	(void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
#endif
}

static const struct cli_cmd *
find_command(int argc, char **argv, int *used)
{
	size_t i;
	int noun_known = 0;

	for (i = 0; i < ARRAY_LEN(commands); i++) {
		const struct cli_cmd *c = commands[i];

		if (strcmp(c->noun, argv[0]) != 0)
			continue;
		noun_known = 1;
		if (c->verb == NULL) {
			*used = 1;
			return c;
		}
		if (argc > 1 && strcmp(c->verb, argv[1]) == 0) {
			*used = 2;
			return c;
		}
	}
	*used = noun_known ? -1 : 0;
	return NULL;
}

/* The nearest command to what was typed ("did you mean"), or NULL. */
static const char *
nearest(const char *noun, const char *verb)
{
	const char *names[ARRAY_LEN(commands)];
	char typed[128];
	static char words[ARRAY_LEN(commands)][64];
	size_t i, n = 0;

	for (i = 0; i < ARRAY_LEN(commands); i++) {
		const struct cli_cmd *c = commands[i];

		if (verb != NULL && c->verb != NULL) {
			snprintf(words[n], sizeof words[n], "%s %s", c->noun,
			    c->verb);
		} else if (verb == NULL) {
			snprintf(words[n], sizeof words[n], "%s", c->noun);
		} else {
			continue;
		}
		names[n] = words[n];
		n++;
	}
	snprintf(typed, sizeof typed, "%s%s%s", noun, verb ? " " : "",
	    verb ? verb : "");
	return cli_suggest(typed, names, n);
}

static int
noun_usage(const char *noun, const char *verb)
{
	const char *near;
	size_t i;

	if (verb != NULL && strncmp(verb, "-", 1) != 0) {
		near = nearest(noun, verb);
		cli_line(stderr, "ferncon: unknown command '%s %s'%s%s%s", noun,
		    verb, near ? "; did you mean '" : "", near ? near : "",
		    near ? "'?" : "");
	}
	cli_line(stderr, "ferncon: '%s' needs one of:", noun);
	for (i = 0; i < ARRAY_LEN(commands); i++)
		if (strcmp(commands[i]->noun, noun) == 0)
			fprintf(stderr, "  ferncon %s %s %s\n", noun,
			    commands[i]->verb, commands[i]->usage);
	return EXIT_USAGE;
}

static int
wants_help(int argc, char **argv)
{
	int i;

	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			return 0;
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return 1;
	}
	return 0;
}

/* What the session still has to say (memory that could not be locked). */
static void
show_warnings(struct session *s)
{
	const char *w;

	while ((w = session_warning(s)) != NULL)
		fprintf(stderr, "ferncon: warning: %s\n", w);
}

/*
 * The global options, then the console or one command, on s; the exit
 * code. Every way out returns here, so that main() releases once.
 */
static int
dispatch(struct session *s, struct cli_args *args, int argc, char **argv)
{
	struct err e;
	const struct cli_cmd *cmd;
	int c, used, rc;

	err_clear(&e);
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+hV", main_options, NULL)) != -1) {
		switch (c) {
		case 'h':
			usage(stdout);
			return EXIT_OK;
		case 'V':
			printf("ferncon %s\n", PACKAGE_VERSION);
			return EXIT_OK;
		default:
			if ((rc = cli_global_option(s, args, c, optarg)) < 0)
				return EXIT_USAGE;
			if (rc == 0) {
				cli_line(stderr, "ferncon: unknown option '%s'",
				    argv[optind - 1]);
				usage(stderr);
				return EXIT_USAGE;
			}
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0) {
		/* No command: the console (doc/design.md section 5). */
		if (session_identity(s, &e) != 0)
			return cli_error(&e);
		/* The console asks in its own field (ui/login.c). */
		return cli_console(s, args->no_color);
	}
	if ((cmd = find_command(argc, argv, &used)) == NULL) {
		const char *near;

		if (used < 0 && wants_help(argc, argv)) {
			cli_print_group_help(commands, ARRAY_LEN(commands), argv[0],
			    stdout);
			return EXIT_OK;
		}
		if (used < 0)
			return noun_usage(argv[0], argc > 1 ? argv[1] : NULL);
		near = nearest(argv[0], NULL);
		cli_line(stderr, "ferncon: unknown command '%s'%s%s%s", argv[0],
		    near ? "; did you mean '" : "", near ? near : "",
		    near ? "'?" : "");
		usage(stderr);
		return EXIT_USAGE;
	}
	/* The command sees its own words as argv[0], as getopt expects. */
	argc -= used - 1;
	argv += used - 1;
	if (wants_help(argc, argv)) {
		cli_print_help(cmd, stdout);
		return EXIT_OK;
	}
	/*
	 * Its options are parsed here, once, from its table (cli.h). Who
	 * acts, before the command reads anything: restricted mode refuses
	 * options and replaces the environment (session_identity()).
	 */
	if ((rc = cli_parse(cmd, s, argc, argv, args)) != 0)
		return rc;
	if (session_identity(s, &e) != 0)
		return cli_error(&e);
	if ((rc = cli_airflow_login(s)) != 0)
		return rc;
	return cmd->exec(s, args);
}

int
main(int argc, char **argv)
{
	struct session *s = NULL;
	struct cli_args args;
	struct err e;
	int rc;

	harden();
	err_clear(&e);
	if (core_init(&e) != 0 || session_new(&s, &e) != 0)
		return cli_error(&e);
	memset(&args, 0, sizeof args);
	if (getenv("NO_COLOR") != NULL && *getenv("NO_COLOR") != '\0')
		args.no_color = 1;
	rc = dispatch(s, &args, argc, argv);
	cli_args_release(&args);
	show_warnings(s);
	session_free(s);
	core_thread_cleanup();
	return rc;
}

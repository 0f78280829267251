/*
 * cli.h: the non-interactive commands of ferncon, and what they share.
 *
 * main.c parses the global options and finds the command in its table; each
 * command lives in its own file (cmd-<noun>.c) as a `struct cli_cmd`: its
 * words, its options as data (struct cli_opt, as tmux's cmd_entry.args),
 * and an exec function that returns the process exit code. main.c parses
 * the command's options once (cli_parse()) and exec only reads them and
 * the operands. Commands print results on stdout and one-line errors on
 * stderr ("ferncon: ..."), git style; the core below them never prints.
 */
#ifndef FERNCON_CLI_H
#define FERNCON_CLI_H

#include <getopt.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#include "compiler.h"
#include "err.h"
#include "session.h"

/* Exit codes (doc/design.md section 5). */
#define EXIT_OK		0
#define EXIT_FAILED	1	/* the thing asked for failed or was found */
#define EXIT_USAGE	2	/* bad usage or configuration */
#define EXIT_DB		3	/* a DB error */

struct cli_cmd;

/* How many distinct options (ids) a command may have. */
#define CLI_MAX_OPTS 16

/* cli_opt.flags */
#define CLI_OPT_ARG	(1 << 0)	/* takes a value (--name VALUE, -l VALUE) */
#define CLI_OPT_SECRET	(1 << 1)	/* the value is a secret: copied into locked
					   memory and wiped from argv at once */

/*
 * One option of a command, besides the global ones that every command
 * takes. A command's table ends with an entry whose name is NULL.
 */
struct cli_opt {
	const char	*name;		/* long name, without "--" */
	int		 letter;	/* short form (-o), or 0 */
	int		 id;		/* where the value goes in cli_args.opt[];
					   aliases share one */
	int		 flags;		/* CLI_OPT_* */
	/*
	 * Check the value as it is parsed, in command-line order: 0, or the
	 * exit code after printing a usage error (cli_usage_error()). NULL:
	 * any value.
	 */
	int		(*check)(const struct cli_cmd *cmd, const char *arg);
};

/* cli_cmd.flags */
#define CLI_CMD_OPTS_FIRST (1 << 0)	/* options only before the first operand */
#define CLI_CMD_NO_OPERANDS (1 << 1)	/* none: "unexpected argument 'X'" */

/* A command's parsed command line, for its exec function. */
struct cli_args {
	/*
	 * By option id: the last value given ("" for an option without a
	 * value), or NULL when the option was not given. A CLI_OPT_SECRET value
	 * is in locked memory, owned here, wiped by cli_args_release().
	 */
	const char	*opt[CLI_MAX_OPTS];
	char		*locked[CLI_MAX_OPTS];
	int		 argc;		/* the operands after the options */
	char		**argv;
	int		 no_color;	/* --no-color, or NO_COLOR set */
};

struct cli_cmd {
	const char	*noun;		/* "key", "token", ... */
	const char	*verb;		/* "generate", ... or NULL for a one-word command */
	const char	*usage;		/* arguments after the command words */
	const char	*summary;	/* one line for --help */
	const struct cli_opt *opts;	/* its own options; NULL: none */
	int		 flags;		/* CLI_CMD_* */
	const char	*unknown_hint;	/* said after "unknown option 'X'"; or NULL */
	int		(*exec)(struct session *s, struct cli_args *a);
};

/* The command tables, one per file. */
extern const struct cli_cmd cmd_key_generate, cmd_key_status;
extern const struct cli_cmd cmd_token_inspect, cmd_token_decrypt,
    cmd_token_encrypt;
extern const struct cli_cmd cmd_conn_list, cmd_conn_get, cmd_conn_add,
    cmd_conn_delete, cmd_conn_export, cmd_conn_import;
extern const struct cli_cmd cmd_var_list, cmd_var_get, cmd_var_set,
    cmd_var_delete, cmd_var_import, cmd_var_export;
extern const struct cli_cmd cmd_demo, cmd_whoami;
extern const struct cli_cmd cmd_audit;
extern const struct cli_cmd cmd_rotate, cmd_encrypt, cmd_key_probe;

/* -- global options ------------------------------------------------------ */

/*
 * Long options every command accepts, and the handler for them: the
 * session's options, and --no-color (a->no_color), which only the console
 * reads. The handler returns 1 if it took the option, 0 if c is not a
 * global option, -1 after printing a usage error (an --as-role that names
 * no role).
 */
#define CLI_OPT_BASE 1000
#define CLI_GLOBAL_OPTIONS \
	{ "config", required_argument, NULL, CLI_OPT_BASE + 0 }, \
	{ "airflow-home", required_argument, NULL, CLI_OPT_BASE + 1 }, \
	{ "db", required_argument, NULL, CLI_OPT_BASE + 2 }, \
	{ "as-role", required_argument, NULL, CLI_OPT_BASE + 3 }, \
	{ "no-color", no_argument, NULL, CLI_OPT_BASE + 4 }, \
	{ "login", required_argument, NULL, CLI_OPT_BASE + 5 }, \
	{ "airflow-version", required_argument, NULL, CLI_OPT_BASE + 6 }
int cli_global_option(struct session *s, struct cli_args *a, int c,
    const char *arg);

/*
 * Parse a command's options (its table and the global ones) from argv
 * (argv[0] is the command's last word, as getopt expects) into a, which
 * must be zeroed or hold the global options parsed before the command.
 * Returns 0, or the exit code after printing the error: "unknown option
 * 'X'" (plus cmd->unknown_hint) and the usage line, an option's check, or
 * "unexpected argument 'X'" for CLI_CMD_NO_OPERANDS.
 * Release a with cli_args_release() either way.
 */
int cli_parse(const struct cli_cmd *cmd, struct session *s, int argc,
    char **argv, struct cli_args *a);

/* Wipe and free the locked values. */
void cli_args_release(struct cli_args *a);

/* -- shared services ----------------------------------------------------- */

/*
 * session_keyring(), and the warning it may leave printed on stderr
 * ("ferncon: warning: ..."). 0, or -1 with e set.
 */
int cli_keyring(struct session *s, const char *keys_arg, struct err *e) ATTR_WUR;

/*
 * Everything a command on rows needs, loaded: configuration, role, key
 * ring (its warning printed, as cli_keyring()), store and mask
 * (session_load_rows()). 0, or -1 with e set.
 */
int cli_open_rows(struct session *s, struct err *e) ATTR_WUR;

/* The formats of -o for `connections list|get` and `variables list`. */
enum cli_format { CLI_FMT_TABLE, CLI_FMT_JSON, CLI_FMT_YAML, CLI_FMT_PLAIN };

/*
 * -o ARG: "table", "json", "yaml" or "plain" in *f; anything else is a
 * usage error of cmd that names the four (cli_usage_error()'s code).
 */
int cli_parse_format(const struct cli_cmd *cmd, const char *arg,
    enum cli_format *f);

/* cli_parse_format() as the check of an option (struct cli_opt). */
int cli_check_format(const struct cli_cmd *cmd, const char *arg);

/*
 * Run the console on s (ui_run()) and print what ended it: "ferncon:
 * <message>" for an error. Returns the process exit code: 0, err's code
 * for an error, 128 + the signal for SIGTERM and SIGHUP.
 */
int cli_console(struct session *s, int no_color);

/*
 * `[console] airflow_login = password`: ask for the person's Airflow
 * password, hidden, on the terminal (else read a line of standard input),
 * up to SESSION_LOGIN_TRIES times (session_airflow_login() checks and logs
 * each). 0 when none is needed or it was accepted, else the exit code
 * after the error was shown.
 */
int cli_airflow_login(struct session *s);

/*
 * Print "ferncon: <message>" on stderr, made terminal-safe as cli_line()
 * does; returns the exit code for e.
 */
int cli_error(const struct err *e);

/*
 * Print "ferncon: <message>" (terminal-safe) and a usage hint; returns
 * EXIT_USAGE.
 */
int cli_usage_error(const struct cli_cmd *cmd, const char *fmt, ...)
    ATTR_PRINTF(2, 3);

/* Print a command's usage line ("usage: ferncon key status ..."). */
void cli_print_usage(const struct cli_cmd *cmd, FILE *f);

/*
 * help.c: a command's --help (usage, summary, arguments and options, an
 * example, exit codes); a group's (`ferncon key --help`: the n commands
 * of cmds whose noun is noun); and the name of names nearest to word (a
 * slip of a few letters, or word a prefix of it), or NULL.
 */
void cli_print_help(const struct cli_cmd *cmd, FILE *f);
void cli_print_group_help(const struct cli_cmd *const *cmds, size_t n,
    const char *noun, FILE *f);
const char *cli_suggest(const char *word, const char *const *names,
    size_t n);

/*
 * Read all of stdin into a sodium_malloc buffer (NUL-terminated; *len
 * excludes the NUL), refusing more than max bytes (CLI_MAX_STDIN for a
 * value; README, Limits). Caller frees with sodium_free(), which wipes.
 */
int cli_read_stdin(char **out, size_t *len, size_t max, struct err *e)
    ATTR_WUR;

#define CLI_MAX_STDIN	((size_t)64 << 20)

/*
 * The same for a file named on the command line (buf_read_file(): a
 * regular file of at most max bytes; what names it in messages).
 */
int cli_read_file(const char *path, const char *what, size_t max,
    char **out, size_t *len, struct err *e) ATTR_WUR;

/*
 * Print one line of text on f: fmt formatted, then made terminal-safe as
 * a whole with termsafe_add() (a control, bidi or bad byte in it, from a
 * conn_id, a path or an error message, becomes a visible escape; an
 * embedded newline too, so one call is one line), then a newline. Every
 * line of text output that may hold data goes through here; tables use
 * termsafe_cell() per field.
 */
void cli_line(FILE *f, const char *fmt, ...) ATTR_PRINTF(2, 3);

/* Write len bytes to stdout; 0, or -1 with e set. */
int cli_write(const void *p, size_t len, struct err *e) ATTR_WUR;

/*
 * Run an export use case (session_conn_export(), session_var_export()) on
 * x, with SIGINT, SIGTERM and SIGHUP removing the temporary file of a
 * half-written export (outfile_signal_cleanup()), then print what came of
 * it: the stale temporary files removed, an error, or the line of
 * Airflow's print_export_output() (airflow/cli/utils.py lines 47-51 at
 * apache/airflow commit c873bd5) with noun
 * ("Connections", "Variables": "N <noun> successfully exported to FILE."
 * on stdout, or on stderr after an empty line for "-"), and how many rows
 * (what: "connection", "variable") no key opens. Returns the exit code:
 * EXIT_FAILED when rows were left out.
 */
int cli_export(struct session *s, struct session_export *x,
    int (*run)(struct session *, struct session_export *, struct err *),
    const char *noun, const char *what);

/*
 * Print v as json.dumps(v, indent=4) with every line indented by indent
 * more spaces (a list item of -o json). 0, or -1 with e set.
 */
int cli_print_json(const cJSON *v, int indent, struct err *e) ATTR_WUR;

/* "plain", "encrypted", "undecryptable" or "empty", for list output. */
const char *cli_state_name(enum conn_secret_state s);

#endif

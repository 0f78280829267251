/*
 * cli.h: the non-interactive commands of ferncon, and what they share.
 *
 * main.c parses the global options and finds the command in its table; each
 * command lives in its own file (cmd-<noun>.c) as a `struct cli_cmd` with an
 * exec function that returns the process exit code. Commands print results
 * on stdout and one-line errors on stderr ("ferncon: ..."), git style; the
 * core below them never prints.
 */
#ifndef FERNCON_CLI_H
#define FERNCON_CLI_H

#include <getopt.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "compiler.h"
#include "err.h"
#include "session.h"

/* Exit codes (DESIGN.md section 5). */
#define EXIT_OK		0
#define EXIT_FAILED	1	/* the thing asked for failed or was found */
#define EXIT_USAGE	2	/* bad usage or configuration */
#define EXIT_DB		3	/* a DB error */

struct cli_cmd {
	const char	*noun;		/* "key", "token", ... */
	const char	*verb;		/* "generate", ... or NULL for a one-word command */
	const char	*usage;		/* arguments after the command words */
	const char	*summary;	/* one line for --help */
	int		(*exec)(struct session *s, int argc, char **argv);
};

/* The command tables, one per file. */
extern const struct cli_cmd cmd_key_generate, cmd_key_status;
extern const struct cli_cmd cmd_token_inspect, cmd_token_decrypt,
    cmd_token_encrypt;
extern const struct cli_cmd cmd_conn_list, cmd_conn_get, cmd_conn_add,
    cmd_conn_delete, cmd_conn_export, cmd_conn_import;
extern const struct cli_cmd cmd_demo;
extern const struct cli_cmd cmd_audit;
extern const struct cli_cmd cmd_rotate, cmd_encrypt, cmd_key_probe;

/* -- global options ------------------------------------------------------ */

/*
 * Long options every command accepts, to put at the end of a command's own
 * option table (before the zero entry), and the handler for them: the
 * session's options, and --no-color (cli_no_color), which only the console
 * reads. The handler returns 1 if it took the option, 0 if c is not a
 * global option.
 */
#define CLI_OPT_BASE 1000
#define CLI_GLOBAL_OPTIONS \
	{ "config", required_argument, NULL, CLI_OPT_BASE + 0 }, \
	{ "airflow-home", required_argument, NULL, CLI_OPT_BASE + 1 }, \
	{ "db", required_argument, NULL, CLI_OPT_BASE + 2 }, \
	{ "as-role", required_argument, NULL, CLI_OPT_BASE + 3 }, \
	{ "no-color", no_argument, NULL, CLI_OPT_BASE + 4 }
int cli_global_option(struct session *s, int c, const char *arg);

/* --no-color was given, or NO_COLOR is set. */
extern int cli_no_color;

/* -- shared services ----------------------------------------------------- */

/*
 * session_keyring(), and the warning it may leave printed on stderr
 * ("ferncon: warning: ..."). 0, or -1 with e set.
 */
int cli_keyring(struct session *s, const char *keys_arg, struct err *e) ATTR_WUR;

/*
 * Run the console on s (ui_run()) and print what ended it: "ferncon:
 * <message>" for an error. Returns the process exit code: 0, err's code
 * for an error, 128 + the signal for SIGTERM and SIGHUP.
 */
int cli_console(struct session *s);

/* Print "ferncon: <message>" on stderr; returns the exit code for e. */
int cli_error(const struct err *e);

/* Print "ferncon: <message>" and a usage hint; returns EXIT_USAGE. */
int cli_usage_error(const struct cli_cmd *cmd, const char *fmt, ...)
    ATTR_PRINTF(2, 3);

/* Print a command's usage line ("usage: ferncon key status ..."). */
void cli_print_usage(const struct cli_cmd *cmd, FILE *f);

/*
 * Read all of stdin into a sodium_malloc buffer (NUL-terminated; *len
 * excludes the NUL). Caller frees with sodium_free(), which wipes.
 */
int cli_read_stdin(char **out, size_t *len, struct err *e) ATTR_WUR;

/* Write len bytes to stdout; 0, or -1 with e set. */
int cli_write(const void *p, size_t len, struct err *e) ATTR_WUR;

#endif

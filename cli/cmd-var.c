/*
 * cmd-var.c: `ferncon variables list|get|set|delete|import|export`, after
 * Airflow's `airflow variables` commands (airflow/cli/commands/
 * variable_command.py; doc/airflow-compat.md section 5, "Variables"): the
 * same options, the same lines on stdout and the same export file, with
 * ferncon's differences, as for connections:
 *
 * - values are masked for display (session_var_display()) unless --reveal
 *   is given and the role allows it (the reveal is logged);
 * - list shows each key with its storage state and shown value, and a
 *   value that no key opens is listed as "undecryptable" instead of
 *   failing the command; get names it instead of "does not exist";
 * - set reads the value from stdin with "-", so it need not be in argv;
 * - import is one transaction (all or nothing);
 * - export leaves out a value no key opens (Airflow writes null) and says
 *   so, and writes a new file only (--overwrite to replace one of ours);
 * - every line that shows data is terminal-safe (cli_line(), termsafe).
 *
 * The rules are the core's (src/session_var.c); this file parses, calls
 * and prints.
 */
#include "config.h"

#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <sodium.h>

#include "buf.h"
#include "pyjson.h"
#include "utf8.h"
#include "termsafe.h"
#include "transfer.h"

/* Option ids (struct cli_opt), per command. */
enum { OPT_OUTPUT, OPT_REVEAL };
enum { OPT_GET_REVEAL, OPT_DEFAULT, OPT_GET_JSON };
enum { OPT_DESCRIPTION, OPT_SET_JSON };
enum { OPT_EXISTING };
enum { OPT_OVERWRITE };

/* -- list ---------------------------------------------------------------- */

static const struct cli_opt list_options[] = {
	{ "output", 'o', OPT_OUTPUT, CLI_OPT_ARG, cli_check_format },
	{ "reveal", 0, OPT_REVEAL, 0, NULL },
	{ NULL, 0, 0, 0, NULL }
};

/*
 * Append a table cell of w columns to b, terminal-safe, cut with '~'; w
 * 0: a plain field, whole. Then after.
 */
static void
cell(struct buf *b, const char *s, size_t len, int w, char after)
{
	if (w > 0)
		(void)termsafe_cell(b, s, len, w, TERMSAFE_QUOTE);
	else
		termsafe_add(b, s, len, TERMSAFE_QUOTE);
	buf_addc(b, after);
}

/* One variable as -o json and yaml show it. */
static cJSON *
var_json(const struct session_var *v, const struct buf *shown, int masked)
{
	cJSON *o = cJSON_CreateObject();

	if (o == NULL)
		return NULL;
	if (cJSON_AddStringToObject(o, "key", v->key) == NULL ||
	    (v->val != NULL ?
	    cJSON_AddStringToObject(o, "val", buf_str(shown)) :
	    cJSON_AddNullToObject(o, "val")) == NULL ||
	    (v->description != NULL ?
	    cJSON_AddStringToObject(o, "description", v->description) :
	    cJSON_AddNullToObject(o, "description")) == NULL ||
	    cJSON_AddBoolToObject(o, "is_encrypted", v->is_encrypted) == NULL ||
	    cJSON_AddStringToObject(o, "state", cli_state_name(v->info.state)) ==
	    NULL ||
	    cJSON_AddBoolToObject(o, "masked", masked) == NULL) {
		pyjson_free(o);
		return NULL;
	}
	return o;
}

struct lister {
	enum cli_format		 fmt;
	int			 reveal;
	size_t			 n;
	struct transfer_writer	*yw;
	struct buf		 shown;	/* reused from row to row (locked) */
	struct buf		 line;	/* a table or plain line (locked) */
};

static int
list_row(struct session *s, struct lister *l, const struct session_var *v,
    struct err *e)
{
	struct buf *shown = &l->shown;
	int masked = 0, rc = -1;
	cJSON *o = NULL;

	buf_reset(shown);
	if (session_var_display(s, v, l->reveal, shown, &masked, e) != 0)
		goto out;
	if (l->n == 0 && l->fmt == CLI_FMT_TABLE)
		printf("%-32s %-13s %s\n", "key", "state", "val");
	else if (l->n == 0 && l->fmt == CLI_FMT_JSON)
		printf("[");
	else if (l->n == 0 && l->fmt == CLI_FMT_YAML &&
	    transfer_yaml_new(&l->yw, stdout, 1, e) != 0)
		goto out;
	switch (l->fmt) {
	case CLI_FMT_TABLE:
	case CLI_FMT_PLAIN:
		buf_reset(&l->line);
		cell(&l->line, v->key, strlen(v->key), l->fmt == CLI_FMT_TABLE ? 32 : 0,
		    l->fmt == CLI_FMT_TABLE ? ' ' : '\t');
		cell(&l->line, cli_state_name(v->info.state),
		    strlen(cli_state_name(v->info.state)),
		    l->fmt == CLI_FMT_TABLE ? 13 : 0, l->fmt == CLI_FMT_TABLE ? ' ' : '\t');
		cell(&l->line, buf_str(shown), shown->len,
		    l->fmt == CLI_FMT_TABLE ? 60 : 0, '\n');
		if (buf_check(&l->line, e) != 0)
			goto out;
		fputs(buf_str(&l->line), stdout);
		break;
	default:
		if ((o = var_json(v, shown, masked)) == NULL) {
			err_nomem(e);
			goto out;
		}
		if (l->fmt == CLI_FMT_YAML) {
			if (transfer_yaml_add(l->yw, o, e) != 0)
				goto out;
		} else {
			printf("%s\n", l->n ? "," : "");
			if (cli_print_json(o, 4, e) != 0)
				goto out;
		}
	}
	l->n++;
	rc = 0;
out:
	pyjson_free(o);
	return rc;
}

static int
var_list(struct session *s, struct cli_args *a)
{
	struct lister l;
	struct store_iter *it = NULL;
	struct session_var v;
	struct store_var row;
	struct err e;
	int rc;

	err_clear(&e);
	memset(&l, 0, sizeof l);
	memset(&v, 0, sizeof v);
	buf_init(&l.shown, 1);
	buf_init(&l.line, 1);
	if (a->opt[OPT_OUTPUT] != NULL)
		(void)cli_parse_format(&cmd_var_list, a->opt[OPT_OUTPUT], &l.fmt);
	l.reveal = a->opt[OPT_REVEAL] != NULL;
	if (cli_open_rows(s, &e) != 0 || (l.reveal &&
	    session_var_reveal(s, NULL, "variables list", &e) != 0) ||
	    store_var_list(s->store, NULL, &it, &e) != 0)
		goto fail;
	while ((rc = store_var_next(it, &row, &e)) == 1) {
		if (session_var_from_row(s, &row, &v, &e) != 0 ||
		    list_row(s, &l, &v, &e) != 0)
			goto fail;
	}
	if (rc < 0)
		goto fail;
	if (l.n == 0)
		printf("No data found\n");	/* AirflowConsole, every format */
	else if (l.fmt == CLI_FMT_JSON)
		printf("\n]\n");
	else if (l.yw != NULL && transfer_yaml_finish(l.yw, &e) != 0)
		goto fail;
	transfer_writer_free(l.yw);
	store_iter_free(it);
	session_var_clear(&v);
	buf_release(&l.shown);
	buf_release(&l.line);
	return fflush(stdout) == 0 ? EXIT_OK : EXIT_FAILED;
fail:
	session_var_clear(&v);
	buf_release(&l.shown);
	buf_release(&l.line);
	transfer_writer_free(l.yw);
	store_iter_free(it);
	fflush(stdout);
	return cli_error(&e);
}

/* -- get ----------------------------------------------------------------- */

static const struct cli_opt get_options[] = {
	{ "reveal", 0, OPT_GET_REVEAL, 0, NULL },
	{ "default", 'd', OPT_DEFAULT, CLI_OPT_ARG, NULL },
	{ "json", 'j', OPT_GET_JSON, 0, NULL },
	{ NULL, 0, 0, 0, NULL }
};

/* Print text as Airflow's print(var) does; with json, its parse. */
static int
print_value(const char *key, const char *text, size_t len, int json,
    struct err *e)
{
	struct buf b;
	cJSON *tree;
	int rc;

	buf_init(&b, 1);
	if (!json) {
		/* Line by line: the value's newlines stay newlines, as
		   Airflow prints them; other controls become escapes. */
		const char *p = text, *end = text + len, *nl;

		for (;;) {
			nl = memchr(p, '\n', (size_t)(end - p));
			termsafe_add(&b, p, nl != NULL ? (size_t)(nl - p) :
			    (size_t)(end - p), 0);
			if (nl == NULL)
				break;
			buf_addc(&b, '\n');
			p = nl + 1;
		}
	} else {
		if ((tree = pyjson_loads(text, len)) == NULL) {
			buf_release(&b);
			if (errno == ENOMEM)
				return err_nomem(e);
			err_set(e, ERR_INVALID, "the value of variable %s is "
			    "not JSON", key);
			return -1;
		}
		rc = pyjson_print(tree, &b, e);
		pyjson_free(tree);
		if (rc != 0) {
			buf_release(&b);
			return -1;
		}
		/* The repr is made of the data: make it safe as a whole. */
		{
			struct buf safe;

			buf_init(&safe, 1);
			termsafe_add(&safe, buf_str(&b), b.len, 0);
			buf_release(&b);
			b = safe;
		}
	}
	buf_addc(&b, '\n');
	if ((rc = buf_check(&b, e)) == 0)
		rc = cli_write(buf_str(&b), b.len, e);
	buf_release(&b);
	return rc;
}

static int
var_get(struct session *s, struct cli_args *a)
{
	struct session_var v;
	struct buf shown;
	struct err e;
	const char *key, *def = a->opt[OPT_DEFAULT];
	int reveal = a->opt[OPT_GET_REVEAL] != NULL;
	int json = a->opt[OPT_GET_JSON] != NULL;

	err_clear(&e);
	memset(&v, 0, sizeof v);
	buf_init(&shown, 1);
	if (a->argc != 1)
		return cli_usage_error(&cmd_var_get, "expected one KEY");
	key = a->argv[0];
	if (cli_open_rows(s, &e) != 0)
		goto fail;
	if (session_var_get(s, key, &v, &e) != 0) {
		if (e.code != ERR_NOTFOUND || def == NULL)
			goto fail;
		/* Airflow prints the default as it was given. */
		if (print_value(key, def, strlen(def), 0, &e) != 0)
			goto fail;
		return fflush(stdout) == 0 ? EXIT_OK : EXIT_FAILED;
	}
	if (v.info.state == CONN_SECRET_UNDECRYPTABLE) {
		cli_line(stderr, "ferncon: warning: no configured key opens the "
		    "value of variable %s", key);
		session_var_clear(&v);
		if (def != NULL) {
			if (print_value(key, def, strlen(def), 0, &e) != 0)
				goto fail;
			return fflush(stdout) == 0 ? EXIT_OK : EXIT_FAILED;
		}
		return EXIT_FAILED;
	}
	if ((reveal && session_var_reveal(s, key, NULL, &e) != 0) ||
	    session_var_display(s, &v, reveal, &shown, NULL, &e) != 0)
		goto fail;
	/* A NULL value prints as Python's None. */
	if (v.val == NULL ? print_value(key, "None", 4, 0, &e) :
	    print_value(key, buf_str(&shown), shown.len, json, &e) != 0)
		goto fail;
	buf_release(&shown);
	session_var_clear(&v);
	return fflush(stdout) == 0 ? EXIT_OK : EXIT_FAILED;
fail:
	buf_release(&shown);
	session_var_clear(&v);
	return cli_error(&e);
}

/* -- set and delete ------------------------------------------------------ */

static const struct cli_opt set_options[] = {
	{ "description", 0, OPT_DESCRIPTION, CLI_OPT_ARG, NULL },
	{ "json", 'j', OPT_SET_JSON, 0, NULL },
	{ NULL, 0, 0, 0, NULL }
};

static int
var_set(struct session *s, struct cli_args *a)
{
	struct err e;
	char *held = NULL;
	const char *key, *val;
	size_t len;
	int rc, plain = 0;

	err_clear(&e);
	if (a->argc != 2)
		return cli_usage_error(&cmd_var_set, "expected KEY and VALUE "
		    "(or - to read the value from stdin)");
	key = a->argv[0];
	val = a->argv[1];
	len = strlen(val);
	/* Refused before stdin is read. */
	if (cli_open_rows(s, &e) != 0 || session_var_may(s, SESSION_VAR_SET, &e) != 0)
		return cli_error(&e);
	if (strcmp(val, "-") == 0) {
		if (cli_read_stdin(&held, &len, CLI_MAX_STDIN, &e) != 0)
			return cli_error(&e);
		while (len > 0 && (held[len - 1] == '\n' || held[len - 1] == '\r'))
			held[--len] = '\0';
		val = held;
	}
	rc = session_var_set(s, key, val, len, a->opt[OPT_DESCRIPTION],
	    a->opt[OPT_SET_JSON] != NULL, &plain, NULL, &e);
	sodium_free(held);
	if (rc < 0)
		return cli_error(&e);
	if (rc > 0)
		cli_line(stderr, "ferncon: warning: %s", e.msg);
	if (plain)
		fprintf(stderr, "ferncon: warning: no Fernet key is configured: "
		    "the value is stored in plain text\n");
	cli_line(stdout, "Variable %s created", key);
	return fflush(stdout) == 0 ? EXIT_OK : EXIT_FAILED;
}

static int
var_delete(struct session *s, struct cli_args *a)
{
	struct err e;
	const char *key;
	int rc;

	err_clear(&e);
	if (a->argc != 1)
		return cli_usage_error(&cmd_var_delete, "expected one KEY");
	key = a->argv[0];
	if ((rc = session_var_delete(s, key, NULL, &e)) < 0 &&
	    e.code != ERR_NOTFOUND)
		return cli_error(&e);
	/* Airflow says "deleted" whether or not there was one. */
	if (rc < 0)
		cli_line(stderr, "ferncon: warning: there was no variable %s",
		    key);
	else if (rc > 0)
		cli_line(stderr, "ferncon: warning: %s", e.msg);
	cli_line(stdout, "Variable %s deleted", key);
	return fflush(stdout) == 0 ? EXIT_OK : EXIT_FAILED;
}

/* -- import -------------------------------------------------------------- */

static int
check_existing(const struct cli_cmd *cmd, const char *arg)
{
	if (strcmp(arg, "overwrite") == 0 || strcmp(arg, "fail") == 0 ||
	    strcmp(arg, "skip") == 0)
		return 0;
	return cli_usage_error(cmd, "argument -a/--action-on-existing-key: "
	    "invalid choice: '%s' (choose from 'overwrite', 'fail', 'skip')",
	    arg);
}

static const struct cli_opt import_options[] = {
	{ "action-on-existing-key", 'a', OPT_EXISTING, CLI_OPT_ARG,
	    check_existing },
	{ NULL, 0, 0, 0, NULL }
};

static int
var_import(struct session *s, struct cli_args *a)
{
	struct session_var_import im;
	struct err e;
	struct buf keys;
	char *text = NULL;
	const char *path, *act = a->opt[OPT_EXISTING];
	enum session_var_existing ex = SESSION_VAR_OVERWRITE;
	size_t len = 0, i;
	int rc;

	err_clear(&e);
	memset(&im, 0, sizeof im);
	if (a->argc != 1)
		return cli_usage_error(&cmd_var_import, "expected one FILE (or -)");
	path = a->argv[0];
	if (act != NULL && strcmp(act, "fail") == 0)
		ex = SESSION_VAR_FAIL;
	else if (act != NULL && strcmp(act, "skip") == 0)
		ex = SESSION_VAR_SKIP;
	/* Refused (role, restricted mode) before the file is read. */
	if (cli_open_rows(s, &e) != 0 ||
	    session_restricted_path(s, SESSION_GUARD_IMPORT_FILE, path, &e) != 0 ||
	    session_var_may(s, SESSION_VAR_IMPORT, &e) != 0)
		return cli_error(&e);
	if (strcmp(path, "-") != 0 && access(path, F_OK) != 0 &&
	    errno == ENOENT) {
		err_set(&e, ERR_NOTFOUND, "Missing variables file.");
		return cli_error(&e);
	}
	if ((strcmp(path, "-") == 0 ?
	    cli_read_stdin(&text, &len, CLI_MAX_STDIN, &e) :
	    cli_read_file(path, "variables file", CLI_MAX_STDIN, &text, &len,
	    &e)) != 0)
		return cli_error(&e);
	rc = session_var_import(s, path, text, len, ex, &im, &e);
	sodium_free(text);
	if (rc < 0) {
		session_var_import_release(&im);
		return cli_error(&e);
	}
	if (rc > 0)
		cli_line(stderr, "ferncon: warning: %s", e.msg);
	if (im.plain)
		fprintf(stderr, "ferncon: warning: no Fernet key is configured: "
		    "the values are stored in plain text\n");
	cli_line(stdout, "%zu of %zu variables successfully updated.", im.done,
	    im.total);
	if (im.n_skipped > 0) {
		buf_init(&keys, 0);
		for (i = 0; i < im.n_skipped; i++) {
			if (i > 0)
				buf_adds(&keys, ", ");
			utf8_py_repr(&keys, im.skipped[i],
			    strlen(im.skipped[i]));
		}
		cli_line(stdout, "The variables with these keys: [%s] were "
		    "skipped because they already exists", buf_str(&keys));
		buf_release(&keys);
	}
	session_var_import_release(&im);
	return fflush(stdout) == 0 ? EXIT_OK : EXIT_FAILED;
}

/* -- export -------------------------------------------------------------- */

static const struct cli_opt export_options[] = {
	{ "overwrite", 0, OPT_OVERWRITE, 0, NULL },
	{ NULL, 0, 0, 0, NULL }
};

static void
export_skipped(void *arg, const char *key, const char *field)
{
	(void)arg;
	(void)field;
	cli_line(stderr, "ferncon: skipped variable '%s': no key opens its "
	    "value", key);
}

/* The export is the core's (session_var_export()); this prints. */
static int
var_export(struct session *s, struct cli_args *a)
{
	struct session_export x;
	struct err e;

	err_clear(&e);
	memset(&x, 0, sizeof x);
	if (a->argc != 1)
		return cli_usage_error(&cmd_var_export, "expected one FILE (or -)");
	x.path = a->argv[0];
	x.stream = stdout;
	x.overwrite = a->opt[OPT_OVERWRITE] != NULL;
	x.skipped = export_skipped;
	if (cli_open_rows(s, &e) != 0)
		return cli_error(&e);
	return cli_export(s, &x, session_var_export, "Variables", "variable");
}

const struct cli_cmd cmd_var_list = {
	"variables", "list", "[-o table|json|yaml|plain] [--reveal]",
	"list variables (values masked unless --reveal and the role allows)",
	list_options, CLI_CMD_NO_OPERANDS, NULL, var_list
};

const struct cli_cmd cmd_var_get = {
	"variables", "get", "KEY [--reveal] [-d|--default V] [-j|--json]",
	"print a variable's value (masked unless --reveal)",
	get_options, 0, NULL, var_get
};

const struct cli_cmd cmd_var_set = {
	"variables", "set", "KEY VALUE|- [--description D] [-j|--json]",
	"set a variable (encrypted with the primary key; - reads stdin)",
	set_options, 0, NULL, var_set
};

const struct cli_cmd cmd_var_delete = {
	"variables", "delete", "KEY",
	"delete a variable (also one that no key opens)",
	NULL, 0, NULL, var_delete
};

const struct cli_cmd cmd_var_import = {
	"variables", "import",
	"FILE|- [-a|--action-on-existing-key overwrite|fail|skip]",
	"import variables from an Airflow variables file (json; 3.1: yaml, env)",
	import_options, 0, NULL, var_import
};

const struct cli_cmd cmd_var_export = {
	"variables", "export", "FILE|- [--overwrite]",
	"export variables as Airflow does to a new file (plaintext; mode 0600; "
	"logged)",
	export_options, 0, NULL, var_export
};

/*
 * cmd-conn.c: `ferncon connections list|get|add|delete|export|import`, after
 * Airflow's `airflow connections` commands (doc/airflow-compat.md sections
 * 4.4 and 5), with ferncon's differences:
 *
 * - passwords are masked ("***") and sensitive extras redacted unless
 *   --reveal is given and the role allows it (the reveal is logged);
 * - a row that no key opens is listed, marked "undecryptable", and can be
 *   deleted, instead of failing the whole command;
 * - a password never has to be in argv: --conn-password-stdin, and
 *   --conn-uri - / --conn-json - read from stdin; messages never echo a
 *   password (Airflow prints the URI it was given);
 * - JSON output is typed (port a number, flags booleans) and adds
 *   password_state, extra_state and extra_shown (masked, or hidden when it
 *   is not a JSON object, which cannot be masked: then extra_dejson is
 *   null and get_uri has no __extra__); is_extra_encrypted is the real
 *   flag (Airflow's mapper copies is_encrypted there);
 * - table, plain and message lines show fields terminal-safe (src/termsafe.h).
 */
#include "config.h"

#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <sodium.h>

#include "buf.h"
#include "conn.h"
#include "pyjson.h"
#include "termsafe.h"
#include "transfer.h"
#include "uri.h"

/* Option ids (struct cli_opt), per command. */
enum { OPT_OUTPUT, OPT_REVEAL };
enum {
	OPT_CONN_URI,
	OPT_CONN_JSON,
	OPT_CONN_TYPE,
	OPT_CONN_HOST,
	OPT_CONN_LOGIN,
	OPT_CONN_SCHEMA,
	OPT_CONN_PORT,
	OPT_CONN_EXTRA,
	OPT_CONN_DESCRIPTION,
	OPT_CONN_PASSWORD_STDIN,
};
enum { OPT_FILE_FORMAT, OPT_SERIALIZATION, OPT_EXPORT_OVERWRITE };
enum { OPT_OVERWRITE };

/* -- rendering ----------------------------------------------------------- */

static cJSON *
json_str(const char *s)
{
	return s != NULL ? cJSON_CreateString(s) : cJSON_CreateNull();
}

/*
 * The password as a tree string, a NUL in pyjson's kept form (pyjson.h),
 * which -o json writes \u0000 and -o yaml "\0", as Python does.
 */
static cJSON *
json_password(const struct conn *d)
{
	struct buf b;
	cJSON *v = NULL;

	if (d->password == NULL)
		return cJSON_CreateNull();
	buf_init(&b, 1);
	pyjson_kept_add(&b, d->password, d->password_len);
	if (!b.failed)
		v = cJSON_CreateString(b.len > 0 ? buf_str(&b) : "");
	buf_release(&b);
	return v;
}

/*
 * The typed record of `connections get -o json`, from the session's
 * display copy: extra_dejson is the copy's own tree (pyjson: numbers as
 * stored, 3 stays 3).
 */
static cJSON *
conn_json(struct session *s, const struct conn *c, int reveal, struct err *e)
{
	struct mask_view v;
	const struct conn *d;
	struct buf uri;
	cJSON *o = NULL, *extra = NULL;

	buf_init(&uri, 1);
	if (session_conn_display(s, c, reveal, &v, e) != 0)
		return NULL;
	d = v.conn;
	if (conn_check_utf8(d, "show", e) != 0 ||
	    (o = cJSON_CreateObject()) == NULL)
		goto fail;
	if (v.extra != NULL) {
		/* Airflow 2's extra_dejson is json.loads(extra), a list too. */
		extra = v.extra;
		v.extra = NULL;
	} else {
		extra = v.hidden ? cJSON_CreateNull() : cJSON_CreateObject();
	}
	if (uri_format(d, store_airflow_version(s->store), &uri, e) != 0)
		goto fail;
	cJSON_AddItemToObject(o, "id", pyjson_create_int(c->id));
	cJSON_AddItemToObject(o, "conn_id", json_str(d->conn_id));
	cJSON_AddItemToObject(o, "conn_type", json_str(d->conn_type));
	cJSON_AddItemToObject(o, "description", json_str(d->description));
	cJSON_AddItemToObject(o, "host", json_str(d->host));
	cJSON_AddItemToObject(o, "schema", json_str(d->schema));
	cJSON_AddItemToObject(o, "login", json_str(d->login));
	cJSON_AddItemToObject(o, "password", json_password(d));
	cJSON_AddItemToObject(o, "port", d->has_port ?
	    pyjson_create_int(d->port) : cJSON_CreateNull());
	cJSON_AddItemToObject(o, "is_encrypted", cJSON_CreateBool(c->is_encrypted));
	cJSON_AddItemToObject(o, "is_extra_encrypted",
	    cJSON_CreateBool(c->is_extra_encrypted));
	cJSON_AddItemToObject(o, "extra_dejson", extra);
	extra = NULL;
	cJSON_AddItemToObject(o, "get_uri", cJSON_CreateString(buf_str(&uri)));
	cJSON_AddItemToObject(o, "password_state",
	    cJSON_CreateString(cli_state_name(c->password_info.state)));
	cJSON_AddItemToObject(o, "extra_state",
	    cJSON_CreateString(cli_state_name(c->extra_info.state)));
	cJSON_AddItemToObject(o, "extra_shown",
	    cJSON_CreateString(v.shown));
	buf_release(&uri);
	mask_view_release(&v);
	return o;
fail:
	buf_release(&uri);
	mask_view_release(&v);
	pyjson_free(o);
	pyjson_free(extra);
	if (e->code == ERR_NONE)
		err_nomem(e);
	return NULL;
}

static const char *
secret_cell(const struct conn *c)
{
	const struct conn_secret_info *p = &c->password_info, *x = &c->extra_info;

	if (p->state == CONN_SECRET_UNDECRYPTABLE ||
	    x->state == CONN_SECRET_UNDECRYPTABLE)
		return "UNDECRYPTABLE";
	if (p->state == CONN_SECRET_PLAIN || x->state == CONN_SECRET_PLAIN)
		return "plaintext";
	if (p->state == CONN_SECRET_ENCRYPTED || x->state == CONN_SECRET_ENCRYPTED)
		return "encrypted";
	return "-";
}

/*
 * A table cell of w columns: the field made terminal-safe (git-style
 * quotes when it needs an escape), cut with '~' (termsafe_cell()).
 */
static void
cell(const char *s, int w)
{
	struct buf b;

	buf_init(&b, 0);
	(void)termsafe_cell(&b, s, s != NULL ? strlen(s) : 0, w, TERMSAFE_QUOTE);
	buf_addc(&b, ' ');
	fputs(buf_str(&b), stdout);
	buf_release(&b);
}

static void
table_header(void)
{
	printf("%-6s %-28s %-22s %-28s %-5s %-16s %s\n", "id", "conn_id",
	    "conn_type", "host", "port", "login", "secrets");
}

static void
table_row(const struct conn *c)
{
	char id[24], port[16];

	snprintf(id, sizeof id, "%lld", (long long)c->id);
	snprintf(port, sizeof port, "%ld", c->port);
	cell(id, 6);
	cell(c->conn_id, 28);
	cell(c->conn_type, 22);
	cell(c->host, 28);
	cell(c->has_port ? port : "", 5);
	cell(c->login, 16);
	printf("%s\n", secret_cell(c));
}

/* A field of a plain line, made terminal-safe, and its separator. */
static void
plain_field(struct buf *b, const char *s, char sep)
{
	termsafe_add(b, s, s != NULL ? strlen(s) : 0, TERMSAFE_QUOTE);
	buf_addc(b, sep);
}

static void
plain_row(const struct conn *c)
{
	char port[16] = "";
	struct buf b;

	if (c->has_port)
		snprintf(port, sizeof port, "%ld", c->port);
	buf_init(&b, 0);
	plain_field(&b, c->conn_id, '\t');
	plain_field(&b, c->conn_type, '\t');
	plain_field(&b, c->host, '\t');
	plain_field(&b, port, '\t');
	plain_field(&b, c->login, '\t');
	plain_field(&b, cli_state_name(c->password_info.state), '\t');
	plain_field(&b, cli_state_name(c->extra_info.state), '\n');
	fputs(buf_str(&b), stdout);
	buf_release(&b);
}

/* -- list and get -------------------------------------------------------- */

static const struct cli_opt view_options[] = {
	{ "output", 'o', OPT_OUTPUT, CLI_OPT_ARG, cli_check_format },
	{ "reveal", 0, OPT_REVEAL, 0, NULL },
	{ NULL, 0, 0, 0, NULL }
};

/* The output format and --reveal (checked while parsing). */
static void
read_view(const struct cli_cmd *cmd, const struct cli_args *a,
    enum cli_format *fmt, int *reveal)
{
	*fmt = CLI_FMT_TABLE;
	if (a->opt[OPT_OUTPUT] != NULL)
		(void)cli_parse_format(cmd, a->opt[OPT_OUTPUT], fmt);
	*reveal = a->opt[OPT_REVEAL] != NULL;
}

static int
conn_list(struct session *s, struct cli_args *a)
{
	struct store_iter *it = NULL;
	struct transfer_writer *yw = NULL;
	struct conn c;
	struct err e;
	enum cli_format fmt;
	int reveal, rc, n = 0;

	err_clear(&e);
	memset(&c, 0, sizeof c);
	read_view(&cmd_conn_list, a, &fmt, &reveal);
	if (cli_open_rows(s, &e) != 0 ||
	    session_conn_may(s, SESSION_CONN_LIST, &e) != 0 ||
	    (reveal && session_conn_reveal(s, NULL, "connections list",
	    &e) != 0) ||
	    store_conn_iter(s->store, NULL, &it, &e) != 0)
		goto fail;
	if (fmt == CLI_FMT_TABLE)
		table_header();
	else if (fmt == CLI_FMT_JSON)
		printf("[");
	else if (fmt == CLI_FMT_YAML && transfer_yaml_new(&yw, stdout, 1, &e) != 0)
		goto fail;
	while ((rc = store_iter_next(it, &c, &e)) == 1) {
		if (conn_decrypt(&c, s->keys->kr, &e) != 0)
			goto fail;
		if (fmt == CLI_FMT_TABLE) {
			table_row(&c);
		} else if (fmt == CLI_FMT_PLAIN) {
			plain_row(&c);
		} else {
			cJSON *o = conn_json(s, &c, reveal, &e);

			if (o == NULL)
				goto fail;
			if (fmt == CLI_FMT_YAML) {
				rc = transfer_yaml_add(yw, o, &e);
			} else {
				printf("%s\n", n ? "," : "");
				rc = cli_print_json(o, 4, &e);
			}
			pyjson_free(o);
			if (rc != 0)
				goto fail;
		}
		n++;
	}
	if (rc < 0)
		goto fail;
	if (fmt == CLI_FMT_JSON)
		printf("%s]\n", n ? "\n" : "");
	if (yw != NULL && transfer_yaml_finish(yw, &e) != 0)
		goto fail;
	transfer_writer_free(yw);
	store_iter_free(it);
	conn_clear(&c);
	return fflush(stdout) == 0 ? EXIT_OK : EXIT_FAILED;
fail:
	transfer_writer_free(yw);
	store_iter_free(it);
	conn_clear(&c);
	fflush(stdout);
	return cli_error(&e);
}

/*
 * Airflow's `connections get`: the connection a task would get
 * (session_conn_lookup(): the environment first, said on stderr), printed
 * as a list of one (print_as(data=[conn])) in json and yaml.
 */
static int
conn_get(struct session *s, struct cli_args *a)
{
	struct conn c;
	struct err e;
	enum cli_format fmt;
	int reveal, rc;
	cJSON *o = NULL;
	const char *id;
	char env_name[300];

	err_clear(&e);
	memset(&c, 0, sizeof c);
	if (a->argc != 1)
		return cli_usage_error(&cmd_conn_get, "expected a conn_id");
	read_view(&cmd_conn_get, a, &fmt, &reveal);
	id = a->argv[0];
	if (cli_open_rows(s, &e) != 0 ||
	    session_conn_lookup(s, id, &c, env_name, sizeof env_name, &e) != 0 ||
	    (reveal && session_conn_reveal(s, id, NULL, &e) != 0))
		goto fail;
	if (*env_name != '\0')
		cli_line(stderr, "ferncon: %s: from the environment variable %s "
		    "(Airflow reads it before the DB)", id, env_name);
	if (fmt == CLI_FMT_TABLE) {
		table_header();
		table_row(&c);
	} else if (fmt == CLI_FMT_PLAIN) {
		plain_row(&c);
	} else if (fmt == CLI_FMT_YAML) {
		struct transfer_writer *yw = NULL;

		rc = (o = conn_json(s, &c, reveal, &e)) == NULL ||
		    transfer_yaml_new(&yw, stdout, 1, &e) != 0 ||
		    transfer_yaml_add(yw, o, &e) != 0 ||
		    transfer_yaml_finish(yw, &e) != 0;
		transfer_writer_free(yw);
		if (rc)
			goto fail;
	} else {
		if ((o = conn_json(s, &c, reveal, &e)) == NULL)
			goto fail;
		printf("[\n");
		if (cli_print_json(o, 4, &e) != 0)
			goto fail;
		printf("\n]\n");
	}
	pyjson_free(o);
	conn_clear(&c);
	return fflush(stdout) == 0 ? EXIT_OK : EXIT_FAILED;
fail:
	pyjson_free(o);
	conn_clear(&c);
	if (e.code == ERR_NOTFOUND) {
		/* Airflow: SystemExit("Connection not found."), exit 1. */
		cli_line(stderr, "%s", e.msg);
		return EXIT_FAILED;
	}
	return cli_error(&e);
}

/* -- add ----------------------------------------------------------------- */

struct add_args {
	const char	*uri, *json, *type, *host, *login, *schema, *port, *extra;
	const char	*description;
	int		 password_stdin;
};

static const struct cli_opt add_options[] = {
	{ "conn-uri", 0, OPT_CONN_URI, CLI_OPT_ARG | CLI_OPT_SECRET, NULL },
	{ "conn-json", 0, OPT_CONN_JSON, CLI_OPT_ARG | CLI_OPT_SECRET, NULL },
	{ "conn-type", 0, OPT_CONN_TYPE, CLI_OPT_ARG, NULL },
	{ "conn-host", 0, OPT_CONN_HOST, CLI_OPT_ARG, NULL },
	{ "conn-login", 0, OPT_CONN_LOGIN, CLI_OPT_ARG, NULL },
	{ "conn-schema", 0, OPT_CONN_SCHEMA, CLI_OPT_ARG, NULL },
	{ "conn-port", 0, OPT_CONN_PORT, CLI_OPT_ARG, NULL },
	{ "conn-extra", 0, OPT_CONN_EXTRA, CLI_OPT_ARG | CLI_OPT_SECRET, NULL },
	{ "conn-description", 0, OPT_CONN_DESCRIPTION, CLI_OPT_ARG, NULL },
	{ "conn-password-stdin", 0, OPT_CONN_PASSWORD_STDIN, 0, NULL },
	{ NULL, 0, 0, 0, NULL }
};

/* Read a value given as "-" from stdin, trimmed of its final newline. */
static int
arg_or_stdin(const char *arg, char **held, const char **out, struct err *e)
{
	size_t len;

	*out = arg;
	if (arg == NULL || strcmp(arg, "-") != 0)
		return 0;
	if (*held != NULL) {
		err_set(e, ERR_USAGE, "only one value can be read from stdin");
		return -1;
	}
	if (cli_read_stdin(held, &len, CLI_MAX_STDIN, e) != 0)
		return -1;
	while (len > 0 && ((*held)[len - 1] == '\n' || (*held)[len - 1] == '\r'))
		(*held)[--len] = '\0';
	/* The text is read as a C string: a NUL would cut it. */
	if (memchr(*held, '\0', len) != NULL)
		return conn_refuse_nul("the value read from stdin", e);
	*out = *held;
	return 0;
}

static int
build_added(struct session *s, struct add_args *a, struct conn *c,
    char **held, struct err *e)
{
	const char *uri = a->uri, *json = a->json;

	if (arg_or_stdin(a->uri, held, &uri, e) != 0 ||
	    arg_or_stdin(a->json, held, &json, e) != 0)
		return -1;
	if (uri != NULL) {
		if (uri_valid_for_add(uri, e) != 0 ||
		    uri_parse(uri, store_airflow_version(s->store), c, e) != 0)
			return -1;
		if (a->uri != NULL && strcmp(a->uri, "-") != 0 && c->password != NULL)
			cli_line(stderr, "ferncon: warning: the password in "
			    "--conn-uri was visible to other users in argv; use "
			    "--conn-uri - or --conn-password-stdin");
	} else if (json != NULL) {
		if (uri_conn_json(c, json, store_airflow_version(s->store), 1,
		    e) != 0)
			return -1;
	} else {
		conn_normalize_type((char *)a->type);
		if (conn_set_str(c, &c->conn_type, a->type, e) != 0 ||
		    conn_set_str(c, &c->host, a->host, e) != 0 ||
		    conn_set_str(c, &c->login, a->login, e) != 0 ||
		    conn_set_str(c, &c->schema, a->schema, e) != 0)
			return -1;
		if (a->port != NULL) {
			if (conn_port_parse(a->port, strlen(a->port), &c->port) != 0) {
				err_set(e, ERR_USAGE, "Expected integer value for "
				    "`port`, but got '%s' instead.", a->port);
				return -1;
			}
			c->has_port = 1;
		}
	}
	if (a->extra != NULL && conn_set_str(c, &c->extra, a->extra, e) != 0)
		return -1;
	/* connections_add() builds a --conn-json connection from the JSON
	   alone: --conn-description is not used. */
	if (json == NULL && a->description != NULL &&
	    conn_set_str(c, &c->description, a->description, e) != 0)
		return -1;
	if (a->password_stdin) {
		char *pw = NULL;
		size_t len;

		if (*held != NULL) {
			err_set(e, ERR_USAGE, "--conn-password-stdin cannot be used "
			    "with a value read from stdin");
			return -1;
		}
		if (cli_read_stdin(&pw, &len, CLI_MAX_STDIN, e) != 0)
			return -1;
		while (len > 0 && (pw[len - 1] == '\n' || pw[len - 1] == '\r'))
			pw[--len] = '\0';
		/* a NUL is kept, as Airflow keeps it (conn.h) */
		if (conn_set(c, &c->password, pw, len, e) != 0) {
			sodium_free(pw);
			return -1;
		}
		sodium_free(pw);
	}
	return 0;
}

static int
conn_add(struct session *s, struct cli_args *ca)
{
	struct add_args a;
	struct session_save save;
	struct conn *c = NULL;
	struct err e;
	struct buf shown;
	char *held = NULL;
	int rc = EXIT_USAGE, saved;
	const char *id;
	char incompatible[128] = "";

	err_clear(&e);
	memset(&a, 0, sizeof a);
	buf_init(&shown, 0);
	a.uri = ca->opt[OPT_CONN_URI];
	a.json = ca->opt[OPT_CONN_JSON];
	a.type = ca->opt[OPT_CONN_TYPE];
	a.host = ca->opt[OPT_CONN_HOST];
	a.login = ca->opt[OPT_CONN_LOGIN];
	a.schema = ca->opt[OPT_CONN_SCHEMA];
	a.port = ca->opt[OPT_CONN_PORT];
	a.extra = ca->opt[OPT_CONN_EXTRA];
	a.description = ca->opt[OPT_CONN_DESCRIPTION];
	a.password_stdin = ca->opt[OPT_CONN_PASSWORD_STDIN] != NULL;
	if (ca->argc != 1)
		return cli_usage_error(&cmd_conn_add, "expected one conn_id");
	id = ca->argv[0];
	if (conn_validate_id(id, &e) != 0)
		return cli_error(&e);
	if (a.uri == NULL && a.json == NULL && a.type == NULL)
		return cli_usage_error(&cmd_conn_add, "Must supply either conn-uri "
		    "or conn-json or conn-type");
	if (a.uri != NULL && a.json != NULL)
		return cli_usage_error(&cmd_conn_add, "Cannot supply both conn-uri "
		    "and conn-json");
	if (a.uri != NULL || a.json != NULL) {
		/* Airflow's alternative_conn_specs, as attribute names, in
		   Python's list repr: ['conn_host', '--conn-extra']. */
		const char *names[] = { "conn_type", "conn_host", "conn_login",
		    "conn_schema", "conn_port" };
		const char *vals[] = { a.type, a.host, a.login, a.schema, a.port };
		size_t i;

		for (i = 0; i < ARRAY_LEN(names); i++)
			if (vals[i] != NULL)
				snprintf(incompatible + strlen(incompatible),
				    sizeof incompatible - strlen(incompatible), "%s'%s'",
				    incompatible[0] ? ", " : "", names[i]);
		if (a.json != NULL && a.extra != NULL && *a.extra != '\0')
			snprintf(incompatible + strlen(incompatible),
			    sizeof incompatible - strlen(incompatible), "%s'%s'",
			    incompatible[0] ? ", " : "", "--conn-extra");
		if (incompatible[0] != '\0')
			return cli_usage_error(&cmd_conn_add, "The following args "
			    "are not compatible with the %s flag: [%s]",
			    a.uri ? "--conn-uri" : "--conn-json", incompatible);
	}
	/* Refused before a password is read from stdin. */
	if (cli_open_rows(s, &e) != 0 ||
	    session_conn_may(s, SESSION_CONN_ADD, &e) != 0)
		goto fail;
	if ((c = conn_new()) == NULL) {
		err_nomem(&e);
		goto fail;
	}
	if (conn_set_str(c, &c->conn_id, id, &e) != 0 ||
	    build_added(s, &a, c, &held, &e) != 0)
		goto fail;
	uri_format_masked(c, &shown);
	memset(&save, 0, sizeof save);
	save.add = 1;
	save.extra = SESSION_EXTRA_GIVEN;
	if ((saved = session_conn_save(s, c, &save, &e)) < 0)
		goto fail;
	if (saved > 0)
		cli_line(stderr, "ferncon: warning: %s", e.msg);
	cli_line(stdout, "Successfully added `conn_id`=%s : %s", id,
	    buf_str(&shown));
	rc = fflush(stdout) == 0 ? EXIT_OK : EXIT_FAILED;
	goto out;
fail:
	rc = cli_error(&e);
out:
	buf_release(&shown);
	sodium_free(held);
	conn_free(c);
	return rc;
}

/* -- delete -------------------------------------------------------------- */

static int
conn_delete(struct session *s, struct cli_args *a)
{
	struct err e;
	const char *id;
	int rc;

	err_clear(&e);
	if (a->argc != 1)
		return cli_usage_error(&cmd_conn_delete, "expected one conn_id");
	id = a->argv[0];
	/* No key is needed: a row that no key opens can be deleted. */
	if ((rc = session_conn_delete(s, id, NULL, &e)) < 0)
		return cli_error(&e);
	if (rc > 0)
		cli_line(stderr, "ferncon: warning: %s", e.msg);
	cli_line(stdout, "Successfully deleted connection with `conn_id`=%s",
	    id);
	return fflush(stdout) == 0 ? EXIT_OK : EXIT_FAILED;
}

/* -- export -------------------------------------------------------------- */

static const struct cli_opt export_options[] = {
	{ "file-format", 0, OPT_FILE_FORMAT, CLI_OPT_ARG, NULL },
	{ "format", 0, OPT_FILE_FORMAT, CLI_OPT_ARG, NULL },
	{ "serialization-format", 0, OPT_SERIALIZATION, CLI_OPT_ARG, NULL },
	{ "overwrite", 0, OPT_EXPORT_OVERWRITE, 0, NULL },
	{ NULL, 0, 0, 0, NULL }
};

static void
export_skipped(void *arg, const char *conn_id, const char *field)
{
	(void)arg;
	cli_line(stderr, "ferncon: skipped connection '%s': no key opens its "
	    "%s", conn_id, field);
}

/* The export is the core's (session_conn_export()); this prints. */
static int
conn_export(struct session *s, struct cli_args *a)
{
	struct session_export x;
	struct err e;

	err_clear(&e);
	memset(&x, 0, sizeof x);
	if (a->argc != 1)
		return cli_usage_error(&cmd_conn_export, "expected one FILE (or -)");
	x.path = a->argv[0];
	x.stream = stdout;
	x.overwrite = a->opt[OPT_EXPORT_OVERWRITE] != NULL;
	x.skipped = export_skipped;
	if (transfer_pick_format(x.path, a->opt[OPT_FILE_FORMAT],
	    a->opt[OPT_SERIALIZATION], 0, &x.fmt, &x.ser, &e) != 0 ||
	    cli_open_rows(s, &e) != 0)
		return cli_error(&e);
	return cli_export(s, &x, session_conn_export, "Connections",
	    "connection");
}

/* -- import -------------------------------------------------------------- */

static const struct cli_opt import_options[] = {
	{ "overwrite", 0, OPT_OVERWRITE, 0, NULL },
	{ NULL, 0, 0, 0, NULL }
};

/*
 * Import in one transaction (session_conn_import()): Airflow commits each
 * connection on its own, so a failure half-way (a lock, a lost server)
 * leaves part of the file in the DB; ferncon writes all of it or nothing.
 * What happened to each connection is printed, in the file's order and
 * with Airflow's lines, once the outcome is known: "Imported connection"
 * only after the commit.
 */
static void
import_report(struct session *s, const struct session_import *im)
{
	struct err e;
	size_t i;

	for (i = 0; i < im->set.n; i++) {
		const struct conn *c = im->set.conns[i];

		switch (im->outcome[i]) {
		case SESSION_IMPORT_BAD_EXTRA:
			/* The reason, as the use case found it. */
			err_clear(&e);
			if (conn_validate_extra(c->conn_id, c->extra, &e) != 0)
				cli_line(stdout, "Could not import connection "
				    "%s: %s", c->conn_id, e.msg);
			break;
		case SESSION_IMPORT_BAD_ID:
			err_clear(&e);
			if (conn_validate_key(c->conn_id,
			    store_airflow_version(s->store), &e) != 0)
				cli_line(stdout, "Could not import connection. "
				    "%s", e.msg);
			break;
		case SESSION_IMPORT_EXISTS:
			cli_line(stdout, "Could not import connection %s: "
			    "connection already exists.", c->conn_id);
			break;
		case SESSION_IMPORT_DONE:
			cli_line(stdout, "Imported connection %s", c->conn_id);
			break;
		}
	}
}

static int
conn_import(struct session *s, struct cli_args *a)
{
	struct session_import im;
	struct err e;
	size_t i;
	int rc = EXIT_OK, done;

	err_clear(&e);
	memset(&im, 0, sizeof im);
	if (a->argc != 1)
		return cli_usage_error(&cmd_conn_import, "expected one FILE");
	if (cli_open_rows(s, &e) != 0 ||
	    (done = session_conn_import(s, a->argv[0],
	    a->opt[OPT_OVERWRITE] != NULL, &im, &e)) < 0) {
		session_import_release(&im);
		return cli_error(&e);
	}
	import_report(s, &im);
	if (done > 0)
		cli_line(stderr, "ferncon: warning: %s", e.msg);
	for (i = 0; i < im.set.n; i++)
		if (im.outcome[i] == SESSION_IMPORT_BAD_EXTRA)
			rc = EXIT_FAILED;
	session_import_release(&im);
	return fflush(stdout) == 0 ? rc : EXIT_FAILED;
}

const struct cli_cmd cmd_conn_list = {
	"connections", "list", "[-o table|json|yaml|plain] [--reveal]",
	"list connections (passwords masked unless --reveal and the role allows)",
	view_options, CLI_CMD_NO_OPERANDS, NULL, conn_list
};

const struct cli_cmd cmd_conn_get = {
	"connections", "get", "ID [-o table|json|yaml|plain] [--reveal]",
	"show one connection",
	view_options, 0, NULL, conn_get
};

const struct cli_cmd cmd_conn_add = {
	"connections", "add",
	"ID --conn-uri URI|- | --conn-json JSON|- | --conn-type T [--conn-host H] "
	"[--conn-login L] [--conn-schema S] [--conn-port P] [--conn-extra JSON] "
	"[--conn-description D] [--conn-password-stdin]",
	"add a connection (its password encrypted with the primary key)",
	add_options, 0, NULL, conn_add
};

const struct cli_cmd cmd_conn_delete = {
	"connections", "delete", "ID",
	"delete a connection (also one that no key opens)",
	NULL, 0, NULL, conn_delete
};

const struct cli_cmd cmd_conn_export = {
	"connections", "export",
	"FILE|- [--file-format json|yaml|env] [--serialization-format json|uri] "
	"[--overwrite]",
	"export connections in Airflow's formats to a new file (plaintext; mode "
	"0600; logged)",
	export_options, 0, NULL, conn_export
};

const struct cli_cmd cmd_conn_import = {
	"connections", "import", "FILE|- [--overwrite]",
	"import connections from an Airflow json, yaml or env file (-: json on stdin)",
	import_options, 0, NULL, conn_import
};
